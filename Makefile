# Two commands matter (README): `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-unit test-e2e lint messages check-messages clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Reinstall only when a requirements file changed (pip is not even started otherwise).
$(STAMP): requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP) check-messages
	APP_ENV=demo $(BIN)/python manage.py migrate --noinput
	APP_ENV=demo $(BIN)/python manage.py seed_demo --if-empty
	APP_ENV=demo $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@APP_ENV=demo $(BIN)/python manage.py demo_logins --url http://$(HOST):$(PORT)/
	APP_ENV=demo $(BIN)/daphne -b $(HOST) -p $(PORT) exam_platform.asgi:application

# The whole suite: unit + websocket tests in one process, browser journeys in another (their event
# loops must not meet). Browser tests need Debian's chromium; without it they are skipped, loudly.
test: $(STAMP) check-messages
	$(BIN)/python -m pytest -m "not e2e and not scaleout" --durations=20
	@if [ -x /usr/bin/chromium ]; then \
		$(BIN)/python -m pytest -m e2e --durations=10; \
	else \
		echo "*** SKIPPED: browser tests (tests/e2e) need Debian's chromium: apt-get install -y chromium ***"; \
	fi

# ruff; the house rules ruff does not know (tools/house_rules.py); the apps' layers (import-linter, pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python tools/house_rules.py
	$(BIN)/lint-imports --no-cache --no-logo

# Compiled catalogues are committed; this recompiles them and fails loudly when msgfmt is missing.
messages:
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: apt-get install -y gettext" >&2; exit 1; }
	msgfmt --check -o locale/vi/LC_MESSAGES/django.mo locale/vi/LC_MESSAGES/django.po
	msgfmt --check -o vendor_locale/vi/LC_MESSAGES/django.mo vendor_locale/vi/LC_MESSAGES/django.po

# Recompile when msgfmt is here (deterministic: no diff when nothing changed); otherwise the committed
# .mo files are used, and a test checks they match their .po.
check-messages:
	@if command -v msgfmt >/dev/null; then $(MAKE) --no-print-directory messages; \
	else echo "msgfmt not found: using the committed .mo catalogues"; fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .test-db.sqlite3*
