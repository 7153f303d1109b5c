"""The Pascanu bound experiment: parameters with a prescribed λ1, measured norms, the bound itself."""

import numpy as np
import pytest

from lstmsym.cells import make_cell
from lstmsym.errors import LstmsymError
from lstmsym.experiments.rnn_bounds import (
    BoundSweep,
    bound_sweep,
    input_scale_frame,
    input_scale_sweeps,
    largest_singular_value,
    measured_norms,
    pascanu_bound,
    plot_bound_sweep,
    rnn_params,
    slope_bound,
    tanh_slopes,
)


def _products_by_hand(params, xs):
    """‖∂h_T/∂h_{T-L}‖₂ by an explicit forward pass and explicit matrix products (independent code)."""
    W, U, b = params["W"], params["U"], params["b"]
    h, jacobians = np.zeros(W.shape[0]), []
    for x in xs:
        h = np.tanh(W @ h + U @ x + b)
        jacobians.append(np.diag(1 - h**2) @ W)
    M, out = np.eye(W.shape[0]), [1.0]
    for J in reversed(jacobians):
        M = M @ J
        out.append(np.linalg.svd(M, compute_uv=False)[0])
    return np.array(out)


@pytest.mark.parametrize("spectrum", ["orthogonal", "gaussian"])
@pytest.mark.parametrize("lam", [0.3, 1.0, 2.5])
def test_w_has_the_prescribed_largest_singular_value(spectrum, lam):
    params = rnn_params(make_cell("rnn", n=6, m=2), lam, seed=3, spectrum=spectrum)
    assert np.linalg.svd(params["W"], compute_uv=False)[0] == pytest.approx(lam, rel=1e-12)
    assert largest_singular_value(params["W"]) == pytest.approx(lam, rel=1e-12)
    assert params["U"].shape == (6, 2) and np.all(params["b"] == 0)


def test_orthogonal_spectrum_has_flat_singular_values_and_gaussian_does_not():
    cell = make_cell("rnn", n=20)
    s_orth = np.linalg.svd(rnn_params(cell, 1.2, seed=0)["W"], compute_uv=False)
    s_gauss = np.linalg.svd(rnn_params(cell, 1.2, seed=0, spectrum="gaussian")["W"], compute_uv=False)
    np.testing.assert_allclose(s_orth, 1.2, rtol=1e-12)
    assert s_gauss[-1] < 0.2  # a Gaussian matrix has small singular values too


def test_params_are_seeded():
    cell = make_cell("rnn", n=4)
    a, b = rnn_params(cell, 1.0, seed=7), rnn_params(cell, 1.0, seed=7)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W"], rnn_params(cell, 1.0, seed=8)["W"])


@pytest.mark.parametrize("seed", range(4))
def test_measured_norms_match_explicit_products(seed):
    rng = np.random.default_rng(seed)
    cell = make_cell("rnn", n=5, m=2)
    params = rnn_params(cell, rng.uniform(0.5, 2.0), seed=rng, spectrum="gaussian")
    xs = rng.standard_normal((12, 2))
    np.testing.assert_allclose(measured_norms(cell, params, xs), _products_by_hand(params, xs), rtol=1e-10)


@pytest.mark.parametrize("seed", range(6))
def test_bound_holds_on_random_draws(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 12))
    cell = make_cell("rnn", n=n, m=1)
    spectrum = ("orthogonal", "gaussian")[seed % 2]
    lam = rng.uniform(0.5, 1.5)
    params = rnn_params(cell, lam, seed=rng, spectrum=spectrum, input_scale=rng.uniform(0, 3))
    params["b"] = rng.standard_normal(n)
    xs = rng.standard_normal((40, 1))
    state0 = {"h": rng.uniform(-1, 1, n)}
    norms = measured_norms(cell, params, xs, state0)
    assert np.all(norms <= pascanu_bound(40, lam) * (1 + 1e-12))
    tighter = slope_bound(cell, params, xs, state0)
    assert np.all(norms <= tighter * (1 + 1e-12))
    assert np.all(tighter <= pascanu_bound(40, lam) * (1 + 1e-12))


def test_linear_regime_attains_the_bound():
    # no input and h_0 = 0: h stays 0, every slope is 1, and ‖(λ1 Q)^L‖₂ = λ1^L exactly
    sweep = bound_sweep(lambdas=(0.8, 1.2), n=10, T=30, seeds=(0, 1), input_scale=0.0)
    for i in range(2):
        np.testing.assert_allclose(sweep.norms[i], np.broadcast_to(sweep.bound(i), (2, 31)), rtol=1e-10)


def test_driven_rnn_with_lambda_above_one_still_vanishes():
    # the honest case: λ1 = 1.2 allows growth, but saturated tanh slopes make the norms shrink
    sweep = bound_sweep(lambdas=(1.2,), n=30, T=60, seeds=(0, 1, 2), input_scale=1.0)
    assert sweep.holds()
    assert sweep.median(0)[60] < 1e-3 < sweep.bound(0)[60]


def test_tanh_slopes_are_the_diagonal_of_the_step_jacobian():
    rng = np.random.default_rng(5)
    cell = make_cell("rnn", n=3, m=1)
    params = rnn_params(cell, 1.1, seed=rng)
    xs = rng.standard_normal((7, 1))
    slopes = tanh_slopes(cell, params, xs)
    assert slopes.shape == (7, 3) and np.all((slopes > 0) & (slopes <= 1))
    # the step Jacobian at t = 1 from h_0 = 0 is diag(1 - h_1²) W, so row 0 = J_1 W^-1
    h1 = np.tanh(params["U"] @ xs[0])
    np.testing.assert_allclose(slopes[0], 1 - h1**2, rtol=1e-14)
    # with n = 1 the measured norms are products of |W| times the slopes
    cell1 = make_cell("rnn")
    p1 = {"W": np.array([[1.7]]), "U": np.array([[0.8]]), "b": np.array([0.1])}
    s1 = tanh_slopes(cell1, p1, xs)[:, 0]
    np.testing.assert_allclose(measured_norms(cell1, p1, xs)[1:], np.cumprod(1.7 * s1[::-1]), rtol=1e-12)


def test_pascanu_bound_values():
    np.testing.assert_allclose(pascanu_bound(3, 2.0, gamma=0.25), [1, 0.5, 0.25, 0.125])
    assert pascanu_bound(0, 5.0).tolist() == [1.0]


def test_table_and_plot():
    sweep = bound_sweep(lambdas=(0.8, 1.0), n=4, T=10, seeds=(0, 1))
    assert isinstance(sweep, BoundSweep)
    table = sweep.frame(lags=(1, 10, 11))  # lag 11 > T is left out
    assert list(table.index) == [0.8, 1.0] and list(table.columns) == [
        (1, "median"), (1, "bound"), (10, "median"), (10, "bound")]
    np.testing.assert_array_equal(table[(10, "median")], [sweep.median(0)[10], sweep.median(1)[10]])
    np.testing.assert_array_equal(table[(10, "bound")], [0.8**10, 1.0])
    with pytest.raises(LstmsymError, match="lags"):
        sweep.frame(lags=(11,))
    from matplotlib.figure import Figure

    axes = plot_bound_sweep(sweep, Figure().subplots(1, 2))
    assert [ax.get_yscale() for ax in axes] == ["log", "log"]
    assert len(axes[0].get_lines()) == 2 + 2  # two seeds, median, bound


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rnn_params(make_cell("gru"), 1.0), "RNN cell"),
        (lambda: rnn_params(make_cell("rnn"), -1.0), "lambda1"),
        (lambda: rnn_params(make_cell("rnn"), 1.0, spectrum="unitary"), "spectrum"),
        (lambda: rnn_params(make_cell("rnn"), 1.0, input_scale=-1), "input_scale"),
        (lambda: pascanu_bound(-1, 1.0), "max_lag"),
        (lambda: largest_singular_value(np.ones((2, 3))), "square"),
        (lambda: measured_norms(make_cell("rnn"), {"W": np.eye(1)}, np.zeros((2, 1))), "missing"),
        (lambda: bound_sweep(T=0), "T must"),
        (lambda: plot_bound_sweep("sweep"), "BoundSweep"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(LstmsymError, match=message):
        call()


def test_input_scale_sweeps_and_their_table():
    sweeps = input_scale_sweeps(1.3, (0.0, 0.5), n=6, T=12, seeds=(2, 3))
    assert [sw.input_scale for sw in sweeps] == [0.0, 0.5] and all(sw.lambdas == (1.3,) for sw in sweeps)
    np.testing.assert_array_equal(
        sweeps[1].norms, bound_sweep((1.3,), n=6, T=12, seeds=(2, 3), input_scale=0.5).norms
    )
    np.testing.assert_allclose(sweeps[0].median(0), 1.3 ** np.arange(13), rtol=1e-10)  # no input: h stays 0
    table = input_scale_frame(sweeps, lags=(2, 12))
    assert list(table.index) == [0.0, 0.5]
    assert list(table.columns) == ["median, lag 2", "median, lag 12", "bound, lag 12"]
    np.testing.assert_allclose(table.loc[0.0], [1.3**2, 1.3**12, 1.3**12], rtol=1e-10)
    assert table.loc[0.5, "median, lag 12"] == sweeps[1].median(0)[12]
    with pytest.raises(LstmsymError, match=r"lags must be non-empty and lie in 0\.\.12"):
        input_scale_frame(sweeps, lags=(13,))
    with pytest.raises(LstmsymError, match="BoundSweep"):
        input_scale_frame(["sweep"])
    with pytest.raises(LstmsymError, match="input_scales"):
        input_scale_sweeps(1.2, ())
