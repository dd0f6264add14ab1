"""Batching rules: how each primitive runs on a whole batch at once under ``vmap``.

A rule is called as ``rule(batched, *operands, **params)``: operand ``i``
carries the batch axis in front when ``batched[i]`` is True (its other axes
are the per-example ones), and is shared by every example otherwise. The rule
returns the output for the whole batch, batch axis in front. Rules apply
primitives (``prim.bind``, public functions), so they are recorded for an
outer ``grad`` and carry an outer ``jvp``'s tangents like any computation.

Most primitives need no rule of their own:

* ``elementwise``: the operands' per-example axes broadcast against each
  other as numpy's do; a batched operand gets unit axes after its batch axis
  so that it lines up. The default for every ``broadcasting=True`` primitive.
* ``leading``: the forward already treats extra leading axes as batch axes
  (reductions over negative axes, softmax along the last axis, indexing);
  shared operands are broadcast along the batch first.

The others (matmul, linear, reshape, …) are written below, each a few lines.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .broadcasting import lift
from .errors import BatchingError

Rule = Callable[..., Any]


class GenericRule:
    """A batching rule written once for a family of primitives; the declaration binds it to its primitive."""

    def __init__(self, name: str, rule: Callable[..., Any]) -> None:
        self.name = name
        self.rule = rule

    def for_primitive(self, prim: Any) -> Rule:
        """The rule for ``prim``: ``rule(batched, *operands, **params)``."""
        bound = functools.partial(self.rule, prim)
        bound.generic = self.name  # type: ignore[attr-defined]
        return bound

    def __repr__(self) -> str:
        return f"<batching rule {self.name}>"


def ndim_of(x: Any, batched: bool) -> int:
    """The per-example number of axes of an operand."""
    return np.ndim(x) - int(batched) if x is not None else 0


def batch_size(batched: tuple[bool, ...], operands: tuple) -> int:
    """The length of the batch axis (of the first batched operand)."""
    for b, x in zip(batched, operands):
        if b:
            return int(np.shape(x)[0])
    raise BatchingError("batch_size: no operand is batched")


def lined_up(x: Any, batched: bool, ndim: int) -> Any:
    """A batched operand with unit axes after its batch axis, so it has ``1 + ndim`` axes; others unchanged.

    Numpy broadcasting aligns trailing axes, so a shared operand of at most
    ``ndim`` axes then broadcasts against it as it did per example.
    """
    return lift(x, 1, ndim) if batched else x


def along_batch(x: Any, batched: bool, size: int) -> Any:
    """``x`` with a batch axis in front: unchanged when batched, else broadcast (a view) to ``size`` copies."""
    if batched:
        return x
    return np.broadcast_to(x, (size,) + tuple(np.shape(x)))


# ------------------------------------------------------------------ generic
def _elementwise(prim: Any, batched: tuple[bool, ...], *operands: Any, **params: Any) -> Any:
    ndim = max(ndim_of(x, b) for x, b in zip(operands, batched))
    for p in params.values():  # array parameters (clip's bounds) broadcast with the operands too
        if isinstance(p, np.ndarray):
            ndim = max(ndim, p.ndim)
    return prim.bind(*(lined_up(x, b, ndim) for x, b in zip(operands, batched)), **params)


def _leading(prim: Any, batched: tuple[bool, ...], *operands: Any, **params: Any) -> Any:
    size = batch_size(batched, operands)
    return prim.bind(*(along_batch(x, b, size) for x, b in zip(operands, batched)), **params)


#: Elementwise primitives with numpy broadcasting (the default for ``broadcasting=True``).
elementwise = GenericRule("elementwise", _elementwise)
#: Primitives whose forward treats extra leading axes as batch axes.
leading = GenericRule("leading", _leading)


# ---------------------------------------------------------------- specific
def _matmul(prim: Any, batched: tuple[bool, ...], a: Any, b: Any) -> Any:
    """numpy's ``@`` per example: 1-D operands become a row (a) or a column (b), stacks line up."""
    ba, bb = batched
    na, nb = ndim_of(a, ba), ndim_of(b, bb)
    if na == 1:
        a = a[..., None, :]
    if nb == 1:
        b = b[..., :, None]
    r = max(na, nb, 2)
    a, b = lined_up(a, ba, r), lined_up(b, bb, r)
    if np.shape(a)[-1] == 1:  # outer products (per-example weight gradients): numpy's stacked matmul is slow at k = 1
        from .primitives.elementwise import mul

        y = mul.primitive.bind(a, b)
    else:
        y = prim.bind(a, b)
    if na == 1 and nb == 1:
        return y[..., 0, 0]
    if na == 1:
        return y[..., 0, :]
    if nb == 1:
        return y[..., 0]
    return y


def _linear(prim: Any, batched: tuple[bool, ...], x: Any, w: Any, bias: Any = None) -> Any:
    """Y = X·Wᵀ + b per example: the one fused op when the weight is shared, batched matmuls when it is not."""
    from .primitives.elementwise import add
    from .primitives.linalg import matmul

    bx, bw, bb = (tuple(batched) + (False,))[:3]
    if bw:
        y = _matmul(matmul.primitive, (bx, True), x, w.swapaxes(-1, -2))
    else:
        y = prim.bind(x, w, None if bb else bias)
    if bias is not None and (bw or bb):
        y = _elementwise(add.primitive, (bx or bw, bb), y, bias)
    return y


def _transpose(prim: Any, batched: tuple[bool, ...], x: Any, axes: tuple[int, ...]) -> Any:
    return prim.bind(x, axes=(0,) + tuple(a + 1 for a in axes))


def _reshape(prim: Any, batched: tuple[bool, ...], x: Any, shape: tuple[int, ...]) -> Any:
    return prim.bind(x, shape=(np.shape(x)[0],) + tuple(shape))


def _broadcast_to(prim: Any, batched: tuple[bool, ...], x: Any, shape: tuple[int, ...]) -> Any:
    return prim.bind(lined_up(x, True, len(shape)), shape=(np.shape(x)[0],) + tuple(shape))


def _pad(prim: Any, batched: tuple[bool, ...], x: Any, widths: tuple, value: float) -> Any:
    return prim.bind(x, widths=((0, 0),) + tuple(widths), value=value)


def _scatter_add(prim: Any, batched: tuple[bool, ...], v: Any, index: Any, shape: tuple[int, ...]) -> Any:
    return prim.bind(v, index=index, shape=(np.shape(v)[0],) + tuple(shape))


matmul = GenericRule("matmul", _matmul)
linear = GenericRule("linear", _linear)
transpose = GenericRule("transpose", _transpose)
reshape = GenericRule("reshape", _reshape)
broadcast_to = GenericRule("broadcast_to", _broadcast_to)
pad = GenericRule("pad", _pad)
scatter_add = GenericRule("scatter_add", _scatter_add)
