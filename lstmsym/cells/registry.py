r"""Cells by name: :func:`register_cell` puts a cell class under a name that ``make_cell``, the command line
(``--cell``, ``lstmsym check``, the catalogue), the sweeps and the trainer all read.

A built-in cell and a user's cell are registered the same way, with one decorator on the class::

    @register_cell("leaky")
    class Leaky(Cell):
        ...

Registering a cell from outside the package checks its declaration at once (on a probe of size n = 2, m = 3,
so that a weight of shape (n, m) used on a state is caught), and refuses a name that is already taken by
another cell. Registering the same class again (a module imported twice) replaces the entry.

``reference=`` and ``batched=`` name, as dotted module paths, a hand-written NumPy reference (the interface of
:mod:`lstmsym.numerics.reference.rnn`) and a hand-written batched BPTT for the trainer (the interface of
:mod:`lstmsym.training.batched_rnn`); they are imported only when asked for. A cell without them gets its
numbers from the compiled symbolic path (:mod:`lstmsym.numerics.compile`).

>>> from lstmsym.cells import Cell, register_cell, unregister_cell, make_cell
>>> @register_cell("doc_leaky")
... class DocLeaky(Cell):
...     '''h_t = a ⊙ h_{t-1} + tanh(U x_t), a learned decay a = σ(d).'''
...     state_names = ("h",)
...     parameters = {"d": ("n",), "U": ("n", "m")}
...     def declare(self, b):
...         a = b.gate("a", b.param("d"), "sigmoid", "decay")
...         b.state("h", a * b.prev("h") + (b.param("U") @ b.x()).apply("tanh"))
>>> make_cell("doc_leaky", n=1)
make_cell('doc_leaky', n=1, m=1)
>>> print(make_cell("doc_leaky").latex())
\begin{aligned}
a_{t} &= \sigma\left(d\right) \\
h_{t} &= a_{t} \odot h_{t-1} + \tanh{\left(U x_{t} \right)}
\end{aligned}
>>> unregister_cell("doc_leaky")
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ..errors import DeclarationError, LstmsymError, UnknownChoiceError
from .base import Cell

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: The probe sizes a user's declaration is checked on at registration (n != m, so shapes cannot hide).
PROBE = {"n": 2, "m": 3}


@dataclass(frozen=True)
class RegisteredCell:
    """One entry of the registry: the class, where it comes from, and its optional hand-written numerics."""

    name: str
    cls: type[Cell]
    builtin: bool  # declared inside the lstmsym package
    reference: str | None = None  # dotted module of a hand-written NumPy reference
    batched: str | None = None  # dotted module of a hand-written batched BPTT (training)
    switches: Mapping[str, object] = field(default_factory=dict)  # switch name -> default
    source: str | None = None  # the file a user's cell was declared in (for worker processes)

    def module(self, which: str) -> ModuleType | None:
        """The hand-written ``"reference"`` or ``"batched"`` module, imported now; None if there is none."""
        path = getattr(self, which)
        return None if path is None else importlib.import_module(path)


_REGISTRY: dict[str, RegisteredCell] = {}


def _is_builtin(cls: type) -> bool:
    """Declared in a module of lstmsym.cells (this module's own doctest examples are a user's)."""
    return cls.__module__.startswith("lstmsym.cells.") and cls.__module__ != __name__


def register_cell(
    name: str,
    *,
    reference: str | None = None,
    batched: str | None = None,
    switches: Mapping[str, object] | None = None,
) -> Callable[[type[Cell]], type[Cell]]:
    """Class decorator: register a :class:`~lstmsym.cells.Cell` subclass under ``name``.

    ``name``: lower case letters, digits and ``_`` (it becomes a ``--cell`` value). ``reference``,
    ``batched``: dotted module paths of hand-written numerics, if the cell has them. ``switches``: the
    keyword options ``make_cell`` passes on to the class (name -> default), none by default.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise DeclarationError(
            f"register_cell: name {name!r} is not valid; expected lower case letters, digits and '_', "
            "starting with a letter (e.g. 'leaky_lstm')"
        )

    def decorate(cls: type[Cell]) -> type[Cell]:
        if not (isinstance(cls, type) and issubclass(cls, Cell)):
            raise DeclarationError(
                f"register_cell({name!r}) decorates {cls!r}; expected a subclass of lstmsym.cells.Cell"
            )
        builtin = _is_builtin(cls)
        old = _REGISTRY.get(name)
        if old is not None and _identity(old.cls) != _identity(cls):
            where = f"the cell {old.cls.__qualname__} of {old.cls.__module__}"
            what = "a built-in cell" if old.builtin else where
            raise DeclarationError(
                f"register_cell({name!r}): the name clashes with {what}; choose another name "
                f"(taken: {', '.join(_REGISTRY)})"
            )
        if not builtin or not getattr(cls, "kind", ""):
            # a user's cell is its own kind, even when it subclasses a built-in one: its numbers then come
            # from its own rules (compiled), never from the parent's hand-written reference
            cls.kind = name
        cls._registered_as = name
        module = sys.modules.get(cls.__module__)
        source = None if builtin else getattr(module, "__file__", None)
        entry = RegisteredCell(name, cls, builtin, reference, batched, dict(switches or {}), source)
        if not builtin:
            try:
                probe(cls)
            except DeclarationError as error:
                raise DeclarationError(
                    f"register_cell({name!r}), checked at n = 2, m = 3: {error}"
                ) from error
        _REGISTRY[name] = entry
        return cls

    return decorate


def _identity(cls: type) -> tuple[str, str, str | None]:
    """What makes two classes 'the same cell': module, qualified name and source file."""
    module = sys.modules.get(cls.__module__)
    return cls.__module__, cls.__qualname__, getattr(module, "__file__", None)


def probe(cls: type[Cell]) -> None:
    """Build one step of ``cls`` at the probe sizes (n = 2, m = 3): every declaration error shows here."""
    try:
        cell = cls(**PROBE)
    except TypeError as error:
        raise DeclarationError(
            f"{cls.__qualname__}(n=2, m=3) failed ({error}); a cell's __init__ must accept n and m"
        ) from error
    cell.step("t")


def unregister_cell(name: str) -> None:
    """Remove a registered cell (a user's; the built-in cells stay)."""
    entry = lookup(name)
    if entry.builtin:
        raise LstmsymError(f"{name!r} is a built-in cell; it cannot be unregistered")
    del _REGISTRY[name]


def lookup(name: str) -> RegisteredCell:
    """The registry entry of ``name``; :class:`UnknownChoiceError` listing the registered names if none."""
    if name not in _REGISTRY:
        raise UnknownChoiceError("cell", name, tuple(_REGISTRY))
    return _REGISTRY[name]


def entry_of(cell: object) -> RegisteredCell | None:
    """The registry entry of a cell object (by its registry name, or kind), None for an unregistered one."""
    name = getattr(cell, "registry_name", None) or getattr(cell, "kind", None)
    return _REGISTRY.get(name) if isinstance(name, str) else None


def cell_names(builtin: bool | None = None) -> tuple[str, ...]:
    """The registered names in registration order; ``builtin=True`` only the package's, False only users'."""
    return tuple(n for n, e in _REGISTRY.items() if builtin is None or e.builtin == builtin)


def make_cell(name: str, n: int = 1, m: int = 1, **switches: object) -> Cell:
    """Build a registered cell by name, e.g. ``make_cell("lstm", n=2, peephole=True)``."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise UnknownChoiceError("cell", name, tuple(_REGISTRY))
    entry = _REGISTRY[name]
    if switches and not entry.switches:
        takers = ", ".join(k for k, e in _REGISTRY.items() if e.switches)
        raise LstmsymError(
            f"switches {sorted(switches)} apply to the LSTM only ({takers}); the {name} cell takes none"
        )
    return entry.cls(n, m, **switches)


#: The command-line option that imports a user's cell file (``lstmsym derive/check/sweep/train``).
CELL_FILE_OPTION = "--cell-file"


def load_cell_file(path: str | Path) -> tuple[str, ...]:
    """Import the Python file ``path`` (by path, as a module; its text is never evaluated otherwise) and
    return the names of the cells it registers. Loading the same file again re-imports it and replaces
    its entries.

    Errors (:class:`~lstmsym.errors.LstmsymError`): the file is missing or not a ``.py`` file, importing
    it fails (the error is named), or it registers no cell.
    """
    file = Path(path).expanduser()
    if not file.is_file():
        raise LstmsymError(f"{CELL_FILE_OPTION} {str(path)!r}: no such file; expected a Python file (.py)")
    if file.suffix != ".py":
        raise LstmsymError(f"{CELL_FILE_OPTION} {str(path)!r}: expected a Python file ending in .py")
    file = file.resolve()
    digest = hashlib.sha1(str(file).encode()).hexdigest()[:12]
    module_name = f"lstmsym_cell_file_{file.stem.replace('-', '_')}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise LstmsymError(f"{CELL_FILE_OPTION} {str(path)!r}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except LstmsymError as error:
        del sys.modules[module_name]
        raise LstmsymError(f"{CELL_FILE_OPTION} {str(path)!r}: {error}") from error
    except Exception as error:  # the user's code: report what went wrong, with its type
        del sys.modules[module_name]
        raise LstmsymError(
            f"{CELL_FILE_OPTION} {str(path)!r}: importing it failed: {type(error).__name__}: {error}"
        ) from error
    names = tuple(n for n, e in _REGISTRY.items() if e.cls.__module__ == module_name)
    if not names:
        raise LstmsymError(
            f"{CELL_FILE_OPTION} {str(path)!r} registers no cell; decorate a Cell subclass with "
            "@register_cell('name') (from lstmsym.cells import Cell, register_cell)"
        )
    return names


def cell_files_in(argv: list[str]) -> list[str]:
    """The paths given to ``--cell-file`` in a command line (``--cell-file PATH`` or ``--cell-file=PATH``)."""
    out = []
    for j, token in enumerate(argv):
        if token == CELL_FILE_OPTION and j + 1 < len(argv):
            out.append(argv[j + 1])
        elif token.startswith(CELL_FILE_OPTION + "="):
            out.append(token.split("=", 1)[1])
    return out


def user_cell_files(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The source files of the users' cells among ``names`` (to load them again in a worker process)."""
    files = [_REGISTRY[n].source for n in names if n in _REGISTRY and _REGISTRY[n].source]
    return tuple(dict.fromkeys(files))


def load_cell_files(files: tuple[str, ...] | list[str]) -> None:
    """:func:`load_cell_file` for each file (a worker process's initializer)."""
    for file in files:
        load_cell_file(file)
