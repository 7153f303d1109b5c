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

from . import rnn

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
    """h_t = tanh(W h_{t-1} + U x_t + b), W = cayley(A): the RNN's hand-written step (``reference.rnn``) with
    this W, and the Cayley transform's gradient on top of the RNN's ∂L/∂W."""

    STATE_NAMES = ("h",)

    @staticmethod
    def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
        return ()

    @staticmethod
    def _as_rnn(params: Mapping[str, Array], n: int) -> dict[str, Array]:
        return {"W": recurrent_weight(params, n), "U": params["U"], "b": params["b"]}

    @staticmethod
    def step(params, options, x, prev) -> dict[str, Array]:
        return rnn.step(orthogonal_rnn._as_rnn(params, prev["h"].shape[0]), options, x, prev)

    @staticmethod
    def jacobian(params, options, x, prev, rec, direct: bool = False) -> Array:
        return rnn.jacobian(orthogonal_rnn._as_rnn(params, prev["h"].shape[0]), options, x, prev, rec)

    @staticmethod
    def vjp(params, options, x, prev, rec, ds, dparams) -> tuple[dict[str, Array], Array]:
        n = prev["h"].shape[0]
        as_rnn = orthogonal_rnn._as_rnn(params, n)
        grads = {"W": np.zeros((n, n)), "U": dparams["U"], "b": dparams["b"]}   # U, b accumulate in place
        back = rnn.vjp(as_rnn, options, x, prev, rec, ds, grads)
        if "A" in params:                                   # G = ∂L/∂W, through W = cayley(A)
            S = params["A"] - params["A"].T
            dS = -np.linalg.solve((np.eye(n) + S).T, grads["W"] @ (as_rnn["W"] + np.eye(n)).T)
            dparams["A"] += dS - dS.T
        return back


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
