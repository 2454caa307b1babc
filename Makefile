# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_ENV := DJANGO_DEBUG=true
SYSTEM_PACKAGES := chromium poppler-utils gettext fonts-dejavu-core

.PHONY: demo test lint system-deps venv messages clean totp bench bench-pdf bench-scale chaos

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --group dev -e .
	@touch $@

venv: $(STAMP)

# Chromium (browser tests), poppler (PDF checks) and gettext (translations), installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi

messages: $(STAMP)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		command -v msgfmt >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
			$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq gettext >/dev/null; }; \
		$(DEMO_ENV) $(PY) manage.py compilemessages --verbosity 0 --ignore=$(VENV) --ignore=node_modules; \
	fi

demo: $(STAMP) messages
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py createcachetable
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py referrals_expire --schedule
	$(DEMO_ENV) $(PY) manage.py meeting_packets_purge --schedule
	$(DEMO_ENV) $(PY) manage.py notifications_sweep --schedule
	$(DEMO_ENV) $(PY) manage.py tasks_reap --schedule
	@echo "Starting the background worker and the portal on http://127.0.0.1:8000 (Ctrl-C stops both)."
	@$(DEMO_ENV) $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# The suite in parallel, one worker a core (at most four): PYTEST_WORKERS=0 runs it in this process. Each worker has
# its own test database (SQLite in memory; test_<name>_gw0, _gw1... on PostgreSQL), its own live server and browser.
# A file's tests stay on one worker (--dist loadfile): the data its module-scoped fixtures build is built once.
# (--dist loadgroup would spread the other files test by test, but pytest-xdist 3.8 marks groups by setting
# item._nodeid, which pytest 9.2 no longer reads: the groups split and the demo was seeded on both workers.)
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n < 4 ? n : 4 )))
test: $(STAMP) system-deps messages
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check . bin/chaos
	$(VENV)/bin/ruff format --check . bin/chaos
	$(VENV)/bin/mypy .
	$(VENV)/bin/mypy bin/chaos
	$(VENV)/bin/djlint --lint portal agencies cases referrals services_directory --extension html
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Search at 5,000 services, on SQLite and on PostgreSQL side by side, then the scale benchmark (bench/README.md says
# what is measured).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench: $(STAMP)
	$(PY) bench/directory_search.py
	@if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
		DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/directory_search.py; \
	else echo "PostgreSQL is not reachable: its half of the benchmark is skipped."; fi
	$(MAKE) bench-scale

# Cases at scale: S = 20,000 (SQLite and PostgreSQL), L = 500,000 (PostgreSQL), loaded once into bench_scale_s and
# bench_scale_l and reused. BENCH_2M=1 adds 2,000,000 cases; BENCH_SCALE_FLAGS passes more (e.g. --check, --plans).
BENCH_SIZES ?= S L
BENCH_2M ?=
BENCH_SCALE_FLAGS ?=
bench-scale: $(STAMP)
	@if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
		BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.scale --sizes $(BENCH_SIZES) $(if $(BENCH_2M),2m) \
			$(BENCH_SCALE_FLAGS); \
	else echo "PostgreSQL is not reachable: the scale benchmark runs on SQLite only."; \
		$(PY) -m bench.scale --sizes S --no-postgresql $(BENCH_SCALE_FLAGS); fi

# Case packets: the largest demo case and a 20-case meeting packet; pages, s/page, memory, whole path / WeasyPrint.
bench-pdf: $(STAMP) messages
	$(PY) bench/pdf_packets.py

# The fault test (docs/fault-test.md): a PostgreSQL cluster of its own (15 chaos, dropped at the end), two gunicorn
# instances and the worker under load while the database, a web worker and the worker are killed. Root, 3-6 minutes.
chaos: $(STAMP)
	$(PY) bin/chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts

# The current authenticator code of a demo account: make totp EMAIL=dana.reyes@fbi.example
totp: $(STAMP)
	@$(DEMO_ENV) $(PY) manage.py demo_totp $(EMAIL)
