r"""The backward pass of one step, derived by reverse-mode chain rule over a cell's rules.

Given the cotangent ḡ of the new state s_t (one symbol per entry, ``\bar{c}_{t}``, ``\bar{h}_{t}``), walk the
rules from last to first. Each rule ``v = φ(inner)`` passes its cotangent back through its local derivative
(``φ'`` written through its output, as in gate notation) to everything its inner expression reads: earlier
rules, the previous state, x_t and the parameters. What reaches s_{t-1}, x_t and θ is the vector-Jacobian
product ḡᵀ ∂s_t/∂(s_{t-1}, x_t, θ), the step of backpropagation through time.

This is a second derivation, independent of :func:`lstmsym.derivatives.step.chain_rule` (forward mode,
one column per state entry): the two must agree, ḡᵀ J, and :func:`lstmsym.numerics.verify.verify_cell`
checks that they do.

>>> from lstmsym.cells import make_cell
>>> back = backward_step(make_cell("rnn"))
>>> back.prev[0]                                     # ∂L/∂h_{t-1} = h̄_t (1 - h_t²) W
W*\bar{h}_{t}*(1 - h_{t}**2)
>>> back.params[0], back.params[2]                   # ∂L/∂W and ∂L/∂b
(\bar{h}_{t}*h_{t-1}*(1 - h_{t}**2), \bar{h}_{t}*(1 - h_{t}**2))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..cells.base import Cell, Step
from ..symbols import TimeLabel


@dataclass(frozen=True)
class BackwardStep:
    """Cotangent expressions of one step, in gate notation.

    ``cotangent``: the symbols standing for ∂L/∂s_t (N,), in state order; ``prev`` (N,), ``x`` (m,) and
    ``params`` (every parameter element, in ``cell.param_symbols`` order): ∂L/∂s_{t-1}, ∂L/∂x_t, ∂L/∂θ for
    this step, written in the cotangent symbols, the rule symbols, s_{t-1}, x_t and θ.
    """

    cotangent: list[sp.Symbol]
    prev: list[sp.Expr]
    x: list[sp.Expr]
    params: list[sp.Expr]


def cotangent_symbols(step: Step) -> list[sp.Symbol]:
    r"""``\bar{c}_{t}``-style symbols, one per entry of the new state."""
    return [sp.Symbol(rf"\bar{{{s.name.split('_', 1)[0]}}}_{s.name.split('_', 1)[1]}"
                      if "_" in s.name else rf"\bar{{{s.name}}}", real=True)
            for s in step.state_vector]


def reverse_mode(step: Step) -> tuple[list[sp.Symbol], dict[sp.Symbol, sp.Expr]]:
    """(cotangent symbols, symbol -> accumulated cotangent) for every symbol the step's rules read."""
    cotangent = cotangent_symbols(step)
    bar: dict[sp.Symbol, sp.Expr] = dict(zip(step.state_vector, cotangent, strict=True))
    for rule in reversed(step.rules):
        incoming = [bar.get(s, sp.S.Zero) for s in rule.symbols]
        if all(v == 0 for v in incoming):
            continue
        if rule.activation is not None:  # through v = φ(a): ā = v̄ φ'(a), φ' written through the output v
            slopes = [rule.activation.derivative_of_output(s) for s in rule.symbols]
            incoming = [v * d for v, d in zip(incoming, slopes, strict=True)]
        for j, inner in enumerate(rule.inner):
            if incoming[j] == 0:
                continue
            for u in inner.free_symbols:
                d = sp.diff(inner, u)
                if d != 0:
                    bar[u] = bar.get(u, sp.S.Zero) + incoming[j] * d
    return cotangent, bar


def backward_step(cell: Cell, t: TimeLabel = "t") -> BackwardStep:
    """The step's backward pass (cached on the cell), see the module notes."""
    cache = cell.__dict__.setdefault("_backward_steps", {})
    if t not in cache:
        step = cell.step(t)
        cotangent, bar = reverse_mode(step)
        get = lambda symbols: [bar.get(s, sp.S.Zero) for s in symbols]  # noqa: E731
        cache[t] = BackwardStep(
            cotangent=cotangent,
            prev=get(step.prev_vector),
            x=get(step.x),
            params=get(cell.param_symbols),
        )
    return cache[t]


__all__ = ["BackwardStep", "backward_step", "cotangent_symbols", "reverse_mode"]
