"""lstmsym.experiments.routes: route controls of the total ∂c_T/∂c_k, checked independently.

Independent references: the compiled symbolic step Jacobians (lstmsym.numerics.compile, derived by SymPy)
for the total, W_g = 0 and no recurrent weights; the product of keep gates read off the forward pass; the
closed-form rest-state loop; and carousel.norm_curves for the draws.
"""

import numpy as np
import pytest

from lstmsym import LstmsymError, make_cell
from lstmsym.experiments.carousel import norm_curves, rest_state_loop
from lstmsym.experiments.routes import (
    ROUTE_CONTROLS,
    KeepWindow,
    keep_window,
    plot_keep_window,
    plot_routes,
    route_decomposition,
)
from lstmsym.experiments.sweeps import sample_run
from lstmsym.numerics.compile import compile_cell
from lstmsym.numerics.reference import forward


def _c_norm(J: np.ndarray, n: int) -> np.ndarray:
    return np.linalg.norm(J[:, :n, :n], 2, axis=(1, 2))[::-1]  # indexed by lag


@pytest.mark.parametrize("name", ["lstm", "lstm1997"])
def test_controls_match_the_symbolic_route_and_the_keep_gates(name):
    cell = make_cell(name, n=2)
    T, seeds = 12, (0, 1)
    routes = route_decomposition(cell, T=T, seeds=seeds, forget_biases=(2.0,))
    compiled = compile_cell(cell)
    for s, seed in enumerate(seeds):
        params, xs = sample_run(cell, T, seed, forget_bias=2.0, scale=0.3)
        got = {c: 10.0 ** routes.log10_norms[0, routes.controls.index(c), s] for c in routes.controls}
        np.testing.assert_allclose(got["total"], _c_norm(compiled.lag_jacobians(params, xs), 2), rtol=1e-10)
        cut = {**params, "W_g": np.zeros((2, 2))}
        np.testing.assert_allclose(got["W_g = 0"], _c_norm(compiled.lag_jacobians(cut, xs), 2), rtol=1e-10)
        f = forward(cell, params, xs).gates.get("f", np.ones((T, 2)))
        keep = [np.max(np.prod(f[T - lag :], axis=0)) for lag in range(T + 1)]  # ‖diag(∏ f)‖₂
        np.testing.assert_allclose(got["carousel"], keep, rtol=1e-12)
        np.testing.assert_array_equal(got["truncated"], got["carousel"])  # the same c-block by construction
        zero = {k: (np.zeros_like(v) if k.startswith("W_") else v) for k, v in params.items()}
        np.testing.assert_allclose(
            got["no recurrent weights"], _c_norm(compiled.lag_jacobians(zero, xs), 2), rtol=1e-10
        )
    if name == "lstm1997":
        assert np.all(routes.log10_norms[0, routes.controls.index("carousel")] == 0.0)  # exactly 1


def test_backward_only_cut_keeps_the_trajectory_and_differs_from_the_rerun():
    cell = make_cell("lstm", n=4)
    routes = route_decomposition(cell, T=100, seeds=(0, 1, 2), forget_biases=(3.0,))
    assert ROUTE_CONTROLS["W_g cut (backward)"][0] == "same" and ROUTE_CONTROLS["W_g = 0"][0] == "re-run"
    both = routes.log10_norms[
        0, [routes.controls.index("W_g = 0"), routes.controls.index("W_g cut (backward)")]
    ]
    assert not np.allclose(both[0], both[1])  # the trajectory change matters, a little
    assert np.all(np.abs(both[0, :, 100] - both[1, :, 100]) < 1)  # within a decade at lag 100


def test_course_draws_and_the_loop_carry_the_order_one_total():
    """The audit's figures, recomputed: n = 4, N(0, 0.3²), b_f = 3, lag 100, seeds 0-4."""
    cell = make_cell("lstm", n=4)
    routes = route_decomposition(cell, T=100, forget_biases=(3.0,))
    curves = norm_curves(cell, max_lag=100, scale=0.3, forget_bias=3.0)
    np.testing.assert_allclose(10.0 ** routes.log10_norms[0, 0], curves.total, rtol=1e-12)  # same draws
    np.testing.assert_allclose(
        10.0 ** routes.log10_norms[0, routes.controls.index("carousel")], curves.direct, rtol=1e-12
    )
    assert 1.5 < routes.at("total", 100) < 2.5  # 1.91
    assert 0.005 < routes.at("W_g = 0", 100) < 0.02  # 0.011: the loop removed
    assert 0.005 < routes.at("carousel", 100) < 0.02  # 0.012
    assert routes.at("W_g = 0", 100) < routes.at("total", 100) / 100
    radius = routes.rest_radius[0]
    assert np.sum((radius > 1.03) & (radius < 1.12)) == 4 and np.sum(radius < 1) == 1
    for s, seed in enumerate(routes.seeds):
        params, _ = sample_run(cell, 1, seed, forget_bias=3.0, scale=0.3)
        assert radius[s] == pytest.approx(max(abs(np.linalg.eigvals(rest_state_loop(params)))), rel=1e-14)


def test_1997_rest_radius_uses_a_keep_gate_of_one():
    cell = make_cell("lstm1997", n=3)
    routes = route_decomposition(cell, T=5, seeds=(4,), forget_biases=(0.0,))
    params, _ = sample_run(cell, 5, 4, scale=0.3)
    expected = max(abs(np.linalg.eigvals(np.eye(3) + params["W_g"] / 4)))
    assert routes.rest_radius[0, 0] == pytest.approx(expected, rel=1e-14)
    assert np.isnan(
        route_decomposition(make_cell("lstm", n=2, peephole=True), T=3, seeds=(0,)).rest_radius[0, 0]
    )


def test_tables_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    routes = route_decomposition(make_cell("lstm", n=2), T=10, seeds=(0, 1, 2), forget_biases=(1.0, 3.0))
    frame = routes.frame(lags=(1, 10))
    assert len(frame) == 2 * len(ROUTE_CONTROLS) * 3 * 2
    assert set(frame["trajectory"]) == {"same", "re-run"}
    medians = routes.medians(lags=(1, 10))
    assert medians.shape == (2 * len(ROUTE_CONTROLS), 2)
    assert medians.loc[(3.0, "total"), 10] == pytest.approx(routes.at("total", 10, 3.0), rel=1e-12)
    assert medians.loc[(1.0, "carousel"), 10] == pytest.approx(
        np.median(frame.query("forget_bias == 1.0 and control == 'carousel' and lag == 10")["norm"]),
        rel=1e-12,
    )
    fig = plot_routes(routes, forget_bias=3.0)
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[0].lines) == len(ROUTE_CONTROLS)
    plt.close(fig)


def test_refusals():
    with pytest.raises(LstmsymError, match="LSTM-family"):
        route_decomposition(make_cell("gru", n=2), T=3)
    with pytest.raises(LstmsymError, match="controls="):
        route_decomposition(make_cell("lstm", n=2), T=3, controls=("total", "nope"))
    routes = route_decomposition(make_cell("lstm", n=2), T=3, seeds=(0,), forget_biases=(1.0, 3.0))
    with pytest.raises(LstmsymError, match="forget_bias"):
        routes.median("total")
    with pytest.raises(LstmsymError, match="was not measured"):
        routes.median("total", 2.0)
    with pytest.raises(LstmsymError, match="lag"):
        routes.at("total", 4, 1.0)
    with pytest.raises(LstmsymError, match="no keep gate"):
        route_decomposition(make_cell("lstm1997", n=2), T=3, forget_biases=(1.0, 3.0))
    with pytest.raises(LstmsymError, match="low < high"):
        keep_window(lag=5, seeds=(0,), radii=(1.0,), biases=(1.0,), low=10, high=1)


def test_keep_window_carousel_is_a_half_line_of_the_bias():
    window = keep_window(lag=50, n=2, seeds=(0, 1), radii=(0.5, 1.0, 2.0), biases=(0.0, 2.0, 4.0, 8.0, 16.0))
    assert isinstance(window, KeepWindow)
    table = window.table
    carousel = table[table["path"] == "carousel"]
    for _, runs in carousel.groupby("seed"):
        inside = runs.sort_values("value")["in_window"].to_numpy()
        assert not inside[0] and inside[-1]
        assert np.all(np.diff(inside.astype(int)) >= 0)  # once inside, inside for every larger bias
    expected = (table["log10_norm"] >= -1) & (table["log10_norm"] <= 1)
    np.testing.assert_array_equal(table["in_window"], expected)
    summary = window.summary()
    row = summary[(summary["cell"] == "lstm") & (summary["path"] == "carousel")].iloc[0]
    assert row["seeds_inside_for_all_larger"] == 2
    rnn = table[table["cell"] == "rnn"]
    params, xs = sample_run(make_cell("rnn", n=2), 50, 1, scale=0.3, spectral=2.0, spectral_kind="radius")
    from lstmsym.numerics.reference import lag_jacobian_norms

    value = lag_jacobian_norms(make_cell("rnn", n=2), params, xs, block="h", ord=2, log10=True)[0]
    assert rnn.query("seed == 1 and value == 2.0")["log10_norm"].iloc[0] == pytest.approx(value, rel=1e-12)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plot_keep_window(window)
    assert len(fig.axes) == 2
    plt.close(fig)


def test_per_seed_rows_are_the_measured_norms():
    routes = route_decomposition(make_cell("lstm", n=2), T=12, seeds=(3, 1, 4), forget_biases=(1.0, 3.0))
    for bias in (1.0, 3.0):
        b = routes.forget_biases.index(bias)
        table = routes.per_seed(12, bias)
        assert list(table.index) == [3, 1, 4] and list(table.columns) == [*ROUTE_CONTROLS, "rest_radius"]
        for s, seed in enumerate(routes.seeds):
            params, _ = sample_run(make_cell("lstm", n=2), 12, seed, forget_bias=bias, scale=0.3)
            assert table.loc[seed, "rest_radius"] == pytest.approx(
                max(abs(np.linalg.eigvals(rest_state_loop(params)))), rel=1e-12
            )
            for c, control in enumerate(ROUTE_CONTROLS):
                expected = 10 ** routes.log10_norms[b, c, s, 12]
                assert table.loc[seed, control] == pytest.approx(expected, rel=1e-12)
        np.testing.assert_allclose(np.median(table["total"]), routes.at("total", 12, bias), rtol=1e-12)
        logs = routes.per_seed(5, bias, log10=True)
        np.testing.assert_array_equal(logs["carousel"], routes.log10_norms[b, -1, :, 5])
    with pytest.raises(LstmsymError, match="lag"):
        routes.per_seed(13, 1.0)
    with pytest.raises(LstmsymError, match="forget_bias"):
        routes.per_seed(5)


def test_keep_window_intervals_per_seed_agree_with_the_table_and_the_summary():
    import pandas as pd

    table = pd.DataFrame(
        [("lstm", "b_f", v, s, "total", 0.0, inside) for s, flags in ((0, "0110"), (1, "1011"), (2, "0000"))
         for v, inside in zip((1.0, 2.0, 3.0, 4.0), (f == "1" for f in flags), strict=True)],
        columns=["cell", "knob", "value", "seed", "path", "log10_norm", "in_window"],
    )
    rows = KeepWindow(5, 0.1, 10.0, table).intervals().set_index("seed")
    assert (rows.loc[0, "smallest_inside"], rows.loc[0, "largest_inside"]) == (2.0, 3.0)
    assert rows.loc[0, "one_interval"] and not rows.loc[0, "inside_for_all_larger"]
    assert (rows.loc[1, "smallest_inside"], rows.loc[1, "largest_inside"]) == (1.0, 4.0)
    assert not rows.loc[1, "one_interval"] and not rows.loc[1, "inside_for_all_larger"]
    assert np.isnan(rows.loc[2, "smallest_inside"]) and not rows.loc[2, "one_interval"]
    window = keep_window(lag=15, n=2, seeds=(0, 1), radii=(0.8, 1.2, 2.0), biases=(0.0, 3.0, 8.0))
    intervals, summary = window.intervals(), window.summary().set_index(["cell", "path"])
    for (cell, path), group in intervals.groupby(["cell", "path"]):
        assert summary.loc[(cell, path), "seeds_with_any"] == group["smallest_inside"].notna().sum()
        assert summary.loc[(cell, path), "seeds_one_interval"] == group["one_interval"].sum()
        upward = group["inside_for_all_larger"].sum()
        assert summary.loc[(cell, path), "seeds_inside_for_all_larger"] == upward


def test_keep_window_interval_table_reads_the_intervals():
    import pandas as pd

    flags = ((0, "0110"), (1, "1011"), (2, "0000"), (3, "0011"), (4, "0100"))
    table = pd.DataFrame(
        [("lstm", "b_f", v, s, "total", 0.0, inside) for s, f in flags
         for v, inside in zip((1.0, 2.0, 3.0, 4.0), (c == "1" for c in f), strict=True)],
        columns=["cell", "knob", "value", "seed", "path", "log10_norm", "in_window"],
    )
    entries = KeepWindow(5, 0.1, 10.0, table).interval_table().loc[("LSTM", "b_f", "total")]
    assert entries.to_dict() == {0: "2 to 3", 1: "1 to 4 (gaps)", 2: "never", 3: "≥ 3", 4: "2 only"}
