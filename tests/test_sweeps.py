"""Sweeps of gradient norms: values against the symbolic engine and central differences, statistics against
NumPy, each sweep against the single runs it is made of, and clear errors for bad input."""

import re

import numpy as np
import pytest
from variants import VARIANTS, variant_id

from lstmsym import LstmsymError, compile_cell, make_cell
from lstmsym.experiments import sweeps as sw
from lstmsym.numerics.gradcheck import central_differences
from lstmsym.numerics.reference import forward


def engine_block_norms(cell, params, xs, state, ord, path):
    """Norms of the (state, state) block of the engine's symbolic ∂s_T/∂s_k, indexed by lag T - k."""
    J = compile_cell(cell).lag_jacobians(params, xs, path=path)
    j = cell.state_names.index(state)
    block = J[:, j * cell.n : (j + 1) * cell.n, j * cell.n : (j + 1) * cell.n]
    return np.linalg.norm(block, ord=ord, axis=(1, 2))[::-1]


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize("ord", [2, "fro"])
def test_lag_norms_match_the_symbolic_engine(variant, ord):
    name, switches = variant
    cell = make_cell(name, n=2, **switches)
    params, xs = sw.sample_run(cell, T=5, seed=3, forget_bias=0.5)
    for state in cell.state_names:
        for direct, path in ((False, "total"), (True, "direct")):
            run = sw.lag_norms(cell, T=5, seed=3, state=state, ord=ord, direct=direct, forget_bias=0.5)
            expected = engine_block_norms(cell, params, xs, state, ord, path)
            assert run.lags.tolist() == list(range(6))
            np.testing.assert_allclose(run.norms, expected, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru", "dense_memory", "lstm1997"])
def test_lag_norms_match_central_differences(name):
    cell = make_cell(name, n=3)
    T = 4
    params, xs = sw.sample_run(cell, T=T, seed=7, scale=0.6)
    traj = forward(cell, params, xs)
    state = "c" if "c" in cell.state_names else "h"
    j = cell.state_names.index(state)
    rows = slice(j * cell.n, (j + 1) * cell.n)
    run = sw.lag_norms(cell, T=T, seed=7, scale=0.6, ord="fro")
    for lag in range(1, T + 1):
        k = T - lag
        jac = central_differences(lambda s, k=k: forward(cell, params, xs[k:], s).s[-1], traj.s[k])
        numeric = np.linalg.norm(jac[rows, rows], "fro")
        assert numeric > 1e-6  # resolvable at these short lags, far above the difference noise floor
        np.testing.assert_allclose(run.norms[lag], numeric, rtol=1e-6)


def test_log10_norms_go_beyond_the_float_range():
    cell = make_cell("rnn")
    params = {"W": np.array([[0.5]]), "U": np.zeros((1, 1)), "b": np.zeros(1)}
    run = sw.lag_norms(cell, T=1500, params=params, xs=np.zeros((1500, 1)))
    np.testing.assert_allclose(run.log10_norms, np.arange(1501) * np.log10(0.5), atol=1e-9)
    assert run.log10_norms[1500] < -450 and run.norms[1500] == 0.0  # below 1e-308 only the log survives
    assert run.config["params"] == "given"


def test_seed_norms_stack_single_runs_and_quartiles_match_numpy():
    cell = make_cell("lstm", n=3)
    runs = sw.seed_norms(cell, T=40, seeds=[4, 1, 9, 2, 6], ord="fro", forget_bias=2.0)
    for j, seed in enumerate(runs.seeds):
        single = sw.lag_norms(cell, T=40, seed=seed, ord="fro", forget_bias=2.0)
        np.testing.assert_array_equal(runs.log10_norms[j], single.log10_norms)
    q1, med, q3 = np.percentile(runs.log10_norms, [25, 50, 75], axis=0)
    np.testing.assert_allclose(runs.q1, q1)
    np.testing.assert_allclose(runs.median, med)
    np.testing.assert_allclose(runs.q3, q3)
    assert runs.config["forget_bias"] == 2.0 and "seed" not in runs.config


def test_parameter_sweep_quartiles_match_numpy_per_value():
    sweep = sw.input_scale_sweep(make_cell("gru", n=2), T=30, values=[0.5, 2.0], seeds=range(6))
    assert sweep.log10_norms.shape == (2, 6, 31)
    for v in range(2):
        q1, med, q3 = np.percentile(sweep.log10_norms[v], [25, 50, 75], axis=0)
        np.testing.assert_allclose(sweep.q1[v], q1)
        np.testing.assert_allclose(sweep.median[v], med)
        np.testing.assert_allclose(sweep.q3[v], q3)
    assert sweep.median_at(2.0, 10) == pytest.approx(float(med[10]))


def test_forget_bias_sweep_is_made_of_single_runs_and_keeps_the_direct_path():
    cell = make_cell("lstm", n=3)
    sweep = sw.forget_bias_sweep(cell, T=60, values=[0.0, 4.0], seeds=[0, 1, 2])
    for v, b in enumerate(sweep.values):
        for j, seed in enumerate(sweep.seeds):
            total = sw.lag_norms(cell, T=60, seed=seed, forget_bias=b)
            direct = sw.lag_norms(cell, T=60, seed=seed, forget_bias=b, direct=True)
            np.testing.assert_array_equal(sweep.log10_norms[v, j], total.log10_norms)
            np.testing.assert_array_equal(sweep.direct_log10_norms[v, j], direct.log10_norms)
    # a keep gate near 1 carries the memory much further than one near 0.5
    assert sweep.median_at(4.0, 60) > sweep.median_at(0.0, 60) + 5
    # along the direct path every factor diag(f_t) has norm < 1, so the product only shrinks
    assert np.all(np.diff(sweep.direct_log10_norms, axis=-1) <= 1e-12)


def test_direct_path_with_frozen_keep_gates_is_the_sigmoid_product():
    cell = make_cell("lstm", n=2)
    params = {name: np.zeros(shape) for name, shape in cell.param_shapes.items()}
    params["b_f"] = np.full(2, 1.5)
    run = sw.lag_norms(cell, T=200, params=params, xs=np.zeros((200, 1)), direct=True)
    np.testing.assert_allclose(run.log10_norms, sw.sigmoid_product_log10(1.5, 200), atol=1e-10)


@pytest.mark.parametrize("kind", ["singular", "radius"])
def test_spectral_sweep_sets_the_recurrent_weights(kind):
    cell = make_cell("lstm", n=4)
    for value in (0.7, 2.5):
        params, _ = sw.sample_run(cell, T=3, seed=5, spectral=value, spectral_kind=kind)
        for name in sw.recurrent_weights(cell):
            W = params[name]
            size = np.linalg.norm(W, 2) if kind == "singular" else np.max(np.abs(np.linalg.eigvals(W)))
            assert size == pytest.approx(value, rel=1e-12)
    sweep = sw.spectral_sweep(cell, T=10, values=[0.7, 2.5], seeds=[0, 1], kind=kind)
    assert sweep.parameter == ("spectral_norm" if kind == "singular" else "spectral_radius")
    if kind == "singular":
        np.testing.assert_allclose(sweep.lambda1, [[0.7, 0.7], [2.5, 2.5]])
    else:  # the largest singular value is at least the spectral radius
        assert np.all(sweep.lambda1 >= np.array([[0.7], [2.5]]) * (1 - 1e-12))


@pytest.mark.parametrize("name, direct", [("rnn", False), ("dense_memory", True)])
def test_pascanu_bound_holds_and_is_loose_above_one(name, direct):
    sweep = sw.spectral_sweep(
        make_cell(name, n=5), T=300, values=[0.8, 1.0, 1.3], seeds=range(4), direct=direct
    )
    assert sweep.max_over_bound() <= 1e-9
    bound = sweep.bound_log10()
    np.testing.assert_allclose(bound[2], np.arange(301) * np.log10(1.3) + 0.0)
    # gamma λ1 > 1 allows growth but does not force it: the tanh slopes pull these runs down anyway
    assert sweep.median_at(1.3, 300) < 0 < bound[2, 300]


def test_hidden_size_sweep_rebuilds_the_same_kind_of_cell():
    cell = make_cell("lstm1997", n=2, peephole=True)
    sweep = sw.hidden_size_sweep(cell, T=15, values=[1, 3], seeds=[0, 1])
    assert sweep.values == (1, 3)
    for v, n in enumerate(sweep.values):
        runs = sw.seed_norms(make_cell("lstm1997", n=n, peephole=True), T=15, seeds=[0, 1])
        np.testing.assert_array_equal(sweep.log10_norms[v], runs.log10_norms)


def test_cell_sweep_uses_each_cells_memory_state_and_labels():
    cells = [make_cell("rnn", n=2), make_cell("lstm", n=2, coupled=True)]
    sweep = sw.cell_sweep(cells, T=12, seeds=[0, 1, 2], ord="fro")
    rnn = sw.seed_norms(cells[0], T=12, seeds=[0, 1, 2], state="h", ord="fro")
    cifg = sw.seed_norms(cells[1], T=12, seeds=[0, 1, 2], state="c", ord="fro")
    np.testing.assert_array_equal(sweep.log10_norms[0], rnn.log10_norms)
    np.testing.assert_array_equal(sweep.log10_norms[1], cifg.log10_norms)
    assert sweep.index("lstm coupled=True") == 1 and sweep.index(repr(cells[0])) == 0
    table = sweep.frame(lags=[1, 12])
    assert table.index.tolist() == ["rnn", "lstm coupled=True"] and table.columns.tolist() == [1, 12]
    assert table.loc["rnn", 12] == sweep.median[0, 12]


def test_frame_holds_total_and_direct_columns():
    sweep = sw.forget_bias_sweep(make_cell("lstm", n=2), T=20, values=[1.0], seeds=[0])
    table = sweep.frame(lags=[0, 20, 5000])  # lags past T are left out
    assert table.columns.tolist() == [("total", 0), ("total", 20), ("direct", 0), ("direct", 20)]
    assert table.loc["b_f = 1", ("total", 20)] == sweep.median[0, 20]
    assert table.loc["b_f = 1", ("direct", 20)] == sweep.direct_median[0, 20]
    norms = sweep.frame(lags=[20], log10=False)
    assert norms.loc["b_f = 1", ("total", 20)] == pytest.approx(10 ** sweep.median[0, 20], rel=1e-12)
    spectral = sw.spectral_sweep(make_cell("rnn", n=2), T=5, values=[0.5], seeds=[0]).frame(lags=[5])
    assert spectral.index.tolist() == ["λ₁ = 0.5"]


def test_format_norm():
    assert sw.format_norm(-1000.0) == "1.00e-1000"
    assert sw.format_norm(np.log10(9.999)) == "1.00e+01"
    assert sw.format_norm(np.log10(2.5e-7), digits=3) == "2.500e-07"
    assert sw.format_norm(-np.inf) == "0"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sw.lag_norms(make_cell("rnn"), T=0), "T must be a whole number >= 1"),
        (lambda: sw.lag_norms("lstm", T=3), "cell must be a cell"),
        (lambda: sw.lag_norms(make_cell("rnn"), T=3, state="c"), "state='c' is not valid"),
        (lambda: sw.lag_norms(make_cell("rnn"), T=3, ord="nuc"), "ord='nuc' is not valid"),
        (lambda: sw.lag_norms(make_cell("rnn"), T=3, params={}), "give both params and xs"),
        (lambda: sw.lag_norms(make_cell("rnn"), T=3, input_scale=0), "input_scale must be a positive"),
        (lambda: sw.seed_norms(make_cell("rnn"), T=3, seeds=[]), "seeds must be a non-empty"),
        (lambda: sw.seed_norms(make_cell("rnn"), T=3, seeds=[1.5]), "seeds must be a non-empty"),
        (lambda: sw.forget_bias_sweep(make_cell("rnn"), T=3), "needs a cell with a keep-gate bias"),
        (lambda: sw.forget_bias_sweep(make_cell("lstm", coupled=True), T=3), "needs a cell with a keep-gate"),
        (lambda: sw.forget_bias_sweep(make_cell("lstm"), T=3, values=[]), "values must be a non-empty"),
        (lambda: sw.spectral_sweep(make_cell("rnn"), T=3, values=[0.0]), "positive numbers"),
        (lambda: sw.spectral_sweep(make_cell("rnn"), T=3, kind="norm"), "kind='norm' is not valid"),
        (lambda: sw.hidden_size_sweep(make_cell("rnn"), T=3, values=[0]), "whole numbers >= 1"),
        (lambda: sw.cell_sweep([], T=3), "non-empty sequence of cells"),
        (lambda: sw.pascanu_bound_log10(0.0, 3), "gamma_lambda1 must be a positive"),
    ],
)
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(LstmsymError, match=re.escape(message)):
        call()


def test_sweep_methods_reject_bad_requests():
    sweep = sw.input_scale_sweep(make_cell("rnn", n=2), T=5, values=[1.0], seeds=[0])
    with pytest.raises(LstmsymError, match="use a spectral sweep"):
        sweep.bound_log10()
    with pytest.raises(LstmsymError, match=re.escape("lag must be a whole number in 0..5")):
        sweep.median_at(1.0, 6)
    with pytest.raises(LstmsymError, match=re.escape("value 2.0 is not in this 'input_scale' sweep")):
        sweep.median_at(2.0, 1)
    with pytest.raises(LstmsymError, match="no direct-path norms"):
        sweep.median_at(1.0, 1, direct=True)


@pytest.mark.parametrize("name", ["lstm", "rnn", "gru"])
def test_burn_in_changes_only_the_start_state(name):
    """burn_in_state: the cell run from zero over further inputs of the seed's generator, drawn after the
    run's T inputs; a spectral sweep with burn_in measures the same parameters and inputs from that state."""
    cell = make_cell(name, n=3)
    T, seed, burn = 12, 7, 9
    params, xs = sw.sample_run(cell, T, seed, forget_bias=2.0, spectral=1.5)
    rng = np.random.default_rng(seed)  # independent: redraw params, the T inputs, then the burn-in inputs
    sw.init_params(cell, rng, scale=None, forget_bias=2.0)
    rng.normal(size=(T, cell.m))
    warm_xs = rng.normal(size=(burn, cell.m))
    expected = forward(cell, params, warm_xs).state(burn)
    state = sw.burn_in_state(cell, T, seed, burn, forget_bias=2.0, spectral=1.5)
    assert set(state) == set(cell.state_names)
    for key in cell.state_names:
        np.testing.assert_array_equal(state[key], expected[key])
        assert np.any(state[key] != 0)
    assert all(np.all(v == 0) for v in sw.burn_in_state(cell, T, seed, 0, forget_bias=2.0).values())
    sweep = sw.spectral_sweep(cell, T, values=[1.5], seeds=[seed], forget_bias=2.0, burn_in=burn)
    block = "c" if "c" in cell.state_names else "h"
    from_state = sw.lag_jacobian_norms(cell, params, xs, state0=state, block=block, ord=2, log10=True)[::-1]
    np.testing.assert_allclose(sweep.log10_norms[0, 0], from_state, rtol=0, atol=1e-12)
    from_zero = sw.spectral_sweep(cell, T, values=[1.5], seeds=[seed], forget_bias=2.0)
    assert not np.allclose(sweep.log10_norms, from_zero.log10_norms)  # the start state matters
    assert sweep.config["burn_in"] == burn and from_zero.config["burn_in"] == 0
    with pytest.raises(LstmsymError, match="burn_in"):
        sw.spectral_sweep(cell, T, values=[1.0], seeds=[0], burn_in=-1)
    with pytest.raises(LstmsymError, match="burn_in"):
        sw.burn_in_state(cell, T, seed, 2.5)
