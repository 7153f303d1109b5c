"""Gradient checks in float64: central differences, and comparisons reported one line per quantity.

A central difference has a noise floor: round-off in f(x ± eps) is about 2.2e-16·|f|, divided by
2·eps. A derivative whose true value is below that floor cannot be resolved, so such entries are
reported as *below the finite-difference floor*, never as verified.

>>> import numpy as np
>>> f = lambda v: np.array([np.sin(v[0]) * v[1], v[1] ** 2])
>>> x0 = np.array([0.3, -1.2])
>>> exact = np.array([[np.cos(0.3) * -1.2, np.sin(0.3)], [0.0, -2.4]])
>>> check = check_jacobian("toy", exact, f, x0)
>>> check.status
'pass'
>>> bool(check.relative_error < 1e-8)
True
>>> tiny = check_jacobian("vanished", np.full((1, 1), 1e-14), lambda v: 1e-14 * v, np.array([1.0]))
>>> tiny.status
'below the finite-difference floor'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Step for central differences (float64): truncation error ~ eps² f''' ≈ 1e-12, round-off ~ 1e-10·|f|.
EPS = 1e-6
#: A resolvable entry passes when |analytic - numeric| <= floor + RTOL * max(|analytic|, |numeric|).
RTOL = 1e-6
#: Symbolic against NumPy reference: both exact up to float64 round-off.
EXACT_RTOL, EXACT_ATOL = 1e-9, 1e-12
MACHINE_EPS = np.finfo(np.float64).eps


def central_differences(
    f: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, eps: float = EPS
) -> np.ndarray:
    """Jacobian of f at x0 by central differences: column j is (f(x0 + eps e_j) - f(x0 - eps e_j)) / 2eps."""
    x0 = np.asarray(x0, dtype=np.float64)
    cols = []
    for j in range(x0.size):
        step = np.zeros_like(x0)
        step.flat[j] = eps
        cols.append((np.ravel(f(x0 + step)) - np.ravel(f(x0 - step))) / (2 * eps))
    return np.stack(cols, axis=-1)


def cs231n_relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(1e-8, |a| + |b|), the relative error CS231n reports."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@dataclass(frozen=True)
class Check:
    """One comparison: what was compared, the errors, and the verdict."""

    label: str
    status: str  # "pass", "fail" or "below the finite-difference floor"
    max_abs_error: float
    relative_error: float  # CS231n's, over the well-resolved entries (at least 100x the floor)
    resolved: int  # entries above the floor
    total: int
    floor: float

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def line(self) -> str:
        detail = (
            f"{self.resolved}/{self.total} entries above floor {self.floor:.1e}" if self.floor else "exact"
        )
        return (
            f"{self.label:<44} {self.status:<34} max abs err {self.max_abs_error:.2e}  "
            f"rel err {self.relative_error:.2e}  ({detail})"
        )


def check_jacobian(
    label: str,
    analytic: np.ndarray,
    f: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    eps: float = EPS,
    rtol: float = RTOL,
) -> Check:
    """Compare an analytic Jacobian of f at x0 with central differences, with the floor made explicit."""
    numeric = central_differences(f, x0, eps)
    analytic = np.asarray(analytic, float).reshape(numeric.shape)
    scale = max(1.0, float(np.max(np.abs(f(np.asarray(x0, float))))))
    floor = 10 * MACHINE_EPS * scale / eps + eps**2  # round-off noise (×10 margin) plus truncation
    big = np.maximum(np.abs(analytic), np.abs(numeric))
    resolvable = big >= floor
    # the relative error of an entry just above the floor is mostly noise / entry; CS231n's figure
    # is reported over entries at least 100x the floor, where it measures the derivative itself
    well = big >= 100 * floor
    err = np.abs(analytic - numeric)
    if not resolvable.any():
        status = "below the finite-difference floor"
    elif np.all(err[resolvable] <= floor + rtol * big[resolvable]):
        status = "pass"
    else:
        status = "fail"
    return Check(
        label=label,
        status=status,
        max_abs_error=float(err.max(initial=0.0)),
        relative_error=cs231n_relative_error(analytic[well], numeric[well]),
        resolved=int(resolvable.sum()),
        total=int(resolvable.size),
        floor=floor,
    )


def compare_exact(label: str, a: np.ndarray, b: np.ndarray, rtol=EXACT_RTOL, atol=EXACT_ATOL) -> Check:
    """Two computations of the same exact quantity (e.g. symbolic and NumPy reference), up to round-off."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"{label}: shapes differ, {a.shape} vs {b.shape}")
    err = np.abs(a - b)
    ok = bool(np.all(err <= atol + rtol * np.maximum(np.abs(a), np.abs(b))))
    return Check(
        label=label,
        status="pass" if ok else "fail",
        max_abs_error=float(err.max(initial=0.0)),
        relative_error=cs231n_relative_error(a, b),
        resolved=a.size,
        total=a.size,
        floor=0.0,
    )


def report(checks: list[Check]) -> str:
    """One line per check, as a small table."""
    return "\n".join(c.line() for c in checks)
