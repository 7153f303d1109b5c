"""`make lab` opens without JupyterLab's "Jupyter news" prompt: the project ships lab/overrides.json and the
Makefile points JupyterLab at it. Checked on a real server started with the Makefile's own command."""

import json
import os
import shlex
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "@jupyterlab/apputils-extension:notification"


def test_overrides_set_a_valid_value_of_the_installed_schema():
    overrides = json.loads((ROOT / "lab" / "overrides.json").read_text())
    schemas = ROOT / ".venv" / "share" / "jupyter" / "lab" / "schemas"
    schema_file = schemas / "@jupyterlab" / "apputils-extension" / "notification.json"
    if not schema_file.exists():
        pytest.skip("JupyterLab's schemas are not installed in .venv")
    schema = json.loads(schema_file.read_text())["properties"]
    assert overrides[PLUGIN]["fetchNews"] == "false"
    assert {"const": "false", "title": "Never"} in schema["fetchNews"]["oneOf"]
    assert overrides[PLUGIN]["checkForUpdates"] is False and schema["checkForUpdates"]["type"] == "boolean"
    assert set(overrides[PLUGIN]) <= set(schema)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_command(port: int) -> list[str]:
    """The recipe of `make lab NO_BROWSER=1 PORT=port`, without re-checking the venv (-o: stamp is old)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(
        ["make", "-n", "-s", "-o", ".venv/.installed", "lab", "NO_BROWSER=1", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    recipe = out.replace("\\\n", " ").strip().splitlines()[-1]
    command = shlex.split(recipe)
    assert "jupyter" in command[command.index("env") + 4], command  # env -u MPLBACKEND VAR=... jupyter lab
    return command


def test_make_lab_serves_fetch_news_false(tmp_path):
    try:
        port = _free_port()
    except OSError as error:
        pytest.skip(f"cannot bind a local port: {error}")
    command = _lab_command(port)
    token = "lstmsym-test"
    env = {
        **os.environ,
        "JUPYTER_TOKEN": token,
        # a fresh user: no settings or workspaces of whoever runs the tests
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}/lab/api/settings/{PLUGIN}?token={token}"
    try:
        deadline, reply = time.monotonic() + 60, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    reply = json.load(response)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        if reply is None:
            server.terminate()
            stderr = server.communicate(timeout=10)[1]
            if "address already in use" in stderr.lower() or "could not bind" in stderr.lower():
                pytest.skip("the port was taken before the server started")
            pytest.fail(f"JupyterLab did not answer on port {port}:\n{stderr[-2000:]}")
        defaults = {name: spec["default"] for name, spec in reply["schema"]["properties"].items()}
        assert defaults["fetchNews"] == "false"  # JupyterLab's own default is "none": ask
        assert defaults["checkForUpdates"] is False
        assert reply["raw"] == "{}"  # nothing from a user: the project's defaults decide
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
