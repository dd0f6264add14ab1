"""``trace_backward``: the backward pass one step at a time, as a table, pictures and an explorer page.

A step is one tensor whose gradient is complete: for a computed tensor, the
VJP rule of its op (text from the primitive registry) turns the incoming
gradient ȳ into one gradient per input; for a leaf, the gradient is final.
Steps come in the order the backward engine runs them, a reverse
topological order of the graph.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograd_core import Tensor, backend
from autograd_core.errors import IndexingError, NotFoundError

from .arrays import compact, shape_text
from .graph import FIELDS, build, options
from .labels import bar, input_symbols
from .layers import Layer, find_layers
from .picture import Picture
from .recording import Gradients, Graph, read_graph, replay
from .render import pipe
from .tables import html_table, trace_rows, trace_table

_ORDINALS = {1: "st", 2: "nd", 3: "rd"}


def ordinal(n: int) -> str:
    """``2nd``, ``3rd``, ``11th``, ``21st``."""
    suffix = "th" if 10 <= n % 100 <= 20 else _ORDINALS.get(n % 10, "th")
    return f"{n}{suffix}"


def _axes_text(axes: list[int]) -> str:
    if len(axes) == 1:
        return f"axis {axes[0]}"
    return "axes " + ", ".join(map(str, axes[:-1])) + f" and {axes[-1]}"


def unbroadcast_text(name: str, raw_shape: tuple[int, ...], shape: tuple[int, ...]) -> str | None:
    """Why a VJP result of ``raw_shape`` was reduced to the input's ``shape``, or None if it was not."""
    if raw_shape == shape:
        return None
    lead = len(raw_shape) - len(shape)
    if lead < 0:
        return f"expanded to {shape_text(shape)} because {name} has that shape"
    axes = list(range(lead)) + [lead + i for i, n in enumerate(shape) if n == 1 and raw_shape[lead + i] != 1]
    return f"summed over {_axes_text(axes)} because {name} was broadcast from {shape_text(shape)} to {shape_text(raw_shape)}"


@dataclass
class Contribution:
    """The gradient one step sends to one input of its op."""

    index: int  #: which input of the op
    symbol: str  #: the input's name in the VJP formula (``a``, ``X``), or ``input i``
    target: Tensor  #: the input tensor
    target_name: str  #: its display name
    grad: np.ndarray  #: the gradient sent, in the input's shape
    unbroadcast: str | None = None  #: "summed over axis 0 because b was broadcast from (3,) to (4, 3)"
    accumulation: str | None = None  #: "x.grad += …, 2nd contribution (total …)"


@dataclass
class Step:
    """One step of the backward pass.

    >>> a = ag.tensor(2.0, requires_grad=True, name="a")
    >>> b = ag.tensor(-3.0, requires_grad=True, name="b")
    >>> c = ag.tensor(10.0, requires_grad=True, name="c")
    >>> L = (a * b + c).tanh()
    >>> step = viz.trace_backward(L)[0]
    >>> step.number, step.op, step.formula
    (1, 'tanh', 'x̄ = ȳ·(1 − y²)')
    >>> step.incoming  # the seed ∂L/∂L = 1
    array(1.)
    """

    number: int  #: 1-based position in the pass
    tensor: Tensor  #: the tensor whose gradient is complete at this step
    name: str  #: its display name
    incoming: np.ndarray  #: the tensor's complete gradient ȳ
    op: str | None = None  #: the primitive that made the tensor; None for a leaf
    formula: str | None = None  #: the primitive's VJP formula, from the registry
    sends: list[Contribution] = field(default_factory=list)
    hooked: bool = False  #: the tensor has a hook, which the replay did not run (backward() would)

    @property
    def is_leaf(self) -> bool:
        """True when this step only records a leaf's final gradient."""
        return self.op is None


class _Recorder(Gradients):
    """Gradients plus the steps, contributions and accumulation events, in order."""

    def __init__(self, graph: Graph) -> None:
        super().__init__()
        self.graph = graph
        self.steps: list[Step] = []
        self.counts: dict[int, int] = {}

    def node(self, t: Tensor, g: Any) -> None:
        super().node(t, g)
        prim = t.grad_fn.op
        number, name, hooked = len(self.steps) + 1, self.graph.name(t), self.graph.has_hooks(t)
        self.steps.append(Step(number, t, name, self.totals[id(t)], prim.name, prim.formula.vjp, hooked=hooked))

    def leaf(self, t: Tensor, g: Any) -> None:
        super().leaf(t, g)
        self.steps.append(
            Step(len(self.steps) + 1, t, self.graph.name(t), self.totals[id(t)], hooked=self.graph.has_hooks(t))
        )

    def edge(self, t: Tensor, index: int, x: Tensor, raw: Any, g: Any) -> None:
        super().edge(t, index, x, raw, g)
        node = t.grad_fn
        symbol = input_symbols(node.op, len(node.inputs))[index] or f"input {index}"
        name = self.graph.name(x)
        self.counts[id(x)] = self.counts.get(id(x), 0) + 1
        why = unbroadcast_text(name, np.shape(raw), x.shape)
        self.steps[-1].sends.append(Contribution(index, symbol, x, name, self.edges[(id(t), index)], why))

    def accumulate(self, x: Tensor, before: Any, added: Any) -> None:
        total = compact(backend.host_array(before) + backend.host_array(added))
        n = ordinal(self.counts[id(x)])
        last = self.steps[-1].sends[-1]
        last.accumulation = f"{self.graph.name(x)}.grad += {compact(added)}, {n} contribution (total now {total})"


class BackpropTrace:
    """The recorded steps of one backward pass; ``str()`` gives the table.

    ``steps`` lists every step in order; ``layers`` the per-layer δ's when the
    graph has fully connected (``linear``) layers; ``gradients`` every
    tensor's total gradient and every edge's share.

    >>> a = ag.tensor(2.0, requires_grad=True, name="a")
    >>> b = ag.tensor(-3.0, requires_grad=True, name="b")
    >>> c = ag.tensor(10.0, requires_grad=True, name="c")
    >>> L = (a * b + c).tanh()
    >>> trace = viz.trace_backward(L)
    >>> len(trace), [step.name for step in trace][:2]
    (6, ['tanh₁', 'add₁'])
    >>> trace.grad(a)  # ∂L/∂a = (1 − L²)·b
    array(-0.00402285)
    """

    def __init__(self, graph: Graph, recorder: _Recorder) -> None:
        self.graph = graph
        self.steps: list[Step] = recorder.steps
        self.gradients = Gradients(recorder.totals, recorder.edges)
        self.layers: list[Layer] = find_layers(graph, self.gradients)

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    def grad(self, t: Tensor) -> np.ndarray | None:
        """The total gradient the pass computed for ``t`` (None if none reached it)."""
        return self.gradients.totals.get(id(t))

    def delta(self, number: int) -> np.ndarray:
        """δ(number) of the notes: the gradient at the pre-activation of layer ``number`` (1 … L)."""
        for layer in self.layers:
            if layer.number == number:
                return layer.delta
        raise NotFoundError(f"no fully connected layer {number}; the layers are {[la.number for la in self.layers]}")

    # ------------------------------------------------------------------ text
    def __str__(self) -> str:
        return trace_table(self)

    def _repr_html_(self) -> str:
        """The step table as an HTML table (Jupyter), under the same introduction as the text."""
        intro, header, rows = trace_rows(self)
        return (
            f"<p>{html.escape(intro)}</p>"
            + html_table(header, rows)
            + ("<pre>" + html.escape(layer_text) + "</pre>" if (layer_text := self.layer_text()) else "")
        )

    def layer_text(self) -> str:
        """The per-layer δ table as text ("" without fully connected layers)."""
        from .tables import layer_table

        return layer_table(self) if self.layers else ""

    def __repr__(self) -> str:
        return f"<BackpropTrace of {self.graph.name(self.graph.root)}: {len(self.steps)} steps>"

    # -------------------------------------------------------------- pictures
    def snapshot(self, upto: int) -> Gradients:
        """The gradients known after the first ``upto`` steps."""
        known = Gradients()
        for step in self.steps[:upto]:
            known.totals[id(step.tensor)] = step.incoming
            for c in step.sends:
                known.edges[(id(step.tensor), c.index)] = c.grad
        return known

    def frame(
        self,
        number: int,
        mode: str = "backward",
        rankdir: str = "LR",
        max_elements: int = 6,
        group_modules: bool = True,
        size: Any = None,
    ) -> Picture:
        """The picture of step ``number`` (1-based): the gradients known so far, the current tensor highlighted.

        Its title is the step's caption, a few short lines (``caption_lines``).
        """
        if not 1 <= number <= len(self.steps):
            raise IndexingError(f"step {number} does not exist; the trace has steps 1 … {len(self.steps)}")
        step = self.steps[number - 1]
        opts = options(mode, FIELDS, max_elements, rankdir, group_modules, 4, True, size)
        title = "\n".join(self.caption_lines(step))
        return build(self.graph, opts, self.snapshot(number), highlight=step.tensor, title=title, partial=True)

    def caption_lines(self, step: Step) -> list[str]:
        """``step`` described in short lines: what arrives, the rule, and one line per gradient sent."""
        head = f"step {step.number}/{len(self.steps)}: "
        if step.is_leaf:
            return [head + f"{step.name} is a leaf", f"its gradient {compact(step.incoming)} is final"]
        lines = [
            head + f"{step.name} = {step.op}(…) receives ȳ = {compact(step.incoming)}",
            f"VJP rule {step.formula}:",
        ]
        lines += [f"    {bar(c.symbol)} = {compact(c.grad)} → {c.target_name}" for c in step.sends]
        return lines

    def caption(self, step: Step) -> str:
        """``step`` described in one line."""
        head = f"step {step.number}/{len(self.steps)}: "
        if step.is_leaf:
            return head + f"{step.name} is a leaf — its gradient {compact(step.incoming)} is final"
        sends = ", ".join(f"{bar(c.symbol)} = {compact(c.grad)} → {c.target_name}" for c in step.sends)
        return head + f"{step.name} = {step.op}(…) receives ȳ = {compact(step.incoming)}; {step.formula} gives {sends}"

    def frames(
        self,
        path: str | Path,
        format: str = "png",  # noqa: A002  (named like render's argument)
        mode: str = "backward",
        rankdir: str = "LR",
    ) -> list[Path]:
        """Write one picture per step into the folder ``path`` (``step_01.png`` …); returns the files."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        width = len(str(len(self.steps)))
        written = []
        for step in self.steps:
            target = folder / f"step_{step.number:0{width}d}.{format}"
            target.write_bytes(pipe(self.frame(step.number, mode, rankdir), format))
            written.append(target)
        return written

    def to_html(self, path: str | Path, rankdir: str = "LR", max_elements: int = 6) -> Path:
        """Write the explorer page of this pass (``viz.explore``), opened at its first backward step; returns its path.

        One self-contained HTML file: the forward pass, then this trace's steps
        (numbered as in the table), with buttons, keys, a slider and ``#step=N`` links.
        """
        from .explorer import explorer_page

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(explorer_page(self, rankdir, max_elements, start="backward"), encoding="utf-8")
        return target


def trace_backward(loss: Tensor, gradient: Any = None) -> BackpropTrace:
    """Replay the backward pass of ``loss`` and record every step.

    Nothing is changed: no ``.grad`` is written, the graph is not released
    and tensor hooks are not run (steps of tensors that have one say so), so
    ``loss.backward()`` still works afterwards. A non-scalar ``loss`` needs
    ``gradient=`` (the seed). Raises ``GraphReleasedError`` when an earlier
    ``backward()`` already released the graph.

    >>> x = ag.tensor([[0.0, 1.0]], name="x")
    >>> model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Sigmoid(), nn.Linear(2, 1, rng=1), nn.Sigmoid())
    >>> loss = nn.BCELoss(reduction="sum")(model(x), np.array([[1.0]]))
    >>> trace = viz.trace_backward(loss)
    >>> [layer.number for layer in trace.layers]
    [1, 2]
    >>> trace.delta(2).shape, trace.delta(1).shape  # the notes' δ(2) = ŷ − y and δ(1)
    ((1, 1), (1, 2))
    >>> print(str(trace).splitlines()[0])
    Backward pass of sum₁: 10 steps in reverse topological order, the order backward() runs them; a heading names the module of the steps below it.
    """
    graph = read_graph(loss, "trace")
    recorder = _Recorder(graph)
    replay(graph, recorder, gradient, "viz.trace_backward(loss)")
    return BackpropTrace(graph, recorder)
