"""LSTM (Gers 2000) and all its switches over seeds and a batch (rows (S, B, n); see :mod:`.batched_rnn`)::

    i_t = σ(W_i h_{t-1} + U_i x_t + b_i [+ p_i ⊙ c_{t-1}])     write gate   (≡ 1 if input_gate=False)
    f_t = σ(W_f h_{t-1} + U_f x_t + b_f [+ p_f ⊙ c_{t-1}])     keep gate    (≡ 1 if forget_gate=False,
                                                                              1 - i_t if coupled=True)
    g_t = tanh(W_g h_{t-1} + U_g x_t + b_g)                     candidate memory
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                             the additive update
    o_t = σ(W_o h_{t-1} + U_o x_t + b_o [+ p_o ⊙ c_t])          read gate    (≡ 1 if output_gate=False)
    y_t = φ(c_t)  or, readout="dense",  tanh(W_y h_{t-1} + U_y x_t + V_y c_t + b_y)
    h_t = o_t ⊙ y_t

The gates with their own weights are fused: their W's are stacked into one (S, G n, n) array, so a step costs
one product ``h_{t-1} @ W.T`` for all gates.

**Truncated gradient** (Hochreiter & Schmidhuber 1997, ``truncated=True`` in :meth:`Unroll.vjp`): the error
that reaches the net inputs of the gates, of the candidate and of a dense readout is used for the current
step's parameter gradients but not passed further back in time. So in each step's backward pass the
cotangent sent to h_{t-1} through those net inputs (``da @ W`` and ``da_y @ W_y``) is dropped, and so are the
peephole terms p_i ⊙ da_i, p_f ⊙ da_f of the cotangent of c_{t-1}: only the carousel carries error across
steps, dc_{t-1} = f_t ⊙ dc_t. Then ∂L/∂c_k = ∂L/∂c_T ⊙ ∏_{t=k+1}^{T} f_t (+ what h_t adds at each step,
which is nothing before the readout step when the loss reads only h_T): the direct path, exactly.
"""

from collections.abc import Mapping

import numpy as np

from ..numerics.reference.lstm import switches
from .batched_rnn import Inputs, seed_rows, stack_map, swap

Array = np.ndarray
STATE_NAMES = ("c", "h")
TRUNCATABLE = True


def _sigmoid(a: Array, out: Array) -> Array:
    """σ(a) = ½(1 + tanh(a/2)), as :func:`lstmsym.numerics.reference.activations.sigmoid`, into ``out``."""
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


class Unroll:
    """BPTT bookkeeping of an LSTM (any switches) over xs (T, S, B, m)."""

    def __init__(self, params: Mapping[str, Array], options: Mapping[str, object], xs: Array) -> None:
        self.sw = sw = switches(options)
        own = {
            "i": sw["input_gate"],
            "f": sw["forget_gate"] and not sw["coupled"],
            "o": sw["output_gate"],
        }
        # fused blocks, the sigmoid gates first: [i, f, o, g] (those with own weights), then the dense readout
        dense = ("y",) if sw["readout"] == "dense" else ()
        self.blocks = (*(k for k in "ifo" if own[k]), "g", *dense)
        T, S, B, m = xs.shape
        self.n = n = params["W_g"].shape[1]
        self.cols = {k: slice(j * n, (j + 1) * n) for j, k in enumerate(self.blocks)}
        self.M = stack_map(
            [
                [params[f"W_{k}"] for k in self.blocks],
                [params[f"U_{k}"] for k in self.blocks],
                [params[f"b_{k}"] for k in self.blocks],
            ],
            (n, m, 1),
            (n,) * len(self.blocks),
        )  # (S, n + m + 1, blocks n): [h_{t-1}, x_t, 1] → every net input
        self.Wh = np.ascontiguousarray(swap(self.M[:, :n, :]))  # (S, blocks n, n): ∂(net inputs)/∂h_{t-1}
        self.P = {k: params[k][:, None, :] for k in ("p_i", "p_f", "p_o") if k in params}  # (S, 1, n)
        if sw["readout"] == "dense":
            self.V_y, self.V_yT = params["V_y"], np.ascontiguousarray(swap(params["V_y"]))
        self.inputs = Inputs(xs, (n,))
        self.act = np.empty((T, S, B, len(self.blocks) * n))  # gate values σ(a), g = tanh(a_g), dense y
        self.c = np.empty((T, S, B, n))
        self.y = self.act[..., self.cols["y"]] if sw["readout"] == "dense" else np.empty((T, S, B, n))
        self.da = np.empty(self.act.shape)  # ∂L/∂a of every fused block
        # the sigmoid gates computed before c_t: all of them, or (peephole: o reads c_t) only i and f
        early = sum(own[k] for k in "if") + (own["o"] and not sw["peephole"])
        self.early = slice(0, early * n)

    def gate(self, k: str, t: int) -> Array | float:
        """The value of gate k at step index t: stored, or its constant (1) / coupled (1 - i) value."""
        if k in self.cols:
            return self.act[t][..., self.cols[k]]
        if k == "f" and self.sw["coupled"]:
            return 1.0 - self.act[t][..., self.cols["i"]]
        return 1.0

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        sw, P, cols = self.sw, self.P, self.cols
        c_prev, h_prev = prev["c"], prev["h"]
        a = self.inputs.set(t, [h_prev]) @ self.M  # every fused net input, (S, B, blocks n)
        act = self.act[t]
        if sw["peephole"]:  # write and keep gates look at c_{t-1}
            for k in ("i", "f"):
                if k in cols:
                    a[..., cols[k]] += P[f"p_{k}"] * c_prev
        _sigmoid(a[..., self.early], act[..., self.early])  # i, f (and o): ∂σ/∂a = σ(1 - σ)
        g = np.tanh(a[..., cols["g"]], out=act[..., cols["g"]])  # candidate: ∂g/∂a_g = 1 - g²
        i, f = self.gate("i", t), self.gate("f", t)  # f ≡ 1: the 1997 carousel; f = 1 - i: coupled
        self.c[t] = c = f * c_prev + i * g  # the additive update: ∂c/∂c_{t-1}, gates held, = f
        if "o" in cols and sw["peephole"]:  # the read gate's peephole looks at the new memory
            _sigmoid(a[..., cols["o"]] + P["p_o"] * c, act[..., cols["o"]])
        o = self.gate("o", t)
        readout = sw["readout"]
        if readout == "dense":
            y = np.tanh(a[..., cols["y"]] + c @ self.V_yT, out=act[..., cols["y"]])
        elif readout == "tanh":
            y = np.tanh(c, out=self.y[t])
        elif readout == "sigmoid":
            y = _sigmoid(c, self.y[t])
        else:
            y = c
        return {"c": c, "h": o * y}

    def vjp(
        self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array], truncated: bool = False
    ) -> dict[str, Array]:
        sw, P, cols = self.sw, self.P, self.cols
        i, f, o = self.gate("i", t), self.gate("f", t), self.gate("o", t)
        g = self.act[t][..., cols["g"]]
        c = self.c[t]
        y = c if sw["readout"] == "identity" else self.y[t]
        dh = cot["h"]
        da = self.da[t]
        # h = o ⊙ y
        dy = o * dh
        readout = sw["readout"]
        if readout == "dense":
            da[..., cols["y"]] = da_y = dy * (1.0 - y * y)
            dc = cot["c"] + da_y @ self.V_y  # y reads c_t of this same step: kept under truncation
        elif readout == "tanh":
            dc = cot["c"] + dy * (1.0 - y * y)
        elif readout == "sigmoid":
            dc = cot["c"] + dy * y * (1.0 - y)
        else:
            dc = cot["c"] + dy
        if "o" in cols:
            da[..., cols["o"]] = da_o = y * dh * o * (1.0 - o)
            if sw["peephole"]:
                dc = dc + P["p_o"] * da_o  # o reads c_t of this same step: kept under truncation
        # c = f ⊙ c_{t-1} + i ⊙ g
        dc_prev = f * dc  # the carousel
        df, di = prev["c"] * dc, g * dc
        da[..., cols["g"]] = i * dc * (1.0 - g * g)
        if sw["coupled"]:
            di = di - df  # f = 1 - i sends its cotangent to i
        elif "f" in cols:
            da[..., cols["f"]] = da_f = df * f * (1.0 - f)
            if sw["peephole"] and not truncated:
                dc_prev = dc_prev + P["p_f"] * da_f
        if "i" in cols:
            da[..., cols["i"]] = da_i = di * i * (1.0 - i)
            if sw["peephole"] and not truncated:
                dc_prev = dc_prev + P["p_i"] * da_i
        if truncated:  # h_{t-1} enters step t only through net inputs: nothing flows back through h
            return {"c": dc_prev, "h": np.zeros_like(dh)}
        return {"c": dc_prev, "h": da @ self.Wh}

    def grads(self, states: Mapping[str, Array], steps: slice = slice(None)) -> dict[str, Array]:
        n = self.n
        G = self.inputs.grads(self.da, steps)  # (S, blocks n, n + m + 1)
        out = {}
        for k, sl in self.cols.items():
            out.update({f"W_{k}": G[:, sl, :n], f"U_{k}": G[:, sl, n:-1], f"b_{k}": G[:, sl, -1]})
        if self.sw["peephole"]:
            c_prev, c_new = seed_rows(states["c"][:-1][steps]), seed_rows(self.c[steps])
            for k in ("i", "f", "o"):
                if k in self.cols:
                    seen = c_new if k == "o" else c_prev  # the read gate's peephole looks at c_t
                    out[f"p_{k}"] = (seed_rows(self.da[steps][..., self.cols[k]]) * seen).sum(axis=1)
        if self.sw["readout"] == "dense":
            da_y = seed_rows(self.da[steps][..., self.cols["y"]])
            out["V_y"] = swap(da_y) @ seed_rows(self.c[steps])
        return out
