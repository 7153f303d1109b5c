"""train_seeds(..., biases=...): any bias vector's starting value, by name."""

import numpy as np
import pytest

from lstmsym.cells import make_cell
from lstmsym.errors import LstmsymError
from lstmsym.training.loop import init_model, train_seeds
from lstmsym.training.tasks import SignTask


def test_a_named_bias_starts_at_its_value_and_nothing_else_changes():
    cell = make_cell("gru", n=3)
    plain = init_model(cell, np.random.default_rng(5), update_bias=3.0)
    reset = init_model(cell, np.random.default_rng(5), update_bias=3.0, biases={"b_r": 3.0})
    np.testing.assert_array_equal(reset["b_r"], 3.0)
    np.testing.assert_array_equal(plain["b_r"], 0.0)
    for name in plain:
        if name != "b_r":
            np.testing.assert_array_equal(reset[name], plain[name])   # the same draws


def test_the_trainer_starts_from_the_named_bias():
    task = SignTask(T=3, noise=1.0)
    a = train_seeds(make_cell("gru", n=2), task, [0], steps=1, eval_every=1, biases={"b_r": 2.0})
    b = train_seeds(make_cell("gru", n=2), task, [0], steps=1, eval_every=1)
    assert a[0].history[0]["loss"] != b[0].history[0]["loss"]   # r = σ(2) changes the first evaluation


@pytest.mark.parametrize("biases, word", [({"W_r": 1.0}, "not a bias vector"), ({"b_q": 1.0}, "not a bias"),
                                          ({"b_r": float("nan")}, "finite number")])
def test_bad_biases_are_refused_by_name(biases, word):
    with pytest.raises(LstmsymError, match=word):
        init_model(make_cell("gru", n=2), np.random.default_rng(0), biases=biases)
