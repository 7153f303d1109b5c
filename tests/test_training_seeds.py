"""The seed axis (many seeds trained at once give each seed's own run), the 1997 truncated gradient, the lag
balance, the GRU's keep bias, the fixed points of trained weights, and the experiment command."""

import json

import numpy as np
import pytest
from variants import VARIANTS, variant_id

import lstmsym as ls
from lstmsym.errors import LstmsymError
from lstmsym.numerics import reference
from lstmsym.training.__main__ import main
from lstmsym.training.batched import loss_and_grads, loss_and_grads_seeds, step_grads
from lstmsym.training.experiment import CONFIGS, Budget, run_experiment, run_group, run_one
from lstmsym.training.fixed_points import fixed_point_table, latch_fixed_points
from lstmsym.training.loop import evaluate, init_model, train, train_seeds
from lstmsym.training.optim import clip_global_norm, clip_seed_norms
from lstmsym.training.tasks import AddingTask, SignTask


def _params(cell, seed, forget_bias=0.5):
    rng = np.random.default_rng(seed)
    params = init_model(cell, rng, forget_bias=forget_bias)
    return {k: v + rng.normal(0.0, 0.3, size=v.shape) for k, v in params.items()}


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_seed_axis_equals_each_seed_alone(variant):
    name, switches = variant
    cell = ls.make_cell(name, n=3, m=2, **switches)
    singles = [_params(cell, seed) for seed in range(3)]
    stacked = {k: np.stack([p[k] for p in singles]) for k in singles[0]}
    rng = np.random.default_rng(5)
    xs = rng.normal(size=(5, 3, 4, 2))  # T = 5, S = 3, B = 4
    target = rng.normal(size=(3, 4))
    mask = np.ones((5, 3, 4))
    mask[:2, 1, 0] = 0.0  # one front-padded sequence in seed 1
    out = loss_and_grads_seeds(cell, stacked, xs, target, "mse", mask)
    for s in range(3):
        alone = loss_and_grads(cell, singles[s], xs[:, s], target[s], "mse", mask[:, s])
        assert out.loss[s] == alone.loss
        for k in singles[0]:
            np.testing.assert_array_equal(out.grads[k][s].reshape(alone.grads[k].shape), alone.grads[k])
        for k in cell.state_names:
            np.testing.assert_array_equal(out.ds0[k][s], alone.ds0[k])


@pytest.mark.parametrize(
    ("label", "T"), [("rnn", 4), ("lstm b_f=3 readout=dense", 4), ("gru b_z=3", 3), ("lstm1997 truncated", 5)]
)
def test_a_seed_trains_the_same_alone_and_in_a_group(label, T):
    budget = Budget(steps=30, batch=8, n=3, eval_every=10, eval_batch=32)
    group = run_group(label, "sign", T, [4, 0, 2], budget)
    alone = run_one(label, "sign", T, 0, budget)
    assert group[1] == alone  # every field: history, solved step, start gradient, lag balance
    assert [r["seed"] for r in group] == [4, 0, 2]


def test_solved_seeds_leave_the_group_and_record_their_first_solved_step():
    cell = ls.make_cell("lstm", n=4)
    task = SignTask(T=5, noise=0.5)
    runs = train_seeds(cell, task, [0, 1, 2, 3], steps=300, eval_every=25)
    kept = train_seeds(cell, task, [0, 1, 2, 3], steps=300, eval_every=25, stop_when_solved=False)
    for stop, full in zip(runs, kept, strict=True):
        assert stop.solved == full.solved and stop.solved_step == full.solved_step
        if stop.solved:
            assert stop.steps_taken == stop.solved_step and stop.history == full.history[: len(stop.history)]
            assert stop.history[-1]["accuracy"] >= 0.95 > max(row["accuracy"] for row in stop.history[:-1])
    assert any(r.solved for r in runs) and all(r.steps_taken == 300 for r in kept)
    with pytest.raises(LstmsymError, match="seeds must be distinct"):
        train_seeds(cell, task, [1, 1])


def test_per_seed_clipping_is_each_seed_clipped_alone():
    rng = np.random.default_rng(0)
    scale = np.array([1.0, 0.01, 5.0])
    grads = {
        "a": rng.normal(size=(3, 2, 2)) * scale[:, None, None],
        "b": rng.normal(size=(3, 4)) * scale[:, None],
    }
    clipped, norms = clip_seed_norms(grads, 1.0)
    for s in range(3):
        alone, norm = clip_global_norm({k: v[s] for k, v in grads.items()}, 1.0)
        assert norms[s] == pytest.approx(norm, rel=1e-15)
        for k in grads:
            np.testing.assert_allclose(clipped[k][s], alone[k], rtol=1e-15)
    assert norms[1] < 1.0 and np.array_equal(clipped["a"][1], grads["a"][1])  # below θ: untouched


# the 1997 truncated gradient


@pytest.mark.parametrize("name", ["lstm1997", "lstm"])
def test_truncated_gradient_at_s0_is_the_direct_path(name):
    """Under truncation only the carousel carries error back: ∂L/∂c_0 = ∂L/∂c_T ⊙ ∏_t f_t exactly, with
    ∂L/∂c_T = ∂L/∂h_T ⊙ o_T ⊙ (1 - tanh² c_T), computed here from the NumPy reference's forward pass."""
    cell = ls.make_cell(name, n=3, m=1)
    params = _params(cell, 1, forget_bias=1.0)
    xs = np.random.default_rng(2).normal(size=(7, 2, 1))
    out = loss_and_grads(cell, params, xs, np.array([1.0, 0.0]), "logistic", gradient="truncated")
    cell_params = {k: v for k, v in params.items() if k not in ("w_out", "b_out")}
    for b in range(2):
        traj = reference.forward(cell, cell_params, xs[:, b])
        f = traj.gates["f"] if "f" in traj.gates else np.ones((7, 3))  # the 1997 cell: f ≡ 1
        dc_T = out.dsT["h"][b] * traj.gates["o"][-1] * (1.0 - np.tanh(traj.states["c"][-1]) ** 2)
        np.testing.assert_allclose(out.ds0["c"][b], dc_T * np.prod(f, axis=0), rtol=1e-14, atol=1e-18)
        direct = reference.lag_jacobians(cell, cell_params, xs[:, b], direct=True)[0][:3, :3]  # ∂c_T/∂c_0
        np.testing.assert_allclose(out.ds0["c"][b], dc_T @ direct, rtol=1e-12, atol=1e-18)
    assert np.all(out.ds0["h"] == 0.0)
    full = loss_and_grads(cell, params, xs, np.array([1.0, 0.0]), "logistic")
    assert not np.allclose(full.ds0["c"], out.ds0["c"])  # the option changes the gradient


def _truncated_by_hand(params, xs, dh_T):
    """The truncated gradient of one sequence, from its definition, in a plain loop over steps (no fusing,
    no batching): error reaches the net inputs of step t and stops there; only dc = f ⊙ dc goes back."""
    n = params["W_g"].shape[0]
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731
    gates = [k for k in "ifgo" if f"W_{k}" in params]
    h, c, rec = np.zeros(n), np.zeros(n), []
    for x in xs:
        a = {k: params[f"W_{k}"] @ h + params[f"U_{k}"] @ x + params[f"b_{k}"] for k in gates}
        i, o, g = sig(a["i"]), sig(a["o"]), np.tanh(a["g"])
        f = sig(a["f"]) if "f" in a else np.ones(n)
        c_new = f * c + i * g
        rec.append((h, c, x, i, f, g, o, c_new))
        h, c = o * np.tanh(c_new), c_new
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dc = np.zeros(n)
    for t in range(len(xs) - 1, -1, -1):
        h_prev, c_prev, x, i, f, g, o, c_new = rec[t]
        dh = dh_T if t == len(xs) - 1 else np.zeros(n)  # nothing reaches h_t through h_{t+1}'s net inputs
        dc = dc + dh * o * (1.0 - np.tanh(c_new) ** 2)
        da = {"o": dh * np.tanh(c_new) * o * (1 - o), "g": dc * i * (1 - g**2), "i": dc * g * i * (1 - i)}
        if "W_f" in params:
            da["f"] = dc * c_prev * f * (1 - f)
        for k in gates:
            grads[f"W_{k}"] += np.outer(da[k], h_prev)
            grads[f"U_{k}"] += np.outer(da[k], x)
            grads[f"b_{k}"] += da[k]
        dc = f * dc
    return grads, dc


@pytest.mark.parametrize("name", ["lstm1997", "lstm"])
def test_truncated_parameter_gradients_follow_the_definition(name):
    cell = ls.make_cell(name, n=3, m=2)
    params = _params(cell, 3, forget_bias=1.0)
    xs = np.random.default_rng(4).normal(size=(6, 1, 2))
    out = loss_and_grads(cell, params, xs, np.array([0.3]), "mse", gradient="truncated")
    cell_params = {k: v for k, v in params.items() if k not in ("w_out", "b_out")}
    grads, dc0 = _truncated_by_hand(cell_params, xs[:, 0], out.dsT["h"][0])
    for k, g in grads.items():
        np.testing.assert_allclose(out.grads[k], g, rtol=1e-12, atol=1e-15, err_msg=k)
    np.testing.assert_allclose(out.ds0["c"][0], dc0, rtol=1e-12, atol=1e-18)


def test_truncation_needs_a_carousel():
    for name in ("rnn", "gru", "dense_memory"):
        cell = ls.make_cell(name, n=2)
        with pytest.raises(LstmsymError, match="truncated"):
            loss_and_grads(
                cell, _params(cell, 0), np.zeros((3, 1, 1)), np.zeros(1), "mse", gradient="truncated"
            )
    with pytest.raises(LstmsymError, match="gradient="):
        loss_and_grads(cell, _params(cell, 0), np.zeros((3, 1, 1)), np.zeros(1), "mse", gradient="partial")


# the lag balance


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru", "dense_memory"])
def test_step_gradients_add_up_to_the_gradient(name):
    cell = ls.make_cell(name, n=3, m=1)
    params = _params(cell, 6)
    xs = np.random.default_rng(7).normal(size=(5, 4, 1))
    out = loss_and_grads(cell, params, xs, np.array([1.0, 0.0, 1.0, 1.0]), "logistic")
    parts = [step_grads(out.traj, slice(t, t + 1)) for t in range(5)]
    for k, g in parts[0].items():
        np.testing.assert_allclose(sum(p[k] for p in parts)[0], out.grads[k], rtol=1e-12, atol=1e-15)
        assert g.shape[1:] == out.grads[k].shape


def test_lag_balance_of_the_rnn_from_the_reference_backward_pass():
    """‖g_1‖ / ‖g_T‖ with g_t = Σ_b [da_t h_{t-1}ᵀ, da_t x_tᵀ, da_t] / B and da_t = ∂L/∂h_t ⊙ (1 - h_t²) from
    lstmsym.numerics.reference.backward, one sequence at a time."""
    cell = ls.make_cell("rnn", n=4)
    params = init_model(cell, np.random.default_rng(8))
    task = SignTask(T=6)
    batch = task.sample(5, np.random.default_rng(9))
    row = evaluate(cell, params, task, batch)
    cell_params = {k: v for k, v in params.items() if k not in ("w_out", "b_out")}
    T = batch.xs.shape[0]
    g = {t: [np.zeros((4, 4)), np.zeros((4, 1)), np.zeros(4)] for t in (0, T - 1)}
    for b in range(5):
        xs = batch.xs[:, b]
        traj = reference.forward(cell, cell_params, xs)
        y = traj.states["h"][-1] @ params["w_out"] + params["b_out"][0]
        dh_T = (1 / (1 + np.exp(-y)) - batch.target[b]) * params["w_out"] / 5
        ds = reference.backward(cell, cell_params, traj, xs, dh_T).ds
        for t in (0, T - 1):
            h_t, h_prev = traj.states["h"][t + 1], traj.states["h"][t]
            da = ds[t + 1] * (1 - h_t**2)
            for j, v in enumerate((np.outer(da, h_prev), np.outer(da, xs[t]), da)):
                g[t][j] += v
    norm = {t: np.sqrt(sum(np.sum(v * v) for v in g[t])) for t in g}
    assert row["lag_balance"] == pytest.approx(norm[0] / norm[T - 1], rel=1e-10)


# configurations, the GRU keep bias


def test_gru_update_bias_keeps_the_state():
    cell = ls.make_cell("gru", n=3)
    params = init_model(cell, np.random.default_rng(0), update_bias=3.0)
    np.testing.assert_array_equal(params["b_z"], [3.0, 3.0, 3.0])
    assert np.all(init_model(cell, np.random.default_rng(0))["b_z"] == 0.0)
    cell_params = {k: v for k, v in params.items() if k not in ("w_out", "b_out")}
    z = reference.forward(cell, cell_params, np.zeros((1, 1))).gates["z"]
    np.testing.assert_allclose(z, 1 / (1 + np.exp(-3.0)), rtol=1e-12)  # h_0 = 0, x = 0: z = σ(b_z)
    assert CONFIGS["gru b_z=3"].update_bias == 3.0 and CONFIGS["lstm1997 truncated"].gradient == "truncated"
    with pytest.raises(LstmsymError, match="update_bias"):
        init_model(cell, np.random.default_rng(0), update_bias=float("nan"))


def test_adding_task_trains_with_seeds_and_masks():
    runs = train_seeds(
        ls.make_cell("lstm", n=3, m=2), AddingTask(T=11), [0, 1], steps=4, eval_every=2, eval_batch=16
    )
    assert [len(r.history) for r in runs] == [3, 3]
    assert (
        train(
            ls.make_cell("lstm", n=3, m=2), AddingTask(T=11), steps=4, seed=1, eval_every=2, eval_batch=16
        ).history
        == runs[1].history
    )


# fixed points of trained weights


def test_latch_fixed_points_of_a_two_unit_rnn():
    cell = ls.make_cell("rnn", n=2, m=1)
    params = {"W": 2.0 * np.eye(2), "U": np.array([[1.0], [0.5]]), "b": np.zeros(2)}
    points = latch_fixed_points(cell, params, w_out=np.array([1.0, 1.0]), b_out=0.0)
    assert [p.kind for p in points] == ["stable", "stable", "unstable"]
    plus, minus, middle = points
    h = plus.state
    np.testing.assert_allclose(h, np.tanh(2 * h), atol=1e-12)  # a fixed point
    np.testing.assert_allclose(minus.state, -h, atol=1e-12)
    np.testing.assert_allclose(sorted(abs(plus.eigenvalues)), sorted(2 * (1 - h**2)), rtol=1e-10)
    assert plus.output > 0 > minus.output  # the readout tells the two apart
    np.testing.assert_allclose(middle.state, 0.0, atol=1e-12)
    assert middle.spectral_radius == pytest.approx(2.0)
    table = fixed_point_table(points)
    assert table["kind"].tolist() == ["stable", "stable", "unstable"]


def test_no_latch_when_the_map_contracts():
    cell = ls.make_cell("rnn", n=2, m=1)
    params = {"W": 0.5 * np.eye(2), "U": np.ones((2, 1)), "b": np.zeros(2)}
    points = latch_fixed_points(cell, params, w_out=np.ones(2), b_out=0.0)
    assert len(points) == 1 and points[0].kind == "stable"  # one attractor: both signs end at 0


# the experiment command


def test_command_regenerates_every_configuration_on_a_tiny_budget(tmp_path):
    out = tmp_path / "tiny.json"
    argv = [
        "--lags",
        "3,4",
        "--seeds",
        "2",
        "--steps",
        "4",
        "--hidden",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    written = json.loads(out.read_text())
    assert written["configs"] == list(CONFIGS) and written["seeds"] == [0, 1]
    assert len(written["runs"]) == len(CONFIGS) * 2 * 2
    assert written["config_definitions"]["gru b_z=3"]["update_bias"] == 3.0
    for run in written["runs"]:
        assert run["solved"] == (run["solved_step"] is not None)
        assert run["grad_s0_start"] == run["history"][0]["grad_s0"] > 0
        assert run["lag_balance_start"] == run["history"][0]["lag_balance"] > 0
    assert {g["config"] for g in written["groups"]} == set(CONFIGS)
    assert written["provenance"]["command"].startswith("python -m lstmsym.training --lags 3,4")
    assert "scipy" in written["provenance"] and written["cpu_seconds"] > 0


def test_workers_do_not_change_the_numbers():
    budget = Budget(steps=6, batch=4, n=2, eval_every=3, eval_batch=8)
    one = run_experiment("sign", [3], 2, ["rnn", "lstm1997 truncated"], budget, workers=1)
    two = run_experiment("sign", [3], 2, ["rnn", "lstm1997 truncated"], budget, workers=2)
    assert one["runs"] == two["runs"]


def test_a_bit_held_in_a_two_step_cycle():
    """h ↦ tanh(-2 h): one unstable fixed point (slope -2 at 0), and a two-step cycle ±h* whose points are
    the two attracting fixed points of the two-step map, with contraction 4 (1 - h*²)² per two steps."""
    cell = ls.make_cell("rnn", n=1, m=1)
    params = {"W": np.array([[-2.0]]), "U": np.array([[1.0]]), "b": np.array([0.0])}
    one = latch_fixed_points(cell, params, w_out=np.array([1.0]), b_out=0.0)
    assert [p.kind for p in one] == ["unstable"] and one[0].spectral_radius == pytest.approx(2.0)
    two = latch_fixed_points(cell, params, w_out=np.array([1.0]), b_out=0.0, period=2)
    assert [p.kind for p in two] == ["stable", "stable", "unstable"]
    h = float(two[0].state[0])
    assert np.tanh(-2 * np.tanh(-2 * h)) == pytest.approx(h, abs=1e-12) and abs(h) > 0.9
    assert two[1].state[0] == pytest.approx(-h, abs=1e-12) and two[0].output * two[1].output < 0
    assert two[0].spectral_radius == pytest.approx(4 * (1 - h * h) ** 2, rel=1e-9)
    with pytest.raises(LstmsymError, match="period"):
        latch_fixed_points(cell, params, w_out=np.array([1.0]), b_out=0.0, period=0)
