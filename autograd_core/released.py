"""What a node keeps of a large array or tensor once backward released it: enough to draw it, not its memory.

``Node.release`` keeps small arrays (at most ``KEEP_ELEMENTS`` elements,
owning their memory) as they are. Of anything larger it keeps a record: the
name, shape and dtype (not even a few values: copying them would slow every
backward pass down by more than the rest of the record). Backward runs ``pack`` once per
input of such a node, so a record is first packed into a plain tuple (a
``_Packed``, cheap to make); ``Node.kept_inputs`` and ``Node.kept_grad``
unpack it into a ``ReleasedTensor`` or ``ReleasedArray`` when someone asks.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

KEEP_ELEMENTS = 256  #: arrays up to this many elements are kept after backward (about 2 kB in float64)

_TENSOR: Any = None  # the Tensor class, bound on first use (tensor.py imports node.py, which imports this)
_tuple = tuple.__new__
_ARRAY, _TENSOR_RECORD = 0, 1


class _Packed(tuple):
    """A record as backward packs it: (kind, fields…); unpacked by ``unpack``."""

    __slots__ = ()


class ReleasedArray:
    """A large array backward let go of: its shape and dtype.

    >>> x = ag.tensor(np.ones(1000), requires_grad=True)
    >>> loss = (x * 2.0).sum()
    >>> loss.backward()
    >>> list(ag.kept_graph(loss).missing.values())  # x was too large to keep: its shape and dtype remain
    [<ReleasedArray shape=(1000,) dtype=float64>]
    """

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.shape = shape
        self.dtype = dtype

    @property
    def size(self) -> int:
        """Number of elements the array had."""
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<ReleasedArray shape={self.shape} dtype={self.dtype}>"


class ReleasedTensor:
    """An input tensor a released node no longer holds: what a picture shows of it.

    ``value`` is a copy of the data when small (the tensor was a view of a
    larger array), else a ``ReleasedArray``. ``grad_fn`` is the tensor's node,
    so the graph can still be walked. ``key`` is ``id()`` of the tensor at
    release time, the same for every record of one tensor. ``leaf`` returns a
    leaf that requires grad (a model's parameter) while something else keeps
    it alive, else None.

    >>> x = ag.tensor(np.ones(1000), requires_grad=True)
    >>> loss = ag.tanh(x * 2.0).sum()
    >>> loss.backward()
    >>> records = [t for t in ag.kept_graph(loss).originals.values() if isinstance(t, ag.ReleasedTensor)]
    >>> records[1]  # the product x·2, too large to keep
    <ReleasedTensor shape=(1000,) dtype=float64>
    >>> [r.grad_fn for r in records]  # x, x·2, tanh: each with its node, so the graph can still be walked
    [None, <Node mul, freed>, <Node tanh, freed>]
    """

    __slots__ = (
        "key",
        "name",
        "shape",
        "dtype",
        "requires_grad",
        "grad_fn",
        "tensor_type",
        "has_hooks",
        "value",
        "_leaf",
    )

    def __init__(self, packed: tuple) -> None:
        _, self.key, self.name, self.requires_grad, self.grad_fn, self.tensor_type, hooks, self._leaf, value = packed
        self.has_hooks = bool(hooks)
        self.value = unpack(value)
        self.shape = self.value.shape
        self.dtype = self.value.dtype

    @property
    def leaf(self) -> Any:
        """The leaf tensor while it is alive elsewhere, else None."""
        return self._leaf() if self._leaf is not None else None

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return len(self.shape)

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name is not None else ""
        return f"<ReleasedTensor{name} shape={self.shape} dtype={self.dtype}>"


def _tensor_class() -> type:
    global _TENSOR
    if _TENSOR is None:
        from .tensor import Tensor

        _TENSOR = Tensor
    return _TENSOR


def _pack_array(a: Any) -> Any:
    if a.size > KEEP_ELEMENTS:
        return _tuple(_Packed, (_ARRAY, a.shape, a.dtype))
    return a if a.base is None else a.copy()


def pack(x: Any) -> Any:
    """What a released node keeps of one input: ``x`` itself when small and owning its memory, else a packed record."""
    tensor = _TENSOR or _tensor_class()
    if x.__class__ is tensor or isinstance(x, tensor):
        data = x.data
        if data.size <= KEEP_ELEMENTS and data.base is None:
            return x
        node = x._node
        # a leaf that requires grad (a parameter) is usually alive elsewhere: keep a way back to it
        leaf = weakref.ref(x) if node is None and x.requires_grad else None
        return _tuple(
            _Packed, (_TENSOR_RECORD, id(x), x.name, x.requires_grad, node, type(x), x._hooks, leaf, _pack_array(data))
        )
    if isinstance(x, np.ndarray):
        return _pack_array(x)
    if isinstance(x, np.generic):
        return _pack_array(np.asarray(x))
    if hasattr(x, "__array_function__"):  # a backend array (CuPy's, ...): released like numpy's
        return _pack_array(x)
    return x


def pack_gradient(g: Any) -> Any:
    """What a released node keeps of its output's gradient (an array, or a Tensor when the pass was recorded)."""
    if type(g) is np.ndarray:
        return _pack_array(g)
    if isinstance(g, _TENSOR or _tensor_class()):
        g = g.data
    return _pack_array(g if hasattr(g, "__array_function__") else np.asarray(g))


def unpack(item: Any) -> Any:
    """A kept item as the public API shows it: records become ``ReleasedTensor`` / ``ReleasedArray``."""
    if type(item) is not _Packed:
        return item
    if item[0] == _ARRAY:
        return ReleasedArray(*item[1:])
    return ReleasedTensor(item)
