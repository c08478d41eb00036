# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := quizapp:create_app

.PHONY: run serve test install i18n-extract i18n-compile lint bench load test-postgres check-questions \
	clean screenshots vendor-plotly faults

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project's dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed i18n-compile

i18n-compile: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d quizapp/translations

i18n-extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o quizapp/translations/messages.pot .
	$(BIN)/pybabel update -i quizapp/translations/messages.pot -d quizapp/translations --no-fuzzy-matching

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Production-style serving: gunicorn with gunicorn.conf.py (gevent workers, JSON access log),
# after migrating. Behind nginx in production: docs/deploy.md.
serve: install
	$(BIN)/flask db upgrade
	GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install
	$(BIN)/python -m pytest

# The database tests again, against the PostgreSQL named by TEST_POSTGRES_URL.
test-postgres: install
	KEXUE_TEST_DATABASE=postgres $(BIN)/python -m pytest -m "db or postgres" -p no:randomly

lint: install
	$(BIN)/ruff check .

check-questions: install
	$(BIN)/python -m question_bank check
	$(BIN)/python -m question_bank stats --format json

# Fault scenarios against gunicorn and a private PostgreSQL (scripts/faults.py; needs initdb).
faults: install
	$(BIN)/python scripts/faults.py

bench: install
	$(BIN)/python benchmarks/estimator.py

# The competition answer path under load: 50 residents, 60 s (DATABASE=postgres for PostgreSQL).
load: install
	$(BIN)/python benchmarks/load.py --database $(or $(DATABASE),sqlite)

# Every resident page at 390 px in Chinese, English and large type, into docs/screenshots/.
screenshots: install
	$(BIN)/python -m tests.browser.screenshots --out docs/screenshots

# Re-fetch the vendored Plotly bundle from the npm registry at its pinned version (needs npm).
vendor-plotly:
	scripts/fetch_plotly.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
