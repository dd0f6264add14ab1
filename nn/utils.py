"""Gradient utilities (``nn.utils``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

import autograd_core as ag
from autograd_core.compiler import recordable
from autograd_core.errors import InvalidArgumentError


def clip_grad_norm_(parameters: Iterable[ag.Tensor] | ag.Tensor, max_norm: float, norm_type: float = 2.0) -> ag.Tensor:
    """Rescale gradients in place so their joint norm is at most ``max_norm``: g ← g·min(1, max_norm / (‖g‖ + 10⁻⁶)).

    ‖g‖ is the ``norm_type``-norm of all gradients taken as one vector
    (``inf`` for the largest entry). Returns that norm before clipping.
    Parameters without a gradient are skipped.
    """
    if max_norm < 0:
        raise InvalidArgumentError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    params = [parameters] if isinstance(parameters, ag.Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return ag.tensor(0.0)
    return ag.tensor(_clip_in_place(max_norm, float(norm_type), *grads), dtype=ag.get_default_dtype())


@recordable
def _clip_in_place(max_norm: float, norm_type: float, *grads: np.ndarray) -> np.ndarray:
    """Scale ``grads`` in place by min(1, max_norm / (‖g‖ + 10⁻⁶)); the norm ‖g‖ as a 0-d float64 array.

    Recordable: a compiled training step clips the gradients of every call.
    """
    if norm_type == np.inf:
        total = max(float(np.max(np.abs(g))) for g in grads)
    else:
        total = sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return np.asarray(total)
