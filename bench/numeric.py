"""The all-lag sweep ‖∂c_T/∂c_k‖₂, k = 0..T, for an LSTM: lstmsym against the alternatives, in one run.

Run by hand, from the repository root:

    .venv/bin/python bench/numeric.py

OPENBLAS_NUM_THREADS (and the MKL / OpenMP equivalents) is set to 1 below, before NumPy is imported, so every
method runs on one core; torch is set to one thread too. For n in {4, 16, 64} and T = 1000 (same parameters,
PyTorch's default initialisation with keep-gate bias 1, and inputs x_t ~ N(0, 1) for every method):

- lstmsym: ``lstmsym.experiments.sweeps.lag_norms`` (the NumPy reference's ``lag_jacobian_norms``);
- hand-written NumPy: the loop a student would write (below): a forward pass that stores the gates, then
  one step Jacobian per step from its formula, a running product, and ``np.linalg.norm(block, 2)`` per lag;
- torch: the step Jacobians from ``torch.autograd.functional.jacobian`` of a float64 torch step function,
  with the same running product and norms in torch (default, and ``vectorize=True``). Printed as
  "not installed" when torch cannot be imported (``pip install torch==2.13.0`` in a separate environment).

Every method's norms are checked against lstmsym's before its time is printed. Times are the median of
REPEATS runs (a single run where one takes longer than 5 s). Targets: lstmsym within 1.5x of the hand-written
loop, and at least 10x faster than torch's jacobian.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy (and torch) are imported

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # lstmsym from this checkout, in any venv

import lstmsym as ls  # noqa: E402
from lstmsym.experiments.sweeps import lag_norms, sample_run  # noqa: E402

SIZES = (4, 16, 64)
T = 1000
REPEATS = 5
SEED = 0


# --- the hand-written loop ---------------------------------------------------------------------------------


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def handwritten_norms(p, xs):
    """‖∂c_T/∂c_k‖₂ for k = 0..T, written the obvious way (LSTM, tanh readout, no peepholes)."""
    n = p["W_f"].shape[0]
    c, h = np.zeros(n), np.zeros(n)
    steps = []
    for x in xs:  # forward: keep what the Jacobians need
        i = sigmoid(p["W_i"] @ h + p["U_i"] @ x + p["b_i"])
        f = sigmoid(p["W_f"] @ h + p["U_f"] @ x + p["b_f"])
        g = np.tanh(p["W_g"] @ h + p["U_g"] @ x + p["b_g"])
        o = sigmoid(p["W_o"] @ h + p["U_o"] @ x + p["b_o"])
        c_prev = c
        c = f * c_prev + i * g
        h = o * np.tanh(c)
        steps.append((i, f, g, o, c_prev, c))
    M = np.eye(2 * n)  # ∂s_T/∂s_k, s = [c; h]
    norms = np.empty(len(xs) + 1)
    norms[-1] = 1.0
    for t in range(len(xs), 0, -1):  # backward: J_t = ∂s_t/∂s_{t-1}
        i, f, g, o, c_prev, c = steps[t - 1]
        dc_dc = np.diag(f)
        dc_dh = (
            np.diag(c_prev * f * (1 - f)) @ p["W_f"]
            + np.diag(g * i * (1 - i)) @ p["W_i"]
            + np.diag(i * (1 - g**2)) @ p["W_g"]
        )
        tc = np.tanh(c)
        dh_dc = np.diag(o * (1 - tc**2)) @ dc_dc
        dh_dh = np.diag(tc * o * (1 - o)) @ p["W_o"] + np.diag(o * (1 - tc**2)) @ dc_dh
        J = np.block([[dc_dc, dc_dh], [dh_dc, dh_dh]])
        M = M @ J
        norms[t - 1] = np.linalg.norm(M[:n, :n], 2)
    return norms


# --- torch -------------------------------------------------------------------------------------------------


def torch_norms(p, xs, vectorize=False):
    """The same sweep with each step Jacobian from torch.autograd.functional.jacobian (float64)."""
    import torch
    from torch.autograd.functional import jacobian

    P = {k: torch.from_numpy(v) for k, v in p.items()}
    X = torch.from_numpy(xs)
    n = p["W_f"].shape[0]

    def step(s, x):
        c, h = s[:n], s[n:]
        i = torch.sigmoid(P["W_i"] @ h + P["U_i"] @ x + P["b_i"])
        f = torch.sigmoid(P["W_f"] @ h + P["U_f"] @ x + P["b_f"])
        g = torch.tanh(P["W_g"] @ h + P["U_g"] @ x + P["b_g"])
        o = torch.sigmoid(P["W_o"] @ h + P["U_o"] @ x + P["b_o"])
        c = f * c + i * g
        return torch.cat([c, o * torch.tanh(c)])

    with torch.no_grad():
        states = [torch.zeros(2 * n, dtype=torch.float64)]
        for x in X:
            states.append(step(states[-1], x))
    M = torch.eye(2 * n, dtype=torch.float64)
    norms = torch.empty(len(xs) + 1, dtype=torch.float64)
    norms[-1] = 1.0
    for t in range(len(xs), 0, -1):
        J = jacobian(lambda s, t=t: step(s, X[t - 1]), states[t - 1], vectorize=vectorize)
        M = M @ J
        norms[t - 1] = torch.linalg.matrix_norm(M[:n, :n], ord=2)
    return norms.numpy()


# --- timing ------------------------------------------------------------------------------------------------


def measure(fn, reference):
    """Median seconds of fn() over REPEATS runs (one run if it takes > 5 s); its result is checked first."""
    times = []
    while len(times) < REPEATS:
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if len(times) == 1:
            keep = reference > 1e-250
            err = np.max(np.abs(np.log10(result[keep]) - np.log10(reference[keep])))
            if err > 1e-8:
                raise AssertionError(f"norms disagree with lstmsym's: max |log10 difference| {err:.1e}")
            if times[0] > 5.0:
                break
    return statistics.median(times)


def main():
    try:
        import torch

        torch.set_num_threads(1)
        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    print(
        f"all-lag sweep ||dc_T/dc_k||_2, k = 0..{T}, LSTM (tanh readout), one thread (OPENBLAS_NUM_THREADS=1)"
    )
    print(f"NumPy {np.__version__}, torch {torch_version or 'not installed'}, median of {REPEATS} runs")
    print()
    head = f"{'n':>3} {'lstmsym':>10} {'hand NumPy':>11} {'torch jac':>10} {'torch vec':>10}"
    print(head + f" {'lstmsym/hand':>13} {'torch/lstmsym':>14} {'vec/lstmsym':>12}")
    for n in SIZES:
        cell = ls.make_cell("lstm", n=n)
        params, xs = sample_run(cell, T, SEED)
        reference = lag_norms(cell, T, params=params, xs=xs, ord=2).norms[::-1]  # indexed by k
        t_lib = measure(
            lambda cell=cell, params=params, xs=xs: lag_norms(cell, T, params=params, xs=xs).norms[::-1],
            reference,
        )
        t_hand = measure(lambda params=params, xs=xs: handwritten_norms(params, xs), reference)
        if torch_version:
            t_jac = measure(lambda params=params, xs=xs: torch_norms(params, xs), reference)
            t_vec = measure(lambda params=params, xs=xs: torch_norms(params, xs, vectorize=True), reference)
            jac, vec = f"{t_jac:>9.3f}s", f"{t_vec:>9.3f}s"
            r_jac, r_vec = f"{t_jac / t_lib:>13.1f}x", f"{t_vec / t_lib:>11.1f}x"
        else:
            jac = vec = f"{'n/a':>10}"
            r_jac = r_vec = f"{'not installed':>14}"
        print(f"{n:>3} {t_lib:>9.3f}s {t_hand:>10.3f}s {jac} {vec} {t_lib / t_hand:>12.2f}x {r_jac} {r_vec}")
    print()
    print("targets: lstmsym/hand <= 1.5x; torch/lstmsym >= 10x")


if __name__ == "__main__":
    main()
