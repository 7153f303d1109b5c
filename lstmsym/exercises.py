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

Symbols are matched to the derivation's by name, the way they print: ``sp.Symbol("f_t")``,
``sp.Symbol("f_{t}")`` and ``sp.Symbol("f_{t}", real=True)`` are all the derivation's :math:`f_t`
(SymPy treats symbols with different assumptions as different, which a student cannot see).

>>> print(check_answer(sp.Symbol("f_t"), expected))
Correct: your answer equals the derived f_{t}.

Where two symbols are tied by the cell (the coupled LSTM's keep gate is :math:`f_t = 1 - i_t`), pass the
tie as ``relations``: it is substituted into the answer and the derivation alike, so either way of writing
is accepted.

>>> i = sp.Symbol("i_{t}")
>>> print(check_answer(1 - i, expected, relations={f: 1 - i}))
Correct: your answer equals the derived f_{t}.

When the two differ only far down, the message says how far they agree:

>>> print(check_answer(0.7500001, sp.Rational(3, 4)))
Not equal. Your answer is 0.7500001; the derivation's value is smaller (they agree to 6 significant digits).

A derivation that is a number is never printed in the verdict (in a graded exercise it would be the answer):
the message says only whether the value is larger or smaller, and how many significant digits agree.

>>> print(check_answer(0, 1))
Not equal. Your answer is 0; the derivation's value is larger.

An answer still at its stub ``None`` is not an error: the verdict says it is not answered yet (and counts as
wrong), so a notebook runs top to bottom before anything is answered.

>>> print(check_answer(None, expected))
Not answered yet: replace None by your answer and run the cell again.

In a notebook, show the result itself (``display(check_answer(...))`` or as a cell's last line) rather
than printing it: JupyterLab then renders the same message with its formulas in LaTeX.

>>> check_answer(1 - f, expected)._repr_markdown_()
'Not equal. At $f_{t} = 0.54$ your answer is 0.46 but the derivation gives 0.54.'
"""

from __future__ import annotations

import numbers
import random
from dataclasses import dataclass

import mpmath
import sympy as sp

from .errors import LstmsymError

__all__ = [
    "NOT_ANSWERED",
    "AnswerCheck",
    "StepMapComparison",
    "check_answer",
    "check_cell",
    "check_that",
    "compare_step_maps",
    "score",
    "symbol_key",
]


@dataclass(frozen=True, repr=False)
class AnswerCheck:
    """The verdict: ``correct``, a plain-text ``message`` (what ``print`` shows) and the same message in
    Markdown with its formulas as LaTeX (``markdown``; what JupyterLab shows for the object itself)."""

    correct: bool
    message: str
    markdown: str = ""

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        return self.markdown or self.message

    def __bool__(self) -> bool:
        return self.correct


NOT_ANSWERED = AnswerCheck(
    False,
    "Not answered yet: replace None by your answer and run the cell again.",
    "Not answered yet: replace `None` by your answer and run the cell again.",
)
"""The verdict on an answer still at its stub ``None``: not correct, and not an error."""


def _entry(value: object, name: str) -> sp.Expr:
    """One entry of an answer: a SymPy expression or a plain number; text is refused, never parsed."""
    if isinstance(value, str):
        raise LstmsymError(
            f"{name} must be a SymPy expression, not a string (text is never evaluated): build it from "
            'symbols, e.g. f = sp.Symbol("f_{t}"); answer = f * (1 - f)'
        )
    if value is None:
        raise LstmsymError(f"{name} is None: replace None by your answer (a SymPy expression or a number)")
    if isinstance(value, bool) or (
        isinstance(value, sp.logic.boolalg.Boolean) and not isinstance(value, sp.Expr)
    ):
        raise LstmsymError(
            f"{name} must be a SymPy expression or a number, got the truth value {value!r}: "
            "give the expression itself, not a comparison"
        )
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr):
            raise LstmsymError(
                f"{name} must be a SymPy expression, got a {type(value).__name__} ({value}): "
                "give the expression itself (for an equation lhs = rhs, give rhs)"
            )
        return value
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return sp.sympify(float(value) if not isinstance(value, numbers.Integral) else int(value))
    if isinstance(value, numbers.Complex):
        return sp.sympify(complex(value))
    raise LstmsymError(f"{name} must be a SymPy expression or Matrix, got {type(value).__name__}")


def _as_matrix(value: object, name: str) -> sp.Matrix:
    if isinstance(value, sp.MatrixBase):
        return sp.Matrix(value)
    if hasattr(value, "__array__") and not isinstance(value, sp.Basic):  # a NumPy array or scalar
        import numpy as np

        array = np.asarray(value)
        if array.ndim > 2:
            raise LstmsymError(
                f"{name} must be a scalar, vector or matrix, got an array of shape {array.shape}"
            )
        rows = array.reshape(1, 1) if array.ndim == 0 else array.reshape(-1, 1) if array.ndim == 1 else array
        return sp.Matrix([[_entry(v.item() if hasattr(v, "item") else v, name) for v in row] for row in rows])
    if isinstance(value, list | tuple):
        rows = [list(r) if isinstance(r, list | tuple) else [r] for r in value]
        if not rows or any(len(r) != len(rows[0]) for r in rows) or not rows[0]:
            raise LstmsymError(
                f"{name}: a list must be a non-empty column [a, b] or rows of equal length [[a, b], [c, d]]"
            )
        if any(isinstance(v, list | tuple) for r in rows for v in r):
            raise LstmsymError(f"{name}: lists nest at most two deep (rows of entries)")
        return sp.Matrix([[_entry(v, name) for v in r] for r in rows])
    return sp.Matrix([[_entry(value, name)]])


def symbol_key(symbol: sp.Symbol) -> str:
    r"""How a symbol prints in LaTeX, whatever its assumptions: the name a student sees.

    >>> symbol_key(sp.Symbol("f_3")) == symbol_key(sp.Symbol("f_{3}", real=True)) == "f_{3}"
    True
    >>> symbol_key(sp.Symbol("lambda_1"))
    '\\lambda_{1}'
    """
    return sp.latex(sp.Symbol(symbol.name)).replace(" ", "")


def _rename(a: sp.Matrix, e: sp.Matrix) -> sp.Matrix:
    """``a`` with each of its symbols replaced by the derivation's symbol of the same name (as printed).

    The exact name wins; otherwise a symbol whose LaTeX form matches exactly one of the derivation's."""
    by_name: dict[str, list[sp.Symbol]] = {}
    by_key: dict[str, list[sp.Symbol]] = {}
    for s in e.free_symbols:
        by_name.setdefault(s.name, []).append(s)
        by_key.setdefault(symbol_key(s), []).append(s)
    swap = {}
    for s in a.free_symbols:
        if s in e.free_symbols or not isinstance(s, sp.Symbol):
            continue
        match = by_name.get(s.name) or by_key.get(symbol_key(s)) or []
        if len(match) == 1:
            swap[s] = match[0]
    return a.xreplace(swap) if swap else a


def _fmt(x) -> str:
    return mpmath.nstr(x, 6)


def _how_it_differs(x, y) -> str:
    """Larger or smaller, and the significant digits two different numbers share (never ``y`` itself).

    >>> _how_it_differs(mpmath.mpf("0.7500001"), mpmath.mpf("0.75"))
    "the derivation's value is smaller (they agree to 6 significant digits)."
    >>> _how_it_differs(0, 1), _how_it_differs(1.25, 0.75)
    ("the derivation's value is larger.", "the derivation's value is smaller.")
    """
    side = "larger" if y > x else "smaller"
    same = 0
    if y != 0:
        same = max(0, int(mpmath.floor(-mpmath.log10(abs(mpmath.mpf(x) - y) / abs(y)))))
    agree = f" (they agree to {same} significant digit{'s' if same > 1 else ''})" if same else ""
    return f"the derivation's value is {side}{agree}."


def _fmt_pair(x, y) -> tuple[str, str]:
    """``x`` and ``y`` to 6 significant digits, or to as many more (up to 20) as it takes to tell them apart.

    >>> _fmt_pair(mpmath.mpf("0.7500001"), mpmath.mpf("0.75")), _fmt_pair(1, 2)
    (('0.7500001', '0.75'), ('1', '2'))
    """
    for digits in range(6, 21):
        sx, sy = mpmath.nstr(x, digits), mpmath.nstr(y, digits)
        if sx != sy:
            return sx, sy
    return sx, sy


def _tie(m: sp.Matrix, relations: dict) -> sp.Matrix:
    """``m`` with every symbol named like a key of ``relations`` (as printed) replaced by that key's value."""
    by_key = {symbol_key(k): v for k, v in relations.items()}
    swap = {
        s: by_key[symbol_key(s)]
        for s in m.free_symbols
        if isinstance(s, sp.Symbol) and symbol_key(s) in by_key
    }
    return m.xreplace(swap) if swap else m


def _tex(x: sp.Basic) -> str:
    """Inline LaTeX of an expression or symbol, for the Markdown message."""
    return f"${sp.latex(x)}$"


def _has_decimals(m: sp.Matrix) -> bool:
    return any(x.atoms(sp.Float) for x in m)


def check_answer(
    answer: object, expected: object, points: int = 3, seed: int = 0, relations: dict | None = None
) -> AnswerCheck:
    """Whether ``answer`` equals ``expected``: first exactly (SymPy), then at random points (40 digits).

    ``answer``: a SymPy expression or Matrix, a number, a NumPy array, or a list (a column ``[a, b]`` or
    rows ``[[a, b], [c, d]]``); never a string. Its symbols are matched to the derivation's by name as
    printed (:func:`symbol_key`), so assumptions such as ``real=True`` do not matter. An answer written
    with decimals (``0.73``) is compared to 12 significant digits, an exact one to 30.

    ``relations``: ties between symbols, ``{symbol: expression}`` (e.g. ``{f_1: 1 - i_1}`` for the coupled
    LSTM), substituted into the answer and the derivation before they are compared; keys are matched by name
    as printed.

    The message says what differs: a shape, a symbol that the derivation does not use, or the
    values at a point where the two disagree (to as many digits as it takes to show the difference).
    ``None`` (the stub of an exercise nobody answered yet) gives :data:`NOT_ANSWERED`.
    """
    if answer is None:
        return NOT_ANSWERED
    a, e = _as_matrix(answer, "answer"), _as_matrix(expected, "expected")
    original = e  # what the messages show: the derivation as it was given, before any tie
    if relations is not None:
        if not isinstance(relations, dict) or not all(isinstance(k, sp.Symbol) for k in relations):
            raise LstmsymError(
                "relations must be a dict {symbol: expression}, e.g. "
                f"{{sp.Symbol('f_1'): 1 - sp.Symbol('i_1')}}, got {relations!r}"
            )
        rel = {k: sp.sympify(v) for k, v in relations.items()}
        a, e = _tie(a, rel), _tie(e, rel)
    if a.shape != e.shape:
        text = (
            f"Wrong shape: your answer is {a.shape[0]}×{a.shape[1]}, "
            f"the derivation is {e.shape[0]}×{e.shape[1]}."
        )
        return AnswerCheck(False, text, text)
    a = _rename(a, e)
    extra = a.free_symbols - e.free_symbols
    if extra:
        names = ", ".join(sorted(map(str, extra)))
        known = ", ".join(sorted(map(str, e.free_symbols))) or "none (it is a number)"
        tex_names = ", ".join(_tex(x) for x in sorted(extra, key=str))
        tex_known = ", ".join(_tex(x) for x in sorted(e.free_symbols, key=str)) or "none (it is a number)"
        return AnswerCheck(
            False,
            f"Your answer uses {names}, which the derivation does not contain. Its symbols: {known}.",
            f"Your answer uses {tex_names}, which the derivation does not contain. Its symbols: {tex_known}.",
        )
    shown = str(original[0, 0]) if original.shape == (1, 1) else "matrix"
    tex_shown = _tex(original[0, 0] if original.shape == (1, 1) else original)
    if all(sp.expand(x - y) == 0 for x, y in zip(a, e, strict=True)):
        return AnswerCheck(
            True,
            f"Correct: your answer equals the derived {shown}.",
            f"Correct: your answer equals the derived {tex_shown}.",
        )
    decimals = _has_decimals(a) and not _has_decimals(e)
    digits = 12 if decimals else 30
    symbols = sorted(e.free_symbols, key=str)
    fa = sp.lambdify(symbols, list(a), "mpmath")
    fe = sp.lambdify(symbols, list(e), "mpmath")
    rnd = random.Random(seed)
    with mpmath.workdps(40):
        for _ in range(points if symbols else 1):
            at = [mpmath.mpf(rnd.randint(5, 95)) / 100 for _ in symbols]
            va, ve = fa(*at), fe(*at)
            for j, (x, y) in enumerate(zip(va, ve, strict=True)):
                if abs(x - y) > mpmath.mpf(10) ** -digits * (1 + abs(y)):
                    pairs = list(zip(symbols, at, strict=True))
                    where = ", ".join(f"{s} = {_fmt(v)}" for s, v in pairs)
                    tex_where = ", ".join(f"${sp.latex(s)} = {_fmt(v)}$" for s, v in pairs)
                    where = f"At {where} your" if where else "Your"
                    tex_where = f"At {tex_where} your" if pairs else "Your"
                    entry = "" if len(va) == 1 else f" (entry {divmod(j, e.shape[1])})"
                    sx, sy = _fmt_pair(x, y)
                    rest = f" answer is {sx}{entry} but the derivation gives {sy}."
                    if not pairs:  # a number: its value would be the answer, so say only how it differs
                        rest = f" answer is {sx}{entry}; {_how_it_differs(x, y)}"
                    return AnswerCheck(False, f"Not equal. {where}{rest}", f"Not equal. {tex_where}{rest}")
    if decimals:
        lead = "Correct to 12 significant digits: your answer (with decimals) equals the derived"
        return AnswerCheck(True, f"{lead} {shown}.", f"{lead} {tex_shown}.")
    where = f"at {points} random points" if symbols else "to 40 digits"
    tail = f"(checked {where}; SymPy could not show it exactly)."
    return AnswerCheck(
        True,
        f"Correct: your answer equals the derived {shown} {tail}",
        f"Correct: your answer equals the derived {tex_shown} {tail}",
    )


def check_that(answer: object, correct, hint) -> AnswerCheck:
    """The verdict on an answer that is not a formula (a count, a tuple, a number within a tolerance).

    ``correct(answer)`` says whether it is right; ``hint`` is shown when it is not (a string, or a function
    of the answer that returns one, to say what is wrong with this answer). ``None`` (the stub) gives
    :data:`NOT_ANSWERED`, and an answer that ``correct`` cannot even handle (a string where a number belongs)
    is wrong, with the reason, rather than an error.

    >>> print(check_that(22, lambda a: a == 22, "solve 0.9^L < 1e-6 for L"))
    Correct.
    >>> print(check_that(21, lambda a: a == 22, "solve 0.9^L < 1e-6 for L"))
    Not yet: solve 0.9^L < 1e-6 for L
    >>> print(check_that("22", lambda a: a + 1 == 23, "a number"))
    Not yet: a number (checking your answer failed: TypeError: can only concatenate str (not "int") to str)
    >>> print(check_that(0.5, lambda a: a < 0.1, lambda a: f"{a} is not below 0.1"))
    Not yet: 0.5 is not below 0.1
    >>> check_that(None, lambda a: a == 22, "a whole number") is NOT_ANSWERED
    True
    """
    if not callable(correct):
        raise LstmsymError(
            f"correct must be a function of the answer returning True or False, got {correct!r}"
        )
    if answer is None:
        return NOT_ANSWERED
    if callable(hint):
        try:
            hint = hint(answer)
        except Exception as error:
            hint = f"(no hint for this answer: {type(error).__name__}: {error})"
    try:
        ok = bool(correct(answer))
    except Exception as error:  # the student's answer, not this function, is at fault: say why
        text = f"Not yet: {hint} (checking your answer failed: {type(error).__name__}: {error})"
        return AnswerCheck(False, text, text)
    if ok:
        return AnswerCheck(True, "Correct.", "Correct.")
    text = f"Not yet: {hint}"
    return AnswerCheck(False, text, text)


def score(**checks: object) -> int:
    """Show each check's verdict and return the points earned: 1 for each check that is correct.

    The autograded test cell of a notebook exercise ends with ``score(answer_1=check_answer(...))``: nbgrader
    reads the number the cell returns as the points it earns (partial credit, out of the cell's ``points``,
    which is the number of checks). It never raises for an unanswered exercise, so the student edition runs
    top to bottom with every stub left as it is; the unanswered check earns 0.

    ``checks``: answer name -> verdict (an :class:`AnswerCheck`, or anything with ``bool`` and ``str``, such
    as :func:`lstmsym.numerics.backward_check.check_backward`'s result).

    >>> score(answer_1=check_answer(1, sp.Integer(1)), answer_1b=check_answer(None, sp.Integer(2)))
    answer_1: Correct: your answer equals the derived 1.
    answer_1b: Not answered yet: replace None by your answer and run the cell again.
    1 of 2 points
    1
    """
    if not checks:
        raise LstmsymError(
            "score needs at least one check, e.g. score(answer_1=check_answer(answer_1, expected))"
        )
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is installed with the notebooks extra
        shell = None
    earned = 0
    for name, check in checks.items():
        earned += int(bool(check))
        if shell is not None and hasattr(check, "_repr_markdown_"):
            display(Markdown(f"`{name}`: {check._repr_markdown_()}"))
        else:
            print(f"{name}: {check}")
    total = len(checks)
    print(f"{earned} of {total} point{'s' if total != 1 else ''}")
    return earned


@dataclass(frozen=True)
class StepMapComparison:
    """What :func:`compare_step_maps` found: ``same`` (one matching of names makes the two steps equal at
    every random point), the matching it used or came closest with (``states``, ``parameters``: the first
    cell's name -> the second's), the second cell's states whose new value differs under that matching
    (``differing``) and, when no matching of names exists at all, why (``reason``)."""

    same: bool
    states: dict[str, str]
    parameters: dict[str, str]
    differing: tuple[str, ...] = ()
    reason: str = ""


def _sized(cell: object):
    """``cell`` (a registered name or a Cell) rebuilt at n = 2, m = 3, where a weight on a state, a weight
    on the input and a bias all have different shapes."""
    from .cells.registry import make_cell

    if isinstance(cell, str):
        return make_cell(cell, n=2, m=3)
    options = dict(getattr(cell, "options", {}) or {})
    return type(cell)(2, 3, **options)


def compare_step_maps(
    cell: object, intended: object, points: int = 4, seed: int = 0, tol: float = 1e-9, limit: int = 20000
) -> StepMapComparison:
    """Whether ``cell`` computes the same step as ``intended``, whatever either calls its states, rules and
    parameters: both are compiled (at n = 2, m = 3) and run one step from the same random previous state,
    input and parameters, at ``points`` random points, under every matching of state names and of
    parameters of equal shape (at most ``limit`` matchings). How a rule is written does not matter (an extra
    intermediate rule, ``1 - f`` or σ(-b)); what each state's new value is, does. ``cell`` and ``intended``
    are registered names or Cell objects (a Cell need not be registered).

    >>> compare_step_maps("lstm", "lstm").same    # same names: matched by name at once
    True
    >>> from lstmsym.cells import make_cell
    >>> result = compare_step_maps(make_cell("lstm", coupled=True), "lstm")    # f = 1 - i: no W_f
    >>> result.same
    False
    >>> print(*result.reason.split("; "), sep=";" + chr(10))
    its parameters differ in shape: 3 of shape (n, n) where the intended cell has 4: W_f, W_g, W_i, W_o;
    3 of shape (n, m) where the intended cell has 4: U_f, U_g, U_i, U_o;
    3 of shape (n,) where the intended cell has 4: b_f, b_g, b_i, b_o
    >>> result = compare_step_maps("gru", "min_gru")
    >>> result.same, result.reason != "" or result.differing != ()
    (False, True)
    """
    import itertools

    import numpy as np

    from .numerics.compile import compile_cell

    a, e = _sized(cell), _sized(intended)
    if len(a.state_names) != len(e.state_names):
        return StepMapComparison(False, {}, {}, tuple(e.state_names),
                                 f"it has {len(a.state_names)} states {a.state_names}, the intended cell "
                                 f"{len(e.state_names)}: {e.state_names}")
    shape_a, shape_e = dict(a.param_shapes), dict(e.param_shapes)

    def spec(shape: tuple[int, ...]) -> str:
        inner = ", ".join({2: "n", 3: "m"}.get(s, str(s)) for s in shape)
        return f"({inner},)" if len(shape) == 1 else f"({inner})"

    groups_a: dict[tuple, list[str]] = {}
    groups_e: dict[tuple, list[str]] = {}
    for name, shape in shape_a.items():
        groups_a.setdefault(tuple(shape), []).append(name)
    for name, shape in shape_e.items():
        groups_e.setdefault(tuple(shape), []).append(name)
    if {k: len(v) for k, v in groups_a.items()} != {k: len(v) for k, v in groups_e.items()}:
        def names(k: tuple) -> str:
            return f": {', '.join(sorted(groups_e[k]))}" if groups_e.get(k) else ""

        parts = [f"{len(groups_a.get(k, []))} of shape {spec(k)} where the intended cell has "
                 f"{len(groups_e.get(k, []))}{names(k)}"
                 for k in sorted(set(groups_a) | set(groups_e), key=lambda k: (-len(k), k))
                 if len(groups_a.get(k, [])) != len(groups_e.get(k, []))]
        return StepMapComparison(False, {}, {}, (), "its parameters differ in shape: " + "; ".join(parts))
    keys = sorted(groups_e)
    # same-named matchings first, so a cell that uses the intended names is matched by name
    def orders(names_a: list[str], names_e: list[str]):
        first = sorted(names_a, key=lambda s: (s not in names_e, names_e.index(s) if s in names_e else 0, s))
        return itertools.permutations(first)

    ca, ce = compile_cell(a), compile_cell(e)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(points):
        params = {name: rng.normal(0.0, 1.0, size=shape) for name, shape in shape_e.items()}
        prev = {name: rng.normal(0.0, 1.0, size=e.n) for name in e.state_names}
        x = rng.normal(0.0, 1.0, size=e.m)
        new = ce.step(params, x, prev)[1]
        draws.append((params, prev, x, new))
    best: tuple[int, dict, dict, tuple] | None = None
    tried = 0
    for state_order in orders(list(a.state_names), list(e.state_names)):
        states = dict(zip(state_order, e.state_names, strict=True))
        for combo in itertools.product(*(orders(groups_a[k], groups_e[k]) for k in keys)):
            tried += 1
            if tried > limit:
                _, states, parameters, differing = best
                why = f"no matching of names among the first {limit} tried makes the steps equal"
                return StepMapComparison(False, states, parameters, differing, why)
            parameters = {na: ne for k, order in zip(keys, combo, strict=True)
                          for na, ne in zip(order, groups_e[k], strict=True)}
            differing: set[str] = set()
            for params, prev, x, new in draws:
                got = ca.step({na: params[ne] for na, ne in parameters.items()}, x,
                              {sa: prev[se] for sa, se in states.items()})[1]
                differing |= {se for sa, se in states.items()
                              if not np.allclose(got[sa], new[se], rtol=tol, atol=tol)}
                if len(differing) == len(states):
                    break
            agree = len(states) - len(differing)
            if best is None or agree > best[0]:
                best = (agree, states, parameters, tuple(s for s in e.state_names if s in differing))
            if not differing:
                return StepMapComparison(True, states, parameters)
    assert best is not None
    _, states, parameters, differing = best
    return StepMapComparison(False, states, parameters, differing)


def check_cell(answer: object, intended: object, hint: str = "") -> AnswerCheck:
    """The verdict on a "declare a cell" exercise: ``answer`` is the name the student registered the cell
    under, ``intended`` the cell the exercise asks for (a Cell, registered or not). Correct when the two
    compute the same step (:func:`compare_step_maps`): names of states, rules and parameters, and how a rule
    is written, do not matter. When they differ the message says what differs (a parameter count, which
    state's new value) and adds ``hint``.

    >>> print(check_cell("lstm", "lstm"))
    Correct: your cell computes the same step as the intended one (checked at 4 random points).
    >>> print(check_cell("gru", "lstm", hint="keep c and h"))
    Not yet: it has 1 states ('h',), the intended cell 2: ('c', 'h'). keep c and h
    >>> print(check_cell("no such cell", "lstm"))  # doctest: +ELLIPSIS
    Not yet: no cell is registered as 'no such cell' (the cells you registered: ...
    >>> check_cell(None, "lstm") is NOT_ANSWERED
    True
    """
    from .cells.registry import cell_names

    if answer is None:
        return NOT_ANSWERED
    tail = f" {hint}" if hint else ""
    if not isinstance(answer, str):
        text = f"Not yet: give the name you registered your cell under (a string), got {answer!r}.{tail}"
        return AnswerCheck(False, text, text)
    if answer not in cell_names():
        text = (f"Not yet: no cell is registered as {answer!r} (the cells you registered: "
                f"{', '.join(cell_names(builtin=False)) or 'none'}).{tail}")
        return AnswerCheck(False, text, text)
    try:
        result = compare_step_maps(answer, intended)
    except Exception as error:  # the student's cell cannot be compiled or run: say why
        text = f"Not yet: running one step of your cell failed ({type(error).__name__}: {error}).{tail}"
        return AnswerCheck(False, text, text)
    if result.same:
        text = "Correct: your cell computes the same step as the intended one (checked at 4 random points)."
        return AnswerCheck(True, text, text)
    if result.reason:
        text = f"Not yet: {result.reason}.{tail}"
    else:
        named = ", ".join(f"{s}_t" for s in result.differing)
        text = (f"Not yet: under every matching of your parameters to the intended ones, the new value of "
                f"{named} differs from the intended cell's at random points.{tail}")
    return AnswerCheck(False, text, text)
