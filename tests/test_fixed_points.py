"""The 2-cycle check and the lag control of lstmsym.training.fixed_points, against hand-computed maps."""

import numpy as np
import pytest

import lstmsym as ls
from lstmsym.training.fixed_points import lag_accuracies, latch_fixed_points, two_cycle_gap


def _rnn(w: float, u: float = 3.0):
    cell = ls.make_cell("rnn", n=1, m=1)
    params = {"W": np.array([[w]]), "U": np.array([[u]]), "b": np.array([0.0])}
    return cell, params


def test_a_flipping_unit_is_one_two_cycle():
    cell, params = _rnn(-2.0)  # h -> tanh(-2 h): no attracting fixed point, one attracting 2-cycle +-h*
    points = latch_fixed_points(cell, params, w_out=np.array([1.0]), b_out=0.0, period=2)
    stable = [p for p in points if p.kind == "stable"]
    assert len(stable) == 2 and stable[0].output * stable[1].output < 0
    a, b = stable[0].state, stable[1].state
    assert two_cycle_gap(cell, params, a, b) < 1e-10
    assert np.tanh(-2.0 * a) == pytest.approx(b, abs=1e-10)  # F(a) = b, by hand
    # the two-step spectral radius is the same product of two one-step slopes at both points
    slope = 2.0 * (1 - a[0] ** 2)
    assert stable[0].spectral_radius == pytest.approx(slope**2, rel=1e-9)
    assert stable[1].spectral_radius == pytest.approx(stable[0].spectral_radius, rel=1e-12)


def test_a_true_latch_is_not_a_two_cycle():
    cell, params = _rnn(2.0)  # h -> tanh(2 h): two attracting fixed points
    points = latch_fixed_points(cell, params, w_out=np.array([1.0]), b_out=0.0)
    a, b = points[0].state, points[1].state
    assert two_cycle_gap(cell, params, a, b) == pytest.approx(2 * abs(a[0]), rel=1e-9)  # F(a) = a, far from b


def test_lag_accuracies_flip_with_the_parity_of_the_lag_for_a_two_cycle():
    readout = {"w_out": np.array([1.0]), "b_out": np.array([0.0])}
    flip, stay = _rnn(-2.0), _rnn(2.0)
    acc_flip = lag_accuracies(flip[0], {**flip[1], **readout}, [6, 7, 8], noise=0.0)
    acc_stay = lag_accuracies(stay[0], {**stay[1], **readout}, [6, 7, 8], noise=0.0)
    assert acc_flip == {6: 1.0, 7: 0.0, 8: 1.0} and acc_stay == {6: 1.0, 7: 1.0, 8: 1.0}


def test_lag_accuracies_match_a_numpy_loop_with_noise():
    cell, params = _rnn(-1.5, u=2.0)
    params = {**params, "w_out": np.array([1.3]), "b_out": np.array([0.1])}
    T, seed = 9, 4
    acc = lag_accuracies(cell, params, [T], noise=0.5, batch=300, seed=seed)[T]
    rng = np.random.default_rng([seed, T])
    sign = rng.integers(0, 2, size=300)
    xs = np.empty((T + 1, 300))
    xs[0] = 2.0 * sign - 1.0
    xs[1:] = rng.normal(0.0, 1.0, size=(T, 300)) * 0.5
    h = np.zeros(300)
    for x in xs:
        h = np.tanh(-1.5 * h + 2.0 * x)
    y = 1.3 * h + 0.1
    assert acc == pytest.approx(np.mean((y > 0) == (sign == 1)), abs=1e-15)
