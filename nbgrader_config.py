"""nbgrader configuration of the lstmsym course kit (read by `nbgrader ...` run from this directory).

The instructor edition is notebooks/ itself: nbgrader's source folder is this directory and the
assignment is called "notebooks". `make assignments` writes the student edition to student/notebooks/
(nbgrader, configured here), then lstmsym.course rewrites its exercise introductions for students
(student_markdown) and copies docs/ to student/docs/, so student/ works on its own. Submissions,
autograded copies, feedback and the gradebook live under build/nbgrader/ (gitignored), so nothing nbgrader
writes lands in the repository tree. The cell format the notebooks follow is tested by
tests/test_notebook_exercises.py; lstmsym/course.py runs the commands (`python -m lstmsym.course --help`).
"""

from pathlib import Path

from nbconvert.preprocessors import TagRemovePreprocessor
from nbgrader.converters.generate_assignment import GenerateAssignment

c = get_config()  # noqa: F821 (injected by traitlets when it reads this file)
HERE = Path(__file__).resolve().parent
WORK = "build/nbgrader"

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.source_directory = "."  # source/<assignment> is ./notebooks
c.CourseDirectory.release_directory = "student"  # the student edition: student/notebooks/
c.CourseDirectory.submitted_directory = f"{WORK}/submitted"
c.CourseDirectory.autograded_directory = f"{WORK}/autograded"
c.CourseDirectory.feedback_directory = f"{WORK}/feedback"
c.CourseDirectory.solution_directory = f"{WORK}/solution"
c.CourseDirectory.db_url = f"sqlite:///{HERE / WORK / 'gradebook.db'}"
(HERE / WORK).mkdir(parents=True, exist_ok=True)  # sqlite creates the file, not its folder
# Only the notebooks go into the student edition: nbval's sanitize file is the tests', not the students'.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "nbval_sanitize.cfg"]

# A solution region is replaced by nothing: the line before it, `answer_1 = None  # your answer here`, is
# the student's stub, and it runs (nbgrader's default stub raises NotImplementedError).
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = "*Your answer here.*"

# Worked solutions (cells tagged "worked-solution") are left out of the student edition.
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"worked-solution"}
c.GenerateAssignment.preprocessors = [
    TagRemovePreprocessor,
    *GenerateAssignment.class_traits()["preprocessors"].default(),
]

# Grading runs each notebook top to bottom; the slowest cells take about a minute on 2 cores.
c.Execute.timeout = 300
