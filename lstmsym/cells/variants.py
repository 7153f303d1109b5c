"""Every cell and LSTM switch combination the project covers, by name.

The command line (``lstmsym check``, the catalogue) and the tests draw from this one mapping. It is read
from the registry each time: every registered cell under its own name (a user's cells too, once
registered), then the LSTM's switch combinations.

>>> list(VARIANTS)[:5]
['rnn', 'lstm', 'lstm1997', 'gru', 'dense_memory']
>>> VARIANTS["lstm-coupled"]
('lstm', {'coupled': True})
>>> variant_cell("lstm-peephole-coupled", n=2)
make_cell('lstm', n=2, m=1, coupled=True, peephole=True)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .base import Cell
from .registry import cell_names

#: The switch combinations (the LSTM's, and the sLSTM's keep gate): name -> (make_cell name, switches).
SWITCH_VARIANTS: dict[str, tuple[str, dict[str, object]]] = {
    "lstm-readout-sigmoid": ("lstm", {"readout": "sigmoid"}),
    "lstm-readout-identity": ("lstm", {"readout": "identity"}),
    "lstm-readout-dense": ("lstm", {"readout": "dense"}),
    "lstm-no-input-gate": ("lstm", {"input_gate": False}),
    "lstm-no-output-gate": ("lstm", {"output_gate": False}),
    "lstm-coupled": ("lstm", {"coupled": True}),
    "lstm-peephole": ("lstm", {"peephole": True}),
    "lstm-peephole-coupled": ("lstm", {"peephole": True, "coupled": True}),
    "slstm-exp-forget": ("slstm", {"forget": "exp"}),  # the sLSTM's exponential keep gate
}


class _Variants(Mapping):
    """name -> (make_cell name, switches): the registered cells, then :data:`SWITCH_VARIANTS`."""

    def _names(self) -> tuple[str, ...]:
        return (*cell_names(), *SWITCH_VARIANTS)

    def __getitem__(self, name: str) -> tuple[str, dict[str, object]]:
        if name in SWITCH_VARIANTS:
            cell, switches = SWITCH_VARIANTS[name]
            return cell, dict(switches)
        if name in cell_names():
            return name, {}
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return repr(dict(self))


#: name -> (make_cell name, switches), read from the registry when used.
VARIANTS: Mapping[str, tuple[str, dict[str, object]]] = _Variants()


def variant_cell(variant: str, n: int = 1, m: int = 1) -> Cell:
    """The cell a variant name stands for, e.g. ``variant_cell("lstm-coupled", n=2)``."""
    from .registry import make_cell

    name, switches = VARIANTS[variant]
    return make_cell(name, n=n, m=m, **switches)
