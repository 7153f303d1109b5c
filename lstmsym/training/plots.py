"""Plots of an experiment's results (:func:`lstmsym.training.experiment.run_experiment`): success rate
against lag with 95% Wilson intervals, the gradient reaching s_0 at initialisation, that gradient during
training, and the two predictors of success run by run.

Each function draws on ``ax`` (a new figure if None) and returns the Axes.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from lstmsym.training.experiment import Budget, run_experiment
>>> budget = Budget(steps=4, n=2, eval_every=2)
>>> results = run_experiment("sign", [2, 3], seeds=1, configs=["rnn"], budget=budget)
>>> len(plot_success(results).containers), len(plot_grad_at_start(results).lines)   # one error-bar set
(1, 1)
>>> len(plot_grad_history(results, T=3).lines)
1
>>> len(plot_predictors(results).collections)                  # solved and failed runs
2
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..errors import LstmsymError
from .experiment import grad_s0_at_start
from .statistics import success_table


def _axes(ax):
    return plt.subplots(figsize=(6.4, 4.0))[1] if ax is None else ax


def plot_success(results: dict, ax=None, configs=None):
    """Success rate (fraction of seeds that solved the task) against the lag T, one line per configuration
    (``configs``: all by default), each point with its 95% Wilson interval as an error bar."""
    ax = _axes(ax)
    lags = results["lags"]
    table = success_table(results)
    configs = results["configs"] if configs is None else list(configs)
    for j, label in enumerate(configs):
        rows = table[table["config"] == label].set_index("T").loc[lags]
        shift = 1.0 + 0.012 * (j - (len(configs) - 1) / 2)  # spread the points of one lag apart a little
        ax.errorbar(
            [T * shift for T in lags],
            rows["rate"],
            yerr=[rows["rate"] - rows["low"], rows["high"] - rows["rate"]],
            marker="os^vD<>p*hXP"[j % 12],
            capsize=3,
            label=label,
        )
    ax.set_xscale("log")
    ax.set_xticks(lags, [str(T) for T in lags])
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("lag T (steps between the first input and the readout)")
    ax.set_ylabel("success rate over seeds (95% Wilson interval)")
    seeds, steps = len(results["seeds"]), results["budget"]["steps"]
    ax.set_title(f"{results['task']} task, {seeds} seeds, at most {steps} Adam steps")
    ax.legend(fontsize="x-small", ncol=2)
    return ax


def plot_predictors(results: dict, ax=None):
    """Every run before training: ‖∂l/∂s_0‖ (x) against the lag balance ‖g_1‖/‖g_T‖ (y), log-log, solved runs
    filled and failed runs open."""
    ax = _axes(ax)
    runs = results["runs"]
    for solved, style in ((True, {"color": "C2"}), (False, {"facecolors": "none", "edgecolors": "C3"})):
        pick = [r for r in runs if bool(r["solved"]) == solved]
        x = np.maximum([r["grad_s0_start"] for r in pick], 1e-300)  # log axes: no zeros
        y = np.maximum([r["lag_balance_start"] for r in pick], 1e-300)
        ax.scatter(x, y, s=12, label=f"{'solved' if solved else 'failed'} ({len(pick)} runs)", **style)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\|\partial \ell / \partial s_0\|$ before training")
    ax.set_ylabel(r"lag balance $\|g_1\| / \|g_T\|$ before training")
    ax.set_title("Two predictors of success, one point per run")
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
