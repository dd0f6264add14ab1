"""Checks for the plain arguments of the public API: integers, shapes, numbers, dtypes, callables.

Each returns the argument in the form the library uses (a Python int, a
tuple of ints, a float, a numpy dtype) or raises the library's error naming
the function, the argument and what it accepts, so bad input never reaches
numpy to fail there with numpy's words (or worse, be quietly truncated, as
``int(2.5)`` would be). Booleans are not integers here, though Python says
they are: ``axis=True`` is a mistake, not axis 1.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import ArgumentTypeError, DtypeError, InvalidArgumentError

#: dtype kinds a Tensor may hold: bool, integers, floats and complex numbers.
NUMERIC_KINDS = "biufc"


def is_integer(value: Any) -> bool:
    """A Python or numpy integer, and not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def integer_argument(value: Any, name: str, op: str, minimum: int | None = None) -> int:
    """``value`` as an int; an ``ArgumentTypeError`` unless it is an integer, ``InvalidArgumentError`` below ``minimum``."""
    if not is_integer(value):
        raise ArgumentTypeError(f"{op}: {name} must be an integer, not {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise InvalidArgumentError(f"{op}: {name} must be at least {minimum}, got {value}")
    return int(value)


def shape_argument(shape: Any, op: str, allow_minus_one: bool = False) -> tuple[int, ...]:
    """A shape as a tuple of non-negative ints (-1, "infer this one", where ``allow_minus_one``).

    Accepts an int, or a tuple or list of ints (numpy integers too).
    """
    entries = (shape,) if is_integer(shape) else shape
    if not isinstance(entries, (tuple, list)):
        raise ArgumentTypeError(
            f"{op}: a shape is an integer or a tuple of integers, not {shape!r} ({type(shape).__name__})"
        )
    out = []
    for n in entries:
        if not is_integer(n):
            raise ArgumentTypeError(f"{op}: shape entries must be integers, got {n!r} in {tuple(entries)!r}")
        if n < 0 and not (allow_minus_one and n == -1):
            raise InvalidArgumentError(
                f"{op}: shape entries must be non-negative{' (or -1 for one inferred size)' if allow_minus_one else ''}, "
                f"got {n} in {tuple(entries)!r}"
            )
        out.append(int(n))
    return tuple(out)


def real_argument(value: Any, name: str, op: str, optional: bool = False) -> float | None:
    """``value`` as a float; ``ArgumentTypeError`` unless it is a real number (or None when ``optional``)."""
    if value is None and optional:
        return None
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{op}: {name} must be a real number, not {value!r} ({type(value).__name__})")
    return float(value)


def dtype_argument(dtype: Any, op: str) -> np.dtype:
    """``dtype`` as a numpy dtype a Tensor can hold (bool, integer, float or complex)."""
    if dtype is None:
        raise ArgumentTypeError(f"{op}: dtype must be given (e.g. 'float32'), not None")
    try:
        found = np.dtype(dtype)
    except TypeError as err:
        raise DtypeError(f"{op}: {dtype!r} is not a dtype; use e.g. 'float32', 'float64', 'int64' or 'bool'") from err
    if found.kind not in NUMERIC_KINDS:
        raise DtypeError(
            f"{op}: tensors hold numbers or bools, not {found} values; use e.g. 'float32', 'float64', 'int64' or 'bool'"
        )
    return found


def bool_argument(value: Any, name: str, op: str) -> bool:
    """``value`` as a bool; an ``ArgumentTypeError`` unless it is True or False (numpy's bools too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{op}: {name} must be True or False, not {value!r} ({type(value).__name__})")
    return bool(value)


def callable_argument(fn: Any, name: str, op: str) -> Callable[..., Any]:
    """``fn`` itself if it can be called; an ``ArgumentTypeError`` otherwise."""
    if not callable(fn):
        raise ArgumentTypeError(f"{op}: {name} must be a function, not {fn!r} ({type(fn).__name__})")
    return fn
