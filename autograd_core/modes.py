"""Switches: gradient recording, anomaly detection, module scopes, the default dtype.

Each mode belongs to the calling thread (``_state.py``), as in PyTorch.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from . import _state
from .errors import DtypeError

F = TypeVar("F", bound=Callable[..., Any])


class set_grad_enabled:
    """Turn graph recording on or off: at once as a call, for a block as ``with``, per call as a decorator.

    As in PyTorch, ``set_grad_enabled(False)`` switches the mode when it is
    called; a ``with`` block restores the previous mode when it ends, and a
    decorated function runs with the mode and restores it on return.

    >>> w = ag.tensor([1.0], requires_grad=True)
    >>> with ag.set_grad_enabled(False):
    ...     (w * 2).requires_grad
    False
    >>> ag.is_grad_enabled()
    True
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _state.current().update(grad_enabled=self.mode)["grad_enabled"]

    def __enter__(self) -> None:
        pass  # the mode was switched when the object was made

    def __exit__(self, *exc: Any) -> None:
        _state.current().grad_enabled = self.prev

    def __call__(self, fn: F) -> F:
        _state.current().grad_enabled = self.prev  # decorating must not switch the mode
        mode = self.mode

        @functools.wraps(fn)
        def run_with_mode(*args: Any, **kwargs: Any) -> Any:
            with _state.switched(grad_enabled=mode):
                return fn(*args, **kwargs)

        return run_with_mode  # type: ignore[return-value]


class _GradMode(contextlib.ContextDecorator):
    mode = True

    def _recreate_cm(self) -> _GradMode:
        return type(self)()  # each decorated call (in any thread) saves into its own object

    def __enter__(self) -> None:
        state = _state.current()
        self._saved = getattr(self, "_saved", [])
        self._saved.append(state.grad_enabled)
        state.grad_enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.current().grad_enabled = self._saved.pop()


class no_grad(_GradMode):
    """Record nothing inside the block: results of ops need no gradient (evaluation, optimizer updates).

    >>> w = ag.tensor([1.0], requires_grad=True)
    >>> with ag.no_grad():
    ...     y = w * 2
    >>> y.requires_grad, y.grad_fn is None
    (False, True)
    """

    mode = False


class enable_grad(_GradMode):
    """Record graphs again inside a ``no_grad`` region.

    >>> w = ag.tensor([1.0], requires_grad=True)
    >>> with ag.no_grad():
    ...     with ag.enable_grad():
    ...         y = w * 2
    >>> y.requires_grad
    True
    """

    mode = True


def is_grad_enabled() -> bool:
    """Whether operations are being recorded in this thread.

    >>> ag.is_grad_enabled()
    True
    >>> with ag.no_grad():
    ...     ag.is_grad_enabled()
    False
    """
    return _state.current().grad_enabled


class detect_anomaly(contextlib.ContextDecorator):
    """Raise ``AnomalyError`` where a NaN or inf first appears, forward or backward.

    The error names the primitive and the line of user code that created it.
    Slow (checks every value); for debugging only.

    >>> x = ag.tensor([-1.0], requires_grad=True)
    >>> with np.errstate(invalid="ignore"), ag.detect_anomaly():
    ...     ag.sqrt(x)
    Traceback (most recent call last):
        ...
    autograd_core.errors.AnomalyError: sqrt produced NaN in the forward pass, ...
    """

    def _recreate_cm(self) -> detect_anomaly:
        return detect_anomaly()

    def __enter__(self) -> None:
        self._saved = getattr(self, "_saved", [])
        self._saved.append(_state.current().update(anomaly=True))

    def __exit__(self, *exc: Any) -> None:
        _state.current().update(**self._saved.pop())


def set_default_dtype(dtype: Any) -> None:
    """The float dtype given to Python numbers and lists (float64 unless changed; process-wide).

    >>> ag.set_default_dtype(np.float32)
    >>> ag.tensor([1.0]).dtype
    dtype('float32')
    >>> ag.set_default_dtype(np.float64)
    >>> ag.tensor([1.0]).dtype
    dtype('float64')
    """
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise DtypeError(f"set_default_dtype: {dtype!r} is not a dtype; pass 'float32' or 'float64'") from err
    if dt.kind != "f":
        raise DtypeError(f"the default dtype must be a float dtype (float16, float32, float64), not {dt}")
    _state.default_dtype = dt


def get_default_dtype() -> np.dtype:
    """The float dtype given to Python numbers and lists.

    >>> ag.get_default_dtype()
    dtype('float64')
    """
    return _state.default_dtype


class graph_scope(contextlib.ContextDecorator):
    """Label the nodes recorded inside with ``name``: each node's ``scope`` is the tuple of active names, outermost first.

    ``nn.Module`` enters one per module call, so graph pictures can group a
    module's ops. A plain class rather than a generator-based context
    manager, because it sits on that per-call hot path; like one, an
    instance is entered once (as a decorator, each call gets a fresh one).

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> with ag.graph_scope("block"):
    ...     y = x * 2
    >>> y.grad_fn.scope
    ('block',)
    """

    __slots__ = ("name", "_saved")

    def __init__(self, name: str) -> None:
        self.name = name
        self._saved: tuple[str, ...] | None = None

    def _recreate_cm(self) -> graph_scope:
        return graph_scope(self.name)

    def __enter__(self) -> None:
        state = _state.current()
        self._saved = saved = state.scope
        state.scope = (saved or ()) + (self.name,)

    def __exit__(self, *exc: Any) -> None:
        _state.current().scope = self._saved
