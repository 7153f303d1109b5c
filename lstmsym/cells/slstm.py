r"""xLSTM's sLSTM (Beck et al. 2024), one head: an exponential write gate and a normaliser state.

.. math::
    i_t = \exp(W_i h_{t-1} + U_i x_t + b_i), \quad f_t = \sigma(\cdot) \text{ or } \exp(\cdot), \quad
    g_t = \tanh(\cdot), \quad o_t = \sigma(\cdot)

    c_t = f_t \odot c_{t-1} + i_t \odot g_t, \quad n_t = f_t \odot n_{t-1} + i_t, \quad
    h_t = o_t \odot c_t / n_t

Names follow the course (W recurrent, U input, g the candidate: the paper's R, W and z). The paper's
recurrent matrices are block-diagonal over heads; with one head W_k is dense. The memory has the LSTM's
additive update, so the direct path is the keep gate again; the normaliser n_t runs on the same keep gate.
The log-space stabiliser m_t is a numerical device that leaves h_t unchanged; it lives in
:mod:`lstmsym.numerics.reference.slstm`, and this symbolic cell is the unstabilised map on (c, n, h).

>>> from lstmsym.cells import make_cell
>>> print(make_cell("slstm").latex())
\begin{aligned}
g_{t} &= \tanh{\left(W_{g} h_{t-1} + U_{g} x_{t} + b_{g} \right)} \\
i_{t} &= e^{W_{i} h_{t-1} + U_{i} x_{t} + b_{i}} \\
f_{t} &= \sigma\left(W_{f} h_{t-1} + U_{f} x_{t} + b_{f}\right) \\
o_{t} &= \sigma\left(W_{o} h_{t-1} + U_{o} x_{t} + b_{o}\right) \\
c_{t} &= f_{t} \odot c_{t-1} + i_{t} \odot g_{t} \\
n_{t} &= f_{t} \odot n_{t-1} + i_{t} \\
h_{t} &= o_{t} \odot c_{t} \odot n_{t}^{-1}
\end{aligned}
>>> from lstmsym.derivatives.step import step_jacobian
>>> step_jacobian(make_cell("slstm"), path="direct")
Matrix([
[f_{t},     0, 0],
[    0, f_{t}, 0],
[    0,     0, 0]])
"""

from __future__ import annotations

from ..activations import ACTIVATIONS
from ..errors import UnknownChoiceError
from .base import Builder, Cell
from .registry import register_cell

#: The keep gate's squashing: the paper allows a sigmoid or an exponential.
FORGET_GATES = ("sigmoid", "exp")


@register_cell("slstm", switches={"forget": "sigmoid"})
class SLSTM(Cell):
    """sLSTM with one head: exponential write gate, sigmoid (or exponential) keep gate, normaliser n."""

    kind = "slstm"
    title = "sLSTM (xLSTM's scalar-memory cell, one head)"
    state_names = ("c", "n", "h")
    #: States that stay positive from a positive start (n_t = f_t n_{t-1} + i_t, f, i > 0); random checks draw
    #: them positive, since h = o c / n divides by n.
    positive_states = ("n",)

    def __init__(self, n: int = 1, m: int = 1, forget: str = "sigmoid") -> None:
        super().__init__(n, m)
        if forget not in FORGET_GATES:
            raise UnknownChoiceError("forget", forget, FORGET_GATES)
        self.forget = forget

    @property
    def options(self) -> dict[str, object]:
        return {} if self.forget == "sigmoid" else {"forget": self.forget}

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        n, m = self.n, self.m
        shapes: dict[str, tuple[int, ...]] = {}
        for gate in "ifgo":
            shapes.update({f"W_{gate}": (n, n), f"U_{gate}": (n, m), f"b_{gate}": (n,)})
        return shapes

    def _declare(self, b: Builder) -> None:
        g = b.add("g", "gate", b.affine("g"), "tanh", "candidate memory (the paper's z)")  # the paper's order
        i = b.add("i", "gate", b.affine("i"), "exp", "exponential write / input gate")
        f = b.add("f", "gate", b.affine("f"), self.forget, "keep / forget gate")
        o = b.add("o", "gate", b.affine("o"), "sigmoid", "read / output gate")
        c = b.add("c", "state", f * b.prev("c") + i * g, None, "memory: the additive update")
        n = b.add("n", "state", f * b.prev("n") + i, None, "normaliser: the same update with candidate 1")
        b.add("h", "state", o * c * n.apply(ACTIVATIONS["reciprocal"]), None, "hidden state o ⊙ c / n")
