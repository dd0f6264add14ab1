"""Gradient health: how large a tensor's gradient is relative to its value, as a colour.

The measure is rms(∂L/∂x) / max(rms(x), 1), rms being the root mean square
over the elements. For a parameter of typical size it is the fraction of
itself one SGD step of learning rate 1 would move it; the floor at 1 keeps
values near zero (a fresh bias, a pre-activation close to 0) from making an
ordinary gradient look huge. Below 1e-4 a tensor barely learns (vanishing);
above 1e3 a step overshoots (exploding).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from autograd_core import backend


class Band(NamedTuple):
    """One colour band of the health scale."""

    label: str
    colour: str
    upper: float  # ratios below this (and at least the previous band's upper) fall in the band


ZERO = Band("zero (no signal)", "#d9d9d9", 0.0)
BANDS = (
    Band("vanishing  < 1e-4", "#9ecae1", 1e-4),
    Band("small  1e-4 … 1e-2", "#deebf7", 1e-2),
    Band("healthy  1e-2 … 10", "#c7e9c0", 10.0),
    Band("large  10 … 1e3", "#fdd0a2", 1e3),
    Band("exploding  > 1e3", "#fdae6b", float("inf")),
)
NOT_FINITE = Band("nan / inf", "#c994c7", float("nan"))


def rms(a: np.ndarray) -> float:
    """Root mean square of the elements (0 for an empty array)."""
    a = backend.host_array(a, dtype=np.float64)
    return float(np.sqrt(np.mean(np.square(a)))) if a.size else 0.0


def ratio(value: np.ndarray, grad: np.ndarray) -> float:
    """rms(grad) / max(rms(value), 1)."""
    return rms(grad) / max(rms(value), 1.0)


def band(value: np.ndarray, grad: np.ndarray) -> Band:
    """The colour band of a tensor with this value and gradient."""
    r = ratio(value, grad)
    if not np.isfinite(r):
        return NOT_FINITE
    if r == 0:
        return ZERO
    for b in BANDS:
        if r < b.upper:
            return b
    return BANDS[-1]
