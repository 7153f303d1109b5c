r"""Symbol families, named by how they render in LaTeX.

A *time label* is either the generic ``"t"`` (the one-step equations a lecture writes, with
``"t-1"`` before it) or an integer step (``0, 1, 2, ...``) for unrolled sequences.

Vectors of size 1 are plain symbols (the scalar form students read first); larger vectors carry
a 1-based element index after the time label:

>>> vector("c", "t-1", 1)
Matrix([[c_{t-1}]])
>>> vector("f", 3, 2)
Matrix([
[f_{3,1}],
[f_{3,2}]])
>>> parameter("W_f", (2, 2))
Matrix([
[W_{f,11}, W_{f,12}],
[W_{f,21}, W_{f,22}]])
>>> parameter("b", (1,))
Matrix([[b]])
>>> previous("t"), previous(5)
('t-1', 4)
"""

from __future__ import annotations

import sympy as sp

from .errors import LstmsymError

TimeLabel = str | int


def previous(t: TimeLabel) -> TimeLabel:
    """The label of the step before ``t``: ``"t" -> "t-1"``, ``5 -> 4``."""
    if t == "t":
        return "t-1"
    if isinstance(t, int) and not isinstance(t, bool):
        return t - 1
    raise LstmsymError(f"time label {t!r} is not valid; expected 't' or an integer step")


def _split(name: str) -> tuple[str, str]:
    """``"W_f" -> ("W", "f")``, ``"b" -> ("b", "")``."""
    base, _, sub = name.partition("_")
    return base, sub


def _element(base: str, subscripts: list[str]) -> sp.Symbol:
    subs = ",".join(s for s in subscripts if s != "")
    return sp.Symbol(f"{base}_{{{subs}}}" if subs else base, real=True)


def vector(name: str, t: TimeLabel | None, n: int) -> sp.Matrix:
    """Column vector of ``n`` real symbols for quantity ``name`` at time label ``t`` (None: no time)."""
    base, sub = _split(name)
    time = "" if t is None else str(t)
    if n == 1:
        return sp.Matrix([_element(base, [sub, time])])
    return sp.Matrix([_element(base, [sub, time, str(j + 1)]) for j in range(n)])


def parameter(name: str, shape: tuple[int, ...]) -> sp.Matrix:
    """Symbols for a parameter: a (rows, cols) matrix or a (rows,) vector, returned as a Matrix."""
    base, sub = _split(name)
    if len(shape) == 1:
        return vector(name, None, shape[0])
    rows, cols = shape
    if rows == 1 and cols == 1:
        return sp.Matrix([_element(base, [sub])])
    sep = "" if max(rows, cols) < 10 else ","
    return sp.Matrix(rows, cols, lambda j, k: _element(base, [sub, f"{j + 1}{sep}{k + 1}"]))
