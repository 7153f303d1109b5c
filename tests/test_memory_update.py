"""lstmsym.experiments.memory_update: the dense-memory cell against the RNN form, the bound and the LSTM."""

import math

import numpy as np
import pytest

from lstmsym import LstmsymError, init_params, jacobian_block, make_cell, random_sequence
from lstmsym.exercises import check_answer
from lstmsym.experiments.carousel import norm_curves
from lstmsym.experiments.memory_update import (
    BoundCheck,
    compare_memory_updates,
    keep_factor,
    pascanu_bound_check,
    rnn_form,
    zero_weight_carry,
)
from lstmsym.numerics.reference import forward, step_jacobian


@pytest.mark.parametrize("n", [1, 2, 3])
def test_dense_memory_block_is_the_rnn_form(n):
    dense = jacobian_block(make_cell("dense_memory", n=n), "c", "c")
    assert rnn_form(n) == dense
    assert check_answer(rnn_form(n), dense).correct
    assert rnn_form(n) != jacobian_block(make_cell("lstm", n=n), "c", "c", path="direct")


def test_rnn_form_rejects_bad_n():
    with pytest.raises(LstmsymError, match="n must"):
        rnn_form(0)


def test_dense_memory_block_numerically_is_diag_slope_times_W_c():
    n = 3
    cell = make_cell("dense_memory", n=n)
    rng = np.random.default_rng(5)
    params = init_params(cell, rng, scale=0.6)
    prev = {"c": rng.normal(size=n), "h": rng.normal(size=n)}
    x = rng.normal(size=1)
    c = np.tanh(params["W_c"] @ prev["c"] + params["W_h"] @ prev["h"] + params["U_c"] @ x + params["b_c"])
    J = step_jacobian(cell, params, x, prev)
    np.testing.assert_allclose(J[:n, :n], np.diag(1 - c**2) @ params["W_c"], rtol=1e-13)


def test_bound_holds_and_measured_matches_norm_curves():
    check = pascanu_bound_check(n=3, max_lag=40, seeds=(0, 1, 2), scale=0.5)
    assert check.holds
    curves = norm_curves(make_cell("dense_memory", n=3), 40, (0, 1, 2), scale=0.5)
    np.testing.assert_array_equal(check.measured, curves.direct)
    for s, seed in enumerate((0, 1, 2)):
        rng = np.random.default_rng(seed)
        W_c = init_params(make_cell("dense_memory", n=3), rng, scale=0.5)["W_c"]
        sv = np.linalg.svd(W_c, compute_uv=False)[0]
        assert check.norm_W[s] == pytest.approx(sv, rel=1e-12)
        np.testing.assert_allclose(check.bound[s], sv ** np.arange(41), rtol=1e-12)
    assert np.all(check.slack >= 1 - 1e-12)


def test_bound_check_reports_a_violation():
    fake = BoundCheck((0,), np.arange(2), np.array([0.5]), np.array([[1.0, 0.6]]), np.array([[1.0, 0.5]]))
    assert not fake.holds


def test_scalar_memory_path_is_the_product_of_slopes_times_w():
    cell, T = make_cell("dense_memory", n=1), 15
    check = pascanu_bound_check(n=1, max_lag=T, seeds=(3,), scale=0.9)
    rng = np.random.default_rng(3)
    params = init_params(cell, rng, scale=0.9)
    xs = random_sequence(cell, T, rng)
    c = forward(cell, params, xs).states["c"][1:, 0]  # c_1..c_T
    w = params["W_c"][0, 0]
    want = [abs(float(np.prod(w * (1 - c[T - L :] ** 2)))) for L in range(T + 1)]
    np.testing.assert_allclose(check.measured[0], want, rtol=1e-12)


def test_keep_factor_fixed_point_and_slope():
    w = np.linspace(0.0, 8.0, 161)
    c, factor = keep_factor(w)
    np.testing.assert_allclose(np.tanh(w * c), c, atol=1e-14)
    assert np.all(c[w > 1.05] > 0.2) and np.all(c[w <= 1.0] == 0.0)
    eps = 1e-6
    slope = (np.tanh(w * (c + eps)) - np.tanh(w * (c - eps))) / (2 * eps)  # the map's derivative at c*
    np.testing.assert_allclose(factor, slope, atol=1e-8)
    off = np.abs(w - 1.0) > 1e-9
    assert np.all(factor[off] < 1.0) and factor[~off] == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [-1.0, float("inf"), [[1.0]]])
def test_keep_factor_rejects_bad_w(bad):
    with pytest.raises(LstmsymError, match="w must"):
        keep_factor(bad)


def test_compare_memory_updates_labels_and_ordering():
    curves = compare_memory_updates(n=3, max_lag=50, seeds=(0, 1, 2), forget_biases=(1.0, 3.0))
    assert [c.label for c in curves] == ["dense memory", "LSTM, b_f = 1", "LSTM, b_f = 3"]
    dense, lstm1, lstm3 = (c.at(50, "total") for c in curves)
    assert dense < lstm1 < lstm3


def test_zero_weight_carry():
    keep = zero_weight_carry("lstm", steps=40, c0=0.5, forget_bias=4.0)
    f = 1 / (1 + math.exp(-4.0))
    assert keep.cT == pytest.approx(0.5 * f**40, rel=1e-12)
    assert keep.gradient == pytest.approx(f**40, rel=1e-12)
    dense = zero_weight_carry("dense_memory", steps=40, c0=0.5)
    assert dense.cT == 0.0 and dense.gradient == 0.0
    with pytest.raises(LstmsymError, match="kind"):
        zero_weight_carry("gru")
    with pytest.raises(LstmsymError, match="steps"):
        zero_weight_carry("lstm", steps=0)


def test_bound_frame_and_plots():
    import matplotlib.pyplot as plt

    from lstmsym.experiments.memory_update import plot_bound_check, plot_keep_factor

    check = pascanu_bound_check(n=2, max_lag=10, seeds=(0, 1))
    table = check.frame(lags=(1, 10))
    assert list(table.index) == [0, 1] and table.index.name == "seed"
    assert table.loc[1, "‖W_c‖₂"] == check.norm_W[1]
    assert table.loc[0, "measured L=10"] == check.measured[0, 10]
    assert table.loc[1, "bound L=1"] == check.bound[1, 1]
    with pytest.raises(LstmsymError, match="lags"):
        check.frame(lags=(11,))
    ax = plot_bound_check(check)
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 4 and ax.get_xlabel()
    plt.close(ax.figure)
    ax = plot_keep_factor(np.linspace(0, 4, 9))
    assert ax.get_xlabel() and ax.get_title()
    plt.close(ax.figure)


def test_linear_memory_gradient_and_drift():
    from lstmsym.experiments.memory_update import linear_memory

    for w in (0.99, 1.0, 1.01):
        carry = linear_memory(w, steps=300, repeats=10)
        assert carry.gradient == pytest.approx(w**300, rel=1e-12)
    # at w = 1 the memory is the scaled sum of its inputs: recompute it from the same draws
    carry = linear_memory(1.0, steps=50, input_scale=0.5, repeats=7, seed=3)
    rng = np.random.default_rng(3)
    c = 0.5 * sum(rng.standard_normal(7) for _ in range(50))
    assert carry.rms_c == pytest.approx(float(np.sqrt(np.mean(c**2))), rel=1e-12)
    # the drift grows like sqrt(T) at w = 1 and stays bounded below 1
    grow = [linear_memory(1.0, steps=T, repeats=4000).rms_c for T in (100, 400)]
    assert grow[1] / grow[0] == pytest.approx(2.0, rel=0.1)
    bounded = [linear_memory(0.9, steps=T, repeats=4000).rms_c for T in (100, 400)]
    assert bounded[1] / bounded[0] == pytest.approx(1.0, rel=0.1)
    for bad, match in (
        ({"w": np.inf}, "w must"),
        ({"w": 1.0, "steps": 0}, "steps"),
        ({"w": 1.0, "repeats": 0}, "repeats"),
    ):
        with pytest.raises(LstmsymError, match=match):
            linear_memory(**bad)


def test_deep_memory_norms_match_finite_differences_and_depth_one_product():
    from lstmsym.experiments.memory_update import deep_memory_norms

    # scalar, one seed: the norm is |∏ slopes × weights|; recompute the forward pass by hand
    depth, T = 2, 12
    got = deep_memory_norms(depth, n=1, max_lag=T, seeds=(4,), scale=0.8)
    rng = np.random.default_rng(4)
    Ws = [rng.normal(0.0, 0.8, (1, 1)) for _ in range(depth)]
    U = rng.normal(0.0, 0.8, (1, 1))
    xs = rng.standard_normal((T, 1))

    def run(c0, start):
        c = np.array([c0])
        for x in xs[start:]:
            c = np.tanh(Ws[1] @ np.tanh(Ws[0] @ c + U @ x))
        return c[0]

    c, traj, factors = np.zeros(1), [0.0], []
    for x in xs:
        z1 = np.tanh(Ws[0] @ c + U @ x)
        c = np.tanh(Ws[1] @ z1)
        traj.append(c[0])
        factors.append(Ws[1][0, 0] * (1 - c[0] ** 2) * Ws[0][0, 0] * (1 - z1[0] ** 2))
    for L in range(T + 1):  # the product of the last L per-step factors
        assert got[L] == pytest.approx(abs(float(np.prod(factors[T - L :]))), rel=1e-12)
    for L in (1, 3):  # and central differences of the forward map where the value is not tiny
        eps = 1e-6
        fd = (run(traj[T - L] + eps, T - L) - run(traj[T - L] - eps, T - L)) / (2 * eps)
        assert got[L] == pytest.approx(abs(fd), rel=1e-4)
    assert got[0] == 1.0
    # deeper memories lose the gradient faster at every scale tried
    for scale in (0.3, 1.0):
        m = [deep_memory_norms(d, max_lag=60, scale=scale)[60] for d in (1, 2, 3)]
        assert m[1] < m[0] and m[2] < m[0]
    with pytest.raises(LstmsymError, match="depth"):
        deep_memory_norms(0)
    with pytest.raises(LstmsymError, match="scale"):
        deep_memory_norms(1, scale=0.0)


def test_carries_make_a_table():
    import pandas as pd

    keep = zero_weight_carry("lstm", steps=100, c0=0.5, forget_bias=5.0)
    erase = zero_weight_carry("dense_memory", steps=100, c0=0.5)
    table = pd.DataFrame([keep, erase])
    assert list(table.columns) == ["kind", "steps", "c0", "cT", "gradient"]
    assert table.loc[0, "gradient"] == keep.gradient and table.loc[1, "cT"] == 0.0


def test_dense_scale_sweep_matches_norm_curves_and_tabulates_both():
    from lstmsym.experiments.memory_update import dense_scale_sweep, scale_sweep_frame

    sweep = dense_scale_sweep(scales=(0.3, 2.0), n=2, max_lag=30, seeds=(0, 1))
    assert list(sweep) == [0.3, 2.0]
    ref = norm_curves(make_cell("dense_memory", n=2), 30, (0, 1), scale=2.0)
    np.testing.assert_array_equal(sweep[2.0].total, ref.total)
    lstm = norm_curves(make_cell("lstm", n=2), 30, (0, 1), forget_bias=3.0)
    table = scale_sweep_frame(sweep, lstm, "LSTM", lag=30)
    assert list(table.index) == ["dense memory, weight scale 0.3", "dense memory, weight scale 2", "LSTM"]
    assert table.loc["dense memory, weight scale 2", "direct"] == sweep[2.0].at(30, "direct")
    assert table.loc["LSTM", "total"] == lstm.at(30)
    with pytest.raises(LstmsymError, match="lag"):
        scale_sweep_frame(sweep, lstm, "LSTM", lag=0)


def test_medians_frame_holds_each_curve_sets_medians():
    from lstmsym.experiments.memory_update import compare_memory_updates, medians_frame

    curves = compare_memory_updates(n=2, max_lag=20, seeds=(0, 1, 2), forget_biases=(1.0, 3.0))
    table = medians_frame(curves, lags=(1, 20))
    assert table.shape == (6, 2) and list(table.columns) == [1, 20]
    assert table.loc[("LSTM, b_f = 3", "direct"), 20] == np.median(curves[2].direct[:, 20])
    assert table.loc[("dense memory", "total"), 1] == curves[0].at(1)
    with pytest.raises(LstmsymError, match="lags"):
        medians_frame(curves, lags=())


def test_keep_targets_are_the_first_grid_points_reaching_each_target():
    from lstmsym.experiments.memory_update import keep_targets

    w = np.linspace(0.0, 6.0, 601)
    c_star, factor = keep_factor(w)
    rows = keep_targets(w, targets=(0.1, 0.5, 0.9))
    for row in rows:
        j = int(np.searchsorted(w, row.w))
        assert c_star[j] >= row.target > c_star[j - 1]
        assert row.factor == factor[j] and row.factor < 1.0
    assert [r.factor for r in rows] == sorted((r.factor for r in rows), reverse=True)
    import pandas as pd

    assert pd.DataFrame(rows).columns.tolist() == ["target", "w", "c_star", "factor"]
    with pytest.raises(LstmsymError, match="no w on the grid"):
        keep_targets(np.linspace(0.0, 1.0, 11), targets=(0.5,))
    with pytest.raises(LstmsymError, match="increasing"):
        keep_targets([2.0, 1.0])


def test_linear_memory_knife_edge_and_drift():
    from lstmsym.experiments.memory_update import linear_memory

    assert linear_memory(0.99, steps=500).gradient == 0.99**500
    assert linear_memory(1.0, steps=500).gradient == 1.0
    rng = np.random.default_rng(0)  # independent: the same recursion over the same draws
    c = np.zeros(200)
    for _ in range(400):
        c = 1.0 * c + 0.3 * rng.standard_normal(200)
    assert linear_memory(1.0, steps=400).rms_c == pytest.approx(np.sqrt(np.mean(c**2)), rel=1e-12)
    assert 0.8 < linear_memory(1.0, steps=400).rms_c / (0.3 * 20) < 1.2  # s sqrt(T)


def test_deep_memory_table_collects_deep_memory_norms():
    from lstmsym.experiments.memory_update import deep_memory_norms, deep_memory_table

    table = deep_memory_table(depths=(1, 2), scales=(0.3, 1.0), n=3, lag=40, seeds=(0, 1))
    assert table.medians.shape == (2, 2)
    assert table.medians[1, 1] == deep_memory_norms(2, n=3, max_lag=40, seeds=(0, 1), scale=1.0)[40]
    assert np.all(table.medians[:, 1] < table.medians[:, 0])
    frame = table.frame()
    assert frame.index.tolist() == [0.3, 1.0] and frame.columns.tolist() == [1, 2]
    assert frame.loc[1.0, 2] == table.medians[1, 1]


def test_residual_memory_matches_central_differences_and_keeps_the_identity():
    """c_t = c_{t-1} + tanh(W_2 tanh(W_1 c_{t-1} + U x_t)): the same network plus the identity."""
    from lstmsym.experiments.memory_update import deep_memory_norms, deep_memory_table

    n, T, seed, scale = 3, 15, 2, 0.8
    got = deep_memory_norms(2, n=n, max_lag=T, seeds=(seed,), scale=scale, residual=True)
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(0.0, scale, (n, n)) for _ in range(2)]
    U = rng.normal(0.0, scale, (n, 1))
    xs = rng.standard_normal((T, 1))

    def run(c, start):
        for x in xs[start:]:
            c = c + np.tanh(Ws[1] @ np.tanh(Ws[0] @ c + U @ x))
        return c

    states = [np.zeros(n)]
    for x in xs:
        states.append(states[-1] + np.tanh(Ws[1] @ np.tanh(Ws[0] @ states[-1] + U @ x)))
    eps = 1e-6
    for L in (1, 5, T):
        start = T - L
        fd = np.stack([(run(states[start] + eps * e, start) - run(states[start] - eps * e, start)) / (2 * eps)
                       for e in np.eye(n)], axis=1)
        assert got[L] == pytest.approx(np.linalg.norm(fd, 2), rel=1e-6)
    table = deep_memory_table(depths=(1, 2), scales=(0.3,), n=4, lag=100, residual=True)
    plain = deep_memory_table(depths=(1, 2), scales=(0.3,), n=4, lag=100)
    assert np.all(table.medians > 1) and np.all(plain.medians < 1e-20)   # the identity path, not the depth
