"""One training step (batched forward, BPTT, global-norm clipping, Adam) of each cell: the time it takes.

Run by hand, from the repository root:

    .venv/bin/python bench/training_step.py

OPENBLAS_NUM_THREADS is set to 1 below, before NumPy is imported (small matrix products split over two cores
ran slower). The headline configuration is the issue's: an LSTM with n = 16, batch 64, T = 100, one input;
the other cells are timed in the same setting, and the LSTM also at T = 200 and batch 32. Each figure is the
median of REPEATS steps after one warm-up step, on the sign task's data. The target: milliseconds, not
seconds.

The second table is the seed axis: S seeds trained at once (:func:`lstmsym.training.loop.train_seeds`, one
NumPy call per operation for all of them) against the same S seeds trained one at a time, in seeds per
second (training steps of one seed per second) for the committed experiment's setting (n = 8, batch 32) at
lags 50 and 200.
"""

from __future__ import annotations

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy is imported

import statistics
import time

import numpy as np

import lstmsym as ls
from lstmsym.training.batched import loss_and_grads
from lstmsym.training.loop import init_model, train_seeds
from lstmsym.training.optim import Adam, clip_global_norm
from lstmsym.training.tasks import SignTask

REPEATS = 20
CASES = [  # (cell, switches, n, batch, T)
    ("lstm", {}, 16, 64, 100),
    ("lstm", {}, 16, 32, 200),
    ("lstm", {"peephole": True, "readout": "dense"}, 16, 64, 100),
    ("lstm1997", {}, 16, 64, 100),
    ("rnn", {}, 16, 64, 100),
    ("gru", {}, 16, 64, 100),
    ("dense_memory", {}, 16, 64, 100),
]


def time_step(name: str, switches: dict, n: int, batch: int, T: int) -> float:
    """Median seconds of one Adam step with clipping."""
    rng = np.random.default_rng(0)
    cell = ls.make_cell(name, n=n, m=1, **switches)
    params = init_model(cell, rng)
    task = SignTask(T - 1)  # T - 1 steps of noise after x_1: T steps in all
    data = task.sample(batch, rng)
    adam = Adam(lr=0.01)

    def step() -> None:
        out = loss_and_grads(cell, params, data.xs, data.target, task.loss, data.mask)
        grads, _ = clip_global_norm(out.grads, 1.0)
        adam.step(params, grads)

    step()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


SEED_CASES = [("rnn", 50), ("lstm", 50), ("lstm", 200), ("gru", 200)]  # (cell, lag), n = 8, batch 32
SEEDS = 30
SEED_STEPS = 10


def seeds_per_second(name: str, T: int, together: bool) -> float:
    """Seed-steps per second: SEEDS seeds trained SEED_STEPS Adam steps, all at once or one at a time."""
    cell = ls.make_cell(name, n=8, m=1)
    task = SignTask(T)
    kwargs = {"steps": SEED_STEPS, "eval_every": 10**6, "eval_batch": 32, "stop_when_solved": False}
    start = time.perf_counter()
    if together:
        train_seeds(cell, task, list(range(SEEDS)), **kwargs)
    else:
        for seed in range(SEEDS):
            train_seeds(cell, task, [seed], **kwargs)
    return SEEDS * SEED_STEPS / (time.perf_counter() - start)


def main() -> None:
    print(f"{'cell':<14}{'switches':<34}{'n':>4}{'batch':>7}{'T':>6}{'ms/step':>10}")
    for name, switches, n, batch, T in CASES:
        seconds = time_step(name, switches, n, batch, T)
        label = ", ".join(f"{k}={v}" for k, v in switches.items()) or "-"
        print(f"{name:<14}{label:<34}{n:>4}{batch:>7}{T:>6}{seconds * 1e3:>10.1f}")
    print()
    print(f"{SEEDS} seeds, n = 8, batch 32: seed-steps per second (one Adam step of one seed each)")
    print(f"{'cell':<8}{'T':>6}{'together':>11}{'one at a time':>15}{'speed-up':>10}")
    for name, T in SEED_CASES:
        together = seeds_per_second(name, T, True)
        alone = seeds_per_second(name, T, False)
        print(f"{name:<8}{T:>6}{together:>11.1f}{alone:>15.1f}{together / alone:>9.1f}x")


if __name__ == "__main__":
    main()
