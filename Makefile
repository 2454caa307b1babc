# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Python 3.13, explicitly: python3.13 when it runs (pyenv's shim does where .python-version selects it), else python3
# when it is 3.13. `make PYTHON=/path/to/python3.13 demo` chooses another.
IS_PYTHON_313 := import sys; sys.exit(sys.version_info[:2] != (3, 13))
ifndef PYTHON
PYTHON := $(shell for candidate in python3.13 python3; do \
	$$candidate -c '$(IS_PYTHON_313)' 2>/dev/null && { echo $$candidate; break; }; done)
endif
define NO_PYTHON
The portal needs Python 3.13, and neither python3.13 nor python3 is 3.13 here.
  Debian 13 (trixie): apt-get install python3 python3-venv
  elsewhere: pyenv install 3.13 (this folder's .python-version then selects it), or uv python install 3.13,
  or name one: make PYTHON=/path/to/python3.13 demo
endef
export NO_PYTHON

# `make demo PORT=8080` serves on another port; links in the demo's e-mails follow (PORTAL_BASE_URL).
PORT ?= 8000
PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
DEMO_ENV := DJANGO_DEBUG=true PORTAL_BASE_URL=$(PORTAL_BASE_URL)

# Debian packages, each installed only when missing (as root, or with sudo): `make demo` needs gettext (the
# translations) and Pango for WeasyPrint (the PDF packets; fonts-dejavu-core gives it a font; without HarfBuzz's
# subsetting library WeasyPrint warns on every PDF, which the suite treats as an error), demo-deps below;
# `make test` adds Chromium (browser tests) and poppler (PDF checks), system-deps; creating .venv with Debian's own
# python3 needs python3.13-venv.
define apt_install
SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); echo "Installing system packages: $(1)"; \
$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(1) >/dev/null
endef

.PHONY: demo test lint demo-deps system-deps venv messages clean totp bench bench-pdf bench-scale bench-deconfliction chaos

$(STAMP): pyproject.toml
	@if [ -x $(PY) ] && ! $(PY) -c '$(IS_PYTHON_313)' 2>/dev/null; then \
		echo "$(VENV) was made with another Python than 3.13: remove it (make clean) and run make again." >&2; exit 1; \
	fi
	@if [ ! -x $(PY) ]; then \
		if [ -z "$(PYTHON)" ]; then echo "$$NO_PYTHON" >&2; exit 1; fi; \
		echo "Creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV) >/dev/null 2>&1 || { rm -rf $(VENV); $(call apt_install,python3.13-venv); \
			$(PYTHON) -m venv $(VENV); }; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --group dev -e .
	@touch $@

venv: $(STAMP)

demo-deps: $(STAMP)
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	$(PY) -c 'import weasyprint' >/dev/null 2>&1 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then $(call apt_install,$$missing); fi

system-deps: demo-deps
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then $(call apt_install,$$missing); fi

messages: $(STAMP) demo-deps
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		$(DEMO_ENV) $(PY) manage.py compilemessages --verbosity 0 --ignore=$(VENV) --ignore=node_modules; \
	fi

demo: $(STAMP) messages
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py createcachetable
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py referrals_expire --schedule
	$(DEMO_ENV) $(PY) manage.py meeting_packets_purge --schedule
	$(DEMO_ENV) $(PY) manage.py notifications_sweep --schedule
	$(DEMO_ENV) $(PY) manage.py tips_overdue --schedule
	$(DEMO_ENV) $(PY) manage.py deconfliction_entries_expire --schedule
	$(DEMO_ENV) $(PY) manage.py tasks_reap --schedule
	@echo "Starting the background worker and the portal on http://127.0.0.1:$(PORT) (Ctrl-C stops both)."
	@$(DEMO_ENV) $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

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
	$(VENV)/bin/djlint --lint portal agencies cases referrals services_directory tips deconfliction protection prosecution reports --extension html
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

# Subject deconfliction: one check against 1,000,000 index entries, against a plain indexed lookup of one digest.
bench-deconfliction: $(STAMP)
	$(PY) bench/deconfliction.py
	@if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
		DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/deconfliction.py; \
	else echo "PostgreSQL is not reachable: its half of the benchmark is skipped."; fi

# The fault test (docs/fault-test.md): a PostgreSQL cluster of its own (15 chaos, dropped at the end), two gunicorn
# instances and the worker under load while the database, a web worker and the worker are killed. Root, 3-6 minutes.
chaos: $(STAMP)
	$(PY) bin/chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts

# The current authenticator code of a demo account: make totp EMAIL=dana.reyes@fbi.example
totp: $(STAMP)
	@$(DEMO_ENV) $(PY) manage.py demo_totp $(EMAIL)
