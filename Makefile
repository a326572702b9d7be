# One-command set-up: every target creates .venv and installs what it needs (idempotent).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
DEMO_OUT ?= out/demo/medical_billing.csv

.PHONY: demo test test-unit lint typecheck bench bench-peers install install-dev clean help

help:
	@echo "make demo   - set up, then generate 20 medical billing records on the embedded model"
	@echo "make test   - set up, then run unit, integration and notebook tests"
	@echo "make lint   - ruff + mypy"
	@echo "make bench  - run the benchmarks and rewrite benchmarks/RESULTS.md"
	@echo "make bench-peers - langsynth vs langchain_experimental, Data Designer, distilabel,"
	@echo "               curator on one server (installs them into .venv-peers/ once)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps record which extras are installed; they are redone when pyproject.toml changes.
$(VENV)/.stamp-demo: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[local]'
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[local,local-large,dev]'
	@touch $@ $(VENV)/.stamp-demo

install: $(VENV)/.stamp-demo
install-dev: $(VENV)/.stamp-dev

demo: $(VENV)/.stamp-demo
	$(BIN)/langsynth generate medical_billing -n 20 -o $(DEMO_OUT) --overwrite --seed 7

test: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest

test-unit: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest -m "not integration and not notebook"

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/run_all.py

# Its own target: the peers' installs and runs do not fit make bench's 15 minutes. Writes
# benchmarks/results/peers.md and its section of RESULTS.md.
bench-peers: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/run_all.py --only peers

clean:
	rm -rf $(VENV) .venv-peers out .pytest_cache .mypy_cache .ruff_cache
