r"""Why the LSTM reads its memory through h = o ⊙ tanh(c): the readout, its slope, and the drift of c.

The readout sits *off* the carousel. Whatever it is, the memory's own step ∂c_t/∂c_{t-1} (direct path)
stays diag(f_t); what the readout changes is the slope ∂h_t/∂c_t with which the memory reaches h,
and the range of h:

>>> from lstmsym.cells import make_cell
>>> for name in READOUTS:
...     print(name, readout_derivative(make_cell("lstm", readout=name))[0, 0])
tanh o_{t}*(1 - tanh(c_{t})**2)
sigmoid o_{t}*(1 - sigmoid(c_{t}))*sigmoid(c_{t})
identity o_{t}
dense V_{y}*o_{t}*(1 - y_{t}**2)
>>> parameter_blocks(make_cell("lstm", readout="dense"), "V_y")
(('h', 'c'), ('h', 'h'))

Without a forget gate (the 1997 cell) the memory drifts on an unsegmented input stream (Gers et al.
2000): c_t = c_0 + Σ i ⊙ g grows linearly when the writes do not cancel. A bounded readout keeps h
(and with it everything downstream) bounded, at the price of a vanishing slope ∂h/∂c:

>>> run = simulate_drift(make_cell("lstm1997", n=2), T=500, seed=0)
>>> round(run.c_norm[-1])                 # max |c_500| over units: about 0.3 per step
152
>>> bool(run.h_norm.max() < 1), bool(run.slope_norm[-1] < 1e-12)
(True, True)
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from ..activations import without_cancellation
from ..cells import make_cell
from ..cells.base import Cell
from ..derivatives.step import jacobian_block
from ..errors import LstmsymError
from ..numerics import reference
from ..numerics.params import check_params, random_sequence

READOUTS = ("tanh", "sigmoid", "identity", "dense")

#: The course's symbol for a loss in table headers (the notebooks' $\mathcal L$; L is a lag).
LOSS = "\N{SCRIPT CAPITAL L}"

#: The open interval h = o ⊙ φ(c) lies in, for each readout (o ∈ (0, 1)); None: unbounded.
H_BOUNDS: dict[str, tuple[float, float] | None] = {
    "tanh": (-1.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "identity": None,
    "dense": (-1.0, 1.0),
}


def _check_lstm(cell: object) -> Cell:
    if not isinstance(cell, Cell) or cell.kind != "lstm":
        raise LstmsymError(f"cell must be an LSTM from make_cell('lstm' or 'lstm1997', ...), got {cell!r}")
    return cell


# -- symbolic: the readout's slope, and where its weights enter -------------------------------------


def readout_derivative(cell: Cell) -> sp.Matrix:
    r"""∂h_t/∂c_t within one step, (n, n), in gate notation: how the new memory reaches the new h.

    The chain rule runs through the rules that come after c (the read gate, the dense layer y, h), each
    with its local derivative: tanh gives o(1 - tanh²c), sigmoid oσ(c)(1 - σ(c)), identity o, and the
    dense readout diag(o ⊙ (1 - y²)) V_y. (With peepholes, o itself depends on c_t and adds its term.)

    >>> from lstmsym.cells import make_cell
    >>> readout_derivative(make_cell("lstm", n=2, readout="identity"))
    Matrix([
    [o_{t,1},       0],
    [      0, o_{t,2}]])
    """
    step = _check_lstm(cell).step("t")
    names = step.names
    after = names[names.index("c") + 1 :]
    c = step.rule("c").symbols
    tangent: dict[str, sp.Matrix] = {}  # rule name -> d(rule)/d(c_t), (n, n)
    for name in after:
        rule = step.rule(name)
        total = rule.local_derivative(c)  # how the rule reads c_t itself
        for earlier in after[: after.index(name)]:
            total += rule.local_derivative(step.rule(earlier).symbols) * tangent[earlier]  # chain rule
        tangent[name] = total
    return tangent["h"].applyfunc(sp.factor_terms)


def readout_slopes(memory_values: Sequence[float] = (0.0, 1.0, 3.0, 10.0, 30.0)):
    """∂h_t/∂c_t of each readout (:func:`readout_derivative`, n = 1) at o_t = 1, V_y = 1 and each c_t value.

    A pandas DataFrame, one row per readout (index ``readout``), one column per memory value. For the dense
    readout y_t = tanh(c_t) (its other inputs zero), so it matches the tanh readout. The slopes are evaluated
    without cancellation (:func:`lstmsym.activations.without_cancellation`: σ'(c) as σ(c)σ(-c), tanh'(c) as
    1/cosh²(c)), so a saturated slope keeps its digits: σ'(30) = 9.3576e-14, tanh'(30) = 3.5e-26. A float64
    backward pass that forms 1 - tanh²(c) from the stored tanh(c) gets 0 there instead (tanh(30) rounds to 1).

    >>> slopes = readout_slopes((0.0, 30.0))
    >>> [f"{v:.4g}" for v in slopes.loc["sigmoid"]], [f"{v:.3g}" for v in slopes.loc["dense"]]
    (['0.25', '9.358e-14'], ['1', '3.5e-26'])
    """
    import pandas as pd

    values = [float(v) for v in memory_values]
    if not values or not all(np.isfinite(values)):
        raise LstmsymError(f"memory_values must be a non-empty list of finite numbers, got {memory_values!r}")
    c = sp.Symbol("c", real=True)
    rows = {}
    for name in READOUTS:
        slope = readout_derivative(make_cell("lstm", readout=name))[0, 0]
        symbols = {str(sym): sym for sym in slope.free_symbols}
        point = {"o_{t}": 1, "V_{y}": 1, "y_{t}": sp.tanh(c), "c_{t}": c}
        at = {symbols[k]: v for k, v in point.items() if k in symbols}
        slope = without_cancellation(slope.xreplace(at))
        rows[name] = [float(slope.subs(c, sp.Float(v))) for v in values]
    return pd.DataFrame.from_dict(rows, orient="index", columns=values).rename_axis("readout")


def parameter_blocks(cell: Cell, name: str, path: str = "total") -> tuple[tuple[str, str], ...]:
    """The blocks (of, wrt) of the one-step Jacobian whose entries contain parameter ``name``.

    >>> from lstmsym.cells import make_cell
    >>> parameter_blocks(make_cell("lstm"), "W_f")
    (('c', 'h'), ('h', 'h'))
    >>> parameter_blocks(make_cell("lstm", readout="dense"), "W_y", path="direct")
    (('h', 'h'),)
    """
    if name not in cell.params:
        raise LstmsymError(f"parameter {name!r} is not one of {cell!r}'s: {list(cell.params)}")
    symbols = set(cell.params[name])
    found = []
    for of in cell.state_names:
        for wrt in cell.state_names:
            block = jacobian_block(cell, of, wrt, path=path)
            if any(symbols & e.free_symbols for e in block):
                found.append((of, wrt))
    return tuple(found)


# -- numeric: the drift of the memory on a long stream -------------------------------------------------


def _draw(seed: int, name: str, scale: float, shape: tuple[int, ...]) -> np.ndarray:
    """N(0, scale²) entries from a generator of its own per parameter name (0 when scale is 0).

    Each name has its own stream, so cells that share a parameter (the gates of every readout, the
    1997 cell and the forget-gate cell) get the same values for it.
    """
    if scale == 0:
        return np.zeros(shape)
    rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
    return rng.normal(0.0, scale, size=shape)


def drift_params(
    cell: Cell,
    seed: int = 0,
    write_bias: float = 2.0,
    candidate_bias: float = 0.5,
    forget_bias: float = 1.0,
    input_scale: float = 0.5,
    recurrent_scale: float = 0.0,
) -> dict[str, np.ndarray]:
    """Parameters for the drift experiment: a write gate open by default and a candidate with a sign.

    ``b_i = write_bias`` (i ≈ σ(2) = 0.88), ``b_g = candidate_bias`` (so i ⊙ g has a nonzero mean and
    the sum drifts instead of diffusing), ``b_f = forget_bias`` where a forget gate exists, other biases 0.
    Input weights U (and V_y, peepholes) ~ N(0, input_scale²); recurrent weights W (W_y too)
    ~ N(0, recurrent_scale²), zero by default: then the gates read only the input stream, and every
    readout sees exactly the same memory trajectory.

    >>> from lstmsym.cells import make_cell
    >>> p = drift_params(make_cell("lstm1997"), seed=0)
    >>> float(p["b_i"][0]), float(p["W_g"][0, 0]), sorted(p) == sorted(make_cell("lstm1997").param_shapes)
    (2.0, 0.0, True)
    """
    _check_lstm(cell)
    for label, value in (("input_scale", input_scale), ("recurrent_scale", recurrent_scale)):
        if not (np.isfinite(value) and value >= 0):
            raise LstmsymError(f"{label} must be a number >= 0, got {value!r}")
    biases = {"b_i": write_bias, "b_g": candidate_bias, "b_f": forget_bias}
    out = {}
    for name, shape in cell.param_shapes.items():
        if name.startswith("b_"):
            out[name] = np.full(shape, float(biases.get(name, 0.0)))
        elif name.startswith("W_"):
            out[name] = _draw(seed, name, recurrent_scale, shape)
        else:
            out[name] = _draw(seed, name, input_scale, shape)
    return check_params(cell, out)


def readout_jacobians(cell: Cell, params: dict[str, np.ndarray], traj: reference.Trajectory) -> np.ndarray:
    """∂h_t/∂c_t for t = 1..T along a trajectory of the NumPy reference, (T, n, n).

    From the forward pass's own records: diag(o ⊙ φ'(c)) for an elementwise readout,
    diag(o ⊙ (1 - y²)) V_y for the dense one, plus diag(y ⊙ o(1 - o) ⊙ p_o) when o peeks at c_t.
    """
    _check_lstm(cell)
    T, n = traj.T, cell.n
    o = traj.cache["o"] if cell.options["output_gate"] else np.ones((T, n))
    slope = o * traj.cache["dy_da"]  # (T, n): o ⊙ φ'(c), or o ⊙ (1 - y²) before V_y
    if cell.options["readout"] == "dense":
        J = slope[:, :, None] * params["V_y"][None, :, :]
    else:
        J = slope[:, :, None] * np.eye(n)[None]
    if cell.options["peephole"] and cell.options["output_gate"]:
        J = J + (traj.cache["y"] * traj.cache["do_da"] * params["p_o"])[:, :, None] * np.eye(n)[None]
    return J


@dataclass(frozen=True)
class DriftRun:
    """One cell run over a long input stream: its trajectory and the quantities the drift is read from."""

    cell: Cell
    params: dict[str, np.ndarray]
    xs: np.ndarray
    traj: reference.Trajectory

    @property
    def label(self) -> str:
        return f"{self.cell.registry_name}, {self.cell.options['readout']} readout"

    @cached_property
    def c_norm(self) -> np.ndarray:
        """max over units of |c_t|, t = 0..T, (T+1,)."""
        return np.abs(self.traj.states["c"]).max(axis=1)

    @cached_property
    def h_norm(self) -> np.ndarray:
        """max over units of |h_t|, t = 0..T, (T+1,)."""
        return np.abs(self.traj.states["h"]).max(axis=1)

    @cached_property
    def slope_norm(self) -> np.ndarray:
        """‖∂h_t/∂c_t‖_∞ (largest absolute row sum), t = 1..T, (T,)."""
        J = readout_jacobians(self.cell, self.params, self.traj)
        return np.abs(J).sum(axis=2).max(axis=1)

    @cached_property
    def cumulative_write(self) -> np.ndarray:
        """c_0 + Σ_{s ≤ t} i_s ⊙ g_s, t = 0..T, (T+1, n): the memory if nothing were ever forgotten."""
        i = self.traj.gates["i"] if "i" in self.traj.gates else np.ones_like(self.traj.gates["g"])
        steps = np.cumsum(i * self.traj.gates["g"], axis=0)
        c0 = self.traj.states["c"][0]
        return np.vstack([c0, c0 + steps])

    @property
    def h_range(self) -> tuple[float, float]:
        """(min, max) of h over every unit and step t = 1..T."""
        h = self.traj.states["h"][1:]
        return float(h.min()), float(h.max())

    def gradients(self) -> DriftGradients:
        """Backpropagate the loss Σ_j h_{T,j} (:data:`LOSS`) through the whole run (the reference's BPTT)."""
        n = self.cell.n
        grads = reference.backward(
            self.cell, self.params, self.traj, self.xs, {"c": np.zeros(n), "h": np.ones(n)}
        )
        squares = {name: float(np.sum(g**2)) for name, g in grads.dparams.items()}
        largest = max(squares, key=squares.get)
        return DriftGradients(
            dL_dc0=float(np.abs(grads.ds[0, :n]).max()),
            param_norm=float(np.sqrt(sum(squares.values()))),
            largest_param=largest,
            largest_norm=float(np.sqrt(squares[largest])),
        )


def write_gate_means(run: DriftRun, last: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the mean write gate i_t and the mean write i_t ⊙ g_t over the ``last`` steps of ``run``.

    Rounded to 3 decimals (with -0.0 turned into 0.0), for printing.

    >>> run = simulate_drift(make_cell("lstm1997", n=2), T=50, seed=0)
    >>> i_mean, write_mean = write_gate_means(run, last=10)
    >>> i_mean.shape, bool(np.all((0 < i_mean) & (i_mean < 1)))
    ((2,), True)
    """
    if not isinstance(run, DriftRun):
        raise LstmsymError(f"run must be a DriftRun (from simulate_drift), got {type(run).__name__}")
    if "i" not in run.traj.gates:
        raise LstmsymError("run must come from a cell with a write gate i")
    T = run.traj.T
    if isinstance(last, bool) or not isinstance(last, int | np.integer) or not 1 <= last <= T:
        raise LstmsymError(f"last must be an int in 1..{T}, got {last!r}")
    window = slice(T - int(last), T)
    i, g = run.traj.gates["i"][window], run.traj.gates["g"][window]
    return np.round(i.mean(axis=0), 3) + 0.0, np.round((i * g).mean(axis=0), 3) + 0.0


@dataclass(frozen=True)
class DriftGradients:
    """Gradient of the loss Σ_j h_{T,j} (:data:`LOSS`) after a drift run: what reaches c_0, the weights."""

    dL_dc0: float  # max_j |∂loss/∂c_{0,j}|: how much of the loss reaches the memory's start
    param_norm: float  # ‖∂loss/∂θ‖ over every parameter
    largest_param: str  # the parameter with the largest gradient norm
    largest_norm: float


def simulate_drift(
    cell: Cell, T: int = 2000, seed: int = 0, input_seed: int | None = None, **param_options: float
) -> DriftRun:
    """Run ``cell`` for T steps on x_t ~ N(0, 1) with :func:`drift_params` (keywords pass through).

    The inputs come from ``input_seed`` (``seed`` if None), so runs with one seed share the stream.
    """
    _check_lstm(cell)
    params = drift_params(cell, seed=seed, **param_options)
    xs = random_sequence(cell, T, seed=seed if input_seed is None else input_seed)
    return DriftRun(cell=cell, params=params, xs=xs, traj=reference.forward(cell, params, xs))


def drift_by_forget_bias(
    forget_biases: Sequence[float] = (1.0, 3.0, 5.0, 7.0),
    T: int = 2000,
    seed: int = 0,
    n: int = 4,
    readout: str = "tanh",
    **param_options: float,
):
    """The drift of the standard LSTM's memory for several keep-gate biases: how far c goes, what caps it.

    Each row is one :func:`simulate_drift` run of ``make_cell("lstm", n=n, readout=readout)`` with
    ``forget_bias=b_f`` (same seed, so the same inputs and the same weights apart from b_f). Columns (every
    size a maximum over units unless said otherwise):

    - ``b_f``; ``f_mean`` (largest per-unit mean of f_t) and ``f_max`` (largest f_t of the run);
    - ``write_max``: the largest |i_t ⊙ g_t|; ``bound`` = write_max / (1 - f_max), the cap that
      |c_t| ≤ f_max |c_{t-1}| + write_max gives from c_0 = 0 (it grows without limit as f_max → 1);
    - ``steady``: max_j |mean(i ⊙ g)_j| / (1 - mean(f)_j), the level a unit's memory settles around;
    - ``c_T`` and ``c_max``: |c_T| and the largest |c_t| of the run; ``h_max``: the largest |h_t|;
    - ``slope_median``: the median over the last T/2 steps of ‖∂h_t/∂c_t‖_∞ (0 once tanh saturates in
      float64).

    >>> table = drift_by_forget_bias((1.0, 7.0), T=400)
    >>> bool((table["c_max"] <= table["bound"]).all()), [round(v) for v in table["c_T"]]
    (True, [2, 128])
    """
    import pandas as pd

    biases = [float(b) for b in forget_biases]
    if not biases or not all(np.isfinite(biases)):
        raise LstmsymError(f"forget_biases must be a non-empty list of finite numbers, got {forget_biases!r}")
    cell = make_cell("lstm", n=n, readout=readout)
    rows = []
    for b in biases:
        run = simulate_drift(cell, T=T, seed=seed, forget_bias=b, **param_options)
        f, write = run.traj.gates["f"], run.traj.gates["i"] * run.traj.gates["g"]
        f_max, write_max = float(f.max()), float(np.abs(write).max())
        rows.append(
            {
                "b_f": b,
                "f_mean": float(f.mean(axis=0).max()),
                "f_max": f_max,
                "write_max": write_max,
                "bound": write_max / (1.0 - f_max),
                "steady": float(np.max(np.abs(write.mean(axis=0)) / (1.0 - f.mean(axis=0)))),
                "c_T": float(run.c_norm[-1]),
                "c_max": float(run.c_norm.max()),
                "h_max": float(run.h_norm.max()),
                "slope_median": float(np.median(run.slope_norm[T // 2 :])),
            }
        )
    return pd.DataFrame(rows)


def drift_gradient_growth(
    steps: Sequence[int] = (250, 500, 1000, 2000),
    readouts: Sequence[str] = ("identity", "tanh"),
    seed: int = 0,
    n: int = 4,
    **param_options: float,
):
    """How the 1997 cell's gradients grow with the length T of a drifting run, per readout.

    One :func:`simulate_drift` run of ``make_cell("lstm1997", n=n, readout=r)`` per T and readout (same seed),
    and the loss Σ_j h_{T,j} backpropagated through all T steps (:meth:`DriftRun.gradients`). Columns: ``T``,
    ``readout``, ``c_T`` and ``h_T`` (max over units), ``dcT_dc0`` (‖∂c_T/∂c_0‖_2, total path), ``dL_dc0``
    (max_j |∂loss/∂c_{0,j}|) and ``param_norm`` (‖∂loss/∂θ‖).

    >>> table = drift_gradient_growth((50, 100), readouts=("identity",))
    >>> table["dcT_dc0"].tolist()          # the carousel: exactly 1 whatever T
    [1.0, 1.0]
    """
    import pandas as pd

    for readout in readouts:
        if readout not in READOUTS:
            raise LstmsymError(f"readouts must be taken from {READOUTS}, got {readout!r}")
    steps = [int(T) for T in steps]
    if not steps or min(steps) < 1:
        raise LstmsymError(f"steps must be a non-empty list of whole numbers >= 1, got {steps!r}")
    rows = []
    for readout in readouts:
        cell = make_cell("lstm1997", n=n, readout=readout)
        for T in steps:
            run = simulate_drift(cell, T=T, seed=seed, **param_options)
            g = run.gradients()
            norms = reference.lag_jacobian_norms(cell, run.params, run.xs, block=("c", "c"), ord=2)
            rows.append(
                {
                    "T": T,
                    "readout": readout,
                    "c_T": float(run.c_norm[-1]),
                    "h_T": float(run.h_norm[-1]),
                    "dcT_dc0": float(norms[0]),
                    "dL_dc0": g.dL_dc0,
                    "param_norm": g.param_norm,
                }
            )
    return pd.DataFrame(rows)


def _check_runs(runs: Sequence[DriftRun]) -> list[DriftRun]:
    runs = list(runs)
    if not runs or not all(isinstance(r, DriftRun) for r in runs):
        raise LstmsymError(f"runs must be a non-empty list of DriftRun (from simulate_drift), got {runs!r}")
    return runs


def _run_index(runs: Sequence[DriftRun]):
    import pandas as pd

    return pd.MultiIndex.from_tuples(
        [(r.cell.registry_name, r.cell.options["readout"]) for r in runs], names=["cell", "readout"]
    )


def drift_at_steps(runs: Sequence[DriftRun], steps: Sequence[int]):
    """max |c_t|, max |h_t| and ‖∂h_t/∂c_t‖_∞ of each run at the given steps, as a pandas DataFrame.

    Rows: (cell, readout, quantity), quantity one of "|c_t|", "|h_t|", "‖∂h_t/∂c_t‖"; columns: the steps t.

    >>> run = simulate_drift(make_cell("lstm1997", n=2), T=500, seed=0)
    >>> table = drift_at_steps([run], [10, 500])
    >>> table.index[0], list(table.columns)
    (('lstm1997', 'tanh', '|c_t|'), [10, 500])
    >>> round(float(table.loc[("lstm1997", "tanh", "|c_t|"), 500]))
    152
    """
    import pandas as pd

    runs = _check_runs(runs)
    steps = [int(t) for t in steps]
    T = min(r.traj.T for r in runs)
    if not steps or min(steps) < 1 or max(steps) > T:
        raise LstmsymError(f"steps must be a non-empty list of whole numbers in 1..{T}, got {steps!r}")
    rows, index = [], []
    for run in runs:
        name, readout = run.cell.registry_name, run.cell.options["readout"]
        for what, series, shift in (
            ("|c_t|", run.c_norm, 0),
            ("|h_t|", run.h_norm, 0),
            ("‖∂h_t/∂c_t‖", run.slope_norm, 1),  # slope_norm starts at t = 1
        ):
            index.append((name, readout, what))
            rows.append([float(series[t - shift]) for t in steps])
    return pd.DataFrame(
        rows,
        index=pd.MultiIndex.from_tuples(index, names=["cell", "readout", "quantity"]),
        columns=pd.Index(steps, name="t"),
    )


def h_ranges(runs: Sequence[DriftRun]):
    """The smallest and largest h of each run (over every unit and step t = 1..T) and the interval its
    readout keeps h in ("unbounded" for the identity), as a pandas DataFrame indexed by (cell, readout).

    >>> runs = [simulate_drift(make_cell("lstm1997", readout=r), T=30, seed=0) for r in ("tanh", "identity")]
    >>> h_ranges(runs)["h lies in"].tolist()
    ['(-1, 1)', 'unbounded']
    """
    import pandas as pd

    runs = _check_runs(runs)
    rows = []
    for run in runs:
        low, high = run.h_range
        bounds = H_BOUNDS[run.cell.options["readout"]]
        interval = "unbounded" if bounds is None else f"({bounds[0]:g}, {bounds[1]:g})"
        rows.append({"min h": low, "max h": high, "h lies in": interval})
    return pd.DataFrame(rows, index=_run_index(runs))


def gradient_summary(runs: Sequence[DriftRun]):
    """Each run at its last step T, as a pandas DataFrame indexed by (cell, readout): max |c_T|, max |h_T|,
    ‖∂h_T/∂c_T‖_∞, and for the loss Σ_j h_{T,j} (:data:`LOSS`) backpropagated through the whole run
    (:meth:`DriftRun.gradients`) the largest |∂loss/∂c_0| and the norm ‖∂loss/∂θ‖ over every parameter,
    in columns named with the course's symbol for the loss.

    >>> run = simulate_drift(make_cell("lstm1997", n=2, readout="identity"), T=50, seed=0)
    >>> row = gradient_summary([run]).loc[("lstm1997", "identity")]
    >>> bool(row[f"|∂{LOSS}/∂c_0|"] == row["‖∂h_T/∂c_T‖"])  # f ≡ 1: the carousel carries o_T back unchanged
    True
    """
    import pandas as pd

    runs = _check_runs(runs)
    rows = []
    for run in runs:
        g = run.gradients()
        rows.append(
            {
                "|c_T|": float(run.c_norm[-1]),
                "|h_T|": float(run.h_norm[-1]),
                "‖∂h_T/∂c_T‖": float(run.slope_norm[-1]),
                f"|∂{LOSS}/∂c_0|": g.dL_dc0,
                f"‖∂{LOSS}/∂θ‖": g.param_norm,
            }
        )
    return pd.DataFrame(rows, index=_run_index(runs))


def _drift_key(run: DriftRun) -> str:
    """The run's configuration as :mod:`lstmsym.style` names it: cell, keep-gate bias, readout."""
    name, readout = run.cell.registry_name, run.cell.options["readout"]
    if "b_f" in run.params:
        return f"{name} b_f={float(np.mean(run.params['b_f'])):g} readout={readout}"
    return f"{name} readout={readout}"


def _cell_key(run: DriftRun) -> str:
    """The run's cell without its readout, as :mod:`lstmsym.style` names it (it sets the colour in
    :func:`plot_drift`)."""
    name = run.cell.registry_name
    if "b_f" in run.params:
        return f"{name} b_f={float(np.mean(run.params['b_f'])):g}"
    return name


#: How :func:`plot_drift` draws each readout's h line; the colour is the cell's.
DRIFT_READOUT_LINESTYLES = {
    "tanh": "-",
    "sigmoid": (0, (1, 1)),
    "identity": "-.",
    "dense": (0, (4, 1, 1, 1, 1, 1)),
}


def plot_drift(runs: Sequence[DriftRun], axes=None):
    """Two panels over t: max |c_t| and max |h_t| (log y). Returns (fig, axes).

    One h line per run; one c line per distinct memory trajectory (with zero recurrent weights every
    readout of a cell shares its memory, so it is drawn once, labelled with the first such run). The colour
    names the cell (the 1997 cell, the LSTM with its b_f) in both panels; the line style of an h line names
    the readout (:data:`DRIFT_READOUT_LINESTYLES`: tanh solid, identity dash-dot), so two readouts of one
    cell, or one readout of two cells, are never drawn alike.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> pairs = [(c, r) for c in ("lstm", "lstm1997") for r in ("tanh", "identity")]
    >>> runs = [simulate_drift(make_cell(c, readout=r), T=10) for c, r in pairs]
    >>> fig, axes = plot_drift(runs)
    >>> len({(line.get_color(), line.get_linestyle()) for line in axes[1].lines})
    4
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    from ..style import log_axis, style, style_or

    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    else:
        fig = axes[0].figure
    runs = _check_runs(runs)
    drawn: list[np.ndarray] = []
    for j, run in enumerate(runs):
        t = np.arange(1, run.traj.T + 1)
        key, readout = _drift_key(run), run.cell.options["readout"]
        try:
            label = style(key).label  # the course's label; a configuration outside the table keeps its own
        except LstmsymError:
            label = run.label
        color = style_or(_cell_key(run), j).color  # the cell's colour, whatever the readout
        if "readout" not in label:  # the tanh readout is the cell's own: say so beside the others
            label = f"{label}, {readout} readout"
        if not any(np.array_equal(run.c_norm, c) for c in drawn):  # runs that share a memory: one line
            drawn.append(run.c_norm)
            shared = [
                r for r in runs if _cell_key(r) == _cell_key(run) and np.array_equal(r.c_norm, run.c_norm)
            ]
            if len(shared) > 1:  # one memory for several readouts: drawn solid, labelled with the cell
                c_style, c_label = "-", style_or(_cell_key(run), j).label
            else:
                c_style, c_label = DRIFT_READOUT_LINESTYLES[readout], label
            axes[0].plot(t, run.c_norm[1:], color=color, linestyle=c_style, lw=1.0, label=c_label)
        bounded = H_BOUNDS[readout] is not None
        axes[1].plot(
            t,
            run.h_norm[1:],
            color=color,
            linestyle=DRIFT_READOUT_LINESTYLES[readout],
            lw=1.0,
            label=label,
            zorder=3 if bounded else 2,
        )
    for ax, what in zip(axes, ("memory  max$_j |c_{t,j}|$", "output  max$_j |h_{t,j}|$"), strict=True):
        log_axis(ax, "y")
        ax.set_xlabel("step $t$")
        ax.set_ylabel(what)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_title("the memory drifts without a keep gate")
    axes[1].set_title("the readout decides whether h follows")
    axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig, axes


# -- with recurrent weights on: what the dense readout's own weights add on the h-path ------------------


PATHS = ("direct", "total")


@dataclass(frozen=True)
class HPathNorms:
    """‖∂h_T/∂h_{T-L}‖ over lags L for several readouts and seeds (from :func:`h_path_norms`).

    ``norms[(readout, path)]`` is (len(seeds), len(lags)); ``path`` is "direct" (the product of the
    direct one-step h-blocks: 0 for the gated readouts, diag(o ⊙ (1 - y²)) W_y per step for the dense
    one) or "total" (every route, the carousel through c included).
    """

    lags: tuple[int, ...]
    seeds: tuple[int, ...]
    recurrent_scale: float
    norms: dict[tuple[str, str], np.ndarray]

    @property
    def readouts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for r, _ in self.norms))

    def median(self, readout: str, path: str = "total") -> np.ndarray:
        """Median over seeds, one value per lag, (len(lags),)."""
        if (readout, path) not in self.norms:
            raise LstmsymError(f"(readout, path) must be one of {list(self.norms)}, got {(readout, path)!r}")
        return np.median(self.norms[(readout, path)], axis=0)

    def frame(self):
        """The median over seeds of each (readout, path) at each lag, as a pandas DataFrame: rows
        (readout, path), columns the lags L."""
        import pandas as pd

        return pd.DataFrame(
            [self.median(readout, path) for readout, path in self.norms],
            index=pd.MultiIndex.from_tuples(list(self.norms), names=["readout", "path"]),
            columns=pd.Index(self.lags, name="lag L"),
        )


def h_path_norms(
    readouts: Sequence[str] = ("tanh", "dense"),
    lags: Sequence[int] = (1, 2, 5, 10, 20, 50, 100),
    seeds: Sequence[int] = tuple(range(7)),
    name: str = "lstm",
    n: int = 4,
    recurrent_scale: float = 0.3,
    ord: str | float = 2,
    **param_options: float,
) -> HPathNorms:
    """‖∂h_T/∂h_{T-L}‖ (spectral norm by default) at T = max(lags), both paths, per readout and seed.

    Each run is :func:`simulate_drift` (x_t ~ N(0, 1), :func:`drift_params` with ``recurrent_scale``, so the
    recurrent weights, W_y included, are on); the norms come from the NumPy reference's lag Jacobians.
    The readouts share the gate weights of a seed (each parameter has its own random stream).

    >>> r = h_path_norms(lags=(1, 10), seeds=(0, 1, 2))
    >>> [float(v) for v in r.median("tanh", "direct")]          # a gated readout has no direct h-path
    [0.0, 0.0]
    >>> bool(r.median("dense", "direct")[1] < 1e-6 < r.median("dense", "total")[1])
    True
    """
    for readout in readouts:
        if readout not in READOUTS:
            raise LstmsymError(f"readouts must be taken from {READOUTS}, got {readout!r}")
    if not readouts:
        raise LstmsymError("readouts must name at least one readout")
    lags = tuple(int(k) for k in lags)
    if not lags or min(lags) < 1:
        raise LstmsymError(f"lags must be a non-empty sequence of whole numbers >= 1, got {lags!r}")
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise LstmsymError("seeds must hold at least one seed")
    T = max(lags)
    index = T - np.array(lags)  # lag L is column T - L of the norms over 0..T
    norms: dict[tuple[str, str], np.ndarray] = {}
    for readout in readouts:
        cell = _check_lstm(_make(name, n, readout))
        runs = [
            simulate_drift(cell, T=T, seed=s, recurrent_scale=recurrent_scale, **param_options) for s in seeds
        ]
        for path in PATHS:
            norms[(readout, path)] = np.array(
                [
                    reference.lag_jacobian_norms(
                        cell, run.params, run.xs, block=("h", "h"), direct=path == "direct", ord=ord
                    )[index]
                    for run in runs
                ]
            )
    return HPathNorms(lags=lags, seeds=seeds, recurrent_scale=float(recurrent_scale), norms=norms)


def h_path_medians(results: dict[str, HPathNorms]):
    """The labelled :class:`HPathNorms` in one pandas DataFrame: for each label, the median over seeds of each
    (readout, path) at each lag (:meth:`HPathNorms.frame`), then the row ("dense/tanh", "total"), the ratio
    of the total medians, dense readout over tanh readout. Rows (setting, readout, path), columns the lags L.

    >>> table = h_path_medians({"s = 0.3": h_path_norms(lags=(1, 10), seeds=(0,), n=2)})
    >>> table.index.get_level_values("readout").tolist()
    ['tanh', 'tanh', 'dense', 'dense', 'dense/tanh']
    >>> [f"{v:.2g}" for v in table.loc[("s = 0.3", "dense/tanh", "total")]]
    ['1.9', '0.81']
    """
    import pandas as pd

    if not results:
        raise LstmsymError("results must map at least one label to an HPathNorms")
    parts = {}
    for label, hp in results.items():
        if not isinstance(hp, HPathNorms):
            raise LstmsymError(
                f"results must map labels to HPathNorms, got {type(hp).__name__} for {label!r}"
            )
        if not {"tanh", "dense"} <= set(hp.readouts):
            raise LstmsymError(
                f"results[{label!r}] must hold the 'tanh' and 'dense' readouts, has {hp.readouts}"
            )
        frame = hp.frame()
        frame.loc[("dense/tanh", "total"), :] = hp.median("dense") / hp.median("tanh")
        parts[label] = frame
    return pd.concat(parts, names=["setting"])


def plot_h_paths(result: HPathNorms, title: str):
    r"""Median ‖∂h_T/∂h_{T-L}‖ over lags: tanh readout total, dense readout total, dense readout direct.

    ``result`` comes from :func:`h_path_norms` with both "tanh" and "dense" readouts; the direct dense
    line is the W_y chain. Log y axis, limited to [1e-40, 2]. Creates a new figure with pyplot and
    returns it.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = plot_h_paths(h_path_norms(lags=(1, 5, 10), seeds=(0,)), "one seed")
    >>> ax = fig.axes[0]
    >>> len(ax.lines), ax.get_yscale(), ax.get_title()
    (3, 'log', 'one seed')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    if not isinstance(result, HPathNorms):
        raise LstmsymError(f"result must be an HPathNorms (from h_path_norms), got {type(result).__name__}")
    missing = [r for r in ("tanh", "dense") if r not in result.readouts]
    if missing:
        raise LstmsymError(f"result must hold the 'tanh' and 'dense' readouts; {missing[0]!r} is missing")
    import matplotlib.pyplot as plt

    from ..style import line_kwargs, log_axis

    fig, ax = plt.subplots(figsize=(6.5, 4))
    npoints = len(result.lags)
    ax.plot(
        result.lags,
        result.median("tanh", "total"),
        **line_kwargs(
            "tanh readout", 0, path="total", npoints=npoints, marker="o", label="tanh readout, total"
        ),
    )
    ax.plot(
        result.lags,
        result.median("dense", "total"),
        **line_kwargs(
            "dense readout", 1, path="total", npoints=npoints, marker="s", label="dense readout, total"
        ),
    )
    ax.plot(
        result.lags,
        result.median("dense", "direct"),
        **line_kwargs("dense readout", 1, path="direct", label=r"dense readout, direct path ($W_y$ chain)"),
    )
    log_axis(ax, "y")
    ax.set_ylim(1e-40, 2)
    ax.set_xlabel("lag $L$ (steps)")
    ax.set_ylabel(r"median $\Vert \partial h_T/\partial h_{T-L} \Vert_2$")
    ax.set_title(str(title))
    ax.legend(fontsize=8)
    return fig


#: control name -> (trajectory, what is cut) for :func:`dense_readout_controls`
DENSE_READOUT_CONTROLS: dict[str, tuple[str, str]] = {
    "tanh, total": ("same draws", "nothing: the tanh readout's cell on the dense cell's shared weights"),
    "dense, total": ("same", "nothing (full backpropagation through time)"),
    "dense, W_y cut (backward)": ("same", "every route through W_y, in the backward pass only"),
    "dense, W_y = 0 (re-run)": ("re-run", "W_y zeroed in the forward and the backward pass"),
    "dense, direct": ("same", "everything but the W_y chain: the product of diag(o(1 - y^2)) W_y"),
}


def dense_readout_controls(
    lags: Sequence[int] = (1, 10, 100),
    seeds: Sequence[int] = tuple(range(7)),
    name: str = "lstm",
    n: int = 4,
    recurrent_scale: float = 0.3,
    ord: str | float = 2,
    **param_options: float,
):
    """What carries the dense readout's total ‖∂h_T/∂h_{T-L}‖: controls that cut its own weight W_y.

    On the draws of :func:`h_path_norms` (T = max(lags)), per seed and lag, the norm under each control of
    :data:`DENSE_READOUT_CONTROLS`: the tanh readout's total, the dense readout's total, the same with W_y
    zeroed in the step Jacobians only (``cut=("W_y",)`` of the NumPy reference: same trajectory), with W_y
    zeroed in the run itself (the forward trajectory changes too), and the dense readout's direct path (the
    W_y chain alone). What survives both cuts travels by the routes that do not use W_y: the carousel, the
    gates reading h_{t-1}, and the readout's own c_t → y_t → h_t. A long pandas DataFrame with columns
    ``seed``, ``lag``, ``control``, ``trajectory``, ``norm``.

    >>> table = dense_readout_controls(lags=(1, 5), seeds=(0,), n=2)
    >>> wide = table.pivot(index="control", columns="lag", values="norm")
    >>> bool(wide.loc["dense, direct", 5] < wide.loc["dense, W_y cut (backward)", 5])
    True
    >>> float(table.query("control == 'dense, W_y cut (backward)'")["norm"].min()) > 0
    True
    """
    import pandas as pd

    lags = tuple(int(k) for k in lags)
    if not lags or min(lags) < 1:
        raise LstmsymError(f"lags must be a non-empty sequence of whole numbers >= 1, got {lags!r}")
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise LstmsymError("seeds must hold at least one seed")
    T = max(lags)
    index = T - np.array(lags)  # lag L is column T - L of the norms over 0..T
    dense, tanh = _check_lstm(_make(name, n, "dense")), _check_lstm(_make(name, n, "tanh"))
    rows = []
    for seed in seeds:
        run = simulate_drift(dense, T=T, seed=seed, recurrent_scale=recurrent_scale, **param_options)
        plain = simulate_drift(tanh, T=T, seed=seed, recurrent_scale=recurrent_scale, **param_options)
        zeroed = {**run.params, "W_y": np.zeros_like(run.params["W_y"])}
        measured = {
            "tanh, total": (tanh, plain.params, {}),
            "dense, total": (dense, run.params, {}),
            "dense, W_y cut (backward)": (dense, run.params, {"cut": ("W_y",)}),
            "dense, W_y = 0 (re-run)": (dense, zeroed, {}),
            "dense, direct": (dense, run.params, {"direct": True}),
        }
        for control, (cell, params, options) in measured.items():
            norms = reference.lag_jacobian_norms(cell, params, run.xs, block=("h", "h"), ord=ord, **options)
            for lag, value in zip(lags, norms[index], strict=True):
                rows.append((seed, lag, control, DENSE_READOUT_CONTROLS[control][0], float(value)))
    return pd.DataFrame(rows, columns=["seed", "lag", "control", "trajectory", "norm"])


def memory_path_norms(
    readouts: Sequence[str] = READOUTS,
    lag: int = 100,
    seeds: Sequence[int] = tuple(range(7)),
    name: str = "lstm",
    n: int = 4,
    recurrent_scale: float = 0.3,
    **param_options: float,
):
    """‖∂c_T/∂c_0‖_2 at T = ``lag`` on both paths, per readout and seed, on the draws of :func:`h_path_norms`.

    Each run is :func:`simulate_drift` (x_t ~ N(0, 1); the readouts of a seed share every weight they
    have in common). ``recurrent_scale=0`` is the control that cuts h out of every gate (all W zero): then
    the gates read only x_t, every readout has the same memory, and the total equals the direct product.
    One row per (readout, seed); columns ``readout``, ``seed``, ``direct``, ``total``, ``slope`` (median
    over t of ‖∂h_t/∂c_t‖_∞), ``h_max`` and ``c_max`` (largest |h_t|, |c_t| over units and steps).

    >>> table = memory_path_norms(readouts=("tanh", "identity"), lag=20, seeds=(0,), recurrent_scale=0.0)
    >>> bool(table["total"].nunique() == 1 and (table["total"] == table["direct"]).all())
    True
    """
    import pandas as pd

    for readout in readouts:
        if readout not in READOUTS:
            raise LstmsymError(f"readouts must be taken from {READOUTS}, got {readout!r}")
    if not readouts:
        raise LstmsymError("readouts must name at least one readout")
    T = int(lag)
    if T < 1:
        raise LstmsymError(f"lag must be a whole number >= 1, got {lag!r}")
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise LstmsymError("seeds must hold at least one seed")
    rows = []
    for readout in readouts:
        cell = _check_lstm(_make(name, n, readout))
        for seed in seeds:
            run = simulate_drift(cell, T=T, seed=seed, recurrent_scale=recurrent_scale, **param_options)
            norms = {
                path: float(
                    reference.lag_jacobian_norms(
                        cell, run.params, run.xs, block=("c", "c"), direct=path == "direct", ord=2
                    )[0]
                )
                for path in PATHS
            }
            rows.append(
                {
                    "readout": readout,
                    "seed": seed,
                    **norms,
                    "slope": float(np.median(run.slope_norm)),
                    "h_max": float(run.h_norm.max()),
                    "c_max": float(run.c_norm.max()),
                }
            )
    return pd.DataFrame(rows)


def _make(name: str, n: int, readout: str) -> Cell:
    if name not in ("lstm", "lstm1997"):
        raise LstmsymError(f"name must be 'lstm' or 'lstm1997', got {name!r}")
    return make_cell(name, n=n, readout=readout)


def readout_parameter_count(cell: Cell) -> dict[str, int]:
    """The parameters ``cell`` has that the same cell with the tanh readout lacks: name → number of entries.

    >>> from lstmsym.cells import make_cell
    >>> readout_parameter_count(make_cell("lstm", n=4, m=1, readout="dense"))
    {'W_y': 16, 'U_y': 4, 'V_y': 16, 'b_y': 4}
    >>> readout_parameter_count(make_cell("lstm", readout="identity"))
    {}
    """
    _check_lstm(cell)
    base = make_cell("lstm", n=cell.n, m=cell.m, **{**cell.options, "readout": "tanh"}).param_shapes
    return {k: int(np.prod(s)) for k, s in cell.param_shapes.items() if k not in base}


__all__ = [
    "DENSE_READOUT_CONTROLS",
    "DRIFT_READOUT_LINESTYLES",
    "H_BOUNDS",
    "LOSS",
    "PATHS",
    "READOUTS",
    "DriftGradients",
    "DriftRun",
    "HPathNorms",
    "dense_readout_controls",
    "drift_at_steps",
    "drift_by_forget_bias",
    "drift_gradient_growth",
    "drift_params",
    "gradient_summary",
    "h_path_medians",
    "h_path_norms",
    "h_ranges",
    "memory_path_norms",
    "parameter_blocks",
    "plot_drift",
    "plot_h_paths",
    "readout_derivative",
    "readout_jacobians",
    "readout_parameter_count",
    "readout_slopes",
    "simulate_drift",
    "write_gate_means",
]
