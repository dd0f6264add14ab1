"""Bind the public functions to Tensor as operators and methods, as their declarations ask.

Binding the functions themselves (not wrappers) keeps ``x.tanh()`` exactly as
fast as ``tanh(x)``; a reflected operator (``__radd__``) swaps its operands.
The comparison and bitwise operators give results without gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import primitives as P  # noqa: F401  (declares everything in API)
from ._numpy_protocol import array_function, array_ufunc, nondifferentiable
from .registry import API
from .tensor import Tensor

_lt = nondifferentiable(np.less)
_le = nondifferentiable(np.less_equal)
_gt = nondifferentiable(np.greater)
_ge = nondifferentiable(np.greater_equal)
_eq = nondifferentiable(np.equal)
_ne = nondifferentiable(np.not_equal)
_and = nondifferentiable(np.bitwise_and)  # bitwise on integers, logical on bools (numpy, PyTorch)
_or = nondifferentiable(np.bitwise_or)
_xor = nondifferentiable(np.bitwise_xor)
_invert = nondifferentiable(np.invert)
_lshift = nondifferentiable(np.left_shift)
_rshift = nondifferentiable(np.right_shift)
_all = nondifferentiable(np.all)
_any = nondifferentiable(np.any)
argmax = nondifferentiable(np.argmax)
argmin = nondifferentiable(np.argmin)
argmax.__doc__ = """i* = argmaxᵢ xᵢ (over ``axis``, or the flattened tensor), as ``np.argmax``; an index, so no gradient.

    >>> ag.argmax(ag.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 1.0]]), axis=1)
    tensor([1, 0], dtype=int64)
    """
argmin.__doc__ = """i* = argminᵢ xᵢ (over ``axis``, or the flattened tensor), as ``np.argmin``; an index, so no gradient.

    >>> ag.argmin(ag.tensor([3.0, -1.0, 2.0]))
    tensor(1, dtype=int64)
    """


#: Operators Python calls with the operands swapped (``2 - x`` calls ``x.__rsub__(2)``).
REFLECTED = {"__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rpow__", "__rmatmul__"}


def _reflected(fn: Callable[..., Any]) -> Callable[..., Any]:
    def reflected(self: Tensor, other: Any) -> Any:
        return fn(other, self)

    reflected.__name__ = reflected.__qualname__ = f"reflected {fn.__name__}"
    reflected.__doc__ = f"``other {fn.__name__} self``: {fn.__name__} with the operands swapped."
    return reflected


def _transpose_method(self: Tensor, *axes: Any) -> Tensor:
    """``x.transpose(a, b)`` swaps two axes (PyTorch); ``x.transpose()`` or a full permutation permutes (numpy).

    Two integers always mean PyTorch's swap, so ``w.transpose(0, 1)`` is the
    matrix transpose; ``x.transpose((2, 0, 1))`` or ``x.transpose(2, 0, 1)``
    is numpy's permutation.
    """
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        return P.transpose(self, tuple(axes[0]))
    if len(axes) == 2:
        return P.swapaxes(self, axes[0], axes[1])
    return P.transpose(self, axes or None)


def _bind() -> None:
    T = Tensor
    T.__array_ufunc__ = array_ufunc
    T.__array_function__ = array_function
    for entry in API.values():
        for method in entry.methods:
            if method in REFLECTED:
                setattr(T, method, _reflected(entry.function))
            else:
                setattr(T, method, entry.function)
    T.__pos__ = lambda s: s
    T.__lt__, T.__le__, T.__gt__, T.__ge__, T.__eq__, T.__ne__ = _lt, _le, _gt, _ge, _eq, _ne
    T.__and__, T.__or__, T.__xor__, T.__invert__ = _and, _or, _xor, _invert
    T.__rand__, T.__ror__, T.__rxor__ = _reflected(_and), _reflected(_or), _reflected(_xor)
    T.__lshift__, T.__rshift__ = _lshift, _rshift
    T.transpose = _transpose_method
    T.T = property(lambda s: P.transpose(s), doc="All axes reversed (numpy's .T).")
    T.to = T.astype
    T.argmax, T.argmin = argmax, argmin
    T.all, T.any = _all, _any


_bind()
