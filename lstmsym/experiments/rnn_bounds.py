r"""The Pascanu-Mikolov-Bengio bound on a vanilla RNN's gradient norms, against measured norms.

For h_t = tanh(W h_{t-1} + U x_t + b) one step multiplies by ∂h_t/∂h_{t-1} = diag(1 - h_t²) W. The
spectral norm of a product is at most the product of the norms, ‖diag(1 - h_t²)‖ ≤ gamma = 1 for tanh
and ‖W‖ = λ1 (the largest singular value of W), so over a lag L = T - k

    ‖∂h_T/∂h_k‖₂ ≤ (gamma λ1)^L                                    (Pascanu, Mikolov & Bengio 2013)

gamma λ1 < 1 forces vanishing. gamma λ1 > 1 only allows growth: the tanh slopes 1 - h_t² can still pull the
product down. This module draws RNN parameters whose W has a prescribed λ1, measures the norms with
the NumPy reference (:func:`lstmsym.numerics.reference.lag_jacobian_norms`, ord = 2), and plots both.

>>> from lstmsym.cells import make_cell
>>> cell = make_cell("rnn", n=4, m=1)
>>> params = rnn_params(cell, lambda1=0.9, seed=0)
>>> round(largest_singular_value(params["W"]), 12)
0.9
>>> xs = np.zeros((3, 1))                 # no input, h_0 = 0: h stays 0 and every slope is 1
>>> measured_norms(cell, params, xs).round(6)         # lags 0, 1, 2, 3: W = 0.9 Q, so 0.9^L
array([1.   , 0.9  , 0.81 , 0.729])
>>> pascanu_bound(3, lambda1=0.9)
array([1.   , 0.9  , 0.81 , 0.729])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..cells import make_cell
from ..cells.base import Cell
from ..checks import positive_number
from ..errors import LstmsymError, UnknownChoiceError
from ..numerics.params import check_inputs, check_params, check_state
from ..numerics.reference import lag_jacobian_norms

#: How W is drawn before it is scaled to the prescribed largest singular value.
SPECTRA = ("orthogonal", "gaussian")


def _rnn_cell(cell: object) -> Cell:
    if not isinstance(cell, Cell) or cell.kind != "rnn":
        raise LstmsymError(f"cell must be an RNN cell, make_cell('rnn', n, m); got {cell!r}")
    return cell


def largest_singular_value(W: object) -> float:
    """λ1 = ‖W‖₂, the largest singular value of a square matrix.

    >>> largest_singular_value([[0.0, 2.0], [-0.5, 0.0]])
    2.0
    """
    arr = np.asarray(W, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise LstmsymError(f"W must be a square (n, n) matrix, got shape {arr.shape}")
    return float(np.linalg.norm(arr, 2))


def rnn_params(
    cell: Cell,
    lambda1: float,
    seed: int | np.random.Generator = 0,
    spectrum: str = "orthogonal",
    input_scale: float = 1.0,
) -> dict[str, np.ndarray]:
    """RNN parameters W, U, b whose W has largest singular value ``lambda1``.

    ``spectrum="orthogonal"``: W = λ1 Q with Q a random orthogonal matrix, so *every* singular value
    is λ1 (and every eigenvalue has modulus λ1): the bound is attained while the tanh slopes are 1.
    ``spectrum="gaussian"``: a matrix of independent N(0, 1) entries scaled to ‖W‖₂ = λ1; its
    eigenvalues are much smaller than λ1 (about λ1/2 in modulus for large n), so the bound is loose.
    U has N(0, input_scale²/m) entries (input_scale = 0 gives U = 0); b = 0.

    >>> cell = make_cell("rnn", n=3, m=2)
    >>> p = rnn_params(cell, lambda1=1.2, seed=1, spectrum="gaussian")
    >>> sorted(p), p["U"].shape
    (['U', 'W', 'b'], (3, 2))
    >>> np.linalg.svd(rnn_params(cell, 1.2, seed=1)["W"], compute_uv=False).round(12)
    array([1.2, 1.2, 1.2])
    """
    cell = _rnn_cell(cell)
    lam = positive_number("lambda1", lambda1)
    if spectrum not in SPECTRA:
        raise UnknownChoiceError("spectrum", spectrum, SPECTRA)
    if isinstance(input_scale, bool) or not (np.isfinite(input_scale) and input_scale >= 0):
        raise LstmsymError(f"input_scale must be a finite number >= 0, got {input_scale!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer | np.random.Generator):
        raise LstmsymError(f"seed must be an int or a numpy Generator, got {seed!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n, m = cell.n, cell.m
    A = rng.standard_normal((n, n))
    if spectrum == "orthogonal":
        Q, R = np.linalg.qr(A)
        Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)  # sign fix: Q is Haar-distributed
        W = lam * Q  # (n, n), all singular values λ1
    else:
        W = A * (lam / np.linalg.norm(A, 2))  # (n, n), largest singular value λ1
    U = rng.standard_normal((n, m)) * (float(input_scale) / np.sqrt(m))  # (n, m)
    return {"W": W, "U": U, "b": np.zeros(n)}


def measured_norms(
    cell: Cell,
    params: Mapping[str, object],
    xs: object,
    state0: Mapping[str, object] | None = None,
) -> np.ndarray:
    """‖∂h_T/∂h_{T-L}‖₂ for lags L = 0..T, (T+1,), along the trajectory driven by ``xs`` (T, m).

    Entry L is the spectral norm of the product of the last L step Jacobians (entry 0: the identity).
    Computed by the NumPy reference, independently of the symbolic engine.

    >>> cell = make_cell("rnn")
    >>> p = {"W": np.array([[2.0]]), "U": np.array([[1.0]]), "b": np.zeros(1)}
    >>> measured_norms(cell, p, [[0.5], [0.5]]).round(4)   # 2(1 - h_2²), then × 2(1 - h_1²)
    array([1.    , 0.4141, 0.6513])
    """
    cell = _rnn_cell(cell)
    params = check_params(cell, params)
    xs = check_inputs(cell, xs)
    state0 = check_state(cell, state0)
    norms = lag_jacobian_norms(cell, params, xs, state0, block=("h", "h"), ord=2)
    return norms[::-1].copy()  # lag_jacobian_norms is indexed by k; lag L = T - k


def pascanu_bound(max_lag: int, lambda1: float, gamma: float = 1.0) -> np.ndarray:
    """(gamma λ1)^L for L = 0..max_lag: the bound on ‖∂h_T/∂h_{T-L}‖₂ (gamma bounds the slope; 1 for tanh).

    >>> pascanu_bound(2, lambda1=4.0, gamma=0.25)            # a sigmoid RNN with λ1 = 4: gamma λ1 = 1
    array([1., 1., 1.])
    """
    if isinstance(max_lag, bool) or not isinstance(max_lag, int | np.integer) or max_lag < 0:
        raise LstmsymError(f"max_lag must be an int >= 0, got {max_lag!r}")
    factor = positive_number("lambda1", lambda1) * positive_number("gamma", gamma)
    return factor ** np.arange(max_lag + 1, dtype=np.float64)


def slope_bound(
    cell: Cell, params: Mapping[str, object], xs: object, state0: Mapping[str, object] | None = None
) -> np.ndarray:
    """A tighter, trajectory-dependent bound: ∏ over the last L steps of λ1 · max_i (1 - h_{t,i}²).

    ‖diag(1 - h_t²) W‖₂ ≤ max_i (1 - h_{t,i}²) λ1, so this bounds the measured norms too; it shows how
    much the saturated tanh slopes take off (gamma = 1 is their largest possible value, at h = 0).

    >>> cell = make_cell("rnn")
    >>> p = {"W": np.array([[2.0]]), "U": np.array([[1.0]]), "b": np.zeros(1)}
    >>> slope_bound(cell, p, [[0.5], [0.5]]).round(4)       # n = 1: equal to the measured norms
    array([1.    , 0.4141, 0.6513])
    """
    cell = _rnn_cell(cell)
    params = check_params(cell, params)
    xs = check_inputs(cell, xs)
    h = check_state(cell, state0)["h"]
    lam = largest_singular_value(params["W"])
    factors = []
    for x in xs:  # the forward pass, h_t = tanh(W h_{t-1} + U x_t + b)
        h = np.tanh(params["W"] @ h + params["U"] @ x + params["b"])
        factors.append(lam * float(np.max(1.0 - h**2)))  # bound on ‖diag(1 - h_t²) W‖₂
    return np.concatenate([[1.0], np.cumprod(factors[::-1])])


def tanh_slopes(
    cell: Cell, params: Mapping[str, object], xs: object, state0: Mapping[str, object] | None = None
) -> np.ndarray:
    """The tanh slopes 1 - h_t² along the trajectory, (T, n); row t-1 is the diagonal of diag(1 - h_t²).

    >>> cell = make_cell("rnn")
    >>> p = {"W": np.array([[2.0]]), "U": np.array([[1.0]]), "b": np.zeros(1)}
    >>> tanh_slopes(cell, p, [[0.5], [0.5]]).round(4)
    array([[0.7864], [0.207 ]])
    """
    cell = _rnn_cell(cell)
    params = check_params(cell, params)
    xs = check_inputs(cell, xs)
    h = check_state(cell, state0)["h"]
    out = np.empty((xs.shape[0], cell.n))
    for t, x in enumerate(xs):  # h_t = tanh(W h_{t-1} + U x_t + b)
        h = np.tanh(params["W"] @ h + params["U"] @ x + params["b"])
        out[t] = 1.0 - h**2
    return out


@dataclass(frozen=True)
class BoundSweep:
    """Measured norms for several λ1 and seeds. ``norms[i, s, L]`` = ‖∂h_T/∂h_{T-L}‖₂ for
    ``lambdas[i]`` and ``seeds[s]``; ``gamma`` = 1 (tanh)."""

    lambdas: tuple[float, ...]
    seeds: tuple[int, ...]
    n: int
    T: int
    input_scale: float
    spectrum: str
    norms: np.ndarray
    gamma: float = 1.0

    @property
    def lags(self) -> np.ndarray:
        return np.arange(self.T + 1)

    def median(self, i: int) -> np.ndarray:
        """Median over seeds of the norms for ``lambdas[i]``, (T+1,)."""
        return np.median(self.norms[i], axis=0)

    def bound(self, i: int) -> np.ndarray:
        """(gamma λ1)^L for ``lambdas[i]``, (T+1,)."""
        return pascanu_bound(self.T, self.lambdas[i], self.gamma)

    def holds(self, rtol: float = 1e-12) -> bool:
        """Whether every measured norm is at most the bound (up to round-off ``rtol``)."""
        return all(
            bool(np.all(self.norms[i] <= self.bound(i) * (1 + rtol))) for i in range(len(self.lambdas))
        )

    def frame(self, lags: Sequence[int] = (1, 10, 50, 100)):
        """A pandas DataFrame: one row per gamma λ1, the median measured norm and the bound at each lag.

        Columns are (lag L, "median" or "bound"); lags past T are left out.

        >>> bound_sweep(lambdas=(0.5,), n=2, T=3, seeds=(0,), input_scale=0.0).frame(lags=(1, 3))
        lag L     1               3
               median bound  median  bound
        γλ1
        0.5       0.5   0.5   0.125  0.125
        """  # noqa: RUF002
        import pandas as pd

        lags = [int(L) for L in lags if 0 <= L <= self.T]
        if not lags:
            raise LstmsymError(f"lags must hold at least one lag in 0..{self.T}")
        rows = {}
        for i, lam in enumerate(self.lambdas):
            med, bnd = self.median(i), self.bound(i)
            rows[self.gamma * lam] = [v for L in lags for v in (med[L], bnd[L])]
        columns = pd.MultiIndex.from_tuples(
            [(L, what) for L in lags for what in ("median", "bound")], names=["lag L", None]
        )
        table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
        table.index.name = "\u03b3\u03bb1"  # gamma lambda1
        return table


def bound_sweep(
    lambdas: Sequence[float] = (0.8, 1.0, 1.2),
    n: int = 50,
    T: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    input_scale: float = 1.0,
    spectrum: str = "orthogonal",
) -> BoundSweep:
    """Measure ‖∂h_T/∂h_{T-L}‖₂, L = 0..T, for RNNs of size ``n`` with each λ1 and each seed.

    Seed s draws W and U (:func:`rnn_params`, m = 1) and the inputs x_t ~ N(0, 1); h_0 = 0. With
    ``input_scale=0`` there is no input, h stays 0, and the norms are those of W^L.

    >>> sweep = bound_sweep(lambdas=(0.8, 1.2), n=8, T=20, seeds=(0, 1))
    >>> sweep.norms.shape, sweep.holds()
    ((2, 2, 21), True)
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise LstmsymError(f"n must be an int >= 1, got {n!r}")
    if isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 1:
        raise LstmsymError(f"T must be an int >= 1, got {T!r}")
    lambdas = tuple(positive_number("lambdas entry", lam) for lam in lambdas)
    seeds = tuple(int(s) for s in seeds)
    if not lambdas or not seeds:
        raise LstmsymError("lambdas and seeds must each hold at least one value")
    cell = make_cell("rnn", n=int(n), m=1)
    norms = np.empty((len(lambdas), len(seeds), T + 1))
    for i, lam in enumerate(lambdas):
        for j, seed in enumerate(seeds):
            rng = np.random.default_rng(seed)
            params = rnn_params(cell, lam, rng, spectrum=spectrum, input_scale=input_scale)
            xs = rng.standard_normal((T, 1))
            norms[i, j] = measured_norms(cell, params, xs)
    return BoundSweep(lambdas, seeds, int(n), int(T), float(input_scale), spectrum, norms)


def input_scale_sweeps(
    lambda1: float,
    input_scales: Sequence[float],
    n: int = 50,
    T: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
) -> list[BoundSweep]:
    """One :func:`bound_sweep` for the single ``lambda1`` per input scale: how the input decides the norms.

    >>> sweeps = input_scale_sweeps(1.2, (0.0, 1.0), n=8, T=20, seeds=(0,))
    >>> [s.input_scale for s in sweeps], bool(sweeps[0].median(0)[20] > sweeps[1].median(0)[20])
    ([0.0, 1.0], True)
    """
    if not input_scales:
        raise LstmsymError("input_scales must hold at least one input scale")
    return [bound_sweep(lambdas=(lambda1,), n=n, T=T, seeds=seeds, input_scale=s) for s in input_scales]


def input_scale_frame(sweeps: Sequence[BoundSweep], lags: Sequence[int] = (10, 100)):
    """A pandas DataFrame, one row per sweep's input scale (first λ1): the median norm at each lag and
    the bound at the last lag.

    >>> input_scale_frame(input_scale_sweeps(1.2, (0.0,), n=4, T=10, seeds=(0,)), lags=(1, 10)).round(4)
                 median, lag 1  median, lag 10  bound, lag 10
    input scale
    0.0                    1.2          6.1917         6.1917
    """
    import pandas as pd

    lags = [int(L) for L in lags]
    rows = {}
    for sweep in sweeps:
        if not isinstance(sweep, BoundSweep):
            raise LstmsymError(f"sweeps must hold BoundSweep objects, got {type(sweep).__name__}")
        if not lags or max(lags) > sweep.T or min(lags) < 0:
            raise LstmsymError(f"lags must be non-empty and lie in 0..{sweep.T}, got {lags!r}")
        med = sweep.median(0)
        rows[sweep.input_scale] = [med[L] for L in lags] + [sweep.bound(0)[lags[-1]]]
    columns = [f"median, lag {L}" for L in lags] + [f"bound, lag {lags[-1]}"]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "input scale"
    return table


def plot_bound_sweep(sweep: BoundSweep, axes=None):
    """One panel per λ1: each seed's measured norms (thin), their median (thick) and the bound (dotted).

    Log y axis. Returns the axes (creates a figure with pyplot when ``axes`` is None).

    >>> from matplotlib.figure import Figure
    >>> sweep = bound_sweep(lambdas=(0.8, 1.2), n=4, T=10, seeds=(0,))
    >>> axes = plot_bound_sweep(sweep, Figure().subplots(1, 2))
    >>> print(axes[1].get_title(), axes[0].get_yscale())
    $\\gamma\\lambda_1 = 1.2$ log
    """
    if not isinstance(sweep, BoundSweep):
        raise LstmsymError(f"sweep must be a BoundSweep (from bound_sweep), got {type(sweep).__name__}")
    k = len(sweep.lambdas)
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, k, figsize=(4.2 * k, 3.6), sharey=True, squeeze=False)
        axes = axes[0]
    axes = np.atleast_1d(axes)
    if axes.size != k:
        raise LstmsymError(f"axes must hold {k} panels (one per λ1), got {axes.size}")
    from ..style import log_axis, style

    lags, rnn, bound = sweep.lags, style("rnn"), style("bound")
    for i, ax in enumerate(axes):
        for s in range(len(sweep.seeds)):
            ax.plot(lags, sweep.norms[i, s], color=rnn.color, lw=0.6, alpha=0.4)
        label = f"RNN, measured (median of {len(sweep.seeds)})"
        ax.plot(lags, sweep.median(i), color=rnn.color, linestyle=rnn.linestyle, lw=2, label=label)
        label = r"bound $(\gamma\lambda_1)^{L}$"
        ax.plot(lags, sweep.bound(i), color=bound.color, linestyle=bound.linestyle, lw=1.5, label=label)
        log_axis(ax, "y")
        ax.set_xlabel("lag $L = T - k$")
        ax.set_title(f"$\\gamma\\lambda_1 = {sweep.gamma * sweep.lambdas[i]:g}$")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel(r"$\|\partial h_T / \partial h_{T-L}\|_2$")
    axes[0].legend(fontsize=8, loc="lower left")
    return axes
