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
from .errors import ArgumentTypeError, InvalidArgumentError, ShapeError
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
    if t.requires_grad and _state.current().grad_enabled:
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


def _with_variables(args: Sequence[Any], nums: tuple[int, ...]) -> tuple[list[Any], list[Tensor]]:
    """``args`` with the ``nums`` positions replaced by fresh ``variable``s, and those variables."""
    args = list(args)
    for i in nums:
        args[i] = variable(args[i])
    return args, [args[i] for i in nums]


def _record(f: Callable[..., Any], args: list[Any]) -> Any:
    with enable_grad():
        return f(*args)


def value_and_grad(f: Callable[..., Tensor], argnums: ArgNums = 0) -> Callable[..., tuple[Tensor, Any]]:
    """``(f(x), ∇f(x))`` for a scalar-valued f, with the gradient w.r.t. ``argnums``.

    >>> value, gradient = ag.value_and_grad(lambda w: (w**2).sum())(ag.tensor([1.0, -2.0]))
    >>> value.item(), gradient
    (5.0, tensor([ 2., -4.]))
    """
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def value_and_grad_f(*args: Any) -> tuple[Tensor, Any]:
        args, variables = _with_variables(args, nums)
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
    """The gradient function ∇f of a scalar-valued f (composable: ``grad(grad(f))``).

    >>> df = ag.grad(lambda x: (x**3).sum())
    >>> df(ag.tensor([1.0, 2.0]))
    tensor([ 3., 12.])
    >>> ag.grad(ag.grad(lambda x: x**3))(2.0)
    tensor(12.)
    """
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def grad_f(*args: Any) -> Any:
        return vg(*args)[1]

    return grad_f


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple[Tensor, ...]]]:
    """``(f(*primals), vjp_fn)`` where ``vjp_fn(ū) = ūᵀ·J`` for each primal (reverse mode).

    ``vjp_fn`` may be called many times; the graph lives as long as it does.

    >>> f = lambda x: x**2
    >>> y, vjp_fn = ag.vjp(f, ag.tensor([1.0, 2.0, 3.0]))
    >>> vjp_fn(ag.tensor([1.0, 0.0, 1.0]))
    (tensor([2., 0., 6.]),)
    """
    variables = [variable(p) for p in primals]
    out = _record(f, list(variables))
    outs = out if isinstance(out, tuple) else (out,)

    def vjp_fn(cotangent: Any) -> tuple[Tensor, ...]:
        if isinstance(out, tuple) and not isinstance(cotangent, (tuple, list)):
            raise InvalidArgumentError(f"vjp: f returned a tuple of {len(outs)} outputs; pass a tuple of cotangents")
        cots = tuple(cotangent) if isinstance(out, tuple) else (cotangent,)
        if len(cots) != len(outs):
            raise InvalidArgumentError(
                f"vjp: f returned {len(outs)} outputs but {len(cots)} cotangents were given; pass one per output"
            )
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
    """``(f(*primals), J·tangents)`` in one forward pass (forward mode, no graph, no backward).

    >>> f = lambda x: x**2
    >>> ag.jvp(f, (ag.tensor([1.0, 2.0]),), (ag.tensor([1.0, 0.0]),))
    (tensor([1., 4.]), tensor([2., 0.]))
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise InvalidArgumentError(
            f"jvp: {len(primals)} primals but {len(tangents)} tangents; pass one tangent per primal"
        )
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


def _outputs(out: Any, name: str) -> tuple[list[Tensor], bool]:
    """``f``'s result as a list of Tensors, and whether it was a tuple."""
    items = list(out) if isinstance(out, tuple) else [out]
    for o in items:
        if not isinstance(o, Tensor):
            raise ArgumentTypeError(f"{name}: f must return a Tensor or a tuple of Tensors, got {type(o).__name__}")
    return items, isinstance(out, tuple)


def _arrange(table: list[list[Tensor]], tuple_out: bool, single_arg: bool) -> Any:
    """``table[o][k]`` (output o, argument k) nested as JAX does: outputs outside, arguments inside."""
    per_output = [row[0] if single_arg else tuple(row) for row in table]
    return tuple(per_output) if tuple_out else per_output[0]


def _finish(j: Any, out: Tensor, x: Tensor) -> Tensor:
    """A Jacobian block as a C-ordered Tensor in the dtype of output and input together."""
    dtype = np.result_type(out.dtype, x.dtype)
    if isinstance(j, Tensor):
        return j if j.dtype == dtype else j.astype(dtype)
    return wrap(np.require(j, dtype=dtype, requirements="C"))


def jacfwd(
    f: Callable[..., Any], argnums: ArgNums = 0, *, vectorize: bool = True, chunk_size: int | None = None
) -> Callable[..., Any]:
    """The Jacobian by forward mode: column j is the JVP J·eⱼ (D passes, or one batched pass).

    Each block has shape ``out.shape + in.shape``; for several outputs or
    ``argnums`` the blocks nest as in JAX (outputs outside, arguments
    inside). Cheaper than ``jacrev`` when D < M.

    >>> f = lambda x: ag.stack([x[0] * x[1], ag.sin(x[0])])
    >>> ag.jacfwd(f)(ag.tensor([0.0, 2.0]))
    tensor([[2., 0.],
            [1., 0.]])
    """
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        table: list[list[Tensor]] = []
        tuple_out = False
        for i in nums:
            x = _as_float_tensor(args[i])
            blocks = _chunks(x.size, chunk_size) if vectorize else [(j, j + 1) for j in range(x.size)]
            columns: list[list[Any]] = []
            outs: list[Tensor] = []
            if not blocks:  # no input directions: every block is empty
                with no_grad():
                    outs, tuple_out = _outputs(f(*args), "jacfwd")
                columns = [[np.zeros((0,) + o.shape, o.dtype)] for o in outs]
            for lo, hi in blocks:
                basis = _basis(x.size, lo, hi, x.shape, x.dtype)
                with dual_level() as level:
                    a = list(args)
                    a[i] = attach_tangent(x, basis if vectorize else basis[0], level)
                    outs, tuple_out = _outputs(f(*a), "jacfwd")
                    tangents = [tangent_of(o, level) for o in outs]
                columns = columns or [[] for _ in outs]
                for o, t, column in zip(outs, tangents, columns):
                    if t is None:
                        t = np.zeros((hi - lo,) + o.shape, o.dtype)
                    elif not vectorize:
                        t = t[None]
                    column.append(t)
            table = table or [[] for _ in outs]
            for row, o, column in zip(table, outs, columns):
                row.append(_finish(_to_output_major(_join(column), o.shape, x.shape), o, x))
        return _arrange(table, tuple_out, single)

    return jac


def _jacrev_blocks(
    outs: list[Tensor], variables: list[Tensor], vectorize: bool, chunk_size: int | None
) -> list[list[Tensor]]:
    """Rows eᵢᵀ·J of every output, by backward passes through one recorded forward pass: ``[output][argument]``."""
    plans = [_chunks(o.size, chunk_size) if vectorize else [(j, j + 1) for j in range(o.size)] for o in outs]
    passes_left = sum(len(p) for o, p in zip(outs, plans) if o.requires_grad)
    table = []
    for o, blocks in zip(outs, plans):
        rows: list[list[Any]] = [[] for _ in variables]
        for lo, hi in blocks:
            basis = _basis(o.size, lo, hi, o.shape, o.dtype)
            seed = basis if vectorize else basis[0]
            batch = seed.shape[: seed.ndim - o.ndim]
            grads: list[Any] = [None] * len(variables)
            if o.requires_grad:
                passes_left -= 1  # the graph is freed by the last pass
                grads = run_backward(
                    [o], [seed], inputs=variables, accumulate=False, retain_graph=passes_left > 0, create_graph=None
                )
            for k, (g, v) in enumerate(zip(grads, variables)):
                if g is None:
                    g = np.zeros(batch + v.shape, v.dtype)
                rows[k].append(g if vectorize else g[None])
        table.append(
            [
                _finish(_join(r).reshape(o.shape + v.shape) if r else np.zeros(o.shape + v.shape), o, v)
                for r, v in zip(rows, variables)
            ]
        )
    return table


def jacrev(
    f: Callable[..., Any], argnums: ArgNums = 0, *, vectorize: bool = True, chunk_size: int | None = None
) -> Callable[..., Any]:
    """The Jacobian by reverse mode: row i is the VJP eᵢᵀ·J (M passes, or one batched pass).

    Each block has shape ``out.shape + in.shape``, nested as in ``jacfwd``.
    Cheaper than ``jacfwd`` when M < D.

    >>> f = lambda x: ag.stack([x[0] * x[1], ag.sin(x[0])])
    >>> ag.jacrev(f)(ag.tensor([0.0, 2.0]))
    tensor([[2., 0.],
            [1., 0.]])
    """
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        args, variables = _with_variables(args, nums)
        outs, tuple_out = _outputs(_record(f, args), "jacrev")
        return _arrange(_jacrev_blocks(outs, variables, vectorize, chunk_size), tuple_out, single)

    return jac


def hessian(f: Callable[..., Tensor], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The Hessian ∇²f of a scalar f, as forward-over-reverse ``jacfwd(jacrev(f))``.

    >>> f = lambda x: x[0] ** 2 * x[1]
    >>> ag.hessian(f)(ag.tensor([1.0, 3.0]))
    tensor([[6., 2.],
            [2., 0.]])
    """
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f: Callable[..., Tensor], x: Any, v: Any) -> Tensor:
    """The Hessian-vector product ∇²f(x)·v in one forward-over-reverse pass (no Hessian formed).

    >>> f = lambda x: x[0] ** 2 * x[1]
    >>> ag.hvp(f, ag.tensor([1.0, 3.0]), ag.tensor([1.0, 0.0]))
    tensor([6., 2.])
    """
    return jvp(grad(f), (x,), (v,))[1]


def jacobian(f: Callable[..., Any], argnums: ArgNums = 0, mode: str = "auto") -> Callable[..., Any]:
    """The Jacobian by ``mode``: "forward" (D JVPs), "reverse" (M VJPs) or "auto" (whichever is fewer).

    "auto" records one forward pass, reads M from it and continues in reverse
    mode when M ≤ D; otherwise it runs f again with tangents (forward mode).

    >>> A = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> ag.jacobian(lambda x: A @ x)(ag.ones(2))
    tensor([[1., 2.],
            [3., 4.],
            [5., 6.]])
    >>> ag.jacobian(lambda x: A @ x, mode="reverse")(ag.ones(2))
    tensor([[1., 2.],
            [3., 4.],
            [5., 6.]])
    """
    if mode not in ("auto", "forward", "reverse"):
        raise InvalidArgumentError(f"jacobian: mode must be 'auto', 'forward' or 'reverse', not {mode!r}")
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        if mode == "forward":
            return jacfwd(f, argnums)(*args)
        recorded, variables = _with_variables(args, nums)
        outs, tuple_out = _outputs(_record(f, recorded), "jacobian")
        if mode == "auto" and sum(v.size for v in variables) < sum(o.size for o in outs):
            return jacfwd(f, argnums)(*args)
        return _arrange(_jacrev_blocks(outs, variables, True, None), tuple_out, single)

    return jac
