"""Depth cells by hand: the plain deep tanh layer, the residual block and the highway layer.

One layer is one step; the layer reads no input (x is accepted and ignored, its cotangent is zero). Each
class below is a cell module of this package (``STATE_NAMES``, ``gate_names``, ``step``, ``jacobian``,
``vjp``; see :mod:`.rnn`), with every local derivative next to its forward line.

- ``plain_deep``: h_l = tanh(W h_{l-1} + b). No gate: direct = total = diag(1 - h_l²) W.
- ``residual``: u_l = tanh(W_1 h_{l-1} + b_1), h_l = h_{l-1} + W_2 u_l + b_2. Direct (u held): I.
  Total: I + W_2 diag(1 - u_l²) W_1.
- ``highway``: H_l = tanh(W_H h_{l-1} + b_H), T_l = σ(W_T h_{l-1} + b_T),
  h_l = T_l ⊙ H_l + (1 - T_l) ⊙ h_{l-1}.
  Direct (H, T held): diag(1 - T_l), the carry gate. Total adds diag(T_l (1 - H_l²)) W_H and
  diag((H_l - h_{l-1}) T_l (1 - T_l)) W_T.

>>> import numpy as np
>>> p = {"W_1": np.array([[2.0]]), "b_1": np.zeros(1), "W_2": np.array([[0.5]]), "b_2": np.zeros(1)}
>>> rec = residual.step(p, {}, np.zeros(1), {"h": np.array([0.0])})
>>> residual.jacobian(p, {}, np.zeros(1), {"h": np.zeros(1)}, rec)            # 1 + 0.5 · 1 · 2
array([[2.]])
>>> residual.jacobian(p, {}, np.zeros(1), {"h": np.zeros(1)}, rec, direct=True)
array([[1.]])
"""

from collections.abc import Mapping

import numpy as np

from .activations import dsigmoid, dtanh, sigmoid, tanh

Array = np.ndarray


class plain_deep:  # a cell module, named by its kind
    """h_l = tanh(W h_{l-1} + b)."""

    STATE_NAMES = ("h",)

    @staticmethod
    def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
        return ()

    @staticmethod
    def step(params, options, x, prev) -> dict[str, Array]:
        a = params["W"] @ prev["h"] + params["b"]     # ∂a/∂h_{l-1} = W
        h = tanh(a)
        return {"h": h, "a": a, "dh_da": dtanh(h)}     # ∂h/∂a = diag(1 - h²)

    @staticmethod
    def jacobian(params, options, x, prev, rec, direct: bool = False) -> Array:
        return rec["dh_da"][:, None] * params["W"]    # no gate: direct = total

    @staticmethod
    def vjp(params, options, x, prev, rec, ds, dparams) -> tuple[dict[str, Array], Array]:
        da = ds["h"] * rec["dh_da"]
        dparams["W"] += np.outer(da, prev["h"])
        dparams["b"] += da
        return {"h": params["W"].T @ da}, np.zeros_like(x)


class residual:
    """u_l = tanh(W_1 h_{l-1} + b_1), h_l = h_{l-1} + W_2 u_l + b_2."""

    STATE_NAMES = ("h",)

    @staticmethod
    def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
        return ("u",)

    @staticmethod
    def step(params, options, x, prev) -> dict[str, Array]:
        a_u = params["W_1"] @ prev["h"] + params["b_1"]      # ∂a_u/∂h_{l-1} = W_1
        u = tanh(a_u)
        du_da = dtanh(u)                                     # ∂u/∂a_u = diag(1 - u²)
        h = prev["h"] + params["W_2"] @ u + params["b_2"]   # ∂h/∂h_{l-1} = I (identity path), ∂h/∂u = W_2
        return {"h": h, "u": u, "a_u": a_u, "du_da": du_da}

    @staticmethod
    def jacobian(params, options, x, prev, rec, direct: bool = False) -> Array:
        n = rec["h"].shape[0]
        if direct:                                           # the branch F held fixed
            return np.eye(n)
        return np.eye(n) + params["W_2"] @ (rec["du_da"][:, None] * params["W_1"])

    @staticmethod
    def vjp(params, options, x, prev, rec, ds, dparams) -> tuple[dict[str, Array], Array]:
        dh = ds["h"]
        dparams["W_2"] += np.outer(dh, rec["u"])
        dparams["b_2"] += dh
        da_u = (params["W_2"].T @ dh) * rec["du_da"]
        dparams["W_1"] += np.outer(da_u, prev["h"])
        dparams["b_1"] += da_u
        return {"h": dh + params["W_1"].T @ da_u}, np.zeros_like(x)


class highway:
    """H_l = tanh(W_H h + b_H), T_l = σ(W_T h + b_T), h_l = T ⊙ H + (1 - T) ⊙ h_{l-1}."""

    STATE_NAMES = ("h",)

    @staticmethod
    def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
        return ("H", "T")

    @staticmethod
    def step(params, options, x, prev) -> dict[str, Array]:
        h_prev = prev["h"]
        a_H = params["W_H"] @ h_prev + params["b_H"]
        H = tanh(a_H)
        a_T = params["W_T"] @ h_prev + params["b_T"]
        T = sigmoid(a_T)
        h = T * H + (1.0 - T) * h_prev      # ∂h/∂T = H - h_{l-1}, ∂h/∂H = T, ∂h/∂h_{l-1} (held) = 1 - T
        return {"h": h, "H": H, "T": T, "a_H": a_H, "a_T": a_T, "dH_da": dtanh(H), "dT_da": dsigmoid(T)}

    @staticmethod
    def jacobian(params, options, x, prev, rec, direct: bool = False) -> Array:
        J = np.diag(1.0 - rec["T"])                                   # carry gate: the direct path
        if not direct:
            J = J + (rec["T"] * rec["dH_da"])[:, None] * params["W_H"]
            J = J + ((rec["H"] - prev["h"]) * rec["dT_da"])[:, None] * params["W_T"]
        return J

    @staticmethod
    def vjp(params, options, x, prev, rec, ds, dparams) -> tuple[dict[str, Array], Array]:
        dh, h_prev = ds["h"], prev["h"]
        da_H = dh * rec["T"] * rec["dH_da"]
        da_T = dh * (rec["H"] - h_prev) * rec["dT_da"]
        dparams["W_H"] += np.outer(da_H, h_prev)
        dparams["b_H"] += da_H
        dparams["W_T"] += np.outer(da_T, h_prev)
        dparams["b_T"] += da_T
        dh_prev = dh * (1.0 - rec["T"]) + params["W_H"].T @ da_H + params["W_T"].T @ da_T
        return {"h": dh_prev}, np.zeros_like(x)
