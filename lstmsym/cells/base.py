r"""What every cell is made of: rules, one step of the update map, and the cell that declares them.

A cell's update map is a short list of :class:`Rule` objects in the order they are computed
(for the LSTM: i, f, g, c, o, h). Each rule names its output, says whether it is a *gate*
(held fixed on the direct path), an intermediate, or a new *state* value, and keeps its local
derivative beside its forward rule::

    value       = activation(inner)                  # forward rule
    d value / u = activation'(value) * d inner / u   # local derivative, written with the output

so a derivative in gate notation comes out as ``f_t (1 - f_t) W_f`` rather than as a nest of
exponentials. The same declaration also builds each equation in vector form (σ, ⊙) for display.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from .. import notation
from ..activations import ACTIVATIONS, Activation
from ..checks import whole_number
from ..errors import DeclarationError, ExpansionTooLargeError, LstmsymError
from ..symbols import TimeLabel, parameter, previous, vector


def _shown(q: Quantity) -> str:
    return notation.latex(q.display)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | sp.Rational | sp.Float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Quantity:
    """A vector quantity in two forms: explicit elements (to compute) and vector notation (to show).

    Quantities combine as the equations are written: ``W @ h`` (a matrix times a vector), ``a + b``,
    ``a - b``, ``a * b`` (elementwise, ⊙), ``a / b`` (elementwise), ``2 * a``, ``1 - a``, ``-a`` and
    ``a.apply("tanh")``. Shapes must agree; a mismatch raises :class:`~lstmsym.errors.DeclarationError`
    naming both operands.
    """

    elements: sp.Matrix  # (rows, cols) of SymPy expressions
    display: sp.Expr  # non-commutative vector-notation expression

    def _same_shape(self, other: object, op: str) -> Quantity:
        if _is_number(other):
            return Quantity(sp.ones(*self.elements.shape) * sp.sympify(other), sp.sympify(other))
        if not isinstance(other, Quantity):
            raise DeclarationError(
                f"{_shown(self)} {op} {other!r}: expected a quantity from the builder (b.param, b.prev, "
                "b.x, an earlier rule) or a number"
            )
        if self.elements.shape != other.elements.shape:
            raise DeclarationError(
                f"{_shown(self)} {op} {_shown(other)}: shapes {self.elements.shape} and "
                f"{other.elements.shape} differ; an elementwise operation needs equal shapes (a weight is "
                "(n, n) or (n, m), a bias, a decay or a state is (n,)); check the parameters' declared shapes"
            )
        return other

    def __matmul__(self, other: Quantity) -> Quantity:  # matrix times vector
        if not isinstance(other, Quantity):
            raise DeclarationError(f"{_shown(self)} @ {other!r}: expected a quantity on the right")
        rows, cols = self.elements.shape
        if cols != other.elements.shape[0]:
            raise DeclarationError(
                f"{_shown(self)} {_shown(other)}: {_shown(self)} has shape {(rows, cols)} but "
                f"{_shown(other)} has {other.elements.shape[0]} rows; a matrix times a vector needs "
                f"{other.elements.shape[0]} columns (a weight on a state is (n, n), on x_t (n, m))"
            )
        return Quantity(self.elements * other.elements, notation.matvec(self.display, other.display))

    def __add__(self, other: Quantity) -> Quantity:
        other = self._same_shape(other, "+")
        return Quantity(self.elements + other.elements, notation.plus(self.display, other.display))

    def __radd__(self, other: object) -> Quantity:
        other = self._same_shape(other, "+")
        return Quantity(other.elements + self.elements, notation.plus(other.display, self.display))

    def __sub__(self, other: Quantity) -> Quantity:
        other = self._same_shape(other, "-")
        shown = notation.plus(self.display, sp.Mul(sp.S.NegativeOne, other.display, evaluate=False))
        return Quantity(self.elements - other.elements, shown)

    def __neg__(self) -> Quantity:
        return Quantity(-self.elements, sp.Mul(sp.S.NegativeOne, self.display, evaluate=False))

    def __mul__(self, other: Quantity) -> Quantity:  # elementwise product ⊙, or a number times v
        if _is_number(other):
            return Quantity(self.elements * sp.sympify(other), sp.Mul(sp.sympify(other), self.display,
                                                                        evaluate=False))
        other = self._same_shape(other, "⊙")
        return Quantity(
            self.elements.multiply_elementwise(other.elements), notation.odot(self.display, other.display)
        )

    def __rmul__(self, other: object) -> Quantity:  # a number times v
        if not _is_number(other):
            raise DeclarationError(f"{other!r} * {_shown(self)}: expected a number or a quantity")
        return self * other

    def __truediv__(self, other: Quantity) -> Quantity:  # elementwise quotient
        if _is_number(other):
            return self * (sp.S.One / sp.sympify(other))
        other = self._same_shape(other, "/")
        quotient = sp.Matrix(self.elements.shape[0], self.elements.shape[1],
                             lambda j, k: self.elements[j, k] / other.elements[j, k])
        return Quantity(quotient, sp.Mul(self.display, sp.Pow(other.display, -1, evaluate=False),
                                         evaluate=False))

    def __rsub__(self, one: object) -> Quantity:  # 1 - v (or any number minus v)
        if not _is_number(one):
            raise DeclarationError(f"{one!r} - {_shown(self)}: expected a number or a quantity")
        if one == 1:
            ones = sp.ones(*self.elements.shape)
            return Quantity(ones - self.elements, notation.one_minus(self.display))
        return self._same_shape(one, "-") - self

    def apply(self, activation: Activation | str) -> Quantity:
        """The activation applied elementwise: ``c.apply("tanh")`` is tanh(c)."""
        act = _activation(activation, f"{_shown(self)}.apply")
        return Quantity(self.elements.applyfunc(act.forward), act.forward(self.display))


def _activation(activation: Activation | str, where: str) -> Activation:
    if isinstance(activation, Activation):
        return activation
    if activation not in ACTIVATIONS:
        listed = ", ".join(map(repr, ACTIVATIONS))
        raise DeclarationError(f"{where}: activation {activation!r} is not valid; expected one of: {listed}")
    return ACTIVATIONS[activation]


def display_name(name: str, t: TimeLabel | None) -> str:
    """The LaTeX name of a whole vector, e.g. ``display_name("c", "t-1") == "c_{t-1}"``."""
    return vector(name, t, 1)[0].name


@dataclass(frozen=True)
class Rule:
    """One line of a cell's update map: ``symbols = activation(inner)``."""

    name: str
    role: str  # "gate" (held fixed on the direct path), "intermediate" or "state"
    symbols: sp.Matrix  # (n, 1) symbols standing for this quantity at this step
    inner: sp.Matrix  # (n, 1) written in earlier rules' symbols, the previous state, x_t and parameters
    activation: Activation | None
    display: str  # LaTeX of the equation in vector form
    meaning: str  # what the quantity is, in words

    @cached_property
    def value(self) -> sp.Matrix:
        """The forward rule: the rule's value in terms of the symbols it reads."""
        return self.inner if self.activation is None else self.inner.applyfunc(self.activation.forward)

    def local_derivative(self, wrt: sp.Matrix) -> sp.Matrix:
        """∂(this rule's value)/∂wrt, with the activation's derivative written in the rule's own symbols."""
        inner = self.inner.jacobian(wrt)  # (n, len(wrt))
        if self.activation is None:
            return inner
        slope = self.symbols.applyfunc(self.activation.derivative_of_output)  # (n, 1)
        return sp.diag(*slope) * inner


@dataclass
class Step:
    """One application of a cell's update map at time label ``t``: from state at t-1 to state at t."""

    cell: Cell
    t: TimeLabel
    x: sp.Matrix  # (m, 1) input x_t
    prev: dict[str, sp.Matrix]  # state at t-1, each (n, 1)
    rules: list[Rule] = field(default_factory=list)

    @property
    def state(self) -> dict[str, sp.Matrix]:
        """The new state's symbols, in the cell's state order."""
        by_name = {r.name: r.symbols for r in self.rules if r.role == "state"}
        return {name: by_name[name] for name in self.cell.state_names}

    @property
    def gates(self) -> dict[str, sp.Matrix]:
        return {r.name: r.symbols for r in self.rules if r.role == "gate"}

    @property
    def prev_vector(self) -> sp.Matrix:
        """The stacked previous state s_{t-1} (N, 1)."""
        return sp.Matrix.vstack(*self.prev.values())

    @property
    def state_vector(self) -> sp.Matrix:
        """The stacked new state s_t (N, 1)."""
        return sp.Matrix.vstack(*self.state.values())

    def rule(self, name: str) -> Rule:
        for r in self.rules:
            if r.name == name:
                return r
        raise LstmsymError(f"this {self.cell.kind} step has no quantity {name!r}; it has {self.names}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rules)

    @cached_property
    def expansion(self) -> dict[sp.Symbol, sp.Expr]:
        """Every rule symbol of this step -> its value in the previous state, x_t and the parameters."""
        out: dict[sp.Symbol, sp.Expr] = {}
        for r in self.rules:
            value = r.value.xreplace(out)
            out.update(zip(r.symbols, value, strict=True))
        return out

    def latex(self) -> str:
        """The step's equations in vector notation, as a LaTeX ``aligned`` block."""
        rows = [r.display for r in self.rules]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


ROLES = ("gate", "intermediate", "state")
#: Names a rule or a parameter may not take: the input x_t.
RESERVED = ("x",)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*'*(_[A-Za-z0-9]+'*)?$")


def _check_name(name: object, what: str, where: str = "") -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise DeclarationError(
            f"{what} name {name!r} is not valid; expected a letter, then letters or digits, with at most "
            "one '_' before a subscript, primes allowed at the end (e.g. 'f', 'W_f', 'a2', \"f'\")"
        )
    if name in RESERVED:
        prefix = f"{where}: " if where else ""
        raise DeclarationError(
            f"{prefix}{what} {name!r} clashes with the built-in name 'x' (the input x_t, read with b.x()); "
            "choose another name"
        )
    return name


class Builder:
    """What :meth:`Cell.declare` writes a cell's rules with; each rule hands back its symbols as a Quantity.

    Read: ``b.param("W_f")``, ``b.prev("c")`` (c_{t-1}), ``b.x()`` (x_t), ``b.read("f")`` (an earlier rule by
    name), ``b.affine("f")`` (W_f h_{t-1} + U_f x_t + b_f). Write, in the order they are computed:
    ``b.gate(name, inner, activation)`` (held fixed on the direct path), ``b.intermediate(...)`` and
    ``b.state(...)`` (a new state value; every name of ``state_names`` exactly once).
    """

    def __init__(self, cell: Cell, t: TimeLabel) -> None:
        self.cell, self.t = cell, t
        self.step = Step(
            cell=cell,
            t=t,
            x=vector("x", t, cell.m),
            prev={name: vector(name, previous(t), cell.n) for name in cell.state_names},
        )
        self._pending: dict[str, sp.Matrix] = {}  # names read with b.read before their rule was declared

    @property
    def where(self) -> str:
        """Where the declaration is, for error messages: the rule after the last one declared."""
        names = self.step.names
        place = f"after rule {names[-1]!r}" if names else "before the first rule"
        return f"{type(self.cell).__name__}.declare, {place}"

    def param(self, name: str) -> Quantity:
        """A declared parameter: a weight (n, n) or (n, m), or a vector (n,)."""
        if name not in self.cell.param_shapes:
            listed = ", ".join(map(repr, self.cell.param_shapes)) or "none"
            raise DeclarationError(
                f"{self.where}: parameter {name!r} is not declared; declared parameters: {listed} "
                "(add it to the cell's `parameters` with its shape)"
            )
        return Quantity(self.cell.params[name], notation.vec(display_name(name, None)))

    def x(self) -> Quantity:
        """The input x_t, (m,)."""
        return Quantity(self.step.x, notation.vec(display_name("x", self.t)))

    def prev(self, name: str) -> Quantity:
        """The previous value of a state, e.g. ``b.prev("c")`` is c_{t-1}."""
        if name not in self.step.prev:
            raise DeclarationError(
                f"{self.where}: b.prev({name!r}) reads a state the cell does not have; state_names = "
                f"{self.cell.state_names}"
            )
        return Quantity(self.step.prev[name], notation.vec(display_name(name, previous(self.t))))

    def read(self, name: str) -> Quantity:
        """The value of rule ``name`` at this step. Reading a rule declared later is a cycle, refused after
        ``declare`` returns with the names of both rules."""
        for rule in self.step.rules:
            if rule.name == name:
                return Quantity(rule.symbols, notation.vec(display_name(name, self.t)))
        _check_name(name, "rule")
        symbols = vector(name, self.t, self.cell.n)
        self._pending.setdefault(name, symbols)
        return Quantity(symbols, notation.vec(display_name(name, self.t)))

    def affine(self, gate: str, extra: Quantity | None = None) -> Quantity:
        """The usual pre-activation ``W_gate h_{t-1} + U_gate x_t + b_gate`` (+ ``extra``)."""
        total = self.param(f"W_{gate}") @ self.prev("h") + self.param(f"U_{gate}") @ self.x()
        if extra is not None:
            total = total + extra
        return total + self.param(f"b_{gate}")

    def gate(self, name: str, inner: Quantity, activation: str | None = None, meaning: str = "") -> Quantity:
        """A gate or candidate: held fixed on the direct path. ``activation`` is a name of ACTIVATIONS."""
        return self.add(name, "gate", inner, activation, meaning)

    def intermediate(
        self, name: str, inner: Quantity, activation: str | None = None, meaning: str = ""
    ) -> Quantity:
        """A named quantity that is neither a gate nor a state (not held on the direct path)."""
        return self.add(name, "intermediate", inner, activation, meaning)

    def state(self, name: str, inner: Quantity, activation: str | None = None, meaning: str = "") -> Quantity:
        """The new value of state ``name`` (one of ``state_names``)."""
        return self.add(name, "state", inner, activation, meaning)

    def add(self, name: str, role: str, inner: Quantity, activation: str | None, meaning: str) -> Quantity:
        """Add a rule ``name = activation(inner)`` of ``role`` ("gate", "intermediate" or "state")."""
        self._check_rule(name, role, inner)
        act = _activation(activation, f"{self.where}: rule {name!r}") if activation else None
        shown = inner.display if act is None else act.forward(inner.display)
        lhs = display_name(name, self.t)
        rule = Rule(
            name=name,
            role=role,
            symbols=self._pending.get(name, vector(name, self.t, self.cell.n)),
            inner=inner.elements,
            activation=act,
            display=f"{lhs} &= {notation.latex(shown)}",
            meaning=meaning,
        )
        self.step.rules.append(rule)
        return Quantity(rule.symbols, notation.vec(lhs))

    def _check_rule(self, name: str, role: str, inner: Quantity) -> None:
        cell, where = self.cell, self.where
        _check_name(name, "rule", where)
        if role not in ROLES:
            raise DeclarationError(f"{where}: rule {name!r} has role {role!r}; expected one of: {ROLES}")
        if name in self.step.names:
            raise DeclarationError(f"{where}: rule {name!r} is declared twice; each rule needs its own name")
        if name in cell.param_shapes:
            raise DeclarationError(f"{where}: rule {name!r} has the name of a parameter; choose another name")
        if role == "state" and name not in cell.state_names:
            raise DeclarationError(
                f"{where}: rule {name!r} is declared as a state, but state_names = {cell.state_names}; "
                "add it there or declare it as a gate or intermediate"
            )
        if role != "state" and name in cell.state_names:
            raise DeclarationError(
                f"{where}: rule {name!r} is a {role} with the name of a state in state_names "
                f"{cell.state_names}; declare the new state with b.state({name!r}, ...) or rename the rule"
            )
        if not isinstance(inner, Quantity):
            raise DeclarationError(
                f"{where}: rule {name!r} got {type(inner).__name__}; expected a quantity built from b.param, "
                "b.prev, b.x and earlier rules"
            )
        if inner.elements.shape != (cell.n, 1):
            raise DeclarationError(
                f"{where}: rule {name!r} has shape {inner.elements.shape}; expected ({cell.n}, 1), a "
                f"vector of the hidden size n = {cell.n} (a weight of shape (n, m) on a state, or one "
                "parameter of the wrong declared shape, gives another)"
            )

    def finish(self) -> Step:
        """Check the declaration as a whole and return its step (see :meth:`Cell.step`)."""
        step, cell = self.step, self.cell
        where = f"{type(cell).__name__}.declare"
        updated = [r.name for r in step.rules if r.role == "state"]
        for name in cell.state_names:
            if name not in updated:
                raise DeclarationError(
                    f"{where}: state {name!r} is never updated; add a rule b.state({name!r}, ...) "
                    f"(states updated: {', '.join(updated) or 'none'})"
                )
        owner = {s: r.name for r in step.rules for s in r.symbols}
        order = {r.name: j for j, r in enumerate(step.rules)}
        allowed = set(step.prev_vector) | set(step.x) | set(cell.param_symbols)
        used: set[sp.Symbol] = set()
        for j, rule in enumerate(step.rules):
            free = rule.inner.free_symbols
            used |= free
            for symbol in sorted(free - allowed, key=str):
                source = owner.get(symbol)
                if source is None:
                    pending = [k for k, v in self._pending.items() if symbol in set(v)]
                    what = repr(pending[0]) if pending else f"the symbol {symbol}"
                    raise DeclarationError(
                        f"{where}: rule {rule.name!r} reads {what}, which no rule defines; a rule reads the "
                        "previous state (b.prev), x_t (b.x), the parameters (b.param) and earlier rules "
                        f"(declared: {', '.join(step.names)})"
                    )
                if order[source] >= j:
                    raise DeclarationError(
                        f"{where}: rule {rule.name!r} reads {source!r}, which is declared "
                        f"{'later' if order[source] > j else 'by itself'} (a cycle); expected only earlier "
                        f"rules ({', '.join(step.names[:j]) or 'none'}), the previous state, x_t and the "
                        f"parameters; move {source!r} first, or read its previous value with b.prev"
                    )
        params = cell.params
        unused = [name for name, symbols in params.items() if used.isdisjoint(symbols)]
        if unused:
            raise DeclarationError(
                f"{where}: parameter {unused[0]!r} is declared but no rule reads it; remove it from "
                "`parameters` or use it"
            )
        return step


#: Most parameter symbols a cell builds (its equations and Jacobians); numerics need no symbols.
MAX_PARAMETER_SYMBOLS = 20_000


def affine_parameters(*gates: str) -> dict[str, tuple[str, ...]]:
    """The parameters :meth:`Builder.affine` reads for a gate g: ``W_g`` (n, n), ``U_g`` (n, m), ``b_g`` (n,).

    >>> affine_parameters("f")
    {'W_f': ('n', 'n'), 'U_f': ('n', 'm'), 'b_f': ('n',)}
    """
    out: dict[str, tuple[str, ...]] = {}
    for gate in gates:
        out.update({f"W_{gate}": ("n", "n"), f"U_{gate}": ("n", "m"), f"b_{gate}": ("n",)})
    return out


class Cell:
    """A recurrent cell declared symbolically: subclass it, set the class attributes, write ``declare``.

    - ``state_names``: the state variables, e.g. ``("c", "h")``; a readout reads ``h``.
    - ``parameters``: name -> shape, each dimension ``"n"`` (hidden size), ``"m"`` (input size) or a whole
      number, e.g. ``{"W": ("n", "n"), "U": ("n", "m"), "b": ("n",)}`` (a property if it depends on
      switches).
    - ``declare(self, b)``: the rules, in the order they are computed, written with the :class:`Builder`.
    - ``title``: a short description (default: the first line of the docstring).

    Register it by name with :func:`lstmsym.cells.register_cell` to reach ``make_cell``, the command line,
    the checks, the sweeps and the trainer.
    """

    kind: str = ""
    title: str = ""
    state_names: tuple[str, ...] = ()
    parameters: dict[str, tuple[int | str, ...]] = {}

    def __init__(self, n: int = 1, m: int = 1) -> None:
        self.n = whole_number("n", n)
        self.m = whole_number("m", m)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "title", "") == "" and cls.__doc__:  # default: the docstring's first line
            cls.title = cls.__doc__.strip().splitlines()[0].rstrip(".")

    # -- what the cell declares -------------------------------------------------------------
    @property
    def options(self) -> dict[str, object]:
        """The switches this cell was made with (empty for cells without switches)."""
        return {}

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Parameter name -> shape in whole numbers (``parameters`` with n and m filled in)."""
        cache = self.__dict__.get("_param_shapes")
        if cache is None:
            cache = self.__dict__["_param_shapes"] = self._resolve_shapes()
        return dict(cache)

    def _resolve_shapes(self) -> dict[str, tuple[int, ...]]:
        where = f"{type(self).__name__}.parameters"
        declared = self.parameters
        if not isinstance(declared, dict):
            raise DeclarationError(f"{where} must be a dict name -> shape, got {type(declared).__name__}")
        sizes = {"n": self.n, "m": self.m}
        out: dict[str, tuple[int, ...]] = {}
        for name, shape in declared.items():
            _check_name(name, "parameter", where)
            if name in self.state_names:
                raise DeclarationError(f"{where}: parameter {name!r} has the name of a state; choose another")
            if isinstance(shape, str | int):
                shape = (shape,)
            dims = []
            for d in tuple(shape):
                if d in sizes:
                    dims.append(sizes[d])
                elif isinstance(d, int) and not isinstance(d, bool) and d >= 1:
                    dims.append(d)
                else:
                    raise DeclarationError(
                        f"{where}: parameter {name!r} has shape {shape!r}; expected 1 or 2 dimensions, each "
                        "'n', 'm' or a whole number >= 1, e.g. ('n', 'n'), ('n', 'm') or ('n',)"
                    )
            if len(dims) not in (1, 2):
                raise DeclarationError(
                    f"{where}: parameter {name!r} has shape {shape!r}; expected 1 or 2 dimensions "
                    "(a vector ('n',) or a matrix ('n', 'n'), ('n', 'm'))"
                )
            out[name] = tuple(dims)
        return out

    @property
    def gate_names(self) -> tuple[str, ...]:
        return tuple(self.step("t").gates)

    @cached_property
    def params(self) -> dict[str, sp.Matrix]:
        """Parameter name -> Matrix of its element symbols (biases are (n, 1))."""
        shapes = self.param_shapes
        count = sum(math.prod(shape) for shape in shapes.values())
        if count > MAX_PARAMETER_SYMBOLS:  # refuse at once instead of filling memory with symbols
            raise ExpansionTooLargeError(
                f"{self!r} has {count:,} parameters, more than the {MAX_PARAMETER_SYMBOLS:,} a symbolic "
                "cell is built for; the NumPy reference (lstmsym.numerics.reference) takes this cell as it is"
            )
        return {name: parameter(name, shape) for name, shape in shapes.items()}

    @property
    def param_symbols(self) -> list[sp.Symbol]:
        return [s for p in self.params.values() for s in p]

    def step(self, t: TimeLabel = "t") -> Step:
        """The update map at time label ``t`` (``"t"`` for the generic step, or an integer)."""
        cache = self.__dict__.setdefault("_steps", {})
        if t not in cache:
            previous(t)  # validates the label
            if not self.state_names:
                raise DeclarationError(
                    f"{type(self).__name__}.state_names is empty; name the states, e.g. ('h',)"
                )
            _ = self.params  # builds the parameter symbols, or refuses a cell too large for symbols
            builder = Builder(self, t)
            try:
                self.declare(builder)
            except DeclarationError as error:  # an operation on quantities: say where in declare it was
                if str(error).startswith(f"{type(self).__name__}."):
                    raise
                raise DeclarationError(f"{builder.where}: {error}") from error
            cache[t] = builder.finish()
        return cache[t]

    def declare(self, b: Builder) -> None:
        """Write the cell's rules with ``b`` (see :class:`Builder`), in the order they are computed."""
        legacy = getattr(self, "_declare", None)  # the earlier private name, still accepted
        if legacy is not None:
            return legacy(b)
        raise DeclarationError(
            f"{type(self).__name__} declares no rules; define declare(self, b) (see lstmsym.cells.Cell)"
        )

    # -- how it shows itself ------------------------------------------------------------------
    def latex(self) -> str:
        """The update map in vector notation (LaTeX ``aligned`` block)."""
        return self.step("t").latex()

    def _repr_latex_(self) -> str:
        return "$$" + self.latex() + "$$"

    def __repr__(self) -> str:
        opts = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"make_cell({self.registry_name!r}, n={self.n}, m={self.m}{opts})"

    @property
    def registry_name(self) -> str:
        """The name ``make_cell`` knows this cell by (set by :func:`~lstmsym.cells.register_cell`)."""
        return getattr(type(self), "_registered_as", None) or self.kind or type(self).__name__

    @property
    def state_size(self) -> int:
        """N, the length of the stacked state vector."""
        return self.n * len(self.state_names)
