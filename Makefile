# `make demo` and `make test` each set up what they need: a virtual environment
# with the package installed, and the Graphviz `dot` program when it is missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench setup dot clean

demo: setup
	$(PY) examples/demo.py

test: setup
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

bench: setup
	$(PY) benchmarks/overhead.py
	$(PY) benchmarks/mlp.py
	$(PY) benchmarks/train.py

setup: $(STAMP) dot

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dot:
	@command -v dot >/dev/null 2>&1 || bash .ci/install-graphviz

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache out
