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
