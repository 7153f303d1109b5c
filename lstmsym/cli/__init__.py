"""The ``lstmsym`` command: derive, check, sweep, train and publish from a terminal.

Each subcommand lives in its own module (``derive.py``, ``check.py``, ``sweep.py``, ``train.py``,
``site.py``) with an ``add_parser(subparsers)`` that declares its options and help examples, and
a ``run(args) -> int`` that does the work. A new subcommand is one more module and one more entry in
:data:`COMMANDS`. Only the module of the subcommand typed is imported (:func:`build_parser`), so
``lstmsym --version`` or ``lstmsym derive`` does not load what ``train`` needs (the training
package, scipy).

User mistakes (an unknown name, a number out of range, a file that cannot be written, an
impossible switch combination, a derivation the engine refuses to multiply out, a request larger
than the memory or time budget) end with a one-line message on stderr and exit status 2, never a
traceback, and are refused before the work starts; ``check`` exits with 1 when a gradient check
fails. An option that the chosen request does not use is named in a note on stderr. Long commands
show their progress on stderr when it is a terminal (:mod:`.progress`).

>>> main(["derive", "--cell", "gru", "--path", "direct", "--format", "text"])
# make_cell('gru', n=1, m=1): one-step Jacobian, gate notation, direct path
dh_t/dh_{t-1} (direct) = z_{t}
0
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from ..cells.registry import cell_files_in, load_cell_file
from ..errors import LstmsymError
from .options import given_options

#: The subcommands in the order ``lstmsym --help`` lists them, each a module of this package.
COMMANDS = ("derive", "check", "sweep", "train", "site")


def _module(name: str) -> ModuleType:
    return importlib.import_module(f".{name}", __name__)


def __getattr__(name: str):
    """``SUBCOMMANDS``: the subcommands' modules, in :data:`COMMANDS` order (imported when asked for)."""
    if name == "SUBCOMMANDS":
        return tuple(_module(command) for command in COMMANDS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DESCRIPTION = """\
Derive, check and publish the gradient story of RNN, LSTM and GRU cells.

examples:
  lstmsym derive --cell lstm --what dc --steps 4 --path direct --multiply
  lstmsym check lstm gru
  lstmsym sweep --cell lstm --n 4 --steps 200 --plot lstm.png > lstm.csv
  lstmsym train --task sign --lags 10,20 --seeds 2 --steps 100 --out /tmp/quick.json
  lstmsym site --output site/

Run 'lstmsym COMMAND --help' for the options and examples of each command.
"""


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (no usage block) that points to --help."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _named_command(argv: Sequence[str] | None) -> str | None:
    """The subcommand ``argv`` names ("" for none), or None when all are needed (no argv, overall help)."""
    if argv is None:
        return None
    for token in argv:
        if not token.startswith("-"):
            return token  # a name that is no subcommand is refused by argparse, with the list of names
        if token == "-h" or (len(token) > 2 and "--help".startswith(token)):
            return None
    return ""


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The parser of the ``lstmsym`` command, every subcommand declared in full.

    Given ``argv`` (the command line about to be parsed), only the subcommand it names is declared in
    full and only its module is imported; the others are placeholders under their names (never shown:
    ``lstmsym --help`` declares them all). ``lstmsym --version`` imports no subcommand.
    """
    wanted = _named_command(argv)
    parser = Parser(
        prog="lstmsym", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"lstmsym {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        if wanted is None or name == wanted:
            _module(name).add_parser(commands)
        else:
            commands.add_parser(name)  # a placeholder, so that argparse knows the name
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lstmsym`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:  # a user's cells first, so that their names are valid --cell values and VARIANTs
        for path in cell_files_in(argv):
            load_cell_file(path)
    except LstmsymError as error:
        command = next((token for token in argv if token in COMMANDS), None)
        print(f"lstmsym{' ' + command if command else ''}: error: {error}", file=sys.stderr)
        return 2
    args = build_parser(argv).parse_args(argv)
    args.given = given_options(build_parser(argv), argv)  # the options typed, for notes on ignored ones
    try:
        return args.run(args)
    except LstmsymError as error:
        print(f"lstmsym {args.command}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a file that could not be written after all (the checks come first)
        print(f"lstmsym {args.command}: error: {error}", file=sys.stderr)
        return 2
    except MemoryError:  # the budgets should prevent this; if the machine has less memory, say so
        print(
            f"lstmsym {args.command}: error: ran out of memory; ask for less (fewer --steps, a smaller --n)",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(f"lstmsym {args.command}: interrupted", file=sys.stderr)
        return 130


__all__ = ["COMMANDS", "SUBCOMMANDS", "build_parser", "main"]
