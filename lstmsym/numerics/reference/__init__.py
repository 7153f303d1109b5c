"""Independent NumPy reference for the cells' trajectories, Jacobians and gradients, derived by hand.

This is the second implementation the symbolic engine is checked against and the fast path for long lags. It
uses NumPy only; nothing here comes from SymPy or from lstmsym's symbolic modules. One module per cell kind
(:mod:`.rnn`, :mod:`.lstm`, :mod:`.gru`, :mod:`.dense_memory`) keeps each local derivative next to its forward
line; this module dispatches on ``cell.kind`` and runs the loops over time.

The cell is any object with ``kind``, ``options``, ``n``, ``m`` and ``state_names`` (what
``lstmsym.cells.make_cell`` returns); parameters are a mapping name → float64 array of the conventions'
shapes.

A registered cell without a hand-written module (a user's cell, :func:`lstmsym.cells.register_cell`) runs
through the same loops with its compiled symbolic step in place of the module
(:class:`lstmsym.numerics.compile.CompiledReference`); that is the one place this package reaches the
symbolic engine, and :func:`has_hand_written` says which of the two a cell gets. For such a cell these
numbers are not an independent check of the symbolic ones: :func:`lstmsym.numerics.verify.verify_cell`
checks it against central differences and SymPy's own evaluation instead.

>>> from types import SimpleNamespace
>>> cell = SimpleNamespace(kind="rnn", options={}, n=1, m=1, state_names=("h",))
>>> params = {"W": np.array([[2.0]]), "U": np.array([[1.0]]), "b": np.array([0.0])}
>>> xs = np.array([[1.0], [0.0]])                     # T = 2 steps, x_1 = xs[0]
>>> traj = forward(cell, params, xs)
>>> traj.states["h"][:, 0]                            # h_0 = 0, h_1 = tanh(1), h_2 = tanh(2 tanh(1))
array([0.        , 0.76159416, 0.90925167])
>>> lag_jacobians(cell, params, xs)[:, 0, 0]          # ∂h_2/∂h_k for k = 0, 1, 2
array([0.29106136, 0.34652279, 1.        ])
>>> backward(cell, params, traj, xs, np.array([1.0])).dxs[:, 0]   # ∂h_2/∂x_1, ∂h_2/∂x_2
array([0.14553068, 0.17326139])

Two options change which Jacobian a backward sweep multiplies, never the forward pass:

- ``gradient="truncated"`` (LSTM family and GRU; ``"full"``, the default, is ordinary backpropagation through
  time): Hochreiter & Schmidhuber's 1997 truncation. Error that reaches the net input of a gate or of the
  candidate (or of the LSTM's dense readout) is not passed further back in time; only the memory line
  carries error across a step, so the cotangent of c_{t-1} is f_t ⊙ (cotangent of c_t) and h_{t-1} gets
  none. In the 1997 cell (f ≡ 1) the truncated ∂c_T/∂c_k is the identity at every lag.
- ``cut=("W_g",)`` (lag sweeps): the named parameters are set to zero in the step Jacobians only, while the
  trajectory keeps them: a route cut in the backward pass, on the same trajectory.

>>> cell = SimpleNamespace(kind="lstm1997", options={}, n=1, m=1, state_names=("c", "h"))
>>> params = {f"{w}_{k}": np.full(shape, 0.5) for k in "igo" for w, shape in (("W", (1, 1)), ("U", (1, 1)),
...                                                                           ("b", 1))}
>>> xs = np.ones((3, 1))
>>> lag_jacobian_norms(cell, params, xs, block="c", gradient="truncated")   # only the carousel: 1
array([1., 1., 1., 1.])
>>> lag_jacobian_norms(cell, params, xs, block="c").round(4)                 # full BPTT: more routes
array([1.1572, 1.0404, 1.    , 1.    ])
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

import numpy as np
from numpy.typing import ArrayLike

from ...errors import LstmsymError
from . import dense_memory, gru, lstm, min_gru, min_lstm, rnn, slstm
from .depth import highway, plain_deep, residual
from .norm_preserving import irnn, orthogonal_rnn

__all__ = [
    "GRADIENTS",
    "Grads",
    "Trajectory",
    "backward",
    "forward",
    "has_hand_written",
    "lag_jacobian_norms",
    "lag_jacobians",
    "step_jacobian",
]

Array = np.ndarray
_MODULES: dict[str, ModuleType] = {"rnn": rnn, "lstm": lstm, "gru": gru, "dense_memory": dense_memory,
                                   "min_gru": min_gru, "min_lstm": min_lstm, "slstm": slstm}
_MODULES.update({"plain_deep": plain_deep, "residual": residual, "highway": highway,  # issue 13: depth
                 "orthogonal_rnn": orthogonal_rnn, "irnn": irnn})  # and the norm-preserving RNNs
#: How error is passed back in time: ordinary BPTT, or the 1997 truncation (LSTM family and GRU only).
GRADIENTS = ("full", "truncated")
_TRUNCATABLE = (lstm, gru)
_NORM_ORDS = ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf)
_NORM_CHUNK = 256  # lag_jacobian_norms evaluates the matrix norms this many lags at a time
_SCALE_LIMIT = 256  # running products are kept with their largest entry in [2^-256, 2^256]


@dataclass(eq=False)
class Trajectory:
    """A forward pass over T steps.

    ``states``: name → (T+1, n), row 0 the initial state; ``s``: (T+1, N), the stacked state vector in state
    order; ``gates``: gate name → (T, n), row t-1 the gate at step t; ``cache``: every per-step quantity the
    backward passes use (states, gates, preactivations ``a_*``, local derivatives ``d*_da``, readout ``y``),
    name → (T, n), row t-1 for step t.
    """

    state_names: tuple[str, ...]
    states: dict[str, Array]
    gates: dict[str, Array]
    s: Array
    cache: dict[str, Array]

    @property
    def T(self) -> int:
        """Number of steps."""
        return self.s.shape[0] - 1

    def state(self, k: int) -> dict[str, Array]:
        """The state s_k as name → (n,), k = 0..T."""
        return {name: v[k] for name, v in self.states.items()}

    def record(self, t: int) -> dict[str, Array]:
        """Everything cached at step t = 1..T, name → (n,)."""
        return {name: v[t - 1] for name, v in self.cache.items()}


@dataclass(eq=False)
class Grads:
    """Result of :func:`backward` for the scalar L = ds_T · s_T.

    ``ds``: (T+1, N), ds[k] = ∂L/∂s_k; ``dparams``: name → array of the parameter's shape; ``dxs``: (T, m).
    """

    ds: Array
    dparams: dict[str, Array]
    dxs: Array


def has_hand_written(cell: object) -> bool:
    """Whether ``cell``'s numbers come from a hand-written module of this package (not the compiled path)."""
    kind = "lstm" if cell.kind == "lstm1997" else cell.kind
    module = _registered_module(cell, kind)
    return kind in _MODULES if module is None else isinstance(module, ModuleType)  # compiled: not a module


def _registered_module(cell: object, kind: str) -> object | None:
    """For a cell of the registry (:mod:`lstmsym.cells.registry`) that this table does not cover: the module
    its registration names (``reference=``), or else the compiled symbolic cell behind this interface
    (:class:`lstmsym.numerics.compile.CompiledReference`). A user's cell always takes one of these two, even
    if its kind happened to match a key here. None for the cells of the table above."""
    from ...cells.registry import entry_of

    entry = entry_of(cell)
    if entry is None or (entry.builtin and kind in _MODULES):
        return None
    if entry.reference is not None:
        return entry.module("reference")
    from ..compile import compile_cell  # the only use of the symbolic engine here

    return compile_cell(cell).reference


def _resolve(cell: object) -> tuple[ModuleType, dict[str, object]]:
    """The cell module and the options for ``cell``; checks the kind and the state order."""
    kind = cell.kind
    options = dict(getattr(cell, "options", None) or {})
    if kind == "lstm1997":                                  # lstm with forget_gate=False
        kind, options = "lstm", {**options, "forget_gate": False}
    module = _registered_module(cell, kind)
    if module is not None:                                  # a registered cell: its own module or compiled
        return module, {}
    if kind not in _MODULES:
        raise ValueError(f"kind={kind!r} is not valid; expected one of: {', '.join(map(repr, _MODULES))}")
    module = _MODULES[kind]
    names = tuple(getattr(cell, "state_names", module.STATE_NAMES))
    if names != module.STATE_NAMES:
        raise ValueError(f"{kind} state_names {names} differ from the conventions' {module.STATE_NAMES}")
    if kind == "lstm":
        lstm.switches(options)                              # validate once, up front
    return module, options


def _finite(what: str, value: ArrayLike) -> Array:
    """``value`` as float64, refusing NaN and infinities (they would only come back as NaN results)."""
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise LstmsymError(f"{what} contains NaN or infinite values")
    return arr


def _float_params(params: Mapping[str, ArrayLike], cell: object = None) -> dict[str, Array]:
    """Float64 parameters, finite; checked against ``cell.param_shapes`` when the cell declares them."""
    out = {name: _finite(f"parameter {name!r}", v) for name, v in params.items()}
    for name, shape in (getattr(cell, "param_shapes", None) or {}).items():
        if name not in out:
            raise LstmsymError(f"parameter {name!r} is missing; the cell needs {list(cell.param_shapes)}")
        if out[name].shape != tuple(shape):
            raise LstmsymError(f"parameter {name!r} has shape {out[name].shape}; expected {tuple(shape)}")
    return out


def _sequence(cell: object, xs: ArrayLike) -> Array:
    """Inputs as (T, m): a (T, m) array, or a flat (T,) one when m = 1; finite."""
    arr = _finite("input 'xs'", xs)
    if arr.ndim > 2 or (arr.ndim == 2 and arr.shape[1] != cell.m) or (arr.ndim < 2 and cell.m != 1):
        raise LstmsymError(f"input 'xs' has shape {arr.shape}; expected (T, {cell.m})")
    return arr.reshape(-1, cell.m)


def _as_state(module: ModuleType, n: int,
              state: Mapping[str, ArrayLike] | ArrayLike | None) -> dict[str, Array]:
    """A state given as name → (n,), as the stacked (N,) vector, or None (zeros) → name → (n,) float64."""
    names = module.STATE_NAMES
    if state is None:
        return {name: np.zeros(n) for name in names}
    if isinstance(state, Mapping):
        return {name: _finite(f"state {name!r}", state[name]).reshape(n) for name in names}
    flat = _finite("state", state).reshape(len(names) * n)
    return {name: flat[j * n:(j + 1) * n] for j, name in enumerate(names)}


def _stack(state: Mapping[str, Array], names: tuple[str, ...]) -> Array:
    return np.concatenate([state[name] for name in names])


def _truncated(module: ModuleType, cell: object, gradient: str, direct: bool = False) -> bool:
    """Whether ``gradient`` asks for the truncated gradient; checks the choice and that the cell has one."""
    if gradient not in GRADIENTS:
        raise LstmsymError(f"gradient={gradient!r} is not valid; expected one of: 'full', 'truncated'")
    if gradient == "full":
        return False
    if module not in _TRUNCATABLE:
        raise LstmsymError(
            f"gradient='truncated' cuts the error at the net inputs of the gates and the candidate, which a "
            f"{cell.kind} cell does not have apart from its state; use an LSTM-family cell or a GRU, or "
            "gradient='full'")
    if direct:
        raise LstmsymError("direct=True and gradient='truncated' are two different Jacobians; ask for one")
    return True


def _cut_params(params: dict[str, Array], cut: object) -> dict[str, Array]:
    """``params`` with the parameters named in ``cut`` set to zero (for the step Jacobians only)."""
    names = (cut,) if isinstance(cut, str) else tuple(cut)
    for name in names:
        if name not in params:
            raise LstmsymError(
                f"cut names parameter {name!r}, which this cell does not have: {sorted(params)}")
    return {**params, **{name: np.zeros_like(params[name]) for name in names}}


def forward(cell: object, params: Mapping[str, ArrayLike], xs: ArrayLike,
            state0: Mapping[str, ArrayLike] | None = None) -> Trajectory:
    """Run the cell over ``xs`` (T, m) from ``state0`` (name → (n,); zeros if None).

    >>> from types import SimpleNamespace
    >>> cell = SimpleNamespace(kind="lstm", options={"readout": "identity", "input_gate": False,
    ...                        "forget_gate": False, "output_gate": False}, n=1, m=1, state_names=("c", "h"))
    >>> params = {"W_g": np.zeros((1, 1)), "U_g": np.ones((1, 1)), "b_g": np.zeros(1)}
    >>> traj = forward(cell, params, np.full((3, 1), 0.5))   # c_t = c_{t-1} + tanh(0.5), h_t = c_t
    >>> traj.s.round(4)
    array([[0.    , 0.    ], [0.4621, 0.4621], [0.9242, 0.9242], [1.3863, 1.3863]])
    >>> sorted(traj.gates)
    ['g']
    """
    module, options = _resolve(cell)
    params = _float_params(params, cell)
    xs = _sequence(cell, xs)
    names = module.STATE_NAMES
    state = _as_state(module, cell.n, state0)
    rows = {name: [state[name]] for name in names}
    records = []
    for x in xs:
        rec = module.step(params, options, x, state)
        records.append(rec)
        state = {name: rec[name] for name in names}
        for name in names:
            rows[name].append(state[name])
    states = {name: np.stack(rows[name]) for name in names}
    cache = {key: np.stack([rec[key] for rec in records]) for key in (records[0] if records else {})}
    gates = {g: cache[g] if records else np.zeros((0, cell.n)) for g in module.gate_names(options)}
    s = np.concatenate([states[name] for name in names], axis=1)
    return Trajectory(state_names=names, states=states, gates=gates, s=s, cache=cache)


def step_jacobian(cell: object, params: Mapping[str, ArrayLike], x: ArrayLike,
                  state_prev: Mapping[str, ArrayLike] | ArrayLike | None, direct: bool = False,
                  gradient: str = "full") -> Array:
    """The one-step Jacobian ∂s_t/∂s_{t-1}, (N, N), rows and columns in state order.

    ``state_prev`` is s_{t-1} as name → (n,) or as the stacked (N,) vector (None: zeros). ``direct=True``
    holds every gate and candidate value and the other previous state variables fixed (the direct path):
    the result is block-diagonal, with only the own-state blocks ∂c_t/∂c_{t-1}, ∂h_t/∂h_{t-1}.
    ``gradient="truncated"``: the Jacobian the 1997 truncated gradient multiplies (see the module notes);
    for an LSTM its c-from-c block is diag(f_t) and its columns of h_{t-1} are zero.

    >>> from types import SimpleNamespace
    >>> cell = SimpleNamespace(kind="gru", options={}, n=1, m=1, state_names=("h",))
    >>> params = {k: np.zeros((1, 1)) for k in ("W_z", "U_z", "W_r", "U_r", "W_n", "U_n")}
    >>> params.update({k: np.zeros(1) for k in ("b_z", "b_r", "b_n", "d_n")})
    >>> step_jacobian(cell, params, [0.0], None, direct=True)   # diag(z_t), z_t = σ(0)
    array([[0.5]])
    """
    module, options = _resolve(cell)
    truncated = _truncated(module, cell, gradient, direct)
    params = _float_params(params, cell)
    x = _finite("input x", x).reshape(cell.m)
    prev = _as_state(module, cell.n, state_prev)
    rec = module.step(params, options, x, prev)
    return _jacobian(module, params, options, x, prev, rec, direct, cell.n, truncated)


def _jacobian(module: ModuleType, params: Mapping[str, Array], options: dict[str, object], x: Array,
              prev: Mapping[str, Array], rec: Mapping[str, Array], direct: bool, n: int,
              truncated: bool = False) -> Array:
    """The cell module's step Jacobian; for ``direct``, also hold the *other* previous state fixed.

    The cell modules freeze the gates and candidates; the direct path of the conventions also keeps each
    state variable to its own block, so the off-diagonal state blocks are zeroed here. ``truncated``: the
    module's truncated-gradient Jacobian (LSTM family and GRU).
    """
    if truncated:
        return module.jacobian(params, options, x, prev, rec, truncated=True)
    J = module.jacobian(params, options, x, prev, rec, direct)
    if direct:
        own = np.kron(np.eye(J.shape[0] // n, dtype=bool), np.ones((n, n), dtype=bool))
        J = np.where(own, J, 0.0)
    return J


def _rescaled(M: Array, exponent: int) -> tuple[Array, int]:
    """Keep a running product, stored as M · 2^exponent, away from overflow and subnormal numbers.

    Long products of Jacobians vanish or explode geometrically; once the entries become subnormal
    (< 2.2e-308) every matrix product runs tens of times slower. When M's largest entry leaves
    [2^-256, 2^256], M is divided by a power of two, which is exact, and the power moves into ``exponent``.
    """
    big = float(np.max(np.abs(M))) if M.size else 0.0
    if big == 0.0 or not np.isfinite(big) or 2.0**-_SCALE_LIMIT <= big <= 2.0**_SCALE_LIMIT:
        return M, exponent
    shift = int(np.frexp(big)[1])
    return np.ldexp(M, -shift), exponent + shift


def lag_jacobians(cell: object, params: Mapping[str, ArrayLike], xs: ArrayLike,
                  state0: Mapping[str, ArrayLike] | None = None, direct: bool = False,
                  gradient: str = "full", cut: tuple[str, ...] = ()) -> Array:
    """J with J[k] = ∂s_T/∂s_k for k = 0..T, (T+1, N, N), in one backward sweep.

    J[T] is the identity and J[k] = J[k+1] @ (∂s_{k+1}/∂s_k). ``direct=True`` multiplies direct one-step
    Jacobians, evaluated along the true trajectory; ``gradient="truncated"`` the 1997 truncated
    ones; ``cut`` names parameters zeroed in the step Jacobians only (the trajectory keeps them).
    Memory is (T+1) N² floats; for long lags of one block use :func:`lag_jacobian_norms`. The running
    product is rescaled by exact powers of two, so that vanishing products do not slow down in subnormal
    arithmetic; entries below ~5e-324 come out as 0.

    >>> from types import SimpleNamespace
    >>> cell = SimpleNamespace(kind="rnn", options={}, n=1, m=1, state_names=("h",))
    >>> params = {"W": np.array([[0.5]]), "U": np.zeros((1, 1)), "b": np.zeros(1)}
    >>> lag_jacobians(cell, params, np.zeros((3, 1)))[:, 0, 0]   # h stays 0: 0.5^(T-k)
    array([0.125, 0.25 , 0.5  , 1.   ])
    """
    module, options = _resolve(cell)
    truncated = _truncated(module, cell, gradient, direct)
    params = _float_params(params, cell)
    jparams = _cut_params(params, cut)
    xs = _sequence(cell, xs)
    traj = forward(cell, params, xs, state0)
    T, N = traj.T, traj.s.shape[1]
    out = np.empty((T + 1, N, N))
    M, exponent = np.eye(N), 0              # ∂s_T/∂s_k = M 2^exponent
    out[T] = M
    for t in range(T, 0, -1):
        J_t = _jacobian(module, jparams, options, xs[t - 1], traj.state(t - 1), traj.record(t), direct,
                        cell.n, truncated)
        M, exponent = _rescaled(M @ J_t, exponent)
        out[t - 1] = np.ldexp(M, exponent) if exponent else M
    return out


def _block_slices(names: tuple[str, ...], n: int,
                  block: tuple[str, str] | str | None) -> tuple[slice, slice]:
    if block is None:
        return slice(0, len(names) * n), slice(0, len(names) * n)
    rows, cols = (block, block) if isinstance(block, str) else block
    for name in (rows, cols):
        if name not in names:
            listed = ", ".join(map(repr, names))
            raise ValueError(f"block state {name!r} is not valid; expected one of: {listed}")
    return (slice(names.index(rows) * n, (names.index(rows) + 1) * n),
            slice(names.index(cols) * n, (names.index(cols) + 1) * n))


def lag_jacobian_norms(cell: object, params: Mapping[str, ArrayLike], xs: ArrayLike,
                       state0: Mapping[str, ArrayLike] | None = None,
                       block: tuple[str, str] | str | None = None, direct: bool = False,
                       ord: str | float = "fro", log10: bool = False, gradient: str = "full",
                       cut: tuple[str, ...] = ()) -> Array:
    """Norms ‖∂a_T/∂b_k‖ for k = 0..T, (T+1,), without storing the (T+1, N, N) Jacobians.

    ``block=("c", "h")`` picks rows of state c_T and columns of state h_k (a single name ``"c"`` means
    ``("c", "c")``; None, the whole ∂s_T/∂s_k). ``ord`` is any matrix norm of :func:`numpy.linalg.norm`
    ("fro", 2 the spectral norm, "nuc", 1, -1, -2, inf, -inf). The sweep carries only the block's rows of
    ∂s_T/∂s_k, (n, N), scaled by exact powers of two, and evaluates the norms in chunks. ``log10=True``
    returns log10 of the norms, finite even beyond the float range (a norm of 1e-1000 gives -1000; an
    exactly zero block gives -inf). The scale is shared by the block rows, so entries more than ~1e308
    below the largest one are lost (they matter only to ord=-2 or -1 of such ill-conditioned blocks).
    ``direct``, ``gradient`` and ``cut`` choose the step Jacobians as in :func:`lag_jacobians`.

    >>> from types import SimpleNamespace
    >>> cell = SimpleNamespace(kind="rnn", options={}, n=2, m=1, state_names=("h",))
    >>> params = {"W": np.diag([0.5, -2.0]), "U": np.zeros((2, 1)), "b": np.zeros(2)}
    >>> lag_jacobian_norms(cell, params, np.zeros((2, 1)), block="h", ord=2)
    array([4., 2., 1.])
    >>> float(lag_jacobian_norms(cell, params, np.zeros((1200, 1)), ord=2, log10=True)[0])   # 2^1200
    361.23599479677744
    """
    if ord not in _NORM_ORDS:
        raise ValueError(f"ord={ord!r} is not valid; expected one of: {', '.join(map(repr, _NORM_ORDS))}")
    module, options = _resolve(cell)
    truncated = _truncated(module, cell, gradient, direct)
    params = _float_params(params, cell)
    jparams = _cut_params(params, cut)
    xs = _sequence(cell, xs)
    traj = forward(cell, params, xs, state0)
    T, N = traj.T, traj.s.shape[1]
    rows, cols = _block_slices(module.STATE_NAMES, cell.n, block)
    R, exponent = np.eye(N)[rows], 0        # block rows of ∂s_T/∂s_k = R 2^exponent, (n_rows, N)
    norms = np.empty(T + 1)                 # norms of the scaled blocks, then scaled back
    exponents = np.empty(T + 1, dtype=np.int64)
    chunk = np.empty((min(_NORM_CHUNK, T + 1), *R[:, cols].shape))
    filled, first = 0, T                    # chunk holds lags first, first-1, ..., first-filled+1
    for k in range(T, -1, -1):
        if k < T:
            J_k = _jacobian(module, jparams, options, xs[k], traj.state(k), traj.record(k + 1), direct,
                            cell.n, truncated)
            R, exponent = _rescaled(R @ J_k, exponent)   # ∂s_T/∂s_k = ∂s_T/∂s_{k+1} ∂s_{k+1}/∂s_k
        chunk[filled], exponents[k] = R[:, cols], exponent
        filled += 1
        if filled == chunk.shape[0] or k == 0:
            norms[first - filled + 1:first + 1] = np.linalg.norm(chunk[:filled], ord=ord, axis=(1, 2))[::-1]
            first -= filled
            filled = 0
    if log10:                               # every norm is homogeneous: ‖M 2^e‖ = ‖M‖ 2^e
        with np.errstate(divide="ignore"):
            return np.log10(norms) + exponents * np.log10(2.0)
    return np.ldexp(norms, exponents)


def backward(cell: object, params: Mapping[str, ArrayLike], traj: Trajectory, xs: ArrayLike,
             ds_T: Mapping[str, ArrayLike] | ArrayLike, gradient: str = "full") -> Grads:
    """Backpropagation through time of L = ds_T · s_T, by per-step vector-Jacobian products (no matrices).

    ``ds_T`` is the cotangent of s_T, (N,) or name → (n,). Returns ds (T+1, N) with ds[k] = ds_T @ ∂s_T/∂s_k,
    the parameter gradients ∂L/∂θ and dxs (T, m). ``gradient="truncated"``: the 1997 truncated gradient
    (LSTM family and GRU): ds[k] = ds_T @ (product of the truncated step Jacobians), and each step's
    parameter and input gradients are the local ones, taken with that cotangent.

    >>> from types import SimpleNamespace
    >>> cell = SimpleNamespace(kind="dense_memory", options={}, n=1, m=1, state_names=("c", "h"))
    >>> params = {k: np.zeros((1, 1)) for k in ("W_c", "W_h", "U_c", "W_o", "U_o")}
    >>> params.update(b_c=np.zeros(1), b_o=np.zeros(1), W_c=np.array([[0.5]]))
    >>> xs = np.zeros((1, 1))
    >>> grads = backward(cell, params, forward(cell, params, xs, {"c": [1.0], "h": [0.0]}), xs, [1.0, 0.0])
    >>> grads.ds[0]                                   # ∂c_1/∂[c_0; h_0] = [(1 - tanh²(0.5)) 0.5, 0]
    array([0.39322386, 0.        ])
    """
    module, options = _resolve(cell)
    truncated = _truncated(module, cell, gradient)
    params = _float_params(params, cell)
    xs = _sequence(cell, xs)
    names, T = module.STATE_NAMES, traj.T
    if xs.shape[0] != T:
        raise ValueError(f"xs has {xs.shape[0]} steps but the trajectory has {T}")
    cot = _as_state(module, cell.n, ds_T)
    ds = np.empty((T + 1, len(names) * cell.n))
    ds[T] = _stack(cot, names)
    dparams = {name: np.zeros_like(v) for name, v in params.items()}
    dxs = np.zeros((T, cell.m))
    for t in range(T, 0, -1):
        prev, rec = traj.state(t - 1), traj.record(t)
        if truncated:
            cot, dxs[t - 1] = module.vjp(params, options, xs[t - 1], prev, rec, cot, dparams, truncated=True)
        else:
            cot, dxs[t - 1] = module.vjp(params, options, xs[t - 1], prev, rec, cot, dparams)
        ds[t - 1] = _stack(cot, names)
    return Grads(ds=ds, dparams=dparams, dxs=dxs)
