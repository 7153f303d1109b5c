"""Plots of an experiment's results (:func:`lstmsym.training.experiment.run_experiment`): success rate
against lag, the gradient reaching s_0 at initialisation, and that gradient during training.

Each function draws on ``ax`` (a new figure if None) and returns the Axes.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from lstmsym.training.experiment import Budget, run_experiment
>>> budget = Budget(steps=4, n=2, eval_every=2)
>>> results = run_experiment("sign", [2, 3], seeds=1, configs=["rnn"], budget=budget)
>>> len(plot_success(results).lines), len(plot_grad_at_start(results).lines)
(1, 1)
>>> len(plot_grad_history(results, T=3).lines)
1
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..errors import LstmsymError
from .experiment import grad_s0_at_start


def _axes(ax):
    return plt.subplots(figsize=(6.4, 4.0))[1] if ax is None else ax


def plot_success(results: dict, ax=None):
    """Success rate (fraction of seeds that solved the task) against the lag T, one line per configuration."""
    ax = _axes(ax)
    lags = results["lags"]
    for j, label in enumerate(results["configs"]):
        rates = [results["success"][label][str(T)] for T in lags]
        ax.plot(lags, rates, marker="os^vD<>p"[j % 8], label=label)
    ax.set_xscale("log")
    ax.set_xticks(lags, [str(T) for T in lags])
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("lag T (steps between the first input and the readout)")
    ax.set_ylabel("success rate over seeds")
    ax.set_title(f"{results['task']} task, {results['budget']['steps']} Adam steps per run")
    ax.legend(fontsize="small")
    return ax


def plot_grad_at_start(results: dict, ax=None):
    """Median over seeds of ‖∂l/∂s_0‖ at initialisation against the lag, log scale."""
    ax = _axes(ax)
    lags = results["lags"]
    medians = grad_s0_at_start(results)
    for j, label in enumerate(results["configs"]):
        ax.semilogy(lags, [medians[label][str(T)] for T in lags], marker="os^vD<>p"[j % 8], label=label)
    ax.set_xlabel("lag T")
    ax.set_ylabel(r"$\|\partial \ell / \partial s_0\|$ at initialisation")
    ax.set_title("Gradient reaching the first step before training")
    ax.legend(fontsize="small")
    return ax


def plot_grad_history(results: dict, T: int, seed: int = 0, ax=None):
    """‖∂l/∂s_0‖ (validation batch mean) against the training step, for every configuration at lag T."""
    if T not in results["lags"]:
        raise LstmsymError(f"T={T!r} is not one of the results' lags {results['lags']}")
    ax = _axes(ax)
    for j, label in enumerate(results["configs"]):
        runs = [r for r in results["runs"] if r["config"] == label and r["T"] == T and r["seed"] == seed]
        if not runs:
            continue
        steps = [row["step"] for row in runs[0]["history"]]
        values = np.maximum([row["grad_s0"] for row in runs[0]["history"]], 1e-300)  # log axis: no zeros
        ax.semilogy(
            steps, values, marker="os^vD<>p"[j % 8], label=label + (" (solved)" if runs[0]["solved"] else "")
        )
    ax.set_xlabel("training step")
    ax.set_ylabel(r"$\|\partial \ell / \partial s_0\|$")
    ax.set_title(f"Gradient reaching the first step during training, T = {T}, seed {seed}")
    ax.legend(fontsize="small")
    return ax
