"""``lstmsym check``: the gradient check of every cell and switch (or those named), as a table.

For each variant, :func:`lstmsym.numerics.verify.verify_cell` compares the symbolic T-step
Jacobians with central differences and with the NumPy reference (total and direct path), the
trajectories, and the reference's backward pass. Exit status 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse

import numpy as np

from ..cells.variants import VARIANTS, variant_cell
from ..errors import LstmsymError
from ..numerics.verify import verify_cell

EXAMPLES = """\
examples:
  lstmsym check                      # every cell and switch, n = 2, T = 3
  lstmsym check lstm gru             # only these
  lstmsym check lstm-peephole --n 3 --steps 5 --verbose

columns: fd = symbolic ∂s_T/∂s_k against central differences (k = 0..T-1); ref total, ref direct
= against the NumPy reference; trajectory = the forward pass; backward = the reference's VJPs
against the symbolic Jacobians. 'floor' means every entry was below the finite-difference noise
floor, so central differences could neither confirm nor refute it. max error is the largest
absolute error of the row, rounded up to a power of ten. Exit status 1 when any check fails.
"""

COLUMNS = ("fd", "ref total", "ref direct", "trajectory", "backward")
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
    parser.add_argument("--n", type=int, default=2, help="hidden size (default: 2)")
    parser.add_argument("--steps", type=int, default=3, metavar="T", help="sequence length (default: 3)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--verbose", action="store_true", help="also print every check's exact errors")
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    for name in args.variants:  # checked here: argparse rejects an empty list against choices
        if name not in VARIANTS:
            args.parser.error(
                f"argument VARIANT: invalid choice: {name!r} (choose from {', '.join(VARIANTS)})"
            )
    if args.steps < 1:
        raise LstmsymError(f"--steps must be >= 1, got {args.steps}")
    names = list(dict.fromkeys(args.variants)) or list(VARIANTS)
    width = max(len(name) for name in names)
    print(f"gradient check, n = {args.n}, T = {args.steps}, seed = {args.seed}")
    header = f"{'cell':<{width}}  " + "  ".join(f"{c:<10}" for c in COLUMNS) + "  max error  result"
    print(header)
    print("-" * len(header))
    failed = []
    for name in names:
        result = verify_cell(variant_cell(name, n=args.n), T=args.steps, seed=args.seed)
        statuses = "  ".join(f"{SHORT[c.status]:<10}" for c in result.checks)
        worst = max(c.max_abs_error for c in result.checks)
        bound = "0" if worst == 0 else f"1e{int(np.ceil(np.log10(worst))):d}"
        verdict = "ok" if result.ok else "FAILED"
        print(f"{name:<{width}}  {statuses}  {bound:<9}  {verdict}")
        if args.verbose:
            print("    " + result.report().replace("\n", "\n    "))
        if not result.ok:
            failed.append(name)
    if failed:
        print(f"{len(failed)} of {len(names)} failed: {', '.join(failed)}")
        return 1
    print(f"all {len(names)} passed")
    return 0
