"""The cell-choosing options the subcommands share, and the derive flags of a named variant.

Every name comes from a fixed list (argparse ``choices``): nothing the user types is evaluated.
"""

from __future__ import annotations

import argparse

from ..cells import READOUTS, Cell, cell_names, make_cell
from ..cells.variants import VARIANTS
from .options import whole


def variant_flags(variant: str) -> str:
    """The ``derive`` options that select a variant, e.g. ``--cell lstm --coupled``.

    >>> variant_flags("lstm-readout-dense"), variant_flags("lstm-no-input-gate")
    ('--cell lstm --readout dense', '--cell lstm --no-input-gate')
    """
    name, switches = VARIANTS[variant]
    flags = [f"--cell {name}"]
    for key, value in switches.items():
        if key == "readout":
            flags.append(f"--readout {value}")
        elif value is True:
            flags.append("--" + key.replace("_", "-"))
        else:
            flags.append("--no-" + key.replace("_", "-"))
    return " ".join(flags)


def add_cell_file_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--cell-file PATH (repeatable): import a user's cell file; :func:`lstmsym.cli.main` loads it first."""
    parser.add_argument(
        "--cell-file",
        action="append",
        metavar="PATH",
        help="a Python file that declares and registers cells (@register_cell); its names become valid "
        "cell names (repeatable)",
    )


def add_cell_options(parser: argparse.ArgumentParser, default_n: int = 1) -> None:
    """--cell, --cell-file, the LSTM switches, --n and --m."""
    group = parser.add_argument_group("cell")
    group.add_argument("--cell", choices=cell_names(), default="lstm", help="cell kind (default: lstm)")
    add_cell_file_option(group)
    group.add_argument("--n", type=whole(1), default=default_n, help=f"hidden size (default: {default_n})")
    group.add_argument("--m", type=whole(1), default=1, help="input size (default: 1)")
    switches = parser.add_argument_group("LSTM switches (lstm and lstm1997 only)")
    switches.add_argument(
        "--readout", choices=READOUTS, help="h_t = o_t ⊙ φ(c_t) with φ = ... (default: tanh)"
    )
    for gate, meaning in (("input", "i_t ≡ 1"), ("forget", "f_t ≡ 1"), ("output", "o_t ≡ 1")):
        switches.add_argument(
            f"--no-{gate}-gate",
            dest=f"{gate}_gate",
            action="store_const",
            const=False,
            help=f"drop the {gate} gate ({meaning})",
        )
    switches.add_argument("--coupled", action="store_const", const=True, help="f_t = 1 - i_t (CIFG)")
    switches.add_argument("--peephole", action="store_const", const=True, help="diagonal peepholes p ⊙ c")


def cell_from_args(args: argparse.Namespace) -> Cell:
    """The cell the options name; switches the user did not give are left to the cell's defaults."""
    switches = {
        key: getattr(args, key)
        for key in ("readout", "input_gate", "forget_gate", "output_gate", "coupled", "peephole")
        if getattr(args, key) is not None
    }
    return make_cell(args.cell, n=args.n, m=args.m, **switches)
