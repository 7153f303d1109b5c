"""LSTM (Gers 2000) and its switches, by hand.

State ``(c, h)``; gates in order ``i, f, g, o``; for the gates present, params ``W_k (n, n), U_k (n, m),
b_k (n,)``, peepholes ``p_i, p_f, p_o (n,)``, dense readout ``W_y (n, n), U_y (n, m), V_y (n, n), b_y (n,)``::

    i_t = σ(W_i h_{t-1} + U_i x_t + b_i [+ p_i ⊙ c_{t-1}])     write gate        (≡ 1 if input_gate=False)
    f_t = σ(W_f h_{t-1} + U_f x_t + b_f [+ p_f ⊙ c_{t-1}])     keep gate         (≡ 1 if forget_gate=False,
                                                                                  1 - i_t if coupled=True)
    g_t = tanh(W_g h_{t-1} + U_g x_t + b_g)                     candidate memory
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                             the additive update
    o_t = σ(W_o h_{t-1} + U_o x_t + b_o [+ p_o ⊙ c_t])          read gate         (≡ 1 if output_gate=False)
    y_t = φ(c_t)  or, readout="dense",  tanh(W_y h_{t-1} + U_y x_t + V_y c_t + b_y)
    h_t = o_t ⊙ y_t

The Jacobian is pushed forward with tangents of shape (n, 2n): row r holds the derivative of a quantity's
r-th entry with respect to s_{t-1} = [c_{t-1}; h_{t-1}]. The *direct* Jacobian holds the gates i, f, o and the
candidate g fixed (their tangents are zero); the dense readout y is not a gate and keeps its dependence on
h_{t-1} and c_t.

The *truncated* gradient (Hochreiter & Schmidhuber 1997) passes no error back in time through a net input:
whatever reaches the net inputs of i, f, g, o (and of the dense readout) stops there instead of continuing to
h_{t-1}, and the peepholes p_i, p_f pass nothing to c_{t-1}. Only the memory line carries error across the
step: the cotangent of c_{t-1} is f_t ⊙ (cotangent of c_t), and h_{t-1} gets none. Within the step nothing is
cut (h_t still reaches c_t through the readout, and o's peephole p_o still reaches c_t), and the parameter
and input gradients of the step are the usual local ones.
"""

from collections.abc import Mapping

import numpy as np

from .activations import didentity, dsigmoid, dtanh, identity, sigmoid, tanh

Array = np.ndarray
STATE_NAMES = ("c", "h")
DEFAULTS: dict[str, object] = {"readout": "tanh", "input_gate": True, "forget_gate": True,
                               "output_gate": True, "coupled": False, "peephole": False}
# readout φ and its derivative in terms of its output (the "dense" readout is its own layer, below)
READOUTS = {"tanh": (tanh, dtanh), "sigmoid": (sigmoid, dsigmoid), "identity": (identity, didentity)}


def switches(options: Mapping[str, object]) -> dict[str, object]:
    """The options with the conventions' defaults filled in, checked.

    >>> switches({"coupled": True})["readout"]
    'tanh'
    """
    sw = {**DEFAULTS, **options}
    unknown = set(sw) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown lstm option(s) {sorted(unknown)}; expected some of {sorted(DEFAULTS)}")
    if sw["readout"] not in (*READOUTS, "dense"):
        raise ValueError(f"readout={sw['readout']!r} is not valid; expected one of: "
                         "'tanh', 'sigmoid', 'identity', 'dense'")
    if sw["coupled"] and not (sw["input_gate"] and sw["forget_gate"]):
        raise ValueError("coupled=True (f = 1 - i) needs input_gate=True and forget_gate=True")
    return sw


def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
    """Gates present, in the order i, f, g, o (a coupled f = 1 - i counts as present).

    >>> gate_names({"input_gate": False, "output_gate": False})
    ('f', 'g')
    """
    sw = switches(options)
    present = {"i": sw["input_gate"], "f": sw["forget_gate"], "g": True, "o": sw["output_gate"]}
    return tuple(k for k, on in present.items() if on)


def _preact(params: Mapping[str, Array], k: str, h_prev: Array, x: Array,
            peep: Array | None) -> Array:
    """a_k = W_k h_{t-1} + U_k x_t + b_k [+ p_k ⊙ peep], (n,)."""
    a = params[f"W_{k}"] @ h_prev + params[f"U_{k}"] @ x + params[f"b_{k}"]
    return a if peep is None else a + params[f"p_{k}"] * peep


def step(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
         prev: Mapping[str, Array]) -> dict[str, Array]:
    """One forward step: the record holds c_t, h_t, each present gate, its preactivation ``a_k`` and its local
    derivative ``dk_da`` = ∂k/∂a_k (diagonal, (n,)), and the readout y_t with ``dy_da`` = ∂y/∂a_y for the
    dense readout, ∂y/∂c_t = φ'(c_t) otherwise."""
    sw = switches(options)
    c_prev, h_prev = prev["c"], prev["h"]
    peep_in = c_prev if sw["peephole"] else None   # the peepholes of i and f look at the old memory
    ones = np.ones_like(c_prev)
    rec: dict[str, Array] = {}
    # write gate: how much of the candidate enters the memory
    if sw["input_gate"]:
        rec["a_i"] = _preact(params, "i", h_prev, x, peep_in)
        rec["i"] = i = sigmoid(rec["a_i"])
        rec["di_da"] = dsigmoid(i)                 # ∂i/∂a_i = i(1 - i)
    else:
        i = ones                                   # i ≡ 1, a constant
    # keep gate: how much of the old memory survives
    if sw["coupled"]:
        rec["f"] = f = 1.0 - i                     # ∂f/∂a_i = -∂i/∂a_i
    elif sw["forget_gate"]:
        rec["a_f"] = _preact(params, "f", h_prev, x, peep_in)
        rec["f"] = f = sigmoid(rec["a_f"])
        rec["df_da"] = dsigmoid(f)                 # ∂f/∂a_f = f(1 - f)
    else:
        f = ones                                   # the 1997 carousel, f ≡ 1
    # candidate memory
    rec["a_g"] = _preact(params, "g", h_prev, x, None)
    rec["g"] = g = tanh(rec["a_g"])
    rec["dg_da"] = dtanh(g)                        # ∂g/∂a_g = 1 - g²
    # the additive update
    rec["c"] = c = f * c_prev + i * g              # ∂c/∂c_{t-1} = diag(f) with the gates held,
    #                                                ∂c/∂f = diag(c_{t-1}), ∂c/∂i = diag(g), ∂c/∂g = diag(i)
    # read gate: how much of the memory is shown (its peephole looks at the new memory)
    if sw["output_gate"]:
        rec["a_o"] = _preact(params, "o", h_prev, x, c if sw["peephole"] else None)
        rec["o"] = o = sigmoid(rec["a_o"])
        rec["do_da"] = dsigmoid(o)                 # ∂o/∂a_o = o(1 - o)
    else:
        o = ones
    # readout
    if sw["readout"] == "dense":
        rec["a_y"] = params["W_y"] @ h_prev + params["U_y"] @ x + params["V_y"] @ c + params["b_y"]
        rec["y"] = y = tanh(rec["a_y"])
        rec["dy_da"] = dtanh(y)                    # ∂y/∂a_y = 1 - y²
    else:
        phi, dphi = READOUTS[sw["readout"]]
        rec["y"] = y = phi(c)
        rec["dy_da"] = dphi(y)                     # ∂y/∂c = φ'(c), in terms of y = φ(c)
    rec["h"] = o * y                               # ∂h/∂o = diag(y), ∂h/∂y = diag(o)
    return rec


def jacobian(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
             prev: Mapping[str, Array], rec: Mapping[str, Array], direct: bool = False,
             truncated: bool = False) -> Array:
    """∂[c_t; h_t]/∂[c_{t-1}; h_{t-1}], (2n, 2n), by pushing tangents (n, 2n) through the lines of ``step``.

    ``direct=True`` gives every gate and the candidate a zero tangent (their values held fixed).
    ``truncated=True`` gives every net input a zero tangent with respect to s_{t-1} (the 1997 truncated
    gradient): the gates and the candidate are held, the dense readout loses its W_y h_{t-1} term, and o's
    peephole on the new memory c_t, inside the step, is kept.
    """
    sw = switches(options)
    c_prev = prev["c"]
    n = c_prev.shape[0]
    ones = np.ones(n)
    i, f, o = (rec.get(k, ones) for k in "ifo")
    g, y = rec["g"], rec["y"]
    zero = np.zeros((n, 2 * n))
    dc_prev = np.concatenate([np.eye(n), np.zeros((n, n))], axis=1)   # tangent of c_{t-1}: [I 0]

    def recurrent(W: Array) -> Array:          # tangent of W h_{t-1}: [0 W], (n, 2n)
        return np.concatenate([np.zeros((n, n)), W], axis=1)

    def gate_tangent(k: str, peep_tangent: Array) -> Array:   # ∂k/∂s = diag(dk) (W_k h + p_k ⊙ peep)'
        da = recurrent(params[f"W_{k}"])
        if sw["peephole"]:
            da = da + params[f"p_{k}"][:, None] * peep_tangent
        return rec[f"d{k}_da"][:, None] * da

    live = not (direct or truncated)
    Ti = gate_tangent("i", dc_prev) if live and sw["input_gate"] else zero
    if sw["coupled"]:
        Tf = -Ti                                                        # f = 1 - i
    else:
        Tf = gate_tangent("f", dc_prev) if live and sw["forget_gate"] else zero
    Tg = rec["dg_da"][:, None] * recurrent(params["W_g"]) if live else zero
    # c = f ⊙ c_{t-1} + i ⊙ g   (product rule, each factor's tangent row-scaled by the other factor)
    Tc = f[:, None] * dc_prev + c_prev[:, None] * Tf + g[:, None] * Ti + i[:, None] * Tg
    if sw["output_gate"] and live:
        To = gate_tangent("o", Tc)
    elif sw["output_gate"] and truncated and sw["peephole"]:   # a_o reads c_t within the step: kept
        To = (rec["do_da"] * params["p_o"])[:, None] * Tc
    else:
        To = zero
    if sw["readout"] == "dense":                # y is not a gate: it keeps its tangent even when direct
        back_in_time = zero if truncated else recurrent(params["W_y"])
        Ty = rec["dy_da"][:, None] * (back_in_time + params["V_y"] @ Tc)
    else:
        Ty = rec["dy_da"][:, None] * Tc
    Th = y[:, None] * To + o[:, None] * Ty                              # h = o ⊙ y
    return np.concatenate([Tc, Th], axis=0)


def _pull_affine(params: Mapping[str, Array], k: str, da: Array, h_prev: Array, x: Array,
                 dparams: dict[str, Array]) -> tuple[Array, Array]:
    """Backward of W_k h_{t-1} + U_k x_t + b_k: add the weight gradients, return (∂/∂h_{t-1}, ∂/∂x_t)."""
    dparams[f"W_{k}"] += np.outer(da, h_prev)
    dparams[f"U_{k}"] += np.outer(da, x)
    dparams[f"b_{k}"] += da
    return params[f"W_{k}"].T @ da, params[f"U_{k}"].T @ da


def vjp(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
        prev: Mapping[str, Array], rec: Mapping[str, Array], ds: Mapping[str, Array],
        dparams: dict[str, Array], truncated: bool = False) -> tuple[dict[str, Array], Array]:
    """Pull the cotangents ``ds["c"], ds["h"]`` of c_t, h_t back through ``step``'s lines, last line first.

    Adds this step's parameter gradients into ``dparams`` (in place); returns (cotangents of c_{t-1}, h_{t-1}
    as a dict, cotangent of x_t). Here a local ``dq`` is the cotangent ∂L/∂q, while ``rec["dq_da"]`` is the
    forward pass's local derivative ∂q/∂a_q. ``truncated=True``: what reaches a net input is not passed on to
    h_{t-1} or (through p_i, p_f) to c_{t-1}; the cotangent of c_{t-1} is f_t ⊙ (cotangent of c_t).
    """
    sw = switches(options)
    c_prev, h_prev = prev["c"], prev["h"]
    n = c_prev.shape[0]
    ones = np.ones(n)
    i, f, o = (rec.get(k, ones) for k in "ifo")
    c, g, y = rec["c"], rec["g"], rec["y"]
    dc = np.array(ds["c"], dtype=np.float64)   # cotangent of c_t: from s_t, then from h_t and o_t below
    dh = ds["h"]
    dc_prev, dh_prev, dx = np.zeros(n), np.zeros(n), np.zeros(x.shape[0])

    # h = o ⊙ y
    dy, do = o * dh, y * dh
    # readout
    if sw["readout"] == "dense":
        da_y = dy * rec["dy_da"]
        dparams["V_y"] += np.outer(da_y, c)
        dc += params["V_y"].T @ da_y
        back_h, back_x = _pull_affine(params, "y", da_y, h_prev, x, dparams)
        dh_prev += 0.0 if truncated else back_h
        dx += back_x
    else:
        dc += dy * rec["dy_da"]
    # read gate
    if sw["output_gate"]:
        da_o = do * rec["do_da"]
        back_h, back_x = _pull_affine(params, "o", da_o, h_prev, x, dparams)
        dh_prev += 0.0 if truncated else back_h
        dx += back_x
        if sw["peephole"]:
            dparams["p_o"] += da_o * c
            dc += params["p_o"] * da_o
    # c = f ⊙ c_{t-1} + i ⊙ g
    dc_prev += f * dc
    df, di, dg = c_prev * dc, g * dc, i * dc
    # candidate
    da_g = dg * rec["dg_da"]
    back_h, back_x = _pull_affine(params, "g", da_g, h_prev, x, dparams)
    dh_prev += 0.0 if truncated else back_h
    dx += back_x
    # keep gate, then write gate (a coupled f = 1 - i sends its cotangent to i)
    gates = []
    if sw["coupled"]:
        di = di - df
    elif sw["forget_gate"]:
        gates.append(("f", df * rec["df_da"]))
    if sw["input_gate"]:
        gates.append(("i", di * rec["di_da"]))
    for k, da in gates:
        back_h, back_x = _pull_affine(params, k, da, h_prev, x, dparams)
        dh_prev += 0.0 if truncated else back_h
        dx += back_x
        if sw["peephole"]:
            dparams[f"p_{k}"] += da * c_prev
            dc_prev += 0.0 if truncated else params[f"p_{k}"] * da
    return {"c": dc_prev, "h": dh_prev}, dx
