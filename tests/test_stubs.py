"""The type-checker blocks match what the declarations bind at run time."""

import inspect
import re

import autograd_core as ag
from autograd_core import stubs
from autograd_core.registry import API


def _block(text: str) -> str:
    match = re.search(rf"{re.escape(stubs.START)}\n(.*?)\n[ \t]*{re.escape(stubs.END)}", text, re.S)
    assert match, "generated block markers missing"
    return match.group(1)


def test_generated_blocks_are_current():
    for path, expected in stubs.current_blocks().items():
        assert _block(path.read_text()) == expected, f"run `python -m autograd_core stubs` to regenerate {path.name}"


def test_every_bound_method_and_export_is_in_the_blocks():
    methods = _block((stubs.PACKAGE / "tensor.py").read_text())
    exports = _block((stubs.PACKAGE / "primitives" / "__init__.py").read_text())
    for entry in API.values():
        if entry.namespace:  # ag.linalg.inv: exported by its submodule
            assert getattr(getattr(ag, entry.namespace), entry.name.split(".")[-1]) is entry.function
            continue
        assert f"import {entry.name} as {entry.name}" in exports
        assert getattr(ag, entry.name) is entry.function
        for method in entry.methods:
            assert f"def {method}(" in methods
            assert getattr(ag.Tensor, method) is not None


def test_a_declaration_keeps_its_signature_and_source():
    shown = inspect.signature(ag.sum).parameters
    declared = inspect.signature(ag.sum.__wrapped__).parameters
    assert list(declared) == list(shown)[: len(declared)]  # the declaration's, then PyTorch's aliases
    assert {"dim", "keepdim"} <= set(shown)
    assert "def sum(" in inspect.getsource(ag.sum)
    assert ag.sum.__code__.co_filename.endswith("reduce.py")


def test_the_tensor_method_stubs_sit_inside_class_tensor():
    """Type checkers read the stubs only as part of the class body (a merge once left them inside a function)."""
    import ast
    from pathlib import Path

    source = (Path(__file__).parent.parent / "autograd_core" / "tensor.py").read_text()
    tensor = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    guarded = [n for n in tensor.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    assert len(guarded) == 1
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines, 1) if stubs.START in line)
    end = next(i for i, line in enumerate(lines, 1) if stubs.END in line)
    assert guarded[0].lineno < start < end <= guarded[0].end_lineno + 1
