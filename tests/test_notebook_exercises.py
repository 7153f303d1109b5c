"""Every notebook with exercises follows the course kit's cell format (lstmsym.course, nbgrader).

Per exercise k: an answer cell (nbgrader solution cell ``answer_k``) whose lines before ``### BEGIN SOLUTION``
hold a stub ``answer_k = None  # your answer here`` for every answer the region assigns, then the autograded
test cell ``exercise_k`` ending in ``score(answer_k=...)`` with one point per check, then the worked solution
cells tagged ``worked-solution`` (left out of the student edition). Static checks only: the student edition
itself is generated, run and graded in tests/test_assignments.py.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = re.compile(r"^(answer_\d+[a-z]?) = None\s+# your answer here")
ASSIGNED = re.compile(r"^\s*(answer_\d+[a-z]?)\s*=", re.M)
SOLUTION_META = {"grade": False, "locked": False, "schema_version": 3, "solution": True, "task": False}
TEST_META = {"grade": True, "locked": True, "schema_version": 3, "solution": False, "task": False}


def has_exercises(nb) -> bool:
    return any(
        "nbgrader" in c.metadata or re.search(r"\banswer_?\d", c.source)
        for c in nb.cells
        if c.cell_type == "code"
    )


WITH_EXERCISES = [p for p in NOTEBOOKS if has_exercises(nbformat.read(p, as_version=4))]


def exercises(nb):
    """(k, answer cell, test cell) for each nbgrader solution cell, in order."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("solution"):
            k = len(found) + 1
            test = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
            found.append((k, cell, test))
    return found


def score_call(source: str) -> ast.Call:
    """The ``score(...)`` call that is the cell's last statement (its value is the points)."""
    last = ast.parse(source).body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), "the last line must be score(...)"
    assert isinstance(last.value.func, ast.Name) and last.value.func.id == "score", (
        "the last call must be score"
    )
    return last.value


def test_the_notebooks_with_exercises_are_found():
    names = {p.stem for p in WITH_EXERCISES}
    assert {"00_tour", "01_rnn_vanishing", "06_gradient_flow", "07_learning_long_lags"} <= names


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_exercise_cells_follow_the_format(path):
    nb = nbformat.read(path, as_version=4)
    found = exercises(nb)
    assert found, (
        f"{path.name}: answer cells must be nbgrader solution cells (see tests/test_notebook_exercises.py)"
    )
    assert "from lstmsym.exercises import" in "".join(c.source for c in nb.cells if c.cell_type == "code")
    for k, answer, test in found:
        where = f"{path.name}, exercise {k}"
        assert answer.cell_type == "code", where
        assert answer.metadata["nbgrader"] == {**SOLUTION_META, "grade_id": f"answer_{k}"}, where
        lines = answer.source.split("\n")
        begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
        ends = [i for i, line in enumerate(lines) if line.strip() == END]
        assert len(begins) == 1 and len(ends) == 1 and begins[0] < ends[0], f"{where}: one {BEGIN} ... {END}"
        before, region, after = lines[: begins[0]], lines[begins[0] + 1 : ends[0]], lines[ends[0] + 1 :]
        stubs = [m.group(1) for m in map(STUB.match, before) if m]
        assigned = set(ASSIGNED.findall("\n".join(region)))
        assert assigned <= set(stubs), (
            f"{where}: no stub line 'answer_k = None  # your answer here' for {assigned}"
        )
        assert len(stubs) == len(set(stubs)), where
        # the student edition's cell (region removed) runs as Python; nothing after the region checks anything
        ast.parse("\n".join(before + after))
        assert not re.search(r"\b(score|check_answer|check_that)\(", "\n".join(after)), where
        # the autograded test cell comes right after, with one point per check
        assert test is not None and test.cell_type == "code", f"{where}: no test cell after the answer cell"
        points = len(score_call(test.source).keywords)
        assert test.metadata.get("nbgrader") == {
            **TEST_META,
            "grade_id": f"exercise_{k}",
            "points": points,
        }, where
        graded = {kw.arg for kw in score_call(test.source).keywords}
        assert set(stubs) <= graded, f"{where}: answers {set(stubs) - graded} are not graded by the test cell"
        assert BEGIN not in test.source, where


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_no_other_cell_is_graded_or_assigns_an_answer(path):
    nb = nbformat.read(path, as_version=4)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), f"{path.name}: grade ids repeat: {ids}"
    tests = {id(t) for _, _, t in exercises(nb)}
    for i, cell in enumerate(nb.cells):
        assert not re.search(r"\banswer\d", cell.source), (
            f"{path.name} cell {i}: name answers answer_1, not answer1"
        )
        meta = cell.metadata.get("nbgrader")
        if meta and not meta.get("solution"):
            assert id(cell) in tests, (
                f"{path.name} cell {i}: a graded cell that does not follow an answer cell"
            )
        if cell.cell_type == "code" and not meta and ASSIGNED.search(cell.source):
            assert "worked-solution" in cell.metadata.get("tags", []), (
                f"{path.name} cell {i} assigns an answer: make it the answer cell or tag it worked-solution"
            )
        if not (meta and meta.get("solution")):  # nbgrader would take the text for a solution region
            assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source, (
                f"{path.name} cell {i}: the solution markers may appear only in answer cells"
            )
        if "worked-solution" in cell.metadata.get("tags", []):
            assert not meta, f"{path.name} cell {i}: a worked solution is not an nbgrader cell"
