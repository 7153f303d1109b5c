"""minLSTM (Feng et al. 2024), by hand.

State ``(h,)``; gates ``f', i', g``; params ``U_i, b_i, U_f, b_f, U_g, b_g`` ((n, m) and (n,))::

    i_t = σ(U_i x_t + b_i),  f_t = σ(U_f x_t + b_f)              read x_t only
    g_t = U_g x_t + b_g                                         candidate, no tanh
    s_t = f_t + i_t
    i'_t = i_t / s_t,  f'_t = f_t / s_t                         normalised gates
    h_t = f'_t ⊙ h_{t-1} + i'_t ⊙ g_t

Computed without dividing by s_t, which is 0/0 in float64 once both sigmoids underflow: with
d_t = log f_t - log i_t = softplus(-a_i) - softplus(-a_f), f'_t = σ(d_t) and i'_t = σ(-d_t) exactly, and
∂f'/∂a_f = f' i' (1 - f), ∂f'/∂a_i = -f' i' (1 - i) (as ∂f'/∂f = i/s², ∂f'/∂i = -f/s²). Only the last line
reads h_{t-1}: total and direct Jacobians are both diag(f'_t).
"""

from collections.abc import Mapping

import numpy as np

from .activations import sigmoid

Array = np.ndarray
STATE_NAMES = ("h",)


def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
    """The normalised keep and write gates (i' = 1 - f') and the candidate; i_t and f_t are in the record."""
    return ("f'", "i'", "g")


def step(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
         prev: Mapping[str, Array]) -> dict[str, Array]:
    """One step; the record holds h_t, the gates and the slopes of the normalised gates."""
    rec: dict[str, Array] = {}
    for k in "if":
        rec[f"a_{k}"] = params[f"U_{k}"] @ x + params[f"b_{k}"]
        rec[k] = sigmoid(rec[f"a_{k}"])
    rec["g"] = g = params["U_g"] @ x + params["b_g"]
    d = np.logaddexp(0.0, -rec["a_i"]) - np.logaddexp(0.0, -rec["a_f"])   # log f - log i
    rec["i'"] = i_n = sigmoid(-d)                   # i / (f + i)
    rec["f'"] = f_n = sigmoid(d)                    # f / (f + i)
    rec["ff_da"] = f_n * i_n * sigmoid(-rec["a_f"])  # ∂f'/∂a_f = f' i' (1 - f) = -∂i'/∂a_f
    rec["fi_da"] = f_n * i_n * sigmoid(-rec["a_i"])  # -∂f'/∂a_i = f' i' (1 - i) = ∂i'/∂a_i
    rec["h"] = f_n * prev["h"] + i_n * g            # ∂h/∂h_{t-1} = diag(f')
    return rec


def jacobian(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
             prev: Mapping[str, Array], rec: Mapping[str, Array], direct: bool = False) -> Array:
    """∂h_t/∂h_{t-1} = diag(f'_t), (n, n), on either path: no gate reads h_{t-1}."""
    return np.diag(rec["f'"])


def vjp(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
        prev: Mapping[str, Array], rec: Mapping[str, Array], ds: Mapping[str, Array],
        dparams: dict[str, Array]) -> tuple[dict[str, Array], Array]:
    """Pull the cotangent of h_t back through one step; adds parameter gradients into ``dparams``."""
    dh = ds["h"]
    df_n, di_n, dg = prev["h"] * dh, rec["g"] * dh, rec["i'"] * dh
    da_f = (df_n - di_n) * rec["ff_da"]             # f' + i' = 1: a_f moves f' up and i' down alike
    da_i = (di_n - df_n) * rec["fi_da"]
    dparams["U_g"] += np.outer(dg, x)
    dparams["b_g"] += dg
    dx = params["U_g"].T @ dg
    for k, da in (("i", da_i), ("f", da_f)):
        dparams[f"U_{k}"] += np.outer(da, x)
        dparams[f"b_{k}"] += da
        dx += params[f"U_{k}"].T @ da
    return {"h": rec["f'"] * dh}, dx
