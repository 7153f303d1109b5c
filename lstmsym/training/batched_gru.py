"""GRU over a batch (reset after the product; rows (B, n); see :mod:`.batched_rnn` for ``Unroll``)::

z_t = σ(W_z h_{t-1} + U_z x_t + b_z)                  update gate (z = 1 keeps the old state)
r_t = σ(W_r h_{t-1} + U_r x_t + b_r)                  reset gate
q_t = W_n h_{t-1} + d_n
n_t = tanh(U_n x_t + b_n + r_t ⊙ q_t)                 candidate
h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
"""

from collections.abc import Mapping

import numpy as np

from ..numerics.reference.activations import sigmoid

Array = np.ndarray
STATE_NAMES = ("h",)


class Unroll:
    """BPTT bookkeeping of the GRU over xs (T, B, m)."""

    def __init__(self, params: Mapping[str, Array], options: Mapping[str, object], xs: Array) -> None:
        self.W = np.concatenate([params["W_z"], params["W_r"], params["W_n"]])  # (3n, n), acts on h_{t-1}
        U = np.concatenate([params["U_z"], params["U_r"], params["U_n"]])  # (3n, m)
        b = np.concatenate([params["b_z"], params["b_r"], params["b_n"]])
        self.d_n = params["d_n"]
        self.xs = xs
        self.xproj = xs @ U.T + b  # (T, B, 3n)
        T, B, n3 = self.xproj.shape
        self.n = n = n3 // 3
        self.z, self.r, self.q, self.cand = (np.empty((T, B, n)) for _ in range(4))
        self.dh_side = np.empty((T, B, 3 * n))  # [∂L/∂a_z, ∂L/∂a_r, ∂L/∂q]: the h_{t-1} side
        self.da_n = np.empty((T, B, n))  # ∂L/∂a_n

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        n, h_prev = self.n, prev["h"]
        a = h_prev @ self.W.T  # (B, 3n)
        xp = self.xproj[t]
        self.z[t] = z = sigmoid(a[:, :n] + xp[:, :n])  # ∂z/∂a_z = z(1 - z)
        self.r[t] = r = sigmoid(a[:, n : 2 * n] + xp[:, n : 2 * n])  # ∂r/∂a_r = r(1 - r)
        self.q[t] = q = a[:, 2 * n :] + self.d_n  # ∂q/∂h_{t-1} = W_n
        self.cand[t] = cand = np.tanh(xp[:, 2 * n :] + r * q)  # ∂n/∂a_n = 1 - n²
        return {"h": (1.0 - z) * cand + z * h_prev}  # the carousel: ∂h/∂h_{t-1}, gates held, = z

    def vjp(self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array]) -> dict[str, Array]:
        n, h_prev, dh = self.n, prev["h"], cot["h"]
        z, r, q, cand = self.z[t], self.r[t], self.q[t], self.cand[t]
        self.da_n[t] = da_n = (1.0 - z) * dh * (1.0 - cand * cand)
        side = self.dh_side[t]
        side[:, :n] = (h_prev - cand) * dh * z * (1.0 - z)  # ∂h/∂z = h_{t-1} - n
        side[:, n : 2 * n] = q * da_n * r * (1.0 - r)  # ∂a_n/∂r = q
        side[:, 2 * n :] = r * da_n  # ∂a_n/∂q = r
        return {"h": z * dh + side @ self.W}

    def grads(self, states: Mapping[str, Array]) -> dict[str, Array]:
        n = self.n
        side = self.dh_side.reshape(-1, 3 * n)
        rows = side.shape[0]
        h_prev, x = states["h"][:-1].reshape(rows, n), self.xs.reshape(rows, -1)
        dx_side = np.concatenate([side[:, : 2 * n], self.da_n.reshape(rows, n)], axis=1)  # [a_z, a_r, a_n]
        W, U, b = side.T @ h_prev, dx_side.T @ x, dx_side.sum(axis=0)
        out = {}
        for j, k in enumerate("zrn"):
            rows_k = slice(j * n, (j + 1) * n)
            out.update({f"W_{k}": W[rows_k], f"U_{k}": U[rows_k], f"b_{k}": b[rows_k]})
        out["d_n"] = side[:, 2 * n :].sum(axis=0)
        return out
