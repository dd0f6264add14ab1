"""``draw_graph``: a recorded computation as a Graphviz picture of its forward and/or backward pass.

Tensors are tables (name, shape, value, gradient), ops are small boxes, and
the edges run the way values flow (forward) or the way gradients flow
(backward, each labelled with the gradient it carried). Node ids are
generated (``t3``, ``op3``); user text only ever appears escaped inside labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import graphviz
import numpy as np

from autograd_core import ReleasedArray, Tensor
from autograd_core.errors import InvalidArgumentError

from . import health
from .arrays import array_lines, compact, number, shape_text
from .labels import attr, bar, html, input_symbols, params_text
from .picture import Picture
from .recording import HOOK_NOT_APPLIED, OUTPUT, Gradients, Graph, partial_replay, read_graph, replay
from .style import (
    CLUSTER_FILLS,
    FONT,
    GRAD_EDGE,
    HIGHLIGHT,
    HOOK_COLOUR,
    KIND_COLOURS,
    KIND_TAGS,
    OP_FILL,
    VALUE_EDGE,
    caption,
    cell,
)

MODES = ("forward", "backward", "both")
FIELDS = ("name", "op", "shape", "value", "grad")
FORMATS = ("svg", "png", "pdf")

# An edge no gradient has travelled along (yet, in a trace frame; or ever, into an input).
_NO_GRADIENT = {"color": "#bbbbbb", "style": "dotted", "arrowhead": "none", "tooltip": "no gradient has flowed here"}
_FLIP = {"LR": "RL", "RL": "LR", "TB": "BT", "BT": "TB"}


@dataclass(frozen=True)
class Options:
    """How to draw: the arguments of ``draw_graph`` after validation."""

    mode: str = "forward"
    show: frozenset = frozenset(FIELDS)
    max_elements: int = 6
    rankdir: str = "LR"
    group_modules: bool = True
    precision: int = 4
    legend: bool = True
    size: str | None = None

    @property
    def values(self) -> bool:
        """Whether forward values are drawn."""
        return self.mode != "backward" and "value" in self.show

    @property
    def grads(self) -> bool:
        """Whether gradients are drawn."""
        return self.mode != "forward"


def options(
    mode: str,
    show: Iterable[str],
    max_elements: int,
    rankdir: str,
    group_modules: bool,
    precision: int,
    legend: bool,
    size: Any = None,
) -> Options:
    """Validate ``draw_graph``'s arguments, with errors that list the accepted values."""
    if mode not in MODES:
        raise InvalidArgumentError(f"mode must be one of {', '.join(map(repr, MODES))}, not {mode!r}")
    if isinstance(show, str):
        show = (show,)
    show = frozenset(show)
    unknown = sorted(show - set(FIELDS))
    if unknown:
        raise InvalidArgumentError(
            f"show may contain {', '.join(map(repr, FIELDS))}; unknown: {', '.join(map(repr, unknown))}"
        )
    if rankdir not in _FLIP:
        raise InvalidArgumentError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', not {rankdir!r}")
    if int(max_elements) < 1 or int(precision) < 1:
        raise InvalidArgumentError("max_elements and precision must be at least 1")
    return Options(
        mode, show, int(max_elements), rankdir, bool(group_modules), int(precision), bool(legend), size_text(size)
    )


def size_text(size: Any) -> str | None:
    """Graphviz's ``size`` attribute from ``draw_graph``'s ``size=``: a width in inches, (width, height), or DOT's text."""
    if size is None:
        return None
    if isinstance(size, str):
        if not re.fullmatch(r"\s*\d+(\.\d*)?\s*(,\s*\d+(\.\d*)?\s*)?!?", size):
            raise InvalidArgumentError(f"size must look like '8', '8,6' or '8,6!' (inches), not {size!r}")
        return size.replace(" ", "")
    values = [size] if isinstance(size, (int, float)) else list(size)
    if len(values) not in (1, 2) or not all(isinstance(v, (int, float)) and v > 0 for v in values):
        raise InvalidArgumentError(f"size must be a positive width in inches or (width, height), not {size!r}")
    width = float(values[0])
    height = float(values[1]) if len(values) == 2 else 1000.0  # a width alone: the height is free
    return f"{width:g},{height:g}"


def draw_graph(
    root: Tensor,
    mode: str = "forward",
    show: Sequence[str] = FIELDS,
    max_elements: int = 6,
    rankdir: str = "LR",
    group_modules: bool = True,
    *,
    gradient: Any = None,
    precision: int = 4,
    legend: bool = True,
    size: Any = None,
) -> Picture:
    """Draw the computation that produced ``root``.

    ``mode="forward"`` shows the values that flowed forward; ``"backward"``
    draws the edges the way gradients flow, each labelled with the gradient
    it carried; ``"both"`` shows values and gradients together. In both
    gradient modes every tensor that received a gradient is filled with the
    colour of its gradient health (below its kind-coloured header; legend in
    the picture). ``show`` picks
    the parts of each label; arrays with more than ``max_elements`` elements
    are summarised. With ``group_modules`` the ops recorded inside an
    ``nn`` module (``graph_scope``) sit in a labelled box. A non-scalar
    ``root`` needs ``gradient=`` (the seed) for the backward modes.

    Before ``backward()`` the gradients are computed by replaying the
    backward pass without writing ``.grad`` or releasing the graph. After
    ``loss.backward()`` the picture shows the gradients backward computed
    (``draw_graph(loss, mode="both")`` is micrograd's ``draw_dot``), read from
    what the released graph kept: every value and gradient of a small tensor,
    and the shape of a large one.

    ``size`` scales the picture down to fit: a width in inches, a
    ``(width, height)`` pair, or Graphviz's own ``"8,6"`` (``"8,6!"`` also
    scales up). The returned ``Picture`` (a ``graphviz.Digraph``) displays
    inline in Jupyter as SVG; save it with ``viz.render``.

    >>> import re
    >>> a, b = ag.tensor(0.5, requires_grad=True), ag.tensor(-1.0, requires_grad=True)
    >>> loss = ag.tanh(a * b + 1.0)
    >>> pic = viz.draw_graph(loss, mode="both")
    >>> re.findall("<B>([a-z]+)</B>>", pic.source)  # the ops, in forward order
    ['mul', 'add', 'tanh']
    >>> "grad   -0.7864" in re.sub("<[^>]+>", " ", pic.source)  # ∂loss/∂a = (1 − tanh²(0.5))·b, on a's box
    True
    >>> print(a.grad)  # the gradients were replayed, .grad is untouched
    None
    """
    opts = options(mode, show, max_elements, rankdir, group_modules, precision, legend, size)
    graph = read_graph(root, "draw")
    grads = None
    if opts.grads:
        grads = gradients(graph, gradient)
    return build(graph, opts, grads)


def gradients(graph: Graph, gradient: Any = None) -> Gradients:
    """Every tensor's gradient and every edge's share, replayed without changing anything.

    A graph read after ``backward()`` whose values were all kept replays
    exactly. When large values were not kept, the replay keeps only what it
    can get right (``partial_replay``); the gradients backward stored (a
    non-element-wise node's, a live leaf's ``.grad``) fill in the rest, and
    an edge into a tensor used once carries that tensor's total.
    """
    grads = Gradients()
    if not graph.missing:
        replay(graph, grads, gradient, "draw_graph")
        if graph.released and gradient is None:
            for t in graph.tensors:  # a leaf's .grad is what backward stored (hooks and all)
                kept = graph.kept.grads.get(id(t))
                if kept is not None and t.grad_fn is None:
                    grads.totals[id(t)] = kept
        return grads
    grads = partial_replay(graph, gradient)
    for t in graph.tensors:
        kept = graph.kept.grads.get(id(t))
        if kept is not None and id(t) not in grads.totals:
            grads.totals[id(t)] = kept
    for t in graph.tensors:
        if t.grad_fn is None:
            continue
        for i, x in enumerate(t.grad_fn.inputs):
            single = isinstance(x, Tensor) and len(graph.consumers.get(id(x), ())) == 1
            if single and (id(t), i) not in grads.edges and id(x) in grads.totals:
                grads.edges[(id(t), i)] = grads.totals[id(x)]
    return grads


def build(
    graph: Graph,
    opts: Options,
    grads: Gradients | None,
    highlight: Tensor | None = None,
    title: str | None = None,
    ids: bool = False,
    partial: bool = False,
) -> Picture:
    """The picture of ``graph`` with the gradients known so far (``grads``), optionally one tensor highlighted.

    ``title=""`` leaves the title out (a page that shows its own caption);
    ``ids`` gives every node and edge an SVG ``id`` (``t3``, ``op3``, ``e3_1``) for scripts;
    ``partial`` says the gradients are those of a pass still under way (a
    tensor that will get one says "not reached yet").
    """
    return _Builder(graph, opts, grads, highlight, ids, partial).digraph(title)


class _Builder:
    def __init__(
        self,
        graph: Graph,
        opts: Options,
        grads: Gradients | None,
        highlight: Tensor | None,
        ids: bool = False,
        partial: bool = False,
    ) -> None:
        self.ids = ids
        self.partial = partial
        self.graph = graph
        self.opts = opts
        self.grads = grads if grads is not None else Gradients()
        self.highlight = highlight
        self.index = {id(t): k for k, t in enumerate(graph.tensors)}
        self.backward = opts.mode == "backward"
        self.nodes: dict[tuple[str, ...], list[tuple[str, dict]]] = {}

    # -------------------------------------------------------------- whole graph
    def digraph(self, title: str | None) -> Picture:
        rankdir = _FLIP[self.opts.rankdir] if self.backward else self.opts.rankdir
        dot = Picture("autograd", format="svg")
        # an edge label sits in a rank of its own, so labelled (backward) pictures need less space between ranks
        ranksep = "0.12" if self.backward else "0.25"
        dot.attr(rankdir=rankdir, fontname=FONT, nodesep="0.2", ranksep=ranksep, newrank="true")
        if self.opts.size:
            dot.attr(size=self.opts.size)
        dot.attr("node", fontname=FONT, fontsize="11")
        dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7")
        edges: list[tuple[str, str, dict]] = []
        for t in self.graph.tensors:
            self._tensor(t)
            if t.grad_fn is not None:
                edges.extend(self._op(t))
        values = self.opts.mode != "backward"
        kinds = {self.graph.kind(t) for t in self.graph.tensors}
        edge_grads = any("label" in attrs and attrs.get("fontcolor") == GRAD_EDGE for _, _, attrs in edges)
        notes = []
        if self.graph.missing:
            notes.append("drawn after backward(): large tensors show their shape only (their values were not kept)")
        label = caption(
            self._title() if title is None else title,
            self.opts.legend,
            values,
            self.opts.grads,
            self.backward,
            kinds=kinds,
            edge_grads=edge_grads,
            notes=notes,
        )
        if label:
            dot.attr(label=label, labelloc="t")
        self._emit(dot)
        for n, (tail, head, attrs) in enumerate(edges):
            if self.ids:  # every edge touches one op: e<k>_<n> belongs to op<k> and its output t<k>
                op = tail if tail.startswith("op") else head
                attrs = {**attrs, "id": f"e{op[2:]}_{n}"}
            dot.edge(tail, head, **attrs)
        return dot

    def _title(self) -> str:
        root = self.graph.name(self.graph.root)
        if self.opts.mode == "forward":
            return f"{root}: the forward pass (values)"
        if self.opts.mode == "backward":
            return f"{root}: the backward pass (gradients ∂{root}/∂x)"
        return f"{root}: values and gradients ∂{root}/∂x"

    def _place(self, t: Tensor, node_id: str, attrs: dict) -> None:
        if self.ids:
            attrs = {**attrs, "id": node_id}
        scope = self.graph.scope(t) if self.opts.group_modules else ()
        self.nodes.setdefault(scope, []).append((node_id, attrs))

    def _emit(self, dot: graphviz.Digraph) -> None:
        """Write the nodes, nesting each module scope in a labelled cluster.

        A module that only wraps one other (an MLP around its Sequential) shares
        that one's box, labelled with both names, rather than adding a frame.
        """
        children: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for scope in list(self.nodes):
            for depth in range(1, len(scope) + 1):
                children.setdefault(scope[: depth - 1], set()).add(scope[:depth])
        counter = iter(range(1_000_000))

        def fill(g: graphviz.Digraph, scope: tuple[str, ...]) -> None:
            for node_id, attrs in self.nodes.get(scope, ()):
                g.node(node_id, **attrs)
            for child in sorted(children.get(scope, ())):
                names = [child[-1]]
                while not self.nodes.get(child) and len(children.get(child, ())) == 1:
                    child = next(iter(children[child]))
                    names.append(child[-1])
                number = next(counter)
                sub = graphviz.Digraph(name=f"cluster_{number}")
                if self.ids:
                    sub.attr(id=f"cluster_{number}")
                sub.attr(
                    label=f"<<B>{html(' › '.join(names))}</B>>",
                    style="rounded,filled",
                    fillcolor=CLUSTER_FILLS[(len(child) - 1) % len(CLUSTER_FILLS)],
                    color="#9aa9c2",
                    fontsize="11",
                    labeljust="r" if self.opts.rankdir == "LR" and self.backward else "l",
                    labelloc="b" if self.opts.rankdir == "TB" and self.backward else "t",
                    tooltip=attr(" / ".join(child)),
                )
                fill(sub, child)
                g.subgraph(sub)

        fill(dot, ())

    # ------------------------------------------------------------------ tensors
    def _tensor(self, t: Tensor) -> None:
        kind = self.graph.kind(t)
        grad = self.grads.totals.get(id(t))
        shows = self.opts.show
        rows = [self._header(t, kind)]
        if "shape" in shows:
            shape = "scalar" if t.ndim == 0 else shape_text(t.shape)
            rows.append(cell(f'<FONT POINT-SIZE="9" COLOR="#555555">{html(shape)} · {html(t.dtype)}</FONT>'))
        value = self.graph.missing.get(id(t), t.data)
        if self.opts.values:
            rows.append(cell(self._array("value", value)))
        if self.opts.grads and "grad" in shows and grad is not None:
            rows.append(cell(self._array("grad", grad, colour=GRAD_EDGE)))
        elif self.opts.grads and "grad" in shows and self.partial and t.requires_grad:
            rows.append(cell('<FONT COLOR="#555555">grad</FONT> <FONT COLOR="#999999">not reached yet</FONT>'))
        if self.opts.grads and self.graph.has_hooks(t) and not self.graph.released:
            rows.append(cell(f'<FONT POINT-SIZE="9" COLOR="{HOOK_COLOUR}">⚠ {html(HOOK_NOT_APPLIED)}</FONT>'))
        tooltip = f"{self.graph.name(t)}: {kind}, shape {shape_text(t.shape)}, {t.dtype}"
        fill = ""
        if self.opts.grads and grad is not None and not _released(value) and not _released(grad):
            # the whole node below its header is shaded by gradient health
            band = health.band(t.data, grad)
            fill = f' BGCOLOR="{band.colour}"'
            tooltip += f"; gradient health {band.label} (ratio {number(health.ratio(t.data, grad))})"
        highlighted = self.highlight is t
        border = "3" if highlighted else ("2" if kind == OUTPUT else "1")
        colour = HIGHLIGHT if highlighted else "#333333"
        table = (
            f'<TABLE BORDER="{border}" COLOR="{colour}"{fill} CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
            + "".join(rows)
            + "</TABLE>"
        )
        self._place(t, self._tid(t), {"label": f"<{table}>", "shape": "plain", "tooltip": attr(tooltip)})

    def _header(self, t: Tensor, kind: str) -> str:
        parts = []
        if "name" in self.opts.show:
            parts.append(f"<B>{html(self.graph.name(t))}</B>")
        tag = KIND_TAGS[kind]
        if tag:
            parts.append(f'<FONT POINT-SIZE="8" COLOR="#555555">{html(tag)}</FONT>')
        return cell("  ".join(parts) or " ", KIND_COLOURS[kind])

    def _array(self, label: str, a: np.ndarray | ReleasedArray, colour: str = "#000000") -> str:
        lines = array_lines(a, self.opts.max_elements, self.opts.precision)
        head = f'<FONT COLOR="#555555">{label}</FONT> '
        body = '<BR ALIGN="LEFT"/>'.join(html(line) for line in lines)
        if len(lines) > 1:
            body = '<BR ALIGN="LEFT"/>' + body
        return f'{head}<FONT COLOR="{colour}">{body}</FONT>'

    def _tid(self, t: Tensor) -> str:
        return f"t{self.index[id(t)]}"

    # ---------------------------------------------------------------------- ops
    def _op(self, t: Tensor) -> list[tuple[str, str, dict]]:
        node = t.grad_fn
        k = self.index[id(t)]
        op_id = f"op{k}"
        prim = node.op
        highlighted = self.highlight is t
        # keep the inputs in argument order (X, W, b) across the rank
        attrs: dict[str, Any] = {"tooltip": attr(str(prim.formula)), "ordering": "out" if self.backward else "in"}
        if "op" in self.opts.show:
            label = f"<B>{html(prim.name)}</B>"
            first = node.inputs[0] if node.inputs else None
            extra = params_text(prim.name, node.params, first.ndim if isinstance(first, Tensor) else None)
            if extra:
                label += f'<BR/><FONT POINT-SIZE="8">{html(extra)}</FONT>'
            if self.backward:
                label += f'<BR/><FONT POINT-SIZE="8" COLOR="{GRAD_EDGE}">{html(prim.formula.vjp)}</FONT>'
            attrs.update(label=f"<{label}>", shape="box", style="rounded,filled", fillcolor=OP_FILL, margin="0.1,0.05")
            attrs.update(fontsize="10", height="0.3")
        else:
            attrs.update(label="", shape="point", width="0.08")
        if highlighted:
            attrs.update(color=HIGHLIGHT, penwidth="3")
        self._place(t, op_id, attrs)

        out_id = self._tid(t)
        edges = []
        grad_out = self.grads.totals.get(id(t))
        if self.backward:
            if grad_out is None:
                edges.append((out_id, op_id, dict(_NO_GRADIENT)))
            else:
                label = self._grad_label(bar("y"), grad_out)
                edges.append(
                    (out_id, op_id, {"color": GRAD_EDGE, "fontcolor": GRAD_EDGE, **label, **_bold(highlighted)})
                )
        else:
            edges.append((op_id, out_id, {"color": VALUE_EDGE}))
        symbols = input_symbols(prim, len(node.inputs))
        for i, x in enumerate(node.inputs):
            if x is None:  # an optional input left out, such as the bias of Linear(bias=False)
                continue
            symbol = symbols[i] or f"input {i}"
            if isinstance(x, Tensor):
                src = self._tid(x)
            else:
                src = f"c{k}_{i}"
                self._place(t, src, self._constant(x))
            edges.append(self._input_edge(t, i, x, src, op_id, symbol, len(node.inputs) > 1, highlighted))
        return edges

    def _input_edge(
        self, t: Tensor, i: int, x: Any, src: str, op_id: str, symbol: str, several: bool, highlighted: bool
    ) -> tuple[str, str, dict]:
        g = self.grads.edges.get((id(t), i))
        if self.backward:
            if g is None:
                return op_id, src, dict(_NO_GRADIENT)
            return (
                op_id,
                src,
                {"color": GRAD_EDGE, "fontcolor": GRAD_EDGE, **self._grad_label(bar(symbol), g), **_bold(highlighted)},
            )
        attrs: dict[str, Any] = {"color": VALUE_EDGE}
        if self.opts.mode == "both" and g is not None and self._uses(x) > 1:
            # The tensor's own grad row shows its total; an edge needs a label only
            # when the tensor feeds several places and this is one contribution.
            attrs.update(fontcolor=GRAD_EDGE, **self._grad_label(bar(symbol), g))
        elif several:
            attrs.update(label=f"<{html(symbol)}>", fontcolor="#777777")
        return src, op_id, attrs

    def _uses(self, x: Any) -> int:
        return len(self.graph.consumers.get(id(x), ())) if isinstance(x, Tensor) else 1

    def _grad_label(self, symbol: str, g: np.ndarray) -> dict:
        text = f"{symbol} = {compact(g, self.opts.max_elements, self.opts.precision)}"
        return {"label": f"<{html(text)}>"}

    def _constant(self, value: Any) -> dict:
        value = self.graph.missing.get(id(value), value)
        text = compact(value, self.opts.max_elements, self.opts.precision) if value is not None else "None"
        return {
            "label": f"<{html(text)}>",
            "shape": "plaintext",
            "fontcolor": "#666666",
            "fontsize": "9",
            "tooltip": attr("constant"),
        }


def _bold(on: bool) -> dict:
    return {"penwidth": "3"} if on else {}


def _released(a: Any) -> bool:
    return isinstance(a, ReleasedArray)
