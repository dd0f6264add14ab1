"""Switches: gradient recording, anomaly detection, the default dtype."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from . import _state
from .errors import DtypeError


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a ``with`` block or a decorated function."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._saved: list[bool] = []

    def __enter__(self) -> None:
        self._saved.append(_state.grad_enabled)
        _state.grad_enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.grad_enabled = self._saved.pop()


class no_grad(set_grad_enabled):
    """Record nothing: results of ops need no gradient (evaluation, optimizer updates)."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record graphs again inside a ``no_grad`` region."""

    def __init__(self) -> None:
        super().__init__(True)


def is_grad_enabled() -> bool:
    """Whether operations are being recorded."""
    return _state.grad_enabled


class detect_anomaly(contextlib.ContextDecorator):
    """Raise ``AnomalyError`` where a NaN or inf first appears, forward or backward.

    The error names the primitive and the line of user code that created it.
    Slow (checks every value); for debugging only.
    """

    def __enter__(self) -> None:
        _state.anomaly += 1
        _state.refresh_slow()

    def __exit__(self, *exc: Any) -> None:
        _state.anomaly -= 1
        _state.refresh_slow()


def set_default_dtype(dtype: Any) -> None:
    """The float dtype given to Python numbers and lists (float64 unless changed)."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise DtypeError(f"the default dtype must be a float dtype (float16, float32, float64), not {dt}")
    _state.default_dtype = dt


def get_default_dtype() -> np.dtype:
    """The float dtype given to Python numbers and lists."""
    return _state.default_dtype


class graph_scope(contextlib.ContextDecorator):
    """Label the nodes recorded inside with ``name``: each node's ``scope`` is the tuple of active names, outermost first.

    ``nn.Module`` enters one per module call, so graph pictures can group a
    module's ops. A plain class rather than a generator-based context
    manager, because it sits on that per-call hot path; like one, an
    instance is entered once (as a decorator, each call gets a fresh one).
    """

    __slots__ = ("name", "_saved")

    def __init__(self, name: str) -> None:
        self.name = name
        self._saved: tuple[str, ...] | None = None

    def _recreate_cm(self) -> graph_scope:
        return graph_scope(self.name)

    def __enter__(self) -> None:
        self._saved = saved = _state.scope
        _state.scope = (saved or ()) + (self.name,)

    def __exit__(self, *exc: Any) -> None:
        _state.scope = self._saved
