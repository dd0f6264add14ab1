"""Reverse mode: walk the graph once in reverse topological order.

x̄ = Σ over every use of x of VJP_use(ȳ). Nodes are taken from a heap,
latest-made first, which needs no separate sort and no recursion (a
million-op chain is fine); gradients wait in a dict keyed by tensor identity
until all their contributions are in. ``topological_order`` (an iterative
depth-first search) serves the passes that must know the graph up front.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _state
from .errors import GradientError, GraphFreedError, InplaceModificationError, ShapeError
from .primitive import sum_to
from .tensor import Tensor, wrap

FREED_MESSAGE = (
    "backward through a graph a second time: an earlier backward() released the values "
    "this graph saved; pass retain_graph=True to the first backward() (or recompute the "
    "forward pass) to backpropagate through it again"
)


class Observer:
    """Receives each step of a backward pass (used by the backprop trace); every method is optional."""

    def node(self, t: Tensor, g: Any) -> None:
        """``t``'s gradient is complete (``g``) and its node's VJPs are about to run."""

    def edge(self, t: Tensor, index: int, x: Tensor, raw: Any, g: Any) -> None:
        """The VJP for input ``index`` of ``t``'s node gave ``raw``, summed to ``x``'s shape as ``g``."""

    def accumulate(self, x: Tensor, before: Any, added: Any) -> None:
        """``x`` received another contribution ``added`` on top of ``before``."""

    def leaf(self, t: Tensor, g: Any) -> None:
        """The leaf ``t`` received its total gradient ``g``."""


def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor reachable from ``roots`` through recorded nodes, each after all of its inputs."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[Any] = list(roots)
    expanded = object()  # marker: the tensor below it has had its inputs pushed
    while stack:
        t = stack.pop()
        if t is expanded:
            order.append(stack.pop())
            continue
        if id(t) in visited:
            continue
        visited.add(id(t))
        stack.append(t)
        stack.append(expanded)
        node = t._node
        if node is not None:
            inputs = node.inputs
            if inputs is None:
                raise GraphFreedError(FREED_MESSAGE)
            for x in inputs:
                if isinstance(x, Tensor) and x.requires_grad and id(x) not in visited:
                    stack.append(x)
    return order


def _leading_to(order: list[Tensor], targets: set[int]) -> set[int]:
    """Ids of the tensors in ``order`` from which some target can be reached (targets included)."""
    reach = set(targets)
    for t in order:
        node = t._node
        if node is not None and id(t) not in reach and node.inputs is not None:
            for x in node.inputs:
                if id(x) in reach:
                    reach.add(id(t))
                    break
    return reach


def _reaches_beyond(order: list[Tensor], wanted: set[int]) -> bool:
    """Whether the graph holds differentiable tensors other than the fresh leaves in ``wanted``."""
    for t in order:
        if (t._node is None) != (id(t) in wanted):
            return True
    return False


def _modified(x: Tensor, node: Any) -> InplaceModificationError:
    return InplaceModificationError(
        f"a tensor of shape {x.shape} needed to backpropagate through {node.op.name} was "
        "modified in place after it was used; make a copy before writing to it, or do the "
        "write before the forward computation that reads it"
    )


def _as_array(g: Any) -> np.ndarray:
    return g if type(g) is np.ndarray else np.asarray(g)


class _LeafStore:
    """Writes leaf gradients, owning each array it stores (never aliasing another leaf's)."""

    def __init__(self, tensor_mode: bool) -> None:
        self.tensor_mode = tensor_mode
        self.stored: set[int] = set()

    def add(self, t: Tensor, g: Any) -> None:
        if self.tensor_mode:
            g = g if isinstance(g, Tensor) else wrap(np.asarray(g))
            if t.grad is not None:
                t.grad = t.grad + g
                return
            if g.data.base is not None or not g.data.flags.writeable or id(g) in self.stored:
                g = g.astype(g.dtype)  # a differentiable copy this leaf owns
            self.stored.add(id(g))
            t.grad = g
            return
        if t.grad is not None:
            t.grad = wrap(t.grad.data + g)
            return
        if g.base is not None or not g.flags.writeable or id(g) in self.stored:
            g = np.array(g)
        self.stored.add(id(g))
        t.grad = wrap(g)


def _run_hooks(t: Tensor, g: Any, tensor_mode: bool) -> Any:
    """Run ``t``'s hooks; a gradient a hook returns is copied, since the hook's caller may keep it."""
    for fn in list(t._hooks):
        out = fn(g if tensor_mode else wrap(g))
        if out is not None:
            if tensor_mode:
                out = out if isinstance(out, Tensor) else wrap(np.asarray(out))
                replaced = out.astype(out.dtype)  # a differentiable copy
            else:
                replaced = np.array(out.data if isinstance(out, Tensor) else out, dtype=g.dtype)
            if replaced.shape != g.shape:
                raise ShapeError(
                    f"a hook returned a gradient of shape {replaced.shape} for a tensor whose gradient has shape {g.shape}"
                )
            g = replaced
    return g


def _count(prim: Any, ans: Any, args: list, params: dict, batch: tuple[int, ...]) -> None:
    flops = prim.flops(ans, *args, **params) * max(1, int(np.prod(batch)))
    for meter in _state.counters:
        meter.add(prim.name + ".vjp", flops)


def run_backward(
    roots: Sequence[Tensor],
    seeds: Sequence[Any],
    *,
    retain_graph: bool = False,
    create_graph: bool | None = False,
    accumulate: bool = True,
    inputs: Sequence[Tensor] | None = None,
    observer: Observer | None = None,
    hooks: bool = True,
) -> list[Any] | None:
    """Backpropagate ``seeds`` (one per root, possibly with leading batch axes).

    Nodes are visited latest-made first (a heap on ``Node.seq``), which is a
    reverse topological order: each tensor's gradient is complete when its
    node's VJPs run. With ``accumulate`` the leaves' ``.grad`` receive their
    gradients; with ``inputs`` the gradients arriving at those tensors are
    returned instead (None where nothing arrived) and only paths leading to
    them are walked. Rules run on arrays unless the backward pass must itself
    be differentiable (``create_graph`` or an active forward-mode level), then
    on Tensors. ``create_graph=None`` decides by itself: the result is recorded
    when grad mode is on and it depends on more than the ``inputs`` themselves
    (captured parameters, or inputs that an outer transform differentiates).
    ``hooks=False`` skips tensor hooks (a replay that must not have effects).
    """
    wanted = relevant = None
    if inputs is not None:
        order = topological_order(roots)
        wanted = {id(x) for x in inputs}
        relevant = _leading_to(order, wanted)
        if create_graph is None:
            create_graph = _state.grad_enabled and _reaches_beyond(order, wanted)
    retain_graph = retain_graph or bool(create_graph)
    tensor_mode = bool(create_graph) or bool(_state.fwd_levels)
    batch = tuple(seeds[0].shape[: seeds[0].ndim - roots[0].ndim])

    pending: dict[int, Any] = {}  # gradients still collecting contributions
    heap: list[tuple[int, int, Tensor]] = []
    leaves: list[Tensor] = []
    for r, s in zip(roots, seeds):
        if tensor_mode and not isinstance(s, Tensor):
            s = wrap(_as_array(s))
        elif not tensor_mode and isinstance(s, Tensor):
            s = s.data
        k = id(r)
        if k in pending:
            pending[k] = pending[k] + s
        else:
            pending[k] = s
            if r._node is None:
                leaves.append(r)
            else:
                heapq.heappush(heap, (-r._node.seq, k, r))

    results: dict[int, Any] = {}
    store = _LeafStore(tensor_mode)
    counting = bool(_state.counters) and not tensor_mode
    anomaly = _state.anomaly
    previous_mode = _state.grad_enabled
    _state.grad_enabled = bool(create_graph)
    try:
        while heap:
            _, k, t = heapq.heappop(heap)
            g = pending.pop(k)
            if hooks and t._hooks:
                g = _run_hooks(t, g, tensor_mode)
            if wanted is not None and k in wanted:
                results[k] = g
            if accumulate and t._retain:
                store.add(t, g)
            node = t._node
            node_inputs = node.inputs
            if node_inputs is None:
                raise GraphFreedError(FREED_MESSAGE)
            stamp = node.stamp
            if t._writes is not None and t._writes[0] > stamp:
                raise _modified(t, node)
            args = []
            for x in node_inputs:
                if isinstance(x, Tensor):
                    if x._writes is not None and x._writes[0] > stamp:
                        raise _modified(x, node)
                    args.append(x.data)
                else:
                    args.append(x)
            if tensor_mode:
                ans, args = t, node_inputs
            else:
                ans = t.data
            if observer is not None:
                observer.node(t, g)
            prim, params, vjps = node.op, node.params, node.op.vjps
            for i, x in enumerate(node_inputs):
                if not isinstance(x, Tensor) or not x.requires_grad:
                    continue
                if relevant is not None and id(x) not in relevant:
                    continue
                rule = vjps[i]
                if rule is None:
                    continue
                raw = rule(g, ans, *args, **params) if params else rule(g, ans, *args)
                gx = raw if tensor_mode or type(raw) is np.ndarray else np.asarray(raw)
                shape = x.data.shape
                if gx.shape != (batch + shape if batch else shape):
                    gx = sum_to(gx, shape, batch)
                if gx.dtype != x.data.dtype:
                    gx = gx.astype(x.data.dtype)
                if counting:
                    _count(prim, ans, args, params, batch)
                if anomaly:
                    from .anomaly import check_backward

                    check_backward(node, i, gx)
                if observer is not None:
                    observer.edge(t, i, x, raw, gx)
                kx = id(x)
                before = pending.get(kx)
                if before is None:
                    pending[kx] = gx
                    if x._node is None:
                        leaves.append(x)
                    else:
                        heapq.heappush(heap, (-x._node.seq, kx, x))
                else:
                    if observer is not None:
                        observer.accumulate(x, before, gx)
                    pending[kx] = before + gx
            if not retain_graph:
                node.release(g)
        for t in leaves:
            g = pending.pop(id(t))
            if hooks and t._hooks:
                g = _run_hooks(t, g, tensor_mode)
            if wanted is not None and id(t) in wanted:
                results[id(t)] = g
            if accumulate:
                store.add(t, g)
            if observer is not None:
                observer.leaf(t, g)
    finally:
        _state.grad_enabled = previous_mode
    if inputs is None:
        return None
    return [results.get(id(x)) for x in inputs]


def seed_for(root: Tensor, gradient: Any, create_graph: bool) -> Any:
    """The output cotangent ȳ that starts a backward pass from ``root``."""
    if gradient is None:
        if root.data.size != 1:
            raise GradientError(
                f"a backward pass from a non-scalar tensor of shape {root.shape} needs a seed gradient: "
                f"pass gradient= an array of shape {root.shape} (ones to sum the outputs), or reduce "
                "the tensor to a scalar first (e.g. y.sum().backward())"
            )
        return np.ones(root.shape, dtype=root.dtype)
    if isinstance(gradient, Tensor):
        if gradient.shape != root.shape:
            raise ShapeError(
                f"backward: gradient of shape {gradient.shape} does not match the tensor's shape {root.shape}"
            )
        # a copy either way: the caller keeps the seed, and it may end up as a leaf's .grad
        return gradient.astype(root.dtype) if create_graph else np.array(gradient.data, dtype=root.dtype)
    seed = np.array(gradient, dtype=root.dtype)
    if seed.shape != root.shape:
        raise ShapeError(f"backward: gradient of shape {seed.shape} does not match the tensor's shape {root.shape}")
    return seed


def backward(root: Tensor, gradient: Any = None, retain_graph: bool = False, create_graph: bool = False) -> None:
    """``root.backward()``: accumulate d(root)/d(leaf)·gradient into every leaf's ``.grad``."""
    if not root.requires_grad:
        raise GradientError(
            "backward() on a tensor that does not require grad: none of the tensors it was "
            "computed from has requires_grad=True (create the leaves with requires_grad=True, "
            "and do not compute them under no_grad())"
        )
    seed = seed_for(root, gradient, create_graph)
    run_backward([root], [seed], retain_graph=retain_graph or create_graph, create_graph=create_graph)
