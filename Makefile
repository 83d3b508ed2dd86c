# Two commands do all the set-up on a fresh machine: `make dev` and `make test`.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: dev test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev,bench]'
	touch $(STAMP)

## Run the main job.
dev: $(STAMP)
	$(VENV)/bin/polos dev

## Run the whole test suite (exit code 5, "no tests collected", counts as a failure).
test: $(STAMP)
	$(VENV)/bin/pytest -q

## Lint, format check and type check.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(VENV)/bin/python bench/step_overhead.py

clean:
	rm -rf $(VENV) .polos .pytest_cache .mypy_cache .ruff_cache
