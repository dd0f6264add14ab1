"""Tensor factories: zeros, ones, empty, full, arange, linspace, eye, rand, randn, from_numpy and the *_like forms.

Random tensors draw from a ``np.random.Generator``: the one passed as ``rng``,
or the module's default generator, which ``manual_seed`` resets.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _state, backend
from .arguments import bool_argument, dtype_argument, integer_argument, is_integer, real_argument, shape_argument
from .errors import ArgumentTypeError, DtypeError, InvalidArgumentError
from .tensor import Tensor, check_grad_dtype, constant_array, wrap

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (makes ``rand``/``randn`` and ``nn`` initialisation repeatable).

    >>> _ = ag.manual_seed(0)
    >>> a = ag.randn(3)
    >>> _ = ag.manual_seed(0)
    >>> b = ag.randn(3)
    >>> bool((a.data == b.data).all())
    True
    >>> print(np.round(a.numpy(), 4))  # numpy's standard normal stream for seed 0
    [ 0.1257 -0.1321  0.6404]
    """
    global _generator
    seed = integer_argument(seed, "seed", "manual_seed", minimum=0)
    _generator = np.random.default_rng(seed)
    backend.reseed(seed)  # the devices' generators (CuPy's) restart from the same seed
    return _generator


def default_generator() -> np.random.Generator:
    """The generator used when no ``rng`` is passed.

    ``manual_seed`` replaces it; draw from it to share the library's stream.

    >>> g = ag.manual_seed(0)
    >>> ag.default_generator() is g, isinstance(g, np.random.Generator)
    (True, True)
    >>> print(np.round(ag.default_generator().random(2), 4))  # numpy's PCG64 stream for seed 0
    [0.637  0.2698]
    """
    return _generator


def _shape(shape: Sequence[Any], op: str) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return shape_argument(shape, op)


def _leaf(data: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    """A leaf around ``data``, made on the host and copied to ``device`` when one is named."""
    if bool_argument(requires_grad, "requires_grad", "tensor"):
        check_grad_dtype(data.dtype)
    t = wrap(backend.on_device(data, device))
    t.requires_grad = bool(requires_grad)
    return t


def _dtype(dtype: Any, op: str = "tensor") -> np.dtype:
    return _state.default_dtype if dtype is None else dtype_argument(dtype, op)


def _fill(value: Any, op: str) -> Any:
    """A fill value: a number or a bool."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not isinstance(value, (numbers.Number, np.bool_)):
        raise ArgumentTypeError(f"{op}: fill_value must be a number, not {value!r} ({type(value).__name__})")
    return value


def _generator_of(rng: Any, op: str) -> np.random.Generator:
    if rng is None:
        return _generator
    if not isinstance(rng, np.random.Generator):
        raise ArgumentTypeError(f"{op}: rng must be a numpy Generator (np.random.default_rng(seed)), not {rng!r}")
    return rng


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``.

    >>> ag.zeros(2, 3)
    tensor([[0., 0., 0.],
            [0., 0., 0.]])
    >>> ag.zeros((2,), requires_grad=True)
    tensor([0., 0.], requires_grad=True)
    >>> ag.zeros(-1)
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: zeros: shape entries must be non-negative, got -1 in (-1,)
    """
    return _leaf(np.zeros(_shape(shape, "zeros"), _dtype(dtype, "zeros")), requires_grad, device)


def empty(*shape: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of the given shape whose values are whatever the memory held (``np.empty``): fill it before use.

    >>> t = ag.empty(2, 3)
    >>> t.shape, str(t.dtype)
    ((2, 3), 'float64')
    >>> t.data[...] = 1.0  # fill it before use
    >>> print(t.numpy())
    [[1. 1. 1.]
     [1. 1. 1.]]
    >>> str(ag.empty((4,), dtype=ag.float32).dtype)
    'float32'
    """
    return _leaf(np.empty(_shape(shape, "empty"), _dtype(dtype, "empty")), requires_grad, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor sharing ``array``'s memory and dtype (PyTorch's ``from_numpy``): writes to one show in the other.

    >>> a = np.array([1.0, 2.0])
    >>> t = ag.from_numpy(a)
    >>> a[0] = 10.0  # the tensor sees the change: one memory
    >>> t
    tensor([10.,  2.])
    >>> ag.from_numpy([1.0, 2.0])
    Traceback (most recent call last):
        ...
    autograd_core.errors.ArgumentTypeError: from_numpy needs a numpy array, not list; use ag.tensor(data)
    """
    if not isinstance(array, np.ndarray):
        raise ArgumentTypeError(f"from_numpy needs a numpy array, not {type(array).__name__}; use ag.tensor(data)")
    if array.dtype.kind not in "biuf":
        raise DtypeError(f"from_numpy: arrays of dtype {array.dtype} cannot be tensors (need numbers or bools)")
    return wrap(array)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of ones.

    >>> ag.ones(2, 3)
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    >>> ag.ones((2,), dtype=ag.float32)
    tensor([1., 1.], dtype=float32)
    """
    return _leaf(np.ones(_shape(shape, "ones"), _dtype(dtype, "ones")), requires_grad, device)


def full(
    shape: Sequence[int] | int, fill_value: float, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """A tensor filled with ``fill_value``.

    >>> ag.full((2, 2), 7.0)
    tensor([[7., 7.],
            [7., 7.]])
    >>> str(ag.full(3, 1.5, dtype=ag.float32).dtype)
    'float32'
    """
    return _leaf(
        np.full(shape_argument(shape, "full"), _fill(fill_value, "full"), _dtype(dtype, "full")), requires_grad, device
    )


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Evenly spaced values in [start, stop); integer arguments give an integer tensor, as numpy.

    >>> ag.arange(4)
    tensor([0, 1, 2, 3], dtype=int64)
    >>> ag.arange(0.0, 1.0, 0.25)
    tensor([0.  , 0.25, 0.5 , 0.75])
    """
    if stop is None:
        start, stop = 0, start
    for name, value in (("start", start), ("stop", stop), ("step", step)):
        real_argument(value, name, "arange")
    if step == 0:
        raise InvalidArgumentError("arange: step must not be 0")
    if dtype is None and not all(is_integer(v) for v in (start, stop, step)):
        dtype = _state.default_dtype
    elif dtype is not None:
        dtype = dtype_argument(dtype, "arange")
    return _leaf(np.arange(start, stop, step, dtype=dtype), requires_grad, device)


def linspace(
    start: float, stop: float, num: int = 50, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """``num`` evenly spaced values from start to stop inclusive.

    >>> x = ag.linspace(0, 1, 5, requires_grad=True)
    >>> x
    tensor([0.  , 0.25, 0.5 , 0.75, 1.  ], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad  # d(Σx²)/dx = 2x
    tensor([0. , 0.5, 1. , 1.5, 2. ])
    >>> ag.linspace(0, 1, -1)
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: linspace: num must be at least 0, got -1
    """
    start, stop = real_argument(start, "start", "linspace"), real_argument(stop, "stop", "linspace")
    num = integer_argument(num, "num", "linspace", minimum=0)
    return _leaf(np.linspace(start, stop, num, dtype=_dtype(dtype, "linspace")), requires_grad, device)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """The identity matrix (n × m).

    >>> ag.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    >>> x = ag.tensor([[2.0, 3.0], [4.0, 5.0]])
    >>> bool(np.all((ag.eye(2) @ x).numpy() == x.numpy()))  # I·x = x
    True
    """
    n = integer_argument(n, "n", "eye", minimum=0)
    m = None if m is None else integer_argument(m, "m", "eye", minimum=0)
    return _leaf(np.eye(n, m, dtype=_dtype(dtype, "eye")), requires_grad, device)


def rand(
    *shape: Any,
    rng: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform samples in [0, 1); on a device with its own generator (CuPy's for "cuda") unless ``rng`` is given.

    >>> u = ag.rand(2, 3, rng=np.random.default_rng(0))
    >>> u.shape, bool(((0 <= u.numpy()) & (u.numpy() < 1)).all())
    ((2, 3), True)
    >>> bool(np.all(u.numpy() == np.random.default_rng(0).random((2, 3))))  # the generator's own stream
    True
    """
    return _draw("random", "rand", shape, rng, dtype, requires_grad, device)


def randn(
    *shape: Any,
    rng: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Standard normal samples; on a device with its own generator (CuPy's for "cuda") unless ``rng`` is given.

    >>> z = ag.randn(3, rng=np.random.default_rng(0), requires_grad=True)
    >>> z.shape, z.requires_grad
    ((3,), True)
    >>> bool(np.all(z.numpy() == np.random.default_rng(0).standard_normal(3)))  # reproducible from the seed
    True
    """
    return _draw("standard_normal", "randn", shape, rng, dtype, requires_grad, device)


def _draw(method: str, op: str, shape: Any, rng: Any, dtype: Any, requires_grad: bool, device: Any) -> Tensor:
    """A leaf of samples from ``generator.method(shape)``: the device's generator, else ``rng`` (or the default)."""
    shape, dtype = _shape(shape, op), _dtype(dtype, op)
    drawn = _device_draw(method, shape, dtype, rng, device)
    if drawn is not None:
        return _leaf(drawn, requires_grad)
    gen = _generator_of(rng, op)
    return _leaf(getattr(gen, method)(shape).astype(dtype, copy=False), requires_grad, device)


def _device_draw(method: str, shape: tuple[int, ...], dtype: np.dtype, rng: Any, device: Any) -> Any:
    """Samples drawn where they are used: the device's generator (None: draw on the host and copy)."""
    if rng is not None or device is None or backend.parse_device(device)[0] == "cpu":
        return None
    with backend.selected(device):
        gen = backend.device_generator(device)
        if gen is None:
            return None
        out = getattr(gen, method)(shape, dtype=np.float64 if dtype == np.float16 else dtype)
        return out.astype(dtype, copy=False)


def _like_dtype(t: Any, dtype: Any) -> np.dtype:
    return dtype_argument(dtype, "*_like") if dtype is not None else constant_array(t, "*_like").dtype


def _like_shape(t: Any) -> tuple[int, ...]:
    return t.shape if isinstance(t, Tensor) else constant_array(t, "*_like").shape


def _like_device(t: Any, device: Any) -> Any:
    """The device a ``*_like`` result goes to: the one asked for, else ``t``'s."""
    if device is not None:
        return device
    data = t.data if isinstance(t, Tensor) else t
    return None if isinstance(data, (np.ndarray, np.generic)) else backend.device_of(data)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Zeros with the shape, dtype and device of ``t``.

    >>> ag.zeros_like(ag.tensor([1.0, 2.0, 3.0]))
    tensor([0., 0., 0.])
    """
    return _leaf(np.zeros(_like_shape(t), _like_dtype(t, dtype)), requires_grad, _like_device(t, device))


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Ones with the shape, dtype and device of ``t``.

    >>> ag.ones_like(ag.tensor([[1.0, 2.0]]))
    tensor([[1., 1.]])
    """
    return _leaf(np.ones(_like_shape(t), _like_dtype(t, dtype)), requires_grad, _like_device(t, device))


def empty_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """An uninitialised tensor with the shape, dtype and device of ``t`` (``np.empty_like``).

    >>> t = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float32)
    >>> e = ag.empty_like(t)
    >>> e.shape, str(e.dtype), e.requires_grad
    ((2, 2), 'float32', False)
    """
    return _leaf(np.empty(_like_shape(t), _like_dtype(t, dtype)), requires_grad, _like_device(t, device))


def full_like(t: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """``fill_value`` with the shape, dtype and device of ``t``.

    >>> t = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float32)
    >>> ag.full_like(t, 0.5)  # t's shape and dtype
    tensor([[0.5, 0.5],
            [0.5, 0.5]], dtype=float32)
    """
    return _leaf(
        np.full(_like_shape(t), _fill(fill_value, "full_like"), _like_dtype(t, dtype)),
        requires_grad,
        _like_device(t, device),
    )


def rand_like(
    t: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Uniform samples with the shape and dtype of ``t``.

    >>> ag.rand_like(ag.zeros(4), rng=np.random.default_rng(0)).shape
    (4,)
    """
    return rand(
        _like_shape(t),
        rng=rng,
        dtype=_like_dtype(t, dtype),
        requires_grad=requires_grad,
        device=_like_device(t, device),
    )


def randn_like(
    t: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Standard normal samples with the shape and dtype of ``t``.

    >>> ag.randn_like(ag.zeros((2, 2)), rng=np.random.default_rng(0)).shape
    (2, 2)
    """
    return randn(
        _like_shape(t),
        rng=rng,
        dtype=_like_dtype(t, dtype),
        requires_grad=requires_grad,
        device=_like_device(t, device),
    )


# an unknown keyword (ag.ones(3, devcie="cpu")) gets the library's error naming what is accepted
from .keyword_errors import guard_module_functions as _guard_module_functions  # noqa: E402

_guard_module_functions(globals(), __name__)
