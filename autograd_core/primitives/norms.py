"""Vector and matrix norms of ``ag.linalg``: ``norm`` (numpy's), ``vector_norm`` and ``matrix_norm`` (PyTorch's).

One primitive, the vector p-norm over any axes, y = (Σ |xᵢ|ᵖ)^(1/p), with
∂y/∂xᵢ = sign(xᵢ)·|xᵢ|^(p−1)·y^(1−p); p = ∞ and −∞ (max and min |xᵢ|, ties
share), p = 0 (the count of non-zeros, no gradient). Where that derivative
is undefined — y = 0, or xᵢ = 0 for p < 1 — the gradient is 0, as PyTorch
chooses. Matrix norms are built from it: Frobenius is the 2-norm over both
axes, the 1- and ∞-norms are the largest column and row sums of |x|; the
spectral norms (2, −2) and the nuclear norm are the largest, the smallest and
the sum of the singular values (``svdvals``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import batching
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..portable import maximum_reduce, minimum_reduce
from ..registry import primitive, public, reduction_flops
from ..tensor import Tensor, constant_array
from .elementwise import abs as _abs
from .reduce import Axis, normalize_axis, one_axis, restore_axes, unreduce
from .reduce import max as _max
from .reduce import min as _min
from .reduce import sum as _sum
from .shape import moveaxis, reshape, squeeze
from .singular import svd_factor, svdvals


def _order(ord: Any, op: str) -> float:
    if isinstance(ord, bool) or not isinstance(ord, (int, float, np.integer, np.floating)) or math.isnan(ord):
        raise ArgumentTypeError(f"{op}: ord must be a number (2, 1, inf, -inf, 0 or any real p), not {ord!r}")
    return float(ord)


def _vector_params(x: Any, ord: Any = 2, axis: Axis = None, keepdims: bool = False) -> dict[str, Any]:
    ndim = x.ndim if isinstance(x, Tensor) else np.ndim(x)
    return {
        "ord": _order(ord, "vector_norm"),
        "axis": normalize_axis(axis, ndim, "vector_norm"),
        "keepdims": bool(keepdims),
    }


def _partial(y, x, ord, axis, keepdims):
    """∂y/∂x for the p-norm y over ``axis``, 0 where it is undefined (masks select)."""
    yk = y if keepdims else restore_axes(y, axis)
    if ord == 0:
        return np.zeros_like(x)
    if ord == 1:
        return np.sign(x)
    if ord == 2:
        zero = yk == 0
        return np.where(zero, 0, x / np.where(zero, 1, yk))
    size = np.abs(x)
    if math.isinf(ord):
        hit = size == yk
        return np.sign(x) * (hit / hit.sum(axis=axis, keepdims=True)).astype(x.dtype)
    live = (size != 0) & (yk != 0)
    safe_size, safe_y = np.where(live, size, 1), np.where(yk == 0, 1, yk)
    return np.where(live, np.sign(x) * safe_size ** (ord - 1) * safe_y ** (1 - ord), 0)


def _norm_vjp(g, y, x, ord, axis, keepdims):
    return unreduce(g, x, axis, keepdims) * _partial(y, x, ord, axis, keepdims)


def _norm_jvp(t, y, x, ord, axis, keepdims):
    return (t * _partial(y, x, ord, axis, keepdims)).sum(axis=axis, keepdims=keepdims)


@primitive(
    vjp=(_norm_vjp,),
    jvp=(_norm_jvp,),
    formula="y = (Σᵢ |xᵢ|ᵖ)^(1/p)  (max |xᵢ| for p = ∞, #{xᵢ ≠ 0} for p = 0)",
    vjp_text="x̄ = ȳ·sign(x)·|x|^(p−1)·y^(1−p)  (0 where y = 0)",
    jvp_text="ẏ = Σᵢ ẋᵢ·sign(xᵢ)·|xᵢ|^(p−1)·y^(1−p)",
    flops=reduction_flops,
    prepare=_vector_params,
    batch=batching.leading,
    namespace="linalg",
)
def vector_norm(x: Any, /, ord: float = 2, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """The vector p-norm over ``axis`` (all axes when None), as ``torch.linalg.vector_norm``.

    ord = 2 (Euclidean), 1, ∞ (max |x|), −∞ (min |x|), 0 (count of non-zeros) or
    any real p: y = (Σ |xᵢ|ᵖ)^(1/p). The gradient at y = 0 is 0 (PyTorch's choice).

    >>> x = ag.tensor([3.0, -4.0], requires_grad=True)
    >>> print(ag.linalg.vector_norm(x), ag.linalg.vector_norm(x, ord=1), ag.linalg.vector_norm(x, ord=np.inf))
    tensor(5., grad_fn=vector_norm) tensor(7., grad_fn=vector_norm) tensor(4., grad_fn=vector_norm)
    >>> ag.linalg.vector_norm(x).backward()
    >>> print(x.grad)  # x/‖x‖
    tensor([ 0.6, -0.8])
    >>> z = ag.tensor([0.0, 0.0], requires_grad=True)
    >>> ag.linalg.vector_norm(z).backward()
    >>> print(z.grad)  # 0 at the origin
    tensor([0., 0.])
    """
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    if (ord < 0 or math.isinf(ord)) and any(x.shape[a] == 0 for a in axis):
        raise ShapeError(f"vector_norm: the {ord} norm of an empty slice is undefined (shape {x.shape}, axis {axis})")
    size = np.abs(x)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if ord == 2:
            return np.sqrt(np.add.reduce(size * size, axis=axis, keepdims=keepdims))
        if ord == 1:
            return np.add.reduce(size, axis=axis, keepdims=keepdims)
        if ord == 0:
            return np.add.reduce(size != 0, axis=axis, keepdims=keepdims).astype(x.dtype)
        if ord == math.inf:
            return maximum_reduce(size, axis=axis, keepdims=keepdims)
        if ord == -math.inf:
            return minimum_reduce(size, axis=axis, keepdims=keepdims)
        return np.add.reduce(size**ord, axis=axis, keepdims=keepdims) ** (1 / ord)


def _operand(x: Any, op: str) -> Any:
    """A Tensor as it is, anything else as an array (None, strings, ragged lists: the library's errors)."""
    return x if isinstance(x, Tensor) else constant_array(x, op)


def _plane(x: Any, axis: Any) -> tuple[int, int]:
    ndim = x.ndim if isinstance(x, Tensor) else np.ndim(x)
    if ndim < 2:
        raise ShapeError(f"matrix_norm: needs at least 2 dimensions, got {ndim}")
    try:
        row, col = axis
    except (TypeError, ValueError):
        raise ShapeError(f"matrix_norm: axis must be a pair of axes, not {axis!r}") from None
    row, col = one_axis(row, ndim, "matrix_norm"), one_axis(col, ndim, "matrix_norm")
    if row == col:
        raise ShapeError(f"matrix_norm: the two axes must differ, got {axis!r}")
    return row, col


def _spectral(x: Any, ord: Any, row: int, col: int, keepdims: bool) -> Tensor:
    """σ_max (ord 2), σ_min (ord −2) or Σσ ('nuc') of the matrices in the plane (row, col)."""
    ndim = x.ndim if isinstance(x, Tensor) else np.ndim(x)
    if (row, col) != (ndim - 2, ndim - 1):
        x = moveaxis(x, (row, col), (-2, -1))
    s = svdvals(x)
    if ord == "nuc" or (ord == 2 and s.shape[-1] == 0):  # the largest of no singular values is 0, as numpy
        y = _sum(s, axis=-1)
    else:
        if s.shape[-1] == 0:
            raise ShapeError(f"matrix_norm: the ord={ord} norm of an empty matrix is undefined (shape {x.shape})")
        y = (_max if ord == 2 else _min)(s, axis=-1)
    if not keepdims:
        return y
    shape = list(y.shape)
    for a in sorted((row, col)):
        shape.insert(a, 1)
    return reshape(y, tuple(shape))


@public(numpy=getattr(np.linalg, "matrix_norm", None), namespace="linalg", rules=(vector_norm, svd_factor))
def matrix_norm(x: Any, ord: Any = "fro", axis: tuple[int, int] = (-2, -1), keepdims: bool = False) -> Tensor:
    """A matrix norm over the plane ``axis`` (the last two axes by default), as ``torch.linalg.matrix_norm``.

    ord = 'fro' (Frobenius, √Σ xᵢⱼ²), 1 / −1 (largest / smallest column sum of |x|),
    inf / −inf (largest / smallest row sum of |x|), 2 / −2 (largest / smallest
    singular value, gradient u₁·v₁ᵀ / uₖ·vₖᵀ) and 'nuc' (nuclear: the sum of the
    singular values, gradient U·Vh), from ``svdvals``. Where the largest (smallest)
    singular value is repeated, they share the gradient equally, as ``max`` does.

    >>> ag.linalg.matrix_norm(ag.tensor([[3.0, 0.0], [0.0, -4.0]]), ord=2)
    tensor(4.)
    >>> ag.linalg.matrix_norm(ag.tensor([[3.0, 0.0], [0.0, -4.0]]), ord="nuc")
    tensor(7.)
    >>> A = ag.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    >>> print(np.round(ag.linalg.matrix_norm(A).detach(), 4))  # Frobenius: √30
    tensor(5.4772)
    >>> print(ag.linalg.matrix_norm(A, ord=1), ag.linalg.matrix_norm(A, ord=np.inf))  # column and row sums
    tensor(6., grad_fn=...) tensor(7., grad_fn=...)
    >>> ag.linalg.matrix_norm(A, ord=1).backward()
    >>> print(A.grad)  # sign(A) on the largest column
    tensor([[ 0., -1.],
            [ 0.,  1.]])
    """
    x = _operand(x, "matrix_norm")
    row, col = _plane(x, axis)
    if ord is None or (isinstance(ord, str) and ord == "fro"):
        return vector_norm(x, 2, axis=(row, col), keepdims=keepdims)
    if isinstance(ord, str):
        if ord == "nuc":
            return _spectral(x, ord, row, col, keepdims)
        raise InvalidArgumentError(f"matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, not {ord!r}")
    if isinstance(ord, bool) or ord not in (1, -1, 2, -2, math.inf, -math.inf):
        raise InvalidArgumentError(f"matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, not {ord!r}")
    if abs(ord) == 2:
        return _spectral(x, ord, row, col, keepdims)
    summed, reduced = (row, col) if abs(ord) == 1 else (col, row)
    pick = _max if ord > 0 else _min
    if x.shape[reduced] == 0:  # no columns (rows) to pick from: the largest is 0 as numpy; the smallest is undefined
        if ord < 0:
            raise ShapeError(
                f"matrix_norm: the ord={ord} norm of a matrix without {'columns' if abs(ord) == 1 else 'rows'} is undefined (shape {x.shape})"
            )
        pick = _sum
    y = pick(_sum(_abs(x), axis=summed, keepdims=True), axis=reduced, keepdims=True)
    return y if keepdims else squeeze(y, axis=(row, col))


@public(numpy=np.linalg.norm, rules=vector_norm, namespace="linalg")
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    """A vector or matrix norm, as ``np.linalg.norm`` (and ``torch.linalg.norm``).

    With ``axis`` None: the 2-norm of all elements when ``ord`` is None, else
    the vector norm of a 1-D x or the matrix norm of a 2-D x. An int ``axis``
    takes vector norms along it, a pair of axes matrix norms over that plane.
    Vector ord: any real p, inf, −inf, 0; matrix ord: 'fro', 'nuc', 1, −1, 2, −2, inf, −inf.

    >>> x = ag.tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    >>> print(ag.linalg.norm(x), ag.linalg.norm(x, axis=1))  # all elements; each row
    tensor(5., grad_fn=...) tensor([5., 0.], grad_fn=...)
    >>> print(ag.linalg.norm(x, ord=1))  # a 2-D x: the matrix 1-norm
    tensor(4., grad_fn=...)
    >>> ag.linalg.norm(x, axis=1).sum().backward()
    >>> print(x.grad)  # x/‖x‖ per row; 0 for the zero row
    tensor([[0.6, 0.8],
            [0. , 0. ]])
    """
    x = _operand(x, "norm")
    ndim = x.ndim
    if axis is None:
        if ord is None:
            return vector_norm(x, 2, axis=None, keepdims=keepdims)
        if ndim not in (1, 2):
            raise ShapeError(f"norm: with ord={ord!r} and no axis, x must be 1-D or 2-D, not {ndim}-D; give axis=")
        axis = tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(axes) == 1:
        if isinstance(ord, str):
            raise InvalidArgumentError(f"norm: ord={ord!r} is a matrix norm; a vector norm takes a number")
        return vector_norm(x, 2 if ord is None else ord, axis=axes, keepdims=keepdims)
    if len(axes) == 2:
        return matrix_norm(x, "fro" if ord is None else ord, axis=axes, keepdims=keepdims)
    raise ShapeError(f"norm: axis must be an int or a pair of ints, not {axis!r}")
