"""Recording one eager run of a function as a list of steps (``ir.Step``) over arrays (``ir.Value``).

The function runs eagerly while the ``Recorder`` watches, so the tracing call
gives exactly eager mode's results. The recorder is an apply observer (every
primitive applied), a backward observer (every VJP rule run, every gradient
summed, every ``.grad`` written, inside ``backward()`` or ``ag.grad``), and
hears the events Tensor methods and library code report (values read,
arrays made from data, in-place writes, gradient resets, optimizer steps,
recordable functions). Arrays are known by identity while the trace runs.

Anything whose replay could differ from eager mode — a tensor's value read by
Python (``item()``, ``bool(t)``, ``numpy()``), an array made inside the
function by numpy code the recorder cannot see, a write it cannot replay, a
hook, a graph that escapes the function — *breaks* the trace: the function
then runs eagerly for those inputs, with one warning naming the user's line.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .. import _state
from ..apply import ApplyObserver
from ..backward import Observer
from ..modes import enable_grad
from ..tensor import Tensor
from . import sites
from .ir import Step, Value

PLAIN = (bool, int, float, complex, str, type(None))


class Break(Exception):
    """Why a function cannot be compiled for these inputs, and the user's line where that showed."""

    def __init__(self, reason: str, site: tuple[str, int, str]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.site = site

    def message(self) -> str:
        """The sentence the warning shows."""
        return f"{self.reason}, at {sites.describe(self.site)}"


class _Pass:
    """What the recorder tracks during one backward pass."""

    __slots__ = ("accumulate", "pending", "checked", "current")

    def __init__(self, accumulate: bool) -> None:
        self.accumulate = accumulate
        #: id(tensor) → the Value of its gradient so far (an unbound sum until its array shows up).
        self.pending: dict[int, Value] = {}
        #: ids of leaves whose ``.grad`` was checked in this pass.
        self.checked: set[int] = set()
        self.current: tuple[Tensor, Value] | None = None


class Recorder(ApplyObserver, Observer):
    """Turns one eager run into ``steps``; ``broken`` holds the first ``Break`` (then it stops recording)."""

    records_programs = True
    watches_backward = True

    def __init__(self) -> None:
        self.values: list[Value] = []
        self.steps: list[Step] = []
        self.by_id: dict[int, Value] = {}
        self.arrays: dict[int, Any] = {}  # Value number → its array at tracing (kept alive: ids stay unique)
        self.by_owner: dict[int, list[Value]] = {}
        self.unbound: dict[int, Value] = {}  # Value number → a sum whose array is not seen yet
        self.paused = 0
        self.broken: Break | None = None
        self.expect_write: Tensor | None = None
        self.grad_expect: dict[int, Any] = {}  # id(tensor) → the .grad object it should hold
        self.tensors: dict[int, Tensor] = {}  # id → Tensors whose .grad the program writes or checks
        self.snapshots: dict[int, tuple[Value, Any, np.ndarray]] = {}  # captured tensors: (Value, array, copy)
        self.written: set[int] = set()  # ids of captured tensors written by recorded steps
        self.pass_: _Pass | None = None
        self.first_use: dict[int, tuple[str, int, str]] = {}  # Value number → user's line of its first use
        self.inputs: list[Value] = []
        self.input_tensors: dict[int, int] = {}  # id(Tensor argument) → its position among the inputs
        self.watched: set[int] = set()  # ids of tensors reachable from the arguments, closure and globals
        self.initial_grads: dict[int, Any] = {}  # id(tensor) → its .grad when first seen
        self.hints: dict[int, str] = {}  # id(constant) → the name program listings give it

    # ------------------------------------------------------------ inputs
    def add_input(self, leaf: Any, k: int) -> None:
        """The ``k``-th Tensor or array argument."""
        data = leaf.data if isinstance(leaf, Tensor) else leaf
        v = self._new("input", data, source=k)
        self.inputs.append(v)
        if isinstance(leaf, Tensor):
            self.input_tensors[id(leaf)] = k

    def ambiguous_grads(self) -> bool:
        """Whether a ``.grad`` None at the start was stored without a recorded reset (see ``CompiledFunction``)."""
        reset: set[int] = set()
        for step in self.steps:
            if step.op == "reset":
                reset.add(id(step.info["tensor"]))
            elif step.op == "store" and id(step.info["tensor"]) not in reset:
                t = step.info["tensor"]
                if self.initial_grads.get(id(t), False) is None and self._persistent(t):
                    return True
        return False

    def watch(self, t: Tensor) -> None:
        """A tensor the function can reach from outside (a parameter): its ``.grad`` is tracked from the start."""
        self.watched.add(id(t))
        self.watch_grad(t)

    # ------------------------------------------------------------ breaking
    def fail(self, reason: str) -> None:
        """Stop recording: the function will run eagerly for these inputs."""
        if self.broken is None:
            self.broken = Break(reason, sites.user_site(3))
            self.paused += 1  # nothing after the break is recorded

    # ----------------------------------------------------------- values
    def _new(self, kind: str, array: Any, source: Any = None) -> Value:
        v = Value(len(self.values), kind, np.shape(array), getattr(array, "dtype", np.asarray(array).dtype), source)
        self.values.append(v)
        if isinstance(array, np.ndarray):
            self.by_id[id(array)] = v
            owner = array.base if isinstance(array.base, np.ndarray) else array
            self.by_owner.setdefault(id(owner), []).append(v)
            if kind != "const":
                self.arrays[v.number] = array
        return v

    def computed(self, array: Any, operands: tuple = ()) -> Value:
        """A new Value for ``array`` produced by a step; ``operands``: Values whose memory it may share."""
        known = self.by_id.get(id(array)) if isinstance(array, np.ndarray) else None
        if known is not None:
            return known
        v = self._new("computed", array)
        if not isinstance(array, np.ndarray):
            self.arrays[v.number] = array  # a numpy scalar a rule returned: kept, so its id stays unique
        else:
            v.bases = tuple(o for o in operands if isinstance(o, Value) and self._may_share(o, array))
        return v

    def _may_share(self, v: Value, array: np.ndarray) -> bool:
        other = self.array_of(v)
        return isinstance(other, np.ndarray) and np.may_share_memory(other, array)

    def array_of(self, v: Value) -> Any:
        """The array ``v`` held at tracing."""
        if v.kind == "captured":
            return v.source.data if v.source is not None else None
        if v.kind == "const":
            return v.source
        return self.arrays.get(v.number)

    def frozen(self, array: np.ndarray) -> Value:
        """A constant the program owns (a copy of ``array``, which the program never writes)."""
        copy = np.array(array)
        copy.flags.writeable = False
        v = self._new("const", copy, source=copy)
        v.pinned = True
        self.by_id[id(array)] = v
        self.arrays[v.number] = array
        return v

    def array_value(self, a: np.ndarray) -> Value:
        """The Value of an array met as an operand: computed, a view of one that is, or a constant."""
        v = self.by_id.get(id(a))
        if v is not None:
            return v
        v = self._view_of_known(a)
        if v is not None:
            return v
        v = self._new("const", a, source=a)
        self.first_use[v.number] = sites.user_site(3)
        return v

    def tensor_value(self, t: Tensor) -> Value:
        """The Value of a Tensor met as an operand; a Tensor the program does not compute is captured."""
        v = self.by_id.get(id(t.data))
        if v is not None:
            return v
        v = self._view_of_known(t.data)
        if v is not None:
            return v
        v = self._new("captured", t.data, source=t)
        self.first_use[v.number] = sites.user_site(3)
        self.arrays[v.number] = t.data
        self.snapshots[id(t)] = (v, t.data, np.array(t.data))
        self.watch_grad(t)
        return v

    def _view_of_known(self, a: np.ndarray) -> Value | None:
        """``a`` as a view into the memory of a known, C-contiguous array (recorded as a view step)."""
        owner = a.base
        if not isinstance(owner, np.ndarray):
            return None
        start = a.__array_interface__["data"][0]
        for v in self.by_owner.get(id(owner), ()):
            b = self.array_of(v)
            if not isinstance(b, np.ndarray) or not b.flags.c_contiguous:
                continue
            base = b.__array_interface__["data"][0]
            lo, hi = _byte_bounds(a)
            if lo >= base and hi <= base + b.nbytes:
                out = self._new("computed", a)
                out.bases = (v,)
                self.steps.append(Step("view", (v,), out, strides=a.strides, offset=start - base))
                return out
        return None

    def operand(self, x: Any) -> Any:
        """What a step reads for ``x``: a Value for arrays and Tensors, the object itself for plain values."""
        if isinstance(x, Tensor):
            return self.tensor_value(x)
        if isinstance(x, np.ndarray):
            return self.array_value(x)
        if isinstance(x, np.generic):
            return x
        if isinstance(x, PLAIN) or isinstance(x, (np.dtype, type)):
            return x
        if isinstance(x, (tuple, list)):
            if _holds_arrays(x):
                self.fail(f"a {type(x).__name__} holding arrays or Tensors is passed where the compiler needs each one")
            return x
        return x  # an object passed through (a module, a generator): the same object at every replay

    # --------------------------------------------------------- gradients
    def watch_grad(self, t: Tensor) -> None:
        """Remember what ``t.grad`` holds now, to notice changes made by code the recorder cannot see."""
        if id(t) not in self.grad_expect:
            self.grad_expect[id(t)] = t.grad
            self.initial_grads[id(t)] = t.grad
            self.tensors[id(t)] = t

    def check_grad(self, t: Tensor) -> None:
        """Before a step reads or writes ``t.grad``: was it changed unseen? A reset is recorded, anything else breaks."""
        key = id(t)
        if key not in self.grad_expect:
            self.watch_grad(t)
            return
        expected = self.grad_expect[key]
        if t.grad is expected:
            return
        if t.grad is None:
            self.steps.append(Step("reset", (), tensor=t))
            self.grad_expect[key] = None
            return
        self.fail("a tensor's .grad was replaced by code the compiler cannot record")

    # ------------------------------------------------------- primitives
    def applied(self, prim: Any, inputs: tuple, arrays: Any, params: dict, out: Tensor) -> None:
        """A primitive was applied: one "apply" step (and "cast" steps for operands numpy promotion changed)."""
        if self.paused:
            return
        if _state.current().fwd_levels:
            self.fail("forward-mode differentiation (jvp, jacfwd, hessian) inside a compiled function is not supported")
            return
        originals = tuple(self.operand(x) for x in inputs)
        used = []
        for x, a, v in zip(inputs, arrays, originals):
            source = x.data if isinstance(x, Tensor) else x
            if isinstance(v, Value) and a is not source:
                cast = self.computed(a)
                self.steps.append(Step("cast", (v,), cast, dtype=a.dtype))
                v = cast
            used.append(v)
        if _holds_arrays(params):
            self._check_param_arrays(prim, params)
        result = self.computed(out.data, tuple(used))
        if result in used:  # the primitive returned an operand itself (identity)
            return
        self.steps.append(Step("apply", tuple(used), result, prim=prim, params=params, originals=originals))

    def _check_param_arrays(self, prim: Any, params: dict) -> None:
        for a in _arrays_in(params):
            v = self.by_id.get(id(a))
            if v is not None or isinstance(a.base, np.ndarray) and id(a.base) in self.by_owner:
                self.fail(
                    f"{prim.name}: an index array computed inside the compiled function (from tensor values) "
                    "would be frozen; index with a constant array, or use cross_entropy / take_along_axis outside"
                )
                return
            self.array_value(a)  # a constant: checked for freshness at the end

    # ---------------------------------------------------------- backward
    def begin(self, roots: Any, seeds: Any, accumulate: bool) -> None:
        """A backward pass starts: its seeds become constants (ones, or one-hot rows from jacrev)."""
        if self.paused:
            return
        self.pass_ = _Pass(accumulate)
        for root, seed in zip(roots, seeds):
            if isinstance(seed, Tensor):
                self.fail(
                    "a backward pass that records its own graph (create_graph=True, or ag.grad/jacrev of a function "
                    "of parameters while grad mode is on) cannot be compiled yet; call the compiled function under "
                    "ag.no_grad()"
                )
                return
            if id(seed) not in self.by_id and not self._is_constant_seed(seed):
                self.fail("backward(gradient=...) with a seed computed inside the function cannot be compiled")
                return
            if id(seed) not in self.by_id:
                self.hints[id(self.frozen(seed).source)] = "seed"
            if root._node is None and accumulate:
                self.check_grad(root)
                self.pass_.checked.add(id(root))

    @staticmethod
    def _is_constant_seed(seed: Any) -> bool:
        seed = np.asarray(seed)
        if seed.size == 0 or np.all(seed == 1):
            return True
        rows = seed.reshape(seed.shape[0], -1) if seed.ndim else seed.reshape(1, 1)
        return bool(np.all((rows == 0) | (rows == 1)) and np.all(rows.sum(axis=1) == 1))

    def gradient_value(self, t: Tensor, g: Any) -> Value | None:
        """The Value of ``t``'s gradient ``g``: known, or the pending sum it completes."""
        v = self.by_id.get(id(g))
        if v is not None:
            return v
        pending = self.pass_.pending.get(id(t)) if self.pass_ is not None else None
        if pending is not None and pending.number in self.unbound:
            del self.unbound[pending.number]
            self.by_id[id(g)] = pending
            self.arrays[pending.number] = g
            owner = g.base if isinstance(g.base, np.ndarray) else g
            self.by_owner.setdefault(id(owner), []).append(pending)
            return pending
        self.fail("a gradient was changed by code the compiler cannot record (a hook?)")
        return None

    def node(self, t: Tensor, g: Any) -> None:
        """``t``'s gradient is complete: remember it for the edges that follow."""
        if self.paused:
            return
        if t._hooks:
            self.fail("tensor hooks (register_hook) inside a compiled function are not supported")
            return
        gv = self.gradient_value(t, g)
        if gv is not None:
            self.pass_.current = (t, gv)

    def edge(self, t: Tensor, index: int, x: Tensor, raw: Any, g: Any) -> None:
        """A VJP rule ran: a "vjp" step, and a "deliver" step where the result was summed or cast to ``x``."""
        if self.paused:
            return
        _, gv = self.pass_.current
        node = t._node
        operands = tuple(self.operand(a) for a in node.inputs)
        ans = self.tensor_value(t)
        raw_v = self.by_id.get(id(raw)) if isinstance(raw, np.ndarray) else None
        if raw_v is None:
            raw_v = self.computed(raw, (gv, ans) + operands)
            self.steps.append(Step("vjp", (gv, ans) + operands, raw_v, prim=node.op, index=index, params=node.params))
        gx_v = raw_v
        if g is not raw:
            gx_v = self.computed(g, (raw_v,))
            batch = g.shape[: g.ndim - x.ndim]
            self.steps.append(Step("deliver", (raw_v,), gx_v, shape=x.shape, batch=batch, dtype=x.dtype))
        pass_ = self.pass_
        if id(x) not in pass_.pending:
            pass_.pending[id(x)] = gx_v
        if x._node is None and pass_.accumulate and id(x) not in pass_.checked:
            pass_.checked.add(id(x))
            self.check_grad(x)

    def accumulate(self, x: Tensor, before: Any, added: Any) -> None:
        """A second contribution to ``x``'s gradient: an "accumulate" step, whose sum shows up later."""
        if self.paused:
            return
        bv = self.gradient_value(x, before)
        av = self.by_id.get(id(added))
        if bv is None or av is None:
            self.fail("a gradient was changed by code the compiler cannot record")
            return
        total = Value(len(self.values), "computed", bv.shape, bv.dtype)
        self.values.append(total)
        self.unbound[total.number] = total
        self.pass_.pending[id(x)] = total
        self.steps.append(Step("accumulate", (bv, av), total))

    def leaf(self, t: Tensor, g: Any) -> None:
        """A leaf's gradient is complete; with ``accumulate`` it was just stored in ``t.grad``."""
        if self.paused:
            return
        if t._hooks:
            self.fail("tensor hooks (register_hook) inside a compiled function are not supported")
            return
        gv = self.gradient_value(t, g)
        if gv is None or not self.pass_.accumulate:
            return
        if t._retain:
            self.fail("retain_grad() inside a compiled function is not supported")
            return
        before = self.grad_expect.get(id(t))
        self.steps.append(Step("store", (gv,), tensor=t, fresh=before is None))
        self.tensors[id(t)] = t
        self.grad_expect[id(t)] = t.grad
        if self._persistent(t):
            # later reads of t.grad (clipping, the user's code) read the array the replay stores, not g
            data = t.grad.data
            read = Value(len(self.values), "computed", data.shape, data.dtype)
            self.values.append(read)
            self.by_id[id(data)] = read
            self.arrays[read.number] = data
            self.steps.append(Step("grad_read", (), read, tensor=t))

    def _persistent(self, t: Tensor) -> bool:
        """A tensor that outlives the call: an argument, a parameter the function reads, or one it can reach."""
        if id(t) in self.input_tensors or id(t) in self.watched:
            return True
        v = self.by_id.get(id(t.data))
        return v is not None and v.kind == "captured" and v.source is t

    # ------------------------------------------------------ tensor events
    def tensor_event(self, event: str, *details: Any) -> None:
        """Events reported by Tensor methods (``tensor.observed``)."""
        if self.paused:
            return
        getattr(self, "on_" + event)(*details)

    def on_read(self, t: Tensor, how: str) -> None:
        """Python reads a tensor's values: the code after it may depend on them."""
        self.fail(f"{how} reads a tensor's values inside the compiled function (the code after it may depend on them)")

    def on_made(self, source: Any, array: np.ndarray) -> None:
        """``to_array`` made ``array`` from ``source``: a "copy" step (from the live source at each replay)."""
        data = source.data if isinstance(source, Tensor) else source
        if isinstance(data, np.ndarray):
            src = self.array_value(data)
        elif _holds_arrays(data) or isinstance(data, Tensor):
            self.fail("a Tensor made from a list holding arrays or Tensors cannot be recorded")
            return
        else:
            src = self.frozen(array)
            del self.by_id[id(array)]
        out = self.computed(array)
        self.steps.append(Step("copy", (src,), out, dtype=array.dtype))

    def on_inplace(self, t: Tensor, what: str, fn: Any, other: Any, index: Any = None) -> None:
        """A Tensor method wrote ``t`` in place: an "inplace" step calling the same function."""
        if index is not None and _holds_arrays(index):
            self.fail(f"{what} with an index array cannot be recorded (the index may depend on tensor values)")
            return
        target = self.tensor_value(t)
        other_ref = self.operand(other)
        target.pinned = True
        self.steps.append(Step("inplace", (target, other_ref), fn=fn, what=what))
        self.written.add(id(t))
        self.expect_write = t

    def on_written(self, t: Tensor) -> None:
        """``t`` was marked written: fine right after a recorded write, a break otherwise."""
        if self.expect_write is t:
            self.expect_write = None
            return
        if any(getattr(x, "grad", None) is t for x in self.tensors.values()):
            return  # a gradient written by a recorded step (accumulation, clipping): its version bump is bookkeeping
        self.fail("an in-place write the compiler cannot record changes a tensor")

    def on_grad_reset(self, t: Tensor) -> None:
        """``t.zero_grad()`` (also from ``Optimizer.zero_grad``, ``Module.zero_grad``): a "reset" step."""
        self.steps.append(Step("reset", (), tensor=t))
        self.tensors[id(t)] = t
        self.grad_expect[id(t)] = None

    def on_numpy(self, fn: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
        """A non-differentiable numpy function (a comparison, argmax) ran on tensors: a "numpy" step."""
        if _holds_arrays(kwargs):
            self.fail(f"{getattr(fn, '__name__', fn)}: array keyword arguments cannot be recorded")
            return
        refs = tuple(self.operand(a) for a in args)
        result = self.computed(out.data, refs)
        self.steps.append(Step("numpy", refs, result, fn=fn, kwargs=kwargs))

    # ---------------------------------------------- library-declared steps
    def record_call(self, fn: Any, args: tuple, kwargs: dict, workspace: bool) -> Any:
        """A ``recordable`` function: run it now (on arrays) and record it as one "call" step."""
        if _holds_arrays(kwargs):
            self.fail(f"{fn.__name__}: pass arrays and Tensors positionally to a recordable function")
        refs = tuple(self.operand(a) for a in args)
        for r in refs:
            if isinstance(r, Value):
                r.pinned = True  # the function may write it (clipping gradients) or hand it on
        ws: dict | None = {} if workspace else None
        extra = {"workspace": ws} if workspace else {}
        self.paused += 1
        try:
            result = fn(*[a.data if isinstance(a, Tensor) else a for a in args], **kwargs, **extra)
        finally:
            self.paused -= 1
        out = None
        if isinstance(result, np.ndarray):
            out = self.computed(result)
            out.pinned = True
        elif result is not None:
            self.fail(
                f"{fn.__name__} returned a {type(result).__name__}; a recordable function returns None or an array"
            )
        self.steps.append(Step("call", refs, out, fn=fn, kwargs=kwargs, workspace=ws))
        return result

    def optimizer_step(self, optimizer: Any, closure: Any) -> Any:
        """``optimizer.step()``: run it now and record it as one fused "optimizer" step."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
            if self.paused:
                optimizer.step()
                return loss
        params = [p for group in optimizer.param_groups for p in group["params"]]
        for p in params:
            self.check_grad(p)
        self.paused += 1
        try:
            optimizer.step()
        finally:
            self.paused -= 1
        for p in params:
            self.written.add(id(p))
            self.grad_expect[id(p)] = p.grad
        self.steps.append(Step("optimizer", (), optimizer=optimizer))
        return loss

    # ------------------------------------------------------------ ending
    def output_spec(self, result: Any) -> Any:
        """How to rebuild the function's result from the program's outputs (None after a break)."""
        captured = {id(v.source) for v in self.values if v.kind == "captured" and v.source is not None}
        grad_owner = {id(t.grad): t for t in self.tensors.values() if t.grad is not None}

        def spec(obj: Any) -> Any:
            if isinstance(obj, Tensor):
                if id(obj) in self.input_tensors:
                    return ["input", self.input_tensors[id(obj)]]
                if id(obj) in captured or id(obj) in self.watched:
                    return ["object", obj]
                owner = grad_owner.get(id(obj))
                if owner is not None and id(owner) in self.input_tensors:
                    return ["input_grad", self.input_tensors[id(owner)]]
                if owner is not None and (id(owner) in captured or id(owner) in self.watched):
                    return ["grad", owner]
                node = obj._node
                if node is not None and node.inputs is not None:
                    self.fail(
                        "the function returns a tensor that is still part of a graph (a compiled replay cannot be "
                        "differentiated afterwards); call backward() inside the function, or call it under ag.no_grad()"
                    )
                    return None
                if id(obj.data) not in self.by_id and self._view_of_known(obj.data) is None:
                    self.fail("the function returns a tensor the compiler did not see computed")
                    return None
                return ["value", self.by_id[id(obj.data)], None]
            if isinstance(obj, np.ndarray):
                if id(obj) not in self.by_id and self._view_of_known(obj) is None:
                    self.fail("the function returns an array the compiler did not see computed")
                    return None
                return ["array", self.by_id[id(obj)], None]
            if isinstance(obj, tuple) and type(obj) is tuple:
                return ["tuple", [spec(x) for x in obj]]
            if isinstance(obj, list):
                return ["list", [spec(x) for x in obj]]
            if isinstance(obj, dict) and type(obj) is dict:
                return ["dict", {k: spec(v) for k, v in obj.items()}]
            if obj is None or isinstance(obj, (str, bytes)):
                return ["static", obj]
            if isinstance(obj, (bool, int, float, complex, np.generic)):
                self.fail(
                    f"the function returns a Python {type(obj).__name__}, which may have been computed from tensor "
                    "values; return a Tensor instead"
                )
                return None
            return ["static", obj]

        out = spec(result)
        return None if self.broken is not None else out

    def check_captured(self) -> None:
        """Breaks for captured tensors and constants made inside the function, and for unrecorded writes."""
        self._check_writes()
        self.snapshots.clear()
        if self.broken is None:
            self._check_fresh()  # no local variable of this frame may hold what it counts
        for key, t in self.tensors.items():
            expected = self.grad_expect.get(key)
            if t.grad is not expected:
                if t.grad is None:
                    self.steps.append(Step("reset", (), tensor=t))
                    self.grad_expect[key] = None
                else:
                    self.fail("a tensor's .grad was replaced by code the compiler cannot record")
                    return

    def _own_references(self) -> dict[int, int]:
        """id → how many references this recorder holds to each Tensor and array (a view holds its base once)."""
        mine: dict[int, int] = {}
        counted: set[int] = set()

        def hold(x: Any) -> None:
            if isinstance(x, (Tensor, np.ndarray)):
                mine[id(x)] = mine.get(id(x), 0) + 1
                if isinstance(x, np.ndarray) and isinstance(x.base, np.ndarray) and id(x) not in counted:
                    counted.add(id(x))
                    mine[id(x.base)] = mine.get(id(x.base), 0) + 1

        for v in self.values:
            hold(v.source)
        for a in self.arrays.values():
            hold(a)
        for t in self.tensors.values():
            hold(t)
        for step in self.steps:
            for x in step.info.values():
                hold(x)
            for x in step.args:
                if not isinstance(x, Value):
                    hold(x)
        return mine

    def _check_writes(self) -> None:
        for key, (v, array, copy) in self.snapshots.items():
            t = v.source
            if t.data is not array:
                self.fail(f"the .data of a tensor of shape {t.shape} was replaced inside the compiled function")
                return
            if key not in self.written and not _same(array, copy):
                self.fail(f"a tensor of shape {t.shape} was written by code the compiler cannot record (.data = ...?)")
                return

    def _check_fresh(self) -> None:
        """A captured tensor or constant array nobody else holds was made inside the function by unseen code.

        Counted with reference counts once the function has returned: what
        only this recorder still holds was made during the call (by code
        the recorder cannot see: ``np.random``, numpy on ``.data``, ...) and
        may differ at the next call, so replaying it would be wrong. A Tensor
        made inside the function around an array kept elsewhere
        (``ag.as_tensor(module.buffer)``) stands for that live array.
        """
        mine = self._own_references()

        def alive(array: np.ndarray, extra: int = 0) -> bool:
            if isinstance(array.base, np.ndarray):
                return _external_refs(array.base) - mine.get(id(array.base), 0) > 0
            return _external_refs(array) - 1 - mine.get(id(array), 0) - extra > 0  # - 1: the argument

        for v in self.values:
            if v.kind not in ("captured", "const") or v.pinned or v.source is None:
                continue
            if v.kind == "const":
                if alive(v.source):
                    continue
            elif _external_refs(v.source) - mine.get(id(v.source), 0) > 0:
                continue
            elif alive(v.source.data, extra=1):  # the fresh Tensor itself holds its array once
                v.kind, v.source = "const", v.source.data
                self.arrays.pop(v.number, None)
                continue
            what = "a tensor" if v.kind == "captured" else "an array"
            self.broken = None
            self.fail(f"{what} of shape {v.shape} made inside the compiled function by code the compiler cannot see")
            self.broken.site = self.first_use.get(v.number, self.broken.site)
            return


def _byte_bounds(a: np.ndarray) -> tuple[int, int]:
    """First and one-past-last byte addresses an array touches (numpy's ``byte_bounds``)."""
    start = a.__array_interface__["data"][0]
    if a.size == 0:
        return start, start
    low = high = start
    for n, stride in zip(a.shape, a.strides):
        span = (n - 1) * stride
        if span < 0:
            low += span
        else:
            high += span
    return low, high + a.itemsize


def _count(obj: Any) -> int:
    return sys.getrefcount(obj)


#: What ``_count`` adds to an object's reference count (its argument, the caller's expression).
_CALL = (lambda holder: _count(holder[0]) - 1)([object()])


def _external_refs(obj: Any) -> int:
    """The references to ``obj`` that exist besides this call (pass it as an expression, not a local)."""
    return _count(obj) - _CALL - 1


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _holds_arrays(x: Any, depth: int = 0) -> bool:
    if isinstance(x, (np.ndarray, Tensor)):
        return True
    if depth > 4:
        return False
    if isinstance(x, dict):
        return any(_holds_arrays(v, depth + 1) for v in x.values())
    if isinstance(x, (tuple, list)):
        return any(_holds_arrays(v, depth + 1) for v in x)
    return False


def _arrays_in(x: Any, depth: int = 0) -> list[np.ndarray]:
    if isinstance(x, Tensor):
        return [x.data]
    if isinstance(x, np.ndarray):
        return [x]
    if depth > 4:
        return []
    if isinstance(x, dict):
        return [a for v in x.values() for a in _arrays_in(v, depth + 1)]
    if isinstance(x, (tuple, list)):
        return [a for v in x for a in _arrays_in(v, depth + 1)]
    return []
