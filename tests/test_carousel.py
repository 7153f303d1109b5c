"""lstmsym.experiments.carousel: keep-gate products and direct vs total norm curves, checked independently."""

import math

import numpy as np
import pytest

from lstmsym import LstmsymError, init_params, make_cell, random_sequence
from lstmsym.experiments.carousel import (
    NormCurves,
    forget_product_table,
    norm_curves,
    plot_norm_curves,
    rest_state_c_block,
    rest_state_loop,
)
from lstmsym.numerics.reference import forward, lag_jacobians


def sigmoid(b: float) -> float:
    return 1.0 / (1.0 + math.exp(-b))


def test_table_entries_are_powers_of_the_keep_gate():
    biases, lags = (0, 1, 3, 5), (10, 20, 50, 100, 1000)
    table = forget_product_table(biases, lags)
    assert table.products.shape == (4, 5)
    for j, b in enumerate(biases):
        assert table.gates[j] == pytest.approx(sigmoid(b), rel=1e-15)
        for k, L in enumerate(lags):
            assert table.products[j, k] == pytest.approx(sigmoid(b) ** L, rel=1e-12)


def test_table_frame_holds_the_products_unrounded():
    table = forget_product_table((0, 5), (10, 1000))
    frame = table.frame()
    assert list(frame.columns) == ["f", "L = 10", "L = 1000"] and frame.index.name == "b_f"
    assert list(frame.index) == [0.0, 5.0]
    assert np.array_equal(frame[["L = 10", "L = 1000"]].to_numpy(), table.products)
    assert frame.loc[5.0, "L = 1000"] == pytest.approx(sigmoid(5) ** 1000, rel=1e-12)
    assert np.array_equal(frame["f"].to_numpy(), table.gates)


@pytest.mark.parametrize("bad", [(), (0,), (-1, 5), (2.5,)])
def test_table_rejects_bad_lags(bad):
    with pytest.raises(LstmsymError, match="lags"):
        forget_product_table(lags=bad)


def test_table_rejects_bad_biases():
    with pytest.raises(LstmsymError, match="biases"):
        forget_product_table(biases=(0, float("nan")))


def _draws(cell, seed, T, scale, forget_bias):
    rng = np.random.default_rng(seed)
    return init_params(cell, rng, scale=scale, forget_bias=forget_bias), random_sequence(cell, T, rng)


@pytest.mark.parametrize("kind", ["lstm", "dense_memory"])
def test_curves_equal_norms_of_lag_jacobian_blocks(kind):
    n, T, seeds = 3, 6, (0, 4)
    cell = make_cell(kind, n=n)
    curves = norm_curves(cell, max_lag=T, seeds=seeds, scale=0.5, forget_bias=2.0)
    assert curves.lags.tolist() == list(range(T + 1))
    for s, seed in enumerate(seeds):
        params, xs = _draws(cell, seed, T, 0.5, 2.0)
        for direct, got in ((True, curves.direct[s]), (False, curves.total[s])):
            J = lag_jacobians(cell, params, xs, direct=direct)  # J[k] = ∂s_T/∂s_k, c rows/cols first
            want = [np.linalg.norm(J[T - L][:n, :n], 2) for L in range(T + 1)]
            np.testing.assert_allclose(got, want, rtol=1e-12)


def test_scalar_direct_curve_is_the_product_of_the_keep_gates():
    cell, T = make_cell("lstm", n=1), 30
    curves = norm_curves(cell, max_lag=T, seeds=(7,), scale=0.8, forget_bias=1.0)
    params, xs = _draws(cell, 7, T, 0.8, 1.0)
    f = forward(cell, params, xs).gates["f"][:, 0]  # f_1..f_T
    want = [float(np.prod(f[T - L :])) for L in range(T + 1)]
    np.testing.assert_allclose(curves.direct[0], want, rtol=1e-12)
    assert not np.allclose(curves.total[0], want)  # the paths through h change the total


def test_1997_cell_carousel_is_exactly_one():
    curves = norm_curves(make_cell("lstm1997", n=2), max_lag=50, seeds=(0, 1))
    assert np.all(curves.direct == 1.0)


def test_median_and_at():
    curves = norm_curves(make_cell("lstm", n=2), max_lag=5, seeds=(0, 1, 2))
    np.testing.assert_array_equal(curves.median("direct"), np.median(curves.direct, axis=0))
    assert curves.at(3) == float(np.median(curves.total[:, 3]))
    with pytest.raises(LstmsymError, match="path"):
        curves.median("carousel")
    with pytest.raises(LstmsymError, match="lag"):
        curves.at(6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_lag": 0}, "max_lag"),
        ({"seeds": ()}, "seeds"),
        ({"seeds": 3}, "seeds"),
        ({"input_scale": -1.0}, "input_scale"),
    ],
)
def test_norm_curves_rejects_bad_input(kwargs, match):
    with pytest.raises(LstmsymError, match=match):
        norm_curves(make_cell("lstm"), **kwargs)


def test_norm_curves_needs_a_memory():
    with pytest.raises(LstmsymError, match="memory state 'c'"):
        norm_curves(make_cell("rnn"), max_lag=3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rest_state_closed_form_equals_the_measured_jacobians(seed):
    n, T = 3, 12
    cell = make_cell("lstm", n=n)
    params = init_params(cell, seed, scale=0.7, forget_bias=4.0)
    J = lag_jacobians(cell, params, np.zeros((T, 1)))  # zero input: the state stays at c = h = 0
    for L in range(T + 1):
        np.testing.assert_allclose(rest_state_c_block(params, L), J[T - L][:n, :n], rtol=1e-10, atol=1e-14)


def test_rest_state_loop_is_keep_gate_plus_quarter_W_g():
    params = {"b_f": np.array([0.0, 2.0]), "W_g": np.array([[1.0, 2.0], [3.0, 4.0]])}
    want = np.array([[0.5 + 0.25, 0.5], [0.75, sigmoid(2.0) + 1.0]])
    np.testing.assert_allclose(rest_state_loop(params), want, rtol=1e-15)
    with pytest.raises(LstmsymError, match="W_g"):
        rest_state_loop({"b_f": np.zeros(2)})
    with pytest.raises(LstmsymError, match="lag"):
        rest_state_c_block(params, -1)


def test_plot_has_log_axis_and_labels():
    import matplotlib.pyplot as plt

    curves = norm_curves(make_cell("lstm", n=2), max_lag=5, seeds=(0,))
    assert isinstance(curves, NormCurves)
    ax = plot_norm_curves([curves])
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert len(ax.get_lines()) == 2
    plt.close(ax.figure)


def test_medians_frame_one_row_per_curve_and_path():
    from lstmsym.experiments.carousel import medians_frame

    a = norm_curves(make_cell("lstm", n=2), max_lag=10, seeds=(0, 1, 2), label="a")
    b = norm_curves(make_cell("dense_memory", n=2), max_lag=10, seeds=(0, 1, 2))
    frame = medians_frame([a, b], lags=(1, 10))
    assert list(frame.index) == [("a", "direct"), ("a", "total"), ("dense_memory", "direct"),
                                 ("dense_memory", "total")]
    assert list(frame.columns) == ["L = 1", "L = 10"]
    assert frame.loc[("a", "direct"), "L = 10"] == np.median(a.direct[:, 10])
    assert frame.loc[("dense_memory", "total"), "L = 1"] == np.median(b.total[:, 1])
    assert list(medians_frame(a, lags=(5,), paths=("total",)).index) == [("a", "total")]
    with pytest.raises(LstmsymError, match="paths"):
        medians_frame([a], paths=("both",))
    with pytest.raises(LstmsymError, match="lags"):
        medians_frame([a], lags=(0,))


def test_zero_weight_carousel_is_the_keep_gate_power_and_the_reference_agrees():
    from lstmsym.experiments.carousel import zero_weight_carousel

    cell = make_cell("lstm")
    rows = zero_weight_carousel(cell, biases=(1.0, 3.0), T=20)
    assert [r.forget_bias for r in rows] == [1.0, 3.0]
    for r in rows:
        assert r.product == pytest.approx(r.expected, rel=1e-12)
        assert r.expected == pytest.approx((1 / (1 + math.exp(-r.forget_bias))) ** 20, rel=1e-14)
        params = {name: np.zeros(shape) for name, shape in cell.param_shapes.items()}
        params["b_f"] = np.array([r.forget_bias])
        J = lag_jacobians(cell, params, np.zeros((20, 1)), direct=True)
        assert r.product == pytest.approx(J[0][0, 0], rel=1e-12)
    assert rows[0].T == 20 and rows[0].product == pytest.approx(1.901e-03, rel=1e-3)
    assert rows[0].product < rows[1].product


def test_zero_weight_carousel_rejects_bad_input():
    from lstmsym.experiments.carousel import zero_weight_carousel

    with pytest.raises(LstmsymError, match="cell"):
        zero_weight_carousel(make_cell("lstm1997"))
    with pytest.raises(LstmsymError, match="n=1"):
        zero_weight_carousel(make_cell("lstm", n=2))
    with pytest.raises(LstmsymError, match="T must"):
        zero_weight_carousel(make_cell("lstm"), T=0)
    with pytest.raises(LstmsymError, match="biases"):
        zero_weight_carousel(make_cell("lstm"), biases=(float("nan"),))
