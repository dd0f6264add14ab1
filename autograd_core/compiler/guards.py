"""What a compiled program depends on besides its array arguments, and the cache key that tracks it.

As ``jax.jit`` keys its cache on the shapes and dtypes of the arguments (and
the values of static ones), a compiled function here is keyed on:

* every argument: Tensors and arrays by shape, dtype, ``requires_grad`` and
  layout; Python numbers, strings and None by value; containers by
  structure; other objects (a model, an optimizer) by identity and by the
  attributes holding plain Python values (``self.p``, ``training``), and, for
  modules and optimizers, by the identity of every parameter and buffer;
* the same description of what the function reads from its closure and
  globals (and, for a bound method or a module, its ``self``), so a model
  swapped for another, a parameter replaced or ``model.eval()`` retraces;
* grad mode and the default dtype.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _state, backend
from ..errors import DeviceError
from ..tensor import Tensor

PLAIN = (bool, int, float, complex, str, bytes, type(None))
_LIMIT = 64  # containers longer than this are keyed by identity and length only


def is_module(obj: Any) -> bool:
    """An ``nn.Module`` (recognised by its registries, so the core needs no import of nn)."""
    d = getattr(obj, "__dict__", None)
    return isinstance(d, dict) and "_modules" in d and "_parameters" in d and "training" in d


def is_optimizer(obj: Any) -> bool:
    """An optimizer: an object with ``param_groups``."""
    return isinstance(getattr(obj, "param_groups", None), list)


def plain_attributes(obj: Any) -> tuple:
    """The attributes of ``obj`` holding plain Python values (numbers, strings, flags, tuples of them).

    Python code reads them invisibly (``self.p``, ``self.eps``), and a trace
    bakes them into the program, so a change must retrace.
    """
    d = getattr(obj, "__dict__", None)
    if not isinstance(d, dict):
        return ()
    found = []
    for k, v in d.items():
        if isinstance(v, PLAIN) or isinstance(v, tuple) and len(v) <= 8 and all(isinstance(x, PLAIN) for x in v):
            found.append((k, v if not isinstance(v, float) or v == v else ("nan",)))
            if len(found) >= _LIMIT:
                break
    return tuple(found)


def host_only(data: Any) -> None:
    """Refuse, up front, an array that is not numpy's: a compiled program is a sequence of numpy calls on 'cpu'."""
    if type(data) is not np.ndarray and backend.is_backend_array(data):
        raise DeviceError(
            f"ag.compile replays programs of numpy calls, which run on 'cpu', but this call reaches a tensor on "
            f"'{backend.device_of(data)}': call the function without ag.compile on that device (the engine runs "
            "there eagerly), or move the tensors and the model to 'cpu' with .cpu() / .to('cpu')"
        )


def module_signature(m: Any, keep: list) -> tuple:
    """Identity of every submodule, parameter and buffer, every training flag and plain setting."""
    out = []
    stack = [m]
    while stack:
        mod = stack.pop()
        keep.append(mod)
        d = mod.__dict__
        for p in d["_parameters"].values():
            if p is not None and type(p.data) is not np.ndarray:
                host_only(p.data)
        out.append(
            (
                id(mod),
                tuple(id(p) for p in d["_parameters"].values()),
                tuple(id(b) for b in d["_buffers"].values()),
                plain_attributes(mod),
            )
        )
        stack.extend(d["_modules"].values())
    return ("module", tuple(out))


def describe(obj: Any, keep: list, depth: int = 0) -> Any:
    """The part of a cache key an object contributes (see the module docstring).

    Objects keyed by identity are appended to ``keep``: the cache entry holds
    them, so their ids cannot be reused by other objects while it lives.
    """
    if isinstance(obj, PLAIN):
        return obj if not isinstance(obj, float) or obj == obj else ("nan",)
    if isinstance(obj, Tensor):
        keep.append(obj)
        data = obj.data
        if type(data) is not np.ndarray:
            host_only(data)
        return ("tensor", id(obj), data.shape, data.dtype, obj.requires_grad)
    if isinstance(obj, np.ndarray):
        keep.append(obj)
        return ("array", id(obj), obj.shape, obj.dtype.str)
    if is_module(obj):
        return module_signature(obj, keep)
    if is_optimizer(obj):
        keep.append(obj)
        return ("optimizer", id(obj), tuple(id(p) for g in obj.param_groups for p in g["params"]))
    if isinstance(obj, (tuple, list)):
        if depth >= 2 or len(obj) > _LIMIT:
            keep.append(obj)
            return ("seq", id(obj), len(obj))
        return (type(obj).__name__,) + tuple(describe(x, keep, depth + 1) for x in obj)
    if isinstance(obj, dict):
        if depth >= 2 or len(obj) > _LIMIT:
            keep.append(obj)
            return ("dict", id(obj), len(obj))
        return ("dict",) + tuple((k, describe(v, keep, depth + 1)) for k, v in obj.items())
    keep.append(obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, type, types.ModuleType)):
        return ("object", id(obj))
    return ("object", id(obj), plain_attributes(obj))


def argument_key(obj: Any, leaves: list, seen: dict[int, int], keep: list) -> Any:
    """The key of one argument; Tensors and arrays are appended to ``leaves`` (the program's inputs)."""
    if isinstance(obj, Tensor):
        data = obj.data
        if type(data) is not np.ndarray:
            host_only(data)
        alias = seen.setdefault(id(data), len(leaves))
        leaves.append(obj)
        return ("T", data.shape, data.dtype.str, obj.requires_grad, data.flags.c_contiguous, alias)
    if isinstance(obj, np.ndarray):
        alias = seen.setdefault(id(obj), len(leaves))
        leaves.append(obj)
        return ("A", obj.shape, obj.dtype.str, obj.flags.c_contiguous, alias)
    if isinstance(obj, (tuple, list)):
        return (type(obj).__name__,) + tuple(argument_key(x, leaves, seen, keep) for x in obj)
    if isinstance(obj, dict):
        return ("dict",) + tuple((k, argument_key(v, leaves, seen, keep)) for k, v in obj.items())
    host_only(obj)  # a raw CuPy array, ...
    return describe(obj, keep)


def watched_readers(fn: Callable[..., Any]) -> list[Callable[[], Any]]:
    """Functions reading what ``fn`` may read besides its arguments: closure cells, globals, ``self``."""
    readers: list[Callable[[], Any]] = []
    seen: set[int] = set()

    def visit(f: Any, depth: int) -> None:
        if id(f) in seen or depth > 4:
            return
        seen.add(id(f))
        if isinstance(f, functools.partial):
            readers.append(lambda f=f: (f.args, f.keywords))
            visit(f.func, depth + 1)
            return
        if inspect.ismethod(f):
            readers.append(lambda f=f: f.__self__)
            visit(f.__func__, depth + 1)
            return
        if not isinstance(f, types.FunctionType):
            if is_module(f):
                readers.append(lambda f=f: f)
                visit(f.forward, depth + 1)
            elif callable(f) and not isinstance(f, (type, types.BuiltinFunctionType)):
                readers.append(lambda f=f: f)  # a callable object: its attributes are part of the key
                call = type(f).__call__
                if isinstance(call, types.FunctionType):
                    visit(call, depth + 1)
            return
        for cell in f.__closure__ or ():
            readers.append(lambda cell=cell: _cell(cell))
            inner = _cell(cell)
            if callable(inner) and not isinstance(inner, type):
                visit(inner, depth + 1)
        g = f.__globals__
        for name in _global_names(f.__code__):
            value = g.get(name, _MISSING)
            if (
                value is _MISSING
                or isinstance(value, (types.ModuleType, type))
                or callable(value)
                and _is_library(value)
            ):
                continue
            readers.append(lambda g=g, name=name: g.get(name))
            if isinstance(value, types.FunctionType) or is_module(value):
                visit(value, depth + 1)

    visit(fn, 0)
    return readers


_MISSING = object()


def _cell(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return None


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _is_library(value: Any) -> bool:
    module = getattr(value, "__module__", "") or ""
    return module.partition(".")[0] in ("autograd_core", "numpy", "builtins", "math")


def environment_key() -> tuple:
    """Grad mode and the default dtype."""
    return (_state.current().grad_enabled, _state.default_dtype.str)


def tensors_in(objects: list[Any]) -> list[Tensor]:
    """Tensors reachable from ``objects`` (directly, in containers, as parameters of modules and optimizers)."""
    found: dict[int, Tensor] = {}

    def walk(obj: Any, depth: int) -> None:
        if isinstance(obj, Tensor):
            found.setdefault(id(obj), obj)
        elif is_module(obj):
            for p in obj.parameters():
                found.setdefault(id(p), p)
        elif is_optimizer(obj):
            for group in obj.param_groups:
                for p in group["params"]:
                    found.setdefault(id(p), p)
        elif depth < 3 and isinstance(obj, (tuple, list)) and len(obj) <= 4 * _LIMIT:
            for x in obj:
                walk(x, depth + 1)
        elif depth < 3 and isinstance(obj, dict) and len(obj) <= 4 * _LIMIT:
            for x in obj.values():
                walk(x, depth + 1)

    for obj in objects:
        walk(obj, 0)
    return list(found.values())
