# Every target bootstraps its own environment: a fresh machine needs only python3 and make.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.synced

.PHONY: demo test lint bench sandbox clean venv

$(UV):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv

$(STAMP): pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --extra notebook --compile-bytecode --quiet
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/sales-tasks demo

test: $(STAMP)
	bash .ci/ensure-postgres
	$(VENV)/bin/pytest -q
	bash .ci/test-orchestration

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m bench.extract_bench
	$(PY) -m bench.push_bench

sandbox: $(STAMP)
	$(VENV)/bin/sales-tasks sandbox apollo --port 8765 --tasks 100000

clean:
	rm -rf $(VENV) .venv-airflow .venv-dagster .pytest_cache .mypy_cache .ruff_cache *.duckdb
