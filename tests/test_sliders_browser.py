"""A slider app live in JupyterLab: a real server, headless Chromium driven by Selenium, a real kernel.

The test starts ``jupyter lab`` on a free port of 127.0.0.1 with a random token, in a temporary folder
holding one small notebook that calls :func:`lstmsym.experiments.sliders.pascanu_slider`. Chromium opens
it, runs every cell (JupyterLab's own "Run All Cells" command), waits for the widget, presses the right
arrow key on the slider's handle, and checks that the figure in the widget's Output changed: the <img>
data before and after differ, and the new one is, byte for byte, the figure the package draws for the
new knob value.

Chromium and chromedriver come from Debian (``make browser`` installs them; ``make test`` does so first
when CI is set). Without them the test is skipped with that instruction, except under CI, where it fails.
"""

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60  # seconds, for every wait below
KNOBS = {"n": 8, "T": 50, "seeds": (0, 1, 2)}  # small: the kernel computes a redraw in well under a second
NOTEBOOK_SOURCE = [
    "%matplotlib inline\nfrom lstmsym.experiments import sliders",
    f"sliders.pascanu_slider(gamma_lambda1=1.0, n={KNOBS['n']}, T={KNOBS['T']}, seeds={KNOBS['seeds']})",
]


def unavailable(reason: str):
    """Skip, with how to install what is missing; under CI (where `make test` installs it) fail instead."""
    message = f"{reason}; install it with 'make browser' (Debian: apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(f"CI: {message}")
    pytest.skip(message)


def browser_paths() -> tuple[str, str]:
    chromium = next(
        (p for name in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(name))), None
    )
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        unavailable(f"no {'chromium' if chromium is None else 'chromedriver'} on PATH")
    return chromium, driver


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(folder: Path) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_SOURCE]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "slider.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on tmp_path/root: yields (base URL, token); shut down and its kernels with it."""
    pytest.importorskip("ipywidgets", reason="the notebooks extra (ipywidgets) is not installed")
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists():
        unavailable(f"no jupyter next to {sys.executable}")
    root = tmp_path / "root"
    root.mkdir()
    write_notebook(root)
    port, token = free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the inline backend, as in `make lab`
    env.update(
        OPENBLAS_NUM_THREADS="1",
        PYTHONHASHSEED="0",
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),  # no user configuration
    )
    command = [
        str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
        f"--LabApp.user_settings_dir={tmp_path / 'settings'}", f"--LabApp.workspaces_dir={tmp_path / 'ws'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run JupyterLab's own commands
    ]  # fmt: skip
    if (ROOT / "lab" / "overrides.json").exists():  # the project's defaults: no news prompt over the page
        command.append(f"--LabApp.app_settings_dir={ROOT / 'lab'}")
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            if server.poll() is not None:
                log_text = (tmp_path / "lab.log").read_text()
                unavailable(f"jupyter lab exited with {server.returncode}: {log_text}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as reply:
                    json.load(reply)
                break
            except OSError:
                if time.monotonic() > deadline:
                    unavailable(f"jupyter lab did not answer within {TIMEOUT} s")
                time.sleep(0.5)
        yield base, token
    finally:
        try:  # the server's own shutdown also stops the kernels it started
            request = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=10).close()
            server.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def headless_chromium(window: str, page_timeout: float = TIMEOUT):
    """A headless Chromium driven by Selenium at ``window`` ("width,height"), quit when the caller ends."""
    chromium, driver_path = browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={window}"):
        options.add_argument(argument)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as error:  # a driver that does not match the browser, a sandbox that refuses, ...
        unavailable(f"headless Chromium did not start: {error}")
    driver.set_page_load_timeout(page_timeout)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser():
    yield from headless_chromium("1400,1000")


def image_in_output(driver) -> str | None:
    """The base64 PNG of the <img> in the slider app's Output widget, or None while there is none."""
    images = driver.find_elements("css selector", ".jupyter-widgets.widget-output img, .widget-output img")
    sources = [image.get_attribute("src") or "" for image in images]
    sources = [s for s in sources if s.startswith("data:image/png;base64,")]
    return sources[-1].split(",", 1)[1] if sources else None


def test_moving_the_slider_in_jupyterlab_redraws_the_figure(browser, lab):  # browser first: skips at once
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from lstmsym.experiments import sliders

    base, token = lab
    wait = WebDriverWait(browser, TIMEOUT, poll_frequency=0.25)
    browser.get(f"{base}/lab/tree/slider.ipynb?token={token}")
    # JupyterLab is up, the notebook is open and its kernel is idle: then run every cell.
    wait.until(lambda d: d.execute_script("return !!(window.jupyterapp && window.jupyterapp.shell)"))
    wait.until(lambda d: d.find_elements("css selector", ".jp-Notebook .jp-Cell"))
    wait.until(
        lambda d: d.execute_script(
            "const w = window.jupyterapp.shell.currentWidget;"
            "const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
            "return !!k && k.status === 'idle';"
        )
    )
    browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")

    before = wait.until(image_in_output, message="the slider app's figure never appeared")
    handle = wait.until(lambda d: d.find_element("css selector", ".widget-slider .noUi-handle"))
    readout = browser.find_element("css selector", ".widget-slider .widget-readout")
    assert readout.text.strip() == "1.00"

    handle.click()
    handle.send_keys(Keys.ARROW_RIGHT)  # one step: gamma lambda1 = 1.05
    wait.until(lambda d: readout.text.strip() == "1.05", message="the slider did not move")
    after = wait.until(
        lambda d: (image := image_in_output(d)) not in (None, before) and image,
        message="the figure did not change after the slider moved",
    )
    assert base64.b64decode(before) == sliders.pascanu_slider(1.0, **KNOBS).png
    assert base64.b64decode(after) == sliders.pascanu_slider(1.05, **KNOBS).png
