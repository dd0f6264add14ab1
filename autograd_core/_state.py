"""The engine's switches, one context per thread, changed through one mechanism.

Grad mode, forward-mode levels, anomaly detection, op counters, observers of
primitive applications and the module scope belong to the thread that set
them, as in PyTorch: one thread's ``no_grad()`` never stops another thread's
training, and every thread starts with grad mode on. So do open ``vmap`` levels.

Every change goes through ``EngineState.update`` (usually via ``switched``, a
context manager that restores what it changed), which also recomputes the one
flag the per-op hot path reads, ``slow``; the switches that feed it are
properties, so the flag cannot go stale.

The default float dtype is process-wide, as ``torch.set_default_dtype`` is.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np


class EngineState:
    """One thread's switches. Read them freely; change them with ``update`` or ``switched``."""

    __slots__ = (
        "grad_enabled",
        "scope",
        "slow",
        "_fwd_levels",
        "_anomaly",
        "_counters",
        "_observers",
        "_batch_levels",
    )

    def __init__(self) -> None:
        #: Record graphs for reverse mode (switched off by ``no_grad``).
        self.grad_enabled: bool = True
        #: Module names pushed by ``nn.Module.__call__`` (graph pictures group by them).
        self.scope: tuple[str, ...] | None = None
        #: True when anything besides plain recording must run after a primitive.
        self.slow: bool = False
        self._fwd_levels: tuple[int, ...] = ()
        self._anomaly: bool = False
        self._counters: tuple = ()
        self._observers: tuple = ()
        self._batch_levels: tuple[int, ...] = ()

    def _refresh(self) -> None:
        self.slow = bool(self._fwd_levels or self._anomaly or self._counters or self._observers or self._batch_levels)

    @property
    def fwd_levels(self) -> tuple[int, ...]:
        """Open forward-mode levels, innermost last (``forward.py``)."""
        return self._fwd_levels

    @fwd_levels.setter
    def fwd_levels(self, levels: tuple[int, ...]) -> None:
        self._fwd_levels = tuple(levels)
        self._refresh()

    @property
    def anomaly(self) -> bool:
        """Whether ``detect_anomaly()`` is active."""
        return self._anomaly

    @anomaly.setter
    def anomaly(self, on: bool) -> None:
        self._anomaly = bool(on)
        self._refresh()

    @property
    def counters(self) -> tuple:
        """Active ``count_ops()`` meters."""
        return self._counters

    @counters.setter
    def counters(self, meters: tuple) -> None:
        self._counters = tuple(meters)
        self._refresh()

    @property
    def observers(self) -> tuple:
        """Objects told about every primitive application (``ApplyObserver``)."""
        return self._observers

    @observers.setter
    def observers(self, found: tuple) -> None:
        self._observers = tuple(found)
        self._refresh()

    @property
    def batch_levels(self) -> tuple[int, ...]:
        """Open ``vmap`` levels, innermost last (``vmap.py``)."""
        return self._batch_levels

    @batch_levels.setter
    def batch_levels(self, levels: tuple[int, ...]) -> None:
        self._batch_levels = tuple(levels)
        self._refresh()

    def update(self, **changes: Any) -> dict[str, Any]:
        """Set the named switches; return their previous values (to restore them)."""
        saved = {}
        for name, value in changes.items():
            saved[name] = getattr(self, name)
            setattr(self, name, value)
        return saved


#: This thread's ``EngineState`` as ``_local.state``, made on the thread's first use (``current``). A plain
#: ``threading.local`` rather than a subclass with ``__init__``: reading it is the per-op hot path, and the
#: plain type's attribute lookup is about half as costly.
_local = threading.local()


def current() -> EngineState:
    """This thread's switches (a new thread starts with grad mode on, as in PyTorch)."""
    try:
        return _local.state
    except AttributeError:
        state = _local.state = EngineState()
        return state


class switched:
    """``with switched(grad_enabled=False): ...`` sets switches for a block and restores them after.

    A plain class rather than a generator-based context manager because it sits
    on per-call paths (``no_grad`` in optimizers, module scopes).
    """

    __slots__ = ("changes", "saved")

    def __init__(self, **changes: Any) -> None:
        self.changes = changes
        self.saved: list[dict[str, Any]] = []

    def __enter__(self) -> EngineState:
        state = current()
        self.saved.append(state.update(**self.changes))
        return state

    def __exit__(self, *exc: Any) -> None:
        current().update(**self.saved.pop())


#: dtype given to Python scalars and lists (process-wide).
default_dtype: np.dtype = np.dtype(np.float64)
