# lstmsym: build, test and notebook entry points.
#
# Everything is installed into .venv from PyPI, pinned exactly by constraints.txt; nothing installed
# by hand is used. The only prerequisite is Python 3.11 or newer (python3.11, else python3, or
# `make PYTHON=/path/to/python`).
#
#   make test         lint (ruff), then unit tests + doctests + strict nbval over notebooks/*.ipynb
#   make lab          JupyterLab on notebooks/ at 127.0.0.1 (NO_BROWSER=1: no browser; PORT=N: that port)
#   make notebooks    re-execute every notebooks/*.ipynb in place, top to bottom, in a fresh kernel
#   make venv         only create/update .venv (done automatically by the targets above)
#   make constraints  re-resolve the newest versions and rewrite constraints.txt
#   make browser      install headless Chromium + chromedriver (Debian, apt-get) for the JupyterLab widget test
#   make assignments  the student edition (nbgrader): student/notebooks/, solutions and worked solutions removed
#   make autograde SUBMISSIONS=dir   grade dir/<student>/*.ipynb: grades/grades.csv, grades/feedback/<student>/
#   make clean        remove .venv, caches and build output
#
# Extra pytest arguments: make test PYTEST_ARGS='-k lstm -x'

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --no-input
STAMP := $(VENV)/.installed

# Lint only the source directories that exist (bench/ may not yet).
LINT_DIRS := $(wildcard lstmsym tests bench)
# `make notebooks NOTEBOOKS=notebooks/01_x.ipynb` re-executes just that one.
NOTEBOOKS ?= $(sort $(wildcard notebooks/*.ipynb))
PYTEST_ARGS ?=

# jupyter refuses to start as root without --allow-root (CI and these machines run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: test lab notebooks venv constraints clean check-python browser assignments autograde

check-python:
	@test -n "$(PYTHON)" || { echo "error: neither python3.11 nor python3 is on PATH; install Python 3.11+ or run 'make PYTHON=/path/to/python3.11'" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); lstmsym needs Python 3.11 or newer (make PYTHON=/path/to/python3.11)" >&2; exit 1; }

venv: $(STAMP)

# The stamp is rebuilt only when pyproject.toml or constraints.txt change, so a second `make test`
# installs nothing. A .venv that is missing, broken or older than 3.11 is recreated.
# --build-constraint pins setuptools in pip's isolated build environment for the editable install too.
$(STAMP): pyproject.toml constraints.txt | check-python
	@if ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then \
	  echo "creating $(VENV) with $(PYTHON)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	$(PIP) install -c constraints.txt --upgrade pip setuptools
	$(PIP) install -c constraints.txt --build-constraint constraints.txt -e '.[test,notebooks]'
	touch $@

# In CI (CI set) the Debian Chromium is installed first: tests/test_sliders_browser.py fails there without it
# (elsewhere it is skipped, naming `make browser`).
test: $(STAMP) $(if $(CI),browser)
	$(if $(LINT_DIRS),$(VENV)/bin/ruff check $(LINT_DIRS))
	MPLBACKEND=Agg PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 $(PY) -m pytest $(PYTEST_ARGS)

# MPLBACKEND is removed so that the kernel uses the inline backend, as students see it.
# OPENBLAS_NUM_THREADS=1 in test and notebooks: small matrix products split over 2 cores ran 20x slower.
# lab/overrides.json (the project's JupyterLab defaults) turns off the "Jupyter news" prompt and the update
# check; a choice the user already made in their own settings still wins. PORT=8899 picks the port.
# nbgrader (installed for `make assignments`) stays out of the students' JupyterLab: lab/page_config.json
# disables its lab extension (and the notebook package's "open in Notebook" buttons it brings along), and
# its server extensions are switched off here.
NBGRADER_SERVER_EXTENSIONS := formgrader assignment_list course_list validate_assignment
lab: $(STAMP)
	env -u MPLBACKEND PYTHONHASHSEED=0 $(VENV)/bin/jupyter lab --ip=127.0.0.1 \
	  --ServerApp.root_dir=notebooks --LabApp.app_settings_dir="$(CURDIR)/lab" \
	  $(foreach e,$(NBGRADER_SERVER_EXTENSIONS),--ServerApp.jpserver_extensions=nbgrader.server_extensions.$(e)=False) \
	  $(if $(PORT),--ServerApp.port=$(PORT) --ServerApp.port_retries=0) \
	  $(ALLOW_ROOT) $(if $(filter 1,$(NO_BROWSER)),--no-browser)

# The course kit (lstmsym/course.py, nbgrader_config.py): nbgrader's gradebook and working copies go to
# build/nbgrader/. GRADES=dir picks the output folder of autograde.
GRADES ?= grades
assignments: $(STAMP)
	env -u MPLBACKEND $(PY) -m lstmsym.course assignments

autograde: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make autograde SUBMISSIONS=dir (one sub-folder per student)" >&2; exit 2; }
	env -u MPLBACKEND PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 $(PY) -m lstmsym.course autograde "$(SUBMISSIONS)" --output "$(GRADES)"

# Headless Chromium and its driver for tests/test_sliders_browser.py (a slider moved in JupyterLab), from
# Debian's packages; nothing is installed when both are already on PATH. Needs root (or sudo) and apt-get.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
	  echo "$$(chromium --version 2>/dev/null) and chromedriver are installed"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "error: no apt-get; install Chromium and a matching chromedriver with your package manager" >&2; exit 1; \
	else \
	  sudo=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	fi

# Outputs and execution counts are cleared first, then every code cell runs in order in a fresh
# python3 kernel (the .venv's), so the stored counts are 1..N. record_timing=False keeps per-cell
# timestamps out of the files. The working directory is notebooks/, as under nbval and JupyterLab.
# store_widget_state=False: a slider cell (lstmsym.experiments.sliders) keeps only its output, the widget
# view beside a static PNG; with the widgets' state in the file, nbconvert's HTML (the site) would show the
# widget through a script from a CDN instead of the PNG, and the PNG would be stored twice.
notebooks: $(STAMP)
ifeq ($(NOTEBOOKS),)
	@echo "no notebooks/*.ipynb to execute"
else
	cd notebooks && env -u MPLBACKEND PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 ../$(VENV)/bin/jupyter nbconvert \
	  --to notebook --inplace --execute \
	  --ClearOutputPreprocessor.enabled=True \
	  --ExecutePreprocessor.kernel_name=python3 \
	  --ExecutePreprocessor.timeout=300 \
	  --ExecutePreprocessor.record_timing=False \
	  --ExecutePreprocessor.store_widget_state=False \
	  $(notdir $(NOTEBOOKS))
	$(PY) -m pytest -q tests/test_environment.py -k execution_counts
endif

# Resolve the newest versions in a throwaway venv, then write every installed distribution
# (pip and setuptools included, the project itself excluded) as an exact pin.
constraints: | check-python
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip --disable-pip-version-check --no-input install --upgrade pip setuptools && \
	"$$tmp/venv/bin/python" -m pip --disable-pip-version-check --no-input install -e '.[test,notebooks]' && \
	{ echo "# Exact pins of the whole transitive dependency set of lstmsym[test,notebooks], plus the"; \
	  echo "# pip and setuptools used to install and build it (Makefile: -c and --build-constraint)."; \
	  echo "# Generated by 'make constraints' (fresh venv, $$("$$tmp/venv/bin/python" -c 'import platform; print("Python", platform.python_version())'),"; \
	  echo "# newest releases allowed by pyproject.toml), then 'pip freeze --all --exclude-editable'."; \
	  echo "# Do not edit by hand. After regenerating, update the pins in environment.yml to match"; \
	  echo "# (tests/test_environment.py checks that they agree)."; \
	  "$$tmp/venv/bin/python" -m pip --disable-pip-version-check freeze --all --exclude-editable; \
	} > constraints.txt.new
	mv constraints.txt.new constraints.txt
	@echo "constraints.txt rewritten; now update environment.yml and run 'make test'"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis constraints.txt.new student
	find . -path ./.git -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) -prune -exec rm -rf {} +
