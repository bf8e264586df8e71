# Two commands on a fresh machine: `make demo` and `make test`. Each sets up what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint lock system-deps clean

LOCK := requirements.lock

# Every dependency at the version and hash in the lock file (the same on every machine), then Clemency
# itself without resolving anything again.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip check >/dev/null || { $(BIN)/pip check; echo "requirements.lock does not cover pyproject.toml: run make lock"; exit 1; }
	touch $(STAMP)

# Regenerate the lock after changing the dependencies in pyproject.toml (every extra, hashes, any platform).
lock: $(STAMP)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --all-extras --generate-hashes --universal --python-version 3.11 \
		--no-header -o $(LOCK).new
	{ sed -n '1,3p' $(LOCK); cat $(LOCK).new; } > $(LOCK).tmp && rm $(LOCK).new && mv $(LOCK).tmp $(LOCK)

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

# Screenshots of the main pages at 1366 and 375 px (docs/screenshots/, linked from docs/web.md), taken by the
# browser test that also checks no page overflows horizontally (Debian's Chromium: make system-deps).
.PHONY: screenshots
screenshots: $(STAMP)
	CLEMENCY_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser/test_web_pages.py tests/browser/test_drafting_pages.py -q -k overflows
	CLEMENCY_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser/test_monitor_pages.py -q
