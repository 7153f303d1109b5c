r"""The T-step derivative ∂(of)_T/∂(wrt)_k as a product of one-step Jacobians, J_T J_{T-1} ⋯ J_{k+1}.

The product is kept as a list of factors, each the generic step Jacobian with its time label
filled in, so it builds in milliseconds for any T and reads in gate notation. Multiplying it
out (:meth:`Chain.doit`) is cheap where the factors are diagonal (the carousel path of the LSTM
and GRU: a product of gates) and grows exponentially otherwise; requests past a budget are
refused with an error that names the form that works.

>>> from lstmsym.cells import make_cell
>>> chain = Chain(make_cell("lstm"), "c", "c", T=3, path="direct")
>>> chain.doit()
Matrix([[f_{1}*f_{2}*f_{3}]])
>>> Chain(make_cell("lstm1997"), "c", "c", T=50, path="direct").doit()
Matrix([[1]])
>>> Chain(make_cell("rnn"), "h", "h", T=2).doit()
Matrix([[W**2*(1 - h_{1}**2)*(1 - h_{2}**2)]])
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from ..cells.base import Cell, display_name
from ..errors import ExpansionTooLargeError, LstmsymError
from ..notation import matrix_latex
from ..symbols import vector
from .step import NOTATIONS, PATHS, block_slice, check_choice, step_jacobian

#: Largest symbolic step count a chain is built for; beyond it, use the numeric sweep.
MAX_SYMBOLIC_STEPS = 10_000
#: Largest tree size (nodes) of an entry that doit() builds; printing one this size takes about a second.
PRODUCT_BUDGET = 100_000


def relabel(cell: Cell, t: int) -> dict[sp.Symbol, sp.Symbol]:
    """Map every time-dependent symbol of the generic step ``"t"`` to its symbol at integer step ``t``.

    >>> from lstmsym.cells import make_cell
    >>> sorted(relabel(make_cell("rnn"), 3).items(), key=str)
    [(h_{t-1}, h_{2}), (h_{t}, h_{3}), (x_{t}, x_{3})]
    """
    families = [("x", "t", t, cell.m)]
    families += [(name, "t-1", t - 1, cell.n) for name in cell.state_names]
    families += [(name, "t", t, cell.n) for name in cell.step("t").names]
    mapping: dict[sp.Symbol, sp.Symbol] = {}
    for name, generic, label, size in families:
        mapping.update(zip(vector(name, generic, size), vector(name, label, size), strict=True))
    return mapping


def tree_size(expr: sp.Basic, _memo: dict[int, int] | None = None) -> int:
    """Nodes in the expression *tree* (what printing or lambdify walks), counted over the shared DAG.

    >>> from sympy import symbols
    >>> a, b = symbols("a b")
    >>> tree_size(a * b + a)
    5
    """
    memo = {} if _memo is None else _memo
    stack = [(expr, False)]
    while stack:  # iterative post-order, so deep expressions do not hit the recursion limit
        node, ready = stack.pop()
        key = id(node)
        if key in memo:
            continue
        if ready:
            memo[key] = 1 + sum(memo[id(a)] for a in node.args)
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if id(a) not in memo)
    return memo[id(expr)]


def _sizes(matrix: sp.Matrix, memo: dict[int, int]) -> list[list[int]]:
    """Tree size of every entry, 0 for an entry that is exactly zero."""
    return [[0 if e == 0 else tree_size(e, memo) for e in row] for row in matrix.tolist()]


def _product_sizes(left: list[list[int]], right: list[list[int]]) -> list[list[int]]:
    """Entry tree sizes of ``left * right`` when multiplied out without simplification."""
    out = []
    for row in left:
        out_row = []
        for j in range(len(right[0])):
            terms = [1 + a + right[k][j] for k, a in enumerate(row) if a and right[k][j]]
            out_row.append(0 if not terms else terms[0] if len(terms) == 1 else 1 + sum(terms))
        out.append(out_row)
    return out


@dataclass
class Chain:
    """∂(of)_T/∂(wrt)_k as the product J_T ⋯ J_{k+1} of step Jacobians (steps k+1 .. T)."""

    cell: Cell
    of: str
    wrt: str
    T: int
    k: int = 0
    notation: str = "gate"
    path: str = "total"

    def __post_init__(self) -> None:
        check_choice("notation", self.notation, NOTATIONS)
        check_choice("path", self.path, PATHS)
        block_slice(self.cell, self.of, "of")
        block_slice(self.cell, self.wrt, "wrt")
        for name, value in (("T", self.T), ("k", self.k)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise LstmsymError(f"{name} must be a whole number, got {value!r}")
        self.T, self.k = int(self.T), int(self.k)  # NumPy integers become plain ints (time labels)
        if self.T < 1:
            raise LstmsymError(f"T must be >= 1 (the number of steps), got {self.T}")
        if not 0 <= self.k <= self.T:
            raise LstmsymError(f"k must satisfy 0 <= k <= T = {self.T}, got {self.k}")
        if self.T - self.k > MAX_SYMBOLIC_STEPS:
            raise ExpansionTooLargeError(
                f"T - k = {self.T - self.k} steps is more than the {MAX_SYMBOLIC_STEPS} a symbolic chain "
                "is built for; evaluate it numerically along a trajectory instead "
                "(lstmsym.numerics.reference.lag_jacobians or lag_jacobian_norms)"
            )
        if self.path == "direct" and self.of != self.wrt:
            raise LstmsymError(
                f"the direct path holds the other state fixed, so it has no {self.of}-from-{self.wrt} "
                f"block; use of == wrt (e.g. of={self.wrt!r}) or path='total'"
            )

    @cached_property
    def generic_factor(self) -> sp.Matrix:
        """The step Jacobian at the generic label t (for the direct path: the own-state block)."""
        J = step_jacobian(self.cell, "gate", self.path)
        if self.path == "direct":  # block-diagonal: the own-state block multiplies on its own
            rows = block_slice(self.cell, self.of, "of")
            return J[rows, rows]
        return J

    def factor(self, t: int) -> sp.Matrix:
        """J_t in gate notation: the generic step Jacobian with its time label set to ``t``."""
        if not self.k < t <= self.T:
            raise LstmsymError(f"this chain has factors for steps {self.k + 1}..{self.T}, not {t}")
        return self.generic_factor.xreplace(relabel(self.cell, t))

    @property
    def factors(self) -> list[sp.Matrix]:
        """[J_T, J_{T-1}, ..., J_{k+1}], left to right as they multiply."""
        return [self.factor(t) for t in range(self.T, self.k, -1)]

    @property
    def steps(self) -> int:
        return self.T - self.k

    @cached_property
    def is_diagonal(self) -> bool:
        """Whether the factors are diagonal, so that the product multiplies out elementwise."""
        return self.generic_factor.is_diagonal()

    def estimated_size(self) -> int:
        """Tree size of the largest entry of the multiplied-out product, predicted without building it.

        The prediction propagates entry sizes through the product with plain integers; it is what
        :meth:`doit` checks against ``PRODUCT_BUDGET`` before building anything.
        """
        memo: dict[int, int] = {}
        cols = self._columns()
        width = self.generic_factor.shape[0]
        sizes = [[1 if (r == c) else 0 for c in range(width)][cols] for r in range(width)]
        for t in range(self.k + 1, self.T + 1):
            factor = self.generic_factor
            if self.notation == "expanded":
                factor = self.factor(t).xreplace(self.expansion_until(t))
            sizes = _product_sizes(_sizes(factor, memo), sizes)
            if max(map(max, sizes)) > PRODUCT_BUDGET:
                break  # already too large: stop early so that a refusal is quick
        return max(map(max, sizes))

    def _columns(self) -> slice:
        return block_slice(self.cell, self.wrt, "wrt") if self.path == "total" else slice(None)

    def doit(self) -> sp.Matrix:
        """The product multiplied out: an (n, n) matrix of expressions.

        Refused with :class:`ExpansionTooLargeError`, before anything is built, when the predicted
        tree size of an entry exceeds ``PRODUCT_BUDGET``.
        """
        if self.is_diagonal and self.notation == "gate":
            diag = [sp.Mul(*(f[j, j] for f in self.factors)) for j in range(self.generic_factor.shape[0])]
            return sp.diag(*diag)
        size = self.estimated_size()
        if size > PRODUCT_BUDGET:
            alternatives = (
                "use notation='gate' (compact), keep the product form (Chain.factors, Chain.latex()), "
                "or evaluate it numerically (lstmsym.numerics)"
                if self.notation == "expanded"
                else "keep the product form (Chain.factors, Chain.latex()) or evaluate it numerically "
                "(lstmsym.numerics)"
            )
            raise ExpansionTooLargeError(
                f"multiplying out {self.steps} step Jacobians of the {self.cell.kind} cell "
                f"(n = {self.cell.n}, {self.path} path, {self.notation} notation) would give entries of "
                f"at least {_short(size)} expression nodes (budget {PRODUCT_BUDGET:,}); {alternatives}"
            )
        width = self.generic_factor.shape[0]
        product = sp.eye(width)[:, self._columns()]
        for factor in reversed(self.factors):  # J_{k+1} first: accumulate right to left
            product = factor * product
        if self.path == "total":
            product = product[block_slice(self.cell, self.of, "of"), :]
        if self.notation == "expanded":
            product = product.xreplace(self.expansion_until(self.T))
        return product

    # -- expanded notation --------------------------------------------------------------------
    def expansion_until(self, T: int) -> dict[sp.Symbol, sp.Expr]:
        """Every symbol of steps k+1..T -> its value in s_k, the inputs and the parameters."""
        cache = self.__dict__.setdefault("_expansions", {self.k: {}})
        done = max(t for t in cache if t <= T)
        out = dict(cache[done])
        for t in range(done + 1, T + 1):
            for sym, value in self.cell.step(t).expansion.items():
                out[sym] = value.xreplace(out)
            cache[t] = dict(out)
        return out

    # -- display ------------------------------------------------------------------------------
    def lhs_latex(self) -> str:
        of, wrt = display_name(self.of, self.T), display_name(self.wrt, self.k)
        lhs = rf"\frac{{\partial {of}}}{{\partial {wrt}}}"
        return lhs + (r"\Big|_{\text{direct}}" if self.path == "direct" else "")

    def latex(self, max_factors: int = 4) -> str:
        """The product in gate notation; with more than ``max_factors`` factors the middle is elided."""
        steps = list(range(self.T, self.k, -1))
        if len(steps) > max_factors:
            head, tail = max_factors // 2, max_factors - max_factors // 2
            shown = [matrix_latex(self.factor(t)) for t in steps[:head]] + [r"\cdots"]
            shown += [matrix_latex(self.factor(t)) for t in steps[-tail:]]
        else:
            shown = [matrix_latex(self.factor(t)) for t in steps]
        body = r" \, ".join(shown) if shown else "I"
        if self.path == "total" and len(self.cell.state_names) > 1:
            body = rf"\left[{body}\right]_{{{self.of}{self.wrt}}}"
        return f"{self.lhs_latex()} = {body}"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"


def _short(size: int) -> str:
    return f"{size:,}" if size < 10**12 else f"about 10^{len(str(size)) - 1}"


__all__ = ["MAX_SYMBOLIC_STEPS", "PRODUCT_BUDGET", "Chain", "relabel", "tree_size"]
