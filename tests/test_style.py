"""One look per configuration (lstmsym.style), and figure text in the course's words and math text."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from lstmsym import LstmsymError, make_cell
from lstmsym.experiments import (
    carousel,
    gru_polarity,
    latch,
    memory_update,
    plots,
    readout,
    rnn_bounds,
    routes,
)
from lstmsym.experiments import sweeps as sw
from lstmsym.style import (
    STYLES,
    config_key,
    decade_ticks,
    line_kwargs,
    log_axis,
    markevery,
    style,
    style_or,
)
from lstmsym.training import plots as training_plots
from lstmsym.training.experiment import CONFIGS, Budget, run_experiment


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# Every label the experiments write for a configuration, as they write it.
EXPERIMENT_LABELS = [
    # notebook 06's panorama (sweeps.short_label of each cell) and its keep-gate sweep
    *(
        sw.short_label(repr(make_cell(name, **kw)))
        for name, kw in [
            ("rnn", {}),
            ("gru", {}),
            ("dense_memory", {}),
            ("lstm", {"coupled": True}),
            ("lstm", {}),
            ("lstm1997", {}),
        ]
    ),
    *(f"lstm b_f={b:g}" for b in (0.0, 1.0, 3.0, 5.0)),
    # carousel.norm_curves' default labels, and memory_update's
    "lstm, b_f = 3",
    "lstm, b_f = 10",
    "lstm1997",
    "dense memory",
    "LSTM, b_f = 0",
    "LSTM, b_f = 3",
    # route controls
    *routes.ROUTE_CONTROLS,
    # readout runs (plot_drift) and h paths (plot_h_paths)
    *(f"{name} b_f=1 readout={r}" for name in ("lstm",) for r in readout.READOUTS),
    *(f"lstm1997 readout={r}" for r in readout.READOUTS),
    "tanh readout",
    "dense readout",
    "bound",
]


def test_every_configuration_has_its_own_look():
    looks = [(s.color, str(s.linestyle), s.marker) for s in STYLES.values()]
    assert len(set(looks)) == len(looks)
    labels = [s.label for s in STYLES.values()]
    assert len(set(labels)) == len(labels)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", s.color) for s in STYLES.values())


@pytest.mark.parametrize("label", list(CONFIGS))
def test_every_training_configuration_has_a_style(label):
    assert style(label).key in STYLES


def test_training_configurations_are_told_apart():
    keys = {label: style(label).key for label in CONFIGS}
    assert len(set(keys.values())) == len(CONFIGS), keys


@pytest.mark.parametrize("label", EXPERIMENT_LABELS)
def test_every_experiment_configuration_has_a_style(label):
    assert style(label).key in STYLES


def test_the_same_configuration_written_differently():
    assert (
        style("lstm") is style("lstm b_f=1") is style("LSTM, b_f = 1.0") is style("lstm b_f=1 readout=tanh")
    )
    assert style("lstm1997, identity readout") is style("lstm1997 readout=identity")
    assert style("GRU") is style("gru b_z=0") and style("gru b_z=3") is not style("gru")
    assert style("dense memory") is style("dense_memory")
    assert style("direct") is style("carousel")
    assert config_key("W_g = 0") == "w_g=0" and style("W_g = 0").linestyle == ":"
    with pytest.raises(LstmsymError, match="no style for configuration 'lstm b_f=8'"):
        style("lstm b_f=8")
    with pytest.raises(LstmsymError, match="label must be"):
        config_key(3.0)
    assert style_or("seed 2", 2).color == "C2" and style_or("seed 2", 2).label == "seed 2"


def test_course_gate_names_and_math_text_in_the_labels():
    for s in STYLES.values():
        assert "forget" not in s.label.lower() and "input gate" not in s.label.lower()
        _assert_plain_words(s.label)
    assert "keep gate" in style("lstm1997").label
    assert style("lstm b_f=5").label == "LSTM, $b_f = 5$"


def test_keep_gate_colours_darken_with_the_bias():
    def lightness(hex_color):
        return sum(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))

    values = [lightness(style(f"lstm b_f={b}").color) for b in (0, 1, 2, 3, 4, 5, 7, 10)]
    assert values == sorted(values, reverse=True)


def test_line_kwargs_and_markevery():
    kw = line_kwargs("lstm b_f=3", 0, path="direct", label="x")
    assert kw == {"color": "#08519c", "linestyle": "--", "marker": "s", "label": "x"}
    with pytest.raises(ValueError, match="path='sideways'"):
        line_kwargs("rnn", path="sideways")
    first, step = markevery(1001, 0)
    assert (first, step) == (0, 125) and markevery(1001, 1)[0] != first and markevery(3, 5) == (0, 1)


@pytest.mark.parametrize(
    ("low", "high"),
    [(1e-273, 2.0), (1e-3, 10.0), (0.5, 4.0), (1e-300, 1e8), (1e-30, 1e8), (0.2, 0.9), (1e-12, 1e-11)],
)
def test_decade_ticks_are_round(low, high):
    ticks = decade_ticks(low, high)
    exps = np.log10(ticks)
    assert np.allclose(exps, np.round(exps)) and 1 <= len(ticks) <= 8
    steps = set(np.diff(np.round(exps)).astype(int))
    assert len(steps) <= 1 and steps <= {1, 2, 5, 10, 20, 25, 50, 100}
    assert all(e % s == 0 for s in steps for e in np.round(exps).astype(int))  # multiples of the step
    step = max(steps | {1})  # the ticks cover the range to within one step at either end
    assert exps[0] - step <= np.log10(low) + 1e-9 and exps[-1] + step >= np.log10(high) - 1e-9


def test_log_axis_follows_the_limits():
    ax = Figure().subplots()
    ax.plot([1, 2], [1e-5, 1.0])
    log_axis(ax, "both")
    assert ax.get_xscale() == ax.get_yscale() == "log"
    ax.set_ylim(1e-5, 1.0)
    assert list(ax.get_yticks()) == [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    ax.set_ylim(1e-200, 1.0)
    assert list(ax.get_yticks()) == [1e-200, 1e-150, 1e-100, 1e-50, 1.0]
    assert ax.yaxis.get_major_formatter()(1e-100, 0) == r"$\mathdefault{10^{-100}}$"
    with pytest.raises(ValueError, match="which='z'"):
        log_axis(ax, "z")


# --- every plotting function, drawn on small data: the words a reader sees --------------------------------

# Outside $...$, figure text must not show code names: no raw "lambda_1", "b_f", "W_g", "gamma", no
# underscores, no "forget gate" (the course says keep gate).
RAW = re.compile(r"lambda|gamma|b_f|b_z|W_g|W_c|W_y|_|forget gate|input gate|output gate", re.IGNORECASE)


def _assert_plain_words(text: str) -> None:
    outside = re.sub(r"\$[^$]*\$", "", text)
    assert not RAW.search(outside), f"raw name outside math text in {text!r}"
    assert text.count("$") % 2 == 0, f"unbalanced $ in {text!r}"


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return [t for t in out if t]


def _figures():
    lstm, rnn = make_cell("lstm", n=2), make_cell("rnn", n=2)
    cells = [
        make_cell(name, n=2, **kw)
        for name, kw in [
            ("rnn", {}),
            ("gru", {}),
            ("dense_memory", {}),
            ("lstm", {"coupled": True}),
            ("lstm", {}),
            ("lstm1997", {}),
        ]
    ]
    bias = sw.forget_bias_sweep(lstm, T=8, values=(0.0, 3.0), seeds=range(2))
    yield "plot_lag_norms", plots.plot_lag_norms(sw.seed_norms(rnn, T=8, seeds=range(2)))
    yield "plot_sweep cells", plots.plot_sweep(sw.cell_sweep(cells, T=8, seeds=range(2)))
    yield "plot_sweep bias", plots.plot_sweep(bias)
    spectral = sw.spectral_sweep(rnn, T=8, values=(0.8, 1.2), seeds=range(2))
    yield "plot_sweep bound", plots.plot_sweep(spectral, bound=True)
    yield "plot_at_lag", plots.plot_at_lag(bias, lag=8)
    curves = [
        carousel.norm_curves(lstm, max_lag=8, seeds=(0,), forget_bias=3.0),
        carousel.norm_curves(make_cell("lstm1997", n=2), max_lag=8, seeds=(0,)),
    ]
    yield "plot_norm_curves", carousel.plot_norm_curves(curves).figure
    decomposition = routes.route_decomposition(lstm, T=6, seeds=(0,))
    yield "plot_routes", routes.plot_routes(decomposition)
    window = routes.keep_window(lag=6, n=2, seeds=(0,), radii=(0.5, 1.0, 2.0), biases=(0.0, 3.0))
    yield "plot_keep_window", routes.plot_keep_window(window)
    runs = [
        readout.simulate_drift(make_cell(name, readout=r), T=20, seed=0)
        for name in ("lstm", "lstm1997")
        for r in ("tanh", "identity")
    ]
    yield "plot_drift", readout.plot_drift(runs)[0]
    yield "plot_h_paths", readout.plot_h_paths(readout.h_path_norms(lags=(1, 3), seeds=(0,), n=2), "title")
    yield "plot_keep_gate_norms", gru_polarity.plot_keep_gate_norms([1.0, 3.0], [0, 5, 10], n=2)
    yield (
        "plot_bound_check",
        memory_update.plot_bound_check(memory_update.pascanu_bound_check(n=2, max_lag=6, seeds=(0,))).figure,
    )
    yield "plot_keep_factor", memory_update.plot_keep_factor(np.linspace(0, 3, 7)).figure
    sweep = rnn_bounds.bound_sweep(lambdas=(0.8, 1.2), n=3, T=8, seeds=(0,))
    yield "plot_bound_sweep", rnn_bounds.plot_bound_sweep(sweep)[0].figure
    yield "plot_map", latch.plot_map(1.5, ax=Figure().subplots()).figure
    yield "plot_derivative", latch.plot_derivative((0.5, 3.0), T=20, ax=Figure().subplots()).figure
    # the training plots (notebook 07), on a tiny experiment with every configuration
    budget = Budget(steps=2, batch=4, n=2, eval_every=2, eval_batch=8)
    trained = run_experiment("sign", [2, 3], seeds=2, budget=budget)
    yield "plot_success_panels", training_plots.plot_success_panels(trained)
    yield "plot_predictors", training_plots.plot_predictors(trained).figure
    yield "plot_grad_at_start", training_plots.plot_grad_at_start(trained).figure
    yield "plot_grad_history", training_plots.plot_grad_history(trained, T=3).figure


def test_figure_text_is_in_the_course_words():
    seen = []
    for name, fig in _figures():
        texts = _texts(fig)
        assert texts, name
        for text in texts:
            try:
                _assert_plain_words(text)
            except AssertionError as error:
                raise AssertionError(f"{name}: {error}") from None
        seen.append(name)
        plt.close(fig)
    assert len(seen) == 20


def test_log_axes_of_the_plots_tick_at_round_decades():
    for name, fig in _figures():
        for ax in fig.axes:
            if ax.get_yscale() != "log" or name in ("plot_derivative",):
                continue
            fig.canvas.draw()
            low, high = ax.get_ylim()
            ticks = [t for t in ax.get_yticks() if low <= t <= high]
            exps = np.log10(ticks)
            assert np.allclose(exps, np.round(exps)), (name, ticks)
        plt.close(fig)


@pytest.mark.parametrize(
    "text",
    ["rescaled to lambda_1", "the memory drifts without a forget gate", "lstm b_f=3", "$b_f = 3", "W_g = 0"],
)
def test_the_scan_catches_raw_names(text):
    with pytest.raises(AssertionError):
        _assert_plain_words(text)


def test_shades_keep_the_configuration_colour_light_to_dark():
    from lstmsym.style import shades

    def lightness(color):
        return sum(int(color[i : i + 2], 16) for i in (1, 3, 5))

    for config in ("rnn", "dense_memory", "lstm", "gru"):
        for count in (1, 2, 3, 5):
            out = shades(config, count)
            assert len(out) == count and len(set(out)) == count
            assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in out)
            assert [lightness(c) for c in out] == sorted((lightness(c) for c in out), reverse=True)
            if count % 2:
                assert out[count // 2] == style(config).color
    with pytest.raises(LstmsymError, match="count"):
        shades("rnn", 0)
    with pytest.raises(LstmsymError, match="no style"):
        shades("seed 3", 2)
