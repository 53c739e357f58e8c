# WhyRec: the commands README.md names. Each target creates or reuses .venv and installs what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.whyrec-installed
WORKSPACE ?= $(HOME)/.cache/whyrec/workspaces/movielens-100k
PYTEST_ARGS ?=

.PHONY: install run test lint format bench clean

install: $(STAMP)

# torch first, from the CPU wheel pip finds on this machine; then the project and its dev tools.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: install
	@test -f $(WORKSPACE)/workspace.json || $(BIN)/whyrec build movielens-100k --out $(WORKSPACE)
	$(BIN)/whyrec chat --workspace $(WORKSPACE)

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python benchmarks/catalog.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
