"""``explore``: an interactive page that steps through one forward and backward pass, node by node.

The page (``viz.explorer_page``) is one self-contained HTML file: the graph as
drawn by ``draw_graph`` with the current node highlighted and scrolled into
view, buttons, ← / → keys, play/pause and a slider, ``#step=N`` in the URL, and
a side panel with the current node's op, its forward formula and VJP rule
from the primitive registry, its inputs, value, incoming gradient, the
gradients it sends (with accumulation and un-broadcast events) and, for
``nn`` models, the per-layer δ's. Steps 1 … F are the forward pass (one per
tensor, in the order it was made); then come the backward steps, numbered as
in ``trace_backward``'s table.
"""

from __future__ import annotations

import html
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograd_core import REGISTRY, Tensor, backend

from .arrays import compact, full_lines, is_released, released_lines, shape_text, summary_lines
from .explorer_page import page
from .graph import FIELDS, build, options
from .labels import bar, input_symbols, params_text
from .recording import HOOK_NOT_APPLIED, Graph
from .render import pipe
from .trace import BackpropTrace, Step, trace_backward

PANEL_ELEMENTS = 64  # arrays up to this size are shown in full in the side panel
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*")


@dataclass
class Explorer:
    """The explorer page of one pass: ``html`` is the page, ``path`` the file it was written to.

    In Jupyter it displays inline (in a frame of its own, so its script runs
    apart from the notebook's); open ``path`` in a browser for the full window.

    >>> a, b = ag.tensor(0.5, requires_grad=True), ag.tensor(-1.0, requires_grad=True)
    >>> page = viz.explore(ag.tanh(a * b + 1.0), "pages/tanh.html")
    >>> page
    <Explorer 'forward and backward pass of tanh₁': pages/tanh.html>
    >>> page.path.read_text() == page.html  # the page written, self-contained
    True
    >>> 'max="10"' in page.html  # the slider: 5 forward steps (a, b, mul, add, tanh), then 5 backward
    True
    """

    html: str
    path: Path
    title: str

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title, quote=True)}" '
            'style="width:100%;height:780px;border:1px solid #ddd"></iframe>'
            f'<div style="font:12px sans-serif;color:#555">also written to {html.escape(str(self.path))}</div>'
        )

    def __repr__(self) -> str:
        return f"<Explorer {self.title!r}: {self.path}>"


def explore(
    loss: Tensor,
    path: str | Path | None = None,
    *,
    gradient: Any = None,
    rankdir: str = "LR",
    max_elements: int = 6,
) -> Explorer:
    """Write the explorer page of ``loss``'s forward and backward pass; returns an ``Explorer`` (inline in Jupyter).

    ``path`` is the HTML file to write (folders created); None writes it to a
    new file in the system's temporary folder. Call it before or after
    ``loss.backward()`` (after, the graph is read from what backward kept;
    a graph whose large values backward did not keep raises
    ``GraphReleasedError`` saying what to do). A non-scalar ``loss`` needs
    ``gradient=``. Rendering needs Graphviz's ``dot`` (``GraphvizNotFoundError``
    says how to install it).

    >>> a, b = ag.tensor(0.5, requires_grad=True), ag.tensor(-1.0, requires_grad=True)
    >>> loss = ag.tanh(a * b + 1.0)
    >>> page = viz.explore(loss, "explorer.html")
    >>> page.title, page.path.name
    ('forward and backward pass of tanh₁', 'explorer.html')
    >>> "<title>Forward and backward pass of tanh₁</title>" in page.html
    True
    >>> print(a.grad)  # the page replays backward: .grad is not written
    None
    """
    trace = trace_backward(loss, gradient)
    text = explorer_page(trace, rankdir, max_elements)
    root = trace.graph.name(trace.graph.root)
    if path is None:
        handle = tempfile.NamedTemporaryFile("w", suffix=".html", prefix="explore_", delete=False, encoding="utf-8")
        with handle:
            handle.write(text)
        target = Path(handle.name)
    else:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return Explorer(text, target, f"forward and backward pass of {root}")


def explorer_page(trace: BackpropTrace, rankdir: str = "LR", max_elements: int = 6, start: str = "forward") -> str:
    """The explorer page of ``trace`` as HTML text; it opens at its first ``start`` ("forward" or "backward") step."""
    graph = trace.graph
    index = {id(t): k for k, t in enumerate(graph.tensors)}
    tid = {id(t): f"t{k}" for k, t in enumerate(graph.tensors)}
    pictures = {}
    for phase, grads in (("forward", None), ("backward", trace.gradients)):
        opts = options(phase, FIELDS, max_elements, rankdir, True, 4, True)
        svg = pipe(build(graph, opts, grads, title="", ids=True), "svg").decode("utf-8")
        pictures[phase] = _DOCTYPE.sub("", svg)
    forward = [_forward_step(graph, t, k + 1, len(graph.tensors), tid) for k, t in enumerate(graph.tensors)]
    layers = _layers(trace)
    backward = [_backward_step(trace, step, tid, layers) for step in trace.steps]
    root = graph.name(graph.root)
    data = {
        "root": root,
        "svg": pictures,
        "order": {
            "forward": {tid[id(t)]: index[id(t)] + 1 for t in graph.tensors},
            "backward": {tid[id(step.tensor)]: step.number for step in trace.steps},
        },
        "steps": forward + backward,
        "layers": [layer for layer, _ in layers],
        "layer_note": (
            "δ(l) = ∂L/∂Y, the gradient at layer l's pre-activation Y = X·Wᵀ + b. With a batch, δ is (batch, out) "
            "and X (batch, in), so ∂L/∂W = δᵀ·X (shape of W) sums the notes' δ xᵀ over the batch's rows, and "
            "∂L/∂b = Σ δ over the rows."
        ),
        "table": str(trace),
        "start": len(forward) + 1 if start == "backward" and backward else 1,
    }
    return page(f"Forward and backward pass of {root}", data)


# ------------------------------------------------------------------------ steps
def _lines(a: Any) -> list[str]:
    """An array for the side panel: every element when few, else the shape with a summary."""
    if is_released(a):
        return [f"{shape_text(a.shape)} {a.dtype}", *released_lines(a)]
    a = backend.host_array(a)
    if a.size <= PANEL_ELEMENTS:
        return full_lines(a)
    return [f"{shape_text(a.shape)} {a.dtype}", *summary_lines(a)]


def _value(graph: Graph, t: Tensor) -> list[str]:
    return _lines(graph.missing.get(id(t), t.data))


def _shape(t: Tensor) -> str:
    return ("scalar" if t.ndim == 0 else shape_text(t.shape)) + f" · {t.dtype}"


def _node_facts(graph: Graph, t: Tensor) -> dict[str, Any]:
    node = t.grad_fn
    facts: dict[str, Any] = {
        "node": "",
        "name": graph.name(t),
        "kind": graph.kind(t),
        "shape": _shape(t),
        "value": _value(graph, t),
        "op": None,
        "params": "",
        "forward": "",
        "vjp": "",
        "inputs": [],
    }
    if node is None:
        return facts
    formula = REGISTRY[node.op.name].formula if node.op.name in REGISTRY else node.op.formula
    first = node.inputs[0] if node.inputs else None
    facts.update(
        op=node.op.name,
        params=params_text(node.op.name, node.params, first.ndim if isinstance(first, Tensor) else None),
        forward=formula.forward,
        vjp=formula.vjp,
    )
    symbols = input_symbols(node.op, len(node.inputs))
    for i, x in enumerate(node.inputs):
        if x is None:
            continue
        symbol = symbols[i] or f"input {i}"
        if isinstance(x, Tensor):
            facts["inputs"].append({"symbol": symbol, "name": graph.name(x), "value": _value(graph, x)})
        else:
            value = graph.missing.get(id(x), x)
            facts["inputs"].append({"symbol": symbol, "name": "constant", "value": _lines(value)})
    return facts


def _forward_step(graph: Graph, t: Tensor, k: int, count: int, tid: dict[int, str]) -> dict[str, Any]:
    facts = _node_facts(graph, t)
    facts["node"] = tid[id(t)]
    name = facts["name"]
    if facts["op"] is None:
        caption = f"{name} is {_article(facts['kind'])} {facts['kind']}: {compact(graph.missing.get(id(t), t.data))}"
        about = "A tensor no op made: the pass starts from its value."
    else:
        args = ", ".join(x["name"] for x in facts["inputs"])
        caption = f"{name} = {facts['op']}({args}) = {compact(graph.missing.get(id(t), t.data))}"
        about = "The op computes its output from its inputs' values (the forward formula, from the registry)."
    return {
        **facts,
        "phase": "forward",
        "k": k,
        "of": count,
        "title": f"forward step {k} of {count}: {name}",
        "about": about,
        "caption": f"forward {k}/{count}: {caption}",
        "vjp": "",
    }


def _backward_step(
    trace: BackpropTrace, step: Step, tid: dict[int, str], layers: list[tuple[dict, tuple]]
) -> dict[str, Any]:
    graph = trace.graph
    facts = _node_facts(graph, step.tensor)
    facts["node"] = tid[id(step.tensor)]
    sends = []
    for c in step.sends:
        sends.append(
            {
                "symbol": bar(c.symbol),
                "target": c.target_name,
                "grad": _lines(c.grad),
                "unbroadcast": c.unbroadcast,
                "accumulation": c.accumulation,
            }
        )
    if step.is_leaf:
        about = "A leaf: every use has sent its share, so its gradient is complete and final (backward() stores it in .grad)."
    else:
        about = (
            "Every use of this tensor has sent its gradient, so ȳ is complete; the op's VJP rule turns it into one "
            "gradient per input, and each input adds it to what it has received."
        )
    scope = graph.scope(step.tensor)
    current = None
    for n, (_, layer_scope) in enumerate(layers):
        if layer_scope and scope[: len(layer_scope)] == layer_scope:
            current = n
    return {
        **facts,
        "phase": "backward",
        "k": step.number,
        "of": len(trace.steps),
        "title": f"backward step {step.number} of {len(trace.steps)}: {step.name}",
        "about": about,
        "caption": "backward " + trace.caption(step).replace("step ", "", 1),
        "incoming": _lines(step.incoming),
        "leaf": step.is_leaf,
        "hooked": f"⚠ {step.name} has a {HOOK_NOT_APPLIED}" if step.hooked else "",
        "sends": sends,
        "layer": current,
    }


def _layers(trace: BackpropTrace) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """The per-layer panel's rows, output layer first, each with the module scope it covers."""
    from .tables import delta_name

    number = {id(s.tensor): s.number for s in trace.steps}
    out = []
    for layer in sorted(trace.layers, key=lambda la: -la.number):
        scope = tuple(layer.output.grad_fn.scope or ())
        out.append(
            (
                {
                    "title": f"{delta_name(trace, layer)}\n{layer.name}",
                    "step": number.get(id(layer.output), 0),
                    "delta": _lines(layer.delta),
                    "weight_grad": _lines(layer.weight_grad) if layer.weight_grad is not None else ["—"],
                    "bias_grad": _lines(layer.bias_grad) if layer.bias_grad is not None else ["—"],
                    "input": _lines(layer.input),
                    "input_shape": shape_text(np.shape(layer.input)),
                    "delta_shape": shape_text(np.shape(layer.delta)),
                    "weight_shape": shape_text(layer.weight.shape),
                },
                scope,
            )
        )
    return out


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
