"""``ag.compile``: trace a function once per input signature, replay it as a flat numpy program.

The first call with new shapes, dtypes, grad mode or parameters runs the
function eagerly under a recorder (``trace.py``) and returns eager mode's
results; the recorded steps are lowered to numpy calls (``lower.py``),
given planned buffers (``plan.py``) and compiled to one Python function
(``program.py``). Later calls with the same key run that function. When the
recording shows something a replay could get wrong — Python reading a
tensor's value, an array made by code the recorder cannot see — the function
runs eagerly for that key instead, after one ``CompileWarning`` naming the
line.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _state
from ..apply import observing
from ..errors import AutogradError
from ..tensor import Tensor, wrap
from . import guards
from .ir import Step, Value
from .lower import Lowering
from .plan import Plan
from .program import Program, Retrace
from .trace import Break, Recorder
from .tune import tune_products


class CompileWarning(UserWarning):
    """A compiled function runs eagerly for some inputs (a graph break), or retraces too often.

    >>> import warnings
    >>> @ag.compile
    ... def double_if_positive(x):
    ...     if (x.sum() > 0).item():  # reads a value: this call cannot be replayed
    ...         return x * 2
    ...     return x
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y = double_if_positive(ag.tensor([1.0]))
    >>> y  # still computed, eagerly
    tensor([2.])
    >>> print(caught[0].category.__name__, caught[0].message)
    CompileWarning double_if_positive runs eagerly for these inputs: item() reads a tensor's values inside the compiled function ...
    """


class _Eager:
    """A cache entry for inputs the function runs eagerly on, and why."""

    def __init__(self, reason: str, keep: list) -> None:
        self.reason = reason
        self.keep = keep


class _Entry:
    """A cache entry: a program, how to rebuild the function's result from its outputs, and a lock."""

    def __init__(self, program: Program, spec: Any, keep: list) -> None:
        self.program = program
        self.spec = spec
        self.keep = keep
        self.lock = threading.Lock()

    def rebuild(self, outputs: tuple, leaves: list) -> Any:
        return _rebuild(self.spec, outputs, leaves)


class CompiledFunction:
    """``fn`` traced once per cache key and replayed as a numpy program (see ``compile``).

    ``program`` is the latest program (print it to read it), ``programs``
    every program in the cache, ``traces`` how many times ``fn`` was traced.

    >>> step = ag.compile(lambda x: (x * x).sum())
    >>> type(step).__name__
    'CompiledFunction'
    >>> step(ag.tensor([1.0, 2.0]))
    tensor(5.)
    >>> len(step.programs), step.traces
    (1, 1)
    >>> "multiply" in step.program.source  # the recorded numpy program (print it to read it)
    True
    >>> step.clear()  # forget the programs: the next call traces again
    >>> step.program is None
    True
    """

    def __init__(self, fn: Callable[..., Any], max_traces: int = 8) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = getattr(fn, "__name__", type(fn).__name__)
        self.max_traces = max_traces
        self.traces = 0
        self.program: Program | None = None
        self._cache: dict[Any, _Entry | _Eager] = {}
        self._readers = guards.watched_readers(fn)
        self._warned: set[Any] = set()
        self._provisional: dict[Any, list] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- calls
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _state.current().slow:  # inside another trace, forward mode, anomaly checks, op counting: inline
            return self.fn(*args, **kwargs)
        leaves: list = []
        keep: list = []  # objects keyed by identity: the cache entry holds them, so their ids stay theirs
        seen: dict[int, int] = {}
        key = (
            guards.argument_key(args, leaves, seen, keep),
            guards.argument_key(kwargs, leaves, seen, keep) if kwargs else None,
            guards.environment_key(),
            tuple(guards.describe(read(), keep) for read in self._readers),
        )
        entry = self._cache.get(key)
        if entry is None:
            return self._trace(key, args, kwargs, leaves, keep)
        if isinstance(entry, _Eager):
            return self.fn(*args, **kwargs)
        if not entry.lock.acquire(blocking=False):  # the same program running in another thread: its buffers are busy
            return self.fn(*args, **kwargs)
        try:
            outputs = entry.program.run(*leaves)
        except Retrace:  # raised by a guard at the top of the program, before it has done anything
            outputs = None
        finally:
            entry.lock.release()
        if outputs is None:
            self._cache.pop(key, None)
            return self._trace(key, args, kwargs, leaves, keep)
        self.program = entry.program
        return entry.rebuild(outputs, leaves)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return functools.partial(self, instance)

    @property
    def programs(self) -> list[Program]:
        """Every program in the cache."""
        return [e.program for e in self._cache.values() if isinstance(e, _Entry)]

    def clear(self) -> None:
        """Forget every program (the next call traces again)."""
        self._cache.clear()
        self.program = None

    def __repr__(self) -> str:
        return f"<compiled {getattr(self.fn, '__qualname__', self.fn)!r}: {len(self.programs)} program(s)>"

    # -------------------------------------------------------------- tracing
    def _trace(self, key: Any, args: tuple, kwargs: dict, leaves: list, keep: list) -> Any:
        if self.traces >= self.max_traces:
            self._warn(
                ("limit",),
                f"{self.name} was traced {self.traces} times (max_traces); new input signatures now run eagerly",
                None,
            )
            return self.fn(*args, **kwargs)
        self.traces += 1
        recorder = Recorder()
        for k, leaf in enumerate(leaves):
            recorder.add_input(leaf, k)
        watched = [read() for read in self._readers] + list(args) + list(kwargs.values())
        for t in guards.tensors_in(watched):
            recorder.watch(t)
        start, start_cpu = time.perf_counter(), time.process_time()
        with observing(recorder):
            result = self.fn(*args, **kwargs)
        traced, traced_cpu = time.perf_counter(), time.process_time()
        spec = None
        if recorder.broken is None:
            spec = recorder.output_spec(result)
        if recorder.broken is None:
            recorder.check_captured()
        if recorder.broken is not None:
            self._cache[key] = _Eager(recorder.broken.message(), keep)
            self._warn(
                (recorder.broken.reason, recorder.broken.site),
                f"{self.name} runs eagerly for these inputs: {recorder.broken.message()}",
                recorder.broken,
            )
            return result
        program = build(self.name, recorder, leaves, spec, input_names(self.fn, args, kwargs, leaves))
        program.trace_seconds, program.trace_cpu_seconds = traced - start, traced_cpu - start_cpu
        program.build_seconds = time.perf_counter() - traced
        program.build_cpu_seconds = time.process_time() - traced_cpu
        self.program = program
        if recorder.ambiguous_grads() and key not in self._provisional:
            # A .grad that was None when the trace began and got stored: the function may reset it
            # (p.grad = None) where the recorder cannot see, so the next call traces again, from the
            # state this call leaves, where such a reset shows.
            self._provisional[key] = keep
            return result
        self._provisional.pop(key, None)
        self._cache[key] = _Entry(program, spec, keep)
        return result

    def _warn(self, what: Any, message: str, found: Break | None) -> None:
        if what in self._warned:
            return
        self._warned.add(what)
        if found is not None and found.site[0]:
            warnings.warn_explicit(message, CompileWarning, found.site[0], found.site[1])
        else:
            warnings.warn(message, CompileWarning, stacklevel=4)


def compile(fn: Callable[..., Any] | None = None, *, max_traces: int = 8) -> Any:  # noqa: A001 - the public name
    """Trace ``fn`` once per input signature and replay it as a flat numpy program.

    ``step = ag.compile(fn)``; ``step(*args)``. The first call with given
    argument shapes and dtypes (and grad mode, and parameters) runs ``fn``
    eagerly while recording every primitive applied, the backward pass
    (``loss.backward()``, ``ag.grad``, ``ag.jacrev`` inside ``fn``), gradient
    resets, optimizer steps, dropout draws and batch-norm statistics; the
    record becomes one Python function of numpy calls writing into buffers
    planned once (reused across calls, in place where a value is dead).
    Later calls run that function: the same numbers as eager mode, bit for
    bit, without the per-operation work of Tensors and graph nodes.

    Python code that reads tensor values (``loss.item()``, ``if t > 0``,
    ``t.numpy()``) cannot be replayed: for those inputs ``fn`` runs eagerly,
    with one ``CompileWarning`` naming the line. Other Python side effects
    (appending to a list, a counter) happen at tracing only, as with
    ``jax.jit``. Gradients written by a compiled step live in buffers reused
    from call to call (as PyTorch's ``zero_grad(set_to_none=False)``).

    Compiled programs are numpy programs: they run on the host ('cpu'). A
    call that reaches a tensor on another device (an argument, a captured
    tensor, a model's parameter on 'cuda') raises ``DeviceError`` before
    anything runs; on a GPU call the function without ``ag.compile`` (the
    engine runs there eagerly, each primitive one CuPy kernel).

    ``step.program`` prints the recorded program; ``max_traces`` bounds the
    number of input signatures traced before new ones run eagerly.
    Usable as a decorator, with or without arguments.

    >>> @ag.compile
    ... def loss_of(x):
    ...     return (ag.tanh(x) * 2.0).sum()
    >>> x = ag.tensor([0.0, 1.0])
    >>> round(float(loss_of(x)), 6) == round(float((ag.tanh(x) * 2.0).sum()), 6)  # the numbers of eager mode
    True
    >>> round(float(loss_of(ag.tensor([2.0, 3.0]))), 4)  # same shapes: the recorded program is replayed
    3.9182
    >>> loss_of.traces
    1
    >>> _ = loss_of(ag.tensor([1.0, 2.0, 3.0]))  # a new shape is traced once more
    >>> loss_of.traces
    2
    """
    if fn is None:
        return functools.partial(compile, max_traces=max_traces)
    if isinstance(fn, CompiledFunction):
        return fn
    return CompiledFunction(fn, max_traces=max_traces)


# ---------------------------------------------------------------- building
def build(name: str, recorder: Recorder, leaves: list, spec: Any, input_names: list[str] | None = None) -> Program:
    """Lower, plan and compile the recorded steps."""
    values = recorder.values
    hints: dict[int, str] = {}
    steps = _prepare_gradients(recorder, leaves, hints)
    outputs = _output_values(spec)
    _copy_overwritten_grad_reads(steps, outputs)
    used = {v.number for v in outputs} | {a.number for step in steps for a in step.args if isinstance(a, Value)}
    lowering = Lowering(values)
    for step in steps:
        if step.op == "grad_read" and step.out.number not in used:
            continue  # nothing reads that .grad later
        lowering.lower(step)
    relied = tune_products(lowering, leaves)
    plan = Plan(lowering.instrs, outputs, lowering.threshold)
    hints.update(recorder.hints)
    hints.update(lowering.hints)
    names = input_names or [f"x{k}" for k in range(len(leaves))]
    signature = f"{name}(" + ", ".join(f"{n}: {_describe_leaf(leaf)}" for n, leaf in zip(names, leaves)) + ")"
    program = Program(
        _identifier(name), lowering.instrs, plan, recorder.inputs, outputs, leaves, signature, names, hints, relied
    )
    program.steps = len(recorder.steps)
    return program


def _copy_overwritten_grad_reads(steps: list[Step], outputs: list[Value]) -> None:
    """A ``.grad`` read that is still used after a later store to the same ``.grad`` becomes a copy.

    The program rewrites a parameter's gradient buffer in place where eager
    mode makes a new array, so an earlier read must keep its own values.
    """
    out_numbers = {v.number for v in outputs}
    for i, step in enumerate(steps):
        if step.op != "grad_read":
            continue
        t = step.info["tensor"]
        later = next(
            (j for j in range(i + 1, len(steps)) if steps[j].op == "store" and steps[j].info["tensor"] is t), None
        )
        if later is None:
            continue
        shared = {step.out.number}
        for other in steps[i + 1 :]:
            if other.out is not None and any(b.number in shared for b in other.out.bases):
                shared.add(other.out.number)
        used_after = any(
            isinstance(a, Value) and a.number in shared for other in steps[later + 1 :] for a in other.args
        )
        if used_after or shared & out_numbers:
            step.info["copy"] = True


def input_names(fn: Any, args: tuple, kwargs: dict, leaves: list) -> list[str]:
    """Names for the array arguments: the function's parameter names where an argument is one, else x0, x1, ..."""
    names = [f"x{k}" for k in range(len(leaves))]
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return names
    position = {id(leaf): k for k, leaf in enumerate(leaves)}
    for param, value in bound.arguments.items():
        k = position.get(id(value))
        if k is not None and names[k] == f"x{k}":
            names[k] = param
    return names


def _describe_leaf(leaf: Any) -> str:
    data = leaf.data if isinstance(leaf, Tensor) else leaf
    v = Value(0, "input", data.shape, data.dtype)
    return ("Tensor " if isinstance(leaf, Tensor) else "array ") + v.describe()


def _identifier(name: str) -> str:
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "program"
    return text if not text[0].isdigit() else "_" + text


def _prepare_gradients(recorder: Recorder, leaves: list, hints: dict[int, str]) -> list[Step]:
    """Decide each ``.grad`` write: a reused buffer (parameters), a fresh array (inputs), or none (internal)."""
    captured = {id(v.source) for v in recorder.values if v.kind == "captured" and v.source is not None}
    inputs = {id(leaf): k for k, leaf in enumerate(leaves) if isinstance(leaf, Tensor)}
    grads: dict[int, tuple[Value, Tensor]] = {}
    known_none: set[int] = set()
    steps = []
    for step in recorder.steps:
        if step.op in ("store", "reset"):
            t = step.info["tensor"]
            key = id(t)
            persistent = key in captured or key in recorder.watched or key in inputs
            if not persistent:
                continue  # a tensor made inside the function: its .grad is only reachable through the outputs
            if step.op == "reset":
                known_none.add(key)
                steps.append(step)
                continue
            if key in inputs:
                step.info.update(static=False, grad=None, grad_tensor=None, fresh_input=True)
                steps.append(step)
                known_none.discard(key)
                continue
            if key not in grads:
                current = t.grad.data if t.grad is not None else np.zeros(t.data.shape, t.data.dtype)
                gt = wrap(np.array(current, dtype=t.data.dtype))
                g = Value(len(recorder.values), "grad", gt.data.shape, gt.data.dtype, source=gt.data)
                recorder.values.append(g)
                stem = t.name or f"p{len(grads)}"
                hints[id(gt)], hints[id(gt.data)] = stem + "_grad_tensor", stem + "_grad"
                grads[key] = (g, gt)
                if t.grad is not None:
                    t.grad = gt  # the state a replay continues from
            g, gt = grads[key]
            step.info.update(static=key in known_none, grad=g, grad_tensor=gt, fresh_input=False)
            known_none.discard(key)
            steps.append(step)
            continue
        if step.op == "optimizer":
            opt = step.info["optimizer"]
            fused = getattr(opt, "fused_step", None)
            step.info["fused"] = fused() if fused is not None else opt.step
        steps.append(step)
    return steps


def _output_values(spec: Any) -> list[Value]:
    found: list[Value] = []

    def walk(s: Any) -> None:
        kind = s[0]
        if kind in ("value", "array"):
            s[2] = len(found)
            found.append(s[1])
        elif kind in ("tuple", "list"):
            for x in s[1]:
                walk(x)
        elif kind == "dict":
            for x in s[1].values():
                walk(x)

    walk(spec)
    return found


def _rebuild(spec: Any, outputs: tuple, leaves: list) -> Any:
    kind = spec[0]
    if kind == "value":
        return wrap(outputs[spec[2]])
    if kind == "array":
        return outputs[spec[2]]
    if kind == "input":
        return leaves[spec[1]]
    if kind == "object" or kind == "static":
        return spec[1]
    if kind == "grad":
        return spec[1].grad
    if kind == "input_grad":
        return leaves[spec[1]].grad
    if kind == "tuple":
        return tuple(_rebuild(s, outputs, leaves) for s in spec[1])
    if kind == "list":
        return [_rebuild(s, outputs, leaves) for s in spec[1]]
    if kind == "dict":
        return {k: _rebuild(s, outputs, leaves) for k, s in spec[1].items()}
    raise AutogradError(f"compile: unknown output kind {kind!r} (a bug in the compiler)")
