r"""The cells lstmsym declares, by name.

>>> from lstmsym.cells import make_cell, CELL_NAMES
>>> CELL_NAMES
('rnn', 'lstm', 'lstm1997', 'gru', 'dense_memory')
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
cell='lstn' is not valid; expected one of: 'rnn', 'lstm', 'lstm1997', 'gru', 'dense_memory'
"""

from __future__ import annotations

from ..errors import LstmsymError, UnknownChoiceError
from .base import Cell, Rule, Step
from .dense_memory import DenseMemory
from .gru import GRU
from .lstm import DEFAULTS as LSTM_SWITCHES
from .lstm import LSTM, LSTM1997, READOUTS
from .rnn import RNN

CELL_NAMES = ("rnn", "lstm", "lstm1997", "gru", "dense_memory")


def make_cell(name: str, n: int = 1, m: int = 1, **switches: object) -> Cell:
    """Build a cell by name: ``"rnn"``, ``"lstm"``, ``"lstm1997"``, ``"gru"`` or ``"dense_memory"``.

    ``n`` is the hidden size, ``m`` the input size. Switches (keyword options) apply to the LSTM
    only: ``readout`` ("tanh", "sigmoid", "identity", "dense"), ``input_gate``, ``forget_gate``,
    ``output_gate``, ``coupled`` and ``peephole``. ``"lstm1997"`` is ``"lstm"`` with
    ``forget_gate=False``.
    """
    if name not in CELL_NAMES:
        raise UnknownChoiceError("cell", name, CELL_NAMES)
    if switches and name not in ("lstm", "lstm1997"):
        raise LstmsymError(f"switches {sorted(switches)} apply to the LSTM only; the {name} cell takes none")
    classes = {"rnn": RNN, "lstm": LSTM, "lstm1997": LSTM1997, "gru": GRU, "dense_memory": DenseMemory}
    return classes[name](n, m, **switches)


__all__ = [
    "CELL_NAMES",
    "GRU",
    "LSTM",
    "LSTM1997",
    "LSTM_SWITCHES",
    "READOUTS",
    "RNN",
    "Cell",
    "DenseMemory",
    "Rule",
    "Step",
    "make_cell",
]
