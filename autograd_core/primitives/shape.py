"""Shape primitives (reshape, broadcast_to, concatenate, pad) and the views built on them.

flatten, squeeze, unsqueeze/expand_dims, expand, stack, split and moveaxis
are compositions of these (and of indexing), so they need no rules of their own.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import batching
from ..arguments import integer_argument, is_integer, real_argument, shape_argument
from ..broadcasting import leading as _leading
from ..broadcasting import lift, sum_to
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..registry import UNSET, ArgnumRules, _both_given, no_flops, operand_sequence, primitive, public
from ..tensor import Tensor, constant_array, shape_of
from .elementwise import identity
from .index import getitem
from .linalg import transpose
from .reduce import one_axis


@primitive(
    vjp=(lambda g, y, x, shape: g.reshape(_leading(g, y) + x.shape),),
    jvp=(lambda t, y, x, shape: t.reshape(_leading(t, x) + shape),),
    formula="y = reshape(x, shape)",
    vjp_text="x̄ = reshape(ȳ, x.shape)",
    jvp_text="ẏ = reshape(ẋ, shape)",
    flops=no_flops,
    view=True,
    batch=batching.reshape,
    name="reshape",
    export=False,
)
def _reshape(x: Any, /, shape: tuple[int, ...]) -> np.ndarray:
    return np.reshape(x, shape)


@public(method="reshape", numpy=np.reshape, rules=_reshape)
def reshape(x: Any, *sizes: int | Sequence[int], shape: Any = None) -> Tensor:
    """Same elements, new shape (one entry may be -1), as ``np.reshape``; ``x.reshape(2, 3)`` and ``shape=`` work too.

    >>> x = ag.arange(6.0)
    >>> ag.reshape(x, (2, 3))
    tensor([[0., 1., 2.],
            [3., 4., 5.]])
    >>> x.reshape(3, -1).shape
    (3, 2)
    >>> x.reshape(shape=(1, 6)).shape
    (1, 6)
    """
    if shape is not None:
        if sizes:
            raise ArgumentTypeError("reshape(): give the shape by position or as shape=, not both")
        sizes = (shape,)
    shape = sizes
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = shape_argument(shape, "reshape", allow_minus_one=True)
    old = shape_of(x)
    size = math.prod(old)
    known = math.prod(s for s in shape if s != -1)
    if shape.count(-1) > 1 or (-1 in shape and (known == 0 or size % known)) or (-1 not in shape and known != size):
        raise ShapeError(f"reshape: cannot reshape a tensor of shape {old} into shape {tuple(shape)}")
    return _reshape(x, shape=tuple(int(size // known) if s == -1 else int(s) for s in shape))


def _broadcast_params(x: Any, shape: Sequence[int]) -> dict[str, Any]:
    shape = shape_argument(shape, "broadcast_to")
    old = shape_of(x)
    ok = len(shape) >= len(old) and all(o in (1, n) for o, n in zip(old[::-1], shape[::-1]))
    if not ok:
        raise ShapeError(f"broadcast_to: shape {old} cannot be broadcast to {shape}")
    return {"shape": shape}


@primitive(
    vjp=(lambda g, y, x, shape: sum_to(g, x.shape, _leading(g, y)),),
    jvp=(lambda t, y, x, shape: np.broadcast_to(lift(t, t.ndim - x.ndim, len(shape)), _leading(t, x) + shape),),
    formula="y = broadcast_to(x, shape)",
    vjp_text="x̄ = Σ_broadcast axes ȳ",
    jvp_text="ẏ = broadcast_to(ẋ, shape)",
    flops=no_flops,
    view=True,
    batch=batching.broadcast_to,
    method=True,
    numpy=np.broadcast_to,
    prepare=_broadcast_params,
)
def broadcast_to(x: Any, /, shape: Sequence[int]) -> np.ndarray:
    """A read-only broadcast view with ``shape`` (numpy broadcasting rules).

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> ag.broadcast_to(x, (3, 2))
    tensor([[1., 2.],
            [1., 2.],
            [1., 2.]], grad_fn=broadcast_to)
    >>> ag.broadcast_to(x, (3, 2)).sum().backward()
    >>> x.grad
    tensor([3., 3.])
    """
    return np.broadcast_to(x, shape)


def _concat_vjp(i, g, y, xs, axis, starts):
    return g[(Ellipsis, slice(starts[i], starts[i + 1])) + (slice(None),) * (-axis - 1)]


def _concat_jvp(i, t, y, xs, axis, starts):
    widths = [(0, 0)] * t.ndim
    widths[axis] = (starts[i], y.shape[axis] - starts[i + 1])
    return np.pad(t, widths)


def _concat_params(tensors: Sequence[Any], axis: int = 0, starts: Any = None) -> dict[str, Any]:
    """The axis, and where each input starts along it (computed once: the rules of a node with n
    inputs then find their slices in O(1), so its backward pass is O(n), not O(n²))."""
    if not tensors:
        raise InvalidArgumentError("concatenate: need at least one tensor")
    ndim = len(shape_of(tensors[0]))
    axis = one_axis(axis, ndim, "concatenate")
    offsets = [0]
    for t in tensors:
        shape = shape_of(t)
        offsets.append(offsets[-1] + (shape[axis] if len(shape) == ndim else 0))  # a misfit: numpy says so
    return {"axis": axis - ndim, "starts": tuple(offsets)}


@primitive(
    vjp=ArgnumRules(_concat_vjp),
    jvp=ArgnumRules(_concat_jvp),
    formula="y = [x₁, x₂, …] along axis",
    vjp_text="x̄ᵢ = ȳ[slice of xᵢ]",
    jvp_text="ẏ = [ẋ₁, ẋ₂, …] along axis",
    flops=no_flops,
    promotes=True,
    variadic=True,
    batch=batching.leading,
    numpy=np.concatenate,
    prepare=_concat_params,
)
def concatenate(tensors: Sequence[Any], /, axis: int = 0, starts: Any = None) -> np.ndarray:
    """Join tensors along an existing axis (``starts`` is computed for you: where each input begins).

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> b = ag.tensor([3.0], requires_grad=True)
    >>> y = ag.concatenate([a, b])
    >>> print(y)
    tensor([1., 2., 3.], grad_fn=concatenate)
    >>> (y * ag.tensor([10.0, 20.0, 30.0])).sum().backward()
    >>> print(a.grad, b.grad)  # each input gets its slice of ȳ
    tensor([10., 20.]) tensor([30.])
    >>> print(ag.concatenate([ag.ones((1, 2)), ag.zeros((1, 2))], axis=1).shape)
    (1, 4)
    """
    return np.concatenate(tensors, axis=axis)


def _unpad(g, y, x, widths, value):
    return g[(Ellipsis,) + tuple(slice(before, before + n) for (before, _), n in zip(widths, x.shape))]


@primitive(
    vjp=(_unpad,),
    jvp=(lambda t, y, x, widths, value: np.pad(t, ((0, 0),) * (t.ndim - x.ndim) + widths),),
    formula="y = pad(x, widths, value)",
    vjp_text="x̄ = ȳ[interior]",
    jvp_text="ẏ = pad(ẋ, widths, 0)",
    flops=no_flops,
    batch=batching.pad,
    name="pad",
    export=False,
)
def _pad(x: Any, /, widths: tuple, value: float) -> np.ndarray:
    return np.pad(x, widths, mode="constant", constant_values=value)


# ----------------------------------------------------------------- functions
@public(method=True)
def expand(x: Any, *shape: int) -> Tensor:
    """PyTorch's ``expand``: broadcast to ``shape``, where -1 keeps a size.

    >>> x = ag.tensor([[1.0], [2.0]], requires_grad=True)
    >>> ag.expand(x, 2, 3)
    tensor([[1., 1., 1.],
            [2., 2., 2.]], grad_fn=...)
    >>> x.expand(-1, 3).sum().backward()
    >>> x.grad  # summed over the 3 copies
    tensor([[3.],
            [3.]])
    """
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = shape_argument(shape, "expand", allow_minus_one=True)
    old = shape_of(x)
    lead = len(shape) - len(old)
    full = tuple(old[i - lead] if s == -1 else s for i, s in enumerate(shape))
    return broadcast_to(x, full)


@public(numpy=np.stack)
def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along a new axis.

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> b = ag.tensor([3.0, 4.0], requires_grad=True)
    >>> y = ag.stack([a, b], axis=1)
    >>> print(y)
    tensor([[1., 3.],
            [2., 4.]], grad_fn=...)
    >>> (y * ag.tensor([[1.0, 10.0], [2.0, 20.0]])).sum().backward()
    >>> print(a.grad, b.grad)  # ȳ[:, 0] and ȳ[:, 1]
    tensor([1., 2.]) tensor([10., 20.])
    """
    tensors = operand_sequence(tensors, "stack")
    if not tensors:
        raise InvalidArgumentError("stack: need at least one tensor")
    shapes = {shape_of(t) for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    axis = one_axis(axis, len(next(iter(shapes))) + 1, "stack")  # the new axis may also go last
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


def _axes(axis: Any, op: str) -> tuple:
    """One axis or a tuple or list of them, as a tuple (each checked by ``one_axis``)."""
    if is_integer(axis):
        return (axis,)
    if isinstance(axis, (tuple, list)):
        return tuple(axis)
    raise ArgumentTypeError(f"{op}: axis must be an integer or a tuple of integers, not {axis!r}")


def _cuts_of_sizes(sizes: Any, n: int, op: str) -> list[int]:
    """PyTorch's split sizes (one size for every piece, the last maybe shorter, or a list of sizes) as cut indices."""
    if is_integer(sizes) and not isinstance(sizes, (bool, np.bool_)):
        if sizes < 1 and n:
            raise InvalidArgumentError(f"{op}: a piece size must be a positive integer, not {sizes}")
        return list(range(int(sizes), n, int(sizes))) if sizes >= 1 else []
    if not isinstance(sizes, (tuple, list, np.ndarray)):
        raise ArgumentTypeError(f"{op}: give a piece size (an int) or a list of piece sizes, not {sizes!r}")
    lengths = [integer_argument(s, "a piece size", op) for s in sizes]
    if any(s < 0 for s in lengths) or sum(lengths) != n:
        raise ShapeError(f"{op}: the piece sizes {lengths} must be non-negative and add up to the length {n}")
    return list(itertools.accumulate(lengths))[:-1]


def _cuts_of_sections(indices_or_sections: Any, n: int, op: str) -> list[int]:
    """numpy's split: N equal sections (N divides the length) or a list of cut indices."""
    if is_integer(indices_or_sections) and not isinstance(indices_or_sections, (bool, np.bool_)):
        if indices_or_sections < 1:
            raise InvalidArgumentError(f"{op}: the number of sections must be at least 1, not {indices_or_sections}")
        if n % indices_or_sections:
            raise ShapeError(f"{op}: axis of length {n} does not divide into {indices_or_sections} equal sections")
        step = n // indices_or_sections
        return list(range(step, n, step))
    if isinstance(indices_or_sections, (tuple, list, np.ndarray)):
        return [integer_argument(c, "a cut index", op) for c in indices_or_sections]
    raise ArgumentTypeError(f"{op}: give a number of sections or a list of cut indices, not {indices_or_sections!r}")


def _pieces(x: Any, cuts: list[int], axis: int) -> list[Tensor]:
    n = shape_of(x)[axis]
    lead = (slice(None),) * axis
    return [getitem(x, lead + (slice(lo, hi),)) for lo, hi in zip([0, *cuts], [*cuts, n])]


@public(numpy=np.split, aliases={})
def split(
    x: Any,
    indices_or_sections: int | Sequence[int] = UNSET,
    axis: int = UNSET,
    *,
    dim: int = UNSET,
    split_size_or_sections: int | Sequence[int] = UNSET,
) -> list[Tensor]:
    """Split into pieces along an axis: numpy's meaning with ``axis=``, PyTorch's with ``dim=``.

    * ``ag.split(x, 3)``, ``ag.split(x, 3, axis=0)``, ``np.split(t, [1, 4])``: as ``np.split``, an
      int is a number of equal sections (it must divide the length), a list the cut indices.
    * ``ag.split(x, 2, dim=0)``, ``ag.split(x, split_size_or_sections=[3, 7])``, ``x.split(2)``: as
      ``torch.split``, an int is the size of every piece (the last may be shorter), a list the
      sizes of the pieces (they must add up to the length).

    The rule is the one ``max`` follows: PyTorch's spellings (``dim=``, ``split_size_or_sections=``,
    the Tensor method) select PyTorch's meaning; a positional axis or ``axis=`` is numpy's.
    Each piece is a slice of x: x̄ is the pieces' ȳ put back in place.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], requires_grad=True)
    >>> first, second, third = ag.split(x, 3)
    >>> print(first, second, third)
    tensor([1., 2.], grad_fn=...) tensor([3., 4.], grad_fn=...) tensor([5., 6.], grad_fn=...)
    >>> print([p.shape for p in ag.split(x, [1, 4])])  # numpy: cut before 1 and 4
    [(1,), (3,), (2,)]
    >>> print([p.shape for p in ag.split(x, 4, dim=0)])  # PyTorch: pieces of 4
    [(4,), (2,)]
    >>> print([p.shape for p in ag.split(x, [1, 5], dim=0)])  # PyTorch: pieces of 1 and 5
    [(1,), (5,)]
    >>> (second * 10).sum().backward()
    >>> print(x.grad)  # only second's elements
    tensor([ 0.,  0., 10., 10.,  0.,  0.])
    """
    torch_style = dim is not UNSET or split_size_or_sections is not UNSET
    if split_size_or_sections is not UNSET:
        if indices_or_sections is not UNSET:
            raise ArgumentTypeError("split(): give indices_or_sections (numpy) or split_size_or_sections= (PyTorch)")
        indices_or_sections = split_size_or_sections
    if indices_or_sections is UNSET:
        raise ArgumentTypeError("split() missing required argument indices_or_sections= (or split_size_or_sections=)")
    if dim is not UNSET:
        if axis is not UNSET:
            raise _both_given("split", "axis", "dim")
        axis = dim
    axis = 0 if axis is UNSET else axis
    shape = shape_of(x)
    if not shape:
        raise ShapeError("split: a 0-d tensor has no axis to split")
    axis = one_axis(axis, len(shape), "split")
    n = shape[axis]
    if torch_style:
        return _pieces(x, _cuts_of_sizes(indices_or_sections, n, "split"), axis)
    return _pieces(x, _cuts_of_sections(indices_or_sections, n, "split"), axis)


def split_method(x: Tensor, split_size: int | Sequence[int], dim: int = 0) -> list[Tensor]:
    """``x.split(split_size, dim=0)``: PyTorch's ``Tensor.split``, pieces of the given size(s) along ``dim``.

    An int is the size of every piece (the last may be shorter), a list the sizes of
    the pieces (adding up to the length). numpy has no ``ndarray.split``, so the method
    follows PyTorch (``split_size_or_sections=`` and ``axis=`` are accepted for ``split_size=`` and
    ``dim=``); ``ag.split(x, n)`` / ``np.split`` give numpy's equal sections.

    >>> x = ag.arange(5.0)
    >>> [p.tolist() for p in x.split(2)]
    [[0.0, 1.0], [2.0, 3.0], [4.0]]
    >>> [p.shape for p in ag.ones((2, 5)).split([2, 3], dim=1)]
    [(2, 2), (2, 3)]
    """
    return split(x, split_size_or_sections=split_size, dim=dim)


@public(rules=_pad)
def pad(x: Any, pad_width: Any, constant_values: float = 0.0) -> Tensor:
    """Pad with a constant, ``pad_width`` as in ``np.pad`` (int, pair, or a pair per axis).

    >>> x = ag.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = ag.pad(x, ((0, 1), (1, 1)), constant_values=-1.0)
    >>> print(y)
    tensor([[-1.,  1.,  2., -1.],
            [-1., -1., -1., -1.]], grad_fn=pad)
    >>> (y * 2).sum().backward()
    >>> print(x.grad)  # the padding gets none
    tensor([[2., 2.]])
    >>> print(ag.pad(ag.tensor([1.0]), 2))
    tensor([0., 0., 1., 0., 0.])
    """
    ndim = len(shape_of(x))
    constant_values = real_argument(constant_values, "constant_values", "pad")
    if ndim == 0:
        return identity(x)
    given = constant_array(pad_width, "pad")
    if given.dtype.kind not in "iu" and given.size:
        raise ArgumentTypeError(f"pad: pad widths must be integers, not {pad_width!r}")
    try:
        widths = np.broadcast_to(given, (ndim, 2)) if given.size else np.zeros((ndim, 2), dtype=int)
    except ValueError as err:
        raise ShapeError(
            f"pad: pad_width {pad_width!r} does not fit a tensor with {ndim} axes "
            "(give one int, one (before, after) pair, or a pair per axis)"
        ) from err
    if (widths < 0).any():
        raise ShapeError(f"pad: negative pad width {pad_width}")
    return _pad(x, widths=tuple((int(a), int(b)) for a, b in widths), value=constant_values)


@public(method=True)
def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes ``start_dim..end_dim`` into one (PyTorch's ``flatten``).

    >>> x = ag.ones((2, 3, 4), requires_grad=True)
    >>> print(ag.flatten(x).shape, ag.flatten(x, start_dim=1).shape, ag.flatten(x, 0, 1).shape)
    (24,) (2, 12) (6, 4)
    >>> ag.flatten(x, start_dim=1).sum().backward()
    >>> print(x.grad.shape)
    (2, 3, 4)
    """
    shape = shape_of(x)
    if not shape:
        return reshape(x, (1,))
    start, end = one_axis(start_dim, len(shape), "flatten"), one_axis(end_dim, len(shape), "flatten")
    if start > end:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(x, shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :])


@public(method=True, numpy=np.squeeze, aliases={})
def squeeze(x: Any, axis: int | Sequence[int] | None = None, *, dim: int | Sequence[int] | None = UNSET) -> Tensor:
    """Drop axes of length one (all of them when ``axis`` is None).

    numpy's ``axis=`` (or a positional axis) must name axes of length one, else a
    ``ShapeError``; PyTorch's ``dim=`` leaves an axis longer than one as it is
    (``torch.squeeze(x, dim)`` is then a no-op).

    >>> x = ag.ones((1, 3, 1), requires_grad=True)
    >>> print(ag.squeeze(x).shape, ag.squeeze(x, axis=0).shape)
    (3,) (3, 1)
    >>> print(x.squeeze(dim=1).shape, x.squeeze(dim=(0, 1)).shape)  # PyTorch: axis 1 (length 3) stays
    (1, 3, 1) (3, 1)
    >>> (ag.squeeze(x) * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    >>> print(x.grad.shape, x.grad.ravel())  # ȳ with the axes put back
    (1, 3, 1) tensor([1., 2., 3.])
    """
    shape = shape_of(x)
    torch_style = dim is not UNSET
    if torch_style:
        if axis is not None:
            raise _both_given("squeeze", "axis", "dim")
        axis = dim
    if axis is None:
        axes = {i for i, n in enumerate(shape) if n == 1}
    else:
        axes = {one_axis(a, len(shape), "squeeze") for a in _axes(axis, "squeeze")}
        if torch_style:
            axes = {a for a in axes if shape[a] == 1}
        bad = [a for a in axes if shape[a] != 1]
        if bad:
            raise ShapeError(f"squeeze: axis {bad[0]} of shape {shape} does not have length 1")
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in axes))


@public(method=True, numpy=np.expand_dims)
def expand_dims(x: Any, axis: int | Sequence[int]) -> Tensor:
    """Insert axes of length one at ``axis`` (int or tuple, numpy semantics).

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> print(ag.expand_dims(x, 0).shape, ag.expand_dims(x, (0, 2)).shape)
    (1, 2) (1, 2, 1)
    >>> print(ag.expand_dims(x, 1))
    tensor([[1.],
            [2.]], grad_fn=...)
    >>> (ag.expand_dims(x, 1) * 3).sum().backward()
    >>> print(x.grad)
    tensor([3., 3.])
    """
    shape = shape_of(x)
    axes = _axes(axis, "expand_dims")
    ndim = len(shape) + len(axes)
    positions = {one_axis(a, ndim, "expand_dims") for a in axes}
    if len(positions) != len(axes):
        raise ShapeError(f"expand_dims: repeated axis in {axis}")
    it = iter(shape)
    return reshape(x, tuple(1 if i in positions else next(it) for i in range(ndim)))


@public(method=True)
def unsqueeze(x: Any, dim: int) -> Tensor:
    """PyTorch's name: insert one axis of length one at ``dim``.

    >>> ag.unsqueeze(ag.zeros(3), 0).shape
    (1, 3)
    >>> ag.zeros(3).unsqueeze(-1).shape
    (3, 1)
    """
    return expand_dims(x, dim)


@public(method=True, numpy=np.moveaxis)
def moveaxis(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    """Move axes to new positions, as ``np.moveaxis``.

    >>> x = ag.ones((2, 3, 4), requires_grad=True)
    >>> print(ag.moveaxis(x, 0, -1).shape, ag.moveaxis(x, [0, 1], [-1, -2]).shape)
    (3, 4, 2) (4, 3, 2)
    >>> y = ag.moveaxis(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), 0, 1)
    >>> print(y)  # for a matrix, the transpose
    tensor([[1., 3.],
            [2., 4.]])
    >>> ag.moveaxis(x, 0, -1).sum().backward()
    >>> print(x.grad.shape)  # ȳ moved back
    (2, 3, 4)
    """
    ndim = len(shape_of(x))
    src = [one_axis(s, ndim, "moveaxis") for s in _axes(source, "moveaxis")]
    dst = [one_axis(d, ndim, "moveaxis") for d in _axes(destination, "moveaxis")]
    if len(src) != len(dst) or len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ShapeError(f"moveaxis: source {source} and destination {destination} must be distinct axes, one each")
    order = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, tuple(order))
