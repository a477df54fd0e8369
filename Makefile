# Two commands for a fresh machine: `make serve` and `make test`. Both build .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/tidings: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The generators and compilers of tests/clients (npm ci, again only when package-lock.json changes).
# Without npm those tests skip and say what to install.
CLIENTS := tests/clients
CLIENT_TOOLS := $(CLIENTS)/node_modules/.installed
ifeq ($(shell command -v npm 2>/dev/null),)
CLIENT_TOOLS :=
endif

$(CLIENTS)/node_modules/.installed: $(CLIENTS)/package-lock.json
	cd $(CLIENTS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: install serve test lint
install: $(BIN)/tidings

serve: install
	$(BIN)/tidings serve --seed

test: install $(CLIENT_TOOLS)
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
