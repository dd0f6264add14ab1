"""``max``, ``min`` and ``median`` as numpy and PyTorch users call them: the spelling says which library is meant.

numpy returns the values: ``x.max()``, ``x.max(axis=0)``, ``ag.max(x, 0)``,
``np.max(t, axis=0)``. PyTorch, given a dimension, returns the values and
where they are: ``x.max(dim=0)``, ``x.max(0)``, ``ag.max(x, 1, keepdim=True)``
give ``(values, indices)`` as ``torch.max(x, dim)`` does. ``dim=`` and
``keepdim=`` are PyTorch's spellings, and so is a positional int on the
Tensor *method* (``out.max(1)[1]`` in PyTorch code); a positional axis on
the module function or numpy's function is numpy's (values only), as for
every other reduction here (``ag.sum(x, 0)``).

The two also differ where maxima tie, as the two libraries do: numpy-style
values share the gradient equally between tied elements (the ``max``
primitive, like ``torch.amax``), while ``dim=`` sends it to the element at the
returned index (the first of the ties), like ``torch.max(x, dim)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..arguments import bool_argument
from ..backend import arange, maybe_true, values_of, zeros
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..registry import ALIASES, UNSET, _both_given, _unknown_keywords, public
from ..tensor import Tensor, constant_array, wrap
from .along import from_values, take_along
from .elementwise import maximum, minimum
from .ordering import _order, quantile
from .reduce import Axis, is_integer, one_axis
from .reduce import max as _amax
from .reduce import min as _amin
from .shape import squeeze


class MaxResult(NamedTuple):
    """``(values, indices)`` of the maxima along a dimension, as ``torch.max(x, dim)`` returns them."""

    values: Tensor
    indices: Tensor


class MinResult(NamedTuple):
    """``(values, indices)`` of the minima along a dimension, as ``torch.min(x, dim)`` returns them."""

    values: Tensor
    indices: Tensor


class MedianResult(NamedTuple):
    """``(values, indices)`` of the (lower) medians along a dimension, as ``torch.median(x, dim)`` returns them."""

    values: Tensor
    indices: Tensor


def _keywords(
    op: str, axis: Any, keepdims: Any, dim: Any, keepdim: Any, more: dict, names: tuple[str, ...] = ("axis", "keepdims")
) -> tuple[Any, bool, bool]:
    """(axis, keepdims, PyTorch style) from numpy's and PyTorch's spellings; both names for one thing is an error."""
    if more:
        raise _unknown_keywords(op, list(names), ALIASES, list(more))
    torch_keep = keepdim is not UNSET  # PyTorch's spelling: with an int axis, PyTorch's (values, indices)
    if keepdim is not UNSET:
        if keepdims is not UNSET:
            raise _both_given(op, "keepdims", "keepdim")
        keepdims = keepdim
    keepdims = False if keepdims is UNSET else bool_argument(keepdims, "keepdims", op)
    if dim is UNSET:
        if torch_keep and is_integer(axis):
            return axis, keepdims, True
        return (None if axis is UNSET else axis), keepdims, False
    if axis is not UNSET:
        raise _both_given(op, "axis", "dim")
    return dim, keepdims, True


def _as_tensor(x: Any, op: str) -> Tensor:
    """x as a Tensor; None, strings, dicts, ragged lists and object arrays get the library's errors."""
    return x if isinstance(x, Tensor) else wrap(constant_array(x, op))


def _values(x: Tensor) -> np.ndarray:
    return values_of(x)


def _selected(x: Any, dim: Any, keepdim: bool, op: str, index_of: Any) -> tuple[Tensor, Tensor]:
    """x at ``index_of(values along dim)`` and that index (int64, no gradient); the gradient goes to that element.

    The index is computed by ``from_values`` (a step ``ag.compile`` replays, per example under ``vmap``)
    and picked with the ``take_along`` primitive, whose index is an operand.
    """
    x = _as_tensor(x, op)
    if dim is None or isinstance(dim, (tuple, list)):
        raise ShapeError(
            f"{op}(dim=...) takes one dimension (an int), not {dim!r}; axis= reduces several (values only)"
        )
    if x.ndim == 0:
        one_axis(dim, 1, op)  # 0 or -1, as PyTorch allows for a 0-d tensor
        return x[()], wrap(zeros((), np.int64, x))
    axis = one_axis(dim, x.ndim, op) - x.ndim  # negative: leading (vmap) batch axes stay in front
    if x.shape[axis] == 0:
        raise ShapeError(f"{op}: dimension {dim} of shape {x.shape} is empty; there is no element to pick")
    where = from_values(index_of, x, axis=axis)
    values = take_along(x, where, axis=axis)
    if not keepdim:
        return squeeze(values, axis=axis), squeeze(where, axis=axis)
    return values, where


def _nan_first(values: np.ndarray, axis: int, found: np.ndarray) -> np.ndarray:
    """``found`` (int64), except that a slice holding NaN picks its first NaN: NaN propagates, as in PyTorch."""
    if values.dtype.kind == "f":
        nan = np.isnan(values)
        if maybe_true(nan.any()):
            found = np.where(nan.any(axis=axis, keepdims=True), np.argmax(nan, axis=axis, keepdims=True), found)
    return found.astype(np.int64)


def _first_max(values: np.ndarray, *, axis: int) -> np.ndarray:
    """The index (int64) of the first maximum along ``axis`` (of the first NaN, if any)."""
    return _nan_first(values, axis, np.argmax(values, axis=axis, keepdims=True))


def _first_min(values: np.ndarray, *, axis: int) -> np.ndarray:
    """The index (int64) of the first minimum along ``axis`` (of the first NaN, if any)."""
    return _nan_first(values, axis, np.argmin(values, axis=axis, keepdims=True))


def _lower_median(values: np.ndarray, *, axis: int) -> np.ndarray:
    """The index (int64) of the lower median along ``axis`` (of the first NaN, if any)."""
    middle = (values.shape[axis] - 1) // 2
    return _nan_first(
        values, axis, np.take(_order(values, axis, False, "stable"), arange(1, values) + middle, axis=axis)
    )


def _is_axis(axis: Any) -> bool:
    """Whether ``axis`` is meant as an axis (anything else: a Tensor, a float, an array, is another operand)."""
    if isinstance(axis, np.ndarray):
        return axis.ndim == 0 and axis.dtype.kind in "iu"
    return not isinstance(axis, (Tensor, float, np.floating, complex))


def _other_call(op: str, x: Any, other: Any, out: Any, elementwise: Any, keywords: bool) -> Tensor:
    """``max(x, other_tensor)`` (PyTorch's elementwise maximum), or the library's error for what is not an axis."""
    if out is not None:
        if isinstance(out, (bool, np.bool_)):
            raise ArgumentTypeError(
                f"{op}(x, axis, {out}): the third positional argument is numpy's out=, not PyTorch's keepdim; "
                f"write {op}(x, axis, keepdim={out}) for PyTorch's (values, indices), "
                f"or keepdims={out} for numpy's values"
            )
        raise InvalidArgumentError(f"{op}(..., out=...): Tensors are not written in place; drop out=")
    if isinstance(other, Tensor) and not keywords:
        return elementwise(x, other)  # torch.max(input, other)
    kind = f"a {type(other).__name__}" if not isinstance(other, Tensor) else "a Tensor with axis keywords"
    raise ArgumentTypeError(
        f"{op}: axis must be None, an integer or a tuple of integers, not {kind}; for the elementwise "
        f"{elementwise.__name__} of two tensors use ag.{elementwise.__name__}(x, other) (or {op}(x, other_tensor))"
    )


class _Extreme(NamedTuple):
    """What tells max from min: the name, the reduction, the elementwise op, the index picker, the result."""

    name: str
    reduce: Any
    elementwise: Any
    index_of: Any
    result: Any


def _extreme(op: _Extreme, x: Any, axis: Any, out: Any, keepdims: Any, dim: Any, keepdim: Any, more: dict) -> Any:
    """``max``/``min``: numpy's values over ``axis``, PyTorch's ``(values, indices)`` along ``dim``, or the
    elementwise op with a Tensor in the axis position."""
    if out is not None or not _is_axis(axis):
        keywords = dim is not UNSET or keepdim is not UNSET or keepdims is not UNSET or bool(more)
        return _other_call(op.name, x, axis, out, op.elementwise, keywords)
    if dim is UNSET and keepdim is UNSET and not more:  # numpy's call, the common one: no keyword juggling
        return op.reduce(x, axis=None if axis is UNSET else axis, keepdims=False if keepdims is UNSET else keepdims)
    axis, keepdims, torch_style = _keywords(op.name, axis, keepdims, dim, keepdim, more)
    if torch_style:
        return op.result(*_selected(x, axis, keepdims, op.name, op.index_of))
    return op.reduce(x, axis=axis, keepdims=keepdims)


@public(method=True, numpy=(np.max, np.amax), rules=_amax, aliases={})
def max(  # noqa: A001
    x: Any,
    axis: Axis = UNSET,
    out: None = None,
    keepdims: bool = UNSET,
    *,
    dim: int = UNSET,
    keepdim: bool = UNSET,
    **more: Any,
) -> Any:
    """The largest value over ``axis`` (numpy), or ``(values, indices)`` along ``dim`` (PyTorch).

    * ``x.max()``, ``x.max(axis=0)``, ``ag.max(x, 0)``, ``np.max(t, 0)``: the values,
      y = max x over ``axis`` (all axes when None); tied maxima share the gradient.
    * ``x.max(1)``, ``x.max(dim=1)``, ``ag.max(x, dim=1)``, ``ag.max(x, 1, keepdim=True)``: a
      ``MaxResult(values, indices)`` as ``torch.max(x, dim)``; ``indices`` (int64, no gradient)
      is the first maximum's position, and the gradient of ``values`` goes to that element.

    * ``ag.max(x, other)``, ``x.max(other)`` with ``other`` a Tensor: PyTorch's elementwise
      ``torch.max(input, other)``, that is ``ag.maximum(x, other)``.

    The third positional argument is numpy's ``out`` (``np.max(a, axis, out, keepdims)``), so
    PyTorch's ``torch.max(x, 1, True)`` raises an error asking for ``keepdim=True`` rather than
    silently meaning something else (the Tensor method ``x.max(1, True)`` is PyTorch's pair).

    Which one a call means: ``dim=`` or ``keepdim=`` (PyTorch's spellings) select PyTorch's pair;
    the Tensor *method* with a positional int is PyTorch's too (``out.max(1)[1]`` are the
    indices, as in PyTorch code); the module function and ``np.max`` with a positional axis
    are numpy's (values only), as every reduction here.

    >>> x = ag.tensor([[1.0, 5.0], [4.0, 2.0]], requires_grad=True)
    >>> x.max(axis=1)
    tensor([5., 4.], grad_fn=max)
    >>> values, indices = x.max(1)
    >>> indices
    tensor([1, 0], dtype=int64)
    >>> ag.max(x, 1)  # the module function: numpy's positional axis
    tensor([5., 4.], grad_fn=max)
    >>> ag.max(x, 1, keepdim=True).indices
    tensor([[1],
            [0]], dtype=int64)
    >>> ag.max(x, ag.tensor(3.0))  # PyTorch's elementwise maximum
    tensor([[3., 5.],
            [4., 3.]], grad_fn=maximum)
    """
    return _extreme(_MAX, x, axis, out, keepdims, dim, keepdim, more)


@public(method=True, numpy=(np.min, np.amin), rules=_amin, aliases={})
def min(  # noqa: A001
    x: Any,
    axis: Axis = UNSET,
    out: None = None,
    keepdims: bool = UNSET,
    *,
    dim: int = UNSET,
    keepdim: bool = UNSET,
    **more: Any,
) -> Any:
    """The smallest value over ``axis`` (numpy), or ``(values, indices)`` along ``dim`` (PyTorch).

    * ``x.min()``, ``x.min(axis=0)``, ``ag.min(x, 0)``, ``np.min(t, 0)``: the values,
      y = min x over ``axis``; tied minima share the gradient.
    * ``x.min(0)``, ``x.min(dim=0)``, ``ag.min(x, dim=1, keepdim=True)``: a ``MinResult(values,
      indices)`` as ``torch.min(x, dim)``; the gradient of ``values`` goes to the first minimum.

    As for ``max``: ``dim=``/``keepdim=`` and the Tensor method with a positional int follow
    PyTorch; the module function and ``np.min`` with a positional axis follow numpy.

    >>> x = ag.tensor([[1.0, 5.0], [4.0, 2.0]])
    >>> ag.min(x, 0)
    tensor([1., 2.])
    >>> x.min(0).indices
    tensor([0, 1], dtype=int64)
    """
    return _extreme(_MIN, x, axis, out, keepdims, dim, keepdim, more)


@public(method=True, numpy=np.median, aliases={})
def median(
    x: Any,
    axis: Any = UNSET,
    out: Any = None,
    overwrite_input: bool = False,
    keepdims: bool = UNSET,
    *,
    dim: int = UNSET,
    keepdim: bool = UNSET,
    **more: Any,
) -> Any:
    """The median over ``axis`` (numpy), or ``(values, indices)`` of the lower median along ``dim`` (PyTorch).

    * ``x.median()``, ``x.median(axis=0)``, ``np.median(t, axis=0)``: numpy's median, the
      middle value or the mean of the two middle values; the gradient goes to the
      middle element(s) (½ each for an even count).
    * ``x.median(dim=0)``, ``ag.median(x, dim=1, keepdim=True)``: a ``MedianResult(values,
      indices)`` as ``torch.median(x, dim)``: the lower of the two middle values for an even
      count, its position (int64, no gradient), and the gradient to that element.

    Without ``dim`` the median is numpy's, not PyTorch's: ``x.median()`` of ``[1, 2, 3, 4]`` is 2.5
    (numpy's ``np.median`` averages the two middle values) where ``torch.median(x)`` gives 2.0 (the
    lower one, as with ``dim``); ``x.median(dim=0)`` of the flattened tensor, or
    ``quantile(x, 0.5, method='lower')``, gives PyTorch's lower median. As for
    ``max``: ``dim=``/``keepdim=`` and the Tensor method with a positional int follow PyTorch
    (``x.median(1)`` is the pair); the module function and ``np.median`` follow numpy.

    >>> x = ag.tensor([[1.0, 4.0, 2.0, 3.0]])
    >>> x.median(axis=1)
    tensor([2.5])
    >>> x.median(dim=1)
    MedianResult(values=tensor([2.]), indices=tensor([2], dtype=int64))
    >>> x.median(), x.reshape(-1).median(0).values  # numpy's average; PyTorch's lower median
    (tensor(2.5), tensor(2.))
    """
    if out is not None:
        raise InvalidArgumentError("median(..., out=...): Tensors are not written in place; drop out=")
    if not isinstance(overwrite_input, bool):
        raise ArgumentTypeError("median: overwrite_input must be a bool")
    names = ("axis", "out", "overwrite_input", "keepdims")
    axis, keepdims, torch_style = _keywords("median", axis, keepdims, dim, keepdim, more, names)
    if torch_style:
        return MedianResult(*_selected(x, axis, keepdims, "median", _lower_median))
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def _is_dim(value: Any) -> bool:
    return is_integer(value) and not isinstance(value, (bool, np.bool_))


def torch_method(function: Any) -> Any:
    """The Tensor method of ``max``/``min``/``median``: a positional int is PyTorch's dim (the pair), as in
    ``out.max(1)[1]``; anything else is ``function``'s call (numpy's ``x.max(axis=0)``, ``x.max()``)."""
    name = function.__name__

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        if not args or not _is_dim(args[0]):
            return function(self, *args, **kwargs)
        if len(args) > 2:
            raise ArgumentTypeError(f"x.{name}(dim, keepdim) takes at most 2 positional arguments, got {len(args)}")
        for given, names in ((1, ("dim", "axis")), (2, ("keepdim", "keepdims"))):
            twice = [n for n in names if n in kwargs]
            if len(args) >= given and twice:
                raise ArgumentTypeError(f"x.{name}(): {names[0]} given both by position and as {twice[0]}=")
        kwargs["dim"] = args[0]
        if len(args) == 2:
            kwargs["keepdim"] = args[1]
        return function(self, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = function.__doc__
    method.__wrapped__ = function  # type: ignore[attr-defined]
    return method


_MAX = _Extreme("max", _amax, maximum, _first_max, MaxResult)
_MIN = _Extreme("min", _amin, minimum, _first_min, MinResult)
