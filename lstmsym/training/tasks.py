"""Long time-lag tasks: seeded batch generators, each with its specification.

A task draws a batch with ``task.sample(batch, rng)`` → :class:`Batch` (``xs`` (L, B, m), ``target`` (B,),
``mask`` (L, B) or None), says which loss its readout is trained with (``task.loss``), and judges outputs
with ``task.correct(y, target)`` → (B,) booleans. Every batch has the same shape L, so that a training run
works on arrays of one size.

>>> import numpy as np
>>> task = SignTask(T=3)
>>> batch = task.sample(2, np.random.default_rng(0))
>>> batch.xs.shape                              # x_1 = ±1 carries the answer, 3 noise steps follow
(4, 2, 1)
>>> batch.xs[0, :, 0], batch.target
(array([1., 1.]), array([1., 1.]))
"""

from dataclasses import dataclass

import numpy as np

from ..checks import whole_number
from ..errors import LstmsymError

Array = np.ndarray


@dataclass(frozen=True)
class Batch:
    """Inputs ``xs`` (L, B, m), targets (B,), and ``mask`` (L, B) (1 = a real step) or None."""

    xs: Array
    target: Array
    mask: Array | None


@dataclass(frozen=True)
class SignTask:
    """Report the sign of the first input after T steps of noise.

    Specification: a sequence has T + 1 steps of one input (m = 1). x_1 is +1 or -1 with probability ½ each;
    x_2, ..., x_{T+1} are independent N(0, noise²). The target is 1 if x_1 = +1 and 0 otherwise, read from
    the last step: the readout y = w·h_{T+1} + b is trained with the logistic loss, and a sequence is
    correct when y > 0 exactly for target 1. Guessing is right half of the time; the information has to
    be carried over T steps (the lag).

    >>> task = SignTask(T=2, noise=0.0)
    >>> task.sample(3, np.random.default_rng(1)).xs[:, :, 0]
    array([[-1.,  1.,  1.], [ 0.,  0.,  0.], [ 0.,  0.,  0.]])
    >>> task.correct(np.array([0.3, 0.2]), np.array([1.0, 0.0])).tolist()
    [True, False]
    """

    T: int
    noise: float = 1.0
    m = 1
    loss = "logistic"
    name = "sign"

    def __post_init__(self) -> None:
        whole_number("lag T", self.T)
        if not (np.isfinite(self.noise) and self.noise >= 0):
            raise LstmsymError(f"noise must be a number >= 0, got {self.noise!r}")

    def sample(self, batch: int, rng: np.random.Generator) -> Batch:
        B = whole_number("batch", batch)
        sign = rng.integers(0, 2, size=B)
        xs = np.empty((self.T + 1, B, 1))
        xs[0, :, 0] = 2.0 * sign - 1.0
        xs[1:, :, 0] = rng.normal(0.0, 1.0, size=(self.T, B)) * self.noise + 0.0  # + 0.0: no -0.0
        return Batch(xs=xs, target=sign.astype(np.float64), mask=None)

    def correct(self, y: Array, target: Array) -> Array:
        return (np.asarray(y) > 0) == (np.asarray(target) > 0.5)


@dataclass(frozen=True)
class AddingTask:
    """The adding problem as Hochreiter & Schmidhuber (1997, experiment 4) specify it.

    Specification: each step is a pair (value, marker), m = 2. The length L of a sequence is a random integer
    in [T, T + ⌊T/10⌋]. Values are drawn from U[-1, 1]; markers are 0 except: one of the first 10 pairs is
    marked with 1 (its value is X1), then one of the first ⌊T/2⌋ - 1 pairs that are still unmarked is marked
    with 1 (its value is X2); the first and the last pair have marker -1. When the first pair is the one
    marked, it keeps the marker 1 and its value is set to 0 (the paper's X1 := 0; the first pair can also be
    drawn as X2, one of the first ⌊T/2⌋ - 1 unmarked pairs, and is then treated the same way). The
    target is 0.5 + (X1 + X2)/4, in [0, 1]; the readout is linear and trained with the squared error; a
    sequence is correct when |y - target| < 0.04. T must be at least 11, so that the last pair is never one of
    the first 10 (the paper uses T = 100, 500 and 1000).

    Variable lengths: every batch has T + ⌊T/10⌋ steps; a shorter sequence is padded at the *front* with
    masked steps (``mask`` 0, inputs 0), which leave the state unchanged (see :mod:`.batched`). So every
    sequence starts from s_0 and its last pair is the last step, where the readout looks.

    >>> task = AddingTask(T=12)
    >>> batch = task.sample(2, np.random.default_rng(3))
    >>> batch.xs.shape, batch.mask.sum(axis=0)            # 13 steps; lengths 13 and 12
    ((13, 2, 2), array([13., 12.]))
    >>> markers = batch.xs[:, 1, 1][batch.mask[:, 1] > 0]
    >>> markers.tolist()                                  # the second sequence: X1 is the first pair
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, -1.0]
    >>> float(batch.xs[1, 1, 0])                          # so its value is 0
    0.0
    """

    T: int
    m = 2
    loss = "mse"
    name = "adding"
    tolerance = 0.04

    def __post_init__(self) -> None:
        whole_number("lag T", self.T, minimum=11)  # so that the last pair is never among the first 10

    def sample(self, batch: int, rng: np.random.Generator) -> Batch:
        B, T = whole_number("batch", batch), self.T
        L_max = T + T // 10
        length = rng.integers(T, L_max + 1, size=B)  # L in [T, T + T/10]
        values = rng.uniform(-1.0, 1.0, size=(L_max, B))  # in sequence coordinates: row j = pair j
        markers = np.zeros((L_max, B))
        cols = np.arange(B)
        p1 = rng.integers(0, 10, size=B)  # X1: one of the first 10 pairs
        p2 = rng.integers(0, T // 2 - 1, size=B)  # X2: among the first T/2 - 1 unmarked
        p2 = p2 + (p2 >= p1)  # skip the pair already marked
        values[0, (p1 == 0) | (p2 == 0)] = 0.0  # the first pair's value := 0 if it is marked
        markers[0] = -1.0
        markers[length - 1, cols] = -1.0
        markers[p1, cols] = 1.0
        markers[p2, cols] = 1.0
        target = 0.5 + (values[p1, cols] + values[p2, cols]) / 4.0
        # front padding: step r of the batch holds pair r - (L_max - L) of the sequence
        j = np.arange(L_max)[:, None] - (L_max - length)[None, :]
        mask = (j >= 0).astype(np.float64)
        jc = np.clip(j, 0, None)
        xs = (
            np.stack(
                [np.take_along_axis(values, jc, axis=0), np.take_along_axis(markers, jc, axis=0)], axis=-1
            )
            * mask[:, :, None]
        )
        return Batch(xs=xs, target=target, mask=mask)

    def correct(self, y: Array, target: Array) -> Array:
        return np.abs(np.asarray(y) - np.asarray(target)) < self.tolerance


TASKS = {"sign": SignTask, "adding": AddingTask}
