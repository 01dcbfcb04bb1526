# Two commands a newcomer needs: `make run` and `make test`. Both install everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install lock bytecode run test demo lint bench chaos screenshots clean-data

# Exactly the versions of requirements/dev.lock (what CI tested), then the project itself without resolving again.
# The platforms' Python client (clients/python, docs/client.md) is a package of its own: an extra cannot name it by
# path, so it is installed here, editable, for its tests and for mypy.
$(INSTALLED): pyproject.toml requirements/dev.lock clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e ".[dev]"
	$(BIN)/python -m pip install --quiet -e clients/python
	touch $(INSTALLED)

install: $(INSTALLED)

## Pin every dependency anew from pyproject.toml's ranges (requirements/runtime.lock for the image, dev.lock for
## `make run` and `make test`); commit both. tests/unit/test_dependency_lock.py checks they agree with pyproject.toml.
LOCK := $(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --upgrade
lock: install
	$(LOCK) -o requirements/runtime.lock pyproject.toml
	$(LOCK) --extra dev -o requirements/dev.lock pyproject.toml

# The workflow sandbox re-imports a workflow's module for every case it runs: without bytecode on disk that means
# compiling the source each time (a third of the worker's CPU). Cheap when nothing changed.
bytecode: install
	$(BIN)/python -m compileall -q services

## Start nats-server, the Temporal dev server and the four services; Ctrl-C stops them all.
run: install bytecode
	mkdir -p var
	$(BIN)/python -m services.devstack.dev_credentials generate
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile start

## Install and run the whole test suite (what CI runs).
test: install bytecode
	$(BIN)/ruff check services tests scripts bench chaos clients deploy
	$(BIN)/mypy
	$(BIN)/pytest

## With `make run` going: post a few realistic tickets and say where to see them.
demo: install
	$(BIN)/python scripts/demo.py

lint: install
	$(BIN)/ruff check services tests scripts bench chaos clients deploy
	$(BIN)/ruff format --check services tests scripts bench chaos clients deploy
	$(BIN)/mypy

## Benchmarks on this machine, in one run: engine limit, end to end, open cases, simulated month, case records.
## Prints a table and writes JSON under bench/results/ (see docs/performance.md).
## On the fastest CPython 3.11+ on PATH, in a virtualenv of its own (bench/interpreters.py says why);
## BENCH_PYTHON=/path/to/python names one instead.
BENCH_VENV := .venv-bench
BENCH_PYTHON ?=
bench:
	chosen="$$($(PYTHON) -m bench.interpreters --venv $(BENCH_VENV) $(if $(BENCH_PYTHON),--python $(BENCH_PYTHON)))" && \
		$(MAKE) --no-print-directory install bytecode VENV=$(BENCH_VENV) PYTHON="$$chosen"
	PATH="$(CURDIR)/$(BENCH_VENV)/bin:$$PATH" $(BENCH_VENV)/bin/python -m bench

## The fault suite: kill -9 each component under load, restart it, reconcile; prints a table, stops by itself.
chaos: install bytecode
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m chaos

## The staff console's pages as each role sees them, as PNGs in docs/console/screenshots (needs Chromium).
## `make test` takes them too, into a temporary directory.
screenshots: install bytecode
	SCREENSHOTS_DIR=$(CURDIR)/docs/console/screenshots $(BIN)/pytest tests/browser/test_screenshots.py -q -s

## Forget every case: removes ./var (NATS and Temporal data).
clean-data:
	rm -rf var
