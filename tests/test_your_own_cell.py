"""A user's cells, declared in a file outside the package (docs/examples/my_cells.py), through everything a
built-in cell gets: derive, check, sweep, train and the diagram, from Python and from the command line.

Every number is checked three ways: a symbolic identity, central differences, and a small NumPy computation
written here, independently of the compiled path.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import lstmsym as ls
from lstmsym.cells import cell_names, load_cell_file, make_cell, unregister_cell
from lstmsym.cells.variants import VARIANTS
from lstmsym.derivatives.backward import backward_step
from lstmsym.derivatives.chain import Chain
from lstmsym.derivatives.step import jacobian_block, step_jacobian
from lstmsym.numerics import reference
from lstmsym.numerics.compile import compile_cell
from lstmsym.numerics.gradcheck import central_differences
from lstmsym.numerics.params import init_params
from lstmsym.numerics.verify import verify_cell
from lstmsym.training import batched
from lstmsym.training.loop import train
from lstmsym.training.tasks import SignTask

ROOT = Path(__file__).resolve().parents[1]
CELL_FILE = ROOT / "docs" / "examples" / "my_cells.py"
NAMES = ("decay_carousel", "reset_gru")


@pytest.fixture(scope="module", autouse=True)
def my_cells():
    """The user's file, loaded by path; its cells are removed again afterwards (the registry stays the
    package's for the other test modules)."""
    assert load_cell_file(CELL_FILE) == NAMES
    yield
    for name in NAMES:
        if name in cell_names():
            unregister_cell(name)


def sym(name):
    return sp.Symbol(name, real=True)


# --- derive ---------------------------------------------------------------------------------------


def test_the_cells_join_every_list_of_names():
    for name in NAMES:
        assert name in ls.CELL_NAMES and name in VARIANTS and name in cell_names(builtin=False)
        assert not reference.has_hand_written(make_cell(name))
    assert reference.has_hand_written(make_cell("lstm"))


def test_direct_paths_in_gate_notation():
    carousel, gru = make_cell("decay_carousel"), make_cell("reset_gru")
    assert jacobian_block(carousel, "c", "c", path="direct") == sp.Matrix([[sym("f_{t}")]])
    assert jacobian_block(gru, "h", "h", path="direct") == sp.Matrix([[sym("r_{t}") * sym("z_{t}")]])
    assert Chain(carousel, "c", "c", T=3, path="direct").doit() == sp.Matrix(
        [[sym("f_{1}") * sym("f_{2}") * sym("f_{3}")]]
    )


@pytest.mark.parametrize("name", NAMES)
def test_step_jacobian_is_the_jacobian_of_the_expanded_step(name):
    """Symbolic identity: the chain rule over the rules equals SymPy's Jacobian of the expanded map."""
    cell = make_cell(name)
    step = cell.step("t")
    expanded = sp.Matrix([step.expansion[s] for s in step.state_vector])
    direct = expanded.jacobian(step.prev_vector)
    ours = step_jacobian(cell, "expanded", "total")
    assert (ours - direct).applyfunc(lambda e: sp.simplify(e.rewrite(sp.exp))) == sp.zeros(*ours.shape)


def test_reverse_mode_backward_is_the_transposed_forward_mode():
    """Symbolic identity: the engine's backward pass, ḡᵀ ∂s_t/∂s_{t-1}, equals the cotangent times the
    forward-mode step Jacobian."""
    cell = make_cell("decay_carousel")
    back = backward_step(cell)
    J = step_jacobian(cell, "gate", "total")
    expected = sp.Matrix([back.cotangent]) * J
    assert all(sp.expand(a - b) == 0 for a, b in zip(back.prev, expected, strict=True))


# --- numbers: compiled against NumPy written here -------------------------------------------------


def numpy_carousel(params, xs, c0, h0):
    """The decay carousel written out in NumPy, n units, m = 1 (independent of the compiled path)."""
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731
    c, h, out = c0.copy(), h0.copy(), [np.concatenate([c0, h0])]
    for x in xs:
        i, g, o = (
            act(params[f"W_{k}"] @ h + params[f"U_{k}"] @ x + params[f"b_{k}"])
            for k, act in (("i", sig), ("g", np.tanh), ("o", sig))
        )
        c = sig(params["b_f"]) * c + i * g
        h = o * np.tanh(c)
        out.append(np.concatenate([c, h]))
    return np.array(out)


@pytest.fixture
def carousel_run():
    cell = make_cell("decay_carousel", n=2)
    rng = np.random.default_rng(3)
    params = init_params(cell, rng, scale=0.7)
    params["b_f"] = np.array([1.5, -0.5])
    xs = rng.normal(size=(6, 1))
    state0 = {"c": rng.normal(size=2), "h": rng.normal(size=2)}
    return cell, params, xs, state0


def test_compiled_trajectory_and_lag_jacobians_against_numpy(carousel_run):
    cell, params, xs, state0 = carousel_run
    mine = numpy_carousel(params, xs, state0["c"], state0["h"])
    traj = compile_cell(cell).run(params, xs, state0)
    assert np.allclose(traj.s, mine, rtol=1e-13, atol=1e-15)
    # total: ∂s_T/∂s_0 by central differences of the NumPy map written above
    fd = central_differences(lambda s: numpy_carousel(params, xs, s[:2], s[2:])[-1], traj.s[0])
    J = reference.lag_jacobians(cell, params, xs, state0)  # the reference's loops on the compiled step
    assert np.allclose(J[0], fd, rtol=1e-6, atol=1e-9)
    # direct: the carousel with every gate held is diag(σ(d))^lag, in closed form
    direct = reference.lag_jacobians(cell, params, xs, state0, direct=True)
    decay = 1.0 / (1.0 + np.exp(-params["b_f"]))
    for k in range(len(xs) + 1):
        assert np.allclose(direct[k][:2, :2], np.diag(decay ** (len(xs) - k)), rtol=1e-13)


def test_compiled_backward_against_central_differences(carousel_run):
    cell, params, xs, state0 = carousel_run
    cot = np.array([0.3, -1.0, 0.8, 0.5])
    loss = lambda p: cot @ numpy_carousel(p, xs, state0["c"], state0["h"])[-1]  # noqa: E731
    traj = reference.forward(cell, params, xs, state0)
    grads = reference.backward(cell, params, traj, xs, cot)
    for name, value in params.items():

        def f(v, name=name, shape=value.shape):
            return np.array([loss({**params, name: v.reshape(shape)})])

        assert np.allclose(
            grads.dparams[name].ravel(), central_differences(f, value.ravel())[0], rtol=1e-6, atol=1e-9
        ), name


@pytest.mark.parametrize("name", NAMES)
def test_verify_cell_passes_and_can_fail(name, monkeypatch):
    cell = make_cell(name, n=2)
    result = verify_cell(cell, T=4, seed=2)
    assert result.ok and [c.status for c in result.checks] == ["pass"] * 5
    assert "reverse mode vs central differences" in result.checks[1].label
    # a backward pass off by a factor fails both its checks
    compiled = compile_cell(cell)
    real = compiled.vjp
    monkeypatch.setattr(
        compiled, "vjp", lambda *a: tuple(1.01 * np.asarray(v, dtype=float) for v in real(*a))
    )
    broken = verify_cell(cell, T=4, seed=2)
    assert [c.status for c in broken.checks][1] == "fail" and broken.checks[4].status == "fail"


# --- sweep ----------------------------------------------------------------------------------------


def test_sweep_direct_path_is_the_decay_to_the_lag():
    from lstmsym.experiments.sweeps import lag_norms

    cell = make_cell("decay_carousel", n=1)
    params = init_params(cell, np.random.default_rng(0))
    params["b_f"] = np.array([2.0])
    xs = np.random.default_rng(1).normal(size=(300, 1))
    run = lag_norms(cell, T=300, direct=True, params=params, xs=xs)  # state "memory": c
    decay = 1.0 / (1.0 + np.exp(-2.0))
    assert np.allclose(run.log10_norms, np.arange(301) * np.log10(decay), atol=1e-9)
    total = lag_norms(cell, T=300, params=params, xs=xs)
    assert np.all(np.isfinite(total.log10_norms)) and total.log10_norms[0] == 0.0


# --- train ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_trainer_gradients_against_central_differences(name):
    cell = make_cell(name, n=3)
    rng = np.random.default_rng(1)
    params = {**init_params(cell, rng, scale=0.5), "w_out": rng.normal(size=3), "b_out": np.array([0.1])}
    xs, target = rng.normal(size=(7, 4, 1)), np.array([1.0, 0.0, 1.0, 1.0])
    mask = np.ones((7, 4))
    mask[:2, 1] = 0.0  # a shorter sequence
    out = batched.loss_and_grads(cell, params, xs, target, "logistic", mask=mask)
    for key, value in params.items():

        def f(v, key=key, shape=value.shape):
            p = {**params, key: v.reshape(shape)}
            return np.array([batched.loss_and_grads(cell, p, xs, target, "logistic", mask=mask).loss])

        assert np.allclose(
            out.grads[key].ravel(), central_differences(f, value.ravel())[0], rtol=1e-6, atol=1e-9
        ), key


def test_training_a_users_cell_learns_the_sign_task():
    cell = make_cell("decay_carousel", n=4)
    result = train(cell, SignTask(T=5, noise=0.5), steps=200, seed=0)
    assert result.final_accuracy >= 0.95


# --- diagram --------------------------------------------------------------------------------------


def test_diagram_from_the_rules():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    graph = ls.cell_graph(make_cell("reset_gru"))
    from lstmsym.diagrams import diagram_svg, direct_edges

    assert sorted(direct_edges(graph)) == [("h_prev", "h"), ("r", "h"), ("z", "h")]
    fig = ls.draw_cell(make_cell("decay_carousel"), highlight="direct")
    nodes = sorted(p.get_gid() for p in fig.axes[0].patches if str(p.get_gid()).startswith("node:"))
    assert nodes == [
        "node:c",
        "node:c_prev",
        "node:f",
        "node:g",
        "node:h",
        "node:h_prev",
        "node:i",
        "node:o",
        "node:x",
    ]
    plt.close(fig)
    assert diagram_svg("decay_carousel").startswith("<?xml")


# --- the command line, in a fresh process ---------------------------------------------------------


def lstmsym(*args, check=True):
    done = subprocess.run(
        [sys.executable, "-m", "lstmsym", *args], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_cli_derive_check_sweep():
    out = lstmsym(
        "derive", "--cell-file", str(CELL_FILE), "--cell", "reset_gru", "--path", "direct", "--format", "text"
    ).stdout
    assert "dh_t/dh_{t-1} (direct) = r_{t}*z_{t}" in out
    out = lstmsym(
        "check", "--cell-file", str(CELL_FILE), "decay_carousel", "reset_gru", "--steps", "4"
    ).stdout
    assert "decay_carousel*" in out and "all 2 passed" in out and "no hand-written NumPy reference" in out
    out = lstmsym(
        "sweep", f"--cell-file={CELL_FILE}", "--cell", "decay_carousel", "--n", "2", "--steps", "50"
    ).stdout
    rows = [line.split(",") for line in out.strip().splitlines()]
    assert rows[0] == ["lag", "total", "direct"] and len(rows) == 52


def test_cli_catalogue_and_train(tmp_path):
    lstmsym("derive", "--all", "--cell-file", str(CELL_FILE), "--output-dir", str(tmp_path / "cat"))
    assert (tmp_path / "cat" / "decay_carousel.md").is_file() and (
        tmp_path / "cat" / "reset_gru.svg"
    ).is_file()
    assert "decay_carousel" in (tmp_path / "cat" / "README.md").read_text()
    out = tmp_path / "runs.json"
    lstmsym(
        "train",
        "--cell-file",
        str(CELL_FILE),
        "--configs",
        "reset_gru,rnn",
        "--lags",
        "3",
        "--seeds",
        "2",
        "--steps",
        "20",
        "--hidden",
        "2",
        "--workers",
        "2",
        "--out",
        str(out),
    )
    results = json.loads(out.read_text())
    assert results["configs"] == ["reset_gru", "rnn"] and len(results["runs"]) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no such file"),
        ("x = 1\n", "registers no cell; decorate a Cell subclass with @register_cell('name')"),
        ("def broken(:\n", "importing it failed: SyntaxError"),
        (
            "from lstmsym.cells import Cell, register_cell\n"
            "@register_cell('bad_cell')\n"
            "class Bad(Cell):\n"
            "    state_names = ('c', 'h')\n"
            "    parameters = {'W': ('n', 'n')}\n"
            "    def declare(self, b):\n"
            "        b.state('h', (b.param('W') @ b.prev('h')).apply('tanh'))\n",
            "state 'c' is never updated",
        ),
    ],
)
def test_cli_cell_file_errors(tmp_path, text, message):
    path = tmp_path / "cells.py"
    if text is not None:
        path.write_text(text)
    done = lstmsym("check", "--cell-file", str(path), check=False)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
