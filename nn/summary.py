"""``summary(model, input_shape)``: a table of layers, output shapes and parameter counts."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO

import autograd_core as ag

from .module import Module, eval_mode


def _shape_text(out: Any) -> str:
    if isinstance(out, ag.Tensor):
        return "(batch, " + ", ".join(str(s) for s in out.shape[1:]) + ")" if out.ndim > 1 else "(batch,)"
    if isinstance(out, (tuple, list)):
        return ", ".join(_shape_text(o) for o in out)
    return type(out).__name__


def summary(model: Module, input_shape: Sequence[int], dtype: Any = None, file: TextIO | None = None) -> None:
    """Print each layer's name, output shape and parameter count for inputs of ``input_shape`` (no batch axis), then the totals.

    Runs one forward pass on a batch of two zero inputs in eval mode without
    recording a graph. A layer is a module without children, or one with
    parameters of its own; totals count shared parameters once.

    >>> nn.summary(nn.MLP([3, 4, 2]), (3,))
    ---------------------------------------
    Layer (type)       Output shape  Params
    =======================================
    layers.0 (Linear)  (batch, 4)        16
    layers.1 (ReLU)    (batch, 4)         0
    layers.2 (Linear)  (batch, 2)        10
    =======================================
    Total params: 26
    Trainable params: 26
    ---------------------------------------
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
            model(ag.zeros((2, *input_shape), dtype=dtype))
    finally:
        for h in handles:
            h.remove()
    total = sum(p.size for p in model.parameters())
    trainable = sum(p.size for p in model.parameters() if p.requires_grad)
    header = ("Layer (type)", "Output shape", "Params")
    w0 = max(len(header[0]), *(len(r[0]) for r in rows)) if rows else len(header[0])
    w1 = max(len(header[1]), *(len(r[1]) for r in rows)) if rows else len(header[1])
    w2 = max(len(header[2]), len(f"{total:,}"))
    rule = "-" * (w0 + w1 + w2 + 4)
    lines = [rule, f"{header[0]:<{w0}}  {header[1]:<{w1}}  {header[2]:>{w2}}", "=" * len(rule)]
    lines += [f"{a:<{w0}}  {b:<{w1}}  {c:>{w2},}" for a, b, c in rows]
    lines += ["=" * len(rule), f"Total params: {total:,}", f"Trainable params: {trainable:,}", rule]
    print("\n".join(lines), file=file or sys.stdout)
