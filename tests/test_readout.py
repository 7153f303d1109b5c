"""The readout experiment: its slopes (symbolic and numeric), where its weights enter, and the drift of c.

Independent checks: the symbolic slope against plain differentiation of h written out in c_t; the numeric
slope against that symbolic one at the trajectory's values; the drifted memory of the 1997 cell against the
cumulative sum of i ⊙ g read from the same trajectory; ∂loss/∂c_0 of the identity readout against o_T.
"""

import numpy as np
import pytest
import sympy as sp

from lstmsym.activations import sigmoid
from lstmsym.cells import make_cell
from lstmsym.derivatives.step import jacobian_block
from lstmsym.errors import LstmsymError
from lstmsym.experiments.readout import (
    DENSE_READOUT_CONTROLS,
    H_BOUNDS,
    LOSS,
    READOUTS,
    dense_readout_controls,
    drift_at_steps,
    drift_by_forget_bias,
    drift_gradient_growth,
    drift_params,
    gradient_summary,
    h_path_medians,
    h_path_norms,
    h_ranges,
    memory_path_norms,
    parameter_blocks,
    plot_drift,
    plot_h_paths,
    readout_derivative,
    readout_jacobians,
    readout_parameter_count,
    readout_slopes,
    simulate_drift,
    write_gate_means,
)
from lstmsym.numerics import reference


def _gate(cell, name):
    return cell.step("t").rule(name).symbols


@pytest.mark.parametrize("n", [1, 2])
def test_readout_derivative_in_gate_notation(n):
    for name in READOUTS:
        cell = make_cell("lstm", n=n, readout=name)
        o, c = _gate(cell, "o"), _gate(cell, "c")
        if name == "tanh":
            expected = sp.diag(*[o[j] * (1 - sp.tanh(c[j]) ** 2) for j in range(n)])
        elif name == "sigmoid":
            expected = sp.diag(*[o[j] * sigmoid(c[j]) * (1 - sigmoid(c[j])) for j in range(n)])
        elif name == "identity":
            expected = sp.diag(*o)
        else:
            y = _gate(cell, "y")
            expected = sp.diag(*[o[j] * (1 - y[j] ** 2) for j in range(n)]) * cell.params["V_y"]
        diff = (readout_derivative(cell) - expected).applyfunc(sp.expand)
        assert diff == sp.zeros(n, n), name


@pytest.mark.parametrize(
    "switches",
    [
        {"readout": "dense"},
        {"readout": "tanh", "peephole": True},
        {"readout": "sigmoid", "output_gate": False},
    ],
)
def test_readout_derivative_equals_plain_differentiation(switches):
    """Write h_t out in c_t (the dense layer and a peeking o expanded), differentiate, compare at points."""
    n = 2
    cell = make_cell("lstm", n=n, **switches)
    step = cell.step("t")
    c = step.rule("c").symbols
    names = step.names
    expand = {}
    for name in names[names.index("c") + 1 : -1]:  # rules between c and h, in terms of c_t
        expand.update(zip(step.rule(name).symbols, step.rule(name).value.xreplace(expand), strict=True))
    h = step.rule("h").value.xreplace(expand)
    plain = h.jacobian(c)
    derived = readout_derivative(cell).xreplace(expand)
    symbols = sorted(plain.free_symbols | derived.free_symbols, key=str)
    rng = np.random.default_rng(0)
    f_plain, f_derived = (sp.lambdify(symbols, M, "numpy") for M in (plain, derived))
    for _ in range(3):
        point = rng.normal(0, 1, len(symbols))
        np.testing.assert_allclose(f_derived(*point), f_plain(*point), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.parametrize("readout", READOUTS)
def test_carousel_is_diag_f_for_every_readout(readout, n):
    cell = make_cell("lstm", n=n, readout=readout)
    assert jacobian_block(cell, "c", "c", path="direct") == sp.diag(*_gate(cell, "f"))
    assert jacobian_block(make_cell("lstm1997", n=n, readout=readout), "c", "c", path="direct") == sp.eye(n)
    assert "V_y" not in str(jacobian_block(cell, "c", "c")) and "V_y" not in str(
        jacobian_block(cell, "c", "h")
    )


def test_dense_readout_weights_enter_only_the_h_rows():
    cell = make_cell("lstm", n=2, readout="dense")
    assert parameter_blocks(cell, "V_y") == (("h", "c"), ("h", "h"))
    assert parameter_blocks(cell, "W_y") == (("h", "h"),)
    assert parameter_blocks(cell, "W_y", path="direct") == (("h", "h"),)
    assert parameter_blocks(cell, "V_y", path="direct") == ()
    assert parameter_blocks(cell, "W_g") == (("c", "h"), ("h", "h"))


@pytest.mark.parametrize("switches", [{"readout": r} for r in READOUTS] + [{"peephole": True}])
def test_numeric_slope_matches_the_symbolic_one(switches):
    n = 2
    cell = make_cell("lstm", n=n, **switches)
    params = drift_params(cell, seed=3, recurrent_scale=0.4)
    xs = np.random.default_rng(1).normal(size=(6, 1))
    traj = reference.forward(cell, params, xs)
    J = readout_jacobians(cell, params, traj)
    step = cell.step("t")
    derived = readout_derivative(cell)
    symbols = sorted(derived.free_symbols, key=str)
    f = sp.lambdify(symbols, derived, "numpy")
    values = {}
    for name, mat in cell.params.items():
        values.update(zip(mat, np.asarray(params[name]).reshape(-1), strict=True))
    for t in range(1, traj.T + 1):
        rec = traj.record(t)
        for name in ("o", "c", "y"):
            if name in step.names and name in rec:
                values.update(zip(step.rule(name).symbols, rec[name], strict=True))
        np.testing.assert_allclose(J[t - 1], f(*[values[s] for s in symbols]), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("readout", READOUTS)
def test_without_forget_gate_c_is_the_cumulative_write(readout):
    run = simulate_drift(make_cell("lstm1997", n=3, readout=readout), T=800, seed=2)
    writes = run.traj.gates["i"] * run.traj.gates["g"]  # (T, n): i_t ⊙ g_t at each step
    np.testing.assert_allclose(run.traj.states["c"][1:], np.cumsum(writes, axis=0), rtol=1e-12, atol=1e-12)
    # linear drift: the memory at T is about T times the mean write, and far from 0
    assert run.c_norm[-1] > 100
    np.testing.assert_allclose(run.c_norm[-1] / run.c_norm[400], 2.0, rtol=0.1)


def test_every_readout_sees_the_same_memory():
    runs = [simulate_drift(make_cell("lstm1997", n=2, readout=r), T=300, seed=1) for r in READOUTS]
    for run in runs[1:]:
        np.testing.assert_array_equal(run.traj.states["c"], runs[0].traj.states["c"])


def test_forget_gate_bounds_the_memory():
    run = simulate_drift(make_cell("lstm", n=3), T=2000, seed=0)
    f, writes = run.traj.gates["f"], run.traj.gates["i"] * run.traj.gates["g"]
    bound = np.abs(writes).max() / (1 - f.max())  # |c_t| ≤ Σ_k (max f)^k max |i g|
    assert run.c_norm.max() <= bound
    assert run.c_norm.max() < 10


@pytest.mark.parametrize("name", ["lstm", "lstm1997"])
@pytest.mark.parametrize("readout", READOUTS)
def test_ranges_are_within_the_bounds(name, readout):
    run = simulate_drift(make_cell(name, n=3, readout=readout), T=2000, seed=0)
    low, high = run.h_range
    bounds = H_BOUNDS[readout]
    if bounds is not None:
        assert bounds[0] < low <= high < bounds[1]
    elif name == "lstm1997":
        assert high > 100  # the identity readout follows the drifting memory


def test_saturation_cuts_the_slope_and_identity_keeps_it():
    tanh_run = simulate_drift(make_cell("lstm1997", n=2), T=2000, seed=0)
    ident_run = simulate_drift(make_cell("lstm1997", n=2, readout="identity"), T=2000, seed=0)
    o_T = ident_run.traj.gates["o"][-1]
    assert tanh_run.slope_norm[-1] < 1e-300
    np.testing.assert_allclose(ident_run.slope_norm[-1], o_T.max(), rtol=1e-14)
    # tanh: |h_T| → o_T (saturated); identity: h_T = o_T c_T
    np.testing.assert_allclose(
        np.abs(tanh_run.traj.states["h"][-1]), tanh_run.traj.gates["o"][-1], rtol=1e-12
    )
    np.testing.assert_allclose(ident_run.traj.states["h"][-1], o_T * ident_run.traj.states["c"][-1])
    g_tanh, g_ident = tanh_run.gradients(), ident_run.gradients()
    # with W = 0 and f ≡ 1, ∂loss/∂c_0 = ∂h_T/∂c_T: 0 for the saturated tanh, o_T for the identity
    assert g_tanh.dL_dc0 < 1e-300
    np.testing.assert_allclose(g_ident.dL_dc0, o_T.max(), rtol=1e-12)
    assert g_ident.param_norm > 1e4 * g_tanh.param_norm


def test_gradients_match_finite_differences_on_a_short_run():
    cell = make_cell("lstm1997", n=2, readout="identity")
    run = simulate_drift(cell, T=30, seed=0, recurrent_scale=0.2)
    grads = reference.backward(cell, run.params, run.traj, run.xs, {"c": np.zeros(2), "h": np.ones(2)})
    eps = 1e-6
    for name in ("W_g", "b_o"):
        flat = run.params[name].reshape(-1)
        for j in range(flat.size):
            plus, minus = ({**run.params} for _ in range(2))
            for sign, p in ((1, plus), (-1, minus)):
                arr = run.params[name].copy().reshape(-1)
                arr[j] += sign * eps
                p[name] = arr.reshape(run.params[name].shape)
            L = [reference.forward(cell, p, run.xs).states["h"][-1].sum() for p in (plus, minus)]
            numeric = (L[0] - L[1]) / (2 * eps)
            assert abs(grads.dparams[name].reshape(-1)[j] - numeric) <= 1e-6 + 1e-5 * abs(numeric)


def test_drift_at_steps_reads_the_run():
    run = simulate_drift(make_cell("lstm1997"), T=20, seed=0)
    table = drift_at_steps([run], [1, 20])
    assert table.index.tolist() == [("lstm1997", "tanh", q) for q in ("|c_t|", "|h_t|", "‖∂h_t/∂c_t‖")]
    assert table.columns.tolist() == [1, 20] and table.columns.name == "t"
    assert table.loc[("lstm1997", "tanh", "|c_t|"), 20] == run.c_norm[20]
    assert table.loc[("lstm1997", "tanh", "|h_t|"), 1] == run.h_norm[1]
    assert table.loc[("lstm1997", "tanh", "‖∂h_t/∂c_t‖"), 1] == run.slope_norm[0]  # from t = 1
    with pytest.raises(LstmsymError, match="steps must be"):
        drift_at_steps([run], [0])
    with pytest.raises(LstmsymError, match="steps must be"):
        drift_at_steps([run], [21])
    with pytest.raises(LstmsymError, match="runs must be"):
        drift_at_steps([], [1])


def test_bad_input():
    with pytest.raises(LstmsymError, match="must be an LSTM"):
        readout_derivative(make_cell("gru"))
    with pytest.raises(LstmsymError, match="must be an LSTM"):
        simulate_drift(make_cell("rnn"), T=5)
    with pytest.raises(LstmsymError, match="'V_y' is not one of"):
        parameter_blocks(make_cell("lstm"), "V_y")
    with pytest.raises(LstmsymError, match="recurrent_scale must be a number >= 0"):
        drift_params(make_cell("lstm"), recurrent_scale=-1.0)
    with pytest.raises(LstmsymError, match="T must be a whole number"):
        simulate_drift(make_cell("lstm"), T=0)


def test_cumulative_write_and_gradient_summary():
    run = simulate_drift(make_cell("lstm1997", n=2, readout="identity"), T=50, seed=0)
    np.testing.assert_allclose(run.cumulative_write, run.traj.states["c"], rtol=1e-12, atol=1e-12)
    table = gradient_summary([run])
    assert table.index.tolist() == [("lstm1997", "identity")]
    row, g = table.iloc[0], run.gradients()
    assert row[f"|∂{LOSS}/∂c_0|"] == g.dL_dc0 and row[f"‖∂{LOSS}/∂θ‖"] == g.param_norm
    assert LOSS == "\N{SCRIPT CAPITAL L}"  # the notebooks' \mathcal L, not the lag L
    assert row["|c_T|"] == run.c_norm[-1] and row["‖∂h_T/∂c_T‖"] == run.slope_norm[-1]
    with_forget = simulate_drift(make_cell("lstm", n=2), T=50, seed=0)
    assert np.abs(with_forget.cumulative_write - with_forget.traj.states["c"]).max() > 1.0


def test_h_ranges_names_the_bounds():
    runs = [simulate_drift(make_cell("lstm1997", readout=r), T=30, seed=0) for r in ("tanh", "identity")]
    table = h_ranges(runs)
    assert table["h lies in"].tolist() == ["(-1, 1)", "unbounded"]
    assert table.loc[("lstm1997", "identity"), "max h"] == runs[1].h_range[1]
    with pytest.raises(LstmsymError, match="runs must be"):
        h_ranges([1.0])


def test_plot_drift_draws_one_memory_line_per_distinct_memory():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [
        simulate_drift(make_cell(name, readout=r), T=20, seed=0)
        for name in ("lstm", "lstm1997")
        for r in ("tanh", "identity")
    ]
    fig, axes = plot_drift(runs)
    assert len(axes[0].lines) == 2 and len(axes[1].lines) == 4
    assert axes[0].get_yscale() == "log" and axes[0].get_xlabel() and axes[1].get_title()
    # every h line has a look of its own; the colour names the cell in both panels, the style the readout
    looks = [(line.get_color(), line.get_linestyle()) for line in axes[1].lines]
    assert len(set(looks)) == 4
    memory_colors = [line.get_color() for line in axes[0].lines]
    assert [color for color, _ in looks] == [memory_colors[0]] * 2 + [memory_colors[1]] * 2
    assert memory_colors[0] != memory_colors[1]
    assert looks[0][1] == looks[2][1] != looks[1][1] == looks[3][1]   # tanh and identity told apart
    labels = [line.get_label() for line in axes[1].lines]
    assert len(set(labels)) == 4 and all("readout" in label for label in labels)
    plt.close(fig)


# -- the h-path with recurrent weights on -------------------------------------------------------------


def _h_block_by_differences(cell, params, xs, state_k, eps=1e-6):
    """∂h_T/∂h_k by central differences: rerun the cell from s_k with h_k perturbed (c_k held)."""
    n = cell.n
    J = np.empty((n, n))
    for j in range(n):
        outs = []
        for sign in (1, -1):
            h = state_k["h"].copy()
            h[j] += sign * eps
            traj = reference.forward(cell, params, xs, {"c": state_k["c"], "h": h})
            outs.append(traj.states["h"][-1])
        J[:, j] = (outs[0] - outs[1]) / (2 * eps)
    return J


def test_h_path_total_matches_finite_differences():
    lags, seeds = (1, 3, 8), (0, 4)
    result = h_path_norms(lags=lags, seeds=seeds, n=3, recurrent_scale=0.5)
    T = max(lags)
    for readout in ("tanh", "dense"):
        cell = make_cell("lstm", n=3, readout=readout)
        for row, seed in enumerate(seeds):
            run = simulate_drift(cell, T=T, seed=seed, recurrent_scale=0.5)
            for col, k in enumerate(lags):
                J = _h_block_by_differences(cell, run.params, run.xs[T - k :], run.traj.state(T - k))
                expected = np.linalg.norm(J, 2)
                assert abs(result.norms[(readout, "total")][row, col] - expected) <= 1e-7 + 1e-6 * expected


def test_dense_direct_h_path_is_the_product_of_weight_times_slope():
    lags = (1, 2, 6)
    result = h_path_norms(readouts=("dense",), lags=lags, seeds=(3,), n=3, recurrent_scale=0.8)
    cell = make_cell("lstm", n=3, readout="dense")
    run = simulate_drift(cell, T=6, seed=3, recurrent_scale=0.8)
    o, y = run.traj.cache["o"], run.traj.cache["y"]
    W_y = run.params["W_y"]
    for col, k in enumerate(lags):
        P = np.eye(3)
        for t in range(6, 6 - k, -1):  # steps T, T-1, ..., T-k+1
            P = P @ ((o[t - 1] * (1 - y[t - 1] ** 2))[:, None] * W_y)
        np.testing.assert_allclose(
            result.norms[("dense", "direct")][0, col], np.linalg.norm(P, 2), rtol=1e-10
        )


def test_gated_readouts_have_no_direct_h_path_and_w_y_off_closes_it():
    result = h_path_norms(
        readouts=("tanh", "identity", "dense"), lags=(1, 5), seeds=(0, 1), recurrent_scale=0.3
    )
    assert np.all(result.norms[("tanh", "direct")] == 0) and np.all(result.norms[("identity", "direct")] == 0)
    assert np.all(result.norms[("dense", "direct")] > 0)
    off = h_path_norms(readouts=("dense",), lags=(1, 5), seeds=(0,), recurrent_scale=0.0)
    assert np.all(off.norms[("dense", "direct")] == 0)  # W_y = 0: no direct h-path either


def test_h_path_median_and_table():
    result = h_path_norms(lags=(1, 4), seeds=(0, 1, 2), n=2)
    np.testing.assert_array_equal(
        result.median("dense", "total"), np.median(result.norms[("dense", "total")], axis=0)
    )
    frame = result.frame()
    assert frame.index.tolist() == [(r, p) for r in ("tanh", "dense") for p in ("direct", "total")]
    assert frame.columns.tolist() == [1, 4] and frame.columns.name == "lag L"
    np.testing.assert_array_equal(frame.loc[("dense", "total")].to_numpy(), result.median("dense", "total"))
    assert result.readouts == ("tanh", "dense")
    with pytest.raises(LstmsymError, match="must be one of"):
        result.median("sigmoid", "total")


def test_h_path_bad_input():
    with pytest.raises(LstmsymError, match="readouts must be taken from"):
        h_path_norms(readouts=("relu",))
    with pytest.raises(LstmsymError, match="lags must be"):
        h_path_norms(lags=(0, 3))
    with pytest.raises(LstmsymError, match="seeds must"):
        h_path_norms(seeds=())
    with pytest.raises(LstmsymError, match="name must be"):
        h_path_norms(name="gru")


def _h_block_w_y_frozen(cell, params, xs, state_k, h_path, eps=1e-6):
    """∂h_T/∂h_k by central differences with W_y h_{t-1} frozen at the trajectory's value: each step runs with
    W_y = 0 and b_y + W_y h_{t-1} (h_{t-1} from the unperturbed trajectory ``h_path``) as its readout bias."""
    n = cell.n
    J = np.empty((n, n))
    for j in range(n):
        outs = []
        for sign in (1, -1):
            state = {"c": state_k["c"].copy(), "h": state_k["h"].copy()}
            state["h"][j] += sign * eps
            for t, x in enumerate(xs):
                frozen = {**params, "W_y": np.zeros((n, n)), "b_y": params["b_y"] + params["W_y"] @ h_path[t]}
                traj = reference.forward(cell, frozen, x[None], state)
                state = traj.state(1)
            outs.append(state["h"])
        J[:, j] = (outs[0] - outs[1]) / (2 * eps)
    return J


def test_dense_readout_controls_against_finite_differences_and_h_path_norms():
    lags, seeds = (1, 3, 7), (0, 5)
    table = dense_readout_controls(lags=lags, seeds=seeds, n=3, recurrent_scale=0.6, forget_bias=2.0)
    assert set(table["control"]) == set(DENSE_READOUT_CONTROLS) and len(table) == 5 * len(lags) * len(seeds)
    both = h_path_norms(lags=lags, seeds=seeds, n=3, recurrent_scale=0.6, forget_bias=2.0)
    T = max(lags)
    cell = make_cell("lstm", n=3, readout="dense")
    for row, seed in enumerate(seeds):
        mine = table[table["seed"] == seed].pivot(index="control", columns="lag", values="norm")
        for control, key in (("tanh, total", ("tanh", "total")), ("dense, total", ("dense", "total")),
                             ("dense, direct", ("dense", "direct"))):
            np.testing.assert_allclose(mine.loc[control], both.norms[key][row], rtol=1e-12)
        run = simulate_drift(cell, T=T, seed=seed, recurrent_scale=0.6, forget_bias=2.0)
        zeroed = {**run.params, "W_y": np.zeros((3, 3))}
        rerun = reference.forward(cell, zeroed, run.xs)
        h_path = run.traj.states["h"]
        for k in lags:
            window, start = run.xs[T - k :], run.traj.state(T - k)
            cut = _h_block_w_y_frozen(cell, run.params, window, start, h_path[T - k :])
            expected = np.linalg.norm(cut, 2)
            assert abs(mine.loc["dense, W_y cut (backward)", k] - expected) <= 1e-7 + 1e-6 * expected
            off = _h_block_by_differences(cell, zeroed, run.xs[T - k :], rerun.state(T - k))
            expected = np.linalg.norm(off, 2)
            assert abs(mine.loc["dense, W_y = 0 (re-run)", k] - expected) <= 1e-7 + 1e-6 * expected
        # cutting W_y changes the total (the route is real), and leaves no direct h-path
        assert not np.allclose(mine.loc["dense, W_y cut (backward)"], mine.loc["dense, total"], rtol=1e-6)


def test_dense_readout_controls_bad_input():
    with pytest.raises(LstmsymError, match="lags must be"):
        dense_readout_controls(lags=())
    with pytest.raises(LstmsymError, match="seeds must"):
        dense_readout_controls(seeds=())
    with pytest.raises(LstmsymError, match="name must be"):
        dense_readout_controls(name="gru")


def test_readout_parameter_count():
    assert readout_parameter_count(make_cell("lstm", n=4, m=1, readout="dense")) == {
        "W_y": 16,
        "U_y": 4,
        "V_y": 16,
        "b_y": 4,
    }
    n, m = 5, 3
    count = readout_parameter_count(make_cell("lstm1997", n=n, m=m, readout="dense"))
    assert count["W_y"] + count["U_y"] + count["V_y"] == n * (2 * n + m)
    assert readout_parameter_count(make_cell("lstm", readout="sigmoid")) == {}
    with pytest.raises(LstmsymError, match="must be an LSTM"):
        readout_parameter_count(make_cell("gru"))


def test_plot_h_paths_draws_the_three_medians():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = h_path_norms(lags=(1, 3, 8), seeds=(0, 1, 2), n=2)
    fig = plot_h_paths(result, "test title")
    try:
        (ax,) = fig.axes
        assert ax.get_title() == "test title" and ax.get_yscale() == "log"
        assert ax.get_xlabel() == "lag $L$ (steps)" and "partial h_{T-L}" in ax.get_ylabel()
        tanh_total, dense_total, dense_direct = ax.lines
        assert list(tanh_total.get_xdata()) == [1, 3, 8]
        np.testing.assert_array_equal(tanh_total.get_ydata(), result.median("tanh", "total"))
        np.testing.assert_array_equal(dense_total.get_ydata(), result.median("dense", "total"))
        np.testing.assert_array_equal(dense_direct.get_ydata(), result.median("dense", "direct"))
        assert dense_total.get_linestyle() == "-" and dense_direct.get_linestyle() == "--"  # path: line style
        assert dense_total.get_color() == dense_direct.get_color() != tanh_total.get_color()
        assert "direct" in dense_direct.get_label() and "tanh" in tanh_total.get_label()
    finally:
        plt.close(fig)
    with pytest.raises(LstmsymError, match="'dense' is missing"):
        plot_h_paths(h_path_norms(readouts=("tanh",), lags=(1,), seeds=(0,), n=2), "t")
    with pytest.raises(LstmsymError, match="HPathNorms"):
        plot_h_paths({"tanh": 1}, "t")


def test_h_path_medians_rows_and_ratio():
    a = h_path_norms(lags=(1, 4), seeds=(0, 1), n=2)
    b = h_path_norms(lags=(1, 4), seeds=(2,), n=2, recurrent_scale=1.0)
    table = h_path_medians({"first": a, "second": b})
    assert table.index.names == ["setting", "readout", "path"]
    assert table.loc["first"].iloc[:4].equals(a.frame())
    np.testing.assert_array_equal(
        table.loc[("second", "dense/tanh", "total")].to_numpy(), b.median("dense") / b.median("tanh")
    )
    assert len(table) == 10
    with pytest.raises(LstmsymError, match="HPathNorms"):
        h_path_medians({"x": 1.0})
    with pytest.raises(LstmsymError, match="'tanh' and 'dense'"):
        h_path_medians({"x": h_path_norms(readouts=("tanh",), lags=(1,), seeds=(0,), n=2)})


def test_readout_slopes_values():
    table = readout_slopes((0.0, 2.0))
    assert table.index.tolist() == list(READOUTS) and table.columns.tolist() == [0.0, 2.0]
    s2 = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(table.loc["tanh"], [1.0, 1 - np.tanh(2.0) ** 2], rtol=1e-12)
    np.testing.assert_allclose(table.loc["sigmoid"], [0.25, s2 * (1 - s2)], rtol=1e-12)
    assert table.loc["identity"].tolist() == [1.0, 1.0]
    np.testing.assert_array_equal(table.loc["dense"], table.loc["tanh"])
    with pytest.raises(LstmsymError, match="memory_values"):
        readout_slopes([np.nan])


def test_write_gate_means_over_the_last_steps():
    run = simulate_drift(make_cell("lstm1997", n=3), T=40, seed=2, recurrent_scale=0.3)
    i_mean, write_mean = write_gate_means(run, last=15)
    i, g = run.traj.gates["i"][25:], run.traj.gates["g"][25:]
    np.testing.assert_allclose(i_mean, i.mean(axis=0), atol=5e-4)
    np.testing.assert_allclose(write_mean, (i * g).mean(axis=0), atol=5e-4)
    assert not np.any(np.signbit(write_mean) & (write_mean == 0))  # no -0.0 printed
    for bad in (0, 41, 2.5, True):
        with pytest.raises(LstmsymError, match=r"last must be an int in 1\.\.40"):
            write_gate_means(run, last=bad)
    with pytest.raises(LstmsymError, match="DriftRun"):
        write_gate_means("run", last=1)


def test_readout_slopes_keep_their_digits_when_saturated():
    # σ'(30) = e^-30 / (1 + e^-30)^2 = σ(30)σ(-30); 1 - σ(30) in float arithmetic would keep only 3 digits
    slopes = readout_slopes((0.0, 30.0))
    assert list(slopes.index) == list(READOUTS) and list(slopes.columns) == [0.0, 30.0]
    exact = np.exp(-30.0) / (1 + np.exp(-30.0)) ** 2
    np.testing.assert_allclose(slopes.loc["sigmoid", 30.0], 9.357622968839e-14, rtol=1e-12)
    np.testing.assert_allclose(slopes.loc["sigmoid", 30.0], exact, rtol=1e-14)
    np.testing.assert_allclose(slopes.loc["tanh", 30.0], 1 / np.cosh(30.0) ** 2, rtol=1e-14)
    assert slopes.loc["dense", 30.0] == slopes.loc["tanh", 30.0]
    assert slopes.loc["identity"].tolist() == [1.0, 1.0]
    with pytest.raises(LstmsymError, match="memory_values"):
        readout_slopes([])


def test_drift_by_forget_bias_against_its_own_trajectories():
    table = drift_by_forget_bias((1.0, 3.0, 5.0), T=600, seed=1)
    cell = make_cell("lstm", n=4)
    for row in table.itertuples():
        run = simulate_drift(cell, T=600, seed=1, forget_bias=row.b_f)
        f, i, g = (run.traj.gates[k] for k in "fig")
        c = np.zeros(4)
        for t in range(600):                         # the memory line by hand, and the cap step by step
            c_new = f[t] * c + i[t] * g[t]
            assert np.abs(c_new).max() <= row.f_max * np.abs(c).max() + row.write_max + 1e-12
            c = c_new
        np.testing.assert_allclose(c, run.traj.states["c"][-1], rtol=1e-12, atol=1e-12)
        assert row.c_T == np.abs(c).max() and row.c_max <= row.bound
        assert row.f_max == f.max() and row.write_max == np.abs(i * g).max()
        np.testing.assert_allclose(row.steady, np.max(np.abs((i * g).mean(0)) / (1 - f.mean(0))), rtol=1e-12)
        assert row.slope_median == np.median(run.slope_norm[300:])
    assert table["c_T"].is_monotonic_increasing and table["bound"].is_monotonic_increasing
    assert table["slope_median"].is_monotonic_decreasing
    with pytest.raises(LstmsymError, match="forget_biases"):
        drift_by_forget_bias([])


def test_drift_gradient_growth_is_polynomial_and_the_carousel_is_exactly_one():
    table = drift_gradient_growth((100, 200, 400), readouts=("identity", "tanh"), seed=0, n=3)
    assert (table["dcT_dc0"] == 1.0).all()                  # f ≡ 1 and no W: ∂c_T/∂c_0 = I
    ident = table[table["readout"] == "identity"]
    for row in ident.itertuples():                          # ∂loss/∂c_0 = ∂loss/∂c_T = o_T for h = o ⊙ c
        run = simulate_drift(make_cell("lstm1997", n=3, readout="identity"), T=row.T, seed=0)
        assert np.isclose(row.dL_dc0, run.traj.gates["o"][-1].max(), rtol=1e-12)
        seed_T = {"c": np.zeros(3), "h": np.ones(3)}
        grads = reference.backward(run.cell, run.params, run.traj, run.xs, seed_T)
        norm = np.sqrt(sum(np.sum(v**2) for v in grads.dparams.values()))
        assert np.isclose(row.param_norm, norm, rtol=1e-12)
    slope = np.polyfit(np.log(ident["T"]), np.log(ident["param_norm"]), 1)[0]
    assert 1.5 < slope < 2.5                                # about T², not exponential
    assert np.polyfit(np.log(ident["T"]), np.log(ident["c_T"]), 1)[0] == pytest.approx(1.0, abs=0.15)
    with pytest.raises(LstmsymError, match="readouts"):
        drift_gradient_growth((10,), readouts=("relu",))
    with pytest.raises(LstmsymError, match="steps"):
        drift_gradient_growth((0,))


def test_memory_path_norms_per_readout_and_the_control():
    table = memory_path_norms(lag=100, seeds=range(7), forget_bias=3.0)
    med = table.groupby("readout")["total"].median()
    assert med["identity"] > 100 * med["sigmoid"]           # two orders of magnitude on the same draws
    one = table[(table["readout"] == "identity") & (table["seed"] == 2)].iloc[0]
    run = simulate_drift(make_cell("lstm", n=4, readout="identity"), T=100, seed=2, recurrent_scale=0.3,
                         forget_bias=3.0)
    J = np.eye(8)                                           # ∂s_100/∂s_0 as a product of step Jacobians
    for t in range(1, 101):
        J = reference.step_jacobian(run.cell, run.params, run.xs[t - 1], run.traj.state(t - 1)) @ J
    assert np.isclose(one["total"], np.linalg.norm(J[:4, :4], 2), rtol=1e-10)
    assert np.isclose(one["slope"], np.median(run.slope_norm)) and one["h_max"] == run.h_norm.max()
    control = memory_path_norms(lag=100, seeds=(0, 1), forget_bias=3.0, recurrent_scale=0.0)
    np.testing.assert_allclose(control["total"], control["direct"], rtol=1e-12)
    for seed in (0, 1):
        assert control[control["seed"] == seed]["total"].nunique() == 1
    with pytest.raises(LstmsymError, match="readouts"):
        memory_path_norms(readouts=("relu",))
    with pytest.raises(LstmsymError, match="lag"):
        memory_path_norms(lag=0)
