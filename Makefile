# Every target bootstraps its own environment: a fresh machine needs only python3 and make.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.synced

.PHONY: demo test test-fast test-deep lint bench sandbox clean venv

$(UV):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv

# `--compile-bytecode` stays: where PYTHONDONTWRITEBYTECODE=1 is set (this CI machine sets it),
# Python never writes the bytecode it compiles, so every process would compile every module it
# imports again (measured without it: pytest 798 s instead of ~720 s, Airflow's suite 285 s
# instead of ~185 s).
$(STAMP): pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --extra notebook --compile-bytecode --quiet
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/sales-tasks demo

# Parallel workers (pytest-xdist): twice the cores, at most 8; WORKERS=N sets it, WORKERS=0 runs
# in this process. Twice, because a test spends about half its time waiting (on a sandbox, a CLI
# it started, a database): on 2 cores, tests/mirror + tests/sink took 281 s on 2 workers, 220 s on
# 3 and 211 s on 4, back to back, with the same CPU seconds (docs/development.md). Tests of
# one `xdist_group` stay on one worker. pytest's exit code 5 (nothing collected) fails the target
# like any other non-zero code. The 30 slowest tests are listed at the end, so a CI log says where
# the time went.
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); w=$$((n * 2)); [ $$w -gt 8 ] && w=8; echo $$w)
PYTEST := $(VENV)/bin/pytest -q -n $(WORKERS) --dist loadgroup --durations=30

# Unit and contract layers (tests/layers.py) on DuckDB: no PostgreSQL, no orchestrators.
test-fast: $(STAMP)
	$(PYTEST) -m "(unit or contract) and not postgres" $(PYTEST_ARGS)

# The orchestrators' suites (.ci/test-orchestration, in their own environments) run beside
# pytest and print after it: .ci/test-suite.
test: $(STAMP)
	bash .ci/ensure-postgres
	bash .ci/ensure-mariadb
	bash .ci/test-suite $(PYTEST) $(PYTEST_ARGS)

# The same suite with the `deep` hypothesis profile (tests/profiles.py): random examples, several
# times as many (a drill runs minutes, hence the longer per-test limit). No orchestrators: they
# hold no property tests.
test-deep: $(STAMP)
	bash .ci/ensure-postgres
	bash .ci/ensure-mariadb
	HYPOTHESIS_PROFILE=deep $(PYTEST) --timeout 1800 $(PYTEST_ARGS)

# mypy checks one package root, `sales_tasks`, as the wheel lays it out: .mypy-tree/ (git-ignored)
# links `sales_tasks/__init__.py` and each top-level folder of `sales_tasks.FOLDERS` under it.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	rm -rf .mypy-tree && mkdir -p .mypy-tree/sales_tasks
	ln -s ../../sales_tasks/__init__.py .mypy-tree/sales_tasks/__init__.py
	for folder in $$($(PY) -c 'import sales_tasks; print(*sales_tasks.FOLDERS)'); do \
		ln -s ../../$$folder .mypy-tree/sales_tasks/$$folder; done
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m bench.extract_bench
	$(PY) -m bench.push_bench

sandbox: $(STAMP)
	$(VENV)/bin/sales-tasks sandbox apollo --port 8765 --tasks 100000

clean:
	rm -rf $(VENV) .venv-airflow .venv-dagster .pytest_cache .mypy_cache .mypy-tree .ruff_cache *.duckdb
