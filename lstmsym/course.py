"""The course kit: the student edition of the notebooks and autograding of what students return (nbgrader).

``notebooks/`` is the instructor edition: every exercise's answer cell is an nbgrader solution cell whose
``### BEGIN SOLUTION`` / ``### END SOLUTION`` region holds the answer, followed by an autograded test cell
(``score(...)``, :mod:`lstmsym.exercises`) and the collapsed worked solution (cells tagged
``worked-solution``). ``nbgrader_config.py`` at the repository root says where everything goes:

- :func:`generate_assignments` (``make assignments``) writes the student edition to ``student/``:
  ``student/notebooks/`` with solution regions removed (the ``answer_1 = None  # your answer here`` stub line
  before each stays), worked solutions left out, outputs cleared and the exercise introductions rewritten
  for students (:func:`student_markdown`), and ``student/docs/``, a copy of ``docs/``, so the notebooks'
  links to ``../docs/*.md`` work in the student edition on its own.
- :func:`autograde` (``make autograde SUBMISSIONS=dir``) grades ``dir/<student>/*.ipynb`` (one folder per
  student; a nested ``notebooks/`` folder is accepted too) and writes ``grades.csv`` (points per student,
  notebook and exercise) and ``feedback/<student>/<notebook>.html`` to the output folder.

nbgrader's own files (gradebook, submitted and autograded copies, feedback) live in ``build/nbgrader/``,
outside the tracked tree. Nothing else in lstmsym imports this module.

Command line: ``python -m lstmsym.course assignments`` and
``python -m lstmsym.course autograde SUBMISSIONS [--output grades]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import LstmsymError

__all__ = [
    "ASSIGNMENT",
    "INSTRUCTOR_PHRASES",
    "ROOT",
    "autograde",
    "generate_assignments",
    "grades_table",
    "student_id",
    "student_markdown",
]

ROOT = Path(__file__).resolve().parents[1]
"""The repository root: where nbgrader_config.py is, and notebooks/ (the assignment's source)."""
ASSIGNMENT = "notebooks"
"""nbgrader's name of the assignment: its source folder is ``ROOT / "notebooks"``."""
WORK = Path("build") / "nbgrader"
RELEASE = Path("student")
DOCS = "docs"

INSTRUCTOR_PHRASES = (
    "worked solution",
    "instructor edition",
    "student edition",
    "make assignments",
    "solution marker",
    "BEGIN SOLUTION",
    "END SOLUTION",
)
"""Phrases (matched case-insensitively) that only make sense in the instructor edition: no markdown cell of
the student edition may contain one (:func:`generate_assignments` checks it)."""

_SPACE = r"\s+"
# "..., then a **worked solution** [cell], collapsed: click ... to open it." / "collapsed (click ...)."
_WORKED_CLAUSE = re.compile(
    r",?\s+then\s+a\s+(?:\*\*)?worked\s+solution(?:\*\*)?(?:\s+cell)?,?\s+collapsed"
    r"(?:\s*:[^.]*|\s*\([^)]*\))?(?=\.)",
    re.IGNORECASE,
)
# "..., and there is no worked solution: an instructor reads ..."
_NO_WORKED = re.compile(r",?\s+and\s+there\s+is\s+no\s+worked\s+solution(?=\s*[:;,.])", re.IGNORECASE)
# a sentence that is about the editions, markers or the make target as a whole: it is dropped
_INSTRUCTOR_SENTENCE = re.compile(
    r"instructor\s+edition|student\s+edition|make\s+assignments|solution\s+markers?|(?:BEGIN|END)\s+SOLUTION",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])(\s+)(?=[A-Z*_(`])")


def student_id(name: str) -> str:
    """A submission folder's name, checked to be usable as an nbgrader student id.

    >>> student_id("ada_lovelace")
    'ada_lovelace'
    >>> student_id("ada lovelace")
    Traceback (most recent call last):
    ...
    lstmsym.errors.LstmsymError: submission folder 'ada lovelace': a student id may use only letters, \
digits, '_', '-' and '.' (no spaces), and may not start with '.'
    """
    if not re.fullmatch(r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]*", name):
        raise LstmsymError(
            f"submission folder {name!r}: a student id may use only letters, digits, '_', '-' and '.' "
            "(no spaces), and may not start with '.'"
        )
    return name


def _nbgrader(*args: str, root: Path) -> str:
    """Run ``nbgrader ARGS`` in ``root`` (where nbgrader_config.py is) with this interpreter; its log.

    The interpreter's bin folder goes first on PATH: nbgrader runs ``alembic`` from there to set up its
    gradebook, and the kernel it grades with is this interpreter's."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path}
    env.pop("MPLBACKEND", None)  # the notebooks select the inline backend themselves, as in JupyterLab
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    log = done.stdout + done.stderr
    if done.returncode != 0 or "[ERROR]" in log or "| ERROR]" in log:
        raise LstmsymError(f"nbgrader {' '.join(args)} failed (exit {done.returncode}):\n{log[-4000:]}")
    return log


def student_markdown(text: str) -> str:
    """A markdown cell's text as the student edition shows it: no word of worked solutions or editions.

    The instructor edition's exercise introductions say that a collapsed worked solution follows each answer
    cell, and how the instructor edition, its solution markers and ``make assignments`` make the student
    edition. A student has none of these. Paragraph by paragraph (blank lines kept), this removes the clause
    "then a worked solution, collapsed (click ...)" from its sentence, the clause "and there is no worked
    solution", and every sentence that names the instructor or student edition, the solution markers or
    ``make assignments``; what a student needs (answer in the cell, run the check cell, it says whether
    the answer is right) stays word for word. Text without these phrases comes back unchanged.

    >>> student_markdown(
    ...     "Each exercise has a cell for your answer, then a **worked solution**, collapsed: click\\n"
    ...     "the bar to open it. Replace `None` by your answer and run the cell.\\n\\n"
    ...     "After each answer cell comes a check cell: run it to see whether your answer is right. In the "
    ...     "instructor edition the answer cell also holds the solution, between two solution markers; the "
    ...     "student edition (`make assignments`) leaves out the solutions and the worked solutions."
    ... )
    'Each exercise has a cell for your answer. Replace `None` by your answer and run the cell.\\n\\nAfter \
each answer cell comes a check cell: run it to see whether your answer is right.'
    >>> student_markdown("then a cell that checks it, then a worked solution,\\ncollapsed (click the bar).")
    'then a cell that checks it.'
    >>> student_markdown("Not autograded, and there is no worked solution: an instructor reads it.")
    'Not autograded: an instructor reads it.'
    >>> student_markdown("The $b_f$ sweep. Nothing to change here.")
    'The $b_f$ sweep. Nothing to change here.'
    """
    paragraphs = []
    for paragraph in re.split(r"(\n[ \t]*\n)", text):
        if not re.search("|".join(INSTRUCTOR_PHRASES).replace(" ", _SPACE), paragraph, re.IGNORECASE):
            paragraphs.append(paragraph)
            continue
        paragraph = _NO_WORKED.sub("", _WORKED_CLAUSE.sub("", paragraph))
        parts = _SENTENCE_END.split(paragraph)  # sentence, space, sentence, ...: each space kept as written
        kept = ""
        for space, sentence in zip(["", *parts[1::2]], parts[0::2], strict=True):
            if not _INSTRUCTOR_SENTENCE.search(sentence):
                kept += (space if kept else "") + sentence
        paragraphs.append(kept.strip())
    # a paragraph emptied by the removal leaves its separator behind: collapse those
    return re.sub(r"(\n[ \t]*\n){2,}", "\n\n", "".join(paragraphs)).strip("\n") + (
        "\n" if text.endswith("\n") else ""
    )


def _instructor_phrases(text: str) -> list[str]:
    """The :data:`INSTRUCTOR_PHRASES` that occur in ``text`` (any case, any white space between words)."""
    return [
        phrase for phrase in INSTRUCTOR_PHRASES if re.search(phrase.replace(" ", _SPACE), text, re.IGNORECASE)
    ]


def _for_students(release: Path) -> None:
    """Rewrite the markdown cells of the notebooks in ``release`` with :func:`student_markdown`, in place.

    Raises LstmsymError naming the notebook, the cell and the phrase when a markdown cell still holds an
    instructor phrase afterwards (a new wording the rules do not know, or a cell nbgrader checksums, which
    is not rewritten): the student edition is never written with instructor text in it."""
    import nbformat

    for path in sorted(release.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        changed = False
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown":
                continue
            if "nbgrader" not in cell.metadata:  # nbgrader's own cells keep their checksummed text
                text = student_markdown(cell.source)
                changed |= text != cell.source
                cell.source = text
            left = _instructor_phrases(cell.source)
            if left:
                raise LstmsymError(
                    f"{path.name}, markdown cell {index}: the student edition would still say {left} "
                    f"(lstmsym.course.student_markdown does not know this wording):\n{cell.source}"
                )
        if changed:
            nbformat.write(nb, path)


def generate_assignments(root: Path = ROOT) -> Path:
    """Write the student edition of every notebook in ``root/notebooks`` and return its folder.

    The folder (``root/student/notebooks``) is replaced as a whole; nbgrader records the exercises, their
    points and the test cells in the gradebook, which :func:`autograde` grades against. The markdown is
    then rewritten for students (:func:`student_markdown`; an instructor phrase left anywhere is an error),
    and ``root/docs`` is copied to ``root/student/docs`` (replaced as a whole), so ``student/`` is
    self-contained: the notebooks' links to ``../docs/*.md`` resolve inside it."""
    root = Path(root)
    if not (root / "nbgrader_config.py").is_file():
        raise LstmsymError(f"root must be the repository root with nbgrader_config.py, got {root}")
    _nbgrader("generate_assignment", ASSIGNMENT, "--force", root=root)
    release = root / RELEASE / ASSIGNMENT
    _for_students(release)
    docs = root / RELEASE / DOCS
    shutil.rmtree(docs, ignore_errors=True)
    if (root / DOCS).is_dir():
        shutil.copytree(root / DOCS, docs, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return release


def _submissions(submissions: Path, known: set[str]) -> dict[str, list[Path]]:
    """The notebooks of each student in ``submissions/<student>/`` (or ``<student>/notebooks/``), checked."""
    if not submissions.is_dir():
        raise LstmsymError(f"SUBMISSIONS must be a folder with one sub-folder per student, got {submissions}")
    folders = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise LstmsymError(f"SUBMISSIONS folder {submissions} has no sub-folder (one per student expected)")
    found = {}
    for folder in folders:
        student = student_id(folder.name)
        notebooks = sorted(folder.glob("*.ipynb")) or sorted((folder / ASSIGNMENT).glob("*.ipynb"))
        if not notebooks:
            raise LstmsymError(f"submission folder {folder} holds no .ipynb file")
        unknown = [p.name for p in notebooks if p.stem not in known]
        if unknown:
            raise LstmsymError(
                f"submission folder {folder}: {unknown} are not notebooks of the course "
                f"(expected names like {sorted(known)[0]}.ipynb)"
            )
        found[student] = notebooks
    return found


def _collect(found: dict[str, list[Path]], root: Path) -> list[str]:
    """Copy each student's notebooks into nbgrader's (emptied) submitted folder; the student ids, sorted."""
    target = root / WORK / "submitted"
    shutil.rmtree(target, ignore_errors=True)
    for student, notebooks in found.items():
        dest = target / student / ASSIGNMENT
        dest.mkdir(parents=True)
        for notebook in notebooks:
            shutil.copyfile(notebook, dest / notebook.name)
    return sorted(found)


def grades_table(students: list[str], root: Path = ROOT):
    """Points per student, notebook and exercise from the gradebook, as a pandas DataFrame.

    Columns: ``student``, ``notebook``, ``exercise`` (the test cell's grade id, ``exercise_1``, ...),
    ``points`` and ``max_points``; one row per autograded test cell, sorted."""
    import pandas as pd
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{Path(root) / WORK / 'gradebook.db'}") as gradebook:
        for student in students:
            try:
                submission = gradebook.find_submission(ASSIGNMENT, student)
            except MissingEntry as error:
                raise LstmsymError(f"no graded submission of {student!r} in the gradebook") from error
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    rows.append((student, notebook.name, grade.name, grade.score, grade.max_score))
    table = pd.DataFrame(rows, columns=["student", "notebook", "exercise", "points", "max_points"])
    return table.sort_values(["student", "notebook", "exercise"], ignore_index=True)


def autograde(submissions: Path, output: Path, root: Path = ROOT):
    """Grade ``submissions/<student>/*.ipynb``; write ``output/grades.csv`` and ``output/feedback/``.

    Each notebook runs top to bottom in a fresh kernel with the test cells restored from the instructor
    edition; a test cell earns the points its ``score(...)`` returns. The student edition is generated
    first when the gradebook does not have it yet. Returns :func:`grades_table` of these students."""
    root, submissions, output = Path(root), Path(submissions), Path(output)
    known = {p.stem for p in (root / ASSIGNMENT).glob("*.ipynb")}
    found = _submissions(submissions, known)
    if not (root / WORK / "gradebook.db").is_file() or not (root / RELEASE / ASSIGNMENT).is_dir():
        generate_assignments(root)
    students = _collect(found, root)
    for step in ("autograded", "feedback"):
        shutil.rmtree(root / WORK / step, ignore_errors=True)
    _nbgrader("autograde", ASSIGNMENT, "--force", root=root)
    _nbgrader("generate_feedback", ASSIGNMENT, "--force", root=root)
    table = grades_table(students, root)
    output.mkdir(parents=True, exist_ok=True)
    table.to_csv(output / "grades.csv", index=False)
    for student in students:
        dest = output / "feedback" / student
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        for page in sorted((root / WORK / "feedback" / student / ASSIGNMENT).glob("*.html")):
            shutil.copyfile(page, dest / page.name)
    return table


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    """``python -m lstmsym.course assignments|autograde ...``: 0 on success, 2 with a message on bad input."""
    parser = argparse.ArgumentParser(prog="python -m lstmsym.course", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("assignments", help="write the student edition to student/ (notebooks/, docs/)")
    grade = commands.add_parser("autograde", help="grade SUBMISSIONS/<student>/*.ipynb")
    grade.add_argument("submissions", type=Path, help="a folder with one sub-folder per student")
    grade.add_argument(
        "--output", type=Path, default=Path("grades"), help="where grades.csv and feedback/ go"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "assignments":
            folder = generate_assignments(root)
            count = len(list(folder.glob("*.ipynb")))
            print(f"student edition: {folder} ({count} notebooks) and {folder.parent / DOCS}")
        else:
            table = autograde(args.submissions, args.output, root)
            totals = table.groupby("student")[["points", "max_points"]].sum()
            for student, row in totals.iterrows():
                print(f"{student}: {row['points']:g} of {row['max_points']:g} points")
            print(f"wrote {args.output / 'grades.csv'} and {args.output / 'feedback'}/<student>/")
    except LstmsymError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
