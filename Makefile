# Everything a fresh machine needs: Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve index check test lint typecheck openapi clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/caseapi index
	$(BIN)/caseapi serve --host $(HOST) --port $(PORT)

index: $(STAMP)
	$(BIN)/caseapi index

check: $(STAMP)
	$(BIN)/caseapi check

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

openapi: $(STAMP)
	$(BIN)/caseapi openapi > openapi/openapi.json

clean:
	rm -rf $(VENV) index .mypy_cache .pytest_cache .ruff_cache
