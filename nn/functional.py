"""Activations, losses and regularisers as functions of Tensors (``torch.nn.functional``).

Everything here is composed from the core's primitives, so every gradient
comes from their registered VJP rules: nn writes no backward pass. Losses
take ``(input, target)``, classes on the last axis, and one helper,
``reduce_loss``, applies ``reduction`` = "mean" | "sum" | "batchmean" |
"none" for all.

Reductions and the notes' formulas. For N examples with t outputs each,
"mean" divides the summed losses by N·t, "batchmean" by N only (it sums over
the outputs of each example and averages over examples, PyTorch's name for
it), "sum" divides by nothing. The third notes' multi-output MSE
E = (1/N) Σᵢ Σⱼ (yᵢ⁽ʲ⁾ − ŷᵢ⁽ʲ⁾)² and multi-label BCE are "batchmean"; the
first notes' L = Σₙ Σₖ (yₙₖ − fₖ(xₙ))² is "sum"; with one output per
example "mean" and "batchmean" agree.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.compiler import recordable
from autograd_core.errors import DtypeError, InvalidArgumentError, ShapeError
from autograd_core.primitives.nn_ops import check_class_labels
from autograd_core.registry import keyword_aliases
from autograd_core.vmap import over_leading_axes

from .seeding import RngLike, get_rng

Tensor = ag.Tensor
REDUCTIONS = ("mean", "sum", "batchmean", "none")

# ------------------------------------------------------------------ activations


def step(x: Tensor) -> Tensor:
    """Heaviside step as the notes define the perceptron's φ: y = 1 if x ≥ 0 else 0; dy/dx = 0.

    The threshold belongs to the "fires" side, φ(w·x + b) = 1 when
    w·x + b ≥ 0 (the perceptron slide of the second notes), so a unit
    exactly on its decision boundary outputs 1. (The same notes' catalogue
    leaves φ(0) undefined, and numpy's ``heaviside(0, h)`` lets you choose;
    PyTorch has no step activation.)

    The perceptron's activation. Its derivative is zero wherever it exists,
    so every gradient that passes through it is zero: backpropagation can
    never tell a weight which way to move, and a network of steps cannot be
    trained by gradient descent. That is why the perceptron was trained by
    its own rule (w ← w + η·(y − ŷ)·x, which never differentiates the step;
    see ``nn.Perceptron``) and why backprop needed a smooth surrogate such as
    the sigmoid. The result stays connected to the graph, so ``backward()``
    works and gives 0.

    >>> nn.functional.step(ag.tensor([-2.0, 0.0, 1.5]))  # 1 at the threshold, as the notes' perceptron
    tensor([0., 1., 1.])
    """
    # sign(−x) ∈ {−1, 0, 1} has a zero derivative; relu keeps [x < 0], and 1 − [x < 0] = [x ≥ 0].
    return 1.0 - ag.relu(ag.sign(-_as_tensor(x)))


def sign(x: Tensor) -> Tensor:
    """The perceptron's sign activation: y = +1 if x ≥ 0 else −1 (so sign = 2·step − 1); dy/dx = 0.

    The fourth notes' "step or sign function" for a linear classifier with
    labels ±1. Like ``step`` it puts the threshold x = 0 on the positive
    side, so the two give the same decision boundary; unlike ``ag.sign`` (and
    numpy's and PyTorch's), which gives 0 at 0, it always answers one class.

    >>> nn.functional.sign(ag.tensor([-2.0, 0.0, 1.5]))
    tensor([-1.,  1.,  1.])
    """
    return 1.0 - 2.0 * ag.relu(ag.sign(-_as_tensor(x)))


def identity(x: Tensor) -> Tensor:
    """y = x (the linear activation of a regression output).

    >>> nn.functional.identity(ag.tensor([1.0, -2.0]))
    tensor([ 1., -2.])
    """
    return x


def sigmoid(x: Tensor) -> Tensor:
    """y = σ(x) = 1 / (1 + e^−x); dy/dx = y·(1 − y).

    >>> x = ag.tensor([0.0, 2.0], requires_grad=True)
    >>> nn.functional.sigmoid(x)
    tensor([0.5       , 0.88079708], grad_fn=sigmoid)
    >>> nn.functional.sigmoid(x).sum().backward()
    >>> x.grad  # y(1 − y)
    tensor([0.25      , 0.10499359])
    """
    return ag.sigmoid(x)


def tanh(x: Tensor) -> Tensor:
    """y = tanh(x); dy/dx = 1 − y².

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> nn.functional.tanh(x)
    tensor([0.        , 0.76159416], grad_fn=tanh)
    >>> nn.functional.tanh(x).sum().backward()
    >>> x.grad  # 1 − y²
    tensor([1.        , 0.41997434])
    """
    return ag.tanh(x)


def relu(x: Tensor) -> Tensor:
    """y = max(x, 0); dy/dx = [x > 0], so ReLU′(0) = 0.

    At x = 0 the derivative does not exist; any value in [0, 1] is a valid
    subgradient. The library uses 0, as PyTorch, JAX and TensorFlow do. The
    second notes write φ′(z) = 1 if z ≥ 0 (so ReLU′(0) = 1), and likewise
    slope 1 at 0 for leaky ReLU, PReLU and ELU, where the library uses the
    negative side's slope (α, or α·e⁰ = α for ELU). The two conventions
    differ only for inputs exactly at 0.

    >>> x = ag.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> nn.functional.relu(x)
    tensor([0., 0., 2.], grad_fn=relu)
    >>> nn.functional.relu(x).sum().backward()
    >>> x.grad  # 0 at x = 0, as PyTorch
    tensor([0., 0., 1.])
    """
    return ag.relu(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """y = x if x > 0 else α·x (α = negative_slope, fixed).

    >>> x = ag.tensor([-2.0, 3.0], requires_grad=True)
    >>> nn.functional.leaky_relu(x, 0.1)
    tensor([-0.2,  3. ], grad_fn=leaky_relu)
    >>> nn.functional.leaky_relu(x, 0.1).sum().backward()
    >>> x.grad  # α below 0
    tensor([0.1, 1. ])
    """
    return ag.leaky_relu(x, negative_slope)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """y = x if x > 0 else a·x with a learned slope a (one, or one per channel on axis 1).

    >>> x = ag.tensor([[-2.0, 1.0]])
    >>> a = ag.tensor([0.25], requires_grad=True)
    >>> nn.functional.prelu(x, a)
    tensor([[-0.5,  1. ]], grad_fn=...)
    >>> nn.functional.prelu(x, a).sum().backward()
    >>> a.grad  # ∂y/∂a = x where x < 0
    tensor([-2.])
    """
    x = _as_tensor(x)
    if weight.ndim != 1:
        raise ShapeError(f"prelu: weight must be 1-D (one slope, or one per channel), got shape {weight.shape}")
    if weight.shape[0] != 1:
        if x.ndim < 2 or x.shape[1] != weight.shape[0]:
            raise ShapeError(
                f"prelu: {weight.shape[0]} slopes need input channels on axis 1 of that size, got input {x.shape}"
            )
        weight = weight.reshape((-1,) + (1,) * (x.ndim - 2))
    return ag.where(x.data > 0, x, weight * x)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """y = x if x > 0 else α·(eˣ − 1).

    >>> x = ag.tensor([-1.0, 2.0], requires_grad=True)
    >>> nn.functional.elu(x)
    tensor([-0.63212056,  2.        ], grad_fn=elu)
    >>> nn.functional.elu(x).sum().backward()
    >>> x.grad  # y + α below 0
    tensor([0.36787944, 1.        ])
    """
    return ag.elu(x, alpha)


def silu(x: Tensor) -> Tensor:
    """y = x·σ(x) (swish); dy/dx = σ(x)·(1 + x·(1 − σ(x))).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> nn.functional.silu(x)
    tensor([0.        , 0.73105858], grad_fn=silu)
    >>> nn.functional.silu(x).sum().backward()
    >>> x.grad  # σ(x)(1 + x(1 − σ(x)))
    tensor([0.5       , 0.92767051])
    """
    return ag.silu(x)


swish = silu


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """y = log(1 + e^(β·x)) / β, and y = x where β·x > threshold (as PyTorch); dy/dx = σ(β·x).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> nn.functional.softplus(x)
    tensor([0.69314718, 1.31326169], grad_fn=...)
    >>> nn.functional.softplus(x).sum().backward()
    >>> x.grad  # σ(x)
    tensor([0.5       , 0.73105858])
    """
    x = _as_tensor(x)
    bx = x if beta == 1.0 else x * beta
    smooth = ag.softplus(bx) if beta == 1.0 else ag.softplus(bx) / beta
    return ag.where(bx.data > threshold, x, smooth)


@keyword_aliases
def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along ``axis`` (stable); PyTorch's ``dim=`` works.

    >>> x = ag.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], requires_grad=True)
    >>> y = nn.functional.softmax(x, dim=1)
    >>> print(np.round(y.detach(), 4))
    tensor([[0.09  , 0.2447, 0.6652],
            [0.3333, 0.3333, 0.3333]])
    >>> y[0, 2].backward()
    >>> print(np.round(x.grad, 4))  # y₂·(δ₂ⱼ − yⱼ) in row 0
    tensor([[-0.0599, -0.1628,  0.2227],
            [ 0.    ,  0.    ,  0.    ]])
    """
    return ag.softmax(x, axis=axis)


@keyword_aliases
def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """yᵢ = xᵢ − log Σⱼ exp(xⱼ) along ``axis`` (stable); PyTorch's ``dim=`` works.

    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = nn.functional.log_softmax(x, dim=0)
    >>> print(np.round(y.detach(), 4))
    tensor([-2.4076, -1.4076, -0.4076])
    >>> y[0].backward()
    >>> print(np.round(x.grad, 4))  # δ₀ⱼ − softmax(x)ⱼ
    tensor([ 0.91  , -0.2447, -0.6652])
    """
    return ag.log_softmax(x, axis=axis)


@keyword_aliases
def softmin(x: Tensor, axis: int = -1) -> Tensor:
    """yᵢ = exp(−xᵢ) / Σⱼ exp(−xⱼ) = softmax(−x) along ``axis``; PyTorch's ``dim=`` works.

    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = nn.functional.softmin(x)
    >>> print(np.round(y.detach(), 4))  # the smallest x gets the most weight
    tensor([0.6652, 0.2447, 0.09  ])
    >>> y[0].backward()
    >>> print(np.round(x.grad, 4))  # −y₀·(δ₀ⱼ − yⱼ)
    tensor([-0.2227,  0.1628,  0.0599])
    """
    return ag.softmax(-_as_tensor(x), axis=axis)


def logsigmoid(x: Tensor) -> Tensor:
    """y = log σ(x) = −softplus(−x), stable for any x; dy/dx = σ(−x) = 1 − σ(x).

    >>> print(float(nn.functional.logsigmoid(ag.tensor(-1000.0))))  # finite where log(σ(x)) is log 0
    -1000.0
    >>> x = ag.tensor([-10.0, 0.0, 2.0], requires_grad=True)
    >>> print(np.round(nn.functional.logsigmoid(x).detach(), 4))
    tensor([-10.    ,  -0.6931,  -0.1269])
    >>> nn.functional.logsigmoid(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # σ(−x)
    tensor([1.    , 0.5   , 0.1192])
    """
    return ag.log_sigmoid(x)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU, y = x·Φ(x) (Φ the standard normal CDF); ``approximate="tanh"`` is PyTorch's tanh formula.

    One fused primitive (``ag.gelu``): dy/dx = Φ(x) + x·φ(x). The exact form
    needs scipy; the tanh form does not.

    >>> x = ag.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    >>> print(np.round(nn.functional.gelu(x).detach(), 4))
    tensor([-0.1587,  0.    ,  0.8413])
    >>> print(np.round(nn.functional.gelu(x, approximate="tanh").detach(), 4))
    tensor([-0.1588,  0.    ,  0.8412])
    >>> nn.functional.gelu(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # Φ(x) + x·φ(x)
    tensor([-0.0833,  0.5   ,  1.0833])
    """
    return ag.gelu(x, approximate=approximate)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: Tensor) -> Tensor:
    """y = λ·(x if x > 0 else α·(eˣ − 1)), λ ≈ 1.0507, α ≈ 1.6733: self-normalising (Klambauer et al.).

    >>> x = ag.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> print(np.round(nn.functional.selu(x).detach(), 4))
    tensor([-1.1113,  0.    ,  2.1014])
    >>> nn.functional.selu(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # λ·α·eˣ below 0, λ above
    tensor([0.6468, 1.7581, 1.0507])
    """
    return SELU_SCALE * ag.elu(x, SELU_ALPHA)


def celu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """y = max(0, x) + min(0, α·(e^(x/α) − 1)) = α·elu(x/α); continuously differentiable for any α > 0.

    >>> x = ag.tensor([-1.0, 2.0], requires_grad=True)
    >>> print(np.round(nn.functional.celu(x, alpha=2.0).detach(), 4))  # 2·(e^(−1/2) − 1) below 0
    tensor([-0.7869,  2.    ])
    >>> nn.functional.celu(x, alpha=2.0).sum().backward()
    >>> print(np.round(x.grad, 4))  # e^(x/α) below 0, 1 above
    tensor([0.6065, 1.    ])
    """
    if not alpha:
        raise InvalidArgumentError("celu: alpha must not be 0 (it divides x)")
    x = _as_tensor(x)
    return ag.elu(x, 1.0) if alpha == 1.0 else alpha * ag.elu(x / alpha, 1.0)


def mish(x: Tensor) -> Tensor:
    """y = x·tanh(softplus(x)) (Misra); smooth and non-monotonic like SiLU.

    >>> x = ag.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    >>> print(np.round(nn.functional.mish(x).detach(), 4))
    tensor([-0.3034,  0.    ,  0.8651])
    >>> nn.functional.mish(x).sum().backward()
    >>> print(np.round(x.grad, 4))
    tensor([0.0592, 0.6   , 1.049 ])
    """
    x = _as_tensor(x)
    return x * ag.tanh(ag.softplus(x))


def _clamped(x: Tensor, lo: float, hi: float, inside: Any, middle: Tensor) -> Tensor:
    """``middle`` where ``inside`` holds, the constant clip(x, lo, hi) elsewhere (no gradient there)."""
    return ag.where(inside, middle, np.clip(x.data, lo, hi).astype(x.dtype, copy=False))


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """y = clip(x, min_val, max_val); dy/dx = 1 strictly inside, 0 outside and at the corners (as PyTorch).

    >>> x = ag.tensor([-2.0, -1.0, 0.5, 3.0], requires_grad=True)
    >>> print(nn.functional.hardtanh(x))
    tensor([-1. , -1. ,  0.5,  1. ], grad_fn=...)
    >>> nn.functional.hardtanh(x).sum().backward()
    >>> print(x.grad)  # 1 strictly inside (−1, 1), 0 at the corner −1 and outside
    tensor([0., 0., 1., 0.])
    >>> print(nn.functional.hardtanh(ag.tensor([-5.0, 5.0]), min_val=-2.0, max_val=2.0))
    tensor([-2.,  2.])
    """
    if not min_val < max_val:
        raise InvalidArgumentError(f"hardtanh: min_val ({min_val}) must be below max_val ({max_val})")
    x = _as_tensor(x)
    return _clamped(x, min_val, max_val, (x.data > min_val) & (x.data < max_val), x)


def relu6(x: Tensor) -> Tensor:
    """y = min(max(x, 0), 6) = hardtanh(x, 0, 6); dy/dx = [0 < x < 6] (0 at the corners, as ReLU′(0) = 0).

    >>> x = ag.tensor([-1.0, 3.0, 6.0, 8.0], requires_grad=True)
    >>> print(nn.functional.relu6(x))
    tensor([0., 3., 6., 6.], grad_fn=...)
    >>> nn.functional.relu6(x).sum().backward()
    >>> print(x.grad)  # 1 only strictly between 0 and 6
    tensor([0., 1., 0., 0.])
    """
    return hardtanh(x, 0.0, 6.0)


def hardsigmoid(x: Tensor) -> Tensor:
    """y = relu6(x + 3)/6: 0 below −3, 1 above 3, x/6 + ½ between; dy/dx = 1/6 strictly inside (−3, 3).

    >>> x = ag.tensor([-4.0, 0.0, 1.5, 4.0], requires_grad=True)
    >>> print(nn.functional.hardsigmoid(x))
    tensor([0.  , 0.5 , 0.75, 1.  ], grad_fn=...)
    >>> nn.functional.hardsigmoid(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1/6 inside (−3, 3)
    tensor([0.    , 0.1667, 0.1667, 0.    ])
    """
    x = _as_tensor(x)
    return ag.where((x.data > -3) & (x.data < 3), x / 6 + 0.5, (x.data >= 3).astype(x.dtype))


def hardswish(x: Tensor) -> Tensor:
    """y = x·relu6(x + 3)/6: 0 below −3, x above 3, x(x + 3)/6 between (MobileNetV3).

    dy/dx = 0 for x ≤ −3, (2x + 3)/6 for −3 < x < 3, 1 for x ≥ 3: PyTorch's values at the corners.

    >>> x = ag.tensor([-4.0, -1.5, 0.0, 4.0], requires_grad=True)
    >>> print(nn.functional.hardswish(x))
    tensor([ 0.   , -0.375,  0.   ,  4.   ], grad_fn=...)
    >>> nn.functional.hardswish(x).sum().backward()
    >>> print(x.grad)  # (2x + 3)/6 inside (−3, 3)
    tensor([0. , 0. , 0.5, 1. ])
    """
    x = _as_tensor(x)
    middle = x * (x + 3) / 6
    below = np.zeros_like(x.data)
    return ag.where(x.data >= 3, x, ag.where(x.data > -3, middle, below))


def softsign(x: Tensor) -> Tensor:
    """y = x / (1 + |x|); dy/dx = 1 / (1 + |x|)².

    >>> x = ag.tensor([-3.0, 0.0, 1.0], requires_grad=True)
    >>> print(nn.functional.softsign(x))
    tensor([-0.75,  0.  ,  0.5 ], grad_fn=...)
    >>> nn.functional.softsign(x).sum().backward()
    >>> print(x.grad)  # 1/(1 + |x|)²
    tensor([0.0625, 1.    , 0.25  ])
    """
    x = _as_tensor(x)
    return x / (1 + ag.abs(x))


@keyword_aliases
def glu(x: Tensor, axis: int = -1) -> Tensor:
    """Gated linear unit: split ``x`` in halves a, b along ``axis``; y = a·σ(b) (half as wide). ``dim=`` works.

    >>> x = ag.tensor([[1.0, 2.0, 0.0, 100.0]], requires_grad=True)
    >>> y = nn.functional.glu(x)  # a = [1, 2], b = [0, 100]
    >>> print(np.round(y.detach(), 4))
    tensor([[0.5, 2. ]])
    >>> y.sum().backward()
    >>> print(np.round(x.grad, 4))  # ā = σ(b), b̄ = a·σ(b)·(1 − σ(b))
    tensor([[0.5 , 1.  , 0.25, 0.  ]])
    """
    x = _as_tensor(x)
    if x.ndim == 0:
        raise ShapeError("glu: a 0-d tensor has no axis to halve")
    n = x.shape[axis]
    if n % 2:
        raise ShapeError(f"glu: the gated axis must have an even length, got {n} (shape {x.shape}, axis {axis})")
    a, b = ag.split(x, 2, axis=axis)
    return a * ag.sigmoid(b)


# ----------------------------------------------------------------------- losses


def check_reduction(reduction: str) -> str:
    """``reduction`` itself when it is "mean", "sum" or "none"; otherwise a ValueError listing them.

    >>> nn.functional.check_reduction("sum")
    'sum'
    >>> nn.functional.check_reduction("average")
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: reduction must be one of 'mean', 'sum', 'batchmean', ...
    """
    if reduction not in REDUCTIONS:
        raise InvalidArgumentError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, not {reduction!r}")
    return reduction


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    """The one reduction of every loss: mean → (1/n)Σ ℓ over all n elements, sum → Σ ℓ, batchmean → (1/N)Σ ℓ
    over N = the size of the first (example) axis, none → ℓ per element.

    >>> loss = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> [nn.functional.reduce_loss(loss, r).item() for r in ("mean", "sum", "batchmean")]
    [2.5, 10.0, 5.0]
    """
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        total = loss.sum()
        n = loss.shape[0] if loss.ndim else 1
        return total / n if n else total * np.nan  # no examples: undefined, as the mean of nothing
    check_reduction(reduction)
    return loss


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else ag.tensor(x)


def _same_shape(op: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        hint = ""
        if input.size == target.size:
            hint = f"; reshape one to match, e.g. target.reshape{input.shape}"
        raise ShapeError(
            f"{op}: input {input.shape} and target {target.shape} have different shapes (broadcasting them "
            f"would compare every prediction with every target){hint}"
        )


def _regression_pair(op: str, input: Any, target: Any) -> tuple[Tensor, Tensor]:
    """The prediction as a Tensor and the target too; target data (not a Tensor) takes the prediction's dtype."""
    input = _as_tensor(input)
    target = target if isinstance(target, Tensor) else ag.tensor(target, dtype=input.dtype)
    _same_shape(op, input, target)
    return input, target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """ℓ = (ŷ − y)² per element; "mean" gives the MSE over every element, "sum" the SSE.

    With t outputs per example, "mean" is (1/(N·t)) Σᵢ Σⱼ (yᵢ⁽ʲ⁾ − ŷᵢ⁽ʲ⁾)², a
    factor t below the third notes' E = (1/N) Σᵢ Σⱼ (yᵢ⁽ʲ⁾ − ŷᵢ⁽ʲ⁾)², which
    is ``reduction="batchmean"``; the first notes' L = Σₙ Σₖ (yₙₖ − fₖ(xₙ))²
    is ``reduction="sum"``.

    >>> y_hat, y = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True), ag.tensor([[0.0, 2.0], [3.0, 2.0]])
    >>> nn.functional.mse_loss(y_hat, y)
    tensor(1.25, grad_fn=...)
    >>> nn.functional.mse_loss(y_hat, y, reduction="batchmean")
    tensor(2.5, grad_fn=...)
    >>> nn.functional.mse_loss(y_hat, y).backward()
    >>> y_hat.grad  # 2(ŷ − y)/n
    tensor([[0.5, 0. ],
            [0. , 1. ]])
    """
    input, target = _regression_pair("mse_loss", input, target)
    d = input - target
    return reduce_loss(d * d, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """ℓ = |ŷ − y| (mean: the MAE).

    >>> y_hat = ag.tensor([1.0, -1.0], requires_grad=True)
    >>> nn.functional.l1_loss(y_hat, ag.tensor([0.0, 1.0]))
    tensor(1.5, grad_fn=...)
    >>> nn.functional.l1_loss(y_hat, ag.tensor([0.0, 1.0])).backward()
    >>> y_hat.grad  # sign(ŷ − y)/n
    tensor([ 0.5, -0.5])
    """
    input, target = _regression_pair("l1_loss", input, target)
    return reduce_loss(ag.abs(input - target), reduction)


def check_huber_delta(delta: float) -> float:
    """``delta`` itself when it is a positive number (where Huber's loss turns from quadratic to linear).

    >>> nn.functional.check_huber_delta(1.5)
    1.5
    >>> nn.functional.check_huber_delta(0.0)
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: huber_loss: delta must be a positive number (where ℓ ...
    """
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.integer, np.floating)) or not delta > 0:
        raise InvalidArgumentError(f"huber_loss: delta must be a positive number (where ℓ turns linear), not {delta!r}")
    return delta


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """ℓ = ½d² if |d| < δ else δ·(|d| − ½δ), with d = ŷ − y: quadratic near 0, linear (robust) beyond δ.

    >>> d = ag.tensor([0.5, 3.0], requires_grad=True)
    >>> nn.functional.huber_loss(d, ag.zeros(2), reduction="none")
    tensor([0.125, 2.5  ], grad_fn=...)
    >>> nn.functional.huber_loss(d, ag.zeros(2), reduction="sum").backward()
    >>> d.grad  # d inside δ, δ·sign(d) beyond
    tensor([0.5, 1. ])
    """
    check_huber_delta(delta)
    input, target = _regression_pair("huber_loss", input, target)
    d = input - target
    a = ag.abs(d)
    return reduce_loss(ag.where(a.data < delta, 0.5 * d * d, delta * (a - 0.5 * delta)), reduction)


def _gaussian_variance(input: Tensor, var: Any) -> Tensor:
    """``var`` as a Tensor that broadcasts against ``input`` (PyTorch's rules), or a ValueError naming the shapes."""
    if isinstance(var, (int, float, np.integer, np.floating)) and not isinstance(var, bool):
        if var < 0:
            raise InvalidArgumentError(f"gaussian_nll_loss: the variance must be >= 0, got {var}")
        return ag.full(input.shape, float(var), dtype=input.dtype, device=input.device)
    var = var if isinstance(var, Tensor) else ag.tensor(var, dtype=input.dtype, device=input.device)
    if ag.backend.decide(np.any(var.data < 0)):
        raise InvalidArgumentError(
            "gaussian_nll_loss: the variance has negative entries; predict it through a positive output layer "
            "(e.g. nn.Softplus) or pass var = σ²"
        )
    if var.shape == input.shape:
        return var
    if var.shape == input.shape[:-1]:  # one variance per example, shared by its outputs
        return var.reshape(var.shape + (1,))
    mismatched = [(a, b) for a, b in zip(input.shape, var.shape) if a != b] if var.ndim == input.ndim else None
    if mismatched is not None and len(mismatched) == 1 and mismatched[0][1] == 1:
        return var  # one axis of size 1, broadcast over
    raise ShapeError(
        f"gaussian_nll_loss: var {var.shape} must have the input's shape {input.shape}, that shape without its "
        f"last axis {input.shape[:-1]}, or that shape with one axis of size 1"
    )


def gaussian_nll_loss(
    input: Tensor, target: Any, var: Any, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
) -> Tensor:
    """ℓ = ½·(log max(σ², ε) + (ŷ − y)² / max(σ², ε)) (+ ½·log 2π when ``full``): the Gaussian negative log-likelihood.

    PyTorch's ``gaussian_nll_loss``: ``input`` is the predicted mean ŷ,
    ``var`` the predicted variance σ² (per output, per example, or one
    number), clamped at ``eps`` for stability with the gradient passed
    through the clamp unchanged, as PyTorch does. The target must have the
    input's shape.

    The third notes derive the MSE from this likelihood: with a fixed σ²,
    −log p(y | x) = (y − f(x))² / (2σ²) + const, so minimising the MSE is
    maximum likelihood. Predicting σ² as well (a second output through a
    softplus, the notes' positive output layer) lets a network learn how
    noisy each target is.

    >>> mean = ag.tensor([1.0, 2.0])
    >>> target = ag.tensor([1.5, 2.0])
    >>> nn.functional.gaussian_nll_loss(mean, target, var=1.0)
    tensor(0.0625)
    >>> nn.functional.gaussian_nll_loss(mean, target, var=1.0, full=True)  # + ½·log 2π
    tensor(0.98143853)
    """
    check_reduction(reduction)
    input, target = _regression_pair("gaussian_nll_loss", input, target)
    var = _gaussian_variance(input, var)
    # max(σ², ε) with the gradient of σ² itself (a constant shift), like PyTorch's clamp under no_grad.
    shift = np.maximum(var.data, eps) - var.data
    var = var + ag.tensor(shift.astype(var.dtype, copy=False)) if ag.backend.decide(np.any(shift)) else var
    d = input - target
    loss = 0.5 * (ag.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """ℓ = −(y·log p + (1 − y)·log(1 − p)) from probabilities p, each log clamped at −100, as PyTorch.

    For M labels per example, "mean" averages over all N·M entries; the third
    notes' multi-label loss E = (1/N) Σᵢ Σⱼ −yᵢ⁽ʲ⁾ log ŷᵢ⁽ʲ⁾ − (1 − yᵢ⁽ʲ⁾) log(1 − ŷᵢ⁽ʲ⁾)
    sums over the labels, which is ``reduction="batchmean"`` (M times "mean").

    The gradient (p − y) / max(p(1 − p), ε) stays finite at saturated p in every float dtype.

    >>> p = ag.tensor([0.9, 0.2], requires_grad=True)
    >>> nn.functional.binary_cross_entropy(p, np.array([1.0, 0.0]))
    tensor(0.16425203, grad_fn=...)
    >>> nn.functional.binary_cross_entropy(p, np.array([1.0, 0.0])).backward()
    >>> p.grad  # (p − y)/(p(1 − p))/n
    tensor([-0.55555556,  0.625     ])
    """
    input, target = _regression_pair("binary_cross_entropy", input, target)
    return reduce_loss(ag.binary_cross_entropy(input, target), reduction)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Any, reduction: str = "mean", weight: Any = None, pos_weight: Any = None
) -> Tensor:
    """ℓ = max(z, 0) − z·y + log(1 + e^−|z|) = BCE(σ(z), y), stable for any logit z; elementwise, so multi-label too.

    ``pos_weight`` p (one per label, broadcast along the last axis) weighs
    the positive term, ℓ = −(p·y·log σ(z) + (1 − y)·log(1 − σ(z))) =
    (1 − y)·z + (1 + (p − 1)·y)·softplus(−z); ``weight`` rescales each
    element's loss. Both as in PyTorch. As for ``binary_cross_entropy``, the
    notes' multi-label sum over labels averaged over examples is
    ``reduction="batchmean"``. A sigmoid output passed here is squashed
    twice; it gets a ``LossInputWarning``.

    >>> z = ag.tensor([0.0, 2.0, -100.0], requires_grad=True)
    >>> y = ag.tensor([1.0, 0.0, 0.0])
    >>> loss = nn.functional.binary_cross_entropy_with_logits(z, y)
    >>> print(round(float(loss), 4))  # (log 2 + 2.1269 + 0)/3; the −100 logit does not overflow
    0.94
    >>> loss.backward()
    >>> print(np.round(z.grad, 4))  # (σ(z) − y)/n
    tensor([-0.1667,  0.2936,  0.    ])
    >>> w = nn.functional.binary_cross_entropy_with_logits(z, y, pos_weight=ag.tensor([3.0]), reduction="none")
    >>> print(np.round(w.detach(), 4))  # the positive term weighed 3×
    tensor([2.0794, 2.1269, 0.    ])
    """
    _warn_if_produced_by(
        input,
        "sigmoid",
        "binary_cross_entropy_with_logits expects logits z (it applies the sigmoid itself), but its input is a "
        "sigmoid output, so σ is applied twice and the loss cannot reach 0. Pass the pre-activation z (drop the "
        "final Sigmoid), or keep the Sigmoid and use BCELoss / binary_cross_entropy",
    )
    check_reduction(reduction)
    input, target = _regression_pair("binary_cross_entropy_with_logits", input, target)
    if pos_weight is None:
        loss = ag.binary_cross_entropy_with_logits(input, target)
    else:
        p = _weights("binary_cross_entropy_with_logits", "pos_weight", pos_weight, input)
        loss = (1 - target) * input + (1 + (p - 1) * target) * ag.softplus(-input)
    if weight is not None:
        loss = loss * _weights("binary_cross_entropy_with_logits", "weight", weight, input)
    return reduce_loss(loss, reduction)


class LossInputWarning(UserWarning):
    """A loss received what another loss expects (e.g. softmax probabilities where logits belong).

    >>> import warnings
    >>> z = ag.tensor([[2.0, 0.5, 0.1]], requires_grad=True)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     loss = nn.CrossEntropyLoss()(ag.softmax(z), np.array([0]))
    >>> caught[0].category.__name__
    'LossInputWarning'
    """


def _warn_if_produced_by(input: Any, op: str, message: str) -> None:
    """Warn (``LossInputWarning``) when ``input`` is the direct output of the primitive ``op``.

    Seen through ``input.grad_fn``, so only while gradients are recorded: a
    tensor made under ``no_grad`` (or a plain array) carries no history.
    """
    node = getattr(input, "grad_fn", None)
    if node is not None and node.name == op:
        warnings.warn(message, LossInputWarning, stacklevel=_first_frame_outside_nn())


def _first_frame_outside_nn() -> int:
    """The ``stacklevel`` that points a warning at the caller's code rather than at nn's own modules."""
    here = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1  # the frame that calls warnings.warn is level 1
    while frame is not None and (
        os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == here
        or frame.f_globals.get("__name__") == "autograd_core.keyword_errors"  # the keyword check's frame
    ):
        frame, level = frame.f_back, level + 1
    return level


def softmax_cross_entropy_floor(num_classes: int) -> float:
    """The smallest cross-entropy a softmax output fed as logits can reach: log(1 + (C − 1)/e).

    With p = softmax(z) in place of logits, ℓ = −log(e^{p_c} / Σₖ e^{pₖ}) is
    smallest when p is one-hot on the class, where it is
    −log(e / (e + C − 1)). For 3 classes that is 0.551, however good the model.

    >>> round(nn.functional.softmax_cross_entropy_floor(3), 3)
    0.551
    """
    return math.log1p((num_classes - 1) / math.e)


def _check_not_integer_one_hot(op: str, input: Tensor, t: np.ndarray) -> None:
    """Integer targets shaped like the scores are one-hot rows, not labels: an error saying what to pass instead."""
    if t.dtype.kind in "iu" and t.shape == input.shape:
        floats = (
            " or as probabilities of that shape in a float dtype (y.astype(float))" if op == "cross_entropy" else ""
        )
        raise DtypeError(
            f"{op}: integer targets of the input's shape {t.shape} look like one-hot rows; pass the class labels "
            f"(y.argmax(-1), shape {input.shape[:-1]}){floats}"
        )


def _class_targets(op: str, input: Tensor, target: Any) -> np.ndarray:
    """Integer class targets as an array, checked against the input's batch shape and class range."""
    t = target.data if isinstance(target, Tensor) else ag.backend.as_array(target)
    _check_not_integer_one_hot(op, input, t)
    if t.dtype.kind == "f" and t.shape == input.shape[:-1]:
        raise DtypeError(
            f"{op}: targets of shape {t.shape} look like class labels but have dtype {t.dtype}; "
            f"pass integer labels (e.g. y.astype(int)) or probabilities of shape {input.shape}"
        )
    return check_class_labels(op, input.shape, t)


def _one_hot_rows(labels: Any, classes: int, dtype: Any) -> Any:
    """Rows of the identity picked by integer ``labels``: [labels[..., None] == k], on the labels' device."""
    if type(labels) is np.ndarray:
        return np.eye(classes, dtype=dtype)[labels]
    return (labels[..., None] == ag.backend.arange(classes, labels)).astype(dtype)


def _classes_last(input: Tensor, target: Any) -> tuple[Tensor, Any]:
    """PyTorch's layout (N, C, d₁, …) with the classes moved last, for the core primitives; (C,) and (N, C) stay.

    Probability targets, which have the input's shape, move with it.
    """
    if input.ndim < 3:
        return input, target
    input = ag.moveaxis(input, 1, -1)
    t = target.data if isinstance(target, Tensor) else ag.backend.as_array(target)
    if t.dtype.kind == "f" and t.ndim == input.ndim:
        target = ag.moveaxis(target, 1, -1) if isinstance(target, Tensor) else np.moveaxis(t, 1, -1)
    return input, target


def _class_count(input: Any) -> int:
    shape = np.shape(input.data if isinstance(input, Tensor) else input)
    return shape[1] if len(shape) >= 2 else shape[-1] if shape else 1


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """ℓ = −Σₖ yₖ·log softmax(z)ₖ = logsumexp(z) − z_class, from logits z, in PyTorch's layout.

    The input is (C,), (N, C) or (N, C, d₁, …, d_k): the classes are on axis
    1 (the last axis for 1-D and 2-D inputs). Targets are integer class
    labels of the input's shape without the class axis, or probabilities
    (e.g. one-hot) of the input's shape; computed stably by one fused
    primitive. "mean" averages over every labelled position (N·d₁·…·d_k);
    the third notes' E = (1/N) Σᵢ Σⱼ −yᵢ⁽ʲ⁾ log ŷᵢ⁽ʲ⁾ is ``reduction="mean"``
    (one loss per example, already summed over classes).

    ``label_smoothing`` = ε ∈ [0, 1] mixes the target with the uniform
    distribution, y ← (1 − ε)·y + ε/C, as PyTorch does.

    The input must be logits: a softmax output here is softmaxed again, and
    the loss can then never fall below log(1 + (C − 1)/e) (0.551 for three
    classes), so training stalls. Such an input (recognised by its
    ``grad_fn``) gets a ``LossInputWarning`` naming the fix.

    >>> z = ag.tensor([[2.0, 0.0, -1.0]], requires_grad=True)
    >>> nn.functional.cross_entropy(z, np.array([0]))
    tensor(0.16984602, grad_fn=...)
    >>> nn.functional.cross_entropy(z, np.array([0])).backward()
    >>> z.grad  # softmax(z) − onehot
    tensor([[-0.15620527,  0.1141952 ,  0.04201007]])
    """
    if getattr(getattr(input, "grad_fn", None), "name", None) == "softmax":
        classes = _class_count(input)
        _warn_if_produced_by(
            input,
            "softmax",
            "cross_entropy expects logits (it applies log_softmax itself), but its input is a softmax output, so "
            f"softmax is applied twice and the loss cannot fall below log(1 + (C − 1)/e) = "
            f"{softmax_cross_entropy_floor(classes):.3f} for C = {classes} classes. Pass the logits (drop the "
            "final Softmax), or use NLLLoss on log_softmax outputs (nn.LogSoftmax)",
        )
    check_reduction(reduction)
    if isinstance(label_smoothing, bool) or not 0.0 <= label_smoothing <= 1.0:
        raise InvalidArgumentError(
            f"cross_entropy: label_smoothing must be a number in [0, 1], not {label_smoothing!r}"
        )
    input = _as_tensor(input)
    if input.ndim == 0:
        raise ShapeError(
            "cross_entropy: logits need a class axis (shape (C,), (N, C) or (N, C, d₁, …)), got a 0-d tensor"
        )
    input, target = _classes_last(input, target)
    t = target.data if isinstance(target, Tensor) else ag.backend.as_array(target)
    _check_not_integer_one_hot("cross_entropy", input, t)
    if t.dtype.kind == "f" and t.shape != input.shape:
        if t.shape == input.shape[:-1]:
            _class_targets("cross_entropy", input, t)  # raises, with the hint to pass integer labels
        raise ShapeError(
            f"cross_entropy: probability targets {t.shape} must have the input's shape {input.shape} "
            "(do inputs and targets have the same batch size?)"
        )
    if label_smoothing:
        classes = input.shape[-1]
        if t.dtype.kind in "iu":
            labels = _class_targets("cross_entropy", input, t)
            target = _one_hot_rows(labels, classes, input.dtype)
        elif not isinstance(target, Tensor):
            target = t.astype(input.dtype)
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    # Integer labels are checked (batch shape, class range) by the core primitive itself.
    return reduce_loss(ag.cross_entropy(input, target), reduction)


def nll_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """ℓ = −log p_class from log-probabilities (the output of log_softmax), in PyTorch's layout.

    The input is (C,), (N, C) or (N, C, d₁, …): classes on axis 1, as for
    ``cross_entropy``. Probabilities (a softmax output) in place of
    log-probabilities give ℓ = −p_class, not a likelihood; such an input gets
    a ``LossInputWarning``.

    >>> logp = ag.log(ag.tensor([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]], requires_grad=True))
    >>> logp.retain_grad()
    >>> loss = nn.functional.nll_loss(logp, np.array([0, 1]))
    >>> print(round(float(loss), 4))  # (−log 0.5 − log 0.8)/2
    0.4581
    >>> loss.backward()
    >>> print(logp.grad)  # −1/N at each example's class
    tensor([[-0.5,  0. ,  0. ],
            [ 0. , -0.5,  0. ]])
    """
    _warn_if_produced_by(
        input,
        "softmax",
        "nll_loss expects log-probabilities, but its input is a softmax output (probabilities), so the loss is "
        "−p instead of −log p. Use log_softmax (nn.LogSoftmax) in place of softmax, or pass the logits to "
        "CrossEntropyLoss",
    )
    input = _as_tensor(input)
    if input.ndim == 0:
        raise ShapeError(
            "nll_loss: log-probabilities need a class axis (shape (C,), (N, C) or (N, C, d₁, …)), got a 0-d tensor"
        )
    input, target = _classes_last(input, target)
    t = _class_targets("nll_loss", input, target)
    picked = ag.take_along_axis(input, t[..., None], axis=-1)
    return reduce_loss(-picked.reshape(t.shape), reduction)


def _weights(op: str, name: str, w: Any, input: Tensor) -> Any:
    """A weight tensor (or array, in the input's dtype) that broadcasts to the input's shape."""
    w = w if isinstance(w, Tensor) else ag.backend.asarray_on(w, input.data, input.dtype, f"{op}: {name}")
    try:
        fits = np.broadcast_shapes(w.shape, input.shape) == input.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{op}: {name} of shape {w.shape} does not broadcast to the input's shape {input.shape}")
    return w


def kl_div(input: Tensor, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """ℓ = y·(log y − x) per element, x the log-probabilities predicted and y the target probabilities (PyTorch's).

    With ``log_target`` the target is given as log-probabilities too:
    ℓ = e^y·(y − x). Terms with y = 0 contribute 0. The KL divergence
    KL(y ‖ p) of each example is ``reduction="batchmean"`` (the sum over
    all elements divided by the batch size); "mean" divides by every
    element, as PyTorch's default (which it warns about).

    >>> logq = ag.tensor(np.log([[0.5, 0.5]]), requires_grad=True)
    >>> p = ag.tensor([[0.75, 0.25]])
    >>> loss = nn.functional.kl_div(logq, p, reduction="batchmean")
    >>> print(round(float(loss), 4))  # KL(p ‖ q) = 0.75·log 1.5 + 0.25·log 0.5
    0.1308
    >>> loss.backward()
    >>> print(logq.grad)  # −p/N
    tensor([[-0.75, -0.25]])
    >>> print(round(float(nn.functional.kl_div(logq, ag.log(p), reduction="batchmean", log_target=True)), 4))
    0.1308
    """
    check_reduction(reduction)
    input, target = _regression_pair("kl_div", input, target)
    if log_target:
        return reduce_loss(ag.exp(target) * (target - input), reduction)
    positive = target.data > 0
    y_log_y = ag.where(positive, target * ag.log(ag.where(positive, target, 1.0)), 0.0)  # 0·log 0 = 0
    return reduce_loss(y_log_y - target * input, reduction)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """ℓ = ½d²/β if |d| < β else |d| − ½β, with d = ŷ − y (PyTorch's; β = 0 is the L1 loss).

    Equal to ``huber_loss`` with δ = β, divided by β.

    >>> pred = ag.tensor([0.5, 3.0], requires_grad=True)
    >>> target = ag.tensor([0.0, 0.0])
    >>> loss = nn.functional.smooth_l1_loss(pred, target)
    >>> print(float(loss))  # (½·0.5² + (3 − ½))/2
    1.3125
    >>> loss.backward()
    >>> print(pred.grad)  # d/β inside |d| < β, sign(d) outside, over n
    tensor([0.25, 0.5 ])
    """
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.integer, np.floating)) or not beta >= 0:
        raise InvalidArgumentError(f"smooth_l1_loss: beta must be a number >= 0, not {beta!r}")
    check_reduction(reduction)
    input, target = _regression_pair("smooth_l1_loss", input, target)
    d = input - target
    a = ag.abs(d)
    if beta == 0:
        return reduce_loss(a, reduction)
    return reduce_loss(ag.where(a.data < beta, (0.5 / beta) * d * d, a - 0.5 * beta), reduction)


@keyword_aliases
def cosine_similarity(x1: Tensor, x2: Tensor, axis: int = 1, eps: float = 1e-8) -> Tensor:
    """cos θ = Σ x₁·x₂ / (max(‖x₁‖, ε)·max(‖x₂‖, ε)) along ``axis`` (``dim=``), as PyTorch's.

    The inputs broadcast against each other; each norm is clamped at ε
    separately, so a zero vector gives 0 with a finite gradient.

    >>> x1 = ag.tensor([[1.0, 0.0], [1.0, 1.0]], requires_grad=True)
    >>> x2 = ag.tensor([[0.0, 2.0], [2.0, 2.0]])
    >>> print(np.round(nn.functional.cosine_similarity(x1, x2).detach(), 4))  # orthogonal, parallel
    tensor([0., 1.])
    >>> nn.functional.cosine_similarity(x1, x2).sum().backward()
    >>> print(np.round(x1.grad, 4))  # x₂/(‖x₁‖‖x₂‖) − cos θ·x₁/‖x₁‖²
    tensor([[0., 1.],
            [0., 0.]])
    >>> print(nn.functional.cosine_similarity(ag.zeros((1, 2)), x2[:1]))  # a zero vector gives 0
    tensor([0.])
    """
    x1 = _as_tensor(x1)
    x2 = (
        x2
        if isinstance(x2, Tensor)
        else ag.tensor(ag.backend.asarray_on(x2, x1.data, x1.dtype, "cosine_similarity: x2"))
    )
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ShapeError(f"cosine_similarity: shapes {x1.shape} and {x2.shape} do not broadcast together") from None
    x1 = x1 if x1.shape == shape else ag.broadcast_to(x1, shape)
    x2 = x2 if x2.shape == shape else ag.broadcast_to(x2, shape)
    floor = float(eps) * float(eps)
    # max(‖x‖, ε) as √max(Σx², ε²): the square root is never taken at 0, so zero vectors get finite gradients
    n1 = ag.sqrt(ag.maximum((x1 * x1).sum(axis=axis), floor))
    n2 = ag.sqrt(ag.maximum((x2 * x2).sum(axis=axis), floor))
    return (x1 * x2).sum(axis=axis) / (n1 * n2)


def poisson_nll_loss(
    input: Tensor,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = e^x − y·x (``log_input``: x is the log-rate) or x − y·log(x + ε) (x is the rate): Poisson NLL.

    ``full`` adds Stirling's approximation of log y!, y·log y − y + ½·log(2πy),
    for targets y > 1, as PyTorch does.

    >>> x = ag.tensor([0.0, np.log(2.0)], requires_grad=True)  # log-rates 0 and log 2
    >>> y = ag.tensor([1.0, 3.0])
    >>> loss = nn.functional.poisson_nll_loss(x, y)
    >>> print(round(float(loss), 4))  # mean of e^x − y·x: (1 + 2 − 3·log 2)/2
    0.4603
    >>> loss.backward()
    >>> print(np.round(x.grad, 4))  # (e^x − y)/n
    tensor([ 0. , -0.5])
    >>> print(round(float(nn.functional.poisson_nll_loss(ag.tensor([2.0]), ag.tensor([3.0]), log_input=False)), 4))
    -0.0794
    """
    check_reduction(reduction)
    input, target = _regression_pair("poisson_nll_loss", input, target)
    loss = ag.exp(input) - target * input if log_input else input - target * ag.log(input + eps)
    if full:
        big = target.data > 1
        y = ag.where(big, target, 1.0)
        stirling = y * ag.log(y) - y + 0.5 * ag.log(2 * math.pi * y)
        loss = loss + ag.where(big, stirling, 0.0)
    return reduce_loss(loss, reduction)


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """ℓ = max(0, −y·(x₁ − x₂) + margin), y = ±1 saying which input should rank higher (PyTorch's).

    >>> x1 = ag.tensor([2.0, 1.0], requires_grad=True)
    >>> x2 = ag.tensor([1.0, 3.0], requires_grad=True)
    >>> y = ag.tensor([-1.0, 1.0])  # x2 should rank higher in the first pair, x1 in the second
    >>> loss = nn.functional.margin_ranking_loss(x1, x2, y, margin=0.5)
    >>> print(float(loss))  # (max(0, 1 + 0.5) + max(0, 2 + 0.5))/2
    2.0
    >>> loss.backward()
    >>> print(x1.grad, x2.grad)  # −y/n and y/n: both pairs violate the margin
    tensor([ 0.5, -0.5]) tensor([-0.5,  0.5])
    >>> print(float(nn.functional.margin_ranking_loss(x1, x2, -y)))  # both orders right: no loss
    0.0
    """
    check_reduction(reduction)
    input1, input2 = _regression_pair("margin_ranking_loss", input1, input2)
    target = target if isinstance(target, Tensor) else ag.tensor(target, dtype=input1.dtype)
    if target.ndim and target.shape != input1.shape:
        raise ShapeError(
            f"margin_ranking_loss: target {target.shape} must have the inputs' shape {input1.shape} (or be one number)"
        )
    return reduce_loss(ag.clip(-target * (input1 - input2) + margin, min=0.0), reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """ℓ = x where y = 1, max(0, margin − x) where y = −1 (x a distance, y = ±1 similar or not), as PyTorch.

    >>> d = ag.tensor([0.3, 0.2, 1.5], requires_grad=True)  # distances
    >>> y = ag.tensor([1.0, -1.0, -1.0])  # similar, dissimilar, dissimilar
    >>> loss = nn.functional.hinge_embedding_loss(d, y, reduction="none")
    >>> print(loss)
    tensor([0.3, 0.8, 0. ], grad_fn=...)
    >>> loss.sum().backward()
    >>> print(d.grad)  # 1 for similar pairs, −1 for dissimilar ones within the margin
    tensor([ 1., -1.,  0.])
    """
    check_reduction(reduction)
    input, target = _regression_pair("hinge_embedding_loss", input, target)
    y = target.data
    return reduce_loss(
        ag.where(y != 1, ag.clip(margin - input, min=0.0), 0.0) + ag.where(y != -1, input, 0.0), reduction
    )


# ------------------------------------------------------------------ regularisers


def l2_penalty(params: Iterable[Tensor]) -> Tensor:
    """J = Σw² + Σb² over all parameters (the notes' weight decay term; add λ·J to the loss).

    >>> layer = nn.Linear(2, 1)
    >>> _ = layer.load_state_dict({"weight": np.array([[1.0, -2.0]]), "bias": np.array([3.0])})
    >>> nn.functional.l2_penalty(layer.parameters())  # 1 + 4 + 9
    tensor(14., grad_fn=...)
    >>> nn.l2_penalty is nn.functional.l2_penalty
    True
    """
    return _penalty(params, lambda p: (p * p).sum())


def l1_penalty(params: Iterable[Tensor]) -> Tensor:
    """J = Σ|w| + Σ|b| over all parameters (ℓ₁ regularisation, which drives weights to exactly 0).

    >>> layer = nn.Linear(2, 1)
    >>> _ = layer.load_state_dict({"weight": np.array([[1.0, -2.0]]), "bias": np.array([3.0])})
    >>> nn.functional.l1_penalty(layer.parameters())  # 1 + 2 + 3
    tensor(6., grad_fn=...)
    """
    return _penalty(params, lambda p: ag.abs(p).sum())


def _penalty(params: Iterable[Tensor], term: Any) -> Tensor:
    total = None
    for p in params:
        total = term(p) if total is None else total + term(p)
    if total is None:
        raise InvalidArgumentError("penalty of an empty parameter list; pass model.parameters()")
    return total


# ------------------------------------------------------------------------ misc


def check_dropout_probability(p: float) -> float:
    """``p`` itself when it is a probability 0 ≤ p ≤ 1 of zeroing an element; otherwise a ValueError.

    >>> nn.functional.check_dropout_probability(0.5)
    0.5
    >>> nn.functional.check_dropout_probability(1.5)
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: dropout probability must be a number in [0, 1] (the ...
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not 0.0 <= p <= 1.0:
        raise InvalidArgumentError(
            f"dropout probability must be a number in [0, 1] (the chance of zeroing an element), not {p!r}"
        )
    return p


def dropout(x: Tensor, p: float = 0.5, training: bool = True, rng: RngLike = None) -> Tensor:
    """Inverted dropout: y = x·m / (1 − p) with m ~ Bernoulli(1 − p) while training; y = x otherwise.

    >>> nn.functional.dropout(ag.ones(6), p=0.5, rng=0)
    tensor([2., 0., 0., 0., 2., 2.])
    >>> nn.functional.dropout(ag.ones(3), p=0.5, training=False)
    tensor([1., 1., 1.])
    """
    check_dropout_probability(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    if type(x.data) is not np.ndarray and ag.backend.is_backend_array(x.data):
        return x * _device_dropout_scale(rng, x.shape, p, x.dtype, x.device)
    return x * dropout_scale(rng, x.shape, p, x.dtype)


def _device_dropout_scale(rng: RngLike, shape: tuple[int, ...], p: float, dtype: Any, device: Any) -> Any:
    """``dropout_scale`` on ``device``: drawn there by its own generator when ``rng`` is None (CuPy's for "cuda").

    With an ``rng`` (or on a device without a generator) the mask is drawn on
    the host from that stream, as on numpy, and copied over explicitly.
    """
    if rng is None:
        with ag.backend.selected(device):
            gen = ag.backend.device_generator(device)
            if gen is not None:
                return ((gen.random(shape) >= p) * (1.0 / (1.0 - p))).astype(dtype)
    return ag.backend.to_device(dropout_scale(rng, shape, p, dtype), device)


@recordable(workspace=True)
def dropout_scale(
    rng: RngLike, shape: tuple[int, ...], p: float, dtype: Any, workspace: dict | None = None
) -> np.ndarray:
    """m / (1 − p) with m ~ Bernoulli(1 − p) of ``shape``: m = [u ≥ p] for u uniform in [0, 1) (float64 draws).

    Drawn from ``rng`` (the default generator when None) at every call,
    also inside a compiled function, whose replays reuse ``workspace``'s
    buffers for the draws, the mask and the result.

    >>> m = nn.functional.dropout_scale(np.random.default_rng(0), (1000,), 0.25, np.float64)
    >>> print(sorted(set(np.round(m, 4).tolist())))  # dropped, or kept and scaled by 1/(1 − p)
    [0.0, 1.3333]
    >>> print(abs(float((m == 0).mean()) - 0.25) < 0.05, abs(float(m.mean()) - 1) < 0.1)  # E[m] = 1
    True True
    >>> work = {}
    >>> a = nn.functional.dropout_scale(np.random.default_rng(1), (4,), 0.5, np.float32, work)
    >>> print(a.dtype, np.array_equal(a, nn.functional.dropout_scale(np.random.default_rng(1), (4,), 0.5, np.float32)))
    float32 True
    """
    gen = get_rng(rng)
    scale = 1.0 / (1.0 - p)
    if workspace is None:
        keep = gen.random(shape) >= p
        return (keep * scale).astype(dtype)
    if "draws" not in workspace:
        workspace["draws"] = np.empty(shape, np.float64)
        workspace["keep"] = np.empty(shape, bool)
        workspace["scale"] = np.empty(shape, dtype)
    draws, keep, out = workspace["draws"], workspace["keep"], workspace["scale"]
    gen.random(out=draws)  # the same stream as gen.random(shape)
    np.greater_equal(draws, p, out=keep)
    np.multiply(keep, scale, out=out)  # float64 product cast to dtype, as (keep * scale).astype(dtype)
    return out


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x·Wᵀ + b (one fused node).

    >>> x = ag.tensor([[1.0, 2.0]])
    >>> W = ag.tensor([[1.0, 1.0], [0.0, 2.0]])
    >>> nn.functional.linear(x, W, ag.tensor([0.5, 0.0]))
    tensor([[3.5, 4. ]])
    """
    return ag.linear(x, weight, bias)


# --------------------------------------------------------------- PyTorch names
@keyword_aliases
def normalize(x: Tensor, p: float = 2.0, axis: int = 1, eps: float = 1e-12) -> Tensor:
    """y = x / max(‖x‖ₚ, eps) along ``axis`` (``dim=``, 1 by default), as ``torch.nn.functional.normalize``.

    >>> nn.functional.normalize(ag.tensor([[3.0, 4.0], [0.0, 0.0]]))  # unit rows; a zero row stays 0
    tensor([[0.6, 0.8],
            [0. , 0. ]])
    """
    size = ag.norm(x, p, dim=axis, keepdim=True)
    return x / ag.maximum(size, eps)


@over_leading_axes  # under vmap: once on the whole batch (labels' leading axes are batch axes)
def one_hot(target: Any, num_classes: int = -1) -> Tensor:
    """An int64 tensor of ``target.shape + (num_classes,)`` with 1 at each label, as ``F.one_hot``; no gradient.

    ``num_classes=-1`` takes one more than the largest label.

    >>> nn.functional.one_hot(ag.tensor([0, 2], dtype=ag.int64))
    tensor([[1, 0, 0],
            [0, 0, 1]], dtype=int64)
    """
    labels = ag.backend.values_of(target)  # a device array stays on its device
    if labels.dtype.kind not in "iu":
        raise DtypeError(
            f"one_hot: the labels must be integers, not {labels.dtype} (e.g. ag.tensor(y, dtype=ag.int64))"
        )
    if labels.size:
        low, high = int(ag.backend.host_array(labels.min())), int(ag.backend.host_array(labels.max()))
        if low < 0:
            raise InvalidArgumentError(f"one_hot: labels must be non-negative, got {low}")
        if num_classes == -1:
            num_classes = high + 1
        if high >= num_classes:
            raise InvalidArgumentError(f"one_hot: label {high} is out of range for {num_classes} classes")
    elif num_classes == -1:
        num_classes = 0
    return ag.tensor((labels[..., None] == ag.backend.arange(num_classes, labels)).astype(np.int64))


def pad(x: Tensor, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with a constant, PyTorch's way: ``pad = (left, right)`` for the last axis, then the one before, …

    As ``torch.nn.functional.pad`` in ``mode='constant'``; the gradient drops the padding. A
    negative width removes that many elements from that side (PyTorch's cropping).

    >>> nn.functional.pad(ag.tensor([[1.0, 2.0]]), (1, 2))
    tensor([[0., 1., 2., 0., 0.]])
    >>> nn.functional.pad(ag.tensor([[1.0]]), (0, 0, 1, 0), value=9.0)  # one row on top
    tensor([[9.],
            [1.]])
    >>> nn.functional.pad(ag.tensor([[1.0, 2.0, 3.0]]), (-1, 1))  # a negative width crops
    tensor([[2., 3., 0.]])
    """
    if mode != "constant":
        raise InvalidArgumentError(f"pad: only mode='constant' is supported, not {mode!r}")
    widths = [int(w) for w in pad]
    if len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ShapeError(f"pad: give (left, right) pairs for at most {x.ndim} axes, not {tuple(pad)!r}")
    pairs = [(0, 0)] * (x.ndim - len(widths) // 2) + [tuple(widths[i : i + 2]) for i in range(0, len(widths), 2)][::-1]
    if any(w < 0 for w in widths):  # a negative width crops, as in PyTorch
        cuts = []
        for n, (left, right) in zip(x.shape, pairs):
            start, stop = max(-left, 0), n - max(-right, 0)
            if stop < start:
                raise ShapeError(f"pad: the widths {tuple(pad)} crop more than the shape {x.shape} holds")
            cuts.append(slice(start, stop))
        x = x[tuple(cuts)]
        pairs = [(max(left, 0), max(right, 0)) for left, right in pairs]
    return ag.pad(x, pairs, constant_values=value)


# an unknown keyword (F.gelu(x, approximation="tanh")) gets the library's error naming what is accepted;
# the check runs only when Python refuses a call's keywords
from autograd_core.keyword_errors import guard_module_functions as _guard_module_functions  # noqa: E402

_guard_module_functions(globals(), __name__)
