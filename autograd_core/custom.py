"""Functions with derivative rules of their own: the machinery ``custom_vjp``, ``custom_jvp``, ``Function`` and ``checkpoint`` share.

A ``CustomOp`` is a function with four rules (value, forward with residuals,
backward, tangent). Applying one mirrors how ``apply.py`` applies a
primitive: when nothing is differentiated f simply runs; otherwise the
outputs get one graph node whose VJP is the op's backward rule (the op's own
``Primitive``, not registered), and the tangents of every open forward level
come from its tangent rule. Inside ``vmap`` the rules are batched with
``vmap`` itself, as JAX does (``custom_batching.py``). Rules see one tangent
or cotangent at a time: jacfwd's and jacrev's batches of them are mapped.

The rules of one kind of op can be derived from another's by transposition:
a VJP rule is the transpose of a JVP rule and the reverse (``transpose``).
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _state
from .backend import as_array, asarray_on, decide, is_backend_array, ones, zeros
from .batched import BatchedTensor
from .batched import like as batched_like
from .batched import make as make_batched
from .errors import ArgumentTypeError, BatchingError, GradientError, InvalidArgumentError
from .forward import _strip, tangent_of
from .modes import enable_grad, no_grad
from .node import Node
from .pytree import TreeDef, flatten_up_to, tree_flatten, tree_map, tree_unflatten
from .registry import ArgnumRules, Formula, Primitive
from .tensor import Tensor, wrap


class CustomOp:
    """A function with its own rules. Subclasses define the four methods on pytrees of arguments.

    * ``primal(*args)``: the value, when nothing is differentiated;
    * ``forward(*args) -> (out, residuals)``: the value for reverse mode;
    * ``backward(residuals, cotangent, args, outs) -> tuple``: one cotangent
      per positional argument, shaped like it (None for none); ``cotangent``
      and ``outs`` are shaped like the output;
    * ``tangent(args, tangents) -> ẏ``: the output tangent (tangents shaped
      like the arguments, None where an argument has none).
    """

    name = "custom"
    formula = Formula("custom: y = f(x)", "x̄ = bwd(residuals, ȳ)", "ẏ = jvp(x, ẋ)")

    def primal(self, *args: Any) -> Any:
        raise NotImplementedError

    def forward(self, *args: Any) -> tuple[Any, Any]:
        raise NotImplementedError

    def backward(self, residuals: Any, cotangent: Any, args: tuple, outs: Any) -> tuple:
        raise NotImplementedError

    def tangent(self, args: tuple, tangents: tuple) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------ applying
    def __call__(self, *args: Any) -> Any:
        return apply_custom(self, args)

    def primitive(self) -> Primitive:
        """The (unregistered) primitive the op's graph nodes name: its rules call back into the op."""
        prim = self.__dict__.get("_primitive")
        if prim is None:
            prim = Primitive(
                self.name,
                _not_applied,
                ArgnumRules(_node_vjp),
                ArgnumRules(_node_jvp),
                Formula(f"{self.name}: {self.formula.forward.split(': ', 1)[-1]}", self.formula.vjp, self.formula.jvp),
            )
            self.__dict__["_primitive"] = prim
        return prim


class DerivedOp(CustomOp):
    """An op whose rules are another op's, transformed (batched by vmap, looped over examples)."""

    def __init__(self, op: CustomOp) -> None:
        self.op = op
        self.name = op.name
        self.formula = op.formula


def _not_applied(*args: Any, **params: Any) -> Any:
    raise GradientError("a custom op's node is not applied directly; call the custom function")


# ---------------------------------------------------------------- one call
class Call:
    """What one application of a custom op saved for its node: residuals and how outputs are packed."""

    __slots__ = (
        "op",
        "residuals",
        "arg_tree",
        "arg_leaves",
        "positions",
        "out_tree",
        "out_leaves",
        "packing",
        "_cache",
    )

    def __init__(self, op: CustomOp, residuals: Any, arg_tree: TreeDef, arg_leaves: list, positions: list[int]) -> None:
        self.op = op
        self.residuals = residuals
        self.arg_tree = arg_tree
        self.arg_leaves = arg_leaves
        self.positions = positions  # which argument leaves are the node's inputs
        self.out_tree: TreeDef | None = None
        self.out_leaves: list = []
        self.packing: list[tuple[int, int, int, tuple[int, ...]]] = []  # (leaf, lo, hi, shape); empty: one output
        self._cache: tuple[Any, dict[int, Any]] | None = None  # (weak ref to ȳ, cotangents not yet taken)

    def __repr__(self) -> str:
        return f"<{self.op.name} call>"

    def args_with(self, inputs: tuple) -> tuple:
        """The call's arguments with the node's inputs (as the backward pass hands them) in their places."""
        leaves = list(self.arg_leaves)
        for p, x in zip(self.positions, inputs):
            leaves[p] = x if isinstance(x, Tensor) else wrap(as_array(x))
        return tree_unflatten(self.arg_tree, leaves)

    def split(self, packed: Any, batch: tuple[int, ...]) -> list:
        """Per-output-leaf pieces of a packed output (or its cotangent), None for leaves without one."""
        pieces: list[Any] = [None] * len(self.out_leaves)
        if not self.packing:
            pieces[self._only()] = packed
            return pieces
        for k, lo, hi, shape in self.packing:
            pieces[k] = packed[..., lo:hi].reshape(batch + shape)
        return pieces

    def _only(self) -> int:
        return next(k for k, o in enumerate(self.out_leaves) if _differentiable(o))

    def cotangent(self, i: int, g: Any, ans: Any, inputs: tuple) -> Any:
        """The cotangent of input ``i`` for the output cotangent ``g``.

        The rule gives every input's at once; they wait here until the
        backward pass takes them (one per input), holding nothing after.
        """
        if self._cache is None or self._cache[0]() is not g or i not in self._cache[1]:
            self._cache = (weakref.ref(g), dict(enumerate(self.cotangents(g, ans, inputs))))
        pending = self._cache[1]
        found = pending.pop(i)
        if not pending:
            self._cache = None
        return found

    def cotangents(self, g: Any, ans: Any, inputs: tuple) -> list:
        """Cotangents of the node's inputs for the output cotangent ``g``."""
        tensor_mode = isinstance(g, Tensor)
        ref = ans.shape if isinstance(ans, Tensor) else np.shape(ans)
        batch = tuple(g.shape[: len(g.shape) - len(ref)])
        cts = self.split(g, batch)
        outs = self.split(ans if tensor_mode else wrap(as_array(ans)), ())
        cts = [c if c is not None else _zeros_like(o) for c, o in zip(cts, self.out_leaves)]
        ct_tree = self.out_tree.unflatten(cts)
        out_tree = self.out_tree.unflatten(o if o is not None else leaf for o, leaf in zip(outs, self.out_leaves))
        residuals = self.residuals if tensor_mode else _values(self.residuals)
        args = self.args_with(inputs)
        with _state.switched(grad_enabled=tensor_mode and _state.current().grad_enabled):
            # a cotangent with leading axes (jacrev's basis) is mapped over them: rules see one cotangent
            found = _map_leading(lambda c: self.op.backward(residuals, c, args, out_tree), batch, ct_tree, self.op.name)
        per_leaf = _argument_cotangents(found, self.arg_tree, self.op.name)
        result = []
        for p, x in zip(self.positions, inputs):
            c = per_leaf[p]
            shape = x.shape if isinstance(x, Tensor) else np.shape(x)
            if c is None:
                c = zeros(batch + tuple(shape), x.dtype, x)
            elif not tensor_mode and isinstance(c, Tensor):
                c = c.data if type(c) is Tensor else c
            result.append(c)
        return result


def _zeros_like(o: Any) -> Any:
    return wrap(zeros(o.shape, o.dtype, o)) if isinstance(o, Tensor) else None


def _values(tree: Any) -> Any:
    """Residuals for a first-order backward pass: plain Tensors cut from their graphs."""
    return tree_map(lambda r: r.detach() if type(r) is Tensor and r.requires_grad else r, tree)


def _argument_cotangents(found: Any, arg_tree: TreeDef, name: str) -> list:
    """The backward rule's result, one cotangent per argument leaf (None where it gave None)."""
    n_args = len(arg_tree.children)
    if not isinstance(found, (tuple, list)):
        found = (found,)
    if len(found) != n_args:
        raise InvalidArgumentError(
            f"{name}: the backward rule returned {len(found)} cotangent(s) for {n_args} argument(s); return a tuple "
            "with one per positional argument (None for an argument without one)"
        )
    leaves: list[Any] = []
    for child, c in zip(arg_tree.children, found):
        if c is None:
            leaves.extend([None] * child.num_leaves)
        elif child.is_leaf:
            leaves.append(c)
        else:
            leaves.extend(flatten_up_to(child, c, f"{name} backward rule", lenient=True))
    return leaves


def _node_vjp(i: int, g: Any, ans: Any, inputs: Sequence[Any], call: Call) -> Any:
    return call.cotangent(i, g, ans, tuple(inputs))


def _node_jvp(i: int, t: Any, ans: Any, inputs: Sequence[Any], call: Call) -> Any:
    """The output tangent from input ``i``'s tangent alone (linearize replays nodes with these)."""
    args = call.args_with(tuple(x if isinstance(x, Tensor) else wrap(as_array(x)) for x in inputs))
    leaves, _ = tree_flatten(args)
    tangents: list[Any] = [None] * len(leaves)
    tangents[call.positions[i]] = t
    out = call.op.tangent(args, tree_unflatten(call.arg_tree, tangents))
    pieces = [o for o in tree_flatten(out)[0]]
    return _pack(pieces, call, t.ndim - np.ndim(inputs[i]) if not isinstance(t, Tensor) else t.ndim - inputs[i].ndim)


def _pack(pieces: list, call: Call, nb: int) -> Any:
    """Per-output tangents as the node's one output: the only one, or the pieces flattened and joined."""
    from .primitives.shape import concatenate

    if not call.packing:
        return pieces[call._only()]
    parts = []
    for k, lo, hi, shape in call.packing:
        p = pieces[k]
        if p is None:
            p = wrap(zeros((hi - lo,), call.out_leaves[k].dtype, call.out_leaves[k]))
        elif not isinstance(p, Tensor):
            p = wrap(as_array(p))
        parts.append(p.reshape(p.shape[: p.ndim - len(shape)] + (hi - lo,)))
    if nb:
        batch = next((p.shape[:-1] for p in parts if p.ndim > 1), ())
        parts = [p if p.ndim > 1 else np.broadcast_to(p, batch + p.shape) for p in parts]
    return concatenate(parts, axis=-1)


# ---------------------------------------------------------- the application
def _differentiable(x: Any) -> bool:
    return isinstance(x, Tensor) and x.dtype.kind == "f"


def _outer_needs(x: Any) -> bool:
    """Whether a value wrapped by a BatchedTensor is differentiated or batched outside its vmap."""
    v = x.value
    return bool(v.requires_grad or v._tangents or isinstance(v, BatchedTensor))


def apply_custom(op: CustomOp, args: tuple) -> Any:
    """Apply a custom op to ``args`` (a tuple of pytrees), as ``apply`` applies a primitive."""
    from .custom_batching import LoopedOp, through_batch

    leaves, arg_tree = tree_flatten(args)
    state = _state.current()
    level = max((x.level for x in leaves if isinstance(x, BatchedTensor)), default=None)
    boundary = _boundary(level)
    fwd = sorted(
        {
            k
            for x in leaves
            if isinstance(x, Tensor) and x._tangents
            for k in x._tangents
            if k in state.fwd_levels and k > boundary
        }
    )
    inside_own_rule = _base(op) in _in_forward.ops  # f called inside its own fwd rule: the plain f
    if level is not None:
        ours = [x for x in leaves if isinstance(x, BatchedTensor) and x.level == level]
        needs_grad = state.grad_enabled and any(x.requires_grad for x in ours) and not inside_own_rule
        if not needs_grad and not fwd:
            return op.primal(*args) if inside_own_rule else through_batch(op, args, leaves, arg_tree, level)
        pushed = through_batch(op, args, leaves, arg_tree, level) if any(_outer_needs(x) for x in ours) else None
    else:
        needs_grad = state.grad_enabled and any(isinstance(x, Tensor) and x.requires_grad for x in leaves)
        needs_grad = needs_grad and not inside_own_rule
        pushed = None
        if not needs_grad and not fwd:
            return op.primal(*args)
    positions = [
        p
        for p, x in enumerate(leaves)
        if _differentiable(x) and (level is None or (isinstance(x, BatchedTensor) and x.level == level))
    ]
    stripped = tree_unflatten(arg_tree, [_strip_all(x, fwd) for x in leaves])
    try:
        call = Call(op, None, arg_tree, leaves, positions)
        out = _run(call, args, stripped, needs_grad)
    except BatchingError:
        if level is None:
            raise
        from .vmap import _FRAMES

        call = Call(LoopedOp(op, level, _FRAMES[level].size), None, arg_tree, leaves, positions)
        out = _run(call, args, stripped, needs_grad)
    out_leaves, out_tree = tree_flatten(out)
    if pushed is not None:  # the values come from the batched rules, for the transforms outside the vmap
        out_leaves = [_rewrap(o, p) for o, p in zip(out_leaves, tree_flatten(pushed)[0])]
    call.out_tree, call.out_leaves = out_tree, out_leaves
    results = _outputs(call, out_leaves, needs_grad, state)
    for k in fwd:
        _attach_tangents(call, results, leaves, arg_tree, k)
    return out_tree.unflatten(results)


class _InForward(threading.local):
    def __init__(self) -> None:
        self.ops: set[int] = set()


_in_forward = _InForward()


class forward_rule:
    """``with forward_rule(op):`` — f called inside its own fwd rule runs as the plain function (as in JAX)."""

    def __init__(self, op: CustomOp) -> None:
        self.key = _base(op)
        self.added = False

    def __enter__(self) -> None:
        self.added = self.key not in _in_forward.ops
        _in_forward.ops.add(self.key)

    def __exit__(self, *exc: Any) -> None:
        if self.added:
            _in_forward.ops.discard(self.key)


def _base(op: CustomOp) -> int:
    while isinstance(op, DerivedOp):
        op = op.op
    return id(op)


def _run(call: Call, args: tuple, stripped: tuple, needs_grad: bool) -> Any:
    """The op's value: by its forward rule (keeping residuals) when reverse mode needs them, else by f."""
    if needs_grad:
        out, call.residuals = call.op.forward(*args)
        return out
    with no_grad():
        return call.op.primal(*stripped)


def _boundary(level: int | None) -> int:
    if level is None:
        return -1
    from .vmap import _FRAMES

    return _FRAMES[level].fwd_boundary


def _strip_all(x: Any, levels: list[int]) -> Any:
    if not isinstance(x, Tensor) or not x._tangents or not levels:
        return x
    return _strip(x, min(levels))


def _rewrap(o: Any, pushed: Any) -> Any:
    if isinstance(o, BatchedTensor) and isinstance(pushed, BatchedTensor):
        return pushed
    return o


def _fresh(value: Tensor, node: Node | None) -> Tensor:
    """A new output tensor with ``value``'s values (batched like it) and ``node``."""
    if isinstance(value, BatchedTensor):
        return batched_like(value, node)
    return wrap(value.data, node)


def _outputs(call: Call, out_leaves: list, needs_grad: bool, state: Any) -> list:
    """The call's output leaves: new tensors for the differentiable ones, sharing one node when reverse mode needs it."""
    float_outs = [k for k, o in enumerate(out_leaves) if _differentiable(o)]
    results = list(out_leaves)
    if not float_outs:
        return results
    node = None
    inputs = tuple(call.arg_leaves[p] for p in call.positions)
    if needs_grad:
        node = Node(call.op.primitive(), inputs, {"call": call}, state.scope)
    if len(float_outs) == 1:
        k = float_outs[0]
        results[k] = _fresh(out_leaves[k], node)
        return results
    from .primitives.shape import concatenate

    lo = 0
    for k in float_outs:
        o = out_leaves[k]
        call.packing.append((k, lo, lo + o.size, o.shape))
        lo += o.size
    dtype = np.result_type(*(out_leaves[k].dtype for k in float_outs))
    with no_grad():
        packed = concatenate([out_leaves[k].reshape(-1).astype(dtype) for k in float_outs], axis=0)
    whole = _fresh(packed, node)
    for k, lo, hi, shape in call.packing:
        piece = whole[lo:hi].reshape(shape)
        results[k] = piece if piece.dtype == out_leaves[k].dtype else piece.astype(out_leaves[k].dtype)
    return results


def _attach_tangents(call: Call, results: list, leaves: list, arg_tree: TreeDef, level: int) -> None:
    """ẏ at forward level ``level`` from the op's tangent rule, set on the output tensors."""
    tangents = [tangent_of(x, level) for x in leaves]
    if all(t is None for t in tangents):
        return
    stripped = tree_unflatten(
        arg_tree, [_strip(x, level) if isinstance(x, Tensor) and x._tangents else x for x in leaves]
    )
    first = next(k for k, t in enumerate(tangents) if t is not None)
    lead = tuple(_shape(tangents[first]))[: _ndim(tangents[first]) - _ndim(leaves[first])]
    # tangents with leading axes (jacfwd's basis) are mapped over them: the rule sees one tangent
    found = _map_leading(
        lambda ts: call.op.tangent(stripped, tree_unflatten(arg_tree, ts)), lead, tangents, call.op.name
    )
    pieces = flatten_up_to(call.out_tree, found, f"{call.op.name} tangent rule", lenient=True, none_leaves=True)
    for k, t in enumerate(pieces):
        o = results[k]
        if t is None or not _differentiable(o):
            continue
        if not (isinstance(t, Tensor) and (t.requires_grad or t._tangents or isinstance(t, BatchedTensor))):
            t = asarray_on(t.data if isinstance(t, Tensor) else t, o.data, what=f"{call.op.name}: tangent")
        if t.dtype != o.dtype:
            t = t.astype(o.dtype)
        if o._tangents is None:
            o._tangents = {}
        o._tangents[level] = t


# ------------------------------------------------------------- helpers
def _as_output(o: Any) -> Any:
    """A forward's array or number result as a Tensor (numpy scalars included)."""
    if isinstance(o, (np.ndarray, np.generic, float)) and not isinstance(o, (bool, np.bool_)):
        return wrap(np.asarray(o))
    if is_backend_array(o):  # a CuPy array, ...: a Tensor on its device
        return wrap(o)
    return o


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(x.shape if isinstance(x, Tensor) else np.shape(x))


def _map_leading(fn: Callable[[Any], Any], lead: tuple[int, ...], batched: Any, name: str) -> Any:
    """``fn(b)`` for each index of the leading axes ``lead`` of the array leaves of ``batched``, stacked back.

    Rules written for one tangent or cotangent thus serve jacfwd's and
    jacrev's batches of them (by ``vmap``, or a loop if the rule reads values).
    """
    if not lead:
        return fn(batched)
    n = math.prod(lead)
    k = len(lead)
    flat = tree_map(lambda x: x.reshape((n,) + _shape(x)[k:]) if _is_array(x) else x, batched)
    axes = tree_map(lambda x: 0 if _is_array(x) else None, flat)
    from .vmap import vmap_call

    try:
        out = vmap_call(fn, (axes,), 0, n, (flat,), keep_static=True)
    except BatchingError:
        from .custom_batching import loop

        out = loop(fn, (axes,), 0, (flat,), n, name)
    return tree_map(lambda y: y.reshape(lead + y.shape[1:]) if isinstance(y, Tensor) else y, out)


def _is_array(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray)) or is_backend_array(x)


def _ndim(x: Any) -> int:
    return x.ndim if isinstance(x, Tensor) else np.ndim(x)


# ------------------------------------------------------ transposing rules
def _ones_for(x: Tensor) -> Tensor:
    """Ones shaped like ``x`` (a BatchedTensor's are of its level, shared by the batch)."""
    if isinstance(x, BatchedTensor):
        return make_batched(wrap(ones(x.shape, x.dtype, x)), x.level, False)
    return wrap(ones(x.shape, x.dtype, x))


def _transpose(rule: Callable[[list], list], like: list[Tensor], cotangents: list, what: str) -> list[Any]:
    """The transpose of the linear map u ↦ rule(u) applied to ``cotangents`` (one per entry of rule's result).

    ``u`` is a list shaped like ``like``; ``rule`` returns a list whose None
    entries are zero. Cotangents may carry leading batch axes (all the same).
    Returns one result per entry of ``like`` (None where nothing arrived).
    """
    from .backward import run_backward
    from .functional import _create_graph, variable

    # a linear map has the same transpose everywhere; at ones, a rule that leaves the library shows (nonzero, unconnected)
    variables = [variable(_ones_for(x)) for x in like]
    leaves_library = GradientError(
        f"{what} does not depend on its input through library operations: write it with library operations "
        "(not on .data or numpy arrays) so it can be transposed"
    )
    with enable_grad():
        try:
            found = rule(list(variables))
        except ArgumentTypeError as err:  # np.asarray of a tensor that requires grad: it left the library
            raise leaves_library from err
    pairs = [(o, cotangents[k]) for k, o in enumerate(found) if o is not None and cotangents[k] is not None]
    pairs = [(o if isinstance(o, Tensor) else wrap(as_array(o)), c) for o, c in pairs]
    roots = [(o, c) for o, c in pairs if o.requires_grad]
    if not roots:
        if all(_is_zero(o) for o, _ in pairs):
            return [None] * len(like)
        raise leaves_library
    lead = tuple(np.shape(roots[0][1]) if not isinstance(roots[0][1], Tensor) else roots[0][1].shape)
    lead = lead[: len(lead) - roots[0][0].ndim]
    seeds = []
    for o, c in roots:
        shape = c.shape if isinstance(c, Tensor) else np.shape(c)
        if tuple(shape) != lead + o.shape:
            c = np.broadcast_to(c, lead + o.shape)
        seeds.append(c if isinstance(c, Tensor) else asarray_on(c, o.data, o.dtype, f"{what}: cotangent"))
    return run_backward([o for o, _ in roots], seeds, inputs=variables, accumulate=False, create_graph=_create_graph())


def _is_zero(o: Any) -> bool:
    if isinstance(o, BatchedTensor):
        return False
    return isinstance(o, Tensor) and not decide(np.any(o.data))
