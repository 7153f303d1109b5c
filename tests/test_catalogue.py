"""The committed derivation catalogue (catalogue/) is what the package derives today."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lstmsym.cli import main
from lstmsym.cli.catalogue import REGENERATE
from lstmsym.cli.cells import VARIANTS

COMMITTED = Path(__file__).resolve().parent.parent / "catalogue"
HEADINGS = ("## Update equations", "## One-step Jacobian, gate notation", "## Across T = 3 steps")


def differences(committed: Path, generated: Path) -> list[str]:
    """Names of the files that are missing, extra or different between two catalogue folders."""
    ours = {p.name for p in committed.glob("*.md")}
    theirs = {p.name for p in generated.glob("*.md")}
    changed = [n for n in sorted(ours & theirs) if (committed / n).read_text() != (generated / n).read_text()]
    return sorted(ours ^ theirs) + changed


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """The catalogue as ``lstmsym derive --all`` writes it today."""
    folder = tmp_path_factory.mktemp("catalogue")
    assert main(["derive", "--all", "--output-dir", str(folder)]) == 0
    return folder


def test_committed_catalogue_is_current(generated):
    stale = differences(COMMITTED, generated)
    assert not stale, f"catalogue/ is out of date ({', '.join(stale)}); run `{REGENERATE}` and commit it"


def test_a_changed_page_is_noticed(generated, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(generated, copy)
    assert differences(generated, copy) == []
    page = copy / "lstm.md"
    page.write_text(page.read_text().replace("f_{1} f_{2} f_{3}", "f_{1} f_{2}"))
    (copy / "extra.md").write_text("")
    assert differences(generated, copy) == ["extra.md", "lstm.md"]


def test_every_page_is_listed_and_has_its_sections(generated):
    pages = sorted(p.name for p in generated.glob("*.md"))
    assert pages == sorted(["README.md", *(f"{name}.md" for name in VARIANTS)])
    index = (generated / "README.md").read_text()
    for name in pages:
        if name != "README.md":
            assert f"]({name})" in index
            text = (generated / name).read_text()
            for heading in HEADINGS:
                assert heading in text, (name, heading)
