"""Tests of the hand-written NumPy reference (lstmsym.numerics.reference).

Three independent computations are played against each other, for every cell kind and LSTM switch:
- the forward pass against a plain restatement of the conventions' equations written here (``naive_step``);
- the hand-derived Jacobians and gradients against float64 central differences of the forward map;
- the per-step vector-Jacobian products of ``backward`` against products of ``lag_jacobians`` matrices.

Finite-difference tolerances. Central differences with step EPS = 1e-6 have truncation error about
EPS² |f'''| / 6 ≈ 1e-13 and rounding error about ε_mach |f| / EPS ≈ 1e-10 for the O(1) values of these small
cells (weights ~ N(0, 0.5²), T ≤ 5); the largest error observed is about 1e-9. The check
|analytic - numeric| ≤ ATOL + RTOL |numeric| with ATOL = 1e-7, RTOL = 1e-5 leaves two orders of magnitude of
headroom above that noise, while a wrong or missing term of the chain rule changes entries by 1e-3 to 1 with
these weights and fails it. Analytic-versus-analytic comparisons (backward against lag_jacobians, norms
against blocks) only differ by rounding and use 1e-12 / 1e-10.
"""

import warnings
import zlib
from collections.abc import Callable

import numpy as np
import pytest

from lstmsym.cells import make_cell
from lstmsym.cells.variants import VARIANTS
from lstmsym.numerics import reference as ref
from lstmsym.numerics.reference.activations import dsigmoid, dtanh, sigmoid, tanh

EPS = 1e-6
ATOL, RTOL = 1e-7, 1e-5
EXACT = {"atol": 1e-12, "rtol": 1e-10}

# ----------------------------------------------------------------------------------------------------------
# cells: the package's variants, plus switch combinations the reference is worth checking on too


CONFIGS = [
    *VARIANTS.values(),
    ("lstm", {"peephole": True, "readout": "dense"}),
    ("lstm", {"peephole": True, "forget_gate": False, "readout": "sigmoid"}),
    ("lstm", {"peephole": True, "input_gate": False, "output_gate": False}),
    ("lstm", {"coupled": True, "readout": "dense", "output_gate": False}),
    ("lstm", {"input_gate": False, "forget_gate": False, "output_gate": False, "readout": "identity"}),
]
CONFIG_IDS = [kind + "".join(f"-{k}={v}" for k, v in sw.items()) for kind, sw in CONFIGS]
SIZES = [(1, 1, 1), (2, 1, 3), (3, 2, 5)]          # (n, m, T)


def case(kind: str, switches: dict, n: int, m: int, T: int, seed: int = 0, scale: float = 0.5):
    """cell, params ~ N(0, scale²), xs ~ N(0, 1) (T, m), state0 ~ N(0, 0.5²), from one seeded generator."""
    rng = np.random.default_rng([seed, n, m, T, zlib.crc32(repr((kind, sorted(switches.items()))).encode())])
    cell = make_cell(kind, n=n, m=m, **switches)
    params = {name: rng.normal(0.0, scale, shape) for name, shape in cell.param_shapes.items()}
    xs = rng.normal(0.0, 1.0, (T, m))
    state0 = {name: rng.normal(0.0, 0.5, n) for name in cell.state_names}
    for name in getattr(cell, "positive_states", ()):   # the sLSTM's normaliser n: positive, away from 0
        state0[name] = np.abs(state0[name]) + 0.5
    return cell, params, xs, state0, rng


configs = pytest.mark.parametrize("kind, switches", CONFIGS, ids=CONFIG_IDS)
sizes = pytest.mark.parametrize("n, m, T", SIZES, ids=[f"n{n}m{m}T{T}" for n, m, T in SIZES])

# ----------------------------------------------------------------------------------------------------------
# independent helpers: central differences and the conventions' equations restated


def central_diff(f: Callable[[np.ndarray], np.ndarray], x0: np.ndarray) -> np.ndarray:
    """∂f/∂x at x0 by central differences with step EPS; shape f(x0).shape + x0.shape."""
    x0 = np.asarray(x0, dtype=np.float64)
    cols = []
    for j in range(x0.size):
        e = np.zeros(x0.size)
        e[j] = EPS
        step = e.reshape(x0.shape)
        cols.append((np.asarray(f(x0 + step)) - np.asarray(f(x0 - step))) / (2 * EPS))
    return np.stack(cols, axis=-1).reshape(np.shape(f(x0)) + x0.shape)


def split(cell, s: np.ndarray) -> dict[str, np.ndarray]:
    return {name: s[j * cell.n:(j + 1) * cell.n] for j, name in enumerate(cell.state_names)}


def naive_step(cell, P: dict, x: np.ndarray, st: dict, frozen: dict | None = None,
               net: dict | None = None) -> tuple[dict, dict]:
    """One step written straight from docs/conventions.md with σ = 1 / (1 + exp(-a)): (new state, gates).

    ``frozen`` (gate name → value) replaces those gates by constants: the map whose Jacobian is the direct
    one. ``net`` (a state) is what every net input of a gate, the candidate and the dense readout reads as the
    previous state, instead of ``st``: held at the trajectory's state, the map's Jacobian is the 1997
    truncated one (the memory line and everything inside the step still read ``st``).
    """
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731
    frozen = frozen or {}
    net = st if net is None else net
    gate = lambda name, value: frozen.get(name, value)  # noqa: E731
    if cell.kind == "rnn":
        return {"h": np.tanh(P["W"] @ st["h"] + P["U"] @ x + P["b"])}, {}
    if cell.kind == "gru":
        h, hn = st["h"], net["h"]
        z = gate("z", sig(P["W_z"] @ hn + P["U_z"] @ x + P["b_z"]))
        r = gate("r", sig(P["W_r"] @ hn + P["U_r"] @ x + P["b_r"]))
        cand = gate("n", np.tanh(P["U_n"] @ x + P["b_n"] + r * (P["W_n"] @ hn + P["d_n"])))
        return {"h": (1 - z) * cand + z * h}, {"z": z, "r": r, "n": cand}
    if cell.kind == "dense_memory":
        c = np.tanh(P["W_c"] @ st["c"] + P["W_h"] @ st["h"] + P["U_c"] @ x + P["b_c"])
        o = gate("o", sig(P["W_o"] @ st["h"] + P["U_o"] @ x + P["b_o"]))
        return {"c": c, "h": o * np.tanh(c)}, {"o": o}
    if cell.kind == "min_gru":
        z, g = gate("z", sig(P["U_z"] @ x + P["b_z"])), gate("g", P["U_g"] @ x + P["b_g"])
        return {"h": (1 - z) * st["h"] + z * g}, {"z": z, "g": g}
    if cell.kind == "min_lstm":
        i, f = sig(P["U_i"] @ x + P["b_i"]), sig(P["U_f"] @ x + P["b_f"])
        g = gate("g", P["U_g"] @ x + P["b_g"])
        i_n, f_n = gate("i'", i / (f + i)), gate("f'", f / (f + i))
        return {"h": f_n * st["h"] + i_n * g}, {"f'": f_n, "i'": i_n, "g": g}
    if cell.kind == "slstm":
        def a(k):
            return P[f"W_{k}"] @ net["h"] + P[f"U_{k}"] @ x + P[f"b_{k}"]
        i = gate("i", np.exp(a("i")))
        f = gate("f", np.exp(a("f")) if cell.options.get("forget") == "exp" else sig(a("f")))
        g, o = gate("g", np.tanh(a("g"))), gate("o", sig(a("o")))
        c, n_ = f * st["c"] + i * g, f * st["n"] + i
        return {"c": c, "n": n_, "h": o * c / n_}, {"i": i, "f": f, "g": g, "o": o}
    if cell.kind == "plain_deep":                      # depth cells: one layer, no input
        return {"h": np.tanh(P["W"] @ st["h"] + P["b"])}, {}
    if cell.kind == "residual":
        u = gate("u", np.tanh(P["W_1"] @ net["h"] + P["b_1"]))
        return {"h": st["h"] + P["W_2"] @ u + P["b_2"]}, {"u": u}
    if cell.kind == "highway":
        H = gate("H", np.tanh(P["W_H"] @ net["h"] + P["b_H"]))
        T = gate("T", sig(P["W_T"] @ net["h"] + P["b_T"]))
        return {"h": T * H + (1 - T) * st["h"]}, {"H": H, "T": T}
    if cell.kind == "orthogonal_rnn":                  # W = (I + S)^{-1}(I - S), S = A - A^T; W = 1 for n = 1
        eye = np.eye(len(st["h"]))
        S = P["A"] - P["A"].T if "A" in P else 0 * eye
        W = np.linalg.inv(eye + S) @ (eye - S)
        return {"h": np.tanh(W @ st["h"] + P["U"] @ x + P["b"])}, {}
    if cell.kind == "irnn":
        return {"h": np.maximum(0.0, P["W"] @ st["h"] + P["U"] @ x + P["b"])}, {}
    sw = cell.options
    c0, h0 = st["c"], net["h"]

    def pre(k, peep):
        a = P[f"W_{k}"] @ h0 + P[f"U_{k}"] @ x + P[f"b_{k}"]
        return a + P[f"p_{k}"] * peep if f"p_{k}" in P else a

    gates = {}
    i = gates["i"] = gate("i", sig(pre("i", net["c"]))) if sw["input_gate"] else np.ones_like(c0)
    if sw["coupled"]:
        gates["f"] = gate("f", 1 - i)
    elif sw["forget_gate"]:
        gates["f"] = gate("f", sig(pre("f", net["c"])))
    f = gates.get("f", 1.0)
    g = gates["g"] = gate("g", np.tanh(pre("g", None)))
    c = f * c0 + i * g
    o = gates["o"] = gate("o", sig(pre("o", c))) if sw["output_gate"] else 1.0
    readout = {"tanh": np.tanh, "sigmoid": sig, "identity": lambda v: v}
    if sw["readout"] == "dense":
        y = np.tanh(P["W_y"] @ h0 + P["U_y"] @ x + P["V_y"] @ c + P["b_y"])
    else:
        y = readout[sw["readout"]](c)
    gates = {k: v for k, v in gates.items() if k in cell.gate_names}
    return {"c": c, "h": o * y}, gates


def final_state(cell, params: dict, xs: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """s_T as a function of the stacked s_0, through the reference's forward."""
    return ref.forward(cell, params, xs, split(cell, s0)).s[-1]


def assert_fd(analytic: np.ndarray, numeric: np.ndarray) -> None:
    np.testing.assert_allclose(analytic, numeric, atol=ATOL, rtol=RTOL)


# ----------------------------------------------------------------------------------------------------------
# activations


def test_activations_are_stable_and_match_their_definitions():
    x = np.linspace(-1e4, 1e4, 2001)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        y, t = sigmoid(x), tanh(x)
    assert np.all(np.isfinite(y)) and np.all((0 <= y) & (y <= 1)) and np.all(np.abs(t) <= 1)
    small = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(sigmoid(small), 1 / (1 + np.exp(-small)), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dsigmoid(sigmoid(small)), central_diff(sigmoid, small).diagonal(), atol=1e-9)
    np.testing.assert_allclose(dtanh(tanh(small)), central_diff(tanh, small).diagonal(), atol=1e-9)


# ----------------------------------------------------------------------------------------------------------
# forward


@configs
@sizes
def test_forward_matches_the_conventions(kind, switches, n, m, T):
    cell, params, xs, state0, _ = case(kind, switches, n, m, T)
    traj = ref.forward(cell, params, xs, state0)
    assert traj.s.shape == (T + 1, n * len(cell.state_names))
    assert tuple(traj.gates) == tuple(cell.gate_names)
    st = state0
    for t in range(1, T + 1):
        st, gates = naive_step(cell, params, xs[t - 1], st)
        for name in cell.state_names:
            np.testing.assert_allclose(traj.states[name][t], st[name], rtol=1e-13, atol=1e-15)
        for name, value in gates.items():
            np.testing.assert_allclose(traj.gates[name][t - 1], value, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(traj.s[0], np.concatenate([state0[k] for k in cell.state_names]))


def test_forward_with_no_steps_and_default_state():
    cell, params, _, _, _ = case("lstm", {}, 2, 1, 1)
    traj = ref.forward(cell, params, np.zeros((0, 1)))
    np.testing.assert_array_equal(traj.s, np.zeros((1, 4)))
    assert ref.lag_jacobians(cell, params, np.zeros((0, 1))).tolist() == [np.eye(4).tolist()]


# ----------------------------------------------------------------------------------------------------------
# Jacobians against central differences


@configs
@sizes
def test_step_jacobian_matches_central_differences(kind, switches, n, m, T):
    cell, params, xs, state0, _ = case(kind, switches, n, m, T)
    s0 = np.concatenate([state0[k] for k in cell.state_names])
    numeric = central_diff(lambda s: final_state(cell, params, xs[:1], s), s0)
    assert_fd(ref.step_jacobian(cell, params, xs[0], state0), numeric)
    assert_fd(ref.step_jacobian(cell, params, xs[0], s0), numeric)   # the stacked-vector form of state_prev


@configs
@sizes
def test_lag_jacobians_match_central_differences(kind, switches, n, m, T):
    cell, params, xs, state0, _ = case(kind, switches, n, m, T)
    J = ref.lag_jacobians(cell, params, xs, state0)
    traj = ref.forward(cell, params, xs, state0)
    assert J.shape == (T + 1, traj.s.shape[1], traj.s.shape[1])
    np.testing.assert_array_equal(J[T], np.eye(traj.s.shape[1]))
    for k in (0, T - 1):                 # ∂s_T/∂s_k as a map of s_k, running the remaining T - k steps
        numeric = central_diff(lambda s, k=k: final_state(cell, params, xs[k:], s), traj.s[k])
        assert_fd(J[k], numeric)


# ----------------------------------------------------------------------------------------------------------
# backward (per-step VJPs) against matrices and central differences


@configs
@sizes
def test_backward_cotangents_equal_lag_jacobian_rows(kind, switches, n, m, T):
    cell, params, xs, state0, rng = case(kind, switches, n, m, T)
    traj = ref.forward(cell, params, xs, state0)
    ds_T = rng.normal(size=traj.s.shape[1])
    grads = ref.backward(cell, params, traj, xs, ds_T)
    J = ref.lag_jacobians(cell, params, xs, state0)
    np.testing.assert_allclose(grads.ds, np.einsum("i,kij->kj", ds_T, J), **EXACT)


@configs
@sizes
def test_backward_parameter_and_input_gradients_match_central_differences(kind, switches, n, m, T):
    cell, params, xs, state0, rng = case(kind, switches, n, m, T)
    traj = ref.forward(cell, params, xs, state0)
    ds_T = rng.normal(size=traj.s.shape[1])
    grads = ref.backward(cell, params, traj, xs, ds_T)
    assert set(grads.dparams) == set(cell.param_shapes)

    def loss(p=params, x=xs):
        return ds_T @ ref.forward(cell, p, x, state0).s[-1]

    for name, value in params.items():
        numeric = central_diff(lambda v, name=name: loss(p={**params, name: v}), value)
        assert grads.dparams[name].shape == value.shape
        assert_fd(grads.dparams[name], numeric)
    assert_fd(grads.dxs, central_diff(lambda x: loss(x=x), xs))


@configs
def test_every_parameter_reaches_the_final_state(kind, switches):
    """A parameter that cell.param_shapes lists but the reference ignored would get a zero gradient."""
    cell, params, xs, state0, rng = case(kind, switches, 2, 1, 3)
    traj = ref.forward(cell, params, xs, state0)
    grads = ref.backward(cell, params, traj, xs, rng.normal(size=traj.s.shape[1]))
    assert all(np.abs(g).max() > 1e-6 for g in grads.dparams.values()), {k: np.abs(g).max() for k, g in
                                                                          grads.dparams.items()}


# ----------------------------------------------------------------------------------------------------------
# direct (gates held fixed) Jacobians


def _direct_steps(kind, switches, n=3, m=2, T=4):
    cell, params, xs, state0, _ = case(kind, switches, n, m, T)
    st = state0
    for t in range(T):
        new, gates = naive_step(cell, params, xs[t], st)
        yield cell, params, xs[t], st, new, gates, ref.step_jacobian(cell, params, xs[t], st, direct=True)
        st = new


@configs
@sizes
def test_direct_jacobian_matches_central_differences_with_frozen_gates(kind, switches, n, m, T):
    """direct=True: the Jacobian of the step with every gate replaced by its value on the trajectory,
    keeping only the own-state blocks (the other previous state held fixed)."""
    cell, params, xs, state0, _ = case(kind, switches, n, m, T)
    s0 = np.concatenate([state0[k] for k in cell.state_names])
    _, gates = naive_step(cell, params, xs[0], state0)

    def frozen_step(s):
        new, _ = naive_step(cell, params, xs[0], split(cell, s), frozen=gates)
        return np.concatenate([new[name] for name in cell.state_names])

    direct = ref.step_jacobian(cell, params, xs[0], state0, direct=True)
    frozen = central_diff(frozen_step, s0)
    own = np.kron(np.eye(len(cell.state_names)), np.ones((n, n))) == 1
    assert_fd(direct, np.where(own, frozen, 0.0))
    total = ref.step_jacobian(cell, params, xs[0], state0)
    if kind in ("min_gru", "min_lstm"):    # gates read x_t only: holding them changes nothing, total = direct
        np.testing.assert_array_equal(direct, total)
    elif gates and kind != "dense_memory":   # a gate on the carousel path: direct differs from total
        assert not np.allclose(direct, total, atol=1e-6)


LSTM_FAMILY = ("lstm", "lstm1997")


@pytest.mark.parametrize("kind, switches", [c for c in CONFIGS if c[0] in LSTM_FAMILY],
                         ids=[i for i, c in zip(CONFIG_IDS, CONFIGS, strict=True) if c[0] in LSTM_FAMILY])
def test_lstm_direct_memory_block_is_the_keep_gate(kind, switches):
    for cell, _params, _x, _st, _new, gates, J in _direct_steps(kind, switches):
        n = cell.n
        f = gates.get("f", np.ones(n))          # forget_gate=False: the identity carousel
        np.testing.assert_allclose(J[:n, :n], np.diag(f), rtol=1e-14, atol=0)
        np.testing.assert_array_equal(J[:n, n:], 0.0)   # with the gates fixed, c_t does not see h_{t-1}
        np.testing.assert_array_equal(J[n:, :n], 0.0)   # the other previous state is held fixed
        if cell.options["readout"] != "dense":   # h_{t-1} reaches h_t only through the gates
            np.testing.assert_array_equal(J[n:, n:], 0.0)


def test_lstm_direct_lag_block_is_the_product_of_keep_gates():
    cell, params, xs, state0, _ = case("lstm", {}, 3, 2, 5)
    J = ref.lag_jacobians(cell, params, xs, state0, direct=True)
    st, fs = state0, []
    for x in xs:
        st, gates = naive_step(cell, params, x, st)
        fs.append(gates["f"])
    for k in range(6):
        kept = np.prod(np.reshape(fs[k:], (-1, 3)), axis=0)   # ∏_{t=k+1}^{T} f_t (ones for k = T)
        np.testing.assert_allclose(J[k][:3, :3], np.diag(kept), rtol=1e-12, atol=0)


def test_gru_direct_jacobian_is_the_update_gate():
    for _, _, _, _, _, gates, J in _direct_steps("gru", {}):
        np.testing.assert_allclose(J, np.diag(gates["z"]), rtol=1e-14, atol=0)


def test_rnn_direct_equals_total():
    for cell, params, x, st, new, _, J in _direct_steps("rnn", {}):
        np.testing.assert_array_equal(J, ref.step_jacobian(cell, params, x, st, direct=False))
        np.testing.assert_allclose(J, (1 - new["h"] ** 2)[:, None] * params["W"], rtol=1e-12, atol=1e-15)


def test_dense_memory_direct_memory_block_is_the_dense_layer():
    for cell, params, x, st, new, _, J in _direct_steps("dense_memory", {}):
        n = cell.n
        expected = np.diag(1 - new["c"] ** 2) @ params["W_c"]
        np.testing.assert_allclose(J[:n, :n], expected, rtol=1e-12, atol=1e-15)
        total = ref.step_jacobian(cell, params, x, st)
        np.testing.assert_allclose(total[:n, :n], J[:n, :n], rtol=1e-14, atol=0)
        np.testing.assert_array_equal(J[:n, n:], 0.0)          # the other previous state is held fixed
        assert not np.allclose(total[n:, n:], J[n:, n:])     # the read gate's path is the one removed


# ----------------------------------------------------------------------------------------------------------
# norms without storing the matrices


@configs
@pytest.mark.parametrize("direct", [False, True], ids=["total", "direct"])
def test_lag_jacobian_norms_equal_norms_of_blocks(kind, switches, direct, monkeypatch):
    monkeypatch.setattr(ref, "_NORM_CHUNK", 3)        # exercise several chunks, one of them partial
    cell, params, xs, state0, _ = case(kind, switches, 3, 2, 7)
    J = ref.lag_jacobians(cell, params, xs, state0, direct=direct)
    n, names = cell.n, cell.state_names
    blocks = [None] + [(a, b) for a in names for b in names]
    for block in blocks:
        if block is None:
            sub = J
        else:
            r, c = names.index(block[0]), names.index(block[1])
            sub = J[:, r * n:(r + 1) * n, c * n:(c + 1) * n]
        for order in ("fro", 2):
            expected = np.array([np.linalg.norm(M, order) for M in sub])
            got = ref.lag_jacobian_norms(cell, params, xs, state0, block=block, direct=direct, ord=order)
            np.testing.assert_allclose(got, expected, **EXACT)


def _still_rnn(diagonal: list[float], T: int):
    """An RNN that stays at h = 0 (no input, no bias): every step Jacobian is exactly W = diag(diagonal)."""
    n = len(diagonal)
    params = {"W": np.diag(diagonal), "U": np.zeros((n, 1)), "b": np.zeros(n)}
    return make_cell("rnn", n=n, m=1), params, np.zeros((T, 1))


def test_long_lag_products_stay_exact_into_the_subnormal_range():
    cell, params, xs = _still_rnn([0.5, -0.5], 1100)
    lags = 1100 - np.arange(1101)
    J = ref.lag_jacobians(cell, params, xs)
    np.testing.assert_array_equal(J[:, 0, 0], np.ldexp(1.0, -lags))   # 2^-1074 is the last nonzero
    np.testing.assert_array_equal(J[:, 1, 1], np.ldexp((-1.0) ** lags, -lags))
    np.testing.assert_array_equal(J[:, 0, 1], 0.0)


def test_lag_jacobian_norms_far_below_the_float_range():
    cell, params, xs = _still_rnn([0.5, 0.5], 1200)           # ∂h_T/∂h_k = 2^-(T-k) I
    lags = 1200 - np.arange(1201)
    normal = lags < 1000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for order, factor in (("fro", np.sqrt(2.0)), (2, 1.0), ("nuc", 2.0)):
            logs = ref.lag_jacobian_norms(cell, params, xs, ord=order, log10=True)
            np.testing.assert_allclose(logs, np.log10(factor) - lags * np.log10(2.0), rtol=1e-13)
            plain = ref.lag_jacobian_norms(cell, params, xs, ord=order)
            np.testing.assert_allclose(plain[normal], factor * np.ldexp(1.0, -lags[normal]), rtol=1e-14)
            np.testing.assert_array_equal(plain[lags > 1076], 0.0)


def test_lag_jacobian_norms_rejects_unknown_block_and_order():
    cell, params, xs, state0, _ = case("gru", {}, 2, 1, 3)
    with pytest.raises(ValueError, match="block"):
        ref.lag_jacobian_norms(cell, params, xs, state0, block=("c", "c"))
    with pytest.raises(ValueError, match="ord"):
        ref.lag_jacobian_norms(cell, params, xs, state0, ord="max")


# ----------------------------------------------------------------------------------------------------------
# numerical robustness


@pytest.mark.parametrize("kind, switches", [c for c in CONFIGS if c[0] != "slstm"],
                         ids=[i for i, c in zip(CONFIG_IDS, CONFIGS, strict=True) if c[0] != "slstm"])
def test_huge_preactivations_give_no_warnings_and_finite_results(kind, switches):
    """(The plain sLSTM overflows by design at exp(a) with a > 709; its stabilised forward is tested in
    tests/test_modern_cells.py.)"""
    cell, params, xs, state0, rng = case(kind, switches, 3, 2, 5, seed=1, scale=50.0)
    xs = 50.0 * xs
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        traj = ref.forward(cell, params, xs, state0)
        results = [traj.s, *traj.gates.values(),
                   ref.step_jacobian(cell, params, xs[0], state0),
                   ref.lag_jacobians(cell, params, xs, state0),
                   ref.lag_jacobians(cell, params, xs, state0, direct=True),
                   ref.lag_jacobian_norms(cell, params, xs, state0, ord=2)]
        grads = ref.backward(cell, params, traj, xs, rng.normal(size=traj.s.shape[1]))
        results += [grads.ds, grads.dxs, *grads.dparams.values()]
    assert all(np.all(np.isfinite(r)) for r in results)
    largest = max(np.abs(v).max() for k, v in traj.cache.items() if k.startswith("a"))
    # saturated (σ(20) = 1 - 2e-9); the depth cells read no input, so only their weights drive them
    assert largest > (20 if kind in ("plain_deep", "residual", "highway") else 100)


# ----------------------------------------------------------------------------------------------------------
# the 1997 truncated gradient: gradient="truncated"

TRUNCATABLE = [c for c in CONFIGS if c[0] in ("lstm", "lstm1997", "gru")]
TRUNCATABLE_IDS = [i for i, c in zip(CONFIG_IDS, CONFIGS, strict=True) if c[0] in ("lstm", "lstm1997", "gru")]
truncatable = pytest.mark.parametrize("kind, switches", TRUNCATABLE, ids=TRUNCATABLE_IDS)


def _stack_state(cell, st: dict) -> np.ndarray:
    return np.concatenate([st[name] for name in cell.state_names])


def _detached_jacobian(cell, params, x, st) -> np.ndarray:
    """Central differences of the step whose net inputs read the fixed previous state ``st``."""
    def step(s):
        new, _ = naive_step(cell, params, x, split(cell, s), net=st)
        return _stack_state(cell, new)
    return central_diff(step, _stack_state(cell, st))


@truncatable
@sizes
def test_truncated_jacobian_matches_central_differences_of_the_detached_step(kind, switches, n, m, T):
    """gradient="truncated": the Jacobian of the step whose gates', candidate's and dense readout's net inputs
    read a detached copy of s_{t-1}; at every step of a trajectory."""
    cell, params, xs, state0, _ = case(kind, switches, n, m, T)
    st = state0
    for t in range(T):
        J = ref.step_jacobian(cell, params, xs[t], st, gradient="truncated")
        assert_fd(J, _detached_jacobian(cell, params, xs[t], st))
        if kind != "gru":
            np.testing.assert_array_equal(J[:, n:], 0.0)       # h_{t-1} gets no error at all
        st, _ = naive_step(cell, params, xs[t], st)


@truncatable
@sizes
def test_truncated_lag_jacobians_backward_and_norms_agree(kind, switches, n, m, T):
    cell, params, xs, state0, rng = case(kind, switches, n, m, T)
    traj = ref.forward(cell, params, xs, state0)
    J = ref.lag_jacobians(cell, params, xs, state0, gradient="truncated")
    product, st = np.eye(traj.s.shape[1]), state0
    steps = []
    for t in range(T):
        steps.append(ref.step_jacobian(cell, params, xs[t], st, gradient="truncated"))
        st = traj.state(t + 1)
    for k in range(T, -1, -1):
        np.testing.assert_allclose(J[k], product, **EXACT)
        if k:
            product = product @ steps[k - 1]
    ds_T = rng.normal(size=traj.s.shape[1])
    grads = ref.backward(cell, params, traj, xs, ds_T, gradient="truncated")
    np.testing.assert_allclose(grads.ds, np.einsum("i,kij->kj", ds_T, J), **EXACT)
    norms = ref.lag_jacobian_norms(cell, params, xs, state0, ord=2, gradient="truncated")
    np.testing.assert_allclose(norms, np.linalg.norm(J, 2, axis=(1, 2)), **EXACT)


@truncatable
@sizes
def test_truncated_parameter_and_input_gradients_are_the_local_ones(kind, switches, n, m, T):
    """Under truncation a step's parameter (and input) gradient is its local one, ∂s_t/∂θ with s_{t-1} held,
    contracted with the truncated cotangent ds[t]; summed over the steps."""
    cell, params, xs, state0, rng = case(kind, switches, n, m, T)
    traj = ref.forward(cell, params, xs, state0)
    ds_T = rng.normal(size=traj.s.shape[1])
    grads = ref.backward(cell, params, traj, xs, ds_T, gradient="truncated")
    expected = {name: np.zeros_like(v) for name, v in params.items()}
    for t in range(1, T + 1):
        prev = traj.state(t - 1)

        def local(p, x, prev=prev, t=t):
            new, _ = naive_step(cell, p, x, prev)
            return grads.ds[t] @ _stack_state(cell, new)

        for name, value in params.items():
            expected[name] += central_diff(lambda v, name=name, local=local, t=t: local({**params, name: v},
                                                                                      xs[t - 1]), value)
        assert_fd(grads.dxs[t - 1], central_diff(lambda x, local=local: local(params, x), xs[t - 1]))
    for name in params:
        assert_fd(grads.dparams[name], expected[name])


def test_truncated_1997_memory_gradient_is_exactly_one_over_1000_steps():
    """The 1997 cell under its own truncated gradient: ∂c_T/∂c_k = I exactly at every lag 0..1000, while the
    full BPTT block of the same run differs from the identity."""
    cell, params, xs, state0, _ = case("lstm1997", {}, 4, 1, 1000, scale=0.3)
    J = ref.lag_jacobians(cell, params, xs, state0, gradient="truncated")
    np.testing.assert_array_equal(J[:, :4, :4], np.broadcast_to(np.eye(4), (1001, 4, 4)))
    np.testing.assert_array_equal(J[:1000, :, 4:], 0.0)
    full = ref.lag_jacobian_norms(cell, params, xs, state0, block="c", ord=2)
    truncated = ref.lag_jacobian_norms(cell, params, xs, state0, block="c", ord=2, gradient="truncated")
    assert np.all(truncated == 1.0)
    assert abs(full[0] - 1.0) > 1e-3


def test_truncated_lstm_memory_gradient_is_the_product_of_keep_gates():
    cell, params, xs, state0, _ = case("lstm", {}, 3, 2, 200, scale=0.3)
    traj = ref.forward(cell, params, xs, state0)
    J = ref.lag_jacobians(cell, params, xs, state0, gradient="truncated")
    f = traj.gates["f"]
    for k in (0, 50, 199):
        np.testing.assert_allclose(J[k, :3, :3], np.diag(np.prod(f[k:], axis=0)), rtol=1e-12, atol=0)
    direct = ref.lag_jacobians(cell, params, xs, state0, direct=True)
    np.testing.assert_allclose(J[:, :3, :3], direct[:, :3, :3], rtol=1e-12, atol=0)


def test_full_gradient_is_the_default():
    cell, params, xs, state0, rng = case("lstm", {"peephole": True}, 2, 1, 6)
    traj = ref.forward(cell, params, xs, state0)
    ds_T = rng.normal(size=4)
    np.testing.assert_array_equal(ref.lag_jacobians(cell, params, xs, state0),
                                  ref.lag_jacobians(cell, params, xs, state0, gradient="full"))
    np.testing.assert_array_equal(ref.backward(cell, params, traj, xs, ds_T).ds,
                                  ref.backward(cell, params, traj, xs, ds_T, gradient="full").ds)
    truncated = ref.lag_jacobians(cell, params, xs, state0, gradient="truncated")
    assert not np.allclose(truncated, ref.lag_jacobians(cell, params, xs, state0), atol=1e-6)


def test_truncated_gradient_refusals():
    for kind in ("rnn", "dense_memory"):
        cell, params, xs, state0, _ = case(kind, {}, 2, 1, 3)
        with pytest.raises(ValueError, match="gradient='truncated'.*" + kind):
            ref.lag_jacobians(cell, params, xs, state0, gradient="truncated")
    cell, params, xs, state0, _ = case("lstm", {}, 2, 1, 3)
    with pytest.raises(ValueError, match="gradient='truncate' is not valid"):
        ref.lag_jacobian_norms(cell, params, xs, state0, gradient="truncate")
    with pytest.raises(ValueError, match="direct=True and gradient='truncated'"):
        ref.step_jacobian(cell, params, xs[0], state0, direct=True, gradient="truncated")
    with pytest.raises(ValueError, match="'W_x'"):
        ref.lag_jacobians(cell, params, xs, state0, cut=("W_x",))


@pytest.mark.parametrize("kind, switches, names", [
    ("lstm", {}, ("W_g",)),
    ("lstm", {"peephole": True}, ("W_g", "W_i")),
    ("lstm1997", {}, ("W_g",)),
    ("gru", {}, ("W_n",)),
    ("dense_memory", {}, ("W_h",)),
])
def test_cut_zeroes_a_route_in_the_backward_pass_only(kind, switches, names):
    """cut=names: each step Jacobian is that of the step in which the cut weights act on a detached copy of
    h_{t-1} (moved into the bias: the forward values are unchanged, the route carries no derivative)."""
    cell, params, xs, state0, _ = case(kind, switches, 3, 2, 4)
    traj = ref.forward(cell, params, xs, state0)
    product = np.eye(traj.s.shape[1])
    for t in range(4, 0, -1):
        prev = traj.state(t - 1)
        moved = dict(params)
        for name in names:
            bias = {"W_n": "d_n", "W_h": "b_c"}.get(name, "b_" + name[2:])
            moved[bias] = params[bias] + params[name] @ prev["h"]
            moved[name] = np.zeros_like(params[name])

        def step(s, moved=moved, t=t):
            new, _ = naive_step(cell, moved, xs[t - 1], split(cell, s))
            return _stack_state(cell, new)

        product = product @ central_diff(step, traj.s[t - 1])
    got = ref.lag_jacobians(cell, params, xs, state0, cut=names)
    assert_fd(got[0], product)
    np.testing.assert_allclose(ref.forward(cell, params, xs, state0).s, traj.s, **EXACT)
    assert not np.allclose(got[0], ref.lag_jacobians(cell, params, xs, state0)[0], atol=1e-6)


@configs
def test_direct_is_gates_and_candidates_held_on_every_own_state_block(kind, switches):
    """docs/conventions.md: the direct Jacobian holds every gate and candidate fixed, and the other previous
    state too. Holding the other state changes no own-state block of any cell; for the LSTM family and the
    GRU nothing reaches the memory from h_{t-1} once the gates and the candidate are held, so the T-step
    memory block is the product of the direct ones either way. Only the dense memory (whose candidate is its
    state) has a gate-free route h_{t-1} -> c_t (through W_h), which the direct path leaves out."""
    cell, params, xs, state0, _ = case(kind, switches, 3, 2, 1)
    module, options = ref._resolve(cell)
    rec = module.step(params, options, xs[0], state0)
    held = module.jacobian(params, options, xs[0], state0, rec, True)   # gates and candidates held only
    direct = ref.step_jacobian(cell, params, xs[0], state0, direct=True)
    n, S = cell.n, len(cell.state_names)
    for a in range(S):
        block = slice(a * n, (a + 1) * n)
        np.testing.assert_array_equal(direct[block, block], held[block, block])
    if "c" in cell.state_names:
        c_from_h = held[:n, n:]
        if kind == "dense_memory":
            assert np.abs(c_from_h).max() > 1e-3
        else:
            np.testing.assert_array_equal(c_from_h, 0.0)
