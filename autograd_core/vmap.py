"""``vmap``: a function of one example, run on a whole batch at once by batching every primitive.

``vmap(f)(xs)`` equals ``stack([f(x) for x in xs])`` but applies each
primitive once to the whole batch: inside, ``f`` sees ``BatchedTensor``s with
the shape of one example, and every primitive applied to one runs its
batching rule (declared with the primitive, ``batch=``) on the batch — one
matmul of (B, n) by (n, m) instead of B matrix-vector products.

It composes with every transform, in either order: ``vmap(grad(f))`` gives
per-example gradients (the transforms inside see per-example values),
``grad(vmap(f))``, ``jacfwd(vmap(f))`` and ``vmap(vmap(f))`` differentiate
or batch the batched computation. Levels keep them apart: a BatchedTensor of
level L wraps a value that belongs to the transforms outside L, while its own
graph node and tangents belong to the transforms inside L.

A primitive without a batching rule still works: vmap loops over the batch
for it, warns once (``BatchingFallbackWarning``) and lists it in
``batching_fallbacks()``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _state, backend
from ._numpy_protocol import NONDIFF_UFUNCS, array_function, array_ufunc, nondifferentiable
from .batched import BatchedTensor, make
from .errors import ArgumentTypeError, BatchingError, InvalidArgumentError
from .forward import _level_ids
from .keyword_errors import library_keyword_errors
from .node import Node
from .pytree import broadcast_prefix, tree_flatten, tree_unflatten
from .registry import REGISTRY, Primitive, keyword_aliases
from .tensor import Tensor, to_array, wrap


@dataclass
class Frame:
    """One open vmap: its batch size and the forward-mode levels opened before it."""

    size: int
    fwd_boundary: int  # forward-mode levels above this one were opened inside the vmap (levels share one clock)


_FRAMES: dict[int, Frame] = {}
_FALLBACKS: set[str] = set()


class BatchingFallbackWarning(UserWarning):
    """vmap met a primitive without a batching rule and ran it once per example instead.

    >>> import warnings
    >>> @ag.primitive(vjp=(lambda g, y, x: g,), jvp=(lambda t, y, x: t,), formula="y = x", vjp_text="x̄ = ȳ", jvp_text="ẏ = ẋ")
    ... def warn_example(x, /):
    ...     "y = x, declared without a batching rule."
    ...     return x.copy()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y = ag.vmap(warn_example)(ag.tensor([[1.0], [2.0]]))
    >>> print(caught[0].category.__name__, caught[0].message)
    BatchingFallbackWarning vmap: warn_example runs once per example (a Python loop): it has no batching rule; declare one with batch= (see autograd_core.batching)
    >>> ag.unregister("warn_example")
    """


def batching_fallbacks() -> list[str]:
    """The primitives vmap has had to loop over (no batching rule) in this process, sorted.

    >>> import warnings
    >>> @ag.primitive(vjp=(lambda g, y, x: g,), jvp=(lambda t, y, x: t,), formula="y = x", vjp_text="x̄ = ȳ", jvp_text="ẏ = ẋ")
    ... def loop_example(x, /):
    ...     "y = x, declared without a batching rule."
    ...     return x.copy()
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", ag.BatchingFallbackWarning)
    ...     ag.vmap(loop_example)(ag.tensor([[1.0], [2.0]]))  # looped over the 2 examples, same result
    tensor([[1.],
            [2.]])
    >>> "loop_example" in ag.batching_fallbacks()
    True
    >>> ag.unregister("loop_example")
    """
    return sorted(_FALLBACKS)


def unbatched_primitives() -> list[str]:
    """The registered primitives that declare no batching rule (vmap would loop over the batch for them).

    >>> "add" in ag.unbatched_primitives()  # elementwise primitives batch by broadcasting
    False
    >>> @ag.primitive(vjp=(lambda g, y, x: g,), jvp=(lambda t, y, x: t,), formula="y = x", vjp_text="x̄ = ȳ", jvp_text="ẏ = ẋ")
    ... def copy_example(x, /):
    ...     "y = x, declared without a batching rule."
    ...     return x.copy()
    >>> "copy_example" in ag.unbatched_primitives()
    True
    >>> ag.unregister("copy_example")
    """
    return sorted(name for name, prim in REGISTRY.items() if prim.batch is None)


def innermost_level() -> int | None:
    """The level of the innermost open vmap, or None outside every vmap."""
    levels = _state.current().batch_levels
    return levels[-1] if levels else None


def lift_to_level(x: Tensor) -> Tensor:
    """``x`` as a BatchedTensor of the innermost vmap (shared by the batch unless it already is of that level).

    Transforms started inside a vmap (``grad``, ``jvp``) lift their inputs so
    that their graphs and tangents live on tensors of that level.
    """
    level = innermost_level()
    if level is None or (isinstance(x, BatchedTensor) and x.level == level):
        return x
    return make(x, level, False)


def over_leading_axes(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(x, ...)`` batched by running it once on the whole batch: for functions that treat leading axes as batch.

    For a function of its first argument whose result has no gradient (labels
    to one-hot codes, index computations) and maps an input with extra
    leading axes to a result with the same leading axes. Inside ``vmap`` it
    is called on the batch's values (batch axis in front) and its result is
    batched again, rather than reading one example's values (which vmap
    refuses). Checks on the values then see the whole batch.

    >>> from autograd_core.vmap import over_leading_axes
    >>> @over_leading_axes
    ... def parity_codes(labels):
    ...     return ag.tensor(np.asarray(labels.data) % 2)
    >>> ag.vmap(parity_codes)(ag.tensor([[1, 2], [3, 5]]))
    tensor([[1., 0.],
            [1., 1.]])
    """

    @functools.wraps(fn)
    def call(x: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(x, BatchedTensor):
            return make(call(x.value, *args, **kwargs), x.level, x.batched)
        return fn(x, *args, **kwargs)

    return call


# ------------------------------------------------------------- the transform
@library_keyword_errors
def vmap(
    f: Callable[..., Any], in_axes: Any = 0, out_axes: Any = 0, *, axis_size: int | None = None
) -> Callable[..., Any]:
    """Vectorise ``f`` over a batch axis: ``vmap(f)(xs)[i] == f(xs[i])``, computed at once.

    ``in_axes``: the batch axis of each argument — an int, None (not batched:
    the same value for every example), or a tuple with one entry per
    positional argument, each itself an int, None or a pytree matching that
    argument (``in_axes=(None, 0)``, ``({"w": None, "b": 0},)``). Keyword
    arguments are batched along axis 0. ``out_axes``: where the batch axis
    goes in each output (int, or a pytree matching the outputs; None for an
    output that is the same for every example). ``axis_size``: the batch
    size when no argument is batched.

    Outputs that do not depend on the batch are broadcast along it.

    >>> xs = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> ag.vmap(lambda x: (x * x).sum())(xs)  # one squared norm per row
    tensor([ 5., 25., 61.])
    >>> w = ag.tensor([1.0, -1.0])
    >>> ag.vmap(lambda w, x: w @ x, in_axes=(None, 0))(w, xs)  # w shared by every example
    tensor([-1., -1., -1.])
    >>> ag.vmap(ag.grad(lambda x: (x**2).sum()))(xs)  # per-example gradients 2x
    tensor([[ 2.,  4.],
            [ 6.,  8.],
            [10., 12.]])
    >>> ag.vmap(lambda x, y: x + y)(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.0, 3.0]))
    Traceback (most recent call last):
        ...
    autograd_core.errors.BatchingError: vmap: the batched arguments have different batch sizes [2, 3] along their in_axes; they must all have the same length
    """
    _check_axes(in_axes, "in_axes")
    _check_axes(out_axes, "out_axes")

    @functools.wraps(f)
    def batched_f(*args: Any, **kwargs: Any) -> Any:
        return vmap_call(f, in_axes, out_axes, axis_size, args, kwargs)

    return batched_f


def vmap_call(
    f: Callable[..., Any],
    in_axes: Any,
    out_axes: Any,
    axis_size: int | None,
    args: tuple,
    kwargs: dict | None = None,
    keep_static: bool = False,
) -> Any:
    """``vmap(f, in_axes, out_axes, axis_size=…)(*args, **kwargs)``.

    ``keep_static``: outputs that are not arrays (numbers, shapes, None) are
    returned as they are instead of being batched (used for the residuals of
    custom rules).
    """
    kwargs = kwargs or {}
    leaves, treedef = tree_flatten((args, kwargs))
    axes = _argument_axes(in_axes, args, kwargs)
    size = _batch_size(leaves, axes, axis_size)
    level = next(_level_ids)
    _FRAMES[level] = Frame(size, level)
    try:
        with _state.switched(batch_levels=_state.current().batch_levels + (level,)):
            inside = [leaf if ax is None else _enter(leaf, ax, level) for leaf, ax in zip(leaves, axes)]
            a, kw = tree_unflatten(treedef, inside)
            out = f(*a, **kw)
    finally:
        del _FRAMES[level]
    return _leave(out, out_axes, level, size, keep_static)


def _check_axes(axes: Any, what: str) -> None:
    for leaf in tree_flatten(axes, is_leaf=lambda x: x is None)[0]:
        if leaf is not None and (not isinstance(leaf, (int, np.integer)) or isinstance(leaf, bool)):
            raise ArgumentTypeError(f"vmap: {what} must hold integers or None, got {leaf!r}")


def _is_axis(x: Any) -> bool:
    return x is None or (isinstance(x, (int, np.integer)) and not isinstance(x, bool))


def _argument_axes(in_axes: Any, args: tuple, kwargs: dict) -> list[Any]:
    """The batch axis of every leaf of ``(args, kwargs)``."""
    if _is_axis(in_axes):
        per_arg: Any = in_axes
    elif isinstance(in_axes, (tuple, list)):
        if len(in_axes) != len(args):
            raise InvalidArgumentError(
                f"vmap: in_axes has {len(in_axes)} entries but the function was called with {len(args)} "
                "positional arguments; give one entry per argument (None for an unbatched one)"
            )
        per_arg = tuple(in_axes)
    else:
        raise ArgumentTypeError(
            f"vmap: in_axes must be an int, None or a tuple with one entry per argument, not {type(in_axes).__name__}"
        )
    axes = broadcast_prefix(per_arg, args, "vmap in_axes", _is_axis)
    return axes + [0] * len(tree_flatten(kwargs)[0])


def _batch_size(leaves: list[Any], axes: list[Any], axis_size: int | None) -> int:
    sizes = {}
    for i, (leaf, ax) in enumerate(zip(leaves, axes)):
        if ax is None:
            continue
        shape = leaf.shape if isinstance(leaf, Tensor) else np.shape(leaf)
        if not -len(shape) <= ax < len(shape):
            raise InvalidArgumentError(
                f"vmap: in_axes asks for axis {ax} of an argument of shape {tuple(shape)}; use None for an "
                "argument that is not batched"
            )
        sizes[i] = shape[ax]
    found = set(sizes.values())
    if len(found) > 1:
        raise BatchingError(
            f"vmap: the batched arguments have different batch sizes {sorted(found)} along their in_axes; "
            "they must all have the same length"
        )
    if found:
        size = found.pop()
        if axis_size is not None and axis_size != size:
            raise BatchingError(f"vmap: axis_size={axis_size} but the arguments have batch size {size}")
        return int(size)
    if axis_size is None:
        raise InvalidArgumentError(
            "vmap: no argument is batched (every in_axes is None); pass axis_size= to say how many copies to make"
        )
    return int(axis_size)


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return wrap(x)
    try:
        return wrap(to_array(x))
    except (TypeError, ValueError) as err:
        raise ArgumentTypeError(f"vmap: cannot batch an argument of type {type(x).__name__}") from err


def _enter(leaf: Any, axis: int, level: int) -> BatchedTensor:
    """An argument leaf as a BatchedTensor of ``level``, its batch axis moved to the front."""
    from .primitives.shape import moveaxis

    t = _as_tensor(leaf)
    axis = int(axis) % t.ndim
    value = t if axis == 0 else moveaxis(t, axis, 0)
    return make(value, level, True)


def _leave(out: Any, out_axes: Any, level: int, size: int, keep_static: bool = False) -> Any:
    """The function's result with each BatchedTensor of ``level`` turned back into a plain batch."""
    leaves, treedef = tree_flatten(out)
    if _is_axis(out_axes):
        axes = [out_axes] * len(leaves)
    else:
        axes = broadcast_prefix(out_axes, out, "vmap out_axes", _is_axis)
    return tree_unflatten(
        treedef,
        [
            x if keep_static and not isinstance(x, (Tensor, np.ndarray)) else _leave_one(x, ax, level, size)
            for x, ax in zip(leaves, axes)
        ],
    )


def _leave_one(x: Any, axis: int | None, level: int, size: int) -> Any:
    from .primitives.shape import broadcast_to, expand_dims, moveaxis

    if isinstance(x, BatchedTensor) and x.level == level:
        if x.batched:
            if axis is None:
                raise BatchingError(
                    "vmap: out_axes is None for an output that differs between examples; give it a batch axis"
                )
            ndim = x.ndim + 1
            axis = _out_axis(axis, ndim)
            return x.value if axis == 0 else moveaxis(x.value, 0, axis)
        x = x.value
    elif isinstance(x, BatchedTensor) and x.level > level:
        raise BatchingError("vmap: a tensor batched by an inner vmap escaped it (returned or stored outside it)")
    if axis is None:
        return x
    if not isinstance(x, (Tensor, np.ndarray, float, int, bool, np.generic)):
        raise ArgumentTypeError(f"vmap: the function returned a {type(x).__name__}, which cannot be batched")
    t = _as_tensor(x)
    axis = _out_axis(axis, t.ndim + 1)
    return broadcast_to(expand_dims(t, axis), t.shape[:axis] + (size,) + t.shape[axis:])


def _out_axis(axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise InvalidArgumentError(f"vmap: out_axes {axis} is out of range for an output with {ndim} axes")
    return int(axis) % ndim


# ---------------------------------------------------------- applying a primitive
def apply_batched(prim: Primitive, inputs: tuple, params: dict) -> BatchedTensor | None:
    """Apply ``prim`` when an input is a BatchedTensor: its batching rule on the values (None when none is).

    Called by ``apply`` whenever a vmap is open. The result is a BatchedTensor
    of the innermost level among the inputs; it records a graph node when an
    input of that level requires grad, and carries the tangents of forward
    levels opened inside the vmap.
    """
    level = -1
    for x in inputs:
        if type(x) is BatchedTensor and x.level > level:
            level = x.level
    if level < 0:
        return None
    frame = _FRAMES.get(level)
    state = _state.current()
    if frame is None or level not in state.batch_levels:
        raise BatchingError(
            f"{prim.name}: a tensor batched by vmap was used after its vmap returned (stored outside the function?)"
        )
    values, batched = [], []
    any_batched = needs_grad = False
    for x in inputs:
        if type(x) is BatchedTensor and x.level == level:
            values.append(x.value)
            batched.append(x.batched)
            any_batched = any_batched or x.batched
            needs_grad = needs_grad or x.requires_grad
        else:
            values.append(x)
            batched.append(False)
    if not any_batched:
        value = prim.bind(*values, **params)
    elif prim.batch is not None:
        value = prim.batch(tuple(batched), *values, **params)
    else:
        value = _loop(prim, values, batched, params, frame.size)
    if not isinstance(value, Tensor):
        value = wrap(value if backend.is_backend_array(value) else np.asarray(value))
    out = make(value, level, any_batched)
    if needs_grad and state.grad_enabled:
        out._node = Node(prim, tuple(inputs), params, state.scope)
        out.requires_grad = True
    if state.fwd_levels:
        _push_inner_tangents(prim, inputs, params, out, frame, state)
    return out


def _push_inner_tangents(
    prim: Primitive, inputs: tuple, params: dict, out: BatchedTensor, frame: Frame, state: Any
) -> None:
    """Forward-mode tangents of the levels opened inside this vmap, by the JVP rules on BatchedTensors."""
    inner = tuple(k for k in state.fwd_levels if k > frame.fwd_boundary)
    if not inner or not any(
        isinstance(x, Tensor) and x._tangents and any(k in x._tangents for k in inner) for x in inputs
    ):
        return
    from .forward import push_tangents

    arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
    with _state.switched(fwd_levels=inner):
        push_tangents(prim, inputs, arrays, params, out, tensors=True)


def _loop(prim: Primitive, values: list, batched: list, params: dict, size: int) -> Tensor:
    """The fallback for a primitive without a batching rule: one application per example, stacked."""
    from .primitives.shape import stack

    report_fallback(prim.name)
    if size == 0:
        raise BatchingError(
            f"vmap: {prim.name} has no batching rule, and a batch of 0 examples gives no example to loop over"
        )
    outs = [prim.bind(*(v[i] if b else v for v, b in zip(values, batched)), **params) for i in range(size)]
    return stack(outs)


def report_fallback(name: str, why: str | None = None) -> None:
    """Record (and warn once) that vmap ran ``name`` once per example (no batching rule, or rules that read values)."""
    if name not in _FALLBACKS:
        _FALLBACKS.add(name)
        why = why or "has no batching rule; declare one with batch= (see autograd_core.batching)"
        warnings.warn(
            f"vmap: {name} runs once per example (a Python loop): it {why}",
            BatchingFallbackWarning,
            stacklevel=4,
        )


# ------------------------------------------------ comparisons and other values
def _nondiff(fn: Any, *args: Any, **kwargs: Any) -> Tensor:
    """An elementwise function without gradient (comparisons, isfinite, …) of batched operands."""
    level = max((x.level for x in args if isinstance(x, BatchedTensor)), default=-1)
    if level < 0:
        return nondifferentiable(fn)(*args, **kwargs)
    inner = [(x.value, x.batched) if isinstance(x, BatchedTensor) and x.level == level else (x, False) for x in args]
    any_batched = any(b for _, b in inner)
    ndim = max(np.ndim(v) - b for v, b in inner)
    lined = [v.reshape(v.shape[:1] + (1,) * (ndim + 1 - v.ndim) + v.shape[1:]) if b else v for v, b in inner]
    return make(_nondiff(fn, *lined, **kwargs), level, any_batched)


def _nondiff_reduce(fn: Any, x: Any, axis: Any = None, **kwargs: Any) -> Tensor:
    """argmax, argmin, all, any of a batched tensor, per example."""
    if not isinstance(x, BatchedTensor):
        return nondifferentiable(fn)(x, axis=axis, **kwargs)
    v = x.value
    if x.batched:
        if axis is None:
            v = v.reshape(v.shape[0], -1)
            axis = -1
            kwargs.pop("keepdims", None)
        elif isinstance(axis, (tuple, list)):
            axis = tuple(a + 1 if a >= 0 else a for a in axis)
        else:
            axis = axis + 1 if axis >= 0 else axis
    return make(_nondiff_reduce(fn, v, axis=axis, **kwargs), x.level, x.batched)


_REDUCTIONS = {np.argmax, np.argmin, np.all, np.any}


def _batched_array_ufunc(self: BatchedTensor, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if method == "__call__" and ufunc in NONDIFF_UFUNCS and not kwargs:
        return _nondiff(ufunc, *inputs)
    return array_ufunc(self, ufunc, method, *inputs, **kwargs)


def _batched_array_function(self: BatchedTensor, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    if func in _REDUCTIONS:
        return _nondiff_reduce(func, *args, **kwargs)
    if func is np.isclose:
        return _nondiff(func, *args, **kwargs)
    if func in (np.zeros_like, np.ones_like):
        x = args[0]
        return wrap((np.zeros if func is np.zeros_like else np.ones)(x.shape, kwargs.get("dtype") or x.dtype))
    return array_function(self, func, types, args, kwargs)


def _bind_methods() -> None:
    B = BatchedTensor
    B.__array_ufunc__ = _batched_array_ufunc
    B.__array_function__ = _batched_array_function
    for name, ufunc in (
        ("__lt__", np.less),
        ("__le__", np.less_equal),
        ("__gt__", np.greater),
        ("__ge__", np.greater_equal),
        ("__eq__", np.equal),
        ("__ne__", np.not_equal),
        ("__and__", np.bitwise_and),
        ("__or__", np.bitwise_or),
        ("__xor__", np.bitwise_xor),
        ("__lshift__", np.left_shift),
        ("__rshift__", np.right_shift),
    ):
        setattr(B, name, lambda self, other, u=ufunc: _nondiff(u, self, other))
    for name, ufunc in (("__rand__", np.bitwise_and), ("__ror__", np.bitwise_or), ("__rxor__", np.bitwise_xor)):
        setattr(B, name, lambda self, other, u=ufunc: _nondiff(u, other, self))
    B.__invert__ = lambda self: _nondiff(np.invert, self)
    B.__hash__ = Tensor.__hash__
    for name, fn in (("all", np.all), ("any", np.any)):
        setattr(B, name, lambda self, axis=None, fn=fn, **kw: _nondiff_reduce(fn, self, axis=axis, **kw))
    B.argmax, B.argmin = _index_method(np.argmax), _index_method(np.argmin)


def _index_method(fn: Any) -> Callable[..., Tensor]:
    """``x.argmax(axis, keepdims)`` of a batched tensor (PyTorch's ``dim=``, ``keepdim=`` too), per example."""

    def method(self: BatchedTensor, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return _nondiff_reduce(fn, self, axis=axis, keepdims=keepdims)

    method.__name__ = method.__qualname__ = fn.__name__
    return keyword_aliases(method)


_bind_methods()
