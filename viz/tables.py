"""Plain-text tables of a backprop trace: the steps, then the per-layer δ's."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .arrays import compact
from .labels import bar
from .recording import HOOK_NOT_APPLIED

if TYPE_CHECKING:
    from .trace import BackpropTrace

Cell = str | Sequence[str]


def width(text: str) -> int:
    """Columns ``text`` occupies in a terminal (combining marks take none)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def table(header: Sequence[str], rows: Sequence[Sequence[Cell]], gap: str = "  ") -> str:
    """Left-aligned columns; a cell may be a list of lines, which extends its row downwards."""
    lines_of = [[[c] if isinstance(c, str) else list(c) or [""] for c in row] for row in rows]
    widths = [width(h) for h in header]
    for row in lines_of:
        for k, cell in enumerate(row):
            widths[k] = max(widths[k], *(width(line) for line in cell))

    def join(cells: Sequence[str]) -> str:
        return gap.join(c + " " * (widths[k] - width(c)) for k, c in enumerate(cells)).rstrip()

    out = [join(header), join(["─" * w for w in widths])]
    for row in lines_of:
        height = max(len(cell) for cell in row)
        for i in range(height):
            out.append(join([cell[i] if i < len(cell) else "" for cell in row]))
    return "\n".join(out)


def trace_table(trace: BackpropTrace) -> str:
    """The whole trace as text: one block per step, then the per-layer δ's when there are layers."""
    root = trace.graph.name(trace.graph.root)
    rows = []
    for step in trace.steps:
        sends = [f"⚠ {step.name} has a {HOOK_NOT_APPLIED}"] if step.hooked else []
        if step.is_leaf:
            sends.append(f"{step.name}.grad = {compact(step.incoming)}")
            rows.append([str(step.number), step.name, "(leaf)", compact(step.incoming), "", sends])
            continue
        for c in step.sends:
            sends.append(f"{bar(c.symbol)} → {c.target_name}: {compact(c.grad)}")
            if c.unbroadcast:
                sends.append(f"   ↳ {c.unbroadcast}")
            if c.accumulation:
                sends.append(f"   ↳ {c.accumulation}")
        rows.append([str(step.number), step.name, step.op or "", compact(step.incoming), step.formula or "", sends])
    intro = (
        f"Backward pass of {root}: {len(trace.steps)} steps in reverse topological order.\n"
        f"ȳ is the gradient ∂{root}/∂(node) arriving at the node; the rule is its op's VJP from the registry."
    )
    text = intro + "\n\n" + table(["step", "node", "op", "incoming ȳ", "VJP rule", "sends"], rows)
    if trace.layers:
        text += "\n\n" + layer_table(trace)
    return text


def layer_table(trace: BackpropTrace) -> str:
    """δ(L), δ(L−1), … and ∂L/∂W = δ xᵀ for each fully connected layer, output layer first."""
    last = max(layer.number for layer in trace.layers)
    rows = []
    for layer in sorted(trace.layers, key=lambda la: -la.number):
        back = last - layer.number
        which = "L" if back == 0 else f"L−{back}"
        batch = layer.delta.ndim > 1 and layer.delta.shape[0] > 1
        rows.append(
            [
                f"δ({layer.number}) = δ({which})",
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
