"""The readout on the last hidden state and the two losses it is trained with.

The readout is one linear unit, y = w·h_T + b (``w_out`` (n,), ``b_out`` (1,)); per sequence the loss is

- ``"mse"`` (regression, the adding problem): l = ½ (y - target)², ∂l/∂y = y - target;
- ``"logistic"`` (a sign, target 0 or 1): p = σ(y), l = -[target log p + (1 - target) log(1 - p)],
  ∂l/∂y = p - target (computed from y without overflow).

The batch loss L is the mean of l over the batch, so each sequence's cotangent is divided by B.

>>> import numpy as np
>>> h_T = np.array([[1.0, 0.0], [0.0, 2.0]])                 # B = 2, n = 2
>>> out = readout_loss(h_T, np.array([0.5, -1.0]), np.array([0.0]), np.array([1.0, 0.0]), "mse")
>>> out.y, float(out.loss)                                     # y = [0.5, -2]; ½ mean([0.25, 4])
(array([ 0.5, -2. ]), 1.0625)
>>> out.dh                                                     # (y - target) w / B
array([[-0.125,  0.25 ], [-0.5  ,  1.   ]])
"""

from dataclasses import dataclass

import numpy as np

from ..errors import UnknownChoiceError

Array = np.ndarray
LOSSES = ("mse", "logistic")


@dataclass(frozen=True)
class ReadoutLoss:
    """``y`` (B,) outputs, ``loss`` the batch mean, ``dh`` (B, n) = ∂L/∂h_T, ``dw`` (n,), ``db`` (1,)."""

    y: Array
    loss: float
    dh: Array
    dw: Array
    db: Array


def softplus(x: Array) -> Array:
    """log(1 + e^x) without overflow.

    >>> round(float(softplus(np.array(0.0))), 6), float(softplus(np.array(1000.0)))
    (0.693147, 1000.0)
    """
    return np.logaddexp(0.0, x)


def readout_loss(h_T: Array, w: Array, b: Array, target: Array, loss: str) -> ReadoutLoss:
    """Output, loss and gradients of the readout for h_T (B, n) and targets (B,)."""
    if loss not in LOSSES:
        raise UnknownChoiceError("loss", loss, LOSSES)
    B = h_T.shape[0]
    y = h_T @ w + b[0]
    if loss == "mse":
        err = y - target
        value = 0.5 * float(np.mean(err * err))
        dy = err / B
    else:
        value = float(np.mean(target * softplus(-y) + (1.0 - target) * softplus(y)))
        dy = (0.5 * (1.0 + np.tanh(0.5 * y)) - target) / B  # σ(y) - target
    return ReadoutLoss(y=y, loss=value, dh=np.outer(dy, w), dw=h_T.T @ dy, db=np.array([dy.sum()]))
