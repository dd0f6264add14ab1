"""Loss functions as Modules: ``loss_fn(input, target)`` with ``reduction`` = "mean" | "sum" | "batchmean" | "none".

"batchmean" sums each example's losses over its outputs and averages over
examples, the way the third notes write multi-output MSE and multi-label
BCE; "mean" averages over every element (see ``nn.functional``).
"""

from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError
from autograd_core.registry import keyword_aliases

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
    """ℓ = (ŷ − y)²; "mean" gives the MSE, "sum" the notes' sum of squared errors (SSE).

    With t outputs, "mean" is (1/(N·t)) Σᵢ Σⱼ (yᵢ⁽ʲ⁾ − ŷᵢ⁽ʲ⁾)², PyTorch's
    MSE. The third notes' E = (1/N) Σᵢ Σⱼ (yᵢ⁽ʲ⁾ − ŷᵢ⁽ʲ⁾)² sums over the
    outputs and averages over the examples, t times larger:
    ``MSELoss(reduction="batchmean")``. The first notes' L = Σₙ Σₖ (yₙₖ − fₖ(xₙ))²
    is ``reduction="sum"``.

    >>> y_hat, y = ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([[0.0, 2.0], [3.0, 2.0]])
    >>> nn.MSELoss()(y_hat, y)  # (1 + 0 + 0 + 4)/4
    tensor(1.25)
    >>> nn.MSELoss(reduction="sum")(y_hat, y)  # the first notes' SSE
    tensor(5.)
    >>> nn.MSELoss(reduction="batchmean")(y_hat, y)  # the third notes' E: summed over outputs, mean over examples
    tensor(2.5)
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """ℓ = |ŷ − y|; "mean" gives the MAE.

    >>> nn.L1Loss()(ag.tensor([1.0, -1.0]), ag.tensor([0.0, 1.0]))  # (1 + 2)/2
    tensor(1.5)
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.l1_loss(input, target, self.reduction)


class HuberLoss(_Loss):
    """ℓ = ½d² if |d| < δ else δ·(|d| − ½δ), d = ŷ − y: MSE near the target, MAE far from it.

    Written ``HuberLoss(delta)`` as in the notes: δ is the one positional
    argument and ``reduction`` a keyword (PyTorch puts ``reduction`` first;
    here a string in δ's place is an error saying to pass it by keyword).

    >>> y_hat, y = ag.tensor([0.5, 3.0]), ag.tensor([0.0, 0.0])
    >>> nn.HuberLoss(1.0, reduction="none")(y_hat, y)  # ½·0.5² and 1·(3 − ½)
    tensor([0.125, 2.5  ])
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
    """ℓ = −(y·log p + (1 − y)·log(1 − p)) from probabilities p (logs clamped at −100, as PyTorch).

    With M labels per example, "mean" averages over all N·M entries; the
    third notes' multi-label E = (1/N) Σᵢ Σⱼ −yᵢ⁽ʲ⁾ log ŷᵢ⁽ʲ⁾ − (1 − yᵢ⁽ʲ⁾) log(1 − ŷᵢ⁽ʲ⁾)
    sums over the labels: ``BCELoss(reduction="batchmean")``, M times "mean".

    >>> p = ag.tensor([[0.9], [0.2]], requires_grad=True)
    >>> y = np.array([[1.0], [0.0]])
    >>> nn.BCELoss()(p, y)  # −½(log 0.9 + log 0.8)
    tensor(0.16425203, grad_fn=...)
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """ℓ = BCE(σ(z), y) computed stably from logits z; one output per label, so multi-label too.

    ``pos_weight`` (one weight per label) weighs the positive examples and
    ``weight`` each element, as in PyTorch; both are kept as buffers (saved
    in ``state_dict``, converted by ``.float()``). The notes' multi-label loss
    (summed over labels, averaged over examples) is ``reduction="batchmean"``,
    as for ``BCELoss``. A sigmoid output passed here is warned about
    (``LossInputWarning``): it would be squashed twice.

    >>> z = ag.tensor([[2.0, -1.0], [0.0, 3.0]], requires_grad=True)  # logits, two labels per example
    >>> y = ag.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> loss = nn.BCEWithLogitsLoss()(z, y)
    >>> round(float(loss), 4)  # mean of softplus(z) − y·z over the four elements
    0.2955
    >>> loss.backward()
    >>> print(np.round(z.grad.numpy(), 4))  # (σ(z) − y)/4
    [[-0.0298  0.0672]
     [ 0.125  -0.0119]]
    >>> round(float(nn.BCEWithLogitsLoss(reduction="batchmean")(z, y)), 4)  # summed over labels, mean over examples
    0.591
    >>> round(float(nn.BCEWithLogitsLoss(pos_weight=ag.tensor([2.0, 1.0]))(z, y)), 4)  # the first label's positives count twice
    0.3272
    """

    def __init__(self, reduction: str = "mean", *, weight: Any = None, pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.weight = self.pos_weight = None
        if weight is not None:
            self.register_buffer("weight", weight)
        if pos_weight is not None:
            self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction, self.weight, self.pos_weight)


class CrossEntropyLoss(_Loss):
    """ℓ = logsumexp(z) − z_class from logits z (integer labels, or probability / one-hot targets).

    PyTorch's layout: inputs (C,), (N, C) or (N, C, d₁, …), classes on axis 1;
    ``label_smoothing`` = ε mixes the targets with the uniform distribution.

    The input must be logits, not a softmax output: softmax applied twice
    keeps the loss above log(1 + (C − 1)/e) (0.551 for 3 classes) and
    training stalls. An input produced by softmax (seen through its
    ``grad_fn``) gets a ``LossInputWarning`` saying to pass the logits, or
    to use ``NLLLoss`` on ``LogSoftmax`` outputs. The third notes'
    (1/N) Σᵢ Σⱼ −yᵢ⁽ʲ⁾ log ŷᵢ⁽ʲ⁾ is the default "mean".

    >>> z = ag.tensor([[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]], requires_grad=True)
    >>> nn.CrossEntropyLoss()(z, np.array([0, 1]))  # mean of logsumexp(z) − z_class
    tensor(0.13238449, grad_fn=...)
    >>> nn.CrossEntropyLoss(reduction="sum")(z, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))  # one-hot targets
    tensor(0.26476898, grad_fn=...)
    """

    def __init__(self, reduction: str = "mean", *, label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        if isinstance(label_smoothing, bool) or not 0.0 <= label_smoothing <= 1.0:
            raise InvalidArgumentError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], not {label_smoothing!r}")
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.reduction, self.label_smoothing)

    def extra_repr(self) -> str:
        smoothing = f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
        return super().extra_repr() + smoothing


class NLLLoss(_Loss):
    """ℓ = −log p_class from log-probabilities (pair with LogSoftmax: together they are CrossEntropyLoss).

    A softmax output (probabilities, not their logs) gets a ``LossInputWarning``.

    >>> z = ag.tensor([[2.0, 0.0, -1.0]])
    >>> nn.NLLLoss()(nn.LogSoftmax()(z), np.array([0]))
    tensor(0.16984602)
    >>> nn.CrossEntropyLoss()(z, np.array([0]))  # the same
    tensor(0.16984602)
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.nll_loss(input, target, self.reduction)


class GaussianNLLLoss(Module):
    """ℓ = ½·(log σ² + (ŷ − y)² / σ²) (+ ½·log 2π when ``full``), called as ``loss_fn(input, target, var)``.

    PyTorch's ``GaussianNLLLoss``: the negative log-likelihood of y under
    N(ŷ, σ²), with σ² clamped at ``eps``. ``var`` has the input's shape, or
    lacks its last axis, or has one axis of size 1 (a shared variance), or
    is a number. The third notes derive the MSE from this likelihood with σ²
    fixed; a network can also predict σ² through a softplus output (their
    positive output layer). See ``functional.gaussian_nll_loss``.

    >>> mean, target = ag.tensor([1.0, 2.0]), ag.tensor([1.5, 2.0])
    >>> nn.GaussianNLLLoss()(mean, target, ag.tensor([1.0, 1.0]))  # ½·(0.25 + 0)/2 with log 1 = 0
    tensor(0.0625)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__()
        if not eps > 0:
            raise InvalidArgumentError(f"GaussianNLLLoss: eps must be > 0 (the smallest variance used), not {eps!r}")
        self.full = full
        self.eps = eps
        self.reduction = F.check_reduction(reduction)

    def forward(self, input: Tensor, target: Any, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)

    def extra_repr(self) -> str:
        return f"full={self.full}, eps={self.eps}, reduction={self.reduction!r}"


class KLDivLoss(_Loss):
    """ℓ = y·(log y − x) from log-probabilities x and target probabilities y (``log_target``: y given as logs).

    ``reduction="batchmean"`` gives the KL divergence per example, as PyTorch
    recommends; "mean" (PyTorch's default) divides by every element.

    >>> log_p = ag.log(ag.tensor([[0.25, 0.75]]))  # the model's log-probabilities
    >>> q = ag.tensor([[0.5, 0.5]])  # the target distribution
    >>> kl = nn.KLDivLoss(reduction="batchmean")(log_p, q)
    >>> round(float(kl), 4)  # Σ q·log(q/p) = ½ log 2 + ½ log(2/3)
    0.1438
    >>> round(float(nn.KLDivLoss(reduction="batchmean", log_target=True)(log_p, ag.log(q))), 4)  # the same from log q
    0.1438
    """

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.kl_div(input, target, self.reduction, self.log_target)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, log_target={self.log_target}"


class SmoothL1Loss(_Loss):
    """ℓ = ½d²/β if |d| < β else |d| − ½β (d = ŷ − y): PyTorch's smooth L1, HuberLoss(β)/β.

    >>> y_hat, y = ag.tensor([0.5, 3.0]), ag.tensor([0.0, 0.0])
    >>> print(nn.SmoothL1Loss(reduction="none")(y_hat, y).numpy())  # ½d² below β = 1, |d| − ½ above
    [0.125 2.5  ]
    >>> print(nn.SmoothL1Loss(reduction="none", beta=2.0)(y_hat, y).numpy())  # ½d²/2 = 0.0625, 3 − 1 = 2
    [0.0625 2.    ]
    >>> nn.SmoothL1Loss(beta=-1.0)
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: SmoothL1Loss: beta must be a number >= 0, not -1.0
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not beta >= 0:
            raise InvalidArgumentError(f"SmoothL1Loss: beta must be a number >= 0, not {beta!r}")
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, beta={self.beta}"


class PoissonNLLLoss(_Loss):
    """ℓ = e^x − y·x (``log_input``) or x − y·log(x + ε): the negative log-likelihood of counts y (PyTorch's).

    ``full`` adds Stirling's term for log y! where y > 1.

    >>> log_rate = ag.tensor([0.0, 1.0])  # log λ
    >>> counts = ag.tensor([1.0, 3.0])
    >>> print(np.round(nn.PoissonNLLLoss(reduction="none")(log_rate, counts).numpy(), 4))  # e^x − y·x
    [ 1.     -0.2817]
    >>> print(np.round(nn.PoissonNLLLoss(full=True, reduction="none")(log_rate, counts).numpy(), 4))  # + Stirling's log y! for y > 1
    [1.     1.4824]
    >>> round(float(nn.PoissonNLLLoss(log_input=False)(ag.tensor([1.0, 2.0]), counts)), 4)  # λ − y·log λ, averaged
    0.4603
    """

    def __init__(
        self, log_input: bool = True, full: bool = False, *, eps: float = 1e-8, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.poisson_nll_loss(input, target, self.log_input, self.full, self.eps, self.reduction)

    def extra_repr(self) -> str:
        return f"log_input={self.log_input}, full={self.full}, eps={self.eps}, reduction={self.reduction!r}"


class MarginRankingLoss(_Loss):
    """ℓ = max(0, −y·(x₁ − x₂) + margin), called as ``loss_fn(input1, input2, target)`` with y = ±1.

    >>> x1, x2 = ag.tensor([1.0, 2.0, 3.0]), ag.tensor([2.0, 1.0, 3.0])
    >>> y = ag.tensor([1.0, 1.0, -1.0])  # x1 should rank higher, higher, lower
    >>> print(nn.MarginRankingLoss(margin=0.5, reduction="none")(x1, x2, y).numpy())  # max(0, −y·(x1 − x2) + 0.5)
    [1.5 0.  0.5]
    >>> round(float(nn.MarginRankingLoss(margin=0.5)(x1, x2, y)), 4)
    0.6667
    """

    def __init__(self, margin: float = 0.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, reduction={self.reduction!r}"


class HingeEmbeddingLoss(_Loss):
    """ℓ = x where y = 1, max(0, margin − x) where y = −1: distances x of similar (1) or dissimilar (−1) pairs.

    >>> x = ag.tensor([0.3, 2.0, 0.5])  # distances of three pairs
    >>> y = ag.tensor([1.0, -1.0, -1.0])  # similar, dissimilar, dissimilar
    >>> print(np.round(nn.HingeEmbeddingLoss(reduction="none")(x, y).numpy(), 4))  # x; max(0, 1 − x) twice
    [0.3 0.  0.5]
    >>> round(float(nn.HingeEmbeddingLoss(margin=2.5)(x, y)), 4)  # (0.3 + 0.5 + 2.0)/3
    0.9333
    """

    def __init__(self, margin: float = 1.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.hinge_embedding_loss(input, target, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, reduction={self.reduction!r}"


class CosineSimilarity(Module):
    """cos θ between x₁ and x₂ along ``axis`` (``dim=``, default 1), norms clamped at ``eps``: PyTorch's module.

    >>> a = ag.tensor([[1.0, 0.0], [1.0, 1.0]])
    >>> b = ag.tensor([[2.0, 0.0], [-1.0, 1.0]])
    >>> print(np.round(nn.CosineSimilarity(dim=1)(a, b).numpy(), 4))  # parallel rows, then perpendicular ones
    [1. 0.]
    >>> print(np.round(nn.CosineSimilarity(dim=0)(a, b).numpy(), 4))  # column by column
    [0.3162 1.    ]
    """

    @keyword_aliases
    def __init__(self, axis: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.axis = axis
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.axis, self.eps)

    def extra_repr(self) -> str:
        return f"axis={self.axis}, eps={self.eps}"
