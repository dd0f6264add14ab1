"""Reshaping under the names users type: ravel, view, unflatten, movedim, and the public sum_to.

Compositions of reshape, transpose and sum: no rules of their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import backend, broadcasting
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..registry import public
from ..tensor import Tensor
from .reduce import one_axis
from .shape import moveaxis, reshape


def _shape_of(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


@public(method=True, numpy=np.ravel)
def ravel(x: Any, order: str = "C") -> Tensor:
    """The elements as a 1-D tensor in row-major order (``np.ravel``, ``reshape(x, -1)``).

    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> print(ag.ravel(x))
    tensor([1., 2., 3., 4.], grad_fn=...)
    >>> (ag.ravel(x) * ag.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    >>> print(x.grad)  # ȳ reshaped back
    tensor([[1., 2.],
            [3., 4.]])
    """
    if order != "C":
        raise InvalidArgumentError(f"ravel: only row-major order='C' is supported, not {order!r}")
    return reshape(x, (-1,))


def _is_shape_argument(arg: Any) -> bool:
    if isinstance(arg, (tuple, list)):
        return all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in arg)
    return isinstance(arg, (int, np.integer)) and not isinstance(arg, bool)


@public(method=True)
def view(x: Any, *sizes: int | Sequence[int], size: Any = None, shape: Any = None) -> Tensor:
    """PyTorch's ``view``: ``reshape`` that shares the data, ``x.view(2, -1)`` or ``x.view((2, -1))``.

    As in PyTorch it refuses, with a ``ShapeError``, a shape that would need a
    copy (a transposed tensor whose elements are not in row-major order):
    then writes through the view would not reach ``x``. Use ``reshape`` (which
    copies when it must) or ``x.contiguous().view(...)``. Reinterpreting the
    bytes as another dtype (``view(dtype)``) is not supported; use ``astype``.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], requires_grad=True)
    >>> y = ag.view(x, 2, -1)
    >>> print(y, np.shares_memory(y.data, x.data))
    tensor([[1., 2., 3.],
            [4., 5., 6.]], grad_fn=...) True
    >>> (y * ag.tensor([[1.0], [-1.0]])).sum().backward()
    >>> print(x.grad)
    tensor([ 1.,  1.,  1., -1., -1., -1.])
    >>> x.view(size=(3, 2)).shape  # PyTorch's keyword (shape= works too)
    (3, 2)
    """
    given = [g for g in (size, shape) if g is not None]
    if given:
        if sizes or len(given) > 1:
            raise ArgumentTypeError("view(): give the shape once: by position, as size= or as shape=")
        sizes = (given[0],)
    shape = sizes
    if not shape or not all(_is_shape_argument(s) for s in shape):
        raise ArgumentTypeError(
            f"view: takes a shape (integers, or one tuple of them), not {shape!r}; to change the dtype use astype"
        )
    out = reshape(x, *shape)
    source = x.data if isinstance(x, Tensor) else None
    if source is not None and out.data.size and not np.may_share_memory(out.data, source):
        raise ShapeError(
            f"view: a tensor of shape {source.shape} whose elements are not in row-major order (e.g. after a "
            f"transpose) cannot be viewed as shape {out.shape} without a copy; use reshape(...), which copies, "
            "or .contiguous().view(...)"
        )
    return out


@public(method=True)
def unflatten(x: Any, axis: int, sizes: Sequence[int]) -> Tensor:
    """PyTorch's ``unflatten``: split axis ``axis`` into ``sizes`` (one entry may be -1), the inverse of ``flatten``.

    >>> x = ag.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]], requires_grad=True)
    >>> y = ag.unflatten(x, 1, (2, -1))
    >>> print(y)
    tensor([[[1., 2., 3.],
             [4., 5., 6.]]], grad_fn=...)
    >>> (y * ag.tensor([[1.0], [2.0]])).sum().backward()
    >>> print(x.grad)  # ȳ flattened back
    tensor([[1., 1., 1., 2., 2., 2.]])
    """
    shape = _shape_of(x)
    axis = one_axis(axis, len(shape), "unflatten")
    sizes = tuple(sizes)
    if not sizes or not all(_is_shape_argument(s) for s in sizes):
        raise ArgumentTypeError(f"unflatten: sizes must be a non-empty sequence of integers, not {sizes!r}")
    known = math.prod(s for s in sizes if s != -1)
    n = shape[axis]
    if sizes.count(-1) > 1 or (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
        raise ShapeError(f"unflatten: sizes {sizes} do not multiply to the length {n} of axis {axis} (shape {shape})")
    sizes = tuple(n // known if s == -1 else int(s) for s in sizes)
    return reshape(x, shape[:axis] + sizes + shape[axis + 1 :])


@public(method=True, rules=())
def movedim(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    """PyTorch's name for ``moveaxis``: move axes ``source`` to positions ``destination``.

    >>> x = ag.ones((2, 3, 4), requires_grad=True)
    >>> print(ag.movedim(x, 1, 0).shape, x.movedim(-1, 0).shape)
    (3, 2, 4) (4, 2, 3)
    >>> ag.movedim(x, 1, 0).sum().backward()
    >>> print(x.grad.shape)
    (2, 3, 4)
    """
    return moveaxis(x, source, destination)


@public()
def sum_to(x: Any, shape: Sequence[int]) -> Any:
    """Undo broadcasting: sum ``x`` down to ``shape``, the shape it was broadcast from (x̄ of a broadcast).

    ``shape`` must broadcast to ``x.shape``; the leading axes ``x`` has
    beyond it are summed away, and axes where ``shape`` has 1 are summed with
    keepdims. Differentiable on Tensors (it is a sum); arrays give arrays.

    >>> g = ag.ones((2, 3))
    >>> print(ag.sum_to(g, (3,)), ag.sum_to(g, (2, 1)).tolist())  # the shapes b and c broadcast from
    tensor([2., 2., 2.]) [[3.0], [3.0]]
    >>> print(ag.sum_to(np.ones((4, 2)), (1, 2)))  # arrays give arrays
    [[4. 4.]]
    """
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if not isinstance(x, Tensor):
        x = backend.as_array(x)  # a device array stays there
    have = tuple(x.shape)
    fits = len(shape) <= len(have) and all(s in (1, n) for s, n in zip(shape[::-1], have[::-1]))
    if not fits:
        raise ShapeError(f"sum_to: shape {have} cannot be summed to {shape} (it must be a shape that broadcasts to it)")
    return broadcasting.sum_to(x, shape)
