"""Every subcommand against input a user can type wrong: one line ``lstmsym COMMAND: error: ...``, status 2.

Unknown names and formats, files that cannot be written, negative, zero and huge numbers, empty lists
and things that are not numbers: each must end in exit status 2 with a single line on stderr that
names the option, nothing on stdout and no traceback, before any long work starts. Most cases call
``lstmsym.cli.main`` in this process (what the console script calls); a few run the real command.
For ``train`` only what its argument parser rejects is listed (its run-time checks live with the
training package).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lstmsym.cli import main

UNWRITABLE = "/proc/lstmsym-cannot-write-here"  # as root too: /proc takes no new files

# (command, arguments, a fragment the message must contain); {tmp} is a fresh folder, {file} a file in
# it, {empty} an empty folder, {broken} a folder holding a file that is not a notebook
CASES = [
    # -- derive -----------------------------------------------------------------------------------
    ("derive", ["--cell", "lstn"], "argument --cell: invalid choice: 'lstn'"),
    ("derive", ["--cell", ""], "argument --cell: invalid choice: ''"),
    ("derive", ["--cell", "__import__('os').system('true')"], "argument --cell: invalid choice"),
    ("derive", ["--format", "pdf"], "argument --format: invalid choice: 'pdf'"),
    ("derive", ["--notation", "full"], "argument --notation: invalid choice"),
    ("derive", ["--n", "-3"], "argument --n: expected a whole number >= 1, got '-3'"),
    ("derive", ["--n", "abc"], "argument --n: expected a whole number >= 1, got 'abc'"),
    ("derive", ["--n", "2.5"], "argument --n: expected a whole number >= 1, got '2.5'"),
    ("derive", ["--n", "1000000"], "has 4,000,008,000,000 parameters, more than the 20,000"),
    ("derive", ["--n", "99999999999999999999999999"], "parameters, more than the 20,000"),
    ("derive", ["--n", "12"], "the symbolic step Jacobian of make_cell('lstm', n=12, m=1) is too large"),
    ("derive", ["--m", "0"], "argument --m: expected a whole number >= 1, got '0'"),
    ("derive", ["--m", "1000000"], "has 4,000,008 parameters"),
    ("derive", ["--steps", "-1"], "argument --steps: expected a whole number from 1 to 10000, got '-1'"),
    ("derive", ["--steps", "1000000"], "argument --steps: expected a whole number from 1 to 10000"),
    ("derive", ["--what", "dc", "--steps", "1e3"], "argument --steps: expected a whole number"),
    ("derive", ["--what", "dc", "--steps", "1000000"], "argument --steps: expected a whole number"),
    ("derive", ["--lag", "-1"], "argument --lag: expected a whole number from 0 to 10000, got '-1'"),
    ("derive", ["--what", "dc", "--steps", "3", "--lag", "9"], "--lag 9 must be <= --steps 3"),
    ("derive", ["--max-factors", "0"], "argument --max-factors: expected a whole number from 1 to 100"),
    ("derive", ["--max-factors", "100000"], "argument --max-factors: expected a whole number from 1 to 100"),
    ("derive", ["--what", "dc", "--steps", "5", "--notation", "expanded"], "use --notation gate"),
    ("derive", ["--cell", "rnn", "--what", "dc"], "the rnn cell has no state 'c'"),
    ("derive", ["--cell", "gru", "--peephole"], "apply to the LSTM only"),
    ("derive", ["--output", "{tmp}"], "--output {tmp}: is a folder; give a file name"),
    ("derive", ["--output", "{tmp}/no/such/folder/x.tex"], "the folder {tmp}/no/such/folder does not exist"),
    ("derive", ["--output", "{file}/x.tex"], "does not exist"),
    ("derive", ["--output", UNWRITABLE + "/x.tex"], "--output " + UNWRITABLE + "/x.tex: "),
    ("derive", ["--all"], "give the folder with --output-dir DIR"),
    ("derive", ["--all", "--output-dir", "{file}"], "--output-dir {file}: is a file, not a folder"),
    ("derive", ["--all", "--output-dir", UNWRITABLE], "--output-dir " + UNWRITABLE + ": cannot write there"),
    ("derive", ["--output-dir", "{tmp}"], "--output-dir goes with --all"),
    # -- check ------------------------------------------------------------------------------------
    ("check", [""], "argument VARIANT: invalid choice: ''"),
    ("check", ["lstm", "lstm; rm -rf /"], "argument VARIANT: invalid choice: 'lstm; rm -rf /'"),
    ("check", ["--n", "-1"], "argument --n: expected a whole number >= 1, got '-1'"),
    ("check", ["--n", "x"], "argument --n: expected a whole number >= 1, got 'x'"),
    ("check", ["rnn", "--n", "100000"], "has 10,000,200,000 parameters"),
    ("check", ["rnn", "--n", "30"], "the symbolic step Jacobian of make_cell('rnn', n=30, m=1) is too large"),
    ("check", ["--steps", "0"], "argument --steps: expected a whole number from 1 to 200, got '0'"),
    ("check", ["--steps", "100000"], "argument --steps: expected a whole number from 1 to 200"),
    ("check", ["--seed", "-1"], "argument --seed: expected a whole number >= 0, got '-1'"),
    ("check", ["--seed", "1.5"], "argument --seed: expected a whole number >= 0, got '1.5'"),
    # -- sweep ------------------------------------------------------------------------------------
    ("sweep", ["--cell", "lstn"], "argument --cell: invalid choice: 'lstn'"),
    ("sweep", ["--format", "xml"], "argument --format: invalid choice: 'xml'"),
    ("sweep", ["--ord", "nuc"], "argument --ord: invalid choice: 'nuc'"),
    ("sweep", ["--of", ""], "argument --of: invalid choice: ''"),
    ("sweep", ["--cell", "rnn", "--of", "c"], "--of c: the rnn cell's state is h"),
    ("sweep", ["--of", "h", "--wrt", "c"], "the direct path has no cross blocks"),
    ("sweep", ["--steps", "5", "--plot", "{tmp}/out.unknownext"], "'.unknownext' is not an image format"),
    ("sweep", ["--steps", "5", "--plot", "{tmp}/out"], "--plot {tmp}/out: no extension is not an image"),
    ("sweep", ["--steps", "5", "--plot", UNWRITABLE + "/x.png"], "--plot " + UNWRITABLE + "/x.png: "),
    ("sweep", ["--steps", "5", "--output", "{tmp}"], "--output {tmp}: is a folder"),
    ("sweep", ["--steps", "5", "--output", UNWRITABLE + "/x.csv"], "--output " + UNWRITABLE + "/x.csv: "),
    ("sweep", ["--n", "0"], "argument --n: expected a whole number >= 1, got '0'"),
    ("sweep", ["--n", "-4"], "argument --n: expected a whole number >= 1, got '-4'"),
    ("sweep", ["--m", "abc"], "argument --m: expected a whole number >= 1, got 'abc'"),
    ("sweep", ["--steps", "-1"], "argument --steps: expected a whole number >= 1, got '-1'"),
    ("sweep", ["--steps", "ten"], "argument --steps: expected a whole number >= 1, got 'ten'"),
    ("sweep", ["--seed", "-1"], "argument --seed: expected a whole number >= 0, got '-1'"),
    ("sweep", ["--scale", "-1"], "argument --scale: expected a positive number, got '-1'"),
    ("sweep", ["--scale", "nan"], "argument --scale: expected a positive number, got 'nan'"),
    ("sweep", ["--scale", "inf"], "argument --scale: expected a positive number, got 'inf'"),
    ("sweep", ["--forget-bias", "nan"], "argument --forget-bias: expected a finite number, got 'nan'"),
    ("sweep", ["--forget-bias=-inf"], "argument --forget-bias: expected a finite number, got '-inf'"),
    ("sweep", ["--forget-bias", "x"], "argument --forget-bias: expected a finite number, got 'x'"),
    ("sweep", ["--max-memory", "-1"], "argument --max-memory: expected a positive number, got '-1'"),
    ("sweep", ["--max-seconds", "0"], "argument --max-seconds: expected a positive number, got '0'"),
    ("sweep", ["--cell", "gru", "--steps", "100000000"], "over the budget of 2 GB (--max-memory)"),
    ("sweep", ["--n", "100000"], "at least 43.8 TB of memory, over the budget of 2 GB (--max-memory)"),
    ("sweep", ["--m", "10000000000"], "over the budget of 2 GB (--max-memory)"),
    ("sweep", ["--steps", "2000", "--max-seconds", "1e-6"], "(--max-seconds); use fewer --steps"),
    # -- site -------------------------------------------------------------------------------------
    ("site", ["--notebooks", "{tmp}/missing"], "--notebooks {tmp}/missing: no such folder"),
    ("site", ["--notebooks", "{file}"], "--notebooks {file}: no such folder"),
    ("site", ["--notebooks", "{empty}"], "no *.ipynb in {empty}"),
    ("site", ["--notebooks", "{broken}"], "is not a readable notebook"),
    (
        "site",
        ["--notebooks", "{notebooks}", "--output", "{file}"],
        "--output {file}: is a file, not a folder",
    ),
    ("site", ["--notebooks", "{notebooks}", "--output", UNWRITABLE], "--output " + UNWRITABLE + ": cannot"),
    ("site", ["--notebooks", "{notebooks}", "--mathjax", "{tmp}/nowhere"], "no MathJax.js in that folder"),
    ("site", ["--output"], "argument --output: expected one argument"),
    ("site", ["--notebooks", "{notebooks}", "--docs", "{tmp}/nodocs"], "--docs {tmp}/nodocs: no such folder"),
    ("site", ["--notebooks", "{notebooks}", "--docs", "{file}"], "--docs {file}: no such folder"),
    # -- train (what its parser rejects) ---------------------------------------------------------
    ("train", ["--task", "copy", "--out", "{tmp}/x.json"], "argument --task: invalid choice: 'copy'"),
    ("train", ["--lags", "", "--out", "{tmp}/x.json"], "argument --lags"),
    ("train", ["--lags", ",", "--out", "{tmp}/x.json"], "argument --lags"),
    ("train", ["--lags", "-1", "--out", "{tmp}/x.json"], "argument --lags"),
    ("train", ["--lags", "ten", "--out", "{tmp}/x.json"], "argument --lags"),
    ("train", ["--configs", "", "--out", "{tmp}/x.json"], "argument --configs"),
    ("train", ["--configs", "__import__('os')", "--out", "{tmp}/x.json"], "argument --configs"),
    ("train", ["--seeds", "abc", "--out", "{tmp}/x.json"], "argument --seeds"),
    ("train", ["--hidden", "1.5", "--out", "{tmp}/x.json"], "argument --hidden"),
    ("train", ["--lr", "fast", "--out", "{tmp}/x.json"], "argument --lr"),
    ("train", [], "the following arguments are required: --out"),
]


@pytest.fixture
def places(tmp_path):
    """The folders and files the cases refer to."""
    (tmp_path / "file.txt").write_text("not a folder")
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.ipynb").write_text("{ this is not JSON")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A")]), notebooks / "a.ipynb"
    )
    return {
        "tmp": str(tmp_path),
        "file": str(tmp_path / "file.txt"),
        "empty": str(tmp_path / "empty"),
        "broken": str(tmp_path / "broken"),
        "notebooks": str(notebooks),
    }


def fill(text: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        text = text.replace("{" + key + "}", value)
    return text


def run_in_process(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as stop:  # argparse's errors
        status = stop.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(status, out, err, command: str, fragment: str) -> None:
    assert "Traceback" not in out + err, err
    assert status == 2, (status, err)
    assert out == "", out
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"lstmsym {command}: error: "), err
    assert fragment in err, (fragment, err)


@pytest.mark.parametrize(
    ("command", "args", "fragment"), CASES, ids=[f"{c} {' '.join(a)}" for c, a, _ in CASES]
)
def test_bad_input_ends_in_one_line_and_status_2(command, args, fragment, places, capsys, tmp_path):
    argv = [command, *(fill(a, places) for a in args)]
    status, out, err = run_in_process(argv, capsys)
    assert_one_line_error(status, out, err, command, fill(fragment, places))
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["broken", "empty", "file.txt", "notebooks"]  # no output file left behind


def test_every_subcommand_is_covered():
    from lstmsym.cli import SUBCOMMANDS

    names = {module.__name__.rsplit(".", 1)[-1] for module in SUBCOMMANDS}
    assert names == {command for command, _, _ in CASES}


# -- a few as the user runs them: a real process, the installed command ----------------------------
SCRIPT = Path(sys.executable).with_name("lstmsym")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "lstmsym"]


@pytest.mark.parametrize(
    ("command", "args", "fragment"),
    [
        ("sweep", ["--cell", "lstm", "--plot", "out.unknownext"], "'.unknownext' is not an image format"),
        (
            "sweep",
            ["--cell", "gru", "--steps", "100000000"],
            "100,000,000 steps of make_cell('gru', n=4, m=1)",
        ),
        ("derive", ["--cell", "lstm", "--steps", "1000000"], "argument --steps"),
        ("check", ["--steps", "100000"], "argument --steps"),
        ("site", ["--notebooks", "missing"], "--notebooks missing: no such folder"),
        ("train", ["--lags", "", "--out", "x.json"], "argument --lags"),
    ],
)
def test_as_a_user_runs_it(command, args, fragment, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(
        [*COMMAND, command, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert_one_line_error(result.returncode, result.stdout, result.stderr, command, fragment)
    assert list(tmp_path.iterdir()) == []
