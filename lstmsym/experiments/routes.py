r"""Which route carries an LSTM's total ∂c_T/∂c_k? Controls that cut one route at a time, on the same draws.

The total Jacobian ∂c_T/∂c_k (what backpropagation multiplies) is a sum over routes through the unrolled
cell: along the memory line alone (the carousel, ∏ diag f_t), and through h_{t-1} into the gates and the
candidate. A claim that one route (the carousel, a keep-gate bias) keeps the gradient of order 1 needs a
control that cuts the other routes and shows what is left. :func:`route_decomposition` measures, per seed and
lag, on the draws that :func:`~lstmsym.experiments.carousel.norm_curves` and
:func:`~lstmsym.experiments.sweeps.sample_run` make:

- ``total`` (same trajectory): nothing cut, full backpropagation through time;
- ``W_g = 0`` (re-run): the loop c → h → g → c, with W_g zeroed in the cell, forward *and* backward;
- ``W_g cut (backward)`` (same trajectory): the same loop, in the backward pass only;
- ``no recurrent weights`` (re-run): every route through h_{t-1} and the peepholes (all W_·, p_· zeroed);
- ``truncated`` (same trajectory): the 1997 truncated gradient, no error back in time through any net input
  (gates, candidate); only the memory line carries it;
- ``carousel`` (same trajectory): the direct path, ∏ diag f_t along the trajectory.

A *re-run* control changes the forward trajectory too (gates sit elsewhere once W_g is zero), so it answers
"what would this cell do without that route"; a *same*-trajectory control cuts the route in the backward pass
only. For ∂c_T/∂c_k of an LSTM the ``truncated`` and ``carousel`` controls coincide by construction (the
truncated step's c-from-c block is diag f_t and nothing reaches c from h_{t-1}); the test suite asserts it.

>>> from lstmsym.cells import make_cell
>>> routes = route_decomposition(make_cell("lstm", n=2), T=20, seeds=(0, 1), forget_biases=(3.0,))
>>> routes.controls[:2], routes.log10_norms.shape        # (biases, controls, seeds, lags 0..T)
(('total', 'W_g = 0'), (1, 6, 2, 21))
>>> bool(np.array_equal(routes.median("truncated"), routes.median("carousel")))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..cells import make_cell
from ..cells.base import Cell
from ..checks import positive_number, seed_tuple, whole_number
from ..errors import LstmsymError, UnknownChoiceError
from ..numerics.reference import lag_jacobian_norms
from .carousel import rest_state_loop
from .sweeps import _check_values, sample_run

__all__ = [
    "ROUTE_CONTROLS",
    "KeepWindow",
    "RouteDecomposition",
    "keep_window",
    "plot_keep_window",
    "plot_routes",
    "route_decomposition",
]

#: control name -> (trajectory, what is cut)
ROUTE_CONTROLS: dict[str, tuple[str, str]] = {
    "total": ("same", "nothing (full backpropagation through time)"),
    "W_g = 0": ("re-run", "the loop c -> h -> g -> c: W_g zeroed in forward and backward pass"),
    "W_g cut (backward)": ("same", "the loop c -> h -> g -> c, in the backward pass only"),
    "no recurrent weights": ("re-run", "every route through h_{t-1} and the peepholes: all W_., p_. zeroed"),
    "truncated": ("same", "error at every net input (1997 truncated gradient): only the memory line"),
    "carousel": ("same", "everything but the memory line: the direct path, the product of keep gates"),
}


def _check_lstm(cell: object) -> Cell:
    if not isinstance(cell, Cell) or cell.kind not in ("lstm", "lstm1997") or "W_g" not in cell.param_shapes:
        raise LstmsymError(f"cell must be an LSTM-family cell from lstmsym.make_cell, got {cell!r}")
    return cell


def _rest_radius(cell: Cell, params: dict[str, np.ndarray]) -> float:
    """The spectral radius of diag(σ(b_f)) + W_g/4, the loop gain around the rest state c = h = 0 (tanh
    readout, no peepholes, all four gates, f ≡ 1 without a keep gate); NaN where the formula does not hold."""
    options = cell.options
    standard = (
        options.get("readout", "tanh") == "tanh"
        and not options.get("peephole")
        and not options.get("coupled")
    )
    if not (standard and options.get("input_gate", True) and options.get("output_gate", True)):
        return float("nan")
    rest = {"W_g": params["W_g"], "b_f": params.get("b_f", np.full(cell.n, np.inf))}  # σ(∞) = 1: f ≡ 1
    return float(np.max(np.abs(np.linalg.eigvals(rest_state_loop(rest)))))


@dataclass(frozen=True, eq=False)
class RouteDecomposition:
    """‖∂c_T/∂c_{T-lag}‖ under each control: ``log10_norms[b, c, s, lag]`` for bias ``forget_biases[b]``,
    control ``controls[c]``, seed ``seeds[s]``; ``rest_radius[b, s]`` is the spectral radius of
    diag(σ(b_f)) + W_g/4 of the draw (:func:`~lstmsym.experiments.carousel.rest_state_loop`; NaN where it
    does not apply)."""

    cell: str
    forget_biases: tuple[float, ...]
    controls: tuple[str, ...]
    seeds: tuple[int, ...]
    lags: np.ndarray
    log10_norms: np.ndarray
    rest_radius: np.ndarray
    config: dict

    def _index(self, control: str, forget_bias: float | None) -> tuple[int, int]:
        if control not in self.controls:
            raise UnknownChoiceError("control", control, self.controls)
        if forget_bias is None:
            if len(self.forget_biases) != 1:
                raise LstmsymError(f"name forget_bias, one of {self.forget_biases}")
            return 0, self.controls.index(control)
        if float(forget_bias) not in self.forget_biases:
            raise LstmsymError(
                f"forget_bias={forget_bias!r} was not measured; measured: {self.forget_biases}"
            )
        return self.forget_biases.index(float(forget_bias)), self.controls.index(control)

    def median(self, control: str = "total", forget_bias: float | None = None) -> np.ndarray:
        """log10 of the median norm over the seeds, at every lag (T+1,)."""
        b, c = self._index(control, forget_bias)
        return np.median(self.log10_norms[b, c], axis=0)

    def at(self, control: str, lag: int, forget_bias: float | None = None) -> float:
        """The median norm over the seeds at one lag (0 below the float range: use ``median`` there)."""
        if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or not 0 <= lag <= self.lags[-1]:
            raise LstmsymError(f"lag must be a whole number in 0..{self.lags[-1]}, got {lag!r}")
        with np.errstate(under="ignore"):
            return float(10.0 ** self.median(control, forget_bias)[lag])

    def frame(self, lags: Sequence[int] | None = None):
        """Long table (pandas DataFrame): forget_bias, control, trajectory, seed, lag, log10_norm, norm."""
        import pandas as pd

        lags = self.lags if lags is None else np.asarray([int(lag) for lag in lags])
        rows = []
        for b, bias in enumerate(self.forget_biases):
            for c, control in enumerate(self.controls):
                for s, seed in enumerate(self.seeds):
                    for lag in lags:
                        value = float(self.log10_norms[b, c, s, lag])
                        rows.append((bias, control, ROUTE_CONTROLS[control][0], seed, int(lag), value))
        table = pd.DataFrame(
            rows, columns=["forget_bias", "control", "trajectory", "seed", "lag", "log10_norm"]
        )
        with np.errstate(under="ignore"):
            table["norm"] = 10.0 ** table["log10_norm"]
        return table

    def per_seed(self, lag: int, forget_bias: float | None = None, log10: bool = False):
        """One row per seed (pandas DataFrame indexed by seed): the norm at ``lag`` under each control (its
        log10 with ``log10=True``, for norms below the float range), and the draw's ``rest_radius``.

        >>> from lstmsym.cells import make_cell
        >>> cell = make_cell("lstm", n=2)
        >>> routes = route_decomposition(cell, T=10, seeds=(0, 1), controls=("total", "carousel"))
        >>> list(routes.per_seed(10).columns), list(routes.per_seed(10).index)
        (['total', 'carousel', 'rest_radius'], [0, 1])
        """
        import pandas as pd

        if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or not 0 <= lag <= self.lags[-1]:
            raise LstmsymError(f"lag must be a whole number in 0..{self.lags[-1]}, got {lag!r}")
        b, _ = self._index(self.controls[0], forget_bias)
        values = self.log10_norms[b, :, :, lag].T  # (seeds, controls)
        if not log10:
            with np.errstate(under="ignore"):
                values = 10.0**values
        table = pd.DataFrame(values, columns=list(self.controls), index=pd.Index(self.seeds, name="seed"))
        table["rest_radius"] = self.rest_radius[b]
        return table

    def medians(self, lags: Sequence[int] = (1, 10, 100), log10: bool = False):
        """Median over the seeds (pandas DataFrame): a row per (forget_bias, control), a column per lag;
        norms, or their log10 with ``log10=True`` (for norms below the float range)."""
        import pandas as pd

        lags = [int(lag) for lag in lags]
        index, rows = [], []
        for bias in self.forget_biases:
            for control in self.controls:
                median = self.median(control, bias)[lags]
                index.append((bias, control))
                with np.errstate(under="ignore"):
                    rows.append(median if log10 else 10.0**median)
        return pd.DataFrame(
            rows,
            index=pd.MultiIndex.from_tuples(index, names=["forget_bias", "control"]),
            columns=pd.Index(lags, name="lag"),
        )


def route_decomposition(
    cell: Cell,
    T: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    forget_biases: Sequence[float] = (3.0,),
    scale: float | None = 0.3,
    input_scale: float = 1.0,
    ord: object = 2,
    controls: Sequence[str] = tuple(ROUTE_CONTROLS),
) -> RouteDecomposition:
    """‖∂c_T/∂c_{T-lag}‖ (spectral norm by default) for every lag 0..T under each control of
    :data:`ROUTE_CONTROLS`, per keep-gate bias and seed.

    Each seed's parameters and inputs are :func:`~lstmsym.experiments.sweeps.sample_run`'s (weights
    ~ N(0, scale²), or PyTorch's default for ``scale=None``; biases 0 except b_f; x_t ~ N(0, input_scale²)):
    with ``scale=0.3`` and ``input_scale=1`` the draws of :func:`~lstmsym.experiments.carousel.norm_curves`.
    The bias does not change the weights drawn, so every bias sees the same weights.
    """
    cell = _check_lstm(cell)
    T, seeds = whole_number("T", T), seed_tuple(seeds)
    biases = _check_values("forget_biases", forget_biases)
    if "b_f" not in cell.param_shapes and biases != (biases[0],):
        raise LstmsymError(f"{cell!r} has no keep gate: give a single forget_biases value (it is unused)")
    input_scale = positive_number("input_scale", input_scale)
    controls = tuple(controls)
    for control in controls:
        if control not in ROUTE_CONTROLS:
            raise UnknownChoiceError("controls", control, tuple(ROUTE_CONTROLS))
    cut_all = tuple(name for name in cell.param_shapes if name.startswith(("W_", "p_")))
    out = np.empty((len(biases), len(controls), len(seeds), T + 1))
    radius = np.empty((len(biases), len(seeds)))
    for b, bias in enumerate(biases):
        for s, seed in enumerate(seeds):
            params, xs = sample_run(cell, T, seed, forget_bias=bias, scale=scale, input_scale=input_scale)
            radius[b, s] = _rest_radius(cell, params)
            for c, control in enumerate(controls):
                p, options = params, {}
                if control == "W_g = 0":
                    p = {**params, "W_g": np.zeros_like(params["W_g"])}
                elif control == "W_g cut (backward)":
                    options = {"cut": ("W_g",)}
                elif control == "no recurrent weights":
                    p = {**params, **{name: np.zeros_like(params[name]) for name in cut_all}}
                elif control == "truncated":
                    options = {"gradient": "truncated"}
                elif control == "carousel":
                    options = {"direct": True}
                norms = lag_jacobian_norms(cell, p, xs, block="c", ord=ord, log10=True, **options)
                out[b, c, s] = norms[::-1]  # index k was lag T - k
    config = {"T": T, "scale": scale, "input_scale": input_scale, "ord": ord}
    return RouteDecomposition(repr(cell), biases, controls, seeds, np.arange(T + 1), out, radius, config)


def plot_routes(
    routes: RouteDecomposition, forget_bias: float | None = None, ax=None, title: str | None = None
):
    """Median over the seeds of each control against the lag, log y axis, each control in its style of
    :mod:`lstmsym.style` (total solid black, carousel dashed, ...). Returns the Figure."""
    import matplotlib.pyplot as plt

    from ..style import line_kwargs, log_axis

    if not isinstance(routes, RouteDecomposition):
        raise LstmsymError(f"routes must be a RouteDecomposition, got {type(routes).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    bias = routes.forget_biases[0] if forget_bias is None else float(forget_bias)
    for j, control in enumerate(routes.controls):
        values = routes.median(control, bias)
        shown = np.where(values > -300, values, np.nan)
        ax.plot(routes.lags, 10.0**shown, **line_kwargs(control, j, npoints=len(routes.lags)))
    log_axis(ax, "y")
    ax.set_xlabel("lag $L = T - k$")
    ax.set_ylabel(r"median $\|\partial c_T/\partial c_{T-L}\|_2$")
    ax.set_title(
        title or f"Routes of the total Jacobian, $b_f = {bias:g}$, median of {len(routes.seeds)} seeds"
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    return ax.figure


# --- what the carousel buys: how wide is the setting that keeps a gradient of order 1? --------------------


@dataclass(frozen=True, eq=False)
class KeepWindow:
    """log10 ‖∂m_lag/∂m_0‖ of each cell's memory m against its knob, per seed, and the window [low, high].

    ``table`` (pandas DataFrame): cell, knob, value, seed, path, log10_norm, in_window. The RNN's and the
    dense memory's knob is the spectral radius of their recurrent weight (W, W_c; the other weights as drawn);
    the LSTM's is the keep-gate bias b_f, every weight as drawn.
    """

    lag: int
    low: float
    high: float
    table: object

    def intervals(self):
        """One row per (cell, path, seed) (pandas DataFrame): the smallest and largest knob value on the grid
        inside the window (NaN if none), whether every grid value between them is inside (``one_interval``),
        and whether every larger grid value is inside too (``inside_for_all_larger``). Both ends are limited
        by the grid: its step and, for ``inside_for_all_larger``, its largest value.

        >>> window = keep_window(lag=20, n=2, seeds=(0,), radii=(0.5, 1.0), biases=(0.0, 10.0))
        >>> carousel = window.intervals().query("path == 'carousel'")
        >>> float(carousel["smallest_inside"].iloc[0]), bool(carousel["inside_for_all_larger"].iloc[0])
        (10.0, True)
        """
        import pandas as pd

        rows = []
        for (cell, path, seed), runs in self.table.groupby(["cell", "path", "seed"], sort=False):
            runs = runs.sort_values("value")
            inside, values = runs["in_window"].to_numpy(), runs["value"].to_numpy()
            if inside.any():
                first, last = np.flatnonzero(inside)[[0, -1]]
                low, high = float(values[first]), float(values[last])
                solid, upward = bool(inside[first : last + 1].all()), bool(inside[first:].all())
            else:
                low, high, solid, upward = np.nan, np.nan, False, False
            rows.append((cell, runs["knob"].iloc[0], path, seed, low, high, solid, upward))
        columns = ["cell", "knob", "path", "seed", "smallest_inside", "largest_inside", "one_interval"]
        return pd.DataFrame(rows, columns=[*columns, "inside_for_all_larger"])

    def interval_table(self):
        """The window per draw, readable (pandas DataFrame of text): a row per (cell, knob, path), a column
        per seed. ``"a to b"``: every grid value from a to b is inside; ``"a to b (gaps)"``: the smallest and
        largest value inside, with some grid values between them outside; ``"a only"``: a single grid value;
        ``"≥ a"``: a and every larger value up to the grid's end; ``"never"``: no value. Ends as in
        :meth:`intervals` (which holds the numbers), written to three significant digits.

        >>> window = keep_window(lag=20, n=2, seeds=(0,), radii=(0.5, 1.0), biases=(0.0, 10.0))
        >>> window.interval_table().loc[("LSTM", "b_f", "carousel (direct)"), 0]
        '≥ 10'
        """
        names = {"rnn": "RNN", "dense_memory": "dense memory", "lstm": "LSTM"}
        paths = {"total": "total", "carousel": "carousel (direct)"}
        rows = self.intervals()

        def entry(row) -> str:
            low, high = row["smallest_inside"], row["largest_inside"]
            if np.isnan(low):
                return "never"
            if row["inside_for_all_larger"]:
                return f"≥ {low:.3g}"
            if low == high:
                return f"{low:.3g} only"
            return f"{low:.3g} to {high:.3g}" + ("" if row["one_interval"] else " (gaps)")

        rows = rows.assign(
            cell=rows["cell"].map(names), path=rows["path"].map(paths), entry=rows.apply(entry, axis=1)
        )
        table = rows.pivot(index=["cell", "knob", "path"], columns="seed", values="entry")
        first_seen = dict.fromkeys(zip(rows["cell"], rows["knob"], rows["path"], strict=True))
        return table.loc[list(first_seen)]

    def summary(self):
        """Per (cell, path): the fraction of (value, seed) pairs inside the window, and per seed the knob
        values inside it (as the smallest and largest such value, and whether every grid value in between, and
        for the bias every larger one, is inside too). A pandas DataFrame."""
        import pandas as pd

        rows = []
        for (cell, path), group in self.table.groupby(["cell", "path"], sort=False):
            per_seed = []
            for _, runs in group.groupby("seed"):
                runs = runs.sort_values("value")
                inside = runs["in_window"].to_numpy()
                values = runs["value"].to_numpy()
                if not inside.any():
                    per_seed.append((np.nan, np.nan, False, False))
                    continue
                first, last = np.flatnonzero(inside)[[0, -1]]
                solid = bool(inside[first : last + 1].all())
                upward = bool(inside[first:].all())  # every larger value inside too
                per_seed.append((values[first], values[last], solid, upward))
            lo, hi, solid, upward = zip(*per_seed, strict=True)
            rows.append(
                {
                    "cell": cell,
                    "knob": group["knob"].iloc[0],
                    "path": path,
                    "fraction_inside": float(group["in_window"].mean()),
                    "seeds_with_any": int(np.sum(np.isfinite(lo))),
                    "seeds_one_interval": int(np.sum(solid)),
                    "seeds_inside_for_all_larger": int(np.sum(upward)),
                    "median_smallest_inside": float(np.nanmedian(lo)) if np.isfinite(lo).any() else np.nan,
                    "median_largest_inside": float(np.nanmedian(hi)) if np.isfinite(hi).any() else np.nan,
                    "seeds": len(per_seed),
                }
            )
        return pd.DataFrame(rows)


def keep_window(
    lag: int = 100,
    n: int = 4,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    radii: Sequence[float] = tuple(np.round(np.geomspace(0.5, 4.0, 31), 4)),
    biases: Sequence[float] = tuple(np.arange(0.0, 20.5, 0.5)),
    scale: float = 0.3,
    low: float = 0.1,
    high: float = 10.0,
) -> KeepWindow:
    """Where each cell keeps ‖∂m_lag/∂m_0‖₂ inside [low, high]: the RNN and the dense memory over the spectral
    radius of their recurrent weight, the LSTM over its keep-gate bias with every weight as drawn.

    Per seed, :func:`~lstmsym.experiments.sweeps.sample_run` draws weights ~ N(0, scale²) and inputs
    ~ N(0, 1); for the RNN and the dense memory the recurrent weight (W; W_c) is then rescaled to each
    spectral radius. Paths: ``"total"`` for every cell (what backpropagation uses), and for the LSTM also
    ``"carousel"`` (the direct path ∏ diag f_t).

    >>> window = keep_window(lag=20, n=2, seeds=(0,), radii=(0.5, 1.0), biases=(0.0, 10.0))
    >>> sorted(window.table["path"].unique())
    ['carousel', 'total']
    >>> window.table.query("path == 'carousel'")["in_window"].tolist()   # σ(0)^20 ≈ 1e-6; σ(10)^20 ≈ 1
    [False, True]
    """
    import pandas as pd

    lag, seeds = whole_number("lag", lag), seed_tuple(seeds)
    radii = _check_values("radii", radii, positive=True)
    biases = _check_values("biases", biases)
    scale = positive_number("scale", scale)
    if not (0 < low < high):
        raise LstmsymError(f"the window needs 0 < low < high, got low={low!r}, high={high!r}")
    rows = []
    for kind, block in (("rnn", "h"), ("dense_memory", "c")):
        cell = make_cell(kind, n=whole_number("n", n))
        for radius in radii:
            for seed in seeds:
                params, xs = sample_run(cell, lag, seed, scale=scale, spectral=radius, spectral_kind="radius")
                value = lag_jacobian_norms(cell, params, xs, block=block, ord=2, log10=True)[0]
                rows.append((kind, "spectral radius", radius, seed, "total", value))
    lstm = make_cell("lstm", n=n)
    for bias in biases:
        for seed in seeds:
            params, xs = sample_run(lstm, lag, seed, forget_bias=bias, scale=scale)
            for path, direct in (("total", False), ("carousel", True)):
                value = lag_jacobian_norms(lstm, params, xs, block="c", ord=2, log10=True, direct=direct)[0]
                rows.append(("lstm", "b_f", bias, seed, path, value))
    table = pd.DataFrame(rows, columns=["cell", "knob", "value", "seed", "path", "log10_norm"])
    table["in_window"] = (table["log10_norm"] >= np.log10(low)) & (table["log10_norm"] <= np.log10(high))
    return KeepWindow(lag, float(low), float(high), table)


def plot_keep_window(window: KeepWindow, axes=None):
    """Two panels, log y: the RNN's ‖∂h/∂h_0‖ and the dense memory's ‖∂c/∂c_0‖ against the spectral radius of
    the recurrent weight (log x, ticks at 0.5, 1, 2, 4), and the LSTM's ‖∂c/∂c_0‖ (carousel dashed, total
    solid, in the LSTM's colour) against b_f, on a y range of [low/100, high·100] so that the exits above the
    window show; one thin line per seed, the window shaded and in the legend. Returns the Figure.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> window = keep_window(lag=20, n=2, seeds=(0,), radii=(0.5, 1.0, 4.0), biases=(0.0, 10.0))
    >>> fig = plot_keep_window(window)
    >>> tuple(map(float, fig.axes[1].get_ylim())), [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ((0.001, 1000.0), ['0.5', '1', '2', '4'])
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from matplotlib import ticker

    from ..style import log_axis, path_linestyle, style

    if not isinstance(window, KeepWindow):
        raise LstmsymError(f"window must be a KeepWindow, got {type(window).__name__}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
    table = window.table
    lstm = style("lstm")
    # each cell in its own colour; the LSTM's two paths by line style (total solid, direct dashed)
    series = [
        (axes[0], "rnn", "total", style("rnn").color, "-", "RNN, total"),
        (axes[0], "dense_memory", "total", style("dense_memory").color, "-", "dense memory, total"),
        (axes[1], "lstm", "total", lstm.color, path_linestyle("total"), "LSTM, total"),
        (
            axes[1],
            "lstm",
            "carousel",
            lstm.color,
            path_linestyle("direct"),
            r"LSTM, carousel (direct path: $\prod f_t$)",
        ),
    ]
    for ax, cell, path, color, linestyle, label in series:
        part = table[(table["cell"] == cell) & (table["path"] == path)]
        for j, (_, runs) in enumerate(part.groupby("seed")):
            runs = runs.sort_values("value")
            values = np.clip(runs["log10_norm"].to_numpy(), -300, None)
            ax.plot(
                runs["value"],
                10.0**values,
                color=color,
                linestyle=linestyle,
                linewidth=1,
                label=label if j == 0 else None,
            )
    window_label = f"window [{window.low:g}, {window.high:g}]"
    for ax in axes:
        ax.axhspan(window.low, window.high, color="gray", alpha=0.2, linewidth=0, label=window_label)
        log_axis(ax, "y")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize="small")
    axes[0].set_ylim(1e-30, 1e8)
    axes[1].set_ylim(window.low / 100, window.high * 100)  # zoomed: the exits above the window show
    axes[0].set_xscale("log")
    radii = table.loc[table["cell"] != "lstm", "value"]
    ticks = [t for t in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0) if radii.min() <= t <= radii.max() * 1.0001]
    axes[0].xaxis.set_major_locator(ticker.FixedLocator(ticks))
    axes[0].xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axes[0].xaxis.set_minor_formatter(ticker.NullFormatter())
    axes[0].set_xlabel("spectral radius of the recurrent weight ($W$; $W_c$)")
    lag = window.lag
    rnn_norm = rf"$\|\partial h_{{{lag}}}/\partial h_0\|_2$"
    axes[0].set_ylabel(rf"{rnn_norm} (RNN), $\|\partial c_{{{lag}}}/\partial c_0\|_2$ (dense memory)")
    axes[0].set_title("RNN and dense memory: the weight sets the gain")
    axes[1].set_xlabel("keep-gate bias $b_f$ (weights as drawn)")
    axes[1].set_ylabel(rf"$\|\partial c_{{{lag}}}/\partial c_0\|_2$ (LSTM)")
    axes[1].set_title("LSTM: the bias sets the carousel's gain")
    return axes[0].figure
