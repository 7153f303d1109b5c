r"""Check a student's answer to a derivation exercise: symbolically, then at random numeric points.

Answers are SymPy expressions (or matrices) built in the notebook, never strings: nothing here
parses or evaluates text.

>>> import sympy as sp
>>> from lstmsym.cells import make_cell
>>> from lstmsym.derivatives.step import jacobian_block
>>> f = sp.Symbol("f_{t}", real=True)
>>> expected = jacobian_block(make_cell("lstm"), "c", "c", path="direct")
>>> print(check_answer(f, expected))
Correct: your answer equals the derived f_{t}.
>>> print(check_answer(1 - f, expected))
Not equal. At f_{t} = 0.54 your answer is 0.46 but the derivation gives 0.54.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import mpmath
import sympy as sp

from .errors import LstmsymError


@dataclass(frozen=True)
class AnswerCheck:
    correct: bool
    message: str

    def __str__(self) -> str:
        return self.message

    def __bool__(self) -> bool:
        return self.correct


def _as_matrix(value: object, name: str) -> sp.Matrix:
    if isinstance(value, str):
        raise LstmsymError(
            f"{name} must be a SymPy expression, not a string: build it from the cell's symbols"
        )
    if isinstance(value, sp.MatrixBase):
        return sp.Matrix(value)
    if isinstance(value, sp.Basic | int | float):
        return sp.Matrix([[sp.sympify(value)]])
    raise LstmsymError(f"{name} must be a SymPy expression or Matrix, got {type(value).__name__}")


def _fmt(x) -> str:
    return mpmath.nstr(x, 6)


def check_answer(answer: object, expected: object, points: int = 3, seed: int = 0) -> AnswerCheck:
    """Whether ``answer`` equals ``expected``: first exactly (SymPy), then at random points (40 digits).

    The message says what differs: a shape, a symbol that the derivation does not use, or the
    values at a point where the two disagree.
    """
    a, e = _as_matrix(answer, "answer"), _as_matrix(expected, "expected")
    if a.shape != e.shape:
        return AnswerCheck(
            False,
            f"Wrong shape: your answer is {a.shape[0]}×{a.shape[1]}, "
            f"the derivation is {e.shape[0]}×{e.shape[1]}.",
        )
    extra = a.free_symbols - e.free_symbols
    if extra:
        names = ", ".join(sorted(map(str, extra)))
        return AnswerCheck(False, f"Your answer uses {names}, which the derivation does not contain.")
    shown = str(e[0, 0]) if e.shape == (1, 1) else "matrix"
    if all(sp.expand(x - y) == 0 for x, y in zip(a, e, strict=True)):
        return AnswerCheck(True, f"Correct: your answer equals the derived {shown}.")
    symbols = sorted(e.free_symbols, key=str)
    fa = sp.lambdify(symbols, list(a), "mpmath")
    fe = sp.lambdify(symbols, list(e), "mpmath")
    rnd = random.Random(seed)
    with mpmath.workdps(40):
        for _ in range(points):
            at = [mpmath.mpf(rnd.randint(5, 95)) / 100 for _ in symbols]
            va, ve = fa(*at), fe(*at)
            for j, (x, y) in enumerate(zip(va, ve, strict=True)):
                if abs(x - y) > mpmath.mpf(10) ** -30 * (1 + abs(y)):
                    where = ", ".join(f"{s} = {_fmt(v)}" for s, v in zip(symbols, at, strict=True))
                    entry = "" if len(va) == 1 else f" (entry {divmod(j, e.shape[1])})"
                    return AnswerCheck(
                        False,
                        f"Not equal. At {where} your answer is {_fmt(x)}{entry} "
                        f"but the derivation gives {_fmt(y)}.",
                    )
    return AnswerCheck(
        True,
        f"Correct: your answer equals the derived {shown} (checked at {points} random "
        "points; SymPy could not show it exactly).",
    )
