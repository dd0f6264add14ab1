"""A compiled program: Python source with one numpy call per line, its buffers, and how to run it.

The source is generated from the planned lines and compiled once; running it
is a plain Python function call whose body is straight-line numpy calls on
arrays — no Tensor, no Node, no dispatch. ``str(program)`` is the listing:
each line with the buffers it reads and writes, the shape and dtype it
produces and what it computes.
"""

from __future__ import annotations

import builtins
import keyword
import math
from typing import Any

import numpy as np

from ..errors import AutogradError
from ..tensor import Tensor
from .ir import Value
from .lower import Instr, _TupleOf
from .plan import Plan


class Retrace(Exception):
    """A guard of the program failed at the start of a call: trace again."""


_PLAIN_LITERALS = (bool, int, str, type(None))


class Source:
    """Builds the program's text and the namespace it runs in."""

    def __init__(self, plan: Plan, leaves: list, input_names: list[str], hints: dict[int, str]) -> None:
        self.plan = plan
        self.inputs = {id(leaf): k for k, leaf in enumerate(leaves) if isinstance(leaf, Tensor)}
        self.namespace: dict[str, Any] = {"Retrace": Retrace, "array": np.array}
        self.by_id: dict[int, str] = {id(np.array): "array"}
        self.prologue: list[str] = []  # reading the parameters' arrays
        self.guards: list[str] = []  # checking them
        self.captured: dict[int, str] = {}
        self.hints = hints
        self.contiguous: set[int] = set()  # captured Values a tuned matrix product relies on being row-major
        self.taken: set[str] = {f"X{k}" for k in range(len(leaves))} | {f"t{k}" for k in range(plan.locals)}
        self.input_names = [self.identifier(n) for n in input_names]

    def identifier(self, stem: str) -> str:
        """A fresh identifier made from ``stem``, used neither as a local nor in the namespace."""
        stem = "".join(c if c.isalnum() or c == "_" else "_" for c in stem) or "k"
        if stem[0].isdigit() or keyword.iskeyword(stem) or stem in dir(builtins):
            stem = "_" + stem
        name, n = stem, 0
        while name in self.taken or name in self.namespace:
            n += 1
            name = f"{stem}_{n}"
        self.taken.add(name)
        return name

    # --------------------------------------------------------- naming
    def bind(self, obj: Any, stem: str) -> str:
        """A namespace name for ``obj`` (the same name for the same object)."""
        name = self.by_id.get(id(obj))
        if name is not None:
            return name
        name = self.identifier(self.hints.get(id(obj), stem))
        self.namespace[name] = obj
        self.by_id[id(obj)] = name
        return name

    def value(self, v: Value) -> str:
        """The expression naming ``v``'s array."""
        s = self.plan.storage.get(v.number)
        if s is not None:
            if s.kind == "buffer":
                return self.buffer(s.index, v)
            if s.kind == "local":
                return f"t{s.index}"
            if s.kind == "grad":
                return self.value(s.index)
        if v.kind == "input":
            return self.input_names[v.source]
        if v.kind == "captured":
            return self.captured_name(v)
        if v.kind == "const":
            return self.bind(v.source, f"k{v.number}")
        if v.kind == "grad":
            return self.bind(v.source, f"grad{v.number}")
        raise AutogradError(f"compile: value {v} has no storage (a bug in the compiler)")

    def captured_name(self, v: Value) -> str:
        name = self.captured.get(v.number)
        if name is None:
            t = v.source
            stem = t.name or f"p{len(self.captured)}"
            tensor = self.bind(t, stem + "_tensor")
            name = self.identifier(stem)
            self.captured[v.number] = name
            self.prologue.append(f"    {name} = {tensor}.data")
            layout = f" or not {name}.flags.c_contiguous" if v.number in self.contiguous else ""
            self.guards.append(
                f"    if {name}.shape != {tuple(v.shape)!r} or {name}.dtype != {self.dtype(v.dtype)}"
                f" or {tensor}.requires_grad is not {bool(t.requires_grad)}{layout}: raise Retrace"
            )
        return name

    def buffer(self, index: int, v: Value) -> str:
        """The name of buffer ``index`` seen with ``v``'s shape (a view made once, when the program is built)."""
        base = f"b{index}"
        arr = self.namespace.get(base)
        if arr is None:
            dtype, nbytes = self.plan.buffers[index]
            arr = np.empty(nbytes // dtype.itemsize, dtype)
            self.namespace[base] = arr
        shape = tuple(v.shape)
        name = f"b{index}_" + "x".join(map(str, shape)) if shape else f"b{index}_0d"
        if v.order == "F" and len(shape) > 1:
            name += "_F"  # column-major: the transpose of a row-major array of the reversed shape
            if name not in self.namespace:
                self.namespace[name] = arr.reshape(shape[::-1]).T
            return name
        if name not in self.namespace:
            self.namespace[name] = arr.reshape(shape)
        return name

    def dtype(self, dtype: Any) -> str:
        dt = np.dtype(dtype)
        return self.bind(dt, dt.name)

    def literal(self, x: Any) -> str:
        """Source text for a plain argument: a literal when exact, else a bound name."""
        if isinstance(x, Value):
            return self.value(x)
        if isinstance(x, _TupleOf):
            return "(" + "".join(self.literal(a) + ", " for a in x) + ")"
        if isinstance(x, float) and math.isfinite(x):
            return repr(x)
        if isinstance(x, _PLAIN_LITERALS):
            return repr(x)
        if isinstance(x, tuple) and all(isinstance(a, _PLAIN_LITERALS) for a in x):
            return repr(x)
        if isinstance(x, np.dtype):
            return self.dtype(x)
        if isinstance(x, Tensor):
            k = self.inputs.get(id(x))
            return f"X{k}" if k is not None else self.bind(x, (x.name or "p") + "_tensor")
        return self.bind(x, type(x).__name__.lower())

    def function(self, ins: Instr) -> str:
        name = ins.name.replace(".", "_")
        known = self.namespace.get(name)
        if known is not None and known is not ins.fn and _same_callable(known, ins.fn):
            return name  # ``np.add.reduce`` is a new method object at every access
        return self.bind(ins.fn, name)

    # ---------------------------------------------------------- lines
    def line(self, ins: Instr) -> str:
        """The source line of one instruction (without indentation)."""
        args = [self.literal(a) for a in ins.args]
        args += [self.literal(s) for s in ins.scratch]
        args += [f"{k}={self.literal(v)}" for k, v in ins.kwargs.items()]
        if ins.mode == "code":
            text = ins.template.format(*args)
            return f"{self.value(ins.out)} = {text}" if ins.out is not None else text
        if ins.mode == "view" and ins.template:
            return f"{self.value(ins.out)} = " + ins.template.format(*args)
        call = f"{self.function(ins)}({', '.join(args)}"
        if ins.out is None:
            return call + ")"
        target = self.value(ins.out)
        s = self.plan.storage[ins.out.number]
        if ins.mode in ("ufunc", "out") and (s.kind in ("buffer", "grad") or self._inplace_local(ins)):
            return call + (", " if args else "") + f"out={target})"
        return f"{target} = {call})"

    def _inplace_local(self, ins: Instr) -> bool:
        s = self.plan.storage[ins.out.number]
        return any(
            isinstance(a, Value)
            and self.plan.storage.get(a.number) is not None
            and self.plan.storage[a.number].kind == "local"
            and self.plan.storage[a.number].index == s.index
            for a in ins.args
        )


def _same_callable(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an object whose == is not a plain comparison
        return False


def describe_line(ins: Instr) -> str:
    """The comment of a line: what it computes and the shape it produces."""
    parts = []
    if ins.comment:
        parts.append(ins.comment)
    if ins.out is not None:
        parts.append(ins.out.describe())
    return "  # " + " · ".join(parts) if parts else ""


class Program:
    """One recorded program: its source, its run function and what it holds.

    ``str(program)`` lists it, one numpy call per line with the buffers it
    reads and writes. ``run(*arrays)`` executes it on the input arrays and
    returns the output arrays.
    """

    def __init__(
        self,
        name: str,
        instrs: list[Instr],
        plan: Plan,
        inputs: list[Value],
        outputs: list[Value],
        leaves: list,
        signature: str,
        input_names: list[str] | None = None,
        hints: dict[int, str] | None = None,
        contiguous: list[Value] = (),
    ) -> None:
        src = Source(plan, leaves, input_names or [f"x{k}" for k in range(len(leaves))], hints or {})
        src.contiguous = {v.number for v in contiguous}
        body: list[str] = []
        calls = 0
        for i, ins in enumerate(instrs):
            if i in plan.skipped:
                continue
            text = src.line(ins)
            body.append(f"    {text}{describe_line(ins)}")
            if ins.mode not in ("view", "code"):
                calls += 1
        returns = []
        for v in outputs:
            s = plan.storage.get(v.number)
            text = src.value(v)
            returns.append(text if s is not None and s.kind == "local" and s.owned else f"array({text})")
        head = [f"def {name}({', '.join(f'X{k}' for k in range(len(leaves)))}):"]
        head += [
            f"    {src.input_names[k]} = X{k}.data" if isinstance(leaf, Tensor) else f"    {src.input_names[k]} = X{k}"
            for k, leaf in enumerate(leaves)
        ]
        grad_tensors = {id(v.source): v for v in plan.values.values() if v.kind == "grad"}
        guarded: set[str] = set()
        for ins in instrs:
            for a in ins.args:
                if isinstance(a, Tensor) and id(a.data) in grad_tensors:
                    tensor = src.literal(a)
                    if tensor not in guarded:  # the reused .grad Tensor must still hold the planned buffer
                        guarded.add(tensor)
                        src.guards.append(
                            f"    if {tensor}.data is not {src.value(grad_tensors[id(a.data)])}: raise Retrace"
                        )
        tail = [f"    return ({''.join(r + ', ' for r in returns)})"]
        self.source = "\n".join(head + src.prologue + src.guards + body + tail) + "\n"
        self.namespace = src.namespace
        code = compile(self.source, f"<compiled {name}>", "exec")
        exec(code, self.namespace)
        self.run = self.namespace[name]
        self.name = name
        self.signature = signature
        self.calls = calls
        self.buffer_bytes = sum(nbytes for _, nbytes in plan.buffers)
        self.buffers = len(plan.buffers)
        #: Wall and CPU seconds of the tracing call (the function run eagerly under the recorder) and of the build.
        self.trace_seconds = self.trace_cpu_seconds = 0.0
        self.build_seconds = self.build_cpu_seconds = 0.0
        self.steps = 0

    def __str__(self) -> str:
        header = (
            f"# {self.signature}\n"
            f"# {self.calls} numpy calls, {self.buffers} planned buffers ({_size(self.buffer_bytes)}), "
            f"traced from {self.steps} recorded steps in {self.trace_seconds * 1e3:.1f} ms "
            f"(+{self.build_seconds * 1e3:.1f} ms to plan and build)\n"
        )
        lines, guards = [], 0
        for line in self.source.splitlines():
            if line.endswith(": raise Retrace"):
                guards += 1
                continue
            if guards:
                lines.append(
                    f"    # ... {guards} guards: parameters' shapes, dtypes, requires_grad (layouts), gradient buffers"
                )
                guards = 0
            lines.append(line)
        return header + "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return f"<Program {self.name}: {self.calls} numpy calls, {self.buffers} buffers>"


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
