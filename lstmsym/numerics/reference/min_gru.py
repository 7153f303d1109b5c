"""minGRU (Feng et al. 2024; the paper's polarity: z = 1 writes the candidate), by hand.

State ``(h,)``; gates ``z, g``; params ``U_z (n, m), b_z (n,), U_g (n, m), b_g (n,)``::

    z_t = σ(U_z x_t + b_z)                                      update gate, reads x_t only
    g_t = U_g x_t + b_g                                         candidate, no tanh
    h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ g_t

Nothing but the last line reads h_{t-1}, so the total Jacobian and the direct one are both diag(1 - z_t).
"""

from collections.abc import Mapping

import numpy as np

from .activations import dsigmoid, sigmoid

Array = np.ndarray
STATE_NAMES = ("h",)


def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
    """The update gate z and the candidate g."""
    return ("z", "g")


def step(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
         prev: Mapping[str, Array]) -> dict[str, Array]:
    """One step; the record holds h_t, z_t, its preactivation ``a_z`` and ∂z/∂a_z, and g_t."""
    rec: dict[str, Array] = {}
    rec["a_z"] = params["U_z"] @ x + params["b_z"]
    rec["z"] = z = sigmoid(rec["a_z"])
    rec["dz_da"] = dsigmoid(z)                      # ∂z/∂a_z = z(1 - z)
    rec["g"] = g = params["U_g"] @ x + params["b_g"]
    rec["h"] = (1.0 - z) * prev["h"] + z * g        # ∂h/∂h_{t-1} = diag(1 - z), ∂h/∂z = diag(g - h_{t-1})
    return rec


def jacobian(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
             prev: Mapping[str, Array], rec: Mapping[str, Array], direct: bool = False) -> Array:
    """∂h_t/∂h_{t-1} = diag(1 - z_t), (n, n), on either path: z_t and g_t do not read h_{t-1}."""
    return np.diag(1.0 - rec["z"])


def vjp(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
        prev: Mapping[str, Array], rec: Mapping[str, Array], ds: Mapping[str, Array],
        dparams: dict[str, Array]) -> tuple[dict[str, Array], Array]:
    """Pull the cotangent of h_t back through one step; adds parameter gradients into ``dparams``."""
    z, g, dh = rec["z"], rec["g"], ds["h"]
    dz, dg = (g - prev["h"]) * dh, z * dh
    da_z = dz * rec["dz_da"]
    dparams["U_z"] += np.outer(da_z, x)
    dparams["b_z"] += da_z
    dparams["U_g"] += np.outer(dg, x)
    dparams["b_g"] += dg
    return {"h": (1.0 - z) * dh}, params["U_z"].T @ da_z + params["U_g"].T @ dg
