# Coproduce: `make run` to try it, `make test` to prove it. Nothing here needs anything installed
# by hand beyond python3 (with venv) and make.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: run test bench lint format typecheck messages compilemessages clean

$(BIN)/coproduce: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.dev-installed: $(BIN)/coproduce
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

run: $(BIN)/coproduce
	$(BIN)/coproduce serve --demo --host $(HOST) --port $(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	benchmarks/run

lint: $(VENV)/.dev-installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# Translation catalogues need GNU gettext (Debian: apt-get install gettext).
messages: $(BIN)/coproduce
	mkdir -p src/coproduce/locale
	cd src/coproduce && COPRODUCE_DATA_DIR=$(CURDIR)/var ../../$(BIN)/coproduce manage makemessages --locale $(or $(LANG_CODE),cy) --ignore 'static/vendor/*'

compilemessages: $(BIN)/coproduce
	cd src/coproduce && COPRODUCE_DATA_DIR=$(CURDIR)/var ../../$(BIN)/coproduce manage compilemessages

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
