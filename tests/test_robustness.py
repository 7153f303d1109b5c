"""Numerical robustness: saturated gates, huge weights and inputs, long sequences: finite and quiet.

Every computation here runs with warnings turned into errors and NumPy's overflow, invalid-value and
division checks raising, so a single overflow warning or NaN fails the test. Weights and biases are drawn
from N(0, 50²) and inputs from N(0, 50²): almost every gate sits at 0 or 1 in float64. The NumPy reference
runs T = 2000 steps; the compiled symbolic path, which has no rescaling of its running products, T = 50.
Complements test_reference.py's T = 5 check of the reference at huge preactivations.
"""

import warnings
from contextlib import contextmanager

import mpmath
import numpy as np
import pytest
import sympy as sp
from variants import VARIANTS, variant_id

from lstmsym.activations import ACTIVATIONS, sigmoid
from lstmsym.cells import make_cell
from lstmsym.derivatives.step import step_jacobian
from lstmsym.numerics import reference
from lstmsym.numerics.compile import compile_cell
from lstmsym.numerics.gradcheck import check_jacobian
from lstmsym.numerics.params import init_params, random_sequence
from lstmsym.numerics.reference.activations import dsigmoid, dtanh
from lstmsym.numerics.reference.activations import sigmoid as np_sigmoid

BIG = 50.0
EXTREMES = np.array([-1e300, -1e4, -800.0, -710.0, -40.0, -1.0, 0.0, 1.0, 40.0, 710.0, 800.0, 1e4, 1e300])


@contextmanager
def strict():
    """Any warning is an error; so are floating-point overflow, invalid operations and division by zero."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


def big_case(name, switches, n, T, seed):
    cell = make_cell(name, n=n, m=2, **switches)
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(0.0, BIG, size=shape) for k, shape in cell.param_shapes.items()}
    xs = random_sequence(cell, T, rng, scale=BIG)
    state0 = {s: rng.normal(0.0, BIG, size=n) for s in cell.state_names}
    for s in getattr(cell, "positive_states", ()):   # the sLSTM's normaliser: positive (h = o c / n)
        state0[s] = np.abs(state0[s])
    return cell, params, xs, state0


# The plain sLSTM overflows by design (i = exp(a) with a > 709): its stabilised forward takes these weights
# (tests/test_modern_cells.py). The compiled minLSTM evaluates f / (f + i) as written, 0/0 once both sigmoids
# round to 0 (a < -37); its hand-written reference computes f' = σ(log f - log i) and is tested here.
PLAIN_OVERFLOWS = [v for v in VARIANTS if v[0] == "slstm"]
LITERAL_RATIO = [v for v in VARIANTS if v[0] == "min_lstm"]


def finite(*arrays):
    return all(np.all(np.isfinite(a)) for a in arrays)


# ---------------------------------------------------------------------------------------------------------
# the activations and their derivatives, in the lambdified code and in the reference


def test_lambdified_sigmoid_and_tanh_derivatives_are_stable():
    a = sp.Symbol("a", real=True)
    with strict():
        for act in ("sigmoid", "tanh"):
            forward = ACTIVATIONS[act].forward(a)
            f = sp.lambdify(a, forward, "numpy")
            df = sp.lambdify(a, sp.diff(forward, a), "numpy")  # SymPy's own derivative, printed
            y = f(EXTREMES)
            dy = df(EXTREMES)
            assert finite(y, dy)
            assert np.all(dy >= 0) and np.all(dy <= (0.25 if act == "sigmoid" else 1.0))
            np.testing.assert_array_equal(dy[[0, 1, -2, -1]], 0.0)  # saturated: slope exactly 0
    assert "exp" not in sp.printing.numpy.NumPyPrinter().doprint(sigmoid(a))  # 0.5 (1 + tanh(a/2))


def test_sigmoid_is_accurate_where_it_matters_and_never_overflows():
    """0.5 (1 + tanh(x/2)) has an absolute error of a few ulp of 1 against 40-digit mpmath."""
    xs = np.linspace(-60, 60, 241)
    with strict():
        ours = np_sigmoid(xs)
        lam = sp.lambdify(sp.Symbol("a"), sigmoid(sp.Symbol("a")), "numpy")(xs)
    with mpmath.workdps(40):
        exact = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(float(x))))) for x in xs])
        dexact = np.array(
            [
                float(
                    mpmath.exp(-abs(mpmath.mpf(float(x)))) / (1 + mpmath.exp(-abs(mpmath.mpf(float(x))))) ** 2
                )
                for x in xs
            ]
        )
    np.testing.assert_allclose(ours, exact, rtol=0, atol=4e-16)
    np.testing.assert_array_equal(ours, lam)  # the lambdified cells and the reference agree bit for bit
    np.testing.assert_allclose(dsigmoid(ours), dexact, rtol=0, atol=4e-16)
    assert np.all(ours[xs > 40] == 1.0) and np.all(ours[xs < -40] >= 0.0)


def test_reference_activations_at_the_extremes():
    with strict():
        y, t = np_sigmoid(EXTREMES), np.tanh(EXTREMES)
        assert finite(y, t, dsigmoid(y), dtanh(t))
    assert np.all(dsigmoid(y) >= 0) and np.all(dtanh(t) >= 0)


def test_expanded_step_jacobian_is_stable_when_lambdified():
    """The expanded notation writes σ' as σ(a)(1 - σ(a)) of the preactivation: still no exp, no overflow."""
    cell = make_cell("lstm", n=1, m=1, peephole=True)
    step = cell.step("t")
    args = (list(step.prev_vector), list(step.x), cell.param_symbols)
    f = sp.lambdify(args, step_jacobian(cell, "expanded"), "numpy", cse=True)
    compiled = compile_cell(cell)
    for seed in range(5):
        _, params, xs, state0 = big_case("lstm", {"peephole": True}, 1, 1, seed)
        params = {k: v[:, :1] if v.ndim == 2 and k.startswith("U") else v for k, v in params.items()}
        xs = xs[:, :1]
        flat = [float(v) for k in cell.param_shapes for v in params[k].ravel()]
        s0 = np.concatenate([state0[s] for s in cell.state_names])
        with strict():
            expanded = np.asarray(f(list(s0), list(xs[0]), flat), dtype=float)
            gate = compiled.lag_jacobians(params, xs, state0)[0]
        assert finite(expanded)
        np.testing.assert_allclose(expanded, gate, rtol=1e-12, atol=1e-300)


# ---------------------------------------------------------------------------------------------------------
# large weights, large inputs, saturated gates, long sequences


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v not in PLAIN_OVERFLOWS], ids=variant_id)
def test_reference_over_2000_steps_with_huge_weights_is_finite_and_quiet(variant):
    name, switches = variant
    cell, params, xs, state0 = big_case(name, switches, 3, 2000, seed=7)
    with strict():
        traj = reference.forward(cell, params, xs, state0)
        J = reference.lag_jacobians(cell, params, xs, state0)
        logs = reference.lag_jacobian_norms(cell, params, xs, state0, ord=2, log10=True, direct=True)
        grads = reference.backward(cell, params, traj, xs, np.ones(cell.state_size))
    assert finite(traj.s, J, grads.ds, grads.dxs, *grads.dparams.values())
    assert not np.any(np.isnan(logs))  # -inf is allowed: an exactly zero block
    saturated = [np.mean((g == 0.0) | (g == 1.0)) for k, g in traj.gates.items() if k in "ifozr"]
    assert not saturated or max(saturated) > 0.5  # the gates really sit at 0 or 1


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v not in PLAIN_OVERFLOWS + LITERAL_RATIO],
                         ids=variant_id)
def test_compiled_symbolic_path_over_50_steps_with_huge_weights_is_finite_and_quiet(variant):
    name, switches = variant
    cell, params, xs, state0 = big_case(name, switches, 2, 50, seed=3)
    compiled = compile_cell(cell)
    with strict():
        traj = compiled.run(params, xs, state0)
        total = compiled.lag_jacobians(params, xs, state0)
        direct = compiled.lag_jacobians(params, xs, state0, path="direct")
        ref_total = reference.lag_jacobians(cell, params, xs, state0)
    assert finite(traj.s, total, direct)
    # the two routes agree even here (absolute tolerance: entries are O(1) products of zeros and ones)
    np.testing.assert_allclose(total, ref_total, rtol=1e-9, atol=1e-9)


def test_long_moderate_sequences_underflow_quietly_to_zero():
    """Ordinary weights, T = 2000: products vanish below the float range without warnings (underflow)."""
    cell = make_cell("lstm", n=4, m=2)
    params = init_params(cell, seed=0, forget_bias=0.0)
    xs = random_sequence(cell, 2000, seed=1)
    with strict():
        J = reference.lag_jacobians(cell, params, xs)
        logs = reference.lag_jacobian_norms(cell, params, xs, block="c", log10=True)
    assert finite(J) and np.all(J[0] == 0.0)
    assert np.all(np.isfinite(logs)) and logs[0] < -308  # the log route still reports how small


# ---------------------------------------------------------------------------------------------------------
# the gradient check at saturation: the floor, never a false pass or a false fail


def test_saturated_gates_are_reported_below_the_floor():
    cell, params, xs, state0 = big_case("rnn", {}, 2, 3, seed=11)
    compiled = compile_cell(cell)
    J = compiled.lag_jacobians(params, xs, state0)[0]
    check = check_jacobian("saturated", J, lambda s: compiled.run(params, xs, {"h": s}).s[-1], state0["h"])
    assert check.status == "below the finite-difference floor" and check.resolved == 0


def saturated_tanh(v):
    return np.tanh(v + 25.0)  # slope 1 - tanh²(25) ≈ 8e-22, far below the floor


@pytest.mark.parametrize("wrong", [0.0, 1e-13, -5e-12])
def test_a_wrong_value_below_the_floor_is_no_false_pass_and_no_false_fail(wrong):
    """The true derivative is ~1e-20: any analytic value below the floor is 'below the floor', not 'pass'."""
    check = check_jacobian("tiny", np.array([[wrong]]), saturated_tanh, np.array([0.0]))
    assert check.status == "below the finite-difference floor"


def test_a_wrong_value_above_the_floor_still_fails_at_saturation():
    check = check_jacobian("tiny", np.array([[1e-6]]), saturated_tanh, np.array([0.0]))
    assert check.status == "fail"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v not in PLAIN_OVERFLOWS + LITERAL_RATIO],
                         ids=variant_id)
def test_gradient_check_with_huge_weights_never_fails(variant):
    """With N(0, 50²) weights the resolvable entries pass and the rest are reported below the floor."""
    name, switches = variant
    statuses = set()
    for seed in range(3):
        cell, params, xs, state0 = big_case(name, switches, 2, 3, seed)
        compiled = compile_cell(cell)
        J = compiled.lag_jacobians(params, xs, state0)[0]
        s0 = np.concatenate([state0[s] for s in cell.state_names])

        def run(s, compiled=compiled, params=params, xs=xs, cell=cell):
            n = cell.n
            return compiled.run(
                params, xs, {k: s[j * n : (j + 1) * n] for j, k in enumerate(cell.state_names)}
            ).s[-1]

        with strict():
            check = check_jacobian("huge", J, run, s0)
        assert check.status != "fail", check.line()
        statuses.add(check.status)
    assert statuses <= {"pass", "below the finite-difference floor"}
