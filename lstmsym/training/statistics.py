"""Statistics of learning results: success rates with Wilson intervals, Fisher's exact test against a
baseline configuration, and how well a quantity measured before training predicts success.

Every test comes from :mod:`scipy.stats`; nothing here is a hand-written test. Tables are pandas DataFrames
(pandas is imported inside the functions that build them).

- A success rate over seeds is a binomial proportion: its 95% **Wilson interval** is
  ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.
- Two configurations at one lag are compared with **Fisher's exact test** (two-sided) on the 2 × 2 table
  solved / not solved; the p-values of all cells are also given adjusted for the number of comparisons
  (Benjamini-Hochberg, ``scipy.stats.false_discovery_control``).
- A **predictor** (a number per run, measured before training) is scored by its ROC AUC: the probability
  that a random solved run has a larger value than a random failed run (ties count ½). It equals the
  Mann-Whitney statistic U / (n_solved n_failed) (``scipy.stats.mannwhitneyu``, which also gives the
  p-value of "no difference"). The AUC needs no threshold and does not change under any increasing
  transformation (a logarithm, a power), so it compares an absolute gradient and a ratio on equal terms;
  0.5 is no better than chance, 1 separates every solved run from every failed one.

>>> lo, hi = wilson_interval(4, 5)
>>> round(lo, 2), round(hi, 2)
(0.38, 0.96)
>>> round(fisher_p(4, 5, 1, 5), 2)
0.21
>>> round(auc([3.0, 4.0], [1.0, 2.0, 3.0]), 4)               # 5.5 of 6 pairs ordered, the tie counts ½
0.9167
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from ..errors import LstmsymError


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion ``successes`` / ``trials``.

    >>> [round(v, 2) for v in wilson_interval(24, 30)]
    [0.63, 0.9]
    """
    k, n = int(successes), int(trials)
    if n < 1 or not 0 <= k <= n:
        raise LstmsymError(f"need 0 <= successes <= trials and trials >= 1, got {successes!r} of {trials!r}")
    if not 0 < confidence < 1:
        raise LstmsymError(f"confidence must be in (0, 1), got {confidence!r}")
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def fisher_p(k1: int, n1: int, k0: int, n0: int) -> float:
    """Two-sided p-value of Fisher's exact test: k1 of n1 against k0 of n0 (``scipy.stats.fisher_exact``).

    >>> fisher_p(30, 30, 0, 30) < 1e-15, fisher_p(3, 30, 3, 30)
    (True, 1.0)
    """
    for name, k, n in (("first", k1, n1), ("second", k0, n0)):
        if n < 1 or not 0 <= k <= n:
            raise LstmsymError(f"the {name} group needs 0 <= successes <= trials >= 1, got {k!r} of {n!r}")
    return float(stats.fisher_exact([[k1, n1 - k1], [k0, n0 - k0]]).pvalue)


def auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """ROC AUC of a score: P(a positive's score > a negative's) + ½ P(equal), via Mann-Whitney's U."""
    x, y = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    if x.size == 0 or y.size == 0:
        raise LstmsymError("the AUC needs at least one positive and one negative case")
    return float(stats.mannwhitneyu(x, y).statistic / (x.size * y.size))


def _cells(results: dict) -> dict[tuple[str, int], list[dict]]:
    cells: dict[tuple[str, int], list[dict]] = {}
    for run in results["runs"]:
        cells.setdefault((run["config"], int(run["T"])), []).append(run)
    return cells


def success_table(
    results: dict, baseline: str = "rnn", confidence: float = 0.95, configs: Sequence[str] | None = None
):
    """One row per configuration and lag: solved, seeds, rate, Wilson interval (``low``, ``high``), and
    Fisher's two-sided p against ``baseline`` at the same lag (``p_vs_baseline``; None for the baseline
    itself), with the Benjamini-Hochberg adjustment over all those comparisons (``p_adjusted``).
    ``configs`` restricts the table (and the adjustment) to those configurations (the baseline's row is
    shown too); all of them by default.

    >>> runs = [{"config": c, "T": 50, "solved": s} for c, s in
    ...         [("rnn", False)] * 4 + [("rnn", True)] + [("lstm", True)] * 4 + [("lstm", False)]]
    >>> table = success_table({"configs": ["rnn", "lstm"], "lags": [50], "runs": runs})
    >>> table[["config", "T", "solved", "seeds", "rate"]].values.tolist()
    [['rnn', 50, 1, 5, 0.2], ['lstm', 50, 4, 5, 0.8]]
    >>> round(float(table["p_vs_baseline"].iloc[1]), 2), round(float(table["high"].iloc[1]), 2)
    (0.21, 0.96)
    """
    import pandas as pd

    cells = _cells(results)
    labels = list(results["configs"])
    if configs is not None:
        unknown = [c for c in [baseline, *configs] if c not in labels]
        if unknown:
            raise LstmsymError(f"configs {unknown} are not in the results; they hold {labels}")
        labels = [c for c in labels if c == baseline or c in configs]
    rows = []
    for label in labels:
        for T in results["lags"]:
            runs = cells.get((label, int(T)), [])
            if not runs:
                continue
            k, n = sum(bool(r["solved"]) for r in runs), len(runs)
            lo, hi = wilson_interval(k, n, confidence)
            p = None
            base = cells.get((baseline, int(T)))
            if label != baseline and base:
                p = fisher_p(k, n, sum(bool(r["solved"]) for r in base), len(base))
            rows.append(
                {
                    "config": label,
                    "T": int(T),
                    "solved": k,
                    "seeds": n,
                    "rate": k / n,
                    "low": lo,
                    "high": hi,
                    "p_vs_baseline": p,
                }
            )
    table = pd.DataFrame(rows)
    tested = table["p_vs_baseline"].notna()
    table["p_adjusted"] = None
    if tested.any():
        adjusted = stats.false_discovery_control(table.loc[tested, "p_vs_baseline"].astype(float).to_numpy())
        table.loc[tested, "p_adjusted"] = adjusted
    return table


def rate_grid(table) -> object:
    """The success table as a grid, configuration × lag, each cell "rate [low, high]" (2 decimals)."""
    text = table.assign(
        cell=[
            f"{r:.2f} [{lo:.2f}, {hi:.2f}]"
            for r, lo, hi in zip(table["rate"], table["low"], table["high"], strict=True)
        ]
    )
    grid = text.pivot(index="config", columns="T", values="cell")
    return grid.loc[list(dict.fromkeys(table["config"]))]


def p_grid(table) -> object:
    """Fisher's p against the baseline as a grid, configuration × lag (the baseline's row left out)."""
    tested = table[table["p_vs_baseline"].notna()]
    grid = tested.pivot(index="config", columns="T", values="p_vs_baseline").astype(float)
    return grid.loc[list(dict.fromkeys(tested["config"]))]


#: The quantities a run records before training that can serve as predictors of success.
PREDICTORS = ("grad_s0_start", "lag_balance_start")


def predictor_table(results: dict, predictors: Sequence[str] = PREDICTORS, lags: Sequence[int] | None = None):
    """How well each predictor separates solved from failed runs: one row per predictor and lag (and one
    with ``T`` = "all" pooling every lag), with ``solved``, ``failed``, ``auc`` and ``p`` (Mann-Whitney,
    two-sided); ``auc`` is None where a lag has no solved or no failed run.

    >>> runs = [{"T": 10, "solved": s, "grad_s0_start": g, "lag_balance_start": b}
    ...         for s, g, b in [(True, 1.0, 0.5), (True, 1e-8, 0.4), (False, 1e-3, 1e-9)]]
    >>> table = predictor_table({"lags": [10], "runs": runs})
    >>> table[["predictor", "T", "auc"]].values.tolist()[::2]           # per lag; the "all" rows agree here
    [['grad_s0_start', 10, 0.5], ['lag_balance_start', 10, 1.0]]
    """
    import pandas as pd

    lags = list(results["lags"]) if lags is None else list(lags)
    rows = []
    for name in predictors:
        if name not in PREDICTORS:
            raise LstmsymError(f"predictor must be one of {PREDICTORS}, got {name!r}")
        for T in [*lags, "all"]:
            runs = [r for r in results["runs"] if (T == "all" and r["T"] in lags) or r["T"] == T]
            good = [float(r[name]) for r in runs if r["solved"]]
            bad = [float(r[name]) for r in runs if not r["solved"]]
            value = p = None
            if good and bad:
                value = auc(good, bad)
                p = float(stats.mannwhitneyu(good, bad).pvalue)
            rows.append(
                {"predictor": name, "T": T, "solved": len(good), "failed": len(bad), "auc": value, "p": p}
            )
    return pd.DataFrame(rows)


def threshold_rule(
    results: dict, threshold: float = 1e-7, predictor: str = "grad_s0_start"
) -> dict[str, int]:
    """How often the rule "a run whose ``predictor`` is ≤ ``threshold`` cannot learn" is wrong: counts of
    solved runs at or below the threshold and of failed runs above it, with the totals.

    >>> runs = [{"solved": True, "grad_s0_start": 1e-9}, {"solved": False, "grad_s0_start": 1e-3}]
    >>> threshold_rule({"runs": runs})
    {'solved_below': 1, 'failed_above': 1, 'solved': 1, 'failed': 1}
    """
    runs = results["runs"]
    return {
        "solved_below": sum(1 for r in runs if r["solved"] and r[predictor] <= threshold),
        "failed_above": sum(1 for r in runs if not r["solved"] and r[predictor] > threshold),
        "solved": sum(1 for r in runs if r["solved"]),
        "failed": sum(1 for r in runs if not r["solved"]),
    }


def significant_differences(table, alpha: float = 0.05):
    """The rows of a :func:`success_table` whose Fisher p against the baseline is below ``alpha``, with the
    baseline's count beside them and the ``direction`` of the difference ("above" or "below" the baseline).

    >>> runs = [{"config": c, "T": 50, "solved": s} for c, s in
    ...         [("rnn", False)] * 30 + [("lstm", True)] * 20 + [("lstm", False)] * 10]
    >>> table = success_table({"configs": ["rnn", "lstm"], "lags": [50], "runs": runs})
    >>> diff = significant_differences(table)
    >>> diff[["config", "T", "solved", "baseline_solved", "direction"]].values.tolist()
    [['lstm', 50, 20, 0, 'above']]
    """
    if not 0 < alpha < 1:
        raise LstmsymError(f"alpha must be in (0, 1), got {alpha!r}")
    base = table[table["p_vs_baseline"].isna()].set_index("T")
    tested = table[table["p_vs_baseline"].notna()].copy()
    tested["baseline_solved"] = [int(base.loc[T, "solved"]) for T in tested["T"]]
    tested["baseline_rate"] = [float(base.loc[T, "rate"]) for T in tested["T"]]
    hits = tested[tested["p_vs_baseline"].astype(float) < alpha].copy()
    hits["direction"] = np.where(hits["rate"] > hits["baseline_rate"], "above", "below")
    return hits.reset_index(drop=True)


def _auc_rows(scores: np.ndarray, solved: np.ndarray) -> np.ndarray:
    """AUC of each row of ``scores`` (R, N) for the labels ``solved`` (R, N) (rank form of Mann-Whitney's U;
    ties count ½); NaN where a row has no solved or no failed run."""
    ranks = stats.rankdata(scores, axis=1)
    n1 = solved.sum(axis=1)
    n0 = solved.shape[1] - n1
    u = (ranks * solved).sum(axis=1) - n1 * (n1 + 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((n1 > 0) & (n0 > 0), u / (n1 * n0), np.nan)


def within_cell_auc(results: dict, predictors: Sequence[str] = PREDICTORS, min_each: int = 3):
    """The predictors' AUC *within* one configuration and lag: one row per (configuration, lag) with at least
    ``min_each`` solved and ``min_each`` failed seeds, with ``config``, ``T``, ``solved``, ``failed``,
    ``pairs`` (solved × failed) and one AUC column per predictor.

    Pooled over configurations, a predictor can score well only because it tells the configurations apart
    (:func:`configuration_auc`); within one cell every run has the same cell, bias and budget, and only the
    seed differs, so this AUC says whether the number ranks *seeds*.

    >>> runs = [{"config": "a", "T": 5, "solved": s, "grad_s0_start": g, "lag_balance_start": 1.0}
    ...         for s, g in [(True, 3.0), (True, 1.0), (False, 2.0), (False, 0.5)]]
    >>> within_cell_auc({"configs": ["a"], "lags": [5], "runs": runs}, min_each=2)[
    ...     ["config", "T", "pairs", "grad_s0_start", "lag_balance_start"]].values.tolist()
    [['a', 5, 4, 0.75, 0.5]]
    """
    import pandas as pd

    min_each = int(min_each)
    if min_each < 1:
        raise LstmsymError(f"min_each must be a whole number >= 1, got {min_each!r}")
    for name in predictors:
        if name not in PREDICTORS:
            raise LstmsymError(f"predictor must be one of {PREDICTORS}, got {name!r}")
    cells = _cells(results)
    rows = []
    for label in results["configs"]:
        for T in results["lags"]:
            runs = cells.get((label, int(T)), [])
            good = [r for r in runs if r["solved"]]
            bad = [r for r in runs if not r["solved"]]
            if len(good) < min_each or len(bad) < min_each:
                continue
            row = {"config": label, "T": int(T), "solved": len(good), "failed": len(bad)}
            row["pairs"] = len(good) * len(bad)
            for name in predictors:
                row[name] = auc([float(r[name]) for r in good], [float(r[name]) for r in bad])
            rows.append(row)
    columns = ["config", "T", "solved", "failed", "pairs", *predictors]
    return pd.DataFrame(rows, columns=columns)


def within_cell_summary(table, predictors: Sequence[str] = PREDICTORS):
    """A summary of :func:`within_cell_auc` per predictor: the number of cells, the AUC weighted by each
    cell's solved × failed pairs (the AUC of all within-cell pairs taken together), the median, the
    smallest and the largest cell AUC.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"pairs": [1, 3], "grad_s0_start": [1.0, 0.5]})
    >>> within_cell_summary(t, ["grad_s0_start"]).values.tolist()
    [[2.0, 0.625, 0.75, 0.5, 1.0]]
    """
    import pandas as pd

    if len(table) == 0:
        raise LstmsymError("the within-cell table is empty: no cell has enough solved and failed seeds")
    rows = {}
    for name in predictors:
        values, weights = table[name].astype(float), table["pairs"].astype(float)
        rows[name] = {
            "cells": float(len(values)),
            "pair_weighted": float(np.average(values, weights=weights)),
            "median": float(np.median(values)),
            "min": float(values.min()),
            "max": float(values.max()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def configuration_auc(results: dict, lags: Sequence[int] | None = None):
    """The AUC of the configuration alone, per lag: each run is scored by its own configuration's success
    rate at that lag (in sample), so a high value says the configurations differ, not that any measured
    number tells the runs of one configuration apart. One row per lag (``T``, ``auc``).

    >>> runs = [{"config": c, "T": 5, "solved": s} for c, s in
    ...         [("a", True), ("a", True), ("a", False), ("b", False), ("b", False)]]
    >>> configuration_auc({"lags": [5], "runs": runs})["auc"].round(4).tolist()  # a's own failure ties: ½
    [0.8333]
    """
    import pandas as pd

    lags = list(results["lags"]) if lags is None else list(lags)
    cells = _cells(results)
    rows = []
    for T in lags:
        runs = [r for r in results["runs"] if r["T"] == T]
        rate = {}
        for r in runs:
            cell = cells[(r["config"], int(T))]
            rate[r["config"]] = sum(bool(x["solved"]) for x in cell) / len(cell)
        good = [rate[r["config"]] for r in runs if r["solved"]]
        bad = [rate[r["config"]] for r in runs if not r["solved"]]
        rows.append({"T": int(T), "auc": auc(good, bad) if good and bad else None})
    return pd.DataFrame(rows)


def paired_auc_difference(
    results: dict,
    first: str = "grad_s0_start",
    second: str = "lag_balance_start",
    lags: Sequence[int] | None = None,
    resamples: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
    min_each: int = 5,
):
    """AUC(``second``) − AUC(``first``) on the same runs, with a paired bootstrap interval: one row per lag
    and one (``T`` = "all") pooling the lags, with ``auc_first``, ``auc_second``, ``difference``, ``low``,
    ``high`` (percentile interval over ``resamples`` resamples of the runs, drawn with replacement from
    ``numpy.random.default_rng(seed)``, the same seed for every row; resamples without a solved or a failed
    run are skipped) and ``spearman`` (the rank correlation of the two predictors over those runs).

    A row with fewer than ``min_each`` solved or fewer than ``min_each`` failed runs keeps its counts but
    gets NaN for every AUC and the interval (the same rule as :func:`within_cell_auc`): with a few runs in
    one class, every pair of the AUC shares those few runs and a resample often holds none of them.

    Both AUCs are computed on the same resample, so what they share (the same runs, the same hard and
    easy cells) cancels in the difference. An interval that contains 0 means no detectable difference.

    >>> runs = [{"T": 5, "solved": i % 2 == 0, "grad_s0_start": float(i % 2 == 0) + i / 100,
    ...          "lag_balance_start": float(i)} for i in range(20)]
    >>> row = paired_auc_difference({"lags": [5], "runs": runs}, resamples=200).iloc[0]
    >>> float(row["auc_first"]), float(row["auc_second"]), bool(row["high"] < 0)  # the first separates
    (1.0, 0.45, True)
    >>> few = paired_auc_difference({"lags": [5], "runs": runs[:8]}, resamples=200).iloc[0]  # 4 and 4
    >>> int(few["solved"]), bool(np.isnan(few["low"]))
    (4, True)
    """
    import pandas as pd

    min_each = int(min_each)
    if min_each < 1:
        raise LstmsymError(f"min_each must be a whole number >= 1, got {min_each!r}")
    for name in (first, second):
        if name not in PREDICTORS:
            raise LstmsymError(f"predictor must be one of {PREDICTORS}, got {name!r}")
    resamples = int(resamples)
    if resamples < 10:
        raise LstmsymError(f"resamples must be a whole number >= 10, got {resamples!r}")
    if not 0 < confidence < 1:
        raise LstmsymError(f"confidence must be in (0, 1), got {confidence!r}")
    lags = list(results["lags"]) if lags is None else list(lags)
    rows = []
    for T in [*lags, "all"]:
        runs = [r for r in results["runs"] if (T == "all" and r["T"] in lags) or r["T"] == T]
        y = np.array([bool(r["solved"]) for r in runs])
        a = np.array([float(r[first]) for r in runs])
        b = np.array([float(r[second]) for r in runs])
        row = {"T": T, "runs": len(runs), "solved": int(y.sum())}
        if y.sum() < min_each or (~y).sum() < min_each:
            empty = ("auc_first", "auc_second", "difference", "low", "high", "spearman")
            rows.append({**row, **dict.fromkeys(empty, np.nan)})
            continue
        auc_a, auc_b = auc(a[y], a[~y]), auc(b[y], b[~y])
        rng = np.random.default_rng(seed)
        pick = rng.integers(0, len(runs), size=(resamples, len(runs)))
        diff = _auc_rows(b[pick], y[pick]) - _auc_rows(a[pick], y[pick])
        diff = diff[np.isfinite(diff)]
        tail = 100 * (1 - confidence) / 2
        rows.append(
            {
                **row,
                "auc_first": auc_a,
                "auc_second": auc_b,
                "difference": auc_b - auc_a,
                "low": float(np.percentile(diff, tail)),
                "high": float(np.percentile(diff, 100 - tail)),
                "spearman": float(stats.spearmanr(a, b).statistic),
            }
        )
    return pd.DataFrame(rows)


def standard_comparisons(configs: Sequence[str]) -> list[tuple[str, str]]:
    """The (configuration, baseline) pairs notebook 07 tests, among ``configs``: every configuration
    against the RNN; each other readout against the LSTM with b_f = 3 (tanh readout); the truncated 1997
    cell against the full gradient; the GRU with b_z = 3 against b_z = 0 and against the LSTM with b_f = 3.

    >>> standard_comparisons(["rnn", "gru", "gru b_z=3"])
    [('gru', 'rnn'), ('gru b_z=3', 'rnn'), ('gru b_z=3', 'gru')]
    """
    have = set(configs)
    pairs = [(c, "rnn") for c in configs if c != "rnn" and "rnn" in have]
    pairs += [(c, "lstm b_f=3") for c in configs if c.startswith("lstm b_f=3 readout=")]
    pairs += [("lstm1997 truncated", "lstm1997"), ("gru b_z=3", "gru"), ("gru b_z=3", "lstm b_f=3")]
    return [(c, b) for c, b in dict.fromkeys(pairs) if c in have and b in have]


def comparison_table(results: dict, comparisons: Sequence[tuple[str, str]] | None = None):
    """Fisher's exact test (two-sided) for each (configuration, baseline) pair at every lag, with the
    Benjamini-Hochberg adjustment over *all* the rows: the false discovery rate of the whole family is then
    at most 5% among the rows with ``p_adjusted`` < 0.05. Columns: ``config``, ``baseline``, ``T``,
    ``solved``, ``seeds``, ``baseline_solved``, ``baseline_seeds``, ``p``, ``p_adjusted``, ``direction``
    ("above", "below" or "same" as the baseline's rate). ``comparisons``: :func:`standard_comparisons` of
    the results' configurations by default.

    >>> runs = [{"config": c, "T": 50, "solved": s} for c, s in
    ...         [("rnn", False)] * 5 + [("lstm", True)] * 4 + [("lstm", False)]]
    >>> t = comparison_table({"configs": ["rnn", "lstm"], "lags": [50], "runs": runs})
    >>> t[["config", "baseline", "solved", "baseline_solved", "direction"]].values.tolist()
    [['lstm', 'rnn', 4, 0, 'above']]
    >>> round(float(t["p"].iloc[0]), 3)
    0.048
    """
    import pandas as pd

    labels = list(results["configs"])
    comparisons = standard_comparisons(labels) if comparisons is None else list(comparisons)
    cells = _cells(results)
    rows = []
    for label, base in comparisons:
        for name in (label, base):
            if name not in labels:
                raise LstmsymError(f"config {name!r} is not in the results; they hold {labels}")
        for T in results["lags"]:
            a, b = cells.get((label, int(T))), cells.get((base, int(T)))
            if not a or not b:
                continue
            k1, n1 = sum(bool(r["solved"]) for r in a), len(a)
            k0, n0 = sum(bool(r["solved"]) for r in b), len(b)
            direction = "same" if k1 / n1 == k0 / n0 else ("above" if k1 / n1 > k0 / n0 else "below")
            rows.append(
                {
                    "config": label,
                    "baseline": base,
                    "T": int(T),
                    "solved": k1,
                    "seeds": n1,
                    "baseline_solved": k0,
                    "baseline_seeds": n0,
                    "p": fisher_p(k1, n1, k0, n0),
                    "direction": direction,
                }
            )
    table = pd.DataFrame(rows)
    if rows:
        table["p_adjusted"] = stats.false_discovery_control(table["p"].to_numpy(dtype=float))
    return table


def p_text(p: float | None) -> str:
    """A p-value to 2 significant figures ("-" for none).

    >>> p_text(0.0104), p_text(2.6e-06), p_text(1.0), p_text(None)
    ('0.010', '2.6e-06', '1.0', '-')
    """
    if p is None or p != p:
        return "-"
    p = float(p)
    if p >= 1e-3:
        return f"{p:#.2g}".rstrip(".")
    return f"{p:.1e}"


def readable(table, baseline: str | None = None):
    """A :func:`success_table` or :func:`comparison_table` as it is shown to a reader: plain headers
    ("configuration", "lag T", "solved/30", "rate", "95% Wilson", "Fisher p vs ...", "BH-adjusted p"),
    rates to 2 decimals, p-values to 2 significant figures, "-" where there is no test (the baseline's own
    rows). ``baseline`` names the baseline in the header (default: the configuration the table compares
    with, written as :func:`lstmsym.style.style` labels it, without math).

    >>> runs = [{"config": c, "T": 50, "solved": s} for c, s in
    ...         [("rnn", False)] * 4 + [("rnn", True)] + [("lstm b_f=3", True)] * 4 + [("lstm b_f=3", False)]]
    >>> t = readable(success_table({"configs": ["rnn", "lstm b_f=3"], "lags": [50], "runs": runs}), "the RNN")
    >>> t.columns.tolist()
    ['configuration', 'lag T', 'solved/5', 'rate', '95% Wilson', 'Fisher p vs the RNN', 'BH-adjusted p']
    >>> t.values.tolist()[1]
    ['lstm b_f=3', 50, '4/5', '0.80', '[0.38, 0.96]', '0.21', '0.21']
    """
    import pandas as pd

    if "p_vs_baseline" in table:  # a success table
        seeds = sorted(set(int(n) for n in table["seeds"]))
        count = f"solved/{seeds[0]}" if len(seeds) == 1 else "solved/seeds"
        name = baseline or "baseline"
        out = pd.DataFrame(
            {
                "configuration": table["config"],
                "lag T": table["T"],
                count: [f"{k}/{n}" for k, n in zip(table["solved"], table["seeds"], strict=True)],
                "rate": [f"{r:.2f}" for r in table["rate"]],
                "95% Wilson": [
                    f"[{lo:.2f}, {hi:.2f}]" for lo, hi in zip(table["low"], table["high"], strict=True)
                ],
                f"Fisher p vs {name}": [p_text(p) for p in table["p_vs_baseline"]],
                "BH-adjusted p": [p_text(p) for p in table["p_adjusted"]],
            }
        )
        return out.reset_index(drop=True)
    if "baseline" in table:  # a comparison table
        name = baseline or "baseline"
        out = pd.DataFrame(
            {
                "configuration": table["config"],
                "baseline": table["baseline"],
                "lag T": table["T"],
                "solved": [f"{k}/{n}" for k, n in zip(table["solved"], table["seeds"], strict=True)],
                name: [
                    f"{k}/{n}" for k, n in zip(table["baseline_solved"], table["baseline_seeds"], strict=True)
                ],
                "Fisher p": [p_text(p) for p in table["p"]],
                "BH-adjusted p (all comparisons)": [p_text(p) for p in table["p_adjusted"]],
            }
        )
        return out.reset_index(drop=True)
    raise LstmsymError("table must come from success_table or comparison_table")
