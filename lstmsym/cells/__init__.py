r"""The cells lstmsym declares, by name, and the way to declare and register one of your own.

A cell is a :class:`Cell` subclass with ``state_names``, ``parameters`` (name -> shape in ``"n"``, ``"m"``)
and a ``declare(self, b)`` method that writes its rules with the :class:`~lstmsym.cells.base.Builder`;
:func:`register_cell` puts it under a name. The built-in cells are declared and registered exactly so
(see :mod:`.rnn`, :mod:`.lstm`, :mod:`.gru`, :mod:`.dense_memory`).

>>> from lstmsym.cells import make_cell, CELL_NAMES
>>> CELL_NAMES
('rnn', 'lstm', 'lstm1997', 'gru', 'dense_memory', 'min_gru', 'min_lstm', 'slstm', 'plain_deep', 'residual',
 'highway', 'orthogonal_rnn', 'irnn')
>>> make_cell("lstm", n=2, m=3, peephole=True)
make_cell('lstm', n=2, m=3, peephole=True)
>>> make_cell("lstm1997").options["forget_gate"]
False
>>> make_cell("gru").state_names, make_cell("gru").gate_names
(('h',), ('z', 'r', 'n'))
>>> try:
...     make_cell("lstn")
... except ValueError as error:
...     print(error)
cell='lstn' is not valid; expected one of: 'rnn', 'lstm', 'lstm1997', 'gru', 'dense_memory', 'min_gru',
'min_lstm', 'slstm', 'plain_deep', 'residual', 'highway', 'orthogonal_rnn', 'irnn'

``CELL_NAMES`` is read from the registry when it is asked for (a user's cells registered later join it);
:func:`cell_names` gives the same tuple, or only the built-in or only the user's names.
"""

from __future__ import annotations

# The built-in cells register themselves when their modules are imported, in this order (= CELL_NAMES).
# isort: off
from . import rnn, lstm, gru, dense_memory, min_cells, slstm, depth, norm_preserving  # noqa: F401
# isort: on
from .base import Builder, Cell, Quantity, Rule, Step, affine_parameters
from .dense_memory import DenseMemory
from .gru import GRU
from .lstm import DEFAULTS as LSTM_SWITCHES
from .lstm import LSTM, LSTM1997, READOUTS
from .registry import (
    RegisteredCell,
    cell_names,
    load_cell_file,
    lookup,
    make_cell,
    register_cell,
    unregister_cell,
)
from .rnn import RNN


def __getattr__(name: str) -> object:
    """``CELL_NAMES``: every registered cell name, read from the registry when asked for."""
    if name == "CELL_NAMES":
        return cell_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CELL_NAMES",
    "GRU",
    "LSTM",
    "LSTM1997",
    "LSTM_SWITCHES",
    "READOUTS",
    "RNN",
    "Builder",
    "Cell",
    "DenseMemory",
    "Quantity",
    "RegisteredCell",
    "Rule",
    "Step",
    "affine_parameters",
    "cell_names",
    "load_cell_file",
    "lookup",
    "make_cell",
    "register_cell",
    "unregister_cell",
]
