# MIPRES abierto: `make run` serves the demo, `make test` runs every check. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CATALOG_DIR ?=

# Django 6.1 needs Python >= 3.12: the first suitable interpreter among python3.13, python3.12,
# python3 (pyenv's shim honours .python-version) and pyenv's installed versions.
define find_python
for candidate in python3.13 python3.12 python3 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python 2>/dev/null); do \
  path=$$(command -v $$candidate 2>/dev/null) || continue; \
  "$$path" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$$path"; exit 0; }; \
done; exit 1
endef

.PHONY: help run serve test lint format bench clean postgres-deps system-deps messages

help:
	@echo "make run    create .venv, migrate, load DIVIPOLA and the demo world, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   create .venv, start a throwaway PostgreSQL, run ruff, migration check and the whole suite"
	@echo "make bench  load test with wrk against gunicorn on PostgreSQL (docs/benchmarks.md)"
	@echo "make messages  rebuild locale/es_CO after adding or changing translated strings"

$(VENV)/bin/python:
	@python=$$($(find_python)) || { \
	  echo "Python 3.12 or newer is needed (Django 6.1). Install it, e.g. 'apt-get install python3.12 python3.12-venv'"; \
	  echo "or 'pyenv install 3.12', and run make again."; exit 1; }; \
	echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

# PostgreSQL: the cluster kept under var/postgres, started here and stopped on Ctrl-C
# (mipres/lib/pgtemp.py), unless DATABASE_URL (environment or .env) points at another server.
run: $(VENV)/.run-deps postgres-deps
	@$(PY) -m mipres.lib.pgtemp run -- $(MAKE) --no-print-directory serve

# `make run` inside its database: migrate, the demo world, the task worker beside the server.
serve:
	$(PY) manage.py migrate --noinput && \
	if [ -n "$(CATALOG_DIR)" ] && [ -f "$(CATALOG_DIR)/municipios.csv" ]; then \
	  $(PY) manage.py load_divipola "$(CATALOG_DIR)/municipios.csv"; fi && \
	if [ -n "$(CATALOG_DIR)" ] && [ -d "$(CATALOG_DIR)" ]; then \
	  $(PY) manage.py import_catalog --all "$(CATALOG_DIR)"; fi && \
	$(PY) manage.py seed_demo && \
	echo "Demo users: '$(PY) manage.py demo_credentials' (all share the password in README.md)" && \
	{ $(PY) manage.py db_worker --queue-name='*' --no-reload --interval 1 & worker=$$!; \
	  $(PY) manage.py run_periodic --every 60 & periodic=$$!; \
	  trap 'kill $$worker $$periodic 2>/dev/null; wait $$worker $$periodic' EXIT; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT); }

# Debian packages: PostgreSQL's server binaries (`make run`, tests); for the suite also
# Chromium (browser tests), Redis, PgBouncer and HAProxy (the cluster tests, tests/cluster), and
# wrk (tests/bench drive bench/write.lua through it, as bench/run.py does).
POSTGRES_MISSING := ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"
define install_missing
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ]; then \
    echo "Installing:$$missing"; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
  else \
    echo "Missing system packages. Run: sudo apt-get install -y$$missing"; exit 1; \
  fi; \
fi
endef

postgres-deps:
	@missing=""; $(POSTGRES_MISSING); $(install_missing)

system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium chromium-driver"; \
	$(POSTGRES_MISSING); \
	for tool in redis-server pgbouncer haproxy wrk; do \
	  command -v $$tool >/dev/null || [ -x /usr/sbin/$$tool ] || missing="$$missing $$tool"; done; \
	$(install_missing)

lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: $(VENV)/.dev-deps system-deps lint
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	CATALOG_DIR="$(CATALOG_DIR)" $(VENV)/bin/pytest

# The es_CO catalog (locale/es_CO): the interface is written in Spanish, so each of our msgids
# is its own translation; listed, a lookup ends in the first catalog instead of walking
# Django's chain of fallback catalogs. locale/es_CO/manual.po's translations come first.
messages: $(VENV)/.run-deps
	DEBUG=1 $(PY) manage.py makemessages -l es_CO --no-obsolete --no-location \
	  -i .venv -i tests -i bench -i staticfiles -i static -i var
	cd locale/es_CO/LC_MESSAGES && msgen django.po -o django.po && \
	  msgcat --use-first ../manual.po django.po -o django.po && msgfmt django.po -o django.mo

bench: $(VENV)/.dev-deps
	CATALOG_DIR="$(CATALOG_DIR)" $(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
