"""Shape primitives (reshape, broadcast_to, concatenate, pad) and the views built on them.

flatten, squeeze, unsqueeze/expand_dims, expand, stack, split and moveaxis
are compositions of these (and of indexing), so they need no rules of their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..broadcasting import leading as _leading
from ..broadcasting import lift, sum_to
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..registry import ArgnumRules, no_flops, primitive, public
from ..tensor import Tensor
from .elementwise import identity
from .index import getitem
from .linalg import transpose
from .reduce import one_axis


def _shape_of(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


@primitive(
    vjp=(lambda g, y, x, shape: g.reshape(_leading(g, y) + x.shape),),
    jvp=(lambda t, y, x, shape: t.reshape(_leading(t, x) + shape),),
    formula="y = reshape(x, shape)",
    vjp_text="x̄ = reshape(ȳ, x.shape)",
    jvp_text="ẏ = reshape(ẋ, shape)",
    flops=no_flops,
    view=True,
    name="reshape",
    export=False,
)
def _reshape(x: Any, /, shape: tuple[int, ...]) -> np.ndarray:
    return np.reshape(x, shape)


@public(method=("reshape", "view"), numpy=np.reshape, rules=_reshape)
def reshape(x: Any, *shape: int | Sequence[int]) -> Tensor:
    """Same elements, new shape (one entry may be -1), as ``np.reshape``; ``x.reshape(2, 3)`` works too.

    >>> x = ag.arange(6.0)
    >>> ag.reshape(x, (2, 3))
    tensor([[0., 1., 2.],
            [3., 4., 5.]])
    >>> x.reshape(3, -1).shape
    (3, 2)
    """
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape):
        raise ArgumentTypeError(f"reshape: the new shape must be integers, not {shape!r}")
    old = _shape_of(x)
    size = math.prod(old)
    known = math.prod(s for s in shape if s != -1)
    if shape.count(-1) > 1 or (-1 in shape and (known == 0 or size % known)) or (-1 not in shape and known != size):
        raise ShapeError(f"reshape: cannot reshape a tensor of shape {old} into shape {tuple(shape)}")
    return _reshape(x, shape=tuple(int(size // known) if s == -1 else int(s) for s in shape))


def _broadcast_params(x: Any, shape: Sequence[int]) -> dict[str, Any]:
    shape = tuple(int(s) for s in shape)
    old = _shape_of(x)
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


def _concat_bounds(i: int, xs: Sequence[Any], axis: int) -> tuple[int, int]:
    start = 0
    for x in xs[:i]:
        start += x.shape[axis]
    return start, start + xs[i].shape[axis]


def _concat_vjp(i, g, y, *xs, axis):
    lo, hi = _concat_bounds(i, xs, axis)
    return g[(Ellipsis, slice(lo, hi)) + (slice(None),) * (-axis - 1)]


def _concat_jvp(i, t, y, *xs, axis):
    lo, hi = _concat_bounds(i, xs, axis)
    widths = [(0, 0)] * t.ndim
    widths[axis] = (lo, y.shape[axis] - hi)
    return np.pad(t, widths)


def _concat_params(tensors: Sequence[Any], axis: int = 0) -> dict[str, Any]:
    tensors = tuple(tensors)
    if not tensors:
        raise InvalidArgumentError("concatenate: need at least one tensor")
    ndim = len(_shape_of(tensors[0]))
    return {"axis": one_axis(axis, ndim, "concatenate") - ndim}


@primitive(
    vjp=ArgnumRules(_concat_vjp),
    jvp=ArgnumRules(_concat_jvp),
    formula="y = [x₁, x₂, …] along axis",
    vjp_text="x̄ᵢ = ȳ[slice of xᵢ]",
    jvp_text="ẏ = [ẋ₁, ẋ₂, …] along axis",
    flops=no_flops,
    promotes=True,
    variadic=True,
    numpy=np.concatenate,
    prepare=_concat_params,
)
def concatenate(tensors: Sequence[Any], /, axis: int = 0) -> np.ndarray:
    """Join tensors along an existing axis.

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> b = ag.tensor([3.0], requires_grad=True)
    >>> ag.concatenate([a, b])
    tensor([1., 2., 3.], grad_fn=concatenate)
    >>> (ag.concatenate([a, b]) * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    >>> a.grad, b.grad  # ȳ cut back into the pieces
    (tensor([1., 2.]), tensor([3.]))
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
    old = _shape_of(x)
    lead = len(shape) - len(old)
    full = tuple(old[i - lead] if s == -1 else s for i, s in enumerate(shape))
    return broadcast_to(x, full)


@public(numpy=np.stack)
def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along a new axis.

    >>> a, b = ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])
    >>> ag.stack([a, b])
    tensor([[1., 2.],
            [3., 4.]])
    >>> ag.stack([a, b], axis=1).shape
    (2, 2)
    """
    tensors = tuple(tensors)
    if not tensors:
        raise InvalidArgumentError("stack: need at least one tensor")
    shapes = {_shape_of(t) for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    axis = one_axis(axis, len(next(iter(shapes))) + 1, "stack")  # the new axis may also go last
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


@public(numpy=np.split)
def split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """Split into pieces along ``axis``, as ``np.split`` (equal sections or cut indices).

    >>> ag.split(ag.arange(6.0), 3)
    [tensor([0., 1.]), tensor([2., 3.]), tensor([4., 5.])]
    >>> ag.split(ag.arange(6.0), [1, 4])
    [tensor([0.]), tensor([1., 2., 3.]), tensor([4., 5.])]
    """
    shape = _shape_of(x)
    axis = one_axis(axis, len(shape), "split")
    n = shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if indices_or_sections < 1:
            raise InvalidArgumentError(f"split: the number of sections must be at least 1, not {indices_or_sections}")
        if n % indices_or_sections:
            raise ShapeError(f"split: axis of length {n} does not divide into {indices_or_sections} equal sections")
        step = n // indices_or_sections
        cuts = list(range(step, n, step))
    else:
        cuts = list(indices_or_sections)
    bounds = zip([0] + cuts, cuts + [n])
    lead = (slice(None),) * axis
    return [getitem(x, lead + (slice(lo, hi),)) for lo, hi in bounds]


@public(rules=_pad)
def pad(x: Any, pad_width: Any, constant_values: float = 0.0) -> Tensor:
    """Pad with a constant, ``pad_width`` as in ``np.pad`` (int, pair, or a pair per axis).

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> ag.pad(x, (1, 2))
    tensor([0., 1., 2., 0., 0.], grad_fn=pad)
    >>> ag.pad(x, 1, constant_values=9.0)
    tensor([9., 1., 2., 9.], grad_fn=pad)
    """
    ndim = len(_shape_of(x))
    if ndim == 0:
        return identity(x)
    given = np.asarray(pad_width, dtype=int)
    widths = np.broadcast_to(given, (ndim, 2)) if given.size else np.zeros((ndim, 2), dtype=int)
    if (widths < 0).any():
        raise ShapeError(f"pad: negative pad width {pad_width}")
    return _pad(x, widths=tuple((int(a), int(b)) for a, b in widths), value=constant_values)


@public(method=True)
def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes ``start_dim..end_dim`` into one (PyTorch's ``flatten``).

    >>> ag.flatten(ag.zeros(2, 3, 4)).shape
    (24,)
    >>> ag.flatten(ag.zeros(2, 3, 4), start_dim=1).shape
    (2, 12)
    """
    shape = _shape_of(x)
    if not shape:
        return reshape(x, (1,))
    start, end = one_axis(start_dim, len(shape), "flatten"), one_axis(end_dim, len(shape), "flatten")
    if start > end:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(x, shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :])


@public(method=True, numpy=np.squeeze)
def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> Tensor:
    """Drop axes of length one (all of them when ``axis`` is None).

    >>> ag.squeeze(ag.zeros(1, 3, 1)).shape
    (3,)
    >>> ag.squeeze(ag.zeros(1, 3, 1), axis=0).shape
    (3, 1)
    """
    shape = _shape_of(x)
    if axis is None:
        axes = {i for i, n in enumerate(shape) if n == 1}
    else:
        axes = {one_axis(a, len(shape), "squeeze") for a in ((axis,) if isinstance(axis, (int, np.integer)) else axis)}
        bad = [a for a in axes if shape[a] != 1]
        if bad:
            raise ShapeError(f"squeeze: axis {bad[0]} of shape {shape} does not have length 1")
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in axes))


@public(method=True, numpy=np.expand_dims)
def expand_dims(x: Any, axis: int | Sequence[int]) -> Tensor:
    """Insert axes of length one at ``axis`` (int or tuple, numpy semantics).

    >>> ag.expand_dims(ag.zeros(3), (0, 2)).shape
    (1, 3, 1)
    """
    shape = _shape_of(x)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
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

    >>> ag.moveaxis(ag.zeros(2, 3, 4), 0, -1).shape
    (3, 4, 2)
    """
    ndim = len(_shape_of(x))
    src = [one_axis(s, ndim, "moveaxis") for s in ((source,) if isinstance(source, (int, np.integer)) else source)]
    dst = [
        one_axis(d, ndim, "moveaxis")
        for d in ((destination,) if isinstance(destination, (int, np.integer)) else destination)
    ]
    if len(src) != len(dst) or len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ShapeError(f"moveaxis: source {source} and destination {destination} must be distinct axes, one each")
    order = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, tuple(order))
