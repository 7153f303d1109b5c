r"""minGRU and minLSTM (Feng et al. 2024): gates that read only x_t, so the update is linear in the state.

.. math::
    \text{minGRU:}\quad z_t = \sigma(U_z x_t + b_z), \quad g_t = U_g x_t + b_g, \quad
    h_t = (1 - z_t) \odot h_{t-1} + z_t \odot g_t

    \text{minLSTM:}\quad i_t, f_t = \sigma(U_{i,f} x_t + b_{i,f}), \quad g_t = U_g x_t + b_g, \quad
    h_t = \frac{f_t}{f_t + i_t} \odot h_{t-1} + \frac{i_t}{f_t + i_t} \odot g_t

The minLSTM's normalised gates sum to 1, so it is declared with f'_t = f_t / (f_t + i_t) and
i'_t = 1 - f'_t (= i_t / (f_t + i_t)): a coupled cell, like the CIFG LSTM. The minGRU follows the paper's
polarity (z weights the candidate, z = 1 writes: Chung et al.'s 2014 form; Cho et al. 2014 keep with
z = 1), the opposite of the course's GRU, where z = 1 keeps; the candidates have no tanh, as in the
paper. No rule reads h_{t-1} except the last one, so holding the gates fixed changes nothing: the
one-step total Jacobian *is* the direct one.

>>> from lstmsym.cells import make_cell
>>> print(make_cell("min_gru").latex())
\begin{aligned}
z_{t} &= \sigma\left(U_{z} x_{t} + b_{z}\right) \\
g_{t} &= U_{g} x_{t} + b_{g} \\
h_{t} &= \left(1 - z_{t}\right) \odot h_{t-1} + z_{t} \odot g_{t}
\end{aligned}
>>> from lstmsym.derivatives.step import step_jacobian
>>> step_jacobian(make_cell("min_gru"), path="total"), step_jacobian(make_cell("min_gru"), path="direct")
(Matrix([[1 - z_{t}]]), Matrix([[1 - z_{t}]]))
>>> step_jacobian(make_cell("min_lstm"), path="total")
Matrix([[f'_{t}]])
"""

from __future__ import annotations

from ..activations import ACTIVATIONS
from .base import Builder, Cell
from .registry import register_cell


@register_cell("min_gru")
class MinGRU(Cell):
    """minGRU: the GRU with its gate and candidate reading x_t only, no reset gate, no tanh."""

    kind = "min_gru"
    title = "minGRU (gates read x_t only)"
    state_names = ("h",)

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        n, m = self.n, self.m
        return {"U_z": (n, m), "b_z": (n,), "U_g": (n, m), "b_g": (n,)}

    def _declare(self, b: Builder) -> None:
        z = b.add("z", "gate", b.param("U_z") @ b.x() + b.param("b_z"), "sigmoid",
                  "update gate (paper's polarity: z = 1 writes the candidate)")
        g = b.add("g", "gate", b.param("U_g") @ b.x() + b.param("b_g"), None, "candidate (no tanh)")
        b.add("h", "state", (1 - z) * b.prev("h") + z * g, None, "hidden state")


@register_cell("min_lstm")
class MinLSTM(Cell):
    """minLSTM: keep and write gates reading x_t only, normalised to sum to 1; no output gate, no tanh."""

    kind = "min_lstm"
    title = "minLSTM (gates read x_t only, normalised)"
    state_names = ("h",)

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        n, m = self.n, self.m
        shapes: dict[str, tuple[int, ...]] = {}
        for gate in "ifg":
            shapes.update({f"U_{gate}": (n, m), f"b_{gate}": (n,)})
        return shapes

    def _declare(self, b: Builder) -> None:
        sigmoid = ACTIVATIONS["sigmoid"]
        i = (b.param("U_i") @ b.x() + b.param("b_i")).apply(sigmoid)  # the paper's i_t and f_t, not stored
        f = (b.param("U_f") @ b.x() + b.param("b_f")).apply(sigmoid)
        f_n = b.add("f'", "gate", f * (f + i).apply(ACTIVATIONS["reciprocal"]), None,
                    "normalised keep gate f / (f + i)")
        i_n = b.add("i'", "gate", 1 - f_n, None, "normalised write gate i / (f + i) = 1 - f'")
        g = b.add("g", "gate", b.param("U_g") @ b.x() + b.param("b_g"), None, "candidate (no tanh)")
        b.add("h", "state", f_n * b.prev("h") + i_n * g, None, "hidden state")
