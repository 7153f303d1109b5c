"""Dense-memory cell over a batch (rows (B, n); see :mod:`.batched_rnn` for the ``Unroll`` interface)::

c_t = tanh(W_c c_{t-1} + W_h h_{t-1} + U_c x_t + b_c)
o_t = σ(W_o h_{t-1} + U_o x_t + b_o)
h_t = o_t ⊙ tanh(c_t)
"""

from collections.abc import Mapping

import numpy as np

from ..numerics.reference.activations import sigmoid

Array = np.ndarray
STATE_NAMES = ("c", "h")


class Unroll:
    """BPTT bookkeeping of the dense-memory cell over xs (T, B, m)."""

    def __init__(self, params: Mapping[str, Array], options: Mapping[str, object], xs: Array) -> None:
        self.W_c = params["W_c"]  # (n, n), acts on c_{t-1}
        self.W_ho = np.concatenate([params["W_h"], params["W_o"]])  # (2n, n), acts on h_{t-1}
        U = np.concatenate([params["U_c"], params["U_o"]])  # (2n, m)
        self.xs = xs
        self.xproj = xs @ U.T + np.concatenate([params["b_c"], params["b_o"]])  # (T, B, 2n)
        T, B, n2 = self.xproj.shape
        self.n = n = n2 // 2
        self.c, self.o, self.y = (np.empty((T, B, n)) for _ in range(3))
        self.da_c = np.empty((T, B, n))
        self.da_ho = np.empty((T, B, 2 * n))  # [∂L/∂a_c, ∂L/∂a_o]

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        n = self.n
        a = prev["h"] @ self.W_ho.T + self.xproj[t]  # [W_h h + U_c x + b_c, W_o h + U_o x + b_o]
        self.c[t] = c = np.tanh(a[:, :n] + prev["c"] @ self.W_c.T)  # new memory: ∂c/∂a_c = 1 - c²
        self.o[t] = o = sigmoid(a[:, n:])  # read gate: ∂o/∂a_o = o(1 - o)
        self.y[t] = y = np.tanh(c)  # readout: ∂y/∂c = 1 - y²
        return {"c": c, "h": o * y}

    def vjp(self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array]) -> dict[str, Array]:
        n = self.n
        c, o, y = self.c[t], self.o[t], self.y[t]
        dh = cot["h"]
        dc = cot["c"] + o * dh * (1.0 - y * y)  # h = o ⊙ tanh(c)
        da = self.da_ho[t]
        da[:, :n] = dc * (1.0 - c * c)  # c = tanh(a_c)
        da[:, n:] = y * dh * o * (1.0 - o)  # o = σ(a_o)
        self.da_c[t] = da[:, :n]
        return {"c": da[:, :n] @ self.W_c, "h": da @ self.W_ho}

    def grads(self, states: Mapping[str, Array]) -> dict[str, Array]:
        n = self.n
        da = self.da_ho.reshape(-1, 2 * n)  # (T B, 2n)
        rows = da.shape[0]
        c_prev, h_prev = states["c"][:-1].reshape(rows, n), states["h"][:-1].reshape(rows, n)
        W_ho, U, b = da.T @ h_prev, da.T @ self.xs.reshape(rows, -1), da.sum(axis=0)
        return {
            "W_c": da[:, :n].T @ c_prev,
            "W_h": W_ho[:n],
            "U_c": U[:n],
            "b_c": b[:n],
            "W_o": W_ho[n:],
            "U_o": U[n:],
            "b_o": b[n:],
        }
