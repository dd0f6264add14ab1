# `make demo` and `make test` each set up what they need: a virtual environment
# with the package installed, and the Graphviz `dot` program when it is missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo forward-vs-reverse test test-numpy1 lint bench setup dot clean docs docs-setup

demo: setup
	$(PY) examples/demo.py

forward-vs-reverse: setup
	$(PY) examples/forward_vs_reverse.py

test: setup
	$(PY) -m pytest

# The suite again against the oldest numpy supported (1.26), in its own environment.
test-numpy1: dot
	test -x .venv-numpy1/bin/python || $(PYTHON) -m venv .venv-numpy1
	.venv-numpy1/bin/python -m pip install --quiet -e '.[test]' 'numpy==1.26.4'
	.venv-numpy1/bin/python -m pytest

# The documentation site in docs/_build/html: API reference, primitive table, gallery, and the
# tutorials executed. Strict: any warning (a failing notebook cell, a failing docstring example,
# a broken cross-reference) fails the build. The doctest pass reuses the parsed pages.
# warnings are errors (-W -n) by default; `make docs SPHINXSTRICT=` builds without that
SPHINXSTRICT ?= -W -n
SPHINX := $(PY) -m sphinx $(SPHINXSTRICT) --keep-going -q -d docs/_build/doctrees

docs: docs-setup
	$(SPHINX) -b html docs docs/_build/html
	$(SPHINX) -b doctest docs docs/_build/doctest
	@echo "site: docs/_build/html/index.html"

docs-setup: setup $(VENV)/.docs-installed

$(VENV)/.docs-installed: pyproject.toml
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@

lint: setup
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

bench: setup
	$(PY) benchmarks/overhead.py
	$(PY) benchmarks/mlp.py
	$(PY) benchmarks/jacobian.py
	$(PY) benchmarks/train.py
	$(PY) benchmarks/sklearn_digits.py
	$(PY) benchmarks/per_example.py
	$(PY) benchmarks/checkpoint_memory.py

setup: $(STAMP) dot

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dot:
	@command -v dot >/dev/null 2>&1 || bash .ci/install-graphviz

clean:
	rm -rf $(VENV) .venv-numpy1 build *.egg-info .pytest_cache .ruff_cache out docs/_build
