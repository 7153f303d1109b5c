r"""lstmsym: why the LSTM's additive cell-state update keeps gradients alive, derived and checked.

Build a cell, read its equations, derive how its state at step T depends on the state at step k,
and check the derivation with numbers:

>>> import lstmsym as ls
>>> lstm = ls.make_cell("lstm")
>>> ls.jacobian_block(lstm, "c", "c", path="direct")     # the carousel: only the keep gate
Matrix([[f_{t}]])
>>> ls.Chain(lstm, "c", "c", T=4, path="direct").doit()
Matrix([[f_{1}*f_{2}*f_{3}*f_{4}]])
>>> ls.verify_cell(lstm, T=3).ok                          # symbolic = finite differences = NumPy
True

The layout is a ladder, each layer importing only those below it: :mod:`lstmsym.cells`
(symbolic cells) → :mod:`lstmsym.derivatives` (step Jacobians, T-step chains) →
:mod:`lstmsym.numerics` (compiled functions, NumPy reference, gradient checks).
"""

from .activations import sigmoid
from .cells import (
    LSTM_SWITCHES,
    Cell,
    affine_parameters,
    cell_names,
    make_cell,
    register_cell,
    unregister_cell,
)
from .derivatives.chain import Chain
from .derivatives.step import block_latex, jacobian_block, step_jacobian
from .diagrams import cell_graph, draw_cell
from .errors import DeclarationError, ExpansionTooLargeError, LstmsymError, UnknownChoiceError
from .notation import latex
from .numerics.compile import compile_cell
from .numerics.gradcheck import check_jacobian
from .numerics.layouts import (
    keras_weights,
    pack_gru,
    pack_lstm,
    params_from_keras,
    params_from_torch,
    torch_state_dict,
    unpack_gru,
    unpack_lstm,
)
from .numerics.params import init_params, random_sequence
from .numerics.verify import verify_cell

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``CELL_NAMES``: every registered cell name, read from the registry when asked for."""
    if name == "CELL_NAMES":
        return cell_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CELL_NAMES",
    "LSTM_SWITCHES",
    "Cell",
    "Chain",
    "DeclarationError",
    "ExpansionTooLargeError",
    "LstmsymError",
    "UnknownChoiceError",
    "affine_parameters",
    "block_latex",
    "cell_graph",
    "cell_names",
    "check_jacobian",
    "compile_cell",
    "draw_cell",
    "init_params",
    "jacobian_block",
    "keras_weights",
    "latex",
    "make_cell",
    "pack_gru",
    "pack_lstm",
    "params_from_keras",
    "params_from_torch",
    "random_sequence",
    "register_cell",
    "sigmoid",
    "step_jacobian",
    "torch_state_dict",
    "unpack_gru",
    "unpack_lstm",
    "unregister_cell",
    "verify_cell",
]
