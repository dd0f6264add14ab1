"""The per-layer δ's of the course notes, read off a replayed backward pass.

Each fully connected layer is one ``linear`` node Y = X·Wᵀ + b, or Y = X·Wᵀ
for a layer without a bias (``nn.Linear(bias=False)``). Its δ is
the gradient arriving at Y (the pre-activation error of the notes), and the
weight gradient is ∂L/∂W = δᵀ·X — the notes' δ xᵀ for one sample, summed over
the rows of a batch. Layers are numbered 1 … L from the input, so the output
layer's δ is δ(L).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograd_core import Tensor, backend

from .recording import Gradients, Graph


@dataclass
class Layer:
    """One fully connected layer's backward quantities."""

    number: int  #: 1 for the first layer after the input, L for the output layer
    name: str  #: the module scope (``layers.0 (Linear)``) or the node's display name
    output: Tensor  #: the layer's pre-activation Y
    weight: Tensor  #: W, shape (out, in)
    input: np.ndarray  #: X, the activations entering the layer
    delta: np.ndarray  #: δ = ∂L/∂Y
    weight_grad: np.ndarray | None  #: ∂L/∂W = δᵀ·X (None when W needs no gradient)
    bias_grad: np.ndarray | None  #: ∂L/∂b = δ summed over the batch (None without a bias, or when b needs none)


def find_layers(graph: Graph, grads: Gradients) -> list[Layer]:
    """Every ``linear`` node of ``graph`` that received a gradient, numbered from the input side."""
    linears = [t for t in graph.tensors if t.grad_fn is not None and t.grad_fn.op.name == "linear"]
    layers = []
    for number, y in enumerate(linears, start=1):
        delta = grads.totals.get(id(y))
        if delta is None:
            continue
        x, w = y.grad_fn.inputs[:2]  # then the bias, if the layer has one
        scope = y.grad_fn.scope
        layers.append(
            Layer(
                number=number,
                name=scope[-1] if scope else graph.name(y),
                output=y,
                weight=w,
                input=backend.host_array(x.data if isinstance(x, Tensor) else x),
                delta=delta,
                weight_grad=grads.edges.get((id(y), 1)),
                bias_grad=grads.edges.get((id(y), 2)),
            )
        )
    return layers
