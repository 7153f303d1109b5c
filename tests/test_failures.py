"""Failure behaviour: every bad request gets a clear LstmsymError, quickly, and never runs code.

Complements the error tables of test_cells.py, test_derivatives.py and test_numerics.py (names, sizes and
parameter checks of the symbolic side): here are code passed where a name is expected, the NumPy
reference's own input checks, NumPy integers where whole numbers are expected, non-numeric options, and
symbolic requests too large to build, each run under a watchdog so that a hang fails instead of blocking.
"""

import signal
import time
from contextlib import contextmanager

import numpy as np
import pytest

from lstmsym import Chain, compile_cell, init_params, make_cell, random_sequence, verify_cell
from lstmsym.derivatives.step import block_latex, jacobian_block, step_jacobian
from lstmsym.errors import ExpansionTooLargeError, LstmsymError
from lstmsym.numerics import reference

WATCHDOG_SECONDS = 20  # generous: a refusal returns in well under a second (reported, not asserted)


class Hung(Exception):
    pass


@contextmanager
def watchdog(seconds: float = WATCHDOG_SECONDS):
    """Fail (instead of blocking CI) if the body runs longer than ``seconds``; yields the elapsed time."""

    def expire(signum, frame):
        raise Hung(f"still running after {seconds} s")

    elapsed = {}
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        elapsed["seconds"] = time.perf_counter() - start


# ---------------------------------------------------------------------------------------------------------
# code where a name is expected: rejected by comparison with the valid names, never evaluated


def _payloads(marker):
    return [
        f"__import__('os').system('touch {marker}')",
        f"exec(\"open('{marker}', 'w').close()\")",
        f"lstm; import os; os.system('touch {marker}')",
        f"{{{{ __import__('os').system('touch {marker}') }}}}",
    ]


def _name_calls(code: str):
    """Every entry point that takes a name (cell, switch, choice, state, label), called with ``code``."""
    lstm = make_cell("lstm", n=1)
    params, xs = init_params(lstm, seed=0), np.zeros((2, 1))
    shaped_like = type("Shaped", (), {"kind": code, "options": {}, "n": 1, "m": 1, "state_names": ("h",)})
    return [
        lambda: make_cell(code),
        lambda: make_cell("lstm", **{code: True}),
        lambda: make_cell("lstm", readout=code),
        lambda: make_cell("lstm", peephole=code),
        lambda: lstm.step(code),
        lambda: lstm.step("t").rule(code),
        lambda: step_jacobian(lstm, notation=code),
        lambda: step_jacobian(lstm, path=code),
        lambda: jacobian_block(lstm, code, "c"),
        lambda: jacobian_block(lstm, "c", code),
        lambda: block_latex(lstm, "c", "c", path=code),
        lambda: Chain(lstm, code, "c", T=2),
        lambda: Chain(lstm, "c", "c", T=2, notation=code),
        lambda: compile_cell(lstm).lag_jacobians(params, xs, path=code),
        lambda: reference.forward(shaped_like(), {}, xs),
        lambda: reference.lag_jacobian_norms(lstm, params, xs, block=code),
        lambda: reference.lag_jacobian_norms(lstm, params, xs, ord=code),
        lambda: reference.forward(lstm, {**params, code: np.zeros(1)}, xs),  # an extra key: ignored
        lambda: init_params(lstm, seed=code),
        lambda: random_sequence(lstm, T=code),
    ]


TOLERATED = 17  # the index of the extra-parameter call above


@pytest.mark.parametrize("index", range(len(_name_calls("x"))))
def test_code_passed_as_a_name_is_rejected_and_never_run(index, tmp_path):
    marker = tmp_path / "pwned"
    for code in _payloads(marker):
        call = _name_calls(code)[index]
        try:
            call()
        except ValueError as error:  # LstmsymError, or the reference's ValueError
            assert "Traceback" not in str(error)
        else:
            # only an extra parameter name is tolerated, by the reference (it reads the ones it needs)
            assert index == TOLERATED, f"call {index} accepted {code!r}"
        assert not marker.exists(), f"call {index} ran {code!r}"


@pytest.mark.parametrize("value", [["lstm"], {"lstm": 1}, None, 3, b"lstm", "LSTM ", "lstm\x00"])
def test_names_of_other_types_or_near_misses_are_rejected(value):
    with pytest.raises(LstmsymError, match="is not valid; expected one of"):
        make_cell(value)
    with pytest.raises(LstmsymError, match="is not valid; expected one of"):
        step_jacobian(make_cell("rnn"), notation=value)


# ---------------------------------------------------------------------------------------------------------
# sizes and counts


@pytest.mark.parametrize("bad", [0, -2, None, "2", 2.0, np.float64(2.0), np.array([2])])
def test_sizes_must_be_whole_numbers_at_least_one(bad):
    for kwargs in ({"n": bad}, {"m": bad}):
        with pytest.raises(LstmsymError, match="must be a whole number >= 1"):
            make_cell("gru", **kwargs)


def test_numpy_integers_are_whole_numbers():
    """Found here: np.int64 sizes (from np.arange) were refused as 'not a whole number'; now accepted."""
    cell = make_cell("lstm", n=np.int64(2), m=np.int32(1))
    assert (cell.n, cell.m) == (2, 1) and type(cell.n) is int
    assert verify_cell(make_cell("rnn"), T=np.int64(2)).ok
    assert (
        Chain(make_cell("lstm"), "c", "c", T=np.int64(3), path="direct").doit()[0]
        == (Chain(make_cell("lstm"), "c", "c", T=3, path="direct").doit()[0])
    )


@pytest.mark.parametrize("T", [0, -1, 2.5, None, True])
def test_sequence_lengths_below_one_are_refused(T):
    cell = make_cell("lstm", n=2)
    with pytest.raises(LstmsymError, match="T must be"):
        random_sequence(cell, T)
    with pytest.raises(LstmsymError, match="T must be"):
        Chain(cell, "c", "c", T=T)


def test_empty_sequences_are_refused_by_the_compiled_path():
    cell = make_cell("lstm", n=2)
    compiled, params = compile_cell(cell), init_params(cell)
    for call in (compiled.run, compiled.lag_jacobians):
        with pytest.raises(LstmsymError, match=r"'xs' has shape \(0, 1\); expected \(T, 1\) with T >= 1"):
            call(params, np.zeros((0, 1)))


# ---------------------------------------------------------------------------------------------------------
# options that must be numbers


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": "1"}, "scale must be a positive number"),
        ({"scale": True}, "scale must be a positive number"),
        ({"scale": np.inf}, "scale must be a positive number"),
        ({"scale": 0.0}, "scale must be a positive number"),
        ({"forget_bias": "1"}, "forget_bias must be a finite number"),
        ({"forget_bias": np.nan}, "forget_bias must be a finite number"),
        ({"forget_bias": -np.inf}, "forget_bias must be a finite number"),
    ],
)
def test_init_params_options_must_be_real_numbers(kwargs, message):
    """Found here: a string scale or forget bias raised NumPy's TypeError from np.isfinite."""
    with pytest.raises(LstmsymError, match=message):
        init_params(make_cell("lstm"), **kwargs)


# ---------------------------------------------------------------------------------------------------------
# shapes, dtypes and non-finite values, through the public compiled and reference functions


def _lstm():
    cell = make_cell("lstm", n=2, m=1)
    return cell, init_params(cell, seed=0), random_sequence(cell, 3, seed=1)


@pytest.mark.parametrize(
    ("xs", "message"),
    [
        (np.zeros(3), r"shape \(3,\)"),
        (np.zeros((3, 1, 1)), r"shape \(3, 1, 1\)"),
        (np.zeros((3, 2)), r"shape \(3, 2\)"),
        ([["a"], ["b"]], "must hold real numbers"),
        (np.array([[None]], dtype=object), "must hold real numbers"),
        (np.array([[1j]]), "must hold real numbers"),
        (np.array([[np.inf]]), "NaN or infinite"),
        (np.array([[0.0], [-np.inf]]), "NaN or infinite"),
    ],
)
def test_compiled_path_refuses_bad_inputs(xs, message):
    cell, params, _ = _lstm()
    compiled = compile_cell(cell)
    for call in (compiled.run, compiled.lag_jacobians):
        with pytest.raises(LstmsymError, match=message):
            call(params, xs)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"c": [np.nan, 0.0], "h": [0.0, 0.0]}, "state 'c' contains NaN or infinite"),
        ({"c": [0.0, 0.0], "h": [0.0, np.inf]}, "state 'h' contains NaN or infinite"),
        ({"c": ["x", "y"], "h": [0.0, 0.0]}, "state 'c' must hold real numbers"),
        (np.zeros(4), r"state must map exactly \['c', 'h'\]"),
    ],
)
def test_compiled_path_refuses_bad_states(state, message):
    cell, params, xs = _lstm()
    with pytest.raises(LstmsymError, match=message):
        compile_cell(cell).lag_jacobians(params, xs, state)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (None, "params must be a mapping"),
        ({"W_f": 1.0}, "is missing"),
        ("change", "has shape ()"),
    ],
)
def test_compiled_path_refuses_bad_parameters(params, message):
    cell, good, xs = _lstm()
    if params == "change":
        params = {**good, "b_f": 1.0}  # a scalar where (n,) is expected
    with pytest.raises(LstmsymError, match=message):
        compile_cell(cell).run(params, xs)


def _reference_calls(cell, params, xs, state0=None):
    return {
        "forward": lambda: reference.forward(cell, params, xs, state0),
        "lag_jacobians": lambda: reference.lag_jacobians(cell, params, xs, state0),
        "lag_jacobian_norms": lambda: reference.lag_jacobian_norms(cell, params, xs, state0),
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # found here: a (T, 3) input to an m = 1 cell was silently read as 3T steps of one input
        (lambda c, p, xs, s: (p, np.zeros((3, 3)), s), r"'xs' has shape \(3, 3\); expected \(T, 1\)"),
        (lambda c, p, xs, s: (p, np.zeros((3, 1, 1)), s), r"'xs' has shape \(3, 1, 1\)"),
        # found here: NaN or infinite values came back as NaN results (with a RuntimeWarning for inf)
        (lambda c, p, xs, s: (p, np.full((3, 1), np.nan), s), "'xs' contains NaN or infinite"),
        (lambda c, p, xs, s: ({**p, "W_f": np.full((2, 2), np.inf)}, xs, s), "'W_f' contains NaN or inf"),
        (lambda c, p, xs, s: (p, xs, {"c": [np.nan, 0.0], "h": [0.0, 0.0]}), "state 'c' contains NaN"),
        # found here: a missing or misshapen parameter raised a bare KeyError or a matmul error
        (lambda c, p, xs, s: ({k: v for k, v in p.items() if k != "W_f"}, xs, s), "'W_f' is missing"),
        (lambda c, p, xs, s: ({**p, "W_f": np.zeros((3, 3))}, xs, s), r"'W_f' has shape \(3, 3\)"),
    ],
)
def test_reference_refuses_bad_inputs(change, message):
    cell, params, xs = _lstm()
    params, xs, state0 = change(cell, params, xs, None)
    for call in _reference_calls(cell, params, xs, state0).values():
        with pytest.raises(LstmsymError, match=message):
            call()


def test_reference_step_jacobian_and_backward_refuse_non_finite_values():
    cell, params, xs = _lstm()
    with pytest.raises(LstmsymError, match="input x contains NaN"):
        reference.step_jacobian(cell, params, [np.nan], None)
    traj = reference.forward(cell, params, xs)
    with pytest.raises(LstmsymError, match="contains NaN or infinite"):
        reference.backward(cell, params, traj, xs, np.array([np.inf, 0.0, 0.0, 0.0]))


def test_reference_still_takes_flat_inputs_for_one_input_and_no_steps():
    cell, params, xs = _lstm()
    np.testing.assert_array_equal(
        reference.forward(cell, params, xs[:, 0]).s, reference.forward(cell, params, xs).s
    )
    assert reference.forward(cell, params, np.zeros((0, 1))).T == 0


# ---------------------------------------------------------------------------------------------------------
# symbolic requests too large to build: refused before any work, well within the watchdog


@pytest.mark.parametrize(
    ("label", "call", "message"),
    [
        (
            "expanded 40-step chain, LSTM n=3",
            lambda: Chain(make_cell("lstm", n=3), "c", "c", T=40, notation="expanded").doit(),
            "notation='gate'",
        ),
        (
            "total 300-step chain, dense peephole LSTM n=4",
            lambda: Chain(make_cell("lstm", n=4, readout="dense", peephole=True), "h", "c", T=300).doit(),
            "product form",
        ),
        ("a billion steps", lambda: Chain(make_cell("gru", n=2), "h", "h", T=10**9), "numerically"),
        # found here: these built symbols for minutes, or until memory ran out
        ("step Jacobian of an LSTM with n=12", lambda: step_jacobian(make_cell("lstm", n=12)), "reference"),
        ("compiling a GRU with n=18", lambda: compile_cell(make_cell("gru", n=18)), "reference"),
        ("equations of an LSTM with n=10^4", lambda: make_cell("lstm", n=10**4).latex(), "reference"),
        ("equations of an RNN with n=10^6", lambda: make_cell("rnn", n=10**6).step(), "reference"),
        ("verifying an RNN with n=40", lambda: verify_cell(make_cell("rnn", n=40)), "reference"),
    ],
)
def test_too_large_symbolic_requests_are_refused_quickly(label, call, message, record_property):
    with watchdog() as elapsed, pytest.raises(ExpansionTooLargeError, match=message):
        call()
    record_property("refusal_seconds", elapsed.get("seconds"))


# ---------------------------------------------------------------------------------------------------------
# huge requests on the command line: refused with an estimate (or a range) before any work starts.
# Found here: `lstmsym sweep --cell gru --steps 100000000` ran silently until memory ran out, and
# `lstmsym check --steps 100000` and `--n 100000` ran for hours or died in a NumPy MemoryError.


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", "--cell", "gru", "--steps", "100000000"], "would take about"),
        (["sweep", "--cell", "lstm", "--n", "4096"], "at least"),
        (["sweep", "--cell", "rnn", "--m", "10000000000"], "at least"),
        (["check", "--steps", "100000"], "from 1 to 200"),
        (["check", "rnn", "--n", "100000"], "parameters, more than"),
        (["derive", "--what", "dc", "--steps", "1000000"], "from 1 to 10000"),
        (["derive", "--what", "dc", "--steps", "100", "--max-factors", "100000"], "from 1 to 100"),
    ],
)
def test_huge_command_line_requests_are_refused_quickly(argv, message, capsys, record_property):
    from lstmsym.cli import main

    with watchdog() as elapsed:
        try:
            status = main(argv)
        except SystemExit as stop:
            status = stop.code
    assert status == 2 and message in capsys.readouterr().err
    record_property("refusal_seconds", elapsed.get("seconds"))


def test_the_numeric_route_takes_the_cells_the_symbolic_route_refuses():
    cell = make_cell("lstm", n=64, m=3)
    params = init_params(cell, seed=0)
    norms = reference.lag_jacobian_norms(cell, params, random_sequence(cell, 20, seed=1), block="c")
    assert norms.shape == (21,) and np.all(np.isfinite(norms))


def test_a_request_within_budget_still_builds():
    J = step_jacobian(make_cell("gru", n=3))
    assert J.shape == (3, 3)


def test_the_watchdog_stops_a_hang():
    with pytest.raises(Hung), watchdog(0.2):
        while True:
            time.sleep(0.01)
