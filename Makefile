# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
LINTED := toolkit tests benchmarks annotations/scripts

.PHONY: demo test lint format install clean labelstudio

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# Label Studio's server gets an environment of its own (about 1 GB; its pins clash with ours);
# tests/formats/test_labelstudio_server.py drives it over HTTP on 127.0.0.1.
LS_VENV := .venv-labelstudio
$(LS_VENV)/bin/label-studio:
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LS_VENV)/bin/python -m pip install --quiet 'label-studio>=1.23,<1.24'

labelstudio: $(LS_VENV)/bin/label-studio

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/toolkit build

lint: $(VENV)/.installed-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

test: $(VENV)/.installed-test $(LS_VENV)/bin/label-studio
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/python -m pytest -q

format: $(VENV)/.installed-test
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache dist reports
