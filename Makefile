# The README's two commands: `make run` and `make test`. Both set up the virtual environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint

# Re-install only when the dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/studybot run $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

# ruff and mypy as configured in pyproject.toml; CI runs this before the tests
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
