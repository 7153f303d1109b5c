"""Fixed points of a trained cell at zero input: where a latch stores its bit, and how strongly it holds it.

With the input held at x = 0, a cell is a map s ↦ F(s) of its state (for the RNN, h ↦ tanh(W h + b)). A
*fixed point* s* = F(s*) attracts nearby states when every eigenvalue of the one-step Jacobian
J = ∂F/∂s at s* (the total path: what backpropagation multiplies) has modulus below 1; the largest modulus,
the spectral radius rho(J), is the factor by which a small deviation (and the gradient that passes there)
shrinks per step. Notebook 01 (:mod:`lstmsym.experiments.latch`) does this for a scalar unit a ↦ w tanh(a);
here it is done for the full trained state.

A network that stores the sign of x_1 with a *latch* has two attractors at zero input, reached from the
states it is in after reading x_1 = +1 and x_1 = -1, and its readout gives them opposite signs. Between them
lies a fixed point that is not an attractor (rho > 1), the boundary the noise would have to push the state
across. :func:`latch_fixed_points` finds these from a run's trained parameters.

>>> import numpy as np, lstmsym as ls
>>> cell = ls.make_cell("rnn", n=1, m=1)
>>> params = {"W": np.array([[2.0]]), "U": np.array([[1.0]]), "b": np.array([0.0])}
>>> points = latch_fixed_points(cell, params, w_out=np.array([1.0]), b_out=0.0)
>>> [(round(float(p.state[0]), 4), p.kind) for p in points]        # h* = tanh(2 h*)
[(0.9575, 'stable'), (-0.9575, 'stable'), (0.0, 'unstable')]
>>> round(points[0].spectral_radius, 4)                            # 2 (1 - h*²) < 1: it attracts
0.1664
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import LstmsymError
from ..numerics import reference

Array = np.ndarray


@dataclass(frozen=True)
class FixedPoint:
    """A state s* with F(s*) = s* at zero input: the stacked state (N,), the eigenvalues of the step
    Jacobian there, their largest modulus, its kind ("stable" if rho < 1, else "unstable"), the residual
    ‖F(s*) - s*‖, the readout's output w·h* + b there, and where the search started (``start``)."""

    state: Array
    eigenvalues: Array
    spectral_radius: float
    kind: str
    residual: float
    output: float
    start: str


def _step(cell: object, params: Mapping[str, Array], s: Array) -> Array:
    names, n = cell.state_names, cell.n
    state = {name: s[j * n : (j + 1) * n] for j, name in enumerate(names)}
    traj = reference.forward(cell, params, np.zeros((1, cell.m)), state)
    return traj.s[1]


def _h(cell: object, s: Array) -> Array:
    j = list(cell.state_names).index("h")
    return s[j * cell.n : (j + 1) * cell.n]


def _map(cell: object, params: Mapping[str, Array], s: Array, period: int) -> tuple[Array, Array]:
    """F^period(s) at zero input and its Jacobian, the product of the step Jacobians along the way."""
    x = np.zeros(cell.m)
    J = np.eye(s.size)
    for _ in range(period):
        J = reference.step_jacobian(cell, params, x, s) @ J
        s = _step(cell, params, s)
    return s, J


def find_fixed_point(
    cell: object,
    params: Mapping[str, Array],
    s0: Array,
    iterations: int = 3000,
    tol: float = 1e-12,
    period: int = 1,
) -> tuple[Array, float]:
    """Iterate s ← F^period(s) at zero input from ``s0`` ``iterations`` times, then refine by Newton's method
    on F^period(s) - s = 0 (Jacobians from :func:`lstmsym.numerics.reference.step_jacobian`); the point and
    its residual. Iterating finds attractors; Newton also converges to a repelling point when started close
    to it. ``period=2`` finds the points of a two-step cycle (fixed points of the two-step map)."""
    s = np.asarray(s0, dtype=np.float64).copy()
    for _ in range(iterations * period):
        s = _step(cell, params, s)
    N = s.size
    for _ in range(50):
        image, J = _map(cell, params, s, period)
        r = image - s
        if np.linalg.norm(r) <= tol:
            break
        try:
            s = s - np.linalg.solve(J - np.eye(N), r)
        except np.linalg.LinAlgError:
            break
    return s, float(np.linalg.norm(_map(cell, params, s, period)[0] - s))


def describe(
    cell: object,
    params: Mapping[str, Array],
    s: Array,
    w_out: Array,
    b_out: float,
    start: str,
    residual: float,
    period: int = 1,
) -> FixedPoint:
    """The :class:`FixedPoint` record of state ``s``: eigenvalues of the total Jacobian of F^period there."""
    J = _map(cell, params, s, period)[1]
    eig = np.linalg.eigvals(J)
    rho = float(np.max(np.abs(eig)))
    return FixedPoint(
        state=s,
        eigenvalues=eig,
        spectral_radius=rho,
        kind="stable" if rho < 1 else "unstable",
        residual=residual,
        output=float(_h(cell, s) @ np.asarray(w_out, dtype=np.float64) + float(np.ravel(b_out)[0])),
        start=start,
    )


def latch_fixed_points(
    cell: object,
    params: Mapping[str, Array],
    w_out: Array,
    b_out: float,
    first_inputs: Sequence[float] = (1.0, -1.0),
    iterations: int = 3000,
    tol: float = 1e-10,
    period: int = 1,
) -> list[FixedPoint]:
    """The fixed points at zero input that a trained run uses to hold the sign of x_1.

    For each value of x_1 in ``first_inputs`` the state after reading it from s_0 = 0 is iterated at zero
    input to the fixed point it settles at (:func:`find_fixed_point`); then Newton's method is started from
    the midpoint of the first two points found, which finds the fixed point between them when there is one.
    Points closer than 1e-6 to one already found are dropped. ``params`` are the cell's parameters (the
    readout ``w_out``, ``b_out`` apart). Points whose residual exceeds ``tol`` are dropped, so an empty
    result or a single point means no latch was found.

    ``period=2`` looks for the same structure in the two-step map F∘F: a bit held as the phase of a
    two-step oscillation (the readout is at a fixed step, so the phase decides its sign). The states
    compared are then those after an even number of zero-input steps, and the spectral radius is that of
    the two-step Jacobian (the contraction per two steps).
    """
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        raise LstmsymError(f"period must be a whole number >= 1, got {period!r}")
    params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items() if k not in ("w_out", "b_out")}
    N = cell.n * len(cell.state_names)
    found: list[FixedPoint] = []

    def add(s: Array, residual: float, start: str) -> None:
        if residual > tol or any(np.linalg.norm(s - p.state) < 1e-6 for p in found):
            return
        found.append(describe(cell, params, s, w_out, b_out, start, residual, period))

    for x1 in first_inputs:
        first = reference.forward(cell, params, np.full((1, cell.m), float(x1)), None).s[1]
        s, residual = find_fixed_point(cell, params, first, iterations, period=period)
        add(s, residual, f"x_1 = {x1:+g}")
    if len(found) >= 2:
        mid = 0.5 * (found[0].state + found[1].state)
        s, residual = find_fixed_point(cell, params, mid, iterations=0, period=period)
        add(s, residual, "between")
    if N == 0:
        raise LstmsymError("the cell has no state")
    return found


def fixed_point_table(points: Sequence[FixedPoint]):
    """The fixed points as a DataFrame: start, kind, spectral radius, residual, readout output, ‖h*‖."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "start": p.start,
                "kind": p.kind,
                "spectral_radius": p.spectral_radius,
                "residual": p.residual,
                "readout_output": p.output,
                "state_norm": float(np.linalg.norm(p.state)),
            }
            for p in points
        ]
    )


def two_cycle_gap(cell: object, params: Mapping[str, Array], a: Array, b: Array) -> float:
    """max(‖F(a) − b‖, ‖F(b) − a‖) at zero input: 0 when the two points are one orbit of period 2 (each is
    the other's image under one step), so that "two attractors of F∘F" is a single attracting 2-cycle whose
    phase, not its place, tells the two apart. Then both points also share the two-step spectral radius (the
    two-step Jacobians at a and b are products of the same two factors in either order).

    >>> import lstmsym as ls
    >>> cell = ls.make_cell("rnn", n=1, m=1)
    >>> params = {"W": np.array([[-2.0]]), "U": np.array([[1.0]]), "b": np.array([0.0])}   # h -> tanh(-2h)
    >>> a, b = np.array([0.9575]), np.array([-0.9575])
    >>> two_cycle_gap(cell, params, a, b) < 1e-4                      # a -> -a -> a: one 2-cycle
    True
    """
    params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items() if k not in ("w_out", "b_out")}
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(max(np.linalg.norm(_step(cell, params, a) - b), np.linalg.norm(_step(cell, params, b) - a)))


def lag_accuracies(
    cell: object,
    params: Mapping[str, Array],
    lags: Sequence[int],
    noise: float = 1.0,
    batch: int = 1024,
    seed: int = 0,
) -> dict[int, float]:
    """Accuracy of trained weights on the sign task at each of ``lags`` (a fresh batch of ``batch`` sequences
    per lag from ``numpy.random.default_rng([seed, T])``): the control for a bit held as the phase of a
    2-cycle, whose readout flips between lags T and T + 1, where a fixed-point latch would not care.

    >>> import lstmsym as ls
    >>> cell = ls.make_cell("rnn", n=1, m=1)
    >>> params = {"W": np.array([[-2.0]]), "U": np.array([[3.0]]), "b": np.array([0.0]),
    ...           "w_out": np.array([1.0]), "b_out": np.array([0.0])}
    >>> acc = lag_accuracies(cell, params, [4, 5], noise=0.0)              # the sign alternates each step
    >>> acc[4], acc[5]
    (1.0, 0.0)
    """
    from .loop import evaluate
    from .tasks import SignTask

    out = {}
    for T in lags:
        task = SignTask(int(T), noise=noise)
        sample = task.sample(int(batch), np.random.default_rng([int(seed), int(T)]))
        out[int(T)] = evaluate(cell, dict(params), task, sample)["accuracy"]
    return out
