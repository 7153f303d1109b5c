r"""``lstmsym derive``: one-step Jacobian blocks or a T-step derivative, as LaTeX, Markdown or text.

>>> from lstmsym.cli import main
>>> main(["derive", "--cell", "lstm", "--what", "dc", "--steps", "3", "--path", "direct",
...       "--multiply", "--format", "text"])
# make_cell('lstm', n=1, m=1): ∂c_T/∂c_k, T = 3, k = 0, gate notation, direct path
dc_3/dc_0 (direct) = J_3 J_2 J_1, where J_t = f_{t}
dc_3/dc_0 (direct) = f_{1}*f_{2}*f_{3}
0
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from ..cells import Cell
from ..derivatives.chain import MAX_SYMBOLIC_STEPS, Chain
from ..derivatives.step import NOTATIONS, PATHS, block_latex, jacobian_block
from ..errors import ExpansionTooLargeError, LstmsymError
from .cells import add_cell_options, cell_from_args
from .options import ignored, note, whole, writable_file, writable_folder
from .progress import Progress

WHATS = ("step", "dc", "dh")
FORMATS = ("latex", "markdown", "text")
#: Most step Jacobians the product form writes out; 100 LSTM factors at n = 3 take about 4 s.
MAX_WRITTEN_FACTORS = 100
#: Options that only the T-step derivative (--what dc or dh) uses, dest -> flag.
CHAIN_OPTIONS = {"steps": "--steps", "k": "--lag", "multiply": "--multiply", "max_factors": "--max-factors"}
#: Options that --all does not use: it writes every cell and switch, in every form, as Markdown.
NOT_FOR_ALL = {
    "cell": "--cell",
    "n": "--n",
    "m": "--m",
    "readout": "--readout",
    "input_gate": "--no-input-gate",
    "forget_gate": "--no-forget-gate",
    "output_gate": "--no-output-gate",
    "coupled": "--coupled",
    "peephole": "--peephole",
    "what": "--what",
    "notation": "--notation",
    "path": "--path",
    "format": "--format",
    "output": "--output",
    **CHAIN_OPTIONS,
}

EXAMPLES = """\
examples:
  # the LSTM's one-step Jacobian blocks (∂c_t/∂c_{t-1}, ∂c_t/∂h_{t-1}, ...), gate notation
  lstmsym derive --cell lstm
  # hidden size 3, 4 steps: ∂c_4/∂c_0 as a product of step Jacobians, LaTeX for a slide
  lstmsym derive --cell lstm --n 3 --what dc --steps 4 --output dc4.tex
  # the carousel path multiplied out: f_4 f_3 f_2 f_1
  lstmsym derive --cell lstm --what dc --steps 4 --path direct --multiply
  # the 1997 cell with a dense readout, blocks with every gate written out, as Markdown
  lstmsym derive --cell lstm --no-forget-gate --readout dense --notation expanded --format markdown
  # the plain RNN across 3 steps, expanded, as text
  lstmsym derive --cell rnn --what dh --steps 3 --notation expanded --format text
  # every cell and switch, one Markdown file each (the committed catalogue)
  lstmsym derive --all --output-dir catalogue

Expansions that would blow up (e.g. --notation expanded --steps 5 for the LSTM's total path) are
refused with a message naming the form that works; the product form in gate notation always works.
"""


@dataclass(frozen=True)
class Item:
    """One equation to print, with a caption (Markdown), LaTeX and plain text."""

    caption: str
    latex: str
    text: str


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "derive",
        help="one-step Jacobian blocks or T-step derivatives as LaTeX, Markdown or text",
        description="Derive a cell's one-step Jacobian blocks or ∂c_T/∂c_k, ∂h_T/∂h_k.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_cell_options(parser)
    what = parser.add_argument_group("derivative")
    what.add_argument(
        "--what",
        choices=WHATS,
        default="step",
        help="step: the one-step Jacobian blocks; dc: ∂c_T/∂c_k; dh: ∂h_T/∂h_k (default: step)",
    )
    what.add_argument(
        "--steps",
        type=whole(1, MAX_SYMBOLIC_STEPS),
        default=3,
        metavar="T",
        help=f"T for dc and dh, 1 to {MAX_SYMBOLIC_STEPS:,} (default: 3)",
    )
    what.add_argument(
        "--lag",
        type=whole(0, MAX_SYMBOLIC_STEPS),
        default=0,
        metavar="k",
        dest="k",
        help="the earlier step k of ∂c_T/∂c_k, 0 <= k <= T: the product has T - k factors (default: 0)",
    )
    what.add_argument(
        "--notation",
        choices=NOTATIONS,
        default="gate",
        help="gate: gates as symbols (f_t, i_t, ...); expanded: every gate written out (default: gate)",
    )
    what.add_argument(
        "--path",
        choices=PATHS,
        default="total",
        help="total: through gates and the other state too; direct: gates and the other state held "
        "fixed (default: total)",
    )
    what.add_argument(
        "--multiply",
        action="store_true",
        help="for dc and dh in gate notation: also multiply the product out (expanded notation always does)",
    )
    what.add_argument(
        "--max-factors",
        type=whole(1, MAX_WRITTEN_FACTORS),
        default=4,
        metavar="N",
        help=f"product form: write out at most N factors (1 to {MAX_WRITTEN_FACTORS}), eliding the "
        "middle ones (default: 4)",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, default="latex", help="(default: latex)")
    out.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    out.add_argument(
        "--all",
        action="store_true",
        help="write the catalogue: one Markdown file per cell and switch into --output-dir",
    )
    out.add_argument("--output-dir", type=Path, metavar="DIR", help="folder for --all")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.all:
        from .catalogue import write_catalogue

        if args.output_dir is None:
            raise LstmsymError("--all writes one file per cell: give the folder with --output-dir DIR")
        notes = ignored(args, NOT_FOR_ALL, "with --all, which writes every cell and switch as Markdown")
        writable_folder(args.output_dir, "--output-dir")
        with Progress("lstmsym derive --all").ticking():
            written = write_catalogue(args.output_dir)
        for message in notes:
            note(args, message)
        print(f"wrote {len(written)} files to {args.output_dir}")
        return 0
    if args.output_dir is not None:
        raise LstmsymError("--output-dir goes with --all; for one derivation use --output FILE")
    if args.output is not None:
        writable_file(args.output, "--output")
    cell = cell_from_args(args)
    with Progress("lstmsym derive").ticking():
        if args.what == "step":
            why = "with --what step (they set the T-step derivative of --what dc or dh)"
            notes = ignored(args, CHAIN_OPTIONS, why)
            header = f"{cell!r}: one-step Jacobian, {args.notation} notation, {args.path} path"
            items = step_items(cell, args.notation, args.path)
        else:
            notes = []
            if args.notation == "expanded":
                why = "with --notation expanded (which prints no product form)"
                notes = ignored(args, {"max_factors": "--max-factors"}, why)
            if args.k > args.steps:
                raise LstmsymError(
                    f"--lag {args.k} must be <= --steps {args.steps}: ∂a_T/∂a_k has T - k step factors"
                )
            of = args.what[1]
            header = (
                f"{cell!r}: ∂{of}_T/∂{of}_k, T = {args.steps}, k = {args.k}, "
                f"{args.notation} notation, {args.path} path"
            )
            items = chain_items(
                cell, of, args.steps, args.k, args.notation, args.path, args.multiply, args.max_factors
            )
        text = render(items, args.format, header)
    for message in notes:  # after the work: an error stays the only line on stderr
        note(args, message)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


def step_items(cell: Cell, notation: str, path: str) -> list[Item]:
    """The blocks ∂a_t/∂b_{t-1} (all of them on the total path, the own-state ones on the direct path)."""
    items = []
    for a in cell.state_names:
        for b in cell.state_names:
            if path == "direct" and a != b:
                continue  # zero by definition of the direct path
            block = jacobian_block(cell, a, b, notation, path)
            tag = " (direct)" if path == "direct" else ""
            items.append(
                Item(
                    caption=f"∂{a}_t/∂{b}_{{t-1}}, {notation} notation, {path} path",
                    latex=block_latex(cell, a, b, notation, path),
                    text=f"d{a}_t/d{b}_{{t-1}}{tag} = {_text(block)}",
                )
            )
    return items


def chain_items(
    cell: Cell,
    of: str,
    T: int,
    k: int,
    notation: str,
    path: str,
    multiply: bool = False,
    max_factors: int = 4,
) -> list[Item]:
    """∂a_T/∂a_k: the product of step Jacobians (gate notation), then, if asked, multiplied out."""
    if of not in cell.state_names:
        names = ", ".join(f"d{s}" for s in cell.state_names)
        raise LstmsymError(f"the {cell.kind} cell has no state {of!r}; use --what step or {names}")
    chain = Chain(cell, of, of, T=T, k=k, notation=notation, path=path)
    tag = " (direct)" if path == "direct" else ""
    lhs_text = f"d{of}_{T}/d{of}_{k}{tag}"
    items = []
    if notation == "gate":
        steps = list(range(T, k, -1))
        factors = " ".join(f"J_{t}" for t in steps) or "I"
        block = f"[{factors}]_{of}{of}" if path == "total" and len(cell.state_names) > 1 else factors
        where = f"J_t = {_text(chain.generic_factor)}" if steps else ""
        items.append(
            Item(
                caption=f"∂{of}_{T}/∂{of}_{k} as a product of {len(steps)} step Jacobians ({path} path)",
                latex=chain.latex(max_factors=max_factors),
                text=f"{lhs_text} = {block}" + (f", where {where}" if where else ""),
            )
        )
    if notation == "expanded" or multiply:
        try:
            product = chain.doit()  # refuses before building anything huge
        except ExpansionTooLargeError as error:
            hint = "drop --multiply" if notation == "gate" else "use --notation gate"
            raise ExpansionTooLargeError(f"{error} (here: {hint}, or fewer --steps)") from None
        items.append(
            Item(
                caption=f"∂{of}_{T}/∂{of}_{k} multiplied out, {notation} notation, {path} path",
                latex=f"{chain.lhs_latex()} = {_latex(product)}",
                text=f"{lhs_text} = {_text(product)}",
            )
        )
    return items


def render(items: list[Item], fmt: str, header: str) -> str:
    """Items as LaTeX (one equation per paragraph), Markdown ($$ blocks) or plain text."""
    if fmt == "latex":
        return f"% {header}\n" + "\n\n".join(item.latex for item in items) + "\n"
    if fmt == "markdown":
        parts = [f"<!-- {header} -->"]
        parts += [f"{item.caption}:\n\n$$\n{item.latex}\n$$" for item in items]
        return "\n\n".join(parts) + "\n"
    return f"# {header}\n" + "\n".join(item.text for item in items) + "\n"


def _latex(matrix: sp.Matrix) -> str:
    return sp.latex(matrix[0, 0]) if matrix.shape == (1, 1) else sp.latex(matrix)


def _text(matrix: sp.Matrix) -> str:
    return str(matrix[0, 0]) if matrix.shape == (1, 1) else str(matrix)
