# The front door. A bare machine needs Python 3.11 and make; everything else comes from here.
#
#   make run      migrate, load the catalog, demo login, web + Celery worker + beat (Ctrl-C stops)
#   make test     pytest against real PostgreSQL/Redis      (make test ARGS="-k loss -x")
#   make lint     ruff, ruff format --check, mypy, lint-imports, makemigrations --check
#   make smoke    fresh database, gunicorn + worker, a few requests, clean stop
#   make bench    whole-hall audits on 1 and 2 workers (bench/audits.py; docs/benchmarks.md)
#   make bench-generate   generate_hall at 1k/10k/100k links, per phase (bench/generate.py)
#   make venv     .venv with the pinned requirements (re-installed when they change)
#
# Without DATABASE_URL / REDIS_URL, run/test/smoke start an embedded PostgreSQL and Redis
# (data under var/devstack/) and stop them on exit; with them set, they use those.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
ARGS ?=

# Harmless defaults for `make lint`: mypy's Django plugin and makemigrations import the settings,
# and nothing here needs a running service (makemigrations only warns it cannot check history).
LINT_ENV := DJANGO_SETTINGS_MODULE=config.settings.test \
	DATABASE_URL="$${DATABASE_URL:-postgres://lint@127.0.0.1:1/lint}" \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:1/0}" \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-lint-only-not-a-secret}"

.DEFAULT_GOAL := help
.PHONY: help venv run test lint smoke bench bench-generate services ci

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

venv: $(STAMP)

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (a bare machine means Python 3.11 and make)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(STAMP)
	$(BIN)/python -m devstack run

services: $(STAMP)
	$(BIN)/python -m devstack services

test: $(STAMP)
	$(BIN)/python -m devstack test -- $(ARGS)

smoke: $(STAMP)
	$(BIN)/python -m devstack smoke

# Every check runs; the target fails if any of them failed.
lint: $(STAMP)
	@failed=""; \
	echo "--- ruff check";        $(BIN)/ruff check . || failed="$$failed ruff"; \
	echo "--- ruff format --check"; $(BIN)/ruff format --check . || failed="$$failed ruff-format"; \
	echo "--- mypy";              $(LINT_ENV) $(BIN)/mypy . || failed="$$failed mypy"; \
	echo "--- lint-imports";      $(BIN)/lint-imports || failed="$$failed lint-imports"; \
	echo "--- makemigrations --check"; \
	$(LINT_ENV) PYTHONWARNINGS="ignore::RuntimeWarning" \
		$(BIN)/python manage.py makemigrations --check --dry-run || failed="$$failed makemigrations"; \
	if [ -n "$$failed" ]; then echo "make lint FAILED:$$failed"; exit 1; fi; \
	echo "make lint: all checks passed"

bench: $(STAMP)
	$(BIN)/python bench/audits.py $(ARGS)

bench-generate: $(STAMP)
	$(BIN)/python bench/generate.py $(ARGS)

ci:
	bash .ci/run
