"""The record one primitive application leaves in the graph, and what it keeps once backward released it."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from .released import KEEP_ELEMENTS, pack, pack_gradient, unpack

#: One clock for the whole process: every node made and every in-place write
#: takes the next tick, so "written after this node was made" is a comparison.
next_tick = itertools.count(1).__next__

#: The tick of the latest in-place write in the process. A node made after it
#: saved nothing that has been written since, so backward can skip the
#: per-input version checks for it (the common case: writes happen between steps).
latest_write = [0]
_write_lock = threading.Lock()


def write_tick() -> int:
    """The next tick for an in-place write, recorded as the latest write (under a lock, so it never goes back)."""
    with _write_lock:
        tick = latest_write[0] = next_tick()
    return tick


def arrays_of(inputs: tuple) -> list:
    """The arrays of ``inputs``: each Tensor's ``data``, anything else as it is."""
    from .tensor import Tensor  # (tensor.py imports this module)

    return [x.data if isinstance(x, Tensor) else x for x in inputs]


class Node:
    """What produced a non-leaf tensor: the primitive, its inputs and parameters.

    ``inputs`` holds the input Tensors (and constant arrays) the VJP rules read;
    ``backward()`` calls ``release`` to let them go, which is how a freed graph
    is recognised (``inputs`` is None). A node never refers to its output
    tensor, so a graph is a DAG of plain references and dies with its last
    reference (no cycles). ``seq`` is the node's tick on the process clock: a
    node is always made after the nodes of its inputs, so decreasing ``seq``
    is a reverse topological order, and an input whose write tick is later
    than ``seq`` was modified after it was saved.

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 3.0
    >>> y.grad_fn
    <Node mul>
    >>> y.grad_fn.op.name, y.grad_fn.inputs
    ('mul', (tensor([1., 2.], requires_grad=True), 3.0))
    >>> s = y.sum()
    >>> s.grad_fn.params, s.grad_fn.seq > y.grad_fn.seq  # made later: later on the clock
    ({'axis': (-1,), 'keepdims': False}, True)
    >>> s.backward()
    >>> s.grad_fn  # backward released what it saved
    <Node sum, freed>
    """

    __slots__ = ("op", "inputs", "arrays", "params", "scope", "site", "seq", "_kept", "_grad", "__weakref__")

    def __init__(self, op: Any, inputs: tuple, params: dict, scope: Any, arrays: Any = None) -> None:
        self.op = op
        self.inputs = inputs
        #: The operands' arrays as the forward computed with them (what the rules read).
        self.arrays = arrays if arrays is not None else arrays_of(inputs)
        self.params = params
        self.scope = scope
        self.seq = next_tick()
        # site (where detect_anomaly saw the node made), _kept and _grad stay unset until they are
        # known: nothing is added to the forward pass

    @property
    def name(self) -> str:
        """The primitive's name, e.g. ``"mul"`` (PyTorch calls this ``grad_fn``)."""
        return self.op.name

    @property
    def freed(self) -> bool:
        """True once a backward pass without ``retain_graph`` has released this node."""
        return self.inputs is None

    def release(self, grad: Any) -> None:
        """Let go of the inputs once backward has run this node's VJPs; keep what a picture of the pass needs.

        ``grad`` is the complete gradient ∂root/∂y of the node's output y.
        ``inputs`` becomes None: the node is ``freed``, and a second backward
        through it raises ``GraphFreedError``. What the node keeps is small, so
        memory after backward grows with the number of nodes, never with the
        size of the arrays:

        * an element-wise op whose output has at most ``KEEP_ELEMENTS``
          elements keeps its inputs as they are (none is larger than the
          output). Its gradient is not stored: with every value kept, a replay
          of the pass reproduces it exactly, and storing one array per node
          would cost every backward pass time;
        * any other node keeps each input tensor or array that is small and
          owns its memory as it is, a copy of a small view, and for anything
          larger a ``ReleasedTensor`` / ``ReleasedArray`` (name, shape and
          dtype); and its gradient, likewise.

        The fast path does not look for views: a small slice of a large array
        fed to an element-wise op keeps that array alive, as the slice itself
        does. Values are kept by reference, so a later in-place write (an
        optimizer step on a parameter) shows in them.
        """
        # backward calls this once per node, so the common case costs two attribute reads
        if self.op.broadcasting and grad.size <= KEEP_ELEMENTS:
            self._kept = self.inputs
        else:
            self._kept = tuple(map(pack, self.inputs))
            self._grad = pack_gradient(grad)
        self.inputs = self.arrays = None

    @property
    def kept_inputs(self) -> tuple | None:
        """After ``release``: the inputs, each kept as it was when small, else a ``ReleasedTensor``/``ReleasedArray``.

        None while the node holds its inputs (see ``inputs``), or when it was
        released some other way.
        """
        kept = getattr(self, "_kept", None)
        if kept is not None:
            unpacked = tuple(map(unpack, kept))  # records backward packed become ReleasedTensor / ReleasedArray
            if any(a is not b for a, b in zip(unpacked, kept)):
                self._kept = kept = unpacked
        return kept

    @property
    def kept_grad(self) -> Any:
        """After ``release``: the gradient of the node's output (an array, or a ``ReleasedArray`` when large).

        None while the node holds its inputs, and for a small element-wise node
        (whose gradient a replay of the kept values reproduces).
        """
        grad = getattr(self, "_grad", None)
        unpacked = unpack(grad)
        if unpacked is not grad:
            self._grad = unpacked
        return unpacked

    def __repr__(self) -> str:
        state = ", freed" if self.inputs is None else ""
        return f"<Node {self.op.name}{state}>"
