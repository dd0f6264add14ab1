"""Indexing: slices, integer arrays, boolean masks, take_along_axis.

y = x[index] and its transpose, add_at (x̄ = zeros with ȳ added at the
indexed places, numpy's ``np.add.at``), are a primitive pair: each is the other's VJP and each is its
own JVP. Advanced indices go through the flat positions they select, so
repeated indices accumulate and batch axes stay in front.
"""

from __future__ import annotations

import math
import operator
from typing import Any, NamedTuple

import numpy as np

from .. import _state, batching
from ..backend import arange, device_of, is_backend_array, like, to_device, zeros
from ..errors import DtypeError, IndexingError, ShapeError
from ..registry import no_flops, primitive, public
from ..tensor import Tensor, constant_array, ndim_of, observed, shape_of
from .along import picked
from .reduce import one_axis


class IndexSpec(NamedTuple):
    """An index made explicit for an array of ``ndim`` axes (Tensors unwrapped).

    The Ellipsis is spelled out as full slices; it stays only where it covers no
    axis but separates two advanced indices, which changes where numpy puts
    their axes (``x[None, 0, ..., 0, [1, 2]]``: in front).
    """

    items: tuple
    ndim: int
    basic: bool


def _unwrap(item: Any) -> Any:
    if isinstance(item, Tensor):
        if _state.current().slow:  # ag.compile would freeze the index into the program: it runs eagerly instead
            observed("read", item, "indexing with a tensor (x[t])")
        item = item.data
    if is_backend_array(item):  # an index already on a device (labels on the GPU): used there, never copied
        if item.dtype.kind not in "iub" and item.size:
            raise DtypeError(f"index arrays must be integer or boolean, not {item.dtype}")
        return item.astype(np.intp) if item.dtype.kind not in "bi" else item
    if isinstance(item, (list, np.ndarray)):
        try:
            arr = np.asarray(item)
        except ValueError as err:
            raise IndexingError(f"index lists must be rectangular (every row the same length), not {item!r}") from err
        if arr.dtype.kind not in "iub" and arr.size:
            raise DtypeError(f"index arrays must be integer or boolean, not {arr.dtype}")
        return arr.astype(np.intp) if arr.dtype.kind != "b" else arr
    if isinstance(item, np.integer):
        return int(item)
    if isinstance(item, slice):
        for part in (item.start, item.stop, item.step):
            try:
                None if part is None else operator.index(part)
            except TypeError as err:
                raise IndexingError(f"slice bounds and steps must be integers or None, not {part!r} in {item}") from err
    return item


def _advanced(part: tuple, items: tuple) -> bool:
    """Whether ``part`` holds an advanced index (an array; an integer too when ``items`` holds an array)."""
    arrays = any(isinstance(i, np.ndarray) for i in items)
    return any(isinstance(i, np.ndarray) or (arrays and isinstance(i, int)) for i in part)


def normalize_index(index: Any, ndim: int) -> IndexSpec:
    """Unwrap Tensors and lists, expand ``...``, and pad with full slices to cover every axis."""
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(_unwrap(i) for i in items)
    consumed = sum(
        i.ndim if hasattr(i, "dtype") and i.dtype == bool else 0 if i is None or i is Ellipsis else 1 for i in items
    )
    if consumed > ndim:
        raise IndexingError(f"getitem: too many indices ({consumed}) for a tensor with {ndim} dimension(s)")
    fill = (slice(None),) * (ndim - consumed)
    if sum(i is Ellipsis for i in items) > 1:
        raise IndexingError("an index can hold only one ellipsis (...)")
    if any(i is Ellipsis for i in items):
        at = next(k for k, i in enumerate(items) if i is Ellipsis)
        before, after = items[:at], items[at + 1 :]
        if not fill and _advanced(before, items) and _advanced(after, items):
            fill = (Ellipsis,)  # it still separates the advanced indices: numpy puts their axes first
        items = before + fill + after
    else:
        items = items + fill
    basic = all(i is None or isinstance(i, (int, slice)) for i in items)
    return IndexSpec(items, ndim, basic)


def _positions(shape: tuple[int, ...], spec: IndexSpec, ref: Any = None) -> np.ndarray:
    """The flat position in an array of ``shape`` of every element ``[spec]`` selects (on ``ref``'s device)."""
    return arange(math.prod(shape), ref).reshape(shape)[placed(spec.items, ref)]


def placed(items: tuple, ref: Any) -> tuple:
    """Index items for an array ``ref``: host index arrays (the user's lists) copied to its device when it has one."""
    device_ref = like(ref)
    if device_ref is None:
        return items
    device = device_of(device_ref)
    return tuple(to_device(i, device) if isinstance(i, np.ndarray) else i for i in items)


def take(a: Any, spec: IndexSpec) -> Any:
    """``a[spec]``, treating axes of ``a`` beyond ``spec.ndim`` as leading batch axes."""
    nb = a.ndim - spec.ndim
    if nb == 0:
        return a[spec.items if type(a) is np.ndarray else placed(spec.items, a)]
    batch = a.shape[:nb]
    return a.reshape(batch + (-1,))[..., _positions(a.shape[nb:], spec, a)]


def _index_params(x: Any, index: Any) -> dict[str, Any]:
    ndim = ndim_of(x)
    return {"index": normalize_index(index, ndim)}


@primitive(
    vjp=(lambda g, y, x, index: add_at.primitive.bind(g, index=index, shape=g.shape[: g.ndim - y.ndim] + x.shape),),
    jvp=(lambda t, y, x, index: take(t, index),),
    formula="y = x[index]",
    vjp_text="x̄ = zeros; x̄[index] += ȳ",
    jvp_text="ẏ = ẋ[index]",
    flops=no_flops,
    view=True,
    batch=batching.leading,
    method="__getitem__",
    prepare=_index_params,
)
def getitem(x: Any, /, index: Any) -> np.ndarray:
    """y = x[index] with numpy semantics; repeated integer indices accumulate in the gradient.

    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> x[[0, 0, 2]]
    tensor([1., 1., 3.], grad_fn=getitem)
    >>> x[[0, 0, 2]].sum().backward()
    >>> x.grad  # index 0 was read twice
    tensor([2., 0., 1.])
    """
    return take(x, index)


@primitive(
    vjp=(lambda g, y, v, index, shape: take(g, index),),
    jvp=(
        lambda t, y, v, index, shape: add_at.primitive.bind(t, index=index, shape=t.shape[: t.ndim - v.ndim] + shape),
    ),
    formula="y = zeros(shape); y[index] += v",
    vjp_text="v̄ = ȳ[index]",
    jvp_text="ẏ = add_at(v̇)",
    flops=no_flops,
    batch=batching.scatter_add,
    export=False,
)
def add_at(v: Any, /, index: IndexSpec, shape: tuple[int, ...]) -> np.ndarray:
    """y = zeros(shape) with v added at ``index`` (an ``IndexSpec``): the transpose of ``getitem``."""
    nb = len(shape) - index.ndim
    out = zeros(shape, v.dtype, v)
    if nb == 0 and index.basic:
        out[index.items] = v  # a basic index never selects an element twice
        return out
    pos = _positions(shape[nb:], index, v).ravel()
    if pos.size == 0:
        return out
    np.add.at(out.reshape(-1, math.prod(shape[nb:])), (slice(None), pos), v.reshape(-1, pos.size))
    return out


@public(numpy=np.take_along_axis)
def take_along_axis(x: Any, indices: Any, axis: int) -> Tensor:
    """y = x picked along ``axis`` at ``indices`` (same number of axes as x), as numpy's.

    >>> x = ag.tensor([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]], requires_grad=True)
    >>> print(ag.take_along_axis(x, ag.argsort(x, axis=1), axis=1))  # each row sorted
    tensor([[10., 20., 30.],
            [40., 50., 60.]], grad_fn=...)
    >>> y = ag.take_along_axis(x, np.array([[1], [0]]), axis=1)
    >>> print(y)
    tensor([[30.],
            [60.]], grad_fn=...)
    >>> y.sum().backward()
    >>> print(x.grad)
    tensor([[0., 1., 0.],
            [1., 0., 0.]])
    """
    shape = shape_of(x)
    idx = (
        indices
        if isinstance(indices, Tensor) or is_backend_array(indices)
        else constant_array(indices, "take_along_axis")
    )
    if idx.ndim != len(shape) or idx.dtype.kind not in "iu":
        raise ShapeError(
            f"take_along_axis: indices need {len(shape)} integer axes like x {shape}, got {idx.dtype} {idx.shape}"
        )
    at = one_axis(axis, len(shape), "take_along_axis")
    return picked(x, idx, at - len(shape), "take_along_axis", axis)
