"""The GRU's two polarity conventions and its relation to the coupled LSTM.

Independent checks: a write-polarity GRU written here in NumPy (not from lstmsym) against the symbolic
write-polarity Jacobian (central differences) and against lstmsym's keep-polarity forward with converted
parameters; the coupled LSTM's numeric trajectory (c = h) and the exact products σ(b)^lag.
"""

import numpy as np
import pytest
import sympy as sp

from lstmsym.cells import make_cell
from lstmsym.derivatives.step import step_jacobian
from lstmsym.errors import LstmsymError, UnknownChoiceError
from lstmsym.experiments.gru_polarity import (
    collapsed_jacobian,
    coupled_lstm,
    coupled_lstm_gap,
    coupled_memory_update,
    direct_path,
    gru_params_from_coupled,
    gru_to_coupled_lstm,
    gru_update,
    keep_gate_norms,
    keep_gate_table,
    plot_keep_gate_norms,
    polarity_equivalence,
    swap_polarity,
    total_jacobian,
    write_params,
)
from lstmsym.numerics import reference
from lstmsym.numerics.params import init_params

EPS = 1e-6


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def write_gru_step(p, x, h):
    """Chung et al.'s polarity, reset after the product: h_t = z ⊙ n + (1 - z) ⊙ h_{t-1}."""
    z = _sigmoid(p["W_z"] @ h + p["U_z"] @ x + p["b_z"])
    r = _sigmoid(p["W_r"] @ h + p["U_r"] @ x + p["b_r"])
    cand = np.tanh(p["U_n"] @ x + p["b_n"] + r * (p["W_n"] @ h + p["d_n"]))
    return z * cand + (1.0 - z) * h, z, r, cand


def _z(n):
    return make_cell("gru", n=n).step("t").rule("z").symbols


@pytest.mark.parametrize("n", [1, 2, 3])
def test_direct_paths(n):
    z = _z(n)
    assert direct_path("keep", n) == sp.diag(*z)
    assert direct_path("write", n) == sp.diag(*[1 - zj for zj in z])
    assert direct_path("keep", n) == step_jacobian(make_cell("gru", n=n), path="direct")


@pytest.mark.parametrize("n", [1, 2])
def test_swap_maps_one_polarity_to_the_other(n):
    assert swap_polarity(gru_update("keep", n), n) == gru_update("write", n)
    assert swap_polarity(gru_update("write", n), n) == gru_update("keep", n)
    assert swap_polarity(direct_path("keep", n), n) == direct_path("write", n)
    assert swap_polarity(swap_polarity(direct_path("write", n), n), n) == direct_path("write", n)


@pytest.mark.parametrize("n", [1, 2])
def test_write_jacobian_is_the_swapped_keep_jacobian_with_negated_W_z(n):
    assert total_jacobian("keep", n) == step_jacobian(make_cell("gru", n=n))
    negate = {s: -s for s in make_cell("gru", n=n).params["W_z"]}
    swapped = swap_polarity(total_jacobian("keep", n), n).xreplace(negate)
    assert (total_jacobian("write", n) - swapped).applyfunc(sp.expand) == sp.zeros(n, n)


def test_write_jacobian_against_central_differences():
    n = 2
    cell = make_cell("gru", n=n)
    p = init_params(cell, seed=4, scale=0.7)
    p.update({k: np.random.default_rng(5).normal(0, 0.5, n) for k in ("b_z", "b_r", "b_n", "d_n")})
    x, h = np.array([0.3]), np.array([0.4, -0.6])
    _, z, r, cand = write_gru_step(p, x, h)
    J = total_jacobian("write", n)
    step = cell.step("t")
    values = {}
    for name, mat in cell.params.items():
        values.update(zip(mat, p[name].reshape(-1), strict=True))
    for name, v in (("z", z), ("r", r), ("n", cand)):
        values.update(zip(step.rule(name).symbols, v, strict=True))
    values.update(zip(step.prev["h"], h, strict=True))
    values.update(zip(step.x, x, strict=True))
    exact = np.array(J.xreplace(values).evalf(), dtype=float)
    numeric = np.empty((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = EPS
        numeric[:, j] = (write_gru_step(p, x, h + e)[0] - write_gru_step(p, x, h - e)[0]) / (2 * EPS)
    np.testing.assert_allclose(exact, numeric, rtol=1e-5, atol=1e-7)


def test_converted_params_give_the_same_trajectory():
    cell = make_cell("gru", n=3)
    p = init_params(cell, seed=0, scale=0.8)
    p["b_z"] = np.array([1.0, -0.5, 2.0])
    xs = np.random.default_rng(1).normal(size=(25, 1))
    keep = reference.forward(cell, p, xs).states["h"]
    q, h = write_params(p), np.zeros(3)
    for t, x in enumerate(xs, start=1):
        h = write_gru_step(q, x, h)[0]
        np.testing.assert_allclose(h, keep[t], rtol=1e-12, atol=1e-14)
    back = write_params(q)
    assert all(np.array_equal(back[k], p[k]) for k in p)


@pytest.mark.parametrize("n", [1, 2])
def test_polarity_equivalence_is_exactly_zero(n):
    assert polarity_equivalence(n) == sp.zeros(n, 1)


@pytest.mark.parametrize("n", [1, 2])
def test_gru_is_the_collapsed_coupled_lstm(n):
    mapping = gru_to_coupled_lstm(n)
    cell = coupled_lstm(n)
    assert (gru_update("keep", n).xreplace(mapping) - coupled_memory_update(cell)).applyfunc(
        sp.expand
    ) == sp.zeros(n, 1)
    diff = total_jacobian("keep", n).xreplace(mapping) - collapsed_jacobian(cell)
    assert diff.applyfunc(sp.expand) == sp.zeros(n, n)
    # the direct paths: diag(z) becomes diag(1 - i), the coupled keep gate
    i = cell.step("t").rule("i").symbols
    assert direct_path("keep", n).xreplace(mapping) == sp.diag(*[1 - ij for ij in i])


def test_gru_candidate_differs_by_the_reset_gate():
    mapping = gru_to_coupled_lstm(1)
    gru_step, lstm_step = make_cell("gru").step("t"), coupled_lstm().step("t")
    gru_inner = gru_step.rule("n").inner.xreplace(mapping)
    assert gru_inner == lstm_step.rule("g").inner.xreplace({lstm_step.prev["h"][0]: lstm_step.prev["c"][0]})
    without_map = gru_step.rule("n").inner
    assert gru_step.rule("r").symbols[0] in without_map.free_symbols  # r ⊙ (W_n h + d_n) in the GRU


def test_coupled_lstm_memory_equals_output_numerically():
    cell = coupled_lstm(2)
    p = init_params(cell, seed=2, scale=0.6)
    traj = reference.forward(cell, p, np.random.default_rng(0).normal(size=(40, 1)))
    np.testing.assert_array_equal(traj.states["c"], traj.states["h"])
    np.testing.assert_allclose(traj.gates["f"], 1 - traj.gates["i"])


@pytest.mark.parametrize("bias", [0.0, 1.0, 3.0, 5.0])
def test_keep_gate_products_are_sigma_to_the_lag(bias):
    lags = [0, 10, 20, 50, 100]
    expected = _sigmoid(bias) ** np.array(lags)
    for name in ("gru", "lstm"):
        np.testing.assert_allclose(keep_gate_norms(name, bias, lags, n=2), expected, rtol=1e-12)


def test_reference_table_values():
    # REFERENCES.md §2: ∏ f at b_f = 3 over 100 steps is 7.8e-3; at b_f = 1 over 20 steps 1.9e-3
    assert f"{keep_gate_norms('gru', 3.0, [100])[0]:.2g}" == "0.0078"
    assert f"{keep_gate_norms('gru', 1.0, [20])[0]:.2g}" == "0.0019"


def test_random_weights_direct_is_product_of_z():
    n, lags = 3, [5, 30]
    norms = keep_gate_norms("gru", 2.0, lags, n=n, seed=1, scale=0.5)
    cell = make_cell("gru", n=n)
    p = init_params(cell, seed=1, scale=0.5)
    p["b_z"] = np.full(n, 2.0)
    xs = np.random.default_rng(1).normal(size=(30, 1))  # random_sequence(cell, 30, seed=1)
    z = reference.forward(cell, p, xs).gates["z"]
    expected = [np.prod(z[30 - k :], axis=0).max() for k in lags]  # spectral norm of a diagonal
    np.testing.assert_allclose(norms, expected, rtol=1e-12)


def _c_block_by_differences(cell, params, xs, state0, frozen_h=None, eps=1e-6):
    """∂c_T/∂c_0 by central differences from ``state0`` (h_0 held). With ``frozen_h`` (h_0..h_{T-1} of the
    unperturbed run) each step runs with W_g = 0 and b_g + W_g h_{t-1} frozen at that value."""
    n = cell.n
    J = np.empty((n, n))
    for j in range(n):
        outs = []
        for sign in (1, -1):
            state = {"c": state0["c"].copy(), "h": state0["h"].copy()}
            state["c"][j] += sign * eps
            if frozen_h is None:
                state = reference.forward(cell, params, xs, state).state(len(xs))
            else:
                for t, x in enumerate(xs):
                    b_g = params["b_g"] + params["W_g"] @ frozen_h[t]
                    step = {**params, "W_g": np.zeros((n, n)), "b_g": b_g}
                    state = reference.forward(cell, step, x[None], state).state(1)
            outs.append(state["c"])
        J[:, j] = (outs[0] - outs[1]) / (2 * eps)
    return J


def test_keep_gate_norms_route_controls_against_central_differences():
    n, T, seed, bias = 3, 12, 4, 3.0
    cell = make_cell("lstm", n=n)
    p = init_params(cell, seed=seed, scale=0.5)
    p["b_f"] = np.full(n, bias)
    xs = np.random.default_rng(seed).normal(size=(T, 1))  # random_sequence(cell, T, seed=seed)
    zero = {"c": np.zeros(n), "h": np.zeros(n)}
    total, zeroed, cut = (
        keep_gate_norms("lstm", bias, [T], n=n, seed=seed, scale=0.5, direct=False, **options)[0]
        for options in ({}, {"zeroed": ("W_g",)}, {"cut": "W_g"})
    )
    expected_total = np.linalg.norm(_c_block_by_differences(cell, p, xs, zero), 2)
    off = {**p, "W_g": np.zeros((n, n))}
    expected_zeroed = np.linalg.norm(_c_block_by_differences(cell, off, xs, zero), 2)
    h_path = reference.forward(cell, p, xs).states["h"]
    expected_cut = np.linalg.norm(_c_block_by_differences(cell, p, xs, zero, frozen_h=h_path), 2)
    for got, expected in ((total, expected_total), (zeroed, expected_zeroed), (cut, expected_cut)):
        assert abs(got - expected) <= 1e-8 + 1e-6 * expected
    assert len({round(v, 6) for v in (total, zeroed, cut)}) == 3  # three different routes measured
    with pytest.raises(LstmsymError, match="zeroed names parameter 'W_z'"):
        keep_gate_norms("lstm", bias, [T], zeroed=("W_z",))
    with pytest.raises(LstmsymError, match="cut names parameter 'W_g'"):
        keep_gate_norms("gru", bias, [T], cut=("W_g",))


def test_bad_input():
    with pytest.raises(UnknownChoiceError, match="polarity='pytorch'"):
        gru_update("pytorch")
    with pytest.raises(UnknownChoiceError, match="name='rnn'"):
        keep_gate_norms("rnn", 1.0, [1])
    with pytest.raises(LstmsymError, match="lags must be"):
        keep_gate_norms("gru", 1.0, [-1])
    with pytest.raises(LstmsymError, match="'W_z' is missing"):
        write_params({"W": np.ones((1, 1))})
    with pytest.raises(LstmsymError, match="must be a coupled LSTM"):
        coupled_memory_update(make_cell("lstm"))
    with pytest.raises(LstmsymError, match="must be coupled_lstm"):
        collapsed_jacobian(make_cell("lstm", coupled=True))


def test_plot_keep_gate_norms_draws_both_cells_per_bias():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lags = [0, 10, 50]
    fig = plot_keep_gate_norms([1.0, 3.0, 5.0], lags, n=2)
    try:
        (ax,) = fig.axes
        assert len(ax.lines) == 6  # an LSTM line and GRU dots per bias
        assert ax.get_yscale() == "log"
        assert ax.get_xlabel() == "lag $L$ (steps)" and ax.get_ylabel() == "direct product over $L$ steps"
        assert "GRU" in ax.get_title() and "LSTM" in ax.get_title()
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [f"$b_f = b_z = {b}$ (they coincide)" for b in (1, 3, 5)]
        lstm3, gru3 = ax.lines[2], ax.lines[3]
        np.testing.assert_allclose(lstm3.get_ydata(), _sigmoid(3.0) ** np.array(lags), rtol=1e-12)
        np.testing.assert_allclose(gru3.get_ydata(), lstm3.get_ydata(), rtol=1e-12)
        assert lstm3.get_color() == gru3.get_color() and gru3.get_linestyle() == "None"
    finally:
        plt.close(fig)
    with pytest.raises(LstmsymError, match="biases"):
        plot_keep_gate_norms([], lags)


def test_keep_gate_table_collects_keep_gate_norms():
    lags = [1, 5, 12]
    table = keep_gate_table([0.5, 2.0], lags, n=2, seed=3, scale=0.4, paths=("direct", "total"))
    assert table.index.names == ["bias", "cell", "path"] and table.columns.name == "lag L"
    assert table.index.tolist() == [
        (b, name, path) for b in (0.5, 2.0) for name in ("gru", "lstm") for path in ("direct", "total")
    ]
    assert table.columns.tolist() == lags
    for (b, name, path), norms in table.iterrows():
        expected = keep_gate_norms(name, b, lags, n=2, seed=3, scale=0.4, direct=path == "direct")
        np.testing.assert_array_equal(norms.to_numpy(), expected)
    zero = keep_gate_table([3.0], [100])  # every weight 0: sigma(3)^100 for both cells, direct path only
    assert zero.index.tolist() == [(3.0, "gru", "direct"), (3.0, "lstm", "direct")]
    np.testing.assert_allclose(zero[100].to_numpy(), _sigmoid(3.0) ** 100, rtol=1e-12)


def test_keep_gate_table_bad_input():
    with pytest.raises(UnknownChoiceError):
        keep_gate_table([1.0], [1], paths=("sideways",))
    with pytest.raises(LstmsymError, match="paths must name"):
        keep_gate_table([1.0], [1], paths=())
    with pytest.raises(LstmsymError, match="biases must hold"):
        keep_gate_table([], [1])
    with pytest.raises(LstmsymError, match="lags must be"):
        keep_gate_table([1.0], [])


def test_gru_equals_the_coupled_lstm_only_in_the_limit():
    # both cells written here in NumPy, from the conventions, on the parameters the renaming gives
    rng = np.random.default_rng(3)
    n, T = 3, 30
    lp = init_params(coupled_lstm(n), rng, scale=0.7)
    xs = rng.normal(size=(T, 1))

    def run_lstm():
        c, out = np.zeros(n), []
        for x in xs:
            i = _sigmoid(lp["W_i"] @ c + lp["U_i"] @ x + lp["b_i"])      # h = c
            g = np.tanh(lp["W_g"] @ c + lp["U_g"] @ x + lp["b_g"])
            c = (1 - i) * c + i * g
            out.append(c)
        return np.array(out)

    def run_gru(gp):
        h, out = np.zeros(n), []
        for x in xs:
            z = _sigmoid(gp["W_z"] @ h + gp["U_z"] @ x + gp["b_z"])
            r = _sigmoid(gp["W_r"] @ h + gp["U_r"] @ x + gp["b_r"])
            cand = np.tanh(gp["U_n"] @ x + gp["b_n"] + r * (gp["W_n"] @ h + gp["d_n"]))
            h = (1 - z) * cand + z * h
            out.append(h)
        return np.array(out)

    c = run_lstm()
    gaps = [np.abs(run_gru(gru_params_from_coupled(lp, b)) - c).max() for b in (0.0, 2.0, 6.0, 12.0, 40.0)]
    assert all(np.diff(gaps) < 0)  # shrinks as r -> 1
    assert gaps[0] > 1e-2 and gaps[-1] < 1e-14
    assert np.abs(run_gru(gru_params_from_coupled(lp, 40.0, d_n=0.3)) - c).max() > 1e-2  # d_n != 0: differs
    table = coupled_lstm_gap(((0.0, 0.0), (40.0, 0.0), (40.0, 0.5)), n=2, T=40, seed=1)
    assert table["gap"].tolist()[1] < 1e-14 < table["gap"].tolist()[0]
    assert table["gap"].tolist()[2] > 1e-2
    np.testing.assert_allclose(table["r"], [0.5, 1.0, 1.0])
    with pytest.raises(LstmsymError, match="W_i"):
        gru_params_from_coupled({"W_g": np.ones((1, 1))}, 1.0)
    with pytest.raises(LstmsymError, match="reset_bias"):
        gru_params_from_coupled(lp, float("inf"))
