# Two commands a newcomer needs: `make run` and `make test`. Both install everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test demo lint clean-data

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

## Start nats-server, the Temporal dev server and the four services; Ctrl-C stops them all.
run: install
	mkdir -p var
	$(BIN)/python -m services.devstack.dev_credentials generate
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile start

## Install and run the whole test suite (what CI runs).
test: install
	$(BIN)/ruff check services tests scripts
	$(BIN)/mypy
	$(BIN)/pytest

## With `make run` going: post a few realistic tickets and say where to see them.
demo: install
	$(BIN)/python scripts/demo.py

lint: install
	$(BIN)/ruff check services tests scripts
	$(BIN)/ruff format --check services tests scripts
	$(BIN)/mypy

## Forget every case: removes ./var (NATS and Temporal data).
clean-data:
	rm -rf var
