r"""Gradient norms across lags, seeds and settings: ‖∂c_T/∂c_k‖ and ‖∂h_T/∂h_k‖ for every k of a run.

Every number comes from the NumPy reference (:func:`lstmsym.numerics.reference.lag_jacobian_norms`), which
carries the running product with exact power-of-two rescaling, so T = 1000 and beyond costs one backward sweep
and norms far below the float range (1e-400) are still returned, as log10. Results are indexed by the **lag**
T - k (lag 0 is the identity, norm 1 for the spectral norm), not by k.

A run is fully determined by its seed: ``np.random.default_rng(seed)`` draws the parameters
(:func:`lstmsym.numerics.params.init_params`) and then the inputs x_t ~ N(0, input_scale²); :func:`sample_run`
returns them, so any result can be reproduced and checked.

>>> from lstmsym.cells import make_cell
>>> lstm = make_cell("lstm", n=4)
>>> run = lag_norms(lstm, T=1000, seed=0, forget_bias=0.0)
>>> run.lags[:3], run.log10_norms.shape
(array([0, 1, 2]), (1001,))
>>> round(float(run.log10_norms[1000]))            # ‖∂c_1000/∂c_0‖₂ ≈ 10^-230: gone
-230
>>> sweep = forget_bias_sweep(lstm, T=50, values=[0.0, 3.0], seeds=range(4))
>>> sweep.median.shape                             # (values, lags)
(2, 51)
>>> [round(float(v), 1) for v in sweep.median[:, 50]]   # log10 of the median norm at lag 50
[-11.1, 0.4]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..cells import make_cell
from ..cells.base import Cell
from ..checks import positive_number, seed_tuple, whole_number
from ..errors import LstmsymError, UnknownChoiceError
from ..numerics.params import init_params, random_sequence
from ..numerics.reference import forward, lag_jacobian_norms

__all__ = [
    "LagNorms",
    "ParameterSweep",
    "SeedNorms",
    "burn_in_state",
    "cell_sweep",
    "forget_bias_sweep",
    "format_norm",
    "hidden_size_sweep",
    "input_scale_sweep",
    "lag_norms",
    "pascanu_bound_log10",
    "quartiles",
    "recurrent_weights",
    "sample_run",
    "seed_norms",
    "short_label",
    "sigmoid_product_log10",
    "spectral_sweep",
]

#: Matrix norms a sweep reports: the spectral norm (largest singular value) and the Frobenius norm.
ORDS = (2, "fro")
#: What a spectral sweep fixes in the recurrent weights: the largest singular value, or the spectral radius.
SPECTRAL_KINDS = ("singular", "radius")
PARAMETERS = ("cell", "forget_bias", "spectral_norm", "spectral_radius", "hidden_size", "input_scale")


# --- result objects ----------------------------------------------------------------------------------------


def quartiles(log10_norms: np.ndarray, axis: int = -2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first quartile, median, third quartile) over ``axis`` (the seeds), of log10 norms.

    Percentiles commute with the increasing map log10 only up to interpolation, so they are taken of the
    log10 values themselves, as :func:`numpy.percentile` with its default linear interpolation gives them.
    A norm that is exactly 0 (log10 = -inf) counts as the smallest value.

    >>> q1, med, q3 = quartiles(np.array([[0.0], [-1.0], [-2.0], [-4.0]]), axis=0)
    >>> float(q1[0]), float(med[0]), float(q3[0])
    (-2.5, -1.5, -0.75)
    """
    q = np.percentile(np.asarray(log10_norms, dtype=np.float64), [25, 50, 75], axis=axis)
    return q[0], q[1], q[2]


@dataclass(frozen=True, eq=False)
class LagNorms:
    """Norms of one run for every lag.

    ``log10_norms[lag]`` = log10 ‖∂a_T/∂a_{T-lag}‖, lag = 0..T (``lags``); ``config`` names the cell, the
    state a, the norm, the path and how the run was drawn. ``norms`` is 10^log10_norms (0 where that
    underflows, below about 1e-308).
    """

    lags: np.ndarray  # (T+1,)
    log10_norms: np.ndarray  # (T+1,)
    config: dict = field(default_factory=dict)

    @property
    def norms(self) -> np.ndarray:
        with np.errstate(under="ignore"):
            return 10.0**self.log10_norms


class _OverSeeds:
    """Median and quartiles over the seeds (the second to last axis) of ``log10_norms``."""

    log10_norms: np.ndarray

    @property
    def q1(self) -> np.ndarray:
        return quartiles(self.log10_norms)[0]

    @property
    def median(self) -> np.ndarray:
        return quartiles(self.log10_norms)[1]

    @property
    def q3(self) -> np.ndarray:
        return quartiles(self.log10_norms)[2]


@dataclass(frozen=True, eq=False)
class SeedNorms(_OverSeeds):
    """Norms for every lag over several seeds: ``log10_norms[j, lag]`` for seed ``seeds[j]``.

    ``median``, ``q1`` and ``q3`` (first and third quartile) are taken over the seeds, of the log10 values
    (see :func:`quartiles`), each of shape (T+1,).
    """

    lags: np.ndarray  # (T+1,)
    seeds: tuple[int, ...]
    log10_norms: np.ndarray  # (S, T+1)
    config: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class ParameterSweep(_OverSeeds):
    """Norms for every lag, over seeds, for each value of one setting.

    ``parameter`` is one of "cell", "forget_bias", "spectral_norm", "spectral_radius", "hidden_size",
    "input_scale"; ``values`` its values (cell labels for "cell"). ``log10_norms[v, j, lag]`` is the log10
    norm for value v and seed j; ``direct_log10_norms`` the same along the direct (carousel) path when it was
    asked for, else None. ``lambda1[v, j]`` is the largest singular value of the scaled recurrent weight
    (spectral sweeps only, else None). ``median``, ``q1``, ``q3`` are over the seeds, shape (V, T+1);
    ``direct_median`` likewise.
    """

    parameter: str
    values: tuple
    lags: np.ndarray  # (T+1,)
    seeds: tuple[int, ...]
    log10_norms: np.ndarray  # (V, S, T+1)
    direct_log10_norms: np.ndarray | None = None  # (V, S, T+1)
    lambda1: np.ndarray | None = None  # (V, S)
    config: dict = field(default_factory=dict)

    @property
    def direct_median(self) -> np.ndarray | None:
        return None if self.direct_log10_norms is None else quartiles(self.direct_log10_norms)[1]

    def bound_log10(self, gamma: float = 1.0) -> np.ndarray:
        """Pascanu's bound log10 (gamma λ1)^lag, (V, T+1), λ1 the largest over the seeds (spectral sweeps)."""
        if self.lambda1 is None:
            raise LstmsymError(
                f"a {self.parameter!r} sweep has no recurrent singular values; use a spectral sweep"
            )
        return np.stack([pascanu_bound_log10(gamma * float(np.max(l1)), self.lags) for l1 in self.lambda1])

    def max_over_bound(self, gamma: float = 1.0) -> float:
        """max over values, seeds and lags of log10 ‖measured‖ - log10 bound: ≤ 0 where the bound holds."""
        return float(np.max(self.log10_norms - self.bound_log10(gamma)[:, None, :]))

    def index(self, value: object) -> int:
        """Position of ``value`` in ``values`` (a cell sweep also takes a label: "lstm coupled=True")."""
        for v, candidate in enumerate(self.values):
            if candidate == value or (self.parameter == "cell" and short_label(candidate) == value):
                return v
        labels = [short_label(c) for c in self.values] if self.parameter == "cell" else list(self.values)
        raise LstmsymError(f"value {value!r} is not in this {self.parameter!r} sweep; it has {labels}")

    def median_at(self, value: object, lag: int, direct: bool = False) -> float:
        """log10 of the median norm over the seeds for ``value`` at ``lag`` (``direct``: the direct path)."""
        data = self.direct_log10_norms if direct else self.log10_norms
        if data is None:
            raise LstmsymError("this sweep has no direct-path norms; run it with with_direct=True")
        if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or not 0 <= lag <= self.lags[-1]:
            raise LstmsymError(f"lag must be a whole number in 0..{self.lags[-1]}, got {lag!r}")
        return float(quartiles(data[self.index(value)][:, lag], axis=0)[1])

    def frame(self, lags: Sequence[int] = (1, 10, 100, 1000), log10: bool = True):
        """Median norm over the seeds at the given lags (pandas DataFrame): a row per value, a column per lag;
        with the direct path held, columns (path, lag) for "total" and "direct". Lags past T are left out.

        ``log10=True`` (default) gives log10 of the median, which holds norms far below the float range
        (1e-400 is -400); ``log10=False`` gives the norms, 0 where they underflow (below about 1e-308).

        >>> from lstmsym.cells import make_cell
        >>> sweep = forget_bias_sweep(make_cell("lstm", n=2), T=20, values=[0.0, 3.0], seeds=[0, 1])
        >>> table = sweep.frame(lags=[1, 20])
        >>> table.index.tolist(), table.columns.tolist()
        (['b_f = 0', 'b_f = 3'], [('total', 1), ('total', 20), ('direct', 1), ('direct', 20)])
        >>> float(table.loc["b_f = 3", ("direct", 20)]) == sweep.median_at(3.0, 20, direct=True)
        True
        """
        import pandas as pd

        lags = [int(lag) for lag in lags if 0 <= lag <= self.lags[-1]]
        names = {"forget_bias": "b_f", "spectral_norm": "λ₁", "spectral_radius": "\N{GREEK SMALL LETTER RHO}"}
        name = names.get(self.parameter, self.parameter)
        labels = [short_label(v) if self.parameter == "cell" else f"{name} = {v:g}" for v in self.values]
        blocks = {"total": self.median[:, lags]}
        if self.direct_log10_norms is not None:
            blocks["direct"] = self.direct_median[:, lags]
        data = np.concatenate(list(blocks.values()), axis=1)
        if not log10:
            with np.errstate(under="ignore"):
                data = 10.0**data
        columns = pd.MultiIndex.from_tuples(
            [(path, lag) for path in blocks for lag in lags], names=["path", "lag L"]
        )
        if len(blocks) == 1:
            columns = pd.Index(lags, name="lag L")
        what = "log10 median" if log10 else "median"
        return pd.DataFrame(data, index=pd.Index(labels, name=what), columns=columns)


def short_label(cell_repr: str) -> str:
    """A short label from a cell's repr: the name and the switches, without the sizes.

    >>> short_label("make_cell('lstm', n=8, m=1, coupled=True)")
    'lstm coupled=True'
    """
    match = re.fullmatch(r"make_cell\('([^']+)'(.*)\)", cell_repr)
    if not match:
        return cell_repr
    rest = [part.strip() for part in match[2].split(",") if part.strip()]
    return " ".join([match[1], *(p for p in rest if not re.fullmatch(r"[nm]=\d+", p))])


def format_norm(log10_value: float, digits: int = 2) -> str:
    """A norm given by its log10, as mantissa and exponent: works far beyond the float range.

    >>> format_norm(-400.5), format_norm(0.0), format_norm(float("-inf"))
    ('3.16e-401', '1.00e+00', '0')
    """
    value = float(log10_value)
    if value == -np.inf:
        return "0"
    if not np.isfinite(value):
        return "inf" if value > 0 else "nan"
    exponent = int(np.floor(value))
    mantissa = 10.0 ** (value - exponent)
    if round(mantissa, digits) >= 10.0:  # 9.999 rounds up: carry into the exponent
        mantissa, exponent = mantissa / 10.0, exponent + 1
    return f"{mantissa:.{digits}f}e{exponent:+03d}"


def sigmoid_product_log10(forget_bias: float, lags: np.ndarray | int) -> np.ndarray:
    """log10 σ(b_f)^lag: the direct path ∏ f_t when every keep gate sits at σ(b_f) (zero weights and inputs).

    >>> [round(float(v), 2) for v in sigmoid_product_log10(0.0, np.array([10, 100]))]   # 0.5^10, 0.5^100
    [-3.01, -30.1]
    """
    lags = np.arange(lags + 1) if np.isscalar(lags) else np.asarray(lags)
    log_f = -np.logaddexp(0.0, -float(forget_bias)) / np.log(10.0)  # log10 σ(b), stable for any b
    return lags * log_f + 0.0


def pascanu_bound_log10(gamma_lambda1: float, lags: np.ndarray | int) -> np.ndarray:
    """log10 (gamma λ1)^lag, the bound ‖∂h_T/∂h_k‖₂ ≤ (gamma λ1)^(T-k) of Pascanu et al. (2013).

    gamma bounds the squashing slope (1 for tanh), λ1 is the recurrent weight's largest singular value.

    >>> pascanu_bound_log10(0.1, np.arange(4))
    array([ 0., -1., -2., -3.])
    """
    if not (np.isfinite(gamma_lambda1) and gamma_lambda1 > 0):
        raise LstmsymError(f"gamma_lambda1 must be a positive number, got {gamma_lambda1!r}")
    lags = np.arange(lags + 1) if np.isscalar(lags) else np.asarray(lags)
    return lags * np.log10(gamma_lambda1) + 0.0  # + 0.0: no -0.0 at lag 0


# --- checks ------------------------------------------------------------------------------------------------


def _check_cell(cell: object) -> Cell:
    if not isinstance(cell, Cell):
        raise LstmsymError(f"cell must be a cell from lstmsym.make_cell, got {type(cell).__name__}")
    return cell


def _check_values(name: str, values: Iterable[float], positive: bool = False) -> tuple[float, ...]:
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise LstmsymError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not out or not all(np.isfinite(out)) or (positive and min(out) <= 0):
        what = "positive numbers" if positive else "finite numbers"
        raise LstmsymError(f"{name} must be a non-empty sequence of {what}, got {values!r}")
    return out


def _block(cell: Cell, state: str) -> str:
    """The state whose own block is measured; "memory" is c where the cell has it, else h."""
    if state == "memory":
        return "c" if "c" in cell.state_names else "h"
    if state not in cell.state_names:
        raise UnknownChoiceError("state", state, ("memory", *cell.state_names))
    return state


def _check_ord(ord: object) -> object:
    if ord not in ORDS:
        raise UnknownChoiceError("ord", ord, ORDS)
    return ord


# --- one run -----------------------------------------------------------------------------------------------


def recurrent_weights(cell: Cell) -> tuple[str, ...]:
    """The weights a spectral sweep scales: W (RNN), W_c (dense memory: the memory's own weight),
    every W_· of an LSTM or GRU (each gate's weight on h_{t-1}, and the dense readout's W_y).

    >>> from lstmsym.cells import make_cell
    >>> recurrent_weights(make_cell("dense_memory")), recurrent_weights(make_cell("gru"))
    (('W_c',), ('W_z', 'W_r', 'W_n'))
    """
    _check_cell(cell)
    if cell.kind == "rnn":
        return ("W",)
    if cell.kind == "dense_memory":
        return ("W_c",)
    return tuple(name for name in cell.param_shapes if name.startswith("W_"))


def _set_spectral(W: np.ndarray, value: float, kind: str) -> np.ndarray:
    """W rescaled so that its largest singular value (or its spectral radius) is ``value``."""
    size = np.linalg.norm(W, 2) if kind == "singular" else np.max(np.abs(np.linalg.eigvals(W)))
    if size == 0:
        raise LstmsymError("cannot rescale a zero recurrent weight to a given spectral size")
    return W * (value / size)


def sample_run(
    cell: Cell,
    T: int,
    seed: int = 0,
    forget_bias: float = 1.0,
    scale: float | None = None,
    input_scale: float = 1.0,
    spectral: float | None = None,
    spectral_kind: str = "singular",
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(params, xs) of the run a sweep measures for ``seed`` (:func:`burn_in_state` gives its start state when
    the run does not start from zero).

    ``np.random.default_rng(seed)`` draws the parameters with :func:`init_params` (``scale`` None: PyTorch's
    U(-1/√n, 1/√n); else N(0, scale²); keep-gate bias ``forget_bias``), then the inputs xs (T, m) ~
    N(0, input_scale²). With ``spectral``, each weight of :func:`recurrent_weights` is rescaled so that its
    largest singular value (``spectral_kind="singular"``) or spectral radius (``"radius"``) equals it.

    >>> from lstmsym.cells import make_cell
    >>> params, xs = sample_run(make_cell("rnn", n=3), T=5, seed=1, spectral=0.9)
    >>> xs.shape, round(float(np.linalg.norm(params["W"], 2)), 6)
    ((5, 1), 0.9)
    """
    params, xs, _ = _draw_run(cell, T, seed, forget_bias, scale, input_scale, spectral, spectral_kind, 0)
    return params, xs


def burn_in_state(
    cell: Cell,
    T: int,
    seed: int = 0,
    burn_in: int = 100,
    forget_bias: float = 1.0,
    scale: float | None = None,
    input_scale: float = 1.0,
    spectral: float | None = None,
    spectral_kind: str = "singular",
) -> dict[str, np.ndarray]:
    """The start state of :func:`sample_run`'s run after a burn-in: the cell, with the run's parameters, run
    from zero over ``burn_in`` further inputs, which the seed's generator draws *after* the run's T inputs
    (name -> (n,)). The run's parameters and inputs are unchanged, so a run from this state differs from
    the one from zero in its start state only: the control for effects of starting at s_0 = 0.

    >>> from lstmsym.cells import make_cell
    >>> cell = make_cell("lstm", n=2)
    >>> state0 = burn_in_state(cell, T=10, seed=0, burn_in=50)
    >>> sorted(state0), state0["c"].shape
    (['c', 'h'], (2,))
    >>> bool(np.all(burn_in_state(cell, T=10, seed=0, burn_in=0)["c"] == 0))     # no burn-in: from zero
    True
    """
    burn_in = whole_number("burn_in", burn_in, minimum=0)
    options = (forget_bias, scale, input_scale, spectral, spectral_kind, burn_in)
    return _draw_run(cell, T, seed, *options)[2]


def _draw_run(
    cell: Cell,
    T: int,
    seed: int,
    forget_bias: float,
    scale: float | None,
    input_scale: float,
    spectral: float | None,
    spectral_kind: str,
    burn_in: int,
) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]:
    """(params, xs, state0): :func:`sample_run`'s draws, then ``burn_in`` inputs and the state they reach."""
    _check_cell(cell)
    T = whole_number("T", T)
    rng = np.random.default_rng(seed_tuple([seed])[0])
    params = init_params(cell, rng, scale=scale, forget_bias=forget_bias)
    input_scale = positive_number("input_scale", input_scale)
    xs = random_sequence(cell, T, rng, scale=input_scale)
    if spectral is not None:
        if spectral_kind not in SPECTRAL_KINDS:
            raise UnknownChoiceError("spectral_kind", spectral_kind, SPECTRAL_KINDS)
        value = positive_number("spectral", spectral)
        for name in recurrent_weights(cell):
            params[name] = _set_spectral(params[name], value, spectral_kind)
    if burn_in == 0:
        state0 = {name: np.zeros(cell.n) for name in cell.state_names}
    else:
        warm = forward(cell, params, random_sequence(cell, burn_in, rng, scale=input_scale))
        state0 = {name: np.array(value) for name, value in warm.state(burn_in).items()}
    return params, xs, state0


def _log10_norms(
    cell: Cell,
    params: dict,
    xs: np.ndarray,
    block: str,
    ord: object,
    direct: bool,
    state0: dict | None = None,
) -> np.ndarray:
    """log10 ‖∂a_T/∂a_{T-lag}‖ indexed by lag (the reference returns them indexed by k)."""
    return lag_jacobian_norms(
        cell, params, xs, state0=state0, block=(block, block), direct=direct, ord=ord, log10=True
    )[::-1]


def lag_norms(
    cell: Cell,
    T: int,
    seed: int = 0,
    state: str = "memory",
    ord: object = 2,
    direct: bool = False,
    forget_bias: float = 1.0,
    scale: float | None = None,
    input_scale: float = 1.0,
    params: dict | None = None,
    xs: np.ndarray | None = None,
) -> LagNorms:
    """‖∂a_T/∂a_k‖ for every lag T - k of one run, as log10 (finite far below the float range).

    ``state``: "c", "h", or "memory" (c where the cell has it, else h). ``ord``: 2 (spectral) or "fro".
    ``direct=True``: along the direct (carousel) path. The run is :func:`sample_run` of the seed, unless
    ``params`` and ``xs`` are given (then T, ``seed`` and the drawing options are ignored).

    >>> from lstmsym.cells import make_cell
    >>> run = lag_norms(make_cell("lstm1997", n=2), T=3, direct=True)
    >>> run.norms                                   # the 1997 carousel: the identity at every lag
    array([1., 1., 1., 1.])
    """
    _check_cell(cell)
    block, ord = _block(cell, state), _check_ord(ord)
    if (params is None) != (xs is None):
        raise LstmsymError("give both params and xs, or neither (then the seed draws them)")
    if params is None:
        params, xs = sample_run(cell, T, seed, forget_bias, scale, input_scale)
        drawn = {"seed": int(seed), "forget_bias": forget_bias, "scale": scale, "input_scale": input_scale}
    else:
        drawn = {"params": "given"}
    values = _log10_norms(cell, params, np.asarray(xs, dtype=np.float64), block, ord, direct)
    config = {"cell": repr(cell), "state": block, "ord": ord, "direct": direct, "T": len(values) - 1, **drawn}
    return LagNorms(lags=np.arange(len(values)), log10_norms=values, config=config)


def seed_norms(
    cell: Cell,
    T: int,
    seeds: Iterable[int] = range(8),
    state: str = "memory",
    ord: object = 2,
    direct: bool = False,
    forget_bias: float = 1.0,
    scale: float | None = None,
    input_scale: float = 1.0,
) -> SeedNorms:
    """:func:`lag_norms` for each seed; median and quartiles over the seeds.

    >>> from lstmsym.cells import make_cell
    >>> runs = seed_norms(make_cell("rnn", n=4), T=20, seeds=range(5))
    >>> runs.log10_norms.shape, bool(np.all(runs.q1 <= runs.median))
    ((5, 21), True)
    """
    seeds = seed_tuple(seeds)
    runs = [lag_norms(cell, T, s, state, ord, direct, forget_bias, scale, input_scale) for s in seeds]
    config = {k: v for k, v in runs[0].config.items() if k != "seed"}
    return SeedNorms(
        lags=runs[0].lags, seeds=seeds, log10_norms=np.stack([r.log10_norms for r in runs]), config=config
    )


# --- sweeps over a setting ---------------------------------------------------------------------------------


def _sweep(
    parameter: str,
    values: tuple,
    cells: Sequence[Cell],
    T: int,
    seeds: Iterable[int],
    state: str,
    ord: object,
    direct: bool,
    with_direct: bool,
    draw: Sequence[dict],
    config: dict,
) -> ParameterSweep:
    """Shared loop: for value v, cell ``cells[v]`` and drawing options ``draw[v]``, over the seeds."""
    seeds, T, ord = seed_tuple(seeds), whole_number("T", T), _check_ord(ord)
    paths = [direct] + ([True] if with_direct and not direct else [])
    norms = np.empty((len(paths), len(values), len(seeds), T + 1))
    lambda1 = np.empty((len(values), len(seeds)))
    for v, (cell, options) in enumerate(zip(cells, draw, strict=True)):
        block = _block(cell, state)
        options = {"spectral": None, "spectral_kind": "singular", "burn_in": 0, **options}
        for j, seed in enumerate(seeds):
            params, xs, state0 = _draw_run(cell, T, seed, **options)
            lambda1[v, j] = max(np.linalg.norm(params[w], 2) for w in recurrent_weights(cell))
            for p, path in enumerate(paths):
                norms[p, v, j] = _log10_norms(cell, params, xs, block, ord, path, state0)
    spectral = parameter in ("spectral_norm", "spectral_radius")
    blocks = {_block(cell, state) for cell in cells}  # one state for all: name it ("c"), else "memory"
    config = {
        "T": T,
        "state": blocks.pop() if len(blocks) == 1 else state,
        "ord": ord,
        "direct": direct,
        **config,
    }
    return ParameterSweep(
        parameter=parameter,
        values=values,
        lags=np.arange(T + 1),
        seeds=seeds,
        log10_norms=norms[0],
        direct_log10_norms=norms[1] if len(paths) > 1 else None,
        lambda1=lambda1 if spectral else None,
        config=config,
    )


def cell_sweep(
    cells: Sequence[Cell],
    T: int,
    seeds: Iterable[int] = range(8),
    state: str = "memory",
    ord: object = 2,
    direct: bool = False,
    with_direct: bool = False,
    scale: float | None = None,
    input_scale: float = 1.0,
    forget_bias: float = 1.0,
) -> ParameterSweep:
    """Several cells side by side: ``values`` are the cells' reprs. With ``state="memory"`` each cell reports
    its memory block, ∂c_T/∂c_k where it has c, ∂h_T/∂h_k otherwise.

    >>> from lstmsym.cells import make_cell
    >>> sweep = cell_sweep([make_cell("rnn", n=2), make_cell("lstm1997", n=2)], T=10, seeds=[0], direct=True)
    >>> sweep.values
    ("make_cell('rnn', n=2, m=1)", "make_cell('lstm1997', n=2, m=1)")
    >>> [float(v) for v in sweep.median[:, 10]][1]      # the 1997 carousel: exactly 1
    0.0
    """
    cells = [_check_cell(c) for c in cells]
    if not cells:
        raise LstmsymError("cells must be a non-empty sequence of cells")
    options = {"forget_bias": forget_bias, "scale": scale, "input_scale": input_scale}
    return _sweep(
        "cell",
        tuple(repr(c) for c in cells),
        cells,
        T,
        seeds,
        state,
        ord,
        direct,
        with_direct,
        [options] * len(cells),
        dict(options),
    )


def forget_bias_sweep(
    cell: Cell,
    T: int,
    values: Iterable[float] = (0.0, 1.0, 3.0, 5.0),
    seeds: Iterable[int] = range(8),
    state: str = "memory",
    ord: object = 2,
    with_direct: bool = True,
    scale: float | None = None,
    input_scale: float = 1.0,
) -> ParameterSweep:
    """The keep-gate bias b_f over ``values`` (a cell with a keep gate b_f); by default also along the
    direct path ∏ diag(f_t), to draw beside the total."""
    _check_cell(cell)
    if "b_f" not in cell.param_shapes:
        raise LstmsymError(f"forget_bias_sweep needs a cell with a keep-gate bias b_f; {cell!r} has none")
    values = _check_values("values", values)
    draw = [{"forget_bias": b, "scale": scale, "input_scale": input_scale} for b in values]
    return _sweep(
        "forget_bias",
        values,
        [cell] * len(values),
        T,
        seeds,
        state,
        ord,
        False,
        with_direct,
        draw,
        {"cell": repr(cell), "scale": scale, "input_scale": input_scale},
    )


def spectral_sweep(
    cell: Cell,
    T: int,
    values: Iterable[float] = (0.8, 1.0, 1.2),
    seeds: Iterable[int] = range(8),
    kind: str = "singular",
    state: str = "memory",
    ord: object = 2,
    direct: bool = False,
    with_direct: bool = False,
    forget_bias: float = 1.0,
    scale: float | None = None,
    input_scale: float = 1.0,
    burn_in: int = 0,
) -> ParameterSweep:
    """The recurrent weights (:func:`recurrent_weights`) rescaled to largest singular value λ1 = value
    (``kind="singular"``) or spectral radius = value (``"radius"``). ``lambda1`` records each run's λ1;
    :meth:`ParameterSweep.bound_log10` gives Pascanu's bound (gamma λ1)^lag, which holds for the RNN's
    ‖∂h_T/∂h_k‖₂ and the dense-memory cell's direct ‖∂c_T/∂c_k‖₂ (gamma = 1 for tanh).

    ``burn_in`` > 0 starts every run from :func:`burn_in_state` instead of zero (same parameters, same T
    inputs): the control for what the first steps of a run from s_0 = 0 contribute.

    >>> from lstmsym.cells import make_cell
    >>> sweep = spectral_sweep(make_cell("rnn", n=4), T=30, values=[0.8], seeds=range(3))
    >>> bool(np.all(sweep.log10_norms <= sweep.bound_log10()[:, None, :] + 1e-12))
    True
    """
    _check_cell(cell)
    if kind not in SPECTRAL_KINDS:
        raise UnknownChoiceError("kind", kind, SPECTRAL_KINDS)
    values = _check_values("values", values, positive=True)
    burn_in = whole_number("burn_in", burn_in, minimum=0)
    draw = [
        {
            "forget_bias": forget_bias,
            "scale": scale,
            "input_scale": input_scale,
            "spectral": v,
            "spectral_kind": kind,
            "burn_in": burn_in,
        }
        for v in values
    ]
    name = "spectral_norm" if kind == "singular" else "spectral_radius"
    return _sweep(
        name,
        values,
        [cell] * len(values),
        T,
        seeds,
        state,
        ord,
        direct,
        with_direct,
        draw,
        {
            "cell": repr(cell),
            "weights": recurrent_weights(cell),
            "forget_bias": forget_bias,
            "scale": scale,
            "input_scale": input_scale,
            "burn_in": burn_in,
        },
    )


def hidden_size_sweep(
    cell: Cell,
    T: int,
    values: Iterable[int] = (1, 4, 16, 64),
    seeds: Iterable[int] = range(8),
    state: str = "memory",
    ord: object = 2,
    direct: bool = False,
    with_direct: bool = False,
    forget_bias: float = 1.0,
    scale: float | None = None,
    input_scale: float = 1.0,
) -> ParameterSweep:
    """The same kind of cell (same switches and input size) rebuilt with each hidden size n in ``values``."""
    _check_cell(cell)
    sizes = tuple(values)
    if not sizes or any(isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1 for v in sizes):
        raise LstmsymError(f"values must be a non-empty sequence of whole numbers >= 1, got {values!r}")
    name = cell.registry_name  # the make_cell name, e.g. "lstm1997"
    switches = dict(cell.options) if cell.kind == "lstm" else {}
    cells = [make_cell(name, n=int(n), m=cell.m, **switches) for n in sizes]
    options = {"forget_bias": forget_bias, "scale": scale, "input_scale": input_scale}
    return _sweep(
        "hidden_size",
        tuple(int(n) for n in sizes),
        cells,
        T,
        seeds,
        state,
        ord,
        direct,
        with_direct,
        [options] * len(cells),
        {"cell": repr(cell), **options},
    )


def input_scale_sweep(
    cell: Cell,
    T: int,
    values: Iterable[float] = (0.1, 1.0, 3.0),
    seeds: Iterable[int] = range(8),
    state: str = "memory",
    ord: object = 2,
    direct: bool = False,
    with_direct: bool = False,
    forget_bias: float = 1.0,
    scale: float | None = None,
) -> ParameterSweep:
    """Inputs x_t ~ N(0, s²) for each s in ``values``: larger inputs push the gates and the tanh units
    toward saturation, where their slopes, and with them the gradients, shrink."""
    _check_cell(cell)
    values = _check_values("values", values, positive=True)
    draw = [{"forget_bias": forget_bias, "scale": scale, "input_scale": s} for s in values]
    return _sweep(
        "input_scale",
        values,
        [cell] * len(values),
        T,
        seeds,
        state,
        ord,
        direct,
        with_direct,
        draw,
        {"cell": repr(cell), "forget_bias": forget_bias, "scale": scale},
    )
