"""The Bengio-Simard-Frasconi latch: fixed points, their per-step factors, ∂a_T/∂a_0."""

import numpy as np
import pytest
import sympy as sp

from lstmsym.cells import make_cell
from lstmsym.errors import LstmsymError
from lstmsym.experiments.latch import (
    TOL,
    derivative,
    factor_at_fixed_point,
    fixed_points,
    plot_derivative,
    plot_map,
    step_factor,
    symbolic_map,
    trajectory,
)
from lstmsym.numerics.reference import lag_jacobians


@pytest.mark.parametrize(
    "w, u", [(0.5, 0.0), (1.0, 0.0), (1.5, 0.0), (3.0, 0.0), (2.0, 0.3), (-2.0, 0.1), (4.0, -1.0), (1.5, 1.0)]
)
def test_fixed_points_satisfy_the_equation(w, u):
    points = fixed_points(w, u)
    assert points
    for p in points:
        # within TOL in a; g has slope ≤ |w| + 1, so the residual is at most (|w| + 1) TOL
        assert abs(w * np.tanh(p.a) + u - p.a) <= (abs(w) + 1) * TOL
        assert p.factor == pytest.approx(w * (1 - np.tanh(p.a) ** 2), rel=1e-14)
    assert [p.a for p in points] == sorted(p.a for p in points)


def test_no_fixed_point_is_missed():
    # independent count: sign changes of g on a very fine grid
    for w, u in [(1.5, 0.0), (3.0, 0.5), (0.7, 2.0), (5.0, 0.0), (2.0, 0.3)]:
        grid = np.linspace(-10.0, 10.0, 2_000_000) + 1e-7  # no grid point is exactly a root
        g = w * np.tanh(grid) + u - grid
        crossings = int(np.sum(np.sign(g[:-1]) != np.sign(g[1:])))
        assert len(fixed_points(w, u)) == crossings


@pytest.mark.parametrize("w", [1.5, 3.0, 10.0])
def test_two_stable_fixed_points_for_w_above_one(w):
    kinds = [p.kind for p in fixed_points(w)]
    assert kinds == ["stable", "unstable", "stable"]
    stable = [p for p in fixed_points(w) if p.stable]
    assert stable[0].a == pytest.approx(-stable[1].a, abs=2 * TOL)
    assert all(0 < p.factor < 1 for p in stable)


def test_one_fixed_point_for_w_at_most_one():
    assert [p.kind for p in fixed_points(0.5)] == ["stable"]
    assert [p.kind for p in fixed_points(1.0)] == ["marginal"]


def test_the_more_robust_the_latch_the_smaller_the_factor():
    factors = [max(p.factor for p in fixed_points(w) if p.stable) for w in (1.5, 2.0, 3.0, 5.0)]
    assert factors == sorted(factors, reverse=True)


def test_trajectory_settles_at_a_stable_fixed_point():
    a = trajectory(3.0, a0=0.2, T=60)
    assert a[-1] == pytest.approx(fixed_points(3.0)[-1].a, abs=1e-10)
    assert trajectory(3.0, a0=-0.2, T=60)[-1] == pytest.approx(fixed_points(3.0)[0].a, abs=1e-10)


@pytest.mark.parametrize("w, u, a0", [(0.5, 0.0, 1.0), (1.0, 0.0, 1.0), (1.5, 0.2, 0.3), (3.0, -0.4, -2.0)])
def test_derivative_equals_central_differences(w, u, a0):
    # short T: the derivative stays far above the difference quotient's noise floor, |a| 1e-16 / eps ≈ 1e-9
    T, eps = 3, 1e-6
    exact = derivative(w, a0, T, u)
    assert np.min(np.abs(exact)) > 1e-5
    fd = (trajectory(w, a0 + eps, T, u) - trajectory(w, a0 - eps, T, u)) / (2 * eps)
    np.testing.assert_allclose(exact, fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("w, u, a0", [(1.5, 0.0, 1.0), (3.0, 0.2, -0.5), (0.5, -0.1, 2.0)])
def test_derivative_agrees_with_the_rnn_reference(w, u, a0):
    # a_t = w h_{t-1} + u with h = tanh(a): ∂a_T/∂a_0 = w ∂h_{T-1}/∂h_0 (1 - tanh²(a_0))
    T = 8
    params = {"W": np.array([[w]]), "U": np.array([[1.0]]), "b": np.zeros(1)}
    jac = lag_jacobians(make_cell("rnn"), params, np.full((T - 1, 1), u), {"h": [np.tanh(a0)]})
    expected = w * jac[0, 0, 0] * (1 - np.tanh(a0) ** 2)
    assert derivative(w, a0, T, u)[T] == pytest.approx(expected, rel=1e-12)


def test_derivative_vanishes_at_the_rate_of_the_fixed_point_factor():
    d = derivative(3.0, a0=1.0, T=80)
    factor = fixed_points(3.0)[-1].factor
    assert d[80] / d[79] == pytest.approx(factor, rel=1e-9)
    assert d[80] < 1e-100


def test_symbolic_factor():
    expr, a, w, u = symbolic_map()
    assert sp.simplify(sp.diff(expr, a) - w * (1 - sp.tanh(a) ** 2)) == 0
    at_fp = factor_at_fixed_point()
    assert sp.tanh(a) not in at_fp.atoms(sp.tanh)
    for p in fixed_points(2.0, 0.3):
        assert float(at_fp.subs({a: p.a, w: 2.0, u: 0.3})) == pytest.approx(p.factor, abs=1e-10)


def test_step_factor_vectorises():
    np.testing.assert_allclose(step_factor(2.0, np.array([0.0, 1.0])), [2.0, 2 * (1 - np.tanh(1.0) ** 2)])


def test_plots():
    from matplotlib.figure import Figure

    ax = plot_map(1.5, ax=Figure().subplots())  # the map, the diagonal, then -a* and +a* together, and 0
    assert len(ax.get_lines()) == 2 + 2
    assert sum(len(line.get_xdata()) for line in ax.get_lines()[2:]) == 3  # every fixed point drawn
    ax = plot_derivative((0.5, 3.0), T=20, ax=Figure().subplots())
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fixed_points("2"), "w must"),
        (lambda: fixed_points(2.0, tol=0.0), "tol"),
        (lambda: fixed_points(np.inf), "finite"),
        (lambda: trajectory(2.0, 0.1, T=-1), "T must"),
        (lambda: derivative(2.0, None, T=3), "a0"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(LstmsymError, match=message):
        call()


def test_loglog_slope_power_law_at_w_1_and_geometric_above():
    from lstmsym.experiments.latch import loglog_slope

    # w = 1, u = 0: a_t ~ sqrt(3 / (2t)), so d_t ~ t^(-3/2); the local exponent approaches -1.5
    slopes = [loglog_slope(1.0, 1.0, t, 2 * t) for t in (50, 200, 1000)]
    assert all(-1.5 < s < -1.4 for s in slopes) and slopes[0] > slopes[1] > slopes[2]
    assert abs(slopes[-1] + 1.5) < 0.005
    # geometric decay: the log-log slope is (t2 - t1) log(factor) / log 2, doubling with t
    factor = fixed_points(1.5)[-1].factor
    s1, s2 = loglog_slope(1.5, 1.0, 50, 100), loglog_slope(1.5, 1.0, 100, 200)
    assert s2 == pytest.approx(2 * s1, rel=1e-6)
    assert s2 == pytest.approx(100 * np.log(factor) / np.log(2), rel=1e-6)
    with pytest.raises(LstmsymError, match="t1 and t2"):
        loglog_slope(1.0, 1.0, 10, 10)
    with pytest.raises(LstmsymError, match="underflows"):
        loglog_slope(3.0, 1.0, 10, 1000)


def test_map_label_and_decade_ticks():
    from matplotlib.figure import Figure

    from lstmsym.experiments.latch import map_label

    assert map_label(3.0) == r"$a \mapsto 3\,\tanh(a)$"
    assert map_label(1.5, 0.5) == r"$a \mapsto 1.5\,\tanh(a) + 0.5$"
    ax = plot_map(3.0, ax=Figure().subplots())
    assert ax.get_title() == r"$a \mapsto 3\,\tanh(a)$"
    labels = ax.get_legend_handles_labels()[1]  # the two attractors +-a* share one entry (review item 22)
    assert len(labels) == len(set(labels)) == 4
    assert sum(label.startswith("stable") for label in labels) == 1 and r"\pm" in labels[2]
    ax = plot_derivative((0.5, 1.0, 1.5, 3.0), a0=1.0, T=100, ax=Figure().subplots())
    assert "+ 0" not in ax.get_title()
    exponents = np.round(np.log10(ax.get_yticks())).astype(int)
    assert exponents[0] == 0 and len(set(np.diff(exponents))) == 1 and len(exponents) <= 8
    assert ax.get_ylim()[0] <= abs(derivative(3.0, 1.0, 100)[-1])


def test_fixed_point_and_run_frames_match_the_functions_they_report():
    from lstmsym.experiments.latch import fixed_point_frame, run_frame

    points = fixed_point_frame(ws=(0.5, 3.0))
    assert list(points.index.get_level_values("w")) == [0.5, 3.0, 3.0, 3.0]
    assert list(points["kind"]) == ["stable", "stable", "unstable", "stable"]
    assert points["factor"].iloc[-1] == fixed_points(3.0)[-1].factor
    run = run_frame(ws=(0.5, 3.0), a0=1.0, T=100)
    assert list(run.columns) == ["a_100 from +1", "a_100 from -1", "∂a_100/∂a_0"]
    assert run.loc[3.0, "∂a_100/∂a_0"] == derivative(3.0, 1.0, 100)[-1]
    assert run.loc[3.0, "a_100 from -1"] == trajectory(3.0, -1.0, 100)[-1]
    with pytest.raises(LstmsymError, match="T"):
        run_frame(T=-1)
    with pytest.raises(LstmsymError, match="w"):
        fixed_point_frame(ws=(float("nan"),))


def test_slope_frame_matches_loglog_slope():
    from lstmsym.experiments.latch import loglog_slope, slope_frame

    table = slope_frame(ws=(1.0, 1.5), spans=((50, 100), (100, 200)))
    assert list(table.columns) == ["steps 50 → 100", "steps 100 → 200"]
    assert table.loc[1.5, "steps 100 → 200"] == loglog_slope(1.5, 1.0, 100, 200)
    # geometric decay: doubling the span doubles the slope; the power law at w = 1 keeps it near -3/2
    assert loglog_slope(1.5, 1.0, 100, 200) == pytest.approx(2 * loglog_slope(1.5, 1.0, 50, 100), rel=1e-3)
    with pytest.raises(LstmsymError, match="t1"):
        slope_frame(spans=((100, 50),))
