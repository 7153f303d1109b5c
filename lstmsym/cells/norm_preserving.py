r"""The other cure: recurrent cells whose recurrent weight keeps norms, with no gate and no identity path.

``orthogonal_rnn``: h_t = tanh(W h_{t-1} + U x_t + b) with W = (I + S)^{-1}(I - S), S = A - Aᵀ (the Cayley
transform of a skew-symmetric matrix), orthogonal for every value of the parameter A (n >= 2; for n = 1 the
cell has no A and W = 1).
``irnn`` (Le, Jaitly & Hinton 2015): h_t = ReLU(W h_{t-1} + U x_t + b), W = I and b = 0 at initialisation.

>>> from lstmsym.cells.norm_preserving import IRNN, OrthogonalRNN
>>> print(IRNN().latex())
\begin{aligned}
h_{t} &= \operatorname{ReLU}\left(W h_{t-1} + U x_{t} + b\right)
\end{aligned}
>>> OrthogonalRNN().recurrent_weight()           # n = 1: the only Cayley-orthogonal W is 1
Matrix([[1]])
>>> import sympy as sp
>>> W = OrthogonalRNN(n=2).recurrent_weight()
>>> (W.T * W).applyfunc(sp.simplify) == sp.eye(2)
True
"""

from __future__ import annotations

import sympy as sp

from .. import notation
from .base import Builder, Cell, Quantity
from .registry import register_cell


@register_cell("orthogonal_rnn")
class OrthogonalRNN(Cell):
    """A tanh RNN whose recurrent weight is held orthogonal by the Cayley transform of A - Aᵀ."""

    kind = "orthogonal_rnn"
    title = "RNN with orthogonal recurrent weight (Cayley)"
    state_names = ("h",)

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        n, m = self.n, self.m
        shapes: dict[str, tuple[int, ...]] = {"A": (n, n)} if n > 1 else {}  # n = 1: W = 1, nothing to learn
        return {**shapes, "U": (n, m), "b": (n,)}

    def recurrent_weight(self) -> sp.Matrix:
        """W = (I + S)^{-1} (I - S) with S = A - Aᵀ, as SymPy expressions in A's symbols (cached)."""
        if "_W" not in self.__dict__:
            eye = sp.eye(self.n)
            if self.n == 1:  # the only 1 x 1 orthogonal matrix without eigenvalue -1
                W = eye
            else:  # adj(I + S)(I - S) / det(I + S), in skew entries s_jk, then s_jk -> A_jk - A_kj
                A, n = self.params["A"], self.n
                s = {(j, k): sp.Dummy(f"s{j}{k}", real=True) for j in range(n) for k in range(j + 1, n)}
                S = sp.Matrix(n, n, lambda j, k: s[j, k] if j < k else -s[k, j] if j > k else 0)
                det = sp.expand((eye + S).det(method="berkowitz"))
                numerator = ((eye + S).adjugate(method="berkowitz") * (eye - S)).applyfunc(sp.expand)
                back = {v: A[j, k] - A[k, j] for (j, k), v in s.items()}
                W = (numerator / det).xreplace(back)
            self.__dict__["_W"] = W
        return self.__dict__["_W"]

    def _declare(self, b: Builder) -> None:
        W = Quantity(self.recurrent_weight(), notation.vec("W"))
        pre = W @ b.prev("h") + b.param("U") @ b.x() + b.param("b")
        b.add("h", "state", pre, "tanh", "hidden state; W = (I + S)^{-1}(I - S), S = A - A^T, is orthogonal")


@register_cell("irnn")
class IRNN(Cell):
    """A ReLU RNN whose recurrent weight starts at the identity (Le, Jaitly & Hinton 2015)."""

    kind = "irnn"
    title = "IRNN (ReLU, W = I at initialisation)"
    state_names = ("h",)

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        n, m = self.n, self.m
        return {"W": (n, n), "U": (n, m), "b": (n,)}

    def _declare(self, b: Builder) -> None:
        pre = b.param("W") @ b.prev("h") + b.param("U") @ b.x() + b.param("b")
        b.add("h", "state", pre, "relu", "hidden state (rectified)")
