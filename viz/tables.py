"""Plain-text tables of a backprop trace: the steps (grouped by module when there are modules), then the per-layer δ's."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

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


def trace_table(trace: BackpropTrace) -> str:
    """The whole trace as text: one block per step, then the per-layer δ's when there are layers.

    When the graph was recorded inside modules (``nn`` models, ``graph_scope``),
    the steps are grouped by the module their tensor belongs to, groups in the
    order the pass reached them; a Linear module's title names its δ.
    """
    root = trace.graph.name(trace.graph.root)
    groups: dict[tuple[str, ...], list[Step]] = {}
    for step in trace.steps:
        groups.setdefault(trace.graph.scope(step.tensor), []).append(step)
    grouped = any(scope for scope in groups)  # else every step is outside any module: one flat table
    rows, headings = [], {}
    for scope, steps in groups.items():
        if grouped:
            headings[len(rows)] = f"── {_group_title(trace, scope, steps)}"
        rows.extend(_step_row(step) for step in steps)
    order = "reverse topological order"
    if grouped:
        order += ", numbered in that order and grouped below by the module each tensor belongs to"
    intro = (
        f"Backward pass of {root}: {len(trace.steps)} steps in {order}.\n"
        f"ȳ is the gradient ∂{root}/∂(node) arriving at the node; the rule is its op's VJP from the registry."
    )
    text = intro + "\n\n" + table(["step", "node", "op", "incoming ȳ", "VJP rule", "sends"], rows, headings=headings)
    if trace.layers:
        text += "\n\n" + layer_table(trace)
    return text


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
    """δ(L), δ(L−1), … and ∂L/∂W = δ xᵀ for each fully connected layer, output layer first."""
    rows = []
    for layer in sorted(trace.layers, key=lambda la: -la.number):
        batch = layer.delta.ndim > 1 and layer.delta.shape[0] > 1
        rows.append(
            [
                delta_name(trace, layer),
                layer.name,
                compact(layer.delta),
                compact(layer.input),
                "—" if layer.weight_grad is None else compact(layer.weight_grad),
                "—" if layer.bias_grad is None else compact(layer.bias_grad),
                f"batch of {layer.delta.shape[0]}: δᵀ·X sums over it" if batch else "",
            ]
        )
    intro = (
        "Per-layer deltas: δ(l) = ∂L/∂(pre-activation of layer l), the gradient arriving at the layer's Y = X·Wᵀ + b.\n"
        "∂L/∂W = δ xᵀ (the notes' x δᵀ transposed, since W here is (out, in)); ∂L/∂b = δ."
    )
    return intro + "\n\n" + table(["layer", "module", "δ", "input x", "∂L/∂W = δ xᵀ", "∂L/∂b = δ", ""], rows)
