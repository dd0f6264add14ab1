"""PyTorch's and numpy's index operations: gather, scatter, scatter_add, index_select, masked_fill,
masked_select, put_along_axis, and the constant index queries nonzero / argwhere.

Each is a selection built on ``getitem``, its transpose ``add_at`` and
``where``, so gradients go exactly where the values went:

* gather / index_select / masked_select: x̄ = ȳ added back at the picked places;
* scatter / put_along_axis (y = x with src written at the index): x̄ = ȳ where
  nothing was written, src̄ = ȳ at the place each src element was written to.
  When an index repeats, the last write wins (numpy's rule, made
  deterministic here), and only that src element gets a gradient;
* scatter_add (y = x with src added at the index): x̄ = ȳ, src̄ = gather(ȳ).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _state
from ..backend import arange, as_array, decide, full, host_array, is_backend_array, like, values_of, zeros
from ..errors import DtypeError, IndexingError, InvalidArgumentError, ShapeError
from ..registry import public
from ..tensor import Tensor, constant_array, observed, wrap
from .along import picked, take_along
from .elementwise import add, cast, where
from .index import add_at, getitem, normalize_index
from .reduce import one_axis
from .shape import broadcast_to, reshape


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


def _dtype(x: Any) -> np.dtype:
    return x.dtype if isinstance(x, Tensor) else values_of(x).dtype  # a device array is not copied


def _index_array(index: Any, op: str) -> np.ndarray:
    """The index's values as an array where they live (read: ``ag.compile`` runs a function that writes by a tensor index eagerly)."""
    if isinstance(index, Tensor) and _state.current().slow:
        observed("read", index, f"{op} with a tensor index")
    idx = values_of(index) if isinstance(index, Tensor) or is_backend_array(index) else constant_array(index, op)
    if idx.dtype.kind not in "iu" and not (idx.dtype.kind == "f" and idx.size == 0):
        raise DtypeError(_index_dtype_message(op, idx.dtype))
    return idx.astype(np.intp)


def _index_tensor(index: Any, op: str) -> Any:
    """An index as it is (a Tensor: ``ag.compile`` and ``vmap`` follow it) or as an array; integers only."""
    idx = index if isinstance(index, Tensor) or is_backend_array(index) else constant_array(index, op)
    if idx.dtype.kind not in "iu" and not (idx.dtype.kind == "f" and idx.size == 0):
        raise DtypeError(_index_dtype_message(op, idx.dtype))
    return idx if idx.dtype.kind in "iu" else idx.astype(np.int64)


def _index_dtype_message(op: str, dtype: Any) -> str:
    return (
        f"{op}: index must hold integers, not {dtype}; make it with an integer dtype, "
        "e.g. ag.tensor([0, 2], dtype=ag.int64) (PyTorch's LongTensor)"
    )


def _in_range(idx: np.ndarray, n: int, op: str, axis: int) -> np.ndarray:
    """Negative indices counted from the end; anything outside [-n, n) is an ``IndexingError``."""
    outside = (idx < -n) | (idx >= n)
    if idx.size and decide(outside.any()):  # one flag copied to host: a device would wrap bad indices silently
        bad = host_array(idx[outside]).flat[0]
        raise IndexingError(f"{op}: index {bad} is out of range for axis {axis} of length {n}")
    return np.where(idx < 0, idx + n, idx)


def _grid(index: np.ndarray, dim: int) -> tuple:
    """The full coordinates of each index element: its own position on every axis but ``dim``, the index on ``dim``."""
    ndim = index.ndim
    return tuple(
        index if d == dim else arange(n, index).reshape((1,) * d + (n,) + (1,) * (ndim - d - 1))
        for d, n in enumerate(index.shape)
    )


def _torch_index(x: Any, dim: int, index: Any, op: str) -> tuple[np.ndarray, int]:
    """PyTorch's rules for gather/scatter: same number of dims, index no longer than x on the other dims."""
    shape = _shape(x)
    idx = _index_array(index, op)
    if idx.ndim != len(shape):
        raise ShapeError(f"{op}: index needs as many dimensions as the input {shape}, got shape {idx.shape}")
    if not shape:
        return _in_range(idx, 1, op, 0), 0
    dim = one_axis(dim, len(shape), op)
    for d, (m, n) in enumerate(zip(idx.shape, shape)):
        if d != dim and m > n:
            raise ShapeError(f"{op}: index shape {idx.shape} is longer than the input {shape} on dim {d}")
    return _in_range(idx, shape[dim], op, dim), dim


@public(method=True)
def gather(x: Any, dim: int, index: Any) -> Tensor:
    """y[i][j][k] = x[i][index[i][j][k]][k] for dim = 1 (any dim), as ``torch.gather``; y has index's shape.

    The gradient adds ȳ back at the gathered places (repeats accumulate).

    >>> x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    >>> y = ag.gather(x, 1, np.array([[2, 0], [1, 1]]))
    >>> print(y)
    tensor([[3., 1.],
            [5., 5.]], grad_fn=...)
    >>> y.sum().backward()
    >>> print(x.grad)  # the picked element 5 twice: its gradient accumulates
    tensor([[1., 0., 1.],
            [0., 2., 0.]])
    """
    shape = _shape(x)
    idx = _index_tensor(index, "gather")
    if idx.ndim != len(shape):
        raise ShapeError(f"gather: index needs as many dimensions as the input {shape}, got shape {idx.shape}")
    if not shape:
        return take_along(reshape(x, (1,)), reshape(idx, (1,)), axis=-1)[0]
    dim = one_axis(dim, len(shape), "gather")
    for d, (m, n) in enumerate(zip(idx.shape, shape)):
        if d != dim and m > n:
            raise ShapeError(f"gather: index shape {idx.shape} is longer than the input {shape} on dim {d}")
    if any(m != n for d, (m, n) in enumerate(zip(idx.shape, shape)) if d != dim):  # PyTorch: no broadcasting
        x = getitem(x, tuple(slice(None) if d == dim else slice(0, m) for d, m in enumerate(idx.shape)))
    return picked(x, idx, dim - len(shape), "gather", dim)


def _written(shape: tuple[int, ...], positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For flat ``positions`` written in order: which writes survive (the last to each place) and where they land."""
    flat = positions.ravel()
    _, first_from_end = np.unique(flat[::-1], return_index=True)
    winners = flat.size - 1 - first_from_end
    return winners, flat[winners]


def _write(x: Any, positions: np.ndarray, src: Any, accumulate: bool) -> Tensor:
    """x with ``src`` (one value per entry of ``positions``, flat positions in x) written, or added, at those places."""
    shape = _shape(x)
    size = int(np.prod(shape))
    src_flat = reshape(src, (-1,))
    if accumulate:
        spread = add_at(src_flat, index=normalize_index(positions.ravel(), 1), shape=(size,))
        return add(x, reshape(spread, shape))
    winners, places = _written(shape, positions)
    placed = add_at(getitem(src_flat, winners), index=normalize_index(places, 1), shape=(size,))
    mask = zeros(size, bool, places)
    mask[places] = True
    return where(mask.reshape(shape), reshape(placed, shape), x)


def _source(x: Any, src: Any, shape: tuple[int, ...]) -> Any:
    """src as a Tensor/array of ``shape`` in x's dtype: a number is broadcast (a constant)."""
    if isinstance(src, Tensor):
        if src.dtype != _dtype(x) and src.dtype.kind == "f" and _dtype(x).kind == "f":
            src = cast(src, _dtype(x))
        return src
    arr = values_of(src)
    if arr.ndim == 0:
        if is_backend_array(arr) or like(x) is None:
            return np.broadcast_to(arr, shape).astype(_dtype(x))
        return full(shape, arr[()], _dtype(x), x)  # a number has no device: made where x lives
    return arr.astype(_dtype(x)) if arr.dtype != _dtype(x) else arr


def _torch_scatter(x: Any, dim: int, index: Any, src: Any, op: str, accumulate: bool) -> Tensor:
    idx, dim = _torch_index(x, dim, index, op)
    shape = _shape(x)
    if not shape:
        x, idx = reshape(x, (1,)), idx.reshape(1)
    src = _source(x, src, idx.shape)
    if _shape(src) != idx.shape:
        src_shape = _shape(src)
        if len(src_shape) != idx.ndim or any(m > n for m, n in zip(idx.shape, src_shape)):
            raise ShapeError(f"{op}: src of shape {src_shape} is smaller than index {idx.shape} on some dim")
        src = getitem(src, tuple(slice(0, m) for m in idx.shape))
    positions = np.ravel_multi_index(_grid(idx, dim if shape else 0), _shape(x)) if idx.size else idx.ravel()
    out = _write(x, as_array(positions), src, accumulate)
    return reshape(out, shape) if not shape else out


@public(method=True)
def scatter(x: Any, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None) -> Tensor:
    """y = x with src written at the index along ``dim``: y[i][index[i][j][k]][k] = src[i][j][k] for dim = 1,
    as ``torch.scatter``. ``src`` may be a Tensor or a number (or give ``value=``).

    Where an index repeats, the last write (in index order) wins, and only it
    gets a gradient; x gets ȳ where nothing was written.

    >>> x = ag.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    >>> src = ag.tensor([[7.0], [8.0]], requires_grad=True)
    >>> y = ag.scatter(x, 1, np.array([[2], [0]]), src)
    >>> print(y)
    tensor([[0., 0., 7.],
            [8., 0., 0.]], grad_fn=...)
    >>> (y * ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    >>> print(x.grad)  # 0 where src overwrote x
    tensor([[1., 2., 0.],
            [0., 5., 6.]])
    >>> print(src.grad)  # ȳ at the places written
    tensor([[3.],
            [4.]])
    >>> print(ag.scatter(x, 1, np.array([[1], [1]]), value=-1.0))
    tensor([[ 0., -1.,  0.],
            [ 0., -1.,  0.]], grad_fn=...)
    """
    if reduce is not None:
        raise InvalidArgumentError("scatter: reduce= is not supported; use scatter_add for reduce='add'")
    if (src is None) == (value is None):
        raise InvalidArgumentError("scatter: give exactly one of src (a tensor or number) and value=")
    return _torch_scatter(x, dim, index, value if src is None else src, "scatter", accumulate=False)


@public(method=True)
def scatter_add(x: Any, dim: int, index: Any, src: Any) -> Tensor:
    """y = x with src added at the index along ``dim`` (repeats accumulate), as ``torch.scatter_add``:
    y[i][index[i][j][k]][k] += src[i][j][k] for dim = 1. x̄ = ȳ, src̄ = gather(ȳ).

    >>> x = ag.tensor([0.0, 0.0, 0.0], requires_grad=True)
    >>> src = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = ag.scatter_add(x, 0, np.array([0, 0, 2]), src)
    >>> print(y)  # the two writes at 0 add up
    tensor([3., 0., 3.], grad_fn=...)
    >>> (y * ag.tensor([1.0, 10.0, 100.0])).sum().backward()
    >>> print(x.grad, src.grad)  # x̄ = ȳ, src̄ = ȳ gathered at the index
    tensor([  1.,  10., 100.]) tensor([  1.,   1., 100.])
    """
    return _torch_scatter(x, dim, index, src, "scatter_add", accumulate=True)


@public(method=True)
def index_select(x: Any, dim: int, index: Any) -> Tensor:
    """The entries ``index`` (a 1-D list of positions) along ``dim``, as ``torch.index_select``.

    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    >>> y = ag.index_select(x, 0, [2, 0, 2])
    >>> print(y)
    tensor([[5., 6.],
            [1., 2.],
            [5., 6.]], grad_fn=...)
    >>> y.sum().backward()
    >>> print(x.grad)  # row 2 was picked twice
    tensor([[1., 1.],
            [0., 0.],
            [2., 2.]])
    """
    shape = _shape(x)
    idx = _index_tensor(index, "index_select")
    if idx.ndim > 1:
        raise ShapeError(f"index_select: index must be 1-D, got shape {idx.shape}")
    if not shape:
        return gather(x, 0, reshape(idx, ()))
    dim = one_axis(dim, len(shape), "index_select")
    lined = reshape(idx, tuple(-1 if d == dim else 1 for d in range(len(shape))))
    return picked(x, lined, dim - len(shape), "index_select", dim)


def _mask(mask: Any, op: str) -> np.ndarray:
    m = values_of(mask)
    if m.dtype != bool:
        raise DtypeError(f"{op}: the mask must be boolean, not {m.dtype} (compare first, e.g. x > 0)")
    return m


@public(method=True)
def masked_fill(x: Any, mask: Any, value: Any) -> Tensor:
    """y = value where mask else x, as ``torch.masked_fill``; the mask broadcasts to x's shape.

    x̄ = ȳ where the mask is false (0 where filled); a Tensor ``value`` gets the sum of ȳ over the filled places.

    >>> x = ag.tensor([1.0, -2.0, 3.0], requires_grad=True)
    >>> y = ag.masked_fill(x, x < 0, 0.0)
    >>> print(y)
    tensor([1., 0., 3.], grad_fn=...)
    >>> y.sum().backward()
    >>> print(x.grad)  # 0 where filled
    tensor([1., 0., 1.])
    """
    # a Tensor mask stays a Tensor (under vmap a batched mask has no values of its own to read)
    m = mask if isinstance(mask, Tensor) else _mask(mask, "masked_fill")
    if m.dtype != bool:
        raise DtypeError(f"masked_fill: the mask must be boolean, not {m.dtype} (compare first, e.g. x > 0)")
    shape = _shape(x)
    try:
        fits = np.broadcast_shapes(m.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"masked_fill: the mask of shape {m.shape} does not broadcast to the input's {shape}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError(f"masked_fill: value must be a number or a 0-d tensor, not shape {value.shape}")
        if value.dtype != _dtype(x) and value.dtype.kind == _dtype(x).kind == "f":
            value = cast(value, _dtype(x))
    out = where(m, value, x)
    if out.dtype != _dtype(x) and not isinstance(value, Tensor):
        out = cast(out, _dtype(x))  # a float value into an integer tensor is truncated, as PyTorch does
    return out


@public(method=True)
def masked_select(x: Any, mask: Any) -> Tensor:
    """The elements of x where the mask is true, as a 1-D tensor (``torch.masked_select``); x and the mask broadcast.

    Differentiable: x̄ = ȳ put back at the selected places (summed over broadcast axes).

    >>> x = ag.tensor([[1.0, -2.0], [3.0, -4.0]], requires_grad=True)
    >>> y = ag.masked_select(x, x > 0)
    >>> print(y)
    tensor([1., 3.], grad_fn=...)
    >>> (y * ag.tensor([10.0, 20.0])).sum().backward()
    >>> print(x.grad)  # ȳ put back where the mask holds
    tensor([[10.,  0.],
            [20.,  0.]])
    """
    m = _mask(mask, "masked_select")
    shape = _shape(x)
    try:
        full = np.broadcast_shapes(m.shape, shape)
    except ValueError:
        raise ShapeError(
            f"masked_select: the mask of shape {m.shape} and the input's {shape} do not broadcast"
        ) from None
    if full != tuple(shape):
        x = broadcast_to(x, full)
    return getitem(x, np.broadcast_to(m, full))


def _along_axis_grid(shape: tuple[int, ...], idx: np.ndarray, axis: int, op: str) -> tuple:
    """numpy's fancy index for ``*_along_axis``: ``idx`` on ``axis``, aranges broadcast on the others."""
    if idx.ndim != len(shape):
        raise ShapeError(f"{op}: indices need {len(shape)} dimensions like the array {shape}, got shape {idx.shape}")
    idx = _in_range(idx, shape[axis], op, axis)
    grid = []
    for d, n in enumerate(shape):
        if d == axis:
            grid.append(idx)
        else:
            if idx.shape[d] not in (1, n) and n != 1:
                raise ShapeError(f"{op}: indices {idx.shape} do not broadcast against the array {shape} on axis {d}")
            grid.append(arange(n, idx).reshape((1,) * d + (n,) + (1,) * (len(shape) - d - 1)))
    return tuple(np.broadcast_arrays(*grid))


@public()
def put_along_axis(x: Any, indices: Any, values: Any, axis: int | None) -> Tensor:
    """x with ``values`` written at ``indices`` along ``axis``, as ``np.put_along_axis`` but returning a new
    tensor (``jax.numpy``'s ``inplace=False``); ``axis=None`` writes into the flattened x.

    Where an index repeats the last write wins, and only it gets a gradient;
    x gets ȳ where nothing was written. ``np.put_along_axis(t, ...)`` writes
    into t itself, as numpy does (refused when t requires grad).

    >>> x = ag.tensor([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]], requires_grad=True)
    >>> values = ag.tensor([[-1.0], [-2.0]], requires_grad=True)
    >>> y = ag.put_along_axis(x, np.array([[1], [2]]), values, axis=1)
    >>> print(y)
    tensor([[10., -1., 30.],
            [40., 50., -2.]], grad_fn=...)
    >>> y.sum().backward()
    >>> print(x.grad)  # 0 where values were written
    tensor([[1., 0., 1.],
            [1., 1., 0.]])
    >>> print(values.grad)
    tensor([[1.],
            [1.]])
    """
    shape = _shape(x)
    idx = _index_array(indices, "put_along_axis")
    if axis is None:
        if idx.ndim != 1:
            raise ShapeError(f"put_along_axis: with axis=None the indices must be 1-D, got shape {idx.shape}")
        flat = reshape(x, (-1,))
        return reshape(put_along_axis(flat, idx, values, 0), shape)
    axis = one_axis(axis, len(shape), "put_along_axis")
    grid = _along_axis_grid(shape, idx, axis, "put_along_axis")
    target = grid[0].shape if grid else ()
    positions = np.ravel_multi_index(grid, shape) if grid and grid[0].size else zeros(target, np.intp, idx)
    src = _source(x, values, target)
    try:
        src = broadcast_to(src, target) if _shape(src) != target else src
    except ShapeError:
        raise ShapeError(f"put_along_axis: values of shape {_shape(values)} do not broadcast to {target}") from None
    return _write(x, positions, src, accumulate=False)


def put_along_axis_in_place(arr: Tensor, indices: Any, values: Any, axis: int | None) -> None:
    """``np.put_along_axis(t, indices, values, axis)``: write into t itself, as numpy does (returns None).

    An in-place write: refused on a tensor that requires grad (outside ``no_grad``), recorded by its version counter.
    """
    result = put_along_axis(arr.detach(), indices, values, axis)
    arr.copy_(result)


@public(method=True)
def nonzero(x: Any, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The indices of the non-zero elements, as ``torch.nonzero``: an (n, ndim) integer tensor, one row per
    element; ``as_tuple=True`` gives one 1-D tensor per axis (numpy's ``np.nonzero``). No gradient.

    >>> x = ag.tensor([[0.0, 1.0], [2.0, 0.0]])
    >>> print(ag.nonzero(x).tolist())
    [[0, 1], [1, 0]]
    >>> print([i.tolist() for i in ag.nonzero(x, as_tuple=True)])  # numpy's form: rows, then columns
    [[0, 1], [1, 0]]
    """
    values = values_of(x)
    if as_tuple:
        return tuple(wrap(i) for i in np.nonzero(np.atleast_1d(values)))
    return wrap(np.argwhere(values))


@public(numpy=np.argwhere)
def argwhere(x: Any) -> Tensor:
    """The indices of the non-zero elements as an (n, ndim) integer tensor, as ``np.argwhere``. No gradient.

    >>> x = ag.tensor([[0.0, 1.0], [2.0, 0.0]])
    >>> print(ag.argwhere(x).tolist())  # one (row, column) pair per non-zero element
    [[0, 1], [1, 0]]
    """
    return nonzero(x)
