# cs-kpi-warehouse. Every target creates the virtualenv and installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds -type f 2>/dev/null) \
	dbt_project/dbt_project.yml dbt_project/profiles.yml

.PHONY: help setup print-tools demo test bench dev docs lint format run backfill report clean

help:
	@echo "make demo   set up, run the main job on the embedded sample (last month to yesterday), write the report"
	@echo "make test   set up (and make print-tools: chromium, fonts-noto-cjk), then lint and run the test suite"
	@echo "make dev    open the Dagster UI on the same warehouse (http://127.0.0.1:3000)"
	@echo "make run START=2026-03-01 END=2026-03-31   one run over a range of days"
	@echo "make backfill START=2025-01-01 END=2025-12-31   the same, for history: one run, progress per day"
	@echo "make report PERIOD=2026-03 [LANGUAGE=zh-CN]   the service-level report (HTML) of a month, 2026-W11 or 2026-Q1"
	@echo "make bench  S, M and L sample sizes: ingestion, load, dbt and daily-run timings into BENCHMARKS.md"
	@echo "make docs   dbt docs (models, columns, tests, exposures) of the warehouse, in data/dbt_docs"

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# dbt's manifest is built at setup, so loading the Dagster definitions never runs dbt.
$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	$(BIN)/dagster-dbt project prepare-and-package --file orchestration/defs/dbt/project.py >/dev/null
	touch $@

setup: $(INSTALLED) $(MANIFEST)

# Printing and checking the report: headless Chromium (print to PDF, screenshots) and the Noto CJK
# fonts the zh-CN report and its charts need, from Debian's packages; as root, only where missing.
print-tools:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -q "Noto Sans CJK" || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk; }

demo: setup
	$(BIN)/cskpi demo

run: setup
	@test -n "$(START)" -a -n "$(END)" || { echo "usage: make run START=YYYY-MM-DD END=YYYY-MM-DD"; exit 2; }
	$(BIN)/cskpi run --start $(START) --end $(END)

# The service-level report of a period from the published marts: PERIOD=2026-03, 2026-W11 or 2026-Q1;
# without PERIOD, the last full month.
report: setup
	$(BIN)/cskpi report $(if $(PERIOD),--period $(PERIOD)) $(if $(LANGUAGE),--language $(LANGUAGE))

# A backfill is one run over the range (single-run backfill policy), with progress per stream and day.
backfill: setup
	@test -n "$(START)" -a -n "$(END)" || { echo "usage: make backfill START=YYYY-MM-DD END=YYYY-MM-DD (history from CSKPI_HISTORY_START on)"; exit 2; }
	$(BIN)/cskpi run --start $(START) --end $(END)

test: setup print-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# Slow (26 min on 2 cores at the last run) and not part of `make test`. BENCH_ARGS="--sizes S --runs 1" for a quick look.
bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

# Through orchestration/dev.py, so that SIGTERM to the process group stops every process even when
# `make dev` was started in the background. DEV_ARGS="-p 3001" for another port.
dev: setup
	$(BIN)/python -m orchestration.dev $(DEV_ARGS)

# --static also writes static_index.html, the docs in one file (manifest and catalog inside), which
# a browser opens from disk; index.html fetches its JSON files and needs `dbt docs serve`.
docs: setup
	$(BIN)/cskpi dbt docs generate --static --target-path $(CURDIR)/data/dbt_docs
	@echo "open data/dbt_docs/static_index.html (one file, works from disk), or: $(BIN)/cskpi dbt docs serve --target-path $(CURDIR)/data/dbt_docs"

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs data .pytest_cache .ruff_cache
	find .dagster_home -mindepth 1 ! -name dagster.yaml -exec rm -rf {} +
