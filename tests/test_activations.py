"""The SymPy activations: slopes rewritten without cancellation keep their value and their digits."""

import numpy as np
import sympy as sp

from lstmsym.activations import ACTIVATIONS, sigmoid, without_cancellation


def test_sigmoid_slope_at_30_has_all_its_digits():
    a = sp.Symbol("a", real=True)
    slope = sp.diff(sigmoid(a), a)                      # σ(a)(1 - σ(a))
    stable = without_cancellation(slope)
    assert stable == sigmoid(a) * sigmoid(-a)
    value = float(stable.subs(a, sp.Float(30.0)))
    np.testing.assert_allclose(value, 9.357622968839e-14, rtol=1e-12)
    exact = float((sp.exp(-30) / (1 + sp.exp(-30)) ** 2).evalf(30))
    np.testing.assert_allclose(value, exact, rtol=1e-14)
    # the output form cancels: 1 - σ(30.0) keeps about three digits at 53-bit precision
    assert abs(float(slope.subs(a, sp.Float(30.0))) / exact - 1) > 1e-4


def test_without_cancellation_keeps_every_value():
    a, b, o = sp.symbols("a b o", real=True)
    tanh_slope = ACTIVATIONS["tanh"].derivative_of_output(sp.tanh(a))
    expr = o * sigmoid(b) * (1 - sigmoid(b)) + 2 * tanh_slope + (1 - sigmoid(a)) * (3 - 3 * sp.tanh(b) ** 2)
    stable = without_cancellation(expr)
    assert not stable.has(sp.tanh) and stable.has(sp.cosh)
    for point in ({a: 0.3, b: -1.7, o: 0.6}, {a: -4.0, b: 2.5, o: 0.1}):
        assert abs(float(stable.subs(point)) - float(expr.subs(point))) < 1e-14
    # sums that are not of the form k - k·σ or k - k·tanh² stay as they are
    assert without_cancellation(2 - 3 * sp.tanh(a) ** 2) == 2 - 3 * sp.tanh(a) ** 2
    assert without_cancellation(1 + sigmoid(a)) == 1 + sigmoid(a)
