"""Repeating, reversing and rotating: tile, repeat, repeat_interleave, flip, roll.

Names differ between the libraries, so each function says whose semantics it has:

* ``tile(x, reps)`` — numpy's ``np.tile`` (= PyTorch's ``Tensor.repeat`` and ``tile``):
  the whole tensor laid out ``reps`` times;
* ``repeat(x, repeats, axis)`` — numpy's ``np.repeat`` (= PyTorch's
  ``repeat_interleave``): each element repeated in place;
* ``Tensor.repeat(*sizes)`` — PyTorch's method, which tiles (see ``Tensor.repeat``).

tile and repeat with a whole number build a broadcast view and reshape it, so
the gradient is a sum over the copies (no scatter); per-element repeat counts
go through an index, whose gradient adds the copies back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..backend import host_array
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..registry import public
from ..tensor import Tensor
from .index import getitem
from .reduce import normalize_axis, one_axis
from .shape import broadcast_to, concatenate, reshape


def _shape_of(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


def _ints(op: str, what: str, values: Any) -> tuple[int, ...]:
    values = (values,) if isinstance(values, (int, np.integer)) else tuple(values)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise ArgumentTypeError(f"{op}: {what} must be integers, not {values!r}")
    if any(v < 0 for v in values):
        raise InvalidArgumentError(f"{op}: {what} must be non-negative, not {values!r}")
    return tuple(int(v) for v in values)


@public(method=True, numpy=np.tile)
def tile(x: Any, reps: int | Sequence[int], *more: int) -> Tensor:
    """The whole tensor repeated ``reps[i]`` times along axis i, as ``np.tile`` (and PyTorch's ``tile``).

    y[i₀ + k₀n₀, i₁ + k₁n₁, …] = x[i₀, i₁, …]. When ``reps`` is shorter than
    x's rank it is padded with 1s in front; when longer, x gains leading unit
    axes. x̄ = the sum of ȳ over the copies. ``x.tile(2, 3)`` works too.

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> print(ag.tile(x, 2), ag.tile(x, (2, 1)).shape)
    tensor([1., 2., 1., 2.], grad_fn=...) (2, 2)
    >>> (ag.tile(x, 3) * ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).sum().backward()
    >>> print(x.grad)  # summed over the copies: 1 + 3 + 5, 2 + 4 + 6
    tensor([ 9., 12.])
    """
    reps = _ints("tile", "reps", (reps, *more) if more else reps)
    shape = _shape_of(x)
    ndim = max(len(shape), len(reps))
    shape = (1,) * (ndim - len(shape)) + tuple(shape)
    reps = (1,) * (ndim - len(reps)) + reps
    if all(r == 1 for r in reps):
        return reshape(x, shape)
    interleaved = tuple(v for pair in zip((1,) * ndim, shape) for v in pair)  # (1, n₀, 1, n₁, …)
    spread = tuple(v for pair in zip(reps, shape) for v in pair)  # (r₀, n₀, r₁, n₁, …)
    return reshape(broadcast_to(reshape(x, interleaved), spread), tuple(r * n for r, n in zip(reps, shape)))


@public(numpy=np.repeat)
def repeat(x: Any, repeats: int | Sequence[int] | Any, axis: int | None = None) -> Tensor:
    """Each element repeated ``repeats`` times in place along ``axis``, as ``np.repeat``.

    ``repeats`` is a whole number or one count per element along ``axis``;
    ``axis=None`` works on the flattened tensor. [a, b] → [a, a, b, b] for
    ``repeats=2``. This is PyTorch's ``repeat_interleave``; PyTorch's
    ``Tensor.repeat`` is ``tile``. x̄ = the sum of ȳ over each element's copies.

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> print(ag.repeat(x, 2), ag.repeat(x, [1, 3]))
    tensor([1., 1., 2., 2.], grad_fn=...) tensor([1., 2., 2., 2.], grad_fn=...)
    >>> (ag.repeat(x, 2) * ag.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    >>> print(x.grad)  # 1 + 2, 3 + 4
    tensor([3., 7.])
    """
    if isinstance(repeats, Tensor):
        repeats = repeats.data
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    shape = _shape_of(x)
    if not shape:
        x, shape = reshape(x, (1,)), (1,)
    axis = one_axis(axis, len(shape), "repeat")
    counts = host_array(repeats)  # the output's length depends on them: read on the host, on purpose
    if counts.dtype.kind not in "iu" or counts.ndim > 1:
        raise ArgumentTypeError(f"repeat: repeats must be an integer or a 1-D sequence of integers, not {repeats!r}")
    if (counts < 0).any():
        raise InvalidArgumentError(f"repeat: repeats must be non-negative, not {repeats!r}")
    if counts.ndim == 0 or counts.size == 1:
        r = int(counts.reshape(()))
        spread = shape[: axis + 1] + (r,) + shape[axis + 1 :]
        stretched = broadcast_to(reshape(x, shape[: axis + 1] + (1,) + shape[axis + 1 :]), spread)
        return reshape(stretched, shape[:axis] + (shape[axis] * r,) + shape[axis + 1 :])
    if counts.size != shape[axis]:
        raise ShapeError(
            f"repeat: {counts.size} repeat counts for an axis of length {shape[axis]} (give one count, or one per element)"
        )
    index = np.repeat(np.arange(shape[axis]), counts)
    return getitem(x, (slice(None),) * axis + (index,))


@public(method=True, rules=())
def repeat_interleave(x: Any, repeats: int | Sequence[int] | Any, axis: int | None = None) -> Tensor:
    """PyTorch's ``repeat_interleave``: each element repeated in place (numpy's ``repeat``; ``dim=`` works).

    >>> x = ag.tensor([[1.0, 2.0]], requires_grad=True)
    >>> print(ag.repeat_interleave(x, 2, dim=1))
    tensor([[1., 1., 2., 2.]], grad_fn=...)
    >>> ag.repeat_interleave(x, 3, dim=0).sum().backward()
    >>> print(x.grad)
    tensor([[3., 3.]])
    """
    return repeat(x, repeats, axis)


@public(method=True, numpy=np.flip, aliases={"axis": ("dim", "dims")})
def flip(x: Any, axis: int | Sequence[int] | None = None) -> Tensor:
    """Reverse the order of elements along ``axis`` (all axes when None), as ``np.flip``; PyTorch's ``dims=`` works.

    A view (a negative-step slice): x̄ = ȳ flipped back.

    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> print(ag.flip(x, axis=1))
    tensor([[2., 1.],
            [4., 3.]], grad_fn=...)
    >>> print(ag.flip(x))  # all axes
    tensor([[4., 3.],
            [2., 1.]], grad_fn=...)
    >>> (ag.flip(x, axis=0) * ag.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    >>> print(x.grad)  # ȳ flipped back
    tensor([[3., 4.],
            [1., 2.]])
    """
    ndim = len(_shape_of(x))
    axes = {a % ndim for a in normalize_axis(axis, ndim, "flip")} if ndim else set()
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim)))


def _roll_axis(x: Any, shift: int, axis: int) -> Any:
    n = _shape_of(x)[axis]
    if n == 0:
        return x
    shift %= n
    if shift == 0:
        return x
    lead = (slice(None),) * axis
    return concatenate([getitem(x, lead + (slice(n - shift, None),)), getitem(x, lead + (slice(0, n - shift),))], axis)


@public(method=True, numpy=np.roll, aliases={"axis": ("dim", "dims"), "shift": ("shifts",)})
def roll(x: Any, shift: int | Sequence[int], axis: int | Sequence[int] | None = None) -> Tensor:
    """Shift elements cyclically by ``shift`` along ``axis`` (the flattened tensor when None), as ``np.roll``.

    y[(i + s) mod n] = x[i]; a tuple of shifts goes with a tuple of axes (one
    shift or one axis is used for all). PyTorch's ``shifts=``/``dims=`` work.
    x̄ = ȳ rolled back by −s.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> print(ag.roll(x, 1), ag.roll(x, -1))
    tensor([4., 1., 2., 3.], grad_fn=...) tensor([2., 3., 4., 1.], grad_fn=...)
    >>> (ag.roll(x, 1) * ag.tensor([10.0, 20.0, 30.0, 40.0])).sum().backward()
    >>> print(x.grad)  # ȳ rolled back by −1
    tensor([20., 30., 40., 10.])
    >>> print(ag.roll(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), shifts=1, dims=0))
    tensor([[3., 4.],
            [1., 2.]])
    """
    shape = _shape_of(x)
    if axis is None:
        return reshape(roll(reshape(x, (-1,)), shift, 0), shape)
    shifts = (shift,) if isinstance(shift, (int, np.integer)) else tuple(shift)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    if len(axes) == 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ShapeError(f"roll: {len(shifts)} shifts for {len(axes)} axes (give one shift per axis)")
    out = x if isinstance(x, Tensor) else reshape(x, shape)
    for s, a in zip(shifts, axes):
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise ArgumentTypeError(f"roll: shifts must be integers, not {s!r}")
        out = _roll_axis(out, int(s), one_axis(a, len(shape), "roll"))
    return out
