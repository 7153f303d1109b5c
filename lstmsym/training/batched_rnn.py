"""Vanilla RNN over a batch: h_t = tanh(W h_{t-1} + U x_t + b), with states stored as rows (B, n).

Every ``batched_*`` module of this package defines one class, ``Unroll``, with the same four pieces:

- ``__init__(params, options, xs)``: keeps the parameters and computes the input part of every
  preactivation for all steps at once, ``xs @ U.T + b``, (T, B, ·): one matrix product instead of T.
- ``step(t, prev)``: step t + 1 (0-based index t into xs) from the previous state ``prev`` (name → (B, n)),
  storing what the backward pass needs; returns the new state.
- ``vjp(t, prev, cot)``: the cotangents of the previous state from those of the new one; stores the
  cotangents of the preactivations of step t.
- ``grads(states)``: the parameter gradients, summed over steps and batch with a few large matrix products
  from the stored preactivation cotangents and the stored states (T+1, B, n).

Row convention: a state is (B, n), so ``W h`` becomes ``h @ W.T`` and ∂L/∂W = Σ_t da_tᵀ h_{t-1}.
"""

from collections.abc import Mapping

import numpy as np

Array = np.ndarray
STATE_NAMES = ("h",)


class Unroll:
    """BPTT bookkeeping of the RNN over xs (T, B, m)."""

    def __init__(self, params: Mapping[str, Array], options: Mapping[str, object], xs: Array) -> None:
        self.W = params["W"]  # (n, n)
        self.xs = xs
        self.xproj = xs @ params["U"].T + params["b"]  # (T, B, n): U x_t + b for every step
        T, B, n = self.xproj.shape
        self.h = np.empty((T, B, n))  # h_t, row t for step t + 1
        self.da = np.empty((T, B, n))  # ∂L/∂a_t

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        self.h[t] = np.tanh(prev["h"] @ self.W.T + self.xproj[t])  # ∂h/∂a = 1 - h²
        return {"h": self.h[t]}

    def vjp(self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array]) -> dict[str, Array]:
        h = self.h[t]
        self.da[t] = da = cot["h"] * (1.0 - h * h)  # through h = tanh(a)
        return {"h": da @ self.W}  # a = W h_{t-1} + ...: ∂a/∂h_{t-1} = W

    def grads(self, states: Mapping[str, Array]) -> dict[str, Array]:
        da = self.da.reshape(-1, self.da.shape[-1])  # (T B, n)
        h_prev = states["h"][:-1].reshape(da.shape[0], -1)
        x = self.xs.reshape(da.shape[0], -1)
        return {"W": da.T @ h_prev, "U": da.T @ x, "b": da.sum(axis=0)}
