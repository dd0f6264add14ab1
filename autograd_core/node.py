"""The record one primitive application leaves in the graph."""

from __future__ import annotations

import itertools
from typing import Any

#: One clock for the whole process: every node made and every in-place write
#: takes the next tick, so "written after this node was made" is a comparison.
next_tick = itertools.count(1).__next__


class Node:
    """What produced a non-leaf tensor: the primitive, its inputs and parameters.

    ``inputs`` holds the input Tensors (and constant arrays) the VJP rules read;
    ``backward()`` sets it to None to release them, which is how a freed graph
    is recognised. A node never refers to its output tensor, so a graph is a
    DAG of plain references and dies with its last reference (no cycles).
    ``seq`` is the node's tick on the process clock: a node is always made
    after the nodes of its inputs, so decreasing ``seq`` is a reverse
    topological order, and an input whose write tick is later than ``seq``
    was modified after it was saved.

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = a * 3.0
    >>> node = y.grad_fn
    >>> node.op.name, node.params
    ('mul', {})
    >>> node.inputs[0] is a
    True
    """

    __slots__ = ("op", "inputs", "params", "scope", "site", "seq", "__weakref__")

    def __init__(self, op: Any, inputs: tuple, params: dict, scope: Any) -> None:
        self.op = op
        self.inputs = inputs
        self.params = params
        self.scope = scope
        self.site = None
        self.seq = next_tick()

    @property
    def name(self) -> str:
        """The primitive's name, e.g. ``"mul"`` (PyTorch calls this ``grad_fn``)."""
        return self.op.name

    @property
    def freed(self) -> bool:
        """True once a backward pass without ``retain_graph`` has released this node."""
        return self.inputs is None

    def release(self, grad: Any) -> None:
        """Drop the saved inputs after a backward pass used them (``grad``: the output's gradient)."""
        self.inputs = None

    def __repr__(self) -> str:
        state = ", freed" if self.inputs is None else ""
        return f"<Node {self.op.name}{state}>"
