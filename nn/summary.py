"""``summary(model, input_shape)``: a table of layers, output shapes and parameter counts."""

from __future__ import annotations

import html
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import autograd_core as ag

from .module import Module, eval_mode
from .progress import in_notebook


@dataclass
class ModelSummary:
    """What ``summary`` found: one row per layer (name, output shape, parameters) and the totals.

    ``str()`` is the text table; in Jupyter it displays as an HTML table.
    """

    rows: list[tuple[str, str, int]]
    total: int
    trainable: int

    def __str__(self) -> str:
        header = ("Layer (type)", "Output shape", "Params")
        w0 = max(len(header[0]), *(len(r[0]) for r in self.rows)) if self.rows else len(header[0])
        w1 = max(len(header[1]), *(len(r[1]) for r in self.rows)) if self.rows else len(header[1])
        w2 = max(len(header[2]), len(f"{self.total:,}"))
        rule = "-" * (w0 + w1 + w2 + 4)
        lines = [rule, f"{header[0]:<{w0}}  {header[1]:<{w1}}  {header[2]:>{w2}}", "=" * len(rule)]
        lines += [f"{a:<{w0}}  {b:<{w1}}  {c:>{w2},}" for a, b, c in self.rows]
        lines += ["=" * len(rule), f"Total params: {self.total:,}", f"Trainable params: {self.trainable:,}", rule]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ModelSummary: {len(self.rows)} layers, {self.total:,} parameters>"

    def _repr_html_(self) -> str:
        cell = "padding:2px 10px;border-bottom:1px solid #e5e5e5;text-align:left"
        number = cell.replace("text-align:left", "text-align:right")
        rows = "".join(
            f'<tr><td style="{cell}">{html.escape(a)}</td><td style="{cell}">{html.escape(b)}</td>'
            f'<td style="{number}">{c:,}</td></tr>'
            for a, b, c in self.rows
        )
        return (
            '<table style="border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px">'
            f'<thead><tr><th style="{cell}">Layer (type)</th><th style="{cell}">Output shape</th>'
            f'<th style="{number}">Params</th></tr></thead><tbody>{rows}</tbody>'
            f'<tfoot><tr><td style="{cell}" colspan="3">Total params: {self.total:,} · '
            f"Trainable params: {self.trainable:,}</td></tr></tfoot></table>"
        )


def _shape_text(out: Any) -> str:
    if isinstance(out, ag.Tensor):
        return "(batch, " + ", ".join(str(s) for s in out.shape[1:]) + ")" if out.ndim > 1 else "(batch,)"
    if isinstance(out, (tuple, list)):
        return ", ".join(_shape_text(o) for o in out)
    return type(out).__name__


def summary(model: Module, input_shape: Sequence[int], dtype: Any = None, file: TextIO | None = None) -> ModelSummary:
    """Each layer's name, output shape and parameter count for inputs of ``input_shape`` (no batch axis), then the totals.

    Runs one forward pass on a batch of two zero inputs in eval mode without
    recording a graph. A layer is a module without children, or one with
    parameters of its own; totals count shared parameters once. The table is
    printed (to ``file``, by default stdout) and returned as a ``ModelSummary``;
    in Jupyter it is not printed, since the returned summary displays itself
    as an HTML table (as torchinfo does, to avoid showing it twice).

    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    >>> s = nn.summary(model, (3,))  # the notes' 3-4-2 network: 26 parameters
    ----------------------------------
    Layer (type)  Output shape  Params
    ==================================
    0 (Linear)    (batch, 4)        16
    1 (ReLU)      (batch, 4)         0
    2 (Linear)    (batch, 2)        10
    ==================================
    Total params: 26
    Trainable params: 26
    ----------------------------------
    >>> s.total, s.rows[0]
    (26, ('0 (Linear)', '(batch, 4)', 16))
    """
    rows: list[tuple[str, str, int]] = []
    handles = []
    for name, module in model.named_modules():
        own = sum(p.size for p in module.parameters(recurse=False))
        if next(module.children(), None) is None or own:

            def record(m: Module, inputs: tuple, out: Any, name: str = name, own: int = own) -> None:
                label = f"{name} ({type(m).__name__})" if name else type(m).__name__
                rows.append((label, _shape_text(out), own))

            handles.append(module.register_forward_hook(record))
    try:
        with eval_mode(model), ag.no_grad():
            first = next(iter(model.parameters()), None)  # where the input goes, also for a model split over devices
            model(ag.zeros((2, *input_shape), dtype=dtype, device=None if first is None else first.device))
    finally:
        for h in handles:
            h.remove()
    total = sum(p.size for p in model.parameters())
    trainable = sum(p.size for p in model.parameters() if p.requires_grad)
    result = ModelSummary(rows, total, trainable)
    if file is not None or not in_notebook():
        print(result, file=file or sys.stdout)
    return result
