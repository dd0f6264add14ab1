"""The library's error for an unknown keyword, for functions that take no ``**`` keywords of their own.

``library_keyword_errors(fn)`` calls ``fn`` as it is; only when Python
refuses the call's keywords (a ``TypeError`` raised while binding, before
``fn`` runs, or by a decorator's wrapper under it) does it read ``fn``'s signature and raise ``ArgumentTypeError``
naming the keyword and what ``fn`` accepts ("ones() takes dtype=,
requires_grad=, device=, not devcie="). A call that binds pays one frame
and no check. Registry functions do the same in their generated code
(``registry.keyword_aliases``); this covers the creation functions, the
function transforms and ``nn.functional``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .registry import _unknown_keywords

F = TypeVar("F", bound=Callable[..., Any])


def accepted_keywords(fn: Callable[..., Any]) -> list[str]:
    """The names ``fn`` takes by keyword (a parameter before ``*args`` is positional in practice)."""
    params = list(inspect.signature(fn).parameters.values())
    kinds = inspect.Parameter
    star = any(p.kind is kinds.VAR_POSITIONAL for p in params)
    return [
        p.name for p in params if p.kind is kinds.KEYWORD_ONLY or (p.kind is kinds.POSITIONAL_OR_KEYWORD and not star)
    ]


def unknown_keyword_error(fn: Callable[..., Any], given: Iterable[str], name: str | None = None) -> Exception | None:
    """The ``ArgumentTypeError`` for the keywords of ``given`` that ``fn`` does not take (None if it takes them all)."""
    names = accepted_keywords(fn)
    unknown = [k for k in given if k not in names]
    if not unknown:
        return None
    return _unknown_keywords(name or fn.__name__, names, {}, unknown)


def library_keyword_errors(fn: F) -> F:
    """``fn``, answering an unknown keyword with ``ArgumentTypeError`` instead of Python's bare ``TypeError``.

    The check runs only on the error path: when binding the call's arguments fails.

    >>> from autograd_core.keyword_errors import library_keyword_errors
    >>> @library_keyword_errors
    ... def scaled(x, factor=2.0):
    ...     return x * factor
    >>> scaled(3.0, factor=3.0)
    9.0
    >>> scaled(3.0, factr=3.0)
    Traceback (most recent call last):
        ...
    autograd_core.errors.ArgumentTypeError: scaled() takes x=, factor=, not factr=
    """
    if getattr(fn, "library_keyword_errors", False):
        return fn

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError:
            # a keyword fn's signature does not take can never bind: that is the error, wherever it surfaced
            if kwargs:
                converted = unknown_keyword_error(fn, kwargs)
                if converted is not None:
                    raise converted from None
            raise

    call.library_keyword_errors = True  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]


def guard_module_functions(namespace: dict[str, Any], module: str) -> None:
    """Wrap (in ``namespace``) the public plain functions defined in ``module`` with ``library_keyword_errors``."""
    guarded: dict[int, Callable[..., Any]] = {}  # an alias (swish = silu) stays the same object
    for name, obj in list(namespace.items()):
        if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module:
            continue
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(obj).parameters.values()):
            continue  # it reads its keywords itself
        namespace[name] = guarded.setdefault(id(obj), library_keyword_errors(obj))
