"""Undoing broadcasting, and the batch axes of vectorised Jacobians.

Cotangents and tangents may carry extra *leading* batch axes (the basis
vectors of ``jacrev``/``jacfwd``); the helpers keep them in front.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Below this many elements a broadcast cotangent is materialised: filling a
#: small array is ten times cheaper than numpy's Python-level broadcast_to,
#: while large results stay zero-copy views.
SMALL = 4096


def expand(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` broadcast to ``shape`` (numpy rules): a filled array when small, a read-only view when large."""
    if type(g) is np.ndarray and math.prod(shape) <= SMALL:
        out = np.empty(shape, dtype=g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def sum_to(g: Any, shape: tuple[int, ...], batch: tuple[int, ...] = ()) -> Any:
    """Undo broadcasting: sum ``g`` down to ``batch + shape`` (or broadcast it up).

    x̄ = Σ over the axes along which x was broadcast of ȳ. The leading
    ``batch`` axes (basis vectors of a vectorised Jacobian) are kept; the
    broadcast axes right after them are summed away, and axes where ``shape``
    has 1 are summed with keepdims.

    >>> g = np.ones((4, 3))
    >>> ag.sum_to(g, (1, 3))
    array([[4., 4., 4.]])
    >>> ag.sum_to(g, (3,))
    array([4., 4., 4.])
    """
    full = batch + shape
    if g.shape == full:
        return g
    nb = len(batch)
    extra = g.ndim - len(full)
    if extra > 0:
        g = g.sum(axis=tuple(range(nb, nb + extra)))
    elif extra < 0:
        return expand(g, full)
    axes = tuple(nb + i for i, (n, m) in enumerate(zip(shape, g.shape[nb:])) if n == 1 and m != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if g.shape != full:
        g = expand(g, full)
    return g


def lift(t: Any, nb: int, ndim: int) -> Any:
    """Insert unit axes after ``nb`` leading batch axes so ``t`` has ``nb + ndim`` axes.

    Lets a batched tangent of a lower-rank operand broadcast against the other
    operands exactly as the operand itself did.
    """
    missing = nb + ndim - t.ndim
    if missing <= 0:
        return t
    return t.reshape(t.shape[:nb] + (1,) * missing + t.shape[nb:])


def leading(v: Any, ref: Any) -> tuple[int, ...]:
    """The batch axes ``v`` carries in front of the shape of ``ref``."""
    return v.shape[: v.ndim - ref.ndim]
