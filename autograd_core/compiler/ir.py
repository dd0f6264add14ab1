"""The recorded program: values (arrays) and the steps that compute them, in execution order.

A trace produces one ``Step`` per event — a primitive applied, a VJP rule run,
gradients summed, a leaf's ``.grad`` written, an optimizer update — reading
and writing ``Value``s. Lowering (``lower.py``) turns steps into numpy calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Value:
    """One array of a program: where it comes from, its shape and dtype.

    ``kind``:
    * "input" — the ``source``-th array argument of the compiled function;
    * "captured" — the values of a Tensor the function reads but does not
      compute (a parameter): ``source`` is the Tensor, read at each call;
    * "const" — a fixed array (a seed of ones, an array the caller keeps):
      ``source`` is the array itself, read at each call;
    * "grad" — the reused gradient buffer of the leaf Tensor ``source``;
    * "computed" — the result of a step.
    """

    __slots__ = ("number", "kind", "source", "shape", "dtype", "bases", "pinned", "order")

    def __init__(self, number: int, kind: str, shape: tuple[int, ...], dtype: np.dtype, source: Any = None) -> None:
        self.number = number
        self.kind = kind
        self.source = source
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        #: Values whose memory this one may share (a view, or a result that may alias its operands).
        self.bases: tuple[Value, ...] = ()
        #: Never reused or written by other steps (written in place by a recorded write, kept by an effect).
        self.pinned = False
        #: Memory order of a planned buffer: "C" (row-major, numpy's default) or "F" (column-major).
        self.order = "C"

    @property
    def nbytes(self) -> int:
        """Size of the array in bytes."""
        n = self.dtype.itemsize
        for s in self.shape:
            n *= s
        return n

    def describe(self) -> str:
        """e.g. ``f32[64,256]``."""
        kind = {"f": "f", "i": "i", "u": "u", "b": "bool"}.get(self.dtype.kind, self.dtype.kind)
        bits = "" if kind == "bool" else str(self.dtype.itemsize * 8)
        return f"{kind}{bits}[{','.join(map(str, self.shape))}]"

    def __repr__(self) -> str:
        return f"<Value {self.number} {self.kind} {self.describe()}>"


class Step:
    """One recorded event: ``op`` applied to ``args`` (Values or plain Python values), giving ``out``.

    ``info`` holds what the op needs (the primitive and its parameters, the
    rule index, the function of an effect, ...); ``site`` is the user's
    source line, for listings and messages.
    """

    __slots__ = ("op", "args", "out", "info", "site")

    def __init__(self, op: str, args: tuple, out: Value | None = None, site: str = "", **info: Any) -> None:
        self.op = op
        self.args = args
        self.out = out
        self.info = info
        self.site = site

    def __repr__(self) -> str:
        return f"<Step {self.op} {self.args} -> {self.out}>"
