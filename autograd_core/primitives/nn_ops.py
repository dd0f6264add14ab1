"""Numerically stable neural-network primitives.

softmax and log_softmax subtract the max before exponentiating; the fused
losses work from logits, so log(σ(z)) and log(softmax(z)) are never formed
from probabilities that could underflow to 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import batching
from ..backend import arange, decide, device_of, host_array, to_device
from ..errors import DtypeError, InvalidArgumentError, LabelError, ShapeError
from ..portable import max_or_minus_inf
from ..registry import primitive, public, reduction_flops
from ..tensor import Tensor, constant_array, ndim_of
from .elementwise import elementwise, sigmoid, softplus
from .reduce import one_axis


def _class_axis(x: Any, axis: int = -1) -> dict[str, int]:
    ndim = ndim_of(x)
    return {"axis": one_axis(axis, ndim, "softmax") - ndim}


@primitive(
    vjp=(lambda g, y, x, axis: y * (g - (g * y).sum(axis=axis, keepdims=True)),),
    jvp=(lambda t, y, x, axis: y * (t - (t * y).sum(axis=axis, keepdims=True)),),
    formula="yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ)",
    vjp_text="x̄ = y·(ȳ − Σ ȳ·y)",
    jvp_text="ẏ = y·(ẋ − Σ ẋ·y)",
    flops=reduction_flops,
    batch=batching.leading,
    method=True,
    prepare=_class_axis,
)
def softmax(x: Any, /, axis: int = -1) -> np.ndarray:
    """yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along ``axis``, shifted by the max (never overflows).

    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = ag.softmax(x)
    >>> print(np.round(y.detach(), 4))
    tensor([0.09  , 0.2447, 0.6652])
    >>> y[2].backward()
    >>> print(np.round(x.grad, 4))  # ∂y₂/∂xⱼ = y₂·(δ₂ⱼ − yⱼ)
    tensor([-0.0599, -0.1628,  0.2227])
    >>> print(ag.softmax(ag.tensor([1000.0, 1000.0])))  # never overflows
    tensor([0.5, 0.5])
    """
    e = np.exp(x - max_or_minus_inf(x, axis))  # −∞ shift: an empty axis gives an empty result
    return e / e.sum(axis=axis, keepdims=True)


@primitive(
    vjp=(lambda g, y, x, axis: g - np.exp(y) * g.sum(axis=axis, keepdims=True),),
    jvp=(lambda t, y, x, axis: t - (np.exp(y) * t).sum(axis=axis, keepdims=True),),
    formula="yᵢ = xᵢ − log Σⱼ exp(xⱼ)",
    vjp_text="x̄ = ȳ − softmax(x)·Σ ȳ",
    jvp_text="ẏ = ẋ − Σ softmax(x)·ẋ",
    flops=reduction_flops,
    batch=batching.leading,
    method=True,
    prepare=_class_axis,
)
def log_softmax(x: Any, /, axis: int = -1) -> np.ndarray:
    """yᵢ = xᵢ − logsumexp(x) along ``axis``, computed stably.

    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = ag.log_softmax(x)
    >>> print(np.round(y.detach(), 4))
    tensor([-2.4076, -1.4076, -0.4076])
    >>> y[0].backward()
    >>> print(np.round(x.grad, 4))  # δ₀ⱼ − softmax(x)ⱼ
    tensor([ 0.91  , -0.2447, -0.6652])
    """
    shifted = x - max_or_minus_inf(x, axis)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _is_index_target(target: Any) -> bool:
    return target.dtype.kind in "iu"


def _one_hot_like(target: np.ndarray, z: Any) -> np.ndarray:
    return (target[..., None] == arange(z.shape[-1], target)).astype(z.dtype)


def _ce_forward(z, target):
    # log-softmax from the shifted logits directly: forming logsumexp(z) first
    # and subtracting z loses every digit of precision in float32 at |z| ~ 1e6.
    shifted = z - z.max(axis=-1, keepdims=True)
    lse = np.log(np.add.reduce(np.exp(shifted), axis=-1, keepdims=True))  # log Σ exp(shifted), in [0, log C]
    if _is_index_target(target):  # −log_p[class] = −(shifted[class] − lse), for the picked class only
        rows = shifted.reshape(-1, z.shape[-1])
        picked = rows[arange(len(rows), target), target.ravel()].reshape(target.shape)
        return -(picked - lse.reshape(target.shape))  # (a loss of exactly 0 is −0.0, as PyTorch gives)
    return -(target * (shifted - lse)).sum(axis=-1)


def _ce_residual(z, target):
    """∂loss/∂z per example: softmax(z)·Σp − p (p = one-hot for class indices)."""
    if type(z) is np.ndarray and z.size and _is_index_target(target):
        return _ce_residual_of_labels(z, target)
    p = softmax.primitive.bind(z, axis=-1)
    if _is_index_target(target):
        return p - _one_hot_like(target, z)
    return p * target.sum(axis=-1, keepdims=True) - target


def _ce_residual_of_labels(z: np.ndarray, target: np.ndarray) -> np.ndarray:
    """softmax(z) − onehot(target) for host arrays: one new array, each step after the first in place."""
    p = np.exp(z - np.maximum.reduce(z, axis=-1, keepdims=True))  # (the ufuncs' reduce: no Python-level wrapper)
    p /= np.add.reduce(p, axis=-1, keepdims=True)
    if p.ndim == 2:
        p[np.arange(len(p)), target] -= 1
    else:
        p[(*np.indices(target.shape, sparse=True), target)] -= 1
    return p


@primitive(
    vjp=(
        lambda g, y, z, target: g[..., None] * _ce_residual(z, target),
        lambda g, y, z, target: -g[..., None] * log_softmax.primitive.bind(z, axis=-1),
    ),
    jvp=(
        lambda t, y, z, target: (t * _ce_residual(z, target)).sum(axis=-1),
        lambda t, y, z, target: -(t * log_softmax.primitive.bind(z, axis=-1)).sum(axis=-1),
    ),
    formula="loss = logsumexp(z) − Σₖ pₖ·zₖ  (p = one-hot of the class, or the target probabilities)",
    vjp_text="z̄ = loss̄·(softmax(z)·Σp − p), p̄ = −loss̄·log_softmax(z)",
    jvp_text="losṡ = Σₖ żₖ·(softmax(z)·Σp − p)ₖ − Σₖ ṗₖ·log_softmax(z)ₖ",
    flops=reduction_flops,
    batch=batching.leading,
    name="cross_entropy",
    export=False,
)
def _cross_entropy(z: Any, target: Any, /) -> np.ndarray:
    return _ce_forward(z, target)


@elementwise(
    lambda loss, z, y: sigmoid.primitive.bind(z) - y,
    lambda loss, z, y: -z,
    formula="loss = max(z, 0) − z·y + log(1 + e^−|z|)",
    vjp_text="z̄ = loss̄·(σ(z) − y), ȳ = −loss̄·z",
    jvp_text="losṡ = ż·(σ(z) − y) − ẏ·z",
    promotes=True,
    name="bce_with_logits",
    export=False,
)
def _bce_with_logits(z: Any, y: Any, /) -> np.ndarray:
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


LOG_FLOOR = -100.0  # PyTorch's clamp for log p in binary cross-entropy


def _floored_log(v: Any) -> Any:
    """max(log v, −100): finite at v = 0 in every float dtype."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(v), LOG_FLOOR)


def _bce_forward(p, y):
    return -(y * _floored_log(p) + (1 - y) * _floored_log(1 - p))


def _bce_slope(p, y):
    """∂loss/∂p = (p − y) / max(p(1 − p), ε), with ε the dtype's tiny (at least 1e-12) so it stays finite."""
    eps = max(1e-12, float(np.finfo(p.dtype).tiny))
    return (p - y) / np.maximum(p * (1 - p), eps)


def _bce_target_slope(p, y):
    return _floored_log(1 - p) - _floored_log(p)


@elementwise(
    lambda loss, p, y: _bce_slope(p, y),
    lambda loss, p, y: _bce_target_slope(p, y),
    formula="loss = −(y·log p + (1 − y)·log(1 − p)), each log at least −100",
    vjp_text="p̄ = loss̄·(p − y) / max(p(1 − p), ε), ȳ = loss̄·(log(1 − p) − log p)",
    jvp_text="losṡ = ṗ·(p − y) / max(p(1 − p), ε) + ẏ·(log(1 − p) − log p)",
    promotes=True,
    name="binary_cross_entropy",
    export=False,
)
def _binary_cross_entropy(p: Any, y: Any, /) -> np.ndarray:
    return _bce_forward(p, y)


def check_class_labels(op: str, logits_shape: tuple[int, ...], labels: np.ndarray) -> np.ndarray:
    """Integer ``labels`` of shape ``logits_shape[:-1]``, each in [0, C) for C = ``logits_shape[-1]``.

    Raises ``DtypeError``, ``ShapeError`` or ``LabelError`` saying what to pass instead.
    """
    if labels.dtype.kind not in "iu":
        raise DtypeError(f"{op}: class labels must be integers, not {labels.dtype}")
    if labels.shape != tuple(logits_shape[:-1]):
        raise ShapeError(
            f"{op}: logits {tuple(logits_shape)} need class labels of shape {tuple(logits_shape[:-1])}, got "
            f"{labels.shape} (do inputs and targets have the same batch size?)"
        )
    n = logits_shape[-1]
    if labels.size:
        lo, hi = labels.min(), labels.max()  # whole-array extremes: also inside vmap
        low = decide(lo < 0)  # for labels on a device, one flag each copied to host on purpose
        if low or decide(hi >= n):
            bad = host_array(lo if low else hi)
            raise LabelError(f"{op}: class label {bad} is outside the range [0, {n}) of the {n} classes")
    return labels


@public(rules=_cross_entropy)
def cross_entropy(logits: Any, target: Any) -> Tensor:
    """Per-example categorical cross-entropy from logits (classes on the last axis).

    loss = logsumexp(z) − z[class] for integer class targets of shape
    ``logits.shape[:-1]``, or −Σₖ pₖ·log_softmax(z)ₖ for probability targets
    of shape ``logits.shape``. One fused, stable primitive; reduce the result
    with ``mean`` or ``sum``.

    >>> z = ag.tensor([[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]], requires_grad=True)
    >>> ag.cross_entropy(z, np.array([0, 1]))  # one loss per example
    tensor([0.16984602, 0.09492296], grad_fn=cross_entropy)
    >>> ag.cross_entropy(z, np.array([0, 1])).sum().backward()
    >>> z.grad  # softmax(z) − onehot(y)
    tensor([[-0.15620527,  0.1141952 ,  0.04201007],
            [ 0.0452785 , -0.090557  ,  0.0452785 ]])
    """
    z = logits if isinstance(logits, Tensor) else Tensor(logits)
    t = target if isinstance(target, Tensor) else constant_array(target, "cross_entropy: target")
    t_data = t.data if isinstance(t, Tensor) else t
    if z.ndim == 0:
        raise ShapeError("cross_entropy: logits need a class axis (shape (..., C)), got a 0-d tensor")
    if t_data.dtype.kind in "iu":
        check_class_labels("cross_entropy", z.shape, t_data)
        if type(t_data) is np.ndarray and type(z.data) is not np.ndarray:  # host labels index device logits
            t = to_device(t_data, device_of(z.data))
    elif t_data.dtype.kind == "f":
        if t_data.shape != z.shape:
            raise ShapeError(
                f"cross_entropy: probability targets of shape {t_data.shape} do not match logits {z.shape}"
                + (" (integer class labels need an integer dtype)" if t_data.shape == z.shape[:-1] else "")
            )
        if not isinstance(t, Tensor):
            t = t.astype(z.dtype)
    else:
        raise DtypeError(
            f"cross_entropy: targets must be integer class indices or float probabilities, not {t_data.dtype}"
        )
    return _cross_entropy(z, t)


def _float_target(target: Any, like: Tensor, op: str) -> np.ndarray:
    """A target given as data, in the input's float dtype; numbers or bools only."""
    t = constant_array(target, f"{op}: target")
    if t.dtype.kind not in "biuf":
        raise DtypeError(f"{op}: targets must be numbers in [0, 1], not {t.dtype}")
    return t.astype(like.dtype)


@public(rules=_bce_with_logits)
def binary_cross_entropy_with_logits(logits: Any, target: Any) -> Tensor:
    """Elementwise binary cross-entropy from logits, stable for any z (multi-label ready).

    Target arrays (data, not Tensors) take the logits' float dtype, as for ``cross_entropy``.

    >>> z = ag.tensor([2.0, -1.0, 50.0], requires_grad=True)
    >>> y = np.array([1.0, 0.0, 0.0])
    >>> ag.binary_cross_entropy_with_logits(z, y)
    tensor([ 0.12692801,  0.31326169, 50.        ], grad_fn=...)
    >>> ag.binary_cross_entropy_with_logits(z, y).sum().backward()
    >>> z.grad  # σ(z) − y
    tensor([-0.11920292,  0.26894142,  1.        ])
    """
    z = logits if isinstance(logits, Tensor) else Tensor(logits)
    if not isinstance(target, Tensor):
        target = _float_target(target, z, "binary_cross_entropy_with_logits")
    return _bce_with_logits(z, target)


@public(rules=_binary_cross_entropy)
def binary_cross_entropy(probabilities: Any, target: Any) -> Tensor:
    """Elementwise binary cross-entropy of probabilities p ∈ [0, 1], clamped like PyTorch.

    Finite (and with finite gradients) at p = 0 and p = 1 in every float
    dtype; from raw scores prefer ``binary_cross_entropy_with_logits``.

    >>> p = ag.tensor([0.9, 0.2, 1.0], requires_grad=True)
    >>> y = np.array([1.0, 0.0, 0.0])
    >>> ag.binary_cross_entropy(p, y)  # −(y log p + (1 − y) log(1 − p)), the log clamped at −100
    tensor([  0.10536052,   0.22314355, 100.        ], grad_fn=binary_cross_entropy)
    >>> ag.binary_cross_entropy(p, y).sum().backward()
    >>> p.grad  # (p − y)/(p(1 − p)), finite at p = 1
    tensor([-1.11111111e+00,  1.25000000e+00,  1.00000000e+12])
    """
    p = probabilities if isinstance(probabilities, Tensor) else Tensor(probabilities)
    lo, hi = (p.data.min(), p.data.max()) if p.size else (0, 0)  # whole-batch extremes: also inside vmap
    if decide(lo < 0) or decide(hi > 1):  # for a device tensor, one flag each copied to host on purpose
        raise InvalidArgumentError(
            f"binary_cross_entropy: input must hold probabilities in [0, 1], got values in "
            f"[{float(host_array(lo)):g}, {float(host_array(hi)):g}]; apply a sigmoid first, or use "
            "binary_cross_entropy_with_logits (nn.BCEWithLogitsLoss) on raw scores"
        )
    if not isinstance(target, Tensor):
        target = _float_target(target, p, "binary_cross_entropy")
    return _binary_cross_entropy(p, target)


@public()
def log_sigmoid(x: Any) -> Tensor:
    """y = log σ(x) = −softplus(−x), stable.

    >>> x = ag.tensor([-800.0, 0.0, 3.0], requires_grad=True)
    >>> ag.log_sigmoid(x)  # finite where log(σ(x)) would be log 0
    tensor([-8.00000000e+02, -6.93147181e-01, -4.85873516e-02], grad_fn=...)
    >>> ag.log_sigmoid(x).sum().backward()
    >>> x.grad  # 1 − σ(x)
    tensor([1.        , 0.5       , 0.04742587])
    """
    return -softplus(-x)
