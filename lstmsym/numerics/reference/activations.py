"""The cells' squashing functions in NumPy, each with its derivative written in terms of its output.

Writing the derivative through the output (σ' = y(1 - y), tanh' = 1 - y²) is what lets a forward pass store
the local derivative right next to the value it computes, without keeping the preactivation around.

σ is evaluated as 0.5 (1 + tanh(x / 2)), an exact identity that never overflows: ``np.exp(-x)`` would warn
for x < -709, while tanh saturates quietly to ±1. Its absolute error is a few ulp of 1 (so σ(-40) ≈ 4e-18
comes out as exactly 0), which is harmless for the cells' gates.

>>> import numpy as np
>>> x = np.array([-1e4, -1.0, 0.0, 1.0, 1e4])
>>> sigmoid(x)
array([0.        , 0.26894142, 0.5       , 0.73105858, 1.        ])
>>> dsigmoid(sigmoid(x))
array([0.        , 0.19661193, 0.25      , 0.19661193, 0.        ])
>>> dtanh(tanh(np.array([0.0, 1.0])))
array([1.        , 0.41997434])
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def sigmoid(x: ArrayLike) -> Array:
    """Logistic sigmoid σ(x) = 1 / (1 + e^(-x)), as 0.5 (1 + tanh(x / 2)): no overflow for any float."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))


def dsigmoid(y: ArrayLike) -> Array:
    """σ'(x) in terms of the output y = σ(x): y (1 - y), at most 1/4."""
    y = np.asarray(y, dtype=np.float64)
    return y * (1.0 - y)


def tanh(x: ArrayLike) -> Array:
    """Hyperbolic tangent (NumPy's, which saturates to ±1 without warnings)."""
    return np.tanh(np.asarray(x, dtype=np.float64))


def dtanh(y: ArrayLike) -> Array:
    """tanh'(x) in terms of the output y = tanh(x): 1 - y², at most 1."""
    y = np.asarray(y, dtype=np.float64)
    return 1.0 - y * y


def identity(x: ArrayLike) -> Array:
    """φ(c) = c, the LSTM readout without squashing (Greff's NOAF variant)."""
    return np.asarray(x, dtype=np.float64).copy()


def didentity(y: ArrayLike) -> Array:
    """Derivative of the identity: ones, shaped like y."""
    return np.ones_like(np.asarray(y, dtype=np.float64))
