"""A user's cell through the compiled symbolic path: compile time, an all-lag sweep, a training step.

Run by hand, from the repository root:

    .venv/bin/python bench/compiled_cell.py

The cell is the decay carousel of ``docs/examples/my_cells.py`` (c_t = σ(d) ⊙ c_{t-1} + i_t ⊙ g_t, LSTM-style
gates, n = 8, one input), declared outside the package and loaded by path. Three figures, each in a fresh
process so that nothing is cached:

1. compile time at n = 8: building the symbolic step and its step Jacobians and lambdifying them
   (what a sweep needs), then the engine's reverse-mode backward pass (what training needs);
2. the 1000-step all-lag sweep ‖∂c_1000/∂c_k‖₂ for k = 0..1000 (``lag_norms``), after compiling, against the
   same sweep of the built-in LSTM at n = 8 through its hand-written reference;
3. one training step's loss and gradients (batch 32, T = 100, one seed), the user's cell through the
   compiled path (:mod:`lstmsym.training.batched_compiled`) and the built-in LSTM at n = 8 through the
   compiled path and through its hand-written batched BPTT: the ratio is the slowdown the compiled path
   costs (same cell, same numbers).

Each timing is the median of REPEATS runs after a warm-up. OPENBLAS_NUM_THREADS is set to 1, as in
``bench/training_step.py``.
"""

from __future__ import annotations

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy is imported

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELL_FILE = ROOT / "docs" / "examples" / "my_cells.py"
REPEATS = 5

FRESH = """
import os, time, json
os.environ["OPENBLAS_NUM_THREADS"] = "1"
t0 = time.perf_counter()
import lstmsym as ls
from lstmsym.cells import load_cell_file
from lstmsym.numerics.compile import compile_cell
from lstmsym.experiments.sweeps import lag_norms
t1 = time.perf_counter()
load_cell_file({file!r})
cell = ls.make_cell({name!r}, n=8)
t2 = time.perf_counter()
compiled = compile_cell(cell)
t3 = time.perf_counter()
compiled._backward
t4 = time.perf_counter()
lag_norms(cell, T=1000, seed=0)
t5 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "declare": t2 - t1, "compile": t3 - t2, "backward": t4 - t3,
                  "sweep": t5 - t4}}))
"""


def fresh(name: str) -> dict[str, float]:
    """Compile and sweep ``name`` at n = 8 in a new process; the seconds of each stage."""
    code = FRESH.format(file=str(CELL_FILE), name=name)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def median_time(fn, repeats: int = REPEATS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def training_steps() -> dict[str, float]:
    """Median seconds of one loss-and-gradients evaluation, batch 32, T = 100, n = 8."""
    import numpy as np

    import lstmsym as ls
    from lstmsym.cells import load_cell_file
    from lstmsym.training import batched
    from lstmsym.training.loop import init_model
    from lstmsym.training.tasks import SignTask

    load_cell_file(CELL_FILE)
    rng = np.random.default_rng(0)
    data = SignTask(99).sample(32, rng)
    out = {}
    for label, name, compiled in (
        ("decay_carousel, compiled", "decay_carousel", False),
        ("lstm, compiled", "lstm", True),
        ("lstm, hand-written", "lstm", False),
    ):
        cell = ls.make_cell(name, n=8)
        params = init_model(cell, rng)

        def step(cell=cell, params=params, compiled=compiled) -> None:
            if compiled:
                with batched.compiled_path():
                    batched.loss_and_grads(cell, params, data.xs, data.target, "logistic", data.mask)
            else:
                batched.loss_and_grads(cell, params, data.xs, data.target, "logistic", data.mask)

        out[label] = median_time(step)
    return out


def main() -> None:
    load = os.getloadavg()
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    stages = [fresh("decay_carousel") for _ in range(3)]
    med = {key: statistics.median(s[key] for s in stages) for key in stages[0]}
    print("decay_carousel, n = 8, fresh process (median of 3):")
    for key, value in med.items():
        print(f"  {key:<9} {value:7.2f} s")
    lstm = [fresh("lstm") for _ in range(3)]
    sweep = statistics.median(s["sweep"] for s in lstm)
    print(f"lstm (hand-written reference), n = 8: 1000-step all-lag sweep {sweep:.2f} s")
    steps = training_steps()
    for label, seconds in steps.items():
        print(f"training step, batch 32, T = 100, n = 8, {label:<26} {1000 * seconds:8.1f} ms")
    ratio = steps["lstm, compiled"] / steps["lstm, hand-written"]
    print(f"compiled / hand-written, same LSTM: {ratio:.1f}x")
    user = steps["decay_carousel, compiled"] / steps["lstm, hand-written"]
    print(f"user's cell (compiled) / hand-written LSTM: {user:.1f}x")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
