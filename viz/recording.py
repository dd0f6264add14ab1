"""Read a recorded graph without changing it: its tensors in order, their names, and a gradient replay.

Everything viz draws or traces comes from here. The replay runs the core's
backward engine with ``accumulate=False, retain_graph=True`` and an observer,
so it writes no ``.grad`` and frees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.tensor import Tensor

from .errors import GraphReleasedError

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

RELEASED_MESSAGE = (
    "this graph was released by an earlier backward() (its nodes no longer hold their inputs), "
    "so there is nothing left to {what}; {what} it before calling backward(), or call "
    "backward(retain_graph=True)"
)

OUTPUT, PARAMETER, LEAF, INPUT, INTERMEDIATE = "output", "parameter", "leaf", "input", "intermediate"


@dataclass
class Graph:
    """The part of a recorded graph reachable from ``root``.

    ``tensors`` lists every reachable Tensor (also inputs that need no
    gradient) each after its inputs; ``names`` gives each a display name:
    its own ``name`` when set, otherwise the op that made it with a counter
    (``mul₁``), or ``leaf₁`` / ``input₁`` for unnamed leaves.
    """

    root: Tensor
    tensors: list[Tensor]
    names: dict[int, str]
    consumers: dict[int, list[Tensor]]

    def name(self, t: Tensor) -> str:
        """The display name of ``t``."""
        return self.names[id(t)]

    def kind(self, t: Tensor) -> str:
        """``output``, ``parameter`` (an ``nn`` Parameter), ``leaf`` (requires grad), ``input`` or ``intermediate``."""
        if t is self.root:
            return OUTPUT
        if t.grad_fn is not None:
            return INTERMEDIATE
        if not t.requires_grad:
            return INPUT
        if any(cls.__name__ == "Parameter" for cls in type(t).__mro__):
            return PARAMETER
        return LEAF

    def scope(self, t: Tensor) -> tuple[str, ...]:
        """The module scope a tensor is drawn in.

        An op's output sits in its node's scope; a parameter sits in the
        scope its consumers share (the weights of a Linear inside its box);
        inputs that need no gradient (data, targets) stay outside every module.
        """
        if t.grad_fn is not None:
            return tuple(t.grad_fn.scope or ())
        if not t.requires_grad:
            return ()
        scopes = [tuple(c.grad_fn.scope or ()) for c in self.consumers.get(id(t), ())]
        if not scopes:
            return ()
        common = scopes[0]
        for s in scopes[1:]:
            n = 0
            while n < min(len(common), len(s)) and common[n] == s[n]:
                n += 1
            common = common[:n]
        return common


def read_graph(root: Tensor, what: str = "draw") -> Graph:
    """Walk the graph below ``root`` (iteratively) and name its tensors.

    Raises ``GraphReleasedError`` when an earlier ``backward()`` released it;
    ``what`` ("draw", "trace") goes into that message.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"expected a Tensor to {what}, got {type(root).__name__}")
    order: list[Tensor] = []
    seen: set[int] = set()
    consumers: dict[int, list[Tensor]] = {}
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        node = t.grad_fn
        if node is None:
            continue
        if node.freed:
            raise GraphReleasedError(RELEASED_MESSAGE.format(what=what))
        for x in reversed(node.inputs):
            if isinstance(x, Tensor):
                consumers.setdefault(id(x), []).append(t)
                if id(x) not in seen:
                    stack.append((x, False))
    return Graph(root, order, _display_names(order), consumers)


def _display_names(order: list[Tensor]) -> dict[int, str]:
    counters: dict[str, int] = {}
    names: dict[int, str] = {}
    for t in order:
        if t.name is not None:
            names[id(t)] = str(t.name)
            continue
        if t.grad_fn is not None:
            base = t.grad_fn.op.name
        else:
            base = "leaf" if t.requires_grad else "input"
        counters[base] = counters.get(base, 0) + 1
        names[id(t)] = base + str(counters[base]).translate(_SUBSCRIPTS)
    return names


@dataclass
class Gradients(ag.Observer):
    """What a replayed backward pass computed: each tensor's total gradient and each edge's share.

    ``totals[id(t)]`` is ∂root/∂t (seed included); ``edges[(id(t), i)]`` is the
    gradient the VJP for input ``i`` of ``t``'s node sent to that input, after
    undoing broadcasting (so it has the input's shape).
    """

    totals: dict[int, np.ndarray] = field(default_factory=dict)
    edges: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)

    def node(self, t: Tensor, g: Any) -> None:
        """Record ``t``'s complete gradient."""
        self.totals[id(t)] = np.asarray(g)

    def leaf(self, t: Tensor, g: Any) -> None:
        """Record a leaf's complete gradient."""
        self.totals[id(t)] = np.asarray(g)

    def edge(self, t: Tensor, index: int, x: Tensor, raw: Any, g: Any) -> None:
        """Record the gradient sent along one edge."""
        self.edges[(id(t), index)] = np.asarray(g)


def seed(root: Tensor, gradient: Any = None) -> np.ndarray:
    """The output cotangent to replay from: 1 for a scalar, ``gradient`` otherwise."""
    if gradient is None:
        if root.size != 1:
            raise ValueError(
                f"the output has shape {root.shape}, not a single number, so its gradient needs a seed: "
                f"pass gradient= an array of shape {root.shape}, or reduce the output to a scalar first"
            )
        return np.ones(root.shape, dtype=root.dtype)
    g = np.array(gradient.data if isinstance(gradient, Tensor) else gradient, dtype=root.dtype)
    if g.shape != root.shape:
        raise ValueError(f"gradient has shape {g.shape} but the output has shape {root.shape}")
    return g


def replay(graph: Graph, observer: ag.Observer, gradient: Any = None) -> None:
    """Run the backward pass of ``graph.root`` past ``observer``, changing no ``.grad`` and freeing nothing.

    Registered tensor hooks run as in a real backward pass, so the gradients
    shown are the ones training would see.
    """
    if not graph.root.requires_grad:
        return
    ag.run_backward(
        [graph.root], [seed(graph.root, gradient)], retain_graph=True, accumulate=False, observer=observer, hooks=False
    )
