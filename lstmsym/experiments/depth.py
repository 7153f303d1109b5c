r"""‖∂h_L/∂h_0‖ against depth for the plain deep tanh network, the residual block and the highway layer.

Each layer of a stack draws its own weights (independently, seeded): weights N(0, scale²/n) (scale = 1 is the
variance-preserving choice for tanh), biases 0 except the highway's transform-gate bias ``b_T =
carry_bias`` (negative: each layer starts near carrying its input). The input h_0 ~ N(0, 1). One forward pass
through L layers multiplies the layer Jacobians, P_l = J_l P_{l-1}, so ∂h_l/∂h_0 comes out for every depth
l = 0..L at once (each prefix of the stack is a network of depth l). Each J_l is the NumPy reference's step
Jacobian (:func:`lstmsym.numerics.reference.step_jacobian`) of the cell with that layer's weights.

Besides the total ‖∂h_l/∂h_0‖₂ and the direct one (branch and gates held: plain = total, residual = I,
highway = ∏ diag(1 - T_l), the carry-gate product), a stack records what its lesson needs:

- ``plain_deep``: the Pascanu bound ∏_{j ≤ l} ‖W_j‖₂ (gamma = 1 for tanh), which caps the total;
- ``residual``: ‖∂h_l/∂h_0 - I‖₂, the norm of the sum of products of F's Jacobians (the identity removed).

>>> run = depth_stack("residual", n=2, depth=3, seed=0)
>>> run.log10_direct                         # the identity path: ‖I‖ = 1 at every depth
array([0., 0., 0., 0.])
>>> plain = depth_stack("plain_deep", n=3, depth=50, seed=1)
>>> bool(np.all(plain.log10_total <= plain.log10_bound + 1e-12))   # under the Pascanu bound, every depth
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..cells import make_cell
from ..checks import positive_number, seed_tuple, whole_number
from ..errors import UnknownChoiceError
from ..numerics import reference

DEPTH_CELLS = ("plain_deep", "residual", "highway")
_LOG2 = np.log10(2.0)


def layer_params(kind: str, n: int, rng: np.random.Generator, scale: float = 1.0,
                 carry_bias: float = -2.0) -> dict[str, np.ndarray]:
    """One layer's parameters: weights N(0, scale²/n), biases 0, the highway's b_T = carry_bias.

    >>> p = layer_params("highway", 2, np.random.default_rng(0))
    >>> sorted(p), p["b_T"]
    (['W_H', 'W_T', 'b_H', 'b_T'], array([-2., -2.]))
    """
    if kind not in DEPTH_CELLS:
        raise UnknownChoiceError("kind", kind, DEPTH_CELLS)
    cell = make_cell(kind, n=n)
    out = {}
    for name, shape in cell.param_shapes.items():
        if len(shape) == 1:
            out[name] = np.zeros(shape)
        else:
            out[name] = rng.normal(0.0, scale / np.sqrt(n), size=shape)
    if kind == "highway":
        out["b_T"] = np.full(n, float(carry_bias))
    return out


@dataclass(frozen=True)
class DepthStack:
    """One stack of ``depth`` layers: log10 norms of ∂h_l/∂h_0 for l = 0..depth (entry l: depth l)."""

    kind: str
    n: int
    seed: int
    log10_total: np.ndarray  # (depth+1,) spectral norm of the total ∂h_l/∂h_0
    log10_direct: np.ndarray  # (depth+1,) spectral norm of the direct product (branch and gates held)
    log10_bound: np.ndarray | None  # plain_deep: log10 ∏ ‖W_j‖₂; else None
    log10_rest: np.ndarray | None  # residual: log10 ‖∂h_l/∂h_0 - I‖₂; else None
    states: np.ndarray  # (depth+1, n) h_0..h_L


def _log_norm(P: np.ndarray, exponent: int) -> float:
    norm = np.linalg.norm(P, 2)
    return -np.inf if norm == 0 else float(np.log10(norm) + exponent * _LOG2)


def depth_stack(kind: str, n: int = 4, depth: int = 100, seed: int = 0, scale: float = 1.0,
                carry_bias: float = -2.0) -> DepthStack:
    """Run one stack of ``depth`` independently drawn layers and multiply its layer Jacobians."""
    depth = whole_number("depth", depth)
    scale = positive_number("scale", scale)
    cell = make_cell(kind, n=whole_number("n", n)) if kind in DEPTH_CELLS else None
    if cell is None:
        raise UnknownChoiceError("kind", kind, DEPTH_CELLS)
    rng = np.random.default_rng(seed)
    h = rng.normal(0.0, 1.0, size=n)
    x = np.zeros((1, 1))                                  # the layers read no input
    P, eP = np.eye(n), 0                                  # total ∂h_l/∂h_0 = P 2^eP
    D, eD = np.eye(n), 0                                  # direct product
    total, direct, states = [0.0], [0.0], [h]
    bound, rest = [0.0], [-np.inf]
    for _ in range(depth):
        params = layer_params(kind, n, rng, scale, carry_bias)
        J = reference.step_jacobian(cell, params, x[0], {"h": h})
        Jd = reference.step_jacobian(cell, params, x[0], {"h": h}, direct=True)
        h = reference.forward(cell, params, x, {"h": h}).s[-1]
        P, eP = reference._rescaled(J @ P, eP)
        D, eD = reference._rescaled(Jd @ D, eD)
        total.append(_log_norm(P, eP))
        direct.append(_log_norm(D, eD))
        states.append(h)
        if kind == "plain_deep":
            bound.append(bound[-1] + float(np.log10(np.linalg.norm(params["W"], 2))))
        if kind == "residual":                            # ‖P - I‖, with P stored as P 2^eP
            rest.append(_log_norm(P - np.ldexp(np.eye(n), -eP), eP))
    return DepthStack(
        kind=kind, n=n, seed=int(seed), log10_total=np.array(total), log10_direct=np.array(direct),
        log10_bound=np.array(bound) if kind == "plain_deep" else None,
        log10_rest=np.array(rest) if kind == "residual" else None, states=np.array(states),
    )


@dataclass(frozen=True)
class DepthSweep:
    """Stacks of the depth cells over seeds; log10 norms per (kind, quantity) as (seeds, depth+1) arrays."""

    kinds: tuple[str, ...]
    depth: int
    seeds: tuple[int, ...]
    stacks: dict[str, list[DepthStack]]

    def log10(self, kind: str, what: str = "total") -> np.ndarray:
        """(seeds, depth+1) log10 norms; ``what`` is "total", "direct", "bound" or "rest"."""
        return np.array([getattr(s, f"log10_{what}") for s in self.stacks[kind]])

    def median(self, kind: str, what: str = "total") -> np.ndarray:
        """Median over seeds of the norm (not its log), per depth 0..L."""
        return 10.0 ** np.median(self.log10(kind, what), axis=0)

    def frame(self, depths: Sequence[int] = (10, 100, 1000)):
        """Median norms at the given depths: rows (cell, path), columns 'L = ...'."""
        import pandas as pd

        rows, index = [], []
        for kind in self.kinds:
            for what in ("total", "direct"):
                rows.append([self.median(kind, what)[L] for L in depths])
                index.append((kind, what))
        return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["cell", "path"]),
                            columns=[f"L = {L}" for L in depths])


def depth_sweep(kinds: Sequence[str] = DEPTH_CELLS, n: int = 4, depth: int = 1000,
                seeds: Sequence[int] = range(7), scale: float = 1.0, carry_bias: float = -2.0) -> DepthSweep:
    """:func:`depth_stack` for each kind and seed (the same seed draws the same h_0 for every kind).

    >>> sweep = depth_sweep(n=2, depth=5, seeds=(0, 1))
    >>> float(sweep.log10("residual", "direct").max())   # the identity path, every seed and depth
    0.0
    """
    seeds = seed_tuple(seeds)
    stacks = {k: [depth_stack(k, n, depth, s, scale, carry_bias) for s in seeds] for k in kinds}
    return DepthSweep(kinds=tuple(kinds), depth=depth, seeds=seeds, stacks=stacks)


def plain_product(n: int = 4, depth: int = 1000, seed: int = 0, tanh: bool = True,
                  init: str = "normal") -> np.ndarray:
    """log10 ‖∂h_l/∂h_0‖₂ for l = 0..depth of a plain stack, with the slopes or the init changed (controls).

    Drawn as :func:`depth_stack` draws ``plain_deep`` (h_0 first, then each W_l; biases 0), so ``tanh=True,
    init="normal"`` is that stack's total. ``tanh=False`` keeps the same W_l and removes the tanh: the product
    W_L ⋯ W_1, the weights' part alone. ``init="uniform"`` draws W_l ~ U(-1/√n, 1/√n), the recurrent cells'
    :func:`~lstmsym.numerics.params.init_params` scale (variance 1/(3n) instead of 1/n).

    >>> same = depth_stack("plain_deep", n=3, depth=20, seed=1).log10_total
    >>> bool(np.allclose(plain_product(3, 20, seed=1), same, atol=1e-9))
    True
    >>> bool(plain_product(3, 20, seed=1, tanh=False)[1] >= same[1])     # one slope <= 1 per unit
    True
    """
    n, depth = whole_number("n", n), whole_number("depth", depth)
    if init not in ("normal", "uniform"):
        raise UnknownChoiceError("init", init, ("normal", "uniform"))
    rng = np.random.default_rng(seed)
    h = rng.normal(0.0, 1.0, size=n)
    P, eP, out = np.eye(n), 0, [0.0]
    for _ in range(depth):
        if init == "normal":
            W = layer_params("plain_deep", n, rng)["W"]
        else:
            W = rng.uniform(-1.0 / np.sqrt(n), 1.0 / np.sqrt(n), size=(n, n))
        if tanh:
            h = np.tanh(W @ h)
            J = (1.0 - h**2)[:, None] * W
        else:
            J = W
        P, eP = reference._rescaled(J @ P, eP)
        out.append(_log_norm(P, eP))
    return np.array(out)


__all__ = ["DEPTH_CELLS", "DepthStack", "DepthSweep", "depth_stack", "depth_sweep", "layer_params",
           "plain_product"]
