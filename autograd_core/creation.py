"""Tensor factories: zeros, ones, full, arange, linspace, eye, rand, randn and the *_like forms.

Random tensors draw from a ``np.random.Generator``: the one passed as ``rng``,
or the module's default generator, which ``manual_seed`` resets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _state
from .tensor import Tensor, check_grad_dtype, wrap

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (makes ``rand``/``randn`` and ``nn`` initialisation repeatable).

    >>> _ = ag.manual_seed(0)
    >>> a = ag.randn(3)
    >>> _ = ag.manual_seed(0)
    >>> b = ag.randn(3)
    >>> bool((a.data == b.data).all())
    True
    """
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator used when no ``rng`` is passed.

    >>> isinstance(ag.default_generator(), np.random.Generator)
    True
    """
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
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``.

    >>> ag.zeros(2, 3)
    tensor([[0., 0., 0.],
            [0., 0., 0.]])
    >>> ag.zeros((2, 3)).shape
    (2, 3)
    """
    return _leaf(np.zeros(_shape(shape), _dtype(dtype)), requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones.

    >>> ag.ones(2, 3)
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    >>> ag.ones((2,), requires_grad=True)
    tensor([1., 1.], requires_grad=True)
    """
    return _leaf(np.ones(_shape(shape), _dtype(dtype)), requires_grad)


def full(shape: Sequence[int] | int, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``.

    >>> ag.full((2, 2), 7.0)
    tensor([[7., 7.],
            [7., 7.]])
    """
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _leaf(np.full(shape, fill_value, _dtype(dtype)), requires_grad)


def arange(
    start: float, stop: float | None = None, step: float = 1, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """Evenly spaced values in [start, stop); integer arguments give an integer tensor, as numpy.

    >>> ag.arange(4)
    tensor([0, 1, 2, 3], dtype=int64)
    >>> ag.arange(0.0, 1.0, 0.25)
    tensor([0.  , 0.25, 0.5 , 0.75])
    """
    if stop is None:
        start, stop = 0, start
    if dtype is None and not all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
        dtype = _state.default_dtype
    return _leaf(np.arange(start, stop, step, dtype=dtype), requires_grad)


def linspace(start: float, stop: float, num: int = 50, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``num`` evenly spaced values from start to stop inclusive.

    >>> ag.linspace(0.0, 1.0, 5)
    tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    return _leaf(np.linspace(start, stop, num, dtype=_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n × m).

    >>> ag.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    >>> ag.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def rand(*shape: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1).

    >>> x = ag.rand(2, 3, rng=np.random.default_rng(0))
    >>> x.shape, bool(((0 <= x.data) & (x.data < 1)).all())
    ((2, 3), True)
    """
    gen = rng or _generator
    return _leaf(gen.random(_shape(shape)).astype(_dtype(dtype), copy=False), requires_grad)


def randn(
    *shape: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples.

    >>> x = ag.randn(10_000, rng=np.random.default_rng(0))
    >>> round(x.mean().item(), 1), round(x.std().item(), 1)
    (0.0, 1.0)
    """
    gen = rng or _generator
    return _leaf(gen.standard_normal(_shape(shape)).astype(_dtype(dtype), copy=False), requires_grad)


def _like_dtype(t: Any, dtype: Any) -> np.dtype:
    return np.dtype(dtype) if dtype is not None else np.asarray(t.data if isinstance(t, Tensor) else t).dtype


def _like_shape(t: Any) -> tuple[int, ...]:
    return t.shape if isinstance(t, Tensor) else np.shape(t)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape and dtype of ``t``.

    >>> ag.zeros_like(ag.tensor([1.0, 2.0, 3.0]))
    tensor([0., 0., 0.])
    """
    return _leaf(np.zeros(_like_shape(t), _like_dtype(t, dtype)), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape and dtype of ``t``.

    >>> ag.ones_like(ag.tensor([[1.0, 2.0]]))
    tensor([[1., 1.]])
    """
    return _leaf(np.ones(_like_shape(t), _like_dtype(t, dtype)), requires_grad)


def full_like(t: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` with the shape and dtype of ``t``.

    >>> ag.full_like(ag.zeros(3), 0.5)
    tensor([0.5, 0.5, 0.5])
    """
    return _leaf(np.full(_like_shape(t), fill_value, _like_dtype(t, dtype)), requires_grad)


def rand_like(t: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples with the shape and dtype of ``t``.

    >>> ag.rand_like(ag.zeros(4), rng=np.random.default_rng(0)).shape
    (4,)
    """
    return rand(_like_shape(t), rng=rng, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def randn_like(
    t: Any, rng: np.random.Generator | None = None, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples with the shape and dtype of ``t``.

    >>> ag.randn_like(ag.zeros((2, 2)), rng=np.random.default_rng(0)).shape
    (2, 2)
    """
    return randn(_like_shape(t), rng=rng, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)
