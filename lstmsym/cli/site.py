"""``lstmsym site``: the notebooks as HTML pages in course order, with the docs, a cell gallery and an index.

Each ``notebooks/*.ipynb`` (in name order, which is course order) becomes one page through
nbconvert's HTML exporter, with its stored outputs (the ones strict nbval checks), plots inline as
images, and math typeset by MathJax. Each ``docs/*.md`` (the glossary, the one-page summary, the
conventions, ...) becomes one page through the Markdown renderer nbconvert uses for notebook text
(mistune, math kept for MathJax). ``gallery.html`` shows every cell and switch: its update equations
and its diagrams drawn by :mod:`lstmsym.diagrams` from its rules (the direct path, and the loop), as
SVG files in ``diagrams/``. The index lists the notebooks in course order with their run and reading
times, then the glossary, the summary, the gallery and the other docs.

Every page has a bar linking to the index, the previous and next notebook, the glossary, the summary
and the gallery. A relative link in a notebook or a doc to a file that has a page on the site
(``../docs/glossary.md``, ``conventions.md``, ``01_rnn_vanishing.ipynb``) is rewritten to that page;
one to a file that has none is named in a note on stderr.

Run and reading times come from the line a notebook's first Markdown cell carries
(``Run time: about 7 s · Reading time: about 35 min``), else from the table in
``docs/notebook_times.md``.

MathJax: by default a local copy is used when one is installed (the ``jupyter-server-mathjax``
package, or Debian's ``libjs-mathjax``) and copied into the site, so the pages render math without
a network; otherwise the pages load MathJax from nbconvert's CDN address.

>>> notebook_times("*Run time: about 7 s · Reading time: about 35 min*")
('about 7 s', 'about 35 min')
>>> pages = {Path("docs/glossary.md"): "glossary.html"}
>>> rewrite_links('<a href="../docs/glossary.md#paths">', Path("notebooks/00_tour.ipynb"), pages)
('<a href="glossary.html#paths">', [])
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import LstmsymError
from .options import writable_folder
from .progress import Progress

EXAMPLES = """\
examples:
  lstmsym site                                  # notebooks/*.ipynb, docs/*.md -> site/index.html, ...
  lstmsym site --output public/ --mathjax cdn   # load MathJax from its CDN instead of a local copy
  lstmsym site --mathjax /usr/share/javascript/mathjax   # copy this MathJax 2 folder into the site

Open site/index.html in a browser. The pages show the notebooks' stored outputs; run
'make notebooks' first if the package changed.
"""

#: MathJax 2 configurations a local copy may ship, in order of preference.
MATHJAX_CONFIGS = ("TeX-AMS_CHTML-full", "TeX-AMS-MML_HTMLorMML-full", "TeX-AMS_HTML-full", "TeX-AMS_HTML")
DEBIAN_MATHJAX = Path("/usr/share/javascript/mathjax")
#: The docs the navigation bar and the index name first (file -> what the bar calls it).
REFERENCE = {"glossary.md": "glossary", "summary.md": "summary"}
GALLERY = "gallery.html"
TIMES = "notebook_times.md"

PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>{head}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({{tex2jax: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
  displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]], processEscapes: true, processEnvironments: true}},
  messageStyle: "none"}});
</script>
<script src="{mathjax_url}"></script>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; line-height: 1.5; }}
main {{ max-width: 50em; margin: 2em auto 4em; padding: 0 1em; }}
li {{ margin: 0.4em 0; }}
.file, .times {{ color: #666; font-size: 0.9em; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; vertical-align: top; text-align: left; }}
code {{ background: #f4f4f4; padding: 0 0.2em; }}
pre {{ background: #f4f4f4; padding: 0.6em; overflow-x: auto; }}
img {{ max-width: 100%; }}
.anchor-link {{ visibility: hidden; text-decoration: none; margin-left: 0.3em; }}
h1:hover .anchor-link, h2:hover .anchor-link, h3:hover .anchor-link {{ visibility: visible; }}
</style>
</head>
<body>
{nav}
<main>
{body}
</main>
</body>
</html>
"""

NAV = (
    '<nav class="lstmsym-nav" style="font-family: system-ui, sans-serif; padding: 0.5em 1em; '
    'border-bottom: 1px solid #ddd;">{links}</nav>'
)
#: For the bar on the notebook pages, whose JupyterLab style draws links like plain text.
NAV_STYLE = "\n<style>.lstmsym-nav a { color: #0645ad; text-decoration: underline; }</style>"


@dataclass(frozen=True)
class Page:
    """One page of the site: the file it is made from (None for the gallery), its name and title."""

    source: Path | None
    name: str
    title: str


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "site",
        help="the notebooks as HTML pages in course order, with the docs, a cell gallery and an index",
        description="Publish the notebooks as HTML pages (math rendered, plots inline), the docs "
        "(glossary, summary, ...), a gallery of every cell's diagram, and an index.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=Path("notebooks"),
        metavar="DIR",
        help="folder of *.ipynb (default: notebooks)",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of *.md pages: the glossary, the summary, notebook_times.md, ... (default: the docs "
        "folder beside --notebooks, if there is one)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("site"),
        metavar="DIR",
        help="folder for the pages (default: site)",
    )
    parser.add_argument(
        "--title", default="lstmsym: why the LSTM keeps gradients alive", help="title of the index page"
    )
    parser.add_argument(
        "--mathjax",
        default="auto",
        metavar="auto|cdn|DIR",
        help="auto: a local MathJax if installed, else the CDN (default); cdn: always the "
        "CDN; DIR: a MathJax 2 folder (with MathJax.js) to copy into the site",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.notebooks.is_dir():
        raise LstmsymError(f"--notebooks {args.notebooks}: no such folder; give the folder of *.ipynb")
    notebooks = sorted(args.notebooks.glob("*.ipynb"))
    if not notebooks:
        raise LstmsymError(f"no *.ipynb in {args.notebooks}; give the folder with --notebooks DIR")
    if args.docs is not None and not args.docs.is_dir():
        raise LstmsymError(f"--docs {args.docs}: no such folder; give the folder of the *.md pages")
    docs_folder = args.docs if args.docs is not None else args.notebooks.parent / "docs"
    docs = sorted(docs_folder.glob("*.md")) if docs_folder.is_dir() else []
    if args.mathjax not in ("auto", "cdn") and not (Path(args.mathjax) / "MathJax.js").is_file():
        raise LstmsymError(
            f"--mathjax {args.mathjax}: no MathJax.js in that folder; expected auto, cdn or a MathJax 2 "
            "folder"
        )
    try:
        import nbformat
        from nbconvert import HTMLExporter
        from nbconvert.filters.markdown_mistune import markdown2html_mistune
    except ImportError as error:  # the [notebooks] extra is not installed
        raise LstmsymError(
            f"lstmsym site needs nbconvert ({error}); pip install 'lstmsym[notebooks]'"
        ) from None
    out = args.output
    read = {path: _read(nbformat, path) for path in notebooks}
    course = [Page(path, path.stem + ".html", _title(read[path], path)) for path in notebooks]
    texts = {path: _read_text(path) for path in docs}
    doc_pages = [Page(path, path.stem + ".html", _markdown_title(texts[path], path)) for path in docs]
    gallery = Page(None, GALLERY, "Cell gallery: every cell drawn from its rules")
    writable_folder(out, "--output")
    mathjax_url, where, head = _mathjax(args.mathjax, out)
    exporter = HTMLExporter(template_name="lab")
    if mathjax_url is not None:
        exporter.mathjax_url = mathjax_url
    site = _Site(course, doc_pages, gallery, head, exporter.mathjax_url)
    with Progress("lstmsym site", total=len(course) + len(doc_pages) + 1) as progress:
        for i, page in enumerate(course):
            progress.update(i, note=page.source.name)
            site.notebook_page(page, read[page.source], exporter, out)
            progress.clear()
            print(f"wrote {out / page.name}  ({page.title})", flush=True)
        for i, page in enumerate(doc_pages):
            progress.update(len(course) + i, note=page.source.name)
            body = markdown2html_mistune(texts[page.source])
            site.write(out, page, site.links(body, page))
        progress.update(len(course) + len(doc_pages), note="gallery")
        site.write(out, gallery, markdown2html_mistune(_gallery_markdown(out / "diagrams")))
        times = {
            page.name: _times(read[page.source], page.source.stem, docs_folder / TIMES) for page in course
        }
        site.write(out, Page(None, "index.html", args.title), site.index_body(args.title, times))
    for note in site.notes:
        print(f"lstmsym site: note: {note}", file=sys.stderr)
    print(f"wrote {len(doc_pages)} docs pages and {GALLERY} (diagrams in {out / 'diagrams'})")
    print(f"wrote {out / 'index.html'}  ({len(course)} notebooks; math: {where})")
    return 0


class _Site:
    """The pages of one site, and what each page's bar links to."""

    def __init__(self, course: list[Page], docs: list[Page], gallery: Page, head: str, mathjax_url: str):
        self.course, self.docs, self.gallery = course, docs, gallery
        self.head, self.mathjax_url = head, mathjax_url
        self.targets = {page.source: page.name for page in [*course, *docs]}
        self.notes: list[str] = []

    def reference(self) -> list[tuple[str, str]]:
        """(page, label) of the glossary, the summary (when there are such docs) and the gallery."""
        named = {page.source.name: page.name for page in self.docs}
        out = [(named[file], label) for file, label in REFERENCE.items() if file in named]
        return [*out, (self.gallery.name, "cell gallery")]

    def nav(self, page: Page) -> str:
        links = ['<a href="index.html">contents</a>']
        if page in self.course:
            i = self.course.index(page)
            if i:
                before = self.course[i - 1]
                links.insert(0, f'<a href="{before.name}">&larr; {html.escape(before.title)}</a>')
            if i + 1 < len(self.course):
                after = self.course[i + 1]
                links.append(f'<a href="{after.name}">{html.escape(after.title)} &rarr;</a>')
        extra = [f'<a href="{name}">{label}</a>' for name, label in self.reference() if name != page.name]
        return NAV.format(links=" &middot; ".join(links) + " &nbsp;|&nbsp; " + " &middot; ".join(extra))

    def links(self, body: str, page: Page) -> str:
        body, missing = rewrite_links(body, page.source, self.targets)
        self.notes += [f"{page.name}: link to {href} has no page on the site" for href in missing]
        return body

    def write(self, out: Path, page: Page, body: str) -> None:
        text = PAGE.format(
            title=html.escape(page.title.replace("$", "")),  # a <title> shows no math
            head=self.head,
            mathjax_url=html.escape(self.mathjax_url),
            nav=self.nav(page),
            body=body,
        )
        (out / page.name).write_text(text, encoding="utf-8")

    def notebook_page(self, page: Page, notebook, exporter, out: Path) -> None:
        plain = page.title.replace("$", "")
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": plain}})
        body = self.links(body, page)
        nav = self.nav(page)
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + nav, body, count=1)
        body = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + self.head + NAV_STYLE, body, count=1)
        (out / page.name).write_text(body, encoding="utf-8")

    def index_body(self, title: str, times: dict[str, tuple[str, str] | None]) -> str:
        items = []
        for page in self.course:
            time = times[page.name]
            when = f' <span class="times">run {time[0]} &middot; reading {time[1]}</span>' if time else ""
            items.append(
                f'<li><a href="{page.name}">{html.escape(page.title)}</a> '
                f'<span class="file">{html.escape(page.source.name)}</span>{when}</li>'
            )
        timed = [page.name for page in self.docs if page.source.name == TIMES]
        how = f' (<a href="{timed[0]}">how they were found</a>)' if timed else ""
        named = dict(self.reference())
        titles = {page.name: page.title for page in [*self.docs, self.gallery]}
        reference = [f'<li><a href="{name}">{html.escape(titles[name])}</a></li>' for name in named]
        others = [
            f'<li><a href="{page.name}">{html.escape(page.title)}</a> '
            f'<span class="file">{html.escape(page.source.name)}</span></li>'
            for page in self.docs
            if page.name not in named
        ]
        parts = [
            f"<h1>{html.escape(title)}</h1>",
            "<p>The notebooks in course order. Each page shows the notebook with its stored outputs; "
            f"run time is for executing it top to bottom, reading time an estimate{how}.</p>",
            '<ol class="course">\n' + "\n".join(items) + "\n</ol>",
            "<h2>Reference</h2>",
            '<ul class="reference">\n' + "\n".join(reference) + "\n</ul>",
        ]
        if others:
            parts += ["<h2>Other documents</h2>", '<ul class="docs">\n' + "\n".join(others) + "\n</ul>"]
        return "\n".join(parts)


def rewrite_links(body: str, source: Path | None, targets: dict[Path, str]) -> tuple[str, list[str]]:
    """``body`` with each relative ``href`` to a file in ``targets`` (path -> page) pointing at its page.

    A link is resolved from ``source``'s folder; its ``#fragment`` is kept. Returns the new body and the
    relative links to files that have no page (anchors, absolute addresses and pages of the site itself
    are left alone and not reported).
    """
    resolved = {Path(os.path.abspath(path)): page for path, page in targets.items()}
    pages = set(targets.values())
    missing: list[str] = []

    def replace(match: re.Match) -> str:
        href = html.unescape(match.group(2))
        target, _, fragment = href.partition("#")
        if not target or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/", target) or target in pages or source is None:
            return match.group(0)
        path = Path(os.path.abspath(source.parent / target))
        if path not in resolved:
            missing.append(href)
            return match.group(0)
        new = resolved[path] + (f"#{fragment}" if fragment else "")
        return f"{match.group(1)}{html.escape(new)}{match.group(3)}"

    return re.sub(r'(\bhref=")([^"]*)(")', replace, body), missing


def notebook_times(text: str) -> tuple[str, str] | None:
    """(run, reading) from a line ``Run time: about 7 s · Reading time: about 35 min``, or None.

    Both must hold a number: a header still waiting for its figures (``about RUN s``) gives None.

    >>> notebook_times("*Run time: about RUN s · Reading time: about READ min*") is None
    True
    """
    found = re.search(r"Run time:\s*([^·*\n]+?)\s*·\s*Reading time:\s*([^·*\n]+?)\s*(?:\*|\.|$)", text, re.M)
    if found is None or not all(re.search(r"\d", part) for part in found.groups()):
        return None
    return found.group(1), found.group(2)


def table_times(text: str, stem: str) -> tuple[str, str] | None:
    """(run, reading) of notebook ``stem`` from the table of ``docs/notebook_times.md``, or None.

    The columns are found by their headings (the one starting "run", the one starting "reading").
    """
    header: list[str] | None = None
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|"):
            continue
        if header is None:
            header = [cell.lower() for cell in cells]
            continue
        run = next((i for i, h in enumerate(header) if h.startswith("run")), None)
        reading = next((i for i, h in enumerate(header) if h.startswith("reading")), None)
        if run is None or reading is None:
            return None
        if len(cells) == len(header) and cells[0].strip("`") == stem:
            return re.sub(r"\s*\(.*\)$", "", cells[run]), cells[reading]
    return None


def _times(notebook, stem: str, table: Path) -> tuple[str, str] | None:
    """The notebook's run and reading times: its header line first, else the table in ``table``."""
    for cell in notebook.cells[:3]:
        if cell.cell_type == "markdown" and (found := notebook_times(cell.source)):
            return found
    if table.is_file():
        return table_times(_read_text(table), stem)
    return None


def _gallery_markdown(folder: Path) -> str:
    """The gallery page in Markdown; writes each cell's diagrams into ``folder`` as it goes."""
    from ..cells.variants import VARIANTS, variant_cell
    from .catalogue import DIAGRAM_NOTES, diagrams
    from .cells import variant_flags

    folder.mkdir(exist_ok=True)
    out = [
        "# Cell gallery",
        "Every cell and switch of lstmsym, one step each: its update equations and its diagram, drawn by "
        "`lstmsym.diagrams` from the cell's rules. Each box is a quantity of the step; an arrow u → v "
        "means v's rule reads u. The first picture marks the direct path in red, the second (every cell "
        "but the RNN) the loop. The same pictures stand in the derivation catalogue (`catalogue/` in the "
        "repository), beside each cell's Jacobians.",
    ]
    for variant in VARIANTS:
        cell = variant_cell(variant)
        out += [f"## {variant}: {cell.title}", f"`lstmsym derive {variant_flags(variant)}`"]
        out.append(f"$$\n{cell.latex()}\n$$")
        for name, svg in diagrams(variant).items():
            (folder / name).write_text(svg, encoding="utf-8")
            what, note = ("loop", "loop") if name.endswith("-loop.svg") else ("direct path", "direct")
            out += [f"![{variant}: one step, the {what} in red](diagrams/{name})", DIAGRAM_NOTES[note]]
    return "\n\n".join(out) + "\n"


def _read(nbformat, path: Path):
    """The notebook at ``path``; a file that is not one is refused by name."""
    try:
        return nbformat.read(path, as_version=4)
    except (ValueError, KeyError, AttributeError, TypeError) as error:  # not JSON, not a notebook
        raise LstmsymError(f"{path} is not a readable notebook ({type(error).__name__})") from None


def _read_text(path: Path) -> str:
    """The text of a Markdown page; one that is not UTF-8 text is refused by name."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LstmsymError(f"{path} is not UTF-8 text; the docs pages must be Markdown") from None


def _markdown_title(text: str, path: Path) -> str:
    """The page's first heading, else its file name."""
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return path.stem


def _title(notebook, path: Path) -> str:
    """The notebook's first Markdown heading, else its file name."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def find_local_mathjax() -> Path | None:
    """A MathJax 2 folder installed on this machine (jupyter-server-mathjax, then Debian's), or None."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        candidates = []
    else:
        candidates = [Path(jupyter_server_mathjax.__file__).parent / "static"]
    candidates.append(DEBIAN_MATHJAX)
    for folder in candidates:
        if (folder / "MathJax.js").is_file() and _config(folder):
            return folder
    return None


def _config(folder: Path) -> str | None:
    for name in MATHJAX_CONFIGS:
        if (folder / "config" / f"{name}.js").is_file():
            return name
    return None


#: For a MathJax copy without its TeX web fonts (jupyter-server-mathjax ships only STIX-Web).
STIX_ONLY = """
<script type="text/x-mathjax-config">
MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], webFont: "STIX-Web", imageFont: null}});
</script>"""


def _mathjax(choice: str, out: Path) -> tuple[str | None, str, str]:
    """The MathJax URL for the pages (None: nbconvert's CDN default), where it is from, and extra <head>."""
    if choice == "cdn":
        return None, "MathJax from its CDN (needs a network)", ""
    source = find_local_mathjax() if choice == "auto" else Path(choice)
    if source is None:
        note = "MathJax from its CDN (needs a network; install jupyter-server-mathjax for offline pages)"
        return None, note, ""
    if not (source / "MathJax.js").is_file():
        raise LstmsymError(
            f"--mathjax {choice}: no MathJax.js in that folder; expected auto, cdn or a MathJax 2 folder"
        )
    config = _config(source)
    if config is None:
        raise LstmsymError(f"--mathjax {choice}: no TeX configuration in {source / 'config'}")
    shutil.copytree(source, out / "mathjax", dirs_exist_ok=True)
    fonts = source / "fonts" / "HTML-CSS"
    head = STIX_ONLY if not (fonts / "TeX").is_dir() and (fonts / "STIX-Web").is_dir() else ""
    return f"mathjax/MathJax.js?config={config},Safe", f"local MathJax copied from {source}", head
