"""Batched forward and backward through time for every cell and switch, with a linear readout on h_T.

Shapes: inputs ``xs`` (T, B, m) (x_1 = xs[0]); states name → (B, n); a trajectory stores them as
(T+1, B, n), row 0 the initial state. The loop over time is here; each cell kind's step and its
vector-Jacobian product live in ``batched_<kind>.py`` (class ``Unroll``) and act on the whole batch at
once, so no Python loop runs over the batch.

An optional ``mask`` (T, B) of zeros and ones freezes sequences: where mask[t-1, b] = 0 the state of
sequence b is carried over unchanged, s_t = s_{t-1}. Sequences of different lengths are padded at the
front with masked steps, so that every one starts from s_0 and ends at step T, the readout step.

The model's parameters are the cell's (conventions' names and shapes) plus ``w_out`` (n,), ``b_out`` (1,).

>>> import lstmsym as ls
>>> cell = ls.make_cell("rnn", n=1, m=1)
>>> params = {"W": np.array([[2.0]]), "U": np.array([[1.0]]), "b": np.array([0.0])}
>>> xs = np.array([[[1.0]], [[0.0]]])                    # T = 2, B = 1
>>> traj = forward(cell, params, xs)
>>> traj.states["h"][:, 0, 0]                            # h_0, h_1 = tanh(1), h_2 = tanh(2 tanh(1))
array([0.        , 0.76159416, 0.90925167])
>>> grads = backward(traj, {"h": np.array([[1.0]])})    # L = h_2
>>> float(grads.ds0["h"][0, 0])                          # ∂h_2/∂h_0 (the reference module agrees)
0.29106136
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from ..errors import LstmsymError, UnknownChoiceError
from . import batched_dense_memory, batched_gru, batched_lstm, batched_rnn
from .readout import readout_loss

Array = np.ndarray
_MODULES: dict[str, ModuleType] = {
    "rnn": batched_rnn,
    "lstm": batched_lstm,
    "gru": batched_gru,
    "dense_memory": batched_dense_memory,
}
READOUT_PARAMS = ("w_out", "b_out")


@dataclass(eq=False)
class BatchTrajectory:
    """A batched forward pass: ``states`` name → (T+1, B, n); ``unroll`` keeps what backward needs."""

    states: dict[str, Array]
    mask: Array | None
    unroll: object

    @property
    def T(self) -> int:
        return next(iter(self.states.values())).shape[0] - 1

    def last(self) -> dict[str, Array]:
        """The final state s_T, name → (B, n)."""
        return {name: v[-1] for name, v in self.states.items()}


@dataclass(eq=False)
class BatchGrads:
    """``ds0``: ∂L/∂s_0, name → (B, n); ``dparams``: ∂L/∂θ for every cell parameter."""

    ds0: dict[str, Array]
    dparams: dict[str, Array]


def _module(cell: object) -> tuple[ModuleType, dict[str, object]]:
    kind, options = cell.kind, dict(getattr(cell, "options", None) or {})
    if kind == "lstm1997":
        kind, options = "lstm", {**options, "forget_gate": False}
    if kind not in _MODULES:
        raise UnknownChoiceError("cell.kind", kind, tuple(_MODULES))
    return _MODULES[kind], options


def _check_xs(cell: object, xs: object) -> Array:
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim != 3 or xs.shape[2] != cell.m or xs.shape[0] < 1 or xs.shape[1] < 1:
        raise LstmsymError(f"xs has shape {xs.shape}; expected (T, B, {cell.m}) with T >= 1 and B >= 1")
    return xs


def forward(
    cell: object,
    params: Mapping[str, Array],
    xs: object,
    state0: Mapping[str, Array] | None = None,
    mask: Array | None = None,
) -> BatchTrajectory:
    """Run ``cell`` over ``xs`` (T, B, m) from ``state0`` (name → (B, n); zeros if None)."""
    module, options = _module(cell)
    xs = _check_xs(cell, xs)
    T, B, _ = xs.shape
    n, names = cell.n, module.STATE_NAMES
    if mask is not None:
        mask = np.asarray(mask, dtype=np.float64)
        if mask.shape != (T, B):
            raise LstmsymError(f"mask has shape {mask.shape}; expected (T, B) = {(T, B)}")
    states = {name: np.empty((T + 1, B, n)) for name in names}
    for name in names:
        states[name][0] = 0.0 if state0 is None else np.broadcast_to(state0[name], (B, n))
    unroll = module.Unroll({k: np.asarray(v, dtype=np.float64) for k, v in params.items()}, options, xs)
    prev = {name: states[name][0] for name in names}
    for t in range(T):
        new = unroll.step(t, prev)
        if mask is not None:  # frozen sequences keep their state
            keep = mask[t][:, None]
            new = {name: keep * new[name] + (1.0 - keep) * prev[name] for name in names}
        for name in names:
            states[name][t + 1] = new[name]
        prev = {name: states[name][t + 1] for name in names}
    return BatchTrajectory(states=states, mask=mask, unroll=unroll)


def backward(traj: BatchTrajectory, ds_T: Mapping[str, Array]) -> BatchGrads:
    """Backpropagation through time of L = Σ_b ds_T[b] · s_T[b], ``ds_T`` name → (B, n) (missing: zero)."""
    names, T = tuple(traj.states), traj.T
    any_state = traj.states[names[0]]
    cot = {
        name: np.asarray(ds_T[name], dtype=np.float64) if name in ds_T else np.zeros(any_state.shape[1:])
        for name in names
    }
    for t in range(T - 1, -1, -1):
        prev = {name: traj.states[name][t] for name in names}
        if traj.mask is None:
            cot = traj.unroll.vjp(t, prev, cot)
        else:  # s_t = m step(s_{t-1}) + (1 - m) s_{t-1}
            keep = traj.mask[t][:, None]
            through = traj.unroll.vjp(t, prev, {name: keep * cot[name] for name in names})
            cot = {name: through[name] + (1.0 - keep) * cot[name] for name in names}
    return BatchGrads(ds0=cot, dparams=traj.unroll.grads(traj.states))


@dataclass(eq=False)
class LossGrads:
    """One loss evaluation: ``loss`` (batch mean), ``y`` (B,) outputs, ``grads`` for every parameter of the
    model (cell and readout), ``ds0`` = ∂L/∂s_0 name → (B, n), ``dsT`` = ∂L/∂s_T."""

    loss: float
    y: Array
    grads: dict[str, Array]
    ds0: dict[str, Array]
    dsT: dict[str, Array]


def loss_and_grads(
    cell: object,
    params: Mapping[str, Array],
    xs: object,
    target: Array,
    loss: str,
    mask: Array | None = None,
    state0: Mapping[str, Array] | None = None,
) -> LossGrads:
    """The batch-mean loss of the readout on h_T and its gradient with respect to every parameter.

    >>> import lstmsym as ls
    >>> cell = ls.make_cell("gru", n=2, m=1)
    >>> params = {**ls.init_params(cell, seed=0), "w_out": np.ones(2), "b_out": np.zeros(1)}
    >>> xs = np.random.default_rng(0).normal(size=(5, 3, 1))        # T = 5, B = 3
    >>> out = loss_and_grads(cell, params, xs, np.array([1.0, 0.0, 1.0]), "logistic")
    >>> sorted(out.grads) == sorted(params)
    True
    """
    for name in READOUT_PARAMS:
        if name not in params:
            raise LstmsymError(
                f"parameter {name!r} (the readout) is missing; expected w_out (n,), b_out (1,)"
            )
    cell_params = {k: v for k, v in params.items() if k not in READOUT_PARAMS}
    traj = forward(cell, cell_params, xs, state0, mask)
    out = readout_loss(
        traj.states["h"][-1],
        np.asarray(params["w_out"], dtype=np.float64),
        np.asarray(params["b_out"], dtype=np.float64),
        np.asarray(target, dtype=np.float64),
        loss,
    )
    dsT = {"h": out.dh}
    grads = backward(traj, dsT)
    return LossGrads(
        loss=out.loss,
        y=out.y,
        grads={**grads.dparams, "w_out": out.dw, "b_out": out.db},
        ds0=grads.ds0,
        dsT=dsT,
    )
