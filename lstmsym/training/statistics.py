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
