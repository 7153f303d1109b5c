r"""The closing table of notebook 08: each cell's direct path, whether total = direct, its median total norm
at lags (or depths) 10, 100 and 1000, and what it can forget.

Recurrent cells (``make_cell(name, n=4)``): parameters by :func:`lstmsym.numerics.params.init_params` (weights
U(-1/√n, 1/√n), biases 0 except b_f = 1), inputs x_t ~ N(0, 1), the state starting at 0; the IRNN gets W = I,
b = 0 and the orthogonal RNN A ~ N(0, 1) (:func:`lstmsym.experiments.other_cure.norm_preserving_params`, with
input weights of scale 1/√n like the others). The norm is the spectral norm of the memory block
∂s_T/∂s_{T-L} (LSTM and sLSTM: c; the others: h), one trajectory of T = 1000 steps per seed. Depth cells:
:func:`lstmsym.experiments.depth.depth_sweep` (weights N(0, 1/n) per layer, highway b_T = -2), the norm of
∂h_L/∂h_0 for a network of depth L.

The symbolic columns come from the engine (``n = 1``): ``direct path`` is the one-step direct block in gate
notation; ``total = direct`` says whether the whole one-step total Jacobian equals the direct one (then every
T-step product does too).

>>> from lstmsym.cells import make_cell
>>> direct_path(make_cell("highway")), total_equals_direct(make_cell("highway"))
('1 - T_{t}', False)
>>> direct_path(make_cell("lstm")), total_equals_direct(make_cell("min_gru"))
('f_{t}', True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from ..cells import make_cell
from ..cells.base import Cell
from ..checks import seed_tuple, whole_number
from ..derivatives.step import jacobian_block, step_jacobian
from ..numerics import reference
from ..numerics.params import init_params
from ..numerics.reference.activations import sigmoid
from .depth import DEPTH_CELLS, depth_sweep
from .other_cure import norm_preserving_params

#: The cells of the closing table, in its order.
TABLE_CELLS = ("rnn", "lstm", "plain_deep", "residual", "highway", "orthogonal_rnn", "irnn",
               "min_gru", "min_lstm", "slstm")
#: Which state block each cell's memory is.
MEMORY = {"lstm": "c", "slstm": "c"}
#: What each cell can forget, in the course's words; where the notebook shows it is given in brackets.
FORGETS = {
    "rnn": "anything, but only through W and the tanh slopes that also set what it keeps (no own factor)",
    "lstm": "on demand: f_t reads x_t and h_{t-1}, one input closes it whatever is stored (section 6)",
    "plain_deep": "everything W_l and the slopes do not pass on; nothing keeps an input unchanged",
    "residual": "direct path: nothing (no gate on the identity); the total only if F learns to cancel "
                "h_{l-1}, a correction sized to what is stored (section 2)",
    "highway": "per unit and layer, when T_l(h_{l-1}) -> 1; the carry gate reads the layer's input "
               "(section 3)",
    "orthogonal_rnn": "only by saturating tanh, with an input sized to what is stored; W (orthogonal for "
                      "every A) keeps every direction (section 6)",
    "irnn": "at W = I only what the ReLU clips: a signal must outweigh the stored value (section 6)",
    "min_gru": "on the input's say-so only: 1 - z_t reads x_t, never what is stored",
    "min_lstm": "on the input's say-so only: f'_t reads x_t, never what is stored",
    "slstm": "on demand: f_t reads x_t and h_{t-1} (the LSTM's gate; exponential write gate)",
}
#: Each row's initialisation (n = 4), as the measurement draws it.
INITS = {
    "rnn": "W, U ~ U(±1/√n), b = 0",
    "lstm": "weights U(±1/√n), b_f = 1, other biases 0",
    "plain_deep": "W_l ~ N(0, 1/n), b_l = 0 (a new W_l per layer)",
    "residual": "W_1, W_2 ~ N(0, 1/n), biases 0 (per layer)",
    "highway": "W_H, W_T ~ N(0, 1/n), b_H = 0, b_T = -2 (per layer)",
    "orthogonal_rnn": "W = cayley(A), A ~ N(0, 1); U ~ N(0, 1/n), b = 0",
    "irnn": "W = I, U ~ N(0, 1/n), b = 0",
    "min_gru": "U_z, U_g ~ U(±1/√n), biases 0",
    "min_lstm": "weights U(±1/√n), b_f = 1, b_i = b_g = 0",
    "slstm": "weights U(±1/√n), b_f = 1, other biases 0",
}


def keep_factor_at_init(name: str, n: int = 4, carry_bias: float = -2.0) -> float:
    """The one-step factor on the memory's direct path at zero input and zero state, at initialisation.

    Gated cells: the keep gate from its bias (LSTM, sLSTM σ(b_f); minLSTM σ(b_f)/(σ(b_f) + σ(b_i)); minGRU
    1 - σ(b_z); highway 1 - σ(b_T)); residual 1 (its identity); NaN for cells whose direct path is the whole
    step (no gate: RNN, plain, orthogonal RNN, IRNN).

    >>> round(keep_factor_at_init("lstm"), 3), round(keep_factor_at_init("min_lstm"), 3)
    (0.731, 0.594)
    >>> keep_factor_at_init("min_gru"), round(keep_factor_at_init("highway"), 3)
    (0.5, 0.881)
    >>> keep_factor_at_init("residual")
    1.0
    """
    if name == "residual":
        return 1.0
    if name == "highway":
        return float(1.0 - sigmoid(carry_bias))
    if name not in ("lstm", "slstm", "min_lstm", "min_gru"):
        return float("nan")
    b = {k: float(v[0]) for k, v in init_params(make_cell(name, n=n), np.random.default_rng(0)).items()
         if k.startswith("b_")}
    if name == "min_gru":
        return float(1.0 - sigmoid(b["b_z"]))
    if name == "min_lstm":
        return float(sigmoid(b["b_f"]) / (sigmoid(b["b_f"]) + sigmoid(b["b_i"])))
    return float(sigmoid(b["b_f"]))


def _block(name: str) -> str:
    return MEMORY.get(name, "h")


def direct_block(cell: Cell) -> sp.Expr:
    """The one-step direct block of the memory state, in gate notation (scalar cell)."""
    block = _block(cell.kind if cell.kind != "lstm1997" else "lstm")
    return jacobian_block(cell, block, block, path="direct")[0, 0]


def direct_path(cell: Cell) -> str:
    """:func:`direct_block` as a string."""
    return str(direct_block(cell))


def total_equals_direct(cell: Cell) -> bool:
    """Whether the one-step total Jacobian equals the direct one, as expressions (then every chain does)."""
    diff = step_jacobian(cell, path="total") - step_jacobian(cell, path="direct")
    return all(sp.simplify(e) == 0 for e in diff)


def recurrent_norms(name: str, lags: Sequence[int] = (10, 100, 1000), seeds: Sequence[int] = range(7),
                    n: int = 4, direct: bool = False) -> np.ndarray:
    """(seeds, lags) log10 ‖∂s_T/∂s_{T-L}‖₂ of the memory block, T = max(lags), setup as the module says;
    ``direct=True``: the direct path's product (gates and candidates held) instead of the total."""
    seeds, lags = seed_tuple(seeds), tuple(whole_number("lag", L) for L in lags)
    T, cell = max(lags), make_cell(name, n=whole_number("n", n))
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        if name in ("orthogonal_rnn", "irnn"):
            params = norm_preserving_params(name, n, rng, input_scale=1.0 / np.sqrt(n))
        else:
            params = init_params(cell, rng)
        xs = rng.normal(size=(T, cell.m))
        logs = reference.lag_jacobian_norms(cell, params, xs, block=_block(name), ord=2, log10=True,
                                            direct=direct)
        out.append([logs[T - L] for L in lags])
    return np.array(out)


def closing_table(cells: Sequence[str] = TABLE_CELLS, lags: Sequence[int] = (10, 100, 1000),
                  seeds: Sequence[int] = range(7), n: int = 4, depth_sweep_result=None):
    """The closing table as a DataFrame indexed by cell (see the module docstring for the setup).

    ``depth_sweep_result`` may pass a :class:`~lstmsym.experiments.depth.DepthSweep` already computed with
    depth >= max(lags) and the same seeds (the notebook reuses its section-1 sweep).
    """
    import pandas as pd

    seeds, lags = seed_tuple(seeds), tuple(lags)
    depth_kinds = [c for c in cells if c in DEPTH_CELLS]
    sweep = depth_sweep_result
    if depth_kinds and sweep is None:
        sweep = depth_sweep(depth_kinds, n=n, depth=max(lags), seeds=seeds)
    rows, longest = [], max(lags)
    for name in cells:
        cell = make_cell(name)
        same = total_equals_direct(cell)
        if name in DEPTH_CELLS:
            logs = sweep.log10(name, "total")[:, list(lags)]
            direct = sweep.log10(name, "direct")[:, longest]
        else:
            logs = recurrent_norms(name, lags, seeds, n)
            direct = None if same else recurrent_norms(name, (longest,), seeds, n, direct=True)[:, 0]
        medians = 10.0 ** np.median(logs, axis=0)
        row = {"cell": name, "direct path (one step)": f"${sp.latex(direct_block(cell))}$",
               "total = direct": same, "keep factor at init": keep_factor_at_init(name, n)}
        row.update({f"median total, L = {L}": float(m) for L, m in zip(lags, medians, strict=True)})
        # total = direct: the same products, so the same numbers
        direct_median = medians[-1] if direct is None else 10.0 ** np.median(direct)
        row[f"median direct, L = {longest}"] = float(direct_median)
        row["what it can forget"] = FORGETS.get(name, "")
        row["initialisation"] = INITS.get(name, "")
        rows.append(row)
    return pd.DataFrame(rows).set_index("cell")


__all__ = ["FORGETS", "INITS", "MEMORY", "TABLE_CELLS", "closing_table", "direct_block", "direct_path",
           "keep_factor_at_init", "recurrent_norms",
           "total_equals_direct"]
