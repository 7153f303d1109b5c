"""The depth cells (plain_deep, residual, highway) and the norm-preserving RNNs (orthogonal_rnn, irnn).

Symbolic identities of their one-step and chained Jacobians, the three-way numeric check (compiled symbolic,
central differences, NumPy reference), the reference's parameter gradients against central differences, and
the Cayley weight's orthogonality and gradient.
"""

import numpy as np
import pytest
import sympy as sp

from lstmsym.cells.depth import Highway, PlainDeep, Residual
from lstmsym.cells.norm_preserving import IRNN, OrthogonalRNN
from lstmsym.derivatives.chain import Chain
from lstmsym.derivatives.step import step_jacobian
from lstmsym.numerics import reference
from lstmsym.numerics.gradcheck import central_differences
from lstmsym.numerics.reference.norm_preserving import cayley
from lstmsym.numerics.verify import verify_cell

CLASSES = (PlainDeep, Residual, Highway, OrthogonalRNN, IRNN)


def _zero(M):
    return M.applyfunc(lambda e: sp.simplify(sp.expand(e))) == sp.zeros(*M.shape)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_depth_jacobians_in_gate_notation(n):
    plain, res, hw = PlainDeep(n=n), Residual(n=n), Highway(n=n)
    h = plain.step().rule("h").symbols
    assert _zero(step_jacobian(plain) - sp.diag(*[1 - v**2 for v in h]) * plain.params["W"])
    assert step_jacobian(plain, path="direct") == step_jacobian(plain)            # its own candidate
    u = res.step().rule("u").symbols
    expected = sp.eye(n) + res.params["W_2"] * sp.diag(*[1 - v**2 for v in u]) * res.params["W_1"]
    assert _zero(step_jacobian(res) - expected)
    assert step_jacobian(res, path="direct") == sp.eye(n)                          # the identity path
    T = hw.step().rule("T").symbols
    assert step_jacobian(hw, path="direct") == sp.diag(*[1 - v for v in T])        # the carry gate


@pytest.mark.parametrize("L", [1, 2, 5])
def test_direct_products_over_layers(L):
    assert Chain(Residual(n=2), "h", "h", T=L, path="direct").doit() == sp.eye(2)
    hw = Highway()
    carry = sp.Mul(*[1 - hw.step(t).rule("T").symbols[0] for t in range(1, L + 1)])
    assert Chain(hw, "h", "h", T=L, path="direct").doit() == sp.Matrix([[carry]])


@pytest.mark.parametrize("n", [2, 3, 4])
def test_cayley_weight_is_orthogonal_for_every_A(n):
    cell = OrthogonalRNN(n=n)
    W = cell.recurrent_weight()
    rng = np.random.default_rng(n)
    for _ in range(3):
        A = rng.normal(0.0, 2.0, size=(n, n))
        values = dict(zip(cell.params["A"], A.ravel(), strict=True))
        Wn = np.array(W.xreplace(values).evalf(), dtype=float)
        np.testing.assert_allclose(Wn.T @ Wn, np.eye(n), atol=1e-12)
        np.testing.assert_allclose(Wn, cayley(A), atol=1e-12)                     # symbolic = NumPy
    assert OrthogonalRNN(n=1).recurrent_weight() == sp.eye(1) and "A" not in OrthogonalRNN(n=1).param_shapes


def test_irnn_jacobian_is_the_active_units_times_W():
    cell = IRNN(n=2)
    h = cell.step().rule("h").symbols
    assert step_jacobian(cell) == sp.diag(*[sp.Heaviside(v, 0) for v in h]) * cell.params["W"]
    p = {"W": np.eye(2), "U": np.array([[1.0], [-1.0]]), "b": np.zeros(2)}
    J = reference.step_jacobian(cell, p, [0.5], {"h": [1.0, 0.2]})                 # unit 2: a = -0.3 < 0
    np.testing.assert_array_equal(J, np.diag([1.0, 0.0]))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.kind)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_three_way_check(cls, n):
    # a ReLU unit that is switched off at some step gives exact zeros, below the central differences' floor:
    # these seeds keep at least one path through every lag active, so every entry checked is resolved
    seed = {1: 0, 2: 0, 3: 1}[n] if cls is IRNN else n
    result = verify_cell(cls(n=n, m=2 if n % 2 else 1), T=4, seed=seed)
    assert result.ok, result.report()
    assert all(c.status == "pass" for c in result.checks), result.report()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.kind)
def test_reference_parameter_gradients_match_central_differences(cls):
    cell = cls(n=3, m=2)
    rng = np.random.default_rng(7)
    params = {k: rng.normal(0.0, 0.7, size=s) for k, s in cell.param_shapes.items()}
    xs = rng.normal(size=(4, 2))
    state0 = {"h": rng.normal(0.0, 0.5, size=3) + (1.0 if cls is IRNN else 0.0)}
    cot = rng.normal(size=3)
    grads = reference.backward(cell, params, reference.forward(cell, params, xs, state0), xs, cot)
    for name, value in params.items():
        def loss(v, name=name, shape=value.shape):
            return np.array([cot @ reference.forward(cell, {**params, name: v.reshape(shape)}, xs,
                                                     state0).s[-1]])
        numeric = central_differences(loss, value.ravel())[0].reshape(value.shape)
        np.testing.assert_allclose(grads.dparams[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)
    if cls in (PlainDeep, Residual, Highway):                                      # no input is read
        assert not np.any(grads.dxs)
