"""Success rate against lag: every cell trained on the same task, lags and seeds, with one fixed budget.

A *configuration* is a cell with its switches and forget-gate bias (:data:`CONFIGS`); a *run* trains one
configuration on one lag with one seed (:func:`lstmsym.training.loop.train`); the *success rate* of a
configuration at a lag is the fraction of its seeds whose run solved the task within the budget. Each
run also records ‖∂l/∂s_0‖, the gradient reaching the initial state, at every evaluation.

Runs are independent and fully seeded, so the results do not depend on the order in which they run nor
on how many worker processes share them.

>>> budget = Budget(steps=100, batch=16, n=4, eval_every=50, eval_batch=64)
>>> results = run_experiment("sign", lags=[3], seeds=1, configs=["lstm1997"], budget=budget)
>>> results["success"]["lstm1997"]
{'3': 1.0}
>>> print(format_table(results))
config      T=3
lstm1997   1.00
"""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..cells import make_cell
from ..checks import whole_number
from ..errors import LstmsymError, UnknownChoiceError
from ..numerics.reference.activations import sigmoid
from .loop import train
from .tasks import TASKS

#: label → (cell name, switches, forget-gate bias); the bias matters only to cells with a forget gate.
CONFIGS: dict[str, tuple[str, dict[str, object], float]] = {
    "rnn": ("rnn", {}, 0.0),
    "lstm b_f=0": ("lstm", {}, 0.0),
    "lstm b_f=1": ("lstm", {}, 1.0),
    "lstm b_f=3": ("lstm", {}, 3.0),
    "lstm1997": ("lstm1997", {}, 0.0),
    "gru": ("gru", {}, 0.0),
    "dense_memory": ("dense_memory", {}, 0.0),
}

#: The committed results of the full experiment, ``results/long_lags.json`` in the repository that holds the
#: package (a wheel does not ship it: :func:`load_results` then says how to regenerate it).
COMMITTED_RESULTS = Path(__file__).resolve().parents[2] / "results" / "long_lags.json"


@dataclass(frozen=True)
class Budget:
    """The fixed training budget every run gets, and the task's noise level (sign task only)."""

    steps: int = 500
    batch: int = 32
    lr: float = 0.01
    clip: float | None = 1.0
    n: int = 16
    eval_every: int = 50
    eval_batch: int = 256
    solved_at: float = 0.95
    noise: float = 1.0


def _make_task(task: str, T: int, budget: Budget) -> object:
    if task not in TASKS:
        raise UnknownChoiceError("task", task, tuple(TASKS))
    return TASKS[task](T, noise=budget.noise) if task == "sign" else TASKS[task](T)


def run_one(label: str, task: str, T: int, seed: int, budget: Budget) -> dict[str, object]:
    """Train configuration ``label`` on ``task`` at lag T with ``seed``; a JSON-ready summary of the run."""
    if label not in CONFIGS:
        raise UnknownChoiceError("config", label, tuple(CONFIGS))
    name, switches, forget_bias = CONFIGS[label]
    task_obj = _make_task(task, T, budget)
    cell = make_cell(name, n=budget.n, m=task_obj.m, **switches)
    start = time.perf_counter()
    run = train(
        cell,
        task_obj,
        steps=budget.steps,
        seed=seed,
        batch=budget.batch,
        lr=budget.lr,
        clip=budget.clip,
        forget_bias=forget_bias,
        eval_every=budget.eval_every,
        eval_batch=budget.eval_batch,
        solved_at=budget.solved_at,
    )
    return {
        "config": label,
        "T": T,
        "seed": seed,
        "solved": run.solved,
        "steps_taken": run.steps_taken,
        "final_accuracy": run.final_accuracy,
        "seconds": time.perf_counter() - start,
        "history": run.history,
    }


def _run_star(args: tuple) -> dict[str, object]:
    return run_one(*args)


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

    ``progress(done, total, run)`` is called after each run. ``workers > 1`` spreads the runs over that
    many processes (the numbers are the same).
    """
    configs = list(CONFIGS) if configs is None else list(configs)
    budget = Budget() if budget is None else budget
    for label in configs:
        if label not in CONFIGS:
            raise UnknownChoiceError("config", label, tuple(CONFIGS))
    if not lags or any(isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 1 for T in lags):
        raise LstmsymError(f"lags must be whole numbers >= 1, got {list(lags)!r}")
    seeds = whole_number("seeds", seeds)
    _make_task(task, int(min(lags)), budget)  # validates the task and the smallest lag
    jobs = [
        (label, task, int(T), seed, budget)
        for T in sorted(lags, reverse=True)
        for label in configs
        for seed in range(seeds)
    ]  # longest lags first: better load balance
    runs = []
    start = time.perf_counter()
    if workers <= 1:
        results = map(_run_star, jobs)
        for run in results:
            runs.append(run)
            if progress:
                progress(len(runs), len(jobs), run)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for run in pool.map(_run_star, jobs):
                runs.append(run)
                if progress:
                    progress(len(runs), len(jobs), run)
    runs.sort(key=lambda r: (configs.index(r["config"]), r["T"], r["seed"]))
    lags = sorted(int(T) for T in lags)
    return {
        "task": task,
        "lags": lags,
        "seeds": list(range(seeds)),
        "configs": configs,
        "config_definitions": {
            label: {
                "cell": CONFIGS[label][0],
                "switches": CONFIGS[label][1],
                "forget_bias": CONFIGS[label][2],
            }
            for label in configs
        },
        "budget": asdict(budget),
        "success": success_rates(runs, configs, lags),
        "wall_seconds": time.perf_counter() - start,
        "provenance": provenance(),
        "runs": runs,
    }


def provenance() -> dict[str, str]:
    """Versions of Python, NumPy and lstmsym, and the machine, for the results file."""
    from .. import __version__

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "lstmsym": __version__,
        "platform": platform.platform(),
        "command": " ".join(sys.argv),
    }


def format_table(results: dict[str, object]) -> str:
    """The success rates as a text table, one row per configuration, one column per lag."""
    lags = results["lags"]
    width = max(len("config"), *(len(c) for c in results["configs"])) + 1
    lines = ["config".ljust(width) + "".join(f"{'T=' + str(T):>7}" for T in lags)]
    for label in results["configs"]:
        rates = results["success"][label]
        lines.append(label.ljust(width) + "".join(f"{rates[str(T)]:7.2f}" for T in lags))
    return "\n".join(lines)


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


def format_keep_products(forget_biases: Sequence[float], lags: Sequence[int]) -> str:
    """σ(b_f)^T for each forget-gate bias and lag: the keep-gate product at initialisation (2 digits).

    >>> print(format_keep_products([1.0, 3.0], [10, 100]))
    b_f         T=10     T=100
    1.0      4.4e-02   2.5e-14
    3.0      6.2e-01   7.8e-03
    """
    biases = [float(b) for b in forget_biases]
    if not biases or not lags or not all(np.isfinite(biases)):
        raise LstmsymError(
            f"forget_biases and lags must be non-empty (finite biases), got {forget_biases!r}, {lags!r}"
        )
    lines = ["b_f   " + "".join(f"{'T=' + str(T):>10}" for T in lags)]
    for b in biases:
        keep = sigmoid(b)
        lines.append(f"{b:<5} " + "".join(f"{keep ** int(T):>10.1e}" for T in lags))
    return "\n".join(lines)


def format_grad_table(results: dict[str, object]) -> str:
    """:func:`grad_s0_at_start` as a text table: one row per configuration, one column per lag (2 digits).

    >>> runs = [{"config": "rnn", "T": T, "history": [{"grad_s0": g}]}
    ...         for T, g in ((10, 4.7e-4), (50, 1.6e-13))]
    >>> print(format_grad_table({"configs": ["rnn"], "lags": [10, 50], "runs": runs}))
    config              T=10      T=50
    rnn              4.7e-04   1.6e-13
    """
    start = grad_s0_at_start(results)
    lines = ["config        " + "".join(f"{'T=' + str(T):>10}" for T in results["lags"])]
    for label in results["configs"]:
        lines.append(f"{label:<14}" + "".join(f"{start[label][str(T)]:>10.1e}" for T in results["lags"]))
    return "\n".join(lines)


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


def format_latch_successes(rows: Sequence[dict[str, object]]) -> str:
    """The rows of :func:`latch_successes` as a text table (gradients to 1 digit, accuracy to 2 decimals).

    >>> row = {"config": "rnn", "T": 50, "seed": 4, "solved_at": 50, "grad_start": 5e-8,
    ...        "grad_median_before": 5e-8, "best_accuracy_before": 0.45}
    >>> print(format_latch_successes([row]))
    config         T  seed  solved at  |dl/ds_0| start  median before  best accuracy before
    rnn            50     4         50            5e-08          5e-08                  0.45
    """
    lines = ["config         T  seed  solved at  |dl/ds_0| start  median before  best accuracy before"]
    for r in rows:
        lines.append(
            f"{r['config']:<13}{r['T']:>4}{r['seed']:>6}{r['solved_at']:>11}"
            f"{r['grad_start']:>17.0e}{r['grad_median_before']:>15.0e}{r['best_accuracy_before']:>22.2f}"
        )
    return "\n".join(lines)


def format_runs(results: dict[str, object]) -> str:
    """One line per run: configuration, lag, solved, steps taken, final accuracy and ‖∂l/∂s_0‖ at the start.

    >>> run = {"config": "rnn", "T": 5, "solved": True, "steps_taken": 50, "final_accuracy": 1.0,
    ...        "history": [{"grad_s0": 0.019}]}
    >>> print(format_runs({"runs": [run]}))
    rnn         T=5   solved: True  steps: 50   final accuracy 1.000   |dl/ds_0| at the start 1.9e-02
    """
    lines = []
    for run in results["runs"]:
        start = run["history"][0]["grad_s0"]
        lines.append(
            f"{run['config']:<11} T={run['T']:<3} solved: {run['solved']!s:<5} steps: {run['steps_taken']:<4}"
            f" final accuracy {run['final_accuracy']:.3f}   |dl/ds_0| at the start {start:.1e}"
        )
    return "\n".join(lines)


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


def format_grad_s0_range(ranges: dict[str, tuple[float, float]]) -> str:
    """The ranges of :func:`grad_s0_range` as text, one line per configuration (2 significant digits).

    >>> print(format_grad_s0_range({"rnn": (7.3e-14, 2.5e-6)}))
    rnn         |dl/ds_0| during training: from 7.3e-14 to 2.5e-06
    """
    return "\n".join(
        f"{label:<11} |dl/ds_0| during training: from {lo:.1e} to {hi:.1e}"
        for label, (lo, hi) in ranges.items()
    )


def format_accuracy_histories(results: dict[str, object]) -> str:
    """One line per run: the validation accuracy at each evaluation (2 decimals).

    >>> run = {"config": "rnn", "history": [{"accuracy": 0.0}, {"accuracy": 0.153}]}
    >>> print(format_accuracy_histories({"runs": [run]}))
    rnn         accuracy at each evaluation: 0.00, 0.15
    """
    lines = []
    for run in results["runs"]:
        accuracy = ", ".join(f"{row['accuracy']:.2f}" for row in run["history"])
        lines.append(f"{run['config']:<11} accuracy at each evaluation: {accuracy}")
    return "\n".join(lines)


def save_results(results: dict[str, object], path: str | Path) -> Path:
    """Write the results as JSON (directories created as needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")
    return path


def load_results(path: str | Path) -> dict[str, object]:
    """Read a results file written by :func:`save_results`."""
    path = Path(path)
    if not path.is_file():
        raise LstmsymError(f"results file {str(path)!r} does not exist; run python -m lstmsym.training first")
    return json.loads(path.read_text())
