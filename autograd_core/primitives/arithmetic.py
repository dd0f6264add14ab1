"""More arithmetic: square, reciprocal, rsqrt, lerp, remainder/fmod, copysign, fmax/fmin, clone, clamp.

remainder and fmod are piecewise a − n·b with n = floor(a/b) (remainder,
Python's and numpy's ``%``, the sign of b) or n = trunc(a/b) (fmod, C's, the
sign of a); n is constant between jumps, so ∂/∂a = 1 and ∂/∂b = −n.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import is_backend_array
from ..registry import no_flops, primitive, public
from ..tensor import Tensor
from .elementwise import clip, elementwise

Operand = Any  # Tensor, array or Python number


@elementwise(
    lambda y, x: 2 * x,
    formula="y = x²",
    vjp_text="x̄ = 2ȳ·x",
    jvp_text="ẏ = 2ẋ·x",
    method=True,
    numpy=np.square,
    kernel=np.square,
)
def square(x: Operand, /) -> np.ndarray:
    """y = x²; dy/dx = 2x.

    >>> x = ag.tensor([-3.0, 2.0], requires_grad=True)
    >>> print(ag.square(x))
    tensor([9., 4.], grad_fn=square)
    >>> ag.square(x).sum().backward()
    >>> print(x.grad)  # 2x
    tensor([-6.,  4.])
    """
    return np.square(x)


@elementwise(
    lambda y, x: -(y * y),
    formula="y = 1 / x",
    vjp_text="x̄ = −ȳ·y²",
    jvp_text="ẏ = −ẋ·y²",
    method=True,
    numpy=np.reciprocal,
)
def reciprocal(x: Operand, /) -> np.ndarray:
    """y = 1/x (a float even for integer x, as PyTorch); dy/dx = −1/x² = −y².

    >>> print(ag.reciprocal(ag.tensor([2, 4], dtype=ag.int64)))  # a float, as PyTorch
    tensor([0.5 , 0.25])
    >>> x = ag.tensor([2.0, 4.0], requires_grad=True)
    >>> ag.reciprocal(x).sum().backward()
    >>> print(x.grad)  # −1/x²
    tensor([-0.25  , -0.0625])
    """
    return np.true_divide(1, x)


@elementwise(
    lambda y, x: -0.5 * (y * y * y),
    formula="y = 1 / √x",
    vjp_text="x̄ = −½ȳ·y³",
    jvp_text="ẏ = −½ẋ·y³",
    method=True,
)
def rsqrt(x: Operand, /) -> np.ndarray:
    """y = 1/√x (PyTorch's ``rsqrt``); dy/dx = −½·x^(−3/2) = −½y³.

    >>> x = ag.tensor([4.0, 16.0], requires_grad=True)
    >>> print(ag.rsqrt(x))
    tensor([0.5 , 0.25], grad_fn=rsqrt)
    >>> ag.rsqrt(x).sum().backward()
    >>> print(x.grad)  # −½·x^(−3/2)
    tensor([-0.0625   , -0.0078125])
    """
    return np.true_divide(1, np.sqrt(x))


@elementwise(
    lambda y, start, end, weight: 1 - weight,
    lambda y, start, end, weight: weight,
    lambda y, start, end, weight: end - start,
    formula="y = start + w·(end − start)",
    vjp_text="start̄ = ȳ·(1 − w), end̄ = ȳ·w, w̄ = ȳ·(end − start)",
    jvp_text="ẏ = start̊·(1 − w) + end̊·w + ẇ·(end − start)",
    promotes=True,
    method=True,
)
def lerp(start: Operand, end: Operand, weight: Operand, /) -> np.ndarray:
    """y = start + weight·(end − start), linear interpolation (PyTorch's ``lerp``; weight a number or a tensor).

    Computed as end − (end − start)·(1 − w) for w ≥ ½, as PyTorch does, so
    that w = 1 gives exactly ``end``.

    >>> start = ag.tensor([0.0, 10.0], requires_grad=True)
    >>> end = ag.tensor([10.0, 20.0], requires_grad=True)
    >>> w = ag.tensor([0.25, 1.0], requires_grad=True)
    >>> print(ag.lerp(start, end, w))  # w = 1 gives exactly end
    tensor([ 2.5, 20. ], grad_fn=lerp)
    >>> ag.lerp(start, end, w).sum().backward()
    >>> print(start.grad, end.grad, w.grad)  # 1 − w, w, end − start
    tensor([0.75, 0.  ]) tensor([0.25, 1.  ]) tensor([10., 10.])
    """
    step = end - start
    return np.where(np.abs(weight) < 0.5, start + weight * step, end - step * (1 - weight))


@primitive(
    vjp=(lambda g, y, a, b: g, lambda g, y, a, b: -g * np.floor(a / b)),
    jvp=(lambda t, y, a, b: t, lambda t, y, a, b: -t * np.floor(a / b)),
    formula="y = a − b·floor(a / b)",
    vjp_text="ā = ȳ, b̄ = −ȳ·floor(a / b)",
    jvp_text="ẏ = ȧ − ḃ·floor(a / b)",
    broadcasting=True,
    promotes=True,
    method=("remainder", "__mod__", "__rmod__"),
    numpy=np.remainder,
    kernel=np.remainder,
)
def remainder(a: Operand, b: Operand, /) -> np.ndarray:
    """y = a mod b with the sign of b (Python's and numpy's ``%``, PyTorch's ``remainder``).

    ∂y/∂a = 1 and ∂y/∂b = −floor(a/b) between the jumps at multiples of b.

    >>> a = ag.tensor([5.0, -5.0], requires_grad=True)
    >>> b = ag.tensor([3.0, 3.0], requires_grad=True)
    >>> print(ag.remainder(a, b))  # the sign of b, as a % b
    tensor([2., 1.], grad_fn=remainder)
    >>> ag.remainder(a, b).sum().backward()
    >>> print(a.grad, b.grad)  # 1 and −floor(a/b)
    tensor([1., 1.]) tensor([-1.,  2.])
    """
    return np.remainder(a, b)


@primitive(
    vjp=(lambda g, y, a, b: g, lambda g, y, a, b: -g * np.trunc(a / b)),
    jvp=(lambda t, y, a, b: t, lambda t, y, a, b: -t * np.trunc(a / b)),
    formula="y = a − b·trunc(a / b)",
    vjp_text="ā = ȳ, b̄ = −ȳ·trunc(a / b)",
    jvp_text="ẏ = ȧ − ḃ·trunc(a / b)",
    broadcasting=True,
    promotes=True,
    method=True,
    numpy=np.fmod,
    kernel=np.fmod,
)
def fmod(a: Operand, b: Operand, /) -> np.ndarray:
    """y = a mod b with the sign of a (C's ``fmod``, numpy's and PyTorch's ``fmod``).

    ∂y/∂a = 1 and ∂y/∂b = −trunc(a/b) between the jumps.

    >>> a = ag.tensor([5.0, -5.0], requires_grad=True)
    >>> b = ag.tensor([3.0, 3.0], requires_grad=True)
    >>> print(ag.fmod(a, b))  # the sign of a
    tensor([ 2., -2.], grad_fn=fmod)
    >>> ag.fmod(a, b).sum().backward()
    >>> print(a.grad, b.grad)  # 1 and −trunc(a/b)
    tensor([1., 1.]) tensor([-1.,  1.])
    """
    return np.fmod(a, b)


def _copysign_flip(v, a, b):
    """v·∂y/∂a: ±v (+ where a and b have the same sign, − where not), exactly 0 at a = 0."""
    return np.where(a == 0, 0, v * (np.sign(a) * np.copysign(1.0, b)))


@primitive(
    vjp=(lambda g, y, a, b: _copysign_flip(g, a, b), lambda g, y, a, b: np.zeros_like(g)),
    jvp=(lambda t, y, a, b: _copysign_flip(t, a, b), lambda t, y, a, b: np.zeros_like(t)),
    formula="y = |a|·sign(b)",
    vjp_text="ā = ȳ·sign(a)·sign(b) (0 at a = 0), b̄ = 0",
    jvp_text="ẏ = ȧ·sign(a)·sign(b)",
    broadcasting=True,
    promotes=True,
    method=True,
    numpy=np.copysign,
    kernel=np.copysign,
)
def copysign(a: Operand, b: Operand, /) -> np.ndarray:
    """y = the magnitude of a with the sign of b (−0.0 counts as negative); b gets no gradient, as in PyTorch.

    >>> a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> print(ag.copysign(a, ag.tensor([-1.0, 0.0, -0.0])))  # −0.0 counts as negative
    tensor([-1.,  2., -3.], grad_fn=copysign)
    >>> ag.copysign(a, ag.tensor([-1.0, 0.0, -0.0])).sum().backward()
    >>> print(a.grad)  # ±1: the sign flip
    tensor([-1.,  1., -1.])
    """
    return np.copysign(a, b)


def _fmax_a(a, b):
    """Where fmax's result is a: a ≥ b, or b is NaN (ties go to a, as in PyTorch)."""
    return (a >= b) | np.isnan(b)


def _fmin_a(a, b):
    return (a <= b) | np.isnan(b)


def _pick(first):
    """The (VJP, JVP) rule pairs of an op whose result is a where ``first(a, b)`` holds, b elsewhere."""
    return (
        (lambda g, y, a, b: np.where(first(a, b), g, 0), lambda g, y, a, b: np.where(first(a, b), 0, g)),
        (lambda t, y, a, b: np.where(first(a, b), t, 0), lambda t, y, a, b: np.where(first(a, b), 0, t)),
    )


_fmax_vjp, _fmax_jvp = _pick(_fmax_a)
_fmin_vjp, _fmin_jvp = _pick(_fmin_a)


@primitive(
    vjp=_fmax_vjp,
    jvp=_fmax_jvp,
    formula="y = max(a, b), ignoring NaN",
    vjp_text="ā = ȳ·[a ≥ b or b is NaN], b̄ = ȳ·[otherwise]",
    jvp_text="ẏ = ȧ·[a ≥ b or b is NaN] + ḃ·[otherwise]",
    broadcasting=True,
    promotes=True,
    method=True,
    numpy=np.fmax,
    kernel=np.fmax,
)
def fmax(a: Operand, b: Operand, /) -> np.ndarray:
    """Elementwise max(a, b) where a NaN loses to a number (numpy's and PyTorch's ``fmax``).

    The gradient goes to the operand chosen; on ties it all goes to ``a``, as
    in PyTorch (``maximum`` splits ties in half instead).

    >>> a = ag.tensor([1.0, np.nan, 3.0], requires_grad=True)
    >>> b = ag.tensor([2.0, 2.0, 3.0], requires_grad=True)
    >>> print(ag.fmax(a, b))  # the NaN loses
    tensor([2., 2., 3.], grad_fn=fmax)
    >>> ag.fmax(a, b).sum().backward()
    >>> print(a.grad, b.grad)  # the tie at 3 goes to a
    tensor([0., 0., 1.]) tensor([1., 1., 0.])
    """
    return np.fmax(a, b)


@primitive(
    vjp=_fmin_vjp,
    jvp=_fmin_jvp,
    formula="y = min(a, b), ignoring NaN",
    vjp_text="ā = ȳ·[a ≤ b or b is NaN], b̄ = ȳ·[otherwise]",
    jvp_text="ẏ = ȧ·[a ≤ b or b is NaN] + ḃ·[otherwise]",
    broadcasting=True,
    promotes=True,
    method=True,
    numpy=np.fmin,
    kernel=np.fmin,
)
def fmin(a: Operand, b: Operand, /) -> np.ndarray:
    """Elementwise min(a, b) where a NaN loses to a number; on ties the gradient goes to ``a`` (as PyTorch).

    >>> a = ag.tensor([1.0, np.nan, 3.0], requires_grad=True)
    >>> b = ag.tensor([2.0, 2.0, 3.0], requires_grad=True)
    >>> print(ag.fmin(a, b))  # the NaN loses
    tensor([1., 2., 3.], grad_fn=fmin)
    >>> ag.fmin(a, b).sum().backward()
    >>> print(a.grad, b.grad)  # the tie at 3 goes to a
    tensor([1., 0., 1.]) tensor([0., 1., 0.])
    """
    return np.fmin(a, b)


@primitive(
    vjp=(lambda g, y, x: g,),
    jvp=(lambda t, y, x: t,),
    formula="y = copy of x",
    vjp_text="x̄ = ȳ",
    jvp_text="ẏ = ẋ",
    flops=no_flops,
    broadcasting=True,
    method=("clone", "copy"),
    numpy=np.copy,
)
def clone(x: Operand, /) -> np.ndarray:
    """y = a copy of x in new, C-ordered memory (PyTorch's ``clone``, numpy's ``copy``); the gradient passes unchanged.

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = ag.clone(x)
    >>> print(y, np.shares_memory(y.data, x.data))
    tensor([1., 2.], grad_fn=clone) False
    >>> (3 * y).sum().backward()
    >>> print(x.grad)  # the gradient passes unchanged
    tensor([3., 3.])
    """
    if type(x) is not np.ndarray and is_backend_array(x):
        return x.copy(order="C")  # on its own device
    return np.array(x, copy=True, order="C")


@public(rules=clip)
def clamp(x: Operand, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's name for ``clip``: y = min(max(x, min), max); the gradient passes where min ≤ x ≤ max.

    >>> x = ag.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    >>> print(ag.clamp(x, min=-1.0, max=1.0))
    tensor([-1. ,  0.5,  1. ], grad_fn=...)
    >>> ag.clamp(x, min=-1.0, max=1.0).sum().backward()
    >>> print(x.grad)  # 1 inside [min, max], 0 where clamped
    tensor([0., 1., 0.])
    """
    return clip(x, min, max)
