"""The exercise checker tells right from wrong, and says why."""

import pytest
import sympy as sp

from lstmsym.cells import make_cell
from lstmsym.derivatives.chain import Chain
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


# What a student naturally types: symbols without (or with other) assumptions, names that print the same.


def test_symbols_match_the_derivation_by_name_whatever_their_assumptions():
    lstm = make_cell("lstm")
    expected = ls_chain_direct(lstm, T=3)
    assert all(s.is_real for s in expected.free_symbols)  # the derivation's symbols are real=True
    typed = [
        [sp.Symbol(f"f_{{{t}}}") for t in (1, 2, 3)],  # no assumptions
        list(sp.symbols("f_1:4")),  # f_1, f_2, f_3: print as f_{1}, ...
        [sp.Symbol(f"f_{{{t}}}", positive=True) for t in (1, 2, 3)],
        [sp.Symbol(f"f_{{{t}}}", real=True) for t in (1, 2, 3)],
        [sp.Symbol(f"f{t}") for t in (1, 2, 3)],  # SymPy prints f1 as f_{1} too
    ]
    for f1, f2, f3 in typed:
        result = check_answer(f1 * f2 * f3, expected)
        assert result and result.message == "Correct: your answer equals the derived f_{1}*f_{2}*f_{3}.", (
            f1,
            result,
        )


def ls_chain_direct(cell, T):
    return Chain(cell, "c", "c", T=T, path="direct").doit()


def test_plain_symbols_in_a_weight_expression():
    rnn = make_cell("rnn")
    W, h = sp.Symbol("W"), sp.Symbol("h_t")  # the derivation has W and h_{t}, both real=True
    assert check_answer(W * (1 - h**2), jacobian_block(rnn, "h", "h"))
    wrong = check_answer(W * (1 - h), jacobian_block(rnn, "h", "h"))
    # the counterexample names the derivation's symbols and gives both values at that point
    assert (
        not wrong
        and wrong.message.startswith("Not equal. At W = ")
        and "but the derivation gives" in wrong.message
    )


def test_a_derivation_without_assumptions_accepts_real_symbols():
    s = sp.Symbol("s")  # as notebook 07 builds it
    assert check_answer(sp.Symbol("s", real=True) ** 2, s**2)
    assert not check_answer(sp.Symbol("s", real=True) ** 3, s**2)


def test_a_wrong_answer_keeps_the_counterexample_after_renaming():
    lstm = make_cell("lstm", n=2)
    expected = jacobian_block(lstm, "c", "c", path="direct")
    f1, f2 = sp.Symbol("f_{t,1}"), sp.Symbol("f_{t,2}")
    assert check_answer(sp.diag(f1, f2), expected)
    wrong = check_answer(sp.diag(f1, 1 - f2), expected)
    assert not wrong
    assert wrong.message.startswith("Not equal. At f_{t,1} = ") and "entry (1, 1)" in wrong.message


def test_an_unknown_name_lists_the_derivations_symbols():
    expected = jacobian_block(make_cell("lstm"), "c", "c", path="direct")
    result = check_answer(sp.Symbol("f"), expected)
    assert not result
    assert result.message == "Your answer uses f, which the derivation does not contain. Its symbols: f_{t}."


def test_ambiguous_names_are_not_guessed():
    x_real, x_plain = sp.Symbol("x", real=True), sp.Symbol("x")
    expected = x_real + x_plain  # two different symbols that print alike
    result = check_answer(2 * sp.Symbol("x", positive=True), expected)
    assert not result and "does not contain" in result.message


def test_numbers_lists_and_arrays_are_accepted():
    import numpy as np

    f1, f2 = sp.Symbol("f_{t,1}"), sp.Symbol("f_{t,2}")
    expected = jacobian_block(make_cell("lstm", n=2), "c", "c", path="direct")
    assert check_answer([[f1, 0], [0, f2]], expected)
    assert not check_answer([[f1, 0], [0, 1]], expected)
    assert check_answer(np.array([[1.0, 0.0], [0.0, 1.0]]), sp.eye(2))
    assert check_answer([1, 2], sp.Matrix([1, 2]))  # a column
    assert check_answer(np.float64(0.25), sp.Rational(1, 4))
    assert check_answer(1, sp.Integer(1))


def test_decimals_are_compared_to_twelve_digits():
    exact = 1 / (1 + sp.exp(-1))  # sigma(1)
    close = check_answer(0.7310585786300049, exact)
    assert close and "12 significant digits" in close.message
    assert not check_answer(0.7310585786, exact)  # 10 digits: a different number at this precision
    assert not check_answer(0.73, exact)
    # an exact answer that differs beyond the 12th digit is still wrong
    assert not check_answer(exact + sp.Rational(1, 10**20), exact)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "truth value"),
        (sp.Eq(sp.Symbol("f"), 1), "truth value|not a comparison"),
        ([], "non-empty column"),
        ([[1, 2], [3]], "rows of equal length"),
        ([[[1]]], "nest at most two deep"),
        ([1, "f_{t}"], "not a string"),
        ({"f": 1}, "SymPy expression or Matrix, got dict"),
    ],
)
def test_unusable_answers_get_a_clear_error(value, message):
    with pytest.raises(LstmsymError, match=message):
        check_answer(value, sp.Integer(1))


def test_text_is_never_evaluated_even_inside_an_array():
    import numpy as np

    with pytest.raises(LstmsymError, match="not a string"):
        check_answer(np.array(["__import__('os')"]), sp.Integer(1))
    with pytest.raises(LstmsymError, match="shape"):
        check_answer(np.zeros((1, 1, 1)), sp.Integer(1))


def test_the_notebook_shows_the_message_with_latex_formulas():
    lstm = make_cell("lstm")
    expected = jacobian_block(lstm, "c", "h", path="direct") + jacobian_block(lstm, "c", "c", path="direct")
    f = lstm.step("t").rule("f").symbols[0]
    right = check_answer(expected[0, 0], expected)
    assert repr(right) == str(right) == right.message and "**" not in right._repr_markdown_()
    assert right._repr_markdown_() == f"Correct: your answer equals the derived ${sp.latex(expected[0, 0])}$."
    wrong = check_answer(1 - f, jacobian_block(lstm, "c", "c", path="direct"))
    assert wrong._repr_markdown_().startswith("Not equal. At $f_{t} = ") and "f_{t} = " in wrong.message
    extra = check_answer(sp.Symbol("x"), jacobian_block(lstm, "c", "c", path="direct"))
    assert extra._repr_markdown_() == (
        "Your answer uses $x$, which the derivation does not contain. Its symbols: $f_{t}$."
    )


def test_a_value_that_differs_far_down_is_shown_to_enough_digits():
    """0.7500001 against 3/4 must not read "your answer is 0.75 but the derivation gives 0.75"."""
    result = check_answer(0.7500001, sp.Rational(3, 4))
    assert not result
    assert "is 0.7500001; the derivation's value is smaller (they agree to 6 significant digits)." in (
        result.message
    )
    result = check_answer(1.25, sp.Rational(3, 4))  # a plain difference stays short
    assert result.message == "Not equal. Your answer is 1.25; the derivation's value is smaller."


def test_a_number_to_find_is_never_printed_in_the_verdict():
    """In a graded exercise the derivation's value is the answer: a wrong try must not reveal it."""
    cases = [(0, 1, "1"), (0.2, sp.Rational(103, 500), "0.206"), (0.75, sp.Rational(3, 5), "0.6")]
    for answer, expected, hidden in cases:
        result = check_answer(answer, expected)
        assert not result
        assert hidden not in result.message.split(";", 1)[1], result.message
    assert "larger" in check_answer(0.2, sp.Rational(103, 500)).message
    entry = check_answer([1, 2], [1, 3])
    assert "3" not in entry.message and "larger" in entry.message, entry.message


def test_relations_accept_a_tied_symbol_either_way():
    """The coupled LSTM ties f_t = 1 - i_t: its carousel is f_1 f_2 f_3 or (1 - i_1)(1 - i_2)(1 - i_3)."""
    coupled = make_cell("lstm", coupled=True)
    expected = Chain(coupled, "c", "c", T=3, path="direct").doit()
    ties = {}
    for t in (1, 2, 3):
        rule = coupled.step(t).rule("f")
        ties[rule.symbols[0]] = rule.value[0]
    f1, f2, f3, i1, i2, i3 = sp.symbols("f_1 f_2 f_3 i_1 i_2 i_3")
    assert not check_answer((1 - i1) * (1 - i2) * (1 - i3), expected)  # without the tie: other symbols
    assert check_answer((1 - i1) * (1 - i2) * (1 - i3), expected, relations=ties)
    assert check_answer(f1 * f2 * f3, expected, relations=ties)
    assert check_answer(f1 * (1 - i2) * f3, expected, relations=ties)
    assert not check_answer((1 - i1) * (1 - i2) * i3, expected, relations=ties)
    with pytest.raises(LstmsymError, match="relations must be a dict"):
        check_answer(f1, expected, relations=[(f1, 1 - i1)])


def test_none_is_not_answered_yet_not_an_error():
    from lstmsym.exercises import NOT_ANSWERED

    for verdict in (check_answer(None, sp.Integer(1)), check_answer(None, sp.Matrix([[1, 2]]))):
        assert verdict is NOT_ANSWERED and not verdict and "Not answered yet" in verdict.message


def test_check_that_grades_with_the_condition_and_never_raises_on_the_answer():
    from lstmsym.exercises import NOT_ANSWERED, check_that

    assert check_that((4.0, 0), lambda a: tuple(a) == (4.0, 0), "hint")
    wrong = check_that((4.0, 1), lambda a: tuple(a) == (4.0, 0), "read the table")
    assert not wrong and wrong.message == "Not yet: read the table"
    broken = check_that(5, lambda a: tuple(a) == (4.0, 0), "a pair")
    assert not broken and "TypeError" in broken.message and broken.message.startswith("Not yet: a pair")
    assert check_that(None, lambda a: 1 / 0, "x") is NOT_ANSWERED
    with pytest.raises(LstmsymError, match="correct must be a function"):
        check_that(1, True, "x")


def test_score_counts_one_point_per_correct_check_and_prints_each_verdict(capsys):
    from lstmsym.exercises import check_that, score

    points = score(
        answer_2=check_answer(sp.Symbol("f_t"), sp.Symbol("f_{t}", real=True)),
        answer_2b=check_that(3, lambda a: a == 4, "count again"),
        answer_2c=check_answer(None, sp.Integer(1)),
    )
    out = capsys.readouterr().out
    assert points == 1
    assert "answer_2: Correct" in out and "answer_2b: Not yet: count again" in out
    assert "answer_2c: Not answered yet" in out and "1 of 3 points" in out
    with pytest.raises(LstmsymError, match="at least one check"):
        score()


def test_check_that_hint_may_depend_on_the_answer():
    from lstmsym.exercises import check_that

    big = check_that(0.5, lambda a: a < 0.1, lambda a: f"{a} is too big")
    assert big.message == "Not yet: 0.5 is too big"
    odd = check_that("x", lambda a: a < 0.1, lambda a: f"{a:.2f} is too big")
    assert not odd and "no hint for this answer" in odd.message and "TypeError" in odd.message
