"""Graphs the viz tests draw and trace, and helpers to read DOT sources."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

import autograd_core as ag

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import micrograd_style  # noqa: E402

NODE_LINE = re.compile(r"^\s*((?:t|op|c)[0-9_]+) \[", re.M)
EDGE_LINE = re.compile(r"^\s*(\S+) -> (\S+)(?: \[|$)", re.M)

# The notes' grounded example (004): rows of W(0) and W(1) are (bias, x1, x2).
W0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])
W1 = np.array([-0.3, 0.5, 0.1])


def micrograd():
    """L = tanh(a·b + c), every tensor named: the micrograd-style example's graph."""
    return SimpleNamespace(**micrograd_style.build())


def grounded():
    """The notes' 2-2-1 sigmoid network on x = (0, 1), target 1, with neg-log-loss, one graph_scope per layer."""
    x = ag.tensor([0.0, 1.0], name="x")
    y = ag.tensor([1.0], name="y")
    w0 = ag.tensor(W0[1:].T, requires_grad=True, name="layers.0.weight")
    b0 = ag.tensor(W0[0], requires_grad=True, name="layers.0.bias")
    w1 = ag.tensor(W1[None, 1:], requires_grad=True, name="layers.2.weight")
    b1 = ag.tensor(W1[:1], requires_grad=True, name="layers.2.bias")
    with ag.graph_scope("Net"):
        with ag.graph_scope("layers.0 (Linear)"):
            z1 = ag.linear(x, w0, b0)
        with ag.graph_scope("layers.1 (Sigmoid)"):
            h = ag.sigmoid(z1)
        with ag.graph_scope("layers.2 (Linear)"):
            z2 = ag.linear(h, w1, b1)
        with ag.graph_scope("layers.3 (Sigmoid)"):
            yhat = ag.sigmoid(z2)
    J = -(y * ag.log(yhat) + (1 - y) * ag.log(1 - yhat)).sum()
    J.name = "J"
    return SimpleNamespace(x=x, y=y, w0=w0, b0=b0, w1=w1, b1=b1, z1=z1, h=h, z2=z2, yhat=yhat, J=J)


def nodes(source: str) -> list[str]:
    """Ids of the tensor, op and constant nodes declared in a DOT source."""
    return NODE_LINE.findall(source)


def edges(source: str) -> list[tuple[str, str]]:
    """(tail, head) of every edge in a DOT source."""
    return EDGE_LINE.findall(source)


def cluster_blocks(source: str) -> dict[str, str]:
    """Each ``subgraph cluster_…`` block of a DOT source (nested blocks included in their parents)."""
    blocks = {}
    for match in re.finditer(r"subgraph (cluster_\d+) \{", source):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(source[i], 0)
            i += 1
        blocks[match.group(1)] = source[match.end() : i - 1]
    return blocks


def node_attrs(source: str, node_id: str) -> str:
    """Everything between the brackets of one node's declaration."""
    match = re.search(rf"^\s*{re.escape(node_id)} \[(.*)\]$", source, re.M)
    assert match, f"node {node_id} not in the DOT source"
    return match.group(1)


def node_label(source: str, node_id: str) -> str:
    """The HTML-like label of one node, without its other attributes."""
    attrs = node_attrs(source, node_id)
    start = attrs.index("label=<") + len("label=")
    depth, i = 0, start
    while True:
        depth += {"<": 1, ">": -1}.get(attrs[i], 0)
        i += 1
        if depth == 0:
            return attrs[start + 1 : i - 1]


def node_of(source: str, name: str) -> str:
    """The id of the tensor node whose (escaped) name is ``name``."""
    for node_id in nodes(source):
        if node_id.startswith("t") and f"<B>{name}</B>" in node_label(source, node_id):
            return node_id
    raise AssertionError(f"no tensor named {name!r} in the DOT source")
