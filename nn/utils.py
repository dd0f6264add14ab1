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

    >>> w = ag.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()  # gradient 2w = (6, 8), norm 10
    >>> nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(10.)
    >>> w.grad  # rescaled to norm 1
    tensor([0.59999994, 0.79999992])
    """
    if max_norm < 0:
        raise InvalidArgumentError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    params = [parameters] if isinstance(parameters, ag.Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return ag.tensor(0.0)
    total = ag.tensor(_clip_in_place(max_norm, float(norm_type), *grads), dtype=ag.get_default_dtype())
    for g in grads:  # the gradients were written in place: their version counters say so
        ag.increment_version(g)
    return total


@recordable
def _clip_in_place(max_norm: float, norm_type: float, *grads: np.ndarray) -> np.ndarray:
    """Scale ``grads`` in place by min(1, max_norm / (‖g‖ + 10⁻⁶)); the norm ‖g‖ as a 0-d float64 array.

    Recordable: a compiled training step clips the gradients of every call.
    """
    if type(grads[0]) is not np.ndarray and ag.backend.is_backend_array(grads[0]):
        return _clip_on_device(max_norm, norm_type, grads)
    if norm_type == np.inf:
        total = max(float(np.max(np.abs(g))) for g in grads)
    else:
        total = sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return np.asarray(total)


def _clip_on_device(max_norm: float, norm_type: float, grads: tuple) -> object:
    """``_clip_in_place`` without a copy to host: the norm stays a 0-d device array, min(1, coef) is applied always."""
    if norm_type == np.inf:
        total = np.max(np.stack([np.max(np.abs(g)) for g in grads]))
    else:
        total = np.sum(np.stack([np.sum(np.abs(g) ** norm_type) for g in grads])) ** (1.0 / norm_type)
    coef = np.minimum(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g *= coef.astype(g.dtype)
    return total.astype(np.float64)


def reset_grad(p: ag.Tensor, set_to_none: bool = True) -> None:
    """``p.grad = None``, or with ``set_to_none=False`` zeros written into the gradient's own array.

    A gradient that is part of a graph (from ``backward(create_graph=True)``)
    or that cannot be written is replaced by a zero array instead, as
    PyTorch detaches it before zeroing.

    >>> p = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> (p * p).sum().backward()
    >>> g = p.grad
    >>> nn.utils.reset_grad(p, set_to_none=False)  # zeros written into the same array
    >>> print(p.grad.numpy())
    [0. 0.]
    >>> p.grad is g
    True
    >>> nn.utils.reset_grad(p)
    >>> print(p.grad)
    None
    """
    g = p.grad
    if g is None or set_to_none:
        p.zero_grad()  # Tensor.zero_grad: a compiled function records it
    elif g.requires_grad or not g.data.flags.writeable:
        p.grad = ag.zeros_like(g)
    else:
        g.data.fill(0)
        ag.increment_version(g)
