# Two commands set everything up on a fresh machine:
#   make demo   analyse the bundled sample reports, print their summaries, then serve the web app
#               (SQLite ./fazhi.db, samples loaded, demo accounts printed; PORT=8000 by default)
#   make test   run the test suite
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

demo: $(STAMP)
	$(BIN)/fazhi analyze --samples
	$(BIN)/fazhi serve --demo --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest -q

score: $(STAMP)
	$(PYTHON) ../shared/tools/score.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
