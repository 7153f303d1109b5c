"""Checked option values for the subcommands: numbers in range, files that can be written, plot formats.

Every check runs before any work starts, so a mistake costs no waiting, and ends in one line that
names the option and what it expects (argparse turns an ``ArgumentTypeError`` into
``lstmsym COMMAND: error: argument --n: ...``; the others raise :class:`LstmsymError`).

>>> whole(1, 10)("3")
3
>>> whole(1, 10)("0")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: expected a whole number from 1 to 10, got '0'
>>> finite("-0.5"), positive("2")
(-0.5, 2.0)
>>> positive("nan")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: expected a positive number, got 'nan'
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import LstmsymError


def whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [minimum, maximum] (no maximum when None)."""
    span = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected a whole number {span}, got {text!r}")
        return value

    parse.__name__ = "whole number"
    return parse


def _real(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def finite(text: str) -> float:
    """An argparse type: a finite real number (not nan, not inf)."""
    value = _real(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive(text: str) -> float:
    """An argparse type: a finite number > 0."""
    value = _real(text)
    if value is None or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def writable_file(path: Path, option: str) -> None:
    """Refuse, before any work, an output file that cannot be written (missing folder, no permission).

    The file is opened for appending (which changes nothing in an existing file) and removed again
    if this check created it.
    """
    if path.is_dir():
        raise LstmsymError(f"{option} {path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise LstmsymError(f"{option} {path}: the folder {path.parent} does not exist")
    existed = path.exists()
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as error:
        raise LstmsymError(f"{option} {path}: cannot write there ({error.strerror})") from None
    if not existed:
        path.unlink()


def writable_folder(path: Path, option: str) -> None:
    """Refuse an output folder that is a file or cannot be created or written into; create it if missing."""
    if path.exists() and not path.is_dir():
        raise LstmsymError(f"{option} {path}: is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise LstmsymError(f"{option} {path}: cannot write there ({error.strerror})") from None


def plot_format(path: Path, option: str = "--plot") -> str:
    """The image format of ``path`` from its extension, one that matplotlib writes; else refuse."""
    from matplotlib.backend_bases import FigureCanvasBase

    formats = sorted(FigureCanvasBase.get_supported_filetypes())
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in formats:
        got = f"'.{suffix}'" if suffix else "no extension"
        raise LstmsymError(
            f"{option} {path}: {got} is not an image format matplotlib writes; end the name in one of "
            + ", ".join(f".{f}" for f in formats)
        )
    return suffix


def note(args: argparse.Namespace, message: str) -> None:
    """A one-line note on stderr, e.g. that an option is ignored: ``lstmsym derive: note: ...``."""
    print(f"lstmsym {args.command}: note: {message}", file=sys.stderr)


def ignored(args: argparse.Namespace, options: dict[str, str], why: str) -> list[str]:
    """The note (a list of at most one) that the typed options of ``options`` (dest -> flag) go unused."""
    typed = [flag for dest, flag in options.items() if dest in getattr(args, "given", ())]
    if not typed:
        return []
    return [f"{', '.join(typed)} {'is' if len(typed) == 1 else 'are'} ignored {why}"]


def given_options(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> frozenset[str]:
    """The ``dest`` of every option typed on the command line (not filled in from a default).

    Parses ``argv`` with every default of ``parser`` (a fresh one: it is changed) suppressed, so that
    an option typed with its default value still counts as given.
    """
    parsers = [parser]
    for action in parser._actions:  # the subcommands' parsers
        if isinstance(action, argparse._SubParsersAction):
            parsers += list(dict.fromkeys(action.choices.values()))
    for each in parsers:
        each._defaults.clear()
        for action in each._actions:
            action.default = argparse.SUPPRESS
    namespace = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    return frozenset(vars(namespace)) - {"command"}


__all__ = [
    "finite",
    "given_options",
    "ignored",
    "note",
    "plot_format",
    "positive",
    "whole",
    "writable_file",
    "writable_folder",
]
