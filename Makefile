# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
LINTED := toolkit tests benchmarks annotations/scripts

.PHONY: demo test test-fast lint format install clean labelstudio

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

# The loop on the seed: build the release, train on its 21 train sentences, pre-annotate with the trained
# pipeline, benchmark it beside the baseline on the 4 test sentences. Small on purpose (about a minute), and
# deterministic (seed 0): it shows the loop working, not a model worth using.
RELEASE := dist/ukraine-liveblog/1.2.0
MODEL := models/ukraine-liveblog-1.2.0
demo: $(VENV)/.installed
	$(BIN)/toolkit build
	@echo "demo: the model-in-the-loop on the seed: 21 training sentences, 11 for early stopping, 4 to test."
	@echo "demo: that is enough to see every step work, not to learn a model worth using (docs/training.md)."
	$(BIN)/toolkit train $(RELEASE) -o $(MODEL) --force
	$(BIN)/toolkit preannotate annotations/tasks/seed.jsonl -o reports/demo/pre-trained.jsonl --model $(MODEL)
	$(BIN)/toolkit benchmark $(RELEASE) --split test --system baseline --system spacy:$(MODEL) \
		-o reports/demo/benchmark --quiet
	@sed -n '/^## Summary/,/^## Coverage/p' reports/demo/benchmark/report.md | sed '$$d'
	@echo "demo: trained pipeline $(MODEL); its pre-annotations reports/demo/pre-trained.jsonl;"
	@echo "demo: report reports/demo/benchmark/report.md (4 test sentences: the intervals are wide)."

lint: $(VENV)/.installed-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

test: $(VENV)/.installed-test $(LS_VENV)/bin/label-studio
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Everything but the tests marked slow (real servers, clusters, signals, training): a quick loop while editing.
test-fast: $(VENV)/.installed-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -m "not slow"

format: $(VENV)/.installed-test
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache dist reports models
