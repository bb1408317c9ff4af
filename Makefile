# Two commands set everything up: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app delphi.app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@

$(VENV)/.installed-bench: setup.cfg pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[bench]"
	touch $@

## make run: virtual environment, install, migrate, demo study, a fresh private link for a
## demo participant, serve on 127.0.0.1:5000 with the outbox worker beside the web server
## (stopped when the server stops)
run: $(VENV)/.installed
	$(FLASK) init-db
	$(FLASK) load-demo --if-empty
	-DELPHI_PUBLIC_URL="$${DELPHI_PUBLIC_URL:-http://$(HOST):$(PORT)/}" $(FLASK) demo-link
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: the whole suite on SQLite and a throwaway PostgreSQL, browser tests included
test: $(VENV)/.installed-test
	sh scripts/system-packages.sh
	$(BIN)/ruff check delphi tests benchmarks wsgi.py
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## make test-fast: SQLite only, no browser or slow tests
test-fast: $(VENV)/.installed-test
	$(BIN)/ruff check delphi tests benchmarks wsgi.py
	DELPHI_TEST_DATABASES=sqlite $(BIN)/python -m pytest -m "not browser and not slow"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check delphi tests benchmarks wsgi.py

## make bench: the engine benchmark against its pandas baseline, the charts benchmark, then
## the results benchmark (1,000,000 answers on a throwaway PostgreSQL)
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_charts.py
	$(BIN)/python benchmarks/bench_results.py

## make docs: regenerate the screenshots in docs/ (make test never writes there)
docs: $(VENV)/.installed-test
	sh scripts/system-packages.sh
	$(BIN)/python scripts/screenshots.py docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
