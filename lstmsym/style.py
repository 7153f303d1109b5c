r"""One look per configuration across every figure of the course, and log axes with ticks at round decades.

:data:`STYLES` is the table: for each cell and configuration (the RNN, the LSTM by keep-gate bias, the 1997
cell and its truncated gradient, the GRU by update-gate bias, the dense memory, the coupled LSTM, the readout
variants, and the route controls of the LSTM's memory gradient) one colour, one line style, one marker and a
legend label in math text that uses the course's gate names (keep, write, read). :func:`style` finds a
configuration by any of the labels the package and the notebooks write for it; :data:`PATH_LINESTYLES` says
how a path is drawn when the colour already names the configuration (total solid, direct path dashed, a
bound dotted). :func:`log_axis` puts a log scale on an axis with ticks at round decades (every 1, 2, 5,
10, 20, 25, 50, ... decades) written as powers of ten.

It imports only :mod:`lstmsym.errors`, and matplotlib only inside :func:`log_axis`, so it sits at the
bottom of the ladder: ``lstmsym.experiments`` and ``lstmsym.training`` both draw with it.

>>> s = style("lstm b_f=3")
>>> s.label, s.color, s.linestyle, s.marker
('LSTM, $b_f = 3$', '#08519c', '-', 's')
>>> style("LSTM, b_f = 3") is s and style("lstm, b_f = 3.0") is s   # as the notebooks write it
True
>>> style("lstm") is style("lstm b_f=1")                               # lstmsym's default keep-gate bias
True
>>> style("carousel").label
'carousel (direct path: $\\prod f$)'
>>> style("lstm b_f=3 readout=dense").label
'LSTM, $b_f = 3$, dense readout'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import LstmsymError

__all__ = [
    "PATH_LINESTYLES",
    "STYLES",
    "Style",
    "config_key",
    "line_kwargs",
    "log_axis",
    "markevery",
    "shades",
    "style",
    "style_or",
]


@dataclass(frozen=True)
class Style:
    """How one configuration is drawn: ``color`` (hex), ``linestyle`` (matplotlib), ``marker`` and ``label``
    (math text). ``key`` is the configuration's name in :data:`STYLES`."""

    key: str
    label: str
    color: str
    linestyle: Any
    marker: str

    def kwargs(self, path: str | None = None, label: str | None = None, **extra) -> dict:
        """Keyword arguments for ``ax.plot``: this style's colour and marker; the line style of ``path``
        (:data:`PATH_LINESTYLES`) when given, else this style's; ``label`` (default: this style's label).

        >>> style("rnn").kwargs(markevery=10)["marker"], style("rnn").kwargs(path="direct")["linestyle"]
        ('o', '--')
        """
        linestyle = self.linestyle if path is None else path_linestyle(path)
        out = {"color": self.color, "linestyle": linestyle, "marker": self.marker}
        out["label"] = label or self.label
        out.update(extra)
        return out


#: How a path is drawn when the colour names the configuration.
PATH_LINESTYLES: dict[str, Any] = {
    "total": "-",  # the full Jacobian of the unrolled state map (what backpropagation uses)
    "direct": "--",  # the weight-free term: gates and candidates held fixed
    "bound": ":",  # an upper bound (Pascanu's (gamma lambda_1)^(T-k), ||W_c||^L)
}


def path_linestyle(path: str) -> Any:
    """The line style of a path: "total", "direct" (also "carousel"), "bound".

    >>> path_linestyle("direct"), path_linestyle("carousel"), path_linestyle("total")
    ('--', '--', '-')
    """
    key = {"carousel": "direct", "measured": "total"}.get(path, path)
    if key not in PATH_LINESTYLES:
        raise LstmsymError(f"path={path!r} is not valid; expected one of: total, direct, carousel, bound")
    return PATH_LINESTYLES[key]


def _bias(value: float) -> str:
    return f"{value:g}"


# The keep-gate biases drawn in the course, light (keeps little) to dark (keeps much), one marker each.
_LSTM_BIASES = {
    0.0: ("#9ecae1", "v"),
    1.0: ("#4292c6", "o"),
    2.0: ("#2b7bba", "<"),
    3.0: ("#08519c", "s"),
    4.0: ("#08468a", ">"),
    5.0: ("#08306b", "D"),
    7.0: ("#2d004b", "h"),
    10.0: ("#000000", "*"),
}
# Readouts other than tanh: one colour each; the marker is the cell's (b_f = 1 "o", b_f = 3 "s", 1997 "P").
_READOUTS = {"sigmoid": "#17becf", "identity": "#bcbd22", "dense": "#8c564b"}
_TANH_READOUT = "#393b79"  # the LSTM's own readout, where readouts are compared (any b_f)


def _table() -> dict[str, Style]:
    rows: list[tuple[str, str, str, Any, str]] = [
        ("rnn", "RNN", "#d62728", "-", "o"),
        ("dense_memory", "dense memory ($c_t$ from one dense layer)", "#ff7f0e", "-", "s"),
        ("gru", "GRU, $b_z = 0$", "#9467bd", "-", "^"),
        ("gru b_z=3", "GRU, $b_z = 3$", "#54278f", "-", "v"),
        ("lstm coupled=true", "coupled LSTM ($f = 1 - i$)", "#e377c2", "-", "D"),
        ("lstm1997", r"LSTM 1997 (no keep gate, $f \equiv 1$)", "#2ca02c", "-", "P"),
        ("lstm1997 truncated", "LSTM 1997, truncated gradient", "#146614", "-", "X"),
        # route controls of the LSTM's total memory gradient (experiments.routes.ROUTE_CONTROLS)
        ("total", "total (full backpropagation)", "#000000", "-", ""),
        ("w_g=0", "$W_g = 0$ (re-run without the loop $c \\to h \\to g \\to c$)", "#e6550d", ":", "x"),
        ("w_g cut (backward)", "$W_g$ cut in the backward pass", "#fd8d3c", "-.", "+"),
        ("no recurrent weights", "no recurrent weights (re-run)", "#756bb1", (0, (5, 1, 1, 1, 1, 1)), "1"),
        ("truncated", "truncated gradient (1997)", "#31a354", (0, (1, 1)), "|"),
        ("carousel", r"carousel (direct path: $\prod f$)", "#3182bd", "--", ""),
        ("bound", r"bound $(\gamma\lambda_1)^{L}$", "#7f7f7f", ":", ""),
        # issue 13: depth (layer index in place of t) and the norm-preserving RNNs
        ("plain_deep", "plain deep tanh network", "#a50f15", "-", "o"),
        ("residual", "residual blocks ($h_l = h_{l-1} + F$)", "#41ab5d", "-", "P"),
        ("highway", "highway layers (carry gate $1 - T$)", "#6baed6", "-", "d"),
        ("orthogonal_rnn", "orthogonal RNN (Cayley $W$)", "#636363", "-", "o"),
        ("irnn", "IRNN (ReLU, $W = I$ at start)", "#8c6d31", "-", "^"),
    ]
    for b, (color, marker) in _LSTM_BIASES.items():
        rows.append((f"lstm b_f={_bias(b)}", f"LSTM, $b_f = {_bias(b)}$", color, "-", marker))
    rows.append(("readout=tanh", "tanh readout", _TANH_READOUT, "-", ""))
    for readout, color in _READOUTS.items():
        rows.append((f"readout={readout}", f"{readout} readout", color, "-", ""))
        rows.append((f"lstm b_f=1 readout={readout}", f"LSTM, $b_f = 1$, {readout} readout", color, "-", "o"))
        rows.append((f"lstm b_f=3 readout={readout}", f"LSTM, $b_f = 3$, {readout} readout", color, "-", "s"))
        rows.append((f"lstm1997 readout={readout}", f"LSTM 1997, {readout} readout", color, "-", "P"))
    return {key: Style(key, label, color, ls, marker) for key, label, color, ls, marker in rows}


#: configuration key -> :class:`Style` (keys as :func:`config_key` writes them).
STYLES: dict[str, Style] = _table()

# Other names of the same configurations (after config_key's normalisation).
_ALIASES = {
    "lstm": "lstm b_f=1",
    "lstm readout=tanh": "lstm b_f=1",
    **{f"lstm readout={r}": f"lstm b_f=1 readout={r}" for r in _READOUTS},
    "lstm b_f=1 readout=tanh": "lstm b_f=1",
    "lstm b_f=3 readout=tanh": "lstm b_f=3",
    "lstm1997 readout=tanh": "lstm1997",
    "lstm1997 gradient=truncated": "lstm1997 truncated",
    "gru b_z=0": "gru",
    "cifg": "lstm coupled=true",
    "coupled lstm": "lstm coupled=true",
    "dense memory": "dense_memory",
    "direct": "carousel",
    "direct path": "carousel",
}


def config_key(label: str) -> str:
    """A configuration's key from any way the course writes it: case, commas and spaces around "=" do not
    matter, "1.0" is "1", "dense memory" is "dense_memory", "X, tanh readout" is "X readout=tanh".

    >>> config_key("LSTM, b_f = 3.0"), config_key("lstm1997, identity readout"), config_key("W_g = 0")
    ('lstm b_f=3', 'lstm1997 readout=identity', 'w_g=0')
    """
    if not isinstance(label, str):
        raise LstmsymError(f"label must be a configuration's name (a string), got {type(label).__name__}")
    key = label.strip().lower().replace(",", " ")
    key = re.sub(r"\s*=\s*", "=", key)
    key = re.sub(r"=(-?\d+)\.0+\b", r"=\1", key)
    key = re.sub(r"\s+", " ", key).strip()
    key = re.sub(r"\b(tanh|sigmoid|identity|dense) readout\b", r"readout=\1", key)
    key = key.replace("dense memory", "dense_memory").replace("lstm 1997", "lstm1997")
    return _ALIASES.get(key, key)


def style(label: str) -> Style:
    """The :class:`Style` of a configuration, by any label the course writes for it (:func:`config_key`).

    >>> style("lstm coupled=True").label
    'coupled LSTM ($f = 1 - i$)'
    >>> style("lstm b_f=8")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lstmsym.errors.LstmsymError: no style for configuration 'lstm b_f=8' (key 'lstm b_f=8'); ...
    """
    key = config_key(label)
    if key not in STYLES:
        raise LstmsymError(
            f"no style for configuration {label!r} (key {key!r}); lstmsym.style.STYLES has: "
            + ", ".join(STYLES)
        )
    return STYLES[key]


# For lines that are not configurations (seeds, swept values such as λ1 or n): matplotlib's colours.
_FALLBACK_MARKERS = "os^vD<>ph*"


def style_or(label: str, index: int) -> Style:
    """:func:`style` when ``label`` is a configuration of the table, else the ``index``-th of matplotlib's
    colour cycle (solid, a marker of its own) with ``label`` as written.

    >>> style_or("lstm b_f=5", 0).color, style_or("seed 3", 2).color
    ('#08306b', 'C2')
    """
    try:
        return style(label)
    except ValueError:
        return Style(str(label), str(label), f"C{index % 10}", "-", _FALLBACK_MARKERS[index % 10])


def shades(config: str, count: int) -> list[str]:
    """``count`` shades of configuration ``config``'s colour (:func:`style`), light to dark: for lines of one
    cell that differ in a swept value (λ1, a seed), so that the cell keeps its colour across the course. The
    base colour is mixed with white (up to 55%) at the light end and with black (up to 35%) at the dark end;
    the middle shade (for an odd count) is the colour itself.

    >>> shades("rnn", 1), shades("rnn", 3)
    (['#d62728'], ['#ed9e9e', '#d62728', '#8b191a'])
    >>> shades("rnn", 0)
    Traceback (most recent call last):
    ...
    lstmsym.errors.LstmsymError: count must be a whole number >= 1, got 0
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise LstmsymError(f"count must be a whole number >= 1, got {count!r}")
    base = style(config).color.lstrip("#")
    rgb = [int(base[i : i + 2], 16) for i in (0, 2, 4)]
    out = []
    for j in range(count):
        u = 0.5 if count == 1 else j / (count - 1)
        t = -0.55 * (1 - 2 * u) if u < 0.5 else 0.35 * (2 * u - 1)  # < 0: towards white, > 0: towards black
        mixed = [v + (255 - v) * -t if t < 0 else v * (1 - t) for v in rgb]
        out.append("#" + "".join(f"{round(v):02x}" for v in mixed))
    return out


def line_kwargs(
    config: str,
    index: int = 0,
    path: str | None = None,
    npoints: int | None = None,
    label: str | None = None,
    **extra,
) -> dict:
    """``ax.plot`` keywords for one line of configuration ``config``: its style (:func:`style_or`, ``index``
    picks the fallback colour), the line style of ``path`` when given, markers spread over ``npoints`` points
    (:func:`markevery`; every other index with open markers), and ``label`` (default: the style's label).

    >>> kw = line_kwargs("gru", index=1, path="total", npoints=1001)
    >>> kw["color"], kw["linestyle"], kw["marker"], kw["markevery"], kw["label"]
    ('#9467bd', '-', '^', (42, 125), 'GRU, $b_z = 0$')
    """
    s = style_or(config, index)
    kw = s.kwargs(path=path, label=label, **extra)
    if npoints is not None and s.marker:
        kw.setdefault("markevery", markevery(npoints, index))
        kw.setdefault("markersize", 5)
        kw.setdefault("markerfacecolor", "none" if index % 2 else s.color)
    return kw


def markevery(npoints: int, index: int = 0, marks: int = 8) -> tuple[int, int]:
    """(first, step) for about ``marks`` markers over ``npoints`` points, the first shifted with ``index`` so
    that the markers of lines lying on top of each other fall at different places.

    >>> markevery(101, 0), markevery(101, 1), markevery(5, 3)
    ((0, 12), (5, 12), (0, 1))
    """
    step = max(1, npoints // marks)
    return ((index * (step // 3 + 1)) % step, step)


def coinciding(curves: dict, tolerance: float = 0.02) -> dict:
    """Which curves would be drawn almost on top of each other on a log axis: ``curves`` maps a name to log10
    values (one per lag, NaN not drawn); two are that close when they differ by at most ``tolerance`` of the
    whole plotted span (in decades) at every lag where both are finite. Close is not equal: on an axis of 200
    decades two curves 2.6 decades (a factor of 400) apart still look like one line. Returns name -> {name of
    a close curve: the largest gap between the two, in decades}, so that a legend can say how close.

    >>> coinciding({"a": [0.0, -100.0], "b": [0.0, -101.0], "c": [0.0, -50.0]})
    {'a': {'b': 1.0}, 'b': {'a': 1.0}}
    """
    import numpy as np

    values = {k: np.asarray(v, dtype=float) for k, v in curves.items()}
    finite = np.concatenate([v[np.isfinite(v)] for v in values.values()] or [np.zeros(1)])
    span = max(float(finite.max() - finite.min()), 1.0) if finite.size else 1.0
    out: dict = {}
    names = list(values)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            both = np.isfinite(values[a]) & np.isfinite(values[b])
            if both.sum() < 2:
                continue
            gap = float(np.max(np.abs(values[a][both] - values[b][both])))
            if gap <= tolerance * span:
                out.setdefault(a, {})[b] = gap
                out.setdefault(b, {})[a] = gap
    return out


def gap_note(gaps: dict) -> str:
    """The legend's note for a curve drawn almost on top of others: ``gaps`` maps each close curve's label to
    the largest gap in decades (from :func:`coinciding`). It says how close, not that they are the same.

    >>> gap_note({"GRU": 2.6123})
    ' (within 2.61 decades of GRU)'
    >>> gap_note({"a": 0.5, "b": 1.0})
    ' (within 0.5 decade of a; within 1 decade of b)'
    >>> gap_note({})
    ''
    """
    if not gaps:
        return ""
    parts = [f"within {g:.3g} {'decade' if g <= 1 else 'decades'} of {name}" for name, g in gaps.items()]
    return f" ({'; '.join(parts)})"


def _decade_step(low_exp: int, high_exp: int, max_ticks: int) -> int:
    span = max(high_exp - low_exp, 1)
    steps = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
    return next((k for k in steps if span / k <= max_ticks - 1), steps[-1])


def decade_ticks(vmin: float, vmax: float, max_ticks: int = 8) -> list[float]:
    """Ticks at round decades covering [vmin, vmax]: every 1, 2, 5, 10, 20, 25, 50, ... decades, at most
    ``max_ticks`` of them, at multiples of the step (10^0 is always one when it is in range).

    >>> decade_ticks(1e-273, 2.0)
    [1e-250, 1e-200, 1e-150, 1e-100, 1e-50, 1.0]
    >>> decade_ticks(1e-3, 10.0)
    [0.001, 0.01, 0.1, 1.0, 10.0]
    """
    lo, hi = sorted((float(vmin), float(vmax)))
    lo = max(lo, 1e-307)
    hi = max(hi, lo)
    lo_exp, hi_exp = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    if hi_exp < lo_exp:  # less than a decade: the decade below and above
        lo_exp, hi_exp = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    step = _decade_step(lo_exp, hi_exp, max_ticks)
    first = math.ceil(lo_exp / step) * step
    return [10.0**e for e in range(first, hi_exp + 1, step) if e >= -307]


def log_axis(ax, which: str = "y", max_ticks: int = 8) -> None:
    r"""A log scale on ``ax``'s x or y axis ("x", "y" or "both"), major ticks at round decades
    (:func:`decade_ticks`, recomputed whenever the limits change) written as powers of ten in math text;
    minor ticks at 2..9 only when the ticks are one decade apart.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> _ = ax.plot([0, 1000], [1.0, 1e-273])
    >>> log_axis(ax)
    >>> ax.set_ylim(1e-273, 2.0)[0] > 0, [f"{t:.0e}" for t in ax.get_yticks()][:3]
    (True, ['1e-250', '1e-200', '1e-150'])
    >>> ax.yaxis.get_major_formatter()(1e-50, 0)
    '$\\mathdefault{10^{-50}}$'
    """
    from matplotlib import ticker

    class DecadeLocator(ticker.Locator):
        def __call__(self):
            vmin, vmax = self.axis.get_view_interval()
            return self.tick_values(vmin, vmax)

        def tick_values(self, vmin, vmax):
            if not (vmax > 0):
                return []
            return decade_ticks(vmin if vmin > 0 else vmax * 1e-3, vmax, max_ticks)

    class MinorLocator(ticker.Locator):
        def __call__(self):
            vmin, vmax = self.axis.get_view_interval()
            return self.tick_values(vmin, vmax)

        def tick_values(self, vmin, vmax):
            major = decade_ticks(vmin if vmin > 0 else vmax * 1e-3, vmax, max_ticks) if vmax > 0 else []
            if len(major) >= 2 and major[1] / major[0] > 10.5:
                return []
            return ticker.LogLocator(subs=tuple(range(2, 10))).tick_values(vmin, vmax)

    if which not in ("x", "y", "both"):
        raise LstmsymError(f"which={which!r} is not valid; expected one of: 'x', 'y', 'both'")
    for name in ("x", "y") if which == "both" else (which,):
        axis = ax.xaxis if name == "x" else ax.yaxis
        (ax.set_xscale if name == "x" else ax.set_yscale)("log")
        axis.set_major_locator(DecadeLocator())
        axis.set_minor_locator(MinorLocator())
        axis.set_major_formatter(ticker.LogFormatterMathtext())
        axis.set_minor_formatter(ticker.NullFormatter())
