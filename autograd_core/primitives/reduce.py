"""Reductions over axes, with numpy's ``axis`` and ``keepdims`` semantics.

Axes are stored as a tuple of negative integers, so the same rule works when
cotangents or tangents carry extra leading batch axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import batching
from ..arguments import bool_argument, is_integer, real_argument
from ..broadcasting import expand
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..portable import max_or_minus_inf, maximum_reduce, minimum_reduce
from ..registry import primitive, reduction_flops
from ..tensor import Tensor, constant_array

Axis = int | tuple[int, ...] | None


def normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    """Axes as sorted negative integers; None means every axis.

    An axis is an integer (not a bool: ``axis=True`` is refused) or a tuple or list of them.
    """
    if axis is None:
        return tuple(range(-ndim, 0))
    if is_integer(axis):
        axes = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise ArgumentTypeError(f"{op}: axis must be None, an integer or a tuple of integers, not {axis!r}")
    out = []
    for a in axes:
        if not is_integer(a):
            raise ArgumentTypeError(f"{op}: axis must be None, an integer or a tuple of integers, not {axis!r}")
        if not -ndim <= a < ndim:
            raise ShapeError(f"{op}: axis {a} is out of bounds for a tensor with {ndim} dimension(s)")
        out.append(int(a) - ndim if a >= 0 else int(a))
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def one_axis(axis: int, ndim: int, op: str) -> int:
    """``axis`` counted from the front, in [0, ndim); out of range is a ``ShapeError`` naming the op."""
    if not is_integer(axis):
        raise ArgumentTypeError(f"{op}: an axis must be an integer, not {axis!r}")
    if not -ndim <= axis < ndim:
        raise ShapeError(f"{op}: axis {axis} is out of bounds for a tensor with {ndim} dimension(s)")
    return int(axis) % ndim


def restore_axes(y: Any, axis: tuple[int, ...]) -> Any:
    """Re-insert the reduced (negative) ``axis`` positions as unit axes: a keepdims view."""
    shape = list(y.shape)
    final = len(shape) + len(axis)
    for position in sorted(final + a for a in axis):
        shape.insert(position, 1)
    return y.reshape(tuple(shape))


def unreduce(g: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    """Broadcast a reduced cotangent back over the reduced axes of ``x``."""
    if not keepdims:
        g = restore_axes(g, axis)
    return expand(g, g.shape[: g.ndim - x.ndim] + x.shape)


def reduced_count(x: Any, axis: tuple[int, ...]) -> int:
    """How many elements each output of a reduction over ``axis`` summarises."""
    n = 1
    for a in axis:
        n *= x.shape[a]
    return n


def _keep(y: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    return y if keepdims else restore_axes(y, axis)


def _extreme_share(v, y, x, axis, keepdims):
    """``v`` (broadcast over x) at the maximal (minimal) elements, ties splitting it equally; 0 elsewhere, selected."""
    hit = x == _keep(y, axis, keepdims)
    return np.where(hit, v / hit.sum(axis=axis, keepdims=True).astype(x.dtype), 0)


def _centred(x, axis):
    return x - x.mean(axis=axis, keepdims=True)


def _softmax_of(y, x, axis, keepdims):
    return np.exp(x - _keep(y, axis, keepdims))


def _reduction_params(
    x: Any, axis: Axis = None, keepdims: bool = False, *, op: str = "reduction", **params: Any
) -> dict[str, Any]:
    ndim = x.data.ndim if isinstance(x, Tensor) else constant_array(x, op).ndim  # errors name the function
    return {"axis": normalize_axis(axis, ndim, op), "keepdims": bool_argument(keepdims, "keepdims", op), **params}


def _variance_params(
    x: Any, axis: Axis = None, keepdims: bool = False, ddof: int = 0, correction: int | None = None, *, op: str
) -> dict[str, Any]:
    if correction is not None:  # PyTorch's name for ddof
        if ddof:
            raise InvalidArgumentError(f"{op}: give ddof= or correction= (the same number), not both")
        ddof = correction
    # an integer, or a real number as numpy allows (never silently truncated)
    ddof = int(ddof) if is_integer(ddof) else real_argument(ddof, "ddof", op)
    return _reduction_params(x, axis, keepdims, op=op, ddof=ddof)


def reduction(prepare: Any = _reduction_params, **declaration: Any):
    """Declare a reduction over ``axis`` (numpy's ``axis``/``keepdims``), normalised to negative axes.

    Negative axes leave leading axes alone, so under ``vmap`` the forward
    reduces a whole batch as it is: the batching rule is ``batching.leading``.
    """

    def declare(forward):
        name = forward.__name__

        def named_prepare(*args: Any, **params: Any) -> dict[str, Any]:
            return prepare(*args, op=name, **params)

        declaration.setdefault("batch", batching.leading)
        return primitive(flops=reduction_flops, prepare=named_prepare, **declaration)(forward)

    return declare


@reduction(
    vjp=(lambda g, y, x, axis, keepdims: unreduce(g, x, axis, keepdims),),
    jvp=(lambda t, y, x, axis, keepdims: t.sum(axis=axis, keepdims=keepdims),),
    formula="y = Σᵢ xᵢ",
    vjp_text="x̄ = broadcast(ȳ)",
    jvp_text="ẏ = Σᵢ ẋᵢ",
    method=True,
    numpy=np.sum,
)
def sum(x: Any, /, axis: Axis = None, keepdims: bool = False) -> np.ndarray:  # noqa: A001
    """y = Σ x over ``axis`` (all axes when None).

    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> ag.sum(x), ag.sum(x, axis=0)
    (tensor(10., grad_fn=sum), tensor([4., 6.], grad_fn=sum))
    >>> x.sum(axis=1, keepdims=True)
    tensor([[3.],
            [7.]], grad_fn=sum)
    >>> x.sum().backward()
    >>> x.grad  # ȳ broadcast back
    tensor([[1., 1.],
            [1., 1.]])
    """
    return np.add.reduce(x, axis=axis, keepdims=keepdims)  # the ufunc itself: no Python-level wrapper


@reduction(
    vjp=(lambda g, y, x, axis, keepdims: unreduce(g, x, axis, keepdims) / reduced_count(x, axis),),
    jvp=(lambda t, y, x, axis, keepdims: t.mean(axis=axis, keepdims=keepdims),),
    formula="y = (1/n) Σᵢ xᵢ",
    vjp_text="x̄ = broadcast(ȳ) / n",
    jvp_text="ẏ = (1/n) Σᵢ ẋᵢ",
    method=True,
    numpy=np.mean,
)
def mean(x: Any, /, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """y = (1/n) Σ x over ``axis``.

    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> ag.mean(x), ag.mean(x, axis=1)
    (tensor(2.5, grad_fn=mean), tensor([1.5, 3.5], grad_fn=mean))
    >>> x.mean().backward()
    >>> x.grad  # ȳ/n
    tensor([[0.25, 0.25],
            [0.25, 0.25]])
    """
    if x.dtype == np.float16:  # accumulate half precision in single, as numpy's mean does
        return (np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=np.float32) / reduced_count(x, axis)).astype(
            x.dtype
        )
    return np.add.reduce(x, axis=axis, keepdims=keepdims) / reduced_count(x, axis)


_extreme_vjp = (lambda g, y, x, axis, keepdims: _extreme_share(unreduce(g, x, axis, keepdims), y, x, axis, keepdims),)
_extreme_jvp = (
    lambda t, y, x, axis, keepdims: _extreme_share(t, y, x, axis, keepdims).sum(axis=axis, keepdims=keepdims),
)


@reduction(
    vjp=_extreme_vjp,
    jvp=_extreme_jvp,
    formula="y = maxᵢ xᵢ",
    vjp_text="x̄ = ȳ·[x = y] / #ties",
    jvp_text="ẏ = Σᵢ ẋᵢ·[xᵢ = y] / #ties",
    export=False,  # the public ``max`` (extremes.py) also answers PyTorch's ``max(dim=)``
)
def max(x: Any, /, axis: Axis = None, keepdims: bool = False) -> np.ndarray:  # noqa: A001
    """y = max x over ``axis``; tied maxima share the gradient equally.

    >>> x = ag.tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> ag.max(x)
    tensor(3., grad_fn=max)
    >>> x.max().backward()
    >>> x.grad  # the two tied maxima share ȳ
    tensor([0. , 0.5, 0.5])
    """
    return maximum_reduce(x, axis=axis, keepdims=keepdims)


@reduction(
    vjp=_extreme_vjp,
    jvp=_extreme_jvp,
    formula="y = minᵢ xᵢ",
    vjp_text="x̄ = ȳ·[x = y] / #ties",
    jvp_text="ẏ = Σᵢ ẋᵢ·[xᵢ = y] / #ties",
    export=False,  # the public ``min`` (extremes.py) also answers PyTorch's ``min(dim=)``
)
def min(x: Any, /, axis: Axis = None, keepdims: bool = False) -> np.ndarray:  # noqa: A001
    """y = min x over ``axis``; tied minima share the gradient equally.

    >>> x = ag.tensor([[4.0, 1.0], [2.0, 5.0]], requires_grad=True)
    >>> ag.min(x, axis=1)
    tensor([1., 2.], grad_fn=min)
    >>> x.min(axis=1).sum().backward()
    >>> x.grad
    tensor([[0., 1.],
            [1., 0.]])
    """
    return minimum_reduce(x, axis=axis, keepdims=keepdims)


def _spread(x, axis, ddof):
    """n − ddof, NaN (never a ZeroDivisionError) when it is not positive: the variance is undefined there."""
    n = reduced_count(x, axis) - ddof
    return n if n > 0 else float("nan")


@reduction(
    vjp=(
        lambda g, y, x, axis, keepdims, ddof: (
            unreduce(g, x, axis, keepdims) * (2 * _centred(x, axis) / _spread(x, axis, ddof))
        ),
    ),
    jvp=(
        lambda t, y, x, axis, keepdims, ddof: (
            (t * _centred(x, axis)).sum(axis=axis, keepdims=keepdims) * (2 / _spread(x, axis, ddof))
        ),
    ),
    formula="y = Σᵢ (xᵢ − μ)² / (n − ddof)",
    vjp_text="x̄ = ȳ·2(x − μ) / (n − ddof)",
    jvp_text="ẏ = Σᵢ ẋᵢ·2(xᵢ − μ) / (n − ddof)",
    method=True,
    numpy=np.var,
    prepare=_variance_params,
)
def var(
    x: Any, /, axis: Axis = None, keepdims: bool = False, ddof: int = 0, correction: int | None = None
) -> np.ndarray:
    """y = Σ (x − μ)² / (n − ddof) over ``axis`` (population variance by default, as numpy).

    ``correction=`` is PyTorch's name for ``ddof`` (``correction=1``: the unbiased estimate).
    The default stays numpy's ``ddof=0`` also when the axis is spelled ``dim=``: PyTorch's
    ``x.var(dim=0)`` is unbiased (``correction=1``), so code ported from PyTorch passes
    ``correction=1`` (or ``ddof=1``) to get the same numbers.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> print(ag.var(x, dim=0), np.round(ag.var(x, dim=0, correction=1).detach(), 4))  # numpy's; PyTorch's default
    tensor(1.25, grad_fn=var) tensor(1.6667)
    >>> print(ag.var(x), np.round(ag.var(x, ddof=1).detach(), 4))  # population and unbiased
    tensor(1.25, grad_fn=var) tensor(1.6667)
    >>> ag.var(x).backward()
    >>> print(x.grad)  # 2(x − μ)/n
    tensor([-0.75, -0.25,  0.25,  0.75])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return x.var(axis=axis, keepdims=keepdims, ddof=ddof)


def _std_scale(y, x, axis, ddof):
    """1 / ((n − ddof)·y), taken as 0 where y = 0: with no spread the centred values are all 0 too."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0, 1 / (_spread(x, axis, ddof) * np.where(y == 0, 1, y)))


@reduction(
    vjp=(
        lambda g, y, x, axis, keepdims, ddof: (
            unreduce(g * _std_scale(y, x, axis, ddof), x, axis, keepdims) * _centred(x, axis)
        ),
    ),
    jvp=(
        lambda t, y, x, axis, keepdims, ddof: (
            (t * _centred(x, axis)).sum(axis=axis, keepdims=keepdims) * _std_scale(y, x, axis, ddof)
        ),
    ),
    formula="y = √var(x)",
    vjp_text="x̄ = ȳ·(x − μ) / ((n − ddof)·y)  (0 where y = 0)",
    jvp_text="ẏ = Σᵢ ẋᵢ·(xᵢ − μ) / ((n − ddof)·y)",
    method=True,
    numpy=np.std,
    prepare=_variance_params,
)
def std(
    x: Any, /, axis: Axis = None, keepdims: bool = False, ddof: int = 0, correction: int | None = None
) -> np.ndarray:
    """y = √var(x) over ``axis`` (``ddof=0`` by default, as numpy); its gradient is 0 where there is no spread.

    ``correction=`` is PyTorch's name for ``ddof``. The default stays numpy's ``ddof=0`` also with
    ``dim=``; PyTorch's default is ``correction=1``: pass it when porting PyTorch code.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> print(np.round(ag.std(x).detach(), 4), np.round(ag.std(x, dim=0, correction=1).detach(), 4))
    tensor(1.118) tensor(1.291)
    >>> ag.std(x).backward()
    >>> print(np.round(x.grad, 4))  # (x − μ)/(n·σ)
    tensor([-0.3354, -0.1118,  0.1118,  0.3354])
    >>> c = ag.tensor([2.0, 2.0], requires_grad=True)
    >>> ag.std(c).backward()
    >>> print(c.grad)  # 0 where there is no spread, not NaN
    tensor([0., 0.])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return x.std(axis=axis, keepdims=keepdims, ddof=ddof)


@reduction(
    vjp=(lambda g, y, x, axis, keepdims: unreduce(g, x, axis, keepdims) * _softmax_of(y, x, axis, keepdims),),
    jvp=(lambda t, y, x, axis, keepdims: (t * _softmax_of(y, x, axis, keepdims)).sum(axis=axis, keepdims=keepdims),),
    formula="y = log Σᵢ exp(xᵢ) (max-shifted)",
    vjp_text="x̄ = ȳ·exp(x − y)",
    jvp_text="ẏ = Σᵢ ẋᵢ·exp(xᵢ − y)",
    method=True,
)
def logsumexp(x: Any, /, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """y = log Σ exp(x) over ``axis``, shifted by the max so it never overflows.

    >>> x = ag.tensor([1000.0, 1000.0], requires_grad=True)
    >>> print(round(float(ag.logsumexp(x)), 4))  # 1000 + log 2, no overflow
    1000.6931
    >>> ag.logsumexp(x).backward()
    >>> print(x.grad)  # the softmax of x
    tensor([0.5, 0.5])
    >>> print(np.round(ag.logsumexp(ag.tensor([[0.0, 0.0], [1.0, 2.0]]), axis=1), 4))
    tensor([0.6931, 2.3133])
    """
    m = max_or_minus_inf(x, axis)  # over no elements: log 0 = −∞, as PyTorch
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)
