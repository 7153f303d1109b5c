"""Gradient-norm clipping: bounds a huge gradient, leaves a tiny one alone, keeps the direction."""

import numpy as np
import pytest

from lstmsym.errors import LstmsymError
from lstmsym.experiments.clipping import clip_by_norm


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
    with pytest.raises(LstmsymError, match="gradient 'g' (must hold real numbers|contains NaN or infinite)"):
        clip_by_norm(g, 1.0)
