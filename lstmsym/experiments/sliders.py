r"""Sliders for notebooks 01, 02 and 06: turn a knob, and the figure is recomputed through the package.

Each app has three parts, kept apart so that the numbers are tested without a browser:

- a **compute** function: knob values in, data out (no drawing, no widgets);
- a **draw** function: that data onto a matplotlib Figure;
- a **slider** function: the ipywidgets controls and an Output holding the figure as one PNG, redrawn
  in place whenever a control moves (``continuous_update=False``: on release, or on each arrow key).

========================  =========  ======================================================================
app                       notebook   what the knob moves, and what is drawn against the lag
========================  =========  ======================================================================
:func:`pascanu_slider`    01         gamma λ1 of an RNN: bound (gamma λ1)^L vs measured ‖∂h_T/∂h_{T-L}‖₂
:func:`keep_gate_slider`  02         b_f and the scale of W_g: the LSTM's direct and total ‖∂c_T/∂c_{T-L}‖₂
:func:`lag_sweep_slider`  06         which cell, and a lag to read off: its memory gradient up to lag 1000
========================  =========  ======================================================================

A front end without widgets (nbconvert, the HTML site, a terminal) shows the app's initial figure: the
app's display data carries it as ``image/png`` beside the widget view. matplotlib and ipywidgets are
imported inside the functions, so ``import lstmsym`` stays light.

>>> curves = keep_gate_curves(forget_bias=3.0, wg_scale=0.0, T=20, seeds=(0, 1))
>>> curves.log10_total.shape, curves.log10_direct.shape      # (seeds, lags 0..T)
((2, 21), (2, 21))
>>> bool(np.all(curves.log10_direct[:, 1:] < 0))             # the direct path: a product of keep gates < 1
True
"""

from __future__ import annotations

import base64
import functools
import io
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..cells import make_cell
from ..checks import positive_number, seed_tuple, whole_number
from ..errors import LstmsymError, UnknownChoiceError
from ..numerics.reference import lag_jacobian_norms
from . import rnn_bounds
from .carousel import rest_state_loop
from .plots import FLOOR
from .sweeps import ParameterSweep, cell_sweep, format_norm, quartiles, sample_run, short_label

__all__ = [
    "GAMMA_LAMBDA1_RANGE",
    "LAG_SWEEP_CELLS",
    "KeepGateCurves",
    "draw_keep_gate",
    "draw_lag_sweep",
    "draw_pascanu",
    "fit_log_range",
    "keep_gate_curves",
    "keep_gate_slider",
    "lag_reading",
    "lag_sweep",
    "lag_sweep_slider",
    "pascanu_curves",
    "pascanu_slider",
]

#: The range of the gamma λ1 slider (01): from certain vanishing to where the bound allows growth.
GAMMA_LAMBDA1_RANGE = (0.5, 1.5)
#: The keep-gate bias slider (02) and the W_g scale slider (0 cuts the loop c → h → g → c).
FORGET_BIAS_RANGE = (0.0, 10.0)
WG_SCALE_RANGE = (0.0, 2.0)
#: The cells of 06's panorama, as make_cell arguments; the dropdown shows their short labels.
LAG_SWEEP_CELLS: tuple[tuple[str, dict], ...] = (
    ("rnn", {}),
    ("gru", {}),
    ("dense_memory", {}),
    ("lstm", {"coupled": True}),
    ("lstm", {}),
    ("lstm1997", {}),
)


def _knob(name: str, value: object, low: float, high: float) -> float:
    """A real number in [low, high] (a slider's value), as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
        raise LstmsymError(f"{name} must be a number in [{low:g}, {high:g}], got {value!r}")
    return float(value)


def fit_log_range(*values, pad: float = 0.05) -> tuple[float, float]:
    """y limits for a log axis that fit the drawn values: from the smallest to the largest positive finite
    value (NaN, 0 and values below FLOOR are not drawn), widened by ``pad`` of the span in decades on each
    side (at least a third of a decade).

    >>> lo, hi = fit_log_range(np.array([1.0, 1e-10]), np.array([np.nan, 10.0]))
    >>> round(float(np.log10(lo)), 2), round(float(np.log10(hi)), 2)
    (-10.55, 1.55)
    """
    flat = np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in values])
    flat = flat[np.isfinite(flat) & (flat >= FLOOR)]
    if flat.size == 0:
        return (FLOOR, 1.0)
    low, high = np.log10(flat.min()), np.log10(flat.max())
    margin = max(pad * (high - low), 1 / 3)
    return (10.0 ** max(low - margin, np.log10(FLOOR)), 10.0 ** (high + margin))


def _shown(log10_values: np.ndarray) -> np.ndarray:
    """10^values, NaN (not drawn) below FLOOR: norms under the float range stay out of the line."""
    values = np.asarray(log10_values, dtype=np.float64)
    out = np.full(values.shape, np.nan)
    keep = values >= np.log10(FLOOR)
    out[keep] = 10.0 ** values[keep]
    return out


# --- 01: the Pascanu bound against measured norms, as gamma λ1 moves -------------------------------------


def pascanu_curves(
    gamma_lambda1: float,
    n: int = 50,
    T: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    input_scale: float = 1.0,
) -> rnn_bounds.BoundSweep:
    """Measured ‖∂h_T/∂h_{T-L}‖₂ (L = 0..T) of tanh RNNs with W = λ1·Q, and the bound (gamma λ1)^L, gamma = 1.

    :func:`lstmsym.experiments.rnn_bounds.bound_sweep` for the one value λ1 = ``gamma_lambda1`` (tanh:
    gamma = 1), ``n`` units, inputs x_t ~ N(0, input_scale²), one draw per seed. Each seed draws the same Q, U
    and inputs whatever λ1 is, so moving the knob changes only λ1.

    >>> sweep = pascanu_curves(0.8, n=4, T=10, seeds=(0, 1))
    >>> sweep.norms.shape, sweep.holds(), sweep.bound(0)[2].round(2)
    ((1, 2, 11), True, np.float64(0.64))
    """
    lam = _knob("gamma_lambda1", gamma_lambda1, 1e-6, 1e6)
    return rnn_bounds.bound_sweep(lambdas=(lam,), n=n, T=T, seeds=seeds, input_scale=input_scale)


def draw_pascanu(sweep: rnn_bounds.BoundSweep, fig) -> None:
    """One panel on ``fig`` (cleared first): every seed's norm (thin), their median, and the bound (dotted),
    in the RNN's and the bound's styles of :mod:`lstmsym.style`; the y axis fitted to the drawn values
    (:func:`fit_log_range`), the title in math text with both values at the last lag."""
    if not isinstance(sweep, rnn_bounds.BoundSweep) or len(sweep.lambdas) != 1:
        raise LstmsymError("sweep must be a BoundSweep of one λ1 (from pascanu_curves)")
    fig.clear()
    ax = fig.add_subplot()
    rnn_bounds.plot_bound_sweep(sweep, axes=ax)
    median, bound = sweep.median(0)[-1], sweep.bound(0)[-1]
    ax.set_title(
        rf"RNN, $n = {sweep.n}$: $\gamma\lambda_1 = {sweep.gamma * sweep.lambdas[0]:.2f}$;  "
        f"lag $L = {sweep.T}$: median {median:.2e}, bound {bound:.2e}",
        fontsize=10,
    )
    ax.set_ylim(*fit_log_range(sweep.norms, sweep.bound(0)))


def pascanu_slider(
    gamma_lambda1: float = 1.0, n: int = 50, T: int = 100, seeds: Sequence[int] = (0, 1, 2, 3, 4)
):
    """Notebook 01: a gamma λ1 slider (0.5 to 1.5) over :func:`pascanu_curves` and :func:`draw_pascanu`.

    Returns the app (an ipywidgets VBox: the slider, then the figure).
    """
    import ipywidgets as widgets

    low, high = GAMMA_LAMBDA1_RANGE
    start = _knob("gamma_lambda1", gamma_lambda1, low, high)
    slider = widgets.FloatSlider(
        value=start,
        min=low,
        max=high,
        step=0.05,
        description="\u03b3\u03bb1",  # gamma lambda1
        continuous_update=False,
        readout_format=".2f",
    )
    return _app(
        "pascanu_slider",
        {"gamma_lambda1": slider},
        lambda knobs: pascanu_curves(knobs["gamma_lambda1"], n=n, T=T, seeds=seeds),
        lambda data, fig, knobs: draw_pascanu(data, fig),
    )


# --- 02: the keep-gate bias and the loop through W_g, direct against total -------------------------------


@dataclass(frozen=True, eq=False)
class KeepGateCurves:
    """log10 ‖∂c_T/∂c_{T-L}‖₂ of an LSTM for L = 0..T, per seed: the total Jacobian (what backpropagation
    uses) and the direct path (gates and candidate held fixed: ∏ diag f_t), with W_g scaled by
    ``wg_scale``. ``rest_radius[s]`` is the spectral radius of diag(σ(b_f)) + W_g/4 (the loop gain around the
    rest state c = h = 0, :func:`~lstmsym.experiments.carousel.rest_state_loop`) of seed s's scaled draw."""

    forget_bias: float
    wg_scale: float
    seeds: tuple[int, ...]
    n: int
    lags: np.ndarray  # (T+1,)
    log10_total: np.ndarray  # (S, T+1)
    log10_direct: np.ndarray  # (S, T+1)
    rest_radius: np.ndarray  # (S,)

    def median(self, path: str = "total") -> np.ndarray:
        """log10 of the median norm over the seeds, at every lag (T+1,); path "total" or "direct"."""
        if path not in ("total", "direct"):
            raise UnknownChoiceError("path", path, ("total", "direct"))
        return quartiles(self.log10_total if path == "total" else self.log10_direct, axis=0)[1]

    def frame(self):
        """Long table (pandas DataFrame): seed, lag, path, log10_norm."""
        import pandas as pd

        S, L = self.log10_total.shape
        parts = []
        for path, values in (("total", self.log10_total), ("direct", self.log10_direct)):
            parts.append(
                pd.DataFrame(
                    {
                        "seed": np.repeat(self.seeds, L),
                        "lag": np.tile(self.lags, S),
                        "path": path,
                        "log10_norm": values.ravel(),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)


def keep_gate_curves(
    forget_bias: float,
    wg_scale: float = 1.0,
    n: int = 4,
    T: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    scale: float = 0.3,
    input_scale: float = 1.0,
) -> KeepGateCurves:
    """Direct and total ‖∂c_T/∂c_{T-L}‖₂ of an LSTM (n units) for keep-gate bias ``forget_bias``, with its
    W_g multiplied by ``wg_scale``, over lags L = 0..T and seeds.

    Each seed's parameters and inputs are :func:`~lstmsym.experiments.sweeps.sample_run`'s (weights
    ~ N(0, scale²), biases 0 except b_f, x_t ~ N(0, input_scale²)): the draws of
    :func:`~lstmsym.experiments.carousel.norm_curves` and
    :func:`~lstmsym.experiments.routes.route_decomposition`. ``wg_scale=1`` is the draw as it is (the
    routes' "total"); ``wg_scale=0`` is the routes' "W_g = 0" control (the loop c → h → g → c cut, in the
    forward and the backward pass). Norms come from the NumPy reference as log10, finite below 1e-308.

    >>> cut = keep_gate_curves(3.0, wg_scale=0.0, n=2, T=10, seeds=(0,))
    >>> float(cut.log10_total[0, 0]), float(cut.log10_direct[0, 0])      # lag 0: the identity
    (0.0, 0.0)
    """
    bias = _knob("forget_bias", forget_bias, -1e3, 1e3)
    factor = _knob("wg_scale", wg_scale, 0.0, 1e3)
    seeds = seed_tuple(seeds)
    T = whole_number("T", T)
    cell = make_cell("lstm", n=whole_number("n", n))
    total = np.empty((len(seeds), T + 1))
    direct = np.empty((len(seeds), T + 1))
    radius = np.empty(len(seeds))
    for s, seed in enumerate(seeds):
        params, xs = sample_run(
            cell, T, seed, forget_bias=bias, scale=positive_number("scale", scale), input_scale=input_scale
        )
        params["W_g"] = params["W_g"] * factor  # the loop c -> h -> g -> c, scaled (0: cut)
        for out, on_direct in ((total, False), (direct, True)):
            norms = lag_jacobian_norms(cell, params, xs, block="c", ord=2, log10=True, direct=on_direct)
            out[s] = norms[::-1]  # index k was lag T - k
        radius[s] = np.max(np.abs(np.linalg.eigvals(rest_state_loop(params))))
    return KeepGateCurves(bias, factor, seeds, cell.n, np.arange(T + 1), total, direct, radius)


def draw_keep_gate(curves: KeepGateCurves, fig) -> None:
    """One panel on ``fig`` (cleared first): each seed's total (thin), the medians of the total (solid) and
    of the direct path (dashed), in the styles of :mod:`lstmsym.style` (``"total"`` and ``"carousel"``: the
    direct path has the same look as in every other figure of the course); log y axis fitted to the drawn
    values (:func:`fit_log_range`), the title in math text."""
    if not isinstance(curves, KeepGateCurves):
        raise LstmsymError(
            f"curves must be KeepGateCurves (from keep_gate_curves), got {type(curves).__name__}"
        )
    from ..style import log_axis, style

    fig.clear()
    ax = fig.add_subplot()
    total_look, direct_look = style("total"), style("carousel")
    for row in curves.log10_total:
        ax.plot(curves.lags, _shown(row), color=total_look.color, lw=0.6, alpha=0.3)
    total, direct = curves.median("total"), curves.median("direct")
    S = len(curves.seeds)
    for values, look, label in (
        (total, total_look, f"total (backpropagation), median of {S}"),
        (direct, direct_look, rf"direct path $\prod f_t$, median of {S}"),
    ):
        ax.plot(curves.lags, _shown(values), color=look.color, linestyle=look.linestyle, lw=2, label=label)
    log_axis(ax, "y")
    ax.set_ylim(*fit_log_range(_shown(curves.log10_total), _shown(direct)))
    ax.set_xlabel("lag $L = T - k$")
    ax.set_ylabel(r"$\|\partial c_T/\partial c_{T-L}\|_2$")
    T = int(curves.lags[-1])
    ax.set_title(
        rf"LSTM, $n = {curves.n}$: $b_f = {curves.forget_bias:g}$, $W_g \times {curves.wg_scale:g}$;  "
        f"lag $L = {T}$: total {format_norm(total[-1])}, direct {format_norm(direct[-1])};  "
        rf"loop gain $\rho = {np.median(curves.rest_radius):.3f}$",
        fontsize=9,
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")


def keep_gate_slider(
    forget_bias: float = 3.0,
    wg_scale: float = 1.0,
    n: int = 4,
    T: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    scale: float = 0.3,
):
    """Notebook 02: sliders for b_f (0 to 10) and the scale of W_g (0 to 2; 0 cuts the loop) over
    :func:`keep_gate_curves` and :func:`draw_keep_gate`. Returns the app (an ipywidgets VBox)."""
    import ipywidgets as widgets

    bias = widgets.FloatSlider(
        value=_knob("forget_bias", forget_bias, *FORGET_BIAS_RANGE),
        min=FORGET_BIAS_RANGE[0],
        max=FORGET_BIAS_RANGE[1],
        step=0.5,
        description="b_f",
        continuous_update=False,
    )
    loop = widgets.FloatSlider(
        value=_knob("wg_scale", wg_scale, *WG_SCALE_RANGE),
        min=WG_SCALE_RANGE[0],
        max=WG_SCALE_RANGE[1],
        step=0.1,
        description="W_g ×",
        continuous_update=False,
    )
    return _app(
        "keep_gate_slider",
        {"forget_bias": bias, "wg_scale": loop},
        lambda knobs: keep_gate_curves(
            knobs["forget_bias"], knobs["wg_scale"], n=n, T=T, seeds=seeds, scale=scale
        ),
        lambda data, fig, knobs: draw_keep_gate(data, fig),
    )


# --- 06: the lag sweep, cell by cell ----------------------------------------------------------------------


def lag_sweep(T: int = 1000, n: int = 8, seeds: Sequence[int] = (0, 1, 2)) -> ParameterSweep:
    """Total ‖∂m_T/∂m_{T-L}‖₂ of the memory m (c where the cell has it, else h) for L = 0..T, for every
    cell of :data:`LAG_SWEEP_CELLS` (06's panorama): :func:`~lstmsym.experiments.sweeps.cell_sweep` with its
    defaults (PyTorch's initialisation, b_f = 1, x_t ~ N(0, 1)).

    >>> sweep = lag_sweep(T=20, n=2, seeds=(0,))
    >>> [short_label(v) for v in sweep.values][3:5]
    ['lstm coupled=True', 'lstm']
    """
    n = whole_number("n", n)
    cells = [make_cell(name, n=n, **options) for name, options in LAG_SWEEP_CELLS]
    return cell_sweep(cells, T, seeds=seed_tuple(seeds))


def lag_reading(sweep: ParameterSweep, cell: str, lag: int) -> dict:
    """What the lag slider reads off: log10 of the first quartile, median and third quartile over the seeds
    of ``cell``'s norm at ``lag`` (``cell``: a short label such as ``"lstm coupled=True"``).

    >>> sweep = lag_sweep(T=10, n=2, seeds=(0, 1))
    >>> reading = lag_reading(sweep, "lstm1997", 0)
    >>> reading["q1"], reading["median"], reading["q3"]                 # lag 0: the identity
    (0.0, 0.0, 0.0)
    """
    if not isinstance(sweep, ParameterSweep) or sweep.parameter != "cell":
        raise LstmsymError("sweep must be a cell sweep (from lag_sweep or sweeps.cell_sweep)")
    v = sweep.index(cell)
    if isinstance(lag, bool) or not isinstance(lag, numbers.Integral) or not 0 <= lag <= sweep.lags[-1]:
        raise LstmsymError(f"lag must be a whole number in 0..{sweep.lags[-1]}, got {lag!r}")
    return {
        "cell": short_label(sweep.values[v]),
        "lag": int(lag),
        "q1": float(sweep.q1[v, lag]),
        "median": float(sweep.median[v, lag]),
        "q3": float(sweep.q3[v, lag]),
    }


def draw_lag_sweep(sweep: ParameterSweep, cell: str, lag: int, fig) -> None:
    """One panel on ``fig`` (cleared first): every cell's median (grey), ``cell``'s median with its quartile
    band in colour, and a marker at ``lag`` with the reading in the title, the cell named by its course label
    (:func:`lstmsym.style.style_or`)."""
    from ..style import style_or

    reading = lag_reading(sweep, cell, lag)
    chosen = sweep.index(cell)
    look = style_or(reading["cell"], chosen)  # the cell's colour and label in every figure of the course
    fig.clear()
    ax = fig.add_subplot()
    for v in range(len(sweep.values)):
        if v != chosen:
            grey = "other cells, median" if v == (1 if chosen == 0 else 0) else None
            ax.plot(sweep.lags, _shown(sweep.median[v]), color="0.75", lw=1, label=grey)
    ax.fill_between(
        sweep.lags, _shown(sweep.q1[chosen]), _shown(sweep.q3[chosen]), color=look.color, alpha=0.25, lw=0
    )
    ax.plot(sweep.lags, _shown(sweep.median[chosen]), color=look.color, lw=2, label=f"{look.label}, median")
    ax.axvline(lag, color="black", lw=1)
    if reading["median"] >= np.log10(FLOOR):
        ax.plot([lag], [10.0 ** reading["median"]], "o", color="black")
    ax.set_yscale("log")
    ax.set_ylim(FLOOR, 1e10)
    ax.set_yticks([10.0**e for e in range(-300, 1, 50)])
    ax.set_xlabel("lag $L = T - k$")
    # one label for every line drawn: the memory c, or h for the cells without one (RNN, GRU)
    ax.set_ylabel(r"total $\|\partial c_T/\partial c_{T-L}\|_2$ ($h$ for the RNN, GRU)")
    ax.set_title(
        f"{look.label}, lag {lag}: median {format_norm(reading['median'])} "
        f"(quartiles {format_norm(reading['q1'])} to {format_norm(reading['q3'])}, "
        f"{len(sweep.seeds)} seeds; other cells grey)",
        fontsize=9,
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")


def lag_sweep_slider(sweep: ParameterSweep | None = None, cell: str = "lstm", lag: int = 100):
    """Notebook 06: a cell dropdown and a lag slider (0 to T) over a cell sweep and :func:`draw_lag_sweep`.

    ``sweep``: a cell sweep already computed (06's panorama), else :func:`lag_sweep` is run once here (a few
    seconds). Moving a control only redraws: the norms of every cell and lag are in the sweep.
    """
    import ipywidgets as widgets

    sweep = lag_sweep() if sweep is None else sweep
    if not isinstance(sweep, ParameterSweep) or sweep.parameter != "cell":
        raise LstmsymError("sweep must be a cell sweep (from lag_sweep or sweeps.cell_sweep)")
    labels = [short_label(v) for v in sweep.values]
    lag_sweep_reading = lag_reading(sweep, cell, lag)  # checks cell and lag before any widget is made
    choose = widgets.Dropdown(options=labels, value=lag_sweep_reading["cell"], description="cell")
    at = widgets.IntSlider(
        value=int(lag), min=0, max=int(sweep.lags[-1]), step=1, description="lag", continuous_update=False
    )
    return _app(
        "lag_sweep_slider",
        {"cell": choose, "lag": at},
        lambda knobs: sweep,  # computed once: a redraw only reads it
        lambda data, fig, knobs: draw_lag_sweep(data, knobs["cell"], knobs["lag"], fig),
    )


# --- the app: controls, and an Output holding the figure as a PNG ------------------------------------------


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})  # fast; the PNG stays small
    return buffer.getvalue()


@functools.cache
def _app_class():
    """The SliderApp class, defined on first use so that ipywidgets is imported only then."""
    import ipywidgets as widgets

    class SliderApp(widgets.VBox):
        """The controls, then an Output widget showing the figure; ``redraw()`` recomputes and redraws.

        ``png`` is the current figure as PNG bytes. Displayed, the app offers the widget view (live, in
        JupyterLab) and the current figure as ``image/png`` (nbconvert, the HTML site, nbval's stored copy).
        """

        def __init__(self, name, controls, compute, draw):
            from matplotlib.figure import Figure

            self.name = name
            self.controls = dict(controls)
            self.output = widgets.Output()
            self._compute, self._draw = compute, draw
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            # Fixed margins (a layout engine doubles the draw time), and one Agg canvas kept for every redraw:
            # its renderer caches the typeset tick labels, which a fresh canvas per savefig would parse again.
            self._figure = Figure(figsize=(7.5, 4.2))
            FigureCanvasAgg(self._figure)
            self._figure.subplots_adjust(left=0.12, right=0.97, bottom=0.12, top=0.9)
            self.png = b""
            super().__init__(children=[*self.controls.values(), self.output])
            for control in self.controls.values():
                control.observe(self._changed, names="value")
            self.redraw()

        def knobs(self) -> dict:
            """The controls' current values, by name."""
            return {name: control.value for name, control in self.controls.items()}

        def redraw(self) -> None:
            """Recompute with the current knob values, draw, and put the PNG into the Output."""
            knobs = self.knobs()
            self._draw(self._compute(knobs), self._figure, knobs)
            self.png = _png(self._figure)
            data = {
                "image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": f"<{self.name}: {self._describe(knobs)}>",
            }
            self.output.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)

        def _changed(self, change) -> None:
            self.redraw()

        @staticmethod
        def _describe(knobs: dict) -> str:
            return ", ".join(f"{name} = {value}" for name, value in knobs.items())

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs) or {}
            bundle["text/plain"] = (
                f"<{self.name}: {self._describe(self.knobs())}; run the notebook in JupyterLab to move it>"
            )
            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
            return bundle

    return SliderApp


def _app(name: str, controls: dict, compute: Callable, draw: Callable):
    return _app_class()(name, controls, compute, draw)
