# machikoba — the two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails and on printed tags point where the demo really serves.
SITE_URL ?= http://$(HOST):$(PORT)
# -x stops at the first failure while working locally; CI runs `make test PYTEST_FLAGS=`.
PYTEST_FLAGS ?= -x
# The suite runs on every core (pytest-xdist, one test database and one Chromium per
# worker); tests that share the system MQTT broker are kept on one worker (loadgroup).
# PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto

.PHONY: demo test install install-dev migrate seed serve worker lint format check-migrations \
        check-css check-messages css messages pytest browsers clean bench mutation

# Keyed on pip, so a half-made venv (python3-venv missing) is made again next time.
$(PIP):
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { \
	  echo "Python's venv module is missing: install it (Debian/Ubuntu: apt install python3-venv) and run make again."; \
	  rm -rf $(VENV); exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt pyproject.toml | $(PIP)
	$(PIP) install --quiet -r requirements/base.txt
	$(PIP) install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(PIP)
	$(PIP) install --quiet -r requirements/dev.txt
	$(PIP) install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

# The demo's live machines: the collector and the simulated shop run beside the server when
# the MQTT broker at MACHIKOBA_MQTT_URL (default mqtt://127.0.0.1:1883) answers;
# MACHIKOBA_TELEMETRY=0 leaves them out.
MACHIKOBA_TELEMETRY ?= auto

## demo: set up, migrate SQLite, load the demo ward, serve on http://127.0.0.1:8000 with a task worker, the scheduler and (when a broker answers) the live machines
demo: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo "Serving machikoba on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	  export SITE_URL='$(SITE_URL)'; \
	  $(MANAGE) db_worker --queue-name '*' --interval 1 & \
	  $(MANAGE) run_scheduler & \
	  if [ "$(MACHIKOBA_TELEMETRY)" = 0 ]; then \
	    echo "Machine monitoring is off (MACHIKOBA_TELEMETRY=0): the board will not move."; \
	  elif $(MANAGE) telemetry_simulate --check; then \
	    $(MANAGE) telemetry_collect & \
	    $(MANAGE) telemetry_simulate & \
	  fi; \
	  $(MANAGE) runserver --insecure --noreload $(HOST):$(PORT)

## test: install test tools (and Debian's Chromium when missing), run every check and the suite
test: install-dev browsers
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(MANAGE) makemigrations --check --dry-run
	scripts/check_css.sh
	$(PY) scripts/check_messages.py
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_FLAGS) $(PYTEST_ARGS)

browsers:
	@scripts/ensure_system_packages.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

css:
	scripts/build_css.sh

messages: install-dev
	cd src/machikoba && ../../$(PY) ../../manage.py makemessages --locale en --no-obsolete --no-location --ignore '*/tests/*' --ignore 'static/*'
	$(PY) scripts/check_messages.py --compile

## mutation: mutation testing of the access and transition rules (slow, not part of `make test`)
# From scratch each time (mutants/ removed), so a test added since the last run counts.
MUTATION_CHILDREN ?= 2
mutation: install-dev
	rm -rf mutants
	set -f; $(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) $$($(PY) scripts/mutation_report.py --names)
	$(PY) scripts/mutation_report.py --survivors

bench: install-dev
	$(VENV)/bin/pytest bench --benchmark-enable

clean:
	rm -rf $(VENV) var mutants
