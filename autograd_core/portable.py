"""numpy features a device library lacks, spelled so that every backend computes them.

CuPy implements numpy's functions, but not every numpy extra: ufunc methods
exist only for a few ufuncs (``reduce``/``accumulate`` for add and multiply),
and its reductions take no ``initial=``/``where=``. The rules keep numpy's
fastest spelling for numpy arrays (checked first, so the host path costs one
``type`` test) and use these portable forms for any other array type.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["logaddexp_accumulate", "max_or_minus_inf", "maximum_reduce", "minimum_reduce"]


def maximum_reduce(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """max of ``x`` over ``axis``: ``np.maximum.reduce`` on the host, the array's own ``max`` elsewhere."""
    if type(x) is np.ndarray:
        return np.maximum.reduce(x, axis=axis, keepdims=keepdims)
    return x.max(axis=axis, keepdims=keepdims)


def minimum_reduce(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """min of ``x`` over ``axis``: ``np.minimum.reduce`` on the host, the array's own ``min`` elsewhere."""
    if type(x) is np.ndarray:
        return np.minimum.reduce(x, axis=axis, keepdims=keepdims)
    return x.min(axis=axis, keepdims=keepdims)


def max_or_minus_inf(x: Any, axis: Any) -> Any:
    """m = max x over ``axis`` with kept axes, −∞ where the axis is empty (numpy's ``initial=-inf``).

    The shift of a stable softmax / logsumexp: an empty axis gives an empty
    (or −∞) result instead of numpy's "zero-size array" error.
    """
    if type(x) is np.ndarray:
        return x.max(axis=axis, keepdims=True, initial=-np.inf)
    if x.size:
        return x.max(axis=axis, keepdims=True)
    axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
    kept = {a % x.ndim for a in axes}
    shape = tuple(1 if i in kept else n for i, n in enumerate(x.shape))
    return np.full_like(x, -np.inf, shape=shape)


def logaddexp_accumulate(x: Any, axis: int) -> Any:
    """yᵢ = log Σ_{k≤i} exp(xₖ) along ``axis`` (``np.logaddexp.accumulate``), exact and overflow-free.

    Off the host it is a doubling scan: after step s, yᵢ = logaddexp over
    x_{i−2ˢ⁺¹..i}; ⌈log₂ n⌉ elementwise ``logaddexp`` steps, each term combined
    exactly once, so it is as stable as the sequential accumulation.
    """
    if type(x) is np.ndarray:
        return np.logaddexp.accumulate(x, axis=axis)
    y = np.moveaxis(x, axis, -1)
    n = y.shape[-1]
    step = 1
    while step < n:
        y = np.concatenate([y[..., :step], np.logaddexp(y[..., step:], y[..., :-step])], axis=-1)
        step *= 2
    return np.moveaxis(y, -1, axis)
