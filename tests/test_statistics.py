"""Statistics of learning results: Wilson intervals, Fisher's exact test, predictor AUCs (pooled, within
one configuration, paired bootstrap of their difference), Benjamini-Hochberg over all comparisons."""

import itertools
import json

import numpy as np
import pytest

from lstmsym.errors import LstmsymError
from lstmsym.training.statistics import (
    auc,
    comparison_table,
    configuration_auc,
    fisher_p,
    p_grid,
    p_text,
    paired_auc_difference,
    predictor_table,
    rate_grid,
    readable,
    significant_differences,
    standard_comparisons,
    success_table,
    threshold_rule,
    wilson_interval,
    within_cell_auc,
    within_cell_summary,
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


def _pairs_auc(pos, neg):
    return float(np.mean([(a > b) + 0.5 * (a == b) for a, b in itertools.product(pos, neg)]))


def test_within_cell_auc_counts_the_pairs_of_one_cell():
    results = _results()
    table = within_cell_auc(results)
    # rnn 20 (3 solved), lstm 20 (28 solved, 2 failed: too few), lstm 50 (20/10), gru 20 (4/26) qualify
    assert table[["config", "T", "solved", "failed"]].values.tolist() == [
        ["rnn", 20, 3, 27],
        ["lstm", 50, 20, 10],
        ["gru", 20, 4, 26],
    ]
    for row in table.itertuples():
        runs = [r for r in results["runs"] if r["config"] == row.config and r["T"] == row.T]
        for name in ("grad_s0_start", "lag_balance_start"):
            pos = [r[name] for r in runs if r["solved"]]
            neg = [r[name] for r in runs if not r["solved"]]
            assert getattr(row, name) == pytest.approx(_pairs_auc(pos, neg), rel=1e-12)
        assert row.pairs == row.solved * row.failed
    summary = within_cell_summary(table)
    weighted = np.average(table["grad_s0_start"], weights=table["pairs"])
    assert summary.loc["grad_s0_start", "pair_weighted"] == pytest.approx(weighted)
    assert summary.loc["grad_s0_start", "cells"] == 3
    assert len(within_cell_auc(results, min_each=11)) == 0
    with pytest.raises(LstmsymError, match="empty"):
        within_cell_summary(within_cell_auc(results, min_each=11))
    with pytest.raises(LstmsymError, match="predictor"):
        within_cell_auc(results, predictors=["loss"])


def test_configuration_auc_scores_each_run_by_its_cells_rate():
    results = _results()
    table = configuration_auc(results)
    for row in table.itertuples():
        runs = [r for r in results["runs"] if r["T"] == row.T]
        rate = {c: np.mean([r["solved"] for r in runs if r["config"] == c]) for c in results["configs"]}
        pos = [rate[r["config"]] for r in runs if r["solved"]]
        neg = [rate[r["config"]] for r in runs if not r["solved"]]
        assert row.auc == pytest.approx(_pairs_auc(pos, neg), rel=1e-12)


def test_paired_bootstrap_of_the_auc_difference():
    results = _results()
    table = paired_auc_difference(results, resamples=300, seed=3)
    again = paired_auc_difference(results, resamples=300, seed=3)
    assert table.equals(again)  # the seed fixes the interval
    assert not table.equals(paired_auc_difference(results, resamples=300, seed=4))
    rng = np.random.default_rng(3)
    runs = [r for r in results["runs"] if r["T"] == 20]
    y = np.array([r["solved"] for r in runs])
    a = np.array([r["grad_s0_start"] for r in runs])
    b = np.array([r["lag_balance_start"] for r in runs])
    pick = rng.integers(0, len(runs), size=(300, len(runs)))
    diffs = []
    for i in pick:  # an independent loop over the same resamples
        if y[i].all() or not y[i].any():
            continue
        diffs.append(_pairs_auc(b[i][y[i]], b[i][~y[i]]) - _pairs_auc(a[i][y[i]], a[i][~y[i]]))
    row = table[table["T"] == 20].iloc[0]
    assert row["low"] == pytest.approx(np.percentile(diffs, 2.5), abs=1e-12)
    assert row["high"] == pytest.approx(np.percentile(diffs, 97.5), abs=1e-12)
    assert row["auc_first"] == pytest.approx(_pairs_auc(a[y], a[~y]))
    assert row["difference"] == pytest.approx(row["auc_second"] - row["auc_first"])
    assert row["low"] <= row["difference"] <= row["high"]
    from scipy import stats

    assert row["spearman"] == pytest.approx(stats.spearmanr(a, b).statistic)
    assert table["T"].tolist() == [20, 50, "all"]
    with pytest.raises(LstmsymError, match="resamples"):
        paired_auc_difference(results, resamples=2)


def test_paired_bootstrap_skips_rows_with_too_few_runs_in_a_class():
    results = _results()  # lag 50: 22 solved, 68 failed; lag 20: 35 solved
    kept = paired_auc_difference(results, resamples=100, min_each=22).set_index("T")
    cut = paired_auc_difference(results, resamples=100, min_each=23).set_index("T")
    assert kept.loc[50, "low"] <= kept.loc[50, "difference"] <= kept.loc[50, "high"]
    assert (cut.loc[50, "runs"], cut.loc[50, "solved"]) == (90, 22)  # the counts stay
    empty = ["auc_first", "auc_second", "difference", "low", "high", "spearman"]
    assert cut.loc[50, empty].isna().all() and kept.loc[50, empty].notna().all()
    assert cut.loc[[20, "all"]].equals(kept.loc[[20, "all"]])  # the other rows do not move
    assert paired_auc_difference(results, resamples=100, min_each=69).loc[:, empty].isna().all().all()
    with pytest.raises(LstmsymError, match="min_each"):
        paired_auc_difference(results, min_each=0)


def test_comparison_table_adjusts_over_every_comparison():
    from scipy import stats

    results = _results()
    pairs = [("lstm", "rnn"), ("gru", "rnn"), ("gru", "lstm")]
    table = comparison_table(results, pairs)
    assert len(table) == 6
    expected = [fisher_p(r.solved, r.seeds, r.baseline_solved, r.baseline_seeds) for r in table.itertuples()]
    assert table["p"].tolist() == expected
    assert table["p_adjusted"].tolist() == pytest.approx(stats.false_discovery_control(expected).tolist())
    assert (table["p_adjusted"] >= table["p"]).all()
    row = table[(table["config"] == "gru") & (table["baseline"] == "lstm") & (table["T"] == 50)].iloc[0]
    assert (row["solved"], row["baseline_solved"], row["direction"]) == (1, 20, "below")
    assert standard_comparisons(["rnn", "lstm b_f=3", "lstm b_f=3 readout=dense", "lstm1997"]) == [
        ("lstm b_f=3", "rnn"),
        ("lstm b_f=3 readout=dense", "rnn"),
        ("lstm1997", "rnn"),
        ("lstm b_f=3 readout=dense", "lstm b_f=3"),
    ]
    with pytest.raises(LstmsymError, match="not in the results"):
        comparison_table(results, [("lstm", "cifg")])


def test_readable_tables_and_p_text():
    assert [p_text(p) for p in (0.0299, 0.5, 1.0, 4.6e-3, 1.7e-17, float("nan"))] == [
        "0.030",
        "0.50",
        "1.0",
        "0.0046",
        "1.7e-17",
        "-",
    ]
    results = _results()
    shown = readable(success_table(results, baseline="rnn", configs=["lstm"]), "the RNN")
    assert shown.columns.tolist() == [
        "configuration",
        "lag T",
        "solved/30",
        "rate",
        "95% Wilson",
        "Fisher p vs the RNN",
        "BH-adjusted p",
    ]
    assert shown.iloc[0].tolist() == ["rnn", 20, "3/30", "0.10", "[0.03, 0.26]", "-", "-"]
    compared = readable(comparison_table(results, [("lstm", "rnn")]), "RNN")
    assert compared.columns.tolist()[-3:] == ["RNN", "Fisher p", "BH-adjusted p (all comparisons)"]
    with pytest.raises(LstmsymError, match="success_table or comparison_table"):
        readable(results["runs"] and __import__("pandas").DataFrame({"x": [1]}))


def test_committed_results_within_cell_and_all_comparisons():
    """The numbers notebook 07 quotes, from results/long_lags.json."""
    from lstmsym.training.experiment import COMMITTED_RESULTS

    results = json.loads(COMMITTED_RESULTS.read_text())
    summary = within_cell_summary(within_cell_auc(results))
    assert summary["cells"].tolist() == [14, 14]
    assert summary["pair_weighted"].round(2).tolist() == [0.50, 0.51]
    assert configuration_auc(results)["auc"].round(2).tolist() == [0.93, 0.98, 0.95, 0.88, 0.90]
    table = comparison_table(results)
    assert len(table) == 85
    dense = table[(table["config"] == "lstm b_f=3 readout=dense") & (table["baseline"] == "lstm b_f=3")]
    assert round(float(dense[dense["T"] == 200]["p_adjusted"].iloc[0]), 3) == 0.030
