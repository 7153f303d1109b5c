r"""The one-step Jacobian ∂s_t/∂s_{t-1} of a cell, block by block, by the chain rule over its rules.

Two notations:

- ``"gate"``: gates, candidates and the new state appear as symbols (f_t, i_t, g_t, o_t, c_t), with
  each activation's derivative written through its output, as a lecture writes it;
- ``"expanded"``: every such symbol replaced by its value in the previous state, x_t and parameters.

Two paths:

- ``"total"``: everything the previous state reaches within the step, gates included;
- ``"direct"``: every gate and candidate (each rule of role ``"gate"``: i, f, g, o; z, r, n; o) held
  fixed, and the *other* state variables too: the weight-free term of a gated update (LSTM: diag(f_t);
  GRU: diag(z_t)). Where the state is its own candidate (RNN; the dense memory's c) nothing on that block is
  held, and the direct block is the total one.

For the scalar LSTM the keep gate alone carries the old memory on the direct path:

>>> from lstmsym.cells import make_cell
>>> lstm = make_cell("lstm")
>>> jacobian_block(lstm, "c", "c", path="direct")
Matrix([[f_{t}]])
>>> jacobian_block(lstm, "c", "h")
Matrix([[W_{f}*c_{t-1}*f_{t}*(1 - f_{t}) + W_{g}*i_{t}*(1 - g_{t}**2) + W_{i}*g_{t}*i_{t}*(1 - i_{t})]])

…and the plain RNN's only path carries a weight and a tanh slope:

>>> jacobian_block(make_cell("rnn"), "h", "h")
Matrix([[W*(1 - h_{t}**2)]])
>>> jacobian_block(make_cell("rnn"), "h", "h", notation="expanded")
Matrix([[W*(1 - tanh(U*x_{t} + W*h_{t-1} + b)**2)]])
"""

from __future__ import annotations

import sympy as sp

from ..cells.base import Cell, Step, display_name
from ..errors import ExpansionTooLargeError, UnknownChoiceError
from ..notation import matrix_latex
from ..symbols import TimeLabel

NOTATIONS = ("gate", "expanded")
PATHS = ("total", "direct")
#: Largest chain-rule work, (1 + products with earlier rules) · n² · N, a step Jacobian is built for.
#: At the limit the build takes 10-30 s (the LSTM at n = 11, the GRU at n = 17, the RNN at n = 27).
JACOBIAN_BUDGET = 20_000


def check_choice(parameter: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UnknownChoiceError(parameter, value, choices)


def _check_size(step: Step) -> None:
    """Refuse, before building anything, a step Jacobian whose chain rule would take minutes or more."""
    products, seen = 1, []
    for rule in step.rules:
        free = rule.inner.free_symbols
        products += sum(1 for earlier in seen if not free.isdisjoint(earlier.symbols))
        seen.append(rule)
    work = products * step.cell.n**2 * step.cell.state_size
    if work > JACOBIAN_BUDGET:
        raise ExpansionTooLargeError(
            f"the symbolic step Jacobian of {step.cell!r} is too large to build (chain-rule work {work:,}, "
            f"budget {JACOBIAN_BUDGET:,}); use a smaller n, or evaluate it numerically with "
            "lstmsym.numerics.reference.step_jacobian or lag_jacobians, which take any n"
        )


def chain_rule(step: Step, path: str = "total") -> sp.Matrix:
    """The (N, N) Jacobian of any step, in gate notation, by forward-mode chain rule over its rules.

    :func:`step_jacobian` calls this for a cell's own step (and caches it); call it directly for a
    step whose rules were modified, e.g. a GRU with the other update-gate polarity.
    """
    check_choice("path", path, PATHS)
    wrt = step.prev_vector  # (N, 1)
    N = wrt.shape[0]
    seen: list = []
    tangent: dict[str, sp.Matrix] = {}  # rule name -> (n, N)
    for rule in step.rules:
        if path == "direct" and rule.role == "gate":
            tangent[rule.name] = sp.zeros(rule.symbols.shape[0], N)  # a gate held fixed moves nothing
        else:
            total = rule.local_derivative(wrt)  # how the rule reads the previous state itself
            for earlier in seen:
                local = rule.local_derivative(earlier.symbols)  # (n, n)
                if any(e != 0 for e in local):
                    total += local * tangent[earlier.name]  # chain rule through an earlier quantity
            tangent[rule.name] = total
        seen.append(rule)
    J = sp.Matrix.vstack(*(tangent[name] for name in step.cell.state_names))
    if path == "direct":  # the other previous state variables are held fixed: keep the own-state blocks
        n = step.cell.n
        for a in range(len(step.cell.state_names)):
            for b in range(len(step.cell.state_names)):
                if a != b:
                    J[a * n : (a + 1) * n, b * n : (b + 1) * n] = sp.zeros(n, n)
    return J.applyfunc(sp.factor_terms)


def step_jacobian(cell: Cell, notation: str = "gate", path: str = "total", t: TimeLabel = "t") -> sp.Matrix:
    """The full (N, N) Jacobian ∂s_t/∂s_{t-1}, rows and columns in the cell's state order.

    >>> from lstmsym.cells import make_cell
    >>> step_jacobian(make_cell("lstm1997"), path="direct")
    Matrix([
    [1, 0],
    [0, 0]])
    """
    check_choice("notation", notation, NOTATIONS)
    check_choice("path", path, PATHS)
    cache = cell.__dict__.setdefault("_step_jacobians", {})
    key = (notation, path, t)
    if key not in cache:
        step = cell.step(t)
        if notation == "gate":
            gate_key = ("gate", path, t)
            if gate_key not in cache:
                _check_size(step)
                cache[gate_key] = chain_rule(step, path)
            cache[key] = cache[gate_key]
        else:
            cache[key] = step_jacobian(cell, "gate", path, t).xreplace(step.expansion)
    return cache[key]


def block_slice(cell: Cell, name: str, parameter: str) -> slice:
    """Rows (or columns) of state variable ``name`` in the stacked state vector."""
    if name not in cell.state_names:
        raise UnknownChoiceError(parameter, name, cell.state_names)
    j = cell.state_names.index(name)
    return slice(j * cell.n, (j + 1) * cell.n)


def jacobian_block(
    cell: Cell, of: str, wrt: str, notation: str = "gate", path: str = "total", t: TimeLabel = "t"
) -> sp.Matrix:
    """The (n, n) block ∂(of)_t/∂(wrt)_{t-1} of the one-step Jacobian, e.g. ``of="c", wrt="h"``."""
    rows, cols = block_slice(cell, of, "of"), block_slice(cell, wrt, "wrt")
    return step_jacobian(cell, notation, path, t)[rows, cols]


def block_latex(cell: Cell, of: str, wrt: str, notation: str = "gate", path: str = "total") -> str:
    r"""``\frac{\partial c_{t}}{\partial c_{t-1}} = ...`` for one block, as LaTeX.

    >>> from lstmsym.cells import make_cell
    >>> print(block_latex(make_cell("gru"), "h", "h", path="direct"))
    \frac{\partial h_{t}}{\partial h_{t-1}}\Big|_{\text{direct}} = z_{t}
    """
    block = jacobian_block(cell, of, wrt, notation, path)
    lhs = rf"\frac{{\partial {display_name(of, 't')}}}{{\partial {display_name(wrt, 't-1')}}}"
    if path == "direct":
        lhs += r"\Big|_{\text{direct}}"
    return f"{lhs} = {matrix_latex(block)}"


__all__ = [
    "JACOBIAN_BUDGET",
    "NOTATIONS",
    "PATHS",
    "block_latex",
    "block_slice",
    "chain_rule",
    "jacobian_block",
    "step_jacobian",
]
