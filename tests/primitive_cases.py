"""One input builder per registered primitive, for the tests that walk the registry.

``CASES[name](draw, rng)`` returns a ``Case``: a function of the primitive's
differentiable inputs and float64 values for them, drawn with broadcasting
shapes, inside the primitive's domain and away from its kinks (so finite
differences are meaningful). A primitive missing here fails
``test_every_primitive_has_a_case``; the differential test against PyTorch
has its own builders, in ``torch_cases.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.primitives.along import index_like, put_along, take_along
from autograd_core.primitives.index import add_at, normalize_index
from autograd_core.primitives.transfer import to_device


@dataclass
class Case:
    fn: Callable[..., ag.Tensor]
    inputs: list[np.ndarray]

    def tensors(self, dtype=np.float64, requires_grad=True) -> list[ag.Tensor]:
        return [ag.tensor(x, dtype=dtype, requires_grad=requires_grad) for x in self.inputs]


def shape(draw, min_dims=0, max_dims=3, min_side=1, max_side=3):
    return draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side))


def broadcast_shapes(draw, n, min_dims=0, max_dims=3):
    found = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=3)
    )
    return found.input_shapes


def normal(rng, s):
    return rng.standard_normal(s)


def positive(rng, s):
    return rng.uniform(0.5, 2.0, s)


def nonzero(rng, s):
    """Values with |x| ≥ 0.2: clear of the kink at 0."""
    return rng.choice([-1.0, 1.0], s) * rng.uniform(0.2, 2.0, s)


def distinct(rng, s):
    """All different (no ties for max/min), well separated."""
    n = int(np.prod(s)) if s else 1
    return (rng.permutation(n).reshape(s) * 0.3 + rng.uniform(0, 0.05, s)).astype(np.float64)


def unary(fn, sample=normal):
    def build(draw, rng):
        return Case(fn, [sample(rng, shape(draw))])

    return build


def binary(fn, sample_a=normal, sample_b=normal):
    def build(draw, rng):
        sa, sb = broadcast_shapes(draw, 2)
        return Case(fn, [sample_a(rng, sa), sample_b(rng, sb)])

    return build


def tie_free_pair(fn):
    """Two broadcasting operands that never tie: a on an even grid, b on the odd one."""

    def build(draw, rng):
        sa, sb = broadcast_shapes(draw, 2)
        a = rng.integers(-4, 4, sa) * 0.2
        b = rng.integers(-4, 4, sb) * 0.2 + 0.1
        return Case(fn, [a.astype(np.float64), b.astype(np.float64)])

    return build


def axis_and_keepdims(draw, ndim):
    if ndim == 0:
        return None, draw(st.booleans())
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        axis = None
    elif choice == "int":
        axis = draw(st.integers(-ndim, ndim - 1))
    else:
        axis = tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))
    return axis, draw(st.booleans())


def reduction(fn_of_axis, sample=normal, min_count=1):
    def build(draw, rng):
        s = shape(draw)
        axis, keepdims = axis_and_keepdims(draw, len(s))
        axes = range(len(s)) if axis is None else ([axis] if isinstance(axis, int) else axis)
        count = int(np.prod([s[a] for a in axes])) if s else 1
        assume(count >= min_count)
        return Case(lambda x: fn_of_axis(x, axis, keepdims), [sample(rng, s)])

    return build


def variance(fn):
    def build(draw, rng):
        s = shape(draw, min_dims=1)
        axis, keepdims = axis_and_keepdims(draw, len(s))
        axes = range(len(s)) if axis is None else ([axis] if isinstance(axis, int) else axis)
        count = int(np.prod([s[a] for a in axes]))
        assume(count >= 2)
        ddof = draw(st.integers(0, 1))
        return Case(lambda x: fn(x, axis=axis, keepdims=keepdims, ddof=ddof), [normal(rng, s)])

    return build


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((2, 2, 3), (3, 4)),
    ((2, 3), (2, 3, 4)),
    ((2, 1, 2, 3), (3, 3, 1)),
    ((3,), (2, 3, 2)),
    ((2, 2, 3), (3,)),
    ((1, 3), (3, 1)),
]


def matmul_case(draw, rng):
    sa, sb = draw(st.sampled_from(MATMUL_SHAPES))
    return Case(ag.matmul, [normal(rng, sa), normal(rng, sb)])


def linear_case(draw, rng):
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (2,), (3, 2)]))
    x, w = normal(rng, lead + (n_in,)), normal(rng, (n_out, n_in))
    if draw(st.booleans()):
        return Case(lambda x, w: ag.linear(x, w), [x, w])  # without a bias: still one node
    return Case(ag.linear, [x, w, normal(rng, (n_out,))])


def transpose_case(draw, rng):
    s = shape(draw)
    perm = tuple(draw(st.permutations(range(len(s)))))
    return Case(lambda x: ag.transpose(x, perm), [normal(rng, s)])


def reshape_case(draw, rng):
    s = shape(draw)
    size = int(np.prod(s))
    target = draw(st.sampled_from([(size,), s[::-1], (1,) + s, s + (1,), (-1,)]))
    return Case(lambda x: ag.reshape(x, target), [normal(rng, s)])


def broadcast_to_case(draw, rng):
    target = shape(draw, min_dims=1)
    dropped = draw(st.integers(0, len(target)))
    s = tuple(1 if draw(st.booleans()) else n for n in target[dropped:])
    return Case(lambda x: ag.broadcast_to(x, target), [normal(rng, s)])


def concatenate_case(draw, rng):
    base = list(shape(draw, min_dims=1))
    axis = draw(st.integers(-len(base), len(base) - 1))
    shapes = []
    for _ in range(draw(st.integers(1, 3))):
        base[axis] = draw(st.integers(1, 3))
        shapes.append(tuple(base))
    return Case(lambda *xs: ag.concatenate(xs, axis=axis), [normal(rng, s) for s in shapes])


def pad_case(draw, rng):
    s = shape(draw)
    widths = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in s)
    value = draw(st.sampled_from([0.0, 1.5]))
    return Case(lambda x: ag.pad(x, widths, constant_values=value), [normal(rng, s)])


def index_examples(rng):
    """(shape, index) pairs covering slices, negative steps, repeats, masks, None and Ellipsis."""
    return [
        ((5,), slice(1, 4)),
        ((5,), slice(None, None, -2)),
        ((4, 3), (1, slice(None))),
        ((4, 3), np.array([0, 2, 2, 1, 2])),
        ((4, 3), (slice(None), [2, 0, 0])),
        ((3, 4), rng.random((3, 4)) > 0.5),
        ((3, 4), (rng.random(3) > 0.3, slice(1, 3))),
        ((2, 3, 4), (None, Ellipsis, 1)),
        ((2, 3, 4), ([1, 0, 1], slice(None), [3, 3, 0])),
        ((2, 3, 4), (Ellipsis, [0, 0])),
        ((2, 3, 4), (None, 0, Ellipsis, 0, [1, 2])),  # an Ellipsis of no axes still separates: advanced axes first
        ((3, 3), (np.array([[0, 1], [2, 2]]), np.array([[1, 1], [0, 2]]))),
        ((), None),
    ]


def getitem_case(draw, rng):
    s, index = draw(st.sampled_from(index_examples(rng)))
    return Case(lambda x: x[index], [normal(rng, s)])


def add_at_case(draw, rng):
    s, index = draw(st.sampled_from(index_examples(rng)))
    spec = normalize_index(index, len(s))
    picked = np.zeros(s)[spec.items].shape
    return Case(lambda v: add_at(v, index=spec, shape=s), [normal(rng, picked)])


def _along_index(draw, rng, s):
    """An axis of shape ``s`` and an integer index along it (repeats allowed), broadcasting on the other axes."""
    axis = draw(st.integers(-len(s), -1))
    picks = draw(st.integers(1, 4))
    idx_shape = tuple(picks if d == len(s) + axis else draw(st.sampled_from([1, n])) for d, n in enumerate(s))
    return axis, rng.integers(-s[axis], s[axis], idx_shape)


def take_along_case(draw, rng):
    s = shape(draw, min_dims=1)
    axis, idx = _along_index(draw, rng, s)
    return Case(lambda x: take_along(x, index_like(idx, x), axis=axis), [normal(rng, s)])


def put_along_case(draw, rng):
    s = shape(draw, min_dims=1)
    axis, idx = _along_index(draw, rng, s)
    picked = np.take_along_axis(np.zeros(s), idx, axis).shape
    return Case(lambda v: put_along(v, index_like(idx, v), axis=axis, shape=s), [normal(rng, picked)])


def along_axis(fn):
    def build(draw, rng):
        s = shape(draw, min_dims=1)
        axis = draw(st.integers(-len(s), len(s) - 1))
        return Case(lambda x: fn(x, axis=axis), [normal(rng, s)])

    return build


def cross_entropy_case(draw, rng):
    s = draw(st.sampled_from([(4,), (3, 4), (2, 3, 2)]))
    if draw(st.booleans()):
        target = rng.integers(0, s[-1], s[:-1])
        return Case(lambda z: ag.cross_entropy(z, target), [normal(rng, s)])
    return Case(ag.cross_entropy, [normal(rng, s), rng.uniform(0.1, 1.0, s)])


def where_case(draw, rng):
    sc, sa, sb = broadcast_shapes(draw, 3)
    cond = rng.random(sc) > 0.5
    return Case(
        lambda a, b: ag.where(ag.as_tensor(cond, device=ag.backend.device_of(a)), a, b),
        [normal(rng, sa), normal(rng, sb)],
    )


def clip_case(draw, rng):
    s = shape(draw)
    inside = rng.uniform(-0.4, 0.4, s)
    outside = rng.choice([-1.0, 1.0], s) * rng.uniform(0.6, 2.0, s)
    x = np.where(rng.random(s) > 0.5, inside, outside)
    lo, hi = draw(st.sampled_from([(-0.5, 0.5), (-0.5, None), (None, 0.5)]))
    return Case(lambda x: ag.clip(x, lo, hi), [x])


def slope_case(fn, name):
    def build(draw, rng):
        p = draw(st.floats(0.05, 1.5))
        return Case(lambda x: fn(x, **{name: p}), [nonzero(rng, shape(draw))])

    return build


def uniform(lo, hi):
    def sample(rng, s):
        return rng.uniform(lo, hi, s)

    return sample


def off_grid(rng, s):
    """Values a quarter away from every integer and half-integer: clear of floor/ceil/round/trunc's jumps."""
    return rng.integers(-3, 3, s) + rng.choice([0.25, 0.75], s) + rng.uniform(-0.1, 0.1, s)


def modulo_case(fn):
    """Dividend and divisor whose ratio stays clear of integers (the jumps of floor(a/b) and trunc(a/b))."""

    def build(draw, rng):
        sa, sb = broadcast_shapes(draw, 2)
        b = rng.choice([-0.7, 0.7], sb)
        a = 0.7 * (rng.integers(-3, 3, sa) + rng.uniform(0.2, 0.8, sa))
        return Case(fn, [a, b])

    return build


def lerp_case(draw, rng):
    s1, s2, s3 = broadcast_shapes(draw, 3)
    return Case(ag.lerp, [normal(rng, s1), normal(rng, s2), rng.uniform(-0.5, 1.5, s3)])


def gelu_case(draw, rng):
    approximate = draw(st.sampled_from(["none", "tanh"]))
    return Case(lambda x: ag.gelu(x, approximate=approximate), [normal(rng, shape(draw)) * 2])


def needs_scipy(build):
    """A builder for a primitive computed with scipy.special: skipped where scipy is not installed."""

    def guarded(draw, rng):
        pytest.importorskip("scipy")
        return build(draw, rng)

    return guarded


def round_case(draw, rng):
    decimals = draw(st.sampled_from([0, 1]))
    return Case(lambda x: ag.round(x, decimals), [off_grid(rng, shape(draw)) / 10**decimals])


CASES: dict[str, Callable] = {
    "add": binary(ag.add),
    "sub": binary(ag.sub),
    "mul": binary(ag.mul),
    "div": binary(ag.div, normal, nonzero),
    "neg": unary(ag.neg),
    "pow": binary(ag.pow, positive, normal),
    "exp": unary(ag.exp),
    "log": unary(ag.log, positive),
    "log1p": unary(ag.log1p, lambda rng, s: rng.uniform(-0.5, 2.0, s)),
    "sqrt": unary(ag.sqrt, positive),
    "abs": unary(ag.abs, nonzero),
    "sign": unary(ag.sign, nonzero),
    "sin": unary(ag.sin),
    "cos": unary(ag.cos),
    "tanh": unary(ag.tanh),
    "sigmoid": unary(ag.sigmoid),
    "relu": unary(ag.relu, nonzero),
    "leaky_relu": slope_case(ag.leaky_relu, "negative_slope"),
    "elu": slope_case(ag.elu, "alpha"),
    "softplus": unary(ag.softplus),
    "silu": unary(ag.silu),
    "maximum": tie_free_pair(ag.maximum),
    "minimum": tie_free_pair(ag.minimum),
    "clip": clip_case,
    "where": where_case,
    "cast": unary(lambda x: ag.cast(x, np.float64)),
    "identity": unary(ag.identity),
    # a copy between memories; on one machine "cpu" (from the duck array's pseudo-device in test_backend_duck)
    "to_device": unary(lambda x: to_device(x, device="cpu")),
    "sum": reduction(lambda x, a, k: ag.sum(x, a, k)),
    "mean": reduction(lambda x, a, k: ag.mean(x, a, k)),
    "max": reduction(lambda x, a, k: ag.max(x, a, keepdims=k), distinct),
    "min": reduction(lambda x, a, k: ag.min(x, a, keepdims=k), distinct),
    "var": variance(ag.var),
    "std": variance(ag.std),
    "logsumexp": reduction(lambda x, a, k: ag.logsumexp(x, a, k)),
    "matmul": matmul_case,
    "linear": linear_case,
    "transpose": transpose_case,
    "reshape": reshape_case,
    "broadcast_to": broadcast_to_case,
    "concatenate": concatenate_case,
    "pad": pad_case,
    "getitem": getitem_case,
    "add_at": add_at_case,
    "take_along": take_along_case,
    "put_along": put_along_case,
    "softmax": along_axis(ag.softmax),
    "log_softmax": along_axis(ag.log_softmax),
    "cross_entropy": cross_entropy_case,
    "binary_cross_entropy": binary(
        ag.binary_cross_entropy, lambda rng, s: rng.uniform(0.05, 0.95, s), lambda rng, s: rng.uniform(0, 1, s)
    ),
    "bce_with_logits": binary(ag.binary_cross_entropy_with_logits, normal, lambda rng, s: rng.uniform(0, 1, s)),
    # the numpy / PyTorch surface (issue 9)
    "tan": unary(ag.tan, uniform(-1.2, 1.2)),
    "arcsin": unary(ag.arcsin, uniform(-0.8, 0.8)),
    "arccos": unary(ag.arccos, uniform(-0.8, 0.8)),
    "arctan": unary(ag.arctan),
    "arctan2": binary(ag.arctan2, nonzero, nonzero),
    "hypot": binary(ag.hypot, nonzero, nonzero),
    "sinh": unary(ag.sinh),
    "cosh": unary(ag.cosh),
    "arcsinh": unary(ag.arcsinh),
    "arccosh": unary(ag.arccosh, uniform(1.2, 3.0)),
    "arctanh": unary(ag.arctanh, uniform(-0.8, 0.8)),
    "log2": unary(ag.log2, positive),
    "log10": unary(ag.log10, positive),
    "exp2": unary(ag.exp2),
    "expm1": unary(ag.expm1),
    "logaddexp": binary(ag.logaddexp),
    "logaddexp2": binary(ag.logaddexp2),
    "square": unary(ag.square),
    "reciprocal": unary(ag.reciprocal, nonzero),
    "rsqrt": unary(ag.rsqrt, positive),
    "lerp": lerp_case,
    "remainder": modulo_case(ag.remainder),
    "fmod": modulo_case(ag.fmod),
    "copysign": binary(ag.copysign, nonzero, nonzero),
    "fmax": tie_free_pair(ag.fmax),
    "fmin": tie_free_pair(ag.fmin),
    "clone": unary(ag.clone),
    "floor": unary(ag.floor, off_grid),
    "ceil": unary(ag.ceil, off_grid),
    "trunc": unary(ag.trunc, off_grid),
    "round": round_case,
    "erf": needs_scipy(unary(ag.erf)),
    "erfc": needs_scipy(unary(ag.erfc)),
    "erfinv": needs_scipy(unary(ag.erfinv, uniform(-0.8, 0.8))),
    "gelu": needs_scipy(gelu_case),
}


# ------------------------------------------------- linear algebra, scans (issue 9)
EINSUM_EXAMPLES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ii->", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(2, 2)]),
    ("i,i", [(3,), (3,)]),
    ("ij->ji", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (1, 3, 4)]),
    ("bij,bjk", [(2, 2, 3), (2, 3, 2)]),
    ("iij->j", [(2, 2, 3)]),
    ("iji->ij", [(2, 3, 2)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ijk->", [(2, 3, 2)]),
    ("ij->i", [(2, 3)]),
    ("...", [(2, 3)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 2), (2, 2)]),
    ("ij,jk", [(2, 1), (3, 4)]),
    (",->", [(), ()]),
    ("ij,->ij", [(2, 3), ()]),
    ("ii,i->i", [(3, 3), (3,)]),
    ("Ba,aC", [(2, 3), (3, 2)]),
    ("i...,i...->...", [(3, 2), (3, 1)]),
]


def einsum_case(draw, rng):
    subscripts, shapes = draw(st.sampled_from(EINSUM_EXAMPLES))
    return Case(lambda *xs: ag.einsum(subscripts, *xs), [normal(rng, s) for s in shapes])


NORM_ORDERS = [2, 1, 3, 0.5, np.inf, -np.inf, -1.5, 0]


def vector_norm_case(draw, rng):
    s = shape(draw)
    axis, keepdims = axis_and_keepdims(draw, len(s))
    order = draw(st.sampled_from(NORM_ORDERS))
    x = distinct(rng, s) + 0.2 * (1 + rng.random(s))
    x = x * rng.choice([-1.0, 1.0], s)  # distinct magnitudes (no ties for ±inf), clear of 0
    return Case(lambda x: ag.linalg.vector_norm(x, order, axis=axis, keepdims=keepdims), [x])


def well_conditioned(rng, s):
    """Square matrices (…, n, n) near 3·I: invertible, with determinants clear of 0."""
    return rng.standard_normal(s) * 0.5 + 3 * np.eye(s[-1])


def square_shape(draw):
    n = draw(st.integers(1, 3))
    return draw(st.sampled_from([(), (2,)])) + (n, n)


def inv_case(draw, rng):
    return Case(ag.linalg.inv, [well_conditioned(rng, square_shape(draw))])


SOLVE_SHAPES = [
    ((3, 3), (3,)),
    ((3, 3), (3, 2)),
    ((2, 3, 3), (2, 3)),
    ((3, 3), (2, 3, 2)),
    ((2, 2, 2), (2, 1)),
    ((1, 1), (1,)),
]


def solve_case(draw, rng):
    sa, sb = draw(st.sampled_from(SOLVE_SHAPES))
    return Case(ag.linalg.solve, [well_conditioned(rng, sa), normal(rng, sb)])


def det_case(draw, rng):
    return Case(ag.linalg.det, [normal(rng, square_shape(draw))])


def slogdet_case(draw, rng):
    return Case(lambda a: ag.linalg.slogdet(a).logabsdet, [well_conditioned(rng, square_shape(draw))])


def slogdet_sign_case(draw, rng):
    """Matrices with determinants of either sign, clear of 0 (the sign is piecewise constant, its gradient 0)."""
    s = square_shape(draw)
    flip = rng.choice([-1.0, 1.0], s[:-2] + (1, 1))
    return Case(lambda a: ag.linalg.slogdet(a).sign, [well_conditioned(rng, s) * flip])


def cholesky_case(draw, rng):
    """The factor of the positive-definite X·Xᵀ + n·I: the case differentiates through the symmetric input."""
    s = square_shape(draw)
    upper = draw(st.booleans())

    def fn(x):
        return ag.linalg.cholesky(
            x @ x.swapaxes(-1, -2) + s[-1] * ag.eye(s[-1], dtype=x.dtype, device=ag.backend.device_of(x)), upper=upper
        )

    return Case(fn, [normal(rng, s)])


def separated_singular_values(rng, s):
    """Matrices (…, m, n) with singular values about 3, 2, 1 (distinct, clear of 0): Q₁·diag(σ)·Q₂ᵀ."""
    m, n = s[-2:]
    k = min(m, n)
    q1 = np.linalg.qr(rng.standard_normal(s[:-2] + (m, m)))[0][..., :k]
    q2 = np.linalg.qr(rng.standard_normal(s[:-2] + (n, n)))[0][..., :k]
    sigma = np.arange(k, 0, -1) + rng.uniform(0, 0.3, s[:-2] + (k,))
    return (q1 * sigma[..., None, :]) @ q2.swapaxes(-1, -2)


def svd_case(draw, rng):
    """One factor of the SVD; the singular vectors through uᵢ·uᵢᵀ and vᵢ·vᵢᵀ, which do not depend on their sign."""
    s = draw(st.sampled_from([(), (2,)])) + (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    part = draw(st.sampled_from(["S", "U", "Vh"]))
    fn = {
        "S": lambda a: ag.linalg.svdvals(a),
        "U": lambda a: (lambda u: u[..., :, None, :] * u[..., None, :, :])(ag.linalg.svd(a, full_matrices=False).U),
        "Vh": lambda a: (lambda v: v[..., :, :, None] * v[..., :, None, :])(ag.linalg.svd(a, full_matrices=False).Vh),
    }[part]
    return Case(fn, [separated_singular_values(rng, s)])


def with_zeros(rng, s):
    """Normal values with about a third of them exactly 0 (products and their gradients are polynomials there)."""
    return np.where(rng.random(s) < 0.35, 0.0, rng.standard_normal(s))


def prod_case(draw, rng):
    sample = draw(st.sampled_from([normal, with_zeros]))
    return reduction(lambda x, a, k: ag.prod(x, a, k), sample)(draw, rng)


def scan_case(fn, samples=(normal,)):
    def build(draw, rng):
        s = shape(draw, min_dims=1)
        axis = draw(st.integers(-len(s), len(s) - 1))
        sample = draw(st.sampled_from(samples))
        return Case(lambda x: fn(x, axis=axis), [sample(rng, s)])

    return build


CASES.update(
    {
        "einsum": einsum_case,
        "vector_norm": vector_norm_case,
        "inv": inv_case,
        "solve": solve_case,
        "det": det_case,
        "slogdet": slogdet_case,
        "slogdet_sign": slogdet_sign_case,
        "cholesky": cholesky_case,
        "svd": svd_case,
        "prod": prod_case,
        "cumsum": scan_case(ag.cumsum),
        "cumprod": scan_case(ag.cumprod, (normal, with_zeros)),
        "logcumsumexp": scan_case(ag.logcumsumexp),
    }
)


def draw_case(data, name: str) -> Case:
    """Draw one case for primitive ``name`` from a hypothesis ``data`` object."""
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    return CASES[name](data.draw, np.random.default_rng(seed))
