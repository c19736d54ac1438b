# The two commands of the README: `make demo` and `make test`. Each sets up .venv itself.
# `make test` runs the whole suite twice: on SQLite, then on PostgreSQL (a throw-away server
# on loopback, installed from Debian's packages when missing: see .ci/with-postgres).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest

$(BIN)/zz: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/zz

.PHONY: install demo test test-fast test-sqlite test-postgresql bench
install: $(BIN)/zz

demo: install
	$(BIN)/zz demo --db out/demo.db --out out

test: test-sqlite test-postgresql

# The inner loop while changing code: the tests not marked slow, on SQLite, one worker per core
# (pytest-xdist). About 40 s on 2 cores; `make test` still runs everything, on both backends.
test-fast: install
	ZZ_TEST_BACKEND=sqlite $(PYTEST) -m 'not slow' -n auto

test-sqlite: install
	@echo "== 测试：SQLite =="
	ZZ_TEST_BACKEND=sqlite $(PYTEST)

test-postgresql: install
	@echo "== 测试：PostgreSQL =="
	bash .ci/with-postgres env ZZ_TEST_BACKEND=postgresql $(PYTEST)

bench: install
	ZZ_PG_DURABLE=1 bash .ci/with-postgres $(BIN)/python benchmarks/bench_concurrency.py
