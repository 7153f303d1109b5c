"""The site as a reader sees it: ``lstmsym site`` on the real notebooks and docs, opened in headless Chromium.

The site is built with the local MathJax copy (no network), served from 127.0.0.1 by a small HTTP server,
and every page is opened in Chromium (driven by Selenium). On each page: MathJax ran and reported no
error, and on the pages written from Markdown (index, glossary, summary, gallery, the other docs) no
``$...$`` is left untypeset; every image loaded; every link inside the site answers, and every
``#fragment`` names an element of its page. A click on the notebooks' glossary link lands on the glossary.

Chromium and chromedriver come from Debian (``make browser``); without them the test is skipped (under CI
it fails), as in tests/test_sliders_browser.py.
"""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_sliders_browser import headless_chromium

from lstmsym.cli import main
from lstmsym.cli.site import find_local_mathjax

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # seconds, for a page to load and MathJax to finish (the notebooks hold hundreds of formulas)

STATE = """
const images = [...document.images];
const hub = window.MathJax && MathJax.Hub;
return {
  done: !!hub && !!hub.queue && hub.queue.pending === 0 && hub.queue.running === 0,
  typeset: document.querySelectorAll('.MathJax_CHTML, .MathJax, .MathJax_Display').length,
  errors: document.querySelectorAll('.MathJax_Error, .mjx-merror, merror').length,
  images: images.length,
  broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80)),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  raw: document.body.innerText.match(/\\$[^$\\n]{1,60}\\$/g) || [],
};
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no request log on stderr
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the browser moved on before a file was sent
            pass


@pytest.fixture(scope="module")
def browser():
    yield from headless_chromium("1200,900", page_timeout=TIMEOUT)


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):  # browser first: without Chromium, skip before building anything
    """The site of the repository's notebooks and docs, served over HTTP: yields (base URL, folder)."""
    if find_local_mathjax() is None:
        pytest.skip("no local MathJax (pip install jupyter-server-mathjax): the pages would need a network")
    out = tmp_path_factory.mktemp("site")
    argv = [
        "site",
        "--notebooks",
        str(ROOT / "notebooks"),
        "--docs",
        str(ROOT / "docs"),
        "--output",
        str(out),
    ]
    assert main(argv) == 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", out
    finally:
        server.shutdown()
        server.server_close()


def open_page(driver, url: str) -> dict:
    """Load ``url`` and wait until MathJax has typeset it; return what :data:`STATE` reports."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    wait = WebDriverWait(driver, TIMEOUT, poll_frequency=0.5)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    wait.until(lambda d: d.execute_script(STATE)["done"], message=f"MathJax did not finish on {url}")
    return driver.execute_script(STATE)


def test_every_page_renders_with_math_images_and_working_links(browser, site):
    base, out = site
    pages = sorted(p.name for p in out.glob("*.html"))
    notebooks = sorted(p.stem + ".html" for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert {"index.html", "glossary.html", "summary.html", "gallery.html", *notebooks} <= set(pages)
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    with_math = {"glossary.html", "summary.html", "gallery.html", *notebooks}
    for page in pages:
        state = open_page(browser, base + page)
        assert state["errors"] == 0, page
        if page in with_math:
            assert state["typeset"] > 0, page
        assert state["broken"] == [], (page, state["broken"])
        if page not in notebooks:  # a notebook's outputs may print a literal $ (LaTeX source, on purpose)
            assert state["raw"] == [], (page, state["raw"][:3])
        ids[page] = set(state["ids"])
        links[page] = state["links"]
    assert open_page(browser, base + "gallery.html")["images"] == len(list((out / "diagrams").iterdir()))
    for page, hrefs in links.items():
        for href in hrefs:
            if not href.startswith(base):
                continue  # the web: not this site's business
            target, _, fragment = href[len(base) :].partition("#")
            target = target or page
            with urllib.request.urlopen(base + target, timeout=30) as reply:  # a missing file raises 404
                assert reply.status == 200, (page, href)
            if fragment and target.endswith(".html"):
                # as the browser does: the fragment as written, or decoded (nbconvert's ids keep %C2%B7)
                assert {fragment, urllib.parse.unquote(fragment)} & ids[target], (page, href)
    index = links["index.html"]
    assert [base + n for n in notebooks] == [h for h in index if h[len(base) :] in notebooks]  # course order


def test_a_notebook_links_to_the_glossary_page(browser, site):
    base, _ = site
    open_page(browser, base + "00_tour.html")
    glossary = browser.find_elements("xpath", "//a[not(ancestor::nav)][normalize-space() = 'glossary']")
    assert glossary, "notebook 00 has no glossary link in its text"
    assert glossary[0].get_attribute("href") == base + "glossary.html"  # ../docs/glossary.md, rewritten
    glossary[0].click()
    state = open_page(browser, browser.current_url)
    assert browser.current_url == base + "glossary.html"
    assert "Glossary" in browser.title and state["typeset"] > 0
