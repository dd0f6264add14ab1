"""Loss functions as Modules: ``loss_fn(input, target)`` with ``reduction`` = "mean" | "sum" | "none"."""

from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError

from . import functional as F
from .module import Module

Tensor = ag.Tensor


class _Loss(Module):
    """Holds the reduction shared by every loss."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = F.check_reduction(reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """ℓ = (ŷ − y)²; "mean" gives the MSE, "sum" the notes' sum of squared errors (SSE)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """ℓ = |ŷ − y|; "mean" gives the MAE."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.l1_loss(input, target, self.reduction)


class HuberLoss(_Loss):
    """ℓ = ½d² if |d| < δ else δ·(|d| − ½δ), d = ŷ − y: MSE near the target, MAE far from it.

    Written ``HuberLoss(delta)`` as in the notes: δ is the one positional
    argument and ``reduction`` a keyword (PyTorch puts ``reduction`` first;
    here a string in δ's place is an error saying to pass it by keyword).
    """

    def __init__(self, delta: float = 1.0, *, reduction: str = "mean") -> None:
        if isinstance(delta, str):
            raise InvalidArgumentError(
                f"HuberLoss(delta, *, reduction='mean') takes delta first; got {delta!r} in its place. "
                f"Pass the reduction by keyword: HuberLoss(reduction={delta!r})"
            )
        super().__init__(reduction)
        self.delta = F.check_huber_delta(delta)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta}"


class BCELoss(_Loss):
    """ℓ = −(y·log p + (1 − y)·log(1 − p)) from probabilities p (logs clamped at −100, as PyTorch)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """ℓ = BCE(σ(z), y) computed stably from logits z; one output per label, so multi-label too."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """ℓ = logsumexp(z) − z_class from logits z (integer labels, or probability / one-hot targets)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.reduction)


class NLLLoss(_Loss):
    """ℓ = −log p_class from log-probabilities (pair with LogSoftmax: together they are CrossEntropyLoss)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.nll_loss(input, target, self.reduction)
