"""The sign task and the adding problem (Hochreiter & Schmidhuber 1997) follow their specifications."""

import numpy as np
import pytest

from lstmsym.errors import LstmsymError
from lstmsym.training.tasks import AddingTask, SignTask


def test_sign_task_specification():
    batch = SignTask(T=7, noise=0.5).sample(2000, np.random.default_rng(0))
    assert batch.xs.shape == (8, 2000, 1) and batch.mask is None
    first = batch.xs[0, :, 0]
    assert set(np.unique(first)) == {-1.0, 1.0}
    np.testing.assert_array_equal(batch.target, (first > 0).astype(float))
    assert 0.45 < batch.target.mean() < 0.55
    assert abs(batch.xs[1:].std() - 0.5) < 0.02
    assert SignTask(T=3).correct(np.array([0.1, -0.1, 0.1]), np.array([1.0, 0.0, 0.0])).tolist() == [
        True,
        True,
        False,
    ]


@pytest.mark.parametrize("T", [11, 20, 100])
def test_adding_problem_specification(T):
    task = AddingTask(T=T)
    batch = task.sample(500, np.random.default_rng(T))
    L_max = T + T // 10
    assert batch.xs.shape == (L_max, 500, 2)
    lengths = batch.mask.sum(axis=0).astype(int)
    assert lengths.min() >= T and lengths.max() <= L_max
    assert np.all(np.diff(batch.mask, axis=0) >= 0)  # padding at the front only
    assert np.all(batch.xs[batch.mask == 0] == 0.0)
    for b in range(500):
        seq = batch.xs[batch.mask[:, b] > 0, b]  # (L, 2), the real pairs
        values, markers = seq[:, 0], seq[:, 1]
        assert np.all(np.abs(values) <= 1.0)
        marked = np.flatnonzero(markers == 1.0)
        assert len(marked) == 2 and set(np.unique(markers)) <= {-1.0, 0.0, 1.0}
        assert markers[-1] == -1.0
        if marked[0] == 0:
            assert values[0] == 0.0  # X1 := 0 when the first pair is marked
        else:
            assert markers[0] == -1.0
        # X1 among the first 10 pairs, X2 among the first T/2 - 1 pairs still unmarked (either may come first)
        x1_first = marked[0] < 10 and marked[1] <= T // 2 - 1
        x2_first = marked[1] < 10 and marked[0] <= T // 2 - 2
        assert x1_first or x2_first
        assert batch.target[b] == pytest.approx(0.5 + values[marked].sum() / 4.0)
    assert 0.0 <= batch.target.min() and batch.target.max() <= 1.0


def test_adding_problem_uses_every_length_and_marks_the_first_pair_sometimes():
    batch = AddingTask(T=20).sample(3000, np.random.default_rng(1))
    lengths = batch.mask.sum(axis=0).astype(int)
    assert set(lengths) == {20, 21, 22}
    first = np.argmax(batch.mask, axis=0)  # index of each sequence's first pair
    first_marker = batch.xs[first, np.arange(3000), 1]
    # P(first pair marked) = P(X1 there) + P(X1 elsewhere) P(X2 there) = 1/10 + 9/10 · 1/9 = 0.2 at T = 20
    assert 0.17 < np.mean(first_marker == 1.0) < 0.23


def test_adding_problem_correctness_threshold():
    task = AddingTask(T=12)
    assert task.correct(np.array([0.5, 0.5]), np.array([0.539, 0.541])).tolist() == [True, False]


def test_tasks_are_seeded():
    a = AddingTask(T=12).sample(4, np.random.default_rng(5))
    b = AddingTask(T=12).sample(4, np.random.default_rng(5))
    np.testing.assert_array_equal(a.xs, b.xs)
    c = SignTask(T=4).sample(4, np.random.default_rng(6))
    assert not np.array_equal(SignTask(T=4).sample(4, np.random.default_rng(7)).xs, c.xs)


def test_task_errors_name_the_parameter():
    with pytest.raises(LstmsymError, match="lag T"):
        AddingTask(T=10)
    with pytest.raises(LstmsymError, match="lag T"):
        SignTask(T=0)
    with pytest.raises(LstmsymError, match="noise"):
        SignTask(T=3, noise=-1.0)
    with pytest.raises(LstmsymError, match="batch"):
        SignTask(T=3).sample(0, np.random.default_rng(0))
