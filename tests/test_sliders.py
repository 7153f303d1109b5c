"""The slider apps of notebooks 01, 02 and 06: their numbers (against the package's experiments, an
independent NumPy forward pass and central differences), their figures, and the widgets without a kernel.

The live widget in JupyterLab is tested in tests/test_sliders_browser.py.
"""

import base64

import matplotlib
import numpy as np
import pytest

from lstmsym.cells import make_cell
from lstmsym.errors import LstmsymError
from lstmsym.experiments import rnn_bounds, sliders
from lstmsym.experiments.routes import route_decomposition
from lstmsym.experiments.sweeps import lag_norms, sample_run
from lstmsym.numerics.reference import forward
from lstmsym.style import style

pytest.importorskip("ipywidgets", reason="the notebooks extra (ipywidgets) is not installed")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# --- 01: the Pascanu bound --------------------------------------------------------------------------------


@pytest.mark.parametrize("lam", [0.5, 1.0, 1.5])
def test_pascanu_curves_stay_below_the_bound_over_the_slider_range(lam):
    sweep = sliders.pascanu_curves(lam, n=8, T=40, seeds=(0, 1, 2))
    assert sweep.lambdas == (lam,) and sweep.norms.shape == (1, 3, 41)
    assert sweep.holds()
    assert np.allclose(sweep.bound(0), lam ** np.arange(41), rtol=1e-14)


def test_pascanu_curves_without_input_attain_the_bound():
    """No input, h stays 0, every tanh slope is 1, W = λ1 Q: the norm of W^L is exactly λ1^L."""
    sweep = rnn_bounds.bound_sweep(lambdas=(1.3,), n=6, T=30, seeds=(0,), input_scale=0.0)
    assert np.allclose(sweep.norms[0, 0], 1.3 ** np.arange(31), rtol=1e-12)
    # and with input the slider's curves are the package's bound_sweep for that λ1
    mine = sliders.pascanu_curves(1.3, n=6, T=30, seeds=(0, 1))
    theirs = rnn_bounds.bound_sweep(lambdas=(1.3,), n=6, T=30, seeds=(0, 1))
    assert np.array_equal(mine.norms, theirs.norms)


def test_pascanu_defaults_are_notebook_01s_draws():
    """With its defaults the slider at 0.8, 1.0, 1.2 shows 01's bound_sweep (n = 50, T = 100, seeds 0..4)."""
    notebook = rnn_bounds.bound_sweep(lambdas=(0.8, 1.0, 1.2), n=50, T=100, seeds=range(5))
    for i, lam in enumerate(notebook.lambdas):
        assert np.array_equal(sliders.pascanu_curves(lam).norms[0], notebook.norms[i])


def test_pascanu_knob_must_be_a_number():
    with pytest.raises(LstmsymError, match="gamma_lambda1 must be a number"):
        sliders.pascanu_curves("1.0")
    with pytest.raises(LstmsymError, match=r"gamma_lambda1 must be a number in \[0.5, 1.5\]"):
        sliders.pascanu_slider(gamma_lambda1=2.0, n=2, T=3, seeds=(0,))


# --- 02: the keep gate and the W_g loop -------------------------------------------------------------------


def test_keep_gate_curves_are_the_route_controls_on_the_same_draws():
    """W_g as drawn: the routes' total and carousel; W_g x 0: the routes' "W_g = 0" control."""
    lstm = make_cell("lstm", n=3)
    routes = route_decomposition(
        lstm, T=30, seeds=(0, 1), forget_biases=(2.0,), controls=("total", "W_g = 0", "carousel")
    )
    drawn = sliders.keep_gate_curves(2.0, wg_scale=1.0, n=3, T=30, seeds=(0, 1))
    cut = sliders.keep_gate_curves(2.0, wg_scale=0.0, n=3, T=30, seeds=(0, 1))
    assert np.allclose(drawn.log10_total, routes.log10_norms[0, 0], atol=1e-12)
    assert np.allclose(drawn.log10_direct, routes.log10_norms[0, 2], atol=1e-12)
    assert np.allclose(cut.log10_total, routes.log10_norms[0, 1], atol=1e-12)
    assert np.allclose(drawn.rest_radius, routes.rest_radius[0], rtol=1e-12)


def lstm_forward(params, xs, c, h):
    """An LSTM written out in NumPy (docs/conventions.md), not the package's: (c_T, h_T, f_1..f_T)."""
    keep = []
    for x in xs:
        i = sigmoid(params["W_i"] @ h + params["U_i"] @ x + params["b_i"])
        f = sigmoid(params["W_f"] @ h + params["U_f"] @ x + params["b_f"])
        g = np.tanh(params["W_g"] @ h + params["U_g"] @ x + params["b_g"])
        o = sigmoid(params["W_o"] @ h + params["U_o"] @ x + params["b_o"])
        c = f * c + i * g
        h = o * np.tanh(c)
        keep.append(f)
    return c, h, np.array(keep)


@pytest.mark.parametrize(("bias", "scale"), [(0.0, 1.0), (3.0, 0.0), (5.0, 2.0)])
def test_keep_gate_curves_against_central_differences_and_the_keep_gates(bias, scale):
    """Total: ∂c_T/∂c_k by central differences of an independent forward pass (h_k held). Direct:
    ‖∏ diag f_t‖₂ = the largest product of keep gates, from the same independent pass."""
    T, n = 8, 3
    curves = sliders.keep_gate_curves(bias, wg_scale=scale, n=n, T=T, seeds=(4,))
    params, xs = sample_run(make_cell("lstm", n=n), T, 4, forget_bias=bias, scale=0.3)
    params["W_g"] = params["W_g"] * scale
    traj = forward(make_cell("lstm", n=n), params, xs)
    c_all, h_all = traj.states["c"], traj.states["h"]
    _, _, keep = lstm_forward(params, xs, np.zeros(n), np.zeros(n))
    eps = 1e-6
    for lag in (1, 4, T):
        k = T - lag
        J = np.empty((n, n))
        for j in range(n):
            step = np.zeros(n)
            step[j] = eps
            plus = lstm_forward(params, xs[k:], c_all[k] + step, h_all[k])[0]
            minus = lstm_forward(params, xs[k:], c_all[k] - step, h_all[k])[0]
            J[:, j] = (plus - minus) / (2 * eps)
        total = 10.0 ** curves.log10_total[0, lag]
        assert np.isclose(total, np.linalg.norm(J, 2), rtol=1e-6, atol=1e-9)
        direct = 10.0 ** curves.log10_direct[0, lag]
        assert np.isclose(direct, np.max(np.prod(keep[k:], axis=0)), rtol=1e-12)
    loop = np.diag(sigmoid(np.full(n, bias))) + params["W_g"] / 4
    assert np.isclose(curves.rest_radius[0], np.max(np.abs(np.linalg.eigvals(loop))), rtol=1e-12)


def test_keep_gate_frame_and_median():
    curves = sliders.keep_gate_curves(1.0, wg_scale=0.5, n=2, T=5, seeds=(0, 1, 2))
    table = curves.frame()
    assert list(table.columns) == ["seed", "lag", "path", "log10_norm"]
    assert len(table) == 2 * 3 * 6
    direct = table[table["path"] == "direct"].pivot(index="seed", columns="lag", values="log10_norm")
    assert np.array_equal(direct.to_numpy(), curves.log10_direct)
    assert np.allclose(curves.median("direct"), np.median(curves.log10_direct, axis=0))
    with pytest.raises(LstmsymError, match="path"):
        curves.median("carousel")


def test_keep_gate_knobs_are_checked():
    with pytest.raises(LstmsymError, match="wg_scale must be a number"):
        sliders.keep_gate_curves(1.0, wg_scale=-0.5)
    with pytest.raises(LstmsymError, match=r"forget_bias must be a number in \[0, 10\]"):
        sliders.keep_gate_slider(forget_bias=12.0, T=3, seeds=(0,))


# --- 06: the lag sweep ------------------------------------------------------------------------------------


def test_lag_reading_is_the_quartiles_of_each_seeds_run():
    sweep = sliders.lag_sweep(T=40, n=3, seeds=(0, 1, 2, 3))
    for label, cell in (
        ("rnn", make_cell("rnn", n=3)),
        ("lstm coupled=True", make_cell("lstm", n=3, coupled=True)),
    ):
        runs = np.array([lag_norms(cell, 40, seed).log10_norms for seed in (0, 1, 2, 3)])
        reading = sliders.lag_reading(sweep, label, 25)
        q1, median, q3 = np.percentile(runs[:, 25], [25, 50, 75])
        assert (reading["cell"], reading["lag"]) == (label, 25)
        assert np.allclose([reading["q1"], reading["median"], reading["q3"]], [q1, median, q3], atol=1e-12)
    assert sliders.lag_reading(sweep, "lstm1997", 40)["median"] >= 0  # the 1997 cell does not vanish


def test_lag_reading_refuses_unknown_cells_and_lags():
    sweep = sliders.lag_sweep(T=5, n=2, seeds=(0,))
    with pytest.raises(LstmsymError, match=r"lag must be a whole number in 0\.\.5"):
        sliders.lag_reading(sweep, "lstm", 6)
    with pytest.raises(LstmsymError, match="'lstn' is not in this 'cell' sweep"):
        sliders.lag_reading(sweep, "lstn", 1)
    with pytest.raises(LstmsymError, match="cell sweep"):
        sliders.lag_sweep_slider(sweep=sliders.keep_gate_curves(1.0, T=3, seeds=(0,)))


# --- the figures and the widgets (no kernel needed) -------------------------------------------------------


def test_draw_functions_label_the_numbers_they_show():
    from matplotlib.figure import Figure

    fig = Figure()
    sweep = sliders.pascanu_curves(0.9, n=4, T=20, seeds=(0, 1, 2))
    sliders.draw_pascanu(sweep, fig)
    title = fig.axes[0].get_title()
    assert f"median {sweep.median(0)[-1]:.2e}, bound {0.9**20:.2e}" in title and len(fig.axes) == 1
    assert r"$\gamma\lambda_1 = 0.90$" in title  # math text, not raw text
    low, high = fig.axes[0].get_ylim()  # fitted to the drawn values, not a fixed range
    drawn = np.concatenate([sweep.norms.ravel(), sweep.bound(0)])
    assert low <= drawn.min() and drawn.max() <= high
    assert np.log10(high / low) < np.log10(drawn.max() / drawn.min()) + 2
    curves = sliders.keep_gate_curves(3.0, wg_scale=0.0, n=2, T=10, seeds=(0,))
    sliders.draw_keep_gate(curves, fig)
    ax = fig.axes[0]
    assert r"$b_f = 3$, $W_g \times 0$" in ax.get_title() and len(fig.axes) == 1
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "lag $L = T - k$"
    shown = 10.0 ** np.concatenate([curves.log10_total.ravel(), curves.log10_direct.ravel()])
    low, high = ax.get_ylim()
    assert low <= shown.min() and shown.max() <= high
    assert np.log10(high / low) < np.log10(shown.max() / shown.min()) + 2
    lines = {line.get_label(): line for line in ax.get_lines()}  # the direct path: the course's one look
    (direct,) = [line for label, line in lines.items() if label.startswith("direct path")]
    assert matplotlib.colors.same_color(direct.get_color(), style("carousel").color)
    assert direct.get_linestyle() == "--"
    (total,) = [line for label, line in lines.items() if label.startswith("total")]
    assert matplotlib.colors.same_color(total.get_color(), style("total").color)


def test_fit_log_range_fits_the_values_and_ignores_what_is_not_drawn():
    low, high = sliders.fit_log_range(np.array([1e-5, 1.0, np.nan, 0.0]))
    assert 1e-6 < low < 1e-5 and 1.0 < high < 10.0
    assert sliders.fit_log_range(np.array([np.nan])) == (sliders.FLOOR, 1.0)


def png_of(app) -> bytes:
    (shown,) = app.output.outputs
    assert shown["output_type"] == "display_data"
    return base64.b64decode(shown["data"]["image/png"])


def test_moving_a_slider_redraws_the_figure():
    app = sliders.pascanu_slider(gamma_lambda1=1.0, n=4, T=20, seeds=(0, 1))
    before = png_of(app)
    assert before.startswith(b"\x89PNG") and before == app.png
    app.controls["gamma_lambda1"].value = 1.4
    after = png_of(app)
    assert after != before and after == app.png
    app.controls["gamma_lambda1"].value = 1.0  # back: the same figure, byte for byte
    assert png_of(app) == before


def test_the_app_offers_a_static_figure_beside_the_widget_view():
    app = sliders.keep_gate_slider(forget_bias=3.0, wg_scale=1.0, n=2, T=10, seeds=(0,))
    bundle = app._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == app.png
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == app.model_id
    assert bundle["text/plain"].startswith("<keep_gate_slider: forget_bias = 3.0, wg_scale = 1.0")
    app.controls["wg_scale"].value = 0.0
    assert (
        base64.b64decode(app._repr_mimebundle_()["image/png"])
        == app.png
        != png_of(sliders.keep_gate_slider(forget_bias=3.0, wg_scale=1.0, n=2, T=10, seeds=(0,)))
    )


def test_lag_sweep_figure_names_the_cell_by_its_course_label():
    from matplotlib.figure import Figure

    sweep = sliders.lag_sweep(T=10, n=2, seeds=(0, 1))
    fig = Figure()
    for cell in ("lstm", "lstm coupled=True", "rnn"):
        sliders.draw_lag_sweep(sweep, cell, 5, fig)
        ax = fig.axes[0]
        label = style(cell).label  # e.g. 'LSTM, $b_f = 1$', not the raw name 'lstm'
        title = ax.get_title()
        assert title.startswith(f"{label}, lag 5: median ") and not title.startswith(f"{cell},")
        assert f"{label}, median" in [line.get_label() for line in ax.get_lines()]


def test_lag_sweep_slider_only_redraws_from_the_given_sweep():
    sweep = sliders.lag_sweep(T=30, n=2, seeds=(0, 1))
    app = sliders.lag_sweep_slider(sweep, cell="rnn", lag=10)
    first = app.png
    assert list(app.controls["cell"].options) == [
        "rnn",
        "gru",
        "dense_memory",
        "lstm coupled=True",
        "lstm",
        "lstm1997",
    ]
    app.controls["cell"].value = "lstm1997"
    assert app.png != first
    moved = app.png
    app.controls["lag"].value = 30
    assert app.png != moved and app.controls["lag"].max == 30
