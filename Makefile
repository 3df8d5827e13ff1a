# The README's two commands: `make run` and `make test`. Both set up the virtual environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bubblewrap

# Re-install only when the dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/studybot run $(ARGS)

test: $(STAMP) bubblewrap
	$(BIN)/python -m pytest $(ARGS)

# Snippets run inside bubblewrap (the tests run hostile ones). Installed with apt-get when this user can,
# otherwise one line says how.
bubblewrap:
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& echo "installing bubblewrap (the snippet sandbox) with apt-get" \
		&& apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; } \
		|| { echo "studybot runs snippets in bubblewrap; install it first: sudo apt-get install bubblewrap" >&2; exit 1; }

# ruff and mypy as configured in pyproject.toml; CI runs this before the tests
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
