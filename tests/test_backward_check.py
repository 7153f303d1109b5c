"""check_backward: a hand-written LSTM backward pass (notebook 02's worked solution) passes, and each
typical mistake fails with a message that names the quantity and the step."""

import numpy as np
import pytest

from lstmsym.errors import LstmsymError
from lstmsym.numerics.backward_check import LOSS, backward_problem, check_backward, lstm_loss


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def lstm_forward(p, xs, c0, h0):
    cs, hs, gates = [c0], [h0], []
    for x in xs:
        a = {k: p[f"W_{k}"] @ hs[-1] + p[f"U_{k}"] @ x + p[f"b_{k}"] for k in "ifgo"}
        i, f, g, o = sigmoid(a["i"]), sigmoid(a["f"]), np.tanh(a["g"]), sigmoid(a["o"])
        cs.append(f * cs[-1] + i * g)
        hs.append(o * np.tanh(cs[-1]))
        gates.append((i, f, g, o))
    return cs, hs, gates


def make_backward(mistake=None):
    """The worked solution; ``mistake`` drops or alters one line."""

    def lstm_backward(p, xs, c0, h0, dc_T, dh_T):
        cs, hs, gates = lstm_forward(p, xs, c0, h0)
        T, n = len(xs), len(c0)
        dcs, dhs = np.zeros((T + 1, n)), np.zeros((T + 1, n))
        dcs[T], dhs[T] = dc_T, dh_T
        grads = {name: np.zeros_like(value) for name, value in p.items()}
        for t in range(T, 0, -1):
            i, f, g, o = gates[t - 1]
            dh = dhs[t]
            y = np.tanh(cs[t])
            do = dh * y
            dc = dcs[t] + (0 if mistake == "no readout" else dh * o * (1 - y**2))
            df, di, dg = dc * cs[t - 1], dc * g, dc * i
            da = {"i": di * i * (1 - i), "f": df * f * (1 - f), "g": dg * (1 - g**2), "o": do * o * (1 - o)}
            if mistake == "sigmoid slope":
                da["f"] = df * f
            for k in "ifgo":
                grads[f"W_{k}"] += np.outer(da[k], hs[t - 1])
                grads[f"U_{k}"] += np.outer(da[k], xs[t - 1])
                if mistake != "bias = instead of +=":
                    grads[f"b_{k}"] += da[k]
                else:
                    grads[f"b_{k}"] = da[k]
            dcs[t - 1] = 0 * dc if mistake == "no carousel" else f * dc
            dhs[t - 1] = sum(p[f"W_{k}"].T @ da[k] for k in "ifgo")
        return dcs, dhs, grads

    return lstm_backward


def test_a_correct_backward_passes_and_agrees_with_central_differences():
    result = check_backward(make_backward())
    assert result and result.message.startswith("Correct")
    assert max(result.reference.values()) < 1e-12
    assert max(result.central.values()) < 1e-6  # the reference itself, against central differences
    assert set(result.central) == {"c_0", "h_0"} | set(backward_problem().params)
    assert check_backward(make_backward(), n=2, m=3, T=10, seed=4)


def test_missing_carousel_term_fails_at_the_last_step():
    result = check_backward(make_backward("no carousel"), T=6)
    assert not result
    first = result.message.splitlines()[0]
    assert f"∂{LOSS}/∂c_5 is off" in first and "step t = 6" in first
    assert "f ⊙ dc" in result.message and f"∂{LOSS}/∂h_5 is right" in result.message
    assert LOSS == "\N{SCRIPT CAPITAL L}" and "∂L/" not in result.message  # the loss, not the lag L


def test_missing_readout_term_and_wrong_slope_and_overwritten_bias_are_caught():
    readout = check_backward(make_backward("no readout"))
    assert not readout and "step t = 6" in readout.message.splitlines()[0]
    slope = check_backward(make_backward("sigmoid slope"))
    assert not slope and "step t = 6" in slope.message.splitlines()[0]
    assert "W_f" in slope.message  # the keep gate's parameters named
    bias = check_backward(make_backward("bias = instead of +="))
    assert not bias and f"every ∂{LOSS}/∂c_k and ∂{LOSS}/∂h_k is right" in bias.message
    assert all(f"b_{k}" in bias.message for k in "ifgo") and "W_i" not in bias.message


def test_the_skeleton_with_zeros_fails_politely():
    def skeleton(p, xs, c0, h0, dc_T, dh_T):
        T, n = len(xs), len(c0)
        dcs, dhs = np.zeros((T + 1, n)), np.zeros((T + 1, n))
        dcs[T], dhs[T] = dc_T, dh_T
        return dcs, dhs, {name: np.zeros_like(v) for name, v in p.items()}

    result = check_backward(skeleton)
    assert not result and f"∂{LOSS}/∂c_5 and ∂{LOSS}/∂h_5 are off" in result.message


def test_wrong_start_is_named():
    def wrong_start(p, xs, c0, h0, dc_T, dh_T):
        dcs, dhs, grads = make_backward()(p, xs, c0, h0, dc_T, dh_T)
        dcs[-1] = 0
        return dcs, dhs, grads

    assert "starting values" in check_backward(wrong_start).message


def test_loss_is_linear_in_the_final_state():
    problem = backward_problem(n=2, m=1, T=2, seed=1)
    cs, hs, _ = lstm_forward(problem.params, problem.xs, problem.c0, problem.h0)
    assert np.isclose(lstm_loss(problem), problem.dc_T @ cs[-1] + problem.dh_T @ hs[-1], rtol=1e-14)


def test_bad_returns_are_named():
    with pytest.raises(LstmsymError, match="three things"):
        check_backward(lambda *args: None)
    with pytest.raises(LstmsymError, match="dcs has shape"):
        check_backward(lambda p, xs, c0, h0, dc, dh: (np.zeros(3), np.zeros((7, 3)), {}))
    with pytest.raises(LstmsymError, match="no 'W_i'"):
        check_backward(lambda p, xs, c0, h0, dc, dh: (np.zeros((7, 3)), np.zeros((7, 3)), {}))
    with pytest.raises(LstmsymError, match="student"):
        check_backward("not a function")
    with pytest.raises(LstmsymError, match="T"):
        check_backward(make_backward(), T=0)
