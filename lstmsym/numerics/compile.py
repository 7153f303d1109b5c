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

import numpy as np
import sympy as sp

from ..cells.base import Cell
from ..derivatives.step import PATHS, check_choice, step_jacobian
from .params import check_inputs, check_params, check_state


@dataclass(frozen=True)
class Trajectory:
    """A forward run: ``s[t]`` is the stacked state after step t (``s[0]`` the initial state)."""

    s: np.ndarray  # (T+1, N)
    quantities: dict[str, np.ndarray]  # rule name -> (T, n): gates, candidates, new state values


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
        self._forward = sp.lambdify(self._args, values, modules="numpy", cse=True)
        self._state_index = [rule_symbols.index(s) for s in step.state_vector]
        self._jacobians = {
            path: sp.lambdify(
                (*self._args, rule_symbols), step_jacobian(cell, "gate", path), "numpy", cse=True
            )
            for path in PATHS
        }

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


def compile_cell(cell: Cell) -> CompiledCell:
    """Compile ``cell`` once (lambdify with cse); cached on the cell."""
    cache = cell.__dict__
    if "_compiled" not in cache:
        cache["_compiled"] = CompiledCell(cell)
    return cache["_compiled"]
