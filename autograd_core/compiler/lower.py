"""Lowering recorded steps to numpy calls (``Instr``), one call per line of the program.

The hot primitives and their VJP rules are spelled out here as the numpy
calls their eager code makes, in the same order and on the same operands, so
a program gives eager mode's results bit for bit while writing into planned
buffers (``out=``) instead of allocating. Every other primitive, rule or step
becomes one call of the eager function itself (a "generic" line). The tables
are checked against the registry's rules by the tests, so a rule that
changes without its table entry is caught.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..apply import scalar_result
from ..broadcasting import sum_to
from ..primitives.nn_ops import check_class_labels
from ..tensor import wrap
from .ir import Step, Value

#: Values at least this large are written into planned buffers; smaller ones are allocated (numpy's cache is faster).
BUFFER_BYTES = 4096


class Instr:
    """One line of a program: ``fn(*args, **kwargs)`` giving ``out``.

    ``mode``: "ufunc" (takes ``out=``, elementwise: may write over an operand
    of its own shape that dies here), "out" (takes ``out=``, never in place),
    "alloc" (returns a new array), "borrow" (returns an array that may share
    its operands' memory or be kept elsewhere), "view" (a view of its first
    operand), "do" (no result), "code" (``template`` formatted with the
    operands' names).
    """

    __slots__ = ("fn", "name", "args", "kwargs", "out", "mode", "template", "comment", "scratch", "grad")

    def __init__(
        self,
        fn: Any,
        name: str,
        args: tuple,
        out: Value | None,
        mode: str,
        kwargs: dict | None = None,
        template: str = "",
        comment: str = "",
    ) -> None:
        self.fn = fn
        self.name = name
        self.args = args
        self.kwargs = kwargs or {}
        self.out = out
        self.mode = mode
        self.template = template
        self.comment = comment
        self.scratch: tuple[Value, ...] = ()
        self.grad: Value | None = None  # for a gradient copy: the reused gradient buffer it writes

    def reads(self) -> list[Value]:
        """The Values this line reads."""
        found = [a for a in self.args if isinstance(a, Value)]
        found += [v for v in self.kwargs.values() if isinstance(v, Value)]
        return found


# ------------------------------------------------------------ helper kernels
def normalized(out: Any, sets_dtype: bool, arrays: tuple) -> np.ndarray:
    """What ``apply`` makes of a forward's result that is not a full ndarray (0-d results, numpy scalars)."""
    if type(out) is not np.ndarray or not out.ndim:
        out = np.asarray(out) if sets_dtype else scalar_result(out, arrays)
    return out


def deliver(raw: Any, shape: tuple, batch: tuple, dtype: np.dtype) -> np.ndarray:
    """What the backward pass makes of a rule's result: an array of ``batch + shape`` and ``dtype``."""
    gx = raw if type(raw) is np.ndarray else np.asarray(raw)
    if gx.shape != batch + shape:
        gx = sum_to(gx, shape, batch)
    if gx.dtype != dtype:
        gx = gx.astype(dtype)
    return gx


def relu_grad(g: np.ndarray, y: np.ndarray, mask: np.ndarray, out: np.ndarray) -> np.ndarray:
    """where(y > 0, g, 0) written into ``out`` (which may be ``g``); ``mask`` a scratch of signed integers as wide.

    For y = max(x, 0), y > 0 exactly where x > 0 (NaN included), so this is the
    relu rule where(x > 0, g, 0) without needing x. The selection is done on
    the bits: g AND (all ones where y > 0, else zero), which gives g or +0.0
    exactly as ``np.where`` does, an order of magnitude faster than its
    branching on a random mask. For 4-byte floats the bits are multiplied
    by the 0/1 mask as integers instead (the same result, one pass fewer:
    an integer product by 0 or 1 is exact); 8-byte integer products are
    slower than the two passes.
    """
    np.greater(y, 0, out=mask)  # 1 where kept
    if mask.itemsize == 4:
        np.multiply(g.view(mask.dtype), mask, out=out.view(mask.dtype))
        return out
    np.negative(mask, out=mask)  # all bits set where kept
    np.bitwise_and(g.view(mask.dtype), mask, out=out.view(mask.dtype))
    return out


def filled(value: np.ndarray, shape: tuple[int, ...], out: np.ndarray | None = None) -> np.ndarray:
    """An array of ``shape`` holding the 0-d ``value`` everywhere (into ``out`` when given)."""
    if out is None:
        return np.full(shape, value)
    np.copyto(out, value)
    return out


def store_grad(t: Any, gt: Any, g: np.ndarray) -> None:
    """``_LeafStore.add`` on the reused gradient Tensor ``gt``: store ``g``, or add it to what ``t.grad`` holds."""
    current = t.grad
    if current is None:
        np.copyto(gt.data, g)
        t.grad = gt
    elif current is gt:
        np.add(gt.data, g, out=gt.data)
    else:
        t.grad = wrap(current.data + g)


def store_fresh(t: Any, g: np.ndarray) -> None:
    """``_LeafStore.add`` for a tensor passed in (a new array at every call): store a copy of ``g`` or add it."""
    t.grad = wrap(np.array(g)) if t.grad is None else wrap(t.grad.data + g)


def label_rows(target: np.ndarray, width: int, rows: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Flat positions of the labelled entries of a (rows × width) table: row·width + label."""
    return np.add(rows, target.reshape(-1), out=out)


# ------------------------------------------------------- rule tables (checked by tests)
G, Y = "g", "y"


def A(i: int) -> tuple:
    """The i-th operand of the primitive."""
    return ("operand", i)


#: VJP of (primitive, operand) as nested numpy calls over g, y and the operands, in the eager rule's order.
VJP_TABLE: dict[tuple[str, int], Any] = {
    ("add", 0): G,
    ("add", 1): G,
    ("sub", 0): G,
    ("sub", 1): (np.negative, G),
    ("mul", 0): (np.multiply, G, A(1)),
    ("mul", 1): (np.multiply, G, A(0)),
    ("div", 0): (np.true_divide, G, A(1)),
    ("div", 1): (np.true_divide, (np.multiply, (np.negative, G), Y), A(1)),
    ("neg", 0): (np.negative, G),
    ("exp", 0): (np.multiply, G, Y),
    ("log", 0): (np.true_divide, G, A(0)),
    ("log1p", 0): (np.true_divide, G, (np.add, 1, A(0))),
    ("sqrt", 0): (np.true_divide, G, (np.multiply, 2, Y)),
    ("abs", 0): (np.multiply, G, (np.sign, A(0))),
    ("sin", 0): (np.multiply, G, (np.cos, A(0))),
    ("cos", 0): (np.multiply, G, (np.negative, (np.sin, A(0)))),
    ("tanh", 0): (np.multiply, G, (np.subtract, 1, (np.multiply, Y, Y))),
    ("sigmoid", 0): (np.multiply, G, (np.multiply, Y, (np.subtract, 1, Y))),
    ("identity", 0): G,
}

#: Forward of primitives whose body is one numpy ufunc call but that declare no ``kernel``.
FORWARD_TABLE: dict[str, Any] = {
    "relu": (np.maximum, A(0), 0),
}


class Lowering:
    """Turns steps into ``instrs``; knows the program's Values and makes temporaries."""

    def __init__(self, values: list[Value], threshold: int = BUFFER_BYTES) -> None:
        self.values = values
        self.instrs: list[Instr] = []
        self.threshold = threshold
        self.hints: dict[int, str] = {}  # id(constant) → the name the listing gives it
        self.memo: dict[tuple, Any] = {}  # values made once and reused by later lines (a softmax's parts)

    def constant(self, array: np.ndarray, name: str) -> Value:
        """A constant array the program reads (never writes), shown as ``name``."""
        array.flags.writeable = False
        v = self.temp(array.shape, array.dtype)
        v.kind, v.source = "const", array
        self.hints[id(array)] = name
        return v

    # ------------------------------------------------------------ helpers
    def temp(self, shape: tuple, dtype: Any) -> Value:
        """A new Value computed by the lowering itself."""
        v = Value(len(self.values), "computed", shape, dtype)
        self.values.append(v)
        return v

    def emit(self, fn: Any, name: str, args: tuple, out: Value | None, mode: str, **kw: Any) -> Instr:
        """Append one line."""
        ins = Instr(fn, name, args, out, mode, **kw)
        self.instrs.append(ins)
        return ins

    def view(self, template: str, base: Value, out: Value, comment: str = "") -> Value:
        """A line making a view of ``base`` (``template`` formats the base's name as ``{0}``)."""
        out.bases = (base,)
        self.emit(None, "", (base,), out, "view", template=template, comment=comment)
        return out

    def big(self, v: Value) -> bool:
        """Whether ``v`` lives in a planned buffer."""
        return v.nbytes >= self.threshold

    def expression(self, expr: Any, symbols: dict, out: Value | None, comment: str) -> Any:
        """Emit a nested numpy-call expression; the outermost call gives ``out`` (a new Value when None)."""
        if isinstance(expr, str):
            return symbols[expr]
        if isinstance(expr, tuple) and expr[0] == "operand":
            return symbols["operands"][expr[1]]
        if not isinstance(expr, tuple):
            return expr
        fn, *parts = expr
        args = tuple(self.expression(p, symbols, None, comment) for p in parts)
        arrays = [a for a in args if isinstance(a, Value)]
        if out is None:
            shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
            dtypes = {a.dtype for a in arrays}
            if len(dtypes) == 1 and all(isinstance(a, Value) or type(a) in (int, float) for a in args):
                dtype = dtypes.pop()  # one float dtype and Python numbers (weak): the dtype stays
            else:
                dtype = np.result_type(*(np.empty(0, a.dtype) if isinstance(a, Value) else a for a in args))
            out = self.temp(shape, dtype)
        self.emit(fn, fn.__name__, args, out, "ufunc", comment=comment)
        return out

    # ---------------------------------------------------------- per step
    def lower(self, step: Step) -> None:
        """Append the lines of one step."""
        getattr(self, "step_" + step.op)(step)

    def step_apply(self, step: Step) -> None:
        prim, out = step.info["prim"], step.out
        name = f"{prim.name}"
        if out.shape and isinstance(prim.forward, np.ufunc):
            self.emit(prim.forward, prim.forward.__name__, step.args, out, "ufunc", comment=name)
            return
        special = FORWARD_SPECIAL.get(prim.name)
        if special is not None and special(self, step):
            return
        table = FORWARD_TABLE.get(prim.name)
        if table is not None and out.shape:
            self.expression(table, {"operands": step.args}, out, name)
            return
        self.generic_forward(step)

    def generic_forward(self, step: Step) -> None:
        prim, out = step.info["prim"], step.out
        params = step.info["params"]
        mode = "borrow"
        if out.shape:
            self.emit(
                prim.forward, f"{prim.name}_forward", step.args, out, mode, kwargs=dict(params), comment=prim.name
            )
            return
        raw = self.temp(out.shape, out.dtype)
        raw.bases = tuple(a for a in step.args if isinstance(a, Value))
        self.emit(prim.forward, f"{prim.name}_forward", step.args, raw, mode, kwargs=dict(params), comment=prim.name)
        out.bases = (raw,)
        self.emit(
            normalized,
            "normalized",
            (raw, prim.sets_dtype, _TupleOf(step.args)),
            out,
            mode,
            comment="0-d result, as apply() makes it",
        )

    def step_cast(self, step: Step) -> None:
        dtype = np.dtype(step.info["dtype"])
        self.emit(np.ndarray.astype, "astype", (step.args[0], dtype), step.out, "alloc", comment="numpy promotion")

    def step_vjp(self, step: Step) -> None:
        prim, index, out = step.info["prim"], step.info["index"], step.out
        g, y, *operands = step.args
        special = VJP_SPECIAL.get((prim.name, index))
        if special is not None and special(self, step):
            return
        table = VJP_TABLE.get((prim.name, index))
        plain = isinstance(table, tuple) and all(isinstance(a, Value) and a.dtype.kind == "f" for a in (g, y))
        if plain and out.shape and out.dtype == g.dtype:
            self.expression(table, {"g": g, "y": y, "operands": operands}, out, f"{prim.name} vjp{index}")
            return
        rule = prim.vjps[index]
        self.emit(
            rule,
            f"{prim.name}_vjp{index}",
            step.args,
            out,
            "borrow",
            kwargs=dict(step.info["params"]),
            comment=f"{prim.name} vjp{index} (its rule)",
        )

    def step_deliver(self, step: Step) -> None:
        (raw,), out = step.args, step.out
        shape, batch, dtype = step.info["shape"], step.info["batch"], np.dtype(step.info["dtype"])
        full = tuple(batch) + tuple(shape)
        nb, extra = len(batch), len(raw.shape) - len(full)
        if (
            raw.kind == "computed"
            and raw.dtype == dtype
            and extra > 0
            and tuple(raw.shape[:nb]) == tuple(batch)
            and tuple(raw.shape[nb + extra :]) == tuple(shape)
        ):
            axis = tuple(range(nb, nb + extra))
            self.emit(np.add.reduce, "add.reduce", (raw,), out, "out", kwargs={"axis": axis}, comment="unbroadcast")
            return
        self.emit(deliver, "deliver", (raw, tuple(shape), tuple(batch), dtype), out, "borrow", comment="unbroadcast")

    def step_accumulate(self, step: Step) -> None:
        self.emit(np.add, "add", step.args, step.out, "ufunc", comment="gradient sum")

    def step_store(self, step: Step) -> None:
        (g,) = step.args
        t = step.info["tensor"]
        if step.info["fresh_input"]:
            self.emit(store_fresh, "store_grad", (t, g), None, "do", comment="x.grad (+)= g, a new array")
            return
        grad = step.info["grad"]  # the Value of the reused gradient buffer, set by the program builder
        if step.info["static"]:
            ins = self.emit(np.copyto, "copyto", (grad, g), None, "do", comment="gradient into its reused buffer")
            ins.grad = grad
            self.emit(None, "", (t, step.info["grad_tensor"]), None, "code", template="{0}.grad = {1}")
            return
        self.emit(store_grad, "store_grad", (t, step.info["grad_tensor"], g), None, "do", comment="p.grad (+)= g")

    def step_grad_read(self, step: Step) -> None:
        if step.info.get("copy"):  # a later store rewrites that buffer in place: keep these values
            self.emit(None, "", (step.info["tensor"],), step.out, "code", template="{0}.grad.data.copy()")
            return
        self.view("{0}.grad.data", step.info["tensor"], step.out)
        step.out.bases = ()

    def step_reset(self, step: Step) -> None:
        self.emit(None, "", (step.info["tensor"],), None, "code", template="{0}.grad = None", comment="zero_grad")

    def step_numpy(self, step: Step) -> None:
        fn = step.info["fn"]
        raw = self.temp(step.out.shape, step.out.dtype)
        raw.bases = tuple(a for a in step.args if isinstance(a, Value))
        self.emit(fn, getattr(fn, "__name__", "numpy_call"), step.args, raw, "borrow", kwargs=dict(step.info["kwargs"]))
        step.out.bases = (raw,)
        self.emit(np.asarray, "asarray", (raw,), step.out, "borrow")

    def step_call(self, step: Step) -> None:
        fn = step.info["fn"]
        kwargs = dict(step.info["kwargs"])
        if step.info["workspace"] is not None:
            kwargs["workspace"] = step.info["workspace"]
        mode = "borrow" if step.out is not None else "do"
        self.emit(fn, fn.__name__, step.args, step.out, mode, kwargs=kwargs, comment="recorded function")

    def step_inplace(self, step: Step) -> None:
        self.emit(step.info["fn"], step.info["what"], step.args, None, "do", comment="in-place write")

    def step_copy(self, step: Step) -> None:
        (src,) = step.args
        self.emit(
            np.array,
            "array",
            (src,),
            step.out,
            "alloc",
            kwargs={"dtype": np.dtype(step.info["dtype"])},
            comment="tensor from data",
        )

    def step_view(self, step: Step) -> None:
        (base,), out = step.args, step.out
        strides, offset = step.info["strides"], step.info["offset"]
        natural = np.empty(out.shape, out.dtype).strides if out.shape else ()
        if offset == 0 and tuple(strides) == natural and out.dtype == base.dtype:
            self.view("{0}.reshape(" + repr(tuple(out.shape)) + ")", base, out)
            return
        out.bases = (base,)
        self.emit(
            np.ndarray,
            "ndarray",
            (tuple(out.shape), out.dtype),
            out,
            "view",
            kwargs={"buffer": base, "offset": offset, "strides": tuple(strides)},
        )

    def step_optimizer(self, step: Step) -> None:
        self.emit(step.info["fused"], "optimizer_step", (), None, "do", comment=type(step.info["optimizer"]).__name__)


class _TupleOf(tuple):
    """Operands passed to a line as one tuple argument (written ``(a, b)``)."""


# ------------------------------------------------------ hand-lowered primitives
def _plain_2d(*vs: Any) -> bool:
    return all(isinstance(v, Value) and len(v.shape) == 2 and v.dtype.kind == "f" for v in vs)


def _linear_forward(lw: Lowering, step: Step) -> bool:
    x, w, *rest = step.args
    b = rest[0] if rest else None
    out = step.out
    if not _plain_2d(x, w, out) or (b is not None and not (isinstance(b, Value) and b.dtype == out.dtype)):
        return False
    if x.dtype != out.dtype or w.dtype != out.dtype:
        return False
    wt = lw.view("{0}.T", w, lw.temp((w.shape[1], w.shape[0]), w.dtype))
    if b is None:
        lw.emit(np.matmul, "matmul", (x, wt), out, "out", comment="linear: x·Wᵀ")
        return True
    y = lw.temp(out.shape, out.dtype)
    lw.emit(np.matmul, "matmul", (x, wt), y, "out", comment="linear: x·Wᵀ")
    lw.emit(np.add, "add", (y, b), out, "ufunc", comment="linear: + b")
    return True


def _matmul_forward(lw: Lowering, step: Step) -> bool:
    a, b = step.args
    if not _plain_2d(a, b, step.out) or a.dtype != b.dtype:
        return False
    lw.emit(np.matmul, "matmul", (a, b), step.out, "out", comment="matmul")
    return True


def _reduce_forward(lw: Lowering, step: Step) -> bool:
    (x,) = step.args
    params, out, prim = step.info["params"], step.out, step.info["prim"]
    if not isinstance(x, Value) or x.dtype.kind != "f" or x.dtype == np.float16 or out.dtype != x.dtype:
        return False
    kwargs = {"axis": params["axis"], "keepdims": params["keepdims"]}
    if not out.shape:  # a 0-d result: numpy gives a scalar, which apply() makes a 0-d array
        total = lw.temp((), x.dtype)
        lw.emit(np.add.reduce, "add.reduce", (x,), total, "borrow", kwargs=kwargs, comment=prim.name)
        if prim.name == "mean":
            mean = lw.temp((), x.dtype)
            lw.emit(
                np.true_divide, "true_divide", (total, _count(x, params["axis"])), mean, "borrow", comment="mean: / n"
            )
            total = mean
        out.bases = (total,)
        lw.emit(np.asarray, "asarray", (total,), out, "borrow", comment="0-d result, as apply() makes it")
        return True
    if prim.name == "sum":
        lw.emit(np.add.reduce, "add.reduce", (x,), out, "out", kwargs=kwargs, comment="sum")
        return True
    total = lw.temp(out.shape, out.dtype)
    lw.emit(np.add.reduce, "add.reduce", (x,), total, "out", kwargs=kwargs, comment="mean: sum")
    lw.emit(np.true_divide, "true_divide", (total, _count(x, params["axis"])), out, "ufunc", comment="mean: / n")
    return True


def _count(x: Value, axis: tuple[int, ...]) -> int:
    n = 1
    for a in axis:
        n *= x.shape[a]
    return n


def _reduce_vjp(lw: Lowering, step: Step) -> bool:
    """The VJP of a sum or mean over every axis: ȳ broadcast (filled) over x's shape, / n for the mean."""
    g, y, x = step.args
    prim, out, params = step.info["prim"], step.out, step.info["params"]
    if g.shape or len(params["axis"]) != len(x.shape) or not x.shape or out.dtype != g.dtype:
        return False
    if tuple(out.shape) != tuple(x.shape) or g.dtype.kind != "f":
        return False
    if prim.name == "sum":
        lw.emit(filled, "filled", (g, tuple(x.shape)), out, "out", comment="sum vjp: x̄ = ȳ broadcast")
        return True
    spread = lw.temp(out.shape, out.dtype)
    lw.emit(filled, "filled", (g, tuple(x.shape)), spread, "out", comment="mean vjp: ȳ broadcast")
    lw.emit(np.true_divide, "true_divide", (spread, _count(x, params["axis"])), out, "ufunc", comment="mean vjp: / n")
    return True


def _class_table(lw: Lowering, z: Value, target: Any) -> bool:
    return (
        isinstance(z, Value)
        and isinstance(target, Value)
        and target.dtype.kind in "iu"
        and len(z.shape) >= 1
        and tuple(target.shape) == tuple(z.shape[:-1])
        and z.dtype.kind == "f"
    )


def _softmax_rows(lw: Lowering, z: Value, comment: str) -> tuple[Value, Value, Value]:
    """shifted = z − max(z), e = exp(shifted), total = Σ e along the rows, as ``_ce_forward`` and ``softmax``
    compute them; made once per ``z`` (the VJP's softmax reuses the forward's e and total, the same bits)."""
    memo = lw.memo.get(("softmax_rows", z.number))
    if memo is not None and not z.pinned:
        return memo
    shifted, e = _log_softmax_rows(lw, z, comment)
    keep = tuple(z.shape[:-1]) + (1,)
    total = lw.temp(keep, z.dtype)
    lw.emit(
        np.add.reduce,
        "add.reduce",
        (e,),
        total,
        "out",
        kwargs={"axis": -1, "keepdims": True},
        comment=comment + ": Σ exp",
    )
    lw.memo[("softmax_rows", z.number)] = shifted, e, total
    return shifted, e, total


def _log_softmax_rows(lw: Lowering, z: Value, comment: str) -> tuple[Value, Value]:
    """shifted = z − max(z), e = exp(shifted), as ``_ce_forward`` and ``softmax`` compute them."""
    keep = tuple(z.shape[:-1]) + (1,)
    top = lw.temp(keep, z.dtype)
    lw.emit(
        np.maximum.reduce,
        "maximum.reduce",
        (z,),
        top,
        "out",
        kwargs={"axis": -1, "keepdims": True},
        comment=comment + ": max",
    )
    shifted = lw.temp(z.shape, z.dtype)
    lw.emit(np.subtract, "subtract", (z, top), shifted, "ufunc", comment=comment + ": z − max")
    e = lw.temp(z.shape, z.dtype)
    lw.emit(np.exp, "exp", (shifted,), e, "ufunc", comment=comment + ": exp")
    return shifted, e


def _cross_entropy_forward(lw: Lowering, step: Step) -> bool:
    z, target = step.args
    if not _class_table(lw, z, target):
        return False
    out = step.out
    lw.emit(
        check_class_labels,
        "check_class_labels",
        ("cross_entropy", tuple(z.shape), target),
        None,
        "do",
        comment="labels in range, as eager checks",
    )
    shifted, e, total = _softmax_rows(lw, z, "cross_entropy")
    keep = tuple(z.shape[:-1]) + (1,)
    log_total = lw.temp(keep, z.dtype)
    lw.emit(np.log, "log", (total,), log_total, "ufunc", comment="cross_entropy: log Σ exp")
    log_p = lw.temp(z.shape, z.dtype)
    lw.emit(np.subtract, "subtract", (shifted, log_total), log_p, "ufunc", comment="cross_entropy: log p")
    rows = int(np.prod(z.shape[:-1]))
    width = z.shape[-1]
    base = lw.constant(np.arange(rows, dtype=np.intp) * width, "row_starts")
    flat_index = lw.temp((rows,), np.result_type(base.dtype, target.dtype))
    lw.emit(label_rows, "label_rows", (target, width, base), flat_index, "out", comment="cross_entropy: row·C + label")
    flat = lw.view("{0}.reshape(-1)", log_p, lw.temp((rows * width,), z.dtype))
    picked = lw.temp((rows,), z.dtype)
    lw.emit(
        np.take,
        "take",
        (flat, flat_index),
        picked,
        "out",
        kwargs={"mode": "clip"},
        comment="cross_entropy: log p[label] (labels checked above)",
    )
    if tuple(out.shape) == (rows,):
        lw.emit(np.negative, "negative", (picked,), out, "ufunc", comment="cross_entropy: −log p[label]")
    else:
        neg = lw.temp((rows,), z.dtype)
        lw.emit(np.negative, "negative", (picked,), neg, "ufunc", comment="cross_entropy: −log p[label]")
        lw.view("{0}.reshape(" + repr(tuple(out.shape)) + ")", neg, out)
    return True


def _cross_entropy_vjp(lw: Lowering, step: Step) -> bool:
    g, y, z, target = step.args
    out = step.out
    if not _class_table(lw, z, target) or tuple(g.shape) != tuple(y.shape) or g.dtype != z.dtype:
        return False
    shifted, e, total = _softmax_rows(lw, z, "softmax")
    p = lw.temp(z.shape, z.dtype)
    lw.emit(np.true_divide, "true_divide", (e, total), p, "ufunc", comment="softmax")
    column = lw.view("{0}[..., None]", target, lw.temp(tuple(target.shape) + (1,), target.dtype))
    arange = lw.constant(np.arange(z.shape[-1]), "classes")
    hot = lw.temp(z.shape, np.bool_)
    lw.emit(np.equal, "equal", (column, arange), hot, "ufunc", comment="one-hot of the labels")
    residual = lw.temp(z.shape, z.dtype)
    lw.emit(np.subtract, "subtract", (p, hot), residual, "ufunc", comment="softmax − one-hot")
    gcol = lw.view("{0}[..., None]", g, lw.temp(tuple(g.shape) + (1,), g.dtype))
    lw.emit(np.multiply, "multiply", (gcol, residual), out, "ufunc", comment="cross_entropy vjp0")
    return True


def _linear_vjp(lw: Lowering, step: Step) -> bool:
    g, y, x, w, *rest = step.args
    index, out = step.info["index"], step.out
    if not _plain_2d(g, y, x, w) or tuple(g.shape) != tuple(y.shape) or len({g.dtype, x.dtype, w.dtype}) > 1:
        return False
    if index == 0:
        lw.emit(np.matmul, "matmul", (g, w), out, "out", comment="linear vjp: x̄ = ȳ·W")
    elif index == 1:
        gt = lw.view("{0}.T", g, lw.temp((g.shape[1], g.shape[0]), g.dtype))
        lw.emit(np.matmul, "matmul", (gt, x), out, "out", comment="linear vjp: W̄ = ȳᵀ·x")
    else:
        lw.emit(np.add.reduce, "add.reduce", (g,), out, "out", kwargs={"axis": -2}, comment="linear vjp: b̄ = Σ ȳ")
    return True


def _matmul_vjp(lw: Lowering, step: Step) -> bool:
    g, y, a, b = step.args
    index, out = step.info["index"], step.out
    if not _plain_2d(g, y, a, b) or tuple(g.shape) != tuple(y.shape) or len({g.dtype, a.dtype, b.dtype}) > 1:
        return False
    if index == 0:
        bt = lw.view("{0}.T", b, lw.temp((b.shape[1], b.shape[0]), b.dtype))
        lw.emit(np.matmul, "matmul", (g, bt), out, "out", comment="matmul vjp: Ā = Ȳ·Bᵀ")
    else:
        at = lw.view("{0}.T", a, lw.temp((a.shape[1], a.shape[0]), a.dtype))
        lw.emit(np.matmul, "matmul", (at, g), out, "out", comment="matmul vjp: B̄ = Aᵀ·Ȳ")
    return True


def _relu_vjp(lw: Lowering, step: Step) -> bool:
    g, y, x = step.args
    out = step.out
    if not (isinstance(g, Value) and tuple(g.shape) == tuple(y.shape) == tuple(out.shape) and g.dtype == out.dtype):
        return False
    if not lw.big(out):
        keep = lw.temp(y.shape, np.bool_)
        lw.emit(np.greater, "greater", (y, 0), keep, "ufunc", comment="relu vjp: y > 0 (⇔ x > 0)")
        lw.emit(np.where, "where", (keep, g, 0), out, "alloc", comment="relu vjp: where(x > 0, ȳ, 0)")
        return True
    ins = lw.emit(relu_grad, "relu_grad", (g, y), out, "ufunc", comment="relu vjp: where(x > 0, ȳ, 0)")
    ins.scratch = (lw.temp(y.shape, np.dtype(f"i{g.dtype.itemsize}")),)
    return True


FORWARD_SPECIAL = {
    "linear": _linear_forward,
    "matmul": _matmul_forward,
    "sum": _reduce_forward,
    "mean": _reduce_forward,
    "cross_entropy": _cross_entropy_forward,
}

VJP_SPECIAL = {
    ("cross_entropy", 0): _cross_entropy_vjp,
    ("linear", 0): _linear_vjp,
    ("linear", 1): _linear_vjp,
    ("linear", 2): _linear_vjp,
    ("matmul", 0): _matmul_vjp,
    ("matmul", 1): _matmul_vjp,
    ("relu", 0): _relu_vjp,
    ("sum", 0): _reduce_vjp,
    ("mean", 0): _reduce_vjp,
}
