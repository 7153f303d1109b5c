r"""Plots of the sweeps in :mod:`lstmsym.experiments.sweeps`, one call each, on a log y axis.

matplotlib is imported inside the functions, so ``import lstmsym`` stays light. Each function draws into
``ax`` when given (else a new figure), labels the axes, sets a title, and returns the Figure. Every cell and
configuration is drawn in its style of :mod:`lstmsym.style` (one colour and marker per configuration, the
path by line style: total solid, direct dashed, bound dotted), with ticks at round decades; curves that
would lie on top of each other say so in the legend. Norms below
:data:`FLOOR` (1e-300, near the end of the float range) are not drawn; the sweep still holds their log10.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from lstmsym.cells import make_cell
>>> from lstmsym.experiments.sweeps import seed_norms
>>> fig = plot_lag_norms(seed_norms(make_cell("rnn", n=4), T=30, seeds=range(3)))
>>> ax = fig.axes[0]
>>> ax.get_yscale(), ax.get_xlabel(), ax.get_legend().get_texts()[0].get_text()
('log', 'lag $L = T - k$', 'RNN, median')
>>> import matplotlib.pyplot as plt; plt.close(fig)
"""

from __future__ import annotations

import numpy as np

from ..errors import LstmsymError
from ..style import coinciding, gap_note, line_kwargs, log_axis, shades, style, style_or
from .sweeps import LagNorms, ParameterSweep, SeedNorms, short_label

__all__ = ["FLOOR", "plot_at_lag", "plot_lag_norms", "plot_sweep"]

#: Smallest norm drawn: values below it are left out of the line (the float range ends near 1e-308).
FLOOR = 1e-300
_PARAMETER_LABELS = {
    "cell": "cell",
    "forget_bias": "keep-gate bias $b_f$",
    "spectral_norm": r"largest singular value $\lambda_1$",
    "spectral_radius": r"spectral radius $\rho$",
    "hidden_size": "hidden size $n$",
    "input_scale": r"input scale $s$ ($x_t \sim N(0, s^2)$)",
}


def _norm_label(config: dict) -> str:
    """‖∂a_T/∂a_k‖ in mathtext, for the state and norm of ``config``."""
    state = config.get("state", "memory")
    a = {"c": "c", "h": "h"}.get(state, "m")
    sub = r"_2" if config.get("ord", 2) == 2 else r"_F"
    path = " (direct path)" if config.get("direct") else ""
    memory = " (m: c if the cell has it, else h)" if a == "m" else ""
    return rf"$\|\partial {a}_T/\partial {a}_k\|{sub}${path}{memory}"


def _axes(ax):
    import matplotlib.pyplot as plt  # here, not at module level: import lstmsym stays light

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    return ax.figure, ax


def _shown(log10_values: np.ndarray) -> np.ndarray:
    """10^values, with NaN (not drawn) where the norm is below FLOOR or exactly zero."""
    values = np.asarray(log10_values, dtype=np.float64)
    out = np.full(values.shape, np.nan)
    keep = values >= np.log10(FLOOR)
    out[keep] = 10.0 ** values[keep]
    return out


def _band(ax, lags, q1, median, q3, kw: dict):
    (line,) = ax.plot(lags, _shown(median), **kw)
    if q1 is not None:
        ax.fill_between(lags, _shown(q1), _shown(q3), color=line.get_color(), alpha=0.2, linewidth=0)
    return line


def _finish(ax, config: dict, title: str | None, default_title: str) -> None:
    log_axis(ax, "y")
    ax.set_xlabel("lag $L = T - k$")
    ax.set_ylabel(_norm_label(config))
    ax.set_title(title if title is not None else default_title)
    ax.grid(True, which="major", alpha=0.3)


def plot_lag_norms(result: LagNorms | SeedNorms, ax=None, label: str | None = None, title: str | None = None):
    """One run's norms against the lag (:class:`LagNorms`), or the median over seeds with the quartile band
    (:class:`SeedNorms`). Returns the Figure."""
    if not isinstance(result, LagNorms | SeedNorms):
        raise LstmsymError(f"result must be a LagNorms or SeedNorms, got {type(result).__name__}")
    fig, ax = _axes(ax)
    cell = short_label(result.config.get("cell", ""))
    name = style_or(cell, 0).label
    npoints = len(result.lags)
    if isinstance(result, LagNorms):
        kw = line_kwargs(cell, path="total", npoints=npoints, label=label or name)
        _band(ax, result.lags, None, result.log10_norms, None, kw)
        default = f"{name}: one run, $T = {result.lags[-1]}$"
    else:
        kw = line_kwargs(cell, path="total", npoints=npoints, label=label or f"{name}, median")
        _band(ax, result.lags, result.q1, result.median, result.q3, kw)
        default = f"{name}: median and quartiles over {len(result.seeds)} seeds, $T = {result.lags[-1]}$"
    _finish(ax, result.config, title, default)
    ax.legend()
    return fig


def _value_key(sweep: ParameterSweep, value) -> str:
    """The configuration a swept value stands for (a key of :mod:`lstmsym.style`), or its value label."""
    if sweep.parameter == "cell":
        return short_label(value)
    if sweep.parameter == "forget_bias":
        return f"{short_label(sweep.config.get('cell', 'lstm'))} b_f={value:g}"
    return _value_label(sweep, value)


def _known_label(key: str, fallback: str) -> str:
    """The legend label of configuration ``key`` in :mod:`lstmsym.style`, else ``fallback``."""
    try:
        return style(key).label
    except LstmsymError:
        return fallback


def _value_label(sweep: ParameterSweep, value) -> str:
    if sweep.parameter == "cell":
        return short_label(value)
    short = {
        "forget_bias": "$b_f$",
        "spectral_norm": r"$\lambda_1$",
        "spectral_radius": r"$\rho$",
        "hidden_size": "$n$",
        "input_scale": "$s$",
    }[sweep.parameter]
    return f"{short} = {value:g}"


def _value_colors(sweep: ParameterSweep) -> list[str] | None:
    """For a sweep of one cell over a value that is not a configuration (λ1, the spectral radius, n, the input
    scale): shades of the cell's own colour, light to dark with the value (:func:`lstmsym.style.shades`);
    None otherwise (a cell sweep or a keep-gate bias sweep, whose lines are configurations with styles of
    their own)."""
    if sweep.parameter in ("cell", "forget_bias"):
        return None
    cell = short_label(sweep.config.get("cell", ""))
    try:
        style(cell)
    except LstmsymError:
        return None
    order = np.argsort(np.argsort(np.asarray(sweep.values, dtype=float)))  # rank of each value
    colors = shades(cell, len(sweep.values))
    return [colors[int(r)] for r in order]


def plot_sweep(
    sweep: ParameterSweep,
    ax=None,
    title: str | None = None,
    direct: bool = True,
    bound: bool = False,
    gamma: float = 1.0,
):
    """Median norm over the seeds against the lag, one line per value, quartile bands shaded.

    ``direct``: also draw the direct-path median (dashed, same colour) when the sweep has it. ``bound``:
    draw Pascanu's bound (gamma λ1)^lag (dotted, same colour; spectral sweeps only). A sweep of one cell over
    λ1, the spectral radius, n or the input scale draws its lines in shades of the cell's colour, light to
    dark with the value. Returns the Figure.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lstmsym.cells import make_cell
    >>> from lstmsym.experiments.sweeps import spectral_sweep
    >>> from lstmsym.style import shades
    >>> sweep = spectral_sweep(make_cell("rnn", n=2), T=5, values=(0.8, 1.2), seeds=(0,))
    >>> fig = plot_sweep(sweep, bound=True)
    >>> [line.get_color() for line in fig.axes[0].lines][::2] == shades("rnn", 2)  # measured, bound
    True
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    if not isinstance(sweep, ParameterSweep):
        raise LstmsymError(f"sweep must be a ParameterSweep, got {type(sweep).__name__}")
    fig, ax = _axes(ax)
    bounds = sweep.bound_log10(gamma) if bound else None
    keys = [_value_key(sweep, value) for value in sweep.values]
    labels = [
        _known_label(key, _value_label(sweep, value)) for key, value in zip(keys, sweep.values, strict=True)
    ]
    drawn = {
        v: np.where(sweep.median[v] >= np.log10(FLOOR), sweep.median[v], np.nan) for v in range(len(labels))
    }
    together = coinciding(drawn)
    npoints = len(sweep.lags)
    colors = _value_colors(sweep)
    for v, label in enumerate(labels):
        note = gap_note({labels[w]: gap for w, gap in together.get(v, {}).items()})  # how close, in decades
        shade = {} if colors is None else {"color": colors[v]}
        kw = line_kwargs(keys[v], v, path="total", npoints=npoints, label=label + note, **shade)
        if colors is not None:
            kw["markerfacecolor"] = "none" if v % 2 else colors[v]
        _band(ax, sweep.lags, sweep.q1[v], sweep.median[v], sweep.q3[v], kw)
        if direct and sweep.direct_log10_norms is not None:
            kw = line_kwargs(keys[v], v, path="direct", label=f"{label}, direct path", marker="", **shade)
            _band(ax, sweep.lags, None, sweep.direct_median[v], None, kw)
        if bounds is not None:
            bound_label = rf"{label}, bound $(\gamma\lambda_1)^{{L}}$"
            kw = line_kwargs(keys[v], v, path="bound", label=bound_label, marker="", **shade)
            _band(ax, sweep.lags, None, bounds[v], None, kw)
    what = _PARAMETER_LABELS[sweep.parameter]
    cell = (
        _known_label(short_label(sweep.config.get("cell", "")), "") if sweep.parameter != "cell" else "cells"
    )
    cell = cell or short_label(sweep.config.get("cell", ""))
    default = f"{cell}: sweep over {what}, median and quartiles over {len(sweep.seeds)} seeds"
    _finish(ax, sweep.config, title, default)
    ax.legend(fontsize="small")
    return fig


def plot_at_lag(sweep: ParameterSweep, lag: int, ax=None, title: str | None = None):
    """The norm at one lag against the swept value: median over the seeds with quartile error bars.
    Returns the Figure."""
    if not isinstance(sweep, ParameterSweep):
        raise LstmsymError(f"sweep must be a ParameterSweep, got {type(sweep).__name__}")
    if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or not 0 <= lag <= sweep.lags[-1]:
        raise LstmsymError(f"lag must be a whole number in 0..{sweep.lags[-1]}, got {lag!r}")
    fig, ax = _axes(ax)
    categorical = sweep.parameter == "cell"
    x = np.arange(len(sweep.values)) if categorical else np.asarray(sweep.values, dtype=float)
    median = _shown(sweep.median[:, lag])
    low, high = median - _shown(sweep.q1[:, lag]), _shown(sweep.q3[:, lag]) - median
    ax.errorbar(x, median, yerr=np.vstack([low, high]), marker="o", capsize=3, label="median, quartiles")
    if sweep.direct_log10_norms is not None:
        ax.plot(x, _shown(sweep.direct_median[:, lag]), "s--", label="direct path, median")
    if categorical:
        names = [_known_label(short_label(v), short_label(v)) for v in sweep.values]
        ax.set_xticks(x, names, rotation=30, ha="right")
    log_axis(ax, "y")
    ax.set_xlabel(_PARAMETER_LABELS[sweep.parameter])
    ax.set_ylabel(_norm_label(sweep.config) + f" at lag {lag}")
    ax.set_title(
        title if title is not None else f"norm at lag {lag} against {_PARAMETER_LABELS[sweep.parameter]}"
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    return fig
