"""Sphinx configuration of the documentation site.

Why Sphinx with myst-nb (rather than MkDocs Material with mkdocs-jupyter and
mkdocstrings): one build does everything the site must check. autodoc reads
each package's ``__all__``, so a new public function appears in the API
reference without editing a page; ``sphinx.ext.doctest`` runs every ``>>>``
example of those docstrings; myst-nb executes the tutorial notebooks and
stops the build on a failing cell; and ``nitpicky`` with ``-W`` turns every
broken cross-reference — in a docstring, a page or a notebook — into an
error. Build with ``make docs`` (see docs/README.md).
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "autograd-core"
author = "the autograd-core authors"
copyright = "the autograd-core authors"  # noqa: A001  (Sphinx's name)
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_nb",
    "api_docs",
    "site_checks",
]

exclude_patterns = ["_build", "README.md", "**.ipynb_checkpoints", "jupyter_execute"]
html_theme = "furo"
html_title = "autograd-core"
html_static_path: list[str] = []

# Every cross-reference must resolve; -W makes a broken one fail the build.
nitpicky = True

# --- API reference ----------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# Defaults are shown as the source writes them by api_docs.preserve_defaults, which pairs
# parameters by name (Sphinx's option pairs them by position and fails on generated signatures).
autodoc_preserve_defaults = False
autoclass_content = "class"

# Examples in docstrings assume these names, as numpy's examples assume ``np``; the files some
# of them write go to a temporary folder.
doctest_global_setup = """
import os
import tempfile
import numpy as np
import autograd_core as ag
import nn
import viz
_doctest_cwd = os.getcwd()
os.chdir(tempfile.mkdtemp())
"""
doctest_global_cleanup = "os.chdir(_doctest_cwd)"
doctest_default_flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.DONT_ACCEPT_TRUE_FOR_1

# --- tutorials (myst-nb) ------------------------------------------------------
nb_execution_mode = "force"  # notebooks are committed without outputs: run them on every build
nb_execution_timeout = 120  # seconds per cell
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# Names a strict build may leave unresolved, each for a reason; anything else unresolved fails.
nitpick_ignore_regex = [
    # outside the project: the build runs offline, without intersphinx inventories
    ("py:class", r"(collections|collections\.abc|typing|pathlib|os|io|numbers)\..*"),
    ("py:class", r"(numpy|np|graphviz|matplotlib|torch|onnx)(\..*)?"),
    # type aliases and type variables of the modules' annotations (``Axis = int | tuple[int, ...] | None``):
    # not objects with a page; each docstring says in words what the parameter takes
    ("py:class", r"(ArrayLike|Operand|Axis|ArgNums|Params|RngLike|PathLike|Rule|ArgnumRules|Metric|Layer|P|R)"),
    ("py:class", r"autograd_core\.registry\.(R|P)"),
    # private: the recorder a viz.trace step list is built from (only the library builds one)
    ("py:class", r"viz\.trace\._Recorder"),
    # the compiler's intermediate representation, named only by the constructor of Program, which
    # ag.compile calls (users read programs, they never build one)
    ("py:class", r"autograd_core\.compiler\.(lower\.Instr|plan\.Plan|ir\.Value)"),
]
