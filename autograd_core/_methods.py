"""Bind the primitive functions to Tensor as operators and methods.

Binding the functions themselves (not wrappers) keeps ``x.tanh()`` exactly as
fast as ``tanh(x)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import primitives as P
from ._numpy_protocol import array_function, array_ufunc, nondifferentiable
from .tensor import Tensor

_lt = nondifferentiable(np.less)
_le = nondifferentiable(np.less_equal)
_gt = nondifferentiable(np.greater)
_ge = nondifferentiable(np.greater_equal)
_eq = nondifferentiable(np.equal)
_ne = nondifferentiable(np.not_equal)
_and = nondifferentiable(np.logical_and)
_or = nondifferentiable(np.logical_or)
_xor = nondifferentiable(np.logical_xor)
_invert = nondifferentiable(np.invert)
_all = nondifferentiable(np.all)
_any = nondifferentiable(np.any)
argmax = nondifferentiable(np.argmax)
argmin = nondifferentiable(np.argmin)


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


def _astype(self: Tensor, dtype: Any) -> Tensor:
    """A copy converted to ``dtype`` (differentiable between float dtypes)."""
    return P.cast(self, dtype)


def _bind() -> None:
    T = Tensor
    T.__array_ufunc__ = array_ufunc
    T.__array_function__ = array_function
    T.__add__, T.__radd__ = P.add, lambda s, o: P.add(o, s)
    T.__sub__, T.__rsub__ = P.sub, lambda s, o: P.sub(o, s)
    T.__mul__, T.__rmul__ = P.mul, lambda s, o: P.mul(o, s)
    T.__truediv__, T.__rtruediv__ = P.div, lambda s, o: P.div(o, s)
    T.__pow__, T.__rpow__ = P.pow, lambda s, o: P.pow(o, s)
    T.__matmul__, T.__rmatmul__ = P.matmul, lambda s, o: P.matmul(o, s)
    T.__neg__, T.__pos__, T.__abs__ = P.neg, lambda s: s, P.abs
    T.__getitem__ = P.getitem
    T.__lt__, T.__le__, T.__gt__, T.__ge__, T.__eq__, T.__ne__ = _lt, _le, _gt, _ge, _eq, _ne
    T.__and__, T.__or__, T.__xor__, T.__invert__ = _and, _or, _xor, _invert
    for name in (
        "exp",
        "log",
        "log1p",
        "sqrt",
        "abs",
        "sign",
        "sin",
        "cos",
        "tanh",
        "sigmoid",
        "relu",
        "leaky_relu",
        "elu",
        "softplus",
        "silu",
        "clip",
        "maximum",
        "minimum",
        "pow",
        "matmul",
        "sum",
        "mean",
        "max",
        "min",
        "var",
        "std",
        "logsumexp",
        "reshape",
        "flatten",
        "squeeze",
        "unsqueeze",
        "expand_dims",
        "expand",
        "broadcast_to",
        "permute",
        "swapaxes",
        "moveaxis",
        "softmax",
        "log_softmax",
    ):
        setattr(T, name, getattr(P, name))
    T.clamp = P.clip
    T.view = P.reshape
    T.transpose = _transpose_method
    T.T = property(lambda s: P.transpose(s), doc="All axes reversed (numpy's .T).")
    T.astype = T.to = _astype
    T.argmax, T.argmin = argmax, argmin
    T.all, T.any = _all, _any


_bind()
