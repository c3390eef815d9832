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

.PHONY: help install run test lint bench clean distclean

help:
	@echo "make run    start PostgreSQL (embedded), a Celery worker and the API; create demo communes"
	@echo "make test   run the test suites against real PostgreSQL (and Redis/RabbitMQ/Mosquitto if running)"
	@echo "make lint   ruff check, ruff format --check, mypy, import-linter layer contract"
	@echo "make bench  run every benchmark in bench/ (each prints its figures)"
	@echo "make clean  remove caches and build output (distclean also removes .venv and .data)"

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

run: install
	$(BIN)/smartcommune run $(RUN_ARGS)

test: install
	$(BIN)/pytest tests/ $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

bench: install
	for f in bench/[!_]*.py; do echo "== $$f"; $(BIN)/python "$$f"; done

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache $(STAMP)
	find . -path ./$(VENV) -prune -o -path ./.data -prune -o -path ./web/node_modules -prune \
		-o \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 | xargs -0 -r rm -rf

# Also deletes the virtualenv and the embedded database under .data/ (stop `make run` first).
distclean: clean
	rm -rf $(VENV) .data
