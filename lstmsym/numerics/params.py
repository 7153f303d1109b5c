"""Numeric parameters, inputs and states for a cell: checked and initialised.

PyTorch's and Keras' packed layouts (``pack_lstm``, ``unpack_lstm``, the GRU's and the state_dict
names) live in :mod:`lstmsym.numerics.layouts`; ``pack_lstm`` and ``unpack_lstm`` can still be
imported from here.

>>> from lstmsym.cells import make_cell
>>> cell = make_cell("lstm", n=2, m=1)
>>> params = init_params(cell, seed=0)
>>> params["b_f"]                  # forget-gate bias 1 (Jozefowicz et al. 2015), other biases 0
array([1., 1.])
>>> check_params(cell, {**params, "W_f": params["W_f"][:1]})
Traceback (most recent call last):
...
lstmsym.errors.LstmsymError: parameter 'W_f' has shape (1, 2); expected (2, 2) for make_cell('lstm', n=2, m=1)
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from ..cells.base import Cell
from ..checks import positive_number, whole_number
from ..errors import LstmsymError


def as_real_array(name: str, value: object, what: str) -> np.ndarray:
    """``value`` as a float64 array of finite real numbers; the error names ``what`` and ``name``."""
    arr = np.asarray(value)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise LstmsymError(f"{what} {name!r} must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise LstmsymError(f"{what} {name!r} contains NaN or infinite values")
    return arr


def check_params(cell: Cell, params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Validate a parameter mapping against the cell's declared names and shapes; return float64 copies."""
    if not isinstance(params, Mapping):
        raise LstmsymError(
            f"params must be a mapping from parameter name to array, got {type(params).__name__}"
        )
    shapes = cell.param_shapes
    missing = [name for name in shapes if name not in params]
    unknown = [name for name in params if name not in shapes]
    if missing:
        raise LstmsymError(f"parameter {missing[0]!r} is missing; {cell!r} needs {list(shapes)}")
    if unknown:
        raise LstmsymError(f"parameter {unknown[0]!r} is not one of {cell!r}'s: {list(shapes)}")
    out = {}
    for name, shape in shapes.items():
        arr = as_real_array(name, params[name], "parameter")
        if arr.shape != shape:
            raise LstmsymError(f"parameter {name!r} has shape {arr.shape}; expected {shape} for {cell!r}")
        out[name] = arr
    return out


def check_inputs(cell: Cell, xs: object) -> np.ndarray:
    """A sequence of inputs, shape (T, m) with T >= 1."""
    arr = as_real_array("xs", xs, "input")
    if arr.ndim != 2 or arr.shape[1] != cell.m or arr.shape[0] < 1:
        raise LstmsymError(f"input 'xs' has shape {arr.shape}; expected (T, {cell.m}) with T >= 1")
    return arr


def check_state(cell: Cell, state: Mapping[str, object] | None) -> dict[str, np.ndarray]:
    """A state mapping name -> (n,), zeros where None is given."""
    if state is None:
        return {name: np.zeros(cell.n) for name in cell.state_names}
    if not isinstance(state, Mapping) or set(state) != set(cell.state_names):
        got = sorted(state) if isinstance(state, Mapping) else type(state).__name__
        raise LstmsymError(f"state must map exactly {list(cell.state_names)} to arrays; got {got}")
    out = {}
    for name in cell.state_names:
        arr = as_real_array(name, state[name], "state")
        if arr.shape != (cell.n,):
            raise LstmsymError(f"state {name!r} has shape {arr.shape}; expected ({cell.n},)")
        out[name] = arr
    return out


def _generator(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise LstmsymError(f"seed must be an int or a numpy Generator, got {seed!r}")
    return np.random.default_rng(seed)


def _is_real(value: object) -> bool:
    """A real number (Python or NumPy), not a bool or a string (np.isfinite("1") raises TypeError)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def init_params(
    cell: Cell,
    seed: int | np.random.Generator = 0,
    scale: float | None = None,
    forget_bias: float = 1.0,
) -> dict[str, np.ndarray]:
    """A seeded random initialisation.

    Weights ~ U(-1/sqrt(n), 1/sqrt(n)) (PyTorch's default) or, with ``scale``, N(0, scale²);
    biases 0 except the forget gate's, ``b_f = forget_bias`` (1 by default, as Keras's
    ``unit_forget_bias``; 0 reproduces d2l). Peephole weights are drawn like weights.
    """
    rng = _generator(seed)
    if scale is not None:
        scale = positive_number("scale", scale)
    if not (_is_real(forget_bias) and np.isfinite(forget_bias)):
        raise LstmsymError(f"forget_bias must be a finite number, got {forget_bias!r}")
    bound = 1.0 / np.sqrt(cell.n)
    out = {}
    for name, shape in cell.param_shapes.items():
        if name.startswith(("b_", "d_")) or name == "b":
            out[name] = np.zeros(shape)
        elif scale is None:
            out[name] = rng.uniform(-bound, bound, size=shape)
        else:
            out[name] = rng.normal(0.0, scale, size=shape)
    if "b_f" in out:
        out["b_f"] = np.full(cell.n, float(forget_bias))
    return out


def random_sequence(
    cell: Cell, T: int, seed: int | np.random.Generator = 0, scale: float = 1.0
) -> np.ndarray:
    """Inputs x_1..x_T ~ N(0, scale²), shape (T, m)."""
    return _generator(seed).normal(0.0, scale, size=(whole_number("T", T), cell.m))


_MOVED = ("TORCH_GATE_ORDER", "pack_lstm", "unpack_lstm")


def __getattr__(name: str) -> object:
    """``pack_lstm``, ``unpack_lstm``, ``TORCH_GATE_ORDER``: moved to :mod:`.layouts`, importable here."""
    if name in _MOVED:
        from . import layouts

        return getattr(layouts, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
