# The README's commands. Each sets itself up from nothing: the first target that needs the
# virtual environment creates .venv from the lock file.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/dagster_home

.PHONY: run test test-fast ui bench lock sample clean browser themes-model

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "dhr-etl needs Python 3.11 or newer; found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing dependencies from requirements.lock into $(VENV) ..."
	@# uv (from PyPI, into the environment itself) installs the lock file several times faster than
	@# pip; where uv cannot be had, pip installs the same pinned versions. Compiled to bytecode at
	@# install, as pip does and uv does not by default: where PYTHONDONTWRITEBYTECODE is set (as on
	@# these machines) nothing else ever writes it, and every process would compile Dagster, polars
	@# and the rest afresh on import (measured: importing the job took 3.5 s instead of 1.5 s).
	@if $(BIN)/python -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then \
	  $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps -r requirements.lock && \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . ; \
	else \
	  echo "uv not available: installing with pip (slower)"; \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . ; \
	fi
	@$(BIN)/python -m pip check --disable-pip-version-check >/dev/null
	@touch $(STAMP)

run: $(STAMP)  ## run the nightly job once on the bundled sample library (or DHR_SOURCE); options in ARGS, e.g. make run ARGS=--force
	$(BIN)/dhr-etl run $(ARGS)

# Four workers (pytest-xdist) on this 2-core machine: the suite is half waiting now (real HTTP with
# latency, processes started and killed, servers coming up: ~300 s of CPU in ~900 s of test time), so
# two workers per core keep both cores busy; more workers only build more per-worker session
# fixtures (measured: 6 workers used more CPU and finished later than 4). Not --dist loadgroup:
# with pytest 9.2 and xdist 3.8 its groups are ignored (xdist sets item._nodeid, which pytest 9.2
# no longer reads); the cost is that a session fixture (the shared nightly run, the shared first CLI
# run, the PostgreSQL cluster) is built once per worker. --dist worksteal: a worker that runs out of
# tests takes half of another's queue, where --dist load leaves the tests first handed to a worker
# with it (measured: one worker idle for minutes while the other still had a queue of slow tests,
# which tests/conftest.py puts first).
TEST_WORKERS ?= 4
TEST_DIST := --dist worksteal
test: $(STAMP) browser  ## run the whole test suite
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(TEST_DIST)

test-fast: $(STAMP)  ## the suite without the tests marked slow (each several full runs or a real process): for a quick check while working
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(TEST_DIST) -m "not slow"

# The report test renders the HTML report in Debian's headless Chromium. Installed when missing and
# this is a Debian machine we may administer; otherwise that one test is skipped and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { echo "installing Debian's chromium for the report test ..."; apt-get update -qq >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } || \
	  echo "chromium not installed: the report rendering test will be skipped"

ui: $(STAMP)  ## the Dagster UI and daemon on http://127.0.0.1:3000 (sensors run while it is up)
	$(BIN)/dagster dev --workspace workspace.yaml --host $${DHR_UI_HOST:-127.0.0.1} --port $${DHR_UI_PORT:-3000}

bench: $(STAMP)  ## the benchmark against the analyst's baseline; writes bench/REPORT.md (about 8 minutes here)
	$(BIN)/python bench/run.py

lock:  ## re-resolve requirements.lock from pyproject.toml (needs network to PyPI)
	$(PYTHON) -m pip install --quiet uv && $(PYTHON) -m uv pip compile pyproject.toml --extra dev --extra bench --extra train --python-version 3.11 -o requirements.lock

themes-model: $(STAMP)  ## retrain the theme model, its labelled examples and the same-ask model (dhr_etl/reference/theme_model.csv, theme_examples.csv.gz, repeat_model.csv) from the labelled sets
	$(BIN)/python -m dhr_etl.transform.train_themes

sample: $(STAMP)  ## regenerate the synthetic pages of the bundled sample library
	$(BIN)/python -m dhr_etl.sample.generate --out dhr_etl/sample/library --count 11 --seed 2026

clean:
	rm -rf $(VENV) data dagster_home/storage dagster_home/history dagster_home/schedules dagster_home/logs
