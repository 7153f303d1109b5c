"""Notebook 08's measurements: depth stacks, the norm-preserving RNNs' stretches and forget thresholds, the
closing table; each against an independent computation."""

import numpy as np
import pytest

from lstmsym.cells import make_cell
from lstmsym.errors import LstmsymError
from lstmsym.experiments.additive_path import (
    closing_table,
    direct_path,
    keep_factor_at_init,
    recurrent_norms,
    total_equals_direct,
)
from lstmsym.experiments.depth import depth_stack, depth_sweep, layer_params, plain_product
from lstmsym.experiments.other_cure import forget_thresholds, norm_preserving_params, stretch_norms
from lstmsym.numerics import reference
from lstmsym.numerics.gradcheck import central_differences
from lstmsym.numerics.params import init_params


def _layers(kind, n, depth, seed, carry_bias=-2.0):
    """The stack depth_stack draws: h_0 first, then each layer's parameters, from one generator."""
    rng = np.random.default_rng(seed)
    h0 = rng.normal(0.0, 1.0, size=n)
    return h0, [layer_params(kind, n, rng, 1.0, carry_bias) for _ in range(depth)]


def _through(kind, layers, h):
    cell = make_cell(kind, n=len(h))
    for p in layers:
        h = reference.forward(cell, p, np.zeros((1, 1)), {"h": h}).s[-1]
    return h


@pytest.mark.parametrize("kind", ["plain_deep", "residual", "highway"])
def test_depth_stack_norms_equal_central_differences_of_the_composed_layers(kind):
    n, depth = 3, 4
    run = depth_stack(kind, n=n, depth=depth, seed=3)
    h0, layers = _layers(kind, n, depth, 3)
    for L in range(1, depth + 1):
        J = central_differences(lambda h, L=L: _through(kind, layers[:L], h), h0)
        assert np.isclose(np.log10(np.linalg.norm(J, 2)), run.log10_total[L], atol=1e-8)
    np.testing.assert_allclose(run.states[-1], _through(kind, layers, h0), atol=1e-14)
    if kind == "residual":
        J = central_differences(lambda h: _through(kind, layers, h), h0)
        assert np.isclose(np.log10(np.linalg.norm(J - np.eye(n), 2)), run.log10_rest[-1], atol=1e-7)
        assert np.all(run.log10_direct == 0.0)                              # the identity path, exactly


def test_highway_direct_is_the_carry_gate_product_and_plain_stays_under_the_bound():
    n, depth = 3, 30
    run = depth_stack("highway", n=n, depth=depth, seed=1, carry_bias=-3.0)
    h0, layers = _layers("highway", n, depth, 1, carry_bias=-3.0)
    carry, h = np.ones(n), h0
    cell = make_cell("highway", n=n)
    for L, p in enumerate(layers, start=1):
        T = reference.forward(cell, p, np.zeros((1, 1)), {"h": h}).gates["T"][0]
        carry, h = carry * (1.0 - T), _through("highway", [p], h)
        assert np.isclose(run.log10_direct[L], np.log10(carry.max()), atol=1e-12)
    plain = depth_stack("plain_deep", n=n, depth=200, seed=2)
    assert np.all(plain.log10_total <= plain.log10_bound + 1e-9)
    _, layers = _layers("plain_deep", n, 200, 2)
    bound = np.cumsum([np.log10(np.linalg.norm(p["W"], 2)) for p in layers])
    np.testing.assert_allclose(plain.log10_bound[1:], bound, atol=1e-9)


def test_depth_sweep_frame_holds_the_seed_medians():
    sweep = depth_sweep(("plain_deep", "residual"), n=2, depth=12, seeds=(0, 1, 2))
    frame = sweep.frame(depths=(3, 12))
    expected = 10.0 ** np.median([depth_stack("residual", 2, 12, s).log10_total[12] for s in (0, 1, 2)])
    assert np.isclose(frame.loc[("residual", "total"), "L = 12"], expected)
    assert frame.loc[("residual", "direct")].tolist() == [1.0, 1.0]


def test_forget_thresholds_match_their_closed_forms():
    frame = forget_thresholds(stored=(0.25, 0.9, 2.0), fraction=0.01).set_index(["cell", "stored"])
    grid = lambda u: np.ceil(round(u / 0.01, 6)) * 0.01  # noqa: E731  (first grid point at or above u)
    lstm_u = (5.0 + np.log(99.0)) / 10.0              # σ(5 - 10u) = 0.01
    for v in (0.25, 0.9, 2.0):
        assert np.isclose(frame.loc[("lstm", v), "threshold"], grid(lstm_u))
        assert np.isclose(frame.loc[("lstm", v), "slope_u1"], 1 / (1 + np.exp(5.0)))   # σ(-5), whatever v
        assert frame.loc[("irnn", v), "threshold"] == v and frame.loc[("irnn", v), "after"] == 0.0
    for v in (0.25, 0.9):
        tanh_u = v + np.arctanh(np.sqrt(0.99))            # 1 - tanh²(v - u) = 0.01
        assert np.isclose(frame.loc[("orthogonal_rnn", v), "threshold"], grid(tanh_u))
    assert np.isnan(frame.loc[("orthogonal_rnn", 2.0), "threshold"])   # tanh cannot hold 2
    assert frame.loc[("irnn", 2.0), "after_u1"] == 1.0 and frame.loc[("irnn", 2.0), "slope_u1"] == 1.0


def test_norm_preserving_params_and_stretches():
    rng = np.random.default_rng(0)
    p = norm_preserving_params("orthogonal_rnn", 3, rng)
    W = reference.norm_preserving.cayley(p["A"])
    np.testing.assert_allclose(W.T @ W, np.eye(3), atol=1e-12)
    assert np.array_equal(norm_preserving_params("irnn", 3, rng)["W"], np.eye(3))
    frame = stretch_norms("irnn", input_scales=(1.0,), lags=(5, 50), seeds=range(4), n=2)
    for col in ("L = 5", "L = 50"):
        assert frame[col].iloc[0] in (0.0, 1.0)          # W = I: a product of 0/1 slopes, exactly
    with pytest.raises(LstmsymError):
        stretch_norms("irnn", input_scales=(-1.0,))


def test_closing_table_columns_and_values():
    table = closing_table(cells=("rnn", "lstm", "residual", "irnn"), lags=(5, 20), seeds=(0, 1, 2), n=2)
    assert list(table.index) == ["rnn", "lstm", "residual", "irnn"]
    assert table["total = direct"].to_dict() == {"rnn": True, "lstm": False, "residual": False, "irnn": True}
    assert table.loc["residual", "direct path (one step)"] == "$1$"
    assert table.loc["lstm", "direct path (one step)"] == "$f_{t}$"
    expected = 10.0 ** np.median(recurrent_norms("lstm", (5, 20), (0, 1, 2), 2), axis=0)
    np.testing.assert_allclose(table.loc["lstm", ["median total, L = 5", "median total, L = 20"]], expected)
    assert direct_path(make_cell("min_lstm")) == "f'_{t}" and total_equals_direct(make_cell("min_lstm"))


def test_closing_table_direct_column_is_the_keep_gate_product():
    """The direct column, against an independent product of the LSTM's keep gates along the same run."""
    seeds, n, lags = (0, 1, 2), 2, (5, 20)
    table = closing_table(cells=("lstm", "min_gru", "highway"), lags=lags, seeds=seeds, n=n)
    cell, logs = make_cell("lstm", n=n), []
    for seed in seeds:                                  # the draw recurrent_norms makes, in its order
        rng = np.random.default_rng(seed)
        params = init_params(cell, rng)
        xs = rng.normal(size=(20, cell.m))
        f = reference.forward(cell, params, xs).gates["f"]          # (T, n): f_1..f_T
        logs.append(np.log10(np.prod(f, axis=0).max()))             # ‖∏ diag(f_t)‖₂ = max over units
    assert np.isclose(table.loc["lstm", "median direct, L = 20"], 10.0 ** np.median(logs), rtol=1e-10)
    assert table.loc["min_gru", "median direct, L = 20"] == table.loc["min_gru", "median total, L = 20"]
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    assert np.isclose(table.loc["lstm", "keep factor at init"], sig(1.0))
    assert np.isclose(table.loc["highway", "keep factor at init"], sig(2.0))
    assert np.isclose(keep_factor_at_init("min_lstm"), sig(1.0) / (sig(1.0) + 0.5))
    assert keep_factor_at_init("min_gru") == 0.5 and np.isnan(keep_factor_at_init("rnn"))
    assert set(table["initialisation"]) >= {"weights U(±1/√n), b_f = 1, other biases 0"}


def test_plain_product_controls_against_numpy():
    """The plain-stack controls: tanh removed is the product of the same W_l; uniform init redrawn by hand."""
    n, depth, seed = 3, 12, 4
    _, layers = _layers("plain_deep", n, depth, seed)
    P, linear = np.eye(n), [0.0]
    for p in layers:
        P = p["W"] @ P
        linear.append(np.log10(np.linalg.norm(P, 2)))
    np.testing.assert_allclose(plain_product(n, depth, seed, tanh=False), linear, atol=1e-10)
    same = depth_stack("plain_deep", n, depth, seed).log10_total
    np.testing.assert_allclose(plain_product(n, depth, seed), same, atol=1e-10)
    rng = np.random.default_rng(seed)
    h, P, uniform = rng.normal(size=n), np.eye(n), [0.0]
    for _ in range(depth):
        W = rng.uniform(-1 / np.sqrt(n), 1 / np.sqrt(n), size=(n, n))
        h = np.tanh(W @ h)
        P = np.diag(1 - h**2) @ W @ P
        uniform.append(np.log10(np.linalg.norm(P, 2)))
    np.testing.assert_allclose(plain_product(n, depth, seed, init="uniform"), uniform, atol=1e-10)
    with pytest.raises(LstmsymError):
        plain_product(n, depth, seed, init="orthogonal")
