r"""One dense layer for the new memory (the origin question's first point) against the LSTM's additive update.

The dense-memory cell computes c_t = tanh(W_c c_{t-1} + W_h h_{t-1} + U_c x_t + b_c). Its memory block is
the vanilla RNN's block with h renamed to c and W to W_c:

>>> import sympy as sp
>>> from lstmsym.cells import make_cell
>>> from lstmsym.derivatives.step import jacobian_block
>>> rnn_form(n=1)
Matrix([[W_{c}*(1 - c_{t}**2)]])
>>> rnn_form(n=1) == jacobian_block(make_cell("dense_memory"), "c", "c")
True

so the Pascanu-Mikolov-Bengio bound holds for it unchanged, ‖∂c_T/∂c_{T-L}‖₂ ≤ ‖W_c‖₂^L on its
memory path (:func:`pascanu_bound_check`). A stored value costs a factor below 1 per step: in the
scalar cell c_t = tanh(w c_{t-1}) the value c* that it keeps is a fixed point, where the factor is
w (1 - c*²):

>>> c_star, factor = keep_factor([0.5, 1.1, 3.0])
>>> [round(float(c), 3) for c in c_star], [round(float(a), 3) for a in factor]
([0.0, 0.503, 0.995], [0.5, 0.822, 0.031])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..cells import make_cell
from ..checks import seed_tuple, whole_number
from ..derivatives.step import jacobian_block
from ..errors import LstmsymError
from ..numerics.params import init_params, random_sequence
from ..numerics.reference import forward, lag_jacobian_norms
from .carousel import NormCurves, _check_lags, norm_curves
from .rnn_bounds import pascanu_bound


def _rnn_name_to_dense(name: str) -> str:
    """h_{t,1} → c_{t,1}; W → W_{c}; W_{12} → W_{c,12} (the RNN's state and weight, renamed)."""
    if name.startswith("h_{"):
        return "c_{" + name[3:]
    if name == "W":
        return "W_{c}"
    match = re.fullmatch(r"W_\{(\d+)\}", name)
    return f"W_{{c,{match.group(1)}}}" if match else name


def rnn_form(n: int = 1) -> sp.Matrix:
    """The vanilla RNN's ∂h_t/∂h_{t-1} = diag(1 - h_t²) W, with h renamed to c and W to W_c, (n, n).

    Derived by lstmsym from ``make_cell("rnn", n)``; the renamed symbols carry the same assumptions, so
    the result can be compared with the dense-memory cell's block by ``==`` or ``check_answer``.
    """
    block = jacobian_block(make_cell("rnn", n=whole_number("n", n)), "h", "h")
    mapping = {
        s: sp.Symbol(_rnn_name_to_dense(s.name), **s.assumptions0)
        for s in block.free_symbols
        if _rnn_name_to_dense(s.name) != s.name
    }
    return block.xreplace(mapping)


def keep_factor(w: Sequence[float] | float) -> tuple[np.ndarray, np.ndarray]:
    """For the scalar memory c_t = tanh(w c_{t-1}): the value c* ≥ 0 it keeps and the per-step factor there.

    c* is the stable fixed point (0 for 0 ≤ w ≤ 1, the positive root of c = tanh(w c) for w > 1, found by
    bisection to machine precision); the factor is ∂c_t/∂c_{t-1} = w (1 - c*²). It is below 1 for every
    w ≠ 1 and reaches 1 only at w = 1, where c* = 0: the memory keeps nothing.
    """
    w_arr = np.atleast_1d(np.asarray(w, dtype=np.float64))
    if w_arr.ndim != 1 or not np.all(np.isfinite(w_arr)) or np.any(w_arr < 0):
        raise LstmsymError(f"w must be a number or 1-d sequence of numbers >= 0, got {w!r}")
    lo, hi = np.zeros_like(w_arr), np.ones_like(w_arr)  # tanh(w c) - c > 0 on (0, c*), < 0 above
    for _ in range(80):  # bisection: 2^-80 below double precision on (0, 1)
        mid = 0.5 * (lo + hi)
        above = np.tanh(w_arr * mid) > mid
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    c_star = np.where(w_arr > 1.0, 0.5 * (lo + hi), 0.0)
    return c_star, w_arr * (1.0 - c_star**2)


@dataclass(frozen=True, eq=False)
class BoundCheck:
    """The dense-memory cell's memory path against the Pascanu bound, per seed (rows) and lag (columns).

    ``measured[s, L]`` = ‖∂c_T/∂c_{T-L}‖₂ on the memory path (h held fixed); ``bound[s, L]`` = ‖W_c‖₂^L;
    ``norm_W[s]`` = ‖W_c‖₂ of seed s.
    """

    seeds: tuple[int, ...]
    lags: np.ndarray
    norm_W: np.ndarray
    measured: np.ndarray
    bound: np.ndarray

    @property
    def holds(self) -> bool:
        """Whether measured ≤ bound at every seed and lag (up to 1e-12 relative round-off)."""
        return bool(np.all(self.measured <= self.bound * (1 + 1e-12)))

    @property
    def slack(self) -> np.ndarray:
        """bound / measured: how loose the bound is, (seeds, lags)."""
        return self.bound / self.measured

    def frame(self, lags: Sequence[int] = (1, 10, 50, 100)):
        """A pandas DataFrame, one row per seed: ‖W_c‖₂, then the measured norm and the bound at each lag.

        >>> check = pascanu_bound_check(n=2, max_lag=10, seeds=(0,))
        >>> table = check.frame(lags=(1, 10))
        >>> list(table.columns)
        ['‖W_c‖₂', 'measured L=1', 'bound L=1', 'measured L=10', 'bound L=10']
        >>> bool((table["measured L=10"] <= table["bound L=10"]).all())
        True
        """
        import pandas as pd

        lags = _check_lags(lags)
        if max(lags) >= len(self.lags):
            raise LstmsymError(f"lags must be at most {len(self.lags) - 1}, got {lags!r}")
        columns = {"‖W_c‖₂": self.norm_W}
        for L in lags:
            columns[f"measured L={L}"] = self.measured[:, L]
            columns[f"bound L={L}"] = self.bound[:, L]
        return pd.DataFrame(columns, index=pd.Index(self.seeds, name="seed"))


def pascanu_bound_check(
    n: int = 4, max_lag: int = 100, seeds: Sequence[int] = (0, 1, 2, 3, 4), scale: float = 0.3
) -> BoundCheck:
    """Measure the dense-memory cell's memory-path norms and the bound ‖W_c‖₂^L, same draws as norm_curves.

    For each seed, one generator draws the weights ~ N(0, scale²) and then the inputs ~ N(0, 1), exactly
    as :func:`~lstmsym.experiments.carousel.norm_curves` does, so ``measured`` equals its ``direct``.
    """
    cell = make_cell("dense_memory", n=whole_number("n", n))
    T, seeds = whole_number("max_lag", max_lag), seed_tuple(seeds)
    lags = np.arange(T + 1)
    norm_W, measured, bound = [], [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params = init_params(cell, rng, scale=scale)
        xs = random_sequence(cell, T, rng)
        measured.append(lag_jacobian_norms(cell, params, xs, block=("c", "c"), direct=True, ord=2)[::-1])
        w = float(np.linalg.norm(params["W_c"], 2))
        norm_W.append(w)
        bound.append(pascanu_bound(T, lambda1=w))  # ‖∂c_T/∂c_{T-L}‖ ≤ ‖W_c‖₂^L, as for the RNN
    return BoundCheck(seeds, lags, np.array(norm_W), np.array(measured), np.array(bound))


def compare_memory_updates(
    n: int = 4,
    max_lag: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    scale: float = 0.3,
    forget_biases: Sequence[float] = (1.0, 3.0),
) -> list[NormCurves]:
    """Norm curves of the dense-memory cell, then of the LSTM for each keep-gate bias: same n, scale, seeds.

    Every cell gets weights ~ N(0, scale²), inputs ~ N(0, 1) and zero biases (the LSTM's b_f excepted),
    drawn per seed by :func:`~lstmsym.experiments.carousel.norm_curves`.
    """
    n = whole_number("n", n)
    out = [norm_curves(make_cell("dense_memory", n=n), max_lag, seeds, scale, label="dense memory")]
    for b in forget_biases:
        out.append(
            norm_curves(
                make_cell("lstm", n=n), max_lag, seeds, scale, forget_bias=b, label=f"LSTM, b_f = {b:g}"
            )
        )
    return out


@dataclass(frozen=True)
class Carry:
    """What a cell with all weights and biases zero (b_f excepted) does to a stored c_0 in ``steps`` steps."""

    kind: str
    steps: int
    c0: float
    cT: float  # the memory after the steps
    gradient: float  # ∂c_T/∂c_0 (total)


def zero_weight_carry(kind: str, steps: int = 100, c0: float = 0.5, forget_bias: float = 5.0) -> Carry:
    """The default behaviour of a scalar cell: every weight and bias zero (the LSTM's b_f = ``forget_bias``).

    With nothing learned, the LSTM keeps c_T = σ(b_f)^T c_0; the dense-memory cell overwrites its memory
    with tanh(0) = 0 in the first step.
    """
    if kind not in ("lstm", "dense_memory"):
        raise LstmsymError(f"kind={kind!r} is not valid; expected one of: 'lstm', 'dense_memory'")
    steps = whole_number("steps", steps)
    T = int(steps)
    cell = make_cell(kind, n=1)
    params = {name: np.zeros(shape) for name, shape in cell.param_shapes.items()}
    if "b_f" in params:
        params["b_f"] = np.array([float(forget_bias)])
    xs = np.zeros((T, 1))
    state0 = {"c": np.array([float(c0)]), "h": np.zeros(1)}
    traj = forward(cell, params, xs, state0)
    grad = lag_jacobian_norms(cell, params, xs, state0, block=("c", "c"))[0]
    return Carry(kind, T, float(c0), float(traj.states["c"][T, 0]), float(grad))


@dataclass(frozen=True)
class LinearCarry:
    """The scalar linear memory c_t = w c_{t-1} + s x_t after ``steps`` steps, over ``repeats`` draws."""

    w: float
    steps: int
    gradient: float  # ∂c_T/∂c_0 = w**T, w to the power T
    rms_c: float  # root mean square of c_T over the draws (c_0 = 0)


def linear_memory(
    w: float, steps: int = 1000, input_scale: float = 0.3, repeats: int = 200, seed: int = 0
) -> LinearCarry:
    """A dense memory without tanh, scalar: c_t = w c_{t-1} + s x_t, x_t ~ N(0, 1), c_0 = 0.

    Its memory path is w per step, so ∂c_T/∂c_0 = w**T (w to the power T): exactly 1 at w = 1, and off by
    orders of magnitude for w a little off 1. At w = 1 it carries perfectly but sums every input, so c_T has
    root mean square s √T: the memory drifts without bound.

    >>> [f"{linear_memory(w).gradient:.3g}" for w in (0.99, 1.0, 1.01)]
    ['4.32e-05', '1', '2.1e+04']
    >>> round(linear_memory(1.0, steps=10_000, repeats=2000).rms_c / (0.3 * 100), 1)   # s √T
    1.0
    """
    w = float(w)
    if not np.isfinite(w):
        raise LstmsymError(f"w must be a finite number, got {w!r}")
    steps = whole_number("steps", steps)
    repeats = whole_number("repeats", repeats)
    if not np.isfinite(input_scale) or input_scale < 0:
        raise LstmsymError(f"input_scale must be a finite number >= 0, got {input_scale!r}")
    rng = np.random.default_rng(seed)
    c = np.zeros(int(repeats))
    for _ in range(int(steps)):
        c = w * c + input_scale * rng.standard_normal(int(repeats))
    return LinearCarry(w, int(steps), w ** int(steps), float(np.sqrt(np.mean(c**2))))


def deep_memory_norms(
    depth: int,
    n: int = 4,
    max_lag: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    scale: float = 0.3,
    residual: bool = False,
) -> np.ndarray:
    """Median over seeds of ‖∂c_T/∂c_{T-L}‖₂, L = 0..max_lag, for a memory computed by ``depth`` tanh layers.

    One step is z_1 = tanh(W_1 c_{t-1} + U x_t), z_k = tanh(W_k z_{k-1}), c_t = z_depth (h left out,
    as on the dense cell's memory path). Its step Jacobian is ∏_k diag(1 - z_k²) W_k: one weight and one
    slope per layer. Per seed, one generator draws W_1..W_depth and U ~ N(0, scale²), then x_t ~ N(0, 1).
    ``residual=True`` adds the old memory back, c_t = c_{t-1} + z_depth: the same network, plus the identity
    (the additive update without gates), so the step Jacobian is I + ∏_k diag(1 - z_k²) W_k.

    >>> m1, m2 = deep_memory_norms(1, max_lag=50), deep_memory_norms(2, max_lag=50)
    >>> bool(m2[50] < 1e-8 * m1[50])
    True
    >>> r2 = deep_memory_norms(2, max_lag=50, residual=True)   # the same two layers, plus the identity
    >>> bool(r2[50] > 1)                                       # no longer vanishing; nothing gates it
    True
    """
    depth = whole_number("depth", depth)
    n, T, seeds = whole_number("n", n), whole_number("max_lag", max_lag), seed_tuple(seeds)
    if not np.isfinite(scale) or scale <= 0:
        raise LstmsymError(f"scale must be a finite number > 0, got {scale!r}")
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        Ws = [rng.normal(0.0, scale, (n, n)) for _ in range(int(depth))]
        U = rng.normal(0.0, scale, (n, 1))
        xs = rng.standard_normal((T, 1))
        c, steps = np.zeros(n), []
        for x in xs:
            z = np.tanh(Ws[0] @ c + U @ x)
            J = (1.0 - z**2)[:, None] * Ws[0]
            for W in Ws[1:]:
                z = np.tanh(W @ z)
                J = ((1.0 - z**2)[:, None] * W) @ J
            if residual:  # c_t = c_{t-1} + network: the identity joins every step
                c, J = c + z, np.eye(n) + J
            else:
                c = z
            steps.append(J)
        P, norms = np.eye(n), [1.0]
        for J in reversed(steps):  # ∂c_T/∂c_{T-L} = J_T J_{T-1} ... J_{T-L+1}
            P = P @ J
            norms.append(float(np.linalg.norm(P, 2)))
        out.append(norms)
    return np.median(np.array(out), axis=0)


def plot_bound_check(check: BoundCheck, ax=None, title: str | None = None):
    """Measured direct-path norms (solid) and their bounds ‖W_c‖₂^L (dotted), one shade of the dense memory's
    colour per seed (:func:`lstmsym.style.shades`); log y.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lstmsym.style import shades
    >>> ax = plot_bound_check(pascanu_bound_check(n=2, max_lag=5, seeds=(0, 1)))
    >>> [line.get_color() for line in ax.lines][::2] == shades("dense_memory", 2)
    True
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from ..style import log_axis, path_linestyle, shades

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    colors = shades("dense_memory", len(check.seeds))  # one cell: its colour, a shade per seed
    for s, seed in enumerate(check.seeds):
        color = colors[s]
        ax.plot(check.lags, check.measured[s], "-", color=color, label=f"seed {seed}: measured")
        ax.plot(
            check.lags,
            check.bound[s],
            path_linestyle("bound"),
            color=color,
            label=rf"seed {seed}: bound $\|W_c\|_2^L$ = {check.norm_W[s]:.2f}$^L$",
        )
    log_axis(ax, "y")
    ax.set_xlabel("lag $L = T - k$")
    ax.set_ylabel(r"$\|\partial c_T / \partial c_{T-L}\|_2$ (direct path)")
    ax.set_title(title or "Dense-memory cell: the RNN bound applies to its memory")
    ax.legend(
        fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0
    )  # beside the curves
    return ax


def plot_keep_factor(w: Sequence[float], ax=None, title: str | None = None):
    """The kept value c* and the per-step factor w (1 - c*²) of c_t = tanh(w c_{t-1}) against w."""
    import matplotlib.pyplot as plt

    c_star, factor = keep_factor(w)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    ax.plot(w, c_star, label=r"kept value $c^*$")
    ax.plot(w, factor, label=r"per-step factor $w(1 - c^{*2})$")
    ax.axhline(1.0, color="gray", linewidth=0.8, linestyle=":")
    ax.set_xlabel("recurrent weight $w$ on the memory")
    ax.set_ylabel("value")
    ax.set_title(title or r"Scalar dense memory $c_t = \tanh(w\,c_{t-1})$: keeping a value costs gradient")
    ax.legend()
    return ax


def dense_scale_sweep(
    scales: Sequence[float] = (0.3, 0.6, 1.0, 2.0, 4.0),
    n: int = 4,
    max_lag: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
) -> dict[float, NormCurves]:
    """:func:`~lstmsym.experiments.carousel.norm_curves` of the dense-memory cell, one per weight scale.

    >>> sweep = dense_scale_sweep(scales=(0.3, 1.0), n=2, max_lag=20, seeds=(0, 1))
    >>> list(sweep), bool(sweep[0.3].at(20, "direct") < 1e-3)
    ([0.3, 1.0], True)
    """
    cell = make_cell("dense_memory", n=whole_number("n", n))
    return {float(s): norm_curves(cell, max_lag=max_lag, seeds=seeds, scale=float(s)) for s in scales}


def scale_sweep_frame(
    sweep: dict[float, NormCurves], reference: NormCurves, reference_label: str, lag: int = 100
):
    """Median direct and total norms at ``lag`` (pandas DataFrame): a row per weight scale of ``sweep``, then
    one for ``reference``.

    >>> sweep = dense_scale_sweep(scales=(0.3,), n=2, max_lag=20, seeds=(0, 1))
    >>> table = scale_sweep_frame(sweep, sweep[0.3], "same again", lag=20)
    >>> list(table.index), list(table.columns)
    (['dense memory, weight scale 0.3', 'same again'], ['direct', 'total'])
    >>> float(table.loc["same again", "direct"]) == sweep[0.3].at(20, "direct")
    True
    """
    import pandas as pd

    (lag,) = _check_lags([lag], "lag")
    rows = {f"dense memory, weight scale {s:g}": c for s, c in sweep.items()}
    rows[reference_label] = reference
    return pd.DataFrame(
        [[c.at(lag, "direct"), c.at(lag)] for c in rows.values()],
        index=pd.Index(list(rows), name=f"median at lag {lag}"),
        columns=["direct", "total"],
    )


def medians_frame(curves: Sequence[NormCurves], lags: Sequence[int] = (1, 10, 20, 50, 100)):
    """Median over the seeds of each curve set (pandas DataFrame): a row per (curve set, path), a column per
    lag.

    >>> curves = compare_memory_updates(n=2, max_lag=10, seeds=(0, 1), forget_biases=(3.0,))
    >>> table = medians_frame(curves, lags=(1, 10))
    >>> table.index.tolist()[:2], table.columns.tolist()
    ([('dense memory', 'direct'), ('dense memory', 'total')], [1, 10])
    """
    import pandas as pd

    if isinstance(curves, NormCurves):
        curves = [curves]
    lags = _check_lags(lags)
    index, rows = [], []
    for c in curves:
        for path in ("direct", "total"):
            index.append((c.label, path))
            rows.append([c.at(L, path) for L in lags])
    return pd.DataFrame(
        rows,
        index=pd.MultiIndex.from_tuples(index, names=["cell", "path"]),
        columns=pd.Index(list(lags), name="lag L"),
    )


@dataclass(frozen=True)
class KeepTarget:
    """The smallest w on a grid whose fixed point c* = tanh(w c*) reaches ``target``, and its factor."""

    target: float
    w: float
    c_star: float
    factor: float  # w (1 - c*²): what one step keeps of the gradient there


def keep_targets(w: Sequence[float], targets: Sequence[float] = (0.1, 0.5, 0.9)) -> list[KeepTarget]:
    """For each target, the smallest w of the grid ``w`` (increasing) whose fixed point c* is >= target.

    The larger the value to keep, the larger w must be, and the smaller the per-step factor there:

    >>> for row in keep_targets(np.linspace(0.0, 6.0, 601), targets=(0.5, 0.9)):
    ...     print(row.target, round(row.w, 2), round(row.c_star, 3), round(row.factor, 3))
    0.5 1.1 0.503 0.822
    0.9 1.64 0.901 0.309

    A list of them is a table: ``pandas.DataFrame(keep_targets(w))``.
    """
    w = np.asarray(w, dtype=float)
    if w.ndim != 1 or w.size == 0 or np.any(np.diff(w) <= 0):
        raise LstmsymError(f"w must be a non-empty increasing 1-D grid, got shape {w.shape}")
    c_star, factor = keep_factor(w)
    out = []
    for target in targets:
        reached = np.flatnonzero(c_star >= target)
        if reached.size == 0:
            raise LstmsymError(f"no w on the grid keeps c* >= {target}: extend w beyond {w[-1]:g}")
        j = int(reached[0])
        out.append(KeepTarget(float(target), float(w[j]), float(c_star[j]), float(factor[j])))
    return out


@dataclass(frozen=True)
class DeepMemoryTable:
    """Median ‖∂c_T/∂c_{T-lag}‖₂ (:func:`deep_memory_norms`): a row per weight scale, a column per depth."""

    scales: tuple[float, ...]
    depths: tuple[int, ...]
    lag: int
    medians: np.ndarray  # (len(scales), len(depths))

    def frame(self):
        """The table as a pandas DataFrame: a row per weight scale, a column per depth."""
        import pandas as pd

        return pd.DataFrame(
            self.medians,
            index=pd.Index(self.scales, name="weight scale s"),
            columns=pd.Index(self.depths, name="depth"),
        )


def deep_memory_table(
    depths: Sequence[int] = (1, 2, 3),
    scales: Sequence[float] = (0.3, 1.0, 2.0),
    n: int = 4,
    lag: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    residual: bool = False,
) -> DeepMemoryTable:
    """:func:`deep_memory_norms` at one ``lag`` for every (scale, depth) pair (``residual``: c_t = c_{t-1} +
    network).

    >>> table = deep_memory_table(depths=(1, 2), scales=(0.3,), lag=50)
    >>> table.medians.shape, bool(table.medians[0, 1] < table.medians[0, 0])
    ((1, 2), True)
    >>> table.frame().columns.tolist()
    [1, 2]
    """
    (lag,) = _check_lags([lag], "lag")
    depths, scales = tuple(int(d) for d in depths), tuple(float(s) for s in scales)
    medians = np.array(
        [
            [
                deep_memory_norms(d, n=n, max_lag=lag, seeds=seeds, scale=s, residual=residual)[lag]
                for d in depths
            ]
            for s in scales
        ]
    )
    return DeepMemoryTable(scales, depths, lag, medians)


__all__ = [
    "BoundCheck",
    "Carry",
    "DeepMemoryTable",
    "KeepTarget",
    "LinearCarry",
    "compare_memory_updates",
    "deep_memory_norms",
    "deep_memory_table",
    "dense_scale_sweep",
    "keep_factor",
    "keep_targets",
    "linear_memory",
    "medians_frame",
    "pascanu_bound_check",
    "plot_bound_check",
    "plot_keep_factor",
    "rnn_form",
    "scale_sweep_frame",
    "zero_weight_carry",
]
