"""What a node keeps of a large array or tensor once backward released it: enough to draw it, not its memory.

``Node.release`` keeps small arrays (at most ``KEEP_ELEMENTS`` elements,
owning their memory) as they are; everything else becomes one of these
records, holding the name, shape, dtype and the first ``HEAD`` values.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

KEEP_ELEMENTS = 256  #: arrays up to this many elements are kept after backward (about 2 kB in float64)
HEAD = 3  #: how many leading values a record of a large array keeps


class ReleasedArray:
    """A large array backward let go of: its shape, dtype and first ``HEAD`` values (in C order)."""

    __slots__ = ("shape", "dtype", "head")

    def __init__(self, a: np.ndarray) -> None:
        self.shape: tuple[int, ...] = a.shape
        self.dtype: np.dtype = a.dtype
        self.head: np.ndarray = a.flat[:HEAD]  # a copy of the first elements, whatever a's strides

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
    release time, the same for every record of one tensor. ``leaf`` returns the
    leaf tensor itself while something else keeps it alive (a model's
    parameter), None otherwise or for computed tensors.
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

    def __init__(self, t: Any) -> None:
        data = t.data
        self.key = id(t)
        self.name: str | None = t.name
        self.shape: tuple[int, ...] = data.shape
        self.dtype: np.dtype = data.dtype
        self.requires_grad: bool = t.requires_grad
        self.grad_fn = t.grad_fn
        self.tensor_type: type = type(t)
        self.has_hooks: bool = t.has_hooks
        self.value: np.ndarray | ReleasedArray = _keep_array(data)
        self._leaf = weakref.ref(t) if t.grad_fn is None else None

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


def _keep_array(a: Any) -> np.ndarray | ReleasedArray:
    a = np.asarray(a)
    if a.size > KEEP_ELEMENTS:
        return ReleasedArray(a)
    return a if a.base is None else a.copy()


def keep_gradient(g: Any) -> np.ndarray | ReleasedArray:
    """What a released node keeps of its output's gradient (an array, or a Tensor when the pass was recorded)."""
    return _keep_array(getattr(g, "data", g) if _is_tensor(g) else g)


def _is_tensor(x: Any) -> bool:
    from .tensor import Tensor

    return isinstance(x, Tensor)


def keep(x: Any) -> Any:
    """What a released node keeps of one input (or of its gradient): ``x`` itself when small, else a record."""
    from .tensor import Tensor

    if isinstance(x, Tensor):
        data = x.data
        if data.size <= KEEP_ELEMENTS and data.base is None:
            return x
        return ReleasedTensor(x)
    if isinstance(x, (np.ndarray, np.generic)):
        return _keep_array(x)
    return x
