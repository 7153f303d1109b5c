"""Batched BPTT against central differences, the NumPy reference and the symbolic engine; Adam, clipping,
the training loop and the experiment command."""

import json

import numpy as np
import pytest
from variants import VARIANTS, variant_id

import lstmsym as ls
from lstmsym.errors import LstmsymError
from lstmsym.numerics import reference
from lstmsym.numerics.compile import compile_cell
from lstmsym.training import batched
from lstmsym.training.__main__ import main
from lstmsym.training.batched import loss_and_grads
from lstmsym.training.experiment import (
    COMMITTED_RESULTS,
    CONFIGS,
    Budget,
    accuracy_histories,
    config_definition,
    failed_final_accuracies,
    git_state,
    grad_s0_at_start,
    grad_s0_range,
    keep_products,
    latch_successes,
    load_results,
    rates_at,
    run_experiment,
    run_one,
    runs_table,
    save_results,
    success_rates,
)
from lstmsym.training.loop import init_model, train
from lstmsym.training.optim import Adam, clip_global_norm, global_norm
from lstmsym.training.tasks import AddingTask, SignTask

EPS = 1e-6  # central-difference step, float64


def _model(name, switches, n, m, seed=0):
    cell = ls.make_cell(name, n=n, m=m, **switches)
    rng = np.random.default_rng(seed)
    params = init_model(cell, rng, forget_bias=0.5)
    for key in params:  # biases and peepholes away from zero, too
        params[key] = params[key] + rng.normal(0.0, 0.3, size=params[key].shape)
    return cell, params


def _numeric_grad(f, params, name):
    grad = np.zeros_like(params[name])
    for idx in np.ndindex(params[name].shape):
        saved = params[name][idx]
        params[name][idx] = saved + EPS
        up = f()
        params[name][idx] = saved - EPS
        down = f()
        params[name][idx] = saved
        grad[idx] = (up - down) / (2 * EPS)
    return grad


@pytest.mark.parametrize("loss", ["mse", "logistic"])
@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_parameter_gradients_match_central_differences(variant, loss):
    name, switches = variant
    cell, params = _model(name, switches, n=2, m=2)
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(4, 3, 2))  # T = 4, B = 3
    target = np.array([1.0, 0.0, 1.0]) if loss == "logistic" else rng.normal(size=3)
    mask = np.array([[0, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]], dtype=float)  # one front-padded sequence
    out = loss_and_grads(cell, params, xs, target, loss, mask)
    assert sorted(out.grads) == sorted(params)

    def f():
        return loss_and_grads(cell, params, xs, target, loss, mask).loss

    for pname in params:
        numeric = _numeric_grad(f, params, pname)
        np.testing.assert_allclose(out.grads[pname], numeric, rtol=1e-5, atol=1e-8, err_msg=pname)


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_initial_state_gradient_matches_central_differences(variant):
    name, switches = variant
    cell, params = _model(name, switches, n=2, m=1, seed=3)
    xs = np.random.default_rng(2).normal(size=(3, 2, 1))
    state0 = {k: np.random.default_rng(4).normal(size=(2, 2)) for k in cell.state_names}
    target = np.array([0.3, -0.2])
    out = loss_and_grads(cell, params, xs, target, "mse", state0=state0)
    for k in cell.state_names:

        def f(k=k):
            return loss_and_grads(cell, params, xs, target, "mse", state0=state0).loss

        numeric = _numeric_grad(f, state0, k)
        np.testing.assert_allclose(out.ds0[k], numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("T", [1, 3])
@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_scalar_cells_agree_with_engine_and_reference(variant, T):
    """B = 1, n = m = 1: ∂L/∂s_0 = (∂L/∂s_T) · ∂s_T/∂s_0 from the compiled symbolic engine, and the parameter
    gradients equal lstmsym.numerics.reference.backward's."""
    name, switches = variant
    cell, params = _model(name, switches, n=1, m=1, seed=5)
    xs = np.random.default_rng(6).normal(size=(T, 1, 1))
    state0 = {k: np.array([[0.4 - 0.7 * j]]) for j, k in enumerate(cell.state_names)}
    out = loss_and_grads(cell, params, xs, np.array([0.25]), "mse", state0=state0)
    dsT = np.concatenate([out.dsT.get(k, np.zeros((1, 1)))[0] for k in cell.state_names])  # (N,)
    cell_params = {k: v for k, v in params.items() if k not in batched.READOUT_PARAMS}
    s0 = {k: v[0] for k, v in state0.items()}
    J0 = compile_cell(cell).lag_jacobians(cell_params, xs[:, 0], s0)[0]
    ds0 = np.concatenate([out.ds0[k][0] for k in cell.state_names])
    np.testing.assert_allclose(ds0, dsT @ J0, rtol=1e-10, atol=1e-14)
    traj = reference.forward(cell, cell_params, xs[:, 0], s0)
    ref = reference.backward(cell, cell_params, traj, xs[:, 0], dsT)
    for pname, g in ref.dparams.items():
        np.testing.assert_allclose(out.grads[pname], g, rtol=1e-10, atol=1e-14, err_msg=pname)


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru", "dense_memory"])
def test_batch_equals_sum_of_single_sequences(name):
    cell, params = _model(name, {}, n=3, m=2, seed=7)
    xs = np.random.default_rng(8).normal(size=(5, 4, 2))
    target = np.array([1.0, 0.0, 0.0, 1.0])
    out = loss_and_grads(cell, params, xs, target, "logistic")
    singles = [
        loss_and_grads(cell, params, xs[:, b : b + 1], target[b : b + 1], "logistic") for b in range(4)
    ]
    for pname in params:
        np.testing.assert_allclose(
            out.grads[pname], np.mean([s.grads[pname] for s in singles], axis=0), rtol=1e-12, atol=1e-15
        )
    assert out.loss == pytest.approx(np.mean([s.loss for s in singles]), rel=1e-12)


def test_front_padding_with_mask_is_the_unpadded_sequence():
    cell, params = _model("lstm", {"peephole": True}, n=2, m=2, seed=9)
    xs = np.random.default_rng(10).normal(size=(4, 1, 2))
    padded = np.concatenate([np.random.default_rng(11).normal(size=(3, 1, 2)), xs])  # junk in masked steps
    mask = np.array([[0.0], [0.0], [0.0], [1.0], [1.0], [1.0], [1.0]])
    plain = loss_and_grads(cell, params, xs, np.array([0.7]), "mse")
    masked = loss_and_grads(cell, params, padded, np.array([0.7]), "mse", mask)
    assert masked.loss == pytest.approx(plain.loss, rel=1e-14)
    for pname in params:
        np.testing.assert_allclose(masked.grads[pname], plain.grads[pname], rtol=1e-12, atol=1e-16)


def test_batched_errors_name_the_problem():
    cell, params = _model("rnn", {}, n=2, m=1)
    with pytest.raises(LstmsymError, match="xs has shape"):
        loss_and_grads(cell, params, np.zeros((3, 1)), np.zeros(1), "mse")
    with pytest.raises(LstmsymError, match="mask has shape"):
        loss_and_grads(cell, params, np.zeros((3, 2, 1)), np.zeros(2), "mse", mask=np.ones((3, 1)))
    with pytest.raises(LstmsymError, match="w_out"):
        loss_and_grads(
            cell, {k: v for k, v in params.items() if k != "w_out"}, np.zeros((3, 2, 1)), np.zeros(2), "mse"
        )
    with pytest.raises(LstmsymError, match="loss="):
        loss_and_grads(cell, params, np.zeros((3, 2, 1)), np.zeros(2), "hinge")


def test_clipping_is_pascanu_algorithm_1():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert global_norm(grads) == 5.0
    clipped, norm = clip_global_norm(grads, 2.0)  # ‖g‖ = 5 ≥ 2: g ← 2 g / 5
    assert norm == 5.0
    np.testing.assert_allclose(clipped["a"], [1.2, 0.0], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [[1.6]], rtol=1e-15)
    assert global_norm(clipped) == pytest.approx(2.0, rel=1e-15)
    same, _ = clip_global_norm(grads, 10.0)  # below the threshold: unchanged
    np.testing.assert_array_equal(same["b"], [[4.0]])
    at, _ = clip_global_norm(grads, 5.0)  # ‖g‖ = θ: rescaled by θ/‖g‖ = 1
    np.testing.assert_array_equal(at["a"], [3.0, 0.0])
    unclipped, _ = clip_global_norm(grads, None)
    assert unclipped["a"] is grads["a"]
    with pytest.raises(LstmsymError, match="theta"):
        clip_global_norm(grads, -1.0)


def test_adam_against_hand_computation():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    adam = Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    params = {"w": np.array([1.0])}
    g1, g2 = 0.5, -0.2
    adam.step(params, {"w": np.array([g1])})
    m, v = (1 - b1) * g1, (1 - b2) * g1**2
    w = 1.0 - lr * (m / (1 - b1)) / (np.sqrt(v / (1 - b2)) + eps)
    assert params["w"][0] == pytest.approx(w, rel=1e-15)
    adam.step(params, {"w": np.array([g2])})
    m, v = b1 * m + (1 - b1) * g2, b2 * v + (1 - b2) * g2**2
    w = w - lr * (m / (1 - b1**2)) / (np.sqrt(v / (1 - b2**2)) + eps)
    assert params["w"][0] == pytest.approx(w, rel=1e-15)
    with pytest.raises(LstmsymError, match="lr"):
        Adam(lr=0.0)


def test_training_is_deterministic_and_learns_a_short_lag():
    cell = ls.make_cell("lstm", n=4)
    first = train(cell, SignTask(T=5, noise=0.5), steps=200, seed=3, eval_every=50)
    again = train(cell, SignTask(T=5, noise=0.5), steps=200, seed=3, eval_every=50)
    assert first.history == again.history
    assert first.solved and first.history[0]["accuracy"] < 0.95
    with pytest.raises(LstmsymError, match="steps"):
        train(cell, SignTask(T=5), steps=0)


def test_adding_task_trains_without_error():
    run = train(ls.make_cell("gru", n=3, m=2), AddingTask(T=11), steps=5, seed=0, eval_every=5, eval_batch=16)
    assert run.steps_taken == 5 and len(run.history) == 2
    assert all(np.isfinite(row["loss"]) for row in run.history)


def test_experiment_and_command_write_results(tmp_path):
    budget = Budget(steps=20, batch=8, n=3, eval_every=10, eval_batch=32)
    results = run_experiment("sign", [2, 4], seeds=2, configs=["rnn", "lstm b_f=1"], budget=budget)
    assert set(results["success"]) == {"rnn", "lstm b_f=1"}
    assert len(results["runs"]) == 8 and results["seeds"] == [0, 1]
    table = runs_table(results)
    assert table[["configuration", "lag T"]].drop_duplicates().values.tolist() == [
        ["rnn", 2],
        ["rnn", 4],
        ["lstm b_f=1", 2],
        ["lstm b_f=1", 4],
    ]
    assert table["solved"].tolist() == [r["solved"] for r in results["runs"]]
    assert set(results["provenance"]) >= {"git_commit", "git_dirty", "load_average_end"}
    path = save_results(results, tmp_path / "r.json")
    assert load_results(path)["success"] == results["success"]
    out = tmp_path / "cmd.json"
    assert (
        main(
            [
                "--lags",
                "3",
                "--seeds",
                "1",
                "--steps",
                "10",
                "--configs",
                "rnn",
                "--hidden",
                "2",
                "--workers",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    written = json.loads(out.read_text())
    assert written["budget"]["steps"] == 10 and "numpy" in written["provenance"]
    assert written["provenance"]["command"].startswith("python -m lstmsym.training --lags 3")
    with pytest.raises(SystemExit):
        main(["--task", "copy", "--out", str(out)])
    with pytest.raises(SystemExit):
        main(["--configs", "lstm b_f=7", "--out", str(out)])
    with pytest.raises(LstmsymError, match="does not exist"):
        load_results(tmp_path / "missing.json")


def test_committed_results_file_is_consistent():
    """results/long_lags.json (what notebook 07 and the README load): every configuration, lags 10 to 200,
    30 seeds; its table is the success rates of its own runs, and every run's record agrees with itself."""
    results = load_results(COMMITTED_RESULTS)
    assert results["task"] == "sign" and results["seeds"] == list(range(30))
    assert results["lags"] == [10, 20, 50, 100, 200] and results["configs"] == list(CONFIGS)
    assert results["config_definitions"] == {label: config_definition(label) for label in CONFIGS}
    assert success_rates(results["runs"], results["configs"], results["lags"]) == results["success"]
    expected = len(results["configs"]) * len(results["lags"]) * len(results["seeds"])
    assert len(results["runs"]) == expected
    budget = results["budget"]
    for run in results["runs"]:
        assert run["steps_taken"] <= budget["steps"]
        assert run["solved"] == (run["history"][-1]["accuracy"] >= budget["solved_at"])
        assert run["solved"] == (run["solved_step"] is not None)
        assert not run["solved"] or run["solved_step"] == run["steps_taken"]
        assert run["grad_s0_start"] == run["history"][0]["grad_s0"]
        assert run["lag_balance_start"] == run["history"][0]["lag_balance"]
    assert results["provenance"]["command"].startswith("lstmsym train")
    assert {(g["config"], g["T"]) for g in results["groups"]} == {
        (c, T) for c in results["configs"] for T in results["lags"]
    }


def test_a_committed_run_is_reproduced_by_training_it_again():
    """One committed run retrained alone (the seed axis makes a group's run equal to the run alone)."""
    results = load_results(COMMITTED_RESULTS)
    stored = next(r for r in results["runs"] if r["config"] == "rnn" and r["T"] == 10 and r["seed"] == 3)
    again = run_one("rnn", "sign", 10, 3, Budget(**results["budget"]))
    assert again == stored


def _synthetic_results():
    """Three configs, lags 20 and 50, two seeds; hand-made histories (grad_s0, accuracy per evaluation)."""

    def run(config, T, seed, solved, history, final):
        hist = [{"step": 50 * i, "grad_s0": g, "accuracy": a} for i, (g, a) in enumerate(history)]
        return {
            "config": config,
            "T": T,
            "seed": seed,
            "solved": solved,
            "steps_taken": 50 * (len(hist) - 1),
            "final_accuracy": final,
            "history": hist,
        }

    runs = [
        run("rnn", 20, 0, True, [(1e-6, 0.5), (1e-6, 0.99)], 0.99),  # lag below min_T: not listed
        run("rnn", 50, 0, True, [(3e-9, 0.40), (1e-3, 0.55), (5e-9, 0.51), (0.2, 1.0)], 1.0),
        run("rnn", 50, 1, False, [(2e-9, 0.5), (2e-9, 0.52)], 0.52),  # not solved: not listed
        run("gru", 50, 0, True, [(1e-12, 0.5), (1e-12, 1.0)], 1.0),  # config not asked for
        run("dense_memory", 50, 1, True, [(7e-8, 0.97)], 0.97),  # solved at the first evaluation
        run("lstm1997", 50, 0, False, [(0.5, 0.5), (0.6, 0.61)], 0.61),
        run("lstm1997", 50, 1, False, [(0.5, 0.5), (0.6, 0.8)], 0.8),
        run("lstm1997", 20, 0, False, [(0.5, 0.5)], 0.7),
        run("gru", 20, 0, False, [(1e-5, 0.5)], 0.5),
        run("dense_memory", 20, 0, False, [(1e-4, 0.5)], 0.5),
    ]
    configs, lags = ["rnn", "gru", "dense_memory", "lstm1997"], [20, 50]
    return {"configs": configs, "lags": lags, "runs": runs, "success": success_rates(runs, configs, lags)}


def test_latch_successes_lists_solved_long_lag_runs_with_their_history():
    results = _synthetic_results()
    rows = latch_successes(results, configs=("rnn", "dense_memory"), min_T=50)
    assert [(r["config"], r["T"], r["seed"]) for r in rows] == [("rnn", 50, 0), ("dense_memory", 50, 1)]
    rnn, dense = rows
    assert rnn["solved_at"] == 150
    assert rnn["grad_start"] == 3e-9  # the evaluation at step 0
    assert rnn["grad_median_before"] == 5e-9  # median of 3e-9, 1e-3, 5e-9: the solving 0.2 left out
    assert rnn["best_accuracy_before"] == 0.55  # the solving 1.0 left out
    assert (
        dense["grad_start"] == dense["grad_median_before"] == 7e-8 and dense["best_accuracy_before"] == 0.97
    )
    assert [r["config"] for r in latch_successes(results, configs=("gru",), min_T=20)] == ["gru"]
    assert latch_successes(results, min_T=51) == []


def test_latch_successes_rejects_an_empty_history():
    results = _synthetic_results()
    results["runs"][1]["history"] = []
    with pytest.raises(LstmsymError, match="empty history"):
        latch_successes(results)


def test_grad_table_rates_and_failed_accuracies():
    results = _synthetic_results()
    assert grad_s0_at_start(results)["rnn"]["50"] == pytest.approx(2.5e-9)  # median over seeds 0 and 1
    assert rates_at(results, 50) == {"rnn": 0.5, "gru": 1.0, "dense_memory": 1.0, "lstm1997": 0.0}
    with pytest.raises(LstmsymError, match="T must be one of the lags"):
        rates_at(results, 100)
    assert failed_final_accuracies(results, ["lstm1997"], 50) == [0.61, 0.8]
    assert failed_final_accuracies(results, ["rnn", "lstm1997"], 20) == [0.7]


def test_run_summaries_of_a_one_seed_experiment():
    results = _synthetic_results()
    results["runs"] = [r for r in results["runs"] if r["seed"] == 0]
    results["seeds"] = [0]
    assert grad_s0_range(results, 50) == {"rnn": (3e-9, 0.2), "gru": (1e-12, 1e-12), "lstm1997": (0.5, 0.6)}
    with pytest.raises(LstmsymError, match="T must be a lag"):
        grad_s0_range(results, 7)
    table = runs_table(results)
    assert len(table) == len(results["runs"])
    assert table.iloc[1][["configuration", "lag T", "solved", "steps"]].tolist() == ["rnn", 50, True, 150]
    assert table.iloc[1]["final accuracy"] == 1.0 and table.iloc[1].iloc[-1] == 3e-9
    histories = accuracy_histories(results)
    assert histories.loc[("rnn", 50, 0)].dropna().tolist() == [0.40, 0.55, 0.51, 1.00]


def test_grad_s0_range_needs_one_seed():
    with pytest.raises(LstmsymError, match="one seed per configuration"):
        grad_s0_range(_synthetic_results() | {"seeds": [0, 1]}, 50)


def test_keep_products_are_sigmoid_to_the_lag():
    table = keep_products([0.0, 2.0], [1, 7])
    assert table.columns.tolist() == ["T = 1", "T = 7"] and table.index.tolist() == [0.0, 2.0]
    assert table.loc[0.0].tolist() == [0.5, 0.5**7]
    s2 = 1 / (1 + np.exp(-2.0))
    assert table.loc[2.0].tolist() == pytest.approx([s2, s2**7], rel=1e-14)
    with pytest.raises(LstmsymError, match="non-empty"):
        keep_products([], [1])
    with pytest.raises(LstmsymError, match="lag"):
        keep_products([1.0], [0])


def test_git_state_outside_a_repository(tmp_path):
    assert git_state(tmp_path) == {"git_commit": None, "git_dirty": None}
    state = git_state()
    assert state["git_commit"] is None or len(state["git_commit"]) == 40
