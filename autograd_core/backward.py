"""Reverse mode: the chain rule, applied once per node, latest-made node first.

x̄ = Σ over every use of x of VJP_use(ȳ). ``run_backward`` is the loop; it
reads like micrograd's ``backward``:

    while heap:                                  # latest-made first, no recursion
        t = heappop(heap)[2]
        g = pending.pop(id(t))                   # ȳ, already summed over every use of t
        ...
        for i, x in enumerate(node.inputs):
            if needs_gradient(x):
                contribution = node.op.vjps[i](g, ans, *args, **node.params)
                deliver(x, contribution)         # first stored, later ones added

Everything else lives in named helpers around it: which nodes to walk
(``_plan``), the pending gradients and their order (``Gradients``), hooks,
the leaf store, and the observers — op counting, anomaly checks and the
backprop trace plug in through one interface, ``Observer``."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np

from . import _state
from .backend import as_array, check_same_device, device_of, ones
from .backend import copy as copy_array
from .broadcasting import sum_to
from .errors import GradientError, GraphFreedError, InplaceModificationError, ShapeError
from .node import latest_write
from .registry import ArgnumRules
from .tensor import Tensor, to_array, wrap

FREED_MESSAGE = (
    "backward through a graph a second time: an earlier backward() released the values "
    "this graph saved; pass retain_graph=True to the first backward() (or recompute the "
    "forward pass) to backpropagate through it again"
)


class Observer:
    """Receives each step of a backward pass; every method is optional.

    >>> class Leaves(ag.Observer):
    ...     def leaf(self, t, g):
    ...         print(t.name, g)
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    >>> loss = (w * w).sum()
    >>> ag.run_backward([loss], [ag.ones(())], observer=Leaves())
    w [2. 4.]
    """

    def begin(self, roots: Sequence[Tensor], seeds: Sequence[Any], accumulate: bool) -> None:
        """A backward pass starts from ``roots`` with cotangents ``seeds``; ``accumulate``: ``.grad`` is written."""

    def node(self, t: Tensor, g: Any) -> None:
        """``t``'s gradient is complete (``g``) and its node's VJPs are about to run."""

    def edge(self, t: Tensor, index: int, x: Tensor, raw: Any, g: Any) -> None:
        """The VJP for input ``index`` of ``t``'s node gave ``raw``, summed to ``x``'s shape as ``g``."""

    def accumulate(self, x: Tensor, before: Any, added: Any) -> None:
        """``x`` received another contribution ``added`` on top of ``before``."""

    def leaf(self, t: Tensor, g: Any) -> None:
        """The leaf ``t`` received its total gradient ``g``."""


class _CountRules(Observer):
    """``count_ops()``: one application of ``op.vjp`` per edge, its primitive's flops per vector carried."""

    def __init__(self, meters: tuple, batch: tuple[int, ...]) -> None:
        self.meters = meters
        self.vectors = max(1, int(np.prod(batch)))

    def edge(self, t: Tensor, index: int, x: Tensor, raw: Any, g: Any) -> None:
        node = t._node
        args = [a.data if isinstance(a, Tensor) else a for a in node.inputs]
        flops = node.op.flops(t.data, *args, **node.params) * self.vectors
        for meter in self.meters:
            meter.add(node.op.name + ".vjp", flops)


class _CheckAnomalies(Observer):
    """``detect_anomaly()``: the first VJP that produces NaN or inf raises, naming the op and its line."""

    def edge(self, t: Tensor, index: int, x: Tensor, raw: Any, g: Any) -> None:
        from .anomaly import check_backward

        check_backward(t._node, index, g)


def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor reachable from ``roots`` through recorded nodes, each after all of its inputs.

    >>> a = ag.tensor(2.0, requires_grad=True, name="a")
    >>> b = ag.tensor(3.0, requires_grad=True, name="b")
    >>> c = a * b
    >>> c.name = "c"
    >>> L = c + a
    >>> L.name = "L"
    >>> [t.name for t in ag.topological_order([L])]
    ['a', 'b', 'c', 'L']
    """
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
            if node.inputs is None:
                raise GraphFreedError(FREED_MESSAGE)
            for x in node.inputs:
                if isinstance(x, Tensor) and x.requires_grad and id(x) not in visited:
                    stack.append(x)
    return order


def _plan(roots: Sequence[Tensor], inputs: Sequence[Tensor], create_graph: bool | None) -> tuple[set[int], bool]:
    """For ``inputs=``: the tensors on some path to an input, and whether the result must be differentiable.

    ``create_graph=None`` decides: record the backward pass when grad mode is
    on and the graph holds differentiable tensors other than the fresh leaves
    asked for (captured parameters, or inputs an outer transform differentiates).
    """
    order = topological_order(roots)
    wanted = {id(x) for x in inputs}
    relevant = set(wanted)
    for t in order:
        node = t._node
        if node is not None and id(t) not in relevant:
            for x in node.inputs:
                if id(x) in relevant:
                    relevant.add(id(t))
                    break
    if create_graph is None:
        beyond = any((t._node is None) != (id(t) in wanted) for t in order)
        create_graph = _state.current().grad_enabled and beyond
    return relevant, bool(create_graph)


class Gradients:
    """Gradients still collecting contributions, and the order in which they complete.

    ``pending`` maps a tensor's id to its gradient so far; ``heap`` orders the
    tensors waiting for theirs. A tensor with a node is keyed by ``-seq``
    (latest-made first: no later node can add to its gradient once it is
    popped); a leaf by how many leaves came before it (positive, so leaves come
    after every node, in the order they were reached).
    """

    __slots__ = ("batch", "tensor_mode", "observers", "pending", "heap", "leaves", "sums")

    def __init__(self, batch: tuple[int, ...], tensor_mode: bool, observers: tuple) -> None:
        self.batch = batch
        self.tensor_mode = tensor_mode
        self.observers = observers
        # in-place sums only where no one else may hold the arrays (observers see each contribution)
        self.sums = _Sums() if not tensor_mode and not observers else None
        self.pending: dict[int, Any] = {}
        self.heap: list[tuple[int, int, Tensor]] = []
        self.leaves = 0

    def deliver(self, x: Tensor, raw: Any, t: Tensor | None = None, i: int = -1) -> None:
        """Add a contribution to ``x``'s gradient: the first is stored, later ones added.

        ``raw`` is un-broadcast to ``x``'s shape and cast to its dtype; ``t`` and
        ``i`` name the node output and input whose VJP produced it (None for a seed).
        """
        gx = raw if type(raw) is np.ndarray or self.tensor_mode else as_array(raw)
        data, batch = x.data, self.batch
        if gx.shape != (batch + data.shape if batch else data.shape):
            gx = sum_to(gx, data.shape, batch)
        if gx.dtype is not data.dtype and gx.dtype != data.dtype:  # (`is`: the common case costs no comparison)
            gx = gx.astype(data.dtype)
        if self.observers and t is not None:
            for observer in self.observers:
                observer.edge(t, i, x, raw, gx)
        k, pending = id(x), self.pending
        before = pending.get(k)
        if before is None:
            pending[k] = gx
            node = x._node
            if node is None:
                self.leaves += 1
                heappush(self.heap, (self.leaves, k, x))
            else:
                heappush(self.heap, (-node.seq, k, x))
        else:
            for observer in self.observers:
                observer.accumulate(x, before, gx)
            pending[k] = before + gx if self.sums is None else self.sums.add(k, before, gx)


def _check_unwritten(t: Tensor, node: Any) -> None:
    """Raise if ``t`` or a tensor ``node`` saved was written in place after the node was made."""
    seq = node.seq
    for x in (t, *node.inputs):
        if isinstance(x, Tensor) and x._writes is not None and x._writes[0] > seq:
            raise _modified(x, node)


def _modified(x: Tensor, node: Any) -> InplaceModificationError:
    return InplaceModificationError(
        f"a tensor of shape {x.shape} needed to backpropagate through {node.op.name} was "
        "modified in place after it was used (an optimizer step, load_state_dict, an init_ "
        "function or a write of your own); make a copy before writing to it, or run the "
        "forward pass again after the write"
    )


class _Sums:
    """Sums of several contributions to one gradient, made in place once the pass owns the array.

    x̄ = Σ contributions. The first two are added into a new array, which no
    one else has seen; later ones are added into that array instead of
    making another (a weight shared by n uses costs one array, not n − 1).
    Arrays are remembered weakly and per tensor, so an array that has left
    ``pending`` (handed to rules, which may pass it on) is never written.
    """

    __slots__ = ("made",)

    def __init__(self) -> None:
        self.made: weakref.WeakValueDictionary[int, np.ndarray] | None = None  # made on first use

    def add(self, k: int, before: Any, gx: Any) -> Any:
        """``before + gx`` for the gradient of the tensor with id ``k`` (arrays only)."""
        made = self.made
        if made is not None and made.get(k) is before and before.shape == gx.shape:
            np.add(before, gx, out=before, casting="same_kind")
            return before
        total = before + gx
        if type(total) is np.ndarray:
            if made is None:
                made = self.made = weakref.WeakValueDictionary()
            made[k] = total
        return total


def accumulate_grad(grad: Tensor, g: np.ndarray) -> Tensor:
    """``grad + g`` for a ``.grad`` that already holds a gradient, in its own array where possible.

    As PyTorch's first-order backward does, the sum is written into the
    existing gradient array (no new array: a loop that calls ``backward()``
    several times before ``step()``, or zeroes gradients with
    ``zero_grad(set_to_none=False)``, reuses one array per parameter), and
    the gradient tensor's version counter records the write. A new tensor is
    made instead when the stored gradient is part of a graph (from
    ``create_graph=True``), read-only, or of another shape or dtype.
    """
    a = grad.data
    if grad.requires_grad or not a.flags.writeable or a.shape != g.shape or a.dtype != g.dtype:
        return wrap(a + g)
    np.add(a, g, out=a)
    grad._mark_written()
    return grad


class _LeafStore:
    """Writes ``.grad``, owning each array it stores (never aliasing another tensor's).

    An array this pass handed to the tensor's hooks, which may keep it, is
    copied before it becomes ``.grad``: a later ``backward()`` adds into
    ``.grad`` in place (``accumulate_grad``) and must not change what a hook kept.
    """

    def __init__(self, tensor_mode: bool) -> None:
        self.tensor_mode = tensor_mode
        self.stored: set[int] = set()

    def add(self, t: Tensor, g: Any) -> None:
        if self.tensor_mode:
            g = g if isinstance(g, Tensor) else wrap(as_array(g))
            if t.grad is not None:
                t.grad = t.grad + g
                return
            if g.data.base is not None or not g.data.flags.writeable or id(g) in self.stored:
                g = g.astype(g.dtype)  # a differentiable copy this tensor owns
            self.stored.add(id(g))
            t.grad = g
            return
        if t.grad is not None:
            t.grad = accumulate_grad(t.grad, g)
            return
        if g.base is not None or not g.flags.writeable or id(g) in self.stored or t._hooks:
            g = np.array(g) if type(g) is np.ndarray else copy_array(g)
        self.stored.add(id(g))
        t.grad = wrap(g)


def run_hooks(t: Tensor, g: Any, tensor_mode: bool) -> Any:
    """Run ``t``'s hooks; a gradient a hook returns is copied, since the hook's caller may keep it."""
    for fn in list(t._hooks):
        out = fn(g if tensor_mode else wrap(g))
        if out is not None:
            if tensor_mode:
                out = out if isinstance(out, Tensor) else wrap(as_array(out))
                replaced = out.astype(out.dtype)  # a differentiable copy
            else:
                replaced = as_array(out.data if isinstance(out, Tensor) else out).astype(g.dtype)
            if replaced.shape != g.shape:
                raise ShapeError(
                    f"a hook returned a gradient of shape {replaced.shape} for a tensor whose gradient has shape {g.shape}"
                )
            g = replaced
    return g


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

    With ``accumulate`` the leaves' (and retained tensors') ``.grad`` receive
    their gradients; with ``inputs`` the gradients arriving at those tensors
    are returned instead (None where nothing arrived) and only paths leading to
    them are walked. Rules run on arrays unless the backward pass must itself
    be differentiable (``create_graph``, or an open forward-mode level) or
    batched (inside ``vmap``), then on Tensors. ``hooks=False`` skips tensor
    hooks (a replay without effects).

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * x
    >>> ag.run_backward([y], [np.array([1.0, 1.0])], inputs=[x], accumulate=False, retain_graph=True)  # returned
    [array([2., 4.])]
    >>> print(x.grad)  # not accumulated
    None
    >>> ag.run_backward([y], [np.array([1.0, 0.5])])  # seeds ȳ = (1, ½): .grad = 2x·ȳ
    >>> x.grad
    tensor([2., 2.])
    """
    state = _state.current()
    relevant = wanted = None
    if inputs is not None:
        relevant, create_graph = _plan(roots, inputs, create_graph)
        wanted = {id(x) for x in inputs}
    create_graph = bool(create_graph)
    retain_graph = retain_graph or create_graph
    tensor_mode = create_graph or bool(state.fwd_levels) or bool(state.batch_levels)  # vmap batches the rules
    batch = _batch_of(seeds[0], roots[0])
    observers = _observers(state, observer, batch, tensor_mode)
    gradients = Gradients(batch, tensor_mode, observers)
    seeds = [_in_mode(seed, tensor_mode) for seed in seeds]
    for obs in observers:
        begin = getattr(obs, "begin", None)
        if begin is not None:
            begin(roots, seeds, accumulate)
    for root, seed in zip(roots, seeds):
        gradients.deliver(root, seed)
    results: dict[int, Any] = {}
    store = _LeafStore(tensor_mode)

    heap, pending, deliver = gradients.heap, gradients.pending, gradients.deliver
    with _state.switched(grad_enabled=create_graph):
        while heap:
            t = heappop(heap)[2]  # latest-made first, leaves last: no node left can add to t's gradient
            g = pending.pop(id(t))  # ȳ, summed over every use of t
            if hooks and t._hooks:
                g = run_hooks(t, g, tensor_mode)
            if wanted is not None and id(t) in wanted:
                results[id(t)] = g
            node = t._node
            if accumulate and (node is None or t._retain):
                store.add(t, g)
            if node is None:
                for obs in observers:
                    obs.leaf(t, g)
                continue
            if node.inputs is None:
                raise GraphFreedError(FREED_MESSAGE)
            if latest_write[0] > node.seq:  # some tensor was written in place after this node was made
                _check_unwritten(t, node)
            ans, args = (t, node.inputs) if tensor_mode else (t.data, node.arrays)  # the values the node saved
            for obs in observers:
                obs.node(t, g)
            vjps, params = node.op.vjps, node.params
            variadic = type(vjps) is ArgnumRules  # one rule, all inputs passed as one list: O(n), not O(n²)
            for i, x in enumerate(node.inputs):
                # a gradient must reach x: a Tensor that requires grad, on a path to a wanted input
                if isinstance(x, Tensor) and x.requires_grad and (variadic or vjps[i] is not None):
                    if relevant is None or id(x) in relevant:
                        # the primitive's own rule, x̄ = ȳ·∂y/∂x
                        if variadic:
                            contribution = vjps.call(i, g, ans, args, params)
                        elif params:
                            contribution = vjps[i](g, ans, *args, **params)
                        elif len(args) == 2:  # direct calls for one and two operands: no argument packing
                            contribution = vjps[i](g, ans, args[0], args[1])
                        elif len(args) == 1:
                            contribution = vjps[i](g, ans, args[0])
                        else:
                            contribution = vjps[i](g, ans, *args)
                        deliver(x, contribution, t, i)  # first stored, later ones added
            if not retain_graph:
                node.release(g)
    if inputs is None:
        return None
    return [results.get(id(x)) for x in inputs]


def _batch_of(seed: Any, root: Tensor) -> tuple[int, ...]:
    """The leading batch axes a seed carries beyond its root's shape (basis vectors of ``jacrev``)."""
    shape = np.shape(seed)
    return tuple(shape[: len(shape) - root.ndim])


def _in_mode(seed: Any, tensor_mode: bool) -> Any:
    if tensor_mode:
        return seed if isinstance(seed, Tensor) else wrap(as_array(seed))
    return seed.data if isinstance(seed, Tensor) else as_array(seed)


def _observers(state: Any, observer: Observer | None, batch: tuple[int, ...], tensor_mode: bool) -> tuple:
    found: list[Observer] = []
    if state.counters and not tensor_mode:
        found.append(_CountRules(state.counters, batch))
    if state.anomaly:
        found.append(_CheckAnomalies())
    if observer is not None:
        found.append(observer)
    if state.observers:
        found += [obs for obs in state.observers if getattr(obs, "watches_backward", False)]
    return tuple(found)


def seed_for(root: Tensor, gradient: Any, create_graph: bool) -> Any:
    """The output cotangent ȳ that starts a backward pass from ``root``."""
    if gradient is None:
        if root.data.size != 1:
            raise GradientError(
                f"a backward pass from a non-scalar tensor of shape {root.shape} needs a seed gradient: "
                f"pass gradient= an array of shape {root.shape} (ones to sum the outputs), or reduce "
                "the tensor to a scalar first (e.g. y.sum().backward())"
            )
        if type(root.data) is not np.ndarray:
            return ones(root.shape, root.dtype, root.data)
        return np.ones(root.shape, dtype=root.dtype)
    if isinstance(gradient, Tensor):
        if gradient.shape != root.shape:
            raise ShapeError(
                f"backward: gradient of shape {gradient.shape} does not match the tensor's shape {root.shape}"
            )
        # a copy either way: the caller keeps the seed, and it may end up as a leaf's .grad
        check_same_device("backward", root.data, gradient.data)
        return gradient.astype(root.dtype) if create_graph else gradient.data.astype(root.dtype)
    seed = to_array(gradient, root.dtype, "backward: gradient")  # None, strings, ragged lists: library errors
    if type(root.data) is not np.ndarray and type(seed) is np.ndarray:
        if isinstance(gradient, np.ndarray) and gradient.ndim:  # a 0-d array is a number, as in operations
            check_same_device("backward", root.data, seed)
        seed = to_array(seed, device=device_of(root.data))  # a Python list or number: made where the root lives
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
