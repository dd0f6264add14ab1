"""Process-wide switches read on every primitive application.

Kept as plain module attributes because a module attribute read is the cheapest
lookup Python offers; the per-op hot path reads ``grad_enabled`` and ``slow``.
The state is process-wide (not thread-local), like micrograd and HIPS autograd.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

#: Record graphs for reverse mode (switched off by ``no_grad``).
grad_enabled: bool = True

#: True when anything besides plain recording must run after a primitive:
#: forward-mode tangents, anomaly detection, op counting. One flag keeps the
#: common path to a single check; ``refresh_slow()`` recomputes it.
slow: bool = False

#: Active forward-mode levels, innermost last (see ``forward.py``).
fwd_levels: list[int] = []

#: ``detect_anomaly()`` depth.
anomaly: int = 0

#: Active ``count_ops()`` meters.
counters: list = []

#: Incremented by every public in-place write; a node remembers the value at
#: its creation, so a later write to one of its inputs is detectable.
inplace_clock: int = 0

#: Module scope names pushed by ``nn.Module.__call__`` (for graph pictures).
scope: tuple[str, ...] | None = None

#: dtype given to Python scalars and lists.
default_dtype: np.dtype = np.dtype(np.float64)


@contextmanager
def pushed(stack: list, item: Any) -> Iterator[Any]:
    """Put ``item`` on one of the mode stacks above for the duration of a ``with`` block."""
    stack.append(item)
    refresh_slow()
    try:
        yield item
    finally:
        stack.remove(item)
        refresh_slow()


def refresh_slow() -> None:
    """Recompute the single flag the hot path checks."""
    global slow
    slow = bool(fwd_levels) or anomaly > 0 or bool(counters)
