"""Custom ops inside ``vmap``: their rules batched by vmap (JAX's way), or looped when they read values.

A custom op called on BatchedTensors whose transforms all live outside the
vmap runs as ``VmappedOp`` on the values: each rule is the op's rule under
``vmap``. A rule that reads values (a ``Function`` whose forward uses numpy on
``x.data``) cannot be batched; it then runs once per example (``LoopedOp``,
or ``loop``), reported like a primitive without a batching rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .batched import BatchedTensor
from .batched import make as make_batched
from .custom import CustomOp, DerivedOp, _as_output, _is_array, _ndim, apply_custom
from .errors import BatchingError
from .pytree import TreeDef, tree_flatten, tree_map, tree_unflatten
from .tensor import Tensor


def through_batch(op: CustomOp, args: tuple, leaves: list, arg_tree: TreeDef, level: int) -> Any:
    """The op on the values a vmap level wraps, with its rules batched by vmap; results wrapped again."""
    flags = [isinstance(x, BatchedTensor) and x.level == level and x.batched for x in leaves]
    values = [x.value if isinstance(x, BatchedTensor) and x.level == level else x for x in leaves]
    from .vmap import _FRAMES

    size = _FRAMES[level].size
    batched_op = VmappedOp(op, arg_tree, flags, size)
    out = apply_custom(batched_op, tree_unflatten(arg_tree, values))
    return tree_map(lambda v: make_batched(v, level, True) if isinstance(v, Tensor) else v, out)


class VmappedOp(DerivedOp):
    """A custom op over a batch: each rule is the op's rule under ``vmap`` (a loop, reported, if it reads values)."""

    def __init__(self, op: CustomOp, arg_tree: TreeDef, flags: list[bool], size: int) -> None:
        super().__init__(op)
        self.arg_tree = arg_tree
        self.flags = flags
        self.size = size

    def _vmap(self, fn: Callable[..., Any], in_axes: tuple, out_axes: Any, *args: Any) -> Any:
        from .vmap import vmap_call

        try:
            return vmap_call(fn, in_axes, out_axes, self.size, args, keep_static=True)
        except BatchingError:
            return loop(fn, in_axes, out_axes, args, self.size, self.name)

    def _arg_axes(self, lead: int = 0) -> Any:
        return tree_unflatten(self.arg_tree, [lead if b else None for b in self.flags])

    def primal(self, *args: Any) -> Any:
        return self._vmap(self.op.primal, tuple(self._arg_axes()), 0, *args)

    def forward(self, *args: Any) -> tuple[Any, Any]:
        return self._vmap(self.op.forward, tuple(self._arg_axes()), 0, *args)

    def backward(self, residuals: Any, cotangent: Any, args: tuple, outs: Any) -> tuple:
        res_axes = tree_map(lambda r: 0 if _is_array(r) else None, residuals)
        out_axes = tree_map(lambda o: 0 if _is_array(o) else None, outs)
        # a cotangent may carry leading axes of its own (jacrev's basis) before the batch axis
        lead = next((_ndim(c) - _ndim(o) for c, o in zip(tree_flatten(cotangent)[0], tree_flatten(outs)[0])), 0)
        cot_axes = tree_map(lambda c: lead if _is_array(c) else None, cotangent)
        return self._vmap(
            lambda r, c, a, o: self.op.backward(r, c, a, o),
            (res_axes, cot_axes, self._arg_axes(), out_axes),
            lead,
            residuals,
            cotangent,
            args,
            outs,
        )

    def tangent(self, args: tuple, tangents: tuple) -> Any:
        t_leaves = tree_flatten(tangents, is_leaf=lambda t: t is None)[0]
        a_leaves = tree_flatten(args)[0]
        lead = next((_ndim(t) - _ndim(a) for t, a in zip(t_leaves, a_leaves) if t is not None), 0)
        tan_axes = tree_unflatten(
            self.arg_tree, [lead if b and t is not None else None for b, t in zip(self.flags, t_leaves)]
        )
        return self._vmap(lambda a, t: self.op.tangent(a, t), (self._arg_axes(), tan_axes), lead, args, tangents)


READS_VALUES = "reads the values of its inputs (x.data, numpy); write its rules with library operations to batch it"


class _PerExample:
    """Residuals kept per example by a looped op (a pytree leaf: it is never batched)."""

    __slots__ = ("items",)

    def __init__(self, items: list) -> None:
        self.items = items


class LoopedOp(DerivedOp):
    """A custom op inside a vmap whose rules read values: every rule runs once per example, results stacked.

    The fallback for ops such as a ``Function`` whose forward uses numpy on
    ``x.data``; reported like a primitive without a batching rule.
    """

    def __init__(self, op: CustomOp, level: int, size: int) -> None:
        super().__init__(op)
        self.level = level
        self.size = size
        from .vmap import report_fallback

        report_fallback(op.name, READS_VALUES)

    def _example(self, tree: Any, i: int) -> Any:
        def pick(x: Any) -> Any:
            if isinstance(x, BatchedTensor) and x.level == self.level:
                return x.value[i] if x.batched else x.value
            if isinstance(x, _PerExample):
                return x.items[i]
            return x

        return tree_map(pick, tree, is_leaf=lambda x: x is None)

    def _stack(self, outs: list) -> Any:
        from .primitives.shape import stack

        first, tree = tree_flatten(outs[0], is_leaf=lambda x: x is None)
        columns = [[_as_output(x) for x in tree_flatten(o, is_leaf=lambda x: x is None)[0]] for o in outs]
        stacked = [
            make_batched(stack([c[k] for c in columns]), self.level, True)
            if isinstance(columns[0][k], Tensor)
            else first[k]
            for k in range(len(first))
        ]
        return tree_unflatten(tree, stacked)

    def primal(self, *args: Any) -> Any:
        return self._stack([self.op.primal(*self._example(args, i)) for i in range(self.size)])

    def forward(self, *args: Any) -> tuple[Any, Any]:
        pairs = [self.op.forward(*self._example(args, i)) for i in range(self.size)]
        return self._stack([p[0] for p in pairs]), _PerExample([p[1] for p in pairs])

    def backward(self, residuals: Any, cotangent: Any, args: tuple, outs: Any) -> tuple:
        found = [self.op.backward(*self._example((residuals, cotangent, args, outs), i)) for i in range(self.size)]
        return self._stack([tuple(f) for f in found])

    def tangent(self, args: tuple, tangents: tuple) -> Any:
        return self._stack([self.op.tangent(*self._example((args, tangents), i)) for i in range(self.size)])


def loop(fn: Callable[..., Any], in_axes: tuple, out_axes: int, args: tuple, size: int, name: str) -> Any:
    """``fn`` once per example (the rule read values, so it cannot be batched), results stacked."""
    from .primitives.shape import stack
    from .pytree import broadcast_prefix
    from .vmap import report_fallback

    report_fallback(name, READS_VALUES)
    leaves, treedef = tree_flatten(args)
    axes = broadcast_prefix(in_axes, args, "vmap", lambda a: a is None or isinstance(a, int))
    outs = []
    for i in range(size):
        picked = [x[(slice(None),) * ax + (i,)] if ax is not None else x for x, ax in zip(leaves, axes)]
        outs.append(fn(*tree_unflatten(treedef, picked)))
    first, tree = tree_flatten(outs[0])
    columns = [[_as_output(x) for x in tree_flatten(o)[0]] for o in outs]
    stacked = [
        stack([c[k] for c in columns], axis=out_axes) if isinstance(columns[0][k], Tensor) else first[k]
        for k in range(len(first))
    ]
    return tree_unflatten(tree, stacked)
