"""Matrix products and axis permutations.

matmul covers every case of numpy's ``@``: vector·vector, vector·matrix,
matrix·vector and stacks of matrices broadcast against each other. The rules
below keep any leading batch axes of the incoming vector in front.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import batching
from ..broadcasting import lift
from ..errors import ArgumentTypeError, ShapeError
from ..registry import no_flops, primitive, public
from ..tensor import Tensor, ndim_of
from .reduce import one_axis


def _mT(a: Any) -> Any:
    return a.swapaxes(-1, -2)


@primitive(
    vjp=(lambda g, y, a, b: _matmul_vjp_a(g, y, a, b), lambda g, y, a, b: _matmul_vjp_b(g, y, a, b)),
    jvp=(lambda t, y, a, b: _matmul_jvp_a(t, y, a, b), lambda t, y, a, b: _matmul_jvp_b(t, y, a, b)),
    formula="Y = A·B",
    vjp_text="Ā = Ȳ·Bᵀ, B̄ = Aᵀ·Ȳ",
    jvp_text="Ẏ = Ȧ·B + A·Ḃ",
    flops=lambda y, a, b: _matmul_flops(y, a, b),
    promotes=True,
    batch=batching.matmul,
    method=("matmul", "__matmul__", "__rmatmul__"),
    numpy=np.matmul,
)
def matmul(a: Any, b: Any, /) -> np.ndarray:
    """Y = A·B with numpy ``@`` semantics (1-D operands, broadcast stacks).

    >>> A = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> B = ag.tensor([[1.0], [1.0]], requires_grad=True)
    >>> ag.matmul(A, B)
    tensor([[3.],
            [7.]], grad_fn=matmul)
    >>> (A @ B).sum().backward()
    >>> A.grad  # Ȳ·Bᵀ
    tensor([[1., 1.],
            [1., 1.]])
    >>> B.grad  # Aᵀ·Ȳ
    tensor([[4.],
            [6.]])
    """
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: 0-d operands are not allowed (shapes {a.shape} and {b.shape}); use mul for scalars")
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} are not aligned ({k_a} != {k_b})")
    return np.matmul(a, b)


def _matmul_vjp_a(g, y, a, b):
    if b.ndim == 1:  # ȳ has a's shape without k: ā = ȳ ⊗ b
        return g[..., None] * b
    if a.ndim == 1:  # a is a row: ā = (ȳ as a row) · bᵀ
        return (g[..., None, :] @ _mT(b))[..., 0, :]
    return g @ _mT(b)


def _matmul_vjp_b(g, y, a, b):
    if a.ndim == 1:
        if b.ndim == 1:
            return g[..., None] * a
        return a[:, None] * g[..., None, :]
    if b.ndim == 1:  # b̄ = aᵀ · ȳ (ȳ as a column)
        return (_mT(a) @ lift(g[..., None], g.ndim - y.ndim, a.ndim))[..., 0]
    return _mT(a) @ g


def _matmul_jvp_a(t, y, a, b):
    nb = t.ndim - a.ndim
    if a.ndim == 1 and b.ndim > 1:
        return (lift(t[..., None, :], nb, b.ndim) @ b)[..., 0, :]
    if b.ndim == 1:
        return t @ b
    return lift(t, nb, y.ndim) @ b


def _matmul_jvp_b(t, y, a, b):
    nb = t.ndim - b.ndim
    if b.ndim == 1:
        if a.ndim == 1:
            return t @ a
        return (a @ lift(t[..., None], nb, a.ndim))[..., 0]
    if a.ndim == 1:
        return a @ t
    return a @ lift(t, nb, y.ndim)


def _matmul_flops(y, a, b):
    return 2 * int(np.size(y)) * int(a.shape[-1])


def _batched_perm(perm: tuple[int, ...], nb: int) -> tuple[int, ...]:
    return tuple(range(nb)) + tuple(nb + p for p in perm)


def _transpose_vjp(g, y, x, axes):
    inverse = tuple(np.argsort(axes))
    return np.transpose(g, _batched_perm(inverse, g.ndim - y.ndim))


def _transpose_jvp(t, y, x, axes):
    return np.transpose(t, _batched_perm(axes, t.ndim - x.ndim))


def _permutation(x: Any, axes: tuple[int, ...] | None = None) -> dict[str, Any]:
    ndim = ndim_of(x)
    if axes is None:
        axes = tuple(range(ndim - 1, -1, -1))
    axes = tuple(one_axis(a, ndim, "transpose") for a in axes)
    if sorted(axes) != list(range(ndim)):
        raise ShapeError(f"transpose: axes {axes} are not a permutation of the {ndim} axes")
    return {"axes": axes}


@primitive(
    vjp=(_transpose_vjp,),
    jvp=(_transpose_jvp,),
    formula="y = permute(x, axes)",
    vjp_text="x̄ = permute(ȳ, axes⁻¹)",
    jvp_text="ẏ = permute(ẋ, axes)",
    flops=no_flops,
    view=True,
    batch=batching.transpose,
    numpy=np.transpose,
    prepare=_permutation,
)
def transpose(x: Any, /, axes: tuple[int, ...] | None = None) -> np.ndarray:
    """Permute the axes (reverse them when ``axes`` is None), as ``np.transpose``.

    >>> x = ag.tensor([[1.0, 2.0, 3.0]])
    >>> ag.transpose(x)
    tensor([[1.],
            [2.],
            [3.]])
    >>> ag.transpose(ag.zeros(2, 3, 4), axes=(2, 0, 1)).shape
    (4, 2, 3)
    """
    return np.transpose(x, axes)


@primitive(
    vjp=(
        lambda g, y, x, w, b: g @ w,
        lambda g, y, x, w, b: _linear_vjp_w(g, y, x, w, b),
        lambda g, y, x, w, b: _linear_vjp_b(g, y, x, w, b),
    ),
    jvp=(lambda t, y, x, w, b: t @ w.T, lambda t, y, x, w, b: _linear_jvp_w(t, y, x, w, b), lambda t, y, x, w, b: t),
    formula="Y = X·Wᵀ + b (b optional)",
    vjp_text="X̄ = Ȳ·W, W̄ = Ȳᵀ·X, b̄ = Σ_rows Ȳ",
    jvp_text="Ẏ = Ẋ·Wᵀ + X·Ẇᵀ + ḃ",
    flops=lambda y, x, w, b: _linear_flops(y, x, w, b),
    promotes=True,
    batch=batching.linear,
)
def linear(x: Any, weight: Any, bias: Any = None, /) -> np.ndarray:
    """Y = X·Wᵀ + b, as ``torch.nn.functional.linear``: one fused node, with or without a bias.

    >>> x = ag.tensor([[1.0, 2.0]])
    >>> W = ag.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], requires_grad=True)
    >>> b = ag.tensor([0.0, 0.0, -3.0], requires_grad=True)
    >>> ag.linear(x, W, b)
    tensor([[1., 2., 0.]], grad_fn=linear)
    >>> ag.linear(x, W, b).sum().backward()
    >>> W.grad  # ȳᵀ·x
    tensor([[1., 2.],
            [1., 2.],
            [1., 2.]])
    >>> b.grad
    tensor([1., 1., 1.])
    """
    x, w, b = x, weight, bias
    bias_ok = b is None or (b.ndim == 1 and b.shape[0] == w.shape[0])
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1] or not bias_ok:
        bias = "no bias" if b is None else f"bias {b.shape}"
        raise ShapeError(
            f"linear: input {x.shape}, weight {w.shape} and {bias} do not fit "
            "(need input (..., in), weight (out, in), bias (out,))"
        )
    y = x @ w.T
    if b is not None:
        y += b
    return y


def _rows(a: Any, width: int, batch: tuple[int, ...] = ()) -> Any:
    """View ``a`` as a stack of rows of ``width`` (leading axes merged), batch kept.

    An operand already in rows (a (batch, features) matrix) is returned as it is. With ``width``
    (or a batch size) 0 the row count is spelled out (-1 would be ambiguous).
    """
    if a.ndim == len(batch) + 2:
        return a
    if width and 0 not in batch:
        return a.reshape(batch + (-1, width))
    return a.reshape(batch + (math.prod(a.shape[len(batch) : -1]), width))


def _linear_vjp_w(g, y, x, w, b):
    batch = g.shape[: g.ndim - y.ndim]
    return _mT(_rows(g, w.shape[0], batch)) @ _rows(x, w.shape[1])


def _linear_vjp_b(g, y, x, w, b):
    batch = g.shape[: g.ndim - y.ndim]
    return _rows(g, w.shape[0], batch).sum(axis=-2)


def _linear_jvp_w(t, y, x, w, b):
    return x @ lift(_mT(t), t.ndim - w.ndim, x.ndim if x.ndim > 1 else 2)


def _linear_flops(y, x, w, b):
    return 2 * int(np.size(y)) * int(w.shape[1]) + (0 if b is None else int(np.size(y)))


@public(method=True)
def permute(x: Any, *axes: int, dims: Any = None) -> Tensor:
    """PyTorch spelling of ``transpose(x, axes)``: ``x.permute(2, 0, 1)``, ``x.permute(dims=(2, 0, 1))``.

    >>> ag.permute(ag.zeros(2, 3, 4), 2, 0, 1).shape
    (4, 2, 3)
    >>> ag.zeros(2, 3, 4).permute(1, 0, 2).shape
    (3, 2, 4)
    >>> ag.zeros(2, 3, 4).permute(dims=(2, 1, 0)).shape
    (4, 3, 2)
    """
    if dims is not None:
        if axes:
            raise ArgumentTypeError("permute(): give the dimensions by position or as dims=, not both")
        axes = (dims,)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    return transpose(x, axes)


@public(method=True, numpy=np.swapaxes)
def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes.

    >>> x = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    >>> y = ag.swapaxes(x, 0, 1)
    >>> print(y)
    tensor([[1.],
            [2.],
            [3.]], grad_fn=...)
    >>> (y * ag.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    >>> print(x.grad)  # ȳ swapped back
    tensor([[1., 2., 3.]])
    >>> print(ag.swapaxes(ag.ones((2, 3, 4)), 0, 2).shape)
    (4, 3, 2)
    """
    ndim = ndim_of(x)
    order = list(range(ndim))
    axis1, axis2 = one_axis(axis1, ndim, "swapaxes"), one_axis(axis2, ndim, "swapaxes")
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(x, tuple(order))
