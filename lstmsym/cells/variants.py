"""Every cell and LSTM switch combination the project covers, by name.

The command line (``lstmsym check``, the catalogue) and the tests draw from this one list.

>>> list(VARIANTS)[:5]
['rnn', 'lstm', 'lstm1997', 'gru', 'dense_memory']
>>> variant_cell("lstm-peephole-coupled", n=2)
make_cell('lstm', n=2, m=1, coupled=True, peephole=True)
"""

from __future__ import annotations

from .base import Cell

#: name -> (make_cell name, switches)
VARIANTS: dict[str, tuple[str, dict[str, object]]] = {
    "rnn": ("rnn", {}),
    "lstm": ("lstm", {}),
    "lstm1997": ("lstm1997", {}),
    "gru": ("gru", {}),
    "dense_memory": ("dense_memory", {}),
    "lstm-readout-sigmoid": ("lstm", {"readout": "sigmoid"}),
    "lstm-readout-identity": ("lstm", {"readout": "identity"}),
    "lstm-readout-dense": ("lstm", {"readout": "dense"}),
    "lstm-no-input-gate": ("lstm", {"input_gate": False}),
    "lstm-no-output-gate": ("lstm", {"output_gate": False}),
    "lstm-coupled": ("lstm", {"coupled": True}),
    "lstm-peephole": ("lstm", {"peephole": True}),
    "lstm-peephole-coupled": ("lstm", {"peephole": True, "coupled": True}),
}


def variant_cell(variant: str, n: int = 1, m: int = 1) -> Cell:
    """The cell a variant name stands for, e.g. ``variant_cell("lstm-coupled", n=2)``."""
    from . import make_cell  # the registry imports this module's neighbours

    name, switches = VARIANTS[variant]
    return make_cell(name, n=n, m=m, **switches)
