# Coproduce: `make run` to try it, `make test` to prove it. Nothing here needs anything installed
# by hand beyond python3 (with venv) and make.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test bench faults lint imports security format typecheck lock upgrade messages compilemessages clean

# Dependencies come from the lock files, exact versions checked against their hashes; the project
# itself is then installed on top without resolving anything (docs/DEPENDENCIES.md).
$(BIN)/coproduce: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes -r requirements.lock
	$(PIP) --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.dev-installed: $(BIN)/coproduce requirements-dev.lock
	$(PIP) --require-hashes -r requirements-dev.lock
	@touch $@

run: $(BIN)/coproduce
	$(BIN)/coproduce serve --demo --host $(HOST) --port $(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	benchmarks/run

# The fault rehearsals (docs/OPERATIONS.md, "Faults, rehearsed"): kill -9 mid-postings and
# mid-import, PostgreSQL stopped -m immediate, the database unreachable, SQLite on a full disk.
faults: $(VENV)/.dev-installed
	PYTHON=$(CURDIR)/$(BIN)/python scripts/faults/run

lint: $(VENV)/.dev-installed security imports
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# The direction of imports between the apps: the contracts are in pyproject.toml.
imports: $(VENV)/.dev-installed
	$(BIN)/lint-imports --no-cache

# bandit reads its settings (and the reason for each skipped check) from pyproject.toml.
security: $(VENV)/.dev-installed
	$(BIN)/bandit -c pyproject.toml -r src --severity-level high --quiet && echo "bandit: no high-severity finding"

# After a change to the dependencies in pyproject.toml: pins what was added, keeps the rest.
# Needs only uv, so it also mends lock files left broken by a merge when .venv already has uv.
lock:
	@test -x $(BIN)/uv || $(MAKE) $(VENV)/.dev-installed
	scripts/lock

# Moves every dependency to the newest version pyproject.toml allows (docs/DEPENDENCIES.md).
upgrade:
	@test -x $(BIN)/uv || $(MAKE) $(VENV)/.dev-installed
	scripts/lock --upgrade

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# The languages beside English (settings.LANGUAGES). `make messages` brings every catalogue in
# step with the source (needs GNU gettext: apt-get install gettext) and compiles them; the
# compiled .mo files are committed, so building and running need no gettext (docs/DESIGN.md
# "Languages"). `make compilemessages` only compiles.
LANGS := cy es ca
messages: $(VENV)/.dev-installed
	cd src/coproduce && COPRODUCE_DATA_DIR=$(CURDIR)/var ../../$(BIN)/coproduce manage makemessages $(foreach code,$(LANGS),--locale $(code)) --no-obsolete --ignore 'static/*'
	$(BIN)/python scripts/compile-messages

compilemessages: $(VENV)/.dev-installed
	$(BIN)/python scripts/compile-messages

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
