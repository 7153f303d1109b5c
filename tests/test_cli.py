"""The ``lstmsym`` command as a user runs it: output, errors and exit status of every subcommand.

The subprocess tests run the installed console script (``.venv/bin/lstmsym``), or
``python -m lstmsym`` where the script is missing; the finer cases call ``lstmsym.cli.main`` in
the same process, which is what the script calls.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from lstmsym.cells.variants import VARIANTS, variant_cell
from lstmsym.cli import main
from lstmsym.cli.cells import variant_flags
from lstmsym.numerics.gradcheck import Check
from lstmsym.numerics.verify import Verification

SCRIPT = Path(sys.executable).with_name("lstmsym")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "lstmsym"]
# 1x1 transparent PNG, a stand-in for a stored plot
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


def lstmsym(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False
    )


def one_line_error(result_or_err, command: str) -> str:
    err = result_or_err if isinstance(result_or_err, str) else result_or_err.stderr
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith(f"lstmsym {command}: error: ") or err.startswith("lstmsym: error: "), err
    return err


# -- as a user runs it (subprocesses) ------------------------------------------------------------
def test_help_lists_commands_and_examples(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("derive", "check", "sweep", "train", "site", "examples:"):
        assert command in out


def test_version_and_derive_help_do_not_load_the_training_stack():
    """Only the subcommand typed is imported: train's (training package, scipy, pandas) is not."""
    code = (
        "import sys\nfrom lstmsym.cli import main\n"
        "for argv in (['--version'], ['derive', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "heavy = ('scipy', 'pandas', 'lstmsym.training', 'lstmsym.cli.train')\n"
        "print('loaded:', [m for m in heavy if m in sys.modules])"
    )
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.splitlines()[-1] == "loaded: []"
    assert "lstmsym 0.1" in result.stdout and "--what" in result.stdout  # both ran


def test_derive_help_shows_examples(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["derive", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "lstmsym derive --cell lstm --n 3 --what dc --steps 4" in out


def test_python_m_lstmsym_derive_prints_latex_of_the_carousel():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lstmsym",
            "derive",
            "--cell",
            "lstm",
            "--what",
            "dc",
            "--steps",
            "4",
            "--path",
            "direct",
            "--multiply",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "% make_cell('lstm', n=1, m=1): ∂c_T/∂c_k, T = 4, k = 0, gate notation, direct path"
    assert (
        lines[-1] == r"\frac{\partial c_{4}}{\partial c_{0}}\Big|_{\text{direct}} = f_{1} f_{2} f_{3} f_{4}"
    )


def test_derive_rejects_code_as_a_cell_name(tmp_path):
    result = lstmsym("derive", "--cell", "__import__('pathlib').Path('x').touch()", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    err = one_line_error(result, "derive")
    assert "invalid choice" in err and "choose from 'rnn', 'lstm', 'lstm1997', 'gru', 'dense_memory'" in err
    assert not (tmp_path / "x").exists()  # nothing the user typed was run


def test_expansion_refusal_as_a_user_sees_it():
    result = lstmsym("derive", "--what", "dc", "--steps", "5", "--notation", "expanded")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "would give entries of at least" in one_line_error(result, "derive")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cell", "lstn"], "choose from 'rnn', 'lstm', 'lstm1997', 'gru', 'dense_memory'"),
        (["--format", "pdf"], "choose from 'latex', 'markdown', 'text'"),
        (["--readout", "relu"], "choose from 'tanh', 'sigmoid', 'identity', 'dense'"),
        (["--what", "dz"], "choose from 'step', 'dc', 'dh'"),
        (["--cell", "lstm", "--forget"], "--forget"),  # not a switch: ambiguous prefix
        (["--cell", "lstm", "--relu"], "unrecognized arguments: --relu"),
        (["--n", "0"], "argument --n: expected a whole number >= 1, got '0'"),
        (["--steps", "-1"], "argument --steps: expected a whole number from 1 to 10000, got '-1'"),
    ],
)
def test_derive_unknown_names_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["derive", *args])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in one_line_error(captured.err, "derive")


def test_check_prints_a_table_and_exits_0():
    result = lstmsym("check", "rnn", "gru")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "gradient check, n = 2, T = 3, seed = 0"
    assert lines[1].split()[:3] == ["cell", "fd", "ref"]
    assert lines[3].startswith("rnn ") and lines[3].endswith("ok")
    assert lines[4].startswith("gru ") and lines[4].endswith("ok")
    assert lines[-1] == "all 2 passed"


def test_check_unknown_variant_lists_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "lstm", "lstm; rm -rf /"])
    assert exit_info.value.code == 2
    err = one_line_error(capsys.readouterr().err, "check")
    assert "'lstm; rm -rf /'" in err and "lstm-peephole-coupled" in err


def test_sweep_csv_to_stdout_and_png_plot(tmp_path):
    result = lstmsym(
        "sweep", "--cell", "lstm", "--n", "3", "--steps", "20", "--plot", "norms.png", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["lag"]) for r in rows] == list(range(21))
    assert float(rows[0]["total"]) == pytest.approx(3**0.5)  # lag 0: ‖I_3‖_F
    assert float(rows[20]["direct"]) < float(rows[1]["direct"])  # keep gates < 1 shrink the carousel
    assert (tmp_path / "norms.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_site_on_two_small_notebooks(tmp_path):
    notebooks, docs = tmp_path / "nb", tmp_path / "docs"
    notebooks.mkdir()
    docs.mkdir()
    headers = {  # 00 carries its times; 01's header still waits for its figures, so the table gives them
        "00_first": "*Run time: about 3 s · Reading time: about 5 min*",
        "01_second": "*Run time: about RUN s · Reading time: about READ min*",
    }
    for name, title in (("01_second", "01 · Second"), ("00_first", "00 · First")):
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell(
                f"# {title}\n\n{headers[name]}\n\n"
                f"The keep gate: $\\frac{{\\partial c_t}}{{\\partial c_{{t-1}}}} = f_t$. Words: "
                "[glossary](../docs/glossary.md#keep-gate), [summary](../docs/summary.md), "
                "[next](01_second.ipynb), [readme](../README.md), [web](https://example.org/a.md)."
            ),
            nbformat.v4.new_code_cell(
                "plot()",
                execution_count=1,
                outputs=[
                    nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})
                ],
            ),
        ]
        nbformat.write(nb, notebooks / f"{name}.ipynb")
    (docs / "glossary.md").write_text(
        "# Glossary\n\n| word | meaning |\n|---|---|\n| **keep gate** | $f_t$ in "
        "$c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$ |\n\nSee [the conventions](conventions.md).\n"
    )
    (docs / "summary.md").write_text("# The argument on one page\n\nWords: [glossary](glossary.md).\n")
    (docs / "notebook_times.md").write_text(
        "# How long\n\n| notebook | run, top to bottom | words | reading, estimated |\n|---|---|---|---|\n"
        "| `00_first` | 4 s | 10 | about 9 min |\n| `01_second` | 8 s (see below) | 20 | about 6 min |\n"
    )
    result = lstmsym("site", "--notebooks", "nb", "--output", "out", "--mathjax", "cdn", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    pages = ["00_first.html", "01_second.html", "gallery.html", "glossary.html", "index.html"]
    pages += ["notebook_times.html", "summary.html"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*pages, "diagrams"])
    # links to files that have no page are named, once each, on stderr
    assert result.stderr.count("has no page on the site") == 3, result.stderr  # README twice, conventions
    assert "glossary.html: link to conventions.md has no page" in result.stderr
    index = (out / "index.html").read_text()
    assert index.index("00_first.html") < index.index("01_second.html")  # course order
    assert "run about 3 s &middot; reading about 5 min" in index  # from the notebook's header line
    assert "run 8 s &middot; reading about 6 min" in index  # its header has no figures: from the table
    for page in ("glossary.html", "summary.html", "gallery.html", "notebook_times.html"):
        assert f'href="{page}"' in index
    first = (out / "00_first.html").read_text()
    assert "<title>00 · First</title>" in first
    assert "ajax/libs/mathjax/" in first and r"\partial c_t" in first  # nbconvert's CDN address
    assert f"data:image/png;base64,{PNG}" in first  # the plot is inline
    assert 'href="01_second.html"' in first and 'href="index.html"' in first
    # links to the docs and the notebooks point at their pages; others are left as they were
    assert 'href="glossary.html#keep-gate"' in first and 'href="summary.html"' in first
    assert "../docs/" not in first and '.ipynb"' not in first
    assert 'href="../README.md"' in first and 'href="https://example.org/a.md"' in first
    for page in ("glossary.html", "summary.html", "gallery.html"):
        assert f'href="{page}"' in first  # the bar
    glossary = (out / "glossary.html").read_text()
    assert "<table>" in glossary and "<strong>keep gate</strong>" in glossary
    assert r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$" in glossary  # math left whole for MathJax
    assert "ajax/libs/mathjax/" in glossary and 'href="index.html"' in glossary
    assert 'href="glossary.html"' in (out / "summary.html").read_text()


def test_site_gallery_shows_every_cell(tmp_path, capsys):
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A")]), notebooks / "a.ipynb"
    )
    out = tmp_path / "site"
    assert main(["site", "--notebooks", str(notebooks), "--output", str(out), "--mathjax", "cdn"]) == 0
    assert "note:" not in capsys.readouterr().err
    gallery = (out / "gallery.html").read_text()
    catalogue = Path(__file__).resolve().parent.parent / "catalogue"
    shown = 0
    for name in VARIANTS:   # a loop picture for every cell that has one (not the RNN nor the min cells)
        loop = (catalogue / f"{name}-loop.svg").exists()
        if name in ("rnn", "min_gru", "min_lstm", "lstm", "gru", "slstm"):
            assert loop == (name in ("lstm", "gru", "slstm")), name
        files = [f"{name}.svg", *([f"{name}-loop.svg"] if loop else [])]
        for file in files:
            assert f'src="diagrams/{file}"' in gallery, file
            assert (out / "diagrams" / file).read_text() == (catalogue / file).read_text()  # the same picture
        assert f"lstmsym derive {variant_flags(name)}" in gallery
        shown += len(files)
    assert gallery.count("<img ") == len(list((out / "diagrams").iterdir())) == shown
    assert r"\begin{aligned}" in gallery  # the update equations, for MathJax
    assert not (out / "glossary.html").exists()  # no docs folder beside the notebooks: no docs pages


# -- finer cases, in process -----------------------------------------------------------------
def test_derive_step_text(capsys):
    assert main(["derive", "--cell", "rnn", "--format", "text"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "dh_t/dh_{t-1} = W*(1 - h_{t}**2)"


def test_derive_expanded_rnn_chain(capsys):
    assert main(["derive", "--cell", "rnn", "--what", "dh", "--steps", "2", "--notation", "expanded"]) == 0
    out = capsys.readouterr().out
    assert r"\tanh^{2}{\left(U x_{2} + W \tanh{\left(U x_{1} + W h_{0} + b \right)} + b \right)}" in out


def test_derive_switches_reach_the_cell(capsys):
    args = ["derive", "--cell", "lstm", "--no-forget-gate", "--peephole", "--readout", "dense"]
    assert main([*args, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "<!-- make_cell('lstm', n=1, m=1, readout='dense', forget_gate=False, peephole=True)"
    )
    assert out.count("$$") == 8  # four blocks of the total path
    assert "V_{y}" in out  # the dense readout reads the memory through V_y


def test_derive_output_file(tmp_path, capsys):
    target = tmp_path / "dc.tex"
    assert (
        main(
            ["derive", "--cell", "lstm", "--n", "2", "--what", "dc", "--steps", "4", "--output", str(target)]
        )
        == 0
    )
    assert capsys.readouterr().out == f"wrote {target}\n"
    text = target.read_text()
    assert r"\cdots" not in text and text.count(r"\begin{matrix}") == 4  # 4 factors, none elided
    assert r"\right]_{cc}" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cell", "rnn", "--what", "dc"], "has no state 'c'; use --what step or dh"),
        (["--cell", "gru", "--peephole"], "apply to the LSTM only"),
        (["--coupled", "--no-input-gate"], "needs input_gate=True"),
        (["--what", "dh", "--steps", "2", "--lag", "3"], "--lag 3 must be <= --steps 2"),
        (["--what", "dc", "--n", "2", "--steps", "10", "--multiply"], "drop --multiply"),
        (["--all"], "--output-dir DIR"),
    ],
)
def test_derive_engine_refusals(args, message, capsys):
    assert main(["derive", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in one_line_error(captured.err, "derive")


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", "--ord", "nuc"])
    assert exit_info.value.code == 2
    assert "choose from 'fro', '2'" in one_line_error(capsys.readouterr().err, "sweep")


def test_check_fails_with_exit_1(monkeypatch, capsys):
    def broken(cell, T, seed):
        bad = Check("∂s_T/∂s_k", "fail", 0.5, 0.5, 4, 4, 1e-9)
        good = Check("other", "pass", 1e-16, 1e-16, 4, 4, 1e-9)
        return Verification(cell=cell, T=T, checks=[bad, good, good, good, good])

    monkeypatch.setattr("lstmsym.cli.check.verify_cell", broken)
    assert main(["check", "lstm", "gru"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and out.splitlines()[-1] == "2 of 2 failed: lstm, gru"


def test_sweep_json_log10_and_cross_block(tmp_path, capsys):
    target = tmp_path / "s.json"
    args = [
        "sweep",
        "--cell",
        "lstm",
        "--n",
        "2",
        "--steps",
        "5",
        "--of",
        "h",
        "--wrt",
        "c",
        "--path",
        "total",
    ]
    assert main([*args, "--log10", "--format", "json", "--output", str(target)]) == 0
    data = json.loads(target.read_text())
    assert data["block"] == "dh_T/dc_k" and data["lag"] == [0, 1, 2, 3, 4, 5]
    assert data["total"][0] is None  # lag 0: ∂h_T/∂c_T = 0 exactly, log10 is -inf
    assert all(isinstance(v, float) for v in data["total"][1:])
    assert main([*args[:-2], "--path", "direct"]) == 2
    assert "no cross blocks" in capsys.readouterr().err


def test_site_copies_a_local_mathjax(tmp_path, capsys):
    mathjax = tmp_path / "mj"
    (mathjax / "config").mkdir(parents=True)
    (mathjax / "MathJax.js").write_text("// stand-in")
    (mathjax / "config" / "TeX-AMS-MML_HTMLorMML-full.js").write_text("// stand-in")
    (mathjax / "fonts" / "HTML-CSS" / "STIX-Web").mkdir(parents=True)
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$x$")]), notebooks / "a.ipynb"
    )
    out = tmp_path / "site"
    assert main(["site", "--notebooks", str(notebooks), "--output", str(out), "--mathjax", str(mathjax)]) == 0
    page = (out / "a.html").read_text()
    assert '<script src="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe">' in page
    assert 'webFont: "STIX-Web"' in page
    assert (out / "mathjax" / "MathJax.js").is_file()
    assert "math: local MathJax copied from" in capsys.readouterr().out


def test_site_errors(tmp_path, capsys):
    assert main(["site", "--notebooks", str(tmp_path)]) == 2
    assert "no *.ipynb in" in one_line_error(capsys.readouterr().err, "site")
    (tmp_path / "a.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    assert (
        main(["site", "--notebooks", str(tmp_path), "--output", str(tmp_path / "o"), "--mathjax", "nowhere"])
        == 2
    )
    assert "no MathJax.js" in one_line_error(capsys.readouterr().err, "site")


def test_variants_cover_every_cell_kind():
    from lstmsym.cells import cell_names

    kinds = {variant_cell(name).registry_name for name in VARIANTS}
    assert kinds == set(cell_names())  # every registered cell, under its own name
    assert {"rnn", "lstm", "lstm1997", "gru", "dense_memory"} <= kinds


def test_nothing_in_the_cli_evaluates_user_text():
    source = "\n".join(p.read_text() for p in Path(main.__code__.co_filename).parent.glob("*.py"))
    for word in ("eval(", "exec(", "sympify(", "parse_expr("):
        assert word not in source


# -- train ---------------------------------------------------------------------------------------


def test_train_runs_and_records_how(tmp_path):
    out = tmp_path / "quick.json"
    result = lstmsym(
        "train", "--task", "sign", "--lags", "5", "--seeds", "1", "--steps", "20",
        "--configs", "rnn,lstm b_f=1", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout  # after the success table (its layout is the training's)
    saved = json.loads(out.read_text())
    assert saved["provenance"]["command"].startswith("lstmsym train --task sign")
    assert {run["config"] for run in saved["runs"]} == {"rnn", "lstm b_f=1"}
    assert {run["T"] for run in saved["runs"]} == {5}


def test_train_rejects_unknown_task_and_config(tmp_path):
    result = lstmsym("train", "--task", "copy", "--out", str(tmp_path / "x.json"))
    assert result.returncode == 2 and "invalid choice: 'copy'" in result.stderr
    assert "Traceback" not in result.stderr
    result = lstmsym("train", "--configs", "__import__('os')", "--out", str(tmp_path / "x.json"))
    assert result.returncode == 2 and "unknown config" in result.stderr
    assert not (tmp_path / "x.json").exists()


# -- options that the request does not use: named in a note --------------------------------------
@pytest.mark.parametrize(
    ("args", "note"),
    [
        (["--steps", "5"], "--steps is ignored with --what step"),
        (
            ["--steps", "3", "--lag", "1", "--multiply"],
            "--steps, --lag, --multiply are ignored with --what step",
        ),
        (
            ["--what", "dc", "--notation", "expanded", "--max-factors", "2"],
            "--max-factors is ignored with --notation expanded",
        ),
    ],
)
def test_derive_names_options_it_ignores(args, note, capsys):
    assert main(["derive", "--format", "text", *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"lstmsym derive: note: {note}" + captured.err.split(note, 1)[1]
    assert captured.err.count("\n") == 1 and captured.out.startswith("# make_cell('lstm'")


def test_derive_without_ignored_options_prints_no_note(capsys):
    assert main(["derive", "--what", "dc", "--steps", "3", "--lag", "1", "--format", "text"]) == 0
    assert capsys.readouterr().err == ""


def test_derive_all_names_the_options_it_ignores(tmp_path, capsys):
    assert main(["derive", "--all", "--output-dir", str(tmp_path), "--n", "3", "--format", "text"]) == 0
    err = capsys.readouterr().err
    assert err == (
        "lstmsym derive: note: --n, --format are ignored with --all, which writes every cell and switch as "
        "Markdown\n"
    )
    assert (tmp_path / "README.md").is_file()


# -- progress: one line on a terminal, nothing elsewhere ----------------------------------------------
class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_on_a_terminal_after_the_delay_and_clears_its_line():
    from lstmsym.cli.progress import Progress

    stream = Terminal()
    readings = iter([0.0, 1.0, 2.5, 130.0])
    with Progress("lstmsym train", total=4, stream=stream, clock=lambda: next(readings)) as progress:
        assert progress.enabled
        progress.update(1, note="rnn T=5 seed=0: solved at step 40")  # at 1 s: not yet
        assert stream.getvalue() == ""
        progress.update(2, note="lstm b_f=1 T=5 seed=0: not solved")  # at 2.5 s
        progress.update(3, note="gru")  # at 130 s
    first = "lstmsym train: [2/4] 2 s  lstm b_f=1 T=5 seed=0: not solved"
    assert stream.getvalue().split("\r") == [
        "",
        first,
        "lstmsym train: [3/4] 2 min 10 s  gru".ljust(len(first)),  # over the longer line before it
        " " * len(first),  # cleared
        "",
    ]


def test_progress_ticks_with_its_estimate_until_the_block_ends():
    from lstmsym.cli.progress import Progress

    stream = Terminal()
    with Progress("lstmsym sweep", expected_seconds=40, stream=stream, delay=0).ticking(interval=0.01):
        for _ in range(500):  # wait (at most 5 s) for the background thread to redraw
            if stream.getvalue().count("\r") >= 3:
                break
            time.sleep(0.01)
    lines = stream.getvalue().split("\r")
    assert lines[1].startswith("lstmsym sweep: 0 s of about 40 s (estimated)")
    assert lines[-2].strip() == "" and lines[-1] == ""  # cleared at the end


def test_progress_is_silent_when_stderr_is_not_a_terminal(monkeypatch, capsys):
    from lstmsym.cli import progress

    monkeypatch.setattr(progress, "DELAY", 0.0)
    assert main(["sweep", "--steps", "300"]) == 0
    assert capsys.readouterr().err == ""


def test_sweep_shows_its_progress_on_a_terminal(monkeypatch, capsys):
    from lstmsym.cli import progress

    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    assert main(["sweep", "--steps", "300"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("\rlstmsym sweep: 0 s of about ")
    assert captured.err.split("\r")[-1] == ""  # the line is cleared before the CSV is written
    assert captured.out.startswith("lag,total,direct\n")


# -- the sweep's budget ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "n", "T", "fmt"), [("gru", 4, 1500, "csv"), ("lstm", 16, 600, "json"), ("rnn", 1, 3000, "csv")]
)
def test_sweep_memory_estimate_covers_what_the_sweep_allocates(kind, n, T, fmt, record_property):
    """The estimate against tracemalloc's peak of the same sweep: above it, and not by more than 1.6x."""
    import tracemalloc

    from lstmsym.cells import make_cell
    from lstmsym.cli import sweep

    cell = make_cell(kind, n=n)
    block, paths = (cell.state_names[0],) * 2, ("total", "direct")
    cost = sweep.estimate(cell, T, block, paths, fmt)
    tracemalloc.start()
    try:
        params, xs = sweep.sample_run(cell, T, 0, 1.0, None)
        columns = {
            p: sweep.lag_jacobian_norms(cell, params, xs, block=block, direct=p == "direct") for p in paths
        }
        del params, xs
        text = sweep._json({"T": T}, columns) if fmt == "json" else sweep._csv(columns, False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    record_property("estimate_over_peak", cost.bytes / peak)
    assert len(text) > T and peak <= cost.bytes <= 1.6 * peak
    assert 0 < cost.seconds < math.inf


def test_sweep_budget_refusal_names_the_estimate_and_the_option(capsys):
    assert main(["sweep", "--cell", "gru", "--steps", "1000000", "--max-seconds", "1e9"]) == 2  # memory only
    err = one_line_error(capsys.readouterr().err, "sweep")
    assert "a sweep of 1,000,000 steps of make_cell('gru', n=4, m=1) would take about 2." in err
    assert "GB of memory and " in err and "over the budget of 2 GB (--max-memory)" in err
    assert err.rstrip().endswith("raise --max-memory")


def test_sweep_runs_when_the_budget_is_raised(capsys):
    args = ["sweep", "--cell", "rnn", "--n", "2", "--steps", "50"]
    assert main([*args, "--max-memory", "1e-6"]) == 2
    assert "(--max-memory)" in capsys.readouterr().err
    assert main([*args, "--max-memory", "1"]) == 0
    assert capsys.readouterr().out.count("\n") == 52  # header and lags 0..50
