"""One training run: Adam on batches drawn fresh from a task, global-norm clipping, periodic evaluation.

Each run owns one seeded generator: it draws the initial parameters, then every training batch; the
validation batch comes from a second generator derived from the same seed, so it is the same for every
configuration trained with that seed. A run stops early once it has *solved* the task: validation
accuracy at least ``solved_at`` (0.95 by default). Along the way it records the loss, the accuracy and
the mean per-sequence norm ‖∂l/∂s_0‖ of the gradient that reaches the initial state, next to the norm
‖∂l/∂s_T‖ at the readout: their ratio is the lag product of Jacobians that the derivations are about.

>>> import lstmsym as ls
>>> from lstmsym.training.tasks import SignTask
>>> run = train(ls.make_cell("lstm", n=4), SignTask(T=5, noise=0.5), steps=300, seed=0)
>>> run.solved, run.steps_taken <= 300
(True, True)
"""

from dataclasses import dataclass, field

import numpy as np

from ..errors import LstmsymError
from ..numerics.params import init_params
from .batched import loss_and_grads
from .optim import Adam, clip_global_norm

Array = np.ndarray


@dataclass
class TrainResult:
    """What a run did: ``history`` rows (step, loss, val_accuracy, grad_s0, grad_sT), one per evaluation."""

    solved: bool
    steps_taken: int
    final_accuracy: float
    history: list[dict[str, float]] = field(default_factory=list)
    params: dict[str, Array] = field(default_factory=dict)


def init_model(cell: object, rng: np.random.Generator, forget_bias: float = 1.0) -> dict[str, Array]:
    """The cell's parameters (:func:`lstmsym.numerics.params.init_params`) and a readout w_out ~ U(±1/√n),
    b_out = 0."""
    params = init_params(cell, seed=rng, forget_bias=forget_bias)
    bound = 1.0 / np.sqrt(cell.n)
    params["w_out"] = rng.uniform(-bound, bound, size=cell.n)
    params["b_out"] = np.zeros(1)
    return params


def _state_norm(ds: dict[str, Array]) -> Array:
    """Per-sequence norm of the stacked state cotangent, (B,)."""
    return np.sqrt(sum(np.sum(v * v, axis=1) for v in ds.values()))


def evaluate(cell: object, params: dict[str, Array], task: object, batch: object) -> dict[str, float]:
    """Loss, accuracy and mean per-sequence ‖∂l/∂s_0‖, ‖∂l/∂s_T‖ on one batch."""
    out = loss_and_grads(cell, params, batch.xs, batch.target, task.loss, batch.mask)
    B = batch.target.shape[0]
    return {
        "loss": out.loss,
        "accuracy": float(np.mean(task.correct(out.y, batch.target))),
        "grad_s0": float(np.mean(_state_norm(out.ds0))) * B,  # L is the batch mean: undo the 1/B
        "grad_sT": float(np.mean(_state_norm(out.dsT))) * B,
    }


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
) -> TrainResult:
    """Train ``cell`` with a linear readout on ``task`` for at most ``steps`` Adam steps."""
    for name, value in (
        ("steps", steps),
        ("batch", batch),
        ("eval_every", eval_every),
        ("eval_batch", eval_batch),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise LstmsymError(f"{name} must be a whole number >= 1, got {value!r}")
    if not 0.0 < solved_at <= 1.0:
        raise LstmsymError(f"solved_at must be in (0, 1], got {solved_at!r}")
    rng = np.random.default_rng([seed, 0])
    validation = task.sample(eval_batch, np.random.default_rng([seed, 1]))
    params = init_model(cell, rng, forget_bias)
    adam = Adam(lr=lr)
    result = TrainResult(solved=False, steps_taken=0, final_accuracy=0.0)

    def record(step: int) -> float:
        row = {"step": step, **evaluate(cell, params, task, validation)}
        result.history.append(row)
        return row["accuracy"]

    accuracy = record(0)
    for step in range(1, steps + 1):
        data = task.sample(batch, rng)
        out = loss_and_grads(cell, params, data.xs, data.target, task.loss, data.mask)
        grads, _ = clip_global_norm(out.grads, clip)
        adam.step(params, grads)
        result.steps_taken = step
        if step % eval_every == 0 or step == steps:
            accuracy = record(step)
            if accuracy >= solved_at:
                result.solved = True
                if stop_when_solved:
                    break
    result.final_accuracy = accuracy
    result.params = params
    return result
