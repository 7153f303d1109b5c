"""Statistics of learning results: Wilson intervals, Fisher's exact test, predictor AUCs (scipy.stats)."""

import itertools

import numpy as np
import pytest

from lstmsym.errors import LstmsymError
from lstmsym.training.statistics import (
    auc,
    fisher_p,
    p_grid,
    predictor_table,
    rate_grid,
    significant_differences,
    success_table,
    threshold_rule,
    wilson_interval,
)


def test_wilson_interval_known_values():
    assert [round(v, 2) for v in wilson_interval(4, 5)] == [0.38, 0.96]
    assert [round(v, 2) for v in wilson_interval(24, 30)] == [0.63, 0.90]
    # the closed form: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    k, n, z = 7, 30, 1.959963984540054
    p = k / n
    centre, half = p + z * z / (2 * n), z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    np.testing.assert_allclose(
        wilson_interval(k, n),
        [(centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)],
        rtol=1e-9,
    )
    lo, hi = wilson_interval(0, 30)
    assert lo == 0.0 and 0.11 < hi < 0.12  # 0 of 30 still allows up to about 11%
    with pytest.raises(LstmsymError, match="successes"):
        wilson_interval(6, 5)
    with pytest.raises(LstmsymError, match="confidence"):
        wilson_interval(1, 5, confidence=1.5)


def test_fisher_exact_known_values():
    assert round(fisher_p(4, 5, 1, 5), 2) == 0.21
    assert fisher_p(5, 5, 5, 5) == 1.0
    # one-sided tail by hand (hypergeometric) doubled is the two-sided p of this symmetric table
    from math import comb

    tail = sum(comb(5, a) * comb(5, 5 - a) for a in (4, 5)) / comb(10, 5)
    assert fisher_p(4, 5, 1, 5) == pytest.approx(2 * tail, rel=1e-12)
    with pytest.raises(LstmsymError, match="first group"):
        fisher_p(3, 2, 1, 5)


def test_auc_is_the_fraction_of_ordered_pairs():
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(1.0, 1.0, 12).round(1), rng.normal(0.0, 1.0, 9).round(1)  # rounding makes ties
    pairs = [(a > b) + 0.5 * (a == b) for a, b in itertools.product(pos, neg)]
    assert auc(pos, neg) == pytest.approx(np.mean(pairs), rel=1e-12)
    assert auc(np.log(np.exp(pos)), neg) == pytest.approx(auc(pos, neg))  # unchanged by increasing maps
    with pytest.raises(LstmsymError, match="positive and one negative"):
        auc([], [1.0])


def _results():
    runs = []
    for config, solved in (("rnn", {20: 3, 50: 1}), ("lstm", {20: 28, 50: 20}), ("gru", {20: 4, 50: 1})):
        for T, k in solved.items():
            for seed in range(30):
                ok = seed < k
                runs.append(
                    {
                        "config": config,
                        "T": T,
                        "seed": seed,
                        "solved": ok,
                        "grad_s0_start": 10.0 ** (-seed % 7) * (1 + ok),
                        "lag_balance_start": (1.0 if ok else 0.1) * (1 + seed),
                    }
                )
    return {"configs": ["rnn", "lstm", "gru"], "lags": [20, 50], "runs": runs}


def test_success_table_rates_intervals_and_tests():
    table = success_table(_results())
    assert len(table) == 6 and list(table["config"]) == ["rnn", "rnn", "lstm", "lstm", "gru", "gru"]
    row = table[(table["config"] == "lstm") & (table["T"] == 50)].iloc[0]
    assert (row["solved"], row["seeds"], row["rate"]) == (20, 30, 20 / 30)
    assert (row["low"], row["high"]) == wilson_interval(20, 30)
    assert row["p_vs_baseline"] == fisher_p(20, 30, 1, 30)
    assert table[table["config"] == "rnn"]["p_vs_baseline"].isna().all()
    tested = table[table["p_vs_baseline"].notna()]
    assert all(tested["p_adjusted"].astype(float) >= tested["p_vs_baseline"].astype(float) - 1e-15)
    diff = significant_differences(table)
    assert [(r.config, r.T, r.direction) for r in diff.itertuples()] == [
        ("lstm", 20, "above"),
        ("lstm", 50, "above"),
    ]
    assert rate_grid(table).loc["lstm", 50] == f"{20 / 30:.2f} [{row['low']:.2f}, {row['high']:.2f}]"
    assert list(p_grid(table).index) == ["lstm", "gru"]
    only = success_table(_results(), baseline="gru", configs=["lstm"])
    assert set(only["config"]) == {"gru", "lstm"}
    with pytest.raises(LstmsymError, match="not in the results"):
        success_table(_results(), configs=["lstm b_f=7"])


def test_predictor_table_and_threshold_rule():
    results = _results()
    table = predictor_table(results)
    assert list(table.columns) == ["predictor", "T", "solved", "failed", "auc", "p"]
    row = table[(table["predictor"] == "lag_balance_start") & (table["T"] == "all")].iloc[0]
    good = [r["lag_balance_start"] for r in results["runs"] if r["solved"]]
    bad = [r["lag_balance_start"] for r in results["runs"] if not r["solved"]]
    pairs = [(a > b) + 0.5 * (a == b) for a, b in itertools.product(good, bad)]
    assert row["auc"] == pytest.approx(np.mean(pairs)) and row["solved"] == len(good)
    rule = threshold_rule(results, threshold=1e-3)
    assert rule["solved_below"] == sum(
        1 for r in results["runs"] if r["solved"] and r["grad_s0_start"] <= 1e-3
    )
    with pytest.raises(LstmsymError, match="predictor"):
        predictor_table(results, predictors=["loss"])
