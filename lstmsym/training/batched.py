"""Batched forward and backward through time for every cell and switch, with a linear readout on h_T.

Two entry points share one implementation:

- **one model**: :func:`forward`, :func:`backward`, :func:`loss_and_grads`. Inputs ``xs`` (T, B, m) (x_1 =
  xs[0]); states name → (B, n); a trajectory stores them as (T+1, B, n), row 0 the initial state;
  parameters have the conventions' shapes.
- **S models side by side** (one per seed): :func:`forward_seeds`, :func:`backward_seeds`,
  :func:`loss_and_grads_seeds`. Every array gains a seed axis: parameters (S, ...), inputs (T, S, B, m),
  states (S, B, n), trajectories (T+1, S, B, n), targets (S, B). Each seed has its own parameters and its own
  batch; the seeds only share the NumPy calls. A seed's numbers do not depend on which other seeds run
  beside it (the per-seed matrix products are the same): the one-model functions are the seed functions
  with S = 1.

The loop over time is here; each cell kind's step and its vector-Jacobian product live in
``batched_<kind>.py`` (class ``Unroll``) and act on all seeds and sequences at once. A registered cell
without such a module (a user's cell) trains through its compiled symbolic step, :mod:`.batched_compiled`.

An optional ``mask`` (T, B) (or (T, S, B)) of zeros and ones freezes sequences: where it is 0 at step t the
state of that sequence is carried over unchanged, s_t = s_{t-1}. Sequences of different lengths are padded
at the front with masked steps, so that every one starts from s_0 and ends at step T, the readout step.

``gradient="truncated"`` (cells with a carousel only: the LSTM and its switches, the 1997 cell) is the 1997
truncated gradient: only the carousel carries error back in time (:mod:`.batched_lstm` defines it).
``gradient="full"`` (the default) is backpropagation through time.

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

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from ..errors import LstmsymError, UnknownChoiceError
from . import batched_compiled, batched_dense_memory, batched_gru, batched_lstm, batched_rnn
from .readout import readout_loss_seeds

Array = np.ndarray
_MODULES: dict[str, ModuleType] = {
    "rnn": batched_rnn,
    "lstm": batched_lstm,
    "gru": batched_gru,
    "dense_memory": batched_dense_memory,
}
READOUT_PARAMS = ("w_out", "b_out")
#: The two gradients the trainer can follow: backpropagation through time, or the 1997 truncation.
GRADIENTS = ("full", "truncated")


@dataclass(eq=False)
class BatchTrajectory:
    """A batched forward pass: ``states`` name → (T+1, B, n) (one model) or (T+1, S, B, n) (seeds);
    ``unroll`` keeps what backward needs; ``seeds`` is False for the one-model form."""

    states: dict[str, Array]
    mask: Array | None
    unroll: object
    seeds: bool = True
    inner: "BatchTrajectory | None" = None  # the one-model form keeps its S = 1 trajectory here

    @property
    def T(self) -> int:
        return next(iter(self.states.values())).shape[0] - 1

    def last(self) -> dict[str, Array]:
        """The final state s_T, name → (B, n) (or (S, B, n))."""
        return {name: v[-1] for name, v in self.states.items()}


@dataclass(eq=False)
class BatchGrads:
    """``ds0``: ∂L/∂s_0, name → (B, n) (or (S, B, n)); ``dparams``: ∂L/∂θ for every cell parameter."""

    ds0: dict[str, Array]
    dparams: dict[str, Array]


_FORCE_COMPILED = False


@contextmanager
def compiled_path() -> Iterator[None]:
    """Within this block every cell trains through its compiled symbolic step (:mod:`.batched_compiled`),
    even one with a hand-written module: to compare the two routes (tests, ``bench/compiled_cell.py``)."""
    global _FORCE_COMPILED
    before, _FORCE_COMPILED = _FORCE_COMPILED, True
    try:
        yield
    finally:
        _FORCE_COMPILED = before


def _module(cell: object) -> tuple[ModuleType, dict[str, object]]:
    """The batched module of ``cell`` and its options: the hand-written one of :data:`_MODULES` or of its
    registration (``batched=``), else (a user's cell) the compiled symbolic step, :mod:`.batched_compiled`."""
    kind, options = cell.kind, dict(getattr(cell, "options", None) or {})
    if kind == "lstm1997":
        kind, options = "lstm", {**options, "forget_gate": False}
    from ..cells.registry import entry_of

    entry = entry_of(cell)
    if _FORCE_COMPILED or (entry is not None and not (entry.builtin and kind in _MODULES)):
        if entry is not None and entry.batched is not None and not _FORCE_COMPILED:
            return entry.module("batched"), options
        return batched_compiled.module_for(cell), {}
    if kind not in _MODULES:
        raise UnknownChoiceError("cell.kind", kind, tuple(_MODULES))
    return _MODULES[kind], options


def check_gradient(cell: object, gradient: str) -> str:
    """``gradient`` if it is one of :data:`GRADIENTS` and the cell offers it; a clear error otherwise."""
    if gradient not in GRADIENTS:
        raise UnknownChoiceError("gradient", gradient, GRADIENTS)
    if gradient == "truncated" and not _module(cell)[0].TRUNCATABLE:
        raise LstmsymError(
            f"gradient='truncated' (the 1997 truncation: only the carousel carries error back) needs a cell "
            f"with a carousel (lstm, lstm1997); {cell.kind!r} has none"
        )
    return gradient


def _check_xs(cell: object, xs: object) -> Array:
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim != 4 or xs.shape[3] != cell.m or min(xs.shape[:3]) < 1:
        raise LstmsymError(
            f"xs has shape {xs.shape}; expected (T, S, B, {cell.m}) with T, S, B >= 1 (seeds), "
            f"or (T, B, {cell.m}) for one model"
        )
    return xs


def _check_seed_params(params: Mapping[str, Array], S: int) -> dict[str, Array]:
    out = {}
    for name, value in params.items():
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim < 2 or arr.shape[0] != S:
            raise LstmsymError(
                f"parameter {name!r} has shape {arr.shape}; with S = {S} seeds it needs a leading seed axis "
                f"of length {S}"
            )
        out[name] = arr
    return out


def forward_seeds(
    cell: object,
    params: Mapping[str, Array],
    xs: object,
    state0: Mapping[str, Array] | None = None,
    mask: Array | None = None,
) -> BatchTrajectory:
    """Run S models of ``cell`` over ``xs`` (T, S, B, m) from ``state0`` (name → (S, B, n); zeros if None)."""
    module, options = _module(cell)
    xs = _check_xs(cell, xs)
    T, S, B, _ = xs.shape
    n, names = cell.n, module.STATE_NAMES
    params = _check_seed_params(params, S)
    if mask is not None:
        mask = np.asarray(mask, dtype=np.float64)
        if mask.shape != (T, S, B):
            raise LstmsymError(f"mask has shape {mask.shape}; expected (T, S, B) = {(T, S, B)}")
    states = {name: np.empty((T + 1, S, B, n)) for name in names}
    for name in names:
        states[name][0] = 0.0 if state0 is None else np.broadcast_to(state0[name], (S, B, n))
    unroll = module.Unroll(params, options, xs)
    prev = {name: states[name][0] for name in names}
    for t in range(T):
        new = unroll.step(t, prev)
        if mask is not None:  # frozen sequences keep their state
            keep = mask[t][..., None]
            new = {name: keep * new[name] + (1.0 - keep) * prev[name] for name in names}
        for name in names:
            states[name][t + 1] = new[name]
        prev = {name: states[name][t + 1] for name in names}
    return BatchTrajectory(states=states, mask=mask, unroll=unroll)


def backward_seeds(traj: BatchTrajectory, ds_T: Mapping[str, Array], gradient: str = "full") -> BatchGrads:
    """Backpropagation through time of L = Σ_s Σ_b ds_T[s, b] · s_T[s, b], ``ds_T`` name → (S, B, n)
    (missing: zero); ``gradient="truncated"``: the 1997 truncation (cells with a carousel only)."""
    names, T = tuple(traj.states), traj.T
    if gradient not in GRADIENTS:
        raise UnknownChoiceError("gradient", gradient, GRADIENTS)
    truncated = gradient == "truncated"
    if truncated and not isinstance(traj.unroll, batched_lstm.Unroll):
        raise LstmsymError("gradient='truncated' needs a cell with a carousel (lstm, lstm1997)")
    any_state = traj.states[names[0]]
    cot = {
        name: np.asarray(ds_T[name], dtype=np.float64) if name in ds_T else np.zeros(any_state.shape[1:])
        for name in names
    }
    for t in range(T - 1, -1, -1):
        prev = {name: traj.states[name][t] for name in names}
        if traj.mask is None:
            cot = traj.unroll.vjp(t, prev, cot, truncated)
        else:  # s_t = m step(s_{t-1}) + (1 - m) s_{t-1}
            keep = traj.mask[t][..., None]
            through = traj.unroll.vjp(t, prev, {name: keep * cot[name] for name in names}, truncated)
            cot = {name: through[name] + (1.0 - keep) * cot[name] for name in names}
    return BatchGrads(ds0=cot, dparams=traj.unroll.grads(traj.states))


def _one(cell: object, params: Mapping[str, Array], xs: object) -> tuple[dict[str, Array], Array]:
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim != 3 or xs.shape[2] != cell.m or xs.shape[0] < 1 or xs.shape[1] < 1:
        raise LstmsymError(f"xs has shape {xs.shape}; expected (T, B, {cell.m}) with T >= 1 and B >= 1")
    return {k: np.asarray(v, dtype=np.float64)[None] for k, v in params.items()}, xs[:, None]


def _one_mask(mask: Array | None, T: int, B: int) -> Array | None:
    if mask is None:
        return None
    mask = np.asarray(mask, dtype=np.float64)
    if mask.shape != (T, B):
        raise LstmsymError(f"mask has shape {mask.shape}; expected (T, B) = {(T, B)}")
    return mask[:, None]


def _one_state(state: Mapping[str, Array] | None) -> dict[str, Array] | None:
    return None if state is None else {k: np.asarray(v, dtype=np.float64)[None] for k, v in state.items()}


def forward(
    cell: object,
    params: Mapping[str, Array],
    xs: object,
    state0: Mapping[str, Array] | None = None,
    mask: Array | None = None,
) -> BatchTrajectory:
    """Run ``cell`` over ``xs`` (T, B, m) from ``state0`` (name → (B, n); zeros if None)."""
    seed_params, seed_xs = _one(cell, params, xs)
    T, _, B, _ = seed_xs.shape
    inner = forward_seeds(cell, seed_params, seed_xs, _one_state(state0), _one_mask(mask, T, B))
    states = {name: v[:, 0] for name, v in inner.states.items()}
    return BatchTrajectory(states=states, mask=mask, unroll=inner.unroll, seeds=False, inner=inner)


def backward(traj: BatchTrajectory, ds_T: Mapping[str, Array], gradient: str = "full") -> BatchGrads:
    """Backpropagation through time of L = Σ_b ds_T[b] · s_T[b], ``ds_T`` name → (B, n) (missing: zero)."""
    if traj.seeds:
        return backward_seeds(traj, ds_T, gradient)
    grads = backward_seeds(traj.inner, _one_state(ds_T), gradient)
    return BatchGrads(
        ds0={k: v[0] for k, v in grads.ds0.items()}, dparams={k: v[0] for k, v in grads.dparams.items()}
    )


@dataclass(eq=False)
class LossGrads:
    """One loss evaluation: ``loss`` (batch mean), ``y`` (B,) outputs, ``grads`` for every parameter of the
    model (cell and readout), ``ds0`` = ∂L/∂s_0 name → (B, n), ``dsT`` = ∂L/∂s_T, ``traj`` the forward pass
    (after backward: :func:`step_grads` reads it). From :func:`loss_and_grads_seeds` every field has a
    leading seed axis (``loss`` (S,), ``y`` (S, B), ...)."""

    loss: float | Array
    y: Array
    grads: dict[str, Array]
    ds0: dict[str, Array]
    dsT: dict[str, Array]
    traj: BatchTrajectory | None = None


def _split_readout(params: Mapping[str, Array]) -> dict[str, Array]:
    for name in READOUT_PARAMS:
        if name not in params:
            raise LstmsymError(
                f"parameter {name!r} (the readout) is missing; expected w_out (n,), b_out (1,)"
            )
    return {k: v for k, v in params.items() if k not in READOUT_PARAMS}


def loss_and_grads_seeds(
    cell: object,
    params: Mapping[str, Array],
    xs: object,
    target: Array,
    loss: str,
    mask: Array | None = None,
    state0: Mapping[str, Array] | None = None,
    gradient: str = "full",
) -> LossGrads:
    """Each seed's batch-mean loss of the readout on h_T and its gradient with respect to every parameter.

    ``params`` name → (S, ...) (``w_out`` (S, n), ``b_out`` (S, 1)), ``xs`` (T, S, B, m), ``target`` (S, B),
    ``mask`` (T, S, B) or None. Seed s's numbers are those of :func:`loss_and_grads` on seed s alone.

    >>> import lstmsym as ls
    >>> cell = ls.make_cell("rnn", n=2, m=1)
    >>> one = {**ls.init_params(cell, seed=0), "w_out": np.ones(2), "b_out": np.zeros(1)}
    >>> two = {k: np.stack([v, 2 * v]) for k, v in one.items()}              # S = 2 models
    >>> xs = np.random.default_rng(0).normal(size=(4, 2, 3, 1))              # T = 4, S = 2, B = 3
    >>> out = loss_and_grads_seeds(cell, two, xs, np.ones((2, 3)), "logistic")
    >>> alone = loss_and_grads(cell, one, xs[:, 0], np.ones(3), "logistic")
    >>> bool(out.loss[0] == alone.loss), bool(np.array_equal(out.grads["W"][0], alone.grads["W"]))
    (True, True)
    """
    check_gradient(cell, gradient)
    cell_params = _split_readout(params)
    traj = forward_seeds(cell, cell_params, xs, state0, mask)
    out = readout_loss_seeds(
        traj.states["h"][-1],
        np.asarray(params["w_out"], dtype=np.float64),
        np.asarray(params["b_out"], dtype=np.float64),
        np.asarray(target, dtype=np.float64),
        loss,
    )
    dsT = {"h": out.dh}
    grads = backward_seeds(traj, dsT, gradient)
    return LossGrads(
        loss=out.loss,
        y=out.y,
        grads={**grads.dparams, "w_out": out.dw, "b_out": out.db},
        ds0=grads.ds0,
        dsT=dsT,
        traj=traj,
    )


def loss_and_grads(
    cell: object,
    params: Mapping[str, Array],
    xs: object,
    target: Array,
    loss: str,
    mask: Array | None = None,
    state0: Mapping[str, Array] | None = None,
    gradient: str = "full",
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
    _split_readout(params)
    seed_params, seed_xs = _one(cell, params, xs)
    seed_params["b_out"] = seed_params["b_out"].reshape(1, 1)
    T, _, B, _ = seed_xs.shape
    out = loss_and_grads_seeds(
        cell,
        seed_params,
        seed_xs,
        np.asarray(target, dtype=np.float64)[None],
        loss,
        _one_mask(mask, T, B),
        _one_state(state0),
        gradient,
    )
    grads = {k: v[0] for k, v in out.grads.items()}
    grads["b_out"] = grads["b_out"].reshape(np.shape(params["b_out"]))
    return LossGrads(
        loss=float(out.loss[0]),
        y=out.y[0],
        grads=grads,
        ds0={k: v[0] for k, v in out.ds0.items()},
        dsT={k: v[0] for k, v in out.dsT.items()},
        traj=out.traj,
    )


def step_grads(traj: BatchTrajectory, steps: slice) -> dict[str, Array]:
    """The part of the cell's parameter gradient that comes from the steps ``steps`` (a slice of the 0-based
    step indices), per seed (S, ...), read from a trajectory after its backward pass.

    The gradient of a recurrent cell's parameters is a sum over the steps at which they are used,
    ∂L/∂θ = Σ_t g_t with g_t = (∂L/∂a_t)ᵀ ∂a_t/∂θ; ``step_grads(traj, slice(t - 1, t))`` is g_t.
    """
    inner = traj.inner if not traj.seeds else traj
    return inner.unroll.grads(inner.states, steps)
