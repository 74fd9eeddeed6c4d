# Talenta: `make run` starts the demo, `make test` proves it. Both install what they need themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The interpreter's real path: a pyenv shim's path differs from the one the venv records, and uv would then
# remove and re-create .venv on every sync (breaking anything running from it at the time).
PYTHON ?= $(shell p=$$(command -v python3.11 || command -v python3) && $$p -c 'import sys; print(sys.executable)')
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python

# uv uses the machine's Python 3.11 and never downloads an interpreter of its own.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_NO_PROGRESS := 1

.PHONY: help install install-runtime run test test-fast lint format bench migrate clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 needed, found {sys.version}"'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV) ## Install the pinned dependencies (uv.lock), dev tools included
	$(UV) sync --frozen --python $(PYTHON)

install-runtime: $(UV)
	$(UV) sync --frozen --no-dev --inexact --python $(PYTHON)

run: install-runtime ## Start all three services on SQLite with demo data; prints the URL and accounts
	$(PY) -m services.launcher run

migrate: install-runtime ## Apply every service's migrations to the configured databases
	$(PY) -m services.launcher migrate

lint: install ## ruff, mypy (strict), the layering contracts, and the deployment manifests
	$(VENV)/bin/ruff check services tests
	$(VENV)/bin/ruff format --check services tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m tests.deploy.validate

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix services tests
	$(VENV)/bin/ruff format services tests

test: lint ## Lint, then every test but the benchmarks (PostgreSQL tests are skipped, and listed, without it)
	$(VENV)/bin/pytest

test-fast: install ## Tests only, no lint
	$(VENV)/bin/pytest -x -q

bench: install ## Benchmarks in tests/perf, printed as ratios against a baseline measured in the same run
	$(PY) -m tests.perf

clean: ## Remove the virtualenvs and local databases
	rm -rf $(VENV) $(TOOLS) var .mypy_cache .ruff_cache .pytest_cache
