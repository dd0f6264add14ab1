"""numpy's dispatch protocols for Tensor.

``np.exp(t)``, ``ndarray * t`` and ``np.sum(t, axis=0)`` return Tensors. This
is also what lets the derivative rules, written with numpy, run on Tensors
and be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import primitives as P
from .tensor import Tensor, wrap


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def nondifferentiable(fn: Callable[..., Any]) -> Callable[..., Tensor]:
    """Wrap a numpy function whose result carries no gradient (comparisons, argmax, ...)."""

    def call(*args: Any, **kwargs: Any) -> Tensor:
        return wrap(np.asarray(fn(*(_data(a) for a in args), **kwargs)))

    call.__name__ = getattr(fn, "__name__", "nondifferentiable")
    call.__doc__ = f"{call.__name__} on the values; the result needs no gradient."
    return call


NONDIFF_UFUNCS = (
    np.greater,
    np.greater_equal,
    np.less,
    np.less_equal,
    np.equal,
    np.not_equal,
    np.logical_and,
    np.logical_or,
    np.logical_not,
    np.logical_xor,
    np.bitwise_and,
    np.bitwise_or,
    np.bitwise_xor,
    np.invert,
    np.isfinite,
    np.isnan,
    np.isinf,
    np.floor,
    np.ceil,
    np.round,
    np.rint,
)

UFUNCS: dict[Any, Callable[..., Any]] = {
    np.add: P.add,
    np.subtract: P.sub,
    np.multiply: P.mul,
    np.true_divide: P.div,
    np.negative: P.neg,
    np.positive: lambda x: x,
    np.power: P.pow,
    np.exp: P.exp,
    np.log: P.log,
    np.log1p: P.log1p,
    np.sqrt: P.sqrt,
    np.absolute: P.abs,
    np.sign: P.sign,
    np.sin: P.sin,
    np.cos: P.cos,
    np.tanh: P.tanh,
    np.maximum: P.maximum,
    np.minimum: P.minimum,
    np.matmul: P.matmul,
    np.square: lambda x: P.mul(x, x),
    np.expm1: lambda x: P.exp(x) - 1,
    **{u: nondifferentiable(u) for u in NONDIFF_UFUNCS},
}

FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.sum: P.sum,
    np.mean: P.mean,
    np.max: P.max,
    np.min: P.min,
    np.amax: P.max,
    np.amin: P.min,
    np.var: P.var,
    np.std: P.std,
    np.where: P.where,
    np.clip: P.clip,
    np.broadcast_to: P.broadcast_to,
    np.expand_dims: P.expand_dims,
    np.squeeze: P.squeeze,
    np.reshape: P.reshape,
    np.transpose: P.transpose,
    np.swapaxes: P.swapaxes,
    np.moveaxis: P.moveaxis,
    np.concatenate: P.concatenate,
    np.stack: P.stack,
    np.split: P.split,
    np.pad: P.pad,
    np.take_along_axis: P.take_along_axis,
    np.matmul: P.matmul,
    np.shape: lambda x: x.shape,
    np.ndim: lambda x: x.ndim,
    np.size: lambda x: x.size,
    np.argmax: nondifferentiable(np.argmax),
    np.argmin: nondifferentiable(np.argmin),
    np.allclose: lambda *a, **k: np.allclose(*(_data(x) for x in a), **k),
    np.isclose: nondifferentiable(np.isclose),
    np.zeros_like: nondifferentiable(np.zeros_like),
    np.ones_like: nondifferentiable(np.ones_like),
}


def array_ufunc(self: Tensor, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    fn = UFUNCS.get(ufunc)
    if method != "__call__" or fn is None or kwargs:
        return NotImplemented
    return fn(*inputs)


def array_function(self: Tensor, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    fn = FUNCTIONS.get(func)
    if fn is None:
        return NotImplemented
    return fn(*args, **kwargs)
