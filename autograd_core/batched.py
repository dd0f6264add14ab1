"""The tensors a function sees inside ``vmap``: one example's shape outside, the whole batch inside.

A ``BatchedTensor`` of vmap level L holds ``value``, a Tensor with the batch
axis in front (or, when ``batched`` is False, one value shared by every
example), and presents the shape of one example: ``x.shape``, ``x.ndim``,
``len(x)`` and every operation see per-example shapes, as in JAX. Applying a
primitive to it runs the primitive's batching rule on the values (``vmap.py``).

Its ``data`` is an ``AbstractValue``: the shape and dtype of one example and
no values, so code that would read the values of one example — ``bool(x)``,
``x.item()``, ``np.asarray(x)`` — raises ``BatchingError`` instead of silently
using the wrong numbers (value-dependent control flow cannot be batched; use
``ag.where``). A shared (unbatched) BatchedTensor's ``data`` is its value's.

Beside ``value``, a BatchedTensor is a Tensor of its own: it may require grad
and carry forward-mode tangents, for the transforms applied *inside* the vmap
(``vmap(grad(f))``), while ``value`` belongs to the transforms outside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import BatchingError, UnsizedError
from .tensor import Tensor


def _refuse(what: str) -> BatchingError:
    return BatchingError(
        f"{what} reads the values of one example inside vmap, which has none of its own (the batch is computed "
        "at once): value-dependent Python control flow cannot be batched; select with ag.where, compare with "
        "tensor operators (x > 0 gives a batched mask), or run the function in a loop instead of vmap"
    )


class _Flags:
    writeable = True
    c_contiguous = True


class AbstractValue:
    """Shape and dtype of one example of a batched tensor, without values (stands in for ``Tensor.data``).

    Whole-batch ``min()`` and ``max()`` are allowed for validation (a class
    label out of range in any example is reported); anything else that would
    read values raises ``BatchingError``.
    """

    __slots__ = ("shape", "dtype", "_value", "_level")
    base = None
    flags = _Flags()
    __array_priority__ = 2000.0

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, value: Tensor, level: int) -> None:
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self._value = value  # the whole batch's values (a Tensor, batch axis in front)
        self._level = level

    def _refuse(self, what: str) -> BatchingError:
        from . import _state

        if self._level not in _state.current().batch_levels:
            return BatchingError(
                "a tensor batched by vmap was used after its vmap returned (kept in a list or a global?); "
                "return it from the function instead"
            )
        return _refuse(what)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __len__(self) -> int:
        if not self.shape:
            raise UnsizedError("len() of a 0-d batched tensor: one example has no first axis")
        return self.shape[0]

    def min(self, *args: Any, **kwargs: Any) -> Any:
        """The smallest value over the whole batch (for validation only)."""
        if args or kwargs:
            raise self._refuse("min(axis=...) of a batched tensor's data")
        return np.min(_values(self._value))

    def max(self, *args: Any, **kwargs: Any) -> Any:
        """The largest value over the whole batch (for validation only)."""
        if args or kwargs:
            raise self._refuse("max(axis=...) of a batched tensor's data")
        return np.max(_values(self._value))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise self._refuse("converting a batched tensor to a numpy array")

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        raise self._refuse(f"numpy.{ufunc.__name__} on a batched tensor's data")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func is np.shape:
            return self.shape
        if func is np.ndim:
            return self.ndim
        if func is np.size and len(args) == 1 and not kwargs:
            return self.size
        name = getattr(func, "__name__", str(func))
        raise self._refuse(f"numpy.{name} on a batched tensor's data (use the tensor method, e.g. x.{name}(), instead)")

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise self._refuse("using a batched tensor's data")

    __bool__ = __float__ = __int__ = __index__ = __iter__ = __getitem__ = __setitem__ = _fail
    item = tolist = copy = astype = reshape = ravel = sum = mean = all = any = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __neg__ = __pow__ = __matmul__ = _fail
    __eq__ = __ne__ = _fail  # type: ignore[assignment]
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"AbstractValue(shape={self.shape}, dtype={self.dtype})"


def _values(v: Tensor) -> np.ndarray:
    """Every example's values (the physical array), through nested vmaps."""
    while isinstance(v, BatchedTensor):
        v = v.value
    return v.data


class BatchedTensor(Tensor):
    """A tensor inside ``vmap``: per-example shape outside, ``value`` (batch axis in front) inside."""

    __slots__ = ("value", "level", "batched")

    value: Tensor
    level: int
    batched: bool

    @property
    def batch_size(self) -> int | None:
        """The length of the batch axis (None for a value shared by every example)."""
        return self.value.shape[0] if self.batched else None

    def numpy(self) -> np.ndarray:
        if not self.batched:
            return self.value.numpy()
        raise _refuse("numpy() of a batched tensor")

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if not self.batched:
            return self.value.__array__(dtype, copy)
        raise _refuse("converting a batched tensor to a numpy array")

    def __repr__(self) -> str:
        kind = f"batch of {self.value.shape[0]}" if self.batched else "shared by the batch"
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"BatchedTensor(shape={self.shape}, dtype={self.dtype}, {kind}, vmap level {self.level}{grad})"

    def detach(self) -> BatchedTensor:
        """Cut this tensor off from every graph (the vmap's inner ones and its value's outer ones)."""
        return make(self.value.detach(), self.level, self.batched)


def make(value: Tensor, level: int, batched: bool, template: BatchedTensor | None = None) -> BatchedTensor:
    """A new BatchedTensor of ``level`` around ``value`` (no graph, no tangents)."""
    t = object.__new__(BatchedTensor)
    t.value = value
    t.level = level
    t.batched = batched
    if batched:
        shape = value.shape[1:]
        t.data = AbstractValue(shape, value.dtype, value, level)
    else:
        t.data = value.data
    t.grad = None
    t.requires_grad = False
    t._node = None
    t.name = None
    t._writes = None
    t._hooks = None
    t._retain = False
    t._tangents = None
    return t


def like(x: BatchedTensor, node: Any = None, tangents: dict | None = None) -> BatchedTensor:
    """A new BatchedTensor sharing ``x``'s value, with its own graph node and tangents (``forward._fresh_view``)."""
    t = make(x.value, x.level, x.batched)
    if node is not None:
        t._node = node
        t.requires_grad = True
    t._tangents = tangents or None
    return t
