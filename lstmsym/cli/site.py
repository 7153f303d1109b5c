"""``lstmsym site``: the notebooks as HTML pages in course order, with an index page.

Each ``notebooks/*.ipynb`` (in name order, which is course order) becomes one page through
nbconvert's HTML exporter, with its stored outputs (the ones strict nbval checks), plots inline as
images, and math typeset by MathJax. Pages link to the previous and next one and to the index.

MathJax: by default a local copy is used when one is installed (the ``jupyter-server-mathjax``
package, or Debian's ``libjs-mathjax``) and copied into the site, so the pages render math without
a network; otherwise the pages load MathJax from nbconvert's CDN address.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
from pathlib import Path

from ..errors import LstmsymError
from .options import writable_folder
from .progress import Progress

EXAMPLES = """\
examples:
  lstmsym site                                  # notebooks/*.ipynb -> site/index.html, site/00_tour.html, ...
  lstmsym site --output public/ --mathjax cdn   # load MathJax from its CDN instead of a local copy
  lstmsym site --mathjax /usr/share/javascript/mathjax   # copy this MathJax 2 folder into the site

Open site/index.html in a browser. The pages show the notebooks' stored outputs; run
'make notebooks' first if the package changed.
"""

#: MathJax 2 configurations a local copy may ship, in order of preference.
MATHJAX_CONFIGS = ("TeX-AMS_CHTML-full", "TeX-AMS-MML_HTMLorMML-full", "TeX-AMS_HTML-full", "TeX-AMS_HTML")
DEBIAN_MATHJAX = Path("/usr/share/javascript/mathjax")

INDEX = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>{head}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({{tex2jax: {{inlineMath: [["$", "$"]], processEscapes: true}}, messageStyle: "none"}});
</script>
<script src="{mathjax_url}"></script>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46em; margin: 3em auto; padding: 0 1em;
       line-height: 1.5; }}
li {{ margin: 0.4em 0; }}
.file {{ color: #666; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>The notebooks in course order. Each page shows the notebook with its stored outputs.</p>
<ol>
{items}
</ol>
</body>
</html>
"""

NAV = (
    '<nav style="font-family: system-ui, sans-serif; padding: 0.5em 1em; border-bottom: 1px solid #ddd;">'
    '{prev} &middot; <a href="index.html">contents</a> &middot; {next}</nav>'
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "site",
        help="the notebooks as HTML pages in course order, with an index page",
        description="Publish the notebooks as HTML pages (math rendered, plots inline) with an index.",
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
    if args.mathjax not in ("auto", "cdn") and not (Path(args.mathjax) / "MathJax.js").is_file():
        raise LstmsymError(
            f"--mathjax {args.mathjax}: no MathJax.js in that folder; expected auto, cdn or a MathJax 2 "
            "folder"
        )
    try:
        import nbformat
        from nbconvert import HTMLExporter
    except ImportError as error:  # the [notebooks] extra is not installed
        raise LstmsymError(
            f"lstmsym site needs nbconvert ({error}); pip install 'lstmsym[notebooks]'"
        ) from None
    out = args.output
    pages = [(path, path.stem + ".html", _title(_read(nbformat, path), path)) for path in notebooks]
    writable_folder(out, "--output")
    mathjax_url, where, head = _mathjax(args.mathjax, out)
    exporter = HTMLExporter(template_name="lab")
    if mathjax_url is not None:
        exporter.mathjax_url = mathjax_url
    mathjax_url = exporter.mathjax_url
    with Progress("lstmsym site", total=len(pages)) as progress:
        _pages(pages, exporter, head, out, progress, nbformat)
    items = "\n".join(
        f'<li><a href="{page}">{html.escape(title)}</a> '
        f'<span class="file">{html.escape(path.name)}</span></li>'
        for path, page, title in pages
    )
    (out / "index.html").write_text(
        INDEX.format(
            title=html.escape(args.title), items=items, head=head, mathjax_url=html.escape(mathjax_url)
        ),
        encoding="utf-8",
    )
    print(f"wrote {out / 'index.html'}  ({len(pages)} notebooks; math: {where})")
    return 0


def _pages(pages, exporter, head: str, out: Path, progress: Progress, nbformat) -> None:
    """Write one HTML page per notebook, each linked to the previous and next one."""
    for i, (path, page, title) in enumerate(pages):
        progress.update(i, note=path.name)
        notebook = _read(nbformat, path)
        plain = title.replace("$", "")  # a <title> shows no math
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": plain}})
        prev = f'<a href="{pages[i - 1][1]}">&larr; {html.escape(pages[i - 1][2])}</a>' if i else ""
        nxt = (
            f'<a href="{pages[i + 1][1]}">{html.escape(pages[i + 1][2])} &rarr;</a>'
            if i + 1 < len(pages)
            else ""
        )
        nav = NAV.format(prev=prev, next=nxt)
        body = re.sub(r"(<body[^>]*>)", lambda m, nav=nav: m.group(1) + "\n" + nav, body, count=1)
        body = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + head, body, count=1)
        (out / page).write_text(body, encoding="utf-8")
        progress.clear()
        print(f"wrote {out / page}  ({title})", flush=True)


def _read(nbformat, path: Path):
    """The notebook at ``path``; a file that is not one is refused by name."""
    try:
        return nbformat.read(path, as_version=4)
    except (ValueError, KeyError, AttributeError, TypeError) as error:  # not JSON, not a notebook
        raise LstmsymError(f"{path} is not a readable notebook ({type(error).__name__})") from None


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
