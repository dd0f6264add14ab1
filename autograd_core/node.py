"""The record one primitive application leaves in the graph."""

from __future__ import annotations

import itertools
from typing import Any

_sequence = itertools.count()


class Node:
    """What produced a non-leaf tensor: the primitive, its inputs and parameters.

    ``inputs`` holds the input Tensors (and constant arrays) the VJP rules read;
    ``backward()`` sets it to None to release them, which is how a freed graph
    is recognised. A node never refers to its output tensor, so a graph is a
    DAG of plain references and dies with its last reference (no cycles).
    ``seq`` increases with every node made: a node is always made after the
    nodes of its inputs, so decreasing ``seq`` is a reverse topological order.
    """

    __slots__ = ("op", "inputs", "params", "stamp", "scope", "site", "seq", "__weakref__")

    def __init__(self, op: Any, inputs: tuple, params: dict, stamp: int, scope: Any) -> None:
        self.op = op
        self.inputs = inputs
        self.params = params
        self.stamp = stamp
        self.scope = scope
        self.site = None
        self.seq = next(_sequence)

    @property
    def name(self) -> str:
        """The primitive's name, e.g. ``"mul"`` (PyTorch calls this ``grad_fn``)."""
        return self.op.name

    @property
    def freed(self) -> bool:
        """True once a backward pass without ``retain_graph`` has released this node."""
        return self.inputs is None

    def __repr__(self) -> str:
        state = ", freed" if self.inputs is None else ""
        return f"<Node {self.op.name}{state}>"
