r"""The parallel scan that a state-independent gate allows: h_t = a_t ⊙ h_{t-1} + b_t for all t at once.

When the coefficients a_t and b_t depend only on the inputs (minGRU: a_t = 1 - z_t, b_t = z_t ⊙ g_t;
minLSTM: a_t = f'_t, b_t = i'_t ⊙ g_t), the steps compose associatively: applying (a_1, b_1) and then
(a_2, b_2) is the single step (a_2 a_1, a_2 b_1 + b_2). So h_1..h_T can be computed in ⌈log2 T⌉ rounds of
elementwise work on whole sequences (Hillis and Steele's inclusive scan) instead of T sequential steps.
A cell whose gates read h_{t-1} (LSTM, GRU, sLSTM) has no such coefficients: a_t would need h_{t-1} first.

>>> import numpy as np
>>> a = np.array([[0.5], [0.5], [0.5]])
>>> b = np.array([[1.0], [0.0], [2.0]])
>>> linear_scan(a, b, h0=np.array([4.0]))[:, 0]      # h_1 = 0.5·4 + 1, h_2 = 0.5·3, h_3 = 0.5·1.5 + 2
array([3.  , 1.5 , 2.75])
>>> linear_scan(a, b, h0=np.array([4.0]), rounds=True)[1]   # T = 3 steps need 2 rounds
2
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..errors import LstmsymError


def linear_scan(a: ArrayLike, b: ArrayLike, h0: ArrayLike | None = None, rounds: bool = False):
    """h_t = a_t ⊙ h_{t-1} + b_t for t = 1..T by an associative (Hillis-Steele) scan; rows t-1 of the result.

    ``a`` and ``b`` are (T, n); ``h0`` is (n,) (zeros if None). ``rounds=True`` also returns the number of
    doubling rounds, ⌈log2 T⌉: the sequential depth of the computation.
    """
    A, B = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
    if A.ndim != 2 or A.shape != B.shape:
        raise LstmsymError(f"a and b must be two (T, n) arrays of one shape, got {A.shape} and {B.shape}")
    h0 = np.zeros(A.shape[1]) if h0 is None else np.asarray(h0, dtype=np.float64).reshape(A.shape[1])
    B[:1] = A[:1] * h0 + B[:1]              # fold h_0 into the first step: then h_t = B_t after the scan
    A[:1] = 0.0
    shift, count = 1, 0
    while shift < len(A):                   # (A_t, B_t) := (A_t, B_t) ∘ (A_{t-shift}, B_{t-shift})
        B[shift:] = A[shift:] * B[:-shift] + B[shift:]
        A[shift:] = A[shift:] * A[:-shift]
        shift, count = 2 * shift, count + 1
    return (B, count) if rounds else B
