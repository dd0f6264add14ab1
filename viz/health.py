"""Gradient health: how large a tensor's gradient is relative to its value, as a colour.

The measure is ‖∂L/∂x‖ / ‖x‖ (the absolute ‖∂L/∂x‖ when x is all zeros, as a
freshly initialised bias is). A plain SGD step changes x by lr times that
fraction of itself, so with a learning rate near 0.1 a ratio below 1e-4 means
the tensor barely learns (vanishing) and one above 10 means a step overshoots
(exploding).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Band(NamedTuple):
    """One colour band of the health scale."""

    label: str
    colour: str
    upper: float  # ratios below this (and at least the previous band's upper) fall in the band


ZERO = Band("zero (no signal)", "#d9d9d9", 0.0)
BANDS = (
    Band("vanishing  < 1e-4", "#6baed6", 1e-4),
    Band("small  1e-4 … 1e-2", "#c6dbef", 1e-2),
    Band("healthy  1e-2 … 10", "#c7e9c0", 10.0),
    Band("large  10 … 1e3", "#fdae6b", 1e3),
    Band("exploding  > 1e3", "#e6550d", float("inf")),
)
NOT_FINITE = Band("nan / inf", "#cb181d", float("nan"))


def ratio(value: np.ndarray, grad: np.ndarray) -> float:
    """‖grad‖ / ‖value‖, or ‖grad‖ when the value is all zeros."""
    g = float(np.linalg.norm(np.asarray(grad, dtype=np.float64).ravel()))
    v = float(np.linalg.norm(np.asarray(value, dtype=np.float64).ravel()))
    return g / v if v > 0 else g


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
