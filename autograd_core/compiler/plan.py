"""Where each value of a program lives: planned buffers reused across values and calls, in place where dead.

Liveness: a value is live from the line computing it to its last reader; a
view (or a result that may share its operands' memory) keeps its bases
alive as long as it lives. Values at least ``threshold`` bytes written by a
numpy call with ``out=`` get a buffer: an operand's own buffer when the call
is elementwise and the operand dies there (in place), else a free buffer of
the same size and dtype, else a new one. Buffers are allocated once, when the
program is built, so a replay allocates nothing for them. A gradient that is
copied into a parameter's reused ``.grad`` buffer is computed there directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ir import Value
from .lower import Instr

OWNED_MODES = ("ufunc", "out", "alloc")


class Storage:
    """Where a Value lives: ``kind`` is "buffer" (``index`` into the plan's buffers), "local" (a Python
    local ``index``), "grad" (a reused gradient buffer, ``index`` the grad Value), or the Value's own kind
    ("input", "captured", "const", "grad") for values the program does not compute."""

    __slots__ = ("kind", "index", "owned")

    def __init__(self, kind: str, index: Any, owned: bool = False) -> None:
        self.kind = kind
        self.index = index
        self.owned = owned  # a fresh array this program made (may be written in place, returned uncopied)


class Plan:
    """Storage for every Value of ``instrs``; ``buffers`` are (dtype, size) pairs to allocate once."""

    def __init__(self, instrs: list[Instr], outputs: list[Value], threshold: int, inplace_small: bool = True) -> None:
        self.instrs = instrs
        self.threshold = threshold
        self.inplace_small = inplace_small
        self.storage: dict[int, Storage] = {}
        self.buffers: list[tuple[np.dtype, int]] = []
        self.skipped: set[int] = set()
        self.locals = 0
        self._liveness(outputs)
        self._elide_gradient_copies(outputs)
        self._assign()

    # ------------------------------------------------------------ liveness
    def _liveness(self, outputs: list[Value]) -> None:
        end = len(self.instrs)
        self.defined: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.values: dict[int, Value] = {}
        for i, ins in enumerate(self.instrs):
            for v in ins.reads():
                self.values[v.number] = v
                self.last[v.number] = max(self.last.get(v.number, -1), i)
            for v in ins.scratch:
                self.values[v.number] = v
                self.defined[v.number] = i
                self.last[v.number] = i
            if ins.out is not None:
                v = ins.out
                self.values[v.number] = v
                self.defined.setdefault(v.number, i)
                self.last[v.number] = max(self.last.get(v.number, -1), i)
        for v in outputs:
            self.values[v.number] = v
            self.last[v.number] = end
        for v in self.values.values():
            if v.pinned:
                self.last[v.number] = end
        # a value sharing memory with its bases keeps them alive (latest defined first: chains propagate)
        for number in sorted(self.defined, key=lambda n: -self.defined[n]):
            v = self.values[number]
            for b in v.bases:
                self.values.setdefault(b.number, b)
                self.last[b.number] = max(self.last.get(b.number, -1), self.last[number])
        self.aliased = {b.number for v in self.values.values() for b in v.bases}

    def _elide_gradient_copies(self, outputs: list[Value]) -> None:
        producer = {ins.out.number: (i, ins) for i, ins in enumerate(self.instrs) if ins.out is not None}
        taken: set[int] = set()
        out_numbers = {v.number for v in outputs}
        for i, ins in enumerate(self.instrs):
            if ins.grad is None:
                continue
            g = ins.args[1]
            found = producer.get(g.number) if isinstance(g, Value) else None
            if found is None or g.number in taken or g.number in out_numbers or g.number in self.aliased:
                continue
            j, maker = found
            if maker.mode not in ("ufunc", "out") or g.kind != "computed" or g.bases:
                continue
            if g.shape != ins.grad.shape or g.dtype != ins.grad.dtype or ins.grad.number in taken:
                continue  # one value per gradient buffer: a second store of the same .grad copies
            self.storage[g.number] = Storage("grad", ins.grad)
            taken.add(g.number)
            taken.add(ins.grad.number)
            self.skipped.add(i)

    # ------------------------------------------------------------- storage
    def _assign(self) -> None:
        free: dict[tuple, list[int]] = {}
        owner: dict[int, int] = {}  # buffer → Value number living in it
        free_names: list[int] = []
        name_of: dict[int, int] = {}  # Value number → the local it lives in
        holders: dict[int, int] = {}  # local → how many live Values are in it
        releases: dict[int, list[int]] = {}
        for number, last in self.last.items():
            releases.setdefault(last, []).append(number)

        def new_buffer(v: Value) -> int:
            key = (v.dtype, v.nbytes)
            pool = free.get(key)
            if pool:
                return pool.pop()
            self.buffers.append(key)
            return len(self.buffers) - 1

        def new_local() -> int:
            if free_names:
                return free_names.pop()
            self.locals += 1
            return self.locals - 1

        for i, ins in enumerate(self.instrs):
            if i in self.skipped:
                continue
            scratch = []
            for v in ins.scratch:
                b = new_buffer(v)
                self.storage[v.number] = Storage("buffer", b, owned=True)
                scratch.append(b)
            v = ins.out
            if v is not None and v.number not in self.storage:
                self.storage[v.number] = self._place(i, ins, v, new_buffer, new_local, owner)
                s = self.storage[v.number]
                if s.kind == "buffer":
                    owner[s.index] = v.number
                elif s.kind == "local":
                    name_of[v.number] = s.index
                    holders[s.index] = holders.get(s.index, 0) + 1
            for b in scratch:
                free.setdefault(self.buffers[b], []).append(b)
            for number in releases.get(i, ()):
                s = self.storage.get(number)
                if s is None:
                    continue
                if s.kind == "buffer" and owner.get(s.index) == number:
                    del owner[s.index]
                    free.setdefault(self.buffers[s.index], []).append(s.index)
                elif s.kind == "local" and name_of.get(number) == s.index:
                    del name_of[number]
                    holders[s.index] -= 1
                    if not holders[s.index]:
                        free_names.append(s.index)

    def _place(self, i: int, ins: Instr, v: Value, new_buffer: Any, new_local: Any, owner: dict) -> Storage:
        big = v.nbytes >= self.threshold
        if ins.mode in ("ufunc", "out"):
            if ins.mode == "ufunc":
                for a in ins.args:
                    if self._dies_into(a, v, i):
                        s = self.storage[a.number]
                        if s.kind == "buffer" or (s.kind == "local" and self.inplace_small):
                            return Storage(s.kind, s.index, owned=True)
            if big or v.pinned:
                return Storage("buffer", new_buffer(v), owned=True)
            return Storage("local", new_local(), owned=True)
        return Storage("local", new_local(), owned=ins.mode == "alloc")

    def _dies_into(self, a: Any, v: Value, i: int) -> bool:
        """``a`` can be overwritten by ``v`` at line ``i``: same shape and dtype, owned, and dead after ``i``."""
        if not isinstance(a, Value) or a.kind != "computed" or a.pinned:
            return False
        s = self.storage.get(a.number)
        if s is None or not s.owned or s.kind not in ("buffer", "local"):
            return False
        return (
            self.last.get(a.number) == i
            and a.number not in self.aliased
            and tuple(a.shape) == tuple(v.shape)
            and a.dtype == v.dtype
            and a.order == v.order
        )
