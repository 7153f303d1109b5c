r"""The cell the origin question proposes: one dense layer computes the new memory from everything.

.. math::
    c_t = \tanh(W_c c_{t-1} + W_h h_{t-1} + U_c x_t + b_c), \quad
    o_t = \sigma(W_o h_{t-1} + U_o x_t + b_o), \quad h_t = o_t \odot \tanh(c_t)

The readout is the LSTM's, so comparing this cell with the LSTM isolates the memory update:
here the old memory passes through a weight matrix and a squashing function at every step.

>>> from lstmsym.cells import make_cell
>>> print(make_cell("dense_memory").latex())
\begin{aligned}
c_{t} &= \tanh{\left(W_{c} c_{t-1} + W_{h} h_{t-1} + U_{c} x_{t} + b_{c} \right)} \\
o_{t} &= \sigma\left(W_{o} h_{t-1} + U_{o} x_{t} + b_{o}\right) \\
h_{t} &= o_{t} \odot \tanh{\left(c_{t} \right)}
\end{aligned}
"""

from __future__ import annotations

from .base import Builder, Cell
from .registry import register_cell


@register_cell(
    "dense_memory",
    reference="lstmsym.numerics.reference.dense_memory",
    batched="lstmsym.training.batched_dense_memory",
)
class DenseMemory(Cell):
    """Memory computed by one dense layer over [x_t; h_{t-1}; c_{t-1}], with the LSTM's readout."""

    kind = "dense_memory"
    title = "dense-memory cell (one network computes the new memory)"
    state_names = ("c", "h")

    parameters = {
        "W_c": ("n", "n"),  # acts on the old memory c_{t-1}
        "W_h": ("n", "n"),  # acts on h_{t-1}
        "U_c": ("n", "m"),
        "b_c": ("n",),
        "W_o": ("n", "n"),
        "U_o": ("n", "m"),
        "b_o": ("n",),
    }

    def declare(self, b: Builder) -> None:
        pre = (
            b.param("W_c") @ b.prev("c")
            + b.param("W_h") @ b.prev("h")
            + b.param("U_c") @ b.x()
            + b.param("b_c")
        )
        c = b.state("c", pre, "tanh", "memory, rewritten by a dense layer")
        o = b.gate("o", b.affine("o"), "sigmoid", "read / output gate")
        b.state("h", o * c.apply("tanh"), None, "hidden state")
