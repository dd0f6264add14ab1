"""Tensor: a numpy array that remembers how it was computed.

Operator sugar and op methods (``x.tanh()``, ``x @ w``) are bound in
``_methods.py`` from the primitive functions, so each op is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import _state
from .errors import DtypeError, GradientError, IndexingError, ShapeError, UnsizedError
from .node import Node, next_tick

ArrayLike = Union["Tensor", np.ndarray, float, int, bool, list, tuple]

_GRAD_KINDS = "f"  # numpy dtype kinds that may require gradients


def check_grad_dtype(dtype: np.dtype, what: str = "tensor") -> None:
    """Raise ``DtypeError`` unless ``dtype`` is floating point."""
    if dtype.kind not in _GRAD_KINDS:
        raise DtypeError(
            f"only floating-point tensors (float16, float32, float64) can require "
            f"gradients, but this {what} has dtype {dtype}; create it with a float "
            f"dtype, e.g. tensor(data, dtype='float64')"
        )


def observed(event: str, *details: Any) -> None:
    """Tell this thread's observers about an event outside primitive applications (call only when ``slow``).

    A recorder such as ``ag.compile``'s must see values leave the engine
    ("read": ``item()``, ``bool()``, ``numpy()``, ...), arrays made from data
    ("made"), in-place writes ("inplace", "written") and gradient resets
    ("grad_reset"); observers without a ``tensor_event`` method are skipped.
    """
    for observer in _state._local.state.observers:
        hook = getattr(observer, "tensor_event", None)
        if hook is not None:
            hook(event, *details)


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert user data to an owned numpy array.

    numpy arrays and scalars keep their dtype; Python numbers and lists become
    the default float dtype (bools stay bool), unless ``dtype`` is given.
    """
    arr = _to_array(data.data if isinstance(data, Tensor) else data, dtype)
    if _state._local.state.slow:
        observed("made", data, arr)
    return arr


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype))
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)
    arr = np.array(data)
    if arr.dtype.kind in "iuf":
        return arr.astype(_state.default_dtype)
    if arr.dtype.kind == "b":
        return arr
    raise DtypeError(
        f"cannot make a tensor from {type(data).__name__} data of dtype {arr.dtype} (need numbers or bools of one rectangular shape)"
    )


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    ``data`` is the numpy array itself (writing into it is untracked, which is
    what optimizers want); ``grad`` holds the accumulated gradient after
    ``backward()``.
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "_node",
        "name",
        "_writes",
        "_hooks",
        "_retain",
        "_tangents",
        "__weakref__",
    )

    # numpy defers to Tensor's reflected operators and ufunc handling.
    __array_priority__ = 1000.0

    def __init__(
        self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None, name: str | None = None
    ) -> None:
        self.data = to_array(data, dtype)
        if requires_grad:
            check_grad_dtype(self.data.dtype)
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._node = None
        self.name = name
        self._writes = None
        self._hooks = None
        self._retain = False
        self._tangents = None

    # ---------------------------------------------------------------- basics
    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """Number of elements."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype."""
        return self.data.dtype

    @property
    def grad_fn(self) -> Node | None:
        """The node that produced this tensor (None for leaves)."""
        return self._node

    @property
    def has_hooks(self) -> bool:
        """Whether hooks registered with ``register_hook`` will see this tensor's gradient."""
        return bool(self._hooks)

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation."""
        return self._node is None

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ShapeError(f"item() needs a tensor with one element, this one has shape {self.shape}; index it first")
        if _state._local.state.slow:
            observed("read", self, "item()")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        if _state._local.state.slow:
            observed("read", self, "numpy()")
        return self.data

    def tolist(self) -> Any:
        """The values as nested Python lists."""
        if _state._local.state.slow:
            observed("read", self, "tolist()")
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The values for numpy (``np.asarray(t)``); refused for a tensor that requires grad, as PyTorch does.

        Converting would silently drop the gradient (``np.array([t1, t2])``,
        ``np.r_[t1, t2]``); use ``ag.stack``/``ag.concatenate`` to keep it, or
        ``t.detach()`` / ``t.numpy()`` to take the values on purpose.
        """
        if self.requires_grad:
            from .errors import ArgumentTypeError

            raise ArgumentTypeError(
                "numpy conversion of a tensor that requires grad would drop its gradient; combine tensors with "
                "ag.stack([...]) or ag.concatenate([...]), or take the values on purpose with t.detach() or t.numpy()"
            )
        if _state._local.state.slow:
            observed("read", self, "numpy conversion")
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    # ---------------------------------------------------------------- DLPack
    def __dlpack__(
        self, *, stream: Any = None, max_version: Any = None, dl_device: Any = None, copy: bool | None = None
    ) -> Any:
        """This tensor's memory as a DLPack capsule, for ``torch.from_dlpack(t)``, ``np.from_dlpack(t)``, … (no copy).

        Refused for a tensor that requires grad; export ``t.detach()``. See ``autograd_core.dlpack``.
        """
        from .dlpack import export_capsule

        if _state._local.state.slow:
            observed("read", self, "__dlpack__()")
        return export_capsule(self, stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self) -> tuple[int, int]:
        """(DLPack device type, device id) of the memory: (1, 0), the CPU."""
        return self.data.__dlpack_device__()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise UnsizedError("len() of a 0-d tensor: it has no first axis (use .item() for its value)")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise UnsizedError("iteration over a 0-d tensor: it has no first axis (use .item() for its value)")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        if _state._local.state.slow:
            observed("read", self, "bool()")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub":
            raise DtypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        if _state._local.state.slow:
            observed("read", self, "use as an index")
        return int(self.data)

    __hash__ = object.__hash__  # == is elementwise, identity is the hash

    def __repr__(self) -> str:
        if _state._local.state.slow:
            observed("read", self, "repr() or print()")
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype != _state.default_dtype and self.data.dtype.kind == "f" or self.data.dtype.kind in "iub":
            extras.append(f"dtype={self.data.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn={self._node.op.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # -------------------------------------------------------- autograd state
    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut off from the graph."""
        out = wrap(self.data)
        out._writes = self._shared_writes()
        return out

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf; returns self."""
        if requires_grad:
            check_grad_dtype(self.data.dtype)
        elif self._node is not None:
            raise GradientError(
                "requires_grad_(False) only works on leaf tensors; use .detach() to cut a non-leaf from the graph"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after ``backward()`` (leaves always keep it)."""
        if not self.requires_grad:
            raise GradientError("retain_grad() on a tensor that does not require grad; nothing will flow into it")
        self._retain = True

    def register_hook(self, fn: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``fn(grad)`` when this tensor's gradient is computed; a returned tensor replaces the gradient."""
        if not self.requires_grad:
            raise GradientError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return RemovableHandle(self._hooks, fn)

    def backward(
        self, gradient: ArrayLike | None = None, retain_graph: bool = False, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's ``.grad``.

        Reverse mode: x̄ = Σ over uses of x of VJP(ȳ), visited in reverse
        topological order. A non-scalar needs ``gradient`` (the seed ȳ).
        """
        from .backward import backward

        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad = None``)."""
        if _state._local.state.slow:
            observed("grad_reset", self)
        self.grad = None

    # --------------------------------------------------------------- in place
    def _shared_writes(self) -> list[int]:
        if self._writes is None:
            self._writes = [0]
        return self._writes

    def _mark_written(self) -> None:
        """Record an in-place write (every write the library makes calls this), so a graph that saved
        this tensor before the write refuses to backpropagate with the new values."""
        if _state._local.state.slow:
            observed("written", self)
        self._shared_writes()[0] = next_tick()

    @property
    def _version(self) -> int:
        """The tick of the last recorded in-place write (0: never written; PyTorch's ``_version``)."""
        return self._writes[0] if self._writes is not None else 0

    def _check_inplace(self, what: str) -> None:
        if _state.current().grad_enabled and self.requires_grad:
            raise GradientError(
                f"{what}: in-place write to a tensor that requires grad would corrupt the graph; "
                "compute a new tensor instead (e.g. where(mask, value, x)), or wrap the write in no_grad()"
            )

    def __setitem__(self, index: Any, value: ArrayLike) -> None:
        self._check_inplace("__setitem__")
        from .primitives.index import normalize_index

        items = normalize_index(index, self.data.ndim).items
        try:
            self.data[items] = value.data if isinstance(value, Tensor) else value
        except IndexError as err:
            raise IndexingError(f"__setitem__: {err} (tensor shape {self.shape})") from err
        except ValueError as err:
            raise ShapeError(f"__setitem__: {err} (tensor shape {self.shape})") from err
        if _state._local.state.slow:
            observed("inplace", self, "__setitem__", lambda a, b: a.__setitem__(items, b), value, items)
        self._mark_written()

    def _inplace(self, what: str, fn: Callable[[np.ndarray, Any], Any], other: ArrayLike) -> Tensor:
        self._check_inplace(what)
        try:
            fn(self.data, other.data if isinstance(other, Tensor) else other)
        except TypeError as err:  # numpy refuses the casting, e.g. a float into an integer tensor
            raise DtypeError(f"{what}: {err}") from err
        except ValueError as err:
            raise ShapeError(f"{what}: {err} (tensor shape {self.shape})") from err
        if _state._local.state.slow:
            observed("inplace", self, what, fn, other)
        self._mark_written()
        return self

    def add_(self, other: ArrayLike, alpha: float = 1.0) -> Tensor:
        """self += alpha · other, in place (untracked; allowed only without grad)."""
        if alpha != 1.0:  # scaled inside the write, so a recorder (ag.compile) sees the operand itself
            return self._inplace(
                "add_", lambda a, b: np.add(a, np.multiply(b, alpha), out=a, casting="same_kind"), other
            )
        return self._inplace("add_", lambda a, b: np.add(a, b, out=a, casting="same_kind"), other)

    def sub_(self, other: ArrayLike) -> Tensor:
        """self -= other, in place."""
        return self._inplace("sub_", lambda a, b: np.subtract(a, b, out=a, casting="same_kind"), other)

    def mul_(self, other: ArrayLike) -> Tensor:
        """self *= other, in place."""
        return self._inplace("mul_", lambda a, b: np.multiply(a, b, out=a, casting="same_kind"), other)

    def div_(self, other: ArrayLike) -> Tensor:
        """self /= other, in place."""
        return self._inplace("div_", lambda a, b: np.divide(a, b, out=a, casting="same_kind"), other)

    def copy_(self, src: ArrayLike) -> Tensor:
        """Overwrite the values with ``src`` (broadcast), in place."""
        return self._inplace("copy_", lambda a, b: np.copyto(a, b, casting="same_kind"), src)

    def fill_(self, value: float) -> Tensor:
        """Set every element to ``value``, in place."""
        return self._inplace("fill_", lambda a, b: a.fill(b), value)

    def zero_(self) -> Tensor:
        """Set every element to zero, in place."""
        return self.fill_(0)

    if TYPE_CHECKING:  # bound at import time by _methods.py; spelled out for type checkers and IDEs
        T: Tensor

        def transpose(self, *axes: Any) -> Tensor: ...
        def to(self, dtype: Any) -> Tensor: ...
        def argmax(self, axis: int | None = ...) -> Tensor: ...
        def argmin(self, axis: int | None = ...) -> Tensor: ...
        def all(self, axis: int | None = ...) -> Tensor: ...
        def any(self, axis: int | None = ...) -> Tensor: ...
        def __lt__(self, other: Any) -> Tensor: ...
        def __le__(self, other: Any) -> Tensor: ...
        def __gt__(self, other: Any) -> Tensor: ...
        def __ge__(self, other: Any) -> Tensor: ...
        def __eq__(self, other: Any) -> Tensor: ...  # type: ignore[override]
        def __ne__(self, other: Any) -> Tensor: ...  # type: ignore[override]
        def __and__(self, other: Any) -> Tensor: ...
        def __or__(self, other: Any) -> Tensor: ...
        def __xor__(self, other: Any) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __lshift__(self, other: Any) -> Tensor: ...
        def __rshift__(self, other: Any) -> Tensor: ...
        def __pos__(self) -> Tensor: ...

        # fmt: off
        # --- generated by `python -m autograd_core stubs`: do not edit by hand ---
        def __abs__(self) -> Tensor: ...
        def __add__(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __matmul__(self, b: Any, /) -> Tensor: ...
        def __mul__(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pow__(self, p: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __sub__(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def __truediv__(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def astype(self, dtype: Any) -> Tensor: ...
        def broadcast_to(self, shape: Sequence[int]) -> Tensor: ...
        def clamp(self, min: Any = ..., max: Any = ...) -> Tensor: ...
        def clip(self, min: Any = ..., max: Any = ...) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def elu(self, alpha: float = ...) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def expand(self, *shape: int) -> Tensor: ...
        def expand_dims(self, axis: int | Sequence[int]) -> Tensor: ...
        def flatten(self, start_dim: int = ..., end_dim: int = ...) -> Tensor: ...
        def leaky_relu(self, negative_slope: float = ...) -> Tensor: ...
        def log(self) -> Tensor: ...
        def log1p(self) -> Tensor: ...
        def log_softmax(self, axis: int = ...) -> Tensor: ...
        def logsumexp(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ...) -> Tensor: ...
        def matmul(self, b: Any, /) -> Tensor: ...
        def max(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ...) -> Tensor: ...
        def maximum(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def mean(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ...) -> Tensor: ...
        def min(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ...) -> Tensor: ...
        def minimum(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def moveaxis(self, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor: ...
        def permute(self, *axes: int) -> Tensor: ...
        def pow(self, p: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def reshape(self, *shape: int | Sequence[int]) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def sign(self) -> Tensor: ...
        def silu(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def softmax(self, axis: int = ...) -> Tensor: ...
        def softplus(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def squeeze(self, axis: int | Sequence[int] | None = ...) -> Tensor: ...
        def std(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., ddof: int = ...) -> Tensor: ...
        def sum(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ...) -> Tensor: ...
        def swapaxes(self, axis1: int, axis2: int) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def var(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., ddof: int = ...) -> Tensor: ...
        def view(self, *shape: int | Sequence[int]) -> Tensor: ...
        # --- end of generated block ---
        # fmt: on


class RemovableHandle:
    """Returned by ``Tensor.register_hook`` and ``nn.Module.register_forward_hook``; ``remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_fn")

    def __init__(self, hooks: list, fn: Callable) -> None:
        self._hooks = hooks
        self._fn = fn

    def remove(self) -> None:
        """Unregister the hook (idempotent)."""
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


def wrap(data: np.ndarray, node: Node | None = None) -> Tensor:
    """Make a Tensor around ``data`` without copying or checks (internal fast path)."""
    t = object.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = node is not None
    t._node = node
    t.name = None
    t._writes = None
    t._hooks = None
    t._retain = False
    t._tangents = None
    return t


def tensor(data: ArrayLike, requires_grad: bool = False, dtype: Any = None, name: str | None = None) -> Tensor:
    """Create a leaf Tensor holding a copy of ``data``.

    Python numbers and lists become the default float dtype (float64 unless
    ``set_default_dtype`` changed it); numpy arrays keep their dtype.
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def as_tensor(data: ArrayLike, dtype: Any = None) -> Tensor:
    """``data`` as a Tensor without copying when possible (as ``torch.as_tensor``).

    A Tensor of the right dtype is returned as is; a numpy array of the right
    dtype is shared (writes to one show in the other); anything else is
    converted like ``tensor()``.
    """
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == np.dtype(dtype)):
        return wrap(data)
    return Tensor(data, dtype=dtype)
