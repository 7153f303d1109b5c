r"""The modern cells (issue 13): minGRU and minLSTM, whose total Jacobian *is* the direct path; the sLSTM.

Four measurements, each returning data:

- :func:`total_equals_direct`: symbolically, a cell's one-step total Jacobian equals its direct one and reads
  no state, so every T-step chain of them is the product of input-only gates (minGRU: ∏ diag(1 - z_t),
  minLSTM: ∏ diag(f'_t)); the chains are multiplied out and compared for T = 1..T_max;
- :func:`stabiliser_comparison` and :func:`overflow_case`: the sLSTM with and without the log-space
  stabiliser gives the same h_t and c_t / n_t where both are finite, and only the stabilised one stays finite
  when exp overflows;
- :func:`lag_norms`: the median total (and direct) norm of ∂s_T/∂s_k over lags and seeds;
- :func:`keep_factor_differences`: what a cell can forget on its own: whether the keep factors on the
  memory path change when only the stored state changes (for the min cells they cannot: forgetting happens
  only on the input's say-so).

>>> from lstmsym.cells import make_cell
>>> fact = total_equals_direct(make_cell("min_gru"), T_max=3)
>>> fact.step_equal, fact.state_free, fact.chains_equal
(True, True, (True, True, True))
>>> fact.product
Matrix([[(1 - z_{1})*(1 - z_{2})*(1 - z_{3})]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..cells import make_cell
from ..cells.base import Cell
from ..checks import seed_tuple, whole_number
from ..derivatives.chain import Chain
from ..derivatives.step import step_jacobian
from ..errors import LstmsymError
from ..numerics import reference
from ..numerics.params import init_params, random_sequence
from ..numerics.reference.slstm import forward_stabilised
from ..numerics.scan import linear_scan

#: The issue-13 modern cells, by registry name.
MODERN_CELLS = ("min_gru", "min_lstm", "slstm")
#: The quantity on each cell's memory path that multiplies the old state (the keep factor), from its gates.
KEEP_FACTORS = {"min_gru": "1 - z", "min_lstm": "f'", "slstm": "f", "lstm": "f", "gru": "z"}


@dataclass(frozen=True)
class SymbolicFact:
    """Total against direct for one cell: the generic step, its state-independence, and T-step chains."""

    cell: Cell
    step_equal: bool  # total one-step Jacobian == direct one, as expressions
    state_free: bool  # the expanded one-step Jacobian contains no previous-state symbol
    chains_equal: tuple[bool, ...]  # multiplied-out total chain == direct chain, for T = 1..T_max
    product: sp.Matrix  # the T_max-step chain ∂s_T/∂s_0 in gate notation


def total_equals_direct(cell: Cell, T_max: int = 4) -> SymbolicFact:
    """Compare a single-state cell's total and direct Jacobians symbolically, for one step and chains.

    If the one-step total Jacobian equals the direct one *and* reads no state, then by induction every
    product of them does too, for every T: the chains checked here are instances of that argument.
    """
    T_max = whole_number("T_max", T_max)
    if len(cell.state_names) != 1:
        raise LstmsymError(
            f"total_equals_direct compares single-state cells; {cell!r} has {cell.state_names}")
    name = cell.state_names[0]
    total, direct = step_jacobian(cell, "gate", "total"), step_jacobian(cell, "gate", "direct")
    expanded = step_jacobian(cell, "expanded", "total")
    prev = set(cell.step("t").prev_vector)
    chains = []
    for T in range(1, T_max + 1):
        a = Chain(cell, name, name, T=T, path="total").doit()
        b = Chain(cell, name, name, T=T, path="direct").doit()
        chains.append((a - b).applyfunc(sp.expand) == sp.zeros(*a.shape))
    product = Chain(cell, name, name, T=T_max, path="total").doit()
    return SymbolicFact(cell=cell, step_equal=(total - direct).applyfunc(sp.expand) == sp.zeros(*total.shape),
                        state_free=not (expanded.free_symbols & prev), chains_equal=tuple(chains),
                        product=product)


def min_cell_scan(cell: Cell, params, xs, h0=None) -> np.ndarray:
    """h_1..h_T of a minGRU or minLSTM by :func:`lstmsym.numerics.scan.linear_scan`, (T, n).

    The coefficients a_t (keep factor) and b_t (what is written) are computed from the inputs alone, for all t
    at once; the loop over time is replaced by ⌈log2 T⌉ doubling rounds.
    """
    if cell.kind not in ("min_gru", "min_lstm"):
        raise LstmsymError(f"min_cell_scan takes a min_gru or min_lstm cell, not {cell.kind!r}: its gates "
                           "read h_{t-1}, so its coefficients are not known before the state is")
    xs = np.asarray(xs, dtype=np.float64).reshape(-1, cell.m)
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    sig = reference.activations.sigmoid
    g = xs @ p["U_g"].T + p["b_g"]                              # (T, n), every step at once
    if cell.kind == "min_gru":
        z = sig(xs @ p["U_z"].T + p["b_z"])
        a, b = 1.0 - z, z * g
    else:
        i, f = sig(xs @ p["U_i"].T + p["b_i"]), sig(xs @ p["U_f"].T + p["b_f"])
        a, b = f / (f + i), i / (f + i) * g
    return linear_scan(a, b, h0)


def _frame_rows(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame(rows)


def stabiliser_comparison(seeds: Sequence[int] = range(5), T: int = 200, n: int = 3, forget: str = "sigmoid",
                          scale: float | None = None):
    """sLSTM with and without the stabiliser on random draws: one row per seed.

    Columns: ``h_max_rel_diff`` and ``ratio_max_rel_diff`` (largest |stabilised - plain| / max(1, |plain|)
    over the steps where the plain run is finite), ``plain_finite_steps`` (of T) and ``stabilised_finite``.
    Parameters: :func:`init_params` (weights U(-1/sqrt n, 1/sqrt n), or N(0, scale²); b_f = 1);
    inputs N(0, 1).
    """
    seeds, T = seed_tuple(seeds), whole_number("T", T)
    cell = make_cell("slstm", n=n, forget=forget) if forget != "sigmoid" else make_cell("slstm", n=n)
    rows = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params = init_params(cell, rng, scale=scale)
        xs = random_sequence(cell, T, rng)
        rows.append({"seed": seed, **_compare(cell, params, xs, forget)})
    return _frame_rows(rows)


def _compare(cell: Cell, params, xs, forget: str) -> dict:
    plain = reference.forward(cell, params, xs)
    stab = forward_stabilised(params, xs, forget=forget)
    h, c, nn = plain.states["h"][1:], plain.states["c"][1:], plain.states["n"][1:]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = c / nn
    ok = _finite_rows(plain)

    def rel(a, b):
        return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)))) if np.any(ok) else float("nan")

    return {
        "h_max_rel_diff": rel(stab.h[1:][ok], h[ok]),
        "ratio_max_rel_diff": rel(stab.ratio[1:][ok], ratio[ok]),
        "plain_finite_steps": int(np.argmin(ok)) if not np.all(ok) else len(ok),
        "stabilised_finite": bool(np.all(np.isfinite(stab.h[1:])) and np.all(np.isfinite(stab.ratio[1:]))),
    }


def _finite_rows(plain) -> np.ndarray:
    """Steps t = 1..T at which the plain c_t, n_t and h_t are all finite (n_t = inf can give h_t = 0)."""
    return np.all(np.isfinite(plain.s[1:]), axis=1)


@dataclass(frozen=True)
class OverflowCase:
    """One sLSTM run where the plain cell overflows: the first step whose h is not finite, and the rest."""

    T: int
    first_nonfinite_step: int  # first step t at which the plain c_t, n_t or h_t is NaN or infinite (0: never)
    largest_plain_n: float  # largest finite n_t the plain run reached
    agreement_before: float  # max |h_stab - h_plain| over the steps before the overflow
    stabilised_finite: bool
    largest_m: float  # the stabiliser's largest m_t: log of the factor the plain states carry


def overflow_case(T: int = 1000, n: int = 2, seed: int = 0) -> OverflowCase:
    """The sLSTM with an exponential keep gate at the default initialisation (b_f = 1, so f_t ≈ e): the plain
    states grow like e^t and overflow near t ≈ 700, the stabilised run stays finite and agrees before that."""
    cell = make_cell("slstm", n=n, forget="exp")
    rng = np.random.default_rng(seed)
    params = init_params(cell, rng)
    xs = random_sequence(cell, T, rng)
    plain = reference.forward(cell, params, xs)
    stab = forward_stabilised(params, xs, forget="exp")
    h = plain.states["h"][1:]
    ok = _finite_rows(plain)
    first = int(np.argmin(ok)) + 1 if not np.all(ok) else 0
    before = slice(0, first - 1 if first else T)
    nn = plain.states["n"][1:]
    return OverflowCase(
        T=T, first_nonfinite_step=first, largest_plain_n=float(np.max(nn[np.isfinite(nn)])),
        agreement_before=float(np.max(np.abs(stab.h[1:][before] - h[before]))),
        stabilised_finite=bool(np.all(np.isfinite(stab.h))), largest_m=float(np.max(stab.m)),
    )


@dataclass(frozen=True)
class LagNorms:
    """log10 ‖∂s_T/∂s_{T-L}‖ (Frobenius, whole state) per cell, path, seed and lag L."""

    names: tuple[str, ...]
    lags: tuple[int, ...]
    seeds: tuple[int, ...]
    log10: dict[tuple[str, str], np.ndarray]  # (cell, path) -> (seeds, lags)

    def median(self, name: str, path: str = "total") -> np.ndarray:
        """Median over seeds of log10 of the norm, per lag."""
        return np.median(self.log10[(name, path)], axis=0)

    def frame(self):
        """Medians over seeds as a DataFrame: rows (cell, path), columns 'L = 10', ...; values are norms."""
        import pandas as pd

        index = pd.MultiIndex.from_tuples(list(self.log10), names=["cell", "path"])
        data = [10.0 ** self.median(name, path) for name, path in self.log10]
        return pd.DataFrame(data, index=index, columns=[f"L = {L}" for L in self.lags])


def lag_norms(names: Sequence[str] = MODERN_CELLS, lags: Sequence[int] = (10, 100, 1000),
              seeds: Sequence[int] = range(21), n: int = 4, scale: float | None = None,
              biases: dict[str, float] | None = None) -> LagNorms:
    """Total and direct ‖∂s_T/∂s_{T-L}‖ for each cell, one trajectory of T = max(lags) steps per seed.

    Parameters by :func:`init_params` (weights U(-1/sqrt n, 1/sqrt n), or N(0, scale²) with ``scale``;
    biases 0 except b_f = 1), inputs N(0, 1), initial state zeros; a cell made with ``make_cell(name, n=n)``.
    Norms in log10 (finite far below the float range), by
    :func:`lstmsym.numerics.reference.lag_jacobian_norms`. ``biases`` sets named biases to a constant in every
    cell that has them, e.g. ``{"b_z": -3.0, "b_f": 3.0}`` (a keep bias: minGRU keeps with 1 - z = σ(3) at
    zero input, the others with f = σ(3)).
    """
    seeds = seed_tuple(seeds)
    lags = tuple(whole_number("lag", L) for L in lags)
    T = max(lags)
    out: dict[tuple[str, str], np.ndarray] = {}
    for name in names:
        cell = make_cell(name, n=n)
        rows = {"total": [], "direct": []}
        for seed in seeds:
            rng = np.random.default_rng(seed)
            params = init_params(cell, rng, scale=scale)
            for bias, value in (biases or {}).items():
                if bias in params:
                    params[bias] = np.full_like(params[bias], float(value))
            xs = random_sequence(cell, T, rng)
            for path in rows:
                logs = reference.lag_jacobian_norms(cell, params, xs, direct=path == "direct", log10=True)
                rows[path].append([logs[T - L] for L in lags])
        for path, value in rows.items():
            out[(name, path)] = np.array(value)
    return LagNorms(names=tuple(names), lags=lags, seeds=seeds, log10=out)


def _keep(name: str, gates: dict[str, np.ndarray]) -> np.ndarray:
    if name == "min_gru":
        return 1.0 - gates["z"]
    if name == "min_lstm":
        return gates["f'"]
    if name in ("slstm", "lstm"):
        return gates["f"]
    if name == "gru":
        return gates["z"]
    raise LstmsymError(f"no keep factor known for cell {name!r}; expected one of {sorted(KEEP_FACTORS)}")


def keep_factor_differences(names: Sequence[str] = (*MODERN_CELLS, "lstm"), seeds: Sequence[int] = range(5),
                            T: int = 50, n: int = 3, spread: float = 2.0):
    """Does the keep factor depend on what is stored? One row per cell and seed.

    Two runs share parameters and inputs and differ only in the initial state (two draws N(0, spread²));
    ``max_keep_diff`` is the largest |keep factor of run a - of run b| over steps and units (keep factor:
    1 - z for minGRU, f' for minLSTM, f for the sLSTM and LSTM). It is exactly 0 when the gates read only
    x_t: then the cell forgets only on the input's say-so, whatever it holds.
    """
    seeds, T = seed_tuple(seeds), whole_number("T", T)
    rows = []
    for name in names:
        cell = make_cell(name, n=n)
        for seed in seeds:
            rng = np.random.default_rng(seed)
            params = init_params(cell, rng)
            xs = random_sequence(cell, T, rng)
            starts = [{s: rng.normal(0.0, spread, n) for s in cell.state_names} for _ in range(2)]
            for start in starts:
                if "n" in start:                      # the sLSTM's normaliser starts positive
                    start["n"] = np.abs(start["n"])
            keeps = [_keep(name, reference.forward(cell, params, xs, s).gates) for s in starts]
            rows.append({"cell": name, "seed": seed, "keep_factor": KEEP_FACTORS[name],
                         "max_keep_diff": float(np.max(np.abs(keeps[0] - keeps[1])))})
    return _frame_rows(rows)


__all__ = [
    "KEEP_FACTORS",
    "MODERN_CELLS",
    "LagNorms",
    "OverflowCase",
    "SymbolicFact",
    "keep_factor_differences",
    "lag_norms",
    "min_cell_scan",
    "overflow_case",
    "stabiliser_comparison",
    "total_equals_direct",
]
