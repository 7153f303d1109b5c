"""The course kit end to end (lstmsym.course, nbgrader): student edition, three graded submissions, and the
student edition running top to bottom with every stub left as it is.

Everything runs in a copy of the course (nbgrader_config.py + notebooks) under tmp_path, so nbgrader's
gradebook and folders never touch the checkout. Only notebook 00 is graded (three submissions, about 10 s
each); the student edition of every notebook is generated and checked statically, and executed (00 always,
the others under the slow marker).
"""

import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from lstmsym import course
from lstmsym.errors import LstmsymError

pytest.importorskip("nbgrader")

ROOT = Path(__file__).resolve().parents[1]
GRADED = "00_tour"  # the quickest notebook with exercises of every kind (formula, number, two answers)
WITH_EXERCISES = sorted(
    p.stem
    for p in (ROOT / "notebooks").glob("*.ipynb")
    if any("nbgrader" in c.metadata for c in nbformat.read(p, as_version=4).cells)
)


def course_copy(root: Path, names) -> Path:
    """A course folder with the repository's nbgrader_config.py, docs/ and the notebooks ``names``."""
    (root / "notebooks").mkdir(parents=True)
    shutil.copyfile(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(ROOT / "docs", root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    sanitize = ROOT / "notebooks" / "nbval_sanitize.cfg"  # the tests' file: it must stay out of the edition
    shutil.copyfile(sanitize, root / "notebooks" / sanitize.name)
    for name in names:
        shutil.copyfile(ROOT / "notebooks" / f"{name}.ipynb", root / "notebooks" / f"{name}.ipynb")
    return root


@pytest.fixture(scope="module")
def student_edition(tmp_path_factory):
    root = course_copy(tmp_path_factory.mktemp("course"), WITH_EXERCISES)
    return root, course.generate_assignments(root)


def solution_cells(name: str) -> dict[str, str]:
    """The instructor edition's answer cells by grade id, markers taken out: what a student who worked
    every exercise as the worked solutions do would hand in."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: "\n".join(
            line
            for line in c.source.split("\n")
            if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
        )
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }


def submission(release: Path, name: str, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The student edition of ``name`` with the answer cells ``answers`` (grade id -> source) filled in."""
    nb = nbformat.read(release / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def test_the_student_edition_has_stubs_tests_and_no_solutions(student_edition):
    root, release = student_edition
    assert release == root / "student" / "notebooks"
    assert sorted(p.stem for p in release.glob("*")) == WITH_EXERCISES  # notebooks only
    assert WITH_EXERCISES[:1] == ["00_tour"] and len(WITH_EXERCISES) >= 8
    for name in WITH_EXERCISES:
        source = nbformat.read(root / "notebooks" / f"{name}.ipynb", as_version=4)
        nb = nbformat.read(release / f"{name}.ipynb", as_version=4)
        text = json.dumps(nb)
        assert "BEGIN SOLUTION" not in text and "worked-solution" not in text, name
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), name
        kept = [c for c in source.cells if "worked-solution" not in c.metadata.get("tags", [])]
        assert len(nb.cells) == len(kept), name
        answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert answers and len(answers) == len(tests), name
        for cell in answers:
            assert re.search(r"^answer_\d+[a-z]? = None\s+# your answer here", cell.source, re.M) or (
                "TODO" in cell.source
            ), (name, cell.source)
        source_tests = {
            c.metadata["nbgrader"]["grade_id"]: c.source
            for c in source.cells
            if c.metadata.get("nbgrader", {}).get("grade")
        }
        for cell in tests:  # the test cells as written, locked
            meta = cell.metadata["nbgrader"]
            assert meta["locked"] and cell.source == source_tests[meta["grade_id"]], (name, meta)
        # the worked solutions' teaching text is gone too (not only the code)
        assert "Worked solution" not in "".join(c.source for c in nb.cells), name


MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|(?:href|src)=[\"']([^\"']+)[\"']")
REPO_PATH = re.compile(r"`((?:\.\./)?docs/[\w./-]+)`")  # a path named in code font, e.g. `docs/summary.md`


def relative_targets(markdown: str) -> list[str]:
    """The relative link targets of a markdown text (no URL, no in-page anchor), anchors cut off."""
    targets = [a or b for a, b in MARKDOWN_LINK.findall(markdown)]
    return [t.split("#")[0] for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:|#", t)]


def test_the_student_edition_speaks_to_students_and_is_self_contained(student_edition):
    """No markdown of the student edition mentions worked solutions, the editions, the solution markers or
    ``make assignments``; every relative link of its notebooks (and of its docs/) resolves under student/."""
    root, release = student_edition
    student = root / "student"
    assert (student / "docs" / "glossary.md").is_file() and (student / "docs" / "your_own_cell.md").is_file()
    phrases = (
        "worked solution",
        "instructor edition",
        "student edition",
        "make assignments",
        "solution marker",
        "### BEGIN SOLUTION",
        "### END SOLUTION",
    )
    links = 0
    for name in WITH_EXERCISES:
        source = nbformat.read(root / "notebooks" / f"{name}.ipynb", as_version=4)
        assert "worked solution" in json.dumps(source).lower(), name  # the instructor edition did say it
        nb = nbformat.read(release / f"{name}.ipynb", as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown":
                continue
            text = " ".join(cell.source.split()).lower()
            assert not [p for p in phrases if p.lower() in text], (name, index, cell.source)
            for target in relative_targets(cell.source):
                path = (release / target).resolve()
                assert path.is_file() and path.is_relative_to(student.resolve()), (name, index, target)
                links += 1
            for target in REPO_PATH.findall(cell.source):  # `docs/...` is named from the course's top folder
                base = release if target.startswith("..") else student
                assert (base / target).resolve().is_file(), (name, index, target)
        exercises = next(c.source for c in nb.cells if "## Exercises" in c.source).split("## Exercises")[1]
        assert "answer" in exercises and "check" in exercises, (name, exercises)  # what a student needs stays
    assert links >= 5  # 00's glossary and summary, 04's times and glossary, 05's times
    for page in (student / "docs").rglob("*.md"):
        for target in relative_targets(page.read_text()):
            assert (page.parent / target).resolve().is_file(), (page.name, target)


def test_instructor_text_of_an_unknown_wording_stops_the_student_edition(tmp_path):
    """A sentence student_markdown does not know how to rewrite is an error, not a student edition with it."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Open the worked solution below when you are stuck.")]
    nbformat.write(nb, tmp_path / "99_new.ipynb")
    with pytest.raises(LstmsymError, match=r"99_new\.ipynb, markdown cell 0.*'worked solution'"):
        course._for_students(tmp_path)
    nb.cells[0].source = "In the instructor edition this cell holds more. Run the check cell."
    nbformat.write(nb, tmp_path / "99_new.ipynb")
    course._for_students(tmp_path)
    assert nbformat.read(tmp_path / "99_new.ipynb", as_version=4).cells[0].source == "Run the check cell."


def test_three_submissions_are_graded_as_they_deserve(student_edition, tmp_path):
    release = student_edition[1]
    graded_root = course_copy(tmp_path / "course", [GRADED])
    course.generate_assignments(graded_root)
    solved = solution_cells(GRADED)
    wrong = dict(solved)
    assert "answer_1 = 1" in wrong["answer_1"]
    wrong["answer_1"] = wrong["answer_1"].replace("answer_1 = 1", "answer_1 = 0")  # the carousel is 1, not 0
    submissions = tmp_path / "submissions"
    for student, answers in (("full", solved), ("blank", {}), ("wrong_one", wrong)):
        (submissions / student).mkdir(parents=True)
        nbformat.write(submission(release, GRADED, answers), submissions / student / f"{GRADED}.ipynb")

    out = tmp_path / "grades"
    table = course.autograde(submissions, out, root=graded_root)

    assert list(table.columns) == ["student", "notebook", "exercise", "points", "max_points"]
    points = table.set_index(["student", "exercise"])["points"]
    maximum = table.set_index(["student", "exercise"])["max_points"]
    exercises = sorted(set(table["exercise"]))
    assert exercises == ["exercise_1", "exercise_2", "exercise_3", "exercise_4"]
    assert maximum["full"].to_dict() == {"exercise_1": 1, "exercise_2": 1, "exercise_3": 2, "exercise_4": 2}
    assert (points["full"] == maximum["full"]).all(), points["full"]
    assert (points["blank"] == 0).all(), points["blank"]
    assert points["wrong_one"]["exercise_1"] == 0
    assert (points["wrong_one"].drop("exercise_1") == maximum["wrong_one"].drop("exercise_1")).all()
    assert set(table["notebook"]) == {GRADED}

    csv = (out / "grades.csv").read_text().splitlines()
    assert csv[0] == "student,notebook,exercise,points,max_points" and len(csv) == 1 + 3 * 4
    feedback = {
        s: (out / "feedback" / s / f"{GRADED}.html").read_text() for s in ("full", "blank", "wrong_one")
    }
    assert "Not answered yet" in feedback["blank"] and "Not answered yet" not in feedback["full"]
    # the wrong answer's feedback carries check_answer's message, the other exercises stay correct
    assert "Not equal. Your answer is 0; the derivation's value is larger." in feedback["wrong_one"]
    assert "Not equal" not in feedback["full"] and "Correct" in feedback["wrong_one"]


def _run(notebook: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    resources = {"metadata": {"path": str(notebook.parent)}}
    NotebookClient(nb, timeout=300, kernel_name="python3", resources=resources).execute()
    return nb


def _points(nb) -> list:
    return [
        next(o for o in c.outputs if o.output_type == "execute_result")["data"]["text/plain"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    ]


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=[] if n == GRADED else [pytest.mark.slow]) for n in WITH_EXERCISES],
)
def test_the_student_edition_runs_top_to_bottom_with_the_stubs(student_edition, name, monkeypatch):
    """A student can run the whole notebook before answering: no cell raises, every check says 0 points."""
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = _run(student_edition[1] / f"{name}.ipynb")  # nbclient raises CellExecutionError on any error
    assert set(_points(nb)) == {"0"}, _points(nb)
    assert "Not answered yet" in json.dumps(nb)


def test_submission_folders_are_checked(tmp_path):
    root = course_copy(tmp_path / "course", [GRADED])
    with pytest.raises(LstmsymError, match="one sub-folder per student"):
        course._submissions(tmp_path / "missing", {GRADED})
    (tmp_path / "empty").mkdir()
    with pytest.raises(LstmsymError, match="has no sub-folder"):
        course._submissions(tmp_path / "empty", {GRADED})
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    with pytest.raises(LstmsymError, match=r"holds no \.ipynb"):
        course._submissions(tmp_path / "subs", {GRADED})
    (tmp_path / "subs" / "ada" / "homework.ipynb").write_text("{}")
    with pytest.raises(LstmsymError, match="not notebooks of the course"):
        course._submissions(tmp_path / "subs", {GRADED})
    (tmp_path / "subs" / "ada" / "homework.ipynb").unlink()
    (tmp_path / "subs" / "ada" / "notebooks").mkdir()
    (tmp_path / "subs" / "ada" / "notebooks" / f"{GRADED}.ipynb").write_text("{}")
    (tmp_path / "subs" / "bob smith").mkdir()
    with pytest.raises(LstmsymError, match="no spaces"):
        course._submissions(tmp_path / "subs", {GRADED})
    (tmp_path / "subs" / "bob smith").rmdir()
    assert course._collect(course._submissions(tmp_path / "subs", {GRADED}), root) == ["ada"]
    assert (root / "build" / "nbgrader" / "submitted" / "ada" / "notebooks" / f"{GRADED}.ipynb").is_file()
    with pytest.raises(LstmsymError, match=r"nbgrader_config\.py"):
        course.generate_assignments(tmp_path)


def test_the_command_line_reports_bad_submissions_before_running_nbgrader(tmp_path, capsys):
    root = course_copy(tmp_path / "course", [GRADED])
    args = ["autograde", str(tmp_path / "nowhere"), "--output", str(tmp_path / "g")]
    assert course.main(args, root=root) == 2
    assert "one sub-folder per student" in capsys.readouterr().err
    assert not (root / "build").exists() and not (root / "student").exists()


def test_make_lab_keeps_nbgrader_out_of_jupyterlab():
    """lab/page_config.json disables every lab extension nbgrader installs; the Makefile's lab recipe turns
    its server extensions off (read from the Makefile; tests/test_lab_settings.py starts the real server)."""
    from jupyterlab_server.config import get_page_config

    extensions = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    assert (extensions / "@jupyter" / "nbgrader" / "package.json").is_file()  # what nbgrader 0.9.6 installs
    disabled = get_page_config([str(extensions)], app_settings_dir=str(ROOT / "lab"))["disabledExtensions"]
    assert "@jupyter/nbgrader" in disabled and "@jupyter-notebook/lab-extension" in disabled
    makefile = (ROOT / "Makefile").read_text()
    from nbgrader import server_extensions

    folder = Path(server_extensions.__file__).parent
    modules = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name[0] != "_")
    assert modules == ["assignment_list", "course_list", "formgrader", "validate_assignment"]
    listed = re.search(r"^NBGRADER_SERVER_EXTENSIONS := (.*)$", makefile, re.M).group(1).split()
    assert sorted(listed) == modules


def test_nothing_in_the_package_imports_the_course_kit():
    """lstmsym.course is the top of the ladder: no other module of the package imports it."""
    importing = re.compile(r"lstmsym\.course\b|from \.+course\b|from \.+ import [^\n]*\bcourse\b")
    offenders = [p.name for p in (ROOT / "lstmsym").rglob("*.py") if importing.search(p.read_text())]
    assert offenders == ["course.py"] or offenders == [], offenders
