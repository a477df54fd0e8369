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

# The spec linters (Spectral with spectral:oas and the OWASP ruleset, Redocly's recommended rules):
# docs/spec-lint.md. Installed like the clients' tools; without npm `make lint` says so and skips them.
SPEC_LINT := tools/spec-lint
$(SPEC_LINT)/node_modules/.installed: $(SPEC_LINT)/package-lock.json
	cd $(SPEC_LINT) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The explorer page (GET /explore, docs/explorer.md): TypeScript in explorer/, bundled by esbuild into
# api/http/explorer_static/, which is committed, so `make serve` needs no Node.js. `make explorer` (and
# `make test`, where npm is found) rebuilds it when a source, the lock file or openapi.yaml changed.
EXPLORER := explorer
EXPLORER_BUILT := api/http/explorer_static/explorer.js
EXPLORER_SOURCES := $(filter-out $(EXPLORER)/src/openapi.d.ts,$(wildcard $(EXPLORER)/src/*.ts $(EXPLORER)/src/views/*.ts)) \
	$(wildcard $(EXPLORER)/public/*) $(EXPLORER)/build.mjs $(EXPLORER)/tsconfig.json $(EXPLORER)/package.json openapi.yaml
EXPLORER_TARGET := $(EXPLORER_BUILT)
ifeq ($(shell command -v npm 2>/dev/null),)
EXPLORER_TARGET :=
endif

$(EXPLORER)/node_modules/.installed: $(EXPLORER)/package-lock.json
	cd $(EXPLORER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(EXPLORER_BUILT): $(EXPLORER_SOURCES) $(EXPLORER)/node_modules/.installed
	cd $(EXPLORER) && npm run --silent build
	touch $@

.PHONY: install serve test lint spec-lint explorer
explorer: $(EXPLORER_BUILT)

install: $(BIN)/tidings

serve: install
	$(BIN)/tidings serve --seed

# The suite on up to four cores (pytest-xdist; a file's tests stay together on one worker), then the
# schemathesis fuzz in one process (-n 0 overrides a -n in PYTEST_ADDOPTS): xdist cannot schedule its
# per-operation tests, which share a node id. Both run unless the first was interrupted (2); the target
# fails when either fails. The fuzz selecting nothing (5: a -k in PYTEST_ADDOPTS) is not a failure.
test: install $(CLIENT_TOOLS) $(EXPLORER_TARGET)
	$(BIN)/pytest -q -n auto --maxprocesses 4 --dist loadfile --ignore tests/test_fuzz.py; suite=$$?; \
	[ $$suite -ne 2 ] || exit 2; \
	$(BIN)/pytest -q -n 0 tests/test_fuzz.py; fuzz=$$?; \
	[ $$suite -eq 0 ] && { [ $$fuzz -eq 0 ] || [ $$fuzz -eq 5 ]; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
ifeq ($(shell command -v npm 2>/dev/null),)
	@echo "lint: npm not found, so openapi.yaml is not linted (docs/spec-lint.md): install Node.js >= 20.19 with npm"
else
	$(MAKE) --no-print-directory spec-lint
endif

spec-lint: $(SPEC_LINT)/node_modules/.installed
	cd $(SPEC_LINT) && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npm run --silent lint
