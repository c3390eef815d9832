# Smart Commune — `make run` starts everything on embedded defaults; `make test` runs the suites.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstalled only when pyproject.toml changes (or the stamp is gone): `make test` stays quick.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
RUN_ARGS ?=

.PHONY: help install run test fuzz lint bench clean distclean web web-deps web-build web-client web-test chromium

help:
	@echo "make run    start PostgreSQL (embedded), a Celery worker and the API; create demo communes"
	@echo "make test   run the test suites against real PostgreSQL (and Redis/RabbitMQ/Mosquitto if running)"
	@echo "make fuzz   schemathesis over the whole API for FUZZ_SECONDS (default 600), every role, two communes"
	@echo "make lint   ruff check, ruff format --check, mypy, import-linter layer contract"
	@echo "make bench  run every benchmark in bench/ (each prints its figures)"
	@echo "make web-client  regenerate web/openapi.json and web/src/api/schema.d.ts from the platform"
	@echo "make web-build   build the three web apps into web/dist (make run serves them at /app/…)"
	@echo "make clean  remove caches and build output (distclean also removes .venv and .data)"

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

run: install web
	$(BIN)/smartcommune run $(RUN_ARGS)

# Web tests: Vitest first, then pytest (client freshness, bundle size, end to end in Chromium).
test: install web-deps chromium web-test
	$(BIN)/pytest tests/ $(PYTEST_ARGS)

# --- web/ (Node 20+; `npm ci` from the committed package-lock.json) ---------------------------------------
NPM ?= npm
WEB_DEPS := web/node_modules/.package-lock.json
WEB_BUILT := web/dist/.built
WEB_SOURCES := $(shell find web/src web/provider web/admin web/resident web/public -type f 2>/dev/null) \
	web/vite.config.ts web/tsconfig.json web/package.json

web-deps: $(WEB_DEPS)

$(WEB_DEPS): web/package-lock.json web/package.json
	cd web && $(NPM) ci --no-audit --no-fund
	touch $@

web-build: $(WEB_BUILT)

$(WEB_BUILT): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && $(NPM) run -s build
	touch $@

# `make run` builds web/dist when it is missing or older than its sources; without npm it warns and goes on.
web:
	@if command -v $(NPM) >/dev/null 2>&1; then $(MAKE) --no-print-directory web-build; \
	else echo "npm not found: the web apps are not built (install Node.js 20+ to get /app/…)"; fi

web-test: $(WEB_DEPS)
	cd web && $(NPM) run -s test

# The generated API client: OpenAPI from create_app() (no server), then openapi-typescript.
web-client: install $(WEB_DEPS)
	$(BIN)/python web/scripts/dump_openapi.py
	cd web && $(NPM) run -s gen:client

# Debian's Chromium for tests/web/test_e2e.py; installed only when missing, as root, with apt-get.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the end-to-end tests"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
			|| { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; \
	else echo "/usr/bin/chromium missing and not installable here (needs root and apt-get): e2e tests will skip"; fi

# The property-based API fuzzer for longer than `make test` gives it (there: FUZZ_EXAMPLES=4, one pass):
# random cases (not derandomized), FUZZ_EXAMPLES per operation per round, rounds until FUZZ_SECONDS.
FUZZ_SECONDS ?= 600
FUZZ_EXAMPLES ?= 25
fuzz: install
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:timeout -s \
		tests/platform/api/test_api_fuzz.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

bench: install
	for f in bench/[!_]*.py; do echo "== $$f"; $(BIN)/python "$$f"; done

clean:
	rm -rf build dist web/dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache $(STAMP)
	find . -path ./$(VENV) -prune -o -path ./.data -prune -o -path ./web/node_modules -prune \
		-o \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 | xargs -0 -r rm -rf

# Also deletes the virtualenv and the embedded database under .data/ (stop `make run` first).
distclean: clean
	rm -rf $(VENV) .data
