"""Read a recorded graph without changing it: its tensors in order, their names, and a gradient replay.

Everything viz draws or traces comes from here. The replay runs the core's
backward engine with ``accumulate=False, retain_graph=True, hooks=False`` and
an observer, so it writes no ``.grad``, frees nothing and runs no tensor hook.

After ``backward()`` the graph is read from what its nodes kept
(``ag.kept_graph``): a copy of the graph whose values are the ones the
forward pass computed, except large arrays, of which only the shape and
dtype were kept (``Graph.missing``); its gradients are replayed from those
values, or are the ones backward stored (``Graph.kept``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor, backend
from autograd_core.errors import ArgumentTypeError, GradientError, GraphFreedError, ShapeError

from .errors import GraphReleasedError

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

RELEASED_MESSAGE = (
    "this graph was released by an earlier backward() that kept nothing of it, so there is nothing "
    "left to {what}; {what} it before calling backward(), or call backward(retain_graph=True)"
)
INCOMPLETE_MESSAGE = (
    "{what} replays the backward pass, which needs every value of the forward pass, but backward() "
    "kept only the shape of large tensors ({names}); call {what} before "
    "loss.backward(), or pass retain_graph=True to backward()"
)

OUTPUT, PARAMETER, LEAF, INPUT, INTERMEDIATE = "output", "parameter", "leaf", "input", "intermediate"


@dataclass
class Graph:
    """The part of a recorded graph reachable from ``root``.

    ``tensors`` lists every reachable Tensor (also inputs that need no
    gradient) in the order the forward pass made them, each leaf just before
    its first use, so every tensor comes after its inputs; ``names`` gives
    each a display name in that order:
    its own ``name`` when set, otherwise the op that made it with a counter
    (``mul₁``), or ``leaf₁`` / ``input₁`` for unnamed leaves.
    """

    root: Tensor
    tensors: list[Tensor]
    names: dict[int, str]
    consumers: dict[int, list[Tensor]]
    kept: ag.KeptGraph | None = None  #: after backward: the copy the graph was read from

    @property
    def released(self) -> bool:
        """Whether the graph was read from what backward() kept of it."""
        return self.kept is not None

    @property
    def missing(self) -> dict[int, ag.ReleasedArray]:
        """Tensors (and constants) whose values backward did not keep: id → record (shape and dtype)."""
        return self.kept.missing if self.kept is not None else {}

    def original(self, t: Any) -> Any:
        """The tensor (or its ``ReleasedTensor`` record) that ``t`` stands for."""
        return self.kept.originals.get(id(t), t) if self.kept is not None else t

    def has_hooks(self, t: Tensor) -> bool:
        """Whether ``t`` (the original tensor) has hooks, which a replay does not run."""
        return bool(self.original(t).has_hooks)

    def name(self, t: Tensor) -> str:
        """The display name of ``t``."""
        return self.names[id(t)]

    def kind(self, t: Tensor) -> str:
        """``output``, ``intermediate``, ``input`` (a leaf needing no gradient), ``parameter`` or ``leaf``.

        A leaf that requires grad is a ``parameter`` when it is an
        ``nn.Parameter``, or when it is named the way nn names a layer's
        parameters (``weight``, ``layers.0.bias``: a last dotted part of
        ``weight`` or ``bias``); any other is a ``leaf``.
        """
        if t is self.root:
            return OUTPUT
        if t.grad_fn is not None:
            return INTERMEDIATE
        if not t.requires_grad:
            return INPUT
        from nn.module import Parameter  # imported here, so that importing viz does not import nn

        original = self.original(t)
        cls = original.tensor_type if isinstance(original, ag.ReleasedTensor) else type(original)
        return PARAMETER if issubclass(cls, Parameter) else LEAF

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
    """The graph below ``root``, its tensors in the order the forward pass made them, named.

    The core's ``topological_order`` finds the tensors that take part in the
    backward pass; the inputs that need no gradient (data, targets), which it
    skips, are added just before their first use. Raises
    ``GraphReleasedError`` when an earlier ``backward()`` released the graph;
    ``what`` ("draw", "trace") goes into that message. A graph that an
    earlier ``backward()`` released is read from what its nodes kept.
    """
    if not isinstance(root, Tensor):
        raise ArgumentTypeError(f"expected a Tensor to {what}, got {type(root).__name__}")
    kept = None
    try:
        reached = ag.topological_order([root])
    except GraphFreedError:
        try:
            kept = ag.kept_graph(root)
        except GraphFreedError as err:
            raise GraphReleasedError(RELEASED_MESSAGE.format(what=what)) from err
        root = kept.root
        reached = ag.topological_order([root])
    computed = sorted((t for t in reached if t.grad_fn is not None), key=lambda t: t.grad_fn.seq)
    order: list[Tensor] = [] if computed else [root]  # a root no op made is the whole graph
    placed: set[int] = set()
    consumers: dict[int, list[Tensor]] = {}
    for t in computed:
        for x in t.grad_fn.inputs:
            if not isinstance(x, Tensor):
                continue
            consumers.setdefault(id(x), []).append(t)
            if x.grad_fn is None and id(x) not in placed:
                placed.add(id(x))
                order.append(x)
        order.append(t)
    return Graph(root, order, _display_names(order), consumers, kept)


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
        self.totals[id(t)] = backend.host_array(g)

    def leaf(self, t: Tensor, g: Any) -> None:
        """Record a leaf's complete gradient."""
        self.totals[id(t)] = backend.host_array(g)

    def edge(self, t: Tensor, index: int, x: Tensor, raw: Any, g: Any) -> None:
        """Record the gradient sent along one edge."""
        self.edges[(id(t), index)] = backend.host_array(g)


HOOK_NOT_APPLIED = "hook not applied in this replay"


def seed(root: Tensor, gradient: Any = None) -> Any:
    """The output cotangent ȳ that starts a replay from ``root`` (ones for a one-element root), on the root's device."""
    if gradient is None:
        if root.size != 1:
            raise GradientError(
                f"the backward pass of a non-scalar tensor of shape {root.shape} needs a seed gradient: pass "
                f"gradient= an array of shape {root.shape} (ones to sum the outputs), or reduce the tensor to a scalar"
            )
        return backend.ones(root.shape, root.dtype, root.data)
    seed_array = np.array(
        backend.host_array(gradient.data if isinstance(gradient, Tensor) else gradient), dtype=root.dtype
    )
    if seed_array.shape != root.shape:
        raise ShapeError(
            f"gradient of shape {seed_array.shape} does not match the tensor's shape {root.shape}; pass one "
            "value per element of the tensor"
        )
    if type(root.data) is np.ndarray or not backend.is_backend_array(root.data):
        return seed_array
    return backend.to_device(seed_array, root.device)  # the replay runs where the graph's values are


def replay(graph: Graph, observer: ag.Observer, gradient: Any = None, what: str = "this") -> None:
    """Run the backward pass of ``graph.root`` past ``observer``, changing no ``.grad`` and freeing nothing.

    Tensor hooks (``register_hook``) do not run: a hook may have effects
    (logging, storing, changing the gradient), and a replay must have none.
    So where a hook would change a gradient, the gradients shown differ from
    the ones ``backward()`` gives; pictures and trace tables mark every tensor
    that has a hook with ``HOOK_NOT_APPLIED``. A graph read after backward
    starts from the seed backward used, and needs every value of the forward
    pass: when large ones were not kept, ``GraphReleasedError`` says so.
    """
    if not graph.root.requires_grad:
        return
    if graph.missing:
        names = sorted({graph.names.get(k, "a constant") for k in graph.missing})
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        raise GraphReleasedError(INCOMPLETE_MESSAGE.format(what=what, names=shown))
    _run(graph, observer, _seed_after_backward(graph, gradient))


def _seed_after_backward(graph: Graph, gradient: Any) -> np.ndarray:
    """The seed of a replay: ``gradient``, else the one backward used when the root's node kept it, else ones."""
    if gradient is None and graph.released:
        kept = graph.kept.grads.get(id(graph.root))
        gradient = kept if isinstance(kept, np.ndarray) or backend.is_backend_array(kept) else None
    return seed(graph.root, gradient)


def _run(graph: Graph, observer: ag.Observer, seed_array: np.ndarray) -> None:
    ag.run_backward([graph.root], [seed_array], retain_graph=True, accumulate=False, observer=observer, hooks=False)


def partial_replay(graph: Graph, gradient: Any = None) -> Gradients:
    """The gradients a replay can still get right in a graph read after backward whose large values were not kept.

    The pass runs over the copy, placeholders and all; a tensor's total is kept
    only when every one of its uses is a node whose output and inputs hold
    real values and whose own gradient is right (working back from the root),
    and an edge's share only when it leaves such a node. Whatever a
    placeholder spoiled is dropped.
    """
    found = Gradients()
    if not graph.root.requires_grad:
        return found
    missing = graph.missing
    try:
        with np.errstate(all="ignore"):
            _run(graph, found, _seed_after_backward(graph, gradient))
    except Exception:  # a rule choking on a placeholder: nothing replayed can be trusted
        return Gradients()

    def real_node(t: Tensor) -> bool:
        node = t.grad_fn
        return id(t) not in missing and all(x is None or id(x) not in missing for x in node.inputs)

    good = {id(graph.root)}
    for t in reversed(graph.tensors):  # every consumer comes before the tensors it uses
        uses = graph.consumers.get(id(t), ())
        if uses and all(id(c) in good and real_node(c) for c in uses):
            good.add(id(t))
    right = Gradients()
    right.totals = {k: v for k, v in found.totals.items() if k in good}
    trusted = {id(t) for t in graph.tensors if t.grad_fn is not None and id(t) in good and real_node(t)}
    right.edges = {key: v for key, v in found.edges.items() if key[0] in trusted}
    return right
