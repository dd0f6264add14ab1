"""Truth tests and counts: any, all, count_nonzero. Their results are booleans and integers, constants
without gradients (as in PyTorch), so ``np.any(t)`` works on a Tensor that requires grad."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import as_array, values_of
from ..errors import InvalidArgumentError
from ..registry import public
from ..tensor import Tensor, wrap
from .reduce import Axis, normalize_axis


def _reduce_values(fn: Any, x: Any, axis: Axis, keepdims: bool, op: str) -> Tensor:
    values = values_of(x)  # a device array stays there
    axes = normalize_axis(axis, values.ndim, op)
    return wrap(as_array(fn(values, axis=axes, keepdims=bool(keepdims))))


def _no_out(out: Any, op: str) -> None:
    if out is not None:
        raise InvalidArgumentError(f"{op}(..., out=...): Tensors are not written in place; drop out=")


def _any(x: Any, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Tensor:
    """Whether any element along ``axis`` (all axes when None) is true (non-zero), as ``np.any``; a constant.

    >>> x = ag.tensor([[0.0, 1.0], [0.0, 0.0]])
    >>> print(ag.any(x), ag.any(x, axis=1).tolist())
    tensor(True, dtype=bool) [True, False]
    """
    _no_out(out, "any")
    return _reduce_values(np.any, x, axis, keepdims, "any")


def _all(x: Any, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Tensor:
    """Whether every element along ``axis`` (all axes when None) is true (non-zero), as ``np.all``; a constant.

    >>> x = ag.tensor([[1.0, 2.0], [0.0, 3.0]])
    >>> print(ag.all(x), ag.all(x, axis=0).tolist(), ag.all(x >= 0))
    tensor(False, dtype=bool) [False, True] tensor(True, dtype=bool)
    """
    _no_out(out, "all")
    return _reduce_values(np.all, x, axis, keepdims, "all")


# the package exports them as ``any`` and ``all``; these module names keep Python's builtins usable here
_any.__name__ = _any.__qualname__ = "any"
_all.__name__ = _all.__qualname__ = "all"
public(numpy=np.any)(_any)
public(numpy=np.all)(_all)


@public(method=True, numpy=np.count_nonzero)
def count_nonzero(x: Any, axis: Axis = None, *, keepdims: bool = False) -> Tensor:
    """The number of non-zero elements along ``axis`` (all axes when None), as ``np.count_nonzero``; an integer constant.

    >>> x = ag.tensor([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]])
    >>> print(int(ag.count_nonzero(x)), ag.count_nonzero(x, axis=0).tolist(), ag.count_nonzero(x, dim=1).tolist())
    3 [0, 1, 2] [2, 1]
    """
    values = values_of(x)
    axes = normalize_axis(axis, values.ndim, "count_nonzero")
    if type(values) is not np.ndarray:  # CuPy's count_nonzero takes no keepdims: count the true values
        return wrap((values != 0).sum(axis=axes, keepdims=bool(keepdims), dtype=np.int64))
    return wrap(np.asarray(np.count_nonzero(values, axis=axes, keepdims=bool(keepdims)), dtype=np.int64))
