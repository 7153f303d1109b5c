"""Symbolic identities of the one-step Jacobians and of the T-step chains."""

import random

import mpmath
import pytest
import sympy as sp
from variants import VARIANTS, variant_id

from lstmsym.cells import make_cell
from lstmsym.derivatives.chain import Chain, tree_size
from lstmsym.derivatives.step import block_latex, jacobian_block, step_jacobian
from lstmsym.errors import ExpansionTooLargeError, LstmsymError, UnknownChoiceError


def _equal_at_random_points(a: sp.Matrix, b: sp.Matrix, points=2, digits=40):
    """Identity check: equal to about 40 significant digits at random points (mpmath arithmetic)."""
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    f = sp.lambdify(symbols, [list(a), list(b)], "mpmath")
    rnd = random.Random(0)
    with mpmath.workdps(digits):
        for _ in range(points):
            left, right = f(*[mpmath.mpf(rnd.randint(-90, 90)) / 100 for _ in symbols])
            for x, y in zip(left, right, strict=True):
                assert abs(x - y) <= mpmath.mpf(10) ** (8 - digits) * (1 + abs(x)), (x, y)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_lstm_direct_block_is_the_keep_gate(n):
    for switches in ({}, {"peephole": True}, {"coupled": True}, {"readout": "dense"}, {"input_gate": False}):
        cell = make_cell("lstm", n=n, **switches)
        f = cell.step("t").rule("f").symbols
        assert jacobian_block(cell, "c", "c", path="direct") == sp.diag(*f)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_carousel_without_forget_gate_is_the_identity(n):
    cell = make_cell("lstm1997", n=n)
    assert jacobian_block(cell, "c", "c", path="direct") == sp.eye(n)
    assert jacobian_block(cell, "c", "c") == sp.eye(n)  # no peephole: the total c-block too


@pytest.mark.parametrize("n", [1, 2, 3])
def test_dense_memory_has_the_rnn_form(n):
    cell = make_cell("dense_memory", n=n)
    c_t = cell.step("t").rule("c").symbols
    expected = sp.diag(*[1 - c**2 for c in c_t]) * cell.params["W_c"]
    for path in ("direct", "total"):
        assert (jacobian_block(cell, "c", "c", path=path) - expected).applyfunc(sp.expand) == sp.zeros(n)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_rnn_step_jacobian(n):
    cell = make_cell("rnn", n=n)
    h_t = cell.step("t").rule("h").symbols
    expected = sp.diag(*[1 - h**2 for h in h_t]) * cell.params["W"]
    assert (step_jacobian(cell) - expected).applyfunc(sp.expand) == sp.zeros(n)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_gru_direct_path_is_the_update_gate(n):
    cell = make_cell("gru", n=n)
    assert jacobian_block(cell, "h", "h", path="direct") == sp.diag(*cell.step("t").rule("z").symbols)


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize("n", [1, 2])
def test_chain_rule_equals_plain_differentiation(variant, n):
    """The structured (gate-notation) Jacobian, expanded, is SymPy's Jacobian of the expanded map."""
    name, switches = variant
    cell = make_cell(name, n=n, m=1, **switches)
    step = cell.step("t")
    naive = step.state_vector.xreplace(step.expansion).jacobian(step.prev_vector)
    _equal_at_random_points(step_jacobian(cell, "expanded"), naive)


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_direct_jacobian_is_block_diagonal(variant):
    name, switches = variant
    cell = make_cell(name, n=2, **switches)
    J = step_jacobian(cell, path="direct")
    names = cell.state_names
    for a in range(len(names)):
        for b in range(len(names)):
            if a != b:
                assert J[2 * a : 2 * a + 2, 2 * b : 2 * b + 2] == sp.zeros(2)


@pytest.mark.parametrize("T", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_direct_chain_is_the_product_of_gates(T, n):
    lstm = make_cell("lstm", n=n)
    gates = [lstm.step(t).rule("f").symbols for t in range(1, T + 1)]
    expected = sp.diag(*[sp.Mul(*(g[j] for g in gates)) for j in range(n)])
    assert Chain(lstm, "c", "c", T=T, path="direct").doit() == expected
    assert Chain(make_cell("lstm1997", n=n), "c", "c", T=T, path="direct").doit() == sp.eye(n)
    gru = make_cell("gru", n=n)
    z = [gru.step(t).rule("z").symbols for t in range(1, T + 1)]
    assert Chain(gru, "h", "h", T=T, path="direct").doit() == sp.diag(
        *[sp.Mul(*(g[j] for g in z)) for j in range(n)]
    )


@pytest.mark.parametrize("T", [1, 2, 3, 4, 5])
def test_scalar_rnn_chain_closed_form(T):
    rnn = make_cell("rnn")
    W = rnn.params["W"][0]
    h = [rnn.step(t).rule("h").symbols[0] for t in range(1, T + 1)]
    expected = W**T * sp.Mul(*(1 - x**2 for x in h))
    assert sp.expand(Chain(rnn, "h", "h", T=T).doit()[0] - expected) == 0


@pytest.mark.parametrize(("name", "of", "wrt"), [("lstm", "c", "c"), ("lstm", "h", "c"), ("gru", "h", "h")])
@pytest.mark.parametrize("T", [1, 2, 3])
def test_expanded_chain_equals_differentiating_the_unrolled_map(name, of, wrt, T):
    """The T-step product, expanded, equals SymPy's derivative of the unrolled state (scalar cells)."""
    cell = make_cell(name)
    chain = Chain(cell, of, wrt, T=T, notation="expanded")
    unrolled = chain.expansion_until(T)[cell.step(T).rule(of).symbols[0]]
    start = cell.step(1).prev[wrt][0]
    naive = sp.Matrix([[sp.diff(unrolled, start)]])
    _equal_at_random_points(chain.doit(), naive, points=1)


def test_total_chain_matches_explicit_product():
    cell = make_cell("lstm")
    chain = Chain(cell, "h", "c", T=2, k=0)
    J2, J1 = chain.factors
    assert chain.doit() == (J2 * J1)[1:2, 0:1]
    assert Chain(cell, "c", "c", T=3, k=3).doit() == sp.eye(1)  # the empty product


def test_chain_latex_elides_long_products():
    text = Chain(make_cell("lstm"), "c", "c", T=100).latex()
    assert text.startswith(r"\frac{\partial c_{100}}{\partial c_{0}} = \left[")
    assert r"\cdots" in text and "f_{100}" in text and "f_{1}" in text and "f_{50}" not in text
    assert "f_{3}" in Chain(make_cell("lstm"), "c", "c", T=3, path="direct").latex()


def test_block_latex():
    assert block_latex(make_cell("lstm"), "c", "c", path="direct") == (
        r"\frac{\partial c_{t}}{\partial c_{t-1}}\Big|_{\text{direct}} = f_{t}"
    )


def test_large_requests_are_refused_with_the_form_that_works():
    with pytest.raises(ExpansionTooLargeError, match="notation='gate'"):
        Chain(make_cell("lstm"), "c", "c", T=60, notation="expanded").doit()
    with pytest.raises(ExpansionTooLargeError, match="product form"):
        Chain(make_cell("lstm", n=2), "c", "c", T=200).doit()
    with pytest.raises(ExpansionTooLargeError, match="numerically"):
        Chain(make_cell("lstm"), "c", "c", T=100_000)
    # within budget: the scalar LSTM's expanded 4-step derivative builds
    entry = Chain(make_cell("lstm"), "c", "c", T=4, notation="expanded").doit()[0]
    assert 1_000 < tree_size(entry) < 100_000


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Chain(make_cell("lstm"), "c", "c", T=0), "T must be >= 1"),
        (lambda: Chain(make_cell("lstm"), "c", "c", T=3, k=4), "k must satisfy 0 <= k <= T"),
        (lambda: Chain(make_cell("lstm"), "c", "c", T=2.0), "T must be a whole number"),
        (lambda: Chain(make_cell("lstm"), "c", "h", T=2, path="direct"), "use of == wrt"),
        (lambda: Chain(make_cell("lstm"), "x", "c", T=2), "of='x' is not valid"),
        (lambda: Chain(make_cell("rnn"), "c", "c", T=2), "of='c' is not valid"),
        (lambda: step_jacobian(make_cell("lstm"), notation="full"), "notation='full' is not valid"),
        (lambda: step_jacobian(make_cell("lstm"), path="carousel"), "path='carousel' is not valid"),
        (lambda: Chain(make_cell("lstm"), "c", "c", T=3).factor(7), "factors for steps 1..3"),
    ],
)
def test_bad_requests(call, message):
    with pytest.raises(LstmsymError) as info:
        call()
    assert message in str(info.value)


def test_unknown_block_lists_the_state():
    with pytest.raises(UnknownChoiceError) as info:
        jacobian_block(make_cell("gru"), "c", "h")
    assert info.value.choices == ("h",)
