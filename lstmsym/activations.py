r"""The logistic sigmoid as a SymPy function that prints as σ and knows its derivative.

SymPy has ``tanh`` built in; the logistic sigmoid is declared here so that equations read the way
a lecture writes them, :math:`\sigma(a)`, instead of ``1/(1 + exp(-a))``:

>>> from sympy import Float, Symbol, latex, diff
>>> a = Symbol("a")
>>> sigmoid(a)
sigmoid(a)
>>> latex(sigmoid(a))
'\\sigma\\left(a\\right)'
>>> diff(sigmoid(a), a)           # the local derivative, written in terms of the output
(1 - sigmoid(a))*sigmoid(a)
>>> sigmoid(0)
1/2

Each activation also has a derivative written in terms of its *output* y, which is how gate
notation writes derivatives (σ' = f(1 - f) for the keep gate f = σ(a)):

>>> from sympy import Symbol
>>> y = Symbol("y")
>>> ACTIVATIONS["sigmoid"].derivative_of_output(y)
y*(1 - y)
>>> ACTIVATIONS["tanh"].derivative_of_output(y)
1 - y**2

Evaluated at a saturated point, ``1 - σ`` and ``1 - tanh²`` subtract two nearly equal numbers and lose
their digits (σ(30) = 1 - 9.4e-14 keeps only three of them in float64). :func:`without_cancellation`
rewrites them as σ(-a) and 1/cosh²(a), the same values with no subtraction:

>>> slope = diff(sigmoid(a), a)
>>> x = Float(30.0)
>>> f"{float(slope.subs(a, x)):.6e}", f"{float(without_cancellation(slope).subs(a, x)):.6e}"
('9.348078e-14', '9.357623e-14')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy import Function, Rational, S, tanh


class sigmoid(Function):
    r"""The logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`; its derivative is σ(1 - σ)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x is S.Zero:
            return Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        # local derivative beside the forward rule: dσ/dx = σ(1 - σ)
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        inner = printer._print(self.args[0])
        tex = rf"\sigma\left({inner}\right)"
        return rf"{tex}^{{{exp}}}" if exp is not None else tex  # SymPy passes the power already printed

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        return prettyForm(*printer._print(self.args[0]).parens()).left("σ")

    def _mpmathcode(self, printer):
        x = printer._print(self.args[0])
        return f"(1/(1 + {printer._module_format('mpmath.exp')}(-({x}))))"

    def _numpycode(self, printer):
        # 0.5 (1 + tanh(x/2)) equals 1/(1 + e^{-x}) and never overflows, unlike exp(-x) for x << 0
        x = printer._print(self.args[0])
        return f"(0.5*(1 + {printer._module_format('numpy.tanh')}(0.5*({x}))))"


class relu(Function):
    r"""The rectifier :math:`\operatorname{ReLU}(x) = \max(0, x)`; its derivative is Heaviside(x, 0).

    The derivative at exactly 0 is taken as 0 (``Heaviside(x, 0)``), the value that the derivative written
    through the output, ``Heaviside(y, 0)``, gives there (y = 0 for every x <= 0).

    >>> from sympy import Symbol, diff
    >>> a = Symbol("a", real=True)
    >>> diff(relu(a), a), relu(-2), relu(3)
    (Heaviside(a, 0), 0, 3)
    """

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_real:
            return sp.Max(S.Zero, x)
        return None

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sp.Max(S.Zero, x)

    def _eval_evalf(self, prec):
        return sp.Max(S.Zero, self.args[0])._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        tex = rf"\operatorname{{ReLU}}\left({printer._print(self.args[0])}\right)"
        return rf"{tex}^{{{exp}}}" if exp is not None else tex

    def _mpmathcode(self, printer):
        return f"{printer._module_format('mpmath.mpf')}(max(0, {printer._print(self.args[0])}))"

    def _numpycode(self, printer):
        return f"{printer._module_format('numpy.maximum')}(0.0, {printer._print(self.args[0])})"


@dataclass(frozen=True)
class Activation:
    """A named elementwise nonlinearity: its SymPy forward rule and its derivative from its output."""

    name: str
    forward: Callable[[sp.Expr], sp.Expr]
    derivative_of_output: Callable[[sp.Expr], sp.Expr]


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, lambda y: y * (1 - y)),
    "tanh": Activation("tanh", tanh, lambda y: 1 - y**2),
    "identity": Activation("identity", lambda a: a, lambda y: S.One),
    # ReLU (the IRNN): slope 1 where the output is positive, 0 where it is 0 (Heaviside(0, 0) = 0)
    "relu": Activation("relu", relu, lambda y: sp.Heaviside(y, 0)),
    # xLSTM's exponential gate: d exp(a)/da = exp(a), the output itself
    "exp": Activation("exp", sp.exp, lambda y: y),
    # 1/a, for normalisers (sLSTM's c/n, minLSTM's f/(f + i)): d(1/a)/da = -1/a² = -y²
    "reciprocal": Activation("reciprocal", lambda a: 1 / a, lambda y: -(y**2)),
}



def _cancel_free(term: sp.Expr) -> sp.Expr:
    """One sum k - k σ(u) → k σ(-u) and k - k tanh(u)² → k/cosh(u)², for every such pair in ``term``."""
    terms = list(term.args)
    for j, t in enumerate(terms):
        k, rest = t.as_coeff_Mul()
        for pattern, value in ((lambda r: isinstance(r, sigmoid), lambda r: sigmoid(-r.args[0])),
                               (lambda r: r.is_Pow and r.exp == 2 and isinstance(r.base, tanh),
                                lambda r: 1 / sp.cosh(r.base.args[0]) ** 2)):
            if k.is_negative and pattern(rest) and -k in terms:
                kept = [x for m, x in enumerate(terms) if m not in (j, terms.index(-k))]
                return _cancel_free(sp.Add(*kept, -k * value(rest)))
    return term


def without_cancellation(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every k - k σ(u) written as k σ(-u) and every k - k tanh(u)² as k/cosh(u)²: equal values.

    Gate notation writes slopes through outputs (σ' = σ(1 - σ), tanh' = 1 - tanh²); evaluated in floating
    point at a large argument, those differences cancel. This form evaluates them without subtracting
    (σ'(a) = σ(a) σ(-a)); use it before evaluating a slope numerically.

    >>> from sympy import Symbol, tanh
    >>> a, o = Symbol("a"), Symbol("o")
    >>> without_cancellation(o * sigmoid(a) * (1 - sigmoid(a)))
    o*sigmoid(-a)*sigmoid(a)
    >>> without_cancellation(3 * (1 - tanh(a) ** 2))
    3/cosh(a)**2
    """
    return sp.sympify(expr).replace(lambda e: e.is_Add, _cancel_free)
