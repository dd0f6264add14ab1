"""Picking elements by an index computed from tensor values: the index is a tensor every transform sees.

sort, topk, max/min/median(dim=), gather, index_select and take_along_axis
all pick elements along one axis at positions that depend on values. Two
pieces make that work under every transform:

* ``from_values(fn, x, axis=...)`` computes the integer index from x's
  values (``fn`` on the array, no gradient) as one step ``ag.compile``
  records and replays (so a compiled function picks by the *current* values,
  never by those of the tracing call), and per example under ``vmap``;
* ``take_along(x, index, axis)`` (y = x picked along ``axis``, numpy's
  ``take_along_axis``) and its transpose ``put_along`` are primitives whose
  index is an operand (without gradient), not a parameter frozen into them.

x̄ = ȳ added back at the picked places along ``axis`` (repeats accumulate).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _state
from ..backend import arange, device_of, like, to_device, zeros
from ..batched import BatchedTensor, make
from ..batching import GenericRule
from ..errors import IndexingError
from ..registry import no_flops, primitive
from ..tensor import Tensor, observed, wrap

Operand = Any


def from_values(fn: Callable[..., Any], x: Any, **kwargs: Any) -> Tensor:
    """``fn(values of x, **kwargs)`` (an integer index, a basis: an array without gradient) as a Tensor.

    ``fn`` must treat extra leading axes as batch axes (give it negative
    axes); it runs per example under ``vmap``, and ``ag.compile`` records it
    as one step run again on the values of each call.
    """
    if isinstance(x, BatchedTensor):
        return make(from_values(fn, x.value, **kwargs), x.level, x.batched)
    data = x.data if isinstance(x, Tensor) else x
    out = wrap(index_like(fn(data, **kwargs), data))  # computed on the host (sorting), used where x lives
    if isinstance(x, Tensor) and _state.current().slow:  # a recorder (ag.compile) replays the call
        observed("numpy", fn, (x,), kwargs, out)
    return out


def index_like(index: Any, x: Any) -> Any:
    """A host (numpy) index moved to the device of x when x lives on one (a Tensor index is left as it is)."""
    ref = like(x)
    if ref is not None and isinstance(index, np.ndarray):
        return to_device(index, device_of(ref))
    return index


def picked(x: Any, index: Any, axis: int, op: str, dim: int) -> Tensor:
    """``take_along(x, index, axis=axis)`` for the public function ``op``: an index out of range names it and ``dim``."""
    try:
        return take_along(x, index_like(index, x), axis=axis)
    except IndexingError:
        n = x.shape[axis]
        raise IndexingError(
            f"{op}: an index is out of range for dim {dim} of length {n} (valid: -{n} to {n - 1})"
        ) from None


def _lined_up(x: Any, index: Any) -> tuple[Any, Any]:
    """x and index with as many axes (unit axes in front of the shorter): leading axes are batch axes."""
    if index.ndim < x.ndim:
        index = index.reshape((1,) * (x.ndim - index.ndim) + index.shape)
    elif x.ndim < index.ndim:
        x = x.reshape((1,) * (index.ndim - x.ndim) + x.shape)
    return x, index


def _take_along(x: Any, index: Any, axis: int) -> Any:
    x, index = _lined_up(x, index)
    try:
        return np.take_along_axis(x, index, axis)  # a backend array answers through __array_function__
    except IndexError as err:
        raise IndexingError(f"take_along: an index is out of range for axis {axis} of shape {x.shape}") from err


def _take_batch(prim: Any, batched: tuple[bool, ...], x: Any, index: Any, axis: int) -> Any:
    bx, bi = batched
    if not bx:
        x = x[None]  # the batched index picks from the one shared x (its unit batch axis broadcasts)
    if not bi:
        index = index[None]
    return prim.bind(x, index, axis=axis)


@primitive(
    vjp=(lambda g, y, x, index, axis: put_along.primitive.bind(g, index, axis=axis, shape=x.shape), None),
    jvp=(lambda t, y, x, index, axis: take_along.primitive.bind(t, index, axis=axis), None),
    formula="y = x picked at index along axis (take_along_axis)",
    vjp_text="x̄ = zeros; x̄ at index along axis += ȳ",
    jvp_text="ẏ = ẋ picked at index along axis",
    flops=no_flops,
    batch=GenericRule("take_along", _take_batch),
    export=False,
)
def take_along(x: Operand, index: Operand, /, axis: int) -> np.ndarray:
    """y = x picked at ``index`` (integers, no gradient) along the negative ``axis``; the two broadcast."""
    return _take_along(x, index, axis)


def _put_batch(prim: Any, batched: tuple[bool, ...], v: Any, index: Any, axis: int, shape: tuple) -> Any:
    bv, bi = batched
    size = (v if bv else index).shape[0]
    if not bv:
        v = v[None]
    if not bi:
        index = index[None]
    return prim.bind(v, index, axis=axis, shape=(size,) + tuple(shape))


@primitive(
    vjp=(lambda g, y, v, index, axis, shape: take_along.primitive.bind(g, index, axis=axis), None),
    jvp=(lambda t, y, v, index, axis, shape: put_along.primitive.bind(t, index, axis=axis, shape=shape), None),
    formula="y = zeros(shape); y at index along axis += v",
    vjp_text="v̄ = ȳ picked at index along axis",
    jvp_text="ẏ = put_along(v̇)",
    flops=no_flops,
    batch=GenericRule("put_along", _put_batch),
    export=False,
)
def put_along(v: Operand, index: Operand, /, axis: int, shape: tuple[int, ...]) -> np.ndarray:
    """y = zeros(batch + shape) with v added at ``index`` along the negative ``axis``: the transpose of take_along.

    Where ``shape`` has a unit axis that v has longer (x was broadcast), the values along it add up.
    """
    v, index = _lined_up(v, index)
    full_v = np.broadcast_shapes(v.shape, index.shape)
    v, index = np.broadcast_to(v, full_v), np.broadcast_to(index, full_v)
    nb = len(full_v) - len(shape)
    out_shape = full_v[:nb] + tuple(shape)
    out = zeros(out_shape, v.dtype, v)
    if v.size == 0:
        return out
    ndim, at = len(full_v), len(full_v) + axis
    grid = []
    for d in range(ndim):
        if d == at:
            grid.append(index)
            continue
        n = full_v[d]
        coords = arange(n, v) if out_shape[d] == n else zeros((n,), np.intp, v)  # a broadcast axis adds up
        grid.append(coords.reshape((1,) * d + (n,) + (1,) * (ndim - d - 1)))
    try:
        np.add.at(out, tuple(grid), v)
    except IndexError as err:
        raise IndexingError(f"put_along: an index is out of range for axis {axis} of shape {tuple(shape)}") from err
    return out
