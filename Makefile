# Two commands for a fresh machine: `make serve` and `make test`. Both build .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/tidings: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.PHONY: install serve test lint
install: $(BIN)/tidings

serve: install
	$(BIN)/tidings serve --seed

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
