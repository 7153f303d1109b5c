"""check_cell / compare_step_maps: a declared cell judged by its step map, not by its names.

The cells are notebook 09's exercise 2 (the coupled decay carousel) and the alternatives a reviewer tried:
four ways to write the same model (accepted) and four different models (refused, with what differs).
"""

import pytest

from lstmsym.cells import Cell, affine_parameters, register_cell, unregister_cell
from lstmsym.exercises import NOT_ANSWERED, check_cell, compare_step_maps


class Intended(Cell):
    """c_t = f c_{t-1} + (1 - f) g_t, f = σ(b_f); h_t = o_t tanh(c_t)."""

    state_names = ("c", "h")
    parameters = {**affine_parameters("g", "o"), "b_f": ("n",)}

    def declare(self, b):
        g = b.gate("g", b.affine("g"), "tanh")
        f = b.gate("f", b.param("b_f"), "sigmoid")
        c = b.state("c", f * b.prev("c") + (1 - f) * g)
        o = b.gate("o", b.affine("o"), "sigmoid")
        b.state("h", o * c.apply("tanh"))


def coupled(write="rule", f_act="sigmoid", names=("g", "f", "o"), f_input=False, read=True, w_g=True):
    g_name, f_name, o_name = names

    class Variant(Cell):
        """A variant of the coupled decay carousel."""

        state_names = ("c", "h")
        parameters = {
            **(affine_parameters(g_name) if w_g else {f"U_{g_name}": ("n", "m"), f"b_{g_name}": ("n",)}),
            **(affine_parameters(o_name) if read else {}),
            **(affine_parameters(f_name) if f_input else {f"b_{f_name}": ("n",)}),
        }

        def declare(self, b):
            inner = b.affine(g_name) if w_g else b.param(f"U_{g_name}") @ b.x() + b.param(f"b_{g_name}")
            g = b.gate(g_name, inner, "tanh")
            f = b.gate(f_name, b.affine(f_name) if f_input else b.param(f"b_{f_name}"), f_act)
            if write == "rule":
                c = b.state("c", f * b.prev("c") + (1 - f) * g)
            elif write == "gate":
                i = b.gate("i", 1 - f, "identity")
                c = b.state("c", f * b.prev("c") + i * g)
            elif write == "intermediate":
                i = b.intermediate("i", 1 - f, "identity")
                c = b.state("c", f * b.prev("c") + i * g)
            else:  # σ(-b_f)
                i = b.gate("i", -1 * b.param(f"b_{f_name}"), "sigmoid")
                c = b.state("c", f * b.prev("c") + i * g)
            if read:
                o = b.gate(o_name, b.affine(o_name), "sigmoid")
                b.state("h", o * c.apply("tanh"))
            else:
                b.state("h", 1 * c)

    return Variant()


@pytest.mark.parametrize("variant", [
    {}, {"write": "gate"}, {"write": "intermediate"}, {"write": "sigma"}, {"names": ("u", "a", "r")},
])
def test_the_same_model_written_another_way_is_accepted(variant):
    result = compare_step_maps(coupled(**variant), Intended())
    assert result.same and not result.differing and result.reason == ""


def test_other_names_are_matched_to_the_intended_ones():
    result = compare_step_maps(coupled(names=("u", "a", "r")), Intended())
    assert result.parameters["b_a"] == "b_f" and result.parameters["W_u"] == "W_g"


def test_a_different_rule_for_the_decay_is_refused_and_the_state_named():
    result = compare_step_maps(coupled(f_act="identity"), Intended())       # f = b_f, no sigmoid
    assert not result.same and result.reason == "" and result.differing == ("c", "h")


@pytest.mark.parametrize("variant, missing", [
    ({"f_input": True}, "(n, n)"),   # an input-driven keep gate: W_f, U_f too many
    ({"read": False}, "(n, n)"),     # no read gate: W_o, U_o, b_o missing
    ({"w_g": False}, "(n, n)"),      # a candidate that does not read h_{t-1}
])
def test_a_different_model_is_refused_with_what_differs(variant, missing):
    result = compare_step_maps(coupled(**variant), Intended())
    assert not result.same and result.reason.startswith("its parameters differ in shape")
    assert missing in result.reason


def test_check_cell_reads_the_registry_and_explains():
    register_cell("test_check_cell_coupled")(type(coupled(write="gate")))
    try:
        assert check_cell("test_check_cell_coupled", Intended()).correct
        wrong = check_cell("lstm", Intended(), hint="drop i")
        assert not wrong.correct and "drop i" in wrong.message and "parameters differ" in wrong.message
    finally:
        unregister_cell("test_check_cell_coupled")
    assert check_cell(None, Intended()) is NOT_ANSWERED
    assert "no cell is registered" in check_cell("test_check_cell_coupled", Intended()).message
    assert "a string" in check_cell(3, Intended()).message
