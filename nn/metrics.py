"""Evaluation metrics on predictions and targets (Tensors or arrays), each returning a float."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError, ShapeError


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, ag.Tensor) else ag.backend.as_array(x)


def one_score_per_example(output: Any) -> bool:
    """Whether ``output`` holds a single score per example, shape (N,) or (N, 1), rather than one per class."""
    out = _array(output)
    return not (out.ndim >= 2 and out.shape[-1] > 1)


def predicted_classes(output: Any, threshold: float = 0.5) -> np.ndarray:
    """Class labels from model outputs: argmax over the last axis, or [output > threshold] for one output."""
    out = _array(output)
    if not one_score_per_example(out):
        return out.argmax(axis=-1)
    return (out.reshape(out.shape[:-1] if out.ndim >= 2 else out.shape) > threshold).astype(np.int64)


def accuracy(output: Any, target: Any, threshold: float = 0.5) -> float:
    """Fraction of examples whose predicted class equals the target: (1/N) Σ [ŷᵢ = yᵢ].

    ``output`` holds one score per class (argmax is taken), or a single
    probability per example (class 1 when above ``threshold``; use
    ``threshold=0`` for logits). ``target`` holds class labels, or one-hot /
    probability rows (argmax is taken).

    >>> nn.accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0]))  # 2 of 3
    0.6666666666666666
    >>> nn.accuracy(np.array([0.7, 0.2]), np.array([1, 0]))  # one probability per example
    1.0
    """
    pred = predicted_classes(output, threshold)
    t = _array(target)
    if t.ndim == pred.ndim + 1:
        t = t.argmax(axis=-1) if t.shape[-1] > 1 else t.reshape(pred.shape)
    if t.shape != pred.shape:
        raise ShapeError(f"accuracy: {pred.shape[0] if pred.ndim else 1} predictions but targets of shape {t.shape}")
    if not t.size:
        raise InvalidArgumentError("accuracy of no examples is undefined")
    return ag.backend.host_float(np.mean(pred == t))


def binary_accuracy(output: Any, target: Any, threshold: float = 0.5) -> float:
    """Fraction of labels predicted right, each output an independent yes/no: (1/(N·K)) Σ [[ŷᵢₖ > t] = [yᵢₖ > ½]].

    The accuracy of a model trained with a binary cross-entropy: one
    probability per label (threshold t = ½) or one logit (t = 0, since
    σ(z) > ½ ⇔ z > 0), so multi-label outputs (N, K) are scored label by
    label rather than by argmax. Targets are 0/1 labels (a smoothed 0.9
    counts as 1) of the output's shape.
    """
    out, t = _pair("binary_accuracy", output, target)
    return ag.backend.host_float(np.mean((out > threshold) == (t > 0.5)))


def _pair(name: str, output: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """Predictions and targets as arrays of one shape, holding at least one example."""
    out, t = _array(output), _array(target)
    if out.shape != t.shape:
        raise ShapeError(f"{name}: predictions {out.shape} and targets {t.shape} differ in shape")
    if not t.size:
        raise InvalidArgumentError(f"{name} of no examples is undefined")
    return out, t


def mse(output: Any, target: Any) -> float:
    """Mean squared error (1/N) Σ (ŷ − y)².

    >>> nn.mse(np.array([1.0, 2.0]), np.array([0.0, 2.0]))
    0.5
    """
    out, t = _pair("mse", output, target)
    return ag.backend.host_float(np.mean((out - t) ** 2))


def r2(output: Any, target: Any) -> float:
    """Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (1 is perfect; averaged over outputs).

    >>> nn.r2(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))
    1.0
    >>> nn.r2(np.array([2.0, 2.0, 2.0]), np.array([1.0, 2.0, 3.0]))  # predicting the mean
    0.0
    """
    out, t = _pair("r2", output, target)
    ss_res = np.sum((t - out) ** 2, axis=0)
    ss_tot = np.sum((t - t.mean(axis=0)) ** 2, axis=0)
    if ag.backend.decide(np.any(ss_tot == 0)):
        raise InvalidArgumentError("r2 is undefined when the targets are constant (Σ(y − ȳ)² = 0)")
    return ag.backend.host_float(np.mean(1.0 - ss_res / ss_tot))


METRICS = {"accuracy": accuracy, "mse": mse, "r2": r2}
