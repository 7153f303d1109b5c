"""Dense-memory cell (one dense layer computes the new memory), by hand.

State ``(c, h)``; gate ``o``; params ``W_c (n, n), W_h (n, n), U_c (n, m), b_c (n,), W_o, U_o, b_o``::

    c_t = tanh(W_c c_{t-1} + W_h h_{t-1} + U_c x_t + b_c)
    o_t = σ(W_o h_{t-1} + U_o x_t + b_o)
    h_t = o_t ⊙ tanh(c_t)

The memory path has no gate: ∂c_t/∂c_{t-1} = diag(1 - c_t²) W_c, the vanilla-RNN form, in the direct Jacobian
as in the total one (the candidate is the state itself, so nothing on that block is held). The direct Jacobian
holds o and the other previous state fixed: its h-block lacks the total's term tanh(c_t) ⊙ ∂o_t/∂h_{t-1}, and
over T steps its c-block lacks every route c → h → c through W_h.
"""

from collections.abc import Mapping

import numpy as np

from .activations import dsigmoid, dtanh, sigmoid, tanh

Array = np.ndarray
STATE_NAMES = ("c", "h")


def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
    """The one gate, o."""
    return ("o",)


def step(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
         prev: Mapping[str, Array]) -> dict[str, Array]:
    """One forward step; the record holds c_t, h_t, o_t, the preactivations ``a_c``, ``a_o``, the readout
    y_t = tanh(c_t) and the local derivatives ``dc_da``, ``do_da``, ``dy_dc`` (diagonal, (n,))."""
    c_prev, h_prev = prev["c"], prev["h"]
    rec: dict[str, Array] = {}
    # new memory: one dense layer of [c_{t-1}; h_{t-1}; x_t]; ∂a_c/∂[c_{t-1}; h_{t-1}] = [W_c W_h], (n, 2n)
    rec["a_c"] = params["W_c"] @ c_prev + params["W_h"] @ h_prev + params["U_c"] @ x + params["b_c"]
    rec["c"] = c = tanh(rec["a_c"])
    rec["dc_da"] = dtanh(c)                        # ∂c/∂a_c = 1 - c²
    # read gate
    rec["a_o"] = params["W_o"] @ h_prev + params["U_o"] @ x + params["b_o"]
    rec["o"] = o = sigmoid(rec["a_o"])
    rec["do_da"] = dsigmoid(o)                     # ∂o/∂a_o = o(1 - o)
    # readout
    rec["y"] = y = tanh(c)
    rec["dy_dc"] = dtanh(y)                        # ∂y/∂c = 1 - tanh²(c)
    rec["h"] = o * y                               # ∂h/∂o = diag(y), ∂h/∂y = diag(o)
    return rec


def jacobian(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
             prev: Mapping[str, Array], rec: Mapping[str, Array], direct: bool = False) -> Array:
    """∂[c_t; h_t]/∂[c_{t-1}; h_{t-1}], (2n, 2n), by pushing tangents (n, 2n) through ``step``'s lines."""
    n = rec["c"].shape[0]
    Tc = rec["dc_da"][:, None] * np.concatenate([params["W_c"], params["W_h"]], axis=1)   # (n, 2n)
    Th = (rec["o"] * rec["dy_dc"])[:, None] * Tc                             # o ⊙ tanh(c), o held
    if not direct:                                                           # + tanh(c) ⊙ (∂o/∂s)
        To = rec["do_da"][:, None] * np.concatenate([np.zeros((n, n)), params["W_o"]], axis=1)
        Th = Th + rec["y"][:, None] * To
    return np.concatenate([Tc, Th], axis=0)


def vjp(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
        prev: Mapping[str, Array], rec: Mapping[str, Array], ds: Mapping[str, Array],
        dparams: dict[str, Array]) -> tuple[dict[str, Array], Array]:
    """Pull the cotangents ``ds["c"], ds["h"]`` of c_t, h_t back through ``step``'s lines, last line first.

    Adds this step's parameter gradients into ``dparams`` (in place); returns (cotangents of c_{t-1}, h_{t-1}
    as a dict, cotangent of x_t).
    """
    c_prev, h_prev = prev["c"], prev["h"]
    dh = ds["h"]
    # h = o ⊙ y, y = tanh(c)
    do, dy = rec["y"] * dh, rec["o"] * dh
    dc = ds["c"] + dy * rec["dy_dc"]
    # o = σ(W_o h_{t-1} + U_o x + b_o)
    da_o = do * rec["do_da"]
    dparams["W_o"] += np.outer(da_o, h_prev)
    dparams["U_o"] += np.outer(da_o, x)
    dparams["b_o"] += da_o
    # c = tanh(W_c c_{t-1} + W_h h_{t-1} + U_c x + b_c)
    da_c = dc * rec["dc_da"]
    dparams["W_c"] += np.outer(da_c, c_prev)
    dparams["W_h"] += np.outer(da_c, h_prev)
    dparams["U_c"] += np.outer(da_c, x)
    dparams["b_c"] += da_c
    dc_prev = params["W_c"].T @ da_c
    dh_prev = params["W_h"].T @ da_c + params["W_o"].T @ da_o
    dx = params["U_c"].T @ da_c + params["U_o"].T @ da_o
    return {"c": dc_prev, "h": dh_prev}, dx
