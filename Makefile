# Two commands on a fresh machine: `make demo` and `make test`. Each sets up what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[all,dev]'
	touch $(STAMP)

# Java for Spark and Debian's Chromium for browser tests (CI runs as root on Debian).
system-deps:
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# PostgreSQL server binaries for the web store tests (they start a throwaway cluster in a temporary folder,
# as the postgres user when run as root; CI sets CLEMENCY_REQUIRE_PG=1 so a cluster that cannot start fails).
.PHONY: postgres
postgres:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null)

demo: $(STAMP)
	$(BIN)/clemency demo

test: $(STAMP) system-deps postgres
	$(BIN)/ruff check clemency tests bench
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check clemency tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out .pytest_cache
