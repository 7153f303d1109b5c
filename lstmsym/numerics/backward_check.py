"""Check a student's backward pass of the LSTM over T steps (notebook 02's CS231n-style exercise).

The student writes ``backward(params, xs, c0, h0, dc_T, dh_T)`` for the standard LSTM (gates i, f, g, o;
tanh readout, no peepholes) and the scalar loss (the messages write it :data:`LOSS`)

    𝓛 = dc_T · c_T + dh_T · h_T,

returning ``(dcs, dhs, grads)``: ``dcs[k] = ∂𝓛/∂c_k`` and ``dhs[k] = ∂𝓛/∂h_k`` for k = 0..T (arrays of
shape (T+1, n)), and ``grads`` = name → ∂𝓛/∂θ for every parameter ``W_k (n, n), U_k (n, m), b_k (n,)``.
:func:`check_backward` runs it on a seeded random problem (:func:`backward_problem`) and compares it

- with the package's reference backward (:func:`lstmsym.numerics.reference.backward`), step by step from
  t = T down to 1: the message names the first cotangent that is off and the step of the loop that made it,
  then the parameter gradients that are off;
- with central differences of 𝓛 (float64, step 1e-6) for ∂𝓛/∂c_0, ∂𝓛/∂h_0 and every parameter.

>>> from lstmsym.numerics.reference import backward, forward
>>> problem = backward_problem(n=2, m=1, T=3)
>>> def reference_answer(params, xs, c0, h0, dc_T, dh_T):      # the package's own backward, as a "student"
...     cell = problem.cell
...     traj = forward(cell, params, xs, {"c": c0, "h": h0})
...     grads = backward(cell, params, traj, xs, {"c": dc_T, "h": dh_T})
...     return grads.ds[:, :2], grads.ds[:, 2:], grads.dparams
>>> result = check_backward(reference_answer, n=2, m=1, T=3)
>>> bool(result)
True
>>> def lost(params, xs, c0, h0, dc_T, dh_T):                   # passes nothing back along c
...     dcs, dhs, grads = reference_answer(params, xs, c0, h0, dc_T, dh_T)
...     dcs[:-1] = 0.0
...     return dcs, dhs, grads
>>> result = check_backward(lost, n=2, m=1, T=3)
>>> print(result.message.splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
Not yet: ∂\N{SCRIPT CAPITAL L}/∂c_2 is off, the first quantity that differs going back from T = 3
(made at step t = 3 of your loop).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..cells import make_cell
from ..cells.base import Cell
from ..checks import whole_number
from ..errors import LstmsymError
from .reference import backward, forward

#: The loss symbol the messages print (the notebooks' $\mathcal L$; L is a lag).
LOSS = "\N{SCRIPT CAPITAL L}"

__all__ = ["LOSS", "BackwardCheck", "BackwardProblem", "backward_problem", "check_backward", "lstm_loss"]

GATES = ("i", "f", "g", "o")


@dataclass(frozen=True, eq=False)
class BackwardProblem:
    """A seeded LSTM problem: parameters, inputs ``xs`` (T, m), initial state ``c0, h0`` and the loss's
    weights ``dc_T, dh_T`` (the cotangents of c_T, h_T)."""

    cell: Cell
    params: dict[str, np.ndarray]
    xs: np.ndarray
    c0: np.ndarray
    h0: np.ndarray
    dc_T: np.ndarray
    dh_T: np.ndarray

    @property
    def T(self) -> int:
        return self.xs.shape[0]


def backward_problem(n: int = 3, m: int = 2, T: int = 6, seed: int = 0) -> BackwardProblem:
    """Every parameter, input, initial state and loss weight ~ N(0, 0.5²) from one seeded generator.

    Biases are drawn too (not zero), and c_0, h_0 are nonzero, so that every term of the backward pass
    (the keep gate's cotangent c_{t-1} ⊙ dc included) is exercised.
    """
    n, m, T = (whole_number(name, v) for name, v in (("n", n), ("m", m), ("T", T)))
    cell = make_cell("lstm", n=n, m=m)
    rng = np.random.default_rng(seed)
    params = {name: rng.normal(0.0, 0.5, size=shape) for name, shape in cell.param_shapes.items()}
    xs = rng.normal(0.0, 1.0, size=(T, m))
    c0, h0, dc_T, dh_T = (rng.normal(0.0, 0.5 if j < 2 else 1.0, size=n) for j in range(4))
    return BackwardProblem(cell, params, xs, c0, h0, dc_T, dh_T)


def lstm_loss(problem: BackwardProblem, params: Mapping[str, np.ndarray] | None = None,
              c0: np.ndarray | None = None, h0: np.ndarray | None = None) -> float:
    """𝓛 = dc_T · c_T + dh_T · h_T after the reference forward pass (with any of params, c0, h0 replaced)."""
    params = problem.params if params is None else params
    c0 = problem.c0 if c0 is None else c0
    h0 = problem.h0 if h0 is None else h0
    traj = forward(problem.cell, params, problem.xs, {"c": c0, "h": h0})
    return float(problem.dc_T @ traj.states["c"][-1] + problem.dh_T @ traj.states["h"][-1])


def _central(fun: Callable[[np.ndarray], float], x: np.ndarray, eps: float) -> np.ndarray:
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        out[idx] = (fun(up) - fun(down)) / (2 * eps)
    return out


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| relative to the larger of max |b| and 1e-300."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@dataclass(frozen=True)
class BackwardCheck:
    """The verdict: ``correct``, a ``message`` naming what is off, and the relative differences measured
    (``reference``: yours against the package's backward; ``central``: the package's against central
    differences), quantity name → max |difference| / max |value|."""

    correct: bool
    message: str
    reference: dict[str, float] = field(default_factory=dict)
    central: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def __bool__(self) -> bool:
        return self.correct


def _as_array(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise LstmsymError(
            f"your {name} must be an array of numbers of shape {shape}, got {value!r}"
        ) from error
    if arr.shape != shape:
        raise LstmsymError(f"your {name} has shape {arr.shape}; expected {shape}")
    return arr


def _one_step_hint(student: Callable, n: int, m: int, seed: int, rtol: float,
                   when_right: str = "look at what your loop passes back in time") -> str:
    """Which gates' parameter gradients are off when the same function runs a single step (T = 1): there
    a mistake cannot spread from one step to the next, so it points at the gate whose lines are wrong."""
    problem = backward_problem(n, m, 1, seed)
    out = student({k: v.copy() for k, v in problem.params.items()}, problem.xs.copy(), problem.c0.copy(),
                  problem.h0.copy(), problem.dc_T.copy(), problem.dh_T.copy())
    traj = forward(problem.cell, problem.params, problem.xs, {"c": problem.c0, "h": problem.h0})
    ref = backward(problem.cell, problem.params, traj, problem.xs, {"c": problem.dc_T, "h": problem.dh_T})
    try:
        grads = {name: np.asarray(out[2][name], dtype=np.float64) for name in problem.params}
    except (TypeError, KeyError, IndexError, ValueError):
        return "  (with T = 1 your function did not return grads for every parameter)"
    def off(name: str) -> bool:
        value, right = grads[name], ref.dparams[name]
        scale = max(np.max(np.abs(right)), 1e-300)
        return value.shape != right.shape or bool(np.any(np.abs(value - right) > rtol * scale))

    bad = [name for name in grads if off(name)]
    if not bad:
        return f"  With T = 1 every parameter gradient is right: {when_right}."
    gates = [k for k in GATES if any(name.endswith(f"_{k}") for name in bad)]
    names = {"i": "write gate i", "f": "keep gate f", "g": "candidate g", "o": "read gate o"}
    return (f"  With T = 1 (one step, nothing passed back in time) the gradients of {', '.join(bad)} are "
            f"off: look at the net-input cotangent of the {', '.join(names[k] for k in gates)}.")


def check_backward(student: Callable, n: int = 3, m: int = 2, T: int = 6, seed: int = 0,
                   rtol: float = 1e-7, eps: float = 1e-6) -> BackwardCheck:
    """Run ``student(params, xs, c0, h0, dc_T, dh_T)`` on :func:`backward_problem` and check what it returns.

    ``student`` returns ``(dcs, dhs, grads)`` as described in the module docstring (copies of the inputs are
    passed, so it cannot change the problem). Each of its cotangents and gradients must agree with the
    reference backward to ``rtol`` relative to the largest entry of that quantity; the reference's ∂𝓛/∂c_0,
    ∂𝓛/∂h_0 and parameter gradients must agree with central differences (step ``eps``) to 1e-6. A wrong
    return (not three items, wrong shapes, a missing gradient) raises :class:`~lstmsym.errors.LstmsymError`
    naming it.
    """
    if not callable(student):
        raise LstmsymError(f"student must be your backward function, got {type(student).__name__}")
    problem = backward_problem(n, m, T, seed)
    cell, params, xs = problem.cell, problem.params, problem.xs
    T, n = problem.T, cell.n
    out = student({k: v.copy() for k, v in params.items()}, xs.copy(), problem.c0.copy(), problem.h0.copy(),
                  problem.dc_T.copy(), problem.dh_T.copy())
    if not isinstance(out, tuple | list) or len(out) != 3:
        raise LstmsymError("your backward function must return three things: dcs, dhs, grads")
    dcs = _as_array("dcs", out[0], (T + 1, n))
    dhs = _as_array("dhs", out[1], (T + 1, n))
    if not isinstance(out[2], Mapping):
        raise LstmsymError(
            f"your grads must be a dict from parameter name to array, got {type(out[2]).__name__}"
        )
    missing = [name for name in params if name not in out[2]]
    if missing:
        raise LstmsymError(f"your grads has no {missing[0]!r}; it needs every parameter: {list(params)}")
    grads = {name: _as_array(f"grads[{name!r}]", out[2][name], params[name].shape) for name in params}

    traj = forward(cell, params, xs, {"c": problem.c0, "h": problem.h0})
    ref = backward(cell, params, traj, xs, {"c": problem.dc_T, "h": problem.dh_T})
    ref_c, ref_h = ref.ds[:, :n], ref.ds[:, n:]

    # the package's backward against central differences of 𝓛: the reference is itself checked
    central = {
        "c_0": _rel(ref_c[0], _central(lambda v: lstm_loss(problem, c0=v), problem.c0, eps)),
        "h_0": _rel(ref_h[0], _central(lambda v: lstm_loss(problem, h0=v), problem.h0, eps)),
    }
    for name in params:
        def loss_of(v, name=name):
            return lstm_loss(problem, params={**params, name: v})
        central[name] = _rel(ref.dparams[name], _central(loss_of, params[name], eps))
    worst_fd = max(central, key=central.get)
    if central[worst_fd] > 1e-6:  # would mean the reference or the loss is wrong, not the student
        raise LstmsymError(f"internal check failed: the reference ∂{LOSS}/∂{worst_fd} differs from central "
                           f"differences by {central[worst_fd]:.2g} (relative)")

    def off(a: np.ndarray, b: np.ndarray, scale: float) -> bool:
        return bool(np.any(np.abs(a - b) > rtol * max(scale, 1e-300)))

    reference = {f"c_{k}": _rel(dcs[k], ref_c[k]) for k in range(T + 1)}
    reference.update({f"h_{k}": _rel(dhs[k], ref_h[k]) for k in range(T + 1)})
    reference.update({name: _rel(grads[name], ref.dparams[name]) for name in params})
    fd_note = (f"the package's backward agrees with central differences to {central[worst_fd]:.1g} "
               f"(relative, worst: ∂{LOSS}/∂{worst_fd})")
    scale_c, scale_h = np.max(np.abs(ref_c)), np.max(np.abs(ref_h))
    for k in range(T, -1, -1):
        pairs = (("c", dcs[k], ref_c[k], scale_c), ("h", dhs[k], ref_h[k], scale_h))
        wrong = [q for q, mine, theirs, scale in pairs if off(mine, theirs, scale)]
        if wrong:
            name = " and ".join(f"∂{LOSS}/∂{q}_{k}" for q in wrong)
            where = ("your starting values dcs[T], dhs[T] (they must be dc_T, dh_T)" if k == T
                     else f"made at step t = {k + 1} of your loop")
            right = [q for q in "ch" if q not in wrong]
            lines = [
                f"Not yet: {name} {'is' if len(wrong) == 1 else 'are'} off, the first quantity that differs "
                f"going back from T = {T} ({where}).",
            ]
            for q in wrong:
                mine, theirs = (dcs[k], ref_c[k]) if q == "c" else (dhs[k], ref_h[k])
                lines.append(f"  yours ∂{LOSS}/∂{q}_{k} = {np.array2string(mine, precision=4)}, "
                             f"reference {np.array2string(theirs, precision=4)}")
            if right and k < T:
                lines.append(f"  ∂{LOSS}/∂{right[0]}_{k} is right there, so look at the line that gives "
                             f"∂{LOSS}/∂{wrong[0]}_{{t-1}}" + (" (does it keep the carousel term f ⊙ dc?)."
                                                         if wrong == ["c"] else "."))
            if k < T:
                lines.append(_one_step_hint(student, n, cell.m, seed, rtol))
            return BackwardCheck(False, "\n".join(lines), reference, central)
    bad = [name for name in params if off(grads[name], ref.dparams[name], np.max(np.abs(ref.dparams[name])))]
    if bad:
        hint = _one_step_hint(student, n, cell.m, seed, rtol, "look at how they add up over the steps")
        words = ", ".join(f"{name} ({reference[name]:.2g})" for name in bad)
        gates = sorted({name[-1] for name in bad})
        return BackwardCheck(
            False,
            f"Not yet: every ∂{LOSS}/∂c_k and ∂{LOSS}/∂h_k is right, but these parameter gradients are off "
            f"(relative error): {words}, of gate(s) {', '.join(gates)}; each is a sum over the steps "
            "(+=, one term per step).\n" + hint,
            reference, central,
        )
    worst = max(reference.values())
    return BackwardCheck(
        True,
        f"Correct: ∂{LOSS}/∂c_k and ∂{LOSS}/∂h_k at every k = 0..{T} and all {len(params)} parameter "
        f"gradients equal the package's backward (largest relative difference {worst:.1g}); {fd_note}.",
        reference, central,
    )
