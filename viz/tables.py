"""Plain-text tables of a backprop trace: the steps (grouped by module when there are modules), then the per-layer δ's."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from .arrays import compact
from .labels import bar
from .recording import HOOK_NOT_APPLIED

if TYPE_CHECKING:
    from .layers import Layer
    from .trace import BackpropTrace, Step

Cell = str | Sequence[str]


def width(text: str) -> int:
    """Columns ``text`` occupies in a terminal (combining marks take none)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def table(
    header: Sequence[str], rows: Sequence[Sequence[Cell]], gap: str = "  ", headings: Mapping[int, str] | None = None
) -> str:
    """Left-aligned columns; a cell may be a list of lines, which extends its row downwards.

    ``headings`` maps a row's index to a line printed above it, across the
    columns (a group title); headings do not widen the columns.
    """
    lines_of = [[[c] if isinstance(c, str) else list(c) or [""] for c in row] for row in rows]
    widths = [width(h) for h in header]
    for row in lines_of:
        for k, cell in enumerate(row):
            widths[k] = max(widths[k], *(width(line) for line in cell))

    def join(cells: Sequence[str]) -> str:
        return gap.join(c + " " * (widths[k] - width(c)) for k, c in enumerate(cells)).rstrip()

    out = [join(header), join(["─" * w for w in widths])]
    for k, row in enumerate(lines_of):
        if headings and k in headings:
            out.append(headings[k])
        height = max(len(cell) for cell in row)
        for i in range(height):
            out.append(join([cell[i] if i < len(cell) else "" for cell in row]))
    return "\n".join(out)


STEP_HEADER = ["step", "node", "op", "incoming ȳ", "VJP rule", "sends"]


def trace_rows(trace: BackpropTrace) -> tuple[str, list[str], list[list[Cell] | str]]:
    """The introduction, the header and the rows of the step table, in step order; a ``str`` item is a heading.

    When the graph was recorded inside modules (``nn`` models, ``graph_scope``),
    a heading names the module wherever the next steps belong to another one
    (a module's parameters come back at the end, where the pass reaches the
    leaves); the heading of a Linear module's layer names its δ.
    """
    root = trace.graph.name(trace.graph.root)
    runs: list[tuple[tuple[str, ...], list[Step]]] = []
    for step in trace.steps:
        scope = trace.graph.scope(step.tensor)
        if runs and runs[-1][0] == scope:
            runs[-1][1].append(step)
        else:
            runs.append((scope, [step]))
    grouped = any(scope for scope, _ in runs)  # else every step is outside any module: one flat table
    rows: list[list[Cell] | str] = []
    for scope, steps in runs:
        if grouped:
            rows.append(f"── {_group_title(trace, scope, steps)}")
        rows.extend(_step_row(step) for step in steps)
    order = "reverse topological order, the order backward() runs them"
    if grouped:
        order += "; a heading names the module of the steps below it"
    intro = (
        f"Backward pass of {root}: {len(trace.steps)} steps in {order}.\n"
        f"ȳ is the gradient ∂{root}/∂(node) arriving at the node; the rule is its op's VJP from the registry."
    )
    return intro, STEP_HEADER, rows


def trace_table(trace: BackpropTrace) -> str:
    """The whole trace as text: one block per step, in order, then the per-layer δ's when there are layers."""
    intro, header, items = trace_rows(trace)
    rows: list[Sequence[Cell]] = []
    headings: dict[int, str] = {}
    for item in items:
        if isinstance(item, str):
            headings[len(rows)] = item
        else:
            rows.append(item)
    text = intro + "\n\n" + table(header, rows, headings=headings)
    if trace.layers:
        text += "\n\n" + layer_table(trace)
    return text


def html_table(header: Sequence[str], rows: Sequence[Sequence[Cell] | str]) -> str:
    """An escaped HTML table in a monospace font; a cell's lines become line breaks, a ``str`` row a heading."""
    style = "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;border-collapse:collapse"
    cell = "text-align:left;vertical-align:top;padding:2px 8px;border-bottom:1px solid #e5e5e5;white-space:pre"

    def lines(c: Cell) -> str:
        return "<br>".join(escape(line) for line in ([c] if isinstance(c, str) else list(c)))

    out = [f'<table style="{style}"><thead><tr>']
    out += [f'<th style="{cell}">{escape(h)}</th>' for h in header]
    out.append("</tr></thead><tbody>")
    for row in rows:
        if isinstance(row, str):
            out.append(f'<tr><td colspan="{len(header)}" style="{cell};font-weight:bold">{escape(row)}</td></tr>')
        else:
            out.append("<tr>" + "".join(f'<td style="{cell}">{lines(c)}</td>' for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _step_row(step: Step) -> list[Cell]:
    sends = [f"⚠ {step.name} has a {HOOK_NOT_APPLIED}"] if step.hooked else []
    if step.is_leaf:
        sends.append(f"{step.name}.grad = {compact(step.incoming)}")
        return [str(step.number), step.name, "(leaf)", compact(step.incoming), "", sends]
    for c in step.sends:
        sends.append(f"{bar(c.symbol)} → {c.target_name}: {compact(c.grad)}")
        if c.unbroadcast:
            sends.append(f"   ↳ {c.unbroadcast}")
        if c.accumulation:
            sends.append(f"   ↳ {c.accumulation}")
    return [str(step.number), step.name, step.op or "", compact(step.incoming), step.formula or "", sends]


def _group_title(trace: BackpropTrace, scope: tuple[str, ...], steps: list[Step]) -> str:
    """The module's name (``outside any module`` for none), and the δ of a fully connected layer in it."""
    title = scope[-1] if scope else "outside any module"
    in_group = {id(step.tensor) for step in steps}
    for layer in trace.layers:
        if id(layer.output) in in_group:
            title += f" — layer {layer.number}: {delta_name(trace, layer)} is the ȳ of {trace.graph.name(layer.output)}"
    return title


def delta_name(trace: BackpropTrace, layer: Layer) -> str:
    """``δ(2) = δ(L)``, ``δ(1) = δ(L−1)``: the layer's δ counted from the input and from the output."""
    back = max(la.number for la in trace.layers) - layer.number
    return f"δ({layer.number}) = δ({'L' if back == 0 else f'L−{back}'})"


def layer_table(trace: BackpropTrace) -> str:
    """δ(L), δ(L−1), … with ∂L/∂W = δᵀ·X and ∂L/∂b = Σ δ for each fully connected layer, output layer first."""
    rows = []
    batch = None
    for layer in sorted(trace.layers, key=lambda la: -la.number):
        if layer.delta.ndim > 1:
            batch = layer.delta.shape[0]
        rows.append(
            [
                delta_name(trace, layer),
                layer.name,
                _with_shape(layer.delta),
                _with_shape(layer.input),
                "—" if layer.weight_grad is None else _with_shape(layer.weight_grad),
                "—" if layer.bias_grad is None else _with_shape(layer.bias_grad),
            ]
        )
    summed = (
        "for the one example here"
        if batch in (None, 1)
        else f"summed over the batch's {batch} examples (the rows of δ and X)"
    )
    intro = (
        "Per-layer deltas: δ(l) = ∂L/∂Y, the gradient arriving at layer l's pre-activation Y = X·Wᵀ + b.\n"
        "δ has shape (batch, out) and X (batch, in), so ∂L/∂W = δᵀ·X has W's shape (out, in): the notes' δ xᵀ\n"
        f"{summed}; likewise ∂L/∂b = Σ δ over the rows."
    )
    header = ["layer", "module", "δ = ∂L/∂Y", "input X", "∂L/∂W = δᵀ·X", "∂L/∂b = Σ δ"]
    return intro + "\n\n" + table(header, rows)


def _with_shape(a: Any) -> str:
    """Values when few (prefixed by the shape for a matrix), else the shape and the norm."""
    text = compact(a)
    shape = f"{tuple(int(n) for n in getattr(a, 'shape', ()))}"
    return text if text.startswith("(") or len(getattr(a, "shape", ())) < 2 else f"{shape} {text}"
