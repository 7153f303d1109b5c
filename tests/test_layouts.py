"""PyTorch and Keras weight layouts (lstmsym.numerics.layouts): round trips, pinned examples, semantics.

The pinned examples write down, number by number, where each library keeps each block, from its
documented equations (PyTorch: nn.LSTM and nn.GRU docs; Keras: LSTMCell and GRUCell's ``build`` and
``call``). The semantic tests evaluate one step with each library's documented equations written
here in NumPy, on the library's own arrays, and compare it with lstmsym's reference on the unpacked
parameters. The last tests run only when torch is importable: they compare trajectories and
Jacobians with nn.LSTM and nn.GRU themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from lstmsym.cells import make_cell
from lstmsym.errors import LstmsymError
from lstmsym.numerics import layouts, reference
from lstmsym.numerics.layouts import (
    keras_weights,
    pack_gru,
    pack_lstm,
    params_from_keras,
    params_from_torch,
    torch_state_dict,
    unpack_gru,
    unpack_lstm,
)
from lstmsym.numerics.params import init_params

SIZES = [(1, 1), (2, 1), (3, 2), (2, 5)]
KINDS = ["lstm", "gru"]


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def random_params(cell, seed):
    """Every parameter, biases and d_n included, drawn at random (so no block hides behind a zero)."""
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=shape) for name, shape in cell.param_shapes.items()}


def assert_same(a, b):
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


# -- round trips -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("n", "m"), SIZES)
def test_every_layout_round_trips_exactly(kind, n, m):
    cell = make_cell(kind, n=n, m=m)
    p = random_params(cell, seed=n + 10 * m)
    for suffix in ("_l0", ""):
        state_dict = torch_state_dict(cell, p, suffix=suffix)
        assert list(state_dict) == [f"{name}{suffix}" for name in layouts.TORCH_NAMES]
        assert_same(params_from_torch(cell, state_dict), p)
    weights = keras_weights(cell, p)
    assert_same(params_from_keras(cell, weights), p)
    assert_same(params_from_keras(cell, list(weights.values())), p)  # as layer.get_weights() gives it
    if kind == "lstm":
        packed = pack_lstm(cell, p)
        assert_same(unpack_lstm(cell, packed["weight_ih"], packed["weight_hh"], packed["bias"]), p)
    else:
        packed = pack_gru(cell, p)
        assert_same(unpack_gru(cell, **packed), p)


@pytest.mark.parametrize("kind", KINDS)
def test_the_two_torch_biases_come_in_and_a_split_that_round_trips_goes_out(kind):
    """A torch state_dict with both biases random: in, out and in again gives the same parameters,
    and the split that goes out computes the same step as the one that came in."""
    cell = make_cell(kind, n=3, m=2)
    rng = np.random.default_rng(5)
    rows = (4 if kind == "lstm" else 3) * cell.n
    original = {
        "weight_ih_l0": rng.normal(size=(rows, cell.m)),
        "weight_hh_l0": rng.normal(size=(rows, cell.n)),
        "bias_ih_l0": rng.normal(size=rows),
        "bias_hh_l0": rng.normal(size=rows),
    }
    p = params_from_torch(cell, original)
    out = torch_state_dict(cell, p)
    assert_same(params_from_torch(cell, out), p)
    x, h, c = rng.normal(size=cell.m), rng.normal(size=cell.n), rng.normal(size=cell.n)
    step = torch_lstm_step if kind == "lstm" else torch_gru_step
    np.testing.assert_allclose(step(out, x, h, c), step(original, x, h, c), rtol=0, atol=1e-14)


def test_pack_lstm_and_unpack_lstm_are_still_importable_from_params():
    from lstmsym import numerics
    from lstmsym.numerics import params

    assert params.pack_lstm is layouts.pack_lstm and params.unpack_lstm is layouts.unpack_lstm
    assert params.TORCH_GATE_ORDER == ("i", "f", "g", "o")
    with pytest.raises(AttributeError, match="no attribute 'pack_rnn'"):
        params.pack_rnn  # noqa: B018
    assert numerics.params is params


# -- the layouts, pinned by small examples written from the libraries' conventions -----------------
def test_torch_lstm_layout_pinned():
    """nn.LSTM: weight_ih_l0 = (W_ii|W_if|W_ig|W_io), (4n, m); the same for weight_hh_l0 and biases."""
    cell = make_cell("lstm", n=1, m=2)
    state_dict = {
        "weight_ih_l0": [[1, 2], [3, 4], [5, 6], [7, 8]],  # rows: i, f, g, o; columns: x_1, x_2
        "weight_hh_l0": [[9], [10], [11], [12]],
        "bias_ih_l0": [0.5, 1.5, 2.5, 3.5],
        "bias_hh_l0": [0.25, 0.0, 0.0, -3.5],
    }
    p = params_from_torch(cell, state_dict)
    assert p["U_i"].tolist() == [[1, 2]] and p["U_f"].tolist() == [[3, 4]]
    assert p["U_g"].tolist() == [[5, 6]] and p["U_o"].tolist() == [[7, 8]]
    assert [p[f"W_{g}"].item() for g in "ifgo"] == [9, 10, 11, 12]
    assert [p[f"b_{g}"].item() for g in "ifgo"] == [0.75, 1.5, 2.5, 0.0]  # b_ih + b_hh
    out = torch_state_dict(cell, p)
    assert out["bias_ih_l0"].tolist() == [0.75, 1.5, 2.5, 0.0] and out["bias_hh_l0"].tolist() == [0] * 4


def test_torch_gru_layout_pinned():
    """nn.GRU: (W_ir|W_iz|W_in); n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): b_hn is d_n."""
    cell = make_cell("gru", n=1, m=1)
    state_dict = {
        "weight_ih_l0": [[1], [2], [3]],  # r, z, n
        "weight_hh_l0": [[4], [5], [6]],
        "bias_ih_l0": [7, 8, 9],
        "bias_hh_l0": [0.5, 0.25, 10],
    }
    p = params_from_torch(cell, state_dict)
    assert [p[k].item() for k in ("U_r", "U_z", "U_n", "W_r", "W_z", "W_n")] == [1, 2, 3, 4, 5, 6]
    assert [p[k].item() for k in ("b_r", "b_z", "b_n", "d_n")] == [7.5, 8.25, 9, 10]
    out = torch_state_dict(cell, p)
    assert out["bias_ih_l0"].tolist() == [7.5, 8.25, 9] and out["bias_hh_l0"].tolist() == [0, 0, 10]


def test_keras_lstm_layout_pinned():
    """Keras LSTM: kernel (m, 4n), columns i, f, c, o; recurrent_kernel (n, 4n); bias (4n,)."""
    cell = make_cell("lstm", n=1, m=2)
    weights = {
        "kernel": [[1, 3, 5, 7], [2, 4, 6, 8]],  # rows: x_1, x_2; columns: i, f, c, o
        "recurrent_kernel": [[9, 10, 11, 12]],
        "bias": [0.5, 1.5, 2.5, 3.5],
    }
    p = params_from_keras(cell, weights)
    assert p["U_i"].tolist() == [[1, 2]] and p["U_o"].tolist() == [[7, 8]]  # the transpose of a column
    assert [p[f"W_{g}"].item() for g in "ifgo"] == [9, 10, 11, 12]
    assert [p[f"b_{g}"].item() for g in "ifgo"] == [0.5, 1.5, 2.5, 3.5]
    # the same parameters in torch's layout: the same numbers, transposed
    state_dict = torch_state_dict(cell, p)
    assert state_dict["weight_ih_l0"].tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]]


def test_keras_gru_layout_pinned():
    """Keras GRU, reset_after=True: columns z, r, h; bias (2, 3n) = [input bias; recurrent bias]."""
    cell = make_cell("gru", n=1, m=1)
    weights = [
        [[1, 2, 3]],  # kernel: z, r, h
        [[4, 5, 6]],  # recurrent_kernel
        [[7, 8, 9], [0.5, 0.25, 10]],  # bias: input row, recurrent row
    ]
    p = params_from_keras(cell, weights)
    assert [p[k].item() for k in ("U_z", "U_r", "U_n", "W_z", "W_r", "W_n")] == [1, 2, 3, 4, 5, 6]
    assert [p[k].item() for k in ("b_z", "b_r", "b_n", "d_n")] == [7.5, 8.25, 9, 10]
    assert keras_weights(cell, p)["bias"].tolist() == [[7.5, 8.25, 9], [0, 0, 10]]
    assert torch_state_dict(cell, p)["weight_ih_l0"].tolist() == [[2], [1], [3]]  # r, z, n


# -- semantics: one step by each library's documented equations, on its own arrays ----------------
def torch_lstm_step(sd, x, h, c):
    gates = sd["weight_ih_l0"] @ x + sd["bias_ih_l0"] + sd["weight_hh_l0"] @ h + sd["bias_hh_l0"]
    i, f, g, o = np.split(gates, 4)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return np.concatenate([c, sigmoid(o) * np.tanh(c)])


def torch_gru_step(sd, x, h, c=None):
    gi = sd["weight_ih_l0"] @ x + sd["bias_ih_l0"]
    gh = sd["weight_hh_l0"] @ h + sd["bias_hh_l0"]
    (i_r, i_z, i_n), (h_r, h_z, h_n) = np.split(gi, 3), np.split(gh, 3)
    r, z = sigmoid(i_r + h_r), sigmoid(i_z + h_z)
    n = np.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h


def keras_lstm_step(w, x, h, c):
    i, f, g, o = np.split(x @ w["kernel"] + h @ w["recurrent_kernel"] + w["bias"], 4)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return np.concatenate([c, sigmoid(o) * np.tanh(c)])


def keras_gru_step(w, x, h, c=None):
    input_bias, recurrent_bias = w["bias"]
    x_z, x_r, x_h = np.split(x @ w["kernel"] + input_bias, 3)
    r_z, r_r, r_h = np.split(h @ w["recurrent_kernel"] + recurrent_bias, 3)
    z, r = sigmoid(x_z + r_z), sigmoid(x_r + r_r)
    hh = np.tanh(x_h + r * r_h)
    return z * h + (1 - z) * hh


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("library", ["torch", "keras"])
def test_one_step_by_the_librarys_equations_equals_the_reference(kind, library):
    cell = make_cell(kind, n=3, m=2)
    rng = np.random.default_rng(7)
    p = random_params(cell, seed=3)
    arrays = torch_state_dict(cell, p) if library == "torch" else keras_weights(cell, p)
    if library == "torch":  # move part of each bias to the recurrent side, as a trained module has it
        shift = rng.normal(size=arrays["bias_ih_l0"].shape)
        if kind == "gru":
            shift[2 * cell.n :] = 0.0  # b_hn is not a free split: it sits inside the reset product
        arrays = {
            **arrays,
            "bias_ih_l0": arrays["bias_ih_l0"] - shift,
            "bias_hh_l0": arrays["bias_hh_l0"] + shift,
        }
    step = {
        ("lstm", "torch"): torch_lstm_step,
        ("gru", "torch"): torch_gru_step,
        ("lstm", "keras"): keras_lstm_step,
        ("gru", "keras"): keras_gru_step,
    }[kind, library]
    x, h, c = rng.normal(size=cell.m), rng.normal(size=cell.n), rng.normal(size=cell.n)
    state0 = {"h": h} if kind == "gru" else {"c": c, "h": h}
    unpacked = params_from_torch(cell, arrays) if library == "torch" else params_from_keras(cell, arrays)
    ours = reference.forward(cell, unpacked, x[None, :], state0).s[1]
    np.testing.assert_allclose(ours, step(arrays, x, h, c), rtol=0, atol=1e-14)


def test_gru_with_b_hn_outside_the_reset_would_differ():
    """A control for the test above: treating b_hn as part of b_n (outside the reset) changes the step."""
    cell = make_cell("gru", n=2, m=1)
    p = random_params(cell, seed=1)
    sd = torch_state_dict(cell, p)
    wrong = {**p, "b_n": p["b_n"] + p["d_n"], "d_n": np.zeros(2)}
    x, h = np.array([0.3]), np.array([0.5, -0.4])
    right_step = reference.forward(cell, p, x[None, :], {"h": h}).s[1]
    wrong_step = reference.forward(cell, wrong, x[None, :], {"h": h}).s[1]
    np.testing.assert_allclose(right_step, torch_gru_step(sd, x, h), atol=1e-14)
    assert np.max(np.abs(wrong_step - right_step)) > 1e-3


# -- what does not travel ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (make_cell("lstm", peephole=True), "no peepholes"),
        (make_cell("lstm", coupled=True), "all four gates"),
        (make_cell("lstm", readout="sigmoid"), "'readout': 'sigmoid'"),
        (make_cell("lstm1997"), "'forget_gate': False"),
        (make_cell("rnn"), "make_cell\\('lstm'\\) and make_cell\\('gru'\\), not make_cell\\('rnn'"),
        (make_cell("dense_memory"), "not make_cell\\('dense_memory'"),
    ],
)
def test_cells_without_a_library_counterpart_are_refused(cell, message):
    p = init_params(cell)
    for call in (
        lambda: torch_state_dict(cell, p),
        lambda: keras_weights(cell, p),
        lambda: params_from_torch(cell, {}),
        lambda: params_from_keras(cell, {}),
    ):
        with pytest.raises(LstmsymError, match=message):
            call()


def test_layout_errors_name_the_array_and_the_expected_shape():
    lstm, gru = make_cell("lstm", n=2), make_cell("gru", n=2)
    sd = torch_state_dict(lstm, init_params(lstm))
    with pytest.raises(LstmsymError, match=r"'weight_ih_l1' is not one of .*num_layers=1"):
        params_from_torch(lstm, {**sd, "weight_ih_l1": sd["weight_ih_l0"]})
    with pytest.raises(LstmsymError, match=r"'weight_ih_l0_reverse'.*bidirectional=False"):
        params_from_torch(lstm, {**sd, "weight_ih_l0_reverse": sd["weight_ih_l0"]})
    with pytest.raises(LstmsymError, match=r"'weight_hh_l0' has shape \(6, 2\); expected \(8, 2\)"):
        params_from_torch(lstm, {**sd, "weight_hh_l0": np.zeros((6, 2))})
    with pytest.raises(LstmsymError, match="'weight_ih_l0' is missing"):
        params_from_torch(lstm, {k: v for k, v in sd.items() if k != "weight_ih_l0"})
    with pytest.raises(LstmsymError, match="NaN"):
        params_from_torch(lstm, {**sd, "bias_hh_l0": np.full(8, np.nan)})
    with pytest.raises(LstmsymError, match="must be a mapping"):
        params_from_torch(lstm, [sd["weight_ih_l0"]])
    with pytest.raises(LstmsymError, match="reset_after=False"):
        params_from_keras(gru, [np.zeros((1, 6)), np.zeros((2, 6)), np.zeros(6)])
    with pytest.raises(LstmsymError, match=r"'kernel' has shape \(6, 1\); expected \(1, 6\)"):
        params_from_keras(gru, [np.zeros((6, 1)), np.zeros((2, 6)), np.zeros((2, 6))])
    with pytest.raises(LstmsymError, match="'gamma' is not one of"):
        params_from_keras(gru, {"gamma": 1})
    with pytest.raises(LstmsymError, match="suffix must be"):
        torch_state_dict(lstm, init_params(lstm), suffix="_l1")
    with pytest.raises(LstmsymError, match="use pack_gru"):
        pack_lstm(gru, init_params(gru))


def test_biases_may_be_left_out():
    """bias=False modules (torch) and use_bias=False layers (Keras) have no bias arrays: zeros."""
    gru = make_cell("gru", n=2)
    sd = torch_state_dict(gru, init_params(gru, seed=1))
    p = params_from_torch(gru, {k: v for k, v in sd.items() if k.startswith("weight")})
    assert not any(p[k].any() for k in ("b_z", "b_r", "b_n", "d_n"))
    w = keras_weights(gru, init_params(gru, seed=1))
    p = params_from_keras(gru, [w["kernel"], w["recurrent_kernel"]])
    assert not any(p[k].any() for k in ("b_z", "b_r", "b_n", "d_n"))


# -- the docs page -----------------------------------------------------------------------------------
DOCS = Path(__file__).resolve().parents[1] / "docs" / "weights.md"


def _docs_example(heading: str) -> tuple[str, str]:
    """The first Python block of a section of docs/weights.md, and the output block after "prints"."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"prints[^\n]*\n\n```\n(.*?)```", section, re.S).group(1)
    return code, shown


def test_the_docs_example_without_torch_prints_what_the_page_shows(capsys):
    """docs/weights.md's NumPy-only example runs and prints the output written below it."""
    code, shown = _docs_example("## Without torch")
    exec(compile(code, str(DOCS), "exec"), {})  # the page's own code, from this repository
    assert capsys.readouterr().out == shown


def test_the_docs_example_with_torch_prints_what_the_page_shows(capsys):
    """docs/weights.md's torch example (a seeded nn.LSTM) prints the output written below it."""
    pytest.importorskip("torch")
    code, shown = _docs_example("## From a torch model")
    exec(compile(code, str(DOCS), "exec"), {})
    assert capsys.readouterr().out == shown


# -- against PyTorch itself (only where torch is installed) ------------------------------------------
def _torch_case(kind, n=3, m=2, T=6, seed=0):
    torch = pytest.importorskip("torch")
    torch.manual_seed(seed)
    module = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(m, n).double()
    with torch.no_grad():  # larger than the default init, so that gates leave their linear range
        for value in module.parameters():
            value.normal_(0.0, 0.8)
    cell = make_cell(kind, n=n, m=m)
    xs = np.random.default_rng(seed).normal(size=(T, m))
    return torch, module, cell, xs


def _torch_run(torch, module, kind, xs, s0, n):
    """s_T from s_0 = (c_0, h_0) or (h_0,) in lstmsym's order, through the torch module."""
    x = torch.as_tensor(xs)[:, None, :]  # (T, batch 1, m)
    if kind == "lstm":
        c0, h0 = s0[:n], s0[n:]
        out, (h, c) = module(x, (h0.reshape(1, 1, n), c0.reshape(1, 1, n)))
        return out[:, 0, :], torch.cat([c.reshape(n), h.reshape(n)])
    out, h = module(x, s0.reshape(1, 1, n))
    return out[:, 0, :], h.reshape(n)


@pytest.mark.parametrize("kind", KINDS)
def test_trajectories_and_jacobians_match_torch(kind, record_property):
    torch, module, cell, xs = _torch_case(kind)
    n = cell.n
    p = params_from_torch(cell, module.state_dict())
    s0 = np.random.default_rng(1).normal(size=cell.state_size)
    state0 = {name: s0[j * n : (j + 1) * n] for j, name in enumerate(cell.state_names)}
    traj = reference.forward(cell, p, xs, state0)
    hs, s_T = _torch_run(torch, module, kind, xs, torch.as_tensor(s0), n)
    trajectory_error = max(
        np.max(np.abs(hs.detach().numpy() - traj.states["h"][1:])),
        np.max(np.abs(s_T.detach().numpy() - traj.s[-1])),
    )
    jac = torch.autograd.functional.jacobian(
        lambda s: _torch_run(torch, module, kind, xs, s, n)[1], torch.as_tensor(s0)
    ).numpy()
    ours = reference.lag_jacobians(cell, p, xs, state0)[0]  # ∂s_T/∂s_0
    jacobian_error = np.max(np.abs(jac - ours))
    record_property("trajectory_max_abs_error", float(trajectory_error))
    record_property("jacobian_max_abs_error", float(jacobian_error))
    size = np.abs(ours).max()
    print(f"{kind}: trajectory {trajectory_error:.1e}, ∂s_T/∂s_0 {jacobian_error:.1e}, max |J| {size:.2f}")
    assert trajectory_error < 1e-12 and jacobian_error < 1e-12

    fresh = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(cell.m, n).double()
    fresh.load_state_dict({k: torch.tensor(v) for k, v in torch_state_dict(cell, p).items()})
    again, _ = _torch_run(torch, fresh, kind, xs, torch.as_tensor(s0), n)
    np.testing.assert_allclose(again.detach().numpy(), traj.states["h"][1:], rtol=0, atol=1e-12)


def test_symbolic_jacobians_match_torch_for_the_lstm():
    """The symbolic engine (compiled), not only the NumPy reference, against nn.LSTM's autograd."""
    from lstmsym.numerics.compile import compile_cell

    torch, module, cell, xs = _torch_case("lstm", n=2, m=1, T=4)
    p = params_from_torch(cell, module.state_dict())
    s0 = np.zeros(cell.state_size)
    jac = torch.autograd.functional.jacobian(
        lambda s: _torch_run(torch, module, "lstm", xs, s, cell.n)[1], torch.as_tensor(s0)
    ).numpy()
    symbolic = compile_cell(cell).lag_jacobians(p, xs, {"c": s0[:2], "h": s0[2:]})[0]
    np.testing.assert_allclose(symbolic, jac, rtol=0, atol=1e-12)
