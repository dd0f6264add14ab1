"""Every public name has a docstring with a runnable example, and every example passes.

The public API is what the packages export: ``autograd_core.__all__``,
``nn.__all__`` and ``viz.__all__``, and for an exported submodule its own
``__all__`` (or, without one, the public names it defines) — the same set the
API reference documents. The documentation build runs these examples too
(``sphinx.ext.doctest``); running them here catches a broken one in seconds,
and under every numpy version CI tests.
"""

from __future__ import annotations

import doctest
import inspect
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import autograd_core as ag
import nn
import viz

PACKAGES = (ag, nn, viz)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.DONT_ACCEPT_TRUE_FOR_1

# Examples that need an optional package not installed for the docs build: written with
# ``# doctest: +SKIP`` there, and run here (unskipped) when the package is importable.
REQUIRES = {
    "nn.to_torch": "torch",
    "nn.from_torch": "torch",
    "nn.state_dict_from_torch": "torch",
    "nn.state_dict_to_torch": "torch",
}

# Data (not callables) documented by a ``py:data`` entry of the API reference instead of a docstring:
# the registries, and numpy's dtypes re-exported under PyTorch's names (``ag.float32``), whose
# docstrings are numpy's.
DATA = {
    "autograd_core.API",
    "autograd_core.REGISTRY",
    *(f"autograd_core.{dtype}" for dtype in ("float16", "float32", "float64", "int32", "int64")),
}


def module_members(module: types.ModuleType) -> list[str]:
    """The names a submodule makes public: its ``__all__``, else what it defines without a leading underscore."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__
    ]


def public_api() -> Iterator[tuple[str, Any]]:
    """(qualified name, object) for every exported function, class and submodule member, each object once."""
    seen: set[int] = set()
    for package in PACKAGES:
        for name in package.__all__:
            obj = getattr(package, name)
            if isinstance(obj, types.ModuleType):
                members = [(f"{obj.__name__}.{m}", getattr(obj, m)) for m in module_members(obj)]
            else:
                members = [(f"{package.__name__}.{name}", obj)]
            for qualified, member in members:
                if id(member) in seen or qualified in DATA:
                    continue
                seen.add(id(member))
                yield qualified, member


API = sorted(public_api())
GLOBALS = {"np": __import__("numpy"), "ag": ag, "nn": nn, "viz": viz}


def examples(obj: Any, name: str) -> doctest.DocTest:
    return doctest.DocTestParser().get_doctest(inspect.getdoc(obj) or "", dict(GLOBALS), name, None, 0)


def runnable(test: doctest.DocTest) -> list[doctest.Example]:
    """The examples that run: all of them for a name in REQUIRES, else those not marked +SKIP."""
    if test.name in REQUIRES:
        return test.examples
    return [ex for ex in test.examples if not ex.options.get(doctest.SKIP)]


def test_the_walk_finds_the_whole_api():
    names = {name for name, _ in API}
    assert len(API) > 250
    assert {"autograd_core.tanh", "nn.Linear", "nn.data.DataLoader", "nn.optim.Adam", "viz.plots.plot_history"} <= names
    assert {"autograd_core.errors.ShapeError", "nn.functional.cross_entropy", "nn.init.kaiming_uniform_"} <= names


#: Public names whose docstring still lacks a runnable example (added this round with the new
#: primitives and transforms). The list only shrinks: a new name needs an example at once, and a
#: name that gains one must leave the list.
PENDING = Path(__file__).with_name("api_examples_pending.txt")


def test_every_public_name_has_a_docstring_and_an_example():
    missing_doc = [name for name, obj in API if not (inspect.getdoc(obj) or "").strip()]
    missing_example = {name for name, obj in API if not runnable(examples(obj, name))}
    pending = set(PENDING.read_text().split())
    assert not missing_doc, f"public names without a docstring: {missing_doc}"
    new = sorted(missing_example - pending)
    assert not new, f"{len(new)} public names without a runnable ``>>>`` example in their docstring: {new}"
    done = sorted(pending - missing_example)
    assert not done, f"these names have examples now: remove them from {PENDING.name}: {done}"


@pytest.mark.parametrize("name, obj", API, ids=[name for name, _ in API])
def test_docstring_examples_pass(name, obj, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    test = examples(obj, name)
    if name in REQUIRES:
        pytest.importorskip(REQUIRES[name])
        for example in test.examples:
            example.options.pop(doctest.SKIP, None)
    if not runnable(test):
        pytest.skip("no example (reported by the coverage test)")
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    out: list[str] = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)


def test_data_entries_are_documented_in_the_reference():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "api" / "autograd_core.md").read_text()
    for name in DATA:
        assert f"{{py:data}} {name.rsplit('.', 1)[1]}" in page


def test_every_exported_submodule_has_a_reference_page():
    """The packages' pages document their own names; an exported submodule needs a page of its own."""
    from pathlib import Path

    pages = " ".join(p.read_text() for p in (Path(__file__).resolve().parent.parent / "docs" / "api").glob("*.md"))
    for package in PACKAGES:
        assert f".. automodule:: {package.__name__}\n" in pages
        for name in package.__all__:
            member = getattr(package, name)
            if isinstance(member, types.ModuleType):
                assert f".. automodule:: {member.__name__}\n" in pages, f"add docs/api/ a page for {member.__name__}"
