"""The committed derivation catalogue (catalogue/) is what the package derives today."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from lstmsym.cli import main
from lstmsym.cli.catalogue import REGENERATE
from lstmsym.cli.cells import VARIANTS
from lstmsym.diagrams import SCALER, diagram_svg

COMMITTED = Path(__file__).resolve().parent.parent / "catalogue"
HEADINGS = (
    "## Update equations",
    "## Diagram",
    "## One-step Jacobian, gate notation",
    "## Across T = 3 steps",
)  # in this order
KINDS = ("*.md", "*.svg")


def files(folder: Path) -> set[str]:
    return {p.name for kind in KINDS for p in folder.glob(kind)}


def differences(committed: Path, generated: Path) -> list[str]:
    """Names of the files that are missing, extra or different between two catalogue folders."""
    ours, theirs = files(committed), files(generated)
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
    picture = copy / "gru-loop.svg"
    picture.write_text(picture.read_text().replace("#d62728", "#000000"))
    (copy / "rnn.svg").unlink()
    assert differences(generated, copy) == ["extra.md", "rnn.svg", "gru-loop.svg", "lstm.md"]


def test_every_page_is_listed_and_has_its_sections(generated):
    pages = sorted(p.name for p in generated.glob("*.md"))
    assert pages == sorted(["README.md", *(f"{name}.md" for name in VARIANTS)])
    index = (generated / "README.md").read_text()
    for name in pages:
        if name != "README.md":
            assert f"]({name})" in index
            text = (generated / name).read_text()
            places = [text.find(heading) for heading in HEADINGS]
            assert -1 not in places and places == sorted(places), (name, places)


def test_every_page_shows_its_diagrams(generated):
    """The direct path for every cell, the loop for every cell that has one (not the RNN, whose one route is
    its direct path, nor the min cells, whose total Jacobian is the direct one)."""
    from lstmsym.diagrams import cell_graph, loop_edges
    from lstmsym.errors import LstmsymError

    def has_loop_of(name: str) -> bool:
        try:
            return bool(loop_edges(cell_graph(name)))
        except LstmsymError:   # "no route besides the direct one"
            return False

    has_loop = {name: has_loop_of(name) for name in VARIANTS}
    assert not has_loop["rnn"] and not has_loop["min_gru"] and not has_loop["min_lstm"]
    assert has_loop["lstm"] and has_loop["gru"] and has_loop["slstm"]
    pictures = sorted(p.name for p in generated.glob("*.svg"))
    loops = [f"{name}-loop.svg" for name in VARIANTS if has_loop[name]]
    assert pictures == sorted([*(f"{name}.svg" for name in VARIANTS), *loops])
    for name in VARIANTS:
        text = (generated / f"{name}.md").read_text()
        section = text[text.index("## Diagram") : text.index("## One-step")]
        shown = [line.rsplit("(", 1)[1].rstrip(")") for line in section.splitlines() if line.startswith("![")]
        assert shown == [f"{name}.svg", *([f"{name}-loop.svg"] if has_loop[name] else [])], name
        assert "drawn by `lstmsym.diagrams` from the cell's rules" in section
        assert diagram_svg(name, highlight="direct") == (generated / f"{name}.svg").read_text()
        assert "Direct path (gates, candidates and the other state variable held fixed):" in text


def red_edges(svg: str, colour: str = "#d62728") -> set[str]:
    """The edges (``"source->target"``) whose arrow is drawn in the highlight colour (or ``colour``)."""
    groups = re.findall(r'<g id="edge:([^"]+)">(.*?)</g>', svg, flags=re.S)
    assert groups
    return {html.unescape(gid) for gid, body in groups if f"stroke: {colour}" in body}


def test_the_committed_pictures_mark_what_the_pages_say():
    """LSTM: red is the carousel c_{t-1} -> c_t, its keep gate in the held-gate accent (the gradient does not
    enter it); in the loop, h -> gates -> c and c -> h, all red."""
    lstm = (COMMITTED / "lstm.svg").read_text()
    assert lstm.lstrip().startswith("<?xml") and "<svg" in lstm
    assert red_edges(lstm) == {"c_prev->c"}
    assert red_edges(lstm, SCALER) == {"f->c"}
    loop = {"c->h", "f->c", "g->c", "i->c", "h_prev->f", "h_prev->g", "h_prev->i"}
    assert red_edges((COMMITTED / "lstm-loop.svg").read_text()) == loop
    assert red_edges((COMMITTED / "gru.svg").read_text()) == {"h_prev->h"}
    assert red_edges((COMMITTED / "gru.svg").read_text(), SCALER) == {"z->h"}
