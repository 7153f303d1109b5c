r"""Layers across depth: the plain deep tanh network, the residual block and the highway layer.

A feed-forward stack is the same Jacobian chain as a recurrence, with the layer index l in place of t. The
cells here declare **one layer**; the engine writes the layer index as t (h_t is the activation after layer
t, h_{t-1} the layer's input) and the layer reads **no input** x_t. A symbolic chain over T layers therefore
shares one set of weights across layers; the numeric depth measurements (:mod:`lstmsym.experiments.depth`)
draw each layer's weights independently (docs/conventions.md).

>>> from lstmsym.cells.depth import PlainDeep, Residual, Highway
>>> print(PlainDeep().latex())
\begin{aligned}
h_{t} &= \tanh{\left(W h_{t-1} + b \right)}
\end{aligned}
>>> print(Residual().latex())
\begin{aligned}
u_{t} &= \tanh{\left(W_{1} h_{t-1} + b_{1} \right)} \\
h_{t} &= h_{t-1} + W_{2} u_{t} + b_{2}
\end{aligned}
>>> print(Highway().latex())
\begin{aligned}
H_{t} &= \tanh{\left(W_{H} h_{t-1} + b_{H} \right)} \\
T_{t} &= \sigma\left(W_{T} h_{t-1} + b_{T}\right) \\
h_{t} &= T_{t} \odot H_{t} + \left(1 - T_{t}\right) \odot h_{t-1}
\end{aligned}
"""

from __future__ import annotations

from .base import Builder, Cell
from .registry import register_cell


class DepthCell(Cell):
    """A layer of a feed-forward stack, declared as one step of a chain (no input x_t)."""

    state_names = ("h",)
    #: what the layer index plays: the numeric chain draws one set of weights per layer
    across = "depth"


@register_cell("plain_deep")
class PlainDeep(DepthCell):
    """x_{l+1} = tanh(W_l x_l + b_l): a plain deep tanh network, one layer."""

    kind = "plain_deep"
    title = "plain deep tanh network (one layer)"

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        n = self.n
        return {"W": (n, n), "b": (n,)}

    def _declare(self, b: Builder) -> None:
        pre = b.param("W") @ b.prev("h") + b.param("b")
        b.add("h", "state", pre, "tanh", "activation after this layer")


@register_cell("residual")
class Residual(DepthCell):
    """x_{l+1} = x_l + F(x_l), F(x) = W_2 tanh(W_1 x + b_1) + b_2 (He et al. 2016), one block."""

    kind = "residual"
    title = "residual block (one-hidden-layer tanh branch)"

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        n = self.n
        return {"W_1": (n, n), "b_1": (n,), "W_2": (n, n), "b_2": (n,)}

    def _declare(self, b: Builder) -> None:
        hidden = b.param("W_1") @ b.prev("h") + b.param("b_1")
        u = b.add("u", "gate", hidden, "tanh", "hidden layer of the branch F (held on the direct path)")
        new = b.prev("h") + b.param("W_2") @ u + b.param("b_2")
        b.add("h", "state", new, None, "activation after this block: identity plus F")


@register_cell("highway")
class Highway(DepthCell):
    """y = T ⊙ H(x) + (1 - T) ⊙ x, T = σ(W_T x + b_T) (Srivastava, Greff & Schmidhuber 2015), one layer."""

    kind = "highway"
    title = "highway layer"

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        n = self.n
        return {"W_H": (n, n), "b_H": (n,), "W_T": (n, n), "b_T": (n,)}

    def _declare(self, b: Builder) -> None:
        H = b.add("H", "gate", b.param("W_H") @ b.prev("h") + b.param("b_H"), "tanh",
                  "candidate: the layer's transform (held on the direct path)")
        T = b.add("T", "gate", b.param("W_T") @ b.prev("h") + b.param("b_T"), "sigmoid",
                  "transform gate; 1 - T is the carry gate")
        b.add("h", "state", T * H + (1 - T) * b.prev("h"), None, "activation after this layer")
