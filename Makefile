# Two commands set everything up on a fresh machine:
#   make demo   analyse the bundled sample reports, print their summaries, then serve the web app
#               (SQLite ./fazhi.db, samples loaded, demo accounts printed; PORT=8000 by default)
#   make test   install the Debian packages the tests need (as root; otherwise name them and stop),
#               start a throwaway PostgreSQL, run the whole test suite, stop PostgreSQL
#               (FAZHI_TEST_MINIMAL=1: only the tests that need no system package; PYTEST_ARGS=... passes on)
#   make score  the engine against the hand annotations of the bundled samples (tests/data/gold/)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test score clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

PORT ?= 8000
PYTEST_ARGS ?=
SCORE_ARGS ?= --formats

demo: $(STAMP)
	$(BIN)/fazhi analyze --samples
	$(BIN)/fazhi serve --demo --port $(PORT)

test: $(STAMP)
	$(PYTHON) scripts/test_env.py -- $(BIN)/pytest -q $(PYTEST_ARGS)

score: $(STAMP)
	$(BIN)/python scripts/score.py $(SCORE_ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
