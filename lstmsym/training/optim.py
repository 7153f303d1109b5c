"""Adam and global-norm gradient clipping, on parameters stored as name → array.

Clipping is Pascanu, Mikolov & Bengio's (2013) Algorithm 1: with ĝ the gradient of all parameters taken as
one vector, if ‖ĝ‖ ≥ θ then ĝ ← θ ĝ / ‖ĝ‖. It bounds the step when gradients explode; it cannot bring back a
gradient that has vanished.

>>> import numpy as np
>>> clipped, norm = clip_global_norm({"a": np.array([3.0]), "b": np.array([4.0])}, 1.0)
>>> norm, clipped["a"], clipped["b"]                     # ‖(3, 4)‖ = 5 ≥ 1: rescaled to norm 1
(5.0, array([0.6]), array([0.8]))
>>> adam = Adam(lr=0.1)
>>> params = {"w": np.array([1.0, -2.0])}
>>> adam.step(params, {"w": np.array([0.5, -3.0])})    # the first Adam step moves each entry by ≈ lr
>>> params["w"]
array([ 0.9, -1.9])
"""

from collections.abc import Mapping

import numpy as np

from ..errors import LstmsymError
from ..experiments.clipping import clip_factor

Array = np.ndarray


def global_norm(grads: Mapping[str, Array]) -> float:
    """‖g‖ of all gradients taken together as one vector."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_global_norm(grads: Mapping[str, Array], theta: float | None) -> tuple[dict[str, Array], float]:
    """(clipped gradients, norm before clipping); ``theta=None`` returns the gradients unchanged."""
    norm = global_norm(grads)
    if theta is None:
        return dict(grads), norm
    if not (np.isfinite(theta) and theta > 0):
        raise LstmsymError(f"clipping threshold theta must be a positive number or None, got {theta!r}")
    scale = clip_factor(norm, theta)  # the same rule as experiments.clipping, over all parameters at once
    return {k: g * scale for k, g in grads.items()}, norm


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction; ``step`` updates the parameters in place.

    m ← β1 m + (1 - β1) g,  v ← β2 v + (1 - β2) g²,  θ ← θ - lr m̂ / (√v̂ + ε),
    with m̂ = m / (1 - β1^k), v̂ = v / (1 - β2^k) at step k = 1, 2, ...
    """

    def __init__(self, lr: float = 0.01, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        for name, value in (("lr", lr), ("eps", eps)):
            if not (np.isfinite(value) and value > 0):
                raise LstmsymError(f"Adam {name} must be a positive number, got {value!r}")
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not (np.isfinite(value) and 0 <= value < 1):
                raise LstmsymError(f"Adam {name} must be in [0, 1), got {value!r}")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.k = 0
        self.m: dict[str, Array] = {}
        self.v: dict[str, Array] = {}

    def step(self, params: dict[str, Array], grads: Mapping[str, Array]) -> None:
        self.k += 1
        b1, b2 = self.beta1, self.beta2
        for name, g in grads.items():
            m = self.m.get(name, 0.0) * b1 + (1.0 - b1) * g
            v = self.v.get(name, 0.0) * b2 + (1.0 - b2) * g * g
            self.m[name], self.v[name] = m, v
            m_hat, v_hat = m / (1.0 - b1**self.k), v / (1.0 - b2**self.k)
            params[name] = params[name] - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
