"""Forward mode: tangents travel with the primal values through one pass.

Inside ``dual_level()`` a tensor may carry a tangent ẋ (``make_dual``); every
primitive applied to it also computes ẏ = Σᵢ JVPᵢ(ẋᵢ) from the registry's JVP
rules, in the same forward pass. No graph is kept for this and nothing is run
backwards.

Levels nest (``jacfwd(jacfwd(f))``, forward-over-reverse Hessians): a level's
rules run on Tensors whenever an outer level, or reverse mode, must see them,
and on plain arrays otherwise. A tangent may carry extra leading batch axes
(the D basis directions of a vectorised ``jacfwd``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np

from . import _state
from .backend import asarray_on
from .batched import BatchedTensor
from .batched import like as batched_like
from .broadcasting import expand, lift
from .errors import GradientError, ShapeError
from .node import Node
from .primitives.elementwise import identity
from .registry import EMPTY, Primitive
from .tensor import Tensor, check_grad_dtype, shape_of, wrap

_level_ids = itertools.count()


class DualPair(NamedTuple):
    """What ``unpack_dual`` returns: the primal and its tangent (None when it has none).

    >>> with ag.dual_level():
    ...     x = ag.make_dual(ag.tensor(3.0), ag.tensor(1.0))
    ...     pair = ag.unpack_dual(x * x)
    >>> pair.primal, pair.tangent
    (tensor(9.), tensor(6.))
    """

    primal: Tensor
    tangent: Tensor | None


@contextmanager
def dual_level() -> Iterator[int]:
    """Open a forward-mode level; tangents made inside it are dropped when it closes.

    >>> with ag.dual_level():
    ...     x = ag.make_dual(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 1.0]))
    ...     y = ag.sin(x)
    ...     print(ag.unpack_dual(y).tangent)
    tensor([1.        , 0.54030231])
    """
    level = next(_level_ids)
    with _state.switched(fwd_levels=_state.current().fwd_levels + (level,)):
        yield level


def _current_level(level: int | None) -> int:
    if level is not None:
        return level
    levels = _state.current().fwd_levels
    if not levels:
        raise GradientError("forward-mode dual tensors need an active level: use `with dual_level():`")
    return levels[-1]


def _fresh_view(x: Tensor, tangents: dict | None) -> Tensor:
    """A new tensor for ``x``'s values: a graph node if ``x`` needs grad, else a new leaf."""
    state = _state.current()
    if isinstance(x, BatchedTensor):  # inside vmap: the view is batched too
        node = Node(identity.primitive, (x,), EMPTY, state.scope) if x.requires_grad and state.grad_enabled else None
        return batched_like(x, node, tangents)
    if x.requires_grad and state.grad_enabled:
        out = wrap(x.data, Node(identity.primitive, (x,), EMPTY, state.scope))
    else:
        out = wrap(x.data)
    out._writes = x._shared_writes()
    out._tangents = tangents or None
    return out


def attach_tangent(primal: Any, tangent: Any, level: int) -> Tensor:
    """``primal`` with ``tangent`` at ``level``; the tangent may carry leading batch axes."""
    x = primal if isinstance(primal, Tensor) else Tensor(primal)
    check_grad_dtype(x.dtype, "primal")
    t = tangent.data if isinstance(tangent, Tensor) and not _tangent_needs_tensor(tangent) else tangent
    t = t if isinstance(t, Tensor) else asarray_on(t, x.data, x.dtype, "make_dual: tangent")
    if tuple(t.shape[t.ndim - x.ndim :]) != x.shape or t.ndim < x.ndim:
        raise ShapeError(f"make_dual: tangent of shape {tuple(t.shape)} does not match primal of shape {x.shape}")
    tangents = dict(x._tangents) if x._tangents else {}
    tangents[level] = t
    return _fresh_view(x, tangents)


def _tangent_needs_tensor(t: Tensor) -> bool:
    return bool(t.requires_grad or t._tangents or isinstance(t, BatchedTensor))


def make_dual(primal: Any, tangent: Any, level: int | None = None) -> Tensor:
    """A tensor with the values of ``primal`` carrying ``tangent`` (same shape) at the current level.

    >>> with ag.dual_level():
    ...     x = ag.make_dual(ag.tensor(2.0), ag.tensor(1.0))
    ...     ag.unpack_dual(x**3).tangent
    tensor(12.)
    """
    level = _current_level(level)
    shape = shape_of(primal)
    tshape = shape_of(tangent)
    if tuple(tshape) != tuple(shape):
        raise ShapeError(f"make_dual: tangent of shape {tuple(tshape)} does not match primal of shape {tuple(shape)}")
    return attach_tangent(primal, tangent, level)


def tangent_of(t: Any, level: int) -> Any:
    """The raw tangent (array or Tensor) ``t`` carries at ``level``, or None."""
    if isinstance(t, Tensor) and t._tangents:
        return t._tangents.get(level)
    return None


def unpack_dual(t: Tensor, level: int | None = None) -> DualPair:
    """Split a dual tensor into its primal (without this level's tangent) and its tangent.

    >>> with ag.dual_level():
    ...     x = ag.make_dual(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 0.0]))
    ...     primal, tangent = ag.unpack_dual(ag.exp(x))
    >>> primal
    tensor([2.71828183, 7.3890561 ])
    >>> tangent
    tensor([2.71828183, 0.        ])
    """
    level = _current_level(level)
    tangent = tangent_of(t, level)
    others = {k: v for k, v in t._tangents.items() if k != level} if t._tangents else None
    primal = _fresh_view(t, others)
    if tangent is not None and not isinstance(tangent, Tensor):
        tangent = wrap(tangent)
    return DualPair(primal, tangent)


def _strip(x: Any, level: int) -> Any:
    """``x`` as seen by level ``level``'s rules: keeping only the tangents of outer levels."""
    if not isinstance(x, Tensor) or not x._tangents:
        return x
    outer = {k: v for k, v in x._tangents.items() if k < level}
    if len(outer) == len(x._tangents):
        return x
    return _fresh_view(x, outer)


def _tangents_at(inputs: tuple, level: int) -> tuple[list, bool]:
    """The inputs' tangents at ``level`` (None where absent), and whether the rules must run on Tensors.

    They must when an outer level or reverse mode has to see them: an input
    carries an outer level's tangent or requires grad, or a tangent is itself
    differentiable.
    """
    tangents = []
    as_tensors = False
    grad_enabled = _state.current().grad_enabled
    for x in inputs:
        if not isinstance(x, Tensor):
            tangents.append(None)
            continue
        found = x._tangents
        t = found.get(level) if found else None
        if (
            (found and min(found) < level)
            or (x.requires_grad and grad_enabled)
            or (isinstance(t, Tensor) and _tangent_needs_tensor(t))
        ):
            as_tensors = True
        tangents.append(t)
    return tangents, as_tensors


def push_tangents(
    prim: Primitive, inputs: tuple, arrays: list, params: dict, out: Tensor, tensors: bool = False
) -> None:
    """Compute ``out``'s tangent at every level its inputs carry one: ẏ = Σᵢ JVPᵢ(ẋᵢ).

    ``tensors``: run the rules on Tensors whatever the inputs (``vmap`` batches them).
    """
    state = _state.current()
    open_levels = state.fwd_levels
    levels = sorted(
        {k for x in inputs if isinstance(x, Tensor) and x._tangents for k in x._tangents if k in open_levels}
    )
    if not levels:
        return
    out._tangents = {}
    ndim = out.data.ndim
    for level in levels:
        tangents, as_tensors = _tangents_at(inputs, level)
        if as_tensors or tensors:
            args = [_strip(x, level) for x in inputs]
            ans: Any = out
        else:
            args, ans = arrays, out.data
        total = None
        nb = 0
        for i, t in enumerate(tangents):
            if t is None:
                continue
            rule = prim.jvps[i]
            if rule is None:
                continue
            if not (as_tensors or tensors) and isinstance(t, Tensor):
                t = t.data
            nb = t.ndim - arrays[i].ndim  # a tangent is only ever carried by a Tensor input, so arrays[i] is its array
            if prim.broadcasting:
                t = lift(t, nb, ndim)
            part = lift(rule(t, ans, *args, **params), nb, ndim)
            total = part if total is None else total + part
            if state.counters and not (as_tensors or tensors):
                flops = prim.flops(out.data, *arrays, **params) * max(1, int(np.prod(t.shape[:nb])))
                for meter in state.counters:
                    meter.add(prim.name + ".jvp", flops)
        if total is None:
            continue
        full = total.shape[:nb] + out.shape
        if total.shape != full:
            total = expand(total, full)
        if total.dtype != out.dtype:
            total = total.astype(out.dtype)
        out._tangents[level] = total
    if not out._tangents:
        out._tangents = None
