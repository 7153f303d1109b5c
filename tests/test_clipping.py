"""Gradient-norm clipping: bounds a huge gradient, leaves a tiny one alone, keeps the direction."""

import numpy as np
import pytest

from lstmsym.cells import make_cell
from lstmsym.errors import LstmsymError
from lstmsym.experiments.clipping import (
    ClipDemo,
    clip_by_norm,
    clip_frame,
    clipping_demo,
    lag_balance_frame,
)
from lstmsym.experiments.rnn_bounds import rnn_params
from lstmsym.numerics import reference


@pytest.mark.parametrize("seed", range(5))
def test_large_gradient_is_scaled_to_the_threshold(seed):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((4, 3)) * 10.0 ** rng.uniform(2, 30)
    theta = rng.uniform(0.1, 5)
    clipped = clip_by_norm(g, theta)
    assert clipped.shape == g.shape
    assert np.sqrt(np.sum(clipped**2)) == pytest.approx(theta, rel=1e-12)
    cosine = np.sum(clipped * g) / (np.sqrt(np.sum(clipped**2)) * np.sqrt(np.sum(g**2)))
    assert cosine == pytest.approx(1.0, abs=1e-12)  # same direction


@pytest.mark.parametrize("scale", [1e-300, 1e-20, 0.5])
def test_small_gradient_is_unchanged(scale):
    g = np.array([0.6, -0.8]) * scale
    out = clip_by_norm(g, 1.0)
    assert np.array_equal(out, g)
    out[0] = 99.0
    assert g[0] != 99.0  # a copy, not a view


def test_threshold_is_inclusive_and_zero_gradient_stays_zero():
    g = np.array([3.0, 4.0])
    np.testing.assert_allclose(clip_by_norm(g, 5.0), g)
    assert np.array_equal(clip_by_norm(np.zeros(3), 1.0), np.zeros(3))


def test_clipping_keeps_the_ratio_of_long_to_short_lag_parts():
    # the long-lag contribution's share of the gradient is the same before and after clipping
    near, far = np.array([1e6, -2e6]), np.array([3e-9, 1e-9])
    clipped_near, clipped_far = (clip_by_norm(near + far, 1.0) / (near + far)) * np.stack([near, far])
    ratio = np.linalg.norm(far) / np.linalg.norm(near)
    assert np.linalg.norm(clipped_far) / np.linalg.norm(clipped_near) == pytest.approx(ratio, rel=1e-12)


@pytest.mark.parametrize("threshold", [0, -1.0, np.nan, np.inf, True, "1"])
def test_bad_threshold(threshold):
    with pytest.raises(LstmsymError, match="threshold"):
        clip_by_norm([1.0, 2.0], threshold)


@pytest.mark.parametrize("g", [[1.0, np.inf], [np.nan], ["a"], [True, False]])
def test_bad_gradient(g):
    with pytest.raises(LstmsymError, match=r"gradient 'g' (must hold real numbers|contains NaN or infinite)"):
        clip_by_norm(g, 1.0)


def test_clipping_demo_matches_a_hand_made_backward_pass():
    cell = make_cell("rnn", n=6)
    rng = np.random.default_rng(3)
    xs, v = rng.standard_normal((40, 1)), rng.standard_normal(6)
    demo = clipping_demo(cell, {0.5: 1.0, 2.0: 0.0}, xs, 3.0 * v, seed=7, theta=0.5)
    assert list(demo) == [0.5, 2.0]
    p = rnn_params(cell, 2.0, seed=7, input_scale=0.0)
    ds = reference.backward(cell, p, reference.forward(cell, p, xs), xs, v / np.linalg.norm(v)).ds
    np.testing.assert_allclose(demo[2.0].ds, ds, rtol=1e-12)  # v is normalised, the input switched off
    small, big = demo[0.5], demo[2.0]
    assert small.grad_norm < 1e-6 and small.clipped_norm == small.grad_norm  # vanished: untouched
    assert big.grad_norm > 1e6 and big.clipped_norm == pytest.approx(0.5, rel=1e-12)  # exploded: bounded
    for d in (small, big):
        before, after = d.lag_balance()
        assert before == pytest.approx(np.linalg.norm(d.ds[0]) / np.linalg.norm(d.ds[39]), rel=1e-12)
        assert after == pytest.approx(before, rel=1e-12)
    table = clip_frame(demo)
    assert list(table.index) == [0.5, 2.0] and list(table["θ"]) == [0.5, 0.5]
    assert table.loc[2.0, "‖∂𝓛/∂h_0‖"] == big.grad_norm and table.loc[2.0, "clipped at θ"] == big.clipped_norm
    balance = lag_balance_frame(demo)
    assert tuple(balance.loc[0.5]) == small.lag_balance()
    with pytest.raises(LstmsymError, match="demos"):
        clip_frame({})


def test_lag_balance_uses_lag_t_over_lag_1():
    ds = np.array([[0.0, 2.0], [5.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # lags 3, 2, 1, 0
    assert ClipDemo(1.0, 0.0, 1.0, ds).lag_balance() == (2.0, pytest.approx(2.0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"settings": {}}, "settings must be a non-empty mapping"),
        ({"v": np.zeros(4)}, "v must be a nonzero vector of shape"),
        ({"v": np.ones(3)}, "v must be a nonzero vector of shape"),
        ({"xs": np.ones((1, 1))}, "T >= 2"),
        ({"theta": -1.0}, "threshold must be a positive"),
        ({"cell": make_cell("gru", n=4)}, "rnn"),
    ],
)
def test_clipping_demo_bad_input(kwargs, message):
    args = {"cell": make_cell("rnn", n=4), "settings": {0.9: 1.0}, "xs": np.ones((5, 1)), "v": np.ones(4)}
    args.update(kwargs)
    with pytest.raises(LstmsymError, match=message):
        clipping_demo(**args)
