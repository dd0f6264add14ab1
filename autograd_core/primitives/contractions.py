"""Products and diagonals built on einsum, matmul and masks: einsum, dot, inner, outer, tensordot, kron,
trace, diagonal, diag, tril, triu.

Each is exact and takes a single contraction (or a mask), so its gradient is
that of one einsum, matmul or where: x̄ = ȳ contracted with the other operand,
or ȳ where the mask keeps x and 0 elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..backend import as_array, eye, tri
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..registry import public
from ..tensor import Tensor
from .einstein import LETTERS, EinsumSpec, einsum_primitive, parse, sublist_subscripts
from .elementwise import cast, mul, where
from .linalg import matmul
from .reduce import one_axis
from .reduce import sum as _sum
from .shape import pad, reshape


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


@public(numpy=np.einsum, rules=einsum_primitive)
def einsum(*args: Any, optimize: Any = None, **options: Any) -> Tensor:
    """Einstein summation, as ``np.einsum``: y[out] = Σ over the other indices of Πₖ xₖ[subscriptsₖ].

    ``einsum("ij,jk->ik", a, b)`` is a matrix product, ``einsum("ii", a)`` a
    trace, ``einsum("ii->i", a)`` a diagonal, ``einsum("...ij->...ji", a)``
    a batched transpose; without ``->`` the output holds the ``...`` axes and
    the indices used once, sorted. numpy's interleaved form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` works too. ``optimize`` is
    accepted and ignored: the contraction order is chosen automatically.

    >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> b = ag.tensor([[0.0, 1.0], [1.0, 0.0]])
    >>> print(ag.einsum("ij,jk->ik", a, b))  # a·b
    tensor([[2., 1.],
            [4., 3.]], grad_fn=einsum)
    >>> print(ag.einsum("ii", a), ag.einsum("ii->i", a), ag.einsum("ij->", a))  # trace, diagonal, sum
    tensor(5., grad_fn=einsum) tensor([1., 4.], grad_fn=einsum) tensor(10., grad_fn=einsum)
    >>> ag.einsum("ij,jk->ik", a, b).sum().backward()
    >>> print(a.grad)  # ȳ·bᵀ
    tensor([[1., 1.],
            [1., 1.]])
    """
    if options.get("out") is not None:
        raise InvalidArgumentError("einsum(..., out=...): Tensors are not written in place; drop out=")
    unknown = set(options) - {"out", "dtype", "order", "casting"}
    if unknown:
        raise ArgumentTypeError(f"einsum() got unexpected keyword(s) {sorted(unknown)}; it takes optimize= and dtype=")
    if not args:
        raise InvalidArgumentError("einsum: give the subscripts and at least one operand")
    if isinstance(args[0], str):
        subscripts, operands = args[0], list(args[1:])
    else:
        subscripts, operands = sublist_subscripts(args)
    if not operands:
        raise InvalidArgumentError(f"einsum: subscripts {subscripts!r} but no operands")
    spec = parse(subscripts, [_shape(x) for x in operands])
    out = einsum_primitive(operands, spec=spec)
    return cast(out, options["dtype"]) if options.get("dtype") is not None else out


def _letters(n: int, start: int = 0) -> str:
    if start + n > len(LETTERS):
        raise ShapeError(f"too many dimensions ({start + n}) for a contraction (at most {len(LETTERS)})")
    return LETTERS[start : start + n]


def _axes_list(axes: Any, ndim: int, op: str) -> list[int]:
    items = [axes] if isinstance(axes, (int, np.integer)) else list(axes)
    out = [one_axis(a, ndim, op) for a in items]
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: repeated axis in {axes}")
    return out


@public(method=True, numpy=np.tensordot, rules=einsum_primitive)
def tensordot(a: Any, b: Any, axes: int | Sequence[Any] = 2) -> Tensor:
    """y = Σ over the paired axes of a ⊗ b, as ``np.tensordot``.

    ``axes=N`` pairs the last N axes of a with the first N of b; ``axes=(ia, ib)``
    pairs a's axes ``ia`` with b's ``ib`` (ints or sequences). The result holds
    a's free axes, then b's.

    >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> b = ag.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    >>> print(ag.tensordot(a, b))  # axes=2: Σᵢⱼ a[i, j]·b[i, j]
    tensor(5., grad_fn=...)
    >>> print(ag.tensordot(a, b, axes=1))  # the matrix product
    tensor([[1., 2.],
            [3., 4.]], grad_fn=...)
    >>> print(ag.tensordot(a, b, axes=([0], [1])))  # aᵀ·bᵀ
    tensor([[1., 3.],
            [2., 4.]], grad_fn=...)
    >>> ag.tensordot(a, b).backward()
    >>> print(a.grad)
    tensor([[1., 0.],
            [0., 1.]])
    >>> print(b.grad)  # a
    tensor([[1., 2.],
            [3., 4.]])
    """
    sa, sb = _shape(a), _shape(b)
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(len(sa), len(sb)):
            raise ShapeError(f"tensordot: axes={axes} needs 0 ≤ axes ≤ the dimensions of both operands {sa}, {sb}")
        ia, ib = list(range(len(sa) - axes, len(sa))), list(range(axes))
    else:
        try:
            first, second = axes
        except (TypeError, ValueError):
            raise ArgumentTypeError(f"tensordot: axes must be an int or a pair of axis lists, not {axes!r}") from None
        ia, ib = _axes_list(first, len(sa), "tensordot"), _axes_list(second, len(sb), "tensordot")
        if len(ia) != len(ib):
            raise ShapeError(f"tensordot: {len(ia)} axes of a paired with {len(ib)} axes of b")
    for i, j in zip(ia, ib):
        if sa[i] != sb[j]:
            raise ShapeError(f"tensordot: axis {i} of a {sa} (length {sa[i]}) and axis {j} of b {sb} ({sb[j]}) differ")
    la = _letters(len(sa))
    lb = list(_letters(len(sb), len(sa)))
    for i, j in zip(ia, ib):
        lb[j] = la[i]
    free_a = "".join(c for k, c in enumerate(la) if k not in ia)
    free_b = "".join(c for k, c in enumerate(lb) if k not in ib)
    return einsum_primitive((a, b), spec=EinsumSpec((la, "".join(lb)), free_a + free_b))


@public(method=True, numpy=np.dot)
def dot(a: Any, b: Any) -> Tensor:
    """Dot product as ``np.dot``: scalars multiply, 1-D and 2-D operands take the matrix product,
    and for N-D operands y[i, j, k, m] = Σₙ a[i, j, n]·b[k, n, m] (a's last axis with b's second-to-last).

    >>> a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> b = ag.tensor([4.0, 5.0, 6.0], requires_grad=True)
    >>> print(ag.dot(a, b))
    tensor(32., grad_fn=...)
    >>> ag.dot(a, b).backward()
    >>> print(a.grad, b.grad)  # ā = b, b̄ = a
    tensor([4., 5., 6.]) tensor([1., 2., 3.])
    >>> print(ag.dot(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([1.0, 1.0])))  # matrix·vector
    tensor([3., 7.])
    """
    sa, sb = _shape(a), _shape(b)
    if not sa or not sb:
        return mul(a, b)
    k_b = sb[-2] if len(sb) > 1 else sb[0]
    if sa[-1] != k_b:
        raise ShapeError(f"dot: shapes {sa} and {sb} are not aligned ({sa[-1]} != {k_b})")
    if len(sa) <= 2 and len(sb) <= 2 or len(sb) == 1 or len(sa) == 1:
        return matmul(a, b)
    return tensordot(a, b, axes=([-1], [-2]))


@public(method=True, numpy=np.inner)
def inner(a: Any, b: Any) -> Tensor:
    """Inner product over the last axes, as ``np.inner``: y[..., ...'] = Σₙ a[..., n]·b[...', n].

    >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> b = ag.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    >>> print(ag.inner(a, b))  # y[i, j] = Σₙ a[i, n]·b[j, n]
    tensor([[1., 3., 4.],
            [3., 7., 8.]], grad_fn=...)
    >>> ag.inner(a, b).sum().backward()
    >>> print(a.grad)  # each row: Σⱼ b[j]
    tensor([[2., 3.],
            [2., 3.]])
    """
    sa, sb = _shape(a), _shape(b)
    if not sa or not sb:
        return mul(a, b)
    if sa[-1] != sb[-1]:
        raise ShapeError(f"inner: the last axes of {sa} and {sb} differ")
    return tensordot(a, b, axes=([-1], [-1]))


@public(method=True, numpy=np.outer)
def outer(a: Any, b: Any) -> Tensor:
    """Outer product y[i, j] = a[i]·b[j], as ``np.outer`` (operands are flattened first).

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> b = ag.tensor([3.0, 4.0, 5.0], requires_grad=True)
    >>> print(ag.outer(a, b))
    tensor([[ 3.,  4.,  5.],
            [ 6.,  8., 10.]], grad_fn=...)
    >>> ag.outer(a, b).sum().backward()
    >>> print(a.grad, b.grad)  # ā = Σⱼ b[j], b̄ = Σᵢ a[i]
    tensor([12., 12.]) tensor([3., 3., 3.])
    """
    return mul(reshape(a, (-1, 1)), reshape(b, (1, -1)))


@public(method=True, numpy=np.kron)
def kron(a: Any, b: Any) -> Tensor:
    """Kronecker product, as ``np.kron``: y[i·m + k, j·n + l] = a[i, j]·b[k, l] (any number of axes).

    >>> a = ag.tensor([[1.0, 2.0]], requires_grad=True)
    >>> b = ag.tensor([[1.0], [10.0]])
    >>> print(ag.kron(a, b))  # each a[i, j] scales a copy of b
    tensor([[ 1.,  2.],
            [10., 20.]], grad_fn=...)
    >>> ag.kron(a, b).sum().backward()
    >>> print(a.grad)  # Σ b
    tensor([[11., 11.]])
    """
    sa, sb = _shape(a), _shape(b)
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    spread_a = reshape(a, tuple(v for s in sa for v in (s, 1)))
    spread_b = reshape(b, tuple(v for s in sb for v in (1, s)))
    return reshape(mul(spread_a, spread_b), tuple(p * q for p, q in zip(sa, sb)))


@public(method=True, numpy=np.diagonal, rules=einsum_primitive)
def diagonal(
    x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, *, dim1: int | None = None, dim2: int | None = None
) -> Tensor:
    """The diagonal y[..., i] = x[..., i, i + offset] of the plane (axis1, axis2), as ``np.diagonal``.

    The plane's axes are removed and the diagonal becomes the last axis.
    PyTorch's ``dim1=``/``dim2=`` name the axes too.

    >>> x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    >>> print(ag.diagonal(x), ag.diagonal(x, offset=1))
    tensor([1., 5.], grad_fn=...) tensor([2., 6.], grad_fn=...)
    >>> (ag.diagonal(x) * ag.tensor([10.0, 20.0])).sum().backward()
    >>> print(x.grad)  # ȳ back on the diagonal
    tensor([[10.,  0.,  0.],
            [ 0., 20.,  0.]])
    >>> print(ag.diagonal(ag.ones((5, 2, 3)), axis1=1, axis2=2).shape)  # a batch of diagonals
    (5, 2)
    """
    axis1 = axis1 if dim1 is None else dim1
    axis2 = axis2 if dim2 is None else dim2
    shape = _shape(x)
    if len(shape) < 2:
        raise ShapeError(f"diagonal: needs at least 2 dimensions, got shape {tuple(shape)}")
    i, j = one_axis(axis1, len(shape), "diagonal"), one_axis(axis2, len(shape), "diagonal")
    if i == j:
        raise ShapeError(f"diagonal: axis1 and axis2 must differ, both are {axis1}")
    offset = int(offset)
    r0, c0 = max(0, -offset), max(0, offset)
    length = max(0, min(shape[i] - r0, shape[j] - c0))
    if (r0, c0) != (0, 0) or shape[i] != shape[j]:
        index = [slice(None)] * len(shape)
        index[i], index[j] = slice(r0, r0 + length), slice(c0, c0 + length)
        x = x[tuple(index)] if isinstance(x, Tensor) else as_array(x)[tuple(index)]
    letters = list(_letters(len(shape)))
    letters[j] = letters[i]
    output = "".join(c for k, c in enumerate(letters) if k not in (i, j)) + letters[i]
    return einsum_primitive((x,), spec=EinsumSpec(("".join(letters),), output))


@public(method=True, numpy=np.trace)
def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None) -> Tensor:
    """Sum of the diagonal, Σᵢ x[..., i, i + offset], as ``np.trace`` (over axes axis1, axis2).

    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> print(ag.trace(x), ag.trace(x, offset=1))
    tensor(5., grad_fn=...) tensor(2., grad_fn=...)
    >>> ag.trace(x).backward()
    >>> print(x.grad)  # the identity
    tensor([[1., 0.],
            [0., 1.]])
    """
    if out is not None:
        raise InvalidArgumentError("trace(..., out=...): Tensors are not written in place; drop out=")
    y = _sum(diagonal(x, offset, axis1, axis2), axis=-1)
    return cast(y, dtype) if dtype is not None else y


@public(method=True, numpy=np.diag)
def diag(v: Any, k: int = 0) -> Tensor:
    """``np.diag``/``torch.diag``: a vector v becomes the matrix with v on its k-th diagonal; a matrix gives its k-th diagonal.

    >>> v = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> print(ag.diag(v))
    tensor([[1., 0.],
            [0., 2.]], grad_fn=...)
    >>> print(ag.diag(v, k=1).shape)
    (3, 3)
    >>> (ag.diag(v) * ag.tensor([[3.0, 9.0], [9.0, 4.0]])).sum().backward()
    >>> print(v.grad)  # ȳ read off the diagonal
    tensor([3., 4.])
    >>> print(ag.diag(ag.tensor([[1.0, 2.0], [3.0, 4.0]])))  # a matrix gives its diagonal
    tensor([1., 4.])
    """
    shape = _shape(v)
    if len(shape) == 2:
        return diagonal(v, k, 0, 1)
    if len(shape) != 1:
        raise ShapeError(f"diag: needs a 1-D vector or a 2-D matrix, got shape {tuple(shape)}")
    n, k = shape[0], int(k)
    dtype = v.dtype if isinstance(v, Tensor) else np.result_type(as_array(v).dtype, np.float64)
    square = einsum_primitive((v, eye(n, dtype, v)), spec=EinsumSpec(("i", "ij"), "ij"))
    if k == 0:
        return square
    widths = ((0, k), (k, 0)) if k > 0 else ((-k, 0), (0, -k))
    return pad(square, widths)


def _triangle(x: Any, keep: Any, op: str) -> Tensor:
    shape = _shape(x)
    if len(shape) < 2:
        raise ShapeError(f"{op}: needs at least 2 dimensions (a matrix or a stack of them), got shape {tuple(shape)}")
    return where(keep(shape[-2], shape[-1], x), x, 0)


@public(method=True, numpy=np.tril)
def tril(x: Any, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """Lower triangle: y[..., i, j] = x[..., i, j] where j ≤ i + k, else 0 (``np.tril``; ``diagonal=`` as PyTorch).

    >>> x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    >>> print(ag.tril(x))
    tensor([[1., 0., 0.],
            [4., 5., 0.],
            [7., 8., 9.]], grad_fn=...)
    >>> print(ag.tril(x, k=-1))
    tensor([[0., 0., 0.],
            [4., 0., 0.],
            [7., 8., 0.]], grad_fn=...)
    >>> ag.tril(x).sum().backward()
    >>> print(x.grad)  # 1 on the kept triangle, 0 above
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    k = int(k if diagonal is None else diagonal)
    return _triangle(x, lambda n, m, ref: tri(n, m, k, ref), "tril")


@public(method=True, numpy=np.triu)
def triu(x: Any, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """Upper triangle: y[..., i, j] = x[..., i, j] where j ≥ i + k, else 0 (``np.triu``; ``diagonal=`` as PyTorch).

    >>> x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    >>> print(ag.triu(x))
    tensor([[1., 2., 3.],
            [0., 5., 6.],
            [0., 0., 9.]], grad_fn=...)
    >>> print(ag.triu(x, diagonal=1))
    tensor([[0., 2., 3.],
            [0., 0., 6.],
            [0., 0., 0.]], grad_fn=...)
    >>> ag.triu(x).sum().backward()
    >>> print(x.grad)  # 1 on the kept triangle, 0 below
    tensor([[1., 1., 1.],
            [0., 1., 1.],
            [0., 0., 1.]])
    """
    k = int(k if diagonal is None else diagonal)
    return _triangle(x, lambda n, m, ref: ~tri(n, m, k - 1, ref), "triu")
