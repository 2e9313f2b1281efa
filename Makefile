# make run      - set up .venv if needed, then re-compute what is stale and publish it (FULL=1: everything)
#                 (make reports any failure as 2: ./diz run gives the engine's own exit status 0/1/2)
# make test     - set up .venv and the test tools (Chromium, pdftoppm) if needed, lint, then run the tests
# make test-fast - lint and the tests that need neither the real run nor a browser (a minute or so)
# make lint     - ruff: the lint rules and the formatting in pyproject.toml (make format applies them)
# make lookup POSTCODE="CM20 1AB" - answer for one postcode from the published outputs (./diz lookup: its exit status)
# make sources  - the checklist of source files: exact names, addresses, what data/raw and the mirror hold
# make rejects [TABLE=codepoint_open] - rows that failed validation in the published run
# make bench    - the benchmark (docs/PERFORMANCE.md); not part of the tests
# make dev      - the Dagster UI on http://127.0.0.1:3000 (localhost only); Ctrl-C stops it cleanly
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/dagster_home

.PHONY: run test test-fast lint format bench dev venv lookup sources rejects test-tools clean

# Text a user types (a postcode, arguments, a table name) never reaches a shell or make's own expansion:
# not exported as typed (make would expand $(shell ...) in it), but handed to the recipe as one
# single-quoted word of its literal value, which Python reads from the environment or as argv.
unexport POSTCODE ARGS TABLE FULL
literal = '$(subst ','\'',$(value $(1)))'

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or make PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	@args=$(call literal,ARGS); read -r -a argv <<<"$$args"; \
	$(PY) -m assets.run $(if $(filter 1,$(value FULL)),--full) "$${argv[@]}"

lookup: $(STAMP)
	@args=$(call literal,ARGS); read -r -a argv <<<"$$args"; \
	DIZ_POSTCODE=$(call literal,POSTCODE) $(PY) -m pipeline.lookup "$${argv[@]}"

sources: $(STAMP)
	@$(PY) -m pipeline.sources

rejects: $(STAMP)
	@table=$(call literal,TABLE); $(PY) -m pipeline.rejects $${table:+"$$table"}

test: $(STAMP) test-tools lint
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) lint
	$(PY) -m pytest -m "not real_run and not browser and not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

dev: $(STAMP)
	$(PY) -m assets.dev

# Debian packages the tests drive: headless Chromium (maps, index page) and pdftoppm (briefings).
test-tools:
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then echo "installing Debian$$missing for the tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; fi

clean:
	rm -rf data/processed/generations data/processed/current dagster_home/storage dagster_home/history dagster_home/schedules
	find data/processed maps -maxdepth 1 -type l -delete
