"""docs/summary.md quotes the notebooks: every decimal number it cites appears in the cited notebook's stored
text (markdown or outputs), so a re-run that changes a number makes this test name the stale quote. The
glossary defines the course's words; neither page points outside the repository."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"

# A decimal or scientific number: 8.77, 0.056, 3.00e-273, 2.56e+02 (integers are structure, not data).
NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?:e[+-]\d+)?|(?<![\w.])\d+e[+-]\d+")
CITATION = re.compile(r"\[(\d\d(?:,\s*\d\d)*)\]")


def _notebook_text(number: str) -> str:
    (path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
    nb = json.loads(path.read_text())
    parts = []
    for cell in nb["cells"]:
        parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            parts.append("".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def _quotes(text: str):
    """(numbers, cited notebooks) per stretch of text that ends in a citation such as [02] or [00, 02]."""
    start = 0
    for match in CITATION.finditer(text):
        stretch = text[start : match.start()]
        start = match.end()
        yield NUMBER.findall(stretch), [n.strip() for n in match[1].split(",")], stretch.strip()[-120:]


def test_summary_numbers_stand_in_the_cited_notebooks():
    text = (DOCS / "summary.md").read_text()
    quotes = list(_quotes(text))
    assert len(quotes) >= 20  # the page is built on citations
    cache, checked, missing = {}, 0, []
    for numbers, cited, where in quotes:
        sources = [cache.setdefault(n, _notebook_text(n)) for n in cited]
        for number in numbers:
            checked += 1
            if not any(number in source for source in sources):
                missing.append(f"{number} (cited to {cited}) in: ...{where}")
    assert checked >= 25
    assert not missing, "numbers not found in the cited notebooks:\n" + "\n".join(missing)


def test_the_scan_finds_a_wrong_quote():
    quotes = list(_quotes("the total was 8.78 [02], and 256 at lag 1000 [06]"))
    assert quotes[0][0] == ["8.78"] and quotes[0][1] == ["02"] and quotes[1][0] == []
    assert "8.78" not in _notebook_text("02")


@pytest.mark.parametrize(
    "term",
    [
        "keep gate",
        "forget gate",
        "write gate",
        "input gate",
        "read gate",
        "output gate",
        "candidate",
        "Direct path",
        "Total path",
        "Carousel",
        "Lag",
        "$\\gamma$",
        "\\lambda_1",
        "Pascanu bound",
        "Latch",
        "BPTT",
        "Truncated gradient",
        "Drift",
        "Route control",
        "Wilson interval",
    ],
)
def test_glossary_defines(term):
    assert term in (DOCS / "glossary.md").read_text()


@pytest.mark.parametrize("page", ["glossary.md", "summary.md", "notebook_times.md"])
def test_pages_stay_inside_the_repository(page):
    path = DOCS / page
    if not path.exists():
        pytest.skip(f"docs/{page} not written yet")
    text = path.read_text()
    assert "../shared" not in text and "/work/" not in text
    for target in re.findall(r"\]\(([^)#]+)", text):
        if not target.startswith("http"):
            assert (path.parent / target).exists(), target
