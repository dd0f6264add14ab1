"""A test-only array that behaves like CuPy's: numpy's protocols work, implicit conversion is refused.

``StrictArray`` wraps an ndarray, answers ``__array_ufunc__`` and
``__array_function__`` by delegating to numpy on the wrapped arrays and
re-wrapping the results, and raises on ``__array__`` exactly where CuPy raises
"Implicit conversion to a NumPy array is not allowed". Like CuPy, it refuses
numpy arrays as operands of its ufuncs and functions (arrays on two devices),
exposes no ``__array_interface__`` for numpy to read its memory through, has a
``.data`` that is an opaque memory pointer (not the values: CuPy's
``MemoryPointer``), and
refuses ``float()``, ``bool()``, ``item()`` and ``tolist()`` (CuPy answers those
with a hidden device-to-host copy, which the engine must not make either).
Running the engine on it proves no code path converts a backend array to host
memory behind the user's back.

It also refuses what CuPy itself cannot compute, so "runs on StrictArray"
means "CuPy can run this" and not only "nothing was copied". The modelled
limits, each from CuPy's reference documentation (docs.cupy.dev, "Universal
functions (cupy.ufunc)" and the ``cupy.amax``/``cupy.sum``/... pages):

- ufunc methods exist only for some ufuncs (``UFUNC_METHODS``):
  ``reduce`` and ``accumulate`` for add and multiply, ``reduceat`` for add,
  ``outer`` for all, ``at`` for add, subtract, maximum, minimum and the bitwise
  and/or/xor. ``np.maximum.reduce(x)`` is an error on CuPy; ``x.max()`` is not.
- a ufunc call takes ``out``, ``dtype`` and ``casting`` only (no ``where=``),
  and ``ufunc.reduce`` takes ``axis``, ``dtype``, ``out``, ``keepdims`` only.
- the reductions (``max``/``amax``/``min``/``amin``/``sum``/``prod``/``mean``/
  ``any``/``all``/... as functions or methods) take ``axis``, ``dtype``,
  ``out``, ``keepdims``: numpy's ``initial=`` and ``where=`` are refused.
- ``sort``/``argsort`` take ``kind=None`` or ``"stable"`` only (CuPy always sorts stably).
- numpy functions CuPy does not implement (``MISSING_FUNCTIONS``, from CuPy's
  "Comparison Table") are refused; every numpy function the engine calls is
  implemented by CuPy.
- like ``cupy.ndarray``, it can be weakly referenced.

``STRICT`` registers it with the library as the pseudo-device "strict", so
``ag.tensor(x, device="strict")``, ``t.to("strict")`` and ``t.cpu()`` exercise
the device plumbing on a machine without a GPU (``registered()``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd_core import backend


class ImplicitConversionError(TypeError):
    """Raised where CuPy would refuse an implicit host conversion."""


def _unwrap(x: Any) -> Any:
    if isinstance(x, StrictArray):
        return x.array
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _refuse_host(values: Any) -> None:
    """CuPy's rule: a numpy array among the operands is an error ("Unsupported type"), not a silent transfer."""
    for v in values:
        if isinstance(v, np.ndarray):
            raise TypeError(f"Unsupported type {type(v)} (a host array mixed with StrictArray operands)")
        if isinstance(v, (list, tuple)):
            _refuse_host(v)


#: ufunc methods CuPy implements, and for which ufuncs (None: every ufunc).
UFUNC_METHODS: dict[str, frozenset[str] | None] = {
    "reduce": frozenset({"add", "multiply"}),
    "accumulate": frozenset({"add", "multiply"}),
    "reduceat": frozenset({"add"}),
    "outer": None,
    "at": frozenset({"add", "subtract", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor"}),
}
#: The keywords CuPy's ufunc call and ``ufunc.reduce`` accept.
UFUNC_CALL_KEYWORDS = frozenset({"out", "dtype", "casting"})
UFUNC_REDUCE_KEYWORDS = frozenset({"axis", "dtype", "out", "keepdims"})
#: Reductions whose CuPy versions take no ``initial=``/``where=`` (numpy's extras).
REDUCTIONS = frozenset(
    {"max", "amax", "min", "amin", "sum", "prod", "mean", "any", "all", "nanmax", "nanmin", "nansum", "nanprod"}
)
NUMPY_ONLY_REDUCTION_KEYWORDS = frozenset({"initial", "where"})
#: numpy functions with no CuPy implementation (CuPy's comparison table lists them as "-").
MISSING_FUNCTIONS = frozenset({"busday_count", "busday_offset", "is_busday", "datetime_as_string"})


class CupyUnsupportedError(TypeError):
    """Raised where CuPy itself cannot compute the request (a numpy feature CuPy does not implement)."""


def _check_reduction_keywords(name: str, kwargs: dict) -> None:
    extra = NUMPY_ONLY_REDUCTION_KEYWORDS & set(kwargs)
    if name in REDUCTIONS and extra:
        raise CupyUnsupportedError(
            f"{name}() got an unexpected keyword argument {sorted(extra)[0]!r} (CuPy's {name}: axis, dtype, out, "
            "keepdims only)"
        )


def _check_ufunc_method(ufunc: Any, method: str, kwargs: dict) -> None:
    name = ufunc.__name__
    if method == "__call__":
        extra = set(kwargs) - UFUNC_CALL_KEYWORDS
        if extra:
            raise CupyUnsupportedError(f"Wrong arguments {sorted(extra)} (CuPy's ufunc {name}: out, dtype, casting)")
        return
    allowed = UFUNC_METHODS.get(method, frozenset())
    if allowed is not None and name not in allowed:
        raise CupyUnsupportedError(f"CuPy does not implement {name}.{method} (only for {sorted(allowed or ())})")
    if method == "reduce":
        extra = set(kwargs) - UFUNC_REDUCE_KEYWORDS
        if extra:
            raise CupyUnsupportedError(f"{name}.reduce() got unexpected keyword arguments {sorted(extra)} (CuPy)")


def _foreign(x: Any) -> bool:
    return hasattr(type(x), "__array_ufunc__") and not isinstance(x, (StrictArray, np.ndarray, np.generic))


def _wrap(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return StrictArray(x)
    if isinstance(x, np.generic):
        return StrictArray(np.asarray(x))
    if isinstance(x, tuple):
        return tuple(_wrap(v) for v in x)
    if isinstance(x, list):
        return [_wrap(v) for v in x]
    return x


class MemoryPointer:
    """What ``StrictArray.data`` is, as ``cupy_array.data`` is a ``cupy.cuda.MemoryPointer``: an address, not values.

    numpy sees an opaque object (``np.asarray(strict.data)`` is a 0-d object
    array), so code that reads a backend array's ``.data`` expecting its
    values fails here as it would on CuPy.
    """

    __slots__ = ("ptr",)

    def __init__(self, ptr: int) -> None:
        self.ptr = ptr

    def __repr__(self) -> str:
        return f"<MemoryPointer 0x{self.ptr:x}>"


class StrictArray:
    """An ndarray in disguise that refuses ``np.asarray(self)``."""

    __slots__ = ("array", "__weakref__")  # cupy.ndarray can be weakly referenced

    def __init__(self, array: Any) -> None:
        self.array = np.asarray(array)

    # --- the protocols CuPy implements
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(_foreign(x) for x in inputs):
            return NotImplemented  # CuPy defers to other array types (a Tensor's reflected operation)
        _check_ufunc_method(ufunc, method, kwargs)
        _refuse_host(inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(_unwrap(o) for o in kwargs["out"])
        return _wrap(getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs)))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        for t in types:  # CuPy calls its own function, which accepts no other array type
            if t is not StrictArray:
                raise TypeError(f"Unsupported type {t} (StrictArray's {func.__name__} got another array type)")
        if func.__name__ in MISSING_FUNCTIONS:
            raise CupyUnsupportedError(f"CuPy has no {func.__name__}")
        _check_reduction_keywords(func.__name__, kwargs)
        if func.__name__ in ("sort", "argsort") and kwargs.get("kind") not in (None, "stable"):
            raise CupyUnsupportedError(f"{func.__name__}: CuPy sorts stably and accepts kind=None or 'stable' only")
        _refuse_host(args)
        _refuse_host(v for k, v in kwargs.items() if k not in ("out", "like"))
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise ImplicitConversionError("Implicit conversion to a NumPy array is not allowed (StrictArray)")

    def get(self) -> np.ndarray:
        """The explicit copy to host (CuPy's spelling)."""
        return self.array.copy()

    # --- ndarray's attributes and methods, on the wrapped array
    shape = property(lambda self: self.array.shape)
    ndim = property(lambda self: self.array.ndim)
    size = property(lambda self: self.array.size)
    dtype = property(lambda self: self.array.dtype)
    T = property(lambda self: StrictArray(self.array.T))
    flags = property(lambda self: self.array.flags)
    base = property(lambda self: self.array.base)
    data = property(lambda self: MemoryPointer(self.array.__array_interface__["data"][0]))  # CuPy: a MemoryPointer

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # no __array_interface__ / __array_struct__ for numpy to read the memory through
            raise AttributeError(name)
        if name in ("item", "tolist", "tobytes", "__array_interface__"):
            raise ImplicitConversionError(f"{name}() of a device array needs an explicit copy to host (.get())")
        attr = getattr(self.array, name)
        if callable(attr):

            def method(*a: Any, **k: Any) -> Any:
                _check_reduction_keywords(name, k)
                return _wrap(attr(*_unwrap(a), **_unwrap(k)))

            return method
        return _wrap(attr)

    def __getitem__(self, index: Any) -> Any:
        return _wrap(self.array[_unwrap(index)])

    def __setitem__(self, index: Any, value: Any) -> None:
        _refuse_host([value])
        self.array[_unwrap(index)] = _unwrap(value)

    def __len__(self) -> int:
        return len(self.array)

    def __bool__(self) -> bool:
        raise ImplicitConversionError("truth value of a device array needs an explicit copy to host")

    def __float__(self) -> float:
        raise ImplicitConversionError("float() of a device array needs an explicit copy to host")

    def __int__(self) -> int:
        raise ImplicitConversionError("int() of a device array needs an explicit copy to host")

    def __index__(self) -> int:
        raise ImplicitConversionError("use as an index of a device array needs an explicit copy to host")

    def __repr__(self) -> str:
        return f"StrictArray({self.array!r})"


def _binary(ufunc: Any, reflected: bool = False):
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


for _name, _ufunc in {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "truediv": np.true_divide,
    "pow": np.power,
    "matmul": np.matmul,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "eq": np.equal,
    "ne": np.not_equal,
    "and": np.bitwise_and,
    "or": np.bitwise_or,
}.items():
    setattr(StrictArray, f"__{_name}__", _binary(_ufunc))
    if _name in ("add", "sub", "mul", "truediv", "pow", "matmul", "and", "or"):
        setattr(StrictArray, f"__r{_name}__", _binary(_ufunc, reflected=True))


def _inplace(ufunc: Any):
    def apply(self, other):
        ufunc(self, other, out=(self,))
        return self

    return apply


for _name, _ufunc in {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "truediv": np.true_divide,
    "pow": np.power,
}.items():
    setattr(StrictArray, f"__i{_name}__", _inplace(_ufunc))  # CuPy writes in place too (p -= lr * g)
StrictArray.__neg__ = lambda self: np.negative(self)
StrictArray.__abs__ = lambda self: np.absolute(self)
StrictArray.__invert__ = lambda self: np.invert(self)
StrictArray.__hash__ = None


STRICT = backend.Backend(
    name="strict",
    owns=lambda x: isinstance(x, StrictArray),
    from_host=lambda a, index: StrictArray(np.array(a)),
    to_host=lambda x: x.get(),
)


@contextlib.contextmanager
def registered() -> Iterator[backend.Backend]:
    """``with registered():`` — the pseudo-device "strict" is known to the library inside the block."""
    backend.register_backend(STRICT)
    try:
        yield STRICT
    finally:
        backend.unregister_backend("strict")
