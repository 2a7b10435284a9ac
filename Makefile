# Open Policy — the two commands are `make run` and `make test`.
# Needs only Python 3.11+ and make; everything else is installed here.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
HOST ?= 127.0.0.1

export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run serve test lint format check install install-test constraints system-packages migrate demo bench clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# requirements*.txt say which releases may work; constraints.txt pins the ones that were tested
# together, so a new machine and CI install what the last `make test` passed on, not whatever
# was published since (`make constraints` moves it on).
$(VENV)/.runtime: requirements.txt constraints.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-test.txt constraints.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-test.txt -c constraints.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-test: $(VENV)/.test

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --if-empty

## Set up everything and serve the demo (HTTP and websockets) on http://$(HOST):$(PORT)/
run: demo
	@$(MAKE) --no-print-directory serve

## Serve only (no install, migrate or demo): what `make run` ends with.
# The code imports from two roots: site/ (config, core, accounts, jobs) and the repository (the apps).
# A background worker (`manage.py work`: emails, PDFs) runs beside the web server;
# Ctrl+C, or either one stopping, stops both (site/jobs/management/commands/serve_with_worker.py).
serve:
	@echo ""
	@echo "  Open Policy is running at http://$(HOST):$(PORT)/"
	@echo "  Sign in at http://$(HOST):$(PORT)/accounts/login/ (editors: http://$(HOST):$(PORT)/admin/)"
	@echo "  Demo accounts (password open-policy-demo): editor, moderator, and the group accounts in README.md"
	@echo "  A background worker runs beside it (emails, PDFs); its jobs are under Background jobs in /admin/"
	@echo ""
	PYTHONPATH="$(CURDIR):$(CURDIR)/site" $(PY) manage.py serve_with_worker -- \
		$(VENV)/bin/uvicorn config.asgi:application \
		--host $(HOST) --port $(PORT) --ws websockets-sansio --lifespan off

## Install what the tests need and run the whole suite, in parallel
# pytest-xdist workers; each has its own database, Redis keys and ports (tests/support).
# 3 beat 2 and 4 on a (shared) 2-core machine: much of the suite waits on browsers and databases.
# TEST_WORKERS=0 runs serially.
# PYTEST_ARGS come after, so `make test PYTEST_ARGS="-k demo -x"` works, and `-n 0` in it wins.
TEST_WORKERS ?= 3
test: install-test system-packages
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## Debian packages the tests drive: Chromium (browser tests) and poppler-utils (pdftotext and
## pdfinfo read the PDF report). Installed with apt-get when missing and run as root (as CI is);
## otherwise named, and on CI (CI=true) their absence fails.
CHROMIUM_PATH ?= /usr/bin/chromium
system-packages:
	@missing=""; \
	[ -x "$(CHROMIUM_PATH)" ] || missing="$$missing chromium"; \
	{ command -v pdftotext && command -v pdfinfo; } >/dev/null || missing="$$missing poppler-utils"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif [ -n "$$CI" ]; then \
		echo "Missing Debian packages:$$missing (install them, or run as root)" >&2; exit 1; \
	else \
		echo "Note: the tests that need$$missing will skip or fail (sudo apt-get install$$missing)"; \
	fi

## Style, formatting, and the import contracts in pyproject.toml (the dependency order of docs/architecture.md)
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH="$(CURDIR)/site:$(CURDIR)" $(VENV)/bin/lint-imports

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Django's checks, and no model change without its migration
check: install-test
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

## Benchmarks, each figure beside its baseline in the same run (README: Benchmarks):
## pages and writes (bench/pages.py), live tallies (bench/live.py), the report (bench/report.py).
bench: install-test
	$(PY) -m bench pages $(BENCH_PAGES_ARGS)
	$(PY) -m bench $(BENCH_ARGS)
	$(PY) -m bench report $(BENCH_REPORT_ARGS)

## Pin the newest releases the requirements allow, resolved in a venv of their own, into
## constraints.txt; then run `make test` (on both stacks) before committing it.
LOCK_VENV := var/constraints-venv
constraints:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -r requirements-test.txt
	{ echo "# Every package's release, as tested together (make constraints; see the Makefile)."; \
	  $(LOCK_VENV)/bin/pip freeze; } > constraints.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) var/test.sqlite3*
