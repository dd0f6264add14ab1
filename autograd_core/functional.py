"""Function transforms in JAX's style: grad, value_and_grad, vjp, jvp, jacfwd, jacrev, hessian, hvp, linearize.

For f: R^D → R^M the Jacobian J (M × D) is built either column by column from
D JVPs (forward mode, J·eⱼ, one pass per input direction) or row by row from
M VJPs (reverse mode, eᵢᵀ·J, one backward pass per output). ``jacfwd`` and
``jacrev`` push all D (or M) basis vectors through one pass as a batch, in
chunks of ``chunk_size``; ``vectorize=False`` is the textbook loop.

Arguments and results are pytrees (``pytree.py``): ``grad(loss)(params)``
with a dict of parameters returns a dict of the same structure, and Jacobians
nest as JAX's do — the output's structure outside, the input's inside
(``hessian(f)(p)["a"]["b"]``). ``has_aux=True``: f returns ``(output, aux)``
and aux is passed through untouched.

Transforms compose (``grad(grad(f))``, ``jacfwd(jacrev(f))``, ``vmap(grad(f))``):
a transform's variables are fresh graph nodes, so an outer transform sees
through it; inside ``vmap`` they are tensors of the vmap's level, so the
transform runs once for the whole batch.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _state, backend
from .arguments import callable_argument, integer_argument, is_integer
from .backward import run_backward, topological_order
from .batched import BatchedTensor
from .batched import like as batched_like
from .broadcasting import expand, lift
from .errors import ArgumentTypeError, GraphFreedError, InvalidArgumentError, ShapeError
from .forward import attach_tangent, dual_level, tangent_of, unpack_dual
from .modes import enable_grad, is_grad_enabled, no_grad
from .primitives.elementwise import identity
from .pytree import TreeDef, flatten_up_to, tree_flatten, tree_map
from .tensor import Tensor, check_grad_dtype, constant_array, to_array, wrap
from .vmap import lift_to_level

ArgNums = int | Sequence[int]


def _argnums(argnums: ArgNums) -> tuple[tuple[int, ...], bool]:
    if is_integer(argnums):
        return (int(argnums),), True
    if not isinstance(argnums, (tuple, list)) or not all(is_integer(i) for i in argnums):
        raise ArgumentTypeError(f"argnums must be an integer or a tuple of integers, not {argnums!r}")
    nums = tuple(int(a) for a in argnums)
    if not nums:
        raise InvalidArgumentError("argnums must name at least one argument")
    return nums, False


def _check_argnums(nums: tuple[int, ...], args: Sequence[Any], name: str) -> None:
    for i in nums:
        if not -len(args) <= i < len(args):
            raise InvalidArgumentError(
                f"{name}: argnums asks for argument {i} but the function was called with {len(args)} argument(s)"
            )


def _as_float_tensor(x: Any) -> Tensor:
    t = x if isinstance(x, Tensor) else wrap(to_array(x))
    check_grad_dtype(t.dtype, "input")
    return lift_to_level(t)


def variable(x: Any) -> Tensor:
    """A fresh tensor to differentiate with respect to.

    If ``x`` is itself being differentiated by an outer transform it becomes a
    new node on ``x`` (so the outer transform sees through); otherwise a new
    leaf sharing its values. Inside ``vmap`` it is a tensor of the vmap's level.
    """
    t = _as_float_tensor(x)
    if t.requires_grad and _state.current().grad_enabled:
        return identity(t)
    tangents = dict(t._tangents) if t._tangents else None
    if isinstance(t, BatchedTensor):
        v = batched_like(t, tangents=tangents)
        v.requires_grad = True
        return v
    v = wrap(t.data)
    v.requires_grad = True
    v._tangents = tangents
    v._writes = t._shared_writes()
    return v


def _create_graph() -> bool | None:
    """``create_graph`` for a transform's backward pass: the engine decides, except inside vmap.

    Inside vmap the values a BatchedTensor wraps may be differentiated by a
    transform outside it, which the inner graph cannot show; recording keeps
    that possible.
    """
    state = _state.current()
    if state.batch_levels:
        return state.grad_enabled
    return None


def _as_result(g: Any, like: Tensor, batch: tuple[int, ...] = ()) -> Tensor:
    if g is None:
        return wrap(backend.zeros(batch + like.shape, like.dtype, like.data))
    return g if isinstance(g, Tensor) else wrap(backend.as_array(g))


def _basis(n: int, lo: int, hi: int, shape: tuple[int, ...], dtype: Any, ref: Any = None) -> np.ndarray:
    """Rows lo..hi of the n × n identity, each reshaped to ``shape``, on the device of array ``ref``."""
    device_ref = backend.like(ref)  # made on the device itself, not copied there
    if device_ref is None:
        rows = np.eye(hi - lo, n, lo, dtype=dtype)
    else:
        rows = np.eye(hi - lo, n, lo, dtype=dtype, like=device_ref)
    return rows.reshape((hi - lo,) + tuple(shape))


def _chunks(n: int, chunk_size: int | None) -> list[tuple[int, int]]:
    if chunk_size is not None:
        chunk_size = integer_argument(chunk_size, "chunk_size", "jacobian", minimum=1)
    step = max(1, n if not chunk_size else int(chunk_size))
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)]


def _join(parts: list[Any]) -> Any:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts, axis=0)


class _Arguments:
    """The differentiated arguments of a call (``argnums``), flattened to leaves."""

    def __init__(self, args: Sequence[Any], nums: tuple[int, ...], name: str) -> None:
        _check_argnums(nums, args, name)
        self.args = list(args)
        self.nums = nums
        self.treedefs: list[TreeDef] = []
        self.leaves: list[list[Any]] = []
        for i in nums:
            leaves, treedef = tree_flatten(self.args[i])
            if not leaves:
                raise ArgumentTypeError(
                    f"{name}: argument {i} holds no tensor or number to differentiate (got {self.args[i]!r}); "
                    "pass a Tensor, an array, a number or a pytree of them"
                )
            self.treedefs.append(treedef)
            self.leaves.append(leaves)

    def flat(self) -> list[Any]:
        """Every differentiated leaf, argument after argument."""
        return [leaf for leaves in self.leaves for leaf in leaves]

    def with_leaves(self, flat: Sequence[Any]) -> list[Any]:
        """The arguments with the differentiated leaves replaced by ``flat``."""
        args = list(self.args)
        it = iter(flat)
        for i, treedef, leaves in zip(self.nums, self.treedefs, self.leaves):
            args[i] = treedef.unflatten([next(it) for _ in leaves])
        return args

    def nest(self, flat: Sequence[Any], single: bool) -> Any:
        """Per-leaf results as pytrees shaped like the arguments (a tuple of them unless ``single``)."""
        it = iter(flat)
        trees = [treedef.unflatten([next(it) for _ in leaves]) for treedef, leaves in zip(self.treedefs, self.leaves)]
        return trees[0] if single else tuple(trees)


def _record(f: Callable[..., Any], args: list[Any], kwargs: dict | None = None) -> Any:
    with enable_grad():
        return f(*args, **(kwargs or {}))


def _split_aux(out: Any, has_aux: bool, name: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ArgumentTypeError(f"{name}(has_aux=True): f must return a pair (output, aux), got {type(out).__name__}")
    return out[0], out[1]


def value_and_grad(
    f: Callable[..., Any], argnums: ArgNums = 0, has_aux: bool = False
) -> Callable[..., tuple[Any, Any]]:
    """``(f(x), ∇f(x))`` for a scalar-valued f, with the gradient w.r.t. ``argnums`` (pytrees allowed).

    With ``has_aux=True`` f returns ``(value, aux)`` and the result is
    ``((value, aux), gradient)``.

    >>> value, gradient = ag.value_and_grad(lambda x: (x ** 3).sum())(ag.tensor([1.0, 2.0]))
    >>> float(value), gradient
    (9.0, tensor([ 3., 12.]))
    >>> (value, aux), gradient = ag.value_and_grad(lambda x: ((x ** 2).sum(), "aux"), has_aux=True)(ag.tensor([3.0]))
    >>> float(value), aux, gradient
    (9.0, 'aux', tensor([6.]))
    """
    callable_argument(f, "f", "value_and_grad")
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        a = _Arguments(args, nums, "grad")
        variables = [variable(x) for x in a.flat()]
        out = _record(f, a.with_leaves(variables), kwargs)
        value, aux = _split_aux(out, has_aux, "grad")
        if not isinstance(value, Tensor) or value.size != 1:
            shape = value.shape if isinstance(value, Tensor) else type(value).__name__
            raise ShapeError(
                f"grad: f must return a scalar Tensor, got {shape}; use jacrev, jacfwd or vjp for non-scalar outputs"
            )
        grads: list[Any] = [None] * len(variables)
        if value.requires_grad and variables:
            grads = run_backward(
                [value],
                [backend.ones(value.shape, value.dtype, value.data)],
                inputs=variables,
                accumulate=False,
                create_graph=_create_graph(),
            )
        results = a.nest([_as_result(g, v) for g, v in zip(grads, variables)], single)
        return ((value, aux) if has_aux else value), results

    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: ArgNums = 0, has_aux: bool = False) -> Callable[..., Any]:
    """The gradient function ∇f of a scalar-valued f (composable: ``grad(grad(f))``).

    The gradient has the structure of the argument (a dict of parameters
    gives a dict of gradients). ``has_aux=True``: f returns ``(value, aux)``
    and ``grad(f, has_aux=True)(x)`` returns ``(gradient, aux)``.

    >>> f = lambda x: (x ** 3).sum()
    >>> ag.grad(f)(ag.tensor([1.0, 2.0]))  # 3x²
    tensor([ 3., 12.])
    >>> ag.grad(ag.grad(lambda x: x ** 3))(ag.tensor(2.0))  # 6x
    tensor(12.)
    >>> params = {"w": ag.tensor([1.0, 2.0]), "b": ag.tensor([3.0, 4.0])}
    >>> ag.grad(lambda p: (p["w"] * p["b"]).sum())(params)  # a dict of gradients
    {'b': tensor([1., 2.]), 'w': tensor([3., 4.])}
    >>> ag.grad(lambda x: x ** 2)(ag.tensor([1.0, 2.0]))
    Traceback (most recent call last):
        ...
    autograd_core.errors.ShapeError: grad: f must return a scalar Tensor, got (2,); use jacrev, jacfwd or vjp for non-scalar outputs
    """
    callable_argument(f, "f", "grad")
    vg = value_and_grad(f, argnums, has_aux)

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f


def _output_leaves(out: Any, name: str) -> tuple[list[Tensor], TreeDef]:
    """f's result flattened to Tensors (arrays and numbers become constant Tensors)."""
    leaves, treedef = tree_flatten(out)
    tensors = []
    for o in leaves:
        if isinstance(o, Tensor):
            tensors.append(o)
        elif (isinstance(o, (np.ndarray, np.generic, float, int)) or backend.is_backend_array(o)) and not isinstance(
            o, bool
        ):
            tensors.append(wrap(backend.as_array(o)))
        else:
            raise ArgumentTypeError(
                f"{name}: f must return Tensors (or a pytree of them: tuples, lists, dicts), got {type(o).__name__}"
            )
    return tensors, treedef


def _cotangent_leaves(treedef: TreeDef, cotangent: Any, outs: list[Tensor]) -> list[Any]:
    top = treedef.kind
    if top in (tuple, list) and len(treedef.children) > 0:
        if not isinstance(cotangent, (tuple, list)):
            raise InvalidArgumentError(
                f"vjp: f returned a {top.__name__} of {len(treedef.children)} outputs; pass a tuple of cotangents"
            )
        if len(cotangent) != len(treedef.children):
            raise InvalidArgumentError(
                f"vjp: f returned {len(treedef.children)} outputs but {len(cotangent)} cotangents were given; "
                "pass one per output"
            )
    return flatten_up_to(treedef, cotangent, "vjp cotangent", lenient=True)


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """``(f(*primals), vjp_fn)`` where ``vjp_fn(ū) = ūᵀ·J`` for each primal (reverse mode).

    Primals, outputs and cotangents may be pytrees; ``vjp_fn`` takes a
    cotangent shaped like the output and returns a tuple with one cotangent
    per primal, shaped like it. ``vjp_fn`` may be called many times; the graph
    lives as long as it does. ``has_aux=True``: returns ``(out, vjp_fn, aux)``.

    >>> f = lambda v: ag.stack([v[0] * v[1], ag.sin(v[0]), v[1] ** 2])
    >>> out, vjp_fn = ag.vjp(f, ag.tensor([0.0, 3.0]))
    >>> out.numpy()
    array([0., 0., 9.])
    >>> vjp_fn(ag.tensor([1.0, 0.0, 0.0]))  # e₀ᵀ·J: the Jacobian's first row
    (tensor([3., 0.]),)
    >>> vjp_fn(ag.tensor([0.0, 0.0, 1.0]))  # called again: the graph is kept
    (tensor([0., 6.]),)
    """
    callable_argument(f, "f", "vjp")
    a = _Arguments(primals, tuple(range(len(primals))), "vjp")
    variables = [variable(x) for x in a.flat()]
    out = _record(f, a.with_leaves(variables))
    out, aux = _split_aux(out, has_aux, "vjp")
    outs, out_tree = _output_leaves(out, "vjp")

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        cots = _cotangent_leaves(out_tree, cotangent, outs)
        roots, seeds = [], []
        recorded = False  # a cotangent that reverse mode differentiates: record the pass (ūᵀ·J is a function of ū)
        for o, c in zip(outs, cots):
            if isinstance(c, Tensor):
                if c.requires_grad and is_grad_enabled():
                    recorded = True
                elif not c._tangents and type(c) is Tensor:  # a cotangent carrying a tangent stays a Tensor
                    c = c.data
            else:
                literal = not isinstance(c, np.ndarray) or not c.ndim  # a list or number has no device
                c = constant_array(c, "vjp: cotangent")
                if literal and type(o.data) is not np.ndarray:
                    c = backend.to_device(c, backend.device_of(o.data))  # made where the output lives
            if tuple(np.shape(c) if not isinstance(c, Tensor) else c.shape) != o.shape:
                shape = c.shape if isinstance(c, Tensor) else np.shape(c)
                raise ShapeError(f"vjp: cotangent of shape {tuple(shape)} does not match the output's shape {o.shape}")
            if o.requires_grad:
                roots.append(o)
                seeds.append(c if isinstance(c, Tensor) else backend.asarray_on(c, o.data, o.dtype, "vjp: cotangent"))
        grads: list[Any] = [None] * len(variables)
        if roots and variables:
            grads = run_backward(
                roots,
                seeds,
                inputs=variables,
                accumulate=False,
                retain_graph=True,
                create_graph=True if recorded else _create_graph(),
            )
        return a.nest([_as_result(g, v) for g, v in zip(grads, variables)], False)

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def _shape_of(x: Any) -> tuple[int, ...]:
    return tuple(x.shape if isinstance(x, Tensor) else np.shape(x))


def _strip_level(tree: Any, level: int) -> Any:
    """``tree`` with this forward level's tangents removed from its tensors (aux outputs)."""
    return tree_map(lambda x: unpack_dual(x, level).primal if isinstance(x, Tensor) else x, tree)


def jvp(
    f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], has_aux: bool = False
) -> tuple[Any, ...]:
    """``(f(*primals), J·tangents)`` in one forward pass (forward mode, no graph, no backward).

    ``primals`` and ``tangents`` are sequences with one entry per argument;
    each entry may be a pytree, its tangent of the same structure. With
    ``has_aux=True`` returns ``(out, tangent_out, aux)``.

    >>> f = lambda v: ag.stack([v[0] * v[1], ag.sin(v[0]), v[1] ** 2])
    >>> ag.jvp(f, (ag.tensor([0.0, 3.0]),), (ag.tensor([1.0, 0.0]),))  # (f(x), J·e₀: the Jacobian's first column)
    (tensor([0., 0., 9.]), tensor([3., 1., 0.]))
    """
    callable_argument(f, "f", "jvp")
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise ArgumentTypeError("jvp: pass primals and tangents as tuples (one entry per argument of f)")
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise InvalidArgumentError(
            f"jvp: {len(primals)} primals but {len(tangents)} tangents; pass one tangent per primal"
        )
    a = _Arguments(primals, tuple(range(len(primals))), "jvp")
    tangent_leaves = [
        t for treedef, tan in zip(a.treedefs, tangents) for t in flatten_up_to(treedef, tan, "jvp tangents")
    ]
    with dual_level() as level:
        duals = []
        for p, t in zip(a.flat(), tangent_leaves):
            x = _as_float_tensor(p)
            if not isinstance(t, Tensor):
                t = constant_array(t, "jvp: tangent")  # ragged lists, None, strings: library errors
            if _shape_of(t) != x.shape:
                raise ShapeError(f"jvp: tangent of shape {_shape_of(t)} does not match primal of shape {x.shape}")
            duals.append(attach_tangent(x, t, level))
        out = f(*a.with_leaves(duals))
        out, aux = _split_aux(out, has_aux, "jvp")
        outs, out_tree = _output_leaves(out, "jvp")
        pairs = [unpack_dual(o, level) for o in outs]
        if has_aux:
            aux = _strip_level(aux, level)
    primal_out = out_tree.unflatten(p.primal for p in pairs)
    tangent_out = out_tree.unflatten(
        p.tangent if p.tangent is not None else wrap(backend.zeros(o.shape, o.dtype, o.data))
        for p, o in zip(pairs, outs)
    )
    return (primal_out, tangent_out, aux) if has_aux else (primal_out, tangent_out)


def _to_output_major(j: Any, out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> Any:
    """(D,) + out.shape  →  out.shape + in.shape: the D × M block of columns, transposed."""
    d, m = math.prod(in_shape), math.prod(out_shape)
    return j.reshape((d, m)).T.reshape(tuple(out_shape) + tuple(in_shape))


def _finish(j: Any, out: Tensor, x: Tensor) -> Tensor:
    """A Jacobian block as a C-ordered Tensor in the dtype of output and input together."""
    dtype = np.result_type(out.dtype, x.dtype)
    if isinstance(j, Tensor):
        return j if j.dtype == dtype else j.astype(dtype)
    if type(j) is not np.ndarray and backend.is_backend_array(j):
        return wrap(j.astype(dtype, order="C", copy=False))
    return wrap(np.require(j, dtype=dtype, requirements="C"))


def _arrange(table: list[list[Tensor]], out_tree: TreeDef, a: _Arguments, single: bool) -> Any:
    """``table[o][k]`` (output leaf o, input leaf k) nested as JAX does: outputs outside, arguments inside."""
    return out_tree.unflatten(a.nest(row, single) for row in table)


def jacfwd(
    f: Callable[..., Any],
    argnums: ArgNums = 0,
    has_aux: bool = False,
    *,
    vectorize: bool = True,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """The Jacobian by forward mode: column j is the JVP J·eⱼ (D passes, or one batched pass).

    Each block has shape ``out.shape + in.shape``; for pytree outputs,
    several ``argnums`` or pytree arguments the blocks nest as in JAX
    (outputs outside, arguments inside). Cheaper than ``jacrev`` when D < M.
    ``has_aux=True``: f returns ``(output, aux)``, the result is ``(jacobian, aux)``.

    >>> f = lambda v: ag.stack([v[0] * v[1], ag.sin(v[0]), v[1] ** 2])
    >>> ag.jacfwd(f)(ag.tensor([0.0, 3.0]))  # 3 outputs × 2 inputs, built from 2 JVPs
    tensor([[3., 0.],
            [1., 0.],
            [0., 6.]])
    """
    callable_argument(f, "f", "jacfwd")
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        a = _Arguments(args, nums, "jacfwd")
        inputs = [_as_float_tensor(x) for x in a.flat()]
        columns_of: list[list[Any]] = []  # [input leaf][output leaf]
        outs: list[Tensor] = []
        out_tree: TreeDef | None = None
        aux: Any = None
        for j, x in enumerate(inputs):
            blocks = _chunks(x.size, chunk_size) if vectorize else [(k, k + 1) for k in range(x.size)]
            columns: list[list[Any]] = []
            for lo, hi in blocks:
                basis = _basis(x.size, lo, hi, x.shape, x.dtype, x.data)
                with dual_level() as level:
                    leaves = list(inputs)
                    leaves[j] = attach_tangent(x, basis if vectorize else basis[0], level)
                    out, found_aux = _split_aux(f(*a.with_leaves(leaves)), has_aux, "jacfwd")
                    outs, out_tree = _output_leaves(out, "jacfwd")
                    tangents = [tangent_of(o, level) for o in outs]
                    outs = [unpack_dual(o, level).primal for o in outs]
                    if has_aux and aux is None:
                        aux = _strip_level(found_aux, level)
                columns = columns or [[] for _ in outs]
                for o, t, column in zip(outs, tangents, columns):
                    if t is None:
                        t = backend.zeros((hi - lo,) + o.shape, o.dtype, o.data)
                    elif not vectorize:
                        t = t[None]
                    column.append(t)
            columns_of.append(columns)
        if out_tree is None or any(not c for c in columns_of):  # some input has no directions
            with no_grad():
                out, found_aux = _split_aux(f(*a.with_leaves(inputs)), has_aux, "jacfwd")
            outs, out_tree = _output_leaves(out, "jacfwd")
            aux = found_aux if aux is None else aux
        table = [
            [
                _finish(_to_output_major(_join(columns_of[j][k]), o.shape, x.shape), o, x)
                if columns_of[j]
                else _finish(backend.zeros(o.shape + x.shape, None, o.data), o, x)
                for j, x in enumerate(inputs)
            ]
            for k, o in enumerate(outs)
        ]
        result = _arrange(table, out_tree, a, single)
        return (result, aux) if has_aux else result

    return jac


def _jacrev_blocks(
    outs: list[Tensor], variables: list[Tensor], vectorize: bool, chunk_size: int | None
) -> list[list[Tensor]]:
    """Rows eᵢᵀ·J of every output, by backward passes through one recorded forward pass: ``[output][argument]``."""
    plans = [_chunks(o.size, chunk_size) if vectorize else [(j, j + 1) for j in range(o.size)] for o in outs]
    passes_left = sum(len(p) for o, p in zip(outs, plans) if o.requires_grad)
    create_graph = _create_graph()
    table = []
    for o, blocks in zip(outs, plans):
        rows: list[list[Any]] = [[] for _ in variables]
        for lo, hi in blocks:
            basis = _basis(o.size, lo, hi, o.shape, o.dtype, o.data)
            seed = basis if vectorize else basis[0]
            batch = seed.shape[: seed.ndim - o.ndim]
            grads: list[Any] = [None] * len(variables)
            if o.requires_grad and variables:
                passes_left -= 1  # the graph is freed by the last pass
                grads = run_backward(
                    [o],
                    [seed],
                    inputs=variables,
                    accumulate=False,
                    retain_graph=passes_left > 0,
                    create_graph=create_graph,
                )
            for k, (g, v) in enumerate(zip(grads, variables)):
                if g is None:
                    g = backend.zeros(batch + v.shape, v.dtype, v.data)
                rows[k].append(g if vectorize else g[None])
        table.append(
            [
                _finish(
                    _join(r).reshape(o.shape + v.shape) if r else backend.zeros(o.shape + v.shape, None, o.data), o, v
                )
                for r, v in zip(rows, variables)
            ]
        )
    return table


def jacrev(
    f: Callable[..., Any],
    argnums: ArgNums = 0,
    has_aux: bool = False,
    *,
    vectorize: bool = True,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """The Jacobian by reverse mode: row i is the VJP eᵢᵀ·J (M passes, or one batched pass).

    Each block has shape ``out.shape + in.shape``, nested as in ``jacfwd``.
    Cheaper than ``jacfwd`` when M < D. ``has_aux`` as in ``jacfwd``.

    >>> f = lambda v: ag.stack([v[0] * v[1], ag.sin(v[0]), v[1] ** 2])
    >>> J = ag.jacrev(f)(ag.tensor([0.0, 3.0]))  # built from 3 VJPs
    >>> J
    tensor([[3., 0.],
            [1., 0.],
            [0., 6.]])
    >>> bool(np.all(J.numpy() == ag.jacfwd(f)(ag.tensor([0.0, 3.0])).numpy()))
    True
    """
    callable_argument(f, "f", "jacrev")
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        a = _Arguments(args, nums, "jacrev")
        variables = [variable(x) for x in a.flat()]
        out, aux = _split_aux(_record(f, a.with_leaves(variables)), has_aux, "jacrev")
        outs, out_tree = _output_leaves(out, "jacrev")
        result = _arrange(_jacrev_blocks(outs, variables, vectorize, chunk_size), out_tree, a, single)
        return (result, aux) if has_aux else result

    return jac


def hessian(f: Callable[..., Any], argnums: ArgNums = 0, has_aux: bool = False) -> Callable[..., Any]:
    """The Hessian ∇²f of a scalar f, as forward-over-reverse ``jacfwd(jacrev(f))``.

    Over pytrees it nests twice: ``hessian(f)(p)["a"]["b"]`` is ∂²f/∂a∂b of
    shape ``a.shape + b.shape``.

    >>> f = lambda v: v[0] ** 2 * v[1]
    >>> ag.hessian(f)(ag.tensor([1.0, 2.0]))  # [[2v₁, 2v₀], [2v₀, 0]]
    tensor([[4., 2.],
            [2., 0.]])
    """
    callable_argument(f, "f", "hessian")
    return jacfwd(jacrev(f, argnums, has_aux), argnums, has_aux)


def hvp(f: Callable[..., Any], x: Any, v: Any) -> Any:
    """The Hessian-vector product ∇²f(x)·v in one forward-over-reverse pass (no Hessian formed; pytrees allowed).

    >>> f = lambda v: v[0] ** 2 * v[1]
    >>> ag.hvp(f, ag.tensor([1.0, 2.0]), ag.tensor([1.0, 0.0]))  # the Hessian's first column, without forming it
    tensor([4., 2.])
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
    callable_argument(f, "f", "jacobian")
    if mode not in ("auto", "forward", "reverse"):
        raise InvalidArgumentError(f"jacobian: mode must be 'auto', 'forward' or 'reverse', not {mode!r}")
    nums, single = _argnums(argnums)

    @functools.wraps(f)
    def jac(*args: Any) -> Any:
        if mode == "forward":
            return jacfwd(f, argnums)(*args)
        a = _Arguments(args, nums, "jacobian")
        variables = [variable(x) for x in a.flat()]
        outs, out_tree = _output_leaves(_record(f, a.with_leaves(variables)), "jacobian")
        if mode == "auto" and sum(v.size for v in variables) < sum(o.size for o in outs):
            return jacfwd(f, argnums)(*args)
        return _arrange(_jacrev_blocks(outs, variables, True, None), out_tree, a, single)

    return jac


# ------------------------------------------------------------ linearize
def linearize(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(f(*primals), f_jvp)`` where ``f_jvp(*tangents) = J·tangents``, J taken at ``primals``.

    f runs once; each call of ``f_jvp`` pushes the tangents through the
    recorded graph with the primitives' JVP rules (no re-run of f, no backward
    pass). Tangents are shaped like the primals (pytrees allowed) and may
    carry leading batch axes.

    >>> y, f_jvp = ag.linearize(ag.exp, ag.tensor([0.0, 1.0]))
    >>> print(np.round(y.numpy(), 4))
    [1.     2.7183]
    >>> print(np.round(f_jvp(ag.tensor([1.0, 2.0])).numpy(), 4))  # eˣ·ẋ, without running exp again
    [1.     5.4366]
    """
    a = _Arguments(primals, tuple(range(len(primals))), "linearize")
    variables = [variable(x) for x in a.flat()]
    out = _record(f, a.with_leaves(variables))
    outs, out_tree = _output_leaves(out, "linearize")
    order = topological_order([o for o in outs if o.requires_grad])

    def f_jvp(*tangents: Any) -> Any:
        if len(tangents) != len(primals):
            raise InvalidArgumentError(
                f"linearize: f_jvp takes one tangent per primal ({len(primals)}), got {len(tangents)}"
            )
        flat = [t for treedef, tan in zip(a.treedefs, tangents) for t in flatten_up_to(treedef, tan, "f_jvp tangents")]
        carried: dict[int, Any] = {}
        batch: tuple[int, ...] | None = None
        for v, t in zip(variables, flat):
            t = t if isinstance(t, Tensor) and (t.requires_grad or isinstance(t, BatchedTensor)) else _array(t, v)
            shape = _shape_of(t)
            if shape[len(shape) - v.ndim :] != v.shape or len(shape) < v.ndim:
                raise ShapeError(f"linearize: tangent of shape {shape} does not match primal of shape {v.shape}")
            lead = shape[: len(shape) - v.ndim]
            if batch is not None and lead != batch:
                raise ShapeError(f"linearize: tangents carry different leading batch axes {batch} and {lead}")
            batch = lead
            carried[id(v)] = t
        tensors = any(isinstance(t, Tensor) for t in carried.values())
        for t in order:
            _push_through(t, carried, tensors)
        results = []
        for o in outs:
            found = carried.get(id(o))
            results.append(
                found
                if isinstance(found, Tensor)
                else wrap(backend.zeros((batch or ()) + o.shape, o.dtype, o.data) if found is None else found)
            )
        return out_tree.unflatten(results)

    return out, f_jvp


def _array(t: Any, like: Tensor) -> np.ndarray:
    return backend.asarray_on(t.data if isinstance(t, Tensor) else t, like.data, like.dtype, "tangent")


def _push_through(t: Tensor, carried: dict[int, Any], tensors: bool) -> None:
    """ẏ of ``t``'s node from its inputs' tangents: Σᵢ JVPᵢ(ẋᵢ) (the rules push_tangents runs, on a recorded node)."""
    node = t._node
    if node is None:
        return
    inputs = node.inputs
    if inputs is None:
        from .backward import FREED_MESSAGE

        raise GraphFreedError(FREED_MESSAGE)
    prim = node.op
    args = list(inputs) if tensors else [x.data if isinstance(x, Tensor) else x for x in inputs]
    ans = t if tensors else t.data
    ndim = t.ndim
    total = None
    nb = 0
    for i, x in enumerate(inputs):
        tan = carried.get(id(x)) if isinstance(x, Tensor) else None
        rule = prim.jvps[i]
        if tan is None or rule is None:
            continue
        nb = len(_shape_of(tan)) - x.ndim
        if prim.broadcasting:
            tan = lift(tan, nb, ndim)
        part = lift(rule(tan, ans, *args, **node.params), nb, ndim)
        total = part if total is None else total + part
    if total is None:
        return
    full = tuple(total.shape[:nb]) + t.shape
    if tuple(total.shape) != full:
        total = expand(total, full)
    if total.dtype != t.dtype:
        total = total.astype(t.dtype)
    carried[id(t)] = total


def linear_transpose(f: Callable[..., Any], *primals: Any) -> Callable[[Any], tuple[Any, ...]]:
    """The transpose of a linear f: ``f_t(ȳ) = Jᵀ·ȳ``, one cotangent per primal (shaped like it).

    ``primals`` give the shapes and dtypes of f's arguments (their values are
    not used). f must be linear: f(0) = 0 is checked, and for linear f the
    VJP at any point is the transpose.

    >>> W = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> f_t = ag.linear_transpose(lambda v: W @ v, ag.zeros(3))
    >>> f_t(ag.tensor([1.0, 1.0]))  # Wᵀ·(1, 1)
    (tensor([5., 7., 9.]),)
    >>> ag.linear_transpose(lambda v: W @ v + 1.0, ag.zeros(3))
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: linear_transpose: f(0) ≠ 0, so f is not linear (an affine map has no transpose)
    """
    zeros = tree_map(
        lambda p: wrap(backend.zeros(_shape_of(p), _float_dtype(p), p.data if isinstance(p, Tensor) else p)), primals
    )
    out, vjp_fn = vjp(f, *zeros)
    for o in tree_flatten(out)[0]:
        if isinstance(o, Tensor) and not isinstance(o, BatchedTensor) and backend.decide(np.any(o.data != 0)):
            raise InvalidArgumentError(
                "linear_transpose: f(0) ≠ 0, so f is not linear (an affine map has no transpose)"
            )

    def transpose_fn(cotangent: Any) -> tuple[Any, ...]:
        return vjp_fn(cotangent)

    return transpose_fn


def _float_dtype(p: Any) -> np.dtype:
    dtype = p.dtype if isinstance(p, (Tensor, np.ndarray)) or backend.is_backend_array(p) else np.asarray(p).dtype
    return dtype if np.dtype(dtype).kind == "f" else _state.default_dtype


# an unknown keyword (ag.grad(f, argnum=0)) gets the library's error naming what is accepted
from .keyword_errors import guard_module_functions as _guard_module_functions  # noqa: E402

_guard_module_functions(globals(), __name__)
