# The README's two commands: `make run` and `make test`. Everything is installed into the project.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
WORKERS ?= 3
PG_URL ?= postgres://postgres@127.0.0.1:5432/smartfactory
RUNTIME_APT := fonts-noto-cjk gettext poppler-utils tesseract-ocr tesseract-ocr-chi-sim
APT_PACKAGES := chromium $(RUNTIME_APT)

.PHONY: run test rules-check install install-dev system-deps static messages migrate bootstrap lint test-sqlite test-postgres bench clean

$(VENV)/.stamp-runtime: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.lock
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-runtime requirements-dev.lock
	$(PIP) install --quiet -r requirements-dev.lock
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The server itself needs the fonts (documents), poppler and tesseract (OCR of scanned uploads).
install: $(VENV)/.stamp-runtime node_modules/.stamp static messages
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(RUNTIME_APT)"

install-dev: install $(VENV)/.stamp-dev system-deps

# Debian packages the tests and documents need, installed only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

static: node_modules/.stamp
	node scripts/vendor_static.mjs

messages: $(VENV)/.stamp-runtime
	@command -v msgfmt >/dev/null || $(MAKE) system-deps APT_PACKAGES=gettext
	cd src/smartfactory && ../../$(PY) ../../manage.py compilemessages --verbosity 0

migrate: install
	$(PY) manage.py migrate --noinput

# Reference data every time (idempotent); demo data only on the first start.
bootstrap: migrate
	$(PY) manage.py load_reference
	@if [ ! -f var/.demo-seeded ]; then $(PY) manage.py seed_demo && touch var/.demo-seeded; fi
	$(PY) manage.py collectstatic --noinput --verbosity 0

# The web server, the task worker (db_worker) and the scheduler (run_scheduler), stopped together by Ctrl-C.
run: bootstrap
	@$(PY) manage.py demo_accounts
	@echo "Serving http://127.0.0.1:$(PORT)/ with the task worker and the scheduler  (Ctrl-C to stop)"
	$(PY) scripts/run_all.py --host 127.0.0.1 --port $(PORT) --workers $(WORKERS)

# ruff; the app order and no import cycles (import-linter, [tool.importlinter] in pyproject.toml);
# no module over 500 lines.
lint: install-dev
	$(VENV)/bin/ruff check src tests benchmarks
	PYTHONPATH=src $(VENV)/bin/lint-imports
	$(PY) scripts/module_sizes.py

# The whole suite on SQLite, then again on PostgreSQL. pytest's exit 5 (no tests ran) is a failure.
test: install-dev lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# Line coverage of src/smartfactory ([tool.coverage] in pyproject.toml) is measured on the SQLite run only
# and the run fails below COV_MIN %. It counts what runs in the pytest process (the browser tests' server
# runs in a subprocess and is not measured).
COV_MIN ?= 90
COV_ARGS ?= --cov --cov-report=term-missing:skip-covered --cov-fail-under=$(COV_MIN)

test-sqlite:
	SMARTFACTORY_TESTING=1 $(PY) -m pytest -q $(COV_ARGS)

test-postgres:
	$(PY) scripts/ensure_pg_database.py "$(PG_URL)"
	SMARTFACTORY_TESTING=1 DATABASE_URL="$(PG_URL)" $(PY) -m pytest -q

# Each guard neutralised in turn (in process); the tests carrying its rules' markers must go red.
rules-check: install-dev
	SMARTFACTORY_TESTING=1 $(PY) -m pytest -q -p tests.rulescheck --rules-check -m "not e2e" \
	  --rules-report=var/rules-check.md

bench: install-dev
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) node_modules var src/smartfactory/static/vendor
