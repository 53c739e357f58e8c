# WhyRec: the commands README.md names. Each target creates or reuses .venv and installs what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.whyrec-installed
WORKSPACE ?= $(HOME)/.cache/whyrec/workspaces/movielens-100k
PYTEST_ARGS ?=

.PHONY: install browser postgres run test lint format bench clean

install: $(STAMP)

# torch first, from the CPU wheel pip finds on this machine; then the project and its dev tools.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# Debian's chromium for the browser test (Playwright drives it; no browser is ever downloaded).
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian's chromium for the browser test ..."; \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; }

# Debian's PostgreSQL server for the state tests: they start a throwaway cluster in a temporary
# folder (as the `postgres` system user when run as root) and fail, never skip, without it.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql for the state tests ..."; \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; }

# Builds the MovieLens-100K workspace on first run (a synthetic world when the download is
# impossible), then serves the web UI and the APIs at http://127.0.0.1:7860.
run: install
	$(BIN)/whyrec serve --workspace $(WORKSPACE)

test: install browser postgres
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python benchmarks/catalog.py
	$(BIN)/python benchmarks/api.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
