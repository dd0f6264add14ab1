"""Reductions over axes, with numpy's ``axis`` and ``keepdims`` semantics.

Axes are stored as a tuple of negative integers, so the same rule works when
cotangents or tangents carry extra leading batch axes.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from ..arguments import bool_argument, is_integer, real_argument
from ..docs import documented
from ..errors import ArgumentTypeError, ShapeError
from ..primitive import expand, primitive, reduction_flops
from ..tensor import Tensor

Axis = int | tuple[int, ...] | None


def normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    """Axes as sorted negative integers; None means every axis.

    An axis is an integer (not a bool: ``axis=True`` is refused) or a tuple or list of them.
    """
    if axis is None:
        return tuple(range(-ndim, 0))
    if is_integer(axis):
        axes = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise ArgumentTypeError(f"{op}: axis must be None, an integer or a tuple of integers, not {axis!r}")
    out = []
    for a in axes:
        if not is_integer(a):
            raise ArgumentTypeError(f"{op}: axis must be None, an integer or a tuple of integers, not {axis!r}")
        if not -ndim <= a < ndim:
            raise ShapeError(f"{op}: axis {a} is out of bounds for a tensor with {ndim} dimension(s)")
        out.append(int(a) - ndim if a >= 0 else int(a))
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def one_axis(axis: int, ndim: int, op: str) -> int:
    """``axis`` counted from the front, in [0, ndim); out of range is a ``ShapeError`` naming the op."""
    if not is_integer(axis):
        raise ArgumentTypeError(f"{op}: an axis must be an integer, not {axis!r}")
    if not -ndim <= axis < ndim:
        raise ShapeError(f"{op}: axis {axis} is out of bounds for a tensor with {ndim} dimension(s)")
    return int(axis) % ndim


def restore_axes(y: Any, axis: tuple[int, ...]) -> Any:
    """Re-insert the reduced (negative) ``axis`` positions as unit axes: a keepdims view."""
    shape = list(y.shape)
    final = len(shape) + len(axis)
    for position in sorted(final + a for a in axis):
        shape.insert(position, 1)
    return y.reshape(tuple(shape))


def unreduce(g: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    """Broadcast a reduced cotangent back over the reduced axes of ``x``."""
    if not keepdims:
        g = restore_axes(g, axis)
    return expand(g, g.shape[: g.ndim - x.ndim] + x.shape)


def reduced_count(x: Any, axis: tuple[int, ...]) -> int:
    """How many elements each output of a reduction over ``axis`` summarises."""
    n = 1
    for a in axis:
        n *= x.shape[a]
    return n


def _sum_forward(x: np.ndarray, axis: tuple[int, ...], keepdims: bool) -> np.ndarray:
    return np.add.reduce(x, axis=axis, keepdims=keepdims)  # the ufunc itself: no Python-level wrapper


def _mean_forward(x: np.ndarray, axis: tuple[int, ...], keepdims: bool) -> np.ndarray:
    if x.dtype == np.float16:  # accumulate half precision in single, as numpy's mean does
        return (np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=np.float32) / reduced_count(x, axis)).astype(
            x.dtype
        )
    return np.add.reduce(x, axis=axis, keepdims=keepdims) / reduced_count(x, axis)


def _keep(y: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    return y if keepdims else restore_axes(y, axis)


def _extreme_share(v, y, x, axis, keepdims):
    """``v`` (broadcast over x) at the maximal (minimal) elements, ties splitting it equally; 0 elsewhere, selected."""
    hit = x == _keep(y, axis, keepdims)
    return np.where(hit, v / hit.sum(axis=axis, keepdims=True).astype(x.dtype), 0)


def _centred(x, axis):
    return x - x.mean(axis=axis, keepdims=True)


def _dof(x, axis, ddof):
    """n − ddof as numpy's var divides by it (never below 0)."""
    return builtins.max(reduced_count(x, axis) - ddof, 0)


def _scaled(v, n):
    """v / n for a count n that may be 0 (then ±∞ or NaN, as numpy's division, never ZeroDivisionError)."""
    return v / n if n else v * math.inf


def _per_std(v, y, n):
    """v / (n·y), taken as 0 where y = 0: no spread, so every centred value it multiplies is 0 too (as PyTorch)."""
    flat = y == 0
    return np.where(flat, 0, v / (n * np.where(flat, 1, y)))


def _logsumexp_forward(x, axis, keepdims):
    m = x.max(axis=axis, keepdims=True, initial=-np.inf)  # over no elements: log 0 = −∞, as PyTorch
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _softmax_of(y, x, axis, keepdims):
    return np.exp(x - _keep(y, axis, keepdims))


SUM = primitive(
    "sum",
    _sum_forward,
    vjp=(lambda g, y, x, axis, keepdims: unreduce(g, x, axis, keepdims),),
    jvp=(lambda t, y, x, axis, keepdims: t.sum(axis=axis, keepdims=keepdims),),
    formula="y = Σᵢ xᵢ",
    vjp_text="x̄ = broadcast(ȳ)",
    jvp_text="ẏ = Σᵢ ẋᵢ",
    flops=reduction_flops,
)
MEAN = primitive(
    "mean",
    _mean_forward,
    vjp=(lambda g, y, x, axis, keepdims: unreduce(g, x, axis, keepdims) / reduced_count(x, axis),),
    jvp=(lambda t, y, x, axis, keepdims: t.mean(axis=axis, keepdims=keepdims),),
    formula="y = (1/n) Σᵢ xᵢ",
    vjp_text="x̄ = broadcast(ȳ) / n",
    jvp_text="ẏ = (1/n) Σᵢ ẋᵢ",
    flops=reduction_flops,
)


def _axis_extremum(name: str, reduce: Any, symbol: str) -> Any:
    """max or min over axes: the gradient goes to the extreme elements, ties sharing it equally."""
    return primitive(
        name,
        lambda x, axis, keepdims: reduce(x, axis=axis, keepdims=keepdims),
        vjp=(lambda g, y, x, axis, keepdims: _extreme_share(unreduce(g, x, axis, keepdims), y, x, axis, keepdims),),
        jvp=(
            lambda t, y, x, axis, keepdims: _extreme_share(t, y, x, axis, keepdims).sum(axis=axis, keepdims=keepdims),
        ),
        formula=f"y = {symbol}ᵢ xᵢ",
        vjp_text="x̄ = ȳ·[x = y] / #ties",
        jvp_text="ẏ = Σᵢ ẋᵢ·[xᵢ = y] / #ties",
        flops=reduction_flops,
    )


MAX = _axis_extremum("max", np.maximum.reduce, "max")
MIN = _axis_extremum("min", np.minimum.reduce, "min")
VAR = primitive(
    "var",
    lambda x, axis, keepdims, ddof: x.var(axis=axis, keepdims=keepdims, ddof=ddof),
    vjp=(
        lambda g, y, x, axis, keepdims, ddof: (
            unreduce(g, x, axis, keepdims) * _scaled(2 * _centred(x, axis), _dof(x, axis, ddof))
        ),
    ),
    jvp=(
        lambda t, y, x, axis, keepdims, ddof: _scaled(
            2 * (t * _centred(x, axis)).sum(axis=axis, keepdims=keepdims), _dof(x, axis, ddof)
        ),
    ),
    formula="y = Σᵢ (xᵢ − μ)² / (n − ddof)",
    vjp_text="x̄ = ȳ·2(x − μ) / (n − ddof)",
    jvp_text="ẏ = Σᵢ ẋᵢ·2(xᵢ − μ) / (n − ddof)",
    flops=reduction_flops,
)
STD = primitive(
    "std",
    lambda x, axis, keepdims, ddof: x.std(axis=axis, keepdims=keepdims, ddof=ddof),
    vjp=(
        lambda g, y, x, axis, keepdims, ddof: (
            unreduce(_per_std(g, y, _dof(x, axis, ddof)), x, axis, keepdims) * _centred(x, axis)
        ),
    ),
    jvp=(
        lambda t, y, x, axis, keepdims, ddof: _per_std(
            (t * _centred(x, axis)).sum(axis=axis, keepdims=keepdims), y, _dof(x, axis, ddof)
        ),
    ),
    formula="y = √var(x)",
    vjp_text="x̄ = ȳ·(x − μ) / ((n − ddof)·y)",
    jvp_text="ẏ = Σᵢ ẋᵢ·(xᵢ − μ) / ((n − ddof)·y)",
    flops=reduction_flops,
)
LOGSUMEXP = primitive(
    "logsumexp",
    _logsumexp_forward,
    vjp=(lambda g, y, x, axis, keepdims: unreduce(g, x, axis, keepdims) * _softmax_of(y, x, axis, keepdims),),
    jvp=(lambda t, y, x, axis, keepdims: (t * _softmax_of(y, x, axis, keepdims)).sum(axis=axis, keepdims=keepdims),),
    formula="y = log Σᵢ exp(xᵢ) (max-shifted)",
    vjp_text="x̄ = ȳ·exp(x − y)",
    jvp_text="ẏ = Σᵢ ẋᵢ·exp(xᵢ − y)",
    flops=reduction_flops,
)


def _ddof(ddof: Any, op: str) -> int | float:
    """Delta degrees of freedom: an integer, or a real number as numpy allows (never silently truncated)."""
    return int(ddof) if is_integer(ddof) else real_argument(ddof, "ddof", op)


def _reduce(prim, x: Any, axis: Axis, keepdims: bool, **params: Any) -> Tensor:
    ndim = x.ndim if isinstance(x, Tensor) else np.ndim(x)
    return prim(
        x, axis=normalize_axis(axis, ndim, prim.name), keepdims=bool_argument(keepdims, "keepdims", prim.name), **params
    )


@documented(SUM)
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """y = Σ x over ``axis`` (all axes when None)."""
    return _reduce(SUM, x, axis, keepdims)


@documented(MEAN)
def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """y = (1/n) Σ x over ``axis``."""
    return _reduce(MEAN, x, axis, keepdims)


@documented(MAX)
def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """y = max x over ``axis``; tied maxima share the gradient equally."""
    return _reduce(MAX, x, axis, keepdims)


@documented(MIN)
def min(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """y = min x over ``axis``; tied minima share the gradient equally."""
    return _reduce(MIN, x, axis, keepdims)


@documented(VAR)
def var(x: Any, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """y = Σ (x − μ)² / (n − ddof) over ``axis`` (population variance by default, as numpy)."""
    return _reduce(VAR, x, axis, keepdims, ddof=_ddof(ddof, "var"))


@documented(STD)
def std(x: Any, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """y = √var(x) over ``axis`` (``ddof=0`` by default, as numpy)."""
    return _reduce(STD, x, axis, keepdims, ddof=_ddof(ddof, "std"))


@documented(LOGSUMEXP)
def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """y = log Σ exp(x) over ``axis``, shifted by the max so it never overflows."""
    return _reduce(LOGSUMEXP, x, axis, keepdims)
