"""Symbolic cells compiled to NumPy: the step map and its Jacobians, evaluated along a trajectory.

The forward map is lambdified from the expanded rule values (with common-subexpression
elimination); each step Jacobian is lambdified in *gate notation* and fed the rule values the
forward pass computed, so the compiled code keeps the structure of the derivation.

>>> import numpy as np
>>> from lstmsym.cells import make_cell
>>> from lstmsym.numerics.params import init_params
>>> cell = make_cell("lstm")
>>> compiled = compile_cell(cell)
>>> params = init_params(cell, seed=0, forget_bias=2.0)
>>> xs = np.array([[1.0], [-0.5], [2.0]])
>>> traj = compiled.run(params, xs)
>>> traj.quantities["f"][0]              # first step: h_0 = 0, so f_1 = σ(U_f x_1 + 2)
array([0.73750779])
>>> J = compiled.lag_jacobians(params, xs, path="direct")
>>> bool(np.isclose(J[0, 0, 0], np.prod(traj.quantities["f"])))   # carousel: the product of keep gates
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from ..cells.base import Cell
from ..derivatives.backward import backward_step
from ..derivatives.step import PATHS, check_choice, step_jacobian
from .params import check_inputs, check_params, check_state


@dataclass(frozen=True)
class Trajectory:
    """A forward run: ``s[t]`` is the stacked state after step t (``s[0]`` the initial state)."""

    s: np.ndarray  # (T+1, N)
    quantities: dict[str, np.ndarray]  # rule name -> (T, n): gates, candidates, new state values


def _lambdify(groups, exprs):
    """``sp.lambdify(groups, exprs, "numpy", cse=True)``, every argument renamed to a plain identifier first.

    lambdify replaces each argument whose name is not a Python identifier (``W_{f,11}``, ``c_{t-1}``) by a
    dummy, one pass over the expressions per symbol; one renaming pass here instead takes the compile of an
    n = 8 cell from tens of seconds to a few. The numbers are the same.
    """
    mapping, renamed = {}, []
    for g, group in enumerate(groups):
        names = []
        for j, symbol in enumerate(group):
            plain = sp.Symbol(f"a{g}_{j}")
            mapping[symbol] = plain
            names.append(plain)
        renamed.append(names)
    if isinstance(exprs, sp.MatrixBase):
        body = exprs.xreplace(mapping)
    else:
        body = [sp.sympify(e).xreplace(mapping) for e in exprs]
    return sp.lambdify(renamed, body, "numpy", cse=True, dummify=False)


class CompiledCell:
    """A cell's step map and step Jacobians as NumPy functions (see :func:`compile_cell`)."""

    def __init__(self, cell: Cell) -> None:
        self.cell = cell
        step = cell.step("t")
        for path in PATHS:  # built (and cached) first: a cell too large is refused before any lambdify
            step_jacobian(cell, "gate", path)
        self._rules = [(r.name, len(r.symbols)) for r in step.rules]
        self._args = (list(step.prev_vector), list(step.x), cell.param_symbols)
        rule_symbols = [s for r in step.rules for s in r.symbols]
        values = [step.expansion[s] for s in rule_symbols]
        # explicit, ordered arguments: previous state, input, parameters (row-major), rule values
        self._forward = _lambdify(self._args, values)
        self._state_index = [rule_symbols.index(s) for s in step.state_vector]
        self._jacobians = {
            path: _lambdify((*self._args, rule_symbols), step_jacobian(cell, "gate", path))
            for path in PATHS
        }
        self._rule_symbols = rule_symbols

    # -- the backward pass, derived by reverse mode (lstmsym.derivatives.backward) and compiled ------------
    @cached_property
    def _backward(self):
        """(∂L/∂s_{t-1} and ∂L/∂x_t, ∂L/∂θ) as two compiled functions of the step and the cotangent of s_t."""
        back = backward_step(self.cell)
        args = (*self._args, self._rule_symbols, back.cotangent)
        inputs = _lambdify(args, [*back.prev, *back.x])
        params = _lambdify(args, back.params)
        return inputs, params

    def vjp(self, flat, x, s_prev, rule_values, cot):
        """One step of backpropagation: (∂L/∂s_{t-1} (N,), ∂L/∂x_t (m,), ∂L/∂θ flat (P,)) for the cotangent
        ``cot`` (N,) of s_t. Arguments are the flat parameters, x_t, s_{t-1} and the step's rule values (as
        :meth:`run` records them); every argument may also be a list of equal-shape arrays (batched)."""
        inputs, params = self._backward
        args = (list(s_prev), list(x), list(flat), list(rule_values), list(cot))
        pulled = inputs(*args)
        N = self.cell.state_size
        return pulled[:N], pulled[N:], params(*args)

    def vjp_inputs(self, flat, x, s_prev, rule_values, cot):
        """∂L/∂s_{t-1} and ∂L/∂x_t only (a list of N + m values or arrays): the per-step part of BPTT."""
        return self._backward[0](list(s_prev), list(x), list(flat), list(rule_values), list(cot))

    def vjp_params(self, flat, x, s_prev, rule_values, cot):
        """∂L/∂θ only (a list of P values or arrays, in ``param_symbols`` order)."""
        return self._backward[1](list(s_prev), list(x), list(flat), list(rule_values), list(cot))

    @cached_property
    def _held(self):
        """The new state as a function of s_{t-1}, x_t, θ and the gate values, the gates held as inputs."""
        step = self.cell.step("t")
        gates = [s for r in step.rules if r.role == "gate" for s in r.symbols]
        held: dict = {}
        for rule in step.rules:
            if rule.role != "gate":
                held.update(zip(rule.symbols, rule.value.xreplace(held), strict=True))
        values = [held[s] for s in step.state_vector]
        return gates, _lambdify((*self._args, gates), values)

    def held_step(self, flat, x, s_prev, gate_values) -> np.ndarray:
        """s_t with every gate and candidate held at ``gate_values`` (in rule order): what the direct path
        differentiates (its off-diagonal state blocks are then set to zero)."""
        return np.asarray(self._held[1](list(s_prev), list(x), list(flat), list(gate_values)), dtype=float)

    @property
    def gate_symbols_order(self) -> list[str]:
        """Rule names of the gates, in rule order (the order :meth:`held_step` takes their values in)."""
        return [name for name, _ in self._rules if self.cell.step("t").rule(name).role == "gate"]

    def flat(self, params: Mapping[str, object]) -> list[float]:
        """The parameters as one flat list in ``param_symbols`` order (checked against the cell)."""
        return self._flat(params)

    def unflat(self, flat) -> dict[str, np.ndarray]:
        """The inverse of :meth:`flat`: name -> array of the declared shape (a leading axis is kept)."""
        out, j = {}, 0
        for name, shape in self.cell.param_shapes.items():
            size = int(np.prod(shape))
            chunk = np.asarray(flat[j : j + size])
            out[name] = chunk.reshape(shape) if chunk.ndim == 1 else np.moveaxis(chunk, 0, -1).reshape(
                (*chunk.shape[1:], *shape))
            j += size
        return out

    @cached_property
    def reference(self) -> CompiledReference:
        """This compiled cell behind the interface of a hand-written NumPy reference module."""
        return CompiledReference(self)

    def _flat(self, params: Mapping[str, object]) -> list[float]:
        checked = check_params(self.cell, params)
        return [float(v) for name in self.cell.param_shapes for v in checked[name].ravel()]

    def _step(self, flat, x, s_prev) -> np.ndarray:
        return np.asarray(self._forward(list(s_prev), list(x), flat), dtype=float)

    def step(self, params: Mapping[str, object], x, state_prev: Mapping[str, object] | None = None):
        """One step: (new stacked state (N,), rule name -> value (n,))."""
        flat = self._flat(params)
        x = check_inputs(self.cell, np.atleast_2d(x))[0]
        s_prev = np.concatenate(list(check_state(self.cell, state_prev).values()))
        values = self._step(flat, x, s_prev)
        return values[self._state_index], self._split(values)

    def _split(self, values: np.ndarray) -> dict[str, np.ndarray]:
        out, j = {}, 0
        for name, size in self._rules:
            out[name] = values[j : j + size]
            j += size
        return out

    def run(self, params: Mapping[str, object], xs, state0: Mapping[str, object] | None = None) -> Trajectory:
        """Run the step map over xs (T, m) from state0 (zeros by default)."""
        flat = self._flat(params)
        xs = check_inputs(self.cell, xs)
        s = [np.concatenate(list(check_state(self.cell, state0).values()))]
        rows = []
        for x in xs:
            values = self._step(flat, x, s[-1])
            rows.append(values)
            s.append(values[self._state_index])
        table = np.array(rows)  # (T, number of rule symbols)
        quantities, j = {}, 0
        for name, size in self._rules:
            quantities[name] = table[:, j : j + size]
            j += size
        return Trajectory(s=np.array(s), quantities=quantities)

    def lag_jacobians(
        self,
        params: Mapping[str, object],
        xs,
        state0: Mapping[str, object] | None = None,
        path: str = "total",
    ) -> np.ndarray:
        """J[k] = ∂s_T/∂s_k for k = 0..T, from the compiled gate-notation step Jacobians, one sweep."""
        check_choice("path", path, PATHS)
        flat = self._flat(params)
        xs = check_inputs(self.cell, xs)
        traj = self.run(params, xs, state0)
        N = self.cell.state_size
        out = np.empty((len(xs) + 1, N, N))
        out[-1] = np.eye(N)
        for t in range(len(xs), 0, -1):  # J[t-1] = J[t] @ (∂s_t/∂s_{t-1})
            rule_values = np.concatenate([traj.quantities[name][t - 1] for name, _ in self._rules])
            step_jac = np.asarray(
                self._jacobians[path](list(traj.s[t - 1]), list(xs[t - 1]), flat, list(rule_values)),
                dtype=float,
            )
            out[t - 1] = out[t] @ step_jac
        return out


class CompiledReference:
    """The interface of a cell module of :mod:`lstmsym.numerics.reference` (``STATE_NAMES``, ``gate_names``,
    ``step``, ``jacobian``, ``vjp``), served by the compiled symbolic cell.

    :mod:`lstmsym.numerics.reference` uses it for a registered cell without a hand-written module, so its
    loops (trajectories, lag Jacobians with power-of-two rescaling, norms over every lag, route cuts,
    backpropagation) run unchanged on a user's cell. The record of a step holds every rule's value.
    """

    def __init__(self, compiled: CompiledCell) -> None:
        self.compiled = compiled
        self.STATE_NAMES = compiled.cell.state_names
        self._names = [name for name, _ in compiled._rules]
        self._gates = tuple(compiled.gate_symbols_order)
        self._param_names = list(compiled.cell.param_shapes)

    def gate_names(self, options: Mapping[str, object]) -> tuple[str, ...]:
        return self._gates

    def _flat(self, params: Mapping[str, np.ndarray]) -> list[float]:
        return [float(v) for name in self._param_names for v in np.ravel(params[name])]

    def _prev(self, prev: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.concatenate([np.ravel(prev[name]) for name in self.STATE_NAMES])

    def _values(self, rec: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.concatenate([np.ravel(rec[name]) for name in self._names])

    def step(self, params, options, x, prev) -> dict[str, np.ndarray]:
        values = self.compiled._step(self._flat(params), np.ravel(x), self._prev(prev))
        return self.compiled._split(values)

    def jacobian(self, params, options, x, prev, rec, direct: bool = False) -> np.ndarray:
        path = "direct" if direct else "total"
        return np.asarray(
            self.compiled._jacobians[path](
                list(self._prev(prev)), list(np.ravel(x)), self._flat(params), list(self._values(rec))
            ),
            dtype=float,
        )

    def vjp(self, params, options, x, prev, rec, ds, dparams):
        cot = self._prev(ds)
        d_prev, d_x, d_params = self.compiled.vjp(self._flat(params), np.ravel(x), self._prev(prev),
                                                  self._values(rec), cot)
        for name, grad in self.compiled.unflat([float(v) for v in d_params]).items():
            dparams[name] += grad
        n = self.compiled.cell.n
        d_prev = np.asarray(d_prev, dtype=float)
        return ({name: d_prev[j * n : (j + 1) * n] for j, name in enumerate(self.STATE_NAMES)},
                np.asarray(d_x, dtype=float))


def compile_cell(cell: Cell) -> CompiledCell:
    """Compile ``cell`` once (lambdify with cse); cached on the cell."""
    cache = cell.__dict__
    if "_compiled" not in cache:
        cache["_compiled"] = CompiledCell(cell)
    return cache["_compiled"]
