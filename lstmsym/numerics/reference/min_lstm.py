"""minLSTM (Feng et al. 2024), by hand.

State ``(h,)``; gates ``i, f, g, i', f'``; params ``U_i, b_i, U_f, b_f, U_g, b_g`` ((n, m) and (n,))::

    i_t = σ(U_i x_t + b_i),  f_t = σ(U_f x_t + b_f)              read x_t only
    g_t = U_g x_t + b_g                                         candidate, no tanh
    s_t = f_t + i_t
    i'_t = i_t / s_t,  f'_t = f_t / s_t                         normalised gates
    h_t = f'_t ⊙ h_{t-1} + i'_t ⊙ g_t

∂f'/∂f = i/s², ∂f'/∂i = -f/s², ∂i'/∂i = f/s², ∂i'/∂f = -i/s². Only the last line reads h_{t-1}: total and
direct Jacobians are both diag(f'_t).
"""

from collections.abc import Mapping

import numpy as np

from .activations import dsigmoid, sigmoid

Array = np.ndarray
STATE_NAMES = ("h",)


def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
    """Write and keep gates, the candidate, and the two normalised gates."""
    return ("i", "f", "g", "i'", "f'")


def step(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
         prev: Mapping[str, Array]) -> dict[str, Array]:
    """One step; the record holds h_t, the gates, the sum s_t = f_t + i_t and the sigmoids' slopes."""
    rec: dict[str, Array] = {}
    for k in "if":
        rec[f"a_{k}"] = params[f"U_{k}"] @ x + params[f"b_{k}"]
        rec[k] = sigmoid(rec[f"a_{k}"])
        rec[f"d{k}_da"] = dsigmoid(rec[k])           # ∂k/∂a_k = k(1 - k)
    rec["g"] = g = params["U_g"] @ x + params["b_g"]
    rec["s"] = s = rec["f"] + rec["i"]
    rec["i'"] = i_n = rec["i"] / s
    rec["f'"] = f_n = rec["f"] / s
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
    dh, s2 = ds["h"], rec["s"] ** 2
    df_n, di_n, dg = prev["h"] * dh, rec["g"] * dh, rec["i'"] * dh
    df = (df_n - di_n) * rec["i"] / s2              # f' = f/s and i' = i/s, s = f + i
    di = (di_n - df_n) * rec["f"] / s2
    dparams["U_g"] += np.outer(dg, x)
    dparams["b_g"] += dg
    dx = params["U_g"].T @ dg
    for k, dk in (("i", di), ("f", df)):
        da = dk * rec[f"d{k}_da"]
        dparams[f"U_{k}"] += np.outer(da, x)
        dparams[f"b_{k}"] += da
        dx += params[f"U_{k}"].T @ da
    return {"h": rec["f'"] * dh}, dx
