"""Choosing how each matrix product of a program writes its result, by timing both ways once.

``np.matmul(a, b, out=c)`` with ``c`` in column-major order makes numpy's
BLAS compute ``cᵀ = bᵀ·aᵀ``: the same products summed in the same order, but
with the roles of the two operands swapped, which BLAS kernels run at
different speeds (a 64×784 by 784×256 float32 product runs about 20 % faster
one way than the other on some machines, and slower on others). So for each
small matrix product of a program, the build times

* ``matmul(a, b, out=c)`` (row-major result, as eager mode writes it), and
* ``matmul(a, b, out=s)`` into a column-major scratch ``s``, then ``c[...] = s``,

on arrays of the program's shapes, dtypes and layouts, and keeps the second
only when it is clearly faster and gives the same bits as the first. The
decision is remembered per (shapes, layouts, dtype) for the life of the
process, so retracing costs nothing; products too large for the swap to
matter (or to time cheaply) are left as they are.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..tensor import Tensor
from .ir import Value

#: Products with more multiply-adds than this are not timed (the swap rarely matters there and timing costs).
MAX_MULTIPLY_ADDS = 1 << 24
#: The column-major way is kept only when its best time is below this fraction of the row-major one's.
MARGIN = 0.92
#: Whether programs time their products at build (tests switch it off for listings that must not vary).
ENABLED = True

_decisions: dict[tuple, bool] = {}


def copy_into(src: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``out[...] = src`` (a new row-major copy when ``out`` is None): a product's result into its own buffer."""
    if out is None:
        return np.array(src, order="C")
    np.copyto(out, src)
    return out


def layout_of(v: Any, producers: dict[int, Any], leaves: list, big: Any, memo: dict[int, str | None]) -> str | None:
    """ "C" or "F" for a 2-d operand whose memory order is known when the program runs, else None."""
    if not isinstance(v, Value) or len(v.shape) != 2:
        return None
    if v.number in memo:
        return memo[v.number]
    memo[v.number] = None  # while looking (cycles cannot occur, but a chain must not recurse twice)
    found = None
    if v.kind == "input":
        data = _array_of(leaves[v.source])
        found = "C" if data.flags.c_contiguous else None  # the cache key pins an input's C-contiguity
    elif v.kind in ("captured", "const", "grad"):
        data = _array_of(v.source)
        found = "C" if isinstance(data, np.ndarray) and data.flags.c_contiguous else None
    else:
        ins = producers.get(v.number)
        if ins is None or getattr(v, "order", "C") != "C":
            found = None
        elif ins.mode == "view" and ins.template == "{0}.T":
            found = {"C": "F", "F": "C"}.get(layout_of(ins.args[0], producers, leaves, big, memo))
        elif ins.mode == "out" and big(v):
            found = "C"  # a planned row-major buffer
        elif ins.mode == "ufunc" and big(v):
            # a new row-major buffer, or in place over an operand of its shape
            same = [a for a in ins.args if isinstance(a, Value) and tuple(a.shape) == tuple(v.shape)]
            if all(layout_of(a, producers, leaves, big, memo) == "C" for a in same):
                found = "C"
    memo[v.number] = found
    return found


def _array_of(obj: Any) -> Any:
    return obj.data if isinstance(obj, Tensor) else obj


def _array(shape: tuple, order: str, dtype: np.dtype, rng: np.random.Generator) -> np.ndarray:
    a = np.asarray(rng.standard_normal(shape if order == "C" else shape[::-1]), dtype)
    return a if order == "C" else a.T


def _best(fn: Any, rounds: int = 5) -> float:
    """Best CPU seconds per call of ``fn`` over ``rounds`` runs of at least about 0.2 ms each."""
    fn()
    start = time.process_time()
    fn()
    once = max(time.process_time() - start, 1e-6)
    number = max(1, min(64, int(2e-4 / once)))
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - start) / number)
    return best


def column_major_is_faster(a_shape: tuple, a_order: str, b_shape: tuple, b_order: str, dtype: np.dtype) -> bool:
    """Whether ``matmul(a, b)`` written column-major then copied beats writing it row-major, with the same bits."""
    key = (a_shape, a_order, b_shape, b_order, np.dtype(dtype).str)
    found = _decisions.get(key)
    if found is not None:
        return found
    rng = np.random.default_rng(0)
    a = _array(a_shape, a_order, dtype, rng)
    b = _array(b_shape, b_order, dtype, rng)
    shape = (a_shape[0], b_shape[1])
    row, other, scratch = np.empty(shape, dtype), np.empty(shape, dtype), np.empty(shape[::-1], dtype).T
    np.matmul(a, b, out=row)
    copy_into(np.matmul(a, b, out=scratch), other)
    same = np.array_equal(row.view(f"u{row.itemsize}"), other.view(f"u{row.itemsize}"))
    decision = False
    if same:
        direct = _best(lambda: np.matmul(a, b, out=row))
        swapped = _best(lambda: copy_into(np.matmul(a, b, out=scratch), other))
        decision = swapped < MARGIN * direct
    _decisions[key] = decision
    return decision


def tune_products(lowering: Any, leaves: list) -> list[Value]:
    """Rewrite the lowering's row-major ``matmul`` lines that run faster column-major; returns the captured
    Values whose layout the choice relies on (the program guards them)."""
    if not ENABLED:
        return []
    from .lower import Instr

    producers = {ins.out.number: ins for ins in lowering.instrs if ins.out is not None}
    memo: dict[int, str | None] = {}
    relied: list[Value] = []
    instrs = []
    for ins in lowering.instrs:
        out = ins.out
        if (
            ins.fn is np.matmul
            and ins.mode == "out"
            and not ins.kwargs
            and out is not None
            and len(ins.args) == 2
            and len(out.shape) == 2
            and out.dtype.kind == "f"
            and lowering.big(out)
        ):
            a, b = ins.args
            orders = (
                layout_of(a, producers, leaves, lowering.big, memo),
                layout_of(b, producers, leaves, lowering.big, memo),
            )
            m, k = a.shape
            n = b.shape[1]
            if (
                None not in orders
                and a.dtype == b.dtype == out.dtype
                and m * n * k <= MAX_MULTIPLY_ADDS
                and column_major_is_faster(tuple(a.shape), orders[0], tuple(b.shape), orders[1], out.dtype)
            ):
                scratch = lowering.temp(out.shape, out.dtype)
                scratch.order = "F"
                instrs.append(
                    Instr(np.matmul, "matmul", (a, b), scratch, "out", comment=ins.comment + " (column-major)")
                )
                instrs.append(Instr(copy_into, "copy_into", (scratch,), out, "out", comment="row-major copy"))
                relied += [v for v in _roots((a, b), producers) if v.kind == "captured"]
                continue
        instrs.append(ins)
    lowering.instrs[:] = instrs
    return relied


def _roots(values: tuple, producers: dict[int, Any]) -> list[Value]:
    found = []
    for v in values:
        ins = producers.get(v.number)
        if ins is not None and ins.mode == "view":
            found += _roots(ins.args[:1], producers)
        else:
            found.append(v)
    return found
