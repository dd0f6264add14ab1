"""``kept_graph``: a live copy of a graph that backward released, rebuilt from what its nodes kept.

After ``loss.backward()`` every node has let go of its inputs (``Node.release``)
but kept small values, its output's gradient, and records of large arrays. This
module turns that back into a graph of new Tensors and Nodes (same ops,
parameters and module scopes, in the same creation order), so that tools which
read graphs — pictures, traces — work after backward as before it. Leaves that
are still alive (a model's parameters) take part as themselves; a value that
was not kept (a large array) is stood in for by a zero-stride placeholder of the
right shape and dtype, listed in ``missing``. Rebuilding copies no array.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import GraphFreedError
from .node import Node
from .released import ReleasedArray, ReleasedTensor
from .tensor import Tensor, wrap

NOT_KEPT_MESSAGE = (
    "this graph was released by a backward() that kept nothing of it; pass retain_graph=True to "
    "backward(), or use the graph before backward()"
)


@dataclass
class KeptGraph:
    """A released graph rebuilt: ``root`` is the new root tensor; every other field is keyed by ``id()`` of a new object.

    ``tensors`` lists the tensors in the order the forward pass made them
    (inputs first). ``originals`` maps each rebuilt tensor to what it stands
    for: the original Tensor when the node kept it, else its
    ``ReleasedTensor`` record. ``missing`` maps each placeholder (a rebuilt
    tensor, or a constant array) whose value was not kept to the record of
    that value. ``grads`` holds the gradient backward computed for each
    tensor: a node's ``kept_grad``, or a live leaf's ``.grad``.

    >>> x = ag.tensor(np.arange(1000.0), requires_grad=True)
    >>> loss = ag.tanh(x * 0.001).sum()
    >>> loss.backward()  # large intermediates are released, only their shapes kept
    >>> kept = ag.kept_graph(loss)
    >>> type(kept).__name__, len(kept.tensors)
    ('KeptGraph', 4)
    >>> sorted(repr(r) for r in kept.missing.values())
    ['<ReleasedArray shape=(1000,) dtype=float64>', '<ReleasedArray shape=(1000,) dtype=float64>']
    """

    root: Tensor
    tensors: list[Tensor] = field(default_factory=list)
    originals: dict[int, Any] = field(default_factory=dict)
    missing: dict[int, ReleasedArray] = field(default_factory=dict)
    grads: dict[int, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether every value was kept, so the rebuilt graph computes exactly what the original did."""
        return not self.missing


def node_inputs(node: Node) -> tuple:
    """The inputs of ``node``: its live ``inputs``, or what it kept when backward released it."""
    if node.inputs is not None:
        return node.inputs
    kept = node.kept_inputs
    if kept is None:
        raise GraphFreedError(NOT_KEPT_MESSAGE)
    return kept


def _key(item: Tensor | ReleasedTensor) -> int:
    return item.key if isinstance(item, ReleasedTensor) else id(item)


def _placeholder(record: ReleasedArray) -> np.ndarray:
    """A read-only array of the record's shape and dtype that takes no memory (every element is 0)."""
    return np.broadcast_to(np.zeros((), dtype=record.dtype), record.shape)


def kept_graph(root: Tensor) -> KeptGraph:
    """Rebuild the graph below ``root`` from what its nodes kept (see the module docstring).

    Works on live graphs too (nothing released: the copy computes the same).
    Raises ``GraphFreedError`` when a node was freed without keeping anything.

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> loss = (a * a).sum()
    >>> loss.backward()  # releases the graph, keeping small values
    >>> kept = ag.kept_graph(loss)
    >>> kept.root, len(kept.tensors)
    (tensor(5., grad_fn=sum), 3)
    >>> kept.missing  # nothing was too large to keep
    {}
    >>> [g.tolist() for g in kept.grads.values()]  # the gradients backward computed
    [[2.0, 4.0], 1.0]
    """
    items: dict[int, Tensor | ReleasedTensor] = {}
    stack: list[Any] = [root]
    while stack:  # every reachable tensor or record, once
        item = stack.pop()
        k = _key(item)
        if k in items:
            continue
        items[k] = item
        if item.grad_fn is not None:
            stack.extend(x for x in node_inputs(item.grad_fn) if isinstance(x, (Tensor, ReleasedTensor)))
    graph = KeptGraph(root)
    copies: dict[int, Tensor] = {}

    def value(v: Any, holder: list) -> Any:
        if isinstance(v, ReleasedArray):
            placeholder = _placeholder(v)
            holder.append((placeholder, v))
            return placeholder
        return v

    def copy_of(x: Any) -> Any:
        if isinstance(x, (Tensor, ReleasedTensor)):
            return copies[_key(x)]
        pending: list = []
        out = value(x, pending)
        for placeholder, record in pending:
            graph.missing[id(placeholder)] = record
        return out

    for item in items.values():  # leaves first: the original while it lives, else a stand-in
        if item.grad_fn is not None:
            continue
        leaf = item.leaf if isinstance(item, ReleasedTensor) else item
        if leaf is None:
            pending = []
            leaf = wrap(value(item.value, pending))
            leaf.requires_grad, leaf.name = item.requires_grad, item.name
            for _, record in pending:
                graph.missing[id(leaf)] = record
        copies[_key(item)] = leaf
        graph.originals[id(leaf)] = item
        if leaf.grad is not None:
            graph.grads[id(leaf)] = leaf.grad.data
    computed = sorted((item for item in items.values() if item.grad_fn is not None), key=lambda t: t.grad_fn.seq)
    for item in computed:  # in creation order, so every input is rebuilt before its consumers
        node = item.grad_fn
        inputs = tuple(copy_of(x) for x in node_inputs(node))
        # a new tick: a leaf written in place before now (an optimizer step) does not stop a replay of the copy
        copy = Node(node.op, inputs, node.params, node.scope)
        pending = []
        data = value(item.value if isinstance(item, ReleasedTensor) else item.data, pending)
        t = wrap(data, copy)
        t.name = item.name
        for _, record in pending:
            graph.missing[id(t)] = record
        copies[_key(item)] = t
        graph.originals[id(t)] = item
        if node.kept_grad is not None:
            graph.grads[id(t)] = node.kept_grad
    graph.root = copies[id(root)]
    graph.tensors = [copies[_key(item)] for item in items.values() if item.grad_fn is None] + [
        copies[_key(item)] for item in computed
    ]
    return graph
