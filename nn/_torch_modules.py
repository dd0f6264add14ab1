"""PyTorch modules for the two nn modules torch lacks, used by ``to_torch``; imported only when converting.

Defined at module level (not inside a function) so that a converted model
can be pickled whole with ``torch.save(model)``.
"""

from __future__ import annotations

import torch


class MLP(torch.nn.Module):
    """nn.MLP in PyTorch: a Sequential named ``layers``, so state-dict keys match (``layers.0.weight``, …)."""

    def __init__(self, sizes: list[int], layers: torch.nn.Sequential) -> None:
        super().__init__()
        self.sizes = list(sizes)
        self.layers = layers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"


class Step(torch.nn.Module):
    """Heaviside step y = [x > 0] in x's dtype (nn.Step); its gradient is zero."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x > 0).to(x.dtype)
