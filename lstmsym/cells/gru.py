r"""The GRU, in the PyTorch / Keras convention (reset applied after the product).

.. math::
    z_t = \sigma(W_z h_{t-1} + U_z x_t + b_z), \quad r_t = \sigma(W_r h_{t-1} + U_r x_t + b_r)

    n_t = \tanh(U_n x_t + b_n + r_t \odot (W_n h_{t-1} + d_n)), \quad
    h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}

``z_t = 1`` keeps the old state (PyTorch's polarity; Chung et al. 2014 swap z and 1 - z).

>>> from lstmsym.cells import make_cell
>>> print(make_cell("gru").latex())
\begin{aligned}
z_{t} &= \sigma\left(W_{z} h_{t-1} + U_{z} x_{t} + b_{z}\right) \\
r_{t} &= \sigma\left(W_{r} h_{t-1} + U_{r} x_{t} + b_{r}\right) \\
n_{t} &= \tanh{\left(U_{n} x_{t} + b_{n} + r_{t} \odot \left(W_{n} h_{t-1} + d_{n}\right) \right)} \\
h_{t} &= \left(1 - z_{t}\right) \odot n_{t} + z_{t} \odot h_{t-1}
\end{aligned}
"""

from __future__ import annotations

from .base import Builder, Cell, affine_parameters
from .registry import register_cell


@register_cell("gru", reference="lstmsym.numerics.reference.gru", batched="lstmsym.training.batched_gru")
class GRU(Cell):
    """Gated recurrent unit (Cho et al. 2014), reset after the recurrent product."""

    kind = "gru"
    title = "GRU"
    state_names = ("h",)

    # d_n: the recurrent bias inside the reset product (PyTorch's b_hn)
    parameters = {**affine_parameters("z", "r", "n"), "d_n": ("n",)}

    def declare(self, b: Builder) -> None:
        z = b.gate("z", b.affine("z"), "sigmoid", "update gate: how much of h_{t-1} is kept")
        r = b.gate("r", b.affine("r"), "sigmoid", "reset gate")
        recurrent = b.param("W_n") @ b.prev("h") + b.param("d_n")
        pre = b.param("U_n") @ b.x() + b.param("b_n") + r * recurrent
        n = b.gate("n", pre, "tanh", "candidate state")
        b.state("h", (1 - z) * n + z * b.prev("h"), None, "hidden state")
