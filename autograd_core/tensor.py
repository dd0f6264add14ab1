"""Tensor: a numpy array that remembers how it was computed.

Operator sugar and op methods (``x.tanh()``, ``x @ w``) are bound in
``_methods.py`` from the primitive functions, so each op is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import _state, backend
from .arguments import NUMERIC_KINDS, bool_argument, callable_argument, dtype_argument
from .errors import (
    ArgumentTypeError,
    DtypeError,
    GradientError,
    IndexingError,
    ShapeError,
    UnsizedError,
)
from .node import Node, write_tick

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
    for observer in _state.current().observers:
        hook = getattr(observer, "tensor_event", None)
        if hook is not None:
            hook(event, *details)


def _converted(data: Any, dtype: np.dtype | None, what: str) -> np.ndarray:
    """``np.array(data, dtype)``, with numpy's complaints (ragged lists, unconvertible values) as library errors."""
    try:
        return np.array(data, dtype=dtype)
    except ValueError as err:
        if "inhomogeneous" in str(err) or "sequence" in str(err):
            raise ShapeError(
                f"{what}: nested lists of different lengths (ragged) do not make a tensor; "
                "every row needs the same length, e.g. [[1, 2], [3, 4]]"
            ) from err
        raise ArgumentTypeError(f"{what}: cannot convert {type(data).__name__} data to {dtype}: {err}") from err
    except TypeError as err:
        raise ArgumentTypeError(f"{what}: cannot convert {type(data).__name__} data to {dtype}: {err}") from err


def _refuse_kind(arr: np.ndarray, data: Any, what: str) -> None:
    if arr.dtype.kind not in NUMERIC_KINDS:
        found = f"{type(data).__name__} data of dtype {arr.dtype}" if arr.dtype.kind != "O" else type(data).__name__
        raise DtypeError(
            f"{what}: need numbers or bools of one rectangular shape, not {found}"
            + (" (convert an object array with .astype(float) first)" if isinstance(data, np.ndarray) else "")
        )


def _to_array(data: Any, dtype: Any = None, what: str = "tensor") -> np.ndarray:
    """Convert user data to an owned numpy array.

    numpy arrays and scalars keep their dtype; Python numbers and lists become
    the default float dtype (bools stay bool), unless ``dtype`` is given.
    Anything else — None, strings, dicts, ragged lists, object, string or
    datetime arrays — raises the library's error saying what is needed.
    """
    if isinstance(data, Tensor):
        data = data.data
    if not isinstance(data, (np.ndarray, np.generic)) and backend.is_backend_array(data):
        return _backend_copy(data, dtype, what)
    if dtype is not None:
        # the values are checked before converting: numpy would turn None into NaN, "1" into 1.0, dates into days
        target = dtype_argument(dtype, what)
        source = data if isinstance(data, (np.ndarray, np.generic)) else _converted(data, None, what)
        _refuse_kind(np.asarray(source), data, what)
        return np.array(source, dtype=target)
    if isinstance(data, (np.ndarray, np.generic)):
        _refuse_kind(np.asarray(data), data, what)
        return np.array(data)
    arr = _converted(data, None, what)
    if arr.dtype.kind in "iuf":
        return arr.astype(_state.default_dtype)
    if arr.dtype.kind == "b":
        return arr
    raise DtypeError(
        f"cannot make a tensor from {type(data).__name__} data of dtype {arr.dtype} (need numbers or bools of one rectangular shape)"
    )


def _backend_copy(data: Any, dtype: Any, what: str) -> Any:
    """An owned copy of a backend array (CuPy's, ...) on its own device, in ``dtype`` when given."""
    if data.dtype.kind not in NUMERIC_KINDS:
        raise DtypeError(f"{what}: need numbers or bools, not an array of dtype {data.dtype}")
    return data.astype(dtype_argument(dtype, what) if dtype is not None else data.dtype, copy=True)


def to_array(data: Any, dtype: Any = None, what: str = "tensor", device: Any = None) -> np.ndarray:
    """Convert user data to an owned array (``_to_array``) on ``device``, telling a recorder (``ag.compile``) it was made.

    Backend arrays (CuPy's, ...) stay on their device unless ``device`` names
    another; the copy between memories is then explicit (``backend.to_device``).
    """
    arr = _to_array(data, dtype, what)
    if device is not None:
        arr = backend.to_device(arr, device)
    if _state.current().slow:
        observed("made", data, arr)
    return arr


def constant_array(data: Any, what: str = "operand") -> np.ndarray:
    """A constant (non-Tensor) operand as an array, keeping numpy's dtype: numbers, bools or nested lists of them.

    Raises the library's error for None, strings, dicts, ragged lists and
    object, string or datetime arrays.
    """
    if isinstance(data, Tensor):
        return data.data
    if not isinstance(data, (np.ndarray, np.generic)) and backend.is_backend_array(data):
        if data.dtype.kind not in NUMERIC_KINDS:
            raise DtypeError(f"{what}: need numbers or bools, not an array of dtype {data.dtype}")
        return data
    arr = data if isinstance(data, np.ndarray) else _converted(data, None, what)
    _refuse_kind(arr, data, what)
    return arr


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    ``grad`` holds the accumulated gradient after ``backward()``; ``data`` is
    the array itself (see the attributes below).

    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.shape, str(x.dtype)
    ((2, 2), 'float64')
    >>> y = (x @ x).sum()
    >>> y.backward()
    >>> x.grad  # ∂Σ(X·X)/∂X = 1·Xᵀ + Xᵀ·1
    tensor([[ 7., 11.],
            [ 9., 13.]])
    >>> x.data is x.numpy()  # the array itself
    True

    .. rubric:: Attributes

    (Plain attributes, not properties: they are read on every operation.)

    .. attribute:: data

       The values: the numpy array itself (a CuPy array for a tensor on a
       GPU), the escape hatch around autograd. Writing into it
       (``t.data[...] = v``, ``t.data -= lr * g``) or assigning it
       (``t.data = a``) skips everything the tracked in-place methods do
       (``add_``, ``copy_``, ``t[i] = v``, …): no check that ``t`` may be
       written under grad mode, and no version-counter bump, so a graph
       recorded before the write is backpropagated with the new values
       without any error. Call ``ag.increment_version(t)`` after such a
       write to have that backward raise ``InplaceModificationError``
       instead; the library's own writes (optimizers, ``nn.init``,
       ``load_state_dict``, gradient accumulation, ``clip_grad_norm_``) do so.

       >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
       >>> type(w.data).__name__, w.data.tolist()
       ('ndarray', [1.0, 2.0])
       >>> w.data -= 0.5  # allowed even though w requires grad: autograd does not see it
       >>> w
       tensor([0.5, 1.5], requires_grad=True)

    .. attribute:: grad

       None until a backward pass reaches this tensor, then a Tensor of its
       shape and dtype holding ∂(output)/∂(this tensor). Each backward pass
       adds to it (x̄ += VJP) until it is reset with ``zero_grad()`` (or an
       optimizer's). Non-leaf tensors keep it only after ``retain_grad()``.

       >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
       >>> print(w.grad)
       None
       >>> (3 * w).sum().backward()
       >>> (w * w).sum().backward()
       >>> w.grad  # 3 + 2w: the two passes accumulate
       tensor([5., 7.])

    .. attribute:: requires_grad

       Whether operations on this tensor are recorded so that ``backward()``
       reaches it. Set at creation (``requires_grad=True``) or with
       ``requires_grad_()``, for floating-point tensors only; the result of a
       recorded operation has it when an operand has it and grad mode is on.

       >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
       >>> (x * 2).requires_grad, ag.tensor([1.0]).requires_grad
       (True, False)
       >>> with ag.no_grad():
       ...     print((x * 2).requires_grad)
       False

    .. attribute:: name

       A label (a string, or None) shown by ``repr`` and in the graph
       pictures of ``viz``; it changes nothing in the computation. ``nn``
       names each Parameter by its dotted path in the model.

       >>> ag.tensor([1.0], name="w")
       tensor([1.], name='w')
       >>> model = nn.Sequential(nn.Linear(2, 1))
       >>> model[0].weight.name, model[0].bias.name
       ('0.weight', '0.bias')
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
        self,
        data: ArrayLike,
        requires_grad: bool = False,
        dtype: Any = None,
        name: str | None = None,
        device: Any = None,
    ) -> None:
        self.data = to_array(data, dtype, device=device)
        if requires_grad is not False:
            requires_grad = bool_argument(requires_grad, "requires_grad", "tensor")
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
        """The array's shape, a tuple of ints (as ``t.size()``).

        >>> ag.zeros((2, 3)).shape, ag.tensor(5.0).shape
        ((2, 3), ())
        """
        return self.data.shape

    @property
    def ndim(self) -> int:
        """Number of axes (``len(t.shape)``; PyTorch's ``dim()``).

        >>> ag.zeros((2, 3, 4)).ndim, ag.tensor(5.0).ndim
        (3, 0)
        """
        return self.data.ndim

    @property
    def size(self) -> ElementCount:
        """Number of elements (numpy's ``size``), an int that PyTorch code may also call.

        ``t.size == 6`` and ``range(t.size)`` work as with numpy; ``t.size()``
        is the shape and ``t.size(0)`` one dimension, as PyTorch's method.

        >>> t = ag.zeros((2, 3))
        >>> t.size, t.size == 6, t.size(), t.size(-1)
        (6, True, (2, 3), 3)
        >>> t.size(2)
        Traceback (most recent call last):
            ...
        autograd_core.errors.IndexingError: size(2): dimension out of range for a tensor with 2 dimension(s) (shape (2, 3))
        """
        return ElementCount(self.data.size, self.data.shape)

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the values (float64 for Python floats unless ``set_default_dtype`` changed it).

        >>> str(ag.tensor([1.0]).dtype), str(ag.tensor(np.arange(3)).dtype), str(ag.ones(2, dtype=ag.float32).dtype)
        ('float64', 'int64', 'float32')
        """
        return self.data.dtype

    @property
    def device(self) -> backend.Device:
        """Where the values live: "cpu" for a numpy array, "cuda:0" for a CuPy array on GPU 0, ...

        A ``backend.Device``: a ``str`` with PyTorch's ``type`` and ``index``.

        >>> d = ag.tensor([1.0]).device
        >>> d, d.type, d == "cpu"
        ('cpu', 'cpu', True)
        """
        return backend.device_of(self.data)

    @property
    def is_cuda(self) -> bool:
        """Whether the values live on a CUDA GPU (a CuPy array).

        >>> ag.tensor([1.0]).is_cuda
        False
        >>> try:
        ...     on_gpu = ag.tensor([1.0], device="cuda").is_cuda
        ... except (ag.errors.MissingDependencyError, ag.errors.DeviceError):  # no CuPy or no GPU here
        ...     on_gpu = False
        >>> on_gpu == ag.backend.cuda_is_available()
        True
        """
        return self.device.type == "cuda"

    @property
    def grad_fn(self) -> Node | None:
        """The node of the operation that produced this tensor (None for leaves and results made without grad).

        ``backward()`` walks these nodes; each names its primitive and holds
        the nodes of its inputs.

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> y = ag.tanh(x * 3)
        >>> x.grad_fn is None, y.grad_fn.op.name, (x * 3).grad_fn.op.name
        (True, 'tanh', 'mul')
        >>> print((ag.tensor([1.0]) * 3).grad_fn)  # no operand requires grad: nothing recorded
        None
        """
        return self._node

    @property
    def has_hooks(self) -> bool:
        """Whether hooks registered with ``register_hook`` will see this tensor's gradient.

        >>> x = ag.tensor([1.0], requires_grad=True)
        >>> before = x.has_hooks
        >>> handle = x.register_hook(lambda g: None)
        >>> before, x.has_hooks
        (False, True)
        >>> handle.remove()
        >>> x.has_hooks
        False
        """
        return bool(self._hooks)

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation: the ones ``backward()`` fills ``.grad`` of.

        >>> x = ag.tensor([1.0], requires_grad=True)
        >>> x.is_leaf, (x * 2).is_leaf, (x * 2).detach().is_leaf, ag.tensor([1.0]).is_leaf
        (True, False, True, True)
        """
        return self._node is None

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number (float, int or bool, by the dtype).

        >>> loss = ag.tensor([[0.25]])
        >>> loss.item(), type(ag.tensor(np.int64(3)).item()).__name__
        (0.25, 'int')
        >>> ag.tensor([1.0, 2.0]).item()
        Traceback (most recent call last):
            ...
        autograd_core.errors.ShapeError: item() needs a tensor with one element, this one has shape (2,); index it first
        """
        if self.data.size != 1:
            raise ShapeError(f"item() needs a tensor with one element, this one has shape {self.shape}; index it first")
        if _state.current().slow:
            observed("read", self, "item()")
        return self.data.item() if type(self.data) is np.ndarray else backend.to_host(self.data).item()

    def numpy(self) -> np.ndarray:
        """The values as a numpy array: the underlying array for a CPU tensor (shared), a host copy otherwise.

        >>> t = ag.tensor([1.0, 2.0])
        >>> a = t.numpy()
        >>> a[0] = 9.0  # shared with the tensor
        >>> t, type(a).__name__
        (tensor([9., 2.]), 'ndarray')
        """
        if _state.current().slow:
            observed("read", self, "numpy()")
        return backend.to_host(self.data)

    def tolist(self) -> Any:
        """The values as nested Python lists of Python numbers.

        >>> ag.tensor([[1.5, 2.0], [3.0, 4.0]]).tolist(), ag.tensor(np.arange(3)).tolist()
        ([[1.5, 2.0], [3.0, 4.0]], [0, 1, 2])
        """
        if _state.current().slow:
            observed("read", self, "tolist()")
        return backend.to_host(self.data).tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The values for numpy (``np.asarray(t)``); refused for a tensor that requires grad, as PyTorch does.

        Converting would silently drop the gradient (``np.array([t1, t2])``,
        ``np.r_[t1, t2]``); use ``ag.stack``/``ag.concatenate`` to keep it, or
        ``t.detach()`` / ``t.numpy()`` to take the values on purpose.
        """
        if self.requires_grad:
            raise ArgumentTypeError(
                "numpy conversion of a tensor that requires grad would drop its gradient; combine tensors with "
                "ag.stack([...]) or ag.concatenate([...]), or take the values on purpose with t.detach() or t.numpy()"
            )
        if type(self.data) is not np.ndarray and backend.is_backend_array(self.data):
            raise ArgumentTypeError(
                f"implicit conversion of a tensor on '{self.device}' to a numpy array is not done behind your back; "
                "copy it to host memory on purpose with t.numpy() or t.cpu()"
            )
        if _state.current().slow:
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

        if _state.current().slow:
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
        if _state.current().slow:
            observed("read", self, "bool()")
        return bool(self.data if type(self.data) is np.ndarray else backend.to_host(self.data))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub":
            raise DtypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        if _state.current().slow:
            observed("read", self, "use as an index")
        return int(backend.to_host(self.data))

    __hash__ = object.__hash__  # == is elementwise, identity is the hash

    def __format__(self, spec: str) -> str:
        """``f"{t:.3f}"``: a 0-d tensor formats as its number (as in PyTorch); no spec gives ``str(t)``.

        >>> f"{ag.tensor(3.14159):.2f}", f"{ag.tensor([1.0, 2.0])}"
        ('3.14', 'tensor([1., 2.])')
        """
        if not spec:
            return str(self)
        if self.data.ndim == 0:
            return format(self.item(), spec)
        raise ArgumentTypeError(
            f"format spec {spec!r} applies to a 0-d tensor (a number), not one of shape {self.shape}; "
            "format its elements, e.g. [f'{v:.3f}' for v in t.tolist()]"
        )

    def __repr__(self) -> str:
        if _state.current().slow:
            observed("read", self, "repr() or print()")
        body = np.array2string(backend.to_host(self.data), separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype != _state.default_dtype and self.data.dtype.kind == "f" or self.data.dtype.kind in "iub":
            extras.append(f"dtype={self.data.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn={self._node.op.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        if type(self.data) is not np.ndarray and backend.is_backend_array(self.data):
            extras.append(f"device='{self.device}'")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # -------------------------------------------------------- autograd state
    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut off from the graph (no gradient flows through it).

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * x.detach()  # d/dx of x·c with c = x held constant
        >>> y.sum().backward()
        >>> x.grad, x.detach().requires_grad, x.detach().data is x.data
        (tensor([1., 2.]), False, True)
        """
        out = wrap(self.data)
        out._writes = self._shared_writes()
        return out

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf; returns self.

        >>> w = ag.tensor([1.0, 2.0]).requires_grad_()
        >>> (w * w).sum().backward()
        >>> w.grad
        tensor([2., 4.])
        >>> (w * 2).requires_grad_(False)
        Traceback (most recent call last):
            ...
        autograd_core.errors.GradientError: requires_grad_(False) only works on leaf tensors; use .detach() to cut a non-leaf from the graph
        """
        requires_grad = bool_argument(requires_grad, "requires_grad", "requires_grad_")
        if requires_grad:
            check_grad_dtype(self.data.dtype)
        elif self._node is not None:
            raise GradientError(
                "requires_grad_(False) only works on leaf tensors; use .detach() to cut a non-leaf from the graph"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after ``backward()`` (leaves always keep it).

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> h, g = x * 3, x * 3
        >>> h.retain_grad()
        >>> (h * h + g * g).sum().backward()
        >>> h.grad, g.grad is None  # ∂Σh²/∂h = 2h; g's gradient was not kept
        (tensor([ 6., 12.]), True)
        """
        if not self.requires_grad:
            raise GradientError("retain_grad() on a tensor that does not require grad; nothing will flow into it")
        self._retain = True

    def register_hook(self, fn: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``fn(grad)`` when this tensor's gradient is computed; a returned tensor replaces the gradient.

        Returns a handle whose ``remove()`` unregisters the hook.

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> seen = []
        >>> handle = x.register_hook(lambda g: seen.append(g.tolist()))  # observe
        >>> clip = x.register_hook(lambda g: g.clamp(max=3.0))  # replace
        >>> (x * x * x).sum().backward()  # 3x² = [3, 12]
        >>> seen, x.grad
        ([[3.0, 12.0]], tensor([3., 3.]))
        >>> handle.remove(); clip.remove()
        """
        callable_argument(fn, "the hook", "register_hook")
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
        The graph is freed afterwards unless ``retain_graph``;
        ``create_graph`` records the backward pass itself, for higher
        derivatives.

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> (x**3).sum().backward()
        >>> x.grad  # 3x²
        tensor([ 3., 12.])
        >>> x.zero_grad()
        >>> (x * x).backward(gradient=ag.tensor([1.0, 10.0]))  # a non-scalar needs the seed ȳ: x̄ = 2x·ȳ
        >>> x.grad
        tensor([ 2., 40.])
        >>> (x * x).backward()
        Traceback (most recent call last):
            ...
        autograd_core.errors.GradientError: ...
        """
        from .backward import backward

        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad = None``), so the next ``backward()`` starts from zero.

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> (2 * x).sum().backward()
        >>> x.zero_grad()
        >>> print(x.grad)
        None
        >>> (5 * x).sum().backward()
        >>> x.grad  # not 2 + 5
        tensor([5., 5.])
        """
        if _state.current().slow:
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
        mark_written((self,))

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
        if type(self.data) is np.ndarray:
            value = constant_array(value, "__setitem__")
        else:  # a device tensor: the index and the value are made where it lives (a host array is refused)
            from .primitives.index import placed

            items = placed(items, self.data)
            value = self._device_operand("__setitem__", value)
        try:
            self.data[items] = value
        except IndexError as err:
            raise IndexingError(f"__setitem__: {err} (tensor shape {self.shape})") from err
        except ValueError as err:
            raise ShapeError(f"__setitem__: {err} (tensor shape {self.shape})") from err
        if _state.current().slow:
            observed("inplace", self, "__setitem__", lambda a, b: a.__setitem__(items, b), value, items)
        self._mark_written()

    def _device_operand(self, what: str, other: Any) -> Any:
        """``other`` for an in-place write into this tensor when a device is involved.

        ``copy_`` copies between memories as PyTorch's does (an explicit copy);
        any other write takes numbers and lists (made on this tensor's device)
        and refuses an array on another device with a ``DeviceError``.
        """
        data = other.data if isinstance(other, Tensor) else other
        if data is None or isinstance(data, (bool, int, float)):
            return data
        if isinstance(data, np.ndarray) or backend.is_backend_array(data):
            if what == "copy_":
                return backend.to_device(data, backend.device_of(self.data))
            return backend.asarray_on(data, self.data, what=what)  # a 0-d host array is a number
        return backend.to_device(constant_array(data, what), backend.device_of(self.data))  # a literal: made here

    def _inplace(self, what: str, fn: Callable[[np.ndarray, Any], Any], other: ArrayLike) -> Tensor:
        self._check_inplace(what)
        data = other.data if isinstance(other, Tensor) else other
        if type(self.data) is not np.ndarray or not isinstance(data, (np.ndarray, float, int)):
            if type(self.data) is not np.ndarray or backend.is_backend_array(data):
                data = self._device_operand(what, data)
        try:
            fn(self.data, data)
        except TypeError as err:  # numpy refuses the casting, e.g. a float into an integer tensor
            raise DtypeError(f"{what}: {err}") from err
        except ValueError as err:
            raise ShapeError(f"{what}: {err} (tensor shape {self.shape})") from err
        if _state.current().slow:
            observed("inplace", self, what, fn, other)
        self._mark_written()
        return self

    def add_(self, other: ArrayLike, alpha: float = 1.0) -> Tensor:
        """self += alpha · other, in place (untracked; allowed only without grad); returns self.

        ``other`` broadcasts to this shape; refused (``GradientError``) on a
        tensor that requires grad while grad mode is on.

        >>> t = ag.tensor([1.0, 2.0])
        >>> t.add_(ag.tensor([10.0, 20.0]), alpha=0.5)
        tensor([ 6., 12.])
        >>> w = ag.tensor([1.0], requires_grad=True)
        >>> w.add_(1.0)
        Traceback (most recent call last):
            ...
        autograd_core.errors.GradientError: add_: in-place write to a tensor that requires grad would corrupt the graph; ...
        >>> with ag.no_grad():
        ...     w.add_(1.0)
        tensor([2.], requires_grad=True)
        """
        if alpha != 1.0:  # scaled inside the write, so a recorder (ag.compile) sees the operand itself
            return self._inplace(
                "add_", lambda a, b: np.add(a, np.multiply(b, alpha), out=a, casting="same_kind"), other
            )
        return self._inplace("add_", lambda a, b: np.add(a, b, out=a, casting="same_kind"), other)

    def sub_(self, other: ArrayLike) -> Tensor:
        """self -= other (broadcast), in place; returns self.

        >>> w, g = ag.tensor([1.0, 2.0]), ag.tensor([0.5, 0.5])
        >>> w.sub_(g)
        tensor([0.5, 1.5])
        """
        return self._inplace("sub_", lambda a, b: np.subtract(a, b, out=a, casting="same_kind"), other)

    def mul_(self, other: ArrayLike) -> Tensor:
        """self *= other (broadcast), in place; returns self.

        >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]]).mul_(ag.tensor([10.0, -1.0]))
        tensor([[10., -2.],
                [30., -4.]])
        """
        return self._inplace("mul_", lambda a, b: np.multiply(a, b, out=a, casting="same_kind"), other)

    def div_(self, other: ArrayLike) -> Tensor:
        """self /= other (broadcast), in place; returns self. An integer tensor refuses (the result is not an integer).

        >>> ag.tensor([1.0, 3.0]).div_(2.0)
        tensor([0.5, 1.5])
        >>> ag.tensor(np.arange(3)).div_(2)
        Traceback (most recent call last):
            ...
        autograd_core.errors.DtypeError: div_: ...
        """
        return self._inplace("div_", lambda a, b: np.divide(a, b, out=a, casting="same_kind"), other)

    def copy_(self, src: ArrayLike) -> Tensor:
        """Overwrite the values with ``src`` (broadcast), in place; returns self.

        >>> t = ag.zeros((2, 2))
        >>> t.copy_([1.0, 2.0])
        tensor([[1., 2.],
                [1., 2.]])
        >>> t.copy_([1.0, 2.0, 3.0])
        Traceback (most recent call last):
            ...
        autograd_core.errors.ShapeError: copy_: ...
        """
        return self._inplace("copy_", lambda a, b: np.copyto(a, b, casting="same_kind"), src)

    def fill_(self, value: float) -> Tensor:
        """Set every element to ``value``, in place; returns self.

        >>> ag.zeros(3).fill_(2.5)
        tensor([2.5, 2.5, 2.5])
        """
        return self._inplace("fill_", lambda a, b: a.fill(b), value)

    def zero_(self) -> Tensor:
        """Set every element to zero, in place; returns self.

        >>> t = ag.tensor([1.0, -2.0])
        >>> t.zero_() is t, t
        (True, tensor([0., 0.]))
        """
        return self.fill_(0)

    def masked_fill_(self, mask: ArrayLike, value: Any) -> Tensor:
        """Set the elements where ``mask`` (boolean, broadcast to this shape) holds to ``value``, in place.

        Returns self; the differentiable version is ``masked_fill``.

        >>> t = ag.tensor([1.0, -2.0, 3.0, -4.0])
        >>> t.masked_fill_(t < 0, 0.0)
        tensor([1., 0., 3., 0.])
        >>> t.masked_fill_(ag.tensor([1, 0, 0, 0]), 9.0)
        Traceback (most recent call last):
            ...
        autograd_core.errors.DtypeError: masked_fill_: the mask must be boolean, not ... (compare first, e.g. x > 0)
        """
        where = backend.as_array(mask.data if isinstance(mask, Tensor) else mask)
        if where.dtype != bool:
            raise DtypeError(f"masked_fill_: the mask must be boolean, not {where.dtype} (compare first, e.g. x > 0)")
        return self._inplace("masked_fill_", lambda a, v: np.copyto(a, v, casting="same_kind", where=where), value)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002  (PyTorch's names)
        """Limit every element to [min, max] (either may be None), in place; returns self. ``clip_`` is the same.

        >>> ag.tensor([-2.0, 0.5, 3.0]).clamp_(min=-1.0, max=1.0)
        tensor([-1. ,  0.5,  1. ])
        >>> ag.tensor([-2.0, 0.5, 3.0]).clip_(max=0.0)
        tensor([-2.,  0.,  0.])
        """
        if min is None and max is None:
            from .errors import InvalidArgumentError

            raise InvalidArgumentError("clamp_: give at least one of min and max")
        bounds = tuple(b.data if isinstance(b, Tensor) else b for b in (min, max))
        return self._inplace("clamp_", lambda a, _: np.clip(a, *bounds, out=a, casting="same_kind"), None)

    clip_ = clamp_

    # ------------------------------------------------------- PyTorch spellings
    # (kept last in the class body: names such as ``float`` and ``type`` would
    # shadow the builtins for any class-level code after them)
    def numel(self) -> int:
        """Number of elements (PyTorch's ``numel``; numpy's ``size``), a plain int.

        >>> ag.zeros((2, 3, 4)).numel(), ag.tensor(1.0).numel(), ag.zeros((0, 5)).numel()
        (24, 1, 0)
        """
        return int(self.data.size)

    def dim(self) -> int:
        """Number of axes (PyTorch's ``dim``; numpy's ``ndim``).

        >>> ag.zeros((2, 3)).dim(), ag.tensor(1.0).dim()
        (2, 0)
        """
        return self.data.ndim

    def contiguous(self) -> Tensor:
        """This tensor if its data is C-contiguous, else a contiguous copy (``clone``), differentiable.

        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.contiguous() is x, x.T.numpy().flags.c_contiguous, x.T.contiguous().numpy().flags.c_contiguous
        (True, False, True)
        >>> x.T.contiguous()
        tensor([[1., 3.],
                [2., 4.]])
        """
        if self.data.flags.c_contiguous:
            return self
        return self.clone()  # type: ignore[attr-defined]  (bound from the registry)

    def float(self) -> Tensor:
        """This tensor as float32 (``astype(np.float32)``), differentiable; itself when already float32.

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x.float()
        >>> str(y.dtype), y.float() is y
        ('float32', True)
        >>> (y * y).sum().backward()
        >>> x.grad, str(x.grad.dtype)  # the gradient comes back in x's dtype
        (tensor([2., 4.]), 'float64')
        """
        return self.to(np.float32)

    def double(self) -> Tensor:
        """This tensor as float64, differentiable; itself when already float64.

        >>> x = ag.tensor([0.1], dtype=ag.float32)
        >>> y = x.double()
        >>> str(y.dtype), y.double() is y, ag.tensor(np.arange(2)).double()
        ('float64', True, tensor([0., 1.]))
        """
        return self.to(np.float64)

    def half(self) -> Tensor:
        """This tensor as float16, differentiable; itself when already float16.

        >>> y = ag.tensor([1.0, 1.0 / 3.0]).half()
        >>> str(y.dtype), y.half() is y, y.tolist()  # about three decimal digits
        ('float16', True, [1.0, 0.333251953125])
        """
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
        """PyTorch's ``to``: ``t.to(np.float32)``, ``t.to("cuda")``, ``t.to(other)`` (other's dtype and device), ``t.to("cpu", dtype)``.

        Returns ``self`` when nothing changes (unless ``copy=True``); a dtype
        change is the differentiable ``astype``, a device change the
        differentiable copy between memories (gradients flow back to the
        source device). Devices: "cpu" (numpy), "cuda"/"cuda:N" (CuPy, an
        optional dependency). ``non_blocking`` and ``memory_format`` are
        accepted and ignored.

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x.to(np.float32)
        >>> str(y.dtype), x.to("cpu") is x, x.to(x) is x, x.to(x, copy=True) is x
        ('float32', True, True, False)
        >>> str(ag.zeros(2).to("cpu", ag.float16).dtype)
        'float16'
        >>> x.to("tpu")
        Traceback (most recent call last):
            ...
        autograd_core.errors.DeviceError: unknown device 'tpu': ...
        """
        dtype, device = to_arguments(args, dtype, device, "to()", with_device=True)
        target = self.data.dtype if dtype is None else as_dtype(dtype, "to")
        out = self
        if device is not None and not backend.same_device(self.data, device):
            from .primitives.transfer import to_device

            out = to_device(self, device=str(device))
            copy = False
        if target == out.data.dtype:
            return out.clone() if copy else out  # type: ignore[attr-defined]
        return out.astype(target)  # type: ignore[attr-defined]  (bound from the registry)

    def type(self, dtype: Any = None) -> Any:
        """The dtype's name with no argument (e.g. "float64"); with one, this tensor converted (``to(dtype)``).

        >>> x = ag.tensor([1.5, 2.5])
        >>> x.type(), x.type(np.float32).type(), x.type("int64")
        ('float64', 'float32', tensor([1, 2], dtype=int64))
        """
        if dtype is None:
            return self.data.dtype.name
        if isinstance(dtype, str) and dtype.startswith("torch."):  # PyTorch's type names: "torch.FloatTensor"
            dtype = _TORCH_TYPE_NAMES.get(dtype.removeprefix("torch."), dtype)
        return self.to(dtype)

    def cpu(self) -> Tensor:
        """This tensor in host memory: itself when it is there, else a differentiable copy (``to("cpu")``).

        >>> x = ag.tensor([1.0, 2.0])
        >>> x.cpu() is x, x.cpu().device
        (True, 'cpu')
        """
        return self.to("cpu")

    def cuda(self, device: int | str | None = None) -> Tensor:
        """This tensor on a CUDA GPU (``to("cuda")``; ``cuda(1)`` is ``to("cuda:1")``); needs CuPy.

        Without CuPy or a GPU it raises the library's error saying so; the
        copy is differentiable, so gradients come back to host memory.

        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> try:
        ...     y = x.cuda()
        ... except (ag.errors.MissingDependencyError, ag.errors.DeviceError):  # no CuPy or no GPU here
        ...     y = x
        >>> y.is_cuda == ag.backend.cuda_is_available()
        True
        >>> (y * y).sum().backward()
        >>> x.grad, x.grad.device
        (tensor([2., 4.]), 'cpu')
        """
        if device is None:
            return self.to("cuda")
        return self.to(f"cuda:{device}" if isinstance(device, int) else device)

    def repeat(self, *sizes: Any, **keywords: Any) -> Tensor:
        """PyTorch's ``Tensor.repeat``: the whole tensor tiled ``sizes[i]`` times along axis i (numpy's ``tile``).

        ``x.repeat(2, 1)`` on shape (3, 4) gives (6, 4): [x; x]. There must be
        at least as many sizes as axes (extra ones add leading axes). This is
        not ``ndarray.repeat``: numpy's element-wise repeat is
        ``ag.repeat(x, repeats, axis)`` or ``x.repeat_interleave(repeats, dim)``.

        >>> x = ag.tensor([[1.0, 2.0]])
        >>> x.repeat(2, 3)
        tensor([[1., 2., 1., 2., 1., 2.],
                [1., 2., 1., 2., 1., 2.]])
        >>> x.repeat(2, 1, 1).shape  # an extra count adds a leading axis
        (2, 1, 2)
        >>> x.repeat(2)
        Traceback (most recent call last):
            ...
        autograd_core.errors.ShapeError: Tensor.repeat: 1 repeat count(s) for a tensor with 2 dimensions; ...
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

    if TYPE_CHECKING:  # bound at import time by _methods.py; spelled out for type checkers and IDEs
        T: Tensor

        def transpose(self, *axes: Any) -> Tensor: ...
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
        def __mod__(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def __mul__(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pow__(self, p: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __rmod__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __sub__(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def __truediv__(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def acos(self) -> Tensor: ...
        def acosh(self) -> Tensor: ...
        def amax(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def amin(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def arccos(self) -> Tensor: ...
        def arccosh(self) -> Tensor: ...
        def arcsin(self) -> Tensor: ...
        def arcsinh(self) -> Tensor: ...
        def arctan(self) -> Tensor: ...
        def arctan2(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def arctanh(self) -> Tensor: ...
        def argsort(self, axis: int | None = ..., kind: str | None = ..., order: Any = ..., *, descending: bool = ..., stable: bool | None = ..., dim: Any = ...) -> Tensor: ...
        def asin(self) -> Tensor: ...
        def asinh(self) -> Tensor: ...
        def astype(self, dtype: Any) -> Tensor: ...
        def atan(self) -> Tensor: ...
        def atan2(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def atanh(self) -> Tensor: ...
        def broadcast_to(self, shape: Sequence[int]) -> Tensor: ...
        def ceil(self) -> Tensor: ...
        def chunk(self, chunks: int, axis: int = ..., *, dim: Any = ...) -> Tensor: ...
        def clamp(self, min: Any = ..., max: Any = ...) -> Tensor: ...
        def clip(self, min: Any = ..., max: Any = ...) -> Tensor: ...
        def clone(self) -> Tensor: ...
        def copy(self) -> Tensor: ...
        def copysign(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def cosh(self) -> Tensor: ...
        def count_nonzero(self, axis: int | tuple[int, ...] | None = ..., *, keepdims: bool = ..., dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def cumprod(self, axis: int | None = ..., dtype: Any = ..., *, dim: Any = ...) -> Tensor: ...
        def cumsum(self, axis: int | None = ..., dtype: Any = ..., *, dim: Any = ...) -> Tensor: ...
        def diag(self, k: int = ...) -> Tensor: ...
        def diagonal(self, offset: int = ..., axis1: int = ..., axis2: int = ..., *, dim1: int | None = ..., dim2: int | None = ...) -> Tensor: ...
        def dot(self, b: Any) -> Tensor: ...
        def elu(self, alpha: float = ...) -> Tensor: ...
        def erf(self) -> Tensor: ...
        def erfc(self) -> Tensor: ...
        def erfinv(self) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def exp2(self) -> Tensor: ...
        def expand(self, *shape: int) -> Tensor: ...
        def expand_dims(self, axis: int | Sequence[int], *, dim: Any = ...) -> Tensor: ...
        def expm1(self) -> Tensor: ...
        def flatten(self, start_dim: int = ..., end_dim: int = ...) -> Tensor: ...
        def flip(self, axis: int | Sequence[int] | None = ..., *, dim: Any = ..., dims: Any = ...) -> Tensor: ...
        def floor(self) -> Tensor: ...
        def fmax(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def fmin(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def fmod(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def gather(self, dim: int, index: Any) -> Tensor: ...
        def gelu(self, approximate: str = ...) -> Tensor: ...
        def hypot(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def index_select(self, dim: int, index: Any) -> Tensor: ...
        def inner(self, b: Any) -> Tensor: ...
        def kron(self, b: Any) -> Tensor: ...
        def leaky_relu(self, negative_slope: float = ...) -> Tensor: ...
        def lerp(self, end: Tensor | np.ndarray | float | int | bool | Sequence[Any], weight: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def log(self) -> Tensor: ...
        def log10(self) -> Tensor: ...
        def log1p(self) -> Tensor: ...
        def log2(self) -> Tensor: ...
        def log_softmax(self, axis: int = ..., *, dim: Any = ...) -> Tensor: ...
        def logaddexp(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def logaddexp2(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def logcumsumexp(self, axis: int = ..., *, dim: Any = ...) -> Tensor: ...
        def logsumexp(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def masked_fill(self, mask: Any, value: Any) -> Tensor: ...
        def masked_select(self, mask: Any) -> Tensor: ...
        def matmul(self, b: Any, /) -> Tensor: ...
        def max(self, axis: int | tuple[int, ...] | None = ..., out: None = ..., keepdims: bool = ..., *, dim: int = ..., keepdim: bool = ..., **more: Any) -> Tensor: ...
        def maximum(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def mean(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def median(self, axis: Any = ..., out: Any = ..., overwrite_input: bool = ..., keepdims: bool = ..., *, dim: int = ..., keepdim: bool = ..., **more: Any) -> Tensor: ...
        def min(self, axis: int | tuple[int, ...] | None = ..., out: None = ..., keepdims: bool = ..., *, dim: int = ..., keepdim: bool = ..., **more: Any) -> Tensor: ...
        def minimum(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def mm(self, mat2: Any) -> Tensor: ...
        def moveaxis(self, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor: ...
        def movedim(self, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor: ...
        def nonzero(self, as_tuple: bool = ...) -> Tensor: ...
        def norm(self, p: Any = ..., axis: Any = ..., keepdims: bool = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def outer(self, b: Any) -> Tensor: ...
        def permute(self, *axes: int, dims: Any = ...) -> Tensor: ...
        def pow(self, p: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def prod(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def quantile(self, q: Any, axis: Any = ..., out: Any = ..., overwrite_input: bool = ..., method: str = ..., keepdims: bool = ..., *, interpolation: str | None = ..., dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def ravel(self, order: str = ...) -> Tensor: ...
        def reciprocal(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def remainder(self, b: Tensor | np.ndarray | float | int | bool | Sequence[Any], /) -> Tensor: ...
        def repeat_interleave(self, repeats: int | Sequence[int] | Any, axis: int | None = ..., *, dim: Any = ...) -> Tensor: ...
        def reshape(self, *sizes: int | Sequence[int], shape: Any = ...) -> Tensor: ...
        def roll(self, shift: int | Sequence[int], axis: int | Sequence[int] | None = ..., *, dim: Any = ..., dims: Any = ..., shifts: Any = ...) -> Tensor: ...
        def round(self, decimals: int = ...) -> Tensor: ...
        def rsqrt(self) -> Tensor: ...
        def scatter(self, dim: int, index: Any, src: Any = ..., *, value: Any = ..., reduce: Any = ...) -> Tensor: ...
        def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def sign(self) -> Tensor: ...
        def silu(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def sinh(self) -> Tensor: ...
        def softmax(self, axis: int = ..., *, dim: Any = ...) -> Tensor: ...
        def softplus(self) -> Tensor: ...
        def sort(self, axis: int | None = ..., kind: str | None = ..., *, descending: bool = ..., stable: bool | None = ..., dim: Any = ...) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def square(self) -> Tensor: ...
        def squeeze(self, axis: int | Sequence[int] | None = ..., *, dim: int | Sequence[int] | None = ...) -> Tensor: ...
        def std(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., ddof: int = ..., correction: int | None = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def sum(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def swapaxes(self, axis1: int, axis2: int) -> Tensor: ...
        def tan(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def tensor_split(self, indices_or_sections: int | Sequence[int], axis: int = ..., *, dim: Any = ...) -> Tensor: ...
        def tensordot(self, b: Any, axes: int | Sequence[Any] = ...) -> Tensor: ...
        def tile(self, reps: int | Sequence[int], *more: int) -> Tensor: ...
        def topk(self, k: int, axis: int = ..., largest: bool = ..., sorted: bool = ..., *, dim: Any = ...) -> Tensor: ...
        def trace(self, offset: int = ..., axis1: int = ..., axis2: int = ..., dtype: Any = ..., out: Any = ...) -> Tensor: ...
        def tril(self, k: int = ..., *, diagonal: int | None = ...) -> Tensor: ...
        def triu(self, k: int = ..., *, diagonal: int | None = ...) -> Tensor: ...
        def trunc(self) -> Tensor: ...
        def unflatten(self, axis: int, sizes: Sequence[int], *, dim: Any = ...) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def var(self, axis: int | tuple[int, ...] | None = ..., keepdims: bool = ..., ddof: int = ..., correction: int | None = ..., *, dim: Any = ..., keepdim: Any = ...) -> Tensor: ...
        def view(self, *sizes: int | Sequence[int], size: Any = ..., shape: Any = ...) -> Tensor: ...
        # --- end of generated block ---
        # fmt: on


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
    """Accept a known device that can be used now; raise ``DeviceError`` (or ``MissingDependencyError``) saying why not."""
    backend.check_available(device)


def as_dtype(dtype: Any, op: str) -> np.dtype:
    """``dtype`` as a numpy dtype, or an ``ArgumentTypeError`` naming what was given."""
    try:
        return np.dtype(dtype)
    except TypeError as err:
        raise ArgumentTypeError(f"{op}: {dtype!r} is not a dtype (use e.g. np.float32 or 'float64')") from err


def increment_version(t: Tensor | Sequence[Tensor]) -> None:
    """Record that ``t``'s values (or those of each tensor in a sequence) were changed in place by a write the graph did not see.

    Code that writes into ``t.data`` itself (optimizers, initialisers, state
    loading) calls this after the write, so that a backward pass through a
    graph recorded before it raises ``InplaceModificationError`` instead of
    silently using the new values (as ``torch.autograd.graph.increment_version``).
    Views of ``t`` share its record. Tensor methods that write in place
    (``add_``, ``x[i] = v``, …) do this themselves.

    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> loss = (w * w).sum()
    >>> w.data[0] = 5.0  # a write the graph does not see
    >>> ag.increment_version(w)  # ...recorded, so backward refuses stale values
    >>> loss.backward()
    Traceback (most recent call last):
        ...
    autograd_core.errors.InplaceModificationError: a tensor of shape (2,) needed to backpropagate through mul was modified in place after it was used ...

    Several tensors written together (an optimizer step) take one tick of the clock:
    ``ag.increment_version([w, b])``.
    """
    if isinstance(t, Tensor):
        t._mark_written()
        return
    tensors = list(t) if isinstance(t, Iterable) and not isinstance(t, np.ndarray) else [t]
    for x in tensors:
        if not isinstance(x, Tensor):
            raise ArgumentTypeError(
                f"increment_version: expected a Tensor or a sequence of Tensors, got {type(x).__name__} "
                "(a write to a plain array has no version counter to record it)"
            )
    mark_written(tensors)


def mark_written(tensors: Sequence[Tensor]) -> None:
    """Record in-place writes to ``tensors``, all at one tick of the clock (nothing for an empty sequence)."""
    if not tensors:
        return
    if _state.current().slow:
        for x in tensors:
            observed("written", x)
    tick = write_tick()
    for x in tensors:
        x._shared_writes()[0] = tick


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


#: ``t.type("torch.FloatTensor")``: PyTorch's tensor type names and the dtypes they stand for.
_TORCH_TYPE_NAMES = {
    "FloatTensor": "float32",
    "DoubleTensor": "float64",
    "HalfTensor": "float16",
    "LongTensor": "int64",
    "IntTensor": "int32",
    "ShortTensor": "int16",
    "ByteTensor": "uint8",
    "BoolTensor": "bool",
}


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


def to_arguments(args: tuple, dtype: Any, device: Any, op: str, with_device: bool = False) -> Any:
    """The dtype (and, ``with_device``, the device) a PyTorch-style ``to(*args, dtype=, device=)`` call asks for.

    None means unchanged. Positional arguments may be a dtype, a device
    string or a Tensor (its dtype and device); the device must be one the
    library knows and can reach now (``check_device``).
    """
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype if dtype is None else dtype
            device = arg.device if device is None else device
        elif is_device(arg):
            device = arg
        elif dtype is None:
            dtype = arg
        else:
            raise ArgumentTypeError(f"{op}: give one dtype, not {dtype!r} and {arg!r}")
    if device is not None:
        check_device(device)
    return (dtype, device) if with_device else dtype


def shape_of(x: Any) -> tuple[int, ...]:
    """The shape of a Tensor, an array or anything numpy can make one of (the one spelling of it)."""
    if isinstance(x, Tensor):
        return x.data.shape
    try:
        return constant_array(x, "shape").shape
    except DtypeError:
        raise _named_error(x) from None


def ndim_of(x: Any) -> int:
    """The number of axes of a Tensor, an array or anything numpy can make one of."""
    if isinstance(x, Tensor):
        return x.data.ndim
    try:
        return constant_array(x, "ndim").ndim
    except DtypeError:
        raise _named_error(x) from None


def _named_error(x: Any) -> DtypeError:
    """The error for a non-array operand, naming the public function it was given to (found on the error path only)."""
    import sys

    from .registry import API

    names = {key.rsplit(".", 1)[-1] for key in API}
    frame = sys._getframe(2)
    what = "operand"
    while frame is not None:  # the outermost of the library's public functions: the one the user called
        module = frame.f_globals.get("__name__", "autograd_core")  # generated wrappers have no module name
        if frame.f_code.co_name in names and module.startswith("autograd_core"):
            what = frame.f_code.co_name
        frame = frame.f_back
    try:
        constant_array(x, what)
    except DtypeError as error:
        return error
    return DtypeError(f"{what}: need numbers or bools of one rectangular shape, not {type(x).__name__}")


def tensor(
    data: ArrayLike, requires_grad: bool = False, dtype: Any = None, name: str | None = None, device: Any = None
) -> Tensor:
    """Create a leaf Tensor holding a copy of ``data``, on ``device`` ("cpu", "cuda", "cuda:1"; default: where it is).

    Python numbers and lists become the default float dtype (float64 unless
    ``set_default_dtype`` changed it); numpy arrays keep their dtype. A CuPy
    array makes a tensor on its GPU (``device="cuda"`` copies host data there).

    >>> ag.tensor([1, 2, 3])
    tensor([1., 2., 3.])
    >>> ag.tensor(np.arange(3))
    tensor([0, 1, 2], dtype=int64)
    >>> ag.tensor([0.5], requires_grad=True, name="w")
    tensor([0.5], requires_grad=True, name='w')
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name, device=device)


def as_tensor(data: ArrayLike, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a Tensor without copying when possible (as ``torch.as_tensor``).

    A Tensor of the right dtype and device is returned as is; a numpy (or
    CuPy) array of the right dtype and device is shared (writes to one show
    in the other); anything else is converted like ``tensor()``.

    >>> a = np.zeros(3)
    >>> t = ag.as_tensor(a)
    >>> a[0] = 7.0
    >>> t
    tensor([7., 0., 0.])
    """
    if device is not None:
        check_device(device)
    here = device is None or backend.same_device(data.data if isinstance(data, Tensor) else data, device)
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)) and here:
        return data
    shared = isinstance(data, np.ndarray) or backend.is_backend_array(data)
    if shared and here and (dtype is None or data.dtype == dtype_argument(dtype, "as_tensor")):
        if isinstance(data, np.ndarray):
            _refuse_kind(data, data, "as_tensor")
        else:
            constant_array(data, "as_tensor")  # refuses non-numeric backend arrays
        return wrap(data)
    return Tensor(data, dtype=dtype, device=device)
