"""Joining and splitting with numpy's and PyTorch's names: cat, hstack, vstack, dstack, column_stack,
atleast_1d/2d/3d, array_split (tensor_split), hsplit, vsplit.

All are compositions of reshape, concatenate and slicing, so their gradients
come from those primitives' rules: a joined tensor's gradient is cut back
into pieces, a piece's gradient is padded back into place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, ShapeError
from ..registry import public
from ..tensor import Tensor
from .index import getitem
from .reduce import one_axis
from .shape import concatenate, reshape, split


def _shape_of(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


def _tensors(op: str, tensors: Sequence[Any]) -> list[Any]:
    if isinstance(tensors, (Tensor, np.ndarray)):
        raise InvalidArgumentError(f"{op}: pass a list or tuple of tensors, not one {type(tensors).__name__}")
    tensors = list(tensors)
    if not tensors:
        raise InvalidArgumentError(f"{op}: need at least one tensor")
    return tensors


@public(rules=concatenate)
def cat(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """PyTorch's name for ``concatenate``: join tensors along an existing axis (``ag.cat([a, b], dim=0)``).

    >>> a = ag.tensor([[1.0, 2.0]], requires_grad=True)
    >>> b = ag.tensor([[3.0, 4.0], [5.0, 6.0]])
    >>> y = ag.cat([a, b], dim=0)
    >>> print(y)
    tensor([[1., 2.],
            [3., 4.],
            [5., 6.]], grad_fn=...)
    >>> (y * ag.tensor([[1.0, 2.0], [0.0, 0.0], [0.0, 0.0]])).sum().backward()
    >>> print(a.grad)  # a's rows of ȳ
    tensor([[1., 2.]])
    """
    return concatenate(tensors, axis=axis)


def _at_least(x: Any, ndim: int) -> Any:
    """``x`` with unit axes added as numpy's atleast_{1,2,3}d place them."""
    shape = _shape_of(x)
    if len(shape) >= ndim:
        return x if isinstance(x, Tensor) else reshape(x, shape)
    if ndim == 3:
        new = {0: (1, 1, 1), 1: (1,) + shape + (1,), 2: shape + (1,)}[len(shape)]
    else:
        new = (1,) * (ndim - len(shape)) + shape
    return reshape(x, new)


def _each(xs: tuple, ndim: int) -> Any:
    out = [_at_least(x, ndim) for x in xs]
    return out[0] if len(out) == 1 else out


@public(numpy=np.atleast_1d)
def atleast_1d(*tensors: Any) -> Tensor | list[Tensor]:
    """Each input with at least one axis (a 0-d tensor becomes shape (1,)); one input gives one tensor, several a list.

    >>> print(ag.atleast_1d(ag.tensor(5.0)), ag.atleast_1d(ag.tensor([1.0, 2.0])).shape)
    tensor([5.]) (2,)
    >>> print([t.shape for t in ag.atleast_1d(ag.tensor(1.0), ag.ones((2, 2)))])  # several inputs: a list
    [(1,), (2, 2)]
    >>> x = ag.tensor(3.0, requires_grad=True)
    >>> (2 * ag.atleast_1d(x)).sum().backward()
    >>> print(x.grad)
    tensor(2.)
    """
    return _each(tensors, 1)


@public(numpy=np.atleast_2d)
def atleast_2d(*tensors: Any) -> Tensor | list[Tensor]:
    """Each input with at least two axes: () → (1, 1), (N,) → (1, N), as numpy.

    >>> print([t.shape for t in ag.atleast_2d(ag.tensor(1.0), ag.ones(3), ag.ones((2, 2)))])
    [(1, 1), (1, 3), (2, 2)]
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> (ag.atleast_2d(x) * ag.tensor([[3.0, 4.0]])).sum().backward()
    >>> print(x.grad)
    tensor([3., 4.])
    """
    return _each(tensors, 2)


@public(numpy=np.atleast_3d)
def atleast_3d(*tensors: Any) -> Tensor | list[Tensor]:
    """Each input with at least three axes: () → (1, 1, 1), (N,) → (1, N, 1), (M, N) → (M, N, 1), as numpy.

    >>> print([t.shape for t in ag.atleast_3d(ag.tensor(1.0), ag.ones(3), ag.ones((2, 2)))])
    [(1, 1, 1), (1, 3, 1), (2, 2, 1)]
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> (ag.atleast_3d(x) * 5).sum().backward()
    >>> print(x.grad)
    tensor([5., 5.])
    """
    return _each(tensors, 3)


@public(numpy=np.vstack)
def vstack(tensors: Sequence[Any]) -> Tensor:
    """Stack rows: 1-D inputs become rows (atleast_2d), then join along axis 0, as numpy and PyTorch.

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = ag.vstack([a, ag.tensor([3.0, 4.0])])
    >>> print(y)
    tensor([[1., 2.],
            [3., 4.]], grad_fn=...)
    >>> (y * ag.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    >>> print(a.grad)  # the first row of ȳ
    tensor([1., 2.])
    """
    return concatenate([_at_least(t, 2) for t in _tensors("vstack", tensors)], axis=0)


@public(numpy=np.hstack)
def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join along axis 1 (axis 0 for 1-D inputs), as numpy and PyTorch.

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> print(ag.hstack([a, ag.tensor([3.0])]))  # 1-D: along axis 0
    tensor([1., 2., 3.], grad_fn=...)
    >>> print(ag.hstack([ag.ones((2, 1)), ag.zeros((2, 2))]).shape)  # 2-D: along axis 1
    (2, 3)
    >>> (ag.hstack([a, a]) * ag.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    >>> print(a.grad)  # both copies' gradients add up
    tensor([4., 6.])
    """
    parts = [_at_least(t, 1) for t in _tensors("hstack", tensors)]
    return concatenate(parts, axis=0 if parts[0].ndim == 1 else 1)


@public(numpy=np.dstack)
def dstack(tensors: Sequence[Any]) -> Tensor:
    """Join along axis 2 after atleast_3d ((M, N) → (M, N, 1), (N,) → (1, N, 1)), as numpy and PyTorch.

    >>> a = ag.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = ag.dstack([a, 10 * a])
    >>> print(y.shape, y.ravel())
    (1, 2, 2) tensor([ 1., 10.,  2., 20.], grad_fn=...)
    >>> y.sum().backward()
    >>> print(a.grad)  # 1 + 10
    tensor([[11., 11.]])
    """
    return concatenate([_at_least(t, 3) for t in _tensors("dstack", tensors)], axis=2)


@public(numpy=np.column_stack)
def column_stack(tensors: Sequence[Any]) -> Tensor:
    """Join 1-D inputs as columns (and 2-D ones as they are) along axis 1, as numpy and PyTorch.

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = ag.column_stack([a, ag.tensor([3.0, 4.0])])
    >>> print(y)
    tensor([[1., 3.],
            [2., 4.]], grad_fn=...)
    >>> (y * ag.tensor([[1.0, 0.0], [2.0, 0.0]])).sum().backward()
    >>> print(a.grad)  # the first column of ȳ
    tensor([1., 2.])
    """
    parts = []
    for t in _tensors("column_stack", tensors):
        shape = _shape_of(t)
        parts.append(reshape(t, (shape[0] if shape else 1, 1)) if len(shape) < 2 else t)
    return concatenate(parts, axis=1)


def _cut(x: Any, cuts: Sequence[int], axis: int) -> list[Tensor]:
    n = _shape_of(x)[axis]
    lead = (slice(None),) * axis
    bounds = zip([0, *cuts], [*cuts, n])
    return [getitem(x, lead + (slice(lo, hi),)) for lo, hi in bounds]


@public(numpy=np.array_split)
def array_split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """Split along ``axis`` into N nearly equal pieces (the first n mod N one longer), or at the given indices.

    As ``np.array_split`` (and PyTorch's ``tensor_split``): unlike ``split``,
    N need not divide the length.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    >>> pieces = ag.array_split(x, 3)
    >>> print([p.tolist() for p in pieces])  # 5 = 2 + 2 + 1
    [[1.0, 2.0], [3.0, 4.0], [5.0]]
    >>> (pieces[1] * 10).sum().backward()
    >>> print(x.grad)
    tensor([ 0.,  0., 10., 10.,  0.])
    """
    shape = _shape_of(x)
    if not shape:
        raise ShapeError("array_split: a 0-d tensor has no axis to split")
    axis = one_axis(axis, len(shape), "array_split")
    n = shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(indices_or_sections, bool):
        sections = int(indices_or_sections)
        if sections < 1:
            raise InvalidArgumentError(f"array_split: the number of sections must be at least 1, not {sections}")
        size, extra = divmod(n, sections)
        cuts = list(np.cumsum([size + 1] * extra + [size] * (sections - extra))[:-1])
    else:
        cuts = [int(c) for c in indices_or_sections]
    return _cut(x, cuts, axis)


@public(method=True, rules=())
def tensor_split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """PyTorch's name for ``array_split``: N nearly equal pieces, or pieces cut at the given indices.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    >>> print([p.tolist() for p in ag.tensor_split(x, 2)])
    [[1.0, 2.0, 3.0], [4.0, 5.0]]
    >>> print([p.tolist() for p in ag.tensor_split(x, [1, 3])])  # cut before 1 and 3
    [[1.0], [2.0, 3.0], [4.0, 5.0]]
    >>> ag.tensor_split(x, [1, 3])[2].sum().backward()
    >>> print(x.grad)
    tensor([0., 0., 0., 1., 1.])
    """
    return array_split(x, indices_or_sections, axis)


@public(numpy=np.hsplit)
def hsplit(x: Any, indices_or_sections: int | Sequence[int]) -> list[Tensor]:
    """``split`` along axis 1 (axis 0 for 1-D tensors), as numpy and PyTorch: equal sections or cut indices.

    >>> x = ag.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]], requires_grad=True)
    >>> left, right = ag.hsplit(x, 2)
    >>> print(left)
    tensor([[1., 2.],
            [5., 6.]], grad_fn=...)
    >>> right.sum().backward()
    >>> print(x.grad)
    tensor([[0., 0., 1., 1.],
            [0., 0., 1., 1.]])
    """
    ndim = len(_shape_of(x))
    if ndim == 0:
        raise ShapeError("hsplit: a 0-d tensor has no axis to split")
    return split(x, indices_or_sections, axis=1 if ndim > 1 else 0)


@public(numpy=np.vsplit)
def vsplit(x: Any, indices_or_sections: int | Sequence[int]) -> list[Tensor]:
    """``split`` along axis 0 of a tensor with at least two axes, as numpy and PyTorch.

    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    >>> top, bottom = ag.vsplit(x, [1])
    >>> print(top, bottom.shape)
    tensor([[1., 2.]], grad_fn=...) (2, 2)
    >>> bottom.sum().backward()
    >>> print(x.grad)
    tensor([[0., 0.],
            [1., 1.],
            [1., 1.]])
    """
    if len(_shape_of(x)) < 2:
        raise ShapeError(f"vsplit: needs a tensor with at least 2 dimensions, got shape {_shape_of(x)}")
    return split(x, indices_or_sections, axis=0)
