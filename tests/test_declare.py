"""Declaring and registering a cell: the public entry point, the registry, the errors of a bad declaration."""

import pytest
import sympy as sp

from lstmsym.cells import (
    CELL_NAMES,
    Cell,
    affine_parameters,
    cell_names,
    lookup,
    make_cell,
    register_cell,
    unregister_cell,
)
from lstmsym.cells.variants import VARIANTS
from lstmsym.derivatives.step import jacobian_block
from lstmsym.errors import DeclarationError, LstmsymError, UnknownChoiceError


@pytest.fixture
def registered():
    """Names registered by a test, removed afterwards so that the registry stays the package's."""
    names = []
    yield names
    for name in names:
        if name in cell_names():
            unregister_cell(name)


class Leaky(Cell):
    """Carousel with a learned decay: c_t = σ(d) ⊙ c_{t-1} + i_t ⊙ g_t."""

    state_names = ("c", "h")
    parameters = {**affine_parameters("i", "g", "o"), "d": ("n",)}

    def declare(self, b):
        i = b.gate("i", b.affine("i"), "sigmoid", "write gate")
        g = b.gate("g", b.affine("g"), "tanh", "candidate")
        a = b.gate("a", b.param("d"), "sigmoid", "learned decay")
        c = b.state("c", a * b.prev("c") + i * g, meaning="memory")
        o = b.gate("o", b.affine("o"), "sigmoid", "read gate")
        b.state("h", o * c.apply("tanh"), meaning="hidden state")


def test_a_declared_cell_registers_and_derives(registered):
    register_cell("test_leaky")(Leaky)
    registered.append("test_leaky")
    assert "test_leaky" in cell_names() and "test_leaky" in VARIANTS
    assert "test_leaky" not in CELL_NAMES  # the name imported above was read before the registration
    import lstmsym.cells as cells

    assert "test_leaky" in cells.CELL_NAMES  # read again: the registry as it is now
    cell = make_cell("test_leaky", n=1)
    assert repr(cell) == "make_cell('test_leaky', n=1, m=1)"
    assert cell.title == "Carousel with a learned decay: c_t = σ(d) ⊙ c_{t-1} + i_t ⊙ g_t"
    assert jacobian_block(cell, "c", "c", path="direct") == sp.Matrix([[sp.Symbol("a_{t}", real=True)]])
    assert lookup("test_leaky").builtin is False
    unregister_cell("test_leaky")
    with pytest.raises(UnknownChoiceError):
        make_cell("test_leaky")


def test_the_builtin_cells_use_the_same_entry_point():
    for name in ("rnn", "lstm", "lstm1997", "gru", "dense_memory"):
        entry = lookup(name)
        assert entry.builtin
        declared_in = next(k for k in entry.cls.__mro__ if "declare" in k.__dict__)
        assert declared_in is not Cell and "_declare" not in declared_in.__dict__
        assert "param_shapes" not in vars(entry.cls)  # shapes come from `parameters`, in n and m
    with pytest.raises(LstmsymError, match="built-in cell"):
        unregister_cell("lstm")


def _cell(declare, state_names=("h",), parameters=None):
    """A Cell subclass with the given declare function (not registered)."""
    return type(
        "Bad",
        (Cell,),
        {
            "state_names": state_names,
            "parameters": parameters if parameters is not None else {"W": ("n", "n"), "b": ("n",)},
            "declare": declare,
        },
    )


def test_reading_a_quantity_no_rule_defines():
    def declare(self, b):
        b.state("h", (b.param("W") @ b.prev("h") + b.param("b") + b.read("q")).apply("tanh"))

    with pytest.raises(DeclarationError, match=r"rule 'h' reads 'q', which no rule defines"):
        _cell(declare)(n=2).step()


def test_a_cycle_reading_a_later_rule():
    def declare(self, b):
        g = b.gate("g", b.param("W") @ b.prev("h") + b.read("o"), "tanh")
        b.gate("o", b.param("b") + g, "sigmoid")
        b.state("h", g)

    with pytest.raises(DeclarationError) as info:
        _cell(declare)(n=2).step()
    message = str(info.value)
    assert "rule 'g' reads 'o', which is declared later (a cycle)" in message
    assert "expected only earlier rules (none)" in message


def test_a_rule_reading_itself_is_a_cycle():
    def declare(self, b):
        b.state("h", b.param("W") @ b.prev("h") + b.param("b") * b.read("h"))

    with pytest.raises(DeclarationError, match=r"rule 'h' reads 'h', which is declared by itself"):
        _cell(declare)(n=2).step()


def test_a_state_never_updated():
    def declare(self, b):
        b.state("h", (b.param("W") @ b.prev("h") + b.param("b")).apply("tanh"))

    with pytest.raises(DeclarationError, match=r"state 'c' is never updated; add a rule b.state\('c'"):
        _cell(declare, state_names=("c", "h"))(n=2).step()


def test_a_parameter_of_the_wrong_shape_is_caught_at_registration(registered):
    class WrongShape(Cell):
        state_names = ("h",)
        parameters = {"W": ("n", "n"), "U": ("n", "n"), "b": ("n",)}  # U should be (n, m)

        def declare(self, b):
            b.state("h", (b.param("W") @ b.prev("h") + b.param("U") @ b.x() + b.param("b")).apply("tanh"))

    WrongShape(n=1, m=1).step()  # at n = m = 1 the shapes cannot tell
    with pytest.raises(DeclarationError) as info:
        register_cell("test_wrong_shape")(WrongShape)
    message = str(info.value)
    assert "WrongShape.declare, before the first rule" in message
    assert "U has shape (2, 2) but x_{t} has 3 rows; a matrix times a vector needs 3 columns" in message
    assert "test_wrong_shape" not in cell_names()


def test_a_vector_where_a_matrix_belongs():
    def declare(self, b):
        b.state("h", b.param("b") * b.prev("h") + b.param("W"))

    with pytest.raises(DeclarationError, match=r"shapes \(2, 1\) and \(2, 2\) differ"):
        _cell(declare)(n=2).step()


@pytest.mark.parametrize(
    ("declare", "state_names", "parameters", "message"),
    [
        (lambda self, b: [b.gate("a", b.param("b")), b.gate("a", b.param("b")), b.state("h", b.prev("h"))],
         ("h",), {"b": ("n",)}, "rule 'a' is declared twice"),
        (lambda self, b: [b.gate("b", b.param("b")), b.state("h", b.prev("h"))],
         ("h",), {"b": ("n",)}, "rule 'b' has the name of a parameter"),
        (lambda self, b: b.state("x", b.prev("h")), ("h",), {}, "clashes with the built-in name 'x'"),
        (lambda self, b: b.state("h", b.prev("h")), ("h",), {"x": ("n",)}, "parameter 'x' clashes"),
        (lambda self, b: b.state("h", b.prev("h")), ("h",), {"h": ("n",)},
         "parameter 'h' has the name of a state"),
        (lambda self, b: [b.gate("h", b.prev("h")), b.state("h", b.prev("h"))], ("h",), {},
         "rule 'h' is a gate with the name of a state"),
        (lambda self, b: [b.state("q", b.prev("h")), b.state("h", b.prev("h"))], ("h",), {},
         "rule 'q' is declared as a state, but state_names = ('h',)"),
        (lambda self, b: b.state("h", b.prev("h") + b.param("V")), ("h",), {},
         "parameter 'V' is not declared"),
        (lambda self, b: b.state("h", b.prev("c")), ("h",), {},
         "b.prev('c') reads a state the cell does not have"),
        (lambda self, b: b.state("h", b.prev("h")), ("h",), {"b": ("n",)},
         "parameter 'b' is declared but no rule"),
        (lambda self, b: b.state("h", b.prev("h")), ("h",), {"W": ("n", "k")},
         "parameter 'W' has shape ('n', 'k')"),
        (lambda self, b: b.state("h", b.prev("h"), "relux"), ("h",), {}, "activation 'relux' is not valid"),
        (lambda self, b: b.state("h", b.prev("h") + b.x()), ("h",), {}, "shapes (2, 1) and (3, 1) differ"),
        (lambda self, b: b.state("h", b.prev("h").apply("tanh") * 2.0 + sp.Symbol("q")), ("h",), {},
         "expected a quantity from the builder"),
        (lambda self, b: b.state("h a", b.prev("h")), ("h",), {}, "rule name 'h a' is not valid"),
        (lambda self, b: None, (), {}, "state_names is empty"),
    ],
)
def test_malformed_declarations_name_the_rule(declare, state_names, parameters, message):
    with pytest.raises(DeclarationError) as info:
        _cell(declare, state_names, parameters)(n=2, m=3).step()
    assert message in str(info.value)


def test_names_that_clash_in_the_registry(registered):
    with pytest.raises(DeclarationError, match="the name clashes with a built-in cell"):
        register_cell("lstm")(Leaky)
    register_cell("test_leaky_twice")(Leaky)
    registered.append("test_leaky_twice")
    register_cell("test_leaky_twice")(Leaky)  # the same class again (a module imported twice): replaced
    other = type("Leaky2", (Leaky,), {})
    with pytest.raises(DeclarationError, match="clashes with the cell Leaky of test_declare"):
        register_cell("test_leaky_twice")(other)
    with pytest.raises(DeclarationError, match="name 'Leaky' is not valid"):
        register_cell("Leaky")
    with pytest.raises(DeclarationError, match=r"expected a subclass of lstmsym\.cells\.Cell"):
        register_cell("test_not_a_cell")(dict)
    with pytest.raises(LstmsymError, match="apply to the LSTM only"):
        make_cell("test_leaky_twice", peephole=True)


def test_a_cell_without_declare():
    with pytest.raises(DeclarationError, match="Empty declares no rules; define declare"):
        type("Empty", (Cell,), {"state_names": ("h",)})().step()


def test_quantity_operations_build_the_equation():
    class Ops(Cell):
        state_names = ("h",)
        parameters = {"a": ("n",), "W": ("n", "n")}

        def declare(self, b):
            u = b.intermediate("u", 2 * b.param("a") - b.prev("h") / (1 + b.param("a").apply("sigmoid")))
            b.state("h", -(b.param("W") @ u) + 0.5, "tanh")

    cell = Ops(n=1)
    a, h, W = (sp.Symbol(s, real=True) for s in ("a", "h_{t-1}", "W"))
    u = cell.step().rule("u").value[0]
    assert sp.simplify(u - (2 * a - h / (1 + _sigmoid(a)))) == 0
    assert cell.step().rule("h").value[0] == sp.tanh(-W * sp.Symbol("u_{t}", real=True) + sp.Float(0.5))
    assert cell.latex().splitlines()[2] == r"h_{t} &= \tanh{\left(- W u_{t} + 0.5 \right)}"


def _sigmoid(a):
    from lstmsym.activations import sigmoid

    return sigmoid(a)


@pytest.mark.parametrize("name", cell_names(builtin=True))
def test_every_builtin_declaration_passes_the_registration_checks(name):
    """The checks a user's cell meets at registration (a probe at n = 2, m = 3), met by every built-in."""
    from lstmsym.cells.registry import probe

    probe(lookup(name).cls)
