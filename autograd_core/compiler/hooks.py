"""What library code calls so that ``ag.compile`` can record work done outside primitives.

Primitives, backward passes and the Tensor methods that read or write values
are seen by the recorder through the engine's observers. A few library
operations run plain numpy on arrays instead: dropout draws its mask, batch
norm updates its running statistics, optimizers update parameters in place.
They declare themselves here, so a compiled program can replay them:

* ``recordable(fn)`` — calls of ``fn`` become one step of the program and
  run again, on the program's arrays, at every replay;
* ``recording()`` — the recorder tracing a compiled function in this thread,
  or None (one attribute read when nothing is being compiled), for the
  optimizer's ``step`` and ``zero_grad``.

Outside a trace both cost next to nothing, and the functions behave exactly
as without them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from .. import _state
from ..tensor import Tensor

F = TypeVar("F", bound=Callable[..., Any])


def recording() -> Any:
    """The recorder tracing a compiled function in this thread (None when there is none, or while it is paused)."""
    observers = _state.current().observers
    if not observers:
        return None
    for observer in observers:
        if getattr(observer, "records_programs", False):
            return None if observer.paused else observer
    return None


def recordable(fn: F | None = None, *, workspace: bool = False) -> Any:
    """Make every call of ``fn`` one step of the programs ``ag.compile`` records.

    ``fn`` receives arrays where its callers pass Tensors (their values, read
    at that point of the program), and any other argument unchanged. It may
    change state outside the engine (running statistics, buffers of a
    module) and return None or a numpy array; on replay it is called again
    with the same non-array arguments, so it draws fresh random numbers from
    the same generator and updates the same state, as eager mode would.
    It must not keep the arrays it is given.

    With ``workspace=True``, ``fn`` takes a keyword ``workspace``: None in
    eager mode; in a compiled program, a dict kept from call to call where it
    may keep buffers to reuse (the array it returns may be one of them).
    """
    if fn is None:
        return functools.partial(recordable, workspace=workspace)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if _state.current().observers:
            recorder = recording()
            if recorder is not None:
                return recorder.record_call(fn, args, kwargs, workspace)
        return fn(*[a.data if isinstance(a, Tensor) else a for a in args], **kwargs)

    call.recorded = fn  # type: ignore[attr-defined]
    return call
