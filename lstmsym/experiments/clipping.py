r"""Gradient-norm clipping (Pascanu, Mikolov & Bengio 2013): if ‖g‖ ≥ θ then g ← θ g/‖g‖.

Clipping rescales the whole gradient by one positive number and keeps its direction. A huge gradient
comes back with norm θ, so one update cannot throw the weights far away: that tames explosion. A tiny
gradient is returned unchanged, and the long-lag part of a gradient keeps the same share of it after
clipping as before: clipping cannot bring back a vanished signal.

>>> g = np.array([3e8, 4e8])                 # ‖g‖ = 5e8
>>> clip_by_norm(g, 1.0)
array([0.6, 0.8])
>>> clip_by_norm(np.array([3e-9, 4e-9]), 1.0)  # below θ: untouched
array([3.e-09, 4.e-09])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..checks import positive_number
from ..errors import LstmsymError
from ..numerics import reference
from ..numerics.params import as_real_array
from .rnn_bounds import _rnn_cell, rnn_params


def clip_factor(norm: float, threshold: float) -> float:
    """The number clipping multiplies the gradient by: θ/‖g‖ when ‖g‖ ≥ θ, else 1.

    >>> clip_factor(5e8, 1.0), clip_factor(0.5, 1.0)
    (2e-09, 1.0)
    """
    return float(threshold) / norm if norm >= threshold else 1.0


def clip_by_norm(g: object, threshold: float) -> np.ndarray:
    """Return θ g/‖g‖ if ‖g‖ ≥ θ, else a copy of g; ‖·‖ is the Euclidean norm over all entries.

    ``g`` is any array (a flattened or stacked gradient); ``threshold`` θ > 0. The result has g's shape.

    >>> float(np.linalg.norm(clip_by_norm(np.full((2, 2), 10.0), 2.0)))
    2.0
    >>> clip_by_norm([1.0, 2.0], 0)
    Traceback (most recent call last):
    ...
    lstmsym.errors.LstmsymError: threshold must be a positive number, got 0
    """
    threshold = positive_number("threshold", threshold)
    arr = as_real_array("g", g, "gradient")
    return arr * clip_factor(float(np.linalg.norm(arr)), threshold)


@dataclass(frozen=True)
class ClipDemo:
    """One backward pass through an RNN and what norm clipping at ``theta`` does to it.

    ``ds`` is (T+1, n): ``ds[k]`` = ∂𝓛/∂h_k for the loss 𝓛 = v · h_T (so ``ds[T]`` = v).
    """

    lambda1: float
    input_scale: float
    theta: float
    ds: np.ndarray

    @property
    def grad_norm(self) -> float:
        """‖∂𝓛/∂h_0‖, the gradient that reaches the initial state."""
        return float(np.linalg.norm(self.ds[0]))

    @property
    def clipped_norm(self) -> float:
        """‖∂𝓛/∂h_0‖ after clipping that gradient alone at θ."""
        return float(np.linalg.norm(clip_by_norm(self.ds[0], self.theta)))

    def lag_balance(self) -> tuple[float, float]:
        """‖∂𝓛/∂h_0‖ / ‖∂𝓛/∂h_{T-1}‖ (lag T over lag 1), before and after clipping every lag together."""
        clipped = clip_by_norm(self.ds, self.theta)
        before = np.linalg.norm(self.ds[0]) / np.linalg.norm(self.ds[-2])
        after = np.linalg.norm(clipped[0]) / np.linalg.norm(clipped[-2])
        return float(before), float(after)


def clipping_demo(
    cell: object,
    settings: Mapping[float, float],
    xs: object,
    v: object,
    seed: int = 0,
    theta: float = 1.0,
) -> dict[float, ClipDemo]:
    """Backpropagate L = v̂ · h_T through RNNs with given λ1, then clip: λ1 → :class:`ClipDemo`.

    ``settings`` maps λ1 (largest singular value of W) to the input scale (0: no input) passed to
    :func:`lstmsym.experiments.rnn_bounds.rnn_params` with ``seed``; ``xs`` (T, m) is the input sequence
    (T ≥ 2), ``v`` (n,) the loss direction, normalised here to v̂ = v/‖v‖; ``theta`` the clipping threshold.
    The gradients come from :func:`lstmsym.numerics.reference.backward`.

    >>> from lstmsym.cells import make_cell
    >>> cell = make_cell("rnn", n=8)
    >>> v = np.random.default_rng(0).standard_normal(8)
    >>> demo = clipping_demo(cell, {0.5: 1.0, 2.0: 0.0}, np.ones((30, 1)), v, seed=0, theta=1.0)
    >>> bool(demo[0.5].grad_norm < 1e-8), demo[0.5].clipped_norm == demo[0.5].grad_norm
    (True, True)
    >>> bool(demo[2.0].grad_norm > 1e8), round(demo[2.0].clipped_norm, 12)
    (True, 1.0)
    """
    if not isinstance(settings, Mapping) or not settings:
        raise LstmsymError(f"settings must be a non-empty mapping lambda1 -> input scale, got {settings!r}")
    cell = _rnn_cell(cell)
    v = as_real_array("v", v, "loss direction")
    if v.shape != (cell.n,) or not np.linalg.norm(v) > 0:
        raise LstmsymError(f"v must be a nonzero vector of shape ({cell.n},), got shape {v.shape}")
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 2 or xs.shape[0] < 2:
        raise LstmsymError(f"xs must be a (T, m) array with T >= 2 steps, got shape {xs.shape}")
    clip_by_norm(v, theta)  # validates theta
    v = v / np.linalg.norm(v)
    out = {}
    for lam, scale in settings.items():
        params = rnn_params(cell, lam, seed=seed, input_scale=scale)
        ds = reference.backward(cell, params, reference.forward(cell, params, xs), xs, v).ds
        out[lam] = ClipDemo(float(lam), float(scale), float(theta), ds)
    return out


def clip_frame(demos: Mapping[float, ClipDemo]):
    """A pandas DataFrame, one row per λ1: ‖∂𝓛/∂h_0‖ before and after clipping at θ (𝓛 is the loss).

    >>> ds = np.array([[3e8, 4e8], [1.0, 0.0]])
    >>> clip_frame({1.2: ClipDemo(1.2, 0.0, 1.0, ds)})
         ‖∂𝓛/∂h_0‖  clipped at θ  θ
    λ1
    1.2  500000000.0           1.0  1.0
    """
    import pandas as pd

    rows = {lam: [d.grad_norm, d.clipped_norm, d.theta] for lam, d in _demos(demos).items()}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["‖∂𝓛/∂h_0‖", "clipped at θ", "θ"])
    table.index.name = "λ1"
    return table


def lag_balance_frame(demos: Mapping[float, ClipDemo]):
    """A pandas DataFrame, one row per λ1: the lag balance ‖∂𝓛/∂h_0‖ / ‖∂𝓛/∂h_{T-1}‖ (lag T over lag 1),
    before and after clipping every lag together; the columns name the lags.

    >>> ds = np.array([[3e8, 4e8], [1.0, 0.0], [0.6, 0.8]])
    >>> lag_balance_frame({1.2: ClipDemo(1.2, 0.0, 1.0, ds)}).columns.tolist()
    ['lag 2 / lag 1, before clipping', 'lag 2 / lag 1, after clipping']
    >>> lag_balance_frame({1.2: ClipDemo(1.2, 0.0, 1.0, ds)}).iloc[0].tolist()
    [500000000.0, 500000000.0]
    """
    import pandas as pd

    demos = _demos(demos)
    lags = {len(d.ds) - 1 for d in demos.values()}
    T = lags.pop() if len(lags) == 1 else "T"
    rows = {lam: list(d.lag_balance()) for lam, d in demos.items()}
    columns = [f"lag {T} / lag 1, {when} clipping" for when in ("before", "after")]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "λ1"
    return table


def _demos(demos: object) -> dict[float, ClipDemo]:
    ok = isinstance(demos, Mapping) and demos and all(isinstance(d, ClipDemo) for d in demos.values())
    if not ok:
        raise LstmsymError(f"demos must be a non-empty mapping λ1 -> ClipDemo (clipping_demo), got {demos!r}")
    return dict(demos)
