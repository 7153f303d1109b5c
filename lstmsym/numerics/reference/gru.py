"""GRU (PyTorch / Keras default: the reset gate acts after the recurrent product), by hand.

State ``(h,)``; gates ``z, r, n``; params ``W_z, U_z, b_z, W_r, U_r, b_r, W_n, U_n, b_n, d_n (n,)``::

    z_t = σ(W_z h_{t-1} + U_z x_t + b_z)                        update gate (z = 1 keeps the old state)
    r_t = σ(W_r h_{t-1} + U_r x_t + b_r)                        reset gate
    q_t = W_n h_{t-1} + d_n                                     recurrent part of the candidate
    n_t = tanh(U_n x_t + b_n + r_t ⊙ q_t)                       candidate
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

(The gate called n shares its letter with the hidden size n; in code the candidate is ``cand``.)
The direct Jacobian holds z, r and n fixed, which leaves ∂h_t/∂h_{t-1} = diag(z_t). The *truncated* gradient
(the 1997 LSTM's rule, carried over) passes nothing back in time through the net inputs of z, r and n: the
cotangent of h_{t-1} is z_t ⊙ (cotangent of h_t), so its step Jacobian is diag(z_t) as well.
"""

from collections.abc import Mapping

import numpy as np

from .activations import dsigmoid, dtanh, sigmoid, tanh

Array = np.ndarray
STATE_NAMES = ("h",)


def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
    """Gates z, r, n (always all three)."""
    return ("z", "r", "n")


def step(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
         prev: Mapping[str, Array]) -> dict[str, Array]:
    """One forward step; the record holds h_t, the gates z, r, n, their preactivations ``a_k``, their local
    derivatives ``dk_da`` = ∂k/∂a_k (diagonal, (n,)) and q_t = W_n h_{t-1} + d_n."""
    h_prev = prev["h"]
    rec: dict[str, Array] = {}
    # update gate: z = 1 keeps the old state
    rec["a_z"] = params["W_z"] @ h_prev + params["U_z"] @ x + params["b_z"]
    rec["z"] = z = sigmoid(rec["a_z"])
    rec["dz_da"] = dsigmoid(z)                     # ∂z/∂a_z = z(1 - z)
    # reset gate: how much of the old state the candidate sees
    rec["a_r"] = params["W_r"] @ h_prev + params["U_r"] @ x + params["b_r"]
    rec["r"] = r = sigmoid(rec["a_r"])
    rec["dr_da"] = dsigmoid(r)                     # ∂r/∂a_r = r(1 - r)
    # candidate; the reset multiplies the whole recurrent term, bias d_n included
    rec["q"] = q = params["W_n"] @ h_prev + params["d_n"]   # ∂q/∂h_{t-1} = W_n
    rec["a_n"] = params["U_n"] @ x + params["b_n"] + r * q  # ∂a_n/∂r = diag(q), ∂a_n/∂q = diag(r)
    rec["n"] = cand = tanh(rec["a_n"])
    rec["dn_da"] = dtanh(cand)                     # ∂n/∂a_n = 1 - n²
    # interpolation between candidate and old state
    rec["h"] = (1.0 - z) * cand + z * h_prev       # ∂h/∂z = diag(h_{t-1} - n), ∂h/∂n = diag(1 - z),
    #                                                ∂h/∂h_{t-1} (gates held) = diag(z)
    return rec


def jacobian(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
             prev: Mapping[str, Array], rec: Mapping[str, Array], direct: bool = False,
             truncated: bool = False) -> Array:
    """∂h_t/∂h_{t-1}, (n, n), by pushing tangents (n, n) through the lines of ``step``; ``direct`` or
    ``truncated``: diag(z_t), the gates' and candidate's net inputs passing nothing back."""
    h_prev = prev["h"]
    z, r, q, cand = rec["z"], rec["r"], rec["q"], rec["n"]
    J = np.diag(z)                                                           # the carousel: z ⊙ h_{t-1}
    if direct or truncated:
        return J
    Tz = rec["dz_da"][:, None] * params["W_z"]                               # (n, n)
    Tr = rec["dr_da"][:, None] * params["W_r"]
    Tn = rec["dn_da"][:, None] * (q[:, None] * Tr + r[:, None] * params["W_n"])  # a_n = ... + r ⊙ q
    return J + (h_prev - cand)[:, None] * Tz + (1.0 - z)[:, None] * Tn


def vjp(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
        prev: Mapping[str, Array], rec: Mapping[str, Array], ds: Mapping[str, Array],
        dparams: dict[str, Array], truncated: bool = False) -> tuple[dict[str, Array], Array]:
    """Pull the cotangent ``ds["h"]`` of h_t back through ``step``'s lines, last line first.

    Adds this step's parameter gradients into ``dparams`` (in place); returns (cotangent of h_{t-1} as a
    dict, cotangent of x_t). ``truncated=True``: the net inputs pass nothing on to h_{t-1}.
    """
    h_prev = prev["h"]
    z, r, q, cand = rec["z"], rec["r"], rec["q"], rec["n"]
    dh = ds["h"]
    # h = (1 - z) ⊙ n + z ⊙ h_{t-1}
    dh_prev = z * dh
    dz, dcand = (h_prev - cand) * dh, (1.0 - z) * dh
    # n = tanh(U_n x + b_n + r ⊙ q)
    da_n = dcand * rec["dn_da"]
    dparams["U_n"] += np.outer(da_n, x)
    dparams["b_n"] += da_n
    dx = params["U_n"].T @ da_n
    dr, dq = q * da_n, r * da_n
    # q = W_n h_{t-1} + d_n
    dparams["W_n"] += np.outer(dq, h_prev)
    dparams["d_n"] += dq
    dh_prev += 0.0 if truncated else params["W_n"].T @ dq
    # the two sigmoid gates r and z: a_k = W_k h_{t-1} + U_k x + b_k
    for k, da in (("r", dr * rec["dr_da"]), ("z", dz * rec["dz_da"])):
        dparams[f"W_{k}"] += np.outer(da, h_prev)
        dparams[f"U_{k}"] += np.outer(da, x)
        dparams[f"b_{k}"] += da
        dh_prev += 0.0 if truncated else params[f"W_{k}"].T @ da
        dx += params[f"U_{k}"].T @ da
    return {"h": dh_prev}, dx
