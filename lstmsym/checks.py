"""The argument checks every layer shares: each returns the value normalised or raises a clear error.

>>> whole_number("n", 3), whole_number("lag", 0, minimum=0)
(3, 0)
>>> positive_number("scale", 0.5)
0.5
>>> seed_tuple([0, 1])
(0, 1)
>>> whole_number("n", 1.5)
Traceback (most recent call last):
...
lstmsym.errors.LstmsymError: n must be a whole number >= 1, got 1.5
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from .errors import LstmsymError


def whole_number(name: str, value: object, minimum: int = 1) -> int:
    """An integer (Python or NumPy, not a bool) >= ``minimum``, returned as a plain int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise LstmsymError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def positive_number(name: str, value: object) -> float:
    """A finite real number > 0 (Python or NumPy, not a bool or a string), returned as a float."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not (math.isfinite(value) and value > 0)
    ):
        raise LstmsymError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def seed_tuple(seeds: Iterable[int]) -> tuple[int, ...]:
    """A non-empty sequence of seeds (ints), as a tuple of plain ints; a bare int is refused."""
    try:
        items = tuple(seeds)
    except TypeError:  # a bare int, or anything else that is not a sequence
        items = ()
    if not items or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) for s in items):
        raise LstmsymError(f"seeds must be a non-empty sequence of ints, got {seeds!r}")
    return tuple(int(s) for s in items)
