r"""The carousel in numbers: products of keep gates, and direct against total gradient norms over lags.

Two measurements of ∂c_T/∂c_k for an LSTM (the conventions' two meanings of the same symbol):

- the *direct* path holds every gate, the candidate g and h fixed, so it is the product of the keep gates,
  ∏ diag(f_t): the weight-free term of the additive update;
- the *total* Jacobian of the unrolled state map, which backpropagation uses, also runs through h_{t-1}
  and the gates, and can shrink faster, more slowly, or grow: the direct path is neither a lower nor an
  upper bound on it (:mod:`lstmsym.experiments.routes` attributes the total to its routes).

:func:`forget_product_table` computes the direct-path product at initialisation (all weights zero,
so f_t = σ(b_f) at every step) with the NumPy reference sweep, for several keep-gate biases and lags:

>>> table = forget_product_table(biases=(0, 3), lags=(10, 100))
>>> float(table.products[1, 1])                    # σ(3)^100
0.00776
>>> table.frame()                  # a DataFrame, one row per bias  # doctest: +NORMALIZE_WHITESPACE
       f    L = 10    L = 100
b_f
0.0  0.500  0.000977  7.89e-31
3.0  0.953  0.615160  7.76e-03

:func:`norm_curves` measures both paths over every lag 0..max_lag, for several seeds:

>>> from lstmsym.cells import make_cell
>>> curves = norm_curves(make_cell("lstm", n=2), max_lag=20, seeds=(0, 1), scale=0.3)
>>> curves.direct.shape, curves.total.shape        # (seeds, lags 0..20)
((2, 21), (2, 21))
>>> float(curves.median("direct")[0])              # lag 0: the identity
1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..cells import make_cell
from ..cells.base import Cell
from ..checks import seed_tuple, whole_number
from ..errors import LstmsymError
from ..numerics.params import init_params, random_sequence
from ..numerics.reference import lag_jacobian_norms
from ..numerics.reference.activations import sigmoid

PATHS = ("direct", "total")


def _check_lags(lags: Sequence[int], name: str = "lags") -> tuple[int, ...]:
    try:
        out = tuple(int(L) for L in lags)
    except TypeError as error:
        raise LstmsymError(f"{name} must be a sequence of whole numbers >= 1, got {lags!r}") from error
    if not out or any(L < 1 or L != lag for L, lag in zip(out, lags, strict=True)):
        raise LstmsymError(f"{name} must be a non-empty sequence of whole numbers >= 1, got {lags!r}")
    return out


@dataclass(frozen=True, eq=False)
class ForgetProductTable:
    """∏ f over a lag at initialisation: ``products[j, l]`` for bias ``biases[j]`` and lag ``lags[l]``.

    ``gates[j]`` is the keep gate f = σ(b_f) the forward pass produced; :meth:`frame` is the table.
    """

    biases: tuple[float, ...]
    lags: tuple[int, ...]
    gates: np.ndarray  # (len(biases),)
    products: np.ndarray  # (len(biases), len(lags))

    def frame(self):
        """The table as a pandas DataFrame: index ``b_f``, a column ``f`` (σ(b_f)) and one column per lag
        (``"L = 10"``, ...) holding the direct-path product."""
        import pandas as pd

        columns = {"f": self.gates} | {f"L = {L}": self.products[:, j] for j, L in enumerate(self.lags)}
        return pd.DataFrame(columns, index=pd.Index(self.biases, name="b_f"))


def forget_product_table(
    biases: Sequence[float] = (0, 1, 3, 5), lags: Sequence[int] = (10, 20, 50, 100, 1000)
) -> ForgetProductTable:
    """The direct-path product ∂c_T/∂c_{T-L} of a scalar LSTM at initialisation, for each bias and lag L.

    All weights and the other biases are zero and the input is zero, so every keep gate is σ(b_f); the
    product is measured by the NumPy reference sweep (``lag_jacobian_norms``, direct path), not typed in,
    which is why it can be checked against σ(b_f)^L.
    """
    lags = _check_lags(lags)
    try:
        biases = tuple(float(b) for b in biases)
    except (TypeError, ValueError) as error:
        raise LstmsymError(f"biases must be a sequence of numbers, got {biases!r}") from error
    if not biases or not all(np.isfinite(biases)):
        raise LstmsymError(f"biases must be a non-empty sequence of finite numbers, got {biases!r}")
    cell = make_cell("lstm", n=1, m=1)
    T = max(lags)
    xs = np.zeros((T, 1))
    gates, products = [], []
    for b in biases:
        params = {name: np.zeros(shape) for name, shape in cell.param_shapes.items()}
        params["b_f"] = np.array([b])  # keep gate's bias: the only nonzero parameter
        norms = lag_jacobian_norms(cell, params, xs, block=("c", "c"), direct=True)  # index k: lag T - k
        products.append([norms[T - L] for L in lags])
        gates.append(sigmoid(b))
    return ForgetProductTable(biases, lags, np.array(gates), np.array(products))


@dataclass(frozen=True, eq=False)
class NormCurves:
    """‖∂c_T/∂c_{T-L}‖ for lags L = 0..max_lag: ``direct`` and ``total`` are (seeds, max_lag + 1)."""

    label: str
    seeds: tuple[int, ...]
    lags: np.ndarray  # (max_lag + 1,) = 0, 1, ..., max_lag
    direct: np.ndarray
    total: np.ndarray

    def curves(self, path: str) -> np.ndarray:
        """The (seeds, lags) array of one path, ``"direct"`` or ``"total"``."""
        if path not in PATHS:
            raise LstmsymError(f"path={path!r} is not valid; expected one of: 'direct', 'total'")
        return self.direct if path == "direct" else self.total

    def median(self, path: str = "total") -> np.ndarray:
        """The median over seeds at every lag, (max_lag + 1,)."""
        return np.median(self.curves(path), axis=0)

    def at(self, lag: int, path: str = "total") -> float:
        """The median over seeds at one lag."""
        if not 0 <= lag < len(self.lags):
            raise LstmsymError(f"lag must be in 0..{len(self.lags) - 1}, got {lag!r}")
        return float(self.median(path)[lag])


def norm_curves(
    cell: Cell,
    max_lag: int = 100,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    scale: float = 0.3,
    forget_bias: float = 1.0,
    input_scale: float = 1.0,
    ord: str | int = 2,
    label: str | None = None,
) -> NormCurves:
    """Direct and total ‖∂c_T/∂c_{T-L}‖ (spectral norm by default) over lags L = 0..max_lag and seeds.

    For each seed one generator draws the weights ~ N(0, scale²) (``init_params``; biases 0 except the
    keep gate's, ``forget_bias``) and then the inputs x_1..x_T ~ N(0, input_scale²), T = max_lag. Built on
    :func:`lstmsym.numerics.reference.lag_jacobian_norms`. The cell needs a state ``c`` (LSTM variants,
    dense memory).
    """
    if "c" not in getattr(cell, "state_names", ()):
        raise LstmsymError(f"cell must have a memory state 'c' (an LSTM or dense memory), got {cell!r}")
    T = whole_number("max_lag", max_lag)
    seeds = seed_tuple(seeds)
    if not (np.isfinite(input_scale) and input_scale >= 0):
        raise LstmsymError(f"input_scale must be a number >= 0, got {input_scale!r}")
    direct, total = [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params = init_params(cell, rng, scale=scale, forget_bias=forget_bias)
        xs = random_sequence(cell, T, rng) * input_scale
        for path, out in ((True, direct), (False, total)):
            norms = lag_jacobian_norms(cell, params, xs, block=("c", "c"), direct=path, ord=ord)
            out.append(norms[::-1])  # index k was lag T - k; reversed, index = lag
    if label is None:
        name = repr(cell).split("'")[1] if repr(cell).startswith("make_cell('") else cell.kind
        label = f"{name}, b_f = {forget_bias:g}" if "b_f" in cell.param_shapes else name
    return NormCurves(label, seeds, np.arange(T + 1), np.array(direct), np.array(total))


def medians_frame(
    curves: Sequence[NormCurves], lags: Sequence[int] = (1, 10, 20, 50, 100), paths: Sequence[str] = PATHS
):
    """The median over seeds at each lag, as a pandas DataFrame: one row per curve set and path (a two-level
    index ``configuration``, ``path``), one column per lag (``"L = 1"``, ...).

    >>> from lstmsym.cells import make_cell
    >>> curves = norm_curves(make_cell("lstm1997", n=2), max_lag=10, seeds=(0, 1))
    >>> medians_frame([curves], lags=(1, 10), paths=("direct",))  # doctest: +NORMALIZE_WHITESPACE
                           L = 1  L = 10
    configuration path
    lstm1997      direct    1.0     1.0
    """
    import pandas as pd

    if isinstance(curves, NormCurves):
        curves = [curves]
    lags = _check_lags(lags)
    for path in paths:
        if path not in PATHS:
            raise LstmsymError(f"paths must name 'direct' or 'total', got {path!r}")
    rows = {(c.label, path): [c.at(L, path) for L in lags] for c in curves for path in paths}
    index = pd.MultiIndex.from_tuples(rows, names=["configuration", "path"])
    return pd.DataFrame(list(rows.values()), index=index, columns=[f"L = {L}" for L in lags])


def plot_norm_curves(curves: Sequence[NormCurves], paths: Sequence[str] = PATHS, ax=None, title=None):
    """Median over seeds of each curve set against lag, log y axis; direct dashed, total solid, in the colour
    and marker of the curve set's configuration (:mod:`lstmsym.style`). Returns ax."""
    import matplotlib.pyplot as plt

    from ..style import line_kwargs, log_axis, style_or

    if isinstance(curves, NormCurves):
        curves = [curves]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for j, c in enumerate(curves):
        name = style_or(c.label, j).label  # the course's label, or c.label as written
        for path in paths:
            marks = {"npoints": len(c.lags)} if path == "total" else {"marker": ""}
            label = f"{name}: {'direct path' if path == 'direct' else path}"
            ax.plot(c.lags, c.median(path), **line_kwargs(c.label, j, path=path, label=label, **marks))
    log_axis(ax, "y")
    ax.set_xlabel("lag $L = T - k$")
    ax.set_ylabel(r"median $\|\partial c_T / \partial c_{T-L}\|_2$")
    ax.set_title(title or "Gradient along the memory: direct path vs total Jacobian")
    ax.legend(fontsize=8)
    return ax


def rest_state_loop(params: Mapping[str, ArrayLike]) -> np.ndarray:
    """M = σ(b_f) I + W_g / 4: the total one-step map of the memory around the rest state c = h = 0.

    For an LSTM (tanh readout, no peepholes) whose biases are all zero except b_f, a zero input keeps the
    state at c = h = 0, where i = o = 1/2 and g = 0. There the step Jacobian factors as
    [I; I/2] [σ(b_f) I, W_g/2], so ∂c_T/∂c_{T-L} = M^{L-1} σ(b_f) for L ≥ 1 (:func:`rest_state_c_block`):
    the keep gate alone gives σ(b_f) I, and the loop c → h → g → c adds W_g/4. With σ(b_f) near 1, an
    eigenvalue of W_g with positive real part makes the total Jacobian grow with the lag.

    >>> params = {"b_f": np.array([0.0]), "W_g": np.array([[2.0]])}
    >>> rest_state_loop(params)                       # σ(0) + 2/4
    array([[1.]])
    """
    for name in ("b_f", "W_g"):
        if name not in params:
            raise LstmsymError(f"params must contain {name!r} (an LSTM's), got {sorted(params)}")
    b_f = np.asarray(params["b_f"], dtype=np.float64)
    W_g = np.asarray(params["W_g"], dtype=np.float64)
    if W_g.ndim != 2 or W_g.shape != (b_f.shape[0], b_f.shape[0]):
        raise LstmsymError(f"W_g must be (n, n) and b_f (n,), got {W_g.shape} and {b_f.shape}")
    f = sigmoid(b_f)  # keep gate at the rest state, (n,)
    return np.diag(f) + W_g / 4.0


def rest_state_c_block(params: Mapping[str, ArrayLike], lag: int) -> np.ndarray:
    """∂c_T/∂c_{T-L} at the rest state, in closed form: M^{L-1} diag(σ(b_f)) (the identity for L = 0).

    >>> params = {"b_f": np.array([0.0]), "W_g": np.array([[2.0]])}
    >>> rest_state_c_block(params, 5)                 # M = 1: σ(0) at every lag >= 1
    array([[0.5]])
    """
    lag = whole_number("lag", lag, minimum=0)
    M = rest_state_loop(params)
    if lag == 0:
        return np.eye(M.shape[0])
    f = sigmoid(np.asarray(params["b_f"], dtype=np.float64))
    return np.linalg.matrix_power(M, lag - 1) @ np.diag(f)


@dataclass(frozen=True)
class CarouselProduct:
    """∂c_T/∂c_0 along the direct path of a scalar LSTM with zero weights, next to σ(b_f)^T."""

    forget_bias: float
    T: int
    product: float  # from the compiled symbolic step Jacobians
    expected: float  # σ(b_f)^T in closed form


def zero_weight_carousel(
    cell: Cell, biases: Sequence[float] = (1.0, 3.0), T: int = 20
) -> list[CarouselProduct]:
    """The carousel product for a scalar LSTM-family ``cell`` with every weight and bias 0 except b_f.

    With zero weights every keep gate is f_t = σ(b_f), so the direct path ∂c_T/∂c_0 is σ(b_f)^T. The
    product is computed by :meth:`lstmsym.numerics.compile.CompiledCell.lag_jacobians` (the symbolic
    route) on zero inputs, and returned next to the closed form, to be compared.

    >>> rows = zero_weight_carousel(make_cell("lstm"), biases=(0.0, 3.0), T=10)
    >>> rows[0].product == rows[0].expected == 0.5**10
    True
    >>> round(rows[1].product, 6), round(rows[1].expected, 6)
    (0.61516, 0.61516)
    """
    from ..numerics.compile import compile_cell

    if not isinstance(cell, Cell) or "b_f" not in cell.param_shapes or "c" not in cell.state_names:
        raise LstmsymError(
            f"cell must be an LSTM-family cell with a keep gate (b_f) and a memory c, got {cell!r}"
        )
    if cell.param_shapes["b_f"] != (1,):
        raise LstmsymError(f"cell must be scalar (n=1), got b_f of shape {cell.param_shapes['b_f']}")
    T = whole_number("T", T)
    T = int(T)
    compiled = compile_cell(cell)
    m = cell.param_shapes["U_f"][1] if "U_f" in cell.param_shapes else 1
    xs = np.zeros((T, m))
    c_index = cell.state_names.index("c")
    out = []
    for b_f in biases:
        b_f = float(b_f)
        if not np.isfinite(b_f):
            raise LstmsymError(f"biases must be finite numbers, got {b_f!r}")
        params = {name: np.zeros(shape) for name, shape in cell.param_shapes.items()}
        params["b_f"] = np.array([b_f])
        product = float(compiled.lag_jacobians(params, xs, path="direct")[0, c_index, c_index])
        out.append(CarouselProduct(b_f, T, product, float(sigmoid(b_f) ** T)))
    return out


__all__ = [
    "CarouselProduct",
    "ForgetProductTable",
    "NormCurves",
    "forget_product_table",
    "medians_frame",
    "norm_curves",
    "plot_norm_curves",
    "rest_state_c_block",
    "rest_state_loop",
    "zero_weight_carousel",
]
