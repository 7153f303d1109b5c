"""Any registered cell over seeds and a batch, through its compiled symbolic step (see :mod:`.batched_rnn`).

A cell without a hand-written batched module (a user's cell) trains through this ``Unroll``: the forward
step is the cell's compiled update map (:func:`lstmsym.numerics.compile.compile_cell`) and the backward step
the engine's reverse-mode derivation (:mod:`lstmsym.derivatives.backward`), compiled. Both are elementwise
NumPy code over one array per state entry, each (S, B): correct for any cell, slower than the hand-written
modules, which use one matrix product per affine map (``bench/compiled_cell.py`` measures by how much).

Per step, ``vjp`` computes only the cotangents of the previous state; the parameter gradients, a sum over
steps, are computed once in :meth:`Unroll.grads`, over every step at once, from the stored rule values and
cotangents.

>>> import numpy as np
>>> import lstmsym as ls
>>> from lstmsym.training import batched
>>> cell = ls.make_cell("gru", n=2, m=1)
>>> params = {**ls.init_params(cell, seed=0), "w_out": np.ones(2), "b_out": np.zeros(1)}
>>> xs = np.random.default_rng(0).normal(size=(4, 3, 1))
>>> hand = batched.loss_and_grads(cell, params, xs, np.ones(3), "logistic")
>>> with batched.compiled_path():                       # the GRU through its compiled step instead
...     compiled = batched.loss_and_grads(cell, params, xs, np.ones(3), "logistic")
>>> bool(np.isclose(hand.loss, compiled.loss)), bool(np.allclose(hand.grads["W_z"], compiled.grads["W_z"]))
(True, True)
"""

from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np

Array = np.ndarray
TRUNCATABLE = False


def module_for(cell: object) -> SimpleNamespace:
    """A ``batched_<kind>`` module's interface (``Unroll``, ``STATE_NAMES``, ``TRUNCATABLE``) for a cell."""
    from ..numerics.compile import compile_cell

    compiled = compile_cell(cell)
    return SimpleNamespace(
        Unroll=lambda params, options, xs: Unroll(compiled, params, xs),
        STATE_NAMES=tuple(cell.state_names),
        TRUNCATABLE=False,
    )


class Unroll:
    """BPTT bookkeeping of a compiled cell over xs (T, S, B, m); states name → (S, B, n)."""

    def __init__(self, compiled: object, params: Mapping[str, Array], xs: Array) -> None:
        cell = compiled.cell
        T, S, B, m = xs.shape
        self.compiled, self.names, self.n, self.m = compiled, tuple(cell.state_names), cell.n, m
        self.shapes = cell.param_shapes
        self.flat = []  # one (S, 1) array per parameter element, in param_symbols order
        for name, shape in self.shapes.items():
            value = np.asarray(params[name], dtype=np.float64)
            for index in np.ndindex(*shape):
                self.flat.append(value[(slice(None), *index)].reshape(S, 1))
        self.xs = xs
        self.R = sum(size for _, size in compiled._rules)
        self.values = np.empty((T, self.R, S, B))  # every rule's value at every step
        self.cot = np.empty((T, cell.state_size, S, B))  # ∂L/∂s_t as the step's vjp received it
        self.state_index = compiled._state_index

    def _entries(self, state: Mapping[str, Array]) -> list[Array]:
        return [state[name][..., j] for name in self.names for j in range(self.n)]

    def _x(self, t: int | slice) -> list[Array]:
        return [self.xs[t, ..., j] for j in range(self.m)]

    def _stack(self, entries: list[Array], shape: tuple[int, ...]) -> dict[str, Array]:
        n = self.n
        return {
            name: np.stack([np.broadcast_to(e, shape) for e in entries[a * n : (a + 1) * n]], axis=-1)
            for a, name in enumerate(self.names)
        }

    def step(self, t: int, prev: Mapping[str, Array]) -> dict[str, Array]:
        out = self.compiled._forward(self._entries(prev), self._x(t), self.flat)
        self.values[t] = [np.broadcast_to(v, self.values.shape[2:]) for v in out]
        return self._stack([self.values[t, k] for k in self.state_index], self.values.shape[2:])

    def vjp(
        self, t: int, prev: Mapping[str, Array], cot: Mapping[str, Array], truncated: bool = False
    ) -> dict[str, Array]:
        shape = self.values.shape[2:]
        self.cot[t] = [np.broadcast_to(c, shape) for c in self._entries(cot)]
        pulled = self.compiled.vjp_inputs(self.flat, self._x(t), self._entries(prev), self.values[t],
                                          self.cot[t])
        return self._stack(list(pulled[: len(self.names) * self.n]), shape)

    def grads(self, states: Mapping[str, Array], steps: slice = slice(None)) -> dict[str, Array]:
        prev = {name: states[name][:-1][steps] for name in self.names}  # (T', S, B, n)
        values, cot = self.values[steps], self.cot[steps]  # (T', R, S, B), (T', N, S, B)
        S = values.shape[2]
        if values.shape[0] == 0:
            return {name: np.zeros((S, *shape)) for name, shape in self.shapes.items()}
        pulled = self.compiled.vjp_params(
            self.flat,
            [self.xs[steps][..., j] for j in range(self.m)],
            self._entries(prev),
            list(np.moveaxis(values, 1, 0)),
            list(np.moveaxis(cot, 1, 0)),
        )
        shape = values[:, 0].shape  # (T', S, B)
        # Each sum runs over a contiguous last axis of a fixed length (B, then T'), so a seed's gradient
        # is added up in the same order whether it trains alone or beside others (bit for bit).
        per_step = np.stack([np.ascontiguousarray(np.broadcast_to(g, shape)).sum(axis=-1) for g in pulled])
        sums = np.ascontiguousarray(per_step.transpose(2, 0, 1)).sum(axis=-1)  # (P, T', S) -> (S, P)
        out, j = {}, 0
        for name, pshape in self.shapes.items():
            size = int(np.prod(pshape))
            out[name] = sums[:, j : j + size].reshape(S, *pshape)
            j += size
        return out
