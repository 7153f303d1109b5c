"""LSTM (Gers 2000) and all its switches over a batch (rows (B, n); see :mod:`.batched_rnn` for ``Unroll``)::

    i_t = σ(W_i h_{t-1} + U_i x_t + b_i [+ p_i ⊙ c_{t-1}])     write gate   (≡ 1 if input_gate=False)
    f_t = σ(W_f h_{t-1} + U_f x_t + b_f [+ p_f ⊙ c_{t-1}])     keep gate    (≡ 1 if forget_gate=False,
                                                                              1 - i_t if coupled=True)
    g_t = tanh(W_g h_{t-1} + U_g x_t + b_g)                     candidate memory
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                             the additive update
    o_t = σ(W_o h_{t-1} + U_o x_t + b_o [+ p_o ⊙ c_t])          read gate    (≡ 1 if output_gate=False)
    y_t = φ(c_t)  or, readout="dense",  tanh(W_y h_{t-1} + U_y x_t + V_y c_t + b_y)
    h_t = o_t ⊙ y_t

The gates with their own weights are fused: their W's are stacked into one (G n, n) matrix, so a step costs
one product ``h_{t-1} @ W.T`` for all gates.
"""

from collections.abc import Mapping

import numpy as np

from ..numerics.reference.activations import sigmoid
from ..numerics.reference.lstm import switches

Array = np.ndarray
STATE_NAMES = ("c", "h")


class Unroll:
    """BPTT bookkeeping of an LSTM (any switches) over xs (T, B, m)."""

    def __init__(self, params: Mapping[str, Array], options: Mapping[str, object], xs: Array) -> None:
        self.sw = sw = switches(options)
        own = {
            "i": sw["input_gate"],
            "f": sw["forget_gate"] and not sw["coupled"],
            "g": True,
            "o": sw["output_gate"],
        }
        self.affine = tuple(k for k in "ifgo" if own[k])  # gates with W_k, U_k, b_k, fused in this order
        self.W = np.concatenate([params[f"W_{k}"] for k in self.affine])  # (G n, n)
        U = np.concatenate([params[f"U_{k}"] for k in self.affine])  # (G n, m)
        b = np.concatenate([params[f"b_{k}"] for k in self.affine])
        self.P = params
        self.xs = xs
        self.xproj = xs @ U.T + b  # (T, B, G n)
        T, B, _ = xs.shape
        self.n = n = self.W.shape[1]
        self.cols = {k: slice(j * n, (j + 1) * n) for j, k in enumerate(self.affine)}
        self.rec = {k: np.empty((T, B, n)) for k in ("i", "f", "g", "o", "c", "y")}
        self.da = np.empty((T, B, len(self.affine) * n))  # ∂L/∂a_k of the fused gates
        if sw["readout"] == "dense":
            self.da_y = np.empty((T, B, n))
        self.dpeep = {k: np.zeros(n) for k in "ifo"}

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        sw, P, rec, cols = self.sw, self.P, self.rec, self.cols
        c_prev, h_prev = prev["c"], prev["h"]
        a = h_prev @ self.W.T + self.xproj[t]  # every fused preactivation, (B, G n)
        # write gate: how much of the candidate enters the memory
        if sw["input_gate"]:
            a_i = a[:, cols["i"]] + P["p_i"] * c_prev if sw["peephole"] else a[:, cols["i"]]
            rec["i"][t] = sigmoid(a_i)  # ∂i/∂a_i = i(1 - i)
        else:
            rec["i"][t] = 1.0
        # keep gate: how much of the old memory survives
        if sw["coupled"]:
            rec["f"][t] = 1.0 - rec["i"][t]
        elif sw["forget_gate"]:
            a_f = a[:, cols["f"]] + P["p_f"] * c_prev if sw["peephole"] else a[:, cols["f"]]
            rec["f"][t] = sigmoid(a_f)  # ∂f/∂a_f = f(1 - f)
        else:
            rec["f"][t] = 1.0  # the 1997 carousel
        rec["g"][t] = g = np.tanh(a[:, cols["g"]])  # candidate: ∂g/∂a_g = 1 - g²
        rec["c"][t] = c = rec["f"][t] * c_prev + rec["i"][t] * g  # ∂c/∂c_{t-1}, gates held, = f
        # read gate (its peephole looks at the new memory)
        if sw["output_gate"]:
            a_o = a[:, cols["o"]] + P["p_o"] * c if sw["peephole"] else a[:, cols["o"]]
            rec["o"][t] = sigmoid(a_o)
        else:
            rec["o"][t] = 1.0
        # readout
        readout = sw["readout"]
        if readout == "dense":
            rec["y"][t] = np.tanh(h_prev @ P["W_y"].T + self.xs[t] @ P["U_y"].T + c @ P["V_y"].T + P["b_y"])
        elif readout == "tanh":
            rec["y"][t] = np.tanh(c)
        elif readout == "sigmoid":
            rec["y"][t] = sigmoid(c)
        else:
            rec["y"][t] = c
        return {"c": c, "h": rec["o"][t] * rec["y"][t]}

    def vjp(self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array]) -> dict[str, Array]:
        sw, P, cols = self.sw, self.P, self.cols
        i, f, g, o, c, y = (self.rec[k][t] for k in ("i", "f", "g", "o", "c", "y"))
        c_prev = prev["c"]
        dh = cot["h"]
        dh_prev = 0.0
        # h = o ⊙ y
        dy, do = o * dh, y * dh
        readout = sw["readout"]
        if readout == "dense":
            self.da_y[t] = da_y = dy * (1.0 - y * y)
            dc = cot["c"] + da_y @ P["V_y"]
            dh_prev = da_y @ P["W_y"]
        elif readout == "tanh":
            dc = cot["c"] + dy * (1.0 - y * y)
        elif readout == "sigmoid":
            dc = cot["c"] + dy * y * (1.0 - y)
        else:
            dc = cot["c"] + dy
        da = self.da[t]
        if sw["output_gate"]:
            da[:, cols["o"]] = da_o = do * o * (1.0 - o)
            if sw["peephole"]:
                self.dpeep["o"] += (da_o * c).sum(axis=0)
                dc = dc + P["p_o"] * da_o
        # c = f ⊙ c_{t-1} + i ⊙ g
        dc_prev = f * dc
        df, di = c_prev * dc, g * dc
        da[:, cols["g"]] = i * dc * (1.0 - g * g)
        if sw["coupled"]:
            di = di - df  # f = 1 - i sends its cotangent to i
        elif sw["forget_gate"]:
            da[:, cols["f"]] = da_f = df * f * (1.0 - f)
            if sw["peephole"]:
                self.dpeep["f"] += (da_f * c_prev).sum(axis=0)
                dc_prev = dc_prev + P["p_f"] * da_f
        if sw["input_gate"]:
            da[:, cols["i"]] = da_i = di * i * (1.0 - i)
            if sw["peephole"]:
                self.dpeep["i"] += (da_i * c_prev).sum(axis=0)
                dc_prev = dc_prev + P["p_i"] * da_i
        return {"c": dc_prev, "h": dh_prev + da @ self.W}

    def grads(self, states: Mapping[str, Array]) -> dict[str, Array]:
        n = self.n
        da = self.da.reshape(-1, self.da.shape[-1])
        rows = da.shape[0]
        h_prev, x = states["h"][:-1].reshape(rows, n), self.xs.reshape(rows, -1)
        W, U, b = da.T @ h_prev, da.T @ x, da.sum(axis=0)
        out = {}
        for k, sl in self.cols.items():
            out.update({f"W_{k}": W[sl], f"U_{k}": U[sl], f"b_{k}": b[sl]})
        if self.sw["peephole"]:
            out.update({f"p_{k}": self.dpeep[k] for k in self.affine if k != "g"})
        if self.sw["readout"] == "dense":
            da_y = self.da_y.reshape(rows, n)
            c = self.rec["c"].reshape(rows, n)
            out.update(W_y=da_y.T @ h_prev, U_y=da_y.T @ x, V_y=da_y.T @ c, b_y=da_y.sum(axis=0))
        return out
