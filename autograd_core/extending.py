"""Primitives declared after the package has loaded (a user's) get what the built-in ones get.

``ag.primitive`` registers a primitive in the registry, so the graph
pictures, the backward trace and the docs table show it; this module adds
the rest when the declaration asks for it: Tensor methods (``method=``) and
numpy dispatch (``numpy=``). ``ag.unregister(name)`` takes them away again.
"""

from __future__ import annotations

import numpy as np

from ._methods import REFLECTED, _reflected
from ._numpy_protocol import FUNCTIONS, UFUNCS
from .errors import InvalidArgumentError
from .registry import ON_REGISTER, ON_UNREGISTER, PublicFunction, unregister
from .tensor import Tensor

_replaced: dict = {}  # numpy function -> the handler a user primitive replaced
_bound: set[int] = set()  # the entries whose methods and numpy handlers this module bound


def _bind(entry: PublicFunction) -> None:
    taken = [m for m in entry.methods if hasattr(Tensor, m)]
    if taken:
        if entry.primitive is not None:
            unregister(entry.primitive.name)
        raise InvalidArgumentError(
            f"{entry.name}: Tensor already has a method {taken[0]!r}; choose another method name (or method=False)"
        )
    _bound.add(id(entry))
    for method in entry.methods:
        bound = getattr(entry.function, "method_function", entry.function)
        setattr(Tensor, method, _reflected(bound) if method in REFLECTED else bound)
    for target in entry.numpy:
        table = UFUNCS if isinstance(target, np.ufunc) else FUNCTIONS
        _replaced[target] = table.get(target)
        table[target] = entry.function


def _unbind(entry: PublicFunction) -> None:
    if id(entry) not in _bound:
        return
    _bound.discard(id(entry))
    for method in entry.methods:
        if method in Tensor.__dict__:
            delattr(Tensor, method)
    for target in entry.numpy:
        table = UFUNCS if isinstance(target, np.ufunc) else FUNCTIONS
        if table.get(target) is entry.function:
            previous = _replaced.pop(target, None)
            if previous is None:
                del table[target]
            else:
                table[target] = previous


ON_REGISTER.append(_bind)
ON_UNREGISTER.append(_unbind)
