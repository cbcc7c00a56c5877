# Two commands on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
SMTP_PORT ?= 8025
export FLASK_APP := wsgi.py
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/iku_test
MO := app/translations/id/LC_MESSAGES/messages.mo

.PHONY: run test test-sqlite test-postgresql install lint init i18n migration-initial browsers clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate $(MO)

$(MO): app/translations/id/LC_MESSAGES/messages.po | $(BIN)/activate
	$(BIN)/pybabel compile -f -d app/translations

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	chmod 600 $@

init: install instance/secret_key
	IKU_CONFIG=DevConfig SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask db upgrade
	IKU_CONFIG=DevConfig SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask iku init
	IKU_CONFIG=DevConfig SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask iku demo

# Beside gunicorn: a local SMTP sink on a loopback port writing instance/maildir (read in the
# app under Mail > Local mailbox) and the mail worker delivering the outbox to it; both are
# stopped when gunicorn stops. MAIL_SERVER/MAIL_PORT in the environment point at a real server.
run: init
	@echo "IKU Backoffice on http://127.0.0.1:$(PORT)/ (mail: SMTP 127.0.0.1:$(SMTP_PORT) -> instance/maildir)"
	@export IKU_CONFIG=DevConfig SECRET_KEY=$$(cat instance/secret_key) MAIL_PORT=$${MAIL_PORT:-$(SMTP_PORT)}; \
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(SMTP_PORT) -c aiosmtpd.handlers.Mailbox instance/maildir & SINK=$$!; \
	$(BIN)/flask iku mail-worker & WORKER=$$!; \
	trap 'kill $$WORKER $$SINK 2>/dev/null; wait $$WORKER $$SINK 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -w 2 -b 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# Both databases at once, one per core (the suites share no database, port or file name:
# test files are content-addressed, servers take free ports): the two runs overlap instead of
# adding up (~7 min for both, 2026-12-01). Each line says which run it comes from; fails if
# either fails.
test: install
	@set -o pipefail; \
	( $(MAKE) --no-print-directory test-sqlite 2>&1 | sed -u 's/^/[sqlite] /' ) & SQ=$$!; \
	( $(MAKE) --no-print-directory test-postgresql 2>&1 | sed -u 's/^/[postgresql] /' ) & PG=$$!; \
	wait $$SQ; SQ_RC=$$?; wait $$PG; PG_RC=$$?; \
	echo "make test: sqlite exit $$SQ_RC, postgresql exit $$PG_RC"; \
	test $$SQ_RC -eq 0 -a $$PG_RC -eq 0

test-sqlite: install
	$(BIN)/pytest

test-postgresql: install
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser"

lint: install
	$(BIN)/ruff check .

# Our strings and FAB's/WTForms' go into ONE template: updating from ours alone would mark every
# library translation obsolete (babel.cfg's library sections only match inside site-packages).
i18n: install
	SITE=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k __ -k lazy_ngettext:1,2 \
	  -k lazy_pgettext:1c,2 -o /tmp/iku-messages.pot . "$$SITE"
	$(BIN)/pybabel update -N -i /tmp/iku-messages.pot -d app/translations
	$(BIN)/pybabel compile -f -d app/translations

# While nothing is deployed, the whole schema is one initial migration, regenerated from models;
# the hand-written ones after it (0002: PostgreSQL's trigram indexes) wait aside meanwhile.
migration-initial: install
	rm -rf migrations/versions/0001_initial.py /tmp/iku-migrate.db /tmp/iku-migrations-later
	mkdir /tmp/iku-migrations-later && mv migrations/versions/0[0-9][0-9][0-9]_*.py /tmp/iku-migrations-later/
	IKU_CONFIG=DevConfig SECRET_KEY=migration-only-key DATABASE_URL=sqlite:////tmp/iku-migrate.db \
	  $(BIN)/flask db migrate -m "initial" --rev-id 0001; \
	status=$$?; mv /tmp/iku-migrations-later/*.py migrations/versions/; rm -f /tmp/iku-migrate.db; exit $$status

clean:
	rm -rf $(VENV) instance/iku.db
