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

With a seed axis (S models trained side by side, every array (S, ...)), each seed is clipped by its own
global norm (:func:`clip_seed_norms`), and Adam, which acts entry by entry, needs no change; when seeds leave
the group, :meth:`Adam.keep_seeds` keeps the moments of those that stay.

>>> clipped, norms = clip_seed_norms({"a": np.array([[3.0], [0.3]]), "b": np.array([[4.0], [0.4]])}, 1.0)
>>> norms, clipped["a"][:, 0]                            # seed 0 is rescaled, seed 1 (norm 0.5) is not
(array([5. , 0.5]), array([0.6, 0.3]))
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


def seed_norms(grads: Mapping[str, Array]) -> Array:
    """‖g_s‖ for each seed s, all of that seed's gradients taken together as one vector: (S,)."""
    total = 0.0
    for g in grads.values():
        total = total + np.sum((g * g).reshape(g.shape[0], -1), axis=1)
    return np.sqrt(total)


def clip_seed_norms(grads: Mapping[str, Array], theta: float | None) -> tuple[dict[str, Array], Array]:
    """Pascanu's rule for each seed separately: (clipped gradients, (S,) norms before clipping).

    Every gradient has a leading seed axis; seed s is multiplied by θ/‖g_s‖ when ‖g_s‖ ≥ θ, else left alone.
    """
    norms = seed_norms(grads)
    if theta is None:
        return dict(grads), norms
    if not (np.isfinite(theta) and theta > 0):
        raise LstmsymError(f"clipping threshold theta must be a positive number or None, got {theta!r}")
    scale = np.array([clip_factor(float(norm), theta) for norm in norms])  # experiments.clipping's rule
    return {k: g * scale.reshape((-1,) + (1,) * (g.ndim - 1)) for k, g in grads.items()}, norms


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

    def keep_seeds(self, index: Array) -> None:
        """Keep only the seeds ``index`` (positions along the leading seed axis) of the moment estimates."""
        self.m = {k: v[index] for k, v in self.m.items()}
        self.v = {k: v[index] for k, v in self.v.items()}

    def step(self, params: dict[str, Array], grads: Mapping[str, Array]) -> None:
        self.k += 1
        b1, b2 = self.beta1, self.beta2
        for name, g in grads.items():
            m = self.m.get(name, 0.0) * b1 + (1.0 - b1) * g
            v = self.v.get(name, 0.0) * b2 + (1.0 - b2) * g * g
            self.m[name], self.v[name] = m, v
            m_hat, v_hat = m / (1.0 - b1**self.k), v / (1.0 - b2**self.k)
            params[name] = params[name] - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
