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
from ..errors import LstmsymError, UnknownChoiceError
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
    if isinstance(seeds, bool) or not isinstance(seeds, int | np.integer) or seeds < 1:
        raise LstmsymError(f"seeds must be a whole number >= 1, got {seeds!r}")
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
