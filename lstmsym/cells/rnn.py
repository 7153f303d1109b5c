r"""The vanilla RNN, :math:`h_t = \tanh(W h_{t-1} + U x_t + b)`.

>>> from lstmsym.cells import make_cell
>>> cell = make_cell("rnn")
>>> print(cell.latex())
\begin{aligned}
h_{t} &= \tanh{\left(W h_{t-1} + U x_{t} + b \right)}
\end{aligned}
>>> cell.step("t").rule("h").value
Matrix([[tanh(U*x_{t} + W*h_{t-1} + b)]])
"""

from __future__ import annotations

from .base import Builder, Cell
from .registry import register_cell


@register_cell("rnn", reference="lstmsym.numerics.reference.rnn", batched="lstmsym.training.batched_rnn")
class RNN(Cell):
    """Vanilla (Elman) RNN with a tanh nonlinearity."""

    kind = "rnn"
    title = "vanilla RNN"
    state_names = ("h",)

    parameters = {"W": ("n", "n"), "U": ("n", "m"), "b": ("n",)}

    def declare(self, b: Builder) -> None:
        pre = b.param("W") @ b.prev("h") + b.param("U") @ b.x() + b.param("b")
        b.state("h", pre, "tanh", "hidden state")
