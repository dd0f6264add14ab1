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
from ._numpy_protocol import FUNCTIONS, UFUNCS, array_function, array_ufunc, nondifferentiable
from .batched import BatchedTensor
from .errors import ArgumentTypeError
from .primitives.extremes import torch_method
from .primitives.shape import split_method
from .registry import API, keyword_aliases
from .tensor import Tensor

_lt, _le, _gt, _ge = UFUNCS[np.less], UFUNCS[np.less_equal], UFUNCS[np.greater], UFUNCS[np.greater_equal]
_eq, _ne = UFUNCS[np.equal], UFUNCS[np.not_equal]
# bitwise on integers, logical on bools (numpy, PyTorch)
_and, _or, _xor, _invert = UFUNCS[np.bitwise_and], UFUNCS[np.bitwise_or], UFUNCS[np.bitwise_xor], UFUNCS[np.invert]
_lshift, _rshift = UFUNCS[np.left_shift], UFUNCS[np.right_shift]
_all, _any = (
    FUNCTIONS.setdefault(np.all, nondifferentiable(np.all)),
    FUNCTIONS.setdefault(np.any, nondifferentiable(np.any)),
)
_argmax, _argmin = FUNCTIONS[np.argmax], FUNCTIONS[np.argmin]
_pow = getattr(P.pow, "method_function", P.pow)


@keyword_aliases
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the largest element along ``axis`` (of the flattened tensor when None); no gradient. ``dim=`` works.

    >>> x = ag.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    >>> ag.argmax(x)  # in the flattened tensor
    tensor(3, dtype=int64)
    >>> ag.argmax(x, dim=1)
    tensor([1, 0], dtype=int64)
    >>> ag.argmax(x, axis=1, dim=1)
    Traceback (most recent call last):
        ...
    autograd_core.errors.ArgumentTypeError: argmax(): give axis= or its PyTorch name dim=, not both
    """
    if isinstance(x, BatchedTensor):  # inside vmap: per example
        return x.argmax(axis=axis, keepdims=keepdims)
    return _argmax(x, axis=axis, keepdims=keepdims)


@keyword_aliases
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the smallest element along ``axis`` (of the flattened tensor when None); no gradient. ``dim=`` works.

    >>> x = ag.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    >>> ag.argmin(x, axis=0, keepdims=True)
    tensor([[0, 1, 0]], dtype=int64)
    >>> ag.argmin(x, dim=1)
    tensor([0, 1], dtype=int64)
    """
    if isinstance(x, BatchedTensor):
        return x.argmin(axis=axis, keepdims=keepdims)
    return _argmin(x, axis=axis, keepdims=keepdims)


#: Operators Python calls with the operands swapped (``2 - x`` calls ``x.__rsub__(2)``).
REFLECTED = {"__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rpow__", "__rmatmul__", "__rmod__"}


def _reflected(fn: Callable[..., Any]) -> Callable[..., Any]:
    def reflected(self: Tensor, other: Any) -> Any:
        return fn(other, self)

    reflected.__name__ = reflected.__qualname__ = f"reflected {fn.__name__}"
    reflected.__doc__ = f"``other {fn.__name__} self``: {fn.__name__} with the operands swapped."
    return reflected


def _transpose_method(self: Tensor, *axes: Any, dim0: Any = None, dim1: Any = None) -> Tensor:
    """``x.transpose(a, b)`` swaps two axes (PyTorch); ``x.transpose()`` or a full permutation permutes (numpy).

    Two integers always mean PyTorch's swap, so ``w.transpose(0, 1)`` is the
    matrix transpose; ``x.transpose((2, 0, 1))`` or ``x.transpose(2, 0, 1)``
    is numpy's permutation.

    >>> x = ag.zeros((2, 3, 4))
    >>> x.transpose(0, 2).shape, x.transpose().shape, x.transpose(2, 0, 1).shape, x.transpose((1, 0, 2)).shape
    ((4, 3, 2), (4, 3, 2), (4, 2, 3), (3, 2, 4))
    >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]]).transpose(0, 1)
    tensor([[1., 3.],
            [2., 4.]])
    >>> x.transpose(dim0=0, dim1=1).shape  # PyTorch's keyword names
    (3, 2, 4)
    """
    if dim0 is not None or dim1 is not None:
        if axes or dim0 is None or dim1 is None:
            raise ArgumentTypeError("transpose(dim0=, dim1=): give both dimensions as keywords, and no others")
        return P.swapaxes(self, dim0, dim1)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        return P.transpose(self, tuple(axes[0]))
    if len(axes) == 2:
        return P.swapaxes(self, axes[0], axes[1])
    return P.transpose(self, axes or None)


def _pow_method(self: Tensor, exponent: Any) -> Tensor:
    """y = x ** exponent, as ``torch.Tensor.pow`` (``x.pow(2)``, ``x.pow(exponent=2)``); see ``ag.pow``.

    >>> ag.tensor([1.0, 2.0, 3.0]).pow(exponent=2)
    tensor([1., 4., 9.])
    """
    return _pow(self, exponent)


_T_DOC = """All axes reversed (numpy's ``.T``): shape (a, b, c) becomes (c, b, a); differentiable.

>>> x = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
>>> x.T
tensor([[1.],
        [2.],
        [3.]], grad_fn=transpose)
>>> ag.zeros((2, 3, 4)).T.shape
(4, 3, 2)
"""

_MT_DOC = """The last two axes swapped (PyTorch's and numpy's ``.mT``): a stack of matrices, each transposed.

>>> x = ag.tensor(np.arange(6.0).reshape(1, 2, 3), requires_grad=True)
>>> x.mT.shape
(1, 3, 2)
>>> print(x.mT[0])
tensor([[0., 3.],
        [1., 4.],
        [2., 5.]], grad_fn=...)
>>> x.mT.sum().backward(); x.grad.shape
(1, 2, 3)
"""


def _bind() -> None:
    T = Tensor
    T.__array_ufunc__ = array_ufunc
    T.__array_function__ = array_function
    for entry in API.values():
        bound = getattr(entry.function, "method_function", entry.function)  # operand-only: no ** (hot path)
        for method in entry.methods:
            if method in REFLECTED:
                setattr(T, method, _reflected(bound))
            else:
                setattr(T, method, bound)
    T.__pos__ = lambda s: s
    T.__lt__, T.__le__, T.__gt__, T.__ge__, T.__eq__, T.__ne__ = _lt, _le, _gt, _ge, _eq, _ne
    T.__and__, T.__or__, T.__xor__, T.__invert__ = _and, _or, _xor, _invert
    T.__rand__, T.__ror__, T.__rxor__ = _reflected(_and), _reflected(_or), _reflected(_xor)
    T.__lshift__, T.__rshift__ = _lshift, _rshift
    for method, name in ((_transpose_method, "transpose"), (_pow_method, "pow")):
        method.__name__ = method.__qualname__ = name  # the name its errors give
        setattr(T, name, keyword_aliases(method, {}, always=True))
    T.T = property(lambda s: P.transpose(s), doc=_T_DOC)
    T.mT = property(lambda s: P.swapaxes(s, -1, -2), doc=_MT_DOC)
    T.argmax, T.argmin = argmax, argmin
    # a positional int on the method is PyTorch's dim (x.max(1) -> (values, indices)); ag.max / np.max stay numpy's
    T.max, T.min, T.median = (torch_method(P.max), torch_method(P.min), torch_method(P.median))
    T.all, T.any = _all, _any
    split_method.__name__ = split_method.__qualname__ = "split"  # the name its errors give
    T.split = keyword_aliases(split_method, {"split_size": ("split_size_or_sections",), "dim": ("axis",)})


_bind()
