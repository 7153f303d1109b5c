"""``lstmsym check``: the gradient check of every cell and switch (or those named), as a table.

For each variant, :func:`lstmsym.numerics.verify.verify_cell` compares the symbolic T-step
Jacobians with central differences and with the NumPy reference (total and direct path), the
trajectories, and the reference's backward pass. Exit status 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse

import numpy as np

from ..cells.variants import VARIANTS, variant_cell
from ..numerics.compile import compile_cell
from ..numerics.reference import has_hand_written
from ..numerics.verify import verify_cell
from .cells import add_cell_file_option
from .options import whole
from .progress import Progress

#: Longest sequence checked: central differences at every lag k cost T² steps (T = 200: about 3 s a cell).
MAX_STEPS = 200

EXAMPLES = """\
examples:
  lstmsym check                      # every cell and switch, n = 2, T = 3
  lstmsym check lstm gru             # only these
  lstmsym check lstm-peephole --n 3 --steps 5 --verbose

columns: fd = symbolic ∂s_T/∂s_k against central differences (k = 0..T-1); ref total, ref direct
= against the NumPy reference; trajectory = the forward pass; backward = the reference's VJPs
against the symbolic Jacobians (a cell marked * has no hand-written reference: the note
under the table says what its columns compare instead). 'floor' means every entry was below
the finite-difference noise floor, so central differences could neither confirm nor refute it.
max error is the largest absolute error of the row, rounded up to a power of ten. Exit status 1
when any check fails.
"""

COLUMNS = ("fd", "ref total", "ref direct", "trajectory", "backward")
#: What the columns hold for a cell without a hand-written reference (a user's cell), marked * in the table.
COMPILED_NOTE = (
    "* no hand-written NumPy reference (a user's cell); its columns: fd as above; ref total = ∂L/∂θ of the "
    "engine's reverse-mode backward pass vs central differences; ref direct = the direct step Jacobians vs "
    "central differences with the gates held; trajectory = compiled vs SymPy's own evaluation; backward = "
    "reverse mode vs the forward-mode Jacobians"
)
SHORT = {"pass": "pass", "fail": "FAIL", "below the finite-difference floor": "floor"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check",
        help="gradient check of every cell and switch, as a table",
        description="Check every cell's derivatives: symbolic = central differences = NumPy reference.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "variants",
        nargs="*",
        metavar="VARIANT",
        help="cells to check (default: all): " + ", ".join(VARIANTS),
    )
    parser.add_argument(
        "--n",
        type=whole(1),
        default=2,
        help="hidden size (default: 2); the symbolic Jacobian limits it (the LSTM to about n = 11)",
    )
    parser.add_argument(
        "--steps",
        type=whole(1, MAX_STEPS),
        default=3,
        metavar="T",
        help=f"sequence length, 1 to {MAX_STEPS} (default: 3)",
    )
    parser.add_argument("--seed", type=whole(0), default=0, help="random seed, >= 0 (default: 0)")
    parser.add_argument("--verbose", action="store_true", help="also print every check's exact errors")
    add_cell_file_option(parser)
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    for name in args.variants:  # checked here: argparse rejects an empty list against choices
        if name not in VARIANTS:
            args.parser.error(
                f"argument VARIANT: invalid choice: {name!r} (choose from {', '.join(VARIANTS)})"
            )
    names = list(dict.fromkeys(args.variants)) or list(VARIANTS)
    width = max(len(name) for name in names)
    with Progress("lstmsym check", total=len(names)) as progress:
        cells = []
        for done, name in enumerate(names):  # every cell compiled (or refused as too large) up front
            progress.update(done, note=f"compiling {name}")
            cells.append(variant_cell(name, n=args.n))
            compile_cell(cells[-1])
        # a cell without a hand-written reference is marked *
        width = max(len(name) + (not has_hand_written(cell)) for name, cell in zip(names, cells, strict=True))
        print(f"gradient check, n = {args.n}, T = {args.steps}, seed = {args.seed}")
        header = f"{'cell':<{width}}  " + "  ".join(f"{c:<10}" for c in COLUMNS) + "  max error  result"
        print(header)
        print("-" * len(header))
        failed, compiled_only = [], []
        for done, (name, cell) in enumerate(zip(names, cells, strict=True)):
            progress.update(done, note=f"checking {name}")
            result = verify_cell(cell, T=args.steps, seed=args.seed)
            statuses = "  ".join(f"{SHORT[c.status]:<10}" for c in result.checks)
            worst = max(c.max_abs_error for c in result.checks)
            bound = "0" if worst == 0 else f"1e{int(np.ceil(np.log10(worst))):d}"
            verdict = "ok" if result.ok else "FAILED"
            progress.clear()
            shown = name if has_hand_written(cell) else name + "*"
            if not has_hand_written(cell):
                compiled_only.append(name)
            print(f"{shown:<{width}}  {statuses}  {bound:<9}  {verdict}", flush=True)
            if args.verbose:
                print("    " + result.report().replace("\n", "\n    "))
            if not result.ok:
                failed.append(name)
    if compiled_only:
        print(COMPILED_NOTE)
    if failed:
        print(f"{len(failed)} of {len(names)} failed: {', '.join(failed)}")
        return 1
    print(f"all {len(names)} passed")
    return 0
