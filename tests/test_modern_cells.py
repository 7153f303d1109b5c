"""The issue-13 modern cells: minGRU, minLSTM (total = direct) and xLSTM's sLSTM (with its stabiliser).

Registration, make_cell and the parametrised checks over every variant live with the other cells' tests
(tests/variants.py); here: what is particular to these cells.
"""

import numpy as np
import pytest
import sympy as sp

from lstmsym.activations import sigmoid
from lstmsym.cells import make_cell
from lstmsym.derivatives.step import jacobian_block, step_jacobian
from lstmsym.errors import LstmsymError
from lstmsym.experiments import modern
from lstmsym.numerics import reference
from lstmsym.numerics.gradcheck import central_differences, check_jacobian
from lstmsym.numerics.params import init_params, random_sequence
from lstmsym.numerics.reference.slstm import forward_stabilised
from lstmsym.numerics.scan import linear_scan
from lstmsym.numerics.verify import verify_cell
from lstmsym.symbols import vector

CELLS = [("min_gru", {}), ("min_lstm", {}), ("slstm", {}), ("slstm", {"forget": "exp"})]


def _draw(cell, seed, T=4, scale=0.7):
    rng = np.random.default_rng(seed)
    params = init_params(cell, rng, scale=scale)
    for name in params:
        if name.startswith("b"):
            params[name] = rng.normal(0.0, scale, params[name].shape)
    xs = random_sequence(cell, T, rng)
    state0 = {s: rng.normal(0.0, 0.5, cell.n) for s in cell.state_names}
    if "n" in state0:
        state0["n"] = np.abs(state0["n"]) + 0.1       # the normaliser's domain: n_0 >= 0
    return params, xs, state0


@pytest.mark.parametrize("name, switches", CELLS)
@pytest.mark.parametrize("n", [1, 3])
def test_three_way_check(name, switches, n):
    result = verify_cell(make_cell(name, n=n, m=2, **switches), T=4, seed=n)
    assert result.ok, result.report()
    assert result.checks[0].status == "pass" and result.checks[0].resolved > 0


@pytest.mark.parametrize("name, switches", CELLS)
def test_reference_parameter_and_input_gradients_match_central_differences(name, switches):
    cell = make_cell(name, n=2, m=2, **switches)
    params, xs, state0 = _draw(cell, seed=5)
    traj = reference.forward(cell, params, xs, state0)
    cot = np.random.default_rng(9).normal(size=cell.state_size)
    grads = reference.backward(cell, params, traj, xs, cot)

    def loss_of(pname):
        def f(v):
            p = {**params, pname: v.reshape(params[pname].shape)}
            return np.array([cot @ reference.forward(cell, p, xs, state0).s[-1]])
        return f

    for pname, value in params.items():
        numeric = central_differences(loss_of(pname), value.ravel())[0]
        assert np.allclose(grads.dparams[pname].ravel(), numeric, rtol=1e-6, atol=1e-8), pname
    numeric_x = central_differences(
        lambda v: np.array([cot @ reference.forward(cell, params, v.reshape(xs.shape), state0).s[-1]]),
        xs.ravel())[0]
    assert np.allclose(grads.dxs.ravel(), numeric_x, rtol=1e-6, atol=1e-8)


# -- the min cells: total = direct ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["min_gru", "min_lstm"])
@pytest.mark.parametrize("n", [1, 2])
def test_min_cells_total_is_direct_for_every_chain(name, n):
    fact = modern.total_equals_direct(make_cell(name, n=n), T_max=4)
    assert fact.step_equal and fact.state_free and fact.chains_equal == (True,) * 4
    def keep(t, j):
        return 1 - vector("z", t, n)[j] if name == "min_gru" else vector("f'", t, n)[j]

    expected = sp.diag(*[sp.Mul(*(keep(t, j) for t in range(1, 5))) for j in range(n)])
    assert (fact.product - expected).applyfunc(sp.expand) == sp.zeros(n, n)


def test_the_lstm_and_the_slstm_are_not_total_equals_direct():
    for cell in (make_cell("lstm"), make_cell("slstm")):
        total, direct = step_jacobian(cell), step_jacobian(cell, path="direct")
        assert total != direct
    fact = modern.total_equals_direct(make_cell("gru"), T_max=1)
    assert not fact.step_equal and not fact.state_free and fact.chains_equal == (False,)
    with pytest.raises(LstmsymError, match="single-state"):
        modern.total_equals_direct(make_cell("slstm"))


def test_min_gru_is_the_course_polarity_under_z_to_one_minus_z():
    """σ(-a) = 1 - σ(a): the paper's minGRU with (U_z, b_z) is h = z' h_{t-1} + (1 - z') g with
    z' = σ(-U_z x - b_z), the course's polarity (z' = 1 keeps)."""
    cell = make_cell("min_gru", n=1)
    step = cell.step("t")
    a = step.rule("z").inner[0]
    course = sigmoid(-a) * step.prev["h"][0] + (1 - sigmoid(-a)) * step.expansion[step.rule("g").symbols[0]]
    paper = step.expansion[step.state["h"][0]]
    assert sp.simplify((paper - course).rewrite(sp.exp)) == 0
    cell3 = make_cell("min_gru", n=3, m=2)
    params, xs, state0 = _draw(cell3, seed=2, T=30)
    h = state0["h"]
    for x in xs:                                            # the course's polarity, written out
        keep = 1.0 / (1.0 + np.exp(params["U_z"] @ x + params["b_z"]))   # z' = σ(-(U_z x + b_z))
        h = keep * h + (1.0 - keep) * (params["U_g"] @ x + params["b_g"])
    loop = reference.forward(cell3, params, xs, state0).states["h"][-1]
    assert np.allclose(h, loop, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("name", ["min_gru", "min_lstm"])
def test_parallel_scan_equals_the_loop(name):
    cell = make_cell(name, n=4, m=3)
    params, xs, state0 = _draw(cell, seed=1, T=1000)
    loop = reference.forward(cell, params, xs, state0).states["h"][1:]
    scanned = modern.min_cell_scan(cell, params, xs, state0["h"])
    assert np.max(np.abs(scanned - loop)) < 1e-12
    assert linear_scan(np.ones((1000, 1)), np.ones((1000, 1)), rounds=True)[1] == 10   # ⌈log2 1000⌉


def test_scan_refuses_a_state_dependent_cell_and_bad_shapes():
    with pytest.raises(LstmsymError, match="read h_"):
        modern.min_cell_scan(make_cell("slstm"), {}, np.zeros((2, 1)))
    with pytest.raises(LstmsymError, match="one shape"):
        linear_scan(np.ones((3, 2)), np.ones((3, 1)))


# -- the sLSTM --------------------------------------------------------------------------------------
@pytest.mark.parametrize("forget", ["sigmoid", "exp"])
def test_slstm_direct_path_and_total_c_from_h_block(forget):
    cell = make_cell("slstm", forget=forget) if forget == "exp" else make_cell("slstm")
    f, i, g, c_prev = (sp.Symbol(s, real=True) for s in ("f_{t}", "i_{t}", "g_{t}", "c_{t-1}"))
    W_f, W_i, W_g = (sp.Symbol(s, real=True) for s in ("W_{f}", "W_{i}", "W_{g}"))
    assert step_jacobian(cell, path="direct") == sp.diag(f, f, 0)
    slope = f * (1 - f) if forget == "sigmoid" else f
    expected = c_prev * slope * W_f + g * i * W_i + i * (1 - g**2) * W_g
    assert sp.expand(jacobian_block(cell, "c", "h")[0] - expected) == 0
    assert jacobian_block(cell, "n", "c") == sp.zeros(1, 1) and jacobian_block(cell, "c", "c")[0] == f


def test_slstm_total_one_step_jacobian_against_central_differences():
    cell = make_cell("slstm", n=3, m=2)
    params, xs, state0 = _draw(cell, seed=4, T=1)
    s0 = np.concatenate([state0[k] for k in cell.state_names])
    J = reference.step_jacobian(cell, params, xs[0], s0)
    check = check_jacobian("sLSTM step", J, lambda s: reference.forward(cell, params, xs, s).s[-1], s0)
    assert check.status == "pass" and check.resolved == J.size - np.sum(J == 0)


@pytest.mark.parametrize("forget", ["sigmoid", "exp"])
def test_stabiliser_gives_the_same_outputs_where_both_are_finite(forget):
    table = modern.stabiliser_comparison(seeds=range(4), T=150, n=3, forget=forget)
    assert (table.h_max_rel_diff < 1e-12).all() and (table.ratio_max_rel_diff < 1e-12).all()
    assert table.stabilised_finite.all() and (table.plain_finite_steps == 150).all()


def test_stabilised_states_are_the_plain_ones_scaled_by_exp_minus_m():
    cell = make_cell("slstm", n=2, m=2)
    params, xs, state0 = _draw(cell, seed=8, T=40)
    plain = reference.forward(cell, params, xs, state0)
    stab = forward_stabilised(params, xs, state0)
    assert np.allclose(stab.c_bar * np.exp(stab.m), plain.states["c"], rtol=1e-12, atol=1e-14)
    assert np.allclose(stab.n_bar * np.exp(stab.m), plain.states["n"], rtol=1e-12, atol=1e-14)
    assert np.allclose(stab.h, plain.states["h"], rtol=1e-12, atol=1e-14)
    a_i = np.array([params["W_i"] @ h + params["U_i"] @ x + params["b_i"]
                    for h, x in zip(stab.h[:-1], xs, strict=True)])
    assert np.all(stab.m[1:] >= a_i) and np.all(stab.n_bar[1:] > 0)   # m_t >= log i_t: i'_t <= 1


def test_plain_slstm_overflows_where_the_stabilised_one_does_not():
    case = modern.overflow_case(T=1000, n=2, seed=0)
    assert 600 < case.first_nonfinite_step < 720                  # f ≈ e per step: e^709 is the float limit
    assert case.largest_plain_n > 1e307 and case.largest_m > 709
    assert case.stabilised_finite and case.agreement_before < 1e-12


def test_stabiliser_refuses_bad_options():
    cell = make_cell("slstm")
    params, xs, _ = _draw(cell, seed=0, T=2)
    with pytest.raises(ValueError, match="forget"):
        forward_stabilised(params, xs, forget="relu")
    with pytest.raises(LstmsymError, match="m0"):
        forward_stabilised(params, xs, m0=np.inf)


# -- the measurements -------------------------------------------------------------------------------
def test_lag_norms_min_cells_total_equals_direct_and_is_the_gate_product():
    norms = modern.lag_norms(lags=(5, 40), seeds=range(3), n=2)
    for name in ("min_gru", "min_lstm"):
        assert np.array_equal(norms.log10[(name, "total")], norms.log10[(name, "direct")])
    cell = make_cell("min_gru", n=2)                    # seed 0 again, computed from the gates by hand
    rng = np.random.default_rng(0)
    params = init_params(cell, rng)
    xs = random_sequence(cell, 40, rng)
    keep = 1.0 - reference.forward(cell, params, xs).gates["z"]
    by_hand = np.log10(np.linalg.norm(np.prod(keep[-5:], axis=0)))   # ‖diag(∏ (1 - z_t))‖_F, last 5 steps
    assert norms.log10[("min_gru", "total")][0, 0] == pytest.approx(by_hand, abs=1e-12)
    frame = norms.frame()
    assert list(frame.columns) == ["L = 5", "L = 40"] and len(frame) == 6
    assert frame.loc[("slstm", "total"), "L = 5"] == pytest.approx(10 ** norms.median("slstm")[0])


def test_min_cells_forget_only_on_the_inputs_say_so():
    table = modern.keep_factor_differences(seeds=range(3), T=30)
    by_cell = table.groupby("cell").max_keep_diff.max()
    assert by_cell["min_gru"] == 0.0 and by_cell["min_lstm"] == 0.0       # exactly: gates read x_t only
    assert by_cell["slstm"] > 1e-3 and by_cell["lstm"] > 1e-3             # gates read h_{t-1}


@pytest.mark.parametrize("forget", ["sigmoid", "exp"])
def test_stabilised_slstm_with_huge_weights_over_2000_steps_is_finite_and_quiet(forget):
    """What tests/test_robustness.py asks of every cell, asked of the sLSTM's stabilised forward (the plain
    map overflows by design there): N(0, 50²) weights and inputs, warnings and float errors raise."""
    import warnings

    cell = make_cell("slstm", n=3, m=2, forget=forget) if forget == "exp" else make_cell("slstm", n=3, m=2)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        params = {k: rng.normal(0.0, 50.0, size=shape) for k, shape in cell.param_shapes.items()}
        xs = random_sequence(cell, 2000, rng, scale=50.0)
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            run = forward_stabilised(params, xs, forget=forget)
        assert np.all(np.isfinite(run.h)) and np.all(np.isfinite(run.ratio[1:]))
        assert np.all(run.n_bar[1:] >= 1.0 - 1e-12) and run.m.max() > 709   # the plain states would overflow


def test_lag_norms_with_a_keep_bias_are_the_product_of_the_biased_gates():
    norms = modern.lag_norms(names=("min_gru",), lags=(20,), seeds=(3,), n=2, biases={"b_z": -3.0})
    cell = make_cell("min_gru", n=2)
    rng = np.random.default_rng(3)
    params = init_params(cell, rng)
    params["b_z"] = np.full(2, -3.0)
    xs = random_sequence(cell, 20, rng)
    keep = 1.0 - reference.forward(cell, params, xs).gates["z"]
    by_hand = np.log10(np.linalg.norm(np.prod(keep, axis=0)))
    assert norms.log10[("min_gru", "total")][0, 0] == pytest.approx(by_hand)
    assert np.all(keep > 0.8)                                   # 1 - σ(U_z x - 3): mostly kept
