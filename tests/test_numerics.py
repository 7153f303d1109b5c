"""Numbers: parameters, the compiled step map, the gradient check, and three-way verification."""

from functools import cache

import numpy as np
import pytest
from variants import VARIANTS, variant_id

from lstmsym.cells import make_cell
from lstmsym.errors import LstmsymError
from lstmsym.numerics import reference
from lstmsym.numerics.compile import compile_cell
from lstmsym.numerics.gradcheck import check_jacobian, compare_exact, cs231n_relative_error
from lstmsym.numerics.params import (
    check_inputs,
    check_params,
    check_state,
    init_params,
    pack_lstm,
    random_sequence,
    unpack_lstm,
)
from lstmsym.numerics.verify import verify_cell


@cache
def _cell(name, switches, n):
    """One cell (and so one compilation) per variant and size, shared across T."""
    return make_cell(name, n=n, m=2, **dict(switches))


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("T", [1, 2, 3, 4, 5])
def test_symbolic_equals_finite_differences_equals_reference(variant, n, T):
    name, switches = variant
    # a ReLU unit switched off at some step makes its paths exactly 0, below what central differences resolve:
    # for the IRNN, seeds are tried in turn (every one must pass) until one resolves something
    for seed in range(100 * n + T, 100 * n + T + (20 if name == "irnn" else 1)):
        result = verify_cell(_cell(name, tuple(switches.items()), n), T=T, seed=seed)
        assert result.ok, result.report()
        fd = result.checks[0]
        if fd.resolved > 0:
            break
    assert fd.status == "pass" and fd.resolved > 0, result.report()  # something was really resolved


def test_vanished_gradient_is_reported_as_below_the_floor():
    """A 60-step RNN with small weights: its Jacobian is far below what central differences resolve."""
    cell = make_cell("rnn", n=2)
    params = init_params(cell, seed=0, scale=0.1)
    xs = random_sequence(cell, 60, seed=1)
    compiled = compile_cell(cell)
    J = compiled.lag_jacobians(params, xs)[0]
    assert np.max(np.abs(J)) < 1e-30

    def run(s):
        return compiled.run(params, xs, {"h": s}).s[-1]

    check = check_jacobian("∂h_60/∂h_0", J, run, np.zeros(2))
    assert check.status == "below the finite-difference floor"
    assert check.resolved == 0


def test_a_wrong_jacobian_fails():
    cell = make_cell("lstm", n=2)
    params = init_params(cell, seed=0, scale=0.5)
    xs = random_sequence(cell, 3, seed=1)
    compiled = compile_cell(cell)
    J = compiled.lag_jacobians(params, xs, path="direct")[0]  # the carousel alone is not the derivative

    def run(s):
        return compiled.run(params, xs, {"c": s[:2], "h": s[2:]}).s[-1]

    check = check_jacobian("direct path as if total", J, run, np.full(4, 0.3))
    assert check.status == "fail"
    assert compare_exact("perturbed", J, J * (1 + 1e-6)).status == "fail"


def test_cs231n_relative_error():
    assert cs231n_relative_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert cs231n_relative_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert cs231n_relative_error(np.array([0.0]), np.array([1e-12])) == pytest.approx(1e-4)


def test_compiled_step_agrees_with_run_and_reference():
    cell = make_cell("gru", n=3, m=2)
    params = init_params(cell, seed=3)
    xs = random_sequence(cell, 4, seed=4)
    compiled = compile_cell(cell)
    traj = compiled.run(params, xs)
    s1, quantities = compiled.step(params, xs[0])
    np.testing.assert_allclose(s1, traj.s[1], rtol=0, atol=1e-15)
    ref = reference.forward(cell, params, xs)
    np.testing.assert_allclose(traj.quantities["z"], ref.gates["z"], rtol=1e-13, atol=1e-15)
    assert set(quantities) == {"z", "r", "n", "h"}


def test_init_params_forget_bias_and_scale():
    cell = make_cell("lstm", n=4, m=3)
    p = init_params(cell, seed=0)
    assert list(p) == list(cell.param_shapes)
    assert np.all(p["b_f"] == 1.0) and np.all(p["b_i"] == 0.0)
    assert np.all(np.abs(p["W_i"]) <= 0.5)  # U(-1/sqrt(n), 1/sqrt(n))
    assert np.all(init_params(cell, seed=0, forget_bias=0.0)["b_f"] == 0.0)
    same = init_params(cell, seed=0)
    assert all(np.array_equal(p[k], same[k]) for k in p)
    wide = init_params(cell, seed=0, scale=3.0)
    assert np.std(np.concatenate([wide[k].ravel() for k in wide if k.startswith("W")])) > 1.5
    assert "b_f" not in init_params(make_cell("lstm1997"), seed=0)


def test_pack_and_unpack_in_torch_gate_order():
    cell = make_cell("lstm", n=2, m=3)
    p = init_params(cell, seed=1)
    packed = pack_lstm(cell, p)
    np.testing.assert_array_equal(packed["weight_hh"][2:4], p["W_f"])  # block 1 is f: order i, f, g, o
    np.testing.assert_array_equal(packed["weight_ih"][4:6], p["U_g"])
    back = unpack_lstm(cell, packed["weight_ih"], packed["weight_hh"], packed["bias"])
    assert all(np.array_equal(back[k], p[k]) for k in p)
    with pytest.raises(LstmsymError, match="all four gates"):
        pack_lstm(make_cell("lstm1997"), init_params(make_cell("lstm1997")))
    with pytest.raises(LstmsymError, match="peephole"):
        pack_lstm(make_cell("lstm", peephole=True), init_params(make_cell("lstm", peephole=True)))
    with pytest.raises(LstmsymError, match=r"'weight_hh' has shape \(8, 3\); expected \(8, 2\)"):
        unpack_lstm(cell, packed["weight_ih"], np.zeros((8, 3)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: {**p, "W_f": p["W_f"].T[:, :1]}, "parameter 'W_f' has shape (2, 1); expected (2, 2)"),
        (lambda p: {k: v for k, v in p.items() if k != "b_o"}, "parameter 'b_o' is missing"),
        (lambda p: {**p, "W_q": p["W_f"]}, "parameter 'W_q' is not one of"),
        (lambda p: {**p, "b_i": np.array([np.nan, 0.0])}, "parameter 'b_i' contains NaN or infinite"),
        (lambda p: {**p, "U_g": np.array([[np.inf], [0.0]])}, "contains NaN or infinite"),
        (lambda p: {**p, "b_g": np.array(["a", "b"])}, "must hold real numbers"),
        (lambda p: {**p, "b_g": np.array([True, False])}, "must hold real numbers"),
        (lambda p: {**p, "b_g": np.array([1j, 0])}, "must hold real numbers"),
        (lambda p: [1, 2], "params must be a mapping"),
    ],
)
def test_bad_parameters_get_clear_errors(change, message):
    cell = make_cell("lstm", n=2)
    with pytest.raises(LstmsymError) as info:
        check_params(cell, change(init_params(cell)))
    assert message in str(info.value)


def test_bad_inputs_and_states():
    cell = make_cell("lstm", n=2, m=3)
    with pytest.raises(LstmsymError, match=r"'xs' has shape \(4, 2\); expected \(T, 3\)"):
        check_inputs(cell, np.zeros((4, 2)))
    with pytest.raises(LstmsymError, match="NaN or infinite"):
        check_inputs(cell, np.full((2, 3), np.nan))
    with pytest.raises(LstmsymError, match=r"state 'h' has shape \(3,\); expected \(2,\)"):
        check_state(cell, {"c": np.zeros(2), "h": np.zeros(3)})
    with pytest.raises(LstmsymError, match=r"state must map exactly \['c', 'h'\]"):
        check_state(cell, {"h": np.zeros(2)})
    with pytest.raises(LstmsymError, match="T must be a whole number >= 1"):
        random_sequence(cell, 0)
    with pytest.raises(LstmsymError, match="seed must be an int"):
        init_params(cell, seed="zero")
    with pytest.raises(LstmsymError, match="scale must be a positive number"):
        init_params(cell, scale=-1.0)
    with pytest.raises(LstmsymError, match="path='both' is not valid"):
        compile_cell(cell).lag_jacobians(init_params(cell), np.zeros((2, 3)), path="both")
    with pytest.raises(LstmsymError, match="T must be a whole number >= 1"):
        verify_cell(cell, T=0)
