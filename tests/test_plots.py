"""Plots of the sweeps: a Figure with a log y axis, labelled axes, a title, and the lines asked for."""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from lstmsym import LstmsymError, make_cell
from lstmsym.experiments import plots
from lstmsym.experiments import sweeps as sw
from lstmsym.style import style


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def check_axes(ax, ylabel_part):
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "lag $L = T - k$"
    assert ylabel_part in ax.get_ylabel()
    assert ax.get_title()


def test_plot_lag_norms_one_run_and_seeds():
    run = sw.lag_norms(make_cell("lstm", n=2), T=20, state="h", ord="fro")
    fig = plots.plot_lag_norms(run)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    check_axes(ax, r"\partial h_T/\partial h_k\|_F")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), run.norms)
    seeds = sw.seed_norms(make_cell("rnn", n=2), T=20, seeds=range(4))
    fig = plots.plot_lag_norms(seeds, title="my title")
    ax = fig.axes[0]
    check_axes(ax, r"\partial h_T/\partial h_k\|_2")
    assert ax.get_title() == "my title" and len(ax.collections) == 1  # the quartile band
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 10.0**seeds.median)


def test_norms_below_the_floor_are_not_drawn():
    cell = make_cell("rnn")
    params = {"W": np.array([[0.1]]), "U": np.zeros((1, 1)), "b": np.zeros(1)}
    run = sw.lag_norms(cell, T=400, params=params, xs=np.zeros((400, 1)))
    y = plots.plot_lag_norms(run).axes[0].lines[0].get_ydata()
    assert np.all(np.isfinite(y[:300])) and np.all(np.isnan(y[301:]))


def test_plot_sweep_draws_direct_path_and_bound():
    sweep = sw.forget_bias_sweep(make_cell("lstm", n=2), T=15, values=[0.0, 2.0], seeds=range(3))
    fig = plots.plot_sweep(sweep)
    ax = fig.axes[0]
    check_axes(ax, r"\partial c_T/\partial c_k\|_2")
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "-", "--"]
    assert "keep-gate bias" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "LSTM, $b_f = 0$",
        "LSTM, $b_f = 0$, direct path",
        "LSTM, $b_f = 2$",
        "LSTM, $b_f = 2$, direct path",
    ]
    assert (
        ax.lines[0].get_color() == ax.lines[1].get_color() == style("lstm b_f=0").color
    )  # one colour per b_f
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 10.0 ** sweep.direct_median[0])
    assert len(plots.plot_sweep(sweep, direct=False).axes[0].lines) == 2

    spectral = sw.spectral_sweep(make_cell("rnn", n=3), T=15, values=[0.9, 1.2], seeds=range(3))
    ax = plots.plot_sweep(spectral, bound=True).axes[0]
    assert [line.get_linestyle() for line in ax.lines] == ["-", ":", "-", ":"]
    np.testing.assert_allclose(ax.lines[3].get_ydata(), 1.2 ** np.arange(16))
    with pytest.raises(LstmsymError, match="use a spectral sweep"):
        plots.plot_sweep(sweep, bound=True)


def test_plots_draw_into_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    sweep = sw.cell_sweep([make_cell("rnn", n=2), make_cell("lstm1997", n=2)], T=10, seeds=[0, 1])
    assert plots.plot_sweep(sweep, ax=axes[1]) is fig
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == [
        style("rnn").label,
        style("lstm1997").label,
    ]
    assert "m: c if the cell has it" in axes[1].get_ylabel()
    assert not axes[0].lines


def test_plot_at_lag():
    sweep = sw.hidden_size_sweep(make_cell("gru"), T=12, values=[1, 2, 4], seeds=range(3))
    ax = plots.plot_at_lag(sweep, lag=12).axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "hidden size $n$"
    assert "at lag 12" in ax.get_ylabel() and ax.get_title()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 10.0 ** sweep.median[:, 12])
    cells = sw.cell_sweep([make_cell("rnn", n=2), make_cell("gru", n=2)], T=5, seeds=[0])
    ax = plots.plot_at_lag(cells, lag=5).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [style("rnn").label, style("gru").label]
    with pytest.raises(LstmsymError, match="lag must be a whole number"):
        plots.plot_at_lag(sweep, lag=13)


def test_plots_reject_the_wrong_result_type():
    run = sw.lag_norms(make_cell("rnn"), T=3)
    with pytest.raises(LstmsymError, match="sweep must be a ParameterSweep"):
        plots.plot_sweep(run)
    with pytest.raises(LstmsymError, match="result must be a LagNorms or SeedNorms"):
        plots.plot_lag_norms(np.zeros(3))
    with pytest.raises(LstmsymError, match="sweep must be a ParameterSweep"):
        plots.plot_at_lag(run, 1)


def test_import_lstmsym_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, lstmsym, lstmsym.experiments.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_curves_on_top_of_each_other_say_so():
    sweep = sw.cell_sweep([make_cell("gru", n=2), make_cell("rnn", n=2)], T=30, seeds=[0, 1])
    assert np.ptp(sweep.median[0] - sweep.median[1]) > 0.1  # apart: nothing said
    ax = plots.plot_sweep(sweep).axes[0]
    assert not any("within" in t.get_text() for t in ax.get_legend().get_texts())
    # the GRU's medians moved near the RNN's, 1% of the span above them at every lag: the legend gives the gap
    # in decades (close, not the same curve), the markers differ
    shifted = sweep.log10_norms.copy()
    gap = 0.01 * np.ptp(sweep.median)
    shifted[0] = shifted[1] + gap
    close = dataclasses.replace(sweep, log10_norms=shifted)
    ax = plots.plot_sweep(close).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    unit = "decade" if gap <= 1 else "decades"
    assert labels == [
        f"{style('gru').label} (within {gap:.3g} {unit} of {style('rnn').label})",
        f"{style('rnn').label} (within {gap:.3g} {unit} of {style('gru').label})",
    ]
    assert not any("coincide" in label for label in labels)
    assert ax.lines[0].get_marker() != ax.lines[1].get_marker()
    assert ax.lines[0].get_markevery() != ax.lines[1].get_markevery()
