"""Dense-memory cell over seeds and a batch (rows (S, B, n); see :mod:`.batched_rnn` for ``Unroll``)::

c_t = tanh(W_c c_{t-1} + W_h h_{t-1} + U_c x_t + b_c)
o_t = σ(W_o h_{t-1} + U_o x_t + b_o)
h_t = o_t ⊙ tanh(c_t)

One product [c_{t-1}, h_{t-1}, x_t, 1] @ M gives both net inputs [a_c, a_o].
"""

from collections.abc import Mapping

import numpy as np

from .batched_lstm import _sigmoid
from .batched_rnn import Inputs, stack_map, swap

Array = np.ndarray
STATE_NAMES = ("c", "h")
TRUNCATABLE = False


class Unroll:
    """BPTT bookkeeping of the dense-memory cell over xs (T, S, B, m)."""

    def __init__(self, params: Mapping[str, Array], options: Mapping[str, object], xs: Array) -> None:
        T, S, B, m = xs.shape
        self.n = n = params["W_c"].shape[1]
        P = params
        self.M = stack_map(
            [[P["W_c"], None], [P["W_h"], P["W_o"]], [P["U_c"], P["U_o"]], [P["b_c"], P["b_o"]]],
            (n, n, m, 1),
            (n, n),
        )  # (S, 2n + m + 1, 2n)
        self.Wc = np.ascontiguousarray(swap(self.M[:, :n, :]))  # (S, 2n, n): ∂[a_c, a_o]/∂c_{t-1}
        self.Wh = np.ascontiguousarray(swap(self.M[:, n : 2 * n, :]))  # (S, 2n, n): ∂[a_c, a_o]/∂h_{t-1}
        self.inputs = Inputs(xs, (n, n))
        self.c, self.o, self.y = (np.empty((T, S, B, n)) for _ in range(3))
        self.da = np.empty((T, S, B, 2 * n))  # [∂L/∂a_c, ∂L/∂a_o]

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        n = self.n
        a = self.inputs.set(t, [prev["c"], prev["h"]]) @ self.M  # [a_c, a_o]
        c = np.tanh(a[..., :n], out=self.c[t])  # new memory: ∂c/∂a_c = 1 - c²
        o = _sigmoid(a[..., n:], self.o[t])  # read gate: ∂o/∂a_o = o(1 - o)
        y = np.tanh(c, out=self.y[t])  # readout: ∂y/∂c = 1 - y²
        return {"c": c, "h": o * y}

    def vjp(
        self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array], truncated: bool = False
    ) -> dict[str, Array]:
        n = self.n
        c, o, y = self.c[t], self.o[t], self.y[t]
        dh = cot["h"]
        dc = cot["c"] + o * dh * (1.0 - y * y)  # h = o ⊙ tanh(c)
        da = self.da[t]
        da[..., :n] = dc * (1.0 - c * c)  # c = tanh(a_c)
        da[..., n:] = y * dh * o * (1.0 - o)  # o = σ(a_o)
        return {"c": da @ self.Wc, "h": da @ self.Wh}

    def grads(self, states: Mapping[str, Array], steps: slice = slice(None)) -> dict[str, Array]:
        n = self.n
        G = self.inputs.grads(self.da, steps)  # (S, 2n, 2n + m + 1): columns [c, h, x, 1]
        cm, og = slice(0, n), slice(n, 2 * n)
        return {
            "W_c": G[:, cm, :n],
            "W_h": G[:, cm, n : 2 * n],
            "U_c": G[:, cm, 2 * n : -1],
            "b_c": G[:, cm, -1],
            "W_o": G[:, og, n : 2 * n],
            "U_o": G[:, og, 2 * n : -1],
            "b_o": G[:, og, -1],
        }
