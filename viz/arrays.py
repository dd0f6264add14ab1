"""Numbers as text: small arrays in full, large ones summarised."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import backend


def number(x: Any, precision: int = 4) -> str:
    """One value with ``precision`` significant digits (``-0.4885``, ``1.2e-07``, ``nan``)."""
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.{precision}g}"


def _row(values: np.ndarray, precision: int) -> str:
    return "[" + ", ".join(number(v, precision) for v in values) + "]"


def full_lines(a: np.ndarray, precision: int = 4) -> list[str]:
    """Every element of ``a``: a scalar, one bracketed row, or one line per row of a matrix.

    Arrays with more than two axes are shown as rows of their last axis.
    """
    a = backend.host_array(a)
    if a.ndim == 0:
        return [number(a, precision)]
    if a.ndim == 1:
        return [_row(a, precision)]
    rows = a.reshape(-1, a.shape[-1])
    return [_row(r, precision) for r in rows]


def summary_lines(a: np.ndarray, precision: int = 4, head: int = 3) -> list[str]:
    """Shape-and-statistics text for a large array: min/mean/max and the first few elements."""
    a = backend.host_array(a)
    flat = a.ravel()
    if flat.dtype.kind in "fc":
        finite = flat[np.isfinite(flat)]
    else:
        finite = flat
    if finite.size:
        stats = (
            f"min {number(finite.min(), precision)}  mean {number(finite.mean(), precision)}  "
            f"max {number(finite.max(), precision)}"
        )
    else:
        stats = "no finite values"
    bad = flat.size - finite.size
    if bad:
        stats += f"  ({bad} nan/inf)"
    first = ", ".join(number(v, precision) for v in flat[:head])
    return [stats, f"[{first}, …]"]


def released_lines(a: Any, precision: int = 4) -> list[str]:
    """What is left of an array backward did not keep (a ``ReleasedArray``): only that it was not kept."""
    return ["(not kept after backward)"]


def is_released(a: Any) -> bool:
    """Whether ``a`` is a record of an array backward did not keep (shape and dtype only)."""
    return type(a).__name__ == "ReleasedArray"


def array_lines(a: Any, max_elements: int = 6, precision: int = 4) -> list[str]:
    """``full_lines`` when ``a`` has at most ``max_elements`` elements, else ``summary_lines``."""
    if is_released(a):
        return released_lines(a, precision)
    a = backend.host_array(a)
    if a.size <= max_elements:
        return full_lines(a, precision)
    return summary_lines(a, precision)


def nested(a: Any, precision: int = 4) -> str:
    """Every element in numpy's nesting, on one line: ``[[0.4, 0.6], [0.7, -0.4]]``."""
    a = backend.host_array(a)
    if a.ndim == 0:
        return number(a, precision)
    return "[" + ", ".join(nested(sub, precision) for sub in a) + "]"


def compact(a: Any, max_elements: int = 6, precision: int = 4) -> str:
    """One line: the values when few, else the shape and the norm (the dtype for integer arrays)."""
    if is_released(a):
        return f"{shape_text(a.shape)} (not kept)"
    a = backend.host_array(a)
    if a.size <= max_elements:
        return nested(a, precision)
    if a.dtype.kind not in "fc":
        return f"{shape_text(a.shape)} {a.dtype}"
    norm = float(np.linalg.norm(a.astype(np.float64).ravel()))
    return f"{shape_text(a.shape)} ‖·‖={number(norm, precision)}"


def shape_text(shape: tuple[int, ...]) -> str:
    """``(4, 3)``, ``(3,)``, or ``()`` for a scalar."""
    return str(tuple(int(n) for n in shape))
