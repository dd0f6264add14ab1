"""Backends: the array type behind a tensor decides where it lives and computes.

A tensor's ``data`` is a numpy ndarray (device "cpu") or an array of another
library that implements numpy's dispatch protocols (``__array_ufunc__`` and
``__array_function__``), such as CuPy's (device "cuda"). The engine's rules are
written with numpy functions, so ``np.tanh(cupy_array)`` already runs on the
GPU: a backend only says how to recognise its arrays, how to copy them to and
from host memory, and where its random numbers come from. Nothing here converts
implicitly; ``to_host`` and ``to_device`` are the only copies between memories.

CuPy is an optional dependency (``pip install autograd-core[cuda]``), imported
the first time a CUDA device or array is used. Other array types can be
registered with ``register_backend`` (the tests register a CPU array that
refuses implicit conversion, as CuPy does, under a pseudo-device).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import DeviceError, MissingDependencyError

__all__ = [
    "Backend",
    "Device",
    "cuda_is_available",
    "device_of",
    "host_array",
    "register_backend",
    "to_device",
    "to_host",
    "unregister_backend",
]

#: Types already known to be numpy's (checked first: the common case costs one isinstance).
HOST_TYPES = (np.ndarray, np.generic)


class Device(str):
    """A device name, as ``t.device`` reports it: "cpu", "cuda:0", ... (a ``str``, with PyTorch's ``type``/``index``).

    >>> d = ag.tensor([1.0]).device
    >>> d, d.type, d.index
    ('cpu', 'cpu', None)
    """

    @property
    def type(self) -> str:
        """The kind of device: "cpu", "cuda", ..."""
        return self.split(":")[0]

    @property
    def index(self) -> int | None:
        """The device number ("cuda:1" → 1), None for the host."""
        _, _, index = self.partition(":")
        return int(index) if index else None


@dataclass(frozen=True)
class Backend:
    """How the arrays of one device type are recognised and copied.

    ``owns(x)`` says whether ``x`` is one of its arrays; ``from_host(a, index)``
    copies the ndarray ``a`` to device ``index`` (None: the current one);
    ``to_host(x)`` copies back to an ndarray; ``index_of(x)`` is the device
    number of an array (None when the type has one device); ``generator(seed)``
    makes a random generator whose ``random``/``standard_normal`` draw on the
    device (None: draw on the host and copy); ``available()`` raises the
    library's error when the device cannot be used now.

    >>> ag.backend.CUDA.name
    'cuda'
    """

    name: str
    owns: Callable[[Any], bool]
    from_host: Callable[[np.ndarray, int | None], Any]
    to_host: Callable[[Any], np.ndarray]
    index_of: Callable[[Any], int | None] = lambda x: None
    generator: Callable[[int | None], Any] | None = None
    available: Callable[[], None] = lambda: None


_BACKENDS: dict[str, Backend] = {}


def register_backend(backend: Backend) -> None:
    """Make ``backend.name`` a device: ``ag.tensor(x, device=name)``, ``t.to(name)``; re-registering replaces it.

    >>> mine = ag.backend.Backend("mine", owns=lambda x: False, from_host=lambda a, i: a, to_host=lambda x: x)
    >>> ag.backend.register_backend(mine)
    >>> ag.backend.parse_device("mine:0")
    ('mine', 0)
    >>> ag.backend.unregister_backend("mine")
    """
    if backend.name == "cpu":
        raise DeviceError('"cpu" is numpy\'s device and cannot be replaced')
    _BACKENDS[backend.name] = backend


def unregister_backend(name: str) -> None:
    """Forget a registered device.

    >>> mine = ag.backend.Backend("mine", owns=lambda x: False, from_host=lambda a, i: a, to_host=lambda x: x)
    >>> ag.backend.register_backend(mine)
    >>> ag.backend.parse_device("mine")
    ('mine', None)
    >>> ag.backend.unregister_backend("mine")
    >>> ag.backend.parse_device("mine")
    Traceback (most recent call last):
        ...
    autograd_core.errors.DeviceError: unknown device 'mine': the devices are 'cpu', 'cuda' (e.g. 'cuda:0')
    >>> ag.backend.unregister_backend("no such device")  # unknown names are ignored
    """
    _BACKENDS.pop(name, None)


# ------------------------------------------------------------------- CuPy
def _cupy() -> Any:
    try:
        import cupy
    except ImportError as err:
        raise MissingDependencyError(
            "the 'cuda' device computes with CuPy, which is not installed: pip install 'autograd-core[cuda]' "
            "(CuPy for CUDA 12), or keep the tensors on 'cpu'"
        ) from err
    return cupy


def _cuda_available() -> None:
    cupy = _cupy()
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # CUDA driver missing or broken: CuPy raises its own runtime error types
        raise DeviceError(f"device 'cuda' is not available: CuPy cannot reach a GPU ({err})") from err
    if count == 0:
        raise DeviceError("device 'cuda' is not available: CuPy sees no GPU; keep the tensors on 'cpu'")


def _cuda_from_host(a: np.ndarray, index: int | None) -> Any:
    cupy = _cupy()
    if index is None:
        return cupy.asarray(a)
    with cupy.cuda.Device(index):
        return cupy.asarray(a)


def _cuda_generator(seed: int | None) -> Any:
    return _cupy().random.default_rng(seed)


CUDA = Backend(
    name="cuda",
    owns=lambda x: type(x).__module__.split(".")[0] == "cupy",
    from_host=_cuda_from_host,
    to_host=lambda x: x.get(),
    index_of=lambda x: x.device.id,
    generator=_cuda_generator,
    available=_cuda_available,
)
_BACKENDS["cuda"] = CUDA


def cuda_is_available() -> bool:
    """Whether ``device="cuda"`` can be used now: CuPy is installed and sees a GPU (PyTorch's ``cuda.is_available``).

    It answers whether a CUDA tensor can be made, without raising:

    >>> try:
    ...     made = ag.zeros(2, device="cuda").device.type == "cuda"
    ... except (ag.errors.MissingDependencyError, ag.errors.DeviceError):  # no CuPy, or no GPU
    ...     made = False
    >>> made == ag.backend.cuda_is_available()
    True
    >>> device = "cuda" if ag.backend.cuda_is_available() else "cpu"  # the usual way to pick one
    >>> ag.ones(2, device=device).sum().item()
    2.0
    """
    try:
        _cuda_available()
    except (DeviceError, MissingDependencyError):
        return False
    return True


# ------------------------------------------------------------------ queries
def backend_of(x: Any) -> Backend | None:
    """The backend owning array ``x`` (None: a numpy array, scalar or anything numpy can convert)."""
    if isinstance(x, HOST_TYPES):
        return None
    for backend in _BACKENDS.values():
        if backend.owns(x):
            return backend
    return None


def is_backend_array(x: Any) -> bool:
    """Whether ``x`` is an array of a registered non-numpy backend (a CuPy array, ...)."""
    return not isinstance(x, HOST_TYPES) and backend_of(x) is not None


def underlying(x: Any) -> Any:
    """The array behind ``x``: a Tensor's data, the batch behind a vmapped tensor's abstract value; else ``x``."""
    from .batched import AbstractValue
    from .tensor import Tensor

    while True:
        if isinstance(x, Tensor):
            x = x.data
        elif isinstance(x, AbstractValue):
            x = x._value
        else:
            return x


def device_of(x: Any) -> Device:
    """The device an array (or a Tensor) lives on: "cpu" for numpy, "cuda:0" for a CuPy array on GPU 0, ...

    >>> ag.backend.device_of(np.zeros(2))
    'cpu'
    """
    if not isinstance(x, HOST_TYPES):
        x = underlying(x)
    backend = backend_of(x)
    if backend is None:
        return Device("cpu")
    index = backend.index_of(x)
    return Device(backend.name if index is None else f"{backend.name}:{index}")


def parse_device(device: Any) -> tuple[str, int | None]:
    """``device`` ("cpu", "cuda", "cuda:1", a torch.device, a ``Device``) as (type, index); unknown ones raise."""
    text = str(device)
    name, _, index_text = text.partition(":")
    if name != "cpu" and name not in _BACKENDS:
        known = ", ".join(repr(n) for n in ("cpu", *_BACKENDS))
        raise DeviceError(f"unknown device {text!r}: the devices are {known} (e.g. 'cuda:0')")
    if index_text:
        if not index_text.isdigit():
            raise DeviceError(f"device {text!r}: the index after ':' must be a number, e.g. 'cuda:0'")
        return name, int(index_text)
    return name, None


def same_device(x: Any, device: Any) -> bool:
    """Whether array ``x`` is already on ``device`` (an index-less name matches any index of its type)."""
    name, index = parse_device(device)
    have = device_of(x)
    return have.type == name and (index is None or have.index in (index, None))


def namespace_of(x: Any) -> Any:
    """The module whose functions make arrays of ``x``'s kind: numpy, or the backend library (``cupy``).

    The engine itself needs no namespace: numpy's functions dispatch on their
    operands (``np.tanh(cupy_array)`` is a CuPy array); this is for code that
    must create arrays from nothing on the same device.
    """
    backend = backend_of(x)
    if backend is None:
        return np
    if backend is CUDA:
        return _cupy()
    import importlib

    return importlib.import_module(type(x).__module__.split(".")[0])


# ------------------------------------------------------------------ copies
def to_host(x: Any) -> Any:
    """An explicit copy of a backend array into host memory (``cupy_array.get()``); numpy data is returned as is.

    >>> ag.backend.to_host(np.arange(2))
    array([0, 1])
    """
    backend = backend_of(x)
    return x if backend is None else backend.to_host(x)


def to_device(x: Any, device: Any) -> Any:
    """Array ``x`` on ``device``: unchanged when it is already there, else an explicit copy between memories.

    >>> ag.backend.to_device(np.arange(2), "cpu")
    array([0, 1])
    """
    name, index = parse_device(device)
    if same_device(x, device):
        return x
    host = to_host(x)
    if name == "cpu":
        return host
    backend = _BACKENDS[name]
    backend.available()
    return backend.from_host(np.asarray(host), index)


def check_same_device(op: str, *arrays: Any) -> None:
    """Raise ``DeviceError`` naming both devices when ``arrays`` do not all live on one device."""
    first = None
    for a in arrays:
        if a is None or isinstance(a, (int, float, bool)):
            continue
        device = device_of(a)
        if first is None:
            first = device
        elif device != first:
            raise DeviceError(
                f"{op}: operands on different devices, '{first}' and '{device}'; move one with .to('{first}') "
                f"or .to('{device}') first"
            )


def check_available(device: Any) -> None:
    """Raise the library's error unless ``device`` can be used now (CuPy installed, a GPU present, ...)."""
    name, _ = parse_device(device)
    if name != "cpu":
        _BACKENDS[name].available()


# ------------------------------------------------------------------ creation
def like(x: Any) -> Any:
    """An array to pass as numpy's ``like=``: ``x`` (or a Tensor's data) for a backend array, None for numpy's."""
    if isinstance(x, HOST_TYPES):
        return None
    x = underlying(x)
    return None if isinstance(x, HOST_TYPES) or backend_of(x) is None else x


def as_array(x: Any) -> Any:
    """``x`` as an array without leaving its device: backend arrays as they are, a Tensor's data, else ``np.asarray``."""
    if type(x) is np.ndarray:
        return x
    if isinstance(x, np.generic):  # numpy < 2 returns scalars from 0-d operations
        return np.asarray(x)
    if is_backend_array(x):
        return x
    from .tensor import Tensor

    if isinstance(x, Tensor) and not x.requires_grad:
        return x.data
    return np.asarray(x)


def asarray_on(x: Any, ref: Any, dtype: Any = None, what: str = "operand") -> Any:
    """``np.asarray(x, dtype)`` on the device of array ``ref``, without an implicit copy between memories.

    A backend array must already be on ``ref``'s device, and so must a numpy
    array of one or more axes (``DeviceError`` naming both otherwise); Python
    numbers and lists (and 0-d arrays, numbers too) have no device and are made
    where ``ref`` lives.
    """
    if type(ref) is np.ndarray and type(x) is np.ndarray:
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    if is_backend_array(x) or (isinstance(x, np.ndarray) and x.ndim and backend_of(ref) is not None):
        check_same_device(what, ref, x)
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    host = np.asarray(x, dtype=dtype)
    return host if backend_of(ref) is None else to_device(host, device_of(ref))


def copy(x: Any) -> Any:
    """An owned copy of an array on its own device (``np.array(x)`` for numpy's)."""
    return np.array(x) if type(x) is np.ndarray else np.copy(x)


def values_of(x: Any) -> Any:
    """The values of ``x`` as an array where they live: a Tensor's data or a backend array as it is, else ``np.asarray``.

    For index computations (sort orders, masks, picked positions) that need
    no gradient: a device array stays on its device.

    >>> ag.backend.values_of([1, 2])
    array([1, 2])
    """
    if type(x) is np.ndarray:
        return x
    from .tensor import Tensor

    if isinstance(x, Tensor):
        x = x.data
    if isinstance(x, np.ndarray) or is_backend_array(x):
        return x
    return np.asarray(x)


def maybe_true(flag: Any) -> bool:
    """Whether a branch that only skips work may be skipped: numpy's answer on the host; True for a device array.

    ``if maybe_true(nan.any()): y = np.where(nan, ..., y)`` avoids a selection
    numpy does not need, while on a device computing the selection is cheaper
    than a synchronising copy of the flag to the host.
    """
    return bool(flag) if isinstance(flag, HOST_TYPES) else True


def decide(flag: Any) -> bool:
    """A branch on a computed value (``if (x == 0).any():``): the one element copied to host on purpose.

    numpy answers ``bool()`` directly; a device array is copied explicitly
    (one element, a synchronisation), never through an implicit conversion.
    """
    return bool(flag) if isinstance(flag, HOST_TYPES) else bool(to_host(flag))


def host_array(x: Any, dtype: Any = None) -> np.ndarray:
    """``np.asarray(x, dtype)`` for pictures, printing and files: a device array is copied to host on purpose.

    >>> ag.backend.host_array(ag.tensor([1.0, 2.0]))
    array([1., 2.])
    """
    if not isinstance(x, HOST_TYPES):
        x = underlying(x)
        if not isinstance(x, HOST_TYPES) and backend_of(x) is not None:
            x = to_host(x)
    return np.asarray(x, dtype=dtype)


def host_float(x: Any) -> float:
    """``float(x)`` of a one-element array or Tensor, copying that element to host on purpose for a device array."""
    x = underlying(x)
    return float(x) if isinstance(x, (*HOST_TYPES, int, float)) else float(to_host(x))


def arange(n: int, ref: Any) -> Any:
    """``np.arange(n)`` (positions for masks and index arithmetic) on the device of ``ref`` (an array or a Tensor).

    For a Tensor on a device the positions are a constant Tensor: a backend
    library's functions accept only its own arrays, so a mask meeting Tensors
    in a rule (``np.where(mask, t, 0)``) must dispatch through the Tensor.
    """
    device_ref = like(ref)
    if device_ref is None:
        return np.arange(n)
    positions = np.arange(n, like=device_ref)
    if device_ref is not ref:  # ref was a Tensor
        from .tensor import wrap

        return wrap(positions)
    return positions


def full(shape: tuple[int, ...], value: Any, dtype: Any, ref: Any) -> Any:
    """``np.full(shape, value, dtype)`` on the device of array ``ref``."""
    ref = like(ref)
    if ref is None:
        return np.full(shape, value, dtype)
    return np.full(shape, value, dtype, like=ref)


def zeros(shape: tuple[int, ...], dtype: Any, ref: Any) -> Any:
    """``np.zeros(shape, dtype)`` on the device of array ``ref``."""
    ref = like(ref)
    return np.zeros(shape, dtype) if ref is None else np.zeros(shape, dtype, like=ref)


def ones(shape: tuple[int, ...], dtype: Any, ref: Any) -> Any:
    """``np.ones(shape, dtype)`` on the device of array ``ref``."""
    ref = like(ref)
    return np.ones(shape, dtype) if ref is None else np.ones(shape, dtype, like=ref)


def eye(n: int, dtype: Any, ref: Any) -> Any:
    """``np.eye(n, dtype=dtype)`` on the device of ``ref`` (an array or a Tensor)."""
    ref = like(ref)
    return np.eye(n, dtype=dtype) if ref is None else np.eye(n, dtype=dtype, like=ref)


def tri(n: int, m: int, k: int, ref: Any) -> Any:
    """``np.tri(n, m, k, dtype=bool)`` (true where j ≤ i + k) on the device of ``ref`` (an array or a Tensor)."""
    ref = like(ref)
    return np.tri(n, m, k, dtype=bool) if ref is None else np.tri(n, m, k, dtype=bool, like=ref)


def on_device(host: np.ndarray, device: Any) -> Any:
    """A freshly made host array placed on ``device`` (None or "cpu": kept on the host)."""
    if device is None:
        return host
    return to_device(host, device)


def selected(device: Any) -> Any:
    """``with selected("cuda:1"):`` — new arrays of the backend go to that device (CuPy's ``Device``); else nothing."""
    import contextlib

    name, index = parse_device(device)
    if name == "cuda" and index is not None:
        return _cupy().cuda.Device(index)
    return contextlib.nullcontext()


_generators: dict[tuple[str, int | None], Any] = {}
_seed: list[int | None] = [None]


def reseed(seed: int | None) -> None:
    """Forget the device generators; the next draw on a device starts from ``seed`` (``manual_seed``)."""
    _generators.clear()
    _seed[0] = seed


def device_generator(device: Any) -> Any:
    """The default random generator of ``device`` (None: the backend draws on the host and copies)."""
    name, index = parse_device(device)
    backend = _BACKENDS[name]
    if backend.generator is None:
        return None
    backend.available()
    key = (name, index)
    if key not in _generators:
        _generators[key] = backend.generator(_seed[0])
    return _generators[key]
