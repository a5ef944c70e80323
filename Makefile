# The two commands a newcomer needs: `make demo` and `make test`.
# Nothing is assumed installed beyond python3, git and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test lint bench venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/auditor demo --workspace demo

test: $(STAMP)
	bash scripts/ensure-postgres.sh
	$(BIN)/python -m pytest -n 2 -q

LINTED := auditor collectors rules tui tests sample_repos benchmarks

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	# stop the test server before removing its cluster (it runs as the postgres user when we are root)
	-[ -f .pgtest/data/postmaster.pid ] && runuser -u postgres -- \
	  $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl -D .pgtest/data -m fast stop
	rm -rf $(VENV) demo bench-work .pgtest
