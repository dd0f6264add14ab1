"""Tensor: a numpy array that remembers how it was computed.

Operator sugar and op methods (``x.tanh()``, ``x @ w``) are bound in
``_methods.py`` from the primitive functions, so each op is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Union

import numpy as np

from . import _state
from .errors import (
    ArgumentTypeError,
    DtypeError,
    GradientError,
    IndexingError,
    InvalidArgumentError,
    ShapeError,
    UnsizedError,
)
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


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert user data to an owned numpy array.

    numpy arrays and scalars keep their dtype; Python numbers and lists become
    the default float dtype (bools stay bool), unless ``dtype`` is given.
    """
    if isinstance(data, Tensor):
        data = data.data
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
    def size(self) -> ElementCount:
        """Number of elements (numpy's ``size``), an int that PyTorch code may also call.

        ``t.size == 6`` and ``range(t.size)`` work as with numpy; ``t.size()``
        is the shape and ``t.size(0)`` one dimension, as PyTorch's method.
        """
        return ElementCount(self.data.size, self.data.shape)

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
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def tolist(self) -> Any:
        """The values as nested Python lists."""
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise UnsizedError("len() of a 0-d tensor: it has no first axis (use .item() for its value)")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise UnsizedError("iteration over a 0-d tensor: it has no first axis (use .item() for its value)")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub":
            raise DtypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        return int(self.data)

    __hash__ = object.__hash__  # == is elementwise, identity is the hash

    def __repr__(self) -> str:
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
        self.grad = None

    # --------------------------------------------------------------- in place
    def _shared_writes(self) -> list[int]:
        if self._writes is None:
            self._writes = [0]
        return self._writes

    def _mark_written(self) -> None:
        """Record an in-place write (every write the library makes calls this), so a graph that saved
        this tensor before the write refuses to backpropagate with the new values."""
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
        self._mark_written()

    def _inplace(self, what: str, fn: Callable[[np.ndarray, Any], Any], other: ArrayLike) -> Tensor:
        self._check_inplace(what)
        try:
            fn(self.data, other.data if isinstance(other, Tensor) else other)
        except TypeError as err:  # numpy refuses the casting, e.g. a float into an integer tensor
            raise DtypeError(f"{what}: {err}") from err
        except ValueError as err:
            raise ShapeError(f"{what}: {err} (tensor shape {self.shape})") from err
        self._mark_written()
        return self

    def add_(self, other: ArrayLike, alpha: float = 1.0) -> Tensor:
        """self += alpha · other, in place (untracked; allowed only without grad)."""
        if alpha != 1.0:
            other = (other.data if isinstance(other, Tensor) else np.asarray(other)) * alpha
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

    # ------------------------------------------------------- PyTorch spellings
    # (kept last in the class body: names such as ``float`` and ``type`` would
    # shadow the builtins for any class-level code after them)
    def numel(self) -> int:
        """Number of elements (PyTorch's ``numel``; numpy's ``size``)."""
        return int(self.data.size)

    def dim(self) -> int:
        """Number of axes (PyTorch's ``dim``; numpy's ``ndim``)."""
        return self.data.ndim

    def contiguous(self) -> Tensor:
        """This tensor if its data is C-contiguous, else a contiguous copy (``clone``), differentiable."""
        if self.data.flags.c_contiguous:
            return self
        return self.clone()  # type: ignore[attr-defined]  (bound from the registry)

    def float(self) -> Tensor:
        """This tensor as float32 (``astype(np.float32)``), differentiable; itself when already float32."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """This tensor as float64, differentiable; itself when already float64."""
        return self.to(np.float64)

    def half(self) -> Tensor:
        """This tensor as float16, differentiable; itself when already float16."""
        return self.to(np.float16)

    def to(
        self,
        *args: Any,
        dtype: Any = None,
        device: Any = None,
        copy: bool = False,
        non_blocking: bool = False,
        memory_format: Any = None,
    ) -> Tensor:
        """PyTorch's ``to``: ``t.to(np.float32)``, ``t.to("cpu")``, ``t.to(other)`` (other's dtype), ``t.to("cpu", dtype)``.

        Returns ``self`` when nothing changes (unless ``copy=True``); a dtype
        change is the differentiable ``astype``. Every tensor lives in host
        memory, so the only device is "cpu": any other raises
        ``InvalidArgumentError``. ``non_blocking`` and ``memory_format`` are
        accepted and ignored.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype if dtype is None else dtype
            elif is_device(arg):
                device = arg
            elif dtype is None:
                dtype = arg
            else:
                raise ArgumentTypeError(f"to(): give one dtype, not {dtype!r} and {arg!r}")
        if device is not None:
            check_device(device)
        target = self.data.dtype if dtype is None else as_dtype(dtype, "to")
        if target == self.data.dtype:
            return self.clone() if copy else self  # type: ignore[attr-defined]
        return self.astype(target)  # type: ignore[attr-defined]  (bound from the registry)

    def type(self, dtype: Any = None) -> Any:
        """The dtype's name with no argument (e.g. "float64"); with one, this tensor converted (``to(dtype)``)."""
        if dtype is None:
            return self.data.dtype.name
        return self.to(dtype)

    def cpu(self) -> Tensor:
        """This tensor (it is already in host memory)."""
        return self

    def repeat(self, *sizes: Any, **keywords: Any) -> Tensor:
        """PyTorch's ``Tensor.repeat``: the whole tensor tiled ``sizes[i]`` times along axis i (numpy's ``tile``).

        ``x.repeat(2, 1)`` on shape (3, 4) gives (6, 4): [x; x]. There must be
        at least as many sizes as axes (extra ones add leading axes). This is
        not ``ndarray.repeat``: numpy's element-wise repeat is
        ``ag.repeat(x, repeats, axis)`` or ``x.repeat_interleave(repeats, dim)``.
        """
        from .primitives.tiling import tile

        if keywords or (len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) and not sizes[0]):
            raise ArgumentTypeError(
                f"Tensor.repeat(*sizes) tiles the tensor as PyTorch's does and takes no keywords ({', '.join(keywords)}"
                "); for numpy's ndarray.repeat(repeats, axis=...) use x.repeat_interleave(repeats, dim=...) "
                "or ag.repeat(x, repeats, axis=...)"
            )
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        if len(sizes) < self.data.ndim:
            raise ShapeError(
                f"Tensor.repeat: {len(sizes)} repeat count(s) for a tensor with {self.data.ndim} dimensions; give one "
                "per dimension (PyTorch's rule), or use ag.tile, which pads the counts with 1s"
            )
        return tile(self, sizes)


class ElementCount(int):
    """The number of elements of a tensor, as an int that can also be called like PyTorch's ``size()``.

    It is an ``int`` everywhere numpy code uses ``t.size``: comparisons,
    arithmetic (whose results are plain ints), ``range``, shapes, f-strings
    and JSON; it pickles and copies as a plain int. Calling it answers
    PyTorch's ``t.size()`` (the shape) and ``t.size(d)`` (the length of axis d).
    """

    def __new__(cls, count: int, shape: tuple[int, ...]) -> ElementCount:
        self = super().__new__(cls, count)
        self.shape = shape
        return self

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        ndim = len(self.shape)
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise ArgumentTypeError(f"size(dim): dim must be an integer axis, not {dim!r}")
        if not -ndim <= dim < ndim:
            raise IndexingError(
                f"size({dim}): dimension out of range for a tensor with {ndim} dimension(s) (shape {self.shape})"
            )
        return self.shape[dim]

    def __reduce__(self) -> tuple:
        return (int, (int(self),))


def is_device(arg: Any) -> bool:
    """Whether ``arg`` names a device (a string that is not a dtype, or a torch.device) rather than a dtype."""
    if isinstance(arg, str):
        try:
            np.dtype(arg)
        except TypeError:
            return True
        return False
    return type(arg).__name__ == "device"  # a torch.device


def check_device(device: Any) -> None:
    """Accept "cpu" (and "cpu:0"); any other device is an ``InvalidArgumentError`` explaining why."""
    text = str(device)
    if text.split(":")[0] != "cpu":
        raise InvalidArgumentError(
            f"device {text!r} is not available: this library computes with numpy in host memory, so the only "
            "device is 'cpu'; drop the device argument, or use .to('cpu')"
        )


def as_dtype(dtype: Any, op: str) -> np.dtype:
    """``dtype`` as a numpy dtype, or an ``ArgumentTypeError`` naming what was given."""
    try:
        return np.dtype(dtype)
    except TypeError as err:
        raise ArgumentTypeError(f"{op}: {dtype!r} is not a dtype (use e.g. np.float32 or 'float64')") from err


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
