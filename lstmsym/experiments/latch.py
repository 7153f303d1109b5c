r"""The Bengio-Simard-Frasconi (1994) latch: a tanh unit that stores a bit, and what that costs the gradient.

The unit a_t = w tanh(a_{t-1}) + u (a scalar RNN seen through its preactivation: a_t = w h_{t-1} + u
with h = tanh(a)) has fixed points a* = w tanh(a*) + u. One step multiplies a small change of the
state by the per-step factor

    ∂a_t/∂a_{t-1} = w (1 - tanh²(a_{t-1})).

A fixed point attracts nearby states when |factor| < 1 there. For u = 0 and w > 1 there are two such
attractors, symmetric about 0, and the unit can hold one bit: noise that pushes the state slightly
away is damped. But the same factor < 1 multiplies the gradient at every step spent near the
attractor, so ∂a_T/∂a_0 decays geometrically: storing a bit robustly means the gradient vanishes.

>>> [round(p.a, 6) for p in fixed_points(w=2.0)]               # a* = 2 tanh(a*)
[-1.915008, 0.0, 1.915008]
>>> [p.kind for p in fixed_points(w=2.0)]
['stable', 'unstable', 'stable']
>>> round(fixed_points(w=2.0)[2].factor, 6)                     # 2(1 - tanh²(a*)) < 1
0.166372
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..errors import LstmsymError

#: Default absolute tolerance (in a) to which fixed points are located by bisection.
TOL = 1e-12
#: A fixed point whose |factor| is within this of 1 is called "marginal" (neither attracting nor repelling
#: at first order; for w = 1, u = 0 the origin attracts, but only like 1/sqrt(t)).
MARGINAL = 1e-9


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise LstmsymError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value):
        raise LstmsymError(f"{name} must be finite, got {value!r}")
    return float(value)


def _steps(T: object) -> int:
    if isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 0:
        raise LstmsymError(f"T must be an int >= 0, got {T!r}")
    return int(T)


def step_factor(w: float, a: float | np.ndarray) -> float | np.ndarray:
    """The per-step factor ∂a_t/∂a_{t-1} = w (1 - tanh²(a_{t-1})), evaluated at ``a`` = a_{t-1}.

    >>> step_factor(3.0, 0.0)             # at a = 0 the slope of tanh is 1: the factor is w itself
    3.0
    """
    w = _real("w", w)
    out = w * (1.0 - np.tanh(np.asarray(a, dtype=np.float64)) ** 2)
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point a* = w tanh(a*) + u, its per-step factor w(1 - tanh²(a*)), and its kind:
    "stable" (|factor| < 1), "unstable" (> 1) or "marginal" (within ``MARGINAL`` of 1)."""

    a: float
    factor: float
    kind: str

    @property
    def stable(self) -> bool:
        return self.kind == "stable"


def fixed_points(w: float, u: float = 0.0, tol: float = TOL) -> list[FixedPoint]:
    """All fixed points of a ↦ w tanh(a) + u, in increasing order, each located to within ``tol``.

    Every fixed point lies in [u - |w|, u + |w|] (|tanh| < 1). That interval is scanned on a grid
    of 4001 points; each sign change of g(a) = w tanh(a) + u - a is refined by bisection until the
    bracket is shorter than ``tol``, and the midpoint is returned. A root where g touches 0 without
    changing sign (the tangency at a saddle-node bifurcation, e.g. w = 2 with u tuned to it) can be
    missed; everywhere else every root is found.

    >>> [p.a for p in fixed_points(w=0.5)]                         # a single attractor at 0
    [0.0]
    >>> fixed_points(w=0.5)[0].factor
    0.5
    >>> [(round(p.a, 4), p.kind) for p in fixed_points(w=1.5, u=1.0)]   # a bias can remove one
    [(2.4791, 'stable')]
    """
    w, u, tol = _real("w", w), _real("u", u), _real("tol", tol)
    if tol <= 0:
        raise LstmsymError(f"tol must be positive, got {tol!r}")

    def g(a):
        return w * np.tanh(a) + u - a

    grid = np.linspace(u - abs(w) - 1.0, u + abs(w) + 1.0, 4001)
    values = g(grid)
    roots = []
    for i in range(grid.size - 1):
        if values[i] == 0.0:
            roots.append(float(grid[i]))
        elif values[i] * values[i + 1] < 0:
            lo, hi, glo = grid[i], grid[i + 1], values[i]
            while hi - lo > tol:
                mid = 0.5 * (lo + hi)
                gm = g(mid)
                if gm == 0.0:
                    lo = hi = mid
                elif (gm < 0) == (glo < 0):
                    lo, glo = mid, gm
                else:
                    hi = mid
            roots.append(float(0.5 * (lo + hi)))
    out = []
    for a in roots:
        factor = step_factor(w, a)
        kind = (
            "marginal" if abs(abs(factor) - 1.0) <= MARGINAL else "stable" if abs(factor) < 1 else "unstable"
        )
        out.append(FixedPoint(a=a, factor=factor, kind=kind))
    return out


def trajectory(w: float, a0: float, T: int, u: float = 0.0) -> np.ndarray:
    """a_0, a_1, ..., a_T with a_t = w tanh(a_{t-1}) + u, (T+1,).

    >>> trajectory(2.0, a0=0.1, T=3).round(4)       # pushed away from the unstable 0 toward 1.915
    array([0.1   , 0.1993, 0.3935, 0.7487])
    """
    w, a, u, T = _real("w", w), _real("a0", a0), _real("u", u), _steps(T)
    out = np.empty(T + 1)
    out[0] = a
    for t in range(1, T + 1):
        out[t] = w * np.tanh(out[t - 1]) + u
    return out


def derivative(w: float, a0: float, T: int, u: float = 0.0) -> np.ndarray:
    """∂a_t/∂a_0 for t = 0..T along the trajectory from ``a0``: ∏_{s=1}^{t} w (1 - tanh²(a_{s-1})).

    >>> derivative(0.5, a0=0.0, T=3)                # at the fixed point 0 the factor is w: 0.5^t
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    a = trajectory(w, a0, T, u)
    return np.concatenate([[1.0], np.cumprod(step_factor(w, a[:-1]))])


def loglog_slope(w: float, a0: float, t1: int, t2: int, u: float = 0.0) -> float:
    """How fast ∂a_t/∂a_0 falls between steps t1 < t2, on log-log axes: log(|d_t2| / |d_t1|) / log(t2 / t1).

    A power law d_t ∝ t^p gives p at every t1, t2; a geometric decay d_t ∝ r^t gives
    (t2 - t1) log r / log(t2 / t1), which grows in size with t. For w = 1, u = 0 the marginal origin
    gives about -3/2 (d_t ∝ t^(-3/2)):

    >>> round(loglog_slope(1.0, a0=1.0, t1=500, t2=1000), 3)
    -1.495
    >>> round(loglog_slope(1.5, a0=1.0, t1=50, t2=100), 1)     # geometric: factor 0.394 per step
    -67.1
    """
    t1, t2 = _steps(t1), _steps(t2)
    if not 0 < t1 < t2:
        raise LstmsymError(f"t1 and t2 must satisfy 0 < t1 < t2, got t1={t1!r}, t2={t2!r}")
    d = np.abs(derivative(w, a0, t2, u))
    if d[t2] == 0.0 or d[t1] == 0.0:
        raise LstmsymError(f"the derivative underflows to 0 by t2={t2}: choose a smaller t2")
    return float(np.log(d[t2] / d[t1]) / np.log(t2 / t1))


def map_label(w: float, u: float = 0.0) -> str:
    r"""The latch map as a short title in math text: the "+ u" term only when u is not 0.

    >>> map_label(2.0), map_label(1.5, u=-0.25)
    ('$a \\mapsto 2\\,\\tanh(a)$', '$a \\mapsto 1.5\\,\\tanh(a) - 0.25$')
    """
    w, u = _real("w", w), _real("u", u)
    if u == 0.0:
        return rf"$a \mapsto {w:g}\,\tanh(a)$"
    return rf"$a \mapsto {w:g}\,\tanh(a) {'+' if u > 0 else '-'} {abs(u):g}$"


def _decade_ticks(ax, lowest: float) -> None:
    """Major y ticks every 1, 2, 5, 10, 25, 50, ... decades (at most 8) from 10^0 down past ``lowest``."""
    bottom = int(np.floor(np.log10(lowest)))
    if bottom >= 0:
        return
    step = next(k for k in (1, 2, 5, 10, 25, 50, 100, 200, 500) if -bottom / k <= 7)
    bottom = -step * int(np.ceil(-bottom / step))
    ax.set_yticks([10.0**e for e in range(0, bottom - 1, -step)])
    ax.set_ylim(10.0**bottom, 10.0 ** min(step, 2))


def symbolic_map() -> tuple[sp.Expr, sp.Symbol, sp.Symbol, sp.Symbol]:
    """The latch map w tanh(a) + u as a SymPy expression, with its symbols (a, w, u).

    >>> expr, a, w, u = symbolic_map()
    >>> sp.diff(expr, a)                            # the per-step factor
    w*(1 - tanh(a)**2)
    """
    a, w, u = sp.symbols("a w u", real=True)
    return w * sp.tanh(a) + u, a, w, u


def factor_at_fixed_point() -> sp.Expr:
    """The per-step factor at a fixed point, written without tanh: tanh(a*) = (a* - u)/w there.

    >>> factor_at_fixed_point()
    w*(1 - (a - u)**2/w**2)
    """
    expr, a, w, u = symbolic_map()
    return sp.diff(expr, a).subs(sp.tanh(a), (a - u) / w)


def plot_map(w: float, u: float = 0.0, ax=None):
    r"""The map a ↦ w tanh(a) + u (in the RNN's colour: the latch is a one-unit tanh RNN) against the
    diagonal; fixed points in black, filled (stable) or open (other), one legend entry per kind and factor
    (the two symmetric attractors ±a* of u = 0 share theirs).

    >>> from matplotlib.figure import Figure
    >>> ax = plot_map(2.0, ax=Figure().subplots())
    >>> ax.get_title()
    '$a \\mapsto 2\\,\\tanh(a)$'
    >>> ax.get_legend_handles_labels()[1][2:]
    ['stable $a^* = \\pm 1.915$, factor 0.166', 'unstable $a^* = 0$, factor 2']
    """
    w, u = _real("w", w), _real("u", u)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(4.2, 3.8))
    span = abs(w) + abs(u) + 1.0
    grid = np.linspace(-span, span, 400)
    from ..style import style

    ax.plot(grid, w * np.tanh(grid) + u, color=style("rnn").color, label=r"$w\,\tanh(a) + u$")
    ax.plot(grid, grid, color="0.5", ls=":", label="$a$ (diagonal)")
    groups: dict[tuple[str, str], list[float]] = {}  # (kind, factor as shown) -> the fixed points
    points = fixed_points(w, u)
    for p in points:
        groups.setdefault((p.kind, f"{p.factor:.3g}"), []).append(p.a)
    for (kind, factor), where in groups.items():
        stable = next(p.stable for p in points if p.kind == kind and f"{p.factor:.3g}" == factor)
        if len(where) == 2 and np.isclose(where[0], -where[1], rtol=1e-9, atol=1e-12):
            at = rf"\pm {abs(where[0]):.4g}"
        else:
            at = ", ".join(f"{a:.4g}" for a in where)
        ax.plot(
            where,
            where,
            "o",
            ms=8,
            color="black",
            mfc="black" if stable else "white",
            linestyle="none",
            label=f"{kind} $a^* = {at}$, factor {factor}",
        )
    ax.set_xlabel("$a_{t-1}$")
    ax.set_ylabel("$a_t$")
    ax.set_title(map_label(w, u))
    ax.legend(fontsize=8)
    return ax


def plot_derivative(
    ws: Sequence[float] = (0.5, 1.0, 1.5, 3.0), a0: float = 1.0, T: int = 100, u: float = 0.0, ax=None
):
    """|∂a_t/∂a_0| against t for each w, on a log y axis.

    >>> from matplotlib.figure import Figure
    >>> ax = plot_derivative(ax=Figure().subplots())
    >>> ax.get_yscale(), len(ax.get_lines())
    ('log', 4)
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.8))
    T = _steps(T)
    from ..style import markevery

    lowest = 1.0
    shades = _rnn_shades(len(ws))
    for j, w in enumerate(ws):
        d = np.abs(derivative(w, a0, T, u))
        ax.plot(
            np.arange(T + 1),
            d,
            color=shades[j],
            marker="os^vD<>ph*"[j % 10],
            markevery=markevery(T + 1, j),
            markersize=5,
            label=f"$w = {w:g}$",
        )
        lowest = min(lowest, float(d[d > 0].min()))
    ax.set_yscale("log")
    _decade_ticks(ax, lowest)
    ax.set_xlabel("steps $t$")
    ax.set_ylabel(r"$|\partial a_t / \partial a_0|$")
    rhs = r"w\,\tanh(a_{t-1})" + ("" if u == 0 else f" {'+' if u > 0 else '-'} {abs(u):g}")
    ax.set_title(f"latch $a_t = {rhs}$, from $a_0 = {a0:g}$")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def _rnn_shades(k: int) -> list[tuple[float, float, float]]:
    """``k`` shades of the RNN's colour (:mod:`lstmsym.style`), light to dark: one per weight w of the latch.

    >>> len(_rnn_shades(4)), _rnn_shades(4)[0] > _rnn_shades(4)[-1]    # lightest first
    (4, True)
    """
    from matplotlib.colors import to_rgb

    from ..style import style

    base = np.array(to_rgb(style("rnn").color))
    mix = np.linspace(-0.55, 0.45, k) if k > 1 else np.zeros(1)  # < 0: toward white, > 0: toward black
    return [tuple(np.where(m < 0, base + (1 - base) * -m, base * (1 - m)).tolist()) for m in mix]


def fixed_point_frame(ws: Sequence[float] = (0.5, 1.0, 1.5, 3.0), u: float = 0.0):
    """A pandas DataFrame, one row per fixed point a* of a ↦ w tanh(a) + u for each w: its kind and factor.

    >>> fixed_point_frame(ws=(0.5, 1.5)).round(4)
                   kind  factor
    w   a*
    0.5  0.0000  stable  0.5000
    1.5 -1.2878  stable  0.3943
         0.0000  unstable  1.5000
         1.2878  stable  0.3943
    """
    import pandas as pd

    rows = [(_real("w", w), p.a, p.kind, p.factor) for w in ws for p in fixed_points(w, u)]
    table = pd.DataFrame(rows, columns=["w", "a*", "kind", "factor"]).set_index(["w", "a*"])
    return table


def run_frame(ws: Sequence[float] = (0.5, 1.0, 1.5, 3.0), a0: float = 1.0, T: int = 100):
    """A pandas DataFrame, one row per w (u = 0): a_T from +a0 and from -a0, and ∂a_T/∂a_0 from +a0.

    The bit is stored if the two a_T differ in sign; ∂a_T/∂a_0 is what the gradient keeps of it after T steps.

    >>> run_frame(ws=(0.5, 1.0), T=10).round(4)
         a_10 from +1  a_10 from -1  ∂a_10/∂a_0
    w
    0.5        0.0007       -0.0007      0.0003
    1.0        0.3563       -0.3563      0.0409
    """
    import pandas as pd

    T, a0 = _steps(T), _real("a0", a0)
    rows = {}
    for w in ws:
        w = _real("w", w)
        rows[w] = [trajectory(w, a0, T)[-1], trajectory(w, -a0, T)[-1], derivative(w, a0, T)[-1]]
    columns = [f"a_{T} from {a0:+g}", f"a_{T} from {-a0:+g}", f"∂a_{T}/∂a_0"]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "w"
    return table


def slope_frame(
    ws: Sequence[float] = (1.0, 1.5),
    a0: float = 1.0,
    spans: Sequence[tuple[int, int]] = ((50, 100), (100, 200)),
):
    """A pandas DataFrame, one row per w: the log-log slope of ∂a_t/∂a_0 (:func:`loglog_slope`) over each
    span t1 → t2.

    A power law gives the same slope on every span; a geometric decay gives a slope that doubles when
    the span doubles.

    >>> slope_frame(ws=(1.0,), spans=((500, 1000),)).round(2)
         steps 500 → 1000
    w
    1.0             -1.5
    """
    import pandas as pd

    rows = {_real("w", w): [loglog_slope(w, a0, t1, t2) for t1, t2 in spans] for w in ws}
    columns = [f"steps {t1} → {t2}" for t1, t2 in spans]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "w"
    return table
