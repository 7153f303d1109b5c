r"""The GRU's update gate: its two polarity conventions, and the coupled LSTM it is a relative of.

lstmsym's GRU follows PyTorch and Keras: h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}, so z = 1 *keeps* the old
state ("keep" polarity; Cho et al. 2014 and d2l write it the same way). Chung et al. 2014 put z on the
candidate instead, h_t = z_t ⊙ n_t + (1 - z_t) ⊙ h_{t-1} ("write" polarity). The direct path follows:

>>> direct_path("keep"), direct_path("write")
(Matrix([[z_{t}]]), Matrix([[1 - z_{t}]]))
>>> swap_polarity(gru_update("keep")) == gru_update("write")
True

Both conventions describe the same family of cells: since 1 - σ(a) = σ(-a), negating the update
gate's weights and bias turns one into the other (:func:`write_params`).

With its reset gate fully open (r ≡ 1, d_n = 0) and z renamed 1 - i, the GRU's update is the coupled
LSTM's memory update c_t = (1 - i_t) ⊙ c_{t-1} + i_t ⊙ g_t, read out with no output gate and no squashing
(h = c), so that memory and output are one state:

>>> coupled = coupled_lstm()
>>> gru_update("keep").xreplace(gru_to_coupled_lstm()) - coupled_memory_update(coupled)
Matrix([[0]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import sympy as sp

from ..cells import make_cell
from ..cells.base import Cell, Step
from ..derivatives.step import chain_rule, jacobian_block, step_jacobian
from ..errors import LstmsymError, UnknownChoiceError
from ..numerics import reference
from ..numerics.params import init_params, random_sequence

#: "keep": z multiplies h_{t-1} (PyTorch, Keras, Cho et al. 2014, d2l, lstmsym);
#: "write": z multiplies the candidate n_t (Chung et al. 2014).
POLARITIES = ("keep", "write")


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise UnknownChoiceError("polarity", polarity, POLARITIES)


def _gru_symbols(n: int) -> tuple[Step, sp.Matrix, sp.Matrix, sp.Matrix]:
    step = make_cell("gru", n=n).step("t")
    return step, step.rule("z").symbols, step.rule("n").symbols, step.prev["h"]


def gru_update(polarity: str = "keep", n: int = 1) -> sp.Matrix:
    """The GRU's new state h_t in gate notation (z_t, n_t, h_{t-1} as symbols), (n, 1), for either polarity.

    >>> gru_update("write")
    Matrix([[h_{t-1}*(1 - z_{t}) + n_{t}*z_{t}]])
    """
    _check_polarity(polarity)
    _, z, cand, h_prev = _gru_symbols(n)
    keep, write = (z, sp.ones(n, 1) - z) if polarity == "keep" else (sp.ones(n, 1) - z, z)
    # interpolation: the gate on h_{t-1} keeps the old state, the other one writes the candidate
    return keep.multiply_elementwise(h_prev) + write.multiply_elementwise(cand)


def swap_polarity(expr: sp.Basic, n: int = 1) -> sp.Basic:
    """Replace every z_t by 1 - z_t (turns one polarity's formulas into the other's, gate values alike)."""
    _, z, _, _ = _gru_symbols(n)
    return expr.xreplace({zj: 1 - zj for zj in z})


def direct_path(polarity: str = "keep", n: int = 1) -> sp.Matrix:
    """∂h_t/∂h_{t-1} with the gates held fixed, (n, n): diag(z_t) for "keep", diag(1 - z_t) for "write".

    >>> direct_path("write", n=2)
    Matrix([
    [1 - z_{t,1},           0],
    [          0, 1 - z_{t,2}]])
    """
    _, _, _, h_prev = _gru_symbols(n)
    return gru_update(polarity, n).jacobian(h_prev)  # z_t, n_t are symbols: held fixed


def total_jacobian(polarity: str = "keep", n: int = 1) -> sp.Matrix:
    """The GRU's total one-step Jacobian ∂h_t/∂h_{t-1} in gate notation, (n, n), for either polarity.

    "keep" is lstmsym's GRU (:func:`lstmsym.derivatives.step.step_jacobian`); "write" is derived by the
    same chain rule through the same rules, with the last line replaced by the write-polarity update.

    >>> total_jacobian("write")[0, 0].coeff(sp.Symbol("W_{z}", real=True))
    z_{t}*(1 - z_{t})*(-h_{t-1} + n_{t})
    """
    _check_polarity(polarity)
    cell = make_cell("gru", n=n)
    if polarity == "keep":
        return step_jacobian(cell)
    step = cell.step("t")
    rules = [replace(r, inner=gru_update("write", n)) if r.name == "h" else r for r in step.rules]
    write_step = Step(cell=cell, t=step.t, x=step.x, prev=step.prev, rules=rules)
    return chain_rule(write_step, "total")


def write_params(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Convert keep-polarity (PyTorch) GRU parameters to the write polarity: negate W_z, U_z, b_z.

    With z' = σ(-a_z) = 1 - z, the write-polarity update z' ⊙ n + (1 - z') ⊙ h_{t-1} is the keep-polarity
    one; the conversion is its own inverse.

    >>> one = np.ones((1, 1))
    >>> p = write_params({"W_z": one, "U_z": one, "b_z": np.ones(1), "d_n": np.ones(1)})
    >>> float(p["b_z"][0]), float(p["d_n"][0])
    (-1.0, 1.0)
    """
    missing = [k for k in ("W_z", "U_z", "b_z") if k not in params]
    if missing:
        raise LstmsymError(f"params must be a GRU's parameters; {missing[0]!r} is missing")
    return {
        k: (-np.asarray(v, dtype=np.float64) if k in ("W_z", "U_z", "b_z") else np.array(v, dtype=float))
        for k, v in params.items()
    }


def polarity_equivalence(n: int = 1) -> sp.Matrix:
    """Write-polarity update with negated z-parameters minus keep-polarity update, expanded: zero, (n, 1).

    >>> polarity_equivalence()
    Matrix([[0]])
    """
    cell = make_cell("gru", n=n)
    step = cell.step("t")
    expand = step.expansion  # gate symbols -> their values in h_{t-1}, x_t and the parameters
    negate = {s: -s for name in ("W_z", "U_z", "b_z") for s in cell.params[name]}
    keep = gru_update("keep", n).xreplace(expand)
    write = gru_update("write", n).xreplace(expand).xreplace(negate)
    return (write - keep).applyfunc(lambda e: sp.simplify(e.rewrite(sp.exp)))


# -- the coupled LSTM ----------------------------------------------------------------------------------


def coupled_lstm(n: int = 1) -> Cell:
    """The coupled-gate LSTM (f = 1 - i) with no output gate and the identity readout: h_t = c_t."""
    return make_cell("lstm", n=n, coupled=True, output_gate=False, readout="identity")


def coupled_memory_update(cell: Cell) -> sp.Matrix:
    """The coupled LSTM's c_t in gate notation with f written as 1 - i: (1 - i) ⊙ c_{t-1} + i ⊙ g, (n, 1)."""
    if cell.kind != "lstm" or not cell.options["coupled"]:
        raise LstmsymError(f"cell must be a coupled LSTM (make_cell('lstm', coupled=True)), got {cell!r}")
    step = cell.step("t")
    return step.rule("c").value.xreplace(_coupled_f(cell))


def _coupled_f(cell: Cell) -> dict[sp.Symbol, sp.Expr]:
    step = cell.step("t")
    return dict(zip(step.rule("f").symbols, step.rule("f").value, strict=True))


def gru_to_coupled_lstm(n: int = 1) -> dict[sp.Symbol, sp.Expr]:
    """The renaming that turns the GRU into the coupled LSTM collapsed to one state.

    z_t → 1 - i_t and its weights W_z, U_z, b_z → -W_i, -U_i, -b_i (σ(-a) = 1 - σ(a)); candidate n_t → g_t,
    W_n, U_n, b_n → W_g, U_g, b_g; h_{t-1} → c_{t-1}; and the reset gate fully open: r_t → 1, W_r → 0,
    d_n → 0. Everything else the GRU has (the reset gate's input weights) then drops out.
    """
    gru, lstm = make_cell("gru", n=n), coupled_lstm(n)
    g_step, l_step = gru.step("t"), lstm.step("t")
    out: dict[sp.Symbol, sp.Expr] = {}

    def pair(a: sp.Matrix, b: sp.Matrix, sign: int = 1) -> None:
        out.update({x: sign * y for x, y in zip(a, b, strict=True)})

    out.update({z: 1 - i for z, i in zip(g_step.rule("z").symbols, l_step.rule("i").symbols, strict=True)})
    pair(g_step.rule("n").symbols, l_step.rule("g").symbols)
    pair(g_step.prev["h"], l_step.prev["c"])
    for k in ("W", "U", "b"):
        pair(gru.params[f"{k}_z"], lstm.params[f"{k}_i"], sign=-1)
        pair(gru.params[f"{k}_n"], lstm.params[f"{k}_g"])
    out.update({r: sp.S.One for r in g_step.rule("r").symbols})
    out.update({s: sp.S.Zero for s in (*gru.params["W_r"], *gru.params["d_n"])})
    return out


def collapsed_jacobian(cell: Cell) -> sp.Matrix:
    """∂c_t/∂c_{t-1} of the coupled, identity-readout LSTM seen as a one-state map (h_{t-1} = c_{t-1}).

    Both columns of the c-row act on the same vector, so the one-state derivative is their sum,
    J_cc + J_ch, with f written as 1 - i.
    """
    if (
        cell.kind != "lstm"
        or not cell.options["coupled"]
        or cell.options["output_gate"]
        or cell.options["readout"] != "identity"
    ):
        raise LstmsymError(f"cell must be coupled_lstm(n) (h_t = c_t), got {cell!r}")
    J = jacobian_block(cell, "c", "c") + jacobian_block(cell, "c", "h")
    c_prev, h_prev = cell.step("t").prev["c"], cell.step("t").prev["h"]
    same = dict(zip(h_prev, c_prev, strict=True))
    return J.xreplace(_coupled_f(cell)).xreplace(same)


def gru_params_from_coupled(
    lstm_params: dict[str, np.ndarray], reset_bias: float, d_n: float = 0.0
) -> dict[str, np.ndarray]:
    """The GRU parameters that :func:`gru_to_coupled_lstm` renames into ``lstm_params`` (a coupled LSTM's).

    W_z, U_z, b_z = -W_i, -U_i, -b_i (z = σ(-a_i) = 1 - i); W_n, U_n, b_n = W_g, U_g, b_g; the reset gate
    reads nothing, W_r = U_r = 0, and has the constant value r = σ(``reset_bias``); every entry of d_n is
    ``d_n``. The GRU equals the coupled LSTM only in the limit r → 1 (reset_bias → ∞) with d_n = 0.

    >>> lstm = {"W_i": np.ones((1, 1)), "U_i": np.ones((1, 1)), "b_i": np.ones(1),
    ...         "W_g": np.ones((1, 1)), "U_g": np.ones((1, 1)), "b_g": np.ones(1)}
    >>> p = gru_params_from_coupled(lstm, reset_bias=40.0)
    >>> float(p["b_z"][0]), float(p["b_r"][0]), float(p["d_n"][0])
    (-1.0, 40.0, 0.0)
    """
    missing = [k for k in ("W_i", "U_i", "b_i", "W_g", "U_g", "b_g") if k not in lstm_params]
    if missing:
        raise LstmsymError(f"lstm_params must be a coupled LSTM's parameters; {missing[0]!r} is missing")
    for label, value in (("reset_bias", reset_bias), ("d_n", d_n)):
        if not np.isfinite(value):
            raise LstmsymError(f"{label} must be a finite number, got {value!r}")
    p = {k: np.array(v, dtype=np.float64) for k, v in lstm_params.items()}
    n = p["b_i"].shape[0]
    return {
        "W_z": -p["W_i"], "U_z": -p["U_i"], "b_z": -p["b_i"],
        "W_r": np.zeros_like(p["W_i"]), "U_r": np.zeros_like(p["U_i"]), "b_r": np.full(n, float(reset_bias)),
        "W_n": p["W_g"], "U_n": p["U_g"], "b_n": p["b_g"], "d_n": np.full(n, float(d_n)),
    }


def coupled_lstm_gap(
    settings: Sequence[tuple[float, float]] = ((0.0, 0.0), (3.0, 0.0), (10.0, 0.0), (40.0, 0.0), (40.0, 0.5)),
    n: int = 4,
    T: int = 100,
    seed: int = 0,
    scale: float = 0.5,
):
    """How far the GRU's h_t is from the coupled LSTM's c_t = h_t, run side by side on the same inputs.

    The coupled LSTM (:func:`coupled_lstm`) gets weights ~ N(0, scale²) and inputs x_t ~ N(0, 1) from
    ``seed``; for each (reset_bias, d_n) in ``settings`` the GRU gets :func:`gru_params_from_coupled`.
    A pandas DataFrame, one row per setting: ``reset_bias``, ``d_n``, ``r`` (the reset gate's value,
    σ(reset_bias) in float64) and ``gap`` = max over steps and units of |h_t^GRU - c_t^LSTM|.

    >>> table = coupled_lstm_gap(((0.0, 0.0), (40.0, 0.0)), T=20)
    >>> bool(table["gap"][0] > 0.01), bool(table["gap"][1] < 1e-14), float(table["r"][1])
    (True, True, 1.0)
    """
    import pandas as pd

    lstm = coupled_lstm(n)
    gru = make_cell("gru", n=n)
    rng = np.random.default_rng(seed)
    lstm_params = init_params(lstm, rng, scale=scale)
    xs = random_sequence(lstm, T, rng)
    c = reference.forward(lstm, lstm_params, xs).states["c"]
    rows = []
    for reset_bias, d_n in settings:
        params = gru_params_from_coupled(lstm_params, reset_bias, d_n)
        traj = reference.forward(gru, params, xs)
        rows.append(
            {
                "reset_bias": float(reset_bias),
                "d_n": float(d_n),
                "r": float(traj.gates["r"].min()),
                "gap": float(np.abs(traj.states["h"] - c).max()),
            }
        )
    return pd.DataFrame(rows)


# -- norms across lags ----------------------------------------------------------------------------------


def keep_gate_norms(
    name: str,
    gate_bias: float,
    lags: Sequence[int],
    n: int = 1,
    seed: int = 0,
    scale: float | None = None,
    direct: bool = True,
    zeroed: Sequence[str] = (),
    cut: Sequence[str] = (),
) -> np.ndarray:
    """‖∂(memory)_T/∂(memory)_{T-lag}‖ (spectral norm) for the GRU or the LSTM, one number per lag.

    The keep gate's bias is ``gate_bias`` (b_z for "gru", b_f for "lstm"); the other biases are 0.
    ``scale=None`` zeroes every weight, so the gates are constant, z = σ(b_z) or f = σ(b_f), and the
    direct product is exactly σ(bias)^lag; otherwise weights ~ N(0, scale²) from ``seed`` and inputs
    x_t ~ N(0, 1). The memory is h for the GRU and c for the LSTM; T = max(lags).

    Route controls on the same draws: ``zeroed`` names parameters set to zero in the run itself (forward and
    backward: the trajectory changes too), ``cut`` parameters zeroed in the step Jacobians only (the NumPy
    reference's ``cut``: same trajectory). ``zeroed=("W_g",)`` or ``cut=("W_g",)`` cuts the LSTM's loop
    c → h → g → c.

    >>> [f"{v:.3g}" for v in keep_gate_norms("gru", 1.0, [10, 100])]
    ['0.0436', '2.48e-14']
    >>> on, off = (keep_gate_norms("lstm", 3.0, [50], n=2, scale=0.5, direct=False, cut=c)[0]
    ...            for c in ((), ("W_g",)))
    >>> bool(on != off)
    True
    """
    if name not in ("gru", "lstm"):
        raise UnknownChoiceError("name", name, ("gru", "lstm"))
    lags = [int(k) for k in lags]
    if not lags or min(lags) < 0:
        raise LstmsymError(f"lags must be a non-empty list of whole numbers >= 0, got {lags!r}")
    cell = make_cell(name, n=n)
    T = max(max(lags), 1)
    if scale is None:
        params = {k: np.zeros(s) for k, s in cell.param_shapes.items()}
    else:
        params = init_params(cell, seed=seed, scale=scale)
    params["b_z" if name == "gru" else "b_f"] = np.full(n, float(gate_bias))
    zeroed = (zeroed,) if isinstance(zeroed, str) else tuple(zeroed)
    cut = (cut,) if isinstance(cut, str) else tuple(cut)
    for label, names in (("zeroed", zeroed), ("cut", cut)):
        for weight in names:
            if weight not in params:
                raise LstmsymError(
                    f"{label} names parameter {weight!r}, which the {name} cell does not have: "
                    f"{sorted(params)}"
                )
    params.update({weight: np.zeros_like(params[weight]) for weight in zeroed})
    xs = random_sequence(cell, T, seed=seed) if scale is not None else np.zeros((T, 1))
    block = "h" if name == "gru" else "c"
    norms = reference.lag_jacobian_norms(cell, params, xs, block=block, direct=direct, ord=2, cut=cut)
    return norms[[T - k for k in lags]]


def keep_gate_table(
    biases: Sequence[float],
    lags: Sequence[int],
    n: int = 4,
    seed: int = 0,
    scale: float | None = None,
    paths: Sequence[str] = ("direct",),
):
    """:func:`keep_gate_norms` for every bias, both cells ("gru", "lstm") and each path ("direct", "total").

    A pandas DataFrame: rows (bias, cell, path) in that order, columns the lags L (named "lag L"); each row
    is :func:`keep_gate_norms` of that bias, cell and path.

    >>> table = keep_gate_table([1.0], [10, 100])
    >>> table.index.tolist()
    [(1.0, 'gru', 'direct'), (1.0, 'lstm', 'direct')]
    >>> [f"{v:.3g}" for v in table.loc[(1.0, "lstm", "direct")]]
    ['0.0436', '2.48e-14']
    """
    import pandas as pd

    for path in paths:
        if path not in ("direct", "total"):
            raise UnknownChoiceError("path", path, ("direct", "total"))
    if not paths:
        raise LstmsymError("paths must name at least one of 'direct', 'total'")
    biases = [float(b) for b in biases]
    if not biases:
        raise LstmsymError("biases must hold at least one gate bias")
    keys = [(b, name, path) for b in biases for name in ("gru", "lstm") for path in paths]
    rows = [
        keep_gate_norms(name, b, lags, n=n, seed=seed, scale=scale, direct=path == "direct")
        for b, name, path in keys
    ]
    return pd.DataFrame(
        rows,
        index=pd.MultiIndex.from_tuples(keys, names=["bias", "cell", "path"]),
        columns=pd.Index([int(k) for k in lags], name="lag L"),
    )


def plot_keep_gate_norms(biases: Sequence[float], lags: Sequence[int], n: int = 4):
    r"""Plot GRU ∏z (dots) on LSTM ∏f (lines) over ``lags`` at zero weights, one colour per bias.

    Each curve is :func:`keep_gate_norms` with ``scale=None`` (every weight 0, so the products are
    σ(bias)^lag). Log y axis, limited to [1e-30, 2]; the legend names the biases. Creates a new figure with
    pyplot and returns it.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = plot_keep_gate_norms([1.0, 3.0], [0, 10, 20])
    >>> ax = fig.axes[0]
    >>> len(ax.lines), ax.get_yscale(), ax.get_xlabel()
    (4, 'log', 'lag $L$ (steps)')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    from ..style import log_axis, style_or

    biases = [float(b) for b in biases]
    if not biases:
        raise LstmsymError("biases must hold at least one gate bias")
    lags = np.asarray(lags)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for i, b in enumerate(biases):
        color = style_or(f"lstm b_f={b:g}", i).color  # the keep-gate bias's colour in every figure
        label = f"$b_f = b_z = {b:g}$ (they coincide)"
        ax.plot(lags, keep_gate_norms("lstm", b, lags, n=n), "-", color=color, label=label)
        ax.plot(lags, keep_gate_norms("gru", b, lags, n=n), "o", ms=3, color=color, label=None)
    log_axis(ax, "y")
    ax.set_ylim(1e-30, 2)
    ax.set_xlabel("lag $L$ (steps)")
    ax.set_ylabel(r"direct product over $L$ steps")
    ax.set_title(r"GRU $\prod z$ (dots) on LSTM $\prod f$ (lines), zero weights")
    ax.legend(fontsize=8)
    return fig


__all__ = [
    "POLARITIES",
    "collapsed_jacobian",
    "coupled_lstm",
    "coupled_lstm_gap",
    "coupled_memory_update",
    "direct_path",
    "gru_params_from_coupled",
    "gru_to_coupled_lstm",
    "gru_update",
    "keep_gate_norms",
    "keep_gate_table",
    "plot_keep_gate_norms",
    "polarity_equivalence",
    "swap_polarity",
    "total_jacobian",
    "write_params",
]
