# Everything a fresh machine needs: Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve index check test lint typecheck openapi soak clean bench bench-profile

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

# Two runs: the suite on every core (pytest-xdist), then the Schemathesis fuzzing on its own,
# whose generated tests share one node id, which xdist would run once instead of per operation.
FUZZ := tests/end_to_end/test_schemathesis.py
test: lint typecheck
	$(BIN)/pytest -n auto --maxprocesses 4 --ignore $(FUZZ)
	$(BIN)/pytest $(FUZZ)

# Benchmarks (not part of test): make bench QUICK=1 takes a few minutes; the full run an hour.
# BENCH_ARGS passes options on, e.g. BENCH_ARGS='--sizes 10000 --seconds 10'.
BENCH_STAMP := $(VENV)/.bench-installed
QUICK ?=
BENCH_ARGS ?=

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py $(if $(QUICK),--quick) $(BENCH_ARGS)

bench-profile: $(BENCH_STAMP)
	$(BIN)/python bench/profile_slowest.py $(if $(QUICK),1000,10000)

# Not in `make test`: mixed load with edits against a real server, reporting errors and memory.
SOAK_MINUTES ?= 10
soak: $(STAMP)
	$(BIN)/python bench/soak.py --minutes $(SOAK_MINUTES)

openapi: $(STAMP)
	$(BIN)/caseapi openapi > openapi/openapi.json

clean:
	rm -rf $(VENV) index .mypy_cache .pytest_cache .ruff_cache
