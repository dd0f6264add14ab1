"""One PyTorch builder per registered primitive, for the differential test against PyTorch.

``BUILDERS[name](ctx, a)`` returns an ``Op``: the primitive applied to the
program value ``a`` (and to other values, fresh inputs or constants that
``ctx`` supplies), written once for this library and once for PyTorch, or
None when the primitive cannot take ``a`` (e.g. matmul of a 0-d value).
Operands outside a primitive's domain are first mapped into it by the same
smooth function in both libraries (``x² + ½`` for log, 0.05 + 0.9·σ(x) for
probabilities), so every drawn value can feed every primitive.

``primitive_cases.CASES`` builds one primitive on inputs of its own, for the
registry's single-primitive checks; a builder here instead applies the
primitive to a value a program already computed, and says how PyTorch spells it.

A registered primitive needs a builder here or an entry in ``EXCLUDED``
saying why it is not compared; ``test_every_primitive_has_a_torch_builder``
fails otherwise, so a new primitive joins the differential test as soon as
it has a builder. torch is never imported here: PyTorch callables receive
the torch module as their first argument ``T``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from primitive_cases import normal

import autograd_core as ag
from autograd_core.primitives.along import put_along, take_along
from autograd_core.primitives.index import add_at, normalize_index

#: Registered primitives the differential test leaves out, and why (none today).
EXCLUDED: dict[str, str] = {
    "to_device": "a copy between memories (PyTorch's .to(device)); on one CPU it is the identity, whose rules "
    "test_registry and test_backend_duck check",
}


@dataclass
class Op:
    """One program step: ``ours(*values)`` in this library, ``theirs(T, *values)`` in PyTorch."""

    text: str
    args: tuple[int, ...]
    ours: Callable[..., Any]
    theirs: Callable[..., Any]
    #: ``conventions(operands, value)`` (PyTorch tensors): the checks ("jvp", "hessian") to skip because
    #: the step sits on a kink where PyTorch's derivatives are not those of its own lower-order ones:
    #: elu at 0 (PyTorch's first derivative takes the left-hand side, its double backward the right;
    #: this library the left for both); pow at exponent 0 (PyTorch's base rule selects 0 there, losing
    #: the mixed derivative ∂²y/∂x∂p = 1/x, kept here); std at zero spread (PyTorch's reverse mode
    #: gives 0 there, its forward mode and double backward NaN; this library 0 throughout).
    conventions: Callable | None = None


class Context:
    """What a builder may draw: other program values, fresh inputs, constants, parameters.

    ``shapes[i]`` is the shape of value ``i`` of the program so far;
    ``new_leaf`` adds a differentiable input (in the program's ``dtype``) that
    becomes a value only if the step is kept.
    """

    def __init__(self, draw: Callable, rng: np.random.Generator, shapes: list, dtype: Any) -> None:
        self.draw = draw
        self.rng = rng
        self.shapes = shapes
        self.dtype = np.dtype(dtype)
        self.pending: list[np.ndarray] = []

    def values(self, sampler: Callable, shape: tuple[int, ...]) -> np.ndarray:
        return np.asarray(sampler(self.rng, shape), dtype=self.dtype).reshape(shape)

    def new_leaf(self, shape: tuple[int, ...], sampler: Callable | None = None) -> int:
        """Index of a fresh differentiable input of ``shape`` (standard normal unless ``sampler``)."""
        self.pending.append(self.values(sampler or normal, shape))
        return len(self.shapes) + len(self.pending) - 1

    def other(self, fits: Callable[[tuple[int, ...]], bool], make: Callable[[], tuple[int, ...]]) -> int:
        """Another operand: an existing value whose shape ``fits``, or a fresh input of shape ``make()``."""
        candidates = [i for i, s in enumerate(self.shapes) if fits(s)]
        if candidates and self.draw(st.booleans()):
            return self.draw(st.sampled_from(candidates))
        return self.new_leaf(make())

    def shape(self, i: int) -> tuple[int, ...]:
        return self.shapes[i] if i < len(self.shapes) else self.pending[i - len(self.shapes)].shape


# ----------------------------------------------------------------- shapes
def broadcast_partner(draw, s: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with ``s``: some axes set to 1, some leading axes dropped or added."""
    out = [1 if n != 0 and draw(st.integers(0, 3)) == 0 else n for n in s]
    if draw(st.booleans()):
        return tuple(out[draw(st.integers(0, len(out))) :])  # leading axes dropped
    extra = draw(st.lists(st.integers(0, 3), max_size=1 if len(out) < 3 else 0))
    return tuple(extra) + tuple(out)  # leading axes added


def broadcasts(s: tuple[int, ...], t: tuple[int, ...]) -> bool:
    return all(a == b or a == 1 or b == 1 for a, b in zip(s[::-1], t[::-1]))


# ----------------------------------------------------- domain maps (both sides)
def positive(x):
    """x² + ½: into (0, ∞), smooth, written with operators so it runs on both libraries' tensors."""
    return x * x + 0.5


def above_minus_one(x):
    return x * x - 0.5


def inside_unit(x):
    """x / (1 + x²): into [−½, ½], inside (−1, 1) where arcsin, arccos, arctanh and erfinv live."""
    return x / (x * x + 1)


def above_one(x):
    """x² + 1.5: into (1, ∞), where arccosh lives."""
    return x * x + 1.5


def probability_ours(x):
    """0.05 + 0.9·σ(x): a probability that never saturates to exactly 0 or 1 (where PyTorch's
    binary_cross_entropy has NaN target gradients while its clamped loss is finite)."""
    return 0.05 + 0.9 * ag.sigmoid(x)


def probability_theirs(T, x):
    return 0.05 + 0.9 * T.sigmoid(x)


# ------------------------------------------------------------------ builders
Spellings = Callable | dict[str, Callable]


def spellings(fn: Callable, method: str | None = None, numpy: Callable | None = None, operator=None) -> dict:
    """The ways a user reaches one primitive: the function, the Tensor method, numpy's function, an operator."""
    out = {"": fn}
    if method is not None:
        out[f".{method}"] = lambda x, *args, **kwargs: getattr(x, method)(*args, **kwargs)
    if numpy is not None:
        out[f"np.{numpy.__name__}"] = numpy
    if operator is not None:
        out["operator"] = operator
    return out


def spell(ctx: Context, ours: Spellings) -> tuple[str, Callable]:
    """Draw one spelling: its label for the program text ("" for the function itself) and the callable."""
    if callable(ours):
        return "", ours
    label = ctx.draw(st.sampled_from(sorted(ours)))
    return (f"[{label}]" if label else ""), ours[label]


def unary(ours: Spellings, theirs: Callable, domain: Callable | None = None) -> Callable:
    def build(ctx: Context, a: int) -> Op:
        label, fn = spell(ctx, ours)
        if domain is None:
            return Op("{}" + f"{label}(v{a})", (a,), fn, theirs)
        return Op("{}" + f"{label}(domain(v{a}))", (a,), lambda x: fn(domain(x)), lambda T, x: theirs(T, domain(x)))

    return build


def with_parameter(
    name: str, ours: Callable, theirs: Callable, choices: list, conventions: Callable | None = None
) -> Callable:
    def build(ctx: Context, a: int) -> Op:
        p = ctx.draw(st.sampled_from(choices))
        return Op(f"{{}}(v{a}, {name}={p})", (a,), lambda x: ours(x, p), lambda T, x: theirs(T, x, p), conventions)

    return build


def binary(ours: Spellings, theirs: Callable, second: Callable | None = None, constants=(-1.5, 0.5, 2.0)) -> Callable:
    """a ∘ b with b another value, a fresh input, or a constant (a Python number, a float or an integer array).

    Operands come in either order; ``second`` maps a tensor operand b into the
    primitive's domain on both sides (and then b stays second).
    """
    dom = second or (lambda x: x)
    spelled = ours

    def build(ctx: Context, a: int) -> Op:
        label, ours = spell(ctx, spelled)
        s = ctx.shape(a)
        kind = ctx.draw(st.sampled_from(["value", "value", "number", "array", "integers"]))
        swap = ctx.draw(st.booleans())
        if kind == "number":
            c = ctx.draw(st.sampled_from(constants))
            if swap and second is None:
                return Op(f"{{}}{label}({c}, v{a})", (a,), lambda x: ours(c, x), lambda T, x: theirs(T, c, x))
            return Op(f"{{}}{label}(v{a}, {c})", (a,), lambda x: ours(x, c), lambda T, x: theirs(T, x, c))
        if kind in ("array", "integers"):
            shape = broadcast_partner(ctx.draw, s)
            if kind == "integers":
                whole = [int(c) for c in constants if c == int(c) and c] or [1, 2]
                c = np.asarray(ctx.rng.choice(whole, shape)).astype(np.int64)
            else:
                c = ctx.values(lambda rng, sh: rng.choice(constants, sh), shape)
            text = f"{{}}{label}(v{a}, const{shape} {c.dtype})"
            return Op(text, (a,), lambda x: ours(x, c), lambda T, x: theirs(T, x, T.from_numpy(c)))
        b = ctx.other(lambda t: broadcasts(s, t), lambda: broadcast_partner(ctx.draw, s))
        if swap and second is None:
            return Op(f"{{}}{label}(v{b}, v{a})", (a, b), lambda x, y: ours(y, x), lambda T, x, y: theirs(T, y, x))
        text = f"{{}}{label}(v{a}, {'domain(' if second else ''}v{b}{')' if second else ''})"
        return Op(text, (a, b), lambda x, y: ours(x, dom(y)), lambda T, x, y: theirs(T, x, dom(y)))

    return build


def pow_case(ctx: Context, a: int) -> Op:
    """x^p: a constant exponent on any base (0 included), or a tensor exponent on a positive base."""
    if ctx.draw(st.booleans()):
        p = ctx.draw(st.sampled_from([0, 1, 2, 3, 0.0, 2.0, -1.0, 0.5, -0.5, 1.5]))
        if float(p) == int(p) and p >= 0:
            return Op(f"pow(v{a}, {p})", (a,), lambda x: ag.pow(x, p), lambda T, x: T.pow(x, p))
        return Op(f"pow(domain(v{a}), {p})", (a,), lambda x: ag.pow(positive(x), p), lambda T, x: T.pow(positive(x), p))
    s = ctx.shape(a)
    b = ctx.other(lambda t: broadcasts(s, t), lambda: broadcast_partner(ctx.draw, s))
    if ctx.draw(st.booleans()):  # a tensor base, a tensor exponent
        return Op(
            f"pow(domain(v{a}), v{b})",
            (a, b),
            lambda x, p: ag.pow(positive(x), p),
            lambda T, x, p: T.pow(positive(x), p),
            conventions=lambda xs, y: ("hessian",) if bool((xs[1] == 0).any()) else (),
        )
    c = ctx.draw(st.sampled_from([0.5, 2.0, 3.0]))  # a number base, a tensor exponent (__rpow__)
    return Op(f"pow({c}, v{a})", (a,), lambda p: ag.pow(c, p), lambda T, p: T.pow(c, p))


def clip_case(ctx: Context, a: int) -> Op:
    lo, hi = ctx.draw(st.sampled_from([(-0.5, 0.5), (-0.5, None), (None, 0.5), (0.0, 1.0), (0.3, 0.2)]))
    return Op(f"clip(v{a}, {lo}, {hi})", (a,), lambda x: ag.clip(x, lo, hi), lambda T, x: T.clamp(x, lo, hi))


def where_case(ctx: Context, a: int) -> Op:
    s = ctx.shape(a)
    cond = np.asarray(ctx.rng.random(broadcast_partner(ctx.draw, s)) > 0.5)
    b = ctx.other(lambda t: broadcasts(s, t) and broadcasts(cond.shape, t), lambda: s)
    if ctx.draw(st.booleans()):
        return Op(
            f"where(c{cond.shape}, v{a}, v{b})",
            (a, b),
            lambda x, y: ag.where(cond, x, y),
            lambda T, x, y: T.where(T.from_numpy(cond), x, y),
        )
    c = 0.25
    return Op(
        f"where(c{cond.shape}, {c}, v{a})",
        (a,),
        lambda x: ag.where(cond, c, x),
        lambda T, x: T.where(T.from_numpy(cond), c, x),
    )


def cast_case(ctx: Context, a: int) -> Op:
    target = ctx.draw(st.sampled_from(["float32", "float64"]))
    return Op(
        f"cast(v{a}, {target})",
        (a,),
        lambda x: ag.cast(x, target),
        lambda T, x: x.to(getattr(T, target)),
    )


def draw_axes(ctx: Context, s: tuple[int, ...]) -> tuple[Any, bool]:
    """(axis, keepdims): None, an int, or a non-empty tuple of distinct axes."""
    keepdims = ctx.draw(st.booleans())
    if not s:
        return None, keepdims
    choice = ctx.draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        return None, keepdims
    if choice == "int":
        return ctx.draw(st.integers(-len(s), len(s) - 1)), keepdims
    return tuple(
        ctx.draw(
            st.lists(st.integers(-len(s), len(s) - 1), min_size=1, max_size=len(s), unique_by=lambda i: i % len(s))
        )
    ), keepdims


def torch_dims(axis: Any, ndim: int) -> tuple[int, ...]:
    """PyTorch's ``dim`` for numpy's ``axis`` (None: every axis, spelled out, since dim=() means all)."""
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def reduced_size(s: tuple[int, ...], axis: Any) -> int:
    return math.prod(s[a] for a in torch_dims(axis, len(s)))


def reduction(spelled: Spellings, theirs: Callable, nonempty: bool = False) -> Callable:
    """A reduction over drawn axes; ``nonempty``: the reduced axes may not be empty (max, min)."""

    def build(ctx: Context, a: int) -> Op | None:
        label, ours = spell(ctx, spelled)
        s = ctx.shape(a)
        axis, keepdims = draw_axes(ctx, s)
        if nonempty and reduced_size(s, axis) == 0:
            return None
        dims = torch_dims(axis, len(s))
        return Op(
            f"{{}}{label}(v{a}, axis={axis}, keepdims={keepdims})",
            (a,),
            lambda x: ours(x, axis=axis, keepdims=keepdims),
            lambda T, x: theirs(T, x, dims, keepdims),
        )

    return build


def variance(spelled: Spellings, theirs: Callable) -> Callable:
    def build(ctx: Context, a: int) -> Op:
        label, ours = spell(ctx, spelled)
        s = ctx.shape(a)
        axis, keepdims = draw_axes(ctx, s)
        ddof = ctx.draw(st.integers(0, 1))
        dims = torch_dims(axis, len(s)) or None
        return Op(
            f"{{}}{label}(v{a}, axis={axis}, keepdims={keepdims}, ddof={ddof})",
            (a,),
            lambda x: ours(x, axis=axis, keepdims=keepdims, ddof=ddof),
            lambda T, x: theirs(x, dim=dims, correction=ddof, keepdim=keepdims),
            conventions=lambda xs, y: ("jvp", "hessian") if bool((y == 0).any()) else (),
        )

    return build


def matmul_case(ctx: Context, a: int) -> Op | None:
    """a @ b or b @ a, with b a vector, a matrix or a broadcast stack of matrices fitting a."""
    s = ctx.shape(a)
    if not s:
        return None
    n = ctx.draw(st.integers(0, 3))
    if ctx.draw(st.booleans()):  # a on the left: b has k = s[-1] rows
        k = s[-1]
        form = ctx.draw(st.sampled_from(["vector", "matrix", "stack"]))
        shape = {"vector": (k,), "matrix": (k, n), "stack": (ctx.draw(st.integers(1, 2)),) * (len(s) == 1) + (k, n)}[
            form
        ]
        b = ctx.other(lambda t: t == shape, lambda: shape)
        return Op(
            f"matmul(v{a}, v{b})",
            (a, b),
            lambda x, y: ag.matmul(x, same_dtype(y, x)),
            lambda T, x, y: T.matmul(x, y.to(x.dtype)),
        )
    k = s[-2] if len(s) > 1 else s[0]
    shape = (n, k) if ctx.draw(st.booleans()) or len(s) == 1 else (k,)
    b = ctx.other(lambda t: t == shape, lambda: shape)
    return Op(
        f"matmul(v{b}, v{a})",
        (a, b),
        lambda x, y: ag.matmul(same_dtype(y, x), x),
        lambda T, x, y: T.matmul(y.to(x.dtype), x),
    )


def linear_case(ctx: Context, a: int) -> Op | None:
    s = ctx.shape(a)
    if not s:
        return None
    n_out = ctx.draw(st.integers(0, 3))
    w = ctx.new_leaf((n_out, s[-1]))
    if ctx.draw(st.booleans()):
        return Op(
            f"linear(v{a}, v{w})",
            (a, w),
            lambda x, w: ag.linear(x, same_dtype(w, x)),
            lambda T, x, w: T.nn.functional.linear(x, w.to(x.dtype)),
        )
    b = ctx.new_leaf((n_out,))
    return Op(
        f"linear(v{a}, v{w}, v{b})",
        (a, w, b),
        lambda x, w, b: ag.linear(x, same_dtype(w, x), same_dtype(b, x)),
        lambda T, x, w, b: T.nn.functional.linear(x, w.to(x.dtype), b.to(x.dtype)),
    )


def transpose_case(ctx: Context, a: int) -> Op:
    perm = tuple(ctx.draw(st.permutations(range(len(ctx.shape(a))))))
    return Op(f"transpose(v{a}, {perm})", (a,), lambda x: ag.transpose(x, perm), lambda T, x: T.permute(x, perm))


def reshape_case(ctx: Context, a: int) -> Op:
    s = ctx.shape(a)
    size = math.prod(s)
    targets = [(size,), s[::-1], (1,) + s, s + (1,), tuple(n for n in s if n != 1)]
    if size:
        targets += [(-1,), (-1, s[-1]) if s else (-1,)]
    target = ctx.draw(st.sampled_from(targets))
    return Op(f"reshape(v{a}, {target})", (a,), lambda x: ag.reshape(x, target), lambda T, x: T.reshape(x, target))


def broadcast_to_case(ctx: Context, a: int) -> Op:
    s = ctx.shape(a)
    grown = tuple(ctx.draw(st.integers(0, 3)) if n == 1 else n for n in s)
    target = tuple(ctx.draw(st.lists(st.integers(1, 3), max_size=2))) + grown
    return Op(
        f"broadcast_to(v{a}, {target})",
        (a,),
        lambda x: ag.broadcast_to(x, target),
        lambda T, x: T.broadcast_to(x, target),
    )


def concatenate_case(ctx: Context, a: int) -> Op | None:
    s = ctx.shape(a)
    if not s:
        return None
    axis = ctx.draw(st.integers(-len(s), len(s) - 1))
    ax = axis % len(s)

    def fits(t):
        return len(t) == len(s) and t[:ax] == s[:ax] and t[ax + 1 :] == s[ax + 1 :]

    others = []
    for _ in range(ctx.draw(st.integers(0, 3))):
        shape = s[:ax] + (ctx.draw(st.integers(0, 3)),) + s[ax + 1 :]
        others.append(ctx.other(fits, lambda shape=shape: shape))
    order = [a] + others
    names = ", ".join(f"v{i}" for i in order)
    return Op(
        f"concatenate([{names}], axis={axis})",
        tuple(order),
        lambda *xs: ag.concatenate(xs, axis=axis),
        lambda T, *xs: T.cat(xs, dim=axis),
    )


def pad_case(ctx: Context, a: int) -> Op:
    s = ctx.shape(a)
    widths = tuple((ctx.draw(st.integers(0, 2)), ctx.draw(st.integers(0, 2))) for _ in s)
    value = ctx.draw(st.sampled_from([0.0, 1.5]))
    flat = tuple(w for pair in reversed(widths) for w in pair)

    def theirs(T, x):
        return T.nn.functional.pad(x, flat, value=value) if s else x.view_as(x)

    return Op(
        f"pad(v{a}, {widths}, constant_values={value})",
        (a,),
        lambda x: ag.pad(x, widths, constant_values=value),
        theirs,
    )


def draw_index(ctx: Context, s: tuple[int, ...]) -> Any:
    """A numpy index for shape ``s``: integers, slices (negative steps too), integer arrays, masks, None, ``...``."""
    draw = ctx.draw
    items: list[Any] = []
    axis = 0
    while axis < len(s) and draw(st.integers(0, 3)):
        n = s[axis]
        kind = draw(st.sampled_from(["int", "slice", "array", "mask", "none"]))
        if kind == "int" and n:
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "array" and n:
            items.append(ctx.rng.integers(-n, n, draw(st.sampled_from([(2,), (3,), (2, 2)]))))
        elif kind == "mask":
            items.append(np.asarray(ctx.rng.random(n) > 0.5))
        elif kind == "none":
            items.append(None)
            continue
        else:
            start = draw(st.none() | st.integers(-3, 3))
            stop = draw(st.none() | st.integers(-3, 3))
            step = draw(st.sampled_from([None, 1, 2, -1, -2]))
            items.append(slice(start, stop, step))
        axis += 1
    if draw(st.integers(0, 3)) == 0:
        items.insert(draw(st.integers(0, len(items))), Ellipsis)
    return tuple(items) if len(items) != 1 or draw(st.booleans()) else items[0]


def positions(s: tuple[int, ...], index: Any) -> np.ndarray | None:
    """The flat positions numpy's ``x[index]`` reads (how PyTorch is given the same selection); None if invalid."""
    try:
        return np.asarray(np.arange(math.prod(s)).reshape(s)[index])
    except IndexError:  # e.g. a mask and an integer array selecting different counts
        return None


def getitem_case(ctx: Context, a: int) -> Op | None:
    s = ctx.shape(a)
    index = draw_index(ctx, s)
    pos = positions(s, index)
    if pos is None:
        return None
    return Op(
        f"v{a}[{index!r}]",
        (a,),
        lambda x: x[index],
        lambda T, x: x.reshape(-1)[T.from_numpy(pos.copy())],
    )


def scatter_add_case(ctx: Context, a: int) -> Op | None:
    """zeros(shape) with a value added at x's indexed places; the value is x[index] or a fresh input."""
    s = ctx.shape(a)
    index = draw_index(ctx, s)
    pos = positions(s, index)
    if pos is None:
        return None
    spec = normalize_index(index, len(s))
    size = math.prod(s)

    def theirs_of(v, T):
        flat = T.zeros(size, dtype=v.dtype).index_add(0, T.from_numpy(pos.ravel()), v.reshape(-1))
        return flat.reshape(s)

    if ctx.draw(st.booleans()):
        return Op(
            f"add_at(v{a}[{index!r}], shape={s})",
            (a,),
            lambda x: add_at(x[index], index=spec, shape=s),
            lambda T, x: theirs_of(x.reshape(-1)[T.from_numpy(pos.copy())], T),
        )
    v = ctx.new_leaf(pos.shape)
    return Op(
        f"add_at(v{v}, {index!r}, shape={s})",
        (v,),
        lambda x: add_at(x, index=spec, shape=s),
        lambda T, x: theirs_of(x, T),
    )


def _along_index(ctx: Context, s: tuple[int, ...]) -> tuple[int, np.ndarray] | None:
    """A (negative) axis of ``s`` and an index along it of the same shape elsewhere (PyTorch's gather)."""
    if not s or 0 in s:
        return None
    axis = ctx.draw(st.integers(-len(s), -1))
    picks = ctx.draw(st.integers(1, 4))
    idx_shape = tuple(picks if d == len(s) + axis else n for d, n in enumerate(s))
    return axis, ctx.rng.integers(0, s[axis], idx_shape)


def take_along_case(ctx: Context, a: int) -> Op | None:
    s = ctx.shape(a)
    found = _along_index(ctx, s)
    if found is None:
        return None
    axis, idx = found
    return Op(
        f"take_along(v{a}, {idx.tolist()}, axis={axis})",
        (a,),
        lambda x: take_along(x, idx, axis=axis),
        lambda T, x: T.gather(x, axis, T.from_numpy(idx.copy())),
    )


def put_along_case(ctx: Context, a: int) -> Op | None:
    """zeros(s) with v{a} added at the index along the axis (PyTorch's scatter_add); s is v{a}'s shape."""
    s = ctx.shape(a)
    found = _along_index(ctx, s)
    if found is None:
        return None
    axis, idx = found
    # v must have the index's shape: pick v{a}'s first entries along the axis when the index is shorter
    out_shape = tuple(idx.shape[d] if d == len(s) + axis else n for d, n in enumerate(s))
    v = ctx.new_leaf(idx.shape)
    return Op(
        f"put_along(v{v}, {idx.tolist()}, axis={axis}, shape={out_shape})",
        (v,),
        lambda x: put_along(x, idx % out_shape[axis], axis=axis, shape=out_shape),
        lambda T, x: T.zeros(out_shape, dtype=x.dtype).scatter_add(axis, T.from_numpy(idx % out_shape[axis]), x),
    )


def along_axis(ours: Callable, theirs: Callable, nonempty: bool = False) -> Callable:
    """``nonempty``: PyTorch refuses an empty axis (logcumsumexp), so none is drawn."""

    def build(ctx: Context, a: int) -> Op | None:
        s = ctx.shape(a)
        if not s:
            return None
        axis = ctx.draw(st.integers(-len(s), len(s) - 1))
        if nonempty and s[axis] == 0:
            return None
        return Op(f"{{}}(v{a}, axis={axis})", (a,), lambda x: ours(x, axis=axis), lambda T, x: theirs(x, dim=axis))

    return build


def prod_case(ctx: Context, a: int) -> Op | None:
    """prod over one drawn axis (PyTorch's prod takes one dim), or over everything."""
    s = ctx.shape(a)
    if s and ctx.draw(st.booleans()):
        axis = ctx.draw(st.integers(-len(s), len(s) - 1))
        keep = ctx.draw(st.booleans())
        return Op(
            f"prod(v{a}, axis={axis}, keepdims={keep})",
            (a,),
            lambda x: ag.prod(x, axis=axis, keepdims=keep),
            lambda T, x: T.prod(x, dim=axis, keepdim=keep),
        )
    return Op(f"prod(v{a})", (a,), lambda x: ag.prod(x), lambda T, x: T.prod(x))


def einsum_case(ctx: Context, a: int) -> Op | None:
    """A contraction of v with a fresh operand, a trace or a transpose, spelled as einsum subscripts."""
    s = ctx.shape(a)
    if len(s) == 2:
        kind = ctx.draw(
            st.sampled_from(["ij,jk->ik", "ij->ji", "ij,ij->i", "ij->"] + (["ii->"] if s[0] == s[1] else []))
        )
    elif len(s) == 1:
        kind = ctx.draw(st.sampled_from(["i,i->", "i,j->ij", "i->"]))
    else:
        kind = "...->..."
    operands = kind.split("->")[0].split(",")
    if len(operands) == 1:
        return Op(f"einsum({kind!r}, v{a})", (a,), lambda x: ag.einsum(kind, x), lambda T, x: T.einsum(kind, x))
    letters = dict(zip(operands[0], s))
    letters.update({c: ctx.draw(st.integers(0, 3)) for c in operands[1] if c not in letters})
    other = ctx.new_leaf(tuple(letters[c] for c in operands[1]))
    return Op(
        f"einsum({kind!r}, v{a}, v{other})",
        (a, other),
        lambda x, y: ag.einsum(kind, x, y),
        lambda T, x, y: T.einsum(kind, x, y),
    )


def vector_norm_case(ctx: Context, a: int) -> Op | None:
    """A p-norm over all elements of a value kept away from 0 (where the norms' kinks are conventions)."""
    s = ctx.shape(a)
    if math.prod(s) == 0:
        return None
    order = ctx.draw(st.sampled_from([1, 2, 3, math.inf]))
    return Op(
        f"vector_norm(positive(v{a}), ord={order})",
        (a,),
        lambda x: ag.linalg.vector_norm(positive(x), ord=order),
        lambda T, x: T.linalg.vector_norm(positive(x), ord=order),
    )


def square_case(ours: Callable, theirs: Callable, well_conditioned: bool = False, positive_definite: bool = False):
    """A function of a fresh square matrix built from program value a: m = v·vᵀ/n + I (SPD, well conditioned)."""

    def build(ctx: Context, a: int) -> Op | None:
        s = ctx.shape(a)
        if len(s) != 2 or s[0] == 0 or s[1] == 0:
            return None
        n = s[0]

        def spd_ours(x):
            return x @ x.T / s[1] + ag.eye(n, dtype=x.dtype)

        def spd_theirs(T, x):
            return x @ x.T / s[1] + T.eye(n, dtype=x.dtype)

        return Op(
            f"{{}}(v{a}·v{a}ᵀ/{s[1]} + I)",
            (a,),
            lambda x: ours(spd_ours(x)),
            lambda T, x: theirs(T, spd_theirs(T, x)),
        )

    return build


def singular_case(ctx: Context, a: int) -> Op | None:
    """svdvals or a spectral / nuclear matrix norm of v + D (D: 1.5·(k, …, 2, 1) on the diagonal), matrices in the
    last two axes: D keeps the singular values apart even where v is exactly 0 (a relu's), so all derivatives exist."""
    s = ctx.shape(a)
    if len(s) < 2 or s[-1] == 0 or s[-2] == 0:
        return None
    m, n = s[-2:]
    k = min(m, n)
    shift = np.zeros((m, n))
    shift[range(k), range(k)] = 1.5 * np.arange(k, 0, -1)
    kind = ctx.draw(st.sampled_from(["svdvals", 2, -2, "nuc"]))
    if kind == "svdvals":
        return Op(
            f"svdvals(v{a} + D)",
            (a,),
            lambda x: ag.linalg.svdvals(x + shift.astype(x.dtype)),
            lambda T, x: T.linalg.svdvals(x + T.from_numpy(shift).to(x.dtype)),
        )
    keep = ctx.draw(st.booleans())
    return Op(
        f"matrix_norm(v{a} + D, ord={kind!r}, keepdim={keep})",
        (a,),
        lambda x: ag.linalg.norm(x + shift.astype(x.dtype), ord=kind, dim=(-2, -1), keepdim=keep),
        lambda T, x: T.linalg.matrix_norm(x + T.from_numpy(shift).to(x.dtype), ord=kind, keepdim=keep),
    )


def solve_case(ctx: Context, a: int) -> Op | None:
    """solve(v·vᵀ/n + I, b) with a fresh right-hand side b."""
    s = ctx.shape(a)
    if len(s) != 2 or s[0] == 0 or s[1] == 0:
        return None
    n = s[0]
    b = ctx.new_leaf((n, ctx.draw(st.integers(1, 3))))
    return Op(
        f"solve(v{a}·v{a}ᵀ/{s[1]} + I, v{b})",
        (a, b),
        lambda x, y: ag.linalg.solve(x @ x.T / s[1] + ag.eye(n, dtype=x.dtype), y),
        lambda T, x, y: T.linalg.solve(x @ x.T / s[1] + T.eye(n, dtype=x.dtype), y),
    )


def same_dtype(t, like):
    """A loss target in its input's dtype: PyTorch's losses refuse (or quietly narrow) mixed dtypes."""
    return t if t.dtype == like.dtype else ag.cast(t, like.dtype)


def same_dtype_theirs(fn):
    return lambda T, z, t: fn(T, z, t.to(z.dtype))


def _torch_class_axis(x):
    """PyTorch wants classes on axis 1 (or on the only axis of one example)."""
    return x if x.ndim == 1 else x.movedim(-1, 1)


def cross_entropy_case(ctx: Context, a: int) -> Op | None:
    """Class labels (a constant), or any real target scores of the logits' shape (differentiable)."""
    s = ctx.shape(a)
    if not s or s[-1] == 0:
        return None
    if ctx.draw(st.booleans()):
        labels = np.asarray(ctx.rng.integers(0, s[-1], s[:-1]))

        def theirs(T, z):
            return T.nn.functional.cross_entropy(_torch_class_axis(z), T.from_numpy(labels), reduction="none")

        return Op(f"cross_entropy(v{a}, labels{labels.shape})", (a,), lambda z: ag.cross_entropy(z, labels), theirs)
    p = ctx.other(lambda t: t == s, lambda: s)

    def theirs_soft(T, z, q):
        return T.nn.functional.cross_entropy(_torch_class_axis(z), _torch_class_axis(q), reduction="none")

    return Op(
        f"cross_entropy(v{a}, v{p})",
        (a, p),
        lambda z, q: ag.cross_entropy(z, same_dtype(q, z)),
        same_dtype_theirs(theirs_soft),
    )


def bce_case(ctx: Context, a: int) -> Op:
    s = ctx.shape(a)
    y = ctx.other(lambda t: t == s, lambda: s)
    return Op(
        f"binary_cross_entropy(prob(v{a}), prob(v{y}))",
        (a, y),
        lambda p, t: ag.binary_cross_entropy(probability_ours(p), probability_ours(same_dtype(t, p))),
        lambda T, p, t: T.nn.functional.binary_cross_entropy(
            probability_theirs(T, p), probability_theirs(T, t.to(p.dtype)), reduction="none"
        ),
    )


def bce_logits_case(ctx: Context, a: int) -> Op:
    s = ctx.shape(a)
    y = ctx.other(lambda t: t == s, lambda: s)
    return Op(
        f"bce_with_logits(v{a}, prob(v{y}))",
        (a, y),
        lambda z, t: ag.binary_cross_entropy_with_logits(z, probability_ours(same_dtype(t, z))),
        lambda T, z, t: T.nn.functional.binary_cross_entropy_with_logits(
            z, probability_theirs(T, t.to(z.dtype)), reduction="none"
        ),
    )


def _tensor_pair(T, a, b):
    """Python numbers as 0-d tensors of the other operand's dtype (torch.maximum takes tensors only)."""
    if not isinstance(a, T.Tensor):
        a = T.tensor(a, dtype=b.dtype)
    if not isinstance(b, T.Tensor):
        b = T.tensor(b, dtype=a.dtype)
    return a, b


def at_ties(build: Callable) -> Callable:
    """fmax/fmin: PyTorch's reverse mode gives a tie's gradient to the first operand, its forward mode to
    the second; this library gives it to the first in both, so jvp and Hessians are not compared at ties."""

    def tied(ctx: Context, a: int) -> Op | None:
        op = build(ctx, a)
        if op is not None:
            # with a constant operand the tie is not visible here: any element where the value kept a is skipped
            op.conventions = lambda xs, y: (
                ("jvp", "hessian") if bool(((xs[0] == xs[1]) if len(xs) == 2 else (y == xs[0])).any()) else ()
            )
        return op

    return tied


def at_zero_magnitude(build: Callable) -> Callable:
    """copysign: at a = 0 PyTorch's derivatives of its own gradient are NaN (it divides by |a|); this library
    takes the gradient as exactly 0 there (no NaN where the maths is finite), so Hessians are not compared at a = 0."""

    def kinked(ctx: Context, a: int) -> Op | None:
        op = build(ctx, a)
        if op is not None:
            op.conventions = lambda xs, y: ("hessian",) if bool((xs[0] == 0).any()) else ()
        return op

    return kinked


def lerp_case(ctx: Context, a: int) -> Op:
    """lerp(v, end, weight) with a fresh end and a fresh weight of v's shape, in v's dtype (v may come from a cast:
    torch.lerp refuses mixed dtypes)."""
    s = ctx.shape(a)
    end, weight = ctx.new_leaf(s), ctx.new_leaf(s)
    return Op(
        f"lerp(v{a}, v{end}, v{weight})",
        (a, end, weight),
        lambda x, e, w: ag.lerp(x, same_dtype(e, x), same_dtype(w, x)),
        lambda T, x, e, w: T.lerp(x, e.to(x.dtype), w.to(x.dtype)),
    )


def _F(name: str) -> Callable:
    return lambda T, *xs: getattr(T.nn.functional, name)(*xs)


def _T(name: str) -> Callable:
    return lambda T, *xs: getattr(T, name)(*xs)


def _T2(name: str) -> Callable:
    """A PyTorch binary function that takes only tensors: a number operand becomes one, in the other's dtype."""

    def call(T, a, b):
        like = a if isinstance(a, T.Tensor) else b
        a, b = (x if isinstance(x, T.Tensor) else T.as_tensor(x, dtype=like.dtype) for x in (a, b))
        return getattr(T, name)(a, b)

    return call


BUILDERS: dict[str, Callable[[Context, int], Op | None]] = {
    "add": binary(spellings(ag.add, numpy=np.add, operator=lambda a, b: a + b), lambda T, a, b: a + b),
    "sub": binary(spellings(ag.sub, numpy=np.subtract, operator=lambda a, b: a - b), lambda T, a, b: a - b),
    "mul": binary(spellings(ag.mul, numpy=np.multiply, operator=lambda a, b: a * b), lambda T, a, b: a * b),
    "div": binary(
        spellings(ag.div, numpy=np.divide, operator=lambda a, b: a / b),
        lambda T, a, b: a / b,
        second=positive,
        constants=(-1.5, 0.5, 2.0),
    ),
    "neg": unary(spellings(ag.neg, numpy=np.negative, operator=lambda x: -x), _T("neg")),
    "pow": pow_case,
    "exp": unary(spellings(ag.exp, "exp", np.exp), _T("exp")),
    "log": unary(spellings(ag.log, "log", np.log), _T("log"), positive),
    "log1p": unary(spellings(ag.log1p, "log1p", np.log1p), _T("log1p"), above_minus_one),
    "sqrt": unary(spellings(ag.sqrt, "sqrt", np.sqrt), _T("sqrt"), positive),
    "abs": unary(spellings(ag.abs, "abs", np.abs, operator=abs), _T("abs")),
    "sign": unary(spellings(ag.sign, "sign", np.sign), _T("sign")),
    "sin": unary(spellings(ag.sin, "sin", np.sin), _T("sin")),
    "cos": unary(spellings(ag.cos, "cos", np.cos), _T("cos")),
    "tanh": unary(spellings(ag.tanh, "tanh", np.tanh), _T("tanh")),
    "sigmoid": unary(spellings(ag.sigmoid, "sigmoid"), _T("sigmoid")),
    "relu": unary(spellings(ag.relu, "relu"), _T("relu")),
    "leaky_relu": with_parameter("negative_slope", ag.leaky_relu, _F("leaky_relu"), [0.01, 0.2, 1.5]),
    "elu": with_parameter(
        "alpha",
        ag.elu,
        _F("elu"),
        [1.0, 0.5, 2.0],
        conventions=lambda xs, y: ("hessian",) if bool((xs[0] == 0).any()) else (),
    ),
    "softplus": unary(ag.softplus, _F("softplus")),
    "silu": unary(ag.silu, _F("silu")),
    "maximum": binary(
        spellings(ag.maximum, numpy=np.maximum), lambda T, a, b: T.maximum(*_tensor_pair(T, a, b)), constants=(0.0, 0.5)
    ),
    "minimum": binary(
        spellings(ag.minimum, numpy=np.minimum), lambda T, a, b: T.minimum(*_tensor_pair(T, a, b)), constants=(0.0, 0.5)
    ),
    "clip": clip_case,
    "where": where_case,
    "cast": cast_case,
    "identity": unary(ag.identity, lambda T, x: x.view_as(x)),
    "sum": reduction(spellings(ag.sum, "sum", np.sum), lambda T, x, d, k: T.sum(x, dim=d, keepdim=k)),
    "mean": reduction(spellings(ag.mean, "mean", np.mean), lambda T, x, d, k: T.mean(x, dim=d, keepdim=k)),
    "max": reduction(spellings(ag.max, "max", np.max), lambda T, x, d, k: T.amax(x, dim=d, keepdim=k), nonempty=True),
    "min": reduction(spellings(ag.min, "min", np.min), lambda T, x, d, k: T.amin(x, dim=d, keepdim=k), nonempty=True),
    "var": variance(spellings(ag.var, "var", np.var), lambda x, **k: x.var(**k)),
    "std": variance(spellings(ag.std, "std", np.std), lambda x, **k: x.std(**k)),
    "logsumexp": reduction(spellings(ag.logsumexp, "logsumexp"), lambda T, x, d, k: T.logsumexp(x, dim=d, keepdim=k)),
    "matmul": matmul_case,
    "linear": linear_case,
    "transpose": transpose_case,
    "reshape": reshape_case,
    "broadcast_to": broadcast_to_case,
    "concatenate": concatenate_case,
    "pad": pad_case,
    "getitem": getitem_case,
    "add_at": scatter_add_case,
    "take_along": take_along_case,
    "put_along": put_along_case,
    "tan": unary(spellings(ag.tan, "tan", np.tan), _T("tan"), inside_unit),
    "sinh": unary(spellings(ag.sinh, "sinh", np.sinh), _T("sinh")),
    "cosh": unary(spellings(ag.cosh, "cosh", np.cosh), _T("cosh")),
    "arcsin": unary(spellings(ag.arcsin, "arcsin", np.arcsin), _T("asin"), inside_unit),
    "arccos": unary(spellings(ag.arccos, "arccos", np.arccos), _T("acos"), inside_unit),
    "arctan": unary(spellings(ag.arctan, "arctan", np.arctan), _T("atan")),
    "arcsinh": unary(spellings(ag.arcsinh, "arcsinh", np.arcsinh), _T("asinh")),
    "arccosh": unary(spellings(ag.arccosh, "arccosh", np.arccosh), _T("acosh"), above_one),
    "arctanh": unary(spellings(ag.arctanh, "arctanh", np.arctanh), _T("atanh"), inside_unit),
    "log2": unary(spellings(ag.log2, "log2", np.log2), _T("log2"), positive),
    "log10": unary(spellings(ag.log10, "log10", np.log10), _T("log10"), positive),
    "exp2": unary(spellings(ag.exp2, "exp2", np.exp2), _T("exp2")),
    "expm1": unary(spellings(ag.expm1, "expm1", np.expm1), _T("expm1")),
    "square": unary(spellings(ag.square, "square", np.square), _T("square")),
    "reciprocal": unary(spellings(ag.reciprocal, "reciprocal", np.reciprocal), _T("reciprocal"), positive),
    "rsqrt": unary(spellings(ag.rsqrt, "rsqrt"), _T("rsqrt"), positive),
    "erf": unary(ag.erf, _T("erf")),
    "erfc": unary(ag.erfc, _T("erfc")),
    "erfinv": unary(ag.erfinv, _T("erfinv"), inside_unit),
    "gelu": with_parameter(
        "approximate",
        lambda x, a: ag.gelu(x, approximate=a),
        lambda T, x, a: T.nn.functional.gelu(x, approximate=a),
        ["none", "tanh"],
    ),
    "floor": unary(spellings(ag.floor, "floor", np.floor), _T("floor")),
    "ceil": unary(spellings(ag.ceil, "ceil", np.ceil), _T("ceil")),
    "trunc": unary(spellings(ag.trunc, "trunc", np.trunc), _T("trunc")),
    "round": unary(spellings(ag.round, "round"), _T("round")),
    "clone": unary(spellings(ag.clone, "clone"), _T("clone")),
    "logaddexp": binary(spellings(ag.logaddexp, numpy=np.logaddexp), _T2("logaddexp")),
    "logaddexp2": binary(spellings(ag.logaddexp2, numpy=np.logaddexp2), _T2("logaddexp2")),
    "hypot": binary(spellings(ag.hypot, numpy=np.hypot), _T2("hypot"), second=positive),
    "arctan2": binary(spellings(ag.arctan2, numpy=np.arctan2), _T2("atan2"), second=positive),
    "fmax": at_ties(binary(spellings(ag.fmax, numpy=np.fmax), _T2("fmax"))),
    "fmin": at_ties(binary(spellings(ag.fmin, numpy=np.fmin), _T2("fmin"))),
    "copysign": at_zero_magnitude(binary(spellings(ag.copysign, numpy=np.copysign), _T2("copysign"), second=positive)),
    "fmod": binary(spellings(ag.fmod, numpy=np.fmod), _T2("fmod"), second=positive),
    "remainder": binary(spellings(ag.remainder, numpy=np.remainder), _T2("remainder"), second=positive),
    "lerp": lerp_case,
    "prod": prod_case,
    "cumsum": along_axis(ag.cumsum, lambda x, dim: x.cumsum(dim)),
    "cumprod": along_axis(ag.cumprod, lambda x, dim: x.cumprod(dim)),
    "logcumsumexp": along_axis(ag.logcumsumexp, lambda x, dim: x.logcumsumexp(dim), nonempty=True),
    "einsum": einsum_case,
    "vector_norm": vector_norm_case,
    "inv": square_case(ag.linalg.inv, lambda T, m: T.linalg.inv(m), well_conditioned=True),
    "det": square_case(ag.linalg.det, lambda T, m: T.linalg.det(m), well_conditioned=True),
    "slogdet": square_case(
        lambda m: ag.linalg.slogdet(m)[1], lambda T, m: T.linalg.slogdet(m)[1], well_conditioned=True
    ),
    "slogdet_sign": square_case(
        lambda m: ag.linalg.slogdet(m)[0], lambda T, m: T.linalg.slogdet(m)[0], well_conditioned=True
    ),
    "solve": solve_case,
    "svd": singular_case,
    "cholesky": square_case(ag.linalg.cholesky, lambda T, m: T.linalg.cholesky(m), positive_definite=True),
    "softmax": along_axis(ag.softmax, lambda x, dim: x.softmax(dim)),
    "log_softmax": along_axis(ag.log_softmax, lambda x, dim: x.log_softmax(dim)),
    "cross_entropy": cross_entropy_case,
    "binary_cross_entropy": bce_case,
    "bce_with_logits": bce_logits_case,
}
