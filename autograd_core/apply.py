"""Applying a primitive: run its forward on arrays, record a node when a gradient may be needed.

``apply`` is the one path every primitive takes (the per-op hot path). What
the rarer modes add — forward-mode tangents, op counting, anomaly checks,
observers such as recorders — runs after it in ``after_apply``, behind one
per-thread flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _state
from .backend import as_array, backend_of, check_same_device, device_of, is_backend_array, to_device
from .errors import (
    ArgumentTypeError,
    AutogradError,
    DtypeError,
    IndexingError,
    InvalidArgumentError,
    ShapeError,
    shapes_text,
)
from .node import Node
from .registry import Primitive
from .tensor import Tensor, constant_array, wrap

#: Operands kept as they are: numpy treats Python numbers as "weak", so
#: ``x32 * 2.0`` stays float32 without converting the number first.
SCALARS = (float, int, bool)

_local = _state._local


class ApplyObserver:
    """Told about every primitive application in the thread while it is installed (``observing``).

    >>> class Names(ag.ApplyObserver):
    ...     def __init__(self):
    ...         self.seen = []
    ...     def applied(self, prim, inputs, arrays, params, out):
    ...         self.seen.append(prim.name)
    >>> x = ag.tensor([1.0, 2.0])
    >>> with ag.observing(Names()) as names:
    ...     y = (x * x).sum()
    >>> names.seen
    ['mul', 'sum']
    """

    def applied(self, prim: Primitive, inputs: tuple, arrays: Sequence[Any], params: dict, out: Tensor) -> None:
        """``prim`` was applied to ``inputs`` (their arrays ``arrays``) with ``params``, giving ``out``."""


class observing:
    """``with observing(obs):`` — ``obs.applied(...)`` runs after every primitive application in this thread.

    >>> class Shapes(ag.ApplyObserver):
    ...     def __init__(self):
    ...         self.shapes = []
    ...     def applied(self, prim, inputs, arrays, params, out):
    ...         self.shapes.append((prim.name, out.shape))
    >>> with ag.observing(Shapes()) as obs:
    ...     ag.ones(2, 3).sum(axis=0)
    tensor([2., 2., 2.])
    >>> obs.shapes
    [('sum', (3,))]
    """

    def __init__(self, observer: ApplyObserver) -> None:
        self.observer = observer
        self._saved: list = []

    def __enter__(self) -> ApplyObserver:
        state = _state.current()
        self._saved.append(state.update(observers=state.observers + (self.observer,)))
        return self.observer

    def __exit__(self, *exc: Any) -> None:
        _state.current().update(**self._saved.pop())


def apply(prim: Primitive, inputs: tuple, params: dict) -> Tensor:
    """Run ``prim`` on ``inputs`` and record a node when a gradient may be needed."""
    arrays = []
    record = False
    tensors = constants = 0
    for x in inputs:
        if isinstance(x, Tensor):
            arrays.append(x.data)
            tensors += 1
            if x.requires_grad:
                record = True
        elif type(x) is float or type(x) is int or x is None:  # None: an optional operand left out
            arrays.append(x)  # a weak Python number: ``x32 * 2.0`` stays float32
        elif type(x) is np.ndarray and x.dtype.kind in "biuf":  # host numbers: an input batch, class labels
            arrays.append(x)
            constants += 1
        else:
            tensors = 0
            break
    if not tensors or (constants and not on_host(arrays)):
        inputs, arrays, record = coerce_operands(prim, inputs)
        tensors, constants = len(arrays), 0  # (any operand may now be an array: promotion looks at them all)
    try:
        state = _local.state
    except AttributeError:  # the thread's first op
        state = _state.current()
    if state.slow and state.batch_levels:  # inside vmap: an operand may be a batch (vmap.py)
        from .vmap import apply_batched

        batched = apply_batched(prim, inputs, params)
        if batched is not None:
            return batched
    if tensors + constants > 1 and prim.promotes:  # two arrays may differ in dtype (a Python number is weak)
        arrays = promoted(arrays)
    arrays = tuple(arrays)  # (what the forward call would make; a tuple of arrays leaves the garbage collector's lists)
    try:
        out = prim.forward(*arrays, **params) if params else prim.forward(*arrays)
    except AutogradError:
        raise
    except (ValueError, IndexError, TypeError, AttributeError) as err:
        raise explain_failure(prim, arrays, err) from err
    if type(out) is not np.ndarray or not out.ndim:
        out = as_array(out) if prim.sets_dtype else scalar_result(out, arrays)
    t = wrap(out, Node(prim, inputs, params, state.scope, arrays)) if record and state.grad_enabled else wrap(out)
    if prim.view:
        share_writes(inputs[0], t)
    if state.slow:
        after_apply(state, prim, inputs, arrays, params, t)
    return t


def on_host(arrays: Sequence[Any]) -> bool:
    """Whether no operand is a backend (device) array: a host constant may then join them as it is."""
    for a in arrays:
        if type(a) is not np.ndarray and is_backend_array(a):
            return False
    return True


def coerce_operands(prim: Primitive, inputs: Sequence[Any]) -> tuple[tuple, list[Any], bool]:
    """Inputs with every non-Tensor operand made numpy-ready, their arrays, and whether to record.

    Python numbers stay Python numbers (weak in numpy's promotion) and numpy
    scalars become Python numbers, so they never widen a float32 tensor; lists
    adopt the float dtype of the first floating-point tensor operand. With no
    tensor operand at all, numbers take the default dtype. A list holding
    Tensors, complex numbers and non-numeric data are refused: each would
    silently lose a gradient or a part of the value.
    """
    ref = None
    any_tensor = False
    record = False
    placed = None  # a backend array (CuPy's, ...) among the tensors: constants are made on its device
    for x in inputs:
        if isinstance(x, Tensor):
            any_tensor = True
            record = record or x.requires_grad
            if ref is None and x.data.dtype.kind == "f":
                ref = x.data.dtype
            if placed is None and type(x.data) is not np.ndarray:
                placed = x.data
        elif placed is None and not isinstance(x, (np.ndarray, np.generic, *SCALARS)) and backend_of(x) is not None:
            placed = x  # a raw device array (a mask): literals are made on its device too
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
        elif x is None:
            a = x
        elif isinstance(x, np.ndarray):
            a = x
            _check_operand_dtype(prim, a.dtype)
            if placed is not None:
                a = _on_device_of(prim, a, placed)
        elif backend_of(x) is not None:  # a CuPy array, ...: used where it lives
            a = x
            _check_operand_dtype(prim, a.dtype)
        else:
            if isinstance(x, (list, tuple)) and _holds_tensor(x):
                raise ArgumentTypeError(
                    f"{prim.name}: an operand is a {type(x).__name__} holding Tensors, which would drop their "
                    "gradients; combine them into one Tensor first with ag.stack([...]) or ag.tensor for constants"
                )
            if isinstance(x, complex):
                _check_operand_dtype(prim, np.dtype(complex))
            a = constant_array(x, prim.name)  # None, strings, ragged lists: library errors
            _check_operand_dtype(prim, a.dtype)
            if a.dtype.kind in "iuf" and not isinstance(x, bool):
                a = a.astype(ref if ref is not None else _state.default_dtype)
            if placed is not None:
                a = to_device(a, device_of(placed))  # a Python literal has no device: it goes where the tensors are
        stored.append(a)
        arrays.append(a)
    return tuple(stored), arrays, record


def _on_device_of(prim: Primitive, a: np.ndarray, placed: Any) -> Any:
    """A numpy constant among tensors on a device: a 0-d one is moved there (a number), any other is refused."""
    if a.ndim == 0:
        return to_device(a, device_of(placed))
    check_same_device(prim.name, placed, a)
    return a


def _holds_tensor(seq: Any) -> bool:
    stack = [seq]
    while stack:
        for item in stack.pop():
            if isinstance(item, Tensor):
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def _check_operand_dtype(prim: Primitive, dtype: np.dtype) -> None:
    if dtype.kind == "c":
        raise DtypeError(
            f"{prim.name}: complex operands are not supported (gradients would silently keep only the real part); "
            "split into real and imaginary parts"
        )
    if dtype.kind not in "biuf":
        raise DtypeError(f"{prim.name}: operands must be numbers or bools, not data of dtype {dtype}")


def scalar_result(out: Any, arrays: Sequence[Any]) -> np.ndarray:
    """A 0-d result as an array, in the float dtype its float inputs promote to.

    numpy < 2 returns numpy scalars from 0-d operations and promotes 0-d
    float32 values with Python floats to float64; this keeps float32 float32.
    A backend array (CuPy's, ...) stays on its device.
    """
    out = as_array(out)
    if len(arrays) == 1 and getattr(arrays[0], "dtype", None) is out.dtype:  # a reduction of one array, as usual
        return out
    if out.dtype.kind == "f":
        floats = [a.dtype for a in arrays if hasattr(a, "dtype") and a.dtype.kind == "f"]
        if floats:
            expected = np.result_type(*floats)
            if out.dtype != expected:
                out = out.astype(expected)
    return out


def promoted(arrays: list[Any]) -> list[Any]:
    """``arrays`` with integer arrays cast to the float dtype of the float ones, when the dtypes differ."""
    if len(arrays) == 2 and type(arrays[0]) is np.ndarray and type(arrays[1]) is np.ndarray:
        return arrays if arrays[0].dtype == arrays[1].dtype else float_operands(arrays)
    first = None
    for a in arrays:
        if type(a) is np.ndarray:
            if first is None:
                first = a.dtype
            elif a.dtype is not first and a.dtype != first:  # (`is`: equal dtypes are usually one object)
                return float_operands(arrays)
    return arrays


def float_operands(arrays: Sequence[Any]) -> list[Any]:
    """Integer operands cast to the float dtype of the float ones, as PyTorch promotes (int · float32 → float32).

    numpy would widen float32 to float64 here; arithmetic primitives
    (``promotes=True``) call this when an operand is an integer array.
    """
    floats = [a.dtype for a in arrays if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    if not floats:
        return list(arrays)
    target = np.result_type(*floats)
    return [a.astype(target) if isinstance(a, np.ndarray) and a.dtype.kind in "iu" else a for a in arrays]


def share_writes(source: Any, out: Tensor) -> None:
    """A view shares its base's write record, so writing either is seen by both."""
    if isinstance(source, Tensor) and np.may_share_memory(out.data, source.data):
        out._writes = source._shared_writes()


def explain_failure(prim: Primitive, arrays: Sequence[Any], err: Exception) -> Exception:
    """Turn numpy's error into one that names the op and the operand shapes (or the two devices it mixed)."""
    check_same_device(prim.name, *(a for a in arrays if hasattr(a, "dtype")))
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


def after_apply(
    state: _state.EngineState, prim: Primitive, inputs: tuple, arrays: list, params: dict, out: Tensor
) -> None:
    """Everything the rarer modes add to a primitive application."""
    if state.fwd_levels:
        from .forward import push_tangents

        push_tangents(prim, inputs, arrays, params, out)
    if state.counters:
        flops = prim.flops(out.data, *arrays, **params)
        for meter in state.counters:
            meter.add(prim.name, flops)
    if state.anomaly:
        from .anomaly import check_forward

        check_forward(prim, arrays, out)
    for observer in state.observers:
        observer.applied(prim, inputs, arrays, params, out)
