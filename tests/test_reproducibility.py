"""Reproducibility: no notebook output depends on the working directory, clock, host or memory addresses.

Two checks over every notebooks/*.ipynb (found when the tests are collected, so new notebooks are covered):

- the stored outputs contain nothing that differs between machines or runs: memory addresses, absolute
  paths, the host name, dates and times, "Wall time"-style timings, random temporary names, or anything on
  stderr (warnings carry paths and line numbers);
- executing the notebook once more from scratch with nbclient, in a temporary copy of notebooks/ (another
  working directory), gives the stored outputs again after the same sanitisation nbval applies. Together
  with nbval's own run of the notebooks in `make test`, every notebook is executed twice from scratch and
  both runs must reproduce what is stored. Each notebook takes up to 30 s, so these are marked ``slow``
  (`make test` still runs them; deselect with ``-m "not slow"`` for a quick run).
"""

import json
import os
import re
import shutil
import socket
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbval.plugin import coalesce_streams, get_sanitize_patterns, transform_streams_for_comparison

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
IDS = [path.name for path in NOTEBOOKS]
SANITIZE = get_sanitize_patterns((NOTEBOOK_DIR / "nbval_sanitize.cfg").read_text(encoding="utf-8"))
# what nbval leaves out of the comparison (nbval.plugin.IPyNbFile.skip_compare, without --nbdime)
SKIP_COMPARE = {
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
}
TEXT_KEYS = ("text/plain", "text/html", "text/latex", "text/markdown", "application/json")


def _volatile_patterns() -> dict[str, re.Pattern]:
    places = {str(ROOT), str(Path.home()), os.getcwd(), "/tmp/", "/var/folders/", "site-packages"}
    patterns = {
        "memory address": r"\b0x[0-9a-fA-F]{6,}\b",
        "absolute path": "|".join(re.escape(p) for p in sorted(places) if len(p) > 1)
        + r"|/(?:home|Users|root|private)/\w|\b[A-Za-z]:\\\\\w",
        "date": r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b",
        "time of day": r"\b[0-2]\d:[0-5]\d:[0-5]\d\b",
        "timing": r"Wall time|CPU times|\d+(?:\.\d+)? ?(?:s|ms|µs|us|ns) ± |per loop|[Ee]lapsed",
        "random temporary name": r"\btmp[a-z0-9_]{6,}\b",
    }
    host = socket.gethostname()
    if len(host) >= 4:
        patterns["host name"] = re.escape(host)
    return {label: re.compile(regex) for label, regex in patterns.items()}


VOLATILE = _volatile_patterns()


def _texts(output: dict):
    """(where, text) for every text an output carries (images are not text and are not compared)."""
    if output.get("output_type") == "stream":
        yield f"stream {output.get('name')}", "".join(output.get("text", ""))
    if output.get("output_type") == "error":
        yield "error", f"{output.get('ename')}: {output.get('evalue')}"
    for key in TEXT_KEYS:
        value = output.get("data", {}).get(key)
        if value is not None:
            yield key, value if isinstance(value, str) else json.dumps(value)


def test_the_volatile_patterns_catch_what_they_should():
    samples = {
        "memory address": "<matplotlib.lines.Line2D at 0x7f3a1c2b9d50>",
        "absolute path": f"saved to {ROOT}/results/x.json",
        "date": "run on 2026-11-24",
        "time of day": "finished at 23:01:07",
        "timing": "Wall time: 1.2 s",
        "random temporary name": "/x/tmpa1b2c3d4/out.png",
    }
    for label, text in samples.items():
        assert VOLATILE[label].search(text), label
    stable = "lag 100: slope-aware bound 3.2e-07, measured 1.1e-08 (ratio 29.1); f = 0.731, 10 steps"
    assert not any(p.search(stable) for p in VOLATILE.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_outputs_hold_nothing_machine_or_run_specific(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for number, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                problems.append(f"cell {number}: output on stderr: {''.join(output['text'])[:120]!r}")
            for where, text in _texts(output):
                for label, pattern in VOLATILE.items():
                    match = pattern.search(text)
                    if match:
                        problems.append(f"cell {number} ({where}): {label} {match.group(0)!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------------------
# a second execution from scratch, elsewhere


def _sanitize(value):
    if not isinstance(value, str):
        return value
    for regex, replace in SANITIZE:
        value = re.sub(regex, replace, value)
    return value


def comparable(outputs) -> dict[str, list]:
    """Outputs as nbval compares them: streams merged, keys flattened, skipped keys dropped, sanitised."""
    out = defaultdict(list)
    copies = [nbformat.from_dict(o) for o in outputs]  # coalesce_streams edits what it is given
    for o in copies:
        if isinstance(o.get("text"), list):  # raw JSON stores multiline text as a list of lines
            o["text"] = "".join(o["text"])
    for output in transform_streams_for_comparison(coalesce_streams(copies)):
        for key, value in output.items():
            if key in SKIP_COMPARE:
                continue
            if key == "data":
                for data_key, data in value.items():
                    if data_key not in SKIP_COMPARE:
                        out[data_key].append(_sanitize("".join(data) if isinstance(data, list) else data))
            else:
                out[key].append(_sanitize("".join(value) if isinstance(value, list) else value))
    return dict(out)


def test_comparison_follows_nbval():
    stored = [
        {"output_type": "stream", "name": "stdout", "text": ["a\n"]},
        {"output_type": "stream", "name": "stdout", "text": ["b\n"]},
        {"output_type": "execute_result", "execution_count": 3, "metadata": {},
         "data": {"text/plain": "[<Line2D at 0x7f00aa>]", "image/png": "AAAA"}},
    ]  # fmt: skip
    again = [
        {"output_type": "stream", "name": "stdout", "text": "a\nb\n"},
        {"output_type": "execute_result", "execution_count": 9, "metadata": {},
         "data": {"text/plain": "[<Line2D at 0x7f11bb>]", "image/png": "BBBB"}},
    ]  # fmt: skip
    assert comparable(stored) == comparable(again)
    again[0]["text"] = "a\nc\n"
    assert comparable(stored) != comparable(again)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_a_second_run_from_scratch_elsewhere_reproduces_the_stored_outputs(path, tmp_path):
    workdir = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, workdir)
    stored = nbformat.read(path, as_version=4)
    fresh = nbformat.read(workdir / path.name, as_version=4)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(
        fresh,
        kernel_name="python3",
        timeout=300,
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
    ).execute()
    differences = []
    for number, (old, new) in enumerate(zip(stored.cells, fresh.cells, strict=True)):
        if old.cell_type == "code" and comparable(old.outputs) != comparable(new.outputs):
            differences.append(
                f"cell {number}:\n  stored {comparable(old.outputs)}\n  rerun  {comparable(new.outputs)}"
            )
    assert not differences, (
        f"{path.name} differs when run again in {workdir}:\n" + "\n".join(differences)[:4000]
    )
