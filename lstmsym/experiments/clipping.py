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

import numpy as np

from ..errors import LstmsymError
from ..numerics.params import as_real_array


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
    lstmsym.errors.LstmsymError: threshold must be a positive finite number, got 0
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.integer | np.floating):
        raise LstmsymError(f"threshold must be a positive finite number, got {threshold!r}")
    if not (np.isfinite(threshold) and threshold > 0):
        raise LstmsymError(f"threshold must be a positive finite number, got {threshold!r}")
    arr = as_real_array("g", g, "gradient")
    return arr * clip_factor(float(np.linalg.norm(arr)), threshold)
