# Quick start: `make run` installs and starts the app; `make test` installs and runs every check.
# Python packages come from the hashed lock in requirements/ (refresh: scripts/lock).
# `make run` needs no npm: the browser bundles are vendored in static/vendor. `make test` installs
# the JS dev tools pinned in package-lock.json (npm ci) to type-check and lint static/js.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

NODE_BIN := node_modules/.bin

.PHONY: run test lint lint-js format bench clean

# Exact versions with their hashes from the lock (scripts/lock refreshes it), then the app
# itself, editable, with nothing else.
$(VENV)/.installed: pyproject.toml requirements/runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/runtime.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements/test.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

run: $(VENV)/.installed
	$(PY) -m uvicorn app.main:app --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test node_modules/.installed
	scripts/ensure-chromium
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(MAKE) --no-print-directory lint-js
	PYTHON=$(PY) $(PY) -m pytest

lint: $(VENV)/.installed-test node_modules/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(MAKE) --no-print-directory lint-js

# The pages' JS: strict type check (JSDoc, types generated from /openapi.json), ESLint, Prettier,
# and the kit's unit tests under Node's own runner.
lint-js: node_modules/.installed
	$(NODE_BIN)/tsc -p tsconfig.json
	$(NODE_BIN)/eslint .
	$(NODE_BIN)/prettier --check .
	node --test --test-reporter=dot tests/js/

format: $(VENV)/.installed-test node_modules/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .
	$(NODE_BIN)/prettier --write .

bench: $(VENV)/.installed-test
	$(PY) -m bench.engine
	$(PY) -m bench.engine_vs_torch --quick
	$(PY) -m bench.gradcheck_speed
	$(PY) -m bench.numdiff
	$(PY) -m bench.serialise
	$(PY) -m bench.api_load
	$(PY) -m bench.asgi_requests
	$(PY) -m bench.bench_expr_guards
	$(PY) bench/page_load.py
	$(PY) -m bench.train_speed
	$(PY) -m bench.train_extras
	$(PY) -m bench.classroom

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
