"""Function transforms in JAX's style: grad, value_and_grad, vjp, jvp, jacfwd, jacrev, hessian, hvp.

For f: R^D → R^M the Jacobian J (M × D) is built either column by column from
D JVPs (forward mode, J·eⱼ, one pass per input direction) or row by row from
M VJPs (reverse mode, eᵢᵀ·J, one backward pass per output). ``jacfwd`` and
``jacrev`` push all D (or M) basis vectors through one pass as a batch, in
chunks of ``chunk_size``; ``vectorize=False`` is the textbook loop.

Transforms compose (``grad(grad(f))``, ``jacfwd(jacrev(f))``): a transform's
variables are fresh graph nodes, so an outer transform sees through it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _state
from .backward import run_backward
from .errors import ShapeError
from .forward import attach_tangent, dual_level, tangent_of, unpack_dual
from .modes import enable_grad, no_grad
from .primitives.elementwise import identity
from .tensor import Tensor, check_grad_dtype, to_array, wrap

ArgNums = int | Sequence[int]


def _argnums(argnums: ArgNums) -> tuple[tuple[int, ...], bool]:
    if isinstance(argnums, int):
        return (argnums,), True
    return tuple(argnums), False


def _as_float_tensor(x: Any) -> Tensor:
    t = x if isinstance(x, Tensor) else wrap(to_array(x))
    check_grad_dtype(t.dtype, "input")
    return t


def variable(x: Any) -> Tensor:
    """A fresh tensor to differentiate with respect to.

    If ``x`` is itself being differentiated by an outer transform it becomes a
    new node on ``x`` (so the outer transform sees through); otherwise a new
    leaf sharing its values.
    """
    t = _as_float_tensor(x)
    if t.requires_grad and _state.grad_enabled:
        return identity(t)
    v = wrap(t.data)
    v.requires_grad = True
    v._tangents = dict(t._tangents) if t._tangents else None
    v._writes = t._shared_writes()
    return v


def _as_result(g: Any, like: Tensor, batch: tuple[int, ...] = ()) -> Tensor:
    if g is None:
        return wrap(np.zeros(batch + like.shape, like.dtype))
    return g if isinstance(g, Tensor) else wrap(np.asarray(g))


def _basis(n: int, lo: int, hi: int, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """Rows lo..hi of the n × n identity, each reshaped to ``shape``."""
    return np.eye(hi - lo, n, lo, dtype=dtype).reshape((hi - lo,) + tuple(shape))


def _chunks(n: int, chunk_size: int | None) -> list[tuple[int, int]]:
    step = max(1, n if not chunk_size else int(chunk_size))
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)]


def _join(parts: list[Any]) -> Any:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts, axis=0)


def _record(f: Callable[..., Any], args: list[Any]) -> Any:
    with enable_grad():
        return f(*args)


def value_and_grad(f: Callable[..., Tensor], argnums: ArgNums = 0) -> Callable[..., tuple[Tensor, Any]]:
    """``(f(x), ∇f(x))`` for a scalar-valued f, with the gradient w.r.t. ``argnums``."""
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def value_and_grad_f(*args: Any) -> tuple[Tensor, Any]:
        args = list(args)
        variables = []
        for i in nums:
            args[i] = variable(args[i])
            variables.append(args[i])
        out = _record(f, args)
        if not isinstance(out, Tensor) or out.size != 1:
            shape = out.shape if isinstance(out, Tensor) else type(out).__name__
            raise ShapeError(
                f"grad: f must return a scalar Tensor, got {shape}; use jacrev, jacfwd or vjp for non-scalar outputs"
            )
        grads: list[Any] = [None] * len(variables)
        if out.requires_grad:
            grads = run_backward(
                [out], [np.ones(out.shape, out.dtype)], inputs=variables, accumulate=False, create_graph=None
            )
        results = tuple(_as_result(g, v) for g, v in zip(grads, variables))
        return out, results[0] if single else results

    return value_and_grad_f


def grad(f: Callable[..., Tensor], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The gradient function ∇f of a scalar-valued f (composable: ``grad(grad(f))``)."""
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def grad_f(*args: Any) -> Any:
        return vg(*args)[1]

    return grad_f


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple[Tensor, ...]]]:
    """``(f(*primals), vjp_fn)`` where ``vjp_fn(ū) = ūᵀ·J`` for each primal (reverse mode).

    ``vjp_fn`` may be called many times; the graph lives as long as it does.
    """
    variables = [variable(p) for p in primals]
    out = _record(f, list(variables))
    outs = out if isinstance(out, tuple) else (out,)

    def vjp_fn(cotangent: Any) -> tuple[Tensor, ...]:
        cots = cotangent if isinstance(out, tuple) else (cotangent,)
        roots, seeds = [], []
        for o, c in zip(outs, cots):
            c = c.data if isinstance(c, Tensor) and not c.requires_grad else c
            if tuple(np.shape(c)) != o.shape:
                raise ShapeError(
                    f"vjp: cotangent of shape {tuple(np.shape(c))} does not match the output's shape {o.shape}"
                )
            if o.requires_grad:
                roots.append(o)
                seeds.append(c if isinstance(c, Tensor) else np.asarray(c, dtype=o.dtype))
        grads: list[Any] = [None] * len(variables)
        if roots:
            grads = run_backward(roots, seeds, inputs=variables, accumulate=False, retain_graph=True, create_graph=None)
        return tuple(_as_result(g, v) for g, v in zip(grads, variables))

    return out, vjp_fn


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``(f(*primals), J·tangents)`` in one forward pass (forward mode, no graph, no backward)."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    with dual_level() as level:
        duals = []
        for p, t in zip(primals, tangents):
            x = _as_float_tensor(p)
            tshape = tuple(np.shape(t.data if isinstance(t, Tensor) else t))
            if tshape != x.shape:
                raise ShapeError(f"jvp: tangent of shape {tshape} does not match primal of shape {x.shape}")
            duals.append(attach_tangent(x, t, level))
        out = f(*duals)
        outs = out if isinstance(out, tuple) else (out,)
        pairs = [unpack_dual(o, level) for o in outs]
    primal_out = tuple(p.primal for p in pairs)
    tangent_out = tuple(
        p.tangent if p.tangent is not None else wrap(np.zeros(o.shape, o.dtype)) for p, o in zip(pairs, outs)
    )
    if isinstance(out, tuple):
        return primal_out, tangent_out
    return primal_out[0], tangent_out[0]


def _to_output_major(j: Any, out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> Any:
    """(D,) + out.shape  →  out.shape + in.shape: the D × M block of columns, transposed."""
    d, m = math.prod(in_shape), math.prod(out_shape)
    return j.reshape((d, m)).T.reshape(tuple(out_shape) + tuple(in_shape))


def jacfwd(
    f: Callable[..., Tensor], argnums: ArgNums = 0, *, vectorize: bool = True, chunk_size: int | None = None
) -> Callable[..., Any]:
    """The Jacobian by forward mode: column j is the JVP J·eⱼ (D passes, or one batched pass).

    Result shape: ``out.shape + in.shape``. Cheaper than ``jacrev`` when D < M.
    """
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        results = []
        for i in nums:
            x = _as_float_tensor(args[i])
            columns: list[Any] = []
            out_shape: tuple[int, ...] = ()
            blocks = _chunks(x.size, chunk_size) if vectorize else [(j, j + 1) for j in range(x.size)]
            if not blocks:  # no input directions: the Jacobian is empty
                with no_grad():
                    out_shape = f(*args).shape
                results.append(wrap(np.zeros(out_shape + x.shape, x.dtype)))
                continue
            for lo, hi in blocks:
                basis = _basis(x.size, lo, hi, x.shape, x.dtype)
                with dual_level() as level:
                    a = list(args)
                    a[i] = attach_tangent(x, basis if vectorize else basis[0], level)
                    out = f(*a)
                    t = tangent_of(out, level)
                out_shape = out.shape
                if t is None:
                    t = np.zeros((hi - lo,) + out.shape, out.dtype)
                elif not vectorize:
                    t = t[None]
                columns.append(t)
            j = _to_output_major(_join(columns), out_shape, x.shape)
            results.append(j if isinstance(j, Tensor) else wrap(np.ascontiguousarray(j)))
        return results[0] if single else tuple(results)

    return jac


def jacrev(
    f: Callable[..., Tensor], argnums: ArgNums = 0, *, vectorize: bool = True, chunk_size: int | None = None
) -> Callable[..., Any]:
    """The Jacobian by reverse mode: row i is the VJP eᵢᵀ·J (M passes, or one batched pass).

    Result shape: ``out.shape + in.shape``. Cheaper than ``jacfwd`` when M < D.
    """
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        args = list(args)
        variables = []
        for i in nums:
            args[i] = variable(args[i])
            variables.append(args[i])
        out = _record(f, args)
        if not isinstance(out, Tensor):
            raise TypeError(f"jacrev: f must return a Tensor, got {type(out).__name__}")
        rows: list[list[Any]] = [[] for _ in variables]
        blocks = _chunks(out.size, chunk_size) if vectorize else [(j, j + 1) for j in range(out.size)]
        if not blocks:  # no outputs: the Jacobian is empty
            empty = tuple(wrap(np.zeros(out.shape + v.shape, out.dtype)) for v in variables)
            return empty[0] if single else empty
        for n, (lo, hi) in enumerate(blocks):
            basis = _basis(out.size, lo, hi, out.shape, out.dtype)
            seed = basis if vectorize else basis[0]
            batch = seed.shape[: seed.ndim - out.ndim]
            grads: list[Any] = [None] * len(variables)
            if out.requires_grad:
                last = n == len(blocks) - 1
                grads = run_backward(
                    [out], [seed], inputs=variables, accumulate=False, retain_graph=not last, create_graph=None
                )
            for k, (g, v) in enumerate(zip(grads, variables)):
                if g is None:
                    g = np.zeros(batch + v.shape, v.dtype)
                rows[k].append(g if vectorize else g[None])
        results = []
        for k, v in enumerate(variables):
            j = _join(rows[k]).reshape(out.shape + v.shape)
            results.append(j if isinstance(j, Tensor) else wrap(j))
        return results[0] if single else tuple(results)

    return jac


def hessian(f: Callable[..., Tensor], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The Hessian ∇²f of a scalar f, as forward-over-reverse ``jacfwd(jacrev(f))``."""
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f: Callable[..., Tensor], x: Any, v: Any) -> Tensor:
    """The Hessian-vector product ∇²f(x)·v in one forward-over-reverse pass (no Hessian formed)."""
    return jvp(grad(f), (x,), (v,))[1]


def jacobian(f: Callable[..., Tensor], argnums: int = 0, mode: str = "auto") -> Callable[..., Any]:
    """The Jacobian, by ``mode`` "forward" (D JVPs), "reverse" (M VJPs) or "auto" (whichever is fewer)."""
    if mode not in ("auto", "forward", "reverse"):
        raise ValueError(f"jacobian: mode must be 'auto', 'forward' or 'reverse', not {mode!r}")

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        chosen = mode
        if mode == "auto":
            with no_grad():
                m = f(*args).size
            d = _as_float_tensor(args[argnums]).size
            chosen = "forward" if d < m else "reverse"
        transform = jacfwd if chosen == "forward" else jacrev
        return transform(f, argnums)(*args)

    return jac
