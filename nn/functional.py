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
    """
    # sign(−x) ∈ {−1, 0, 1} has a zero derivative; relu keeps [x < 0], and 1 − [x < 0] = [x ≥ 0].
    return 1.0 - ag.relu(ag.sign(-_as_tensor(x)))


def sign(x: Tensor) -> Tensor:
    """The perceptron's sign activation: y = +1 if x ≥ 0 else −1 (so sign = 2·step − 1); dy/dx = 0.

    The fourth notes' "step or sign function" for a linear classifier with
    labels ±1. Like ``step`` it puts the threshold x = 0 on the positive
    side, so the two give the same decision boundary; unlike ``ag.sign`` (and
    numpy's and PyTorch's), which gives 0 at 0, it always answers one class.
    """
    return 1.0 - 2.0 * ag.relu(ag.sign(-_as_tensor(x)))


def identity(x: Tensor) -> Tensor:
    """y = x (the linear activation of a regression output)."""
    return x


def sigmoid(x: Tensor) -> Tensor:
    """y = σ(x) = 1 / (1 + e^−x); dy/dx = y·(1 − y)."""
    return ag.sigmoid(x)


def tanh(x: Tensor) -> Tensor:
    """y = tanh(x); dy/dx = 1 − y²."""
    return ag.tanh(x)


def relu(x: Tensor) -> Tensor:
    """y = max(x, 0); dy/dx = [x > 0], so ReLU′(0) = 0.

    At x = 0 the derivative does not exist; any value in [0, 1] is a valid
    subgradient. The library uses 0, as PyTorch, JAX and TensorFlow do. The
    second notes write φ′(z) = 1 if z ≥ 0 (so ReLU′(0) = 1), and likewise
    slope 1 at 0 for leaky ReLU, PReLU and ELU, where the library uses the
    negative side's slope (α, or α·e⁰ = α for ELU). The two conventions
    differ only for inputs exactly at 0.
    """
    return ag.relu(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """y = x if x > 0 else α·x (α = negative_slope, fixed)."""
    return ag.leaky_relu(x, negative_slope)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """y = x if x > 0 else a·x with a learned slope a (one, or one per channel on axis 1)."""
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
    """y = x if x > 0 else α·(eˣ − 1)."""
    return ag.elu(x, alpha)


def silu(x: Tensor) -> Tensor:
    """y = x·σ(x) (swish); dy/dx = σ(x)·(1 + x·(1 − σ(x)))."""
    return ag.silu(x)


swish = silu


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """y = log(1 + e^(β·x)) / β, and y = x where β·x > threshold (as PyTorch); dy/dx = σ(β·x)."""
    x = _as_tensor(x)
    bx = x if beta == 1.0 else x * beta
    smooth = ag.softplus(bx) if beta == 1.0 else ag.softplus(bx) / beta
    return ag.where(bx.data > threshold, x, smooth)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along ``axis`` (stable)."""
    return ag.softmax(x, axis=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """yᵢ = xᵢ − log Σⱼ exp(xⱼ) along ``axis`` (stable)."""
    return ag.log_softmax(x, axis=axis)


# ----------------------------------------------------------------------- losses


def check_reduction(reduction: str) -> str:
    """``reduction`` itself when it is "mean", "sum" or "none"; otherwise a ValueError listing them."""
    if reduction not in REDUCTIONS:
        raise InvalidArgumentError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, not {reduction!r}")
    return reduction


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    """The one reduction of every loss: mean → (1/n)Σ ℓ over all n elements, sum → Σ ℓ, batchmean → (1/N)Σ ℓ
    over N = the size of the first (example) axis, none → ℓ per element."""
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
    """
    input, target = _regression_pair("mse_loss", input, target)
    d = input - target
    return reduce_loss(d * d, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """ℓ = |ŷ − y| (mean: the MAE)."""
    input, target = _regression_pair("l1_loss", input, target)
    return reduce_loss(ag.abs(input - target), reduction)


def check_huber_delta(delta: float) -> float:
    """``delta`` itself when it is a positive number (where Huber's loss turns from quadratic to linear)."""
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.integer, np.floating)) or not delta > 0:
        raise InvalidArgumentError(f"huber_loss: delta must be a positive number (where ℓ turns linear), not {delta!r}")
    return delta


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """ℓ = ½d² if |d| < δ else δ·(|d| − ½δ), with d = ŷ − y: quadratic near 0, linear (robust) beyond δ."""
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
        return ag.full(input.shape, float(var), dtype=input.dtype)
    var = var if isinstance(var, Tensor) else ag.tensor(var, dtype=input.dtype)
    if np.any(var.data < 0):
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
    """
    check_reduction(reduction)
    input, target = _regression_pair("gaussian_nll_loss", input, target)
    var = _gaussian_variance(input, var)
    # max(σ², ε) with the gradient of σ² itself (a constant shift), like PyTorch's clamp under no_grad.
    shift = np.maximum(var.data, eps) - var.data
    var = var + ag.tensor(shift.astype(var.dtype, copy=False)) if np.any(shift) else var
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
    """
    input, target = _regression_pair("binary_cross_entropy", input, target)
    return reduce_loss(ag.binary_cross_entropy(input, target), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """ℓ = max(z, 0) − z·y + log(1 + e^−|z|) = BCE(σ(z), y), stable for any logit z; elementwise, so multi-label too.

    As for ``binary_cross_entropy``, the notes' multi-label sum over labels
    averaged over examples is ``reduction="batchmean"``. A sigmoid output
    passed here is squashed twice; it gets a ``LossInputWarning``.
    """
    _warn_if_produced_by(
        input,
        "sigmoid",
        "binary_cross_entropy_with_logits expects logits z (it applies the sigmoid itself), but its input is a "
        "sigmoid output, so σ is applied twice and the loss cannot reach 0. Pass the pre-activation z (drop the "
        "final Sigmoid), or keep the Sigmoid and use BCELoss / binary_cross_entropy",
    )
    input, target = _regression_pair("binary_cross_entropy_with_logits", input, target)
    return reduce_loss(ag.binary_cross_entropy_with_logits(input, target), reduction)


class LossInputWarning(UserWarning):
    """A loss received what another loss expects (e.g. softmax probabilities where logits belong)."""


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
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == here:
        frame, level = frame.f_back, level + 1
    return level


def softmax_cross_entropy_floor(num_classes: int) -> float:
    """The smallest cross-entropy a softmax output fed as logits can reach: log(1 + (C − 1)/e).

    With p = softmax(z) in place of logits, ℓ = −log(e^{p_c} / Σₖ e^{pₖ}) is
    smallest when p is one-hot on the class, where it is
    −log(e / (e + C − 1)). For 3 classes that is 0.551, however good the model.
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
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    _check_not_integer_one_hot(op, input, t)
    if t.dtype.kind == "f" and t.shape == input.shape[:-1]:
        raise DtypeError(
            f"{op}: targets of shape {t.shape} look like class labels but have dtype {t.dtype}; "
            f"pass integer labels (e.g. y.astype(int)) or probabilities of shape {input.shape}"
        )
    return check_class_labels(op, input.shape, t)


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """ℓ = −Σₖ yₖ·log softmax(z)ₖ = logsumexp(z) − z_class, from logits z (classes on the last axis).

    Targets are integer class labels of shape ``input.shape[:-1]`` or
    probabilities (e.g. one-hot) of the input's shape; computed stably by one
    fused primitive. The third notes' E = (1/N) Σᵢ Σⱼ −yᵢ⁽ʲ⁾ log ŷᵢ⁽ʲ⁾ is
    ``reduction="mean"`` (one loss per example, already summed over classes).

    The input must be logits: a softmax output here is softmaxed again, and
    the loss can then never fall below log(1 + (C − 1)/e) (0.551 for three
    classes), so training stalls. Such an input (recognised by its
    ``grad_fn``) gets a ``LossInputWarning`` naming the fix.
    """
    if getattr(getattr(input, "grad_fn", None), "name", None) == "softmax":
        classes = input.shape[-1] if input.ndim else 1
        _warn_if_produced_by(
            input,
            "softmax",
            "cross_entropy expects logits (it applies log_softmax itself), but its input is a softmax output, so "
            f"softmax is applied twice and the loss cannot fall below log(1 + (C − 1)/e) = "
            f"{softmax_cross_entropy_floor(classes):.3f} for C = {classes} classes. Pass the logits (drop the "
            "final Softmax), or use NLLLoss on log_softmax outputs (nn.LogSoftmax)",
        )
    input = _as_tensor(input)
    if input.ndim == 0:
        raise ShapeError("cross_entropy: logits need a class axis (shape (..., C)), got a 0-d tensor")
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    _check_not_integer_one_hot("cross_entropy", input, t)
    if t.dtype.kind == "f" and t.shape != input.shape:
        if t.shape == input.shape[:-1]:
            _class_targets("cross_entropy", input, t)  # raises, with the hint to pass integer labels
        raise ShapeError(
            f"cross_entropy: probability targets {t.shape} must have the input's shape {input.shape} "
            "(do inputs and targets have the same batch size?)"
        )
    # Integer labels are checked (batch shape, class range) by the core primitive itself.
    return reduce_loss(ag.cross_entropy(input, target), reduction)


def nll_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """ℓ = −log p_class from log-probabilities (the output of log_softmax), classes on the last axis.

    Probabilities (a softmax output) in place of log-probabilities give
    ℓ = −p_class, not a likelihood; such an input gets a ``LossInputWarning``.
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
        raise ShapeError("nll_loss: log-probabilities need a class axis (shape (..., C)), got a 0-d tensor")
    t = _class_targets("nll_loss", input, target)
    picked = ag.take_along_axis(input, t[..., None], axis=-1)
    return reduce_loss(-picked.reshape(t.shape), reduction)


# ------------------------------------------------------------------ regularisers


def l2_penalty(params: Iterable[Tensor]) -> Tensor:
    """J = Σw² + Σb² over all parameters (the notes' weight decay term; add λ·J to the loss)."""
    return _penalty(params, lambda p: (p * p).sum())


def l1_penalty(params: Iterable[Tensor]) -> Tensor:
    """J = Σ|w| + Σ|b| over all parameters (ℓ₁ regularisation, which drives weights to exactly 0)."""
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
    """``p`` itself when it is a probability 0 ≤ p ≤ 1 of zeroing an element; otherwise a ValueError."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not 0.0 <= p <= 1.0:
        raise InvalidArgumentError(
            f"dropout probability must be a number in [0, 1] (the chance of zeroing an element), not {p!r}"
        )
    return p


def dropout(x: Tensor, p: float = 0.5, training: bool = True, rng: RngLike = None) -> Tensor:
    """Inverted dropout: y = x·m / (1 − p) with m ~ Bernoulli(1 − p) while training; y = x otherwise."""
    check_dropout_probability(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return x * dropout_scale(rng, x.shape, p, x.dtype)


@recordable(workspace=True)
def dropout_scale(
    rng: RngLike, shape: tuple[int, ...], p: float, dtype: Any, workspace: dict | None = None
) -> np.ndarray:
    """m / (1 − p) with m ~ Bernoulli(1 − p) of ``shape``: m = [u ≥ p] for u uniform in [0, 1) (float64 draws).

    Drawn from ``rng`` (the default generator when None) at every call,
    also inside a compiled function, whose replays reuse ``workspace``'s
    buffers for the draws, the mask and the result.
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
    """y = x·Wᵀ + b (one fused node)."""
    return ag.linear(x, weight, bias)
