r"""Vector notation for display: the equations as a lecture writes them, with ⊙ and σ.

The cells compute with explicit element symbols; for display they also build each equation in
vector form from non-commutative symbols, so that the order of factors is kept
(``W_f h_{t-1}``, not ``h_{t-1} W_f``) and elementwise products print as ``\odot``:

>>> f, c = vec("f_t"), vec("c_{t-1}")
>>> latex(odot(f, c))
'f_{t} \\odot c_{t-1}'
>>> W, h = vec("W_f"), vec("h_{t-1}")
>>> latex(plus(matvec(W, h), vec("b_f")))
'W_{f} h_{t-1} + b_{f}'
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter


def vec(name: str) -> sp.Symbol:
    """A display symbol for a vector or matrix (non-commutative, so products keep their order)."""
    return sp.Symbol(name, commutative=False)


class Odot(sp.Function):
    r"""Display node for the elementwise product ``a \odot b`` (it never evaluates)."""

    nargs = 2

    def _latex(self, printer, exp=None):
        parts = []
        for arg in self.args:
            tex = printer._print(arg)
            parts.append(rf"\left({tex}\right)" if isinstance(arg, sp.Add) else tex)
        return r" \odot ".join(parts)

    def _sympystr(self, printer):
        return " ⊙ ".join(
            f"({printer._print(a)})" if isinstance(a, sp.Add) else printer._print(a) for a in self.args
        )


def odot(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return Odot(a, b, evaluate=False)


def matvec(matrix: sp.Expr, vector: sp.Expr) -> sp.Expr:
    return sp.Mul(matrix, vector, evaluate=False)


def plus(*terms: sp.Expr) -> sp.Expr:
    """A sum in the order written; a sum inside a sum is spliced in, so no stray brackets appear."""
    flat = [a for t in terms for a in (t.args if isinstance(t, sp.Add) and not _is_one_minus(t) else (t,))]
    return sp.Add(*flat, evaluate=False)


def _is_one_minus(expr: sp.Expr) -> bool:
    return len(expr.args) == 2 and expr.args[0] is sp.S.One


def one_minus(v: sp.Expr) -> sp.Expr:
    return sp.Add(sp.S.One, sp.Mul(sp.S.NegativeOne, v, evaluate=False), evaluate=False)


class _Printer(LatexPrinter):
    """SymPy's LaTeX printer, keeping terms in the order the equation was written."""

    def __init__(self, settings=None):
        super().__init__({"order": "none", **(settings or {})})


def matrix_latex(matrix: sp.Matrix) -> str:
    """LaTeX for a Jacobian block: a 1×1 block prints as its single entry (the scalar form)."""
    return sp.latex(matrix[0, 0]) if matrix.shape == (1, 1) else sp.latex(matrix)


def latex(expr, **settings) -> str:
    """LaTeX for an lstmsym expression or equation, terms in the order they were written."""
    return _Printer(settings).doprint(expr)
