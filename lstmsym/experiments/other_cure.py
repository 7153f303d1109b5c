r"""The other cure: norm-preserving recurrence (orthogonal W, the IRNN) keeps norms, but cannot forget on
demand.

Two measurements, each returning a DataFrame:

- :func:`stretch_norms`: ‖∂h_T/∂h_{T-L}‖₂ at several lags for the orthogonal RNN (Cayley W) and the IRNN
  (W = I, b = 0), with the fraction of unit-steps in the *linear stretch* of the nonlinearity (IRNN: the unit
  is active, slope exactly 1; orthogonal RNN: the mean tanh slope 1 - h²). Where every unit stays linear the
  Jacobian is W itself: its norm is kept exactly (orthogonal W: every singular value 1; IRNN: W = I).
- :func:`forget_thresholds`: a forget signal x = u arrives once; how large must u be before the stored value
  stops mattering, |∂s_after/∂s_before| ≤ ``fraction``? A scalar gated cell (LSTM, keep gate
  f = σ(5 - 10 x), nothing written) needs the same u whatever it stores; the IRNN (W = 1, U = -1) needs
  u ≥ v (the signal must outweigh the stored value v, and the ReLU clips); the orthogonal tanh RNN (n = 1:
  W = 1; U = -1) needs tanh to saturate, u ≥ v + atanh(√(1 - fraction)).

>>> frame = forget_thresholds(stored=(0.5, 2.0))
>>> frame.pivot(index="cell", columns="stored", values="threshold").round(2)
stored          0.5  2.0
cell
irnn            0.5  2.0
lstm           0.96 0.96
orthogonal_rnn  3.5  NaN
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..cells import make_cell
from ..checks import positive_number, seed_tuple, whole_number
from ..errors import LstmsymError, UnknownChoiceError
from ..numerics import reference
from ..numerics.params import init_params

NORM_PRESERVING = ("orthogonal_rnn", "irnn")
#: The forget-signal demonstration's cells: a gated memory against the two norm-preserving RNNs.
FORGET_CELLS = ("lstm", "irnn", "orthogonal_rnn")


def forget_demo_params(kind: str) -> dict[str, np.ndarray]:
    """Scalar parameters of the forget-signal demonstration (n = m = 1).

    ``lstm``: every weight and bias 0 except the keep gate's, f = σ(5 - 10 x) (kept at x = 0: σ(5) = 0.9933;
    dropped at x = 1: σ(-5) = 0.0067); the candidate is tanh(0) = 0, so nothing is written:
    c_after = f c_before.
    ``irnn``: W = 1, U = -1, b = 0: h_after = ReLU(h_before - x). ``orthogonal_rnn``: W = 1 (n = 1),
    U = -1, b = 0: h_after = tanh(h_before - x).
    """
    if kind not in FORGET_CELLS:
        raise UnknownChoiceError("kind", kind, FORGET_CELLS)
    cell = make_cell(kind)
    params = {name: np.zeros(shape) for name, shape in cell.param_shapes.items()}
    if kind == "lstm":
        params["b_f"], params["U_f"] = np.array([5.0]), np.array([[-10.0]])
    else:
        params["U"] = np.array([[-1.0]])
        if kind == "irnn":
            params["W"] = np.array([[1.0]])
    return params


def _after(kind: str, stored: float, u: float) -> tuple[float, float]:
    """(stored state after one step with input u, its derivative with respect to the stored value)."""
    cell, params = make_cell(kind), forget_demo_params(kind)
    block = "c" if kind == "lstm" else "h"
    state = {name: np.zeros(1) for name in cell.state_names}
    state[block] = np.array([stored])
    traj = reference.forward(cell, params, [[u]], state)
    J = reference.step_jacobian(cell, params, [u], state)
    j = cell.state_names.index(block)
    return float(traj.states[block][-1, 0]), float(J[j, j])


def forget_thresholds(stored: Sequence[float] = (0.25, 0.5, 0.9, 2.0, 8.0), fraction: float = 0.01,
                      cells: Sequence[str] = FORGET_CELLS, u_max: float = 20.0, step: float = 0.01):
    """Smallest signal u on the grid 0, step, .., u_max from which on |∂s_after/∂s_before| ≤ ``fraction``.

    One row per cell and stored value: ``threshold`` (NaN where the cell cannot hold the value: |v| ≥ 1 for
    tanh, or where no u on the grid is enough), the state after that signal, and at a fixed signal u = 1:
    ``after_u1`` and ``slope_u1`` (the derivative), so the same signal can be compared across cells.
    """
    import pandas as pd

    fraction = positive_number("fraction", fraction)
    grid = np.arange(0.0, positive_number("u_max", u_max) + step / 2, positive_number("step", step))
    rows = []
    for kind in cells:
        for v in stored:
            row = {"cell": kind, "stored": float(v)}
            if kind == "orthogonal_rnn" and abs(v) >= 1.0:
                row.update(threshold=np.nan, after=np.nan)
            else:
                slopes = np.array([abs(_after(kind, v, u)[1]) for u in grid])
                small = slopes <= fraction
                ok = np.flatnonzero(small & np.flip(np.logical_and.accumulate(np.flip(small))))
                row["threshold"] = float(grid[ok[0]]) if ok.size else np.nan
                row["after"] = _after(kind, v, row["threshold"])[0] if ok.size else np.nan
            if kind == "orthogonal_rnn" and abs(v) >= 1.0:
                row.update(after_u1=np.nan, slope_u1=np.nan)
            else:
                row["after_u1"], row["slope_u1"] = _after(kind, v, 1.0)
            rows.append(row)
    return pd.DataFrame(rows)


def norm_preserving_params(kind: str, n: int, rng: np.random.Generator, input_scale: float = 1.0):
    """Parameters at initialisation: ``irnn`` W = I, b = 0 (Le et al.); ``orthogonal_rnn`` A ~ N(0, 1)
    (W = cayley(A) is orthogonal whatever A is), b = 0; both with U ~ N(0, input_scale²)."""
    if kind not in NORM_PRESERVING:
        raise UnknownChoiceError("kind", kind, NORM_PRESERVING)
    cell = make_cell(kind, n=n)
    params = init_params(cell, rng)
    if kind == "irnn":
        params["W"] = np.eye(n)
    elif "A" in params:
        params["A"] = rng.normal(0.0, 1.0, size=(n, n))
    params["U"] = rng.normal(0.0, input_scale, size=(n, 1)) if input_scale > 0 else np.zeros((n, 1))
    params["b"] = np.zeros(n)
    return params


def stretch_norms(kind: str, input_scales: Sequence[float] = (0.01, 0.1, 1.0),
                  lags: Sequence[int] = (10, 100, 1000), seeds: Sequence[int] = range(7), n: int = 4):
    """Median ‖∂h_T/∂h_{T-L}‖₂ (total = direct: no gate) per input scale and lag, and the linear fraction.

    Inputs x_t ~ N(0, 1), h_0 = 0, T = max(lags); columns ``L = ..`` (median over seeds), ``exactly 1`` (how
    many seeds give a norm equal to 1 to 1e-12 at the longest lag), ``linear`` (IRNN: fraction of unit-steps
    with a_t > 0; orthogonal RNN: mean of 1 - h_t², the tanh slope), ``seeds``.
    """
    import pandas as pd

    if kind not in NORM_PRESERVING:
        raise UnknownChoiceError("kind", kind, NORM_PRESERVING)
    seeds, lags = seed_tuple(seeds), tuple(whole_number("lag", L) for L in lags)
    T, cell = max(lags), make_cell(kind, n=whole_number("n", n))
    rows = []
    for scale in input_scales:
        if not (np.isfinite(scale) and scale >= 0):
            raise LstmsymError(f"input_scales must be numbers >= 0, got {scale!r}")
        norms, linear = [], []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            params = norm_preserving_params(kind, n, rng, scale)
            xs = rng.normal(size=(T, 1))
            logs = reference.lag_jacobian_norms(cell, params, xs, ord=2, log10=True)
            norms.append([logs[T - L] for L in lags])
            traj = reference.forward(cell, params, xs)
            linear.append(float(np.mean(traj.cache["dh_da"])))
        norms = np.array(norms)
        row = {"input scale": float(scale)}
        row.update({f"L = {L}": float(10.0 ** np.median(norms[:, j])) for j, L in enumerate(lags)})
        row["exactly 1"] = int(np.sum(np.abs(10.0 ** norms[:, -1] - 1.0) < 1e-12))
        row["linear"] = float(np.mean(linear))
        row["seeds"] = len(seeds)
        rows.append(row)
    return pd.DataFrame(rows).set_index("input scale")


__all__ = ["FORGET_CELLS", "NORM_PRESERVING", "forget_demo_params", "forget_thresholds",
           "norm_preserving_params", "stretch_norms"]
