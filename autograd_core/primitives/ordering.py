"""Sorting and order statistics: sort, argsort, topk, quantile (median is in ``extremes``).

All are selections: the order comes from the values (no gradient through
it) and the selected elements are picked with an index, so each value's
gradient goes to the element it came from — x̄ = ȳ scattered back to the
sorted positions. A quantile between two elements is their linear
interpolation, so it sends (1 − w)·ȳ to the lower and w·ȳ to the upper one,
as PyTorch does.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..backend import arange, device_of, host_array, on_device, values_of
from ..errors import InvalidArgumentError, ShapeError
from ..registry import public
from ..tensor import Tensor, constant_array, wrap
from .along import from_values, take_along
from .elementwise import where
from .index import getitem
from .reduce import normalize_axis, one_axis
from .shape import moveaxis, reshape


def _values(x: Any) -> np.ndarray:
    return values_of(x)


def _operand(x: Any, op: str) -> Any:
    """A Tensor as it is; anything else as an array (None, strings, ragged lists: the library's errors)."""
    return x if isinstance(x, Tensor) else constant_array(x, op)


def _order(values: np.ndarray, axis: int, descending: bool, kind: str | None) -> np.ndarray:
    """Indices that sort ``values`` along ``axis``; descending keeps equal elements in their original order."""
    if kind != "stable" and type(values) is not np.ndarray:
        kind = None  # CuPy sorts stably and accepts no other kind
    if not descending:
        return np.argsort(values, axis=axis, kind=kind)
    n = values.shape[axis]
    backwards = np.argsort(np.flip(values, axis), axis=axis, kind="stable")
    return n - 1 - np.flip(backwards, axis)


def _sorting(values: np.ndarray, *, axis: int, descending: bool, kind: str | None) -> np.ndarray:
    """The index (int64) that sorts ``values`` along the negative ``axis`` (an ``from_values`` function)."""
    return _order(values, axis, descending, kind).astype(np.int64)


def _top(values: np.ndarray, *, axis: int, k: int, largest: bool) -> np.ndarray:
    """The index (int64) of the k largest (smallest) along the negative ``axis``, in sorted order."""
    order = _order(values, axis, largest, "stable")
    return np.take(order, arange(k, order), axis=axis).astype(np.int64)


def _kind(kind: str | None, stable: bool | None) -> str | None:
    if stable:
        return "stable"
    return kind


class SortResult(NamedTuple):
    """``(values, indices)``, as ``torch.sort`` returns them."""

    values: Tensor
    indices: Tensor


class TopkResult(NamedTuple):
    """``(values, indices)`` of the k largest (or smallest) elements, as ``torch.topk`` returns them."""

    values: Tensor
    indices: Tensor


def _flat(x: Any) -> Any:
    return reshape(x, (-1,))


@public(method=True, rules=getitem)
def sort(
    x: Any, axis: int | None = -1, kind: str | None = None, *, descending: bool = False, stable: bool | None = None
) -> SortResult:
    """Sorted values along ``axis`` and the indices they came from, as ``torch.sort``: ``(values, indices)``.

    ``values`` is differentiable (each gradient goes back to the element it
    came from); ``indices`` is an integer constant. ``axis=None`` sorts the
    flattened x; ``descending=True`` sorts largest first, keeping equal
    elements in their original order. ``np.sort(t)`` returns the values only, as numpy.

    >>> x = ag.tensor([3.0, 1.0, 2.0], requires_grad=True)
    >>> values, indices = ag.sort(x)
    >>> print(values, indices.tolist())
    tensor([1., 2., 3.], grad_fn=...) [1, 2, 0]
    >>> (values * ag.tensor([1.0, 10.0, 100.0])).sum().backward()
    >>> print(x.grad)  # each weight goes back to the element sorted into its place
    tensor([100.,   1.,  10.])
    >>> print(ag.sort(x, descending=True).values)
    tensor([3., 2., 1.], grad_fn=...)
    """
    x = _operand(x, "sort")
    if axis is None:
        x, axis = _flat(x), -1
    if x.ndim == 0:
        return SortResult(x[()] if isinstance(x, Tensor) else wrap(x), wrap(np.zeros((), dtype=np.int64)))
    axis = one_axis(axis, x.ndim, "sort") - x.ndim  # negative: leading (vmap) batch axes stay in front
    idx = from_values(_sorting, x, axis=axis, descending=bool(descending), kind=_kind(kind, stable))
    return SortResult(take_along(x, idx, axis=axis), idx)


@public(method=True, numpy=np.argsort)
def argsort(
    x: Any,
    axis: int | None = -1,
    kind: str | None = None,
    order: Any = None,
    *,
    descending: bool = False,
    stable: bool | None = None,
) -> Tensor:
    """The indices that sort x along ``axis`` (an integer constant), as ``np.argsort`` / ``torch.argsort``.

    >>> x = ag.tensor([3.0, 1.0, 2.0])
    >>> print(ag.argsort(x).tolist(), ag.argsort(x, descending=True).tolist())
    [1, 2, 0] [0, 2, 1]
    >>> print(ag.argsort(ag.tensor([[2.0, 1.0], [0.0, 5.0]]), axis=0).tolist())
    [[1, 0], [0, 1]]
    """
    if order is not None:
        raise InvalidArgumentError("argsort: order= sorts structured arrays, which Tensors are not; drop it")
    x = _operand(x, "argsort")
    if axis is None:
        x, axis = _flat(x), -1
    if x.ndim == 0:
        return wrap(np.zeros((), dtype=np.int64))
    axis = one_axis(axis, x.ndim, "argsort") - x.ndim
    return from_values(_sorting, x, axis=axis, descending=bool(descending), kind=_kind(kind, stable))


@public(method=True, rules=getitem)
def topk(x: Any, k: int, axis: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:  # noqa: A002
    """The k largest elements along ``axis`` (smallest with ``largest=False``) and their indices, as ``torch.topk``.

    Always returned in sorted order; the values are differentiable, the indices constant.

    >>> x = ag.tensor([1.0, 5.0, 3.0, 4.0], requires_grad=True)
    >>> values, indices = ag.topk(x, 2)
    >>> print(values, indices.tolist())
    tensor([5., 4.], grad_fn=...) [1, 3]
    >>> values.sum().backward()
    >>> print(x.grad)  # only the chosen elements get a gradient
    tensor([0., 1., 0., 1.])
    >>> print(ag.topk(x, 2, largest=False).values)
    tensor([1., 3.], grad_fn=...)
    """
    x = _operand(x, "topk")
    if x.ndim == 0:
        x = reshape(x, (1,))
    axis = one_axis(axis, x.ndim, "topk") - x.ndim
    n = x.shape[axis]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise InvalidArgumentError(f"topk: k must be an integer in [0, {n}] (the length of axis {axis}), not {k!r}")
    idx = from_values(_top, x, axis=axis, k=int(k), largest=bool(largest))
    return TopkResult(take_along(x, idx, axis=axis), idx)


_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _to_last(x: Any, axis: Any, op: str) -> tuple[Any, tuple[int, ...], tuple[int, ...]]:
    """x with the reduced axes moved to the end and merged into one; the reduced (negative) axes and x's shape."""
    shape = x.shape if isinstance(x, Tensor) else np.shape(x)
    axes = normalize_axis(axis, len(shape), op)
    kept = [a for a in range(-len(shape), 0) if a not in axes]
    if kept and axes:
        x = moveaxis(x, [len(shape) + a for a in axes], list(range(len(kept), len(shape))))
    rest = tuple(shape[a] for a in kept)
    return reshape(x, rest + (-1,)), axes, shape


@public(method=True, numpy=np.quantile)
def quantile(
    x: Any,
    q: Any,
    axis: Any = None,
    out: Any = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
    *,
    interpolation: str | None = None,
) -> Tensor:
    """The q-th quantiles over ``axis`` (all axes when None), as ``np.quantile`` / ``torch.quantile``.

    With the values sorted, v = x₍ₖ₎ at the position k = q·(n − 1);
    between two elements ``method='linear'`` (the default) interpolates,
    y = (1 − w)·x₍ₗₒ₎ + w·x₍ₕᵢ₎, so the gradient goes to those two elements
    with weights 1 − w and w; 'lower', 'higher', 'nearest' and 'midpoint'
    pick as numpy does (``interpolation=`` is PyTorch's name). q may be a
    number or a 1-D list; its axis comes first in the result. A slice
    holding NaN gives NaN.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    >>> print(ag.quantile(x, 0.3))  # position 0.3·(5 − 1) = 1.2: between 2 and 3
    tensor(2.2, grad_fn=...)
    >>> ag.quantile(x, 0.3).backward()
    >>> print(x.grad)  # weights 1 − 0.2 and 0.2
    tensor([0. , 0.8, 0.2, 0. , 0. ])
    >>> print(ag.quantile(x, [0.0, 0.5, 1.0]), ag.quantile(x, 0.3, method="lower"))
    tensor([1., 3., 5.], grad_fn=...) tensor(2., grad_fn=...)
    """
    if out is not None:
        raise InvalidArgumentError("quantile(..., out=...): Tensors are not written in place; drop out=")
    method = interpolation if interpolation is not None else method
    if method not in _METHODS:
        raise InvalidArgumentError(f"quantile: method must be one of {', '.join(_METHODS)}, not {method!r}")
    qs = host_array(q, dtype=np.float64)  # a few numbers that choose positions: read on the host, on purpose
    if qs.ndim > 1 or qs.dtype.kind not in "fiu":
        raise ShapeError(f"quantile: q must be a number or a 1-D sequence of numbers, not shape {qs.shape}")
    if ((qs < 0) | (qs > 1) | np.isnan(qs)).any():
        raise InvalidArgumentError(f"quantile: q must lie in [0, 1], got {q!r}")
    rows, axes, shape = _to_last(x, axis, "quantile")
    n = rows.shape[-1]
    if n == 0:
        raise ShapeError(f"quantile: the reduced axes of shape {shape} hold no elements")
    ordered = sort(rows, -1).values
    position = qs.ravel() * (n - 1)
    lo = np.floor(position).astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    weight = on_device(position - lo, device_of(rows))  # the interpolation weights live with x
    if method == "lower":
        y = ordered[..., lo]
    elif method == "higher":
        y = ordered[..., np.ceil(position).astype(np.intp)]
    elif method == "nearest":
        y = ordered[..., np.around(position).astype(np.intp)]
    else:
        low, high = ordered[..., lo], ordered[..., hi]
        dtype = low.dtype if low.dtype.kind == "f" else np.dtype(np.float64)
        if method == "midpoint":  # at a whole position both neighbours are that element
            y = (low + ordered[..., np.ceil(position).astype(np.intp)]) * 0.5
        else:  # numpy's two-sided interpolation, exact at both ends
            w = weight.astype(dtype)
            gap = high - low
            y = where(w >= 0.5, high - gap * (1 - w), low + gap * w)
    if ordered.dtype.kind == "f":  # NaN sorts last: a slice holding one gives NaN (always applied: no value read)
        y = where(np.isnan(ordered[..., -1:]), np.nan, y)
    y = moveaxis(y, -1, 0)  # q's axis first, as numpy
    if keepdims:
        reduced = tuple(1 if (a - len(shape)) in axes else s for a, s in enumerate(shape))
        return reshape(y, qs.shape + reduced)
    return reshape(y, qs.shape + rows.shape[:-1])
