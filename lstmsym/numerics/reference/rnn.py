"""Vanilla RNN, by hand: h_t = tanh(W h_{t-1} + U x_t + b).

State ``(h,)``, no gates, params ``W (n, n), U (n, m), b (n,)``.

Every cell module of this package has the same pieces, in the same order:

- ``STATE_NAMES`` and ``gate_names(options)``: the state variables (in state-vector order) and the gates
  present.
- ``step``: one forward step; each line computes a quantity and, next to it, its local derivative
  (∂output/∂preactivation, stored as a vector because it is diagonal). It returns the step's *record*.
- ``jacobian``: the one-step Jacobian ∂s_t/∂s_{t-1}, pushed forward through the same lines (tangent rows
  of shape (n, N), N = size of the state vector).
- ``vjp``: the same lines in reverse: given the cotangent of s_t, the cotangents of s_{t-1}, x_t and the
  parameters (backpropagation through one step), never forming a matrix.

The RNN has no gate, so the direct Jacobian is the total one.
"""

from collections.abc import Mapping

import numpy as np

from .activations import dtanh, tanh

Array = np.ndarray
STATE_NAMES = ("h",)


def gate_names(options: Mapping[str, object]) -> tuple[str, ...]:
    """The RNN has no gates."""
    return ()


def step(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
         prev: Mapping[str, Array]) -> dict[str, Array]:
    """One step; returns the record {"h": h_t, "a": preactivation, "dh_da": tanh'(a)} (all (n,))."""
    a = params["W"] @ prev["h"] + params["U"] @ x + params["b"]  # (n,) preactivation; ∂a/∂h_{t-1} = W
    h = tanh(a)
    dh_da = dtanh(h)                                             # ∂h_t/∂a = diag(1 - h_t²)
    return {"h": h, "a": a, "dh_da": dh_da}


def jacobian(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
             prev: Mapping[str, Array], rec: Mapping[str, Array], direct: bool = False) -> Array:
    """∂h_t/∂h_{t-1} = diag(1 - h_t²) W, (n, n); ``direct`` changes nothing (no gate on the path)."""
    return rec["dh_da"][:, None] * params["W"]                  # diag(v) @ W as a row scaling


def vjp(params: Mapping[str, Array], options: Mapping[str, object], x: Array,
        prev: Mapping[str, Array], rec: Mapping[str, Array], ds: Mapping[str, Array],
        dparams: dict[str, Array]) -> tuple[dict[str, Array], Array]:
    """Pull the cotangent ``ds["h"]`` of h_t back through one step.

    Adds this step's parameter gradients into ``dparams`` (in place) and returns (cotangents of the previous
    state, cotangent of x_t).
    """
    da = ds["h"] * rec["dh_da"]                 # through h = tanh(a)
    dparams["W"] += np.outer(da, prev["h"])     # a = W h_{t-1} + U x + b
    dparams["U"] += np.outer(da, x)
    dparams["b"] += da
    return {"h": params["W"].T @ da}, params["U"].T @ da
