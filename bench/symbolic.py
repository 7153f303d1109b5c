"""Time to build ∂c_T/∂c_0 symbolically: lstmsym's chain against naive SymPy differentiation.

Run by hand, from the repository root:

    .venv/bin/python bench/symbolic.py

Rows:
- gate notation, T in {10, 100, 1000}: ``Chain(lstm, "c", "c", T).factors`` (the T step Jacobians with their
  time labels) and ``.latex()`` (the product form, middle factors elided);
- expanded, scalar LSTM, T in {2, 3, 4}: ``Chain(..., notation="expanded").doit()``, the product multiplied
  out and written in the parameters, inputs and initial state;
- naive SymPy, same T: c_T unrolled by hand in plain SymPy (σ(a) = 1/(1 + e^-a)) and ``sympy.diff(c_T, c_0)``,
  with a time limit of LIMIT seconds ("> limit" when it is exceeded).

Every row runs in its own fresh subprocess, so that no row profits from SymPy's caches filled by another;
only the request itself is timed (not the interpreter start-up or the imports).

Targets: gate notation T = 100 under 1 s; expanded T = 3 under 1 s and T = 4 under 10 s.
"""

from __future__ import annotations

import subprocess
import sys
import time

LIMIT = 300.0  # seconds for one naive differentiation
GATE_T = (10, 100, 1000)
EXPANDED_T = (2, 3, 4)


def naive(T: int) -> float:
    """Unroll the scalar LSTM's c_T in plain SymPy and differentiate it by c_0; seconds taken."""
    import sympy as sp

    start = time.perf_counter()
    W_i, U_i, b_i, W_f, U_f, b_f, W_g, U_g, b_g, W_o, U_o, b_o = sp.symbols(
        "W_i U_i b_i W_f U_f b_f W_g U_g b_g W_o U_o b_o"
    )
    c0, h0 = sp.symbols("c_0 h_0")
    xs = sp.symbols(f"x_1:{T + 1}")

    def sigma(a):
        return 1 / (1 + sp.exp(-a))

    c, h = c0, h0
    for x in xs:
        i = sigma(W_i * h + U_i * x + b_i)
        f = sigma(W_f * h + U_f * x + b_f)
        g = sp.tanh(W_g * h + U_g * x + b_g)
        o = sigma(W_o * h + U_o * x + b_o)
        c = f * c + i * g
        h = o * sp.tanh(c)
    sp.diff(c, c0)
    return time.perf_counter() - start


def timed(build) -> tuple[float, object]:
    start = time.perf_counter()
    result = build()
    return time.perf_counter() - start, result


def lstmsym_row(mode: str, T: int) -> str:
    """Time one lstmsym request in this (fresh) process: "seconds|seconds|note" for gate, "seconds|note"."""
    import lstmsym as ls
    from lstmsym.derivatives.chain import tree_size

    lstm = ls.make_cell("lstm")
    if mode == "gate":
        t_factors, factors = timed(lambda: ls.Chain(lstm, "c", "c", T).factors)
        t_latex, text = timed(lambda: ls.Chain(lstm, "c", "c", T).latex())
        return f"{t_factors}|{t_latex}|{len(factors)} factors, {len(text)} LaTeX characters"
    seconds, result = timed(ls.Chain(lstm, "c", "c", T, notation="expanded").doit)
    return f"{seconds}|{tree_size(result[0, 0]):,} nodes"


def fresh(mode: str, T: int) -> list[str]:
    """Run one measurement in a fresh subprocess (cold SymPy caches); its printed fields."""
    command = [sys.executable, __file__, f"--{mode}", str(T)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=LIMIT, check=True)
    return out.stdout.strip().split("|")


def main() -> None:
    print(f"d c_T / d c_0 of the scalar LSTM (make_cell('lstm')), SymPy {__import__('sympy').__version__}")
    print("every row runs in a fresh subprocess (cold caches); import and start-up are not timed")
    print()
    print(f"{'request':<48} {'T':>5} {'time':>10}  notes")
    gate_times = {}
    for T in GATE_T:
        t_factors, t_latex, note = fresh("gate", T)
        t_factors, t_latex = float(t_factors), float(t_latex)
        print(f"{'gate notation: Chain(...).factors':<48} {T:>5} {t_factors:>9.3f}s  {note.split(',')[0]}")
        print(f"{'gate notation: Chain(...).latex()':<48} {T:>5} {t_latex:>9.3f}s  {note.split(', ')[1]}")
        gate_times[T] = t_factors + t_latex
    expanded = {}
    for T in EXPANDED_T:
        seconds, note = fresh("expanded", T)
        expanded[T] = float(seconds)
        label = "expanded: Chain(..., notation=expanded).doit()"
        print(f"{label:<48} {T:>5} {expanded[T]:>9.3f}s  {note}")
    naive_times = {}
    for T in EXPANDED_T:
        command = [sys.executable, __file__, "--naive", str(T)]
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=LIMIT, check=True)
            naive_times[T] = float(out.stdout.strip())
            shown = f"{naive_times[T]:>9.3f}s"
        except subprocess.TimeoutExpired:
            naive_times[T] = None
            shown = f"{'> ' + f'{LIMIT:.0f}':>9}s"
        print(f"{'naive SymPy: unroll c_T, sympy.diff(c_T, c_0)':<48} {T:>5} {shown}")
    print()
    print("targets:")
    gate_100 = gate_times[100]
    checks = [
        ("gate notation T = 100 (factors + latex) under 1 s", gate_100, 1.0),
        ("expanded scalar T = 3 under 1 s", expanded[3], 1.0),
        ("expanded scalar T = 4 under 10 s", expanded[4], 10.0),
    ]
    for label, seconds, limit in checks:
        print(f"  {label:<52} {seconds:8.3f} s  {'met' if seconds < limit else 'MISSED'}")
    print()
    print("ratios, naive SymPy time / lstmsym expanded time (same run):")
    for T in EXPANDED_T:
        if naive_times[T] is None:
            print(f"  T = {T}: > {LIMIT / expanded[T]:,.0f}x (naive run stopped at the {LIMIT:.0f} s limit)")
        else:
            print(f"  T = {T}: {naive_times[T] / expanded[T]:,.0f}x")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--naive":
        print(naive(int(sys.argv[2])))
    elif len(sys.argv) == 3 and sys.argv[1] in ("--gate", "--expanded"):
        print(lstmsym_row(sys.argv[1][2:], int(sys.argv[2])))
    else:
        main()
