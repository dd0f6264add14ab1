"""Every public name has a docstring with a runnable example, and every example passes.

The public API is what the packages export: ``autograd_core.__all__``,
``nn.__all__`` and ``viz.__all__``, and for an exported submodule its own
``__all__`` (or, without one, the public names it defines) — the same set the
API reference documents — plus the public methods and properties of the
classes every user calls into (``Tensor``, ``nn.Module``, the optimizer base
class). ``Tensor``'s slots (``data``, ``grad``, …) are plain attributes, read
on every operation, so they are documented in the class docstring's
attributes section rather than by properties. The documentation build runs these examples too
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


#: Classes whose public methods and properties are part of the API, by their documented names.
CLASSES = {"autograd_core.Tensor": ag.Tensor, "nn.Module": nn.Module, "nn.optim.Optimizer": nn.optim.Optimizer}


def class_members(exclude: set[int]) -> Iterator[tuple[str, Any]]:
    """(qualified name, function or property) for each public method and property of ``CLASSES``, each object once.

    A method bound from a public function (``Tensor.tanh`` is ``ag.tanh``) is that function, checked with the
    module-level names (its id is in ``exclude``); slots are checked by ``test_tensor_slots_are_documented``.
    """
    seen = set(exclude)
    for owner, cls in CLASSES.items():
        for name in sorted(dir(cls)):
            static = inspect.getattr_static(cls, name)
            if name.startswith("_") or isinstance(static, types.MemberDescriptorType):
                continue
            member = static if isinstance(static, property) else getattr(cls, name)
            if id(member) not in seen:
                seen.add(id(member))
                yield f"{owner}.{name}", member


API = sorted(public_api())
# a public function's Tensor-method variant (bound without the keyword catch-all) is that function
METHODS = sorted(
    class_members({id(obj) for _, obj in API} | {id(getattr(obj, "method_function", obj)) for _, obj in API})
)
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


def test_the_walk_finds_the_methods_and_properties_of_the_core_classes():
    methods = {name for name, _ in METHODS}
    assert len(METHODS) > 70
    assert {"autograd_core.Tensor.backward", "autograd_core.Tensor.shape", "autograd_core.Tensor.T"} <= methods
    assert {"nn.Module.state_dict", "nn.Module.device", "nn.optim.Optimizer.step"} <= methods
    # bound from public functions: their examples are those of ag.tanh, ag.argmax
    assert "autograd_core.Tensor.tanh" not in methods and "autograd_core.Tensor.argmax" not in methods
    # an alias is checked once (clip_ is clamp_)
    assert ("autograd_core.Tensor.clamp_" in methods) != ("autograd_core.Tensor.clip_" in methods)


#: Tensor's public slots: plain attributes, documented as ``.. attribute::`` entries of the class docstring.
SLOTS = sorted(
    name
    for name in dir(ag.Tensor)
    if not name.startswith("_") and isinstance(inspect.getattr_static(ag.Tensor, name), types.MemberDescriptorType)
)


def attribute_entries(doc: str) -> dict[str, str]:
    """``.. attribute:: name`` → the indented text under it, from a class docstring."""
    entries: dict[str, str] = {}
    current = None
    for line in doc.splitlines():
        if line.startswith(".. attribute:: "):
            current = line.split("::", 1)[1].strip()
            entries[current] = ""
        elif current is not None and (line.startswith(" ") or not line.strip()):
            entries[current] += line.strip() + "\n"
        else:
            current = None
    return entries


def test_tensor_slots_are_documented():
    """Each public slot has an entry in Tensor's docstring that says what it holds and shows it in an example."""
    assert {"data", "grad", "requires_grad", "name"} <= set(SLOTS)
    entries = attribute_entries(inspect.getdoc(ag.Tensor) or "")
    missing = [name for name in SLOTS if name not in entries]
    assert not missing, f"add an '.. attribute::' entry to Tensor's docstring for: {missing}"
    for name in SLOTS:
        text = entries[name]
        assert len(text.split(">>>")[0].split()) >= 5, f"Tensor.{name}: say what it holds"
        assert ">>>" in text, f"Tensor.{name}: show it in an example"


#: Public names whose docstring still lacks a runnable example (added this round with the new
#: primitives and transforms). The list only shrinks: a new name needs an example at once, and a
#: name that gains one must leave the list.
PENDING = Path(__file__).with_name("api_examples_pending.txt")


def test_every_public_name_has_a_docstring_and_an_example():
    missing_doc = [name for name, obj in API + METHODS if not (inspect.getdoc(obj) or "").strip()]
    missing_example = {name for name, obj in API + METHODS if not runnable(examples(obj, name))}
    pending = set(PENDING.read_text().split())
    assert not missing_doc, f"public names without a docstring: {missing_doc}"
    new = sorted(missing_example - pending)
    assert not new, f"{len(new)} public names without a runnable ``>>>`` example in their docstring: {new}"
    done = sorted(pending - missing_example)
    assert not done, f"these names have examples now: remove them from {PENDING.name}: {done}"


@pytest.mark.parametrize("name, obj", API + METHODS, ids=[name for name, _ in API + METHODS])
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
