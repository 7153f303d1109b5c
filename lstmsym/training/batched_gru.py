"""GRU over seeds and a batch (reset after the product; rows (S, B, n); see :mod:`.batched_rnn`)::

z_t = σ(W_z h_{t-1} + U_z x_t + b_z)                  update gate (z = 1 keeps the old state)
r_t = σ(W_r h_{t-1} + U_r x_t + b_r)                  reset gate
q_t = W_n h_{t-1} + d_n
n_t = tanh(U_n x_t + b_n + r_t ⊙ q_t)                 candidate
h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

One product [h_{t-1}, x_t, 1] @ M gives the four net inputs [a_z, a_r, q, U_n x + b_n] at once.
"""

from collections.abc import Mapping

import numpy as np

from .batched_lstm import _sigmoid
from .batched_rnn import Inputs, stack_map, swap

Array = np.ndarray
STATE_NAMES = ("h",)
TRUNCATABLE = False


class Unroll:
    """BPTT bookkeeping of the GRU over xs (T, S, B, m)."""

    def __init__(self, params: Mapping[str, Array], options: Mapping[str, object], xs: Array) -> None:
        T, S, B, m = xs.shape
        self.n = n = params["W_z"].shape[1]
        P = params
        self.M = stack_map(
            [
                [P["W_z"], P["W_r"], P["W_n"], None],
                [P["U_z"], P["U_r"], None, P["U_n"]],
                [P["b_z"], P["b_r"], P["d_n"], P["b_n"]],
            ],
            (n, m, 1),
            (n, n, n, n),
        )  # (S, n + m + 1, 4n)
        self.Wh = np.ascontiguousarray(swap(self.M[:, :n, : 3 * n]))  # (S, 3n, n): [W_z; W_r; W_n]
        self.inputs = Inputs(xs, (n,))
        self.zr = np.empty((T, S, B, 2 * n))  # [z, r]
        self.q, self.cand = np.empty((T, S, B, n)), np.empty((T, S, B, n))
        self.da = np.empty((T, S, B, 4 * n))  # [∂L/∂a_z, ∂L/∂a_r, ∂L/∂q, ∂L/∂a_n]

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        n, h_prev = self.n, prev["h"]
        a = self.inputs.set(t, [h_prev]) @ self.M  # (S, B, 4n)
        zr = _sigmoid(a[..., : 2 * n], self.zr[t])  # ∂z/∂a_z = z(1 - z), ∂r/∂a_r = r(1 - r)
        z, r = zr[..., :n], zr[..., n:]
        self.q[t] = q = a[..., 2 * n : 3 * n]  # W_n h_{t-1} + d_n: ∂q/∂h_{t-1} = W_n
        cand = np.tanh(a[..., 3 * n :] + r * q, out=self.cand[t])  # ∂n/∂a_n = 1 - n²
        return {"h": (1.0 - z) * cand + z * h_prev}  # the carousel: ∂h/∂h_{t-1}, gates held, = z

    def vjp(
        self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array], truncated: bool = False
    ) -> dict[str, Array]:
        n, h_prev, dh = self.n, prev["h"], cot["h"]
        z, r = self.zr[t][..., :n], self.zr[t][..., n:]
        q, cand = self.q[t], self.cand[t]
        da = self.da[t]
        da[..., 3 * n :] = da_n = (1.0 - z) * dh * (1.0 - cand * cand)
        da[..., :n] = (h_prev - cand) * dh * z * (1.0 - z)  # ∂h/∂z = h_{t-1} - n
        da[..., n : 2 * n] = q * da_n * r * (1.0 - r)  # ∂a_n/∂r = q
        da[..., 2 * n : 3 * n] = r * da_n  # ∂a_n/∂q = r
        return {"h": z * dh + da[..., : 3 * n] @ self.Wh}

    def grads(self, states: Mapping[str, Array], steps: slice = slice(None)) -> dict[str, Array]:
        n = self.n
        G = self.inputs.grads(self.da, steps)  # (S, 4n, n + m + 1)
        out = {}
        for j, k in enumerate("zr"):
            rows = slice(j * n, (j + 1) * n)
            out.update({f"W_{k}": G[:, rows, :n], f"U_{k}": G[:, rows, n:-1], f"b_{k}": G[:, rows, -1]})
        q, a_n = slice(2 * n, 3 * n), slice(3 * n, 4 * n)
        out.update(W_n=G[:, q, :n], d_n=G[:, q, -1], U_n=G[:, a_n, n:-1], b_n=G[:, a_n, -1])
        return out
