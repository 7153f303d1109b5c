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
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from .. import notation
from ..activations import ACTIVATIONS, Activation
from ..checks import whole_number
from ..errors import ExpansionTooLargeError, LstmsymError
from ..symbols import TimeLabel, parameter, previous, vector


@dataclass(frozen=True)
class Quantity:
    """A vector quantity in two forms: explicit elements (to compute) and vector notation (to show)."""

    elements: sp.Matrix  # (rows, cols) of SymPy expressions
    display: sp.Expr  # non-commutative vector-notation expression

    def __matmul__(self, other: Quantity) -> Quantity:  # matrix times vector
        return Quantity(self.elements * other.elements, notation.matvec(self.display, other.display))

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.elements + other.elements, notation.plus(self.display, other.display))

    def __mul__(self, other: Quantity) -> Quantity:  # elementwise product ⊙
        return Quantity(
            self.elements.multiply_elementwise(other.elements), notation.odot(self.display, other.display)
        )

    def __rsub__(self, one: int) -> Quantity:  # 1 - v
        if one != 1:
            raise TypeError("only 1 - v is supported")
        ones = sp.ones(*self.elements.shape)
        return Quantity(ones - self.elements, notation.one_minus(self.display))

    def apply(self, activation: Activation) -> Quantity:
        return Quantity(self.elements.applyfunc(activation.forward), activation.forward(self.display))


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


class Builder:
    """Helps a cell declare its rules: each call adds a rule and hands back its symbols as a Quantity."""

    def __init__(self, cell: Cell, t: TimeLabel) -> None:
        self.cell, self.t = cell, t
        self.step = Step(
            cell=cell,
            t=t,
            x=vector("x", t, cell.m),
            prev={name: vector(name, previous(t), cell.n) for name in cell.state_names},
        )

    def param(self, name: str) -> Quantity:
        return Quantity(self.cell.params[name], notation.vec(display_name(name, None)))

    def x(self) -> Quantity:
        return Quantity(self.step.x, notation.vec(display_name("x", self.t)))

    def prev(self, name: str) -> Quantity:
        return Quantity(self.step.prev[name], notation.vec(display_name(name, previous(self.t))))

    def affine(self, gate: str, extra: Quantity | None = None) -> Quantity:
        """The usual pre-activation ``W_gate h_{t-1} + U_gate x_t + b_gate`` (+ ``extra``)."""
        total = self.param(f"W_{gate}") @ self.prev("h") + self.param(f"U_{gate}") @ self.x()
        if extra is not None:
            total = total + extra
        return total + self.param(f"b_{gate}")

    def add(self, name: str, role: str, inner: Quantity, activation: str | None, meaning: str) -> Quantity:
        act = ACTIVATIONS[activation] if activation else None
        shown = inner.display if act is None else act.forward(inner.display)
        lhs = display_name(name, self.t)
        rule = Rule(
            name=name,
            role=role,
            symbols=vector(name, self.t, self.cell.n),
            inner=inner.elements,
            activation=act,
            display=f"{lhs} &= {notation.latex(shown)}",
            meaning=meaning,
        )
        self.step.rules.append(rule)
        return Quantity(rule.symbols, notation.vec(lhs))


#: Most parameter symbols a cell builds (its equations and Jacobians); numerics need no symbols.
MAX_PARAMETER_SYMBOLS = 20_000


class Cell:
    """A recurrent cell declared symbolically. Subclasses set the class attributes and ``_declare``."""

    kind: str = ""
    title: str = ""
    state_names: tuple[str, ...] = ()

    def __init__(self, n: int = 1, m: int = 1) -> None:
        self.n = whole_number("n", n)
        self.m = whole_number("m", m)

    # -- what the cell declares -------------------------------------------------------------
    @property
    def options(self) -> dict[str, object]:
        """The switches this cell was made with (empty for cells without switches)."""
        return {}

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        raise NotImplementedError

    @property
    def gate_names(self) -> tuple[str, ...]:
        return tuple(self.step("t").gates)

    @cached_property
    def params(self) -> dict[str, sp.Matrix]:
        """Parameter name -> Matrix of its element symbols (biases are (n, 1))."""
        count = sum(math.prod(shape) for shape in self.param_shapes.values())
        if count > MAX_PARAMETER_SYMBOLS:  # refuse at once instead of filling memory with symbols
            raise ExpansionTooLargeError(
                f"{self!r} has {count:,} parameters, more than the {MAX_PARAMETER_SYMBOLS:,} a symbolic "
                "cell is built for; the NumPy reference (lstmsym.numerics.reference) takes this cell as it is"
            )
        return {name: parameter(name, shape) for name, shape in self.param_shapes.items()}

    @property
    def param_symbols(self) -> list[sp.Symbol]:
        return [s for p in self.params.values() for s in p]

    def step(self, t: TimeLabel = "t") -> Step:
        """The update map at time label ``t`` (``"t"`` for the generic step, or an integer)."""
        cache = self.__dict__.setdefault("_steps", {})
        if t not in cache:
            previous(t)  # validates the label
            _ = self.params  # builds the parameter symbols, or refuses a cell too large for symbols
            builder = Builder(self, t)
            self._declare(builder)
            cache[t] = builder.step
        return cache[t]

    def _declare(self, b: Builder) -> None:
        raise NotImplementedError

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
        return self.kind

    @property
    def state_size(self) -> int:
        """N, the length of the stacked state vector."""
        return self.n * len(self.state_names)
