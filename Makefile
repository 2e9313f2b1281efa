# make run  - set up .venv if needed, then materialise every asset
# make test - set up .venv if needed, then run the test suite
# make bench - the benchmark (docs/PERFORMANCE.md); not part of the tests
# make dev  - the Dagster UI on http://127.0.0.1:3000 (bound to localhost only)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/dagster_home

.PHONY: run test bench dev venv browser clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or make PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m assets.run

test: $(STAMP) browser
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

dev: $(STAMP)
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# Headless Chromium for the map tests (Debian package; needs root or sudo).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

clean:
	rm -rf data/processed/* maps/*.html maps/*.png dagster_home/storage dagster_home/history dagster_home/schedules
	git checkout -- data/processed/README.md maps/README.md 2>/dev/null || true
