"""Success rate against lag: every configuration trained on the same task, lags and seeds, with one budget.

A *configuration* is a cell with its switches, its keep-gate bias and the gradient it is trained with
(:data:`CONFIGS`); a *run* trains one configuration on one lag with one seed; the seeds of a configuration
and lag train together, as one group (:func:`run_group`, which uses
:func:`lstmsym.training.loop.train_seeds`); the *success rate* of a configuration at a lag is the fraction
of its seeds whose run solved the task within the budget. Each run also records, at every evaluation,
‖∂l/∂s_0‖ (the gradient reaching the initial state) and the lag balance. :mod:`.statistics` turns the runs
into rates with Wilson intervals, tests against the RNN, and the predictors' performance.

Runs are independent and fully seeded, so the results do not depend on the order in which they run, on
which seeds share a group, nor on how many worker processes share the groups.

>>> budget = Budget(steps=100, batch=16, n=4, eval_every=50, eval_batch=64)
>>> results = run_experiment("sign", lags=[3], seeds=1, configs=["lstm1997"], budget=budget)
>>> results["success"]["lstm1997"]
{'3': 1.0}
>>> runs_table(results)[["configuration", "lag T", "solved", "steps"]].values.tolist()
[['lstm1997', 3, True, 100]]
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..cells import cell_names, make_cell
from ..cells.registry import load_cell_files, user_cell_files
from ..checks import whole_number
from ..errors import LstmsymError, UnknownChoiceError
from ..numerics.reference.activations import sigmoid
from .loop import TrainResult, train_seeds
from .tasks import TASKS


@dataclass(frozen=True)
class Config:
    """A configuration: the cell and its switches, the keep-gate bias at initialisation, the gradient.

    ``forget_bias`` is b_f (cells with a forget gate); ``update_bias`` is the GRU's b_z (z = 1 keeps the old
    state in this project, so b_z = +3 keeps, like b_f = +3); ``gradient`` is "full" (BPTT) or "truncated"
    (the 1997 truncation, cells with a carousel only).
    """

    cell: str
    switches: dict[str, object] = field(default_factory=dict)
    forget_bias: float = 0.0
    update_bias: float = 0.0
    gradient: str = "full"


#: label → :class:`Config`. The readout variants are trained at b_f = 3, the one bias at which the standard
#: LSTM learned lag 50 before. The design reason: with b_f = 0 or 1 the standard (tanh) LSTM solved almost no
#: seed from lag 50 on, so a comparison of readouts there would have had few successes to compare (how the
#: other readouts fare at those biases was not measured).
CONFIGS: dict[str, Config] = {
    "rnn": Config("rnn"),
    "lstm b_f=0": Config("lstm", forget_bias=0.0),
    "lstm b_f=1": Config("lstm", forget_bias=1.0),
    "lstm b_f=3": Config("lstm", forget_bias=3.0),
    "lstm b_f=3 readout=sigmoid": Config("lstm", {"readout": "sigmoid"}, forget_bias=3.0),
    "lstm b_f=3 readout=identity": Config("lstm", {"readout": "identity"}, forget_bias=3.0),
    "lstm b_f=3 readout=dense": Config("lstm", {"readout": "dense"}, forget_bias=3.0),
    "lstm1997": Config("lstm1997"),
    "lstm1997 truncated": Config("lstm1997", gradient="truncated"),
    "gru": Config("gru", update_bias=0.0),
    "gru b_z=3": Config("gru", update_bias=3.0),
    "dense_memory": Config("dense_memory"),
}

#: The committed results of the full experiment, ``results/long_lags.json`` in the repository that holds the
#: package (a wheel does not ship it: :func:`load_results` then says how to regenerate it).
COMMITTED_RESULTS = Path(__file__).resolve().parents[2] / "results" / "long_lags.json"


@dataclass(frozen=True)
class Budget:
    """The fixed training budget every run gets, and the task's noise level (sign task only)."""

    steps: int = 300
    batch: int = 32
    lr: float = 0.01
    clip: float | None = 1.0
    n: int = 8
    eval_every: int = 50
    eval_batch: int = 256
    solved_at: float = 0.95
    noise: float = 1.0


def config_of(label: str) -> Config:
    """The configuration ``label`` names: one of :data:`CONFIGS`, or the name of a registered cell that has no
    configuration of its own (a user's cell), trained with its defaults: biases 0, full BPTT.

    >>> config_of("gru b_z=3").update_bias, config_of("lstm b_f=1").forget_bias
    (3.0, 1.0)
    """
    if label in CONFIGS:
        return CONFIGS[label]
    names = cell_names()
    if isinstance(label, str) and label in names:
        return Config(label)
    raise UnknownChoiceError("config", label, (*CONFIGS, *(n for n in names if n not in CONFIGS)))


def _make_task(task: str, T: int, budget: Budget) -> object:
    if task not in TASKS:
        raise UnknownChoiceError("task", task, tuple(TASKS))
    return TASKS[task](T, noise=budget.noise) if task == "sign" else TASKS[task](T)


def config_definition(label: str) -> dict[str, object]:
    """What a configuration label means, as stored in the results file."""
    return asdict(config_of(label))


def run_group(label: str, task: str, T: int, seeds: Sequence[int], budget: Budget) -> list[dict[str, object]]:
    """Train configuration ``label`` on ``task`` at lag T once per seed, all seeds at once
    (:func:`lstmsym.training.loop.train_seeds`); one JSON-ready summary per run, in the order of ``seeds``.

    A run's summary: ``config``, ``T``, ``seed``, ``solved``, ``solved_step`` (the first training step whose
    evaluation reached the threshold, or None), ``steps_taken``, ``final_accuracy``, ``grad_s0_start``
    (‖∂l/∂s_0‖ before training), ``lag_balance_start`` (the lag balance before training, see
    :func:`lstmsym.training.loop.evaluate_seeds`) and ``history`` (one row per evaluation).
    """
    config = config_of(label)
    task_obj = _make_task(task, T, budget)
    cell = make_cell(config.cell, n=budget.n, m=task_obj.m, **config.switches)
    runs = train_seeds(
        cell,
        task_obj,
        list(seeds),
        steps=budget.steps,
        batch=budget.batch,
        lr=budget.lr,
        clip=budget.clip,
        forget_bias=config.forget_bias,
        update_bias=config.update_bias,
        gradient=config.gradient,
        eval_every=budget.eval_every,
        eval_batch=budget.eval_batch,
        solved_at=budget.solved_at,
    )
    return [
        {
            "config": label,
            "T": int(T),
            "seed": run.seed,
            "solved": run.solved,
            "solved_step": run.solved_step,
            "steps_taken": run.steps_taken,
            "final_accuracy": run.final_accuracy,
            "grad_s0_start": run.history[0]["grad_s0"],
            "lag_balance_start": run.history[0]["lag_balance"],
            "history": run.history,
        }
        for run in runs
    ]


def train_config(label: str, task: str, T: int, seed: int, budget: Budget) -> TrainResult:
    """Train configuration ``label`` on ``task`` at lag T with one seed, as in :func:`run_group`; the full
    :class:`~lstmsym.training.loop.TrainResult`, with the trained parameters (for :mod:`.fixed_points`).

    >>> budget = Budget(steps=10, batch=4, n=2, eval_every=5, eval_batch=8)
    >>> run = train_config("rnn", "sign", 3, seed=1, budget=budget)
    >>> run.history == run_one("rnn", "sign", 3, 1, budget)["history"], sorted(run.params)[:2]
    (True, ['U', 'W'])
    """
    config = config_of(label)
    task_obj = _make_task(task, T, budget)
    cell = make_cell(config.cell, n=budget.n, m=task_obj.m, **config.switches)
    return train_seeds(
        cell,
        task_obj,
        [seed],
        steps=budget.steps,
        batch=budget.batch,
        lr=budget.lr,
        clip=budget.clip,
        forget_bias=config.forget_bias,
        update_bias=config.update_bias,
        gradient=config.gradient,
        eval_every=budget.eval_every,
        eval_batch=budget.eval_batch,
        solved_at=budget.solved_at,
    )[0]


def config_cell(label: str, budget: Budget, m: int = 1) -> object:
    """The cell of configuration ``label`` with the budget's hidden size (``m`` inputs)."""
    config = config_of(label)
    return make_cell(config.cell, n=budget.n, m=m, **config.switches)


def run_one(label: str, task: str, T: int, seed: int, budget: Budget) -> dict[str, object]:
    """Train configuration ``label`` on ``task`` at lag T with ``seed`` alone: the same summary as the run of
    that seed in :func:`run_group` (a seed's run does not depend on the group it is trained in)."""
    return run_group(label, task, T, [seed], budget)[0]


def _group_star(args: tuple) -> tuple[list[dict[str, object]], float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    runs = run_group(*args)
    return runs, time.perf_counter() - start, time.process_time() - cpu


def success_rates(
    runs: Sequence[dict[str, object]], configs: Sequence[str], lags: Sequence[int]
) -> dict[str, dict[str, float]]:
    """config → {str(T): fraction of seeds solved}."""
    out = {}
    for label in configs:
        out[label] = {}
        for T in lags:
            solved = [r["solved"] for r in runs if r["config"] == label and r["T"] == T]
            out[label][str(T)] = float(np.mean(solved)) if solved else float("nan")
    return out


def run_experiment(
    task: str,
    lags: Sequence[int],
    seeds: int,
    configs: Sequence[str] | None = None,
    budget: Budget | None = None,
    workers: int = 1,
    progress: Callable[[int, int, dict[str, object]], None] | None = None,
) -> dict[str, object]:
    """Train every configuration at every lag with seeds 0..seeds-1; the results with their provenance.

    The seeds of one configuration and lag train together (:func:`run_group`); ``progress(done, total, run)``
    is called after each run. ``workers > 1`` spreads the groups over that many processes (the numbers are
    the same: every run is seeded on its own).
    """
    configs = list(CONFIGS) if configs is None else list(configs)
    budget = Budget() if budget is None else budget
    for label in configs:
        config_of(label)  # a known configuration, or a registered cell's name
    if not lags or any(isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 1 for T in lags):
        raise LstmsymError(f"lags must be whole numbers >= 1, got {list(lags)!r}")
    seeds = whole_number("seeds", seeds)
    workers = whole_number("workers", workers)
    _make_task(task, int(min(lags)), budget)  # validates the task and the smallest lag
    jobs = [
        (label, task, int(T), list(range(seeds)), budget)
        for T in sorted(lags, reverse=True)
        for label in configs
    ]  # longest lags first: better load balance
    total = len(jobs) * seeds
    runs, groups = [], []
    load_start = _load_average()
    start = time.perf_counter()

    def collect(job: tuple, outcome: tuple[list[dict[str, object]], float, float]) -> None:
        group_runs, seconds, cpu = outcome
        groups.append(
            {"config": job[0], "T": job[2], "seeds": len(job[3]), "seconds": seconds, "cpu_seconds": cpu}
        )
        for run in group_runs:
            runs.append(run)
            if progress:
                progress(len(runs), total, run)

    if workers <= 1:
        for job in jobs:
            collect(job, _group_star(job))
    else:
        # fresh worker processes, each with one BLAS thread (the products are small: threads only contend)
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        context = multiprocessing.get_context("spawn")
        files = user_cell_files([config_of(label).cell for label in configs])  # a user's cells, again
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=load_cell_files, initargs=(files,)
        ) as pool:
            for job, outcome in zip(jobs, pool.map(_group_star, jobs), strict=True):
                collect(job, outcome)
    wall = time.perf_counter() - start
    runs.sort(key=lambda r: (configs.index(r["config"]), r["T"], r["seed"]))
    groups.sort(key=lambda g: (configs.index(g["config"]), g["T"]))
    lags = sorted(int(T) for T in lags)
    return {
        "task": task,
        "lags": lags,
        "seeds": list(range(seeds)),
        "configs": configs,
        "config_definitions": {label: config_definition(label) for label in configs},
        "budget": asdict(budget),
        "success": success_rates(runs, configs, lags),
        "wall_seconds": wall,
        "cpu_seconds": sum(g["cpu_seconds"] for g in groups),
        "workers": workers,
        "provenance": {**provenance(), "load_average_start": load_start, "load_average_end": _load_average()},
        "groups": groups,
        "runs": runs,
    }


def _load_average() -> list[float] | None:
    """The machine's 1, 5 and 15 minute load averages (None where the system does not report them)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def provenance() -> dict[str, object]:
    """Versions of Python, NumPy, SciPy and lstmsym, the machine, the command, and the git commit with its
    dirty flag (:func:`git_state`), for the results file."""
    import scipy

    from .. import __version__

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "lstmsym": __version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "command": " ".join(sys.argv),
        **git_state(),
    }


def git_state(root: str | Path | None = None) -> dict[str, object]:
    """The git commit of the repository that holds the package and whether its tracked files had
    uncommitted changes (``git_commit``, ``git_dirty``); both None where there is no repository or no git.

    >>> sorted(git_state())
    ['git_commit', 'git_dirty']
    """
    import subprocess

    root = Path(__file__).resolve().parents[2] if root is None else Path(root)
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "git_dirty": None}
    return {"git_commit": commit or None, "git_dirty": bool(status.strip())}


def grad_s0_at_start(results: dict[str, object]) -> dict[str, dict[str, float]]:
    """config → {str(T): median over seeds of ‖∂l/∂s_0‖ at initialisation (step 0)}."""
    out = {}
    for label in results["configs"]:
        out[label] = {}
        for T in results["lags"]:
            values = [
                r["history"][0]["grad_s0"] for r in results["runs"] if r["config"] == label and r["T"] == T
            ]
            out[label][str(T)] = float(np.median(values))
    return out


def runs_table(results: dict[str, object]):
    """One row per run, as a DataFrame: configuration, lag T, seed, solved, steps taken, final accuracy and
    ‖∂𝓛/∂s_0‖ before training.

    >>> run = {"config": "rnn", "T": 5, "seed": 0, "solved": True, "steps_taken": 50, "final_accuracy": 1.0,
    ...        "history": [{"grad_s0": 0.019}]}
    >>> runs_table({"runs": [run]}).values.tolist()
    [['rnn', 5, 0, True, 50, 1.0, 0.019]]
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "configuration": run["config"],
                "lag T": int(run["T"]),
                "seed": int(run["seed"]),
                "solved": bool(run["solved"]),
                "steps": int(run["steps_taken"]),
                "final accuracy": float(run["final_accuracy"]),
                "‖∂𝓛/∂s_0‖ before training": float(run["history"][0]["grad_s0"]),
            }
            for run in results["runs"]
        ]
    )


def keep_products(biases: Sequence[float], lags: Sequence[int]):
    """σ(b)^T for each keep bias b (b_f, or the GRU's b_z) and lag T, as a DataFrame (one row per bias, one
    column per lag): the direct path's keep product at initialisation.

    >>> keep_products([1.0, 3.0], [10, 100]).map(lambda v: f"{v:.1e}").values.tolist()
    [['4.4e-02', '2.5e-14'], ['6.2e-01', '7.8e-03']]
    """
    import pandas as pd

    values = [float(b) for b in biases]
    if not values or not lags or not all(np.isfinite(values)):
        raise LstmsymError(f"biases and lags must be non-empty (finite biases), got {biases!r}, {lags!r}")
    lags = [whole_number("lag", T) for T in lags]
    return pd.DataFrame(
        [[sigmoid(b) ** T for T in lags] for b in values],
        index=pd.Index(values, name="keep bias b"),
        columns=[f"T = {T}" for T in lags],
    )


def rates_at(results: dict[str, object], T: int) -> dict[str, float]:
    """config → success rate at lag ``T``, in the order of ``results["configs"]``.

    >>> success = {"rnn": {"50": 0.2}, "gru": {"50": 0.0}}
    >>> rates_at({"configs": ["rnn", "gru"], "lags": [50], "success": success}, 50)
    {'rnn': 0.2, 'gru': 0.0}
    """
    if int(T) not in [int(t) for t in results["lags"]]:
        raise LstmsymError(f"T must be one of the lags {list(results['lags'])}, got {T!r}")
    return {label: results["success"][label][str(int(T))] for label in results["configs"]}


def failed_final_accuracies(results: dict[str, object], configs: Sequence[str], T: int) -> list[float]:
    """Final validation accuracy of every run of ``configs`` at lag ``T`` that did *not* solve the task.

    Runs are taken in the order they are stored (configuration, then seed).

    >>> runs = [{"config": "lstm1997", "T": 100, "solved": s, "final_accuracy": a}
    ...         for s, a in ((True, 1.0), (False, 0.53))]
    >>> failed_final_accuracies({"runs": runs}, ["lstm1997"], 100)
    [0.53]
    """
    return [
        float(run["final_accuracy"])
        for run in results["runs"]
        if run["config"] in configs and run["T"] == T and not run["solved"]
    ]


def latch_successes(
    results: dict[str, object], configs: Sequence[str] = ("rnn", "dense_memory"), min_T: int = 50
) -> list[dict[str, object]]:
    """Every solved run of ``configs`` at a lag ≥ ``min_T``, with what its gradient and accuracy did first.

    One dict per run, in stored order, with keys ``config``, ``T``, ``seed``, ``solved_at`` (the training
    step of the evaluation that solved it), ``grad_start`` (‖∂l/∂s_0‖ before training),
    ``grad_median_before`` (median of ‖∂l/∂s_0‖ over the evaluations before the solving one) and
    ``best_accuracy_before`` (best validation accuracy over those evaluations). A run solved at its very
    first evaluation counts that evaluation as "before". Notebook 07 uses it to show that the RNN's and the
    dense-memory cell's long-lag successes started from a vanished gradient (a latch, not credit assignment).

    >>> history = [{"grad_s0": g, "accuracy": a} for g, a in ((5e-8, 0.45), (1e-1, 0.5), (1.0, 1.0))]
    >>> runs = [{"config": "rnn", "T": 50, "seed": 4, "solved": True, "steps_taken": 100, "history": history}]
    >>> row = latch_successes({"runs": runs})[0]
    >>> row["solved_at"], row["grad_start"], row["best_accuracy_before"], round(row["grad_median_before"], 4)
    (100, 5e-08, 0.5, 0.05)
    """
    min_T = int(min_T)
    rows = []
    for run in results["runs"]:
        if run["config"] not in configs or run["T"] < min_T or not run["solved"]:
            continue
        history = run["history"]
        if not history:
            raise LstmsymError(f"run {run['config']!r} T={run['T']} seed={run['seed']} has an empty history")
        before = history[:-1] or history[:1]
        rows.append(
            {
                "config": run["config"],
                "T": int(run["T"]),
                "seed": int(run["seed"]),
                "solved_at": int(run["steps_taken"]),
                "grad_start": float(before[0]["grad_s0"]),
                "grad_median_before": float(np.median([row["grad_s0"] for row in before])),
                "best_accuracy_before": float(max(row["accuracy"] for row in before)),
            }
        )
    return rows


def grad_s0_range(results: dict[str, object], T: int) -> dict[str, tuple[float, float]]:
    """config → (min, max) of ‖∂l/∂s_0‖ over the evaluations of its run at lag ``T`` (one seed per config).

    >>> run = {"config": "rnn", "T": 30, "history": [{"grad_s0": 2e-6}, {"grad_s0": 7e-14}]}
    >>> grad_s0_range({"runs": [run], "seeds": [0]}, 30)
    {'rnn': (7e-14, 2e-06)}
    """
    if len(results["seeds"]) != 1:
        raise LstmsymError(f"results must hold one seed per configuration, got seeds {results['seeds']!r}")
    out = {}
    for run in results["runs"]:
        if run["T"] == T:
            values = [float(row["grad_s0"]) for row in run["history"]]
            out[run["config"]] = (min(values), max(values))
    if not out:
        raise LstmsymError(f"T must be a lag of the results, got {T!r}")
    return out


def accuracy_histories(results: dict[str, object]):
    """The validation accuracy of every run at each evaluation, as a DataFrame: one row per run
    (configuration, lag T, seed), one column per training step (NaN after a run stopped).

    >>> run = {"config": "rnn", "T": 5, "seed": 0, "history": [{"step": 0, "accuracy": 0.0},
    ...                                                       {"step": 50, "accuracy": 0.153}]}
    >>> accuracy_histories({"runs": [run]}).values.tolist()
    [[0.0, 0.153]]
    """
    import pandas as pd

    rows = {
        (run["config"], int(run["T"]), int(run["seed"])): {
            int(r["step"]): float(r["accuracy"]) for r in run["history"]
        }
        for run in results["runs"]
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["configuration", "lag T", "seed"]
    table.columns.name = "step"
    return table


def save_results(results: dict[str, object], path: str | Path) -> Path:
    """Write the results as JSON (directories created as needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {k: v for k, v in results.items() if k != "runs"}
    text = json.dumps(body, indent=1)
    if "runs" in results:  # one run per line: the file stays small and diffs stay readable
        runs = ",\n".join("  " + json.dumps(run, separators=(",", ":")) for run in results["runs"])
        text = text[:-2] + ',\n "runs": [\n' + runs + "\n ]\n}"
    path.write_text(text + "\n")
    return path


def load_results(path: str | Path) -> dict[str, object]:
    """Read a results file written by :func:`save_results`."""
    path = Path(path)
    if not path.is_file():
        raise LstmsymError(f"results file {str(path)!r} does not exist; run python -m lstmsym.training first")
    return json.loads(path.read_text())
