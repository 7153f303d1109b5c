"""Property-based checks: for random parameters, states and inputs, three derivations of ∂s_T/∂s_k agree.

For every cell and switch (tests/variants.py), Hypothesis draws the hidden size n in 1..4, the number of
steps T in 1..6, every parameter entry, the initial state and the inputs. On each example:

- the compiled symbolic T-step Jacobians (``compile_cell(cell).lag_jacobians``, total and direct path) equal
  the independently written NumPy reference (``reference.lag_jacobians``) up to round-off, for every lag k;
- the symbolic ∂s_T/∂s_k equals central differences of the forward map (``check_jacobian``) at a drawn lag
  k, where it is above the finite-difference floor: "pass" or "below the finite-difference floor", never
  "fail";
- the symbolic and reference trajectories agree.

Ranges. Weights are drawn in [-2/sqrt(n), 2/sqrt(n)] (so a step can amplify as well as shrink), biases and
inputs in [-3, 3], the initial state in [-2, 2] (a state a cell lists in ``positive_states``, the sLSTM's
normaliser n, in [0.5, 2]: h = o c / n divides by it, and n stays positive from a positive start):
preactivations reach ±10 and beyond, where gates saturate,
without making the third derivatives so large that the central differences' truncation error,
eps² |f'''| / 6 with eps = 1e-6, approaches their tolerance of 1e-6 relative.

The input size is tied to n (m = 2 for odd n, 1 for even n), so each variant is compiled once per n and
still meets both m = 1 and m > 1. The CI profile (tests/conftest.py) runs 200 derandomised examples per
variant; ``HYPOTHESIS_PROFILE=long`` runs 5000. ``--hypothesis-show-statistics`` shows how the examples
spread over n and T.
"""

from functools import cache

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from variants import VARIANTS, variant_id

from lstmsym.cells import make_cell
from lstmsym.numerics import reference
from lstmsym.numerics.compile import compile_cell
from lstmsym.numerics.gradcheck import check_jacobian, compare_exact

N_SIZES = (1, 2, 3, 4)
MAX_T = 6


@cache
def compiled(name: str, switches: tuple, n: int):
    """One cell, compiled once, per (variant, n); m is tied to n (see the module docstring)."""
    return compile_cell(make_cell(name, n=n, m=2 if n % 2 else 1, **dict(switches)))


def entries(bound: float):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def vectors(shape, bound: float):
    return arrays(np.float64, shape, elements=entries(bound))


@st.composite
def cases(draw, variant):
    """A compiled cell of a drawn size, with drawn parameters, initial state, inputs and a lag k."""
    name, switches = variant
    n = draw(st.sampled_from(N_SIZES))
    comp = compiled(name, tuple(sorted(switches.items())), n)
    cell = comp.cell
    params = {}
    for pname, shape in cell.param_shapes.items():
        is_bias = len(shape) == 1 and not pname.startswith("p_")  # b_*, d_n; peepholes count as weights
        params[pname] = draw(vectors(shape, 3.0 if is_bias else 2.0 / np.sqrt(n)))
    T = draw(st.integers(1, MAX_T))
    xs = draw(vectors((T, cell.m), 3.0))
    state0 = {s: draw(vectors((n,), 2.0)) for s in cell.state_names}
    for s in getattr(cell, "positive_states", ()):   # the sLSTM's normaliser n: in [0.5, 2] (h = o c / n)
        state0[s] = 0.5 + 0.75 * (state0[s] + 2.0) / 2.0
    k = draw(st.integers(0, T - 1))
    return comp, params, xs, state0, k


def stacked(cell, s):
    n = cell.n
    return {name: s[j * n : (j + 1) * n] for j, name in enumerate(cell.state_names)}


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@given(data=st.data())
def test_symbolic_equals_central_differences_equals_reference(variant, data):
    comp, params, xs, state0, k = data.draw(cases(variant))
    cell, T = comp.cell, len(xs)
    event(f"n={cell.n}")
    event(f"T={T}")

    traj = comp.run(params, xs, state0)
    ref_traj = reference.forward(cell, params, xs, state0)
    check = compare_exact("trajectory", traj.s, ref_traj.s)
    assert check.passed, check.line()

    for path, direct in (("total", False), ("direct", True)):
        symbolic = comp.lag_jacobians(params, xs, state0, path=path)
        numpy_ref = reference.lag_jacobians(cell, params, xs, state0, direct=direct)
        check = compare_exact(f"∂s_T/∂s_k symbolic vs reference, {path}", symbolic, numpy_ref)
        assert check.passed, check.line()
        if path == "total":
            total = symbolic

    relu = any(r.activation is not None and r.activation.name == "relu" for r in cell.step().rules)
    if relu and np.min(np.abs(ref_traj.cache["a"][k:]), initial=np.inf) < 1e-4:
        event("ReLU preactivation within 1e-4 of its kink: not differentiable there, no central differences")
        return
    fd = check_jacobian(
        f"∂s_T/∂s_{k} symbolic vs central differences",
        total[k],
        lambda s: comp.run(params, xs[k:], stacked(cell, s)).s[-1],
        traj.s[k],
    )
    event(fd.status)
    assert fd.status != "fail", fd.line()
