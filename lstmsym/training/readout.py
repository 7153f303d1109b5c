"""The linear readout y = w · h_T + b on the last hidden state, and its two losses.

``mse`` (½ (y - target)², for regression such as the adding problem) and ``logistic`` (the cross-entropy
of σ(y) against a 0/1 target, for the sign task). The loss of a batch is the mean over its sequences; the
gradients returned are those of that mean, so each sequence's cotangent is divided by B.

:func:`readout_loss` takes one model; :func:`readout_loss_seeds` S models side by side (h_T (S, B, n),
w (S, n), b (S, 1), targets (S, B)), each with its own batch and its own loss.

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
    """``y`` (B,) outputs, ``loss`` the batch mean, ``dh`` (B, n) = ∂L/∂h_T, ``dw`` (n,), ``db`` (1,).

    From :func:`readout_loss_seeds` every field has a leading seed axis: ``loss`` (S,), ``y`` (S, B), ...
    """

    y: Array
    loss: float | Array
    dh: Array
    dw: Array
    db: Array


def softplus(x: Array) -> Array:
    """log(1 + e^x) without overflow.

    >>> round(float(softplus(np.array(0.0))), 6), float(softplus(np.array(1000.0)))
    (0.693147, 1000.0)
    """
    return np.logaddexp(0.0, x)


def readout_loss_seeds(h_T: Array, w: Array, b: Array, target: Array, loss: str) -> ReadoutLoss:
    """Outputs, losses and gradients of S readouts: h_T (S, B, n), w (S, n), b (S, 1), target (S, B).

    >>> out = readout_loss_seeds(np.ones((2, 3, 1)), np.array([[1.0], [-1.0]]), np.zeros((2, 1)),
    ...                          np.zeros((2, 3)), "mse")
    >>> out.loss                                            # each seed's own batch mean: ½ 1² for both
    array([0.5, 0.5])
    """
    if loss not in LOSSES:
        raise UnknownChoiceError("loss", loss, LOSSES)
    B = h_T.shape[1]
    y = (h_T @ w[:, :, None])[..., 0] + b  # (S, B)
    if loss == "mse":
        err = y - target
        value = 0.5 * np.mean(err * err, axis=1)
        dy = err / B
    else:
        value = np.mean(target * softplus(-y) + (1.0 - target) * softplus(y), axis=1)
        dy = (0.5 * (1.0 + np.tanh(0.5 * y)) - target) / B  # σ(y) - target
    return ReadoutLoss(
        y=y,
        loss=value,
        dh=dy[:, :, None] * w[:, None, :],
        dw=(np.swapaxes(h_T, 1, 2) @ dy[:, :, None])[..., 0],
        db=dy.sum(axis=1, keepdims=True),
    )


def readout_loss(h_T: Array, w: Array, b: Array, target: Array, loss: str) -> ReadoutLoss:
    """Output, loss and gradients of the readout for h_T (B, n) and targets (B,) (one seed of
    :func:`readout_loss_seeds`)."""
    out = readout_loss_seeds(h_T[None], w[None], np.reshape(b, (1, 1)), target[None], loss)
    return ReadoutLoss(y=out.y[0], loss=float(out.loss[0]), dh=out.dh[0], dw=out.dw[0], db=out.db[0])
