# Two commands set up everything: `make run` serves, `make test` tests.
# Django 6 needs Python >= 3.12: the newest Python found is used (pyenv installs too);
# with only Python 3.11 the project installs Django 5.2 LTS instead.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 \
	$$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -Vr) \
	python3.11 python3; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then echo $$p; break; fi; done)
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test integration lint format bench worker clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python >= 3.11 is needed" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py bootstrap
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest

integration: $(VENV)/.installed
	$(BIN)/pytest -m integration tests/integration

lint: $(VENV)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

worker: $(VENV)/.installed
	$(BIN)/celery -A project worker --beat --loglevel INFO

bench: $(VENV)/.installed
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
