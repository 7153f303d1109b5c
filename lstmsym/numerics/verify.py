"""Check a cell's derivatives three ways: symbolic (compiled), central differences, NumPy reference.

>>> from lstmsym.cells import make_cell
>>> result = verify_cell(make_cell("gru", n=2), T=3, seed=1)
>>> result.ok
True
>>> [c.status for c in result.checks][:2]
['pass', 'pass']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cells.base import Cell
from ..checks import whole_number
from . import reference
from .compile import compile_cell
from .gradcheck import Check, check_jacobian, compare_exact, report
from .params import init_params, random_sequence


@dataclass(frozen=True)
class Verification:
    """All checks for one cell on one random trajectory."""

    cell: Cell
    T: int
    checks: list[Check]

    @property
    def ok(self) -> bool:
        """No check failed (entries below the floor are reported, not counted as passes or failures)."""
        return all(c.status != "fail" for c in self.checks)

    def report(self) -> str:
        """Every check with its exact errors."""
        return f"{self.cell!r}, T = {self.T}\n" + report(self.checks)

    def summary(self) -> str:
        """Every check with its verdict and its largest error rounded up to a power of ten.

        Reproducible to the character across runs (the exact errors are float noise), which is
        what a notebook should print.
        """
        rows = [f"{self.cell!r}, T = {self.T}"]
        for c in self.checks:
            bound = "0" if c.max_abs_error == 0 else f"1e{int(np.ceil(np.log10(c.max_abs_error))):d}"
            rows.append(f"  {c.status:<5} {c.label}  (max abs error ≤ {bound})")
        return "\n".join(rows)


def _unstack(cell: Cell, s: np.ndarray) -> dict[str, np.ndarray]:
    n = cell.n
    return {name: s[j * n : (j + 1) * n] for j, name in enumerate(cell.state_names)}


def verify_cell(cell: Cell, T: int = 3, seed: int = 0, scale: float = 0.5) -> Verification:
    """Random parameters ~ N(0, scale²), inputs and initial state (seeded); every lag k = 0..T checked.

    Checks: the T-step Jacobians ∂s_T/∂s_k from the compiled symbolic step Jacobians against central
    differences of the compiled forward map, and against the independently written NumPy reference
    (total and direct paths); the reference's own backward pass (vector-Jacobian products) against
    the symbolic Jacobian's first row block.
    """
    T = whole_number("T", T)
    rng = np.random.default_rng(seed)
    params = init_params(cell, rng, scale=scale)
    for name in params:  # biases random too, so no derivative is zero by accident
        if name.startswith(("b", "d_")):
            params[name] = rng.normal(0.0, scale, size=params[name].shape)
    xs = random_sequence(cell, T, rng)
    s0 = rng.normal(0.0, scale, size=cell.state_size)
    state0 = _unstack(cell, s0)
    for name in getattr(cell, "positive_states", ()):  # e.g. the sLSTM's normaliser n (h = o c / n)
        state0[name] = np.abs(state0[name]) + 0.5
    compiled = compile_cell(cell)
    traj = compiled.run(params, xs, state0)
    symbolic = compiled.lag_jacobians(params, xs, state0)

    checks = []
    fd = [
        check_jacobian(
            f"∂s_T/∂s_k symbolic vs central diff., k={k}",
            symbolic[k],
            lambda s, k=k: compiled.run(params, xs[k:], _unstack(cell, s)).s[-1],
            traj.s[k],
        )
        for k in range(T)
    ]
    checks.append(_worst(fd, f"∂s_T/∂s_k symbolic vs central differences (k = 0..{T - 1})"))
    if not reference.has_hand_written(cell):  # a user's cell: no second implementation to compare with
        checks += _compiled_checks(cell, params, xs, state0, traj, symbolic, rng)
        return Verification(cell=cell, T=T, checks=checks)
    ref_total = reference.lag_jacobians(cell, params, xs, state0)
    checks.append(compare_exact("∂s_T/∂s_k symbolic vs NumPy reference, total", symbolic, ref_total))
    ref_direct = reference.lag_jacobians(cell, params, xs, state0, direct=True)
    sym_direct = compiled.lag_jacobians(params, xs, state0, path="direct")
    checks.append(compare_exact("∂s_T/∂s_k symbolic vs NumPy reference, direct", sym_direct, ref_direct))
    ref_traj = reference.forward(cell, params, xs, state0)
    checks.append(compare_exact("trajectory symbolic vs NumPy reference", traj.s, ref_traj.s))
    cotangent = rng.normal(size=cell.state_size)
    grads = reference.backward(cell, params, ref_traj, xs, cotangent)
    checks.append(
        compare_exact("backward (VJP) reference vs symbolic Jacobians", grads.ds, cotangent @ symbolic)
    )
    return Verification(cell=cell, T=T, checks=checks)


def _compiled_checks(cell: Cell, params, xs, state0, traj, symbolic, rng) -> list[Check]:
    """The checks of a cell without a hand-written reference, in the columns of the built-in ones.

    In place of the reference: ∂L/∂θ of the engine's reverse-mode backward pass against central differences
    in θ; the direct step Jacobians against central differences of the step with every gate held at its
    value; the compiled trajectory against SymPy's own evaluation of the rules (no lambdify, no CSE); the
    reverse-mode backward pass against the forward-mode symbolic Jacobians.
    """
    compiled = compile_cell(cell)
    flat = np.array(compiled.flat(params))
    T, N, n = len(xs), cell.state_size, cell.n
    cotangent = rng.normal(size=N)

    def loss(theta: np.ndarray) -> np.ndarray:
        run = compiled.run(compiled.unflat(theta), xs, state0)
        return np.array([cotangent @ run.s[-1]])

    ref_traj = reference.forward(cell, params, xs, state0)  # the compiled step behind reference's loops
    grads = reference.backward(cell, params, ref_traj, xs, cotangent)
    analytic = np.concatenate([grads.dparams[name].ravel() for name in cell.param_shapes])[None, :]
    checks = [check_jacobian("∂(ḡ·s_T)/∂θ reverse mode vs central differences", analytic, loss, flat)]

    gates = compiled.gate_symbols_order
    direct = []
    for t in range(1, T + 1):
        rec = {name: values[t - 1] for name, values in traj.quantities.items()}
        held = np.concatenate([rec[g] for g in gates]) if gates else np.zeros(0)
        prev = traj.s[t - 1]
        J = compiled.reference.jacobian(params, {}, xs[t - 1], _unstack(cell, prev), rec, direct=True)
        for a in range(len(cell.state_names)):
            rows = slice(a * n, (a + 1) * n)

            def block(v, rows=rows, prev=prev, t=t, held=held):
                s = prev.copy()
                s[rows] = v
                return compiled.held_step(flat, xs[t - 1], s, held)[rows]

            direct.append(check_jacobian("direct step", J[rows, rows], block, prev[rows]))
        off = J.copy()
        for a in range(len(cell.state_names)):
            off[a * n : (a + 1) * n, a * n : (a + 1) * n] = 0.0
        direct.append(compare_exact("direct step, other states held", off, np.zeros((N, N))))
    checks.append(_worst(direct, f"direct step Jacobians vs central differences, gates held (t = 1..{T})"))
    checks.append(compare_exact("trajectory compiled vs SymPy evaluation", traj.s, _sympy_run(cell, flat, xs,
                                                                                             traj.s[0])))
    checks.append(compare_exact("backward (VJP) reverse mode vs forward-mode Jacobians", grads.ds,
                                cotangent @ symbolic))
    return checks


def _sympy_run(cell: Cell, flat: np.ndarray, xs: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """The trajectory by substituting numbers into the rules, one after another, and evaluating with SymPy."""
    import sympy as sp

    step = cell.step("t")
    known = {sym: sp.Float(float(v), 30) for sym, v in zip(cell.param_symbols, flat, strict=True)}
    s, out = [float(v) for v in s0], [np.asarray(s0, dtype=float)]
    for x in xs:
        values = dict(known)
        values.update((sym, sp.Float(float(v), 30)) for sym, v in zip(step.prev_vector, s, strict=True))
        values.update((sym, sp.Float(float(v), 30)) for sym, v in zip(step.x, x, strict=True))
        for rule in step.rules:
            values.update(zip(rule.symbols, (e.xreplace(values).evalf(30) for e in rule.value), strict=True))
        s = [float(values[sym]) for sym in step.state_vector]
        out.append(np.array(s))
    return np.array(out)


def _worst(checks: list[Check], label: str) -> Check:
    """Summarise several checks as one line: the worst status and the largest errors."""
    order = {"fail": 0, "pass": 1, "below the finite-difference floor": 2}
    resolved = [c for c in checks if c.resolved]
    worst = min(checks, key=lambda c: order[c.status])
    status = worst.status if worst.status == "fail" or not resolved else "pass"
    return Check(
        label=label,
        status=status,
        max_abs_error=max(c.max_abs_error for c in checks),
        relative_error=max(c.relative_error for c in checks),
        resolved=sum(c.resolved for c in checks),
        total=sum(c.total for c in checks),
        floor=max(c.floor for c in checks),
    )
