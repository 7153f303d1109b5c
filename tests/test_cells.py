"""The cells: what they declare, how they print, and the errors for bad requests."""

import pytest
import sympy as sp
from variants import VARIANTS, variant_id

from lstmsym.activations import sigmoid
from lstmsym.cells import CELL_NAMES, make_cell
from lstmsym.errors import LstmsymError, UnknownChoiceError


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_declared_parts_are_consistent(variant, n):
    name, switches = variant
    cell = make_cell(name, n=n, m=2, **switches)
    step = cell.step("t")
    assert tuple(step.state) == cell.state_names
    assert cell.state_size == n * len(cell.state_names)
    for pname, shape in cell.param_shapes.items():
        assert cell.params[pname].shape == (shape if len(shape) == 2 else (shape[0], 1))
    # every rule reads only earlier rules, the previous state, the input and the parameters
    allowed = set(step.prev_vector) | set(step.x) | set(cell.param_symbols)
    for rule in step.rules:
        assert rule.value.free_symbols <= allowed, rule.name
        allowed |= set(rule.symbols)
    # the expansion is in the previous state, input and parameters only
    base = set(step.prev_vector) | set(step.x) | set(cell.param_symbols)
    for value in step.expansion.values():
        assert value.free_symbols <= base


def test_lstm_equations_print_as_a_lecture_writes_them():
    tex = make_cell("lstm").latex()
    assert r"f_{t} &= \sigma\left(W_{f} h_{t-1} + U_{f} x_{t} + b_{f}\right)" in tex
    assert r"c_{t} &= f_{t} \odot c_{t-1} + i_{t} \odot g_{t}" in tex
    assert r"h_{t} &= o_{t} \odot \tanh{\left(c_{t} \right)}" in tex
    assert make_cell("lstm")._repr_latex_().startswith("$$")


def test_variant_equations():
    assert r"c_{t} &= \left(1 - i_{t}\right) \odot c_{t-1}" not in make_cell("lstm", coupled=True).latex()
    assert "f_{t} &= 1 - i_{t}" in make_cell("lstm", coupled=True).latex()
    assert r"h_{t} &= o_{t} \odot c_{t}" in make_cell("lstm", readout="identity").latex()
    assert r"h_{t} &= \tanh{\left(c_{t} \right)}" in make_cell("lstm", output_gate=False).latex()
    assert r"p_{f} \odot c_{t-1}" in make_cell("lstm", peephole=True).latex()
    assert r"c_{t} &= f_{t} \odot c_{t-1} + g_{t}" in make_cell("lstm", input_gate=False).latex()
    assert "V_{y} c_{t}" in make_cell("lstm", readout="dense").latex()


def test_sigmoid_function():
    a = sp.Symbol("a")
    assert sp.diff(sigmoid(a), a) == sigmoid(a) * (1 - sigmoid(a))
    assert sigmoid(0) == sp.Rational(1, 2)
    assert sp.latex(sigmoid(a) ** 2) == r"\sigma\left(a\right)^{2}"
    assert abs(float(sigmoid(sp.Float(2.0)).evalf()) - 1 / (1 + float(sp.exp(-2)))) < 1e-15
    f = sp.lambdify([a], sigmoid(a), "numpy")
    assert f(-1000.0) == 0.0 and f(1000.0) == 1.0  # stable form: no overflow


def test_element_symbols():
    cell = make_cell("lstm", n=2, m=1)
    assert [str(s) for s in cell.step("t").prev["c"]] == ["c_{t-1,1}", "c_{t-1,2}"]
    assert str(cell.params["W_f"][0, 1]) == "W_{f,12}"
    assert str(cell.step(3).rule("f").symbols[1]) == "f_{3,2}"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_cell("lstmm"), "cell='lstmm' is not valid; expected one of"),
        (lambda: make_cell("lstm", n=0), "n must be a whole number >= 1, got 0"),
        (lambda: make_cell("gru", m=-1), "m must be a whole number >= 1, got -1"),
        (lambda: make_cell("rnn", n=1.5), "n must be a whole number >= 1, got 1.5"),
        (lambda: make_cell("lstm", n=True), "n must be a whole number >= 1, got True"),
        (lambda: make_cell("lstm", readout="relu"), "readout='relu' is not valid"),
        (lambda: make_cell("lstm", peepholes=True), "switch='peepholes' is not valid"),
        (lambda: make_cell("lstm", coupled=True, input_gate=False), "needs input_gate=True"),
        (lambda: make_cell("lstm", peephole="yes"), "peephole must be True or False"),
        (lambda: make_cell("gru", peephole=True), "apply to the LSTM only"),
        (lambda: make_cell("lstm1997", forget_gate=True), "without a forget gate"),
        (lambda: make_cell("__import__('os')"), "is not valid; expected one of"),
        (lambda: make_cell("lstm").step("s"), "time label 's' is not valid"),
    ],
)
def test_bad_requests_get_clear_errors(call, message):
    with pytest.raises(LstmsymError, match=None) as info:
        call()
    assert message in str(info.value)


def test_unknown_choice_lists_choices():
    with pytest.raises(UnknownChoiceError) as info:
        make_cell("LSTM")
    assert info.value.choices == CELL_NAMES


def test_repr_reads_like_the_call():
    assert repr(make_cell("lstm1997", n=2)) == "make_cell('lstm1997', n=2, m=1)"
    assert repr(make_cell("lstm", readout="dense")) == "make_cell('lstm', n=1, m=1, readout='dense')"
    assert repr(make_cell("gru", n=3, m=2)) == "make_cell('gru', n=3, m=2)"
