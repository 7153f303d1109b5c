"""Training runs: Adam on batches drawn fresh from a task, global-norm clipping, periodic evaluation.

:func:`train_seeds` trains one configuration with several seeds *at once*: the seeds' parameters are stacked
along a leading seed axis and every NumPy call of the forward and backward pass serves all of them
(:mod:`.batched`). :func:`train` is one seed. Each seed owns its generators, so a seed's run is the same
whether it is trained alone or in a group, and whichever other seeds share the group:

- a generator ``default_rng([seed, 0])`` draws the initial parameters, then every training batch;
- the validation batch comes from ``default_rng([seed, 1])``, so it is the same for every configuration
  trained with that seed;
- clipping uses the seed's own global norm, and Adam acts entry by entry.

A run stops early once it has *solved* the task: validation accuracy at least ``solved_at`` (0.95 by default)
at an evaluation; a solved seed leaves the group (its parameters are frozen) and the others go on. Along the
way each seed records, at every evaluation, the loss, the accuracy, the mean per-sequence norm ‖∂l/∂s_0‖ of
the gradient that reaches the initial state next to the norm ‖∂l/∂s_T‖ at the readout (their ratio is the
lag product of Jacobians that the derivations are about), and the *lag balance* (:func:`evaluate_seeds`).

>>> import lstmsym as ls
>>> from lstmsym.training.tasks import SignTask
>>> run = train(ls.make_cell("lstm", n=4), SignTask(T=5, noise=0.5), steps=300, seed=0)
>>> run.solved, run.steps_taken <= 300, run.solved_step == run.steps_taken
(True, True, True)
>>> group = train_seeds(ls.make_cell("lstm", n=4), SignTask(T=5, noise=0.5), [1, 0], steps=300)
>>> group[1].history == run.history                   # seed 0 in a group: the same run as alone
True
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import LstmsymError
from ..numerics.params import init_params
from .batched import check_gradient, loss_and_grads_seeds, step_grads
from .optim import Adam, clip_seed_norms, seed_norms

Array = np.ndarray
#: The quantities an evaluation records for each seed (besides the step).
EVAL_KEYS = ("loss", "accuracy", "grad_s0", "grad_sT", "lag_balance")


@dataclass
class TrainResult:
    """What a run did: ``history`` rows (step and :data:`EVAL_KEYS`), one per evaluation; ``solved_step``
    the first training step whose evaluation reached ``solved_at`` (None if none did); ``params`` the
    parameters at the end (for a solved run that stopped: at the solving step)."""

    solved: bool
    steps_taken: int
    final_accuracy: float
    history: list[dict[str, float]] = field(default_factory=list)
    params: dict[str, Array] = field(default_factory=dict)
    seed: int = 0
    solved_step: int | None = None


def init_model(
    cell: object,
    rng: np.random.Generator,
    forget_bias: float = 1.0,
    update_bias: float = 0.0,
    biases: Mapping[str, float] | None = None,
) -> dict[str, Array]:
    """The cell's parameters (:func:`lstmsym.numerics.params.init_params`, with b_f = ``forget_bias``), the
    GRU's update-gate bias b_z = ``update_bias`` (z = 1 keeps the old state, so a positive b_z keeps; other
    cells have no b_z and ignore it), and a readout w_out ~ U(±1/√n), b_out = 0.

    ``biases``: any other bias vector's starting value, by parameter name (e.g. ``{"b_r": 3.0}`` starts a
    reset gate near σ(3)); each name must be a parameter of shape (n,) of the cell. The random draws do not
    depend on it (biases are not drawn), so the same seed gives the same weights with or without it.

    >>> from lstmsym.cells import make_cell
    >>> init_model(make_cell("gru", n=2), np.random.default_rng(0), biases={"b_r": 3.0})["b_r"]
    array([3., 3.])
    """
    if not (isinstance(update_bias, int | float | np.integer | np.floating) and np.isfinite(update_bias)):
        raise LstmsymError(f"update_bias must be a finite number, got {update_bias!r}")
    params = init_params(cell, seed=rng, forget_bias=forget_bias)
    if "b_z" in params:
        params["b_z"] = np.full(cell.n, float(update_bias))
    for name, value in (biases or {}).items():
        if name not in params or params[name].shape != (cell.n,):
            vectors = sorted(k for k, v in params.items() if v.shape == (cell.n,))
            raise LstmsymError(
                f"biases: {name!r} is not a bias vector of this cell; its bias vectors: {vectors}"
            )
        if not (isinstance(value, int | float | np.integer | np.floating) and np.isfinite(value)):
            raise LstmsymError(f"biases[{name!r}] must be a finite number, got {value!r}")
        params[name] = np.full(cell.n, float(value))
    bound = 1.0 / np.sqrt(cell.n)
    params["w_out"] = rng.uniform(-bound, bound, size=cell.n)
    params["b_out"] = np.zeros(1)
    return params


def _state_norm(ds: dict[str, Array]) -> Array:
    """Per-sequence norm of the stacked state cotangent, (..., B)."""
    return np.sqrt(sum(np.sum(v * v, axis=-1) for v in ds.values()))


def evaluate_seeds(
    cell: object,
    params: dict[str, Array],
    task: object,
    xs: Array,
    target: Array,
    mask: Array | None = None,
    gradient: str = "full",
) -> dict[str, Array]:
    """Loss, accuracy, mean per-sequence ‖∂l/∂s_0‖ and ‖∂l/∂s_T‖, and lag balance of S seeds, each on its own
    batch (``xs`` (T, S, B, m), ``target`` (S, B)): name → (S,).

    The **lag balance** is ‖g_1‖ / ‖g_T‖: g_t is the part of the loss gradient with respect to all the cell's
    parameters (the readout excluded) that comes from their use at step t (:func:`.batched.step_grads`), and
    ‖·‖ is the global norm over those parameters. g_1 is the credit the step that reads the answer gets,
    carried back over the whole lag (the long-lag part); g_T is the credit of the step next to the readout
    (the short-lag part). Adam divides each parameter's update by a running scale of its gradient, so the
    overall size of the gradient cancels and what steers the update is how much of it is long-lag: this
    ratio, which is notebook 01's "lag balance" (‖∂L/∂h_0‖ / ‖∂L/∂h_{T-1}‖) carried over to parameters.
    """
    out = loss_and_grads_seeds(cell, params, xs, target, task.loss, mask, gradient=gradient)
    B, T = target.shape[1], xs.shape[0]
    first = seed_norms(step_grads(out.traj, slice(0, 1)))
    last = seed_norms(step_grads(out.traj, slice(T - 1, T)))
    with np.errstate(divide="ignore", invalid="ignore"):
        balance = np.where(last > 0, first / np.where(last > 0, last, 1.0), np.inf)
    return {
        "loss": np.asarray(out.loss),
        "accuracy": np.mean(task.correct(out.y, target), axis=1),
        "grad_s0": np.mean(_state_norm(out.ds0), axis=1) * B,  # L is the batch mean: undo the 1/B
        "grad_sT": np.mean(_state_norm(out.dsT), axis=1) * B,
        "lag_balance": balance,
    }


def evaluate(
    cell: object, params: dict[str, Array], task: object, batch: object, gradient: str = "full"
) -> dict[str, float]:
    """:func:`evaluate_seeds` for one model on one batch (``task.sample`` output): name → float."""
    seeded = {k: np.asarray(v, dtype=np.float64)[None] for k, v in params.items()}
    seeded["b_out"] = seeded["b_out"].reshape(1, 1)
    mask = None if batch.mask is None else batch.mask[:, None]
    row = evaluate_seeds(cell, seeded, task, batch.xs[:, None], batch.target[None], mask, gradient)
    return {k: float(v[0]) for k, v in row.items()}


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise LstmsymError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def _stack_batches(batches: Sequence[object]) -> tuple[Array, Array, Array | None]:
    xs = np.stack([b.xs for b in batches], axis=1)
    target = np.stack([b.target for b in batches])
    mask = None if batches[0].mask is None else np.stack([b.mask for b in batches], axis=1)
    return xs, target, mask


def train_seeds(
    cell: object,
    task: object,
    seeds: Sequence[int],
    steps: int = 500,
    batch: int = 32,
    lr: float = 0.01,
    clip: float | None = 1.0,
    forget_bias: float = 1.0,
    eval_every: int = 25,
    eval_batch: int = 256,
    solved_at: float = 0.95,
    stop_when_solved: bool = True,
    update_bias: float = 0.0,
    gradient: str = "full",
    eval_rows: int = 2048,
    biases: Mapping[str, float] | None = None,
) -> list[TrainResult]:
    """Train ``cell`` with a linear readout on ``task`` once per seed, all seeds at once, each for at most
    ``steps`` Adam steps; one :class:`TrainResult` per seed, in the order of ``seeds``.

    ``gradient="truncated"`` trains with the 1997 truncated gradient (:mod:`.batched_lstm`). Evaluations
    run ``eval_rows // eval_batch`` seeds at a time (memory only: the numbers do not depend on it).
    ``biases`` sets other bias vectors' starting values by name (:func:`init_model`).
    """
    steps, batch = _whole("steps", steps), _whole("batch", batch)
    eval_every, eval_batch = _whole("eval_every", eval_every), _whole("eval_batch", eval_batch)
    eval_rows = _whole("eval_rows", eval_rows)
    if not 0.0 < solved_at <= 1.0:
        raise LstmsymError(f"solved_at must be in (0, 1], got {solved_at!r}")
    seeds = [int(s) for s in seeds]
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise LstmsymError(f"seeds must be distinct whole numbers >= 0 (at least one), got {seeds!r}")
    check_gradient(cell, gradient)
    rngs = [np.random.default_rng([seed, 0]) for seed in seeds]
    val_xs, val_target, val_mask = _stack_batches(
        [task.sample(eval_batch, np.random.default_rng([seed, 1])) for seed in seeds]
    )
    inits = [init_model(cell, rng, forget_bias, update_bias, biases) for rng in rngs]
    params = {k: np.stack([p[k] for p in inits]) for k in inits[0]}
    results = [TrainResult(solved=False, steps_taken=0, final_accuracy=0.0, seed=seed) for seed in seeds]
    active = np.arange(len(seeds))  # positions (in ``seeds``) of the seeds still training
    adam = Adam(lr=lr)
    chunk = max(1, eval_rows // eval_batch)

    def record(step: int) -> Array:
        accuracy = np.empty(len(active))
        for lo in range(0, len(active), chunk):
            part = active[lo : lo + chunk]
            rows = evaluate_seeds(
                cell,
                {k: v[lo : lo + chunk] for k, v in params.items()},
                task,
                val_xs[:, part],
                val_target[part],
                None if val_mask is None else val_mask[:, part],
                gradient,
            )
            for j, pos in enumerate(part):
                row = {"step": step, **{key: float(rows[key][j]) for key in EVAL_KEYS}}
                results[pos].history.append(row)
                results[pos].final_accuracy = row["accuracy"]
            accuracy[lo : lo + chunk] = rows["accuracy"]
        return accuracy

    def freeze(keep: Array) -> None:
        nonlocal active, params
        for j in np.flatnonzero(~keep):
            results[active[j]].params = {k: v[j].copy() for k, v in params.items()}
        active = active[keep]
        params = {k: v[keep] for k, v in params.items()}
        adam.keep_seeds(keep)

    record(0)
    for step in range(1, steps + 1):
        if active.size == 0:
            break
        xs, target, mask = _stack_batches([task.sample(batch, rngs[pos]) for pos in active])
        out = loss_and_grads_seeds(cell, params, xs, target, task.loss, mask, gradient=gradient)
        grads, _ = clip_seed_norms(out.grads, clip)
        adam.step(params, grads)
        for pos in active:
            results[pos].steps_taken = step
        if step % eval_every == 0 or step == steps:
            accuracy = record(step)
            hit = accuracy >= solved_at
            for pos in active[hit]:
                results[pos].solved = True
                if results[pos].solved_step is None:
                    results[pos].solved_step = step
            if stop_when_solved and hit.any():
                freeze(~hit)
    freeze(np.zeros(active.size, dtype=bool))
    for r in results:
        r.params["b_out"] = r.params["b_out"].reshape(1)
    return results


def train(
    cell: object,
    task: object,
    steps: int = 500,
    seed: int = 0,
    batch: int = 32,
    lr: float = 0.01,
    clip: float | None = 1.0,
    forget_bias: float = 1.0,
    eval_every: int = 25,
    eval_batch: int = 256,
    solved_at: float = 0.95,
    stop_when_solved: bool = True,
    update_bias: float = 0.0,
    gradient: str = "full",
    biases: Mapping[str, float] | None = None,
) -> TrainResult:
    """Train ``cell`` with a linear readout on ``task`` for at most ``steps`` Adam steps (one seed of
    :func:`train_seeds`)."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise LstmsymError(f"seed must be a whole number >= 0, got {seed!r}")
    return train_seeds(
        cell,
        task,
        [seed],
        steps=steps,
        batch=batch,
        lr=lr,
        clip=clip,
        forget_bias=forget_bias,
        eval_every=eval_every,
        eval_batch=eval_batch,
        solved_at=solved_at,
        stop_when_solved=stop_when_solved,
        update_bias=update_bias,
        gradient=gradient,
        biases=biases,
    )[0]
