# One-command set-up: every target creates .venv and installs what it needs (idempotent).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
DEMO_OUT ?= out/demo/medical_billing.csv

.PHONY: demo test test-unit test-browser browser lint typecheck bench bench-peers install install-dev clean help

help:
	@echo "make demo   - set up, then generate 20 medical billing records on the embedded model"
	@echo "make test   - set up, then run unit, integration, notebook and browser tests"
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
	$(PIP) install --quiet -e '.[local,local-large,ray,hf,dev]'
	@touch $@ $(VENV)/.stamp-demo

# The browser test drives Debian's Chromium with Selenium. Installed where missing when run as
# root (CI); elsewhere the test skips and says why. Quiet, and a no-op once installed.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium and chromium-driver for the browser test"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq chromium chromium-driver fonts-nanum >/dev/null; } \
	      || echo "could not install chromium: the browser test will skip"; \
	  else \
	    echo "chromium is missing and this is not root: the browser test will skip"; \
	  fi; \
	fi

install: $(VENV)/.stamp-demo
install-dev: $(VENV)/.stamp-dev

demo: $(VENV)/.stamp-demo
	$(BIN)/langsynth generate medical_billing -n 20 -o $(DEMO_OUT) --overwrite --seed 7

test: $(VENV)/.stamp-dev browser
	$(BIN)/python -m pytest

test-unit: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest -m "not integration and not notebook and not browser"

test-browser: $(VENV)/.stamp-dev browser
	$(BIN)/python -m pytest -m browser

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/run_all.py

# Its own target: the peers' installs and runs do not fit make bench's 15 minutes. Writes
# benchmarks/results/peers.md and its section of RESULTS.md.
bench-peers: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/run_all.py --only peers

clean:
	rm -rf $(VENV) .venv-peers out .pytest_cache .mypy_cache .ruff_cache
