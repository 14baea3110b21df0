# Mosaics — `make run` serves the site, `make test` runs the whole suite. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export MOSAICS_VAR_DIR ?= $(CURDIR)/var

.DEFAULT_GOAL := help
.PHONY: help run test test-python lint bench install node chromium ob2validator messages lock clean

help:
	@echo "make run    set up (venv, dependencies, database under var/, demo data) and serve http://127.0.0.1:8000"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff, mypy, import contract, migrations check"
	@echo "make bench  credential signing/verification benchmarks against the JavaScript reference"

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

interop/node_modules/.package-lock.json: interop/package-lock.json
	npm ci --prefix interop --no-audit --no-fund --ignore-scripts --loglevel=error

node: interop/node_modules/.package-lock.json

chromium:
	@scripts/ensure-chromium

# 1EdTech's Open Badges 2.0 validator, in its own environment under var/ (tests/awards).
ob2validator:
	@scripts/ensure-ob2-validator

run: install
	$(BIN)/mosaics setup --verbosity 0
	$(BIN)/mosaics demo
	$(BIN)/mosaics serve

test: install node chromium ob2validator
	$(BIN)/pytest

# The suite alone, for a second database (see .ci/run).
test-python: install node ob2validator
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy mosaics
	$(BIN)/lint-imports
	$(BIN)/mosaics makemigrations --check --dry-run

bench: install node
	$(BIN)/python bench/run.py
	$(BIN)/python bench/awards.py
	$(BIN)/python bench/learning.py

messages: install
	cd mosaics && ../$(BIN)/django-admin makemessages --locale fr --no-obsolete --add-location file \
		--ignore 'vc/*' && ../$(BIN)/django-admin compilemessages --locale fr

lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var interop/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
