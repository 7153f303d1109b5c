"""The norm-preserving RNNs by hand: the Cayley-orthogonal tanh RNN and the IRNN (ReLU).

- ``orthogonal_rnn``: W = (I + S)^{-1} (I - S), S = A - Aᵀ (n >= 2; W = 1 and no A for n = 1),
  h_t = tanh(W h_{t-1} + U x_t + b). Direct = total = diag(1 - h_t²) W.
- ``irnn``: h_t = ReLU(W h_{t-1} + U x_t + b). Direct = total = diag(1[a_t > 0]) W (slope 0 at a_t = 0).

The Cayley transform's gradient: with M = (I + S)^{-1}, dW = -M dS (W + I), so for G = ∂L/∂W,
∂L/∂S = -Mᵀ G (W + I)ᵀ and ∂L/∂A = ∂L/∂S - (∂L/∂S)ᵀ.

>>> import numpy as np
>>> W = cayley(np.array([[0.0, 1.0], [0.0, 0.0]]))      # S = [[0, 1], [-1, 0]]: a rotation by -90°
>>> W.round(12)
array([[ 0., -1.],
       [ 1.,  0.]])
>>> bool(np.allclose(W.T @ W, np.eye(2)))
True
"""

from collections.abc import Mapping

import numpy as np

from .activations import dtanh, tanh

Array = np.ndarray


def cayley(A: Array) -> Array:
    """W = (I + S)^{-1} (I - S) with S = A - Aᵀ: orthogonal for every real square A."""
    A = np.asarray(A, dtype=np.float64)
    S = A - A.T
    eye = np.eye(A.shape[0])
    return np.linalg.solve(eye + S, eye - S)


def recurrent_weight(params: Mapping[str, Array], n: int) -> Array:
    """The orthogonal RNN's W from its parameters (the identity for n = 1, which has no A)."""
    return cayley(params["A"]) if "A" in params else np.eye(n)


class orthogonal_rnn:  # a cell module, named by its kind
    """h_t = tanh(W h_{t-1} + U x_t + b), W = cayley(A)."""

    STATE_NAMES = ("h",)

    @staticmethod
    def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
        return ()

    @staticmethod
    def step(params, options, x, prev) -> dict[str, Array]:
        W = recurrent_weight(params, prev["h"].shape[0])
        a = W @ prev["h"] + params["U"] @ x + params["b"]   # ∂a/∂h_{t-1} = W
        h = tanh(a)
        return {"h": h, "a": a, "dh_da": dtanh(h)}

    @staticmethod
    def jacobian(params, options, x, prev, rec, direct: bool = False) -> Array:
        W = recurrent_weight(params, prev["h"].shape[0])
        return rec["dh_da"][:, None] * W                    # no gate: direct = total

    @staticmethod
    def vjp(params, options, x, prev, rec, ds, dparams) -> tuple[dict[str, Array], Array]:
        n = prev["h"].shape[0]
        W = recurrent_weight(params, n)
        da = ds["h"] * rec["dh_da"]
        dparams["U"] += np.outer(da, x)
        dparams["b"] += da
        if "A" in params:
            G = np.outer(da, prev["h"])                     # ∂L/∂W
            S = params["A"] - params["A"].T
            dS = -np.linalg.solve((np.eye(n) + S).T, G @ (W + np.eye(n)).T)
            dparams["A"] += dS - dS.T
        return {"h": W.T @ da}, params["U"].T @ da


class irnn:
    """h_t = ReLU(W h_{t-1} + U x_t + b)."""

    STATE_NAMES = ("h",)

    @staticmethod
    def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
        return ()

    @staticmethod
    def step(params, options, x, prev) -> dict[str, Array]:
        a = params["W"] @ prev["h"] + params["U"] @ x + params["b"]
        h = np.maximum(a, 0.0)
        return {"h": h, "a": a, "dh_da": (a > 0.0).astype(np.float64)}   # slope 1 where active, else 0

    @staticmethod
    def jacobian(params, options, x, prev, rec, direct: bool = False) -> Array:
        return rec["dh_da"][:, None] * params["W"]

    @staticmethod
    def vjp(params, options, x, prev, rec, ds, dparams) -> tuple[dict[str, Array], Array]:
        da = ds["h"] * rec["dh_da"]
        dparams["W"] += np.outer(da, prev["h"])
        dparams["U"] += np.outer(da, x)
        dparams["b"] += da
        return {"h": params["W"].T @ da}, params["U"].T @ da
