"""numpy's dispatch protocols for Tensor.

``np.exp(t)``, ``ndarray * t`` and ``np.sum(t, axis=0)`` return Tensors: the
numpy functions each public function answers are named in its declaration
(``numpy=``), and gathered here. This is also what lets the derivative rules,
written with numpy, run on Tensors and be differentiated again.

A numpy function with no Tensor version runs on the values when no operand
needs a gradient (its result is a plain array, as numpy would give), and is
refused with a library error naming it when one does: it would silently drop
the gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _state
from . import primitives as P
from .backend import as_array, check_same_device
from .errors import ArgumentTypeError, InvalidArgumentError
from .primitives.selection import put_along_axis_in_place
from .registry import API
from .tensor import Tensor, observed, wrap


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def nondifferentiable(fn: Callable[..., Any]) -> Callable[..., Tensor]:
    """Wrap a numpy function whose result carries no gradient (comparisons, argmax, ...).

    >>> greater = ag.nondifferentiable(np.greater)
    >>> greater(ag.tensor([1.0, 3.0], requires_grad=True), 2.0)
    tensor([False,  True], dtype=bool)
    """

    def call(*args: Any, **kwargs: Any) -> Tensor:
        try:
            out = wrap(as_array(fn(*(_data(a) for a in args), **kwargs)))
        except TypeError as err:
            from .errors import DtypeError

            check_same_device(getattr(fn, "__name__", "numpy function"), *(_data(a) for a in args))
            raise DtypeError(f"{getattr(fn, '__name__', fn)}: {err}") from err
        if _state.current().slow:  # a recorder (ag.compile) replays the call
            observed("numpy", fn, args, kwargs, out)
        return out

    call.__name__ = getattr(fn, "__name__", "nondifferentiable")
    call.__doc__ = f"{call.__name__} on the values; the result needs no gradient."
    return call


NONDIFF_UFUNCS = (
    np.greater,
    np.greater_equal,
    np.less,
    np.less_equal,
    np.equal,
    np.not_equal,
    np.logical_and,
    np.logical_or,
    np.logical_not,
    np.logical_xor,
    np.bitwise_and,
    np.bitwise_or,
    np.bitwise_xor,
    np.invert,
    np.left_shift,
    np.right_shift,
    np.isfinite,
    np.isnan,
    np.isinf,
)


def _clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if out is not None:
        raise InvalidArgumentError("np.clip(tensor, out=...): Tensors are not written in place; drop out=")
    return P.clip(a, a_min if a_min is not None else min, a_max if a_max is not None else max)


def _pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Tensor:
    if mode != "constant" or set(kwargs) - {"constant_values"}:
        raise InvalidArgumentError(
            f"np.pad on a Tensor supports mode='constant' (with constant_values) only, not {mode!r}"
        )
    return P.pad(array, pad_width, kwargs.get("constant_values", 0.0))


def _sort(a: Any, axis: int | None = -1, kind: str | None = None, order: Any = None, *, stable: Any = None) -> Tensor:
    if order is not None:
        raise InvalidArgumentError("np.sort(tensor, order=...): order= sorts structured arrays; drop it")
    return P.sort(a, axis, kind, stable=stable).values  # numpy's sort returns the values only


UFUNCS: dict[Any, Callable[..., Any]] = {
    np.positive: lambda x: x,
    **{u: nondifferentiable(u) for u in NONDIFF_UFUNCS},
}
FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.clip: _clip,
    np.pad: _pad,
    np.shape: lambda x: x.shape,
    np.ndim: lambda x: x.ndim,
    np.size: lambda x: x.size,
    np.argmax: nondifferentiable(np.argmax),
    np.argmin: nondifferentiable(np.argmin),
    np.allclose: lambda *a, **k: np.allclose(*(_data(x) for x in a), **k),
    np.isclose: nondifferentiable(np.isclose),
    np.zeros_like: nondifferentiable(np.zeros_like),
    np.ones_like: nondifferentiable(np.ones_like),
    np.sort: _sort,
    np.nonzero: lambda a: P.nonzero(a, as_tuple=True),
    np.put_along_axis: put_along_axis_in_place,
}
for _entry in API.values():
    for _target in _entry.numpy:
        (UFUNCS if isinstance(_target, np.ufunc) else FUNCTIONS)[_target] = _entry.function


def _needs_grad(values: Any) -> bool:
    stack = [values]
    while stack:
        v = stack.pop()
        if isinstance(v, Tensor):
            if v.requires_grad:
                return True
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return False


def _unwrapped(values: Any) -> Any:
    if isinstance(values, Tensor):
        return values.data
    if isinstance(values, (list, tuple)):
        return type(values)(_unwrapped(v) for v in values)
    if isinstance(values, dict):
        return {k: _unwrapped(v) for k, v in values.items()}
    return values


def _refuse(name: str) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"numpy.{name} has no Tensor version and would drop the gradient of a tensor that requires grad; "
        "use the library's function of that name if there is one, or apply it to t.detach() on purpose"
    )


def array_ufunc(self: Tensor, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    fn = UFUNCS.get(ufunc)
    if method == "__call__" and fn is not None and not kwargs:
        return fn(*inputs)
    if _needs_grad(inputs) or _needs_grad(kwargs):
        where = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        raise _refuse(where)
    return getattr(ufunc, method)(*_unwrapped(inputs), **_unwrapped(kwargs))


def array_function(self: Tensor, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    fn = FUNCTIONS.get(func)
    if fn is not None:
        return fn(*args, **kwargs)
    if _needs_grad(args) or _needs_grad(kwargs):
        raise _refuse(getattr(func, "__name__", str(func)))
    return func(*_unwrapped(args), **_unwrapped(kwargs))
