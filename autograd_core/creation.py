"""Tensor factories: zeros, ones, empty, full, arange, linspace, eye, rand, randn, from_numpy and the *_like forms.

Random tensors draw from a ``np.random.Generator``: the one passed as ``rng``,
or the module's default generator, which ``manual_seed`` resets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _state
from .errors import ArgumentTypeError, DtypeError
from .tensor import Tensor, check_grad_dtype, wrap

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (makes ``rand``/``randn`` and ``nn`` initialisation repeatable)."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator used when no ``rng`` is passed."""
    return _generator


def _shape(shape: Sequence[Any]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _leaf(data: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad:
        check_grad_dtype(data.dtype)
    t = wrap(data)
    t.requires_grad = bool(requires_grad)
    return t


def _dtype(dtype: Any) -> np.dtype:
    return _state.default_dtype if dtype is None else np.dtype(dtype)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _leaf(np.zeros(_shape(shape), _dtype(dtype)), requires_grad)


def empty(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape whose values are whatever the memory held (``np.empty``): fill it before use."""
    return _leaf(np.empty(_shape(shape), _dtype(dtype)), requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor sharing ``array``'s memory and dtype (PyTorch's ``from_numpy``): writes to one show in the other."""
    if not isinstance(array, np.ndarray):
        raise ArgumentTypeError(f"from_numpy needs a numpy array, not {type(array).__name__}; use ag.tensor(data)")
    if array.dtype.kind not in "biuf":
        raise DtypeError(f"from_numpy: arrays of dtype {array.dtype} cannot be tensors (need numbers or bools)")
    return wrap(array)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return _leaf(np.ones(_shape(shape), _dtype(dtype)), requires_grad)


def full(shape: Sequence[int] | int, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _leaf(np.full(shape, fill_value, _dtype(dtype)), requires_grad)


def arange(
    start: float, stop: float | None = None, step: float = 1, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """Evenly spaced values in [start, stop); integer arguments give an integer tensor, as numpy."""
    if stop is None:
        start, stop = 0, start
    if dtype is None and not all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
        dtype = _state.default_dtype
    return _leaf(np.arange(start, stop, step, dtype=dtype), requires_grad)


def linspace(start: float, stop: float, num: int = 50, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``num`` evenly spaced values from start to stop inclusive."""
    return _leaf(np.linspace(start, stop, num, dtype=_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n × m)."""
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def rand(*shape: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    gen = rng or _generator
    return _leaf(gen.random(_shape(shape)).astype(_dtype(dtype), copy=False), requires_grad)


def randn(
    *shape: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples."""
    gen = rng or _generator
    return _leaf(gen.standard_normal(_shape(shape)).astype(_dtype(dtype), copy=False), requires_grad)


def _like_dtype(t: Any, dtype: Any) -> np.dtype:
    return np.dtype(dtype) if dtype is not None else np.asarray(t.data if isinstance(t, Tensor) else t).dtype


def _like_shape(t: Any) -> tuple[int, ...]:
    return t.shape if isinstance(t, Tensor) else np.shape(t)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape and dtype of ``t``."""
    return _leaf(np.zeros(_like_shape(t), _like_dtype(t, dtype)), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape and dtype of ``t``."""
    return _leaf(np.ones(_like_shape(t), _like_dtype(t, dtype)), requires_grad)


def empty_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor with the shape and dtype of ``t`` (``np.empty_like``)."""
    return _leaf(np.empty(_like_shape(t), _like_dtype(t, dtype)), requires_grad)


def full_like(t: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` with the shape and dtype of ``t``."""
    return _leaf(np.full(_like_shape(t), fill_value, _like_dtype(t, dtype)), requires_grad)


def rand_like(t: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples with the shape and dtype of ``t``."""
    return rand(_like_shape(t), rng=rng, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def randn_like(
    t: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples with the shape and dtype of ``t``."""
    return randn(_like_shape(t), rng=rng, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)
