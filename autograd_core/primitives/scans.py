"""Products and running reductions: prod, cumsum, cumprod, logcumsumexp.

Zeros are where products get hard: the gradient of prod is the product of
the *other* elements, y/xᵢ only when no xᵢ is 0. Here it is computed from
exclusive running products (no division) whenever a zero is present (or the
values cannot be read, inside ``vmap``), so one zero, several zeros and second
derivatives all come out right. cumprod's
gradient with zeros uses the first zero of each row on arrays (O(n)); on
Tensors (a derivative being differentiated) the pairwise form
x̄ᵢ = Σ_{j≥i} ȳⱼ·Π_{k≤j, k≠i} xₖ, which is a polynomial and so exact to every order.
logcumsumexp's gradient x̄ᵢ = Σ_{j≥i} ȳⱼ·exp(xᵢ − yⱼ) is summed in log space
(positive and negative parts of ȳ apart) on arrays, and pairwise on Tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import batching
from ..backend import arange, as_array, decide, is_backend_array
from ..errors import ShapeError
from ..portable import logaddexp_accumulate
from ..registry import primitive, public, reduction_flops
from ..tensor import Tensor
from .elementwise import cast
from .reduce import Axis, one_axis, reduction, restore_axes, unreduce
from .shape import reshape

_REVERSE = slice(None, None, -1)


def _values(a: Any) -> np.ndarray:
    """The numbers in ``a`` (masks and branch decisions only: no gradient flows through them), on a's device."""
    return a.data if isinstance(a, Tensor) else as_array(a)


def _along(axis: int) -> tuple:
    """An index selecting along the (negative) ``axis``, batch axes in front untouched."""
    return (Ellipsis,) + (slice(None),) * (-axis - 1)


def _flip(a: Any, axis: int) -> Any:
    return a[(Ellipsis, _REVERSE) + (slice(None),) * (-axis - 1)]


def _zero_free(x: Any) -> bool:
    """True when x's values can be read and none is 0 (inside ``vmap`` one example's values cannot be: False)."""
    values = x.data if isinstance(x, Tensor) else as_array(x)
    if isinstance(values, (np.ndarray, np.generic)):
        return not (values == 0).any()
    if is_backend_array(values):  # a device array: one flag copied to host on purpose
        return not decide((values == 0).any())
    return False


def _shift(a: Any, axis: int, fill: float) -> Any:
    """a moved one place along ``axis`` (first element ``fill``, last dropped): an exclusive scan from an inclusive one."""
    head = np.ones_like(a[_along(axis) + (slice(0, 1),)])
    if fill != 1:
        head = head * fill
    return np.concatenate([head, a[_along(axis) + (slice(0, -1),)]], axis=axis)


def _scan_params(x: Any, axis: int = -1, *, op: str = "scan") -> dict[str, int]:
    ndim = x.ndim if isinstance(x, Tensor) else np.ndim(x)
    if ndim == 0:
        raise ShapeError(f"{op}: needs at least one dimension to run along, got a 0-d tensor (reshape it to (1,))")
    return {"axis": one_axis(axis, ndim, op) - ndim}


def _named(op: str) -> Any:
    return lambda *args, **params: _scan_params(*args, op=op, **params)


# ---------------------------------------------------------------------- prod
def _others(y: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    """Πₖ≠ᵢ xₖ over each reduced group, for every element i: y/xᵢ without zeros, exclusive products with them."""
    if _zero_free(x):
        return (y if keepdims else restore_axes(y, axis)) / x
    kept = [a for a in range(-x.ndim, 0) if a not in axis]
    order = tuple(x.ndim + a for a in kept + list(axis))
    moved = np.transpose(x, order)
    rows = reshape(moved, moved.shape[: len(kept)] + (-1,))
    prefix = _shift(cumprod_primitive.primitive.bind(rows, axis=-1), -1, 1.0)
    suffix = _flip(_shift(cumprod_primitive.primitive.bind(_flip(rows, -1), axis=-1), -1, 1.0), -1)
    return np.transpose(reshape(prefix * suffix, moved.shape), tuple(np.argsort(order)))


@reduction(
    vjp=(lambda g, y, x, axis, keepdims: unreduce(g, x, axis, keepdims) * _others(y, x, axis, keepdims),),
    jvp=(lambda t, y, x, axis, keepdims: (t * _others(y, x, axis, keepdims)).sum(axis=axis, keepdims=keepdims),),
    formula="y = Πᵢ xᵢ",
    vjp_text="x̄ᵢ = ȳ·Πₖ≠ᵢ xₖ  (y/xᵢ when no x is 0)",
    jvp_text="ẏ = Σᵢ ẋᵢ·Πₖ≠ᵢ xₖ",
    method=True,
    numpy=np.prod,
)
def prod(x: Any, /, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """y = Π x over ``axis`` (all axes when None); its gradient is exact with one or several zeros.

    >>> x = ag.tensor([2.0, 3.0, 4.0], requires_grad=True)
    >>> print(ag.prod(x))
    tensor(24., grad_fn=prod)
    >>> ag.prod(x).backward()
    >>> print(x.grad)  # the product of the others
    tensor([12.,  8.,  6.])
    >>> z = ag.tensor([2.0, 0.0, 4.0], requires_grad=True)
    >>> ag.prod(z).backward()
    >>> print(z.grad)  # exact with a zero: ∂y/∂x₁ = x₀·x₂ = 8, and 0 for the others
    tensor([0., 8., 0.])
    """
    return np.multiply.reduce(x, axis=axis, keepdims=keepdims)


# -------------------------------------------------------------------- cumsum
def _reverse_cumsum(g: Any, axis: int) -> Any:
    return _flip(cumsum_primitive.primitive.bind(_flip(g, axis), axis=axis), axis)


@primitive(
    vjp=(lambda g, y, x, axis: _reverse_cumsum(g, axis),),
    jvp=(lambda t, y, x, axis: cumsum_primitive.primitive.bind(t, axis=axis),),
    formula="yᵢ = Σ_{k≤i} xₖ",
    vjp_text="x̄ᵢ = Σ_{j≥i} ȳⱼ",
    jvp_text="ẏᵢ = Σ_{k≤i} ẋₖ",
    flops=reduction_flops,
    prepare=_named("cumsum"),
    name="cumsum",
    batch=batching.leading,
    export=False,
)
def cumsum_primitive(x: Any, /, axis: int = -1) -> np.ndarray:
    """yᵢ = Σ_{k≤i} xₖ along ``axis`` (a negative axis)."""
    return np.add.accumulate(x, axis=axis)


def _scan(primitive_fn: Any, x: Any, axis: int | None, dtype: Any) -> Tensor:
    if dtype is not None:
        x = cast(x, dtype)
    if axis is None or (x.ndim if isinstance(x, Tensor) else np.ndim(x)) == 0:
        one_axis(axis if axis is not None else 0, 1, primitive_fn.primitive.name)
        return primitive_fn(reshape(x, (-1,)), axis=-1)  # numpy: a 0-d x becomes one element
    return primitive_fn(x, axis=axis)


@public(method=True, numpy=np.cumsum, rules=cumsum_primitive)
def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Running sum yᵢ = Σ_{k≤i} xₖ along ``axis``, as ``np.cumsum`` (None: over the flattened x).

    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> print(ag.cumsum(x))
    tensor([1., 3., 6.], grad_fn=cumsum)
    >>> ag.cumsum(x).sum().backward()
    >>> print(x.grad)  # xₖ appears in every yᵢ with i ≥ k
    tensor([3., 2., 1.])
    >>> print(ag.cumsum(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0))
    tensor([[1., 2.],
            [4., 6.]])
    """
    return _scan(cumsum_primitive, x, axis, dtype)


# ------------------------------------------------------------------- cumprod
def _from_values(x: Any, axis: int) -> np.ndarray:
    """0, 1, …, n−1 along ``axis``, shaped to broadcast against x."""
    n = x.shape[axis]
    return arange(n, x).reshape((n,) + (1,) * (-axis - 1))


def _first_zero(x: Any, axis: int) -> np.ndarray:
    """Per row along ``axis``: the position of the first zero (n when there is none), kept as a unit axis."""
    zero = _values(x) == 0
    n = x.shape[axis]
    return np.where(zero.any(axis=axis, keepdims=True), zero.argmax(axis=axis, keepdims=True), n)


def _cumprod_vjp(g, y, x, axis):
    """x̄ᵢ = Σ_{j≥i} ȳⱼ·Π_{k≤j, k≠i} xₖ."""
    if _zero_free(x):
        return _reverse_cumsum(g * y, axis) / x
    if isinstance(g, Tensor) or isinstance(x, Tensor):
        return _pairwise_cumprod(g, x, axis, transpose=True)
    # before the first zero f: the zero-free formula (its sum only reaches j < f, where y ≠ 0);
    # at f: Π_{k<f} xₖ · Σ_{j≥f} ȳⱼ·Π_{f<k≤j} xₖ; after f: 0 (every product holds x_f)
    k, f = _from_values(x, axis), _first_zero(x, axis)
    before = k < f
    with np.errstate(divide="ignore", invalid="ignore"):
        head = _reverse_cumsum(g * y, axis) / np.where(before, x, 1)
    lead = np.multiply.accumulate(np.where(before, x, 1), axis=axis)
    tail = np.multiply.accumulate(np.where(k <= f, 1, x), axis=axis)
    at = lead * _reverse_cumsum(np.where(k >= f, g * tail, 0), axis)
    return np.where(before, head, np.where(k == f, at, 0))


def _cumprod_jvp(t, y, x, axis):
    """ẏⱼ = Σ_{i≤j} ẋᵢ·Π_{k≤j, k≠i} xₖ."""
    if _zero_free(x):
        return y * cumsum_primitive.primitive.bind(t / x, axis=axis)
    if isinstance(t, Tensor) or isinstance(x, Tensor):
        return _pairwise_cumprod(t, x, axis, transpose=False)
    # before the first zero f: y·Σ ẋ/x; from f on only i = f survives: ẋ_f·Π_{k≤j, k≠f} xₖ
    k, f = _from_values(x, axis), _first_zero(x, axis)
    before = k < f
    head = y * np.add.accumulate(t / np.where(before, x, 1), axis=axis)
    lead = np.multiply.accumulate(np.where(k < f, x, 1), axis=axis)
    tail = np.multiply.accumulate(np.where(k <= f, 1, x), axis=axis)
    t_at = np.where(k == f, t, 0).sum(axis=axis, keepdims=True)
    lead_at = np.where(k == f, lead, 0).sum(axis=axis, keepdims=True)
    return np.where(before, head, t_at * lead_at * tail)


def _pairwise_cumprod(v: Any, x: Any, axis: int, transpose: bool) -> Any:
    """The exact polynomial form on Tensors: with Pᵢⱼ = Π_{i<k≤j} xₖ and Eᵢ = Π_{k<i} xₖ,
    x̄ᵢ = Eᵢ·Σ_{j≥i} ȳⱼ·Pᵢⱼ (transpose) and ẏⱼ = Σ_{i≤j} ẋᵢ·Eᵢ·Pᵢⱼ. O(n²) per row."""
    last = np.moveaxis(x, axis, -1)
    vec = np.moveaxis(v, axis, -1)
    n = last.shape[-1]
    i, j = arange(n, x)[:, None], arange(n, x)[None, :]
    spread = np.where(j > i, last[..., None, :], 1)  # [i, k] = xₖ for k > i
    pairs = cumprod_primitive.primitive.bind(spread, axis=-1)  # [i, j] = Π_{i<k≤j} xₖ (1 for j ≤ i)
    exclusive = _shift(cumprod_primitive.primitive.bind(last, axis=-1), -1, 1.0)
    reach = j >= i
    if transpose:
        out = exclusive * np.where(reach, vec[..., None, :] * pairs, 0).sum(axis=-1)
    else:
        out = np.where(reach, (vec * exclusive)[..., :, None] * pairs, 0).sum(axis=-2)
    return np.moveaxis(out, -1, axis)


@primitive(
    vjp=(_cumprod_vjp,),
    jvp=(_cumprod_jvp,),
    formula="yᵢ = Π_{k≤i} xₖ",
    vjp_text="x̄ᵢ = Σ_{j≥i} ȳⱼ·Π_{k≤j, k≠i} xₖ",
    jvp_text="ẏⱼ = Σ_{i≤j} ẋᵢ·Π_{k≤j, k≠i} xₖ",
    flops=reduction_flops,
    prepare=_named("cumprod"),
    name="cumprod",
    batch=batching.leading,
    export=False,
)
def cumprod_primitive(x: Any, /, axis: int = -1) -> np.ndarray:
    """yᵢ = Π_{k≤i} xₖ along ``axis`` (a negative axis)."""
    return np.multiply.accumulate(x, axis=axis)


@public(method=True, numpy=np.cumprod, rules=cumprod_primitive)
def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Running product yᵢ = Π_{k≤i} xₖ along ``axis``, as ``np.cumprod`` (None: flattened); exact gradient with zeros.

    >>> x = ag.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> print(ag.cumprod(x))
    tensor([2., 0., 0.], grad_fn=cumprod)
    >>> ag.cumprod(x).sum().backward()
    >>> print(x.grad)  # exact at the zero: ∂/∂x₁ = x₀ + x₀·x₂ = 8
    tensor([1., 8., 0.])
    """
    return _scan(cumprod_primitive, x, axis, dtype)


# -------------------------------------------------------------- logcumsumexp
def _log_positive(v: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.where(v > 0, v, 0))


def _logcumsumexp_vjp(g, y, x, axis):
    """x̄ᵢ = Σ_{j≥i} ȳⱼ·exp(xᵢ − yⱼ), each term ≤ |ȳⱼ|."""
    if isinstance(g, Tensor) or isinstance(x, Tensor) or isinstance(y, Tensor):
        return _pairwise_logcumsumexp(g, y, x, axis, transpose=True)

    def part(v):
        return np.exp(x + _flip(logaddexp_accumulate(_flip(_log_positive(v) - y, axis), axis), axis))

    return part(g) - part(-g)


def _logcumsumexp_jvp(t, y, x, axis):
    """ẏⱼ = Σ_{i≤j} ẋᵢ·exp(xᵢ − yⱼ), a softmax-weighted running mean of ẋ."""
    if isinstance(t, Tensor) or isinstance(x, Tensor) or isinstance(y, Tensor):
        return _pairwise_logcumsumexp(t, y, x, axis, transpose=False)

    def part(v):
        return np.exp(logaddexp_accumulate(_log_positive(v) + x, axis) - y)

    return part(t) - part(-t)


def _pairwise_logcumsumexp(v, y, x, axis, transpose):
    """Wᵢⱼ = exp(xᵢ − yⱼ) for j ≥ i (never above 1); x̄ = W·ȳ, ẏ = Wᵀ·ẋ. O(n²) per row, exact to every order."""
    xs, ys = np.moveaxis(x, axis, -1), np.moveaxis(y, axis, -1)
    vec = np.moveaxis(v, axis, -1)
    n = xs.shape[-1]
    reach = arange(n, x)[None, :] >= arange(n, x)[:, None]  # [i, j]: j ≥ i
    weights = np.exp(np.where(reach, xs[..., :, None] - ys[..., None, :], -np.inf))
    if transpose:
        out = (weights * vec[..., None, :]).sum(axis=-1)
    else:
        out = (weights * vec[..., :, None]).sum(axis=-2)
    return np.moveaxis(out, -1, axis)


@primitive(
    vjp=(_logcumsumexp_vjp,),
    jvp=(_logcumsumexp_jvp,),
    formula="yᵢ = log Σ_{k≤i} exp(xₖ)",
    vjp_text="x̄ᵢ = Σ_{j≥i} ȳⱼ·exp(xᵢ − yⱼ)",
    jvp_text="ẏⱼ = Σ_{i≤j} ẋᵢ·exp(xᵢ − yⱼ)",
    flops=reduction_flops,
    method=True,
    prepare=_named("logcumsumexp"),
    batch=batching.leading,
)
def logcumsumexp(x: Any, /, axis: int = -1) -> np.ndarray:
    """yᵢ = log Σ_{k≤i} exp(xₖ) along ``axis`` (PyTorch's ``logcumsumexp``), computed without overflow.

    >>> x = ag.tensor([0.0, 0.0, 0.0], requires_grad=True)
    >>> print(np.round(ag.logcumsumexp(x).detach(), 4))  # log 1, log 2, log 3
    tensor([0.    , 0.6931, 1.0986])
    >>> ag.logcumsumexp(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1 + ½ + ⅓, ½ + ⅓, ⅓
    tensor([1.8333, 0.8333, 0.3333])
    >>> print(np.round(ag.logcumsumexp(ag.tensor([1000.0, 1000.0])), 4))  # no overflow
    tensor([1000.    , 1000.6931])
    """
    return logaddexp_accumulate(x, axis)
