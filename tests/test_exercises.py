"""The exercise checker tells right from wrong, and says why."""

import pytest
import sympy as sp

from lstmsym.cells import make_cell
from lstmsym.derivatives.step import jacobian_block
from lstmsym.errors import LstmsymError
from lstmsym.exercises import check_answer


def test_equivalent_forms_are_accepted():
    rnn = make_cell("rnn")
    expected = jacobian_block(rnn, "h", "h")
    W, h = rnn.params["W"][0], rnn.step("t").rule("h").symbols[0]
    assert check_answer(W - W * h**2, expected)
    assert check_answer(sp.Matrix([[W * (1 - h) * (1 + h)]]), expected)


def test_identity_only_numerically():
    x = sp.Symbol("x", real=True)
    result = check_answer(2 * sp.sin(x) * sp.cos(x), sp.sin(2 * x))
    assert result.correct and "random points" in result.message


def test_wrong_answers_say_why():
    lstm = make_cell("lstm", n=2)
    expected = jacobian_block(lstm, "c", "c", path="direct")
    f = lstm.step("t").rule("f").symbols
    assert "Wrong shape" in check_answer(f, expected).message
    i = lstm.step("t").rule("i").symbols
    assert "which the derivation does not contain" in check_answer(sp.diag(*i), expected).message
    wrong = check_answer(sp.diag(f[0], 1 - f[1]), expected)
    assert not wrong and "Not equal" in wrong.message and "entry (1, 1)" in wrong.message


def test_strings_are_refused_never_parsed():
    with pytest.raises(LstmsymError, match="not a string"):
        check_answer("__import__('os').system('true')", sp.Integer(1))
    with pytest.raises(LstmsymError, match="SymPy expression or Matrix"):
        check_answer(object(), sp.Integer(1))
