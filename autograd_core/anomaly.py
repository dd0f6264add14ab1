"""Checks run under ``detect_anomaly()``: where did the first NaN or inf come from?"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

from . import backend
from .errors import AnomalyError

#: Packages whose frames are not the user's line (this one; others add themselves).
_LIBRARY_DIRS: tuple[str, ...] = (os.path.dirname(os.path.abspath(__file__)) + os.sep,)


def register_library_package(path: str) -> None:
    """Treat frames under the package directory ``path`` as library code when naming the user's line.

    Messages and warnings (``CompileWarning``, anomaly mode) name the line of
    the user's code that caused them, skipping frames inside library packages:

    >>> import os, sys
    >>> os.makedirs("mylib", exist_ok=True)
    >>> with open("mylib/__init__.py", "w") as f:
    ...     print("import autograd_core as ag", file=f)
    ...     print("def where():", file=f)
    ...     print("    return ag.anomaly.user_site()", file=f)
    >>> sys.path.insert(0, os.getcwd())
    >>> import mylib
    >>> mylib.where()  # mylib's own line
    '...mylib/__init__.py:3 in where'
    >>> ag.register_library_package(mylib.__file__)
    >>> "mylib" in mylib.where()  # now the caller's line
    False
    >>> del sys.modules["mylib"]; sys.path.pop(0) == os.getcwd()
    True
    """
    global _LIBRARY_DIRS
    folder = os.path.dirname(os.path.abspath(path)) + os.sep
    if folder not in _LIBRARY_DIRS:
        _LIBRARY_DIRS = _LIBRARY_DIRS + (folder,)


def user_site() -> str:
    """``file:line in function`` of the innermost caller outside the library's packages."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_LIBRARY_DIRS):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _bad(values: Any) -> str | None:
    """ "NaN" or "inf" if array, Tensor or number ``values`` holds one, else None.

    A device array stays where it is: the checks run there and only their
    one-element answers are copied to the host, on purpose (``backend.decide``).
    """
    arr = values if type(values) is np.ndarray else backend.underlying(values)
    if not isinstance(arr, np.ndarray) and not backend.is_backend_array(arr):
        arr = np.asarray(arr)
    if arr.dtype.kind not in "fc" or backend.decide(np.isfinite(arr).all()):
        return None
    return "NaN" if backend.decide(np.isnan(arr).any()) else "inf"


def check_forward(prim: Any, arrays: list, out: Any) -> None:
    """Remember where each node was created; raise if ``prim`` turned finite inputs into NaN/inf."""
    site = user_site()
    if out._node is not None:
        out._node.site = site
    bad = _bad(out.data)
    if bad and not any(_bad(a) for a in arrays if a is not None):
        raise AnomalyError(f"{prim.name} produced {bad} in the forward pass, at {site}")


def check_backward(node: Any, index: int, gx: Any) -> None:
    """Raise if the VJP of ``node`` for input ``index`` produced NaN/inf."""
    bad = _bad(gx)
    if bad:
        raise AnomalyError(
            f"the backward pass of {node.op.name} produced {bad} in the gradient of its input {index}; "
            f"that {node.op.name} was created at {getattr(node, 'site', None) or '<outside detect_anomaly()>'}"
        )
