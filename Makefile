# The two commands of the README: `make demo` and `make test`. Each sets up .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/zz: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/zz

.PHONY: install demo test
install: $(BIN)/zz

demo: install
	$(BIN)/zz demo --db out/demo.db --out out

test: install
	$(BIN)/python -m pytest
