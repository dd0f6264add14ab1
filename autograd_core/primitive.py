"""One registry of primitives, each declared once with forward, VJP and JVP.

A primitive is a numpy function whose derivative rules are written beside it:

* ``forward(*arrays, **params) -> array``
* ``vjps[i](g, y, *args, **params)``: the cotangent of input ``i`` given the
  output cotangent ``g`` (reverse mode, x̄ = ȳ·∂y/∂x);
* ``jvps[i](t, y, *args, **params)``: the output tangent contributed by the
  tangent ``t`` of input ``i`` (forward mode, ẏ = Σ ∂y/∂xᵢ·ẋᵢ).

Rules are written with numpy operators and functions. They are called with
arrays on the fast path and with Tensors when the backward pass itself must be
differentiated (``create_graph=True``, forward-over-reverse), in which case
numpy dispatches every call back to the primitives (``_numpy_protocol.py``),
so one rule serves first and higher derivatives.

Cotangents and tangents may carry extra *leading* batch axes (the basis vectors
of a vectorised Jacobian); rules keep them in front, and broadcasting is undone
by one shared helper, ``sum_to``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _state
from .errors import ArgumentTypeError, AutogradError, IndexingError, InvalidArgumentError, ShapeError, shapes_text
from .node import Node
from .tensor import Tensor, constant_array, wrap

Rule = Callable[..., Any]
EMPTY: dict = {}


@dataclass(frozen=True)
class Formula:
    """The maths of a primitive in one line each, read by docs, traces and tooltips."""

    forward: str
    vjp: str
    jvp: str

    def __str__(self) -> str:
        return f"{self.forward}; {self.vjp}; {self.jvp}"


def elementwise_flops(y: np.ndarray, *args: Any, **params: Any) -> int:
    """One floating-point operation per output element."""
    return int(y.size)


def reduction_flops(y: np.ndarray, x: np.ndarray, *args: Any, **params: Any) -> int:
    """One floating-point operation per input element."""
    return int(np.size(x))


def no_flops(*args: Any, **params: Any) -> int:
    """Shape and indexing ops move data but do no arithmetic."""
    return 0


class Primitive:
    """A registered operation: forward, per-input VJP and JVP rules, formula text."""

    __slots__ = (
        "name",
        "forward",
        "vjps",
        "jvps",
        "formula",
        "flops",
        "broadcasting",
        "view",
        "sets_dtype",
        "promotes",
    )

    def __init__(
        self,
        name: str,
        forward: Callable[..., np.ndarray],
        vjps: Sequence[Rule | None],
        jvps: Sequence[Rule | None],
        formula: Formula,
        flops: Callable[..., int] = elementwise_flops,
        broadcasting: bool = False,
        view: bool = False,
        sets_dtype: bool = False,
        promotes: bool = False,
    ) -> None:
        self.name = name
        self.forward = forward
        self.vjps = vjps
        self.jvps = jvps
        self.formula = formula
        self.flops = flops
        self.broadcasting = broadcasting
        self.view = view
        self.sets_dtype = sets_dtype
        self.promotes = promotes

    def __call__(self, *inputs: Any, **params: Any) -> Tensor:
        return apply(self, inputs, params)

    def bind(self, *inputs: Any, **params: Any) -> Any:
        """Arrays in, array out; any Tensor in, Tensor out (for use inside rules)."""
        for x in inputs:
            if isinstance(x, Tensor):
                return apply(self, inputs, params)
        return self.forward(*inputs, **params)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


class ArgnumRules:
    """Rules for a variadic primitive: ``rule(i, v, y, xs, **params)`` serves every input ``i``.

    The inputs come as one sequence ``xs``: ``call`` passes the backward pass's
    list as it is, since unpacking n arguments for each of n inputs would make a
    node with n inputs cost O(n²). ``rules[i]`` is the usual per-input form.
    """

    __slots__ = ("rule",)

    def __init__(self, rule: Callable[..., Any]) -> None:
        self.rule = rule

    def __getitem__(self, i: int) -> Rule:
        rule = self.rule
        return lambda v, y, *xs, **params: rule(i, v, y, xs, **params)

    def call(self, i: int, v: Any, y: Any, xs: Sequence[Any], params: dict) -> Any:
        """``rules[i](v, y, *xs, **params)`` without unpacking ``xs``."""
        return self.rule(i, v, y, xs, **params)


REGISTRY: dict[str, Primitive] = {}


def primitive(
    name: str,
    forward: Callable[..., np.ndarray],
    vjp: Sequence[Rule | None] | ArgnumRules,
    jvp: Sequence[Rule | None] | ArgnumRules,
    formula: str,
    vjp_text: str,
    jvp_text: str,
    **options: Any,
) -> Primitive:
    """Declare and register a primitive (its name must be new)."""
    if name in REGISTRY:
        raise InvalidArgumentError(f"primitive {name!r} is already registered; choose another name")
    if not isinstance(vjp, ArgnumRules) and not isinstance(jvp, ArgnumRules) and len(vjp) != len(jvp):
        raise InvalidArgumentError(
            f"primitive {name!r}: {len(vjp)} VJP rules but {len(jvp)} JVP rules (one of each per input)"
        )
    prim = Primitive(name, forward, vjp, jvp, Formula(f"{name}: {formula}", vjp_text, jvp_text), **options)
    REGISTRY[name] = prim
    return prim


# ------------------------------------------------------------------ apply
#: Operands kept as they are: numpy treats Python numbers as "weak", so
#: ``x32 * 2.0`` stays float32 without converting the number first.
SCALARS = (float, int, bool)


def coerce_constants(inputs: Sequence[Any]) -> tuple[tuple, list[Any]]:
    """Inputs with every non-Tensor operand made numpy-ready, and their arrays.

    Python numbers stay Python numbers (weak in numpy's promotion) and numpy
    scalars become Python numbers, so they never widen a float32 tensor; lists
    adopt the float dtype of the first floating-point tensor operand. With no
    tensor operand at all, numbers take the default dtype.
    """
    ref = None
    any_tensor = False
    for x in inputs:
        if isinstance(x, Tensor):
            any_tensor = True
            if x.data.dtype.kind == "f":
                ref = x.data.dtype
                break
    stored, arrays = [], []
    for x in inputs:
        if isinstance(x, Tensor):
            stored.append(x)
            arrays.append(x.data)
            continue
        if isinstance(x, np.generic):
            x = x.item()
        if isinstance(x, SCALARS) and any_tensor:
            a = x
        elif isinstance(x, np.ndarray) or x is None:
            a = x
        else:
            a = constant_array(x)
            if a.dtype.kind in "iuf" and not isinstance(x, bool):
                a = a.astype(ref if ref is not None else _state.default_dtype)
        stored.append(a)
        arrays.append(a)
    return tuple(stored), arrays


def scalar_result(out: Any, arrays: Sequence[Any]) -> np.ndarray:
    """A 0-d result as an array, in the float dtype its float inputs promote to.

    numpy < 2 returns numpy scalars from 0-d operations and promotes 0-d
    float32 values with Python floats to float64; this keeps float32 float32.
    """
    out = np.asarray(out)
    if out.dtype.kind == "f":
        floats = [a.dtype for a in arrays if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
        if floats:
            expected = np.result_type(*floats)
            if out.dtype != expected:
                out = out.astype(expected)
    return out


def float_operands(arrays: Sequence[Any]) -> list[Any]:
    """Integer operands cast to the float dtype of the float ones, as PyTorch promotes (int · float32 → float32).

    numpy would widen float32 to float64 here; arithmetic primitives
    (``promotes=True``) call this when their operands' dtypes differ.
    """
    floats = [a.dtype for a in arrays if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    if not floats:
        return list(arrays)
    target = np.result_type(*floats)
    return [a.astype(target) if isinstance(a, np.ndarray) and a.dtype.kind in "iu" else a for a in arrays]


def _record(prim: Primitive, out: Any, inputs: tuple, params: dict, record: bool, arrays: Sequence[Any]) -> Tensor:
    if type(out) is not np.ndarray or not out.ndim:
        out = np.asarray(out) if prim.sets_dtype else scalar_result(out, arrays)
    if record and _state.grad_enabled:
        return wrap(out, Node(prim, inputs, params, _state.inplace_clock, _state.scope))
    return wrap(out)


def apply(prim: Primitive, inputs: tuple, params: dict) -> Tensor:
    """Run ``prim`` on ``inputs`` and record a node when a gradient may be needed."""
    arrays = []
    record = False
    for x in inputs:
        if isinstance(x, Tensor):
            arrays.append(x.data)
            if x.requires_grad:
                record = True
        else:
            inputs, arrays = coerce_constants(inputs)
            record = any(isinstance(x, Tensor) and x.requires_grad for x in inputs)
            break
    if prim.promotes:
        for a in arrays:
            if type(a) is np.ndarray and a.dtype.kind in "iu":
                arrays = float_operands(arrays)
                break
    try:
        out = prim.forward(*arrays, **params)
    except AutogradError:
        raise
    except (ValueError, IndexError, TypeError, AttributeError) as err:
        raise explain_failure(prim, arrays, err) from err
    t = _record(prim, out, inputs, params, record, arrays)
    if prim.view:
        share_writes(inputs[0], t)
    if _state.slow:
        after_apply(prim, inputs, arrays, params, t)
    return t


def apply1(prim: Primitive, x: Any) -> Tensor:
    """``apply`` for a one-input primitive without parameters (the per-op hot path)."""
    if not isinstance(x, Tensor):
        return apply(prim, (x,), EMPTY)
    out = prim.forward(x.data)
    if type(out) is not np.ndarray or not out.ndim:
        out = scalar_result(out, (x.data,))
    if x.requires_grad and _state.grad_enabled:
        t = wrap(out, Node(prim, (x,), EMPTY, _state.inplace_clock, _state.scope))
    else:
        t = wrap(out)
    if _state.slow:
        after_apply(prim, (x,), [x.data], EMPTY, t)
    return t


def apply2(prim: Primitive, a: Any, b: Any) -> Tensor:
    """``apply`` for a two-input primitive without parameters: Tensor with Tensor or Python number."""
    if isinstance(a, Tensor):
        ad, record = a.data, a.requires_grad
        if isinstance(b, Tensor):
            bd = b.data
            record = record or b.requires_grad
            if ad.dtype != bd.dtype and prim.promotes:
                ad, bd = float_operands((ad, bd))
        elif type(b) in SCALARS:
            bd = b
        else:
            return apply(prim, (a, b), EMPTY)
    elif type(a) in SCALARS and isinstance(b, Tensor):
        ad, bd, record = a, b.data, b.requires_grad
    else:
        return apply(prim, (a, b), EMPTY)
    try:
        out = prim.forward(ad, bd)
    except (ValueError, IndexError, TypeError, AttributeError) as err:
        raise explain_failure(prim, (ad, bd), err) from err
    if type(out) is not np.ndarray or not out.ndim:
        out = scalar_result(out, (ad, bd))
    if record and _state.grad_enabled:
        t = wrap(out, Node(prim, (a, b), EMPTY, _state.inplace_clock, _state.scope))
    else:
        t = wrap(out)
    if _state.slow:
        after_apply(prim, (a, b), [ad, bd], EMPTY, t)
    return t


def share_writes(source: Any, out: Tensor) -> None:
    """A view shares its base's write record, so writing either is seen by both."""
    if isinstance(source, Tensor) and np.may_share_memory(out.data, source.data):
        out._writes = source._shared_writes()


def explain_failure(prim: Primitive, arrays: Sequence[Any], err: Exception) -> Exception:
    """Turn numpy's error into one that names the op and the operand shapes."""
    text = str(err)
    if isinstance(err, (TypeError, AttributeError)):  # None, a string or an object array among the operands
        kinds = ", ".join(f"a {a.dtype} array" if isinstance(a, np.ndarray) else type(a).__name__ for a in arrays)
        return ArgumentTypeError(
            f"{prim.name}: cannot compute with {kinds}; operands are Tensors, arrays of numbers or Python numbers ({text})"
        )
    shapes = [np.shape(a) for a in arrays if a is not None]
    if isinstance(err, IndexError):
        return IndexingError(f"{prim.name}: {text} (tensor shape {shapes[0] if shapes else ()})")
    if "broadcast" in text:
        return ShapeError(f"{prim.name}: shapes {shapes_text(*shapes)} cannot be broadcast together")
    if any(word in text for word in ("shape", "dimension", "align", "size")):
        return ShapeError(f"{prim.name}: {text} (operand shapes {shapes_text(*shapes)})")
    return InvalidArgumentError(f"{prim.name}: {text}")


def after_apply(prim: Primitive, inputs: tuple, arrays: list, params: dict, out: Tensor) -> None:
    """Everything the rare modes add to a primitive application."""
    if _state.fwd_levels:
        from .forward import push_tangents

        push_tangents(prim, inputs, arrays, params, out)
    if _state.counters:
        flops = prim.flops(out.data, *arrays, **params)
        for meter in _state.counters:
            meter.add(prim.name, flops)
    if _state.anomaly:
        from .anomaly import check_forward

        check_forward(prim, arrays, out)


# ----------------------------------------------------------- shape helpers
#: Below this many elements a broadcast cotangent is materialised: filling a
#: small array is ten times cheaper than numpy's Python-level broadcast_to,
#: while large results stay zero-copy views.
SMALL = 4096


def expand(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` broadcast to ``shape`` (numpy rules): a filled array when small, a read-only view when large."""
    if type(g) is np.ndarray and math.prod(shape) <= SMALL:
        out = np.empty(shape, dtype=g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def sum_to(g: Any, shape: tuple[int, ...], batch: tuple[int, ...] = ()) -> Any:
    """Undo broadcasting: sum ``g`` down to ``batch + shape`` (or broadcast it up).

    x̄ = Σ over the axes along which x was broadcast of ȳ. The leading
    ``batch`` axes (basis vectors of a vectorised Jacobian) are kept; the
    broadcast axes right after them are summed away, and axes where ``shape``
    has 1 are summed with keepdims.
    """
    full = batch + shape
    if g.shape == full:
        return g
    nb = len(batch)
    extra = g.ndim - len(full)
    if extra > 0:
        g = g.sum(axis=tuple(range(nb, nb + extra)))
    elif extra < 0:
        return expand(g, full)
    axes = tuple(nb + i for i, (n, m) in enumerate(zip(shape, g.shape[nb:])) if n == 1 and m != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if g.shape != full:
        g = expand(g, full)
    return g


def lift(t: Any, nb: int, ndim: int) -> Any:
    """Insert unit axes after ``nb`` leading batch axes so ``t`` has ``nb + ndim`` axes.

    Lets a batched tangent of a lower-rank operand broadcast against the other
    operands exactly as the operand itself did.
    """
    missing = nb + ndim - t.ndim
    if missing <= 0:
        return t
    return t.reshape(t.shape[:nb] + (1,) * missing + t.shape[nb:])


def batch_shape(g: Any, y: Any) -> tuple[int, ...]:
    """The leading batch axes ``g`` carries beyond the shape of ``y``."""
    return g.shape[: g.ndim - y.ndim]
