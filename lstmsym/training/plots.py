"""Plots of an experiment's results (:func:`lstmsym.training.experiment.run_experiment`): success rate
against lag with 95% Wilson intervals (one panel or several), the gradient reaching s_0 at initialisation,
that gradient during training, and the two predictors of success run by run.

Every configuration is drawn in its course look (:mod:`lstmsym.style`: colour, line style, marker and legend
label), and log axes tick at round decades (:func:`lstmsym.style.log_axis`). Each function draws on ``ax``
(a new figure if None) and returns the Axes (:func:`plot_success_panels`: the Figure).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from lstmsym.training.experiment import Budget, run_experiment
>>> budget = Budget(steps=4, n=2, eval_every=2)
>>> results = run_experiment("sign", [2, 3], seeds=1, configs=["rnn"], budget=budget)
>>> len(plot_success(results).containers), len(plot_grad_at_start(results).lines)   # one error-bar set
(1, 1)
>>> plot_success(results).get_legend().get_texts()[0].get_text()
'RNN'
>>> len(plot_grad_history(results, T=3).lines)
1
>>> len(plot_predictors(results).collections)                  # solved and failed runs
2
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..errors import LstmsymError
from ..style import line_kwargs, log_axis
from .experiment import grad_s0_at_start
from .statistics import success_table

#: The panels of :func:`plot_success_panels`: a title and the configurations drawn in it (the RNN in each,
#: as the reference).
SUCCESS_PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "the RNN, the dense memory and the LSTM by keep bias",
        ("rnn", "dense_memory", "lstm b_f=0", "lstm b_f=1", "lstm b_f=3"),
    ),
    (
        "the LSTM's readouts (keep bias 3)",
        (
            "rnn",
            "lstm b_f=3",
            "lstm b_f=3 readout=sigmoid",
            "lstm b_f=3 readout=identity",
            "lstm b_f=3 readout=dense",
        ),
    ),
    ("the 1997 cell and the GRU", ("rnn", "lstm1997", "lstm1997 truncated", "gru", "gru b_z=3")),
)


def _axes(ax):
    return plt.subplots(figsize=(6.4, 4.0))[1] if ax is None else ax


def plot_success(results: dict, ax=None, configs=None, legend: bool = True, title: str | None = None):
    """Success rate (fraction of seeds that solved the task) against the lag T, one line per configuration
    (``configs``: all by default) in its course look, each point with its 95% Wilson interval as an error
    bar. The legend goes below the axes, where it covers no point."""
    ax = _axes(ax)
    lags = results["lags"]
    table = success_table(results)
    configs = results["configs"] if configs is None else list(configs)
    for j, label in enumerate(configs):
        rows = table[table["config"] == label].set_index("T").loc[lags]
        shift = 1.0 + 0.02 * (j - (len(configs) - 1) / 2)  # spread the points of one lag apart a little
        kw = line_kwargs(label, j)
        ax.errorbar(
            [T * shift for T in lags],
            rows["rate"],
            yerr=[rows["rate"] - rows["low"], rows["high"] - rows["rate"]],
            capsize=3,
            markersize=5,
            **kw,
        )
    ax.set_xscale("log")
    ax.set_xticks(lags, [str(T) for T in lags])
    ax.minorticks_off()
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("lag T (steps between the first input and the readout)")
    ax.set_ylabel("success rate over seeds\n(95% Wilson interval)")
    seeds, steps = len(results["seeds"]), results["budget"]["steps"]
    ax.set_title(
        title or f"{results['task']} task, {seeds} seeds, at most {steps} Adam steps", fontsize="medium"
    )
    if legend:
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
    return ax


def plot_success_panels(results: dict, panels=SUCCESS_PANELS, fig=None):
    """:func:`plot_success` in one panel per group of ``panels`` ((title, configurations) pairs; those not
    in the results are left out), side by side with a shared y axis; the Figure."""
    panels = [(t, [c for c in cs if c in results["configs"]]) for t, cs in panels]
    panels = [(t, cs) for t, cs in panels if cs]
    if not panels:
        raise LstmsymError(f"no panel holds a configuration of the results ({results['configs']})")
    if fig is None:
        fig = plt.figure(figsize=(5.0 * len(panels), 6.6))
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (title, configs) in zip(axes, panels, strict=True):
        plot_success(results, ax=ax, configs=configs, title=title)
    for ax in axes[1:]:
        ax.set_ylabel("")
    seeds, steps = len(results["seeds"]), results["budget"]["steps"]
    fig.suptitle(
        f"Success rate against lag: {results['task']} task, {seeds} seeds, at most {steps} Adam steps"
    )
    fig.subplots_adjust(bottom=0.36, wspace=0.08)
    return fig


def plot_predictors(results: dict, ax=None):
    """Every run before training: ‖∂𝓛/∂s_0‖ (x) against the lag balance ‖g_1‖/‖g_T‖ (y), log-log with
    ticks at round decades; failed runs open grey circles, solved runs filled black dots drawn on top."""
    ax = _axes(ax)
    runs = results["runs"]
    looks = (
        (False, {"facecolors": "none", "edgecolors": "#969696", "linewidths": 0.7, "s": 14}),
        (True, {"color": "#000000", "s": 7}),
    )
    for solved, look in looks:  # the solved runs last, on top
        pick = [r for r in runs if bool(r["solved"]) == solved]
        x = np.maximum([r["grad_s0_start"] for r in pick], 1e-300)  # log axes: no zeros
        y = np.maximum([r["lag_balance_start"] for r in pick], 1e-300)
        ax.scatter(x, y, label=f"{'solved' if solved else 'failed'} ({len(pick)} runs)", **look)
    log_axis(ax, "both")
    ax.set_xlabel(r"$\|\partial \mathcal{L} / \partial s_0\|$ before training")
    ax.set_ylabel(r"lag balance $\|g_1\| / \|g_T\|$ before training")
    ax.set_title("Two predictors of success, one point per run")
    ax.legend(fontsize="small")
    return ax


def plot_grad_at_start(results: dict, ax=None):
    """Median over seeds of ‖∂𝓛/∂s_0‖ at initialisation against the lag, log scale."""
    ax = _axes(ax)
    lags = results["lags"]
    medians = grad_s0_at_start(results)
    for j, label in enumerate(results["configs"]):
        ax.plot(lags, [medians[label][str(T)] for T in lags], **line_kwargs(label, j))
    log_axis(ax, "y")
    ax.set_xlabel("lag T")
    ax.set_ylabel(r"$\|\partial \mathcal{L} / \partial s_0\|$ at initialisation")
    ax.set_title("Gradient reaching the first step before training")
    ax.legend(fontsize="small")
    return ax


def plot_grad_history(results: dict, T: int, seed: int = 0, ax=None):
    """‖∂𝓛/∂s_0‖ (validation batch mean, total path) against the training step, for every configuration at
    lag T."""
    if T not in results["lags"]:
        raise LstmsymError(f"T={T!r} is not one of the results' lags {results['lags']}")
    ax = _axes(ax)
    for j, label in enumerate(results["configs"]):
        runs = [r for r in results["runs"] if r["config"] == label and r["T"] == T and r["seed"] == seed]
        if not runs:
            continue
        steps = [row["step"] for row in runs[0]["history"]]
        values = np.maximum([row["grad_s0"] for row in runs[0]["history"]], 1e-300)  # log axis: no zeros
        kw = line_kwargs(label, j)
        kw["label"] += " (solved)" if runs[0]["solved"] else " (not solved)"
        ax.plot(steps, values, **kw)
    log_axis(ax, "y")
    ax.set_xlabel("training step")
    ax.set_ylabel(r"$\|\partial \mathcal{L} / \partial s_0\|$ (total path)")
    ax.set_title(f"Gradient reaching the first step during training, T = {T}, seed {seed}")
    ax.legend(fontsize="small")
    return ax
