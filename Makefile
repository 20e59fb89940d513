# Grove: everyday commands. Every target uses .venv/bin/..., so nothing needs activating.
#
#   make run             install if needed, migrate, seed the demo, serve on http://127.0.0.1:$GROVE_PORT
#   make test            the whole suite (browser tests too), in parallel
#   make test-postgres   the whole suite against a throwaway PostgreSQL cluster
#   make lint            ruff, ruff format --check, mypy, import-linter, missing migrations
#   make fmt             fix what ruff can and format the code
#   make clean-db        delete the SQLite database in var/
#   make bench           the tracking benchmark (BENCH_ARGS="--scale 0.1"); writes bench/results/
#
# Variables: GROVE_PORT (8000), DATABASE_URL (sqlite:///var/grove.sqlite3, read by Grove itself),
# PYTEST_ARGS (extra pytest arguments, e.g. PYTEST_ARGS="-k pupils -x"), TEST_WORKERS (auto).

SHELL := /bin/sh
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

GROVE_PORT ?= 8000
PORT := $(GROVE_PORT)
TEST_WORKERS ?= auto
# Whole files go to one worker, so module-scoped fixtures (the cast of users) are built once.
PYTEST_DIST ?= loadfile
PYTEST_ARGS ?=
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist $(PYTEST_DIST) $(PYTEST_ARGS)

.PHONY: help install run test test-postgres lint fmt clean-db bench

help:
	@sed -n 's/^#   make /  make /p' $(firstword $(MAKEFILE_LIST))

# --- installation ---------------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changes; the stamp is touched after a successful install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	@touch $@

install: $(STAMP)

# --- development server ---------------------------------------------------------------------
run: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) seed_demo
	@echo
	@echo "  Grove is running at  http://127.0.0.1:$(PORT)/   (Ctrl-C stops it)"
	@echo
	@# Large imports run in the background: a task worker runs beside the server, and stops with it.
	$(MANAGE) db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# --- tests ----------------------------------------------------------------------------------
# pytest exits 5 when it collects no tests; that is a failure too, and says so.
test: $(STAMP)
	@echo "$(PYTEST)"; \
	$(PYTEST); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit code 5)" >&2; fi; \
	exit $$rc

test-postgres: $(STAMP)
	@dir=$$(mktemp -d "$${TMPDIR:-/tmp}/grove-pg.XXXXXX") || exit 1; \
	trap 'bash scripts/pg_test_cluster.sh stop "$$dir"' EXIT; \
	trap 'exit 130' INT TERM; \
	url=$$(bash scripts/pg_test_cluster.sh start "$$dir") || exit 1; \
	echo "DATABASE_URL=$$url $(PYTEST)"; \
	DATABASE_URL="$$url" $(PYTEST); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test-postgres: pytest collected no tests (exit code 5)" >&2; fi; \
	exit $$rc

# --- code quality ---------------------------------------------------------------------------
# Every check runs even when an earlier one fails; the target fails if any did.
lint: $(STAMP)
	@failed=""; \
	check() { echo "==> $$*"; "$$@" || failed="$$failed\n  $$*"; }; \
	check $(BIN)/ruff check . ; \
	check $(BIN)/ruff format --check . ; \
	check $(BIN)/mypy grove tests ; \
	check $(BIN)/lint-imports ; \
	check $(MANAGE) makemigrations --check --dry-run ; \
	if [ -n "$$failed" ]; then printf "\nmake lint: these checks failed:%b\n" "$$failed" >&2; exit 1; fi; \
	echo; echo "make lint: all checks passed"

fmt: $(STAMP)
	@rc=0; \
	$(BIN)/ruff check --fix . || rc=$$?; \
	$(BIN)/ruff format . || rc=$$?; \
	exit $$rc

# --- benchmarks -----------------------------------------------------------------------------
# A fresh SQLite file under var/bench/, or the empty PostgreSQL database in DATABASE_URL.
# See docs/benchmarks.md; --scale 1 (the default) takes several minutes.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench.tracking $(BENCH_ARGS)

# --- database -------------------------------------------------------------------------------
clean-db:
	rm -f var/grove.sqlite3 var/grove.sqlite3-wal var/grove.sqlite3-shm var/grove.sqlite3-journal
