"""The build files agree with one another and with the interpreter that runs the tests.

pyproject.toml names the direct dependencies (lower bounds only), constraints.txt pins the whole
transitive set exactly (``make constraints`` writes it), environment.yml repeats the direct ones for
conda users. These tests keep the three from drifting apart, check that the running environment has
the pinned versions and this checkout installed in editable mode, that the nbval sanitize file is
read the way nbval reads it, and that the stored notebooks were run top to bottom.
"""

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "lstmsym"
# Entries of environment.yml that are tools of conda itself, not dependencies of pyproject.toml.
CONDA_ONLY = {"python", "pip"}


def normalize(name: str) -> str:
    """PEP 503 name: case, '_', '.' and '-' do not matter (``Jinja2`` == ``jinja2``)."""
    return canonicalize_name(name)


def direct_requirements() -> dict[str, Requirement]:
    """Runtime dependencies and every extra of pyproject.toml, by normalized name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    strings = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        strings.extend(extra)
    requirements: dict[str, Requirement] = {}
    for string in strings:
        requirement = Requirement(string)
        name = normalize(requirement.name)
        if name == PROJECT:  # an extra that pulls in other extras, e.g. "lstmsym[test]"
            continue
        assert name not in requirements, f"{name} is listed twice in pyproject.toml"
        requirements[name] = requirement
    return requirements


def parse_constraints(text: str) -> dict[str, str]:
    """``name==version`` lines of a constraints file, by normalized name; anything else is an error."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s=;,<>!~]+)", line)
        assert match, f"constraints.txt line {number} is not an exact 'name==version' pin: {raw!r}"
        name = normalize(match[1])
        assert name not in pins, f"constraints.txt pins {name} twice"
        pins[name] = match[2]
    return pins


def parse_environment_yml(text: str) -> tuple[str | None, list[str], list[str]]:
    """(name, conda specs, pip specs) of an environment.yml in the simple block style.

    Only what environment.yml needs is understood: top-level ``key: value`` lines, the
    ``dependencies:`` list, and one nested ``- pip:`` list in it. Anything else in the dependencies
    raises, so that a format this parser does not know cannot pass unnoticed.
    """
    env_name = None
    conda: list[str] = []
    pip: list[str] = []
    in_dependencies = in_pip = False
    item_indent = None
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).rstrip()
        if not line:
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            key, _, value = line.partition(":")
            in_dependencies, in_pip = key == "dependencies", False
            if key == "name":
                env_name = value.strip()
            continue
        if not in_dependencies:
            continue
        stripped = line.strip()
        if not stripped.startswith("- "):
            raise ValueError(f"environment.yml: unexpected line in dependencies: {raw!r}")
        value = stripped[2:].strip()
        if item_indent is None:
            item_indent = indent
        if indent == item_indent:
            in_pip = value == "pip:"
            if not in_pip:
                conda.append(value)
        elif in_pip and indent > item_indent:
            pip.append(value)
        else:
            raise ValueError(f"environment.yml: unexpected nesting: {raw!r}")
    return env_name, conda, pip


def parse_conda_spec(spec: str) -> tuple[str, str, str]:
    """``'numpy==2.4.6'`` -> ``('numpy', '==', '2.4.6')``; no version gives empty strings."""
    match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:(==|=|>=|<=|>|<|!=)\s*(\S+))?", spec)
    if not match:
        raise ValueError(f"environment.yml: cannot read the package spec {spec!r}")
    return normalize(match[1]), match[2] or "", match[3] or ""


def environment() -> tuple[str | None, dict[str, tuple[str, str]], list[str]]:
    """(name, conda packages by normalized name -> (operator, version), pip specs) of environment.yml."""
    env_name, conda_specs, pip_specs = parse_environment_yml(
        (ROOT / "environment.yml").read_text(encoding="utf-8")
    )
    packages: dict[str, tuple[str, str]] = {}
    for spec in conda_specs:
        name, operator, version = parse_conda_spec(spec)
        assert name not in packages, f"environment.yml lists {name} twice"
        packages[name] = (operator, version)
    return env_name, packages, pip_specs


def constraints() -> dict[str, str]:
    return parse_constraints((ROOT / "constraints.txt").read_text(encoding="utf-8"))


# --- the parsers themselves (so that a parser bug cannot make the checks below vacuous) ---


def test_parse_environment_yml_reads_nested_pip_list_and_comments():
    text = "name: x  # env\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  # runtime\n"
    text += "  - Foo_Bar==1.0  # pinned\n  - pip\n  - pip:\n      - -e .\nvariables:\n  A: 1\n"
    assert parse_environment_yml(text) == ("x", ["python=3.11", "Foo_Bar==1.0", "pip"], ["-e ."])
    assert parse_conda_spec("Foo_Bar==1.0") == ("foo-bar", "==", "1.0")
    with pytest.raises(ValueError):
        parse_environment_yml("dependencies:\n  numpy: 1\n")


def test_parse_constraints_rejects_ranges():
    assert parse_constraints("# c\nJinja2==3.1.6\n\nruff==0.1  # x\n") == {"jinja2": "3.1.6", "ruff": "0.1"}
    with pytest.raises(AssertionError, match="exact"):
        parse_constraints("numpy>=2\n")


# --- pyproject.toml, constraints.txt and environment.yml agree ---


def test_constraints_are_exact_pins_without_the_project_itself():
    pins = constraints()
    assert PROJECT not in pins, "constraints.txt must not pin lstmsym itself (freeze with --exclude-editable)"
    assert {"pip", "setuptools"} <= pins.keys(), "the Makefile installs pip and setuptools from these pins"


def test_direct_dependencies_equal_environment_yml_packages():
    in_pyproject = set(direct_requirements())
    _, packages, _ = environment()
    in_environment = set(packages) - CONDA_ONLY
    assert in_pyproject == in_environment, (
        f"only in pyproject.toml: {sorted(in_pyproject - in_environment)}; "
        f"only in environment.yml: {sorted(in_environment - in_pyproject)}"
    )


def test_environment_yml_pins_equal_constraints():
    pins = constraints()
    _, packages, _ = environment()
    wrong = {}
    for name, (operator, version) in sorted(packages.items()):
        if name in CONDA_ONLY:
            continue
        if operator != "==" or version != pins.get(name):
            pinned = pins.get(name)
            wrong[name] = f"environment.yml has {operator or 'no pin'}{version}, constraints.txt =={pinned}"
    assert not wrong, wrong


def test_every_direct_dependency_is_pinned_within_its_pyproject_bounds():
    pins = constraints()
    for name, requirement in direct_requirements().items():
        assert name in pins, f"{name} (pyproject.toml) has no pin in constraints.txt"
        assert requirement.specifier.contains(Version(pins[name]), prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside pyproject.toml's {requirement}"
        )


def test_environment_yml_installs_this_project_editable_with_python_311():
    env_name, packages, pip_specs = environment()
    assert env_name == PROJECT
    assert pip_specs == ["-e ."]
    assert packages.get("python") == ("=", "3.11")


# --- the interpreter running these tests is the pinned environment ---


def test_installed_direct_dependencies_have_the_pinned_versions():
    pins = constraints()
    wrong = {}
    for name in direct_requirements():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != pins.get(name):
            wrong[name] = f"installed {installed}, pinned {pins.get(name)}"
    assert not wrong, f"{wrong}: run 'make venv' (or 'make test') to install the pinned versions"


def test_lstmsym_is_an_editable_install_of_this_checkout(tmp_path):
    """Outside the checkout (no source directory on sys.path), import lstmsym still finds this checkout."""
    import lstmsym

    assert Path(lstmsym.__file__).resolve().is_relative_to(ROOT / PROJECT)
    # Several metadata directories may be visible: setuptools also leaves lstmsym.egg-info in the
    # checkout, which is first on sys.path under `python -m pytest`. The installed one has direct_url.json.
    urls = [
        json.loads(text)
        for distribution in metadata.distributions(name=PROJECT)
        if (text := distribution.read_text("direct_url.json"))
    ]
    editable = [
        Path(unquote(urlparse(url["url"]).path)).resolve()
        for url in urls
        if url.get("dir_info", {}).get("editable")
    ]
    assert editable == [ROOT], f"expected one editable install of {ROOT}, found {urls}"
    found = subprocess.run(
        [sys.executable, "-c", "import lstmsym; print(lstmsym.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found).resolve() == (ROOT / PROJECT / "__init__.py").resolve()


# --- notebooks ---


def read_sanitize_rules(text: str) -> list[tuple[str, str]]:
    """The (regex, replace) pairs exactly as nbval 0.11 reads them (nbval.plugin.get_sanitize_patterns)."""
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)


def test_nbval_sanitize_rules_are_all_read_and_compile():
    text = (ROOT / "notebooks" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    rules = read_sanitize_rules(text)
    written = [line for line in text.splitlines() if line.startswith("regex:")]
    assert len(rules) == len(written) > 0, "every 'regex: ' line needs a 'replace: ' line right after it"
    for regex, replace in rules:
        re.sub(regex, replace, "")


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_execution_counts_run_top_to_bottom(path):
    """Stored outputs are what Restart & Run All gives: code cells numbered 1..N in order."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    source = [cell for cell in code if "".join(cell["source"]).strip()]
    counts = [cell.get("execution_count") for cell in source]
    assert counts == list(range(1, len(source) + 1)), f"execution counts {counts}: run 'make notebooks'"
    for cell in code:
        if cell not in source:
            assert cell.get("execution_count") is None and not cell.get("outputs"), "empty cell with output"


def shows_a_figure(cell) -> bool:
    source = "".join(cell["source"])
    figure = any(
        "image/png" in output.get("data", {})
        or "".join(output.get("data", {}).get("text/plain", "")).startswith("<Figure size")
        for output in cell.get("outputs", [])
    )
    return figure or "matplotlib" in source or "plt." in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_selects_the_inline_backend_before_plotting(path):
    """`make test` runs nbval with MPLBACKEND=Agg, which the kernel inherits: without an explicit
    `%matplotlib inline`, plots would vanish from the outputs under nbval but not in JupyterLab."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    inline = False
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        lines = [line.strip() for line in "".join(cell["source"]).splitlines()]
        inline = inline or "%matplotlib inline" in lines
        assert inline or not shows_a_figure(cell), (
            f"cell {number} uses matplotlib before any '%matplotlib inline' (put it in the imports cell)"
        )
