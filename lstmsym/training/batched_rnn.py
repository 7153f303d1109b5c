"""Vanilla RNN over seeds and a batch: h_t = tanh(W h_{t-1} + U x_t + b), states stored as rows (S, B, n).

Every ``batched_*`` module of this package defines one class, ``Unroll``, with the same four pieces. Every
array carries a leading *seed* axis S: S independent models (one per seed) run side by side, each on its own
batch of B sequences, so that many training runs share each NumPy call. Parameters are (S, ...) (a weight
matrix (S, n, n)); inputs ``xs`` are (T, S, B, m); a state is (S, B, n).

- ``__init__(params, options, xs)``: stacks the parameters of each affine map into one matrix M acting on
  the row [h_{t-1}, x_t, 1] (:class:`Inputs`), so that a step costs one matrix product per seed.
- ``step(t, prev)``: step t + 1 (0-based index t into xs) from the previous state ``prev`` (name → (S, B, n)),
  storing what the backward pass needs; returns the new state.
- ``vjp(t, prev, cot, truncated)``: the cotangents of the previous state from those of the new one; stores
  the cotangents of the preactivations of step t. ``truncated=True`` is the 1997 truncated gradient (only
  cells with a carousel offer it; see :mod:`.batched_lstm`).
- ``grads(states, steps)``: the parameter gradients, (S, ...), summed over the batch and over the steps
  ``steps`` (a slice of step indices; all steps by default): one matrix product per seed, the stored
  preactivation cotangents against the stored rows [h_{t-1}, x_t, 1].

Row convention: a state is a row, so ``W h`` becomes ``h @ W.T`` and ∂L/∂W = Σ_t da_tᵀ h_{t-1}, per seed.
Each seed's numbers are computed by the same per-seed operations whatever S is, so a seed trained in a
group gives the same result as trained alone.
"""

from collections.abc import Mapping, Sequence

import numpy as np

Array = np.ndarray
STATE_NAMES = ("h",)
TRUNCATABLE = False


def swap(a: Array) -> Array:
    """The per-seed transpose of a stack of matrices: (S, p, q) → (S, q, p) (a view)."""
    return np.swapaxes(a, -1, -2)


def seed_rows(a: Array) -> Array:
    """(T, S, B, k) → (S, T B, k): for each seed, every step's rows stacked (a contiguous copy)."""
    T, S, B, k = a.shape
    return np.ascontiguousarray(np.swapaxes(a, 0, 1)).reshape(S, T * B, k)


class Inputs:
    """The rows [r_1, ..., r_j, x_t, 1] that the affine maps of a step read, for every step: (T, S, B, K).

    ``widths`` are the widths of the recurrent parts (e.g. (n,) for h_{t-1}, (n, n) for [c_{t-1}, h_{t-1}]);
    ``set(t, parts)`` writes them for step t; ``at(t)`` is the (S, B, K) row block. The input and the constant
    1 are written once for all steps, so an affine map W r + U x + b is the single product
    [r, x, 1] @ [Wᵀ; Uᵀ; bᵀ], and its gradient is Σ_t da_tᵀ [r, x, 1]_t.
    """

    def __init__(self, xs: Array, widths: Sequence[int]) -> None:
        T, S, B, m = xs.shape
        self.starts = np.concatenate([[0], np.cumsum(widths)]).astype(int)
        r = int(self.starts[-1])
        self.rows = np.empty((T, S, B, r + m + 1))
        self.rows[..., r : r + m] = xs
        self.rows[..., r + m] = 1.0

    def set(self, t: int, parts: Sequence[Array]) -> Array:
        for j, part in enumerate(parts):
            self.rows[t, ..., self.starts[j] : self.starts[j + 1]] = part
        return self.rows[t]

    def grads(self, da: Array, steps: slice) -> Array:
        """Σ over the steps and the batch of da_tᵀ [r, x, 1]_t, per seed: da (T, S, B, G) → (S, G, K)."""
        return swap(seed_rows(da[steps])) @ seed_rows(self.rows[steps])


def stack_map(blocks: Sequence[Sequence[Array | None]], widths: Sequence[int], n_out: Sequence[int]) -> Array:
    """M (S, K, G) for rows [r_1..r_j, x, 1]: ``blocks[i][k]`` is the (S, n_out[k], width of row part i)
    matrix (or, for the bias row, the (S, n_out[k]) vector) of output block k, None for zero."""
    S = next(b for row in blocks for b in row if b is not None).shape[0]
    M = np.zeros((S, sum(widths), sum(n_out)))
    rows = np.concatenate([[0], np.cumsum(widths)]).astype(int)
    cols = np.concatenate([[0], np.cumsum(n_out)]).astype(int)
    for i, row in enumerate(blocks):
        for k, block in enumerate(row):
            if block is None:
                continue
            target = M[:, rows[i] : rows[i + 1], cols[k] : cols[k + 1]]
            target[...] = block[:, None, :] if block.ndim == 2 else swap(block)
    return M


class Unroll:
    """BPTT bookkeeping of the RNN over xs (T, S, B, m)."""

    def __init__(self, params: Mapping[str, Array], options: Mapping[str, object], xs: Array) -> None:
        self.W = params["W"]  # (S, n, n)
        T, S, B, m = xs.shape
        self.n = n = self.W.shape[1]
        self.M = stack_map([[params["W"]], [params["U"]], [params["b"]]], (n, m, 1), (n,))
        self.inputs = Inputs(xs, (n,))
        self.h = np.empty((T, S, B, n))  # h_t, row t for step t + 1
        self.da = np.empty((T, S, B, n))  # ∂L/∂a_t

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        a = self.inputs.set(t, [prev["h"]]) @ self.M  # W h_{t-1} + U x_t + b
        self.h[t] = np.tanh(a)  # ∂h/∂a = 1 - h²
        return {"h": self.h[t]}

    def vjp(
        self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array], truncated: bool = False
    ) -> dict[str, Array]:
        h = self.h[t]
        self.da[t] = da = cot["h"] * (1.0 - h * h)  # through h = tanh(a)
        return {"h": da @ self.W}  # a = W h_{t-1} + ...: ∂a/∂h_{t-1} = W

    def grads(self, states: Mapping[str, Array], steps: slice = slice(None)) -> dict[str, Array]:
        G, n = self.inputs.grads(self.da, steps), self.n  # (S, n, n + m + 1)
        return {"W": G[..., :n], "U": G[..., n:-1], "b": G[..., -1]}
