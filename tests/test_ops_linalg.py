"""Linear algebra against numpy (values) and PyTorch (gradients): einsum and the products built on it,
diagonals and triangles, norms, and ag.linalg's inv, solve, det, slogdet, cholesky."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_oracle import compare

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError, ShapeError

rng = np.random.default_rng(2024)


def randn(*shape):
    return rng.standard_normal(shape)


def spd(n, batch=()):
    x = rng.standard_normal(batch + (n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


# --------------------------------------------------------------------- einsum
EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iij->ji", [(2, 2, 3)]),
    ("iii->i", [(2, 2, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (1, 3, 4)]),
    ("...ij,jk", [(2, 2, 3), (3, 4)]),
    ("i...,i...->...", [(3, 2), (3, 1)]),
    ("ij,jk", [(2, 1), (3, 4)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("i,i", [(4,), (4,)]),
    ("i,j", [(2,), (3,)]),
    ("ij->", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]),
    ("ab,bc,ca->", [(2, 3), (3, 4), (4, 2)]),
    (",->", [(), ()]),
    ("ij,->ij", [(2, 3), ()]),
    ("Ba,aC", [(2, 3), (3, 2)]),
    ("ij,jk->ik", [(0, 3), (3, 2)]),
    ("ij,jk->ik", [(2, 0), (0, 2)]),
    ("ii->i", [(0, 0)]),
    (" i j , j k -> i k ", [(2, 3), (3, 4)]),
]


@pytest.mark.parametrize("subscripts, shapes", EINSUMS)
def test_einsum_matches_numpy_and_torch(subscripts, shapes):
    arrays = [randn(*s) for s in shapes]
    expected = np.einsum(subscripts, *arrays)
    got = ag.einsum(subscripts, *[ag.tensor(a) for a in arrays])
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-12)
    assert got.shape == np.shape(expected)
    if "," in subscripts and any(0 in s for s in shapes) or subscripts.strip() == ",->":
        return
    if not any(s[i] == 1 for s in shapes for i in range(len(s))):  # torch does not broadcast named indices
        compare(
            lambda *xs: ag.einsum(subscripts, *xs), lambda *ts: __import__("torch").einsum(subscripts, *ts), *arrays
        )


def test_einsum_gradient_of_size_one_broadcast_index_sums():
    a, b = randn(2, 1), randn(3, 4)
    ta, tb = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    ag.einsum("ij,jk", ta, tb).sum().backward()
    np.testing.assert_allclose(ta.grad.data, np.full((2, 1), b.sum()))
    np.testing.assert_allclose(tb.grad.data, np.full((3, 4), a.sum()))


def test_einsum_numpy_dispatch_sublists_and_second_derivatives():
    a, b = randn(2, 3), randn(3, 4)
    ta = ag.tensor(a, requires_grad=True)
    np.testing.assert_allclose(np.einsum("ij,jk->ik", ta, b).data, a @ b)
    np.testing.assert_allclose(ag.einsum(ta, [0, 1], b, [1, 2], [0, 2]).data, a @ b)
    np.testing.assert_allclose(ag.einsum(ta, [Ellipsis, 1], b, [1, 2]).data, a @ b)
    # f = Σ (x xᵀ)ᵢᵢ² has Hessian-vector products through einsum's rules
    x = randn(3, 2)
    compare(lambda t: ag.einsum("ij,kj->ik", t, t) ** 2, lambda t: (t @ t.T) ** 2, x, second=True)
    compare(lambda t: ag.einsum("ii->i", t) ** 3, lambda t: t.diagonal() ** 3, randn(3, 3), second=True)


@pytest.mark.parametrize(
    "subscripts, shapes, error",
    [
        ("ij,jk", [(2, 3), (4, 5)], ShapeError),
        ("ij", [(2, 3, 4)], ShapeError),
        ("ij,jk", [(2, 3)], ShapeError),
        ("ij->k", [(2, 3)], InvalidArgumentError),
        ("ij->ii", [(2, 3)], InvalidArgumentError),
        ("...i->i", [(2, 3)], ShapeError),
        ("ii", [(2, 3)], ShapeError),
        ("i1", [(2, 3)], InvalidArgumentError),
        ("i->j->k", [(2,)], InvalidArgumentError),
    ],
)
def test_einsum_bad_subscripts_are_library_errors(subscripts, shapes, error):
    with pytest.raises(error, match="einsum"):
        ag.einsum(subscripts, *[ag.tensor(randn(*s)) for s in shapes])


# ------------------------------------------------------------ built on einsum
@pytest.mark.parametrize(
    "sa, sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((2, 2, 3), (4, 3, 2)), ((), (2, 3))]
)
def test_dot_is_numpys_dot(sa, sb):
    a, b = randn(*sa), randn(*sb)
    np.testing.assert_allclose(ag.dot(ag.tensor(a), b).data, np.dot(a, b), rtol=1e-12)
    np.testing.assert_allclose(np.dot(ag.tensor(a, requires_grad=True), b).data, np.dot(a, b), rtol=1e-12)
    np.testing.assert_allclose(ag.tensor(a).dot(b).data, np.dot(a, b), rtol=1e-12)
    if len(sa) == len(sb) == 1:
        compare(ag.dot, lambda x, y: x.dot(y), a, b)


@pytest.mark.parametrize("sa, sb", [((3,), (3,)), ((2, 3), (4, 3)), ((2, 2, 3), (3,)), ((), (2,))])
def test_inner_matches_numpy_and_torch(sa, sb):
    a, b = randn(*sa), randn(*sb)
    np.testing.assert_allclose(np.inner(ag.tensor(a), ag.tensor(b)).data, np.inner(a, b), rtol=1e-12)
    compare(ag.inner, lambda x, y: __import__("torch").inner(x, y), a, b)


def test_outer_and_kron_match_torch():
    torch = pytest.importorskip("torch")
    compare(ag.outer, torch.outer, randn(3), randn(4))
    np.testing.assert_allclose(np.outer(ag.tensor(randn(2, 2)), [1.0, 2.0]).shape, (4, 2))
    for sa, sb in [((2, 3), (3, 2)), ((2,), (3,)), ((2, 2), (3,)), ((1, 2, 2), (2, 1)), ((), (2,))]:
        a, b = randn(*sa), randn(*sb)
        np.testing.assert_allclose(ag.kron(a, b).data, np.kron(a, b), rtol=1e-12)
        compare(ag.kron, torch.kron, a, b)


@pytest.mark.parametrize(
    "sa, sb, axes",
    [
        ((2, 3, 4), (3, 4, 5), 2),
        ((2, 3), (3, 2), 1),
        ((2, 3), (4, 5), 0),
        ((2, 3, 4), (4, 3, 2), ([1, 2], [1, 0])),
        ((2, 3, 4), (4, 2), (2, 0)),
        ((3,), (3,), 1),
        ((2, 3), (2, 3), 2),
    ],
)
def test_tensordot_matches_numpy_and_torch(sa, sb, axes):
    a, b = randn(*sa), randn(*sb)
    np.testing.assert_allclose(np.tensordot(ag.tensor(a), b, axes).data, np.tensordot(a, b, axes), rtol=1e-12)
    torch = pytest.importorskip("torch")
    dims = axes if isinstance(axes, int) else tuple(np.atleast_1d(d).tolist() for d in axes)
    compare(lambda x, y: ag.tensordot(x, y, axes), lambda x, y: torch.tensordot(x, y, dims=dims), a, b)


def test_tensordot_refuses_mismatched_axes():
    with pytest.raises(ShapeError, match="tensordot"):
        ag.tensordot(randn(2, 3), randn(2, 3), 1)
    with pytest.raises(ShapeError, match="tensordot"):
        ag.tensordot(randn(2, 3), randn(3, 2), ([0, 1], [1]))


@pytest.mark.parametrize(
    "shape, offset, axis1, axis2",
    [
        ((3, 3), 0, 0, 1),
        ((3, 4), 1, 0, 1),
        ((4, 3), -2, 0, 1),
        ((2, 3, 4), 0, 1, 2),
        ((2, 3, 4), 1, 2, 0),
        ((3, 3), 5, 0, 1),
    ],
)
def test_diagonal_and_trace_match_numpy_and_torch(shape, offset, axis1, axis2):
    x = randn(*shape)
    np.testing.assert_allclose(
        np.diagonal(ag.tensor(x), offset, axis1, axis2).data, np.diagonal(x, offset, axis1, axis2)
    )
    np.testing.assert_allclose(np.trace(ag.tensor(x), offset, axis1, axis2).data, np.trace(x, offset, axis1, axis2))
    torch = pytest.importorskip("torch")
    compare(
        lambda t: ag.diagonal(t, offset, dim1=axis1, dim2=axis2),
        lambda t: torch.diagonal(t, offset, axis1, axis2),
        x,
    )
    if len(shape) == 2 and offset == 0:
        compare(lambda t: t.trace(), torch.trace, x)


@pytest.mark.parametrize("shape, k", [((3,), 0), ((3,), 1), ((2,), -2), ((3, 3), 0), ((3, 4), 1), ((4, 3), -1)])
def test_diag_matches_numpy_and_torch(shape, k):
    v = randn(*shape)
    np.testing.assert_allclose(np.diag(ag.tensor(v), k).data, np.diag(v, k))
    compare(lambda t: ag.diag(t, k), lambda t: __import__("torch").diag(t, k), v)


@pytest.mark.parametrize("shape, k", [((3, 3), 0), ((3, 4), 1), ((2, 4, 3), -1), ((3, 3), 5), ((0, 2), 0)])
def test_tril_triu_match_numpy_and_torch(shape, k):
    x = randn(*shape)
    np.testing.assert_allclose(np.tril(ag.tensor(x), k).data, np.tril(x, k))
    np.testing.assert_allclose(ag.tensor(x).triu(k).data, np.triu(x, k))
    if 0 not in shape:
        torch = pytest.importorskip("torch")
        compare(lambda t: ag.tril(t, diagonal=k), lambda t: torch.tril(t, k), x)
        compare(lambda t: ag.triu(t, k), lambda t: torch.triu(t, k), x)
    x32 = ag.tensor(x.astype(np.float32), requires_grad=True)
    assert ag.tril(x32).dtype == np.float32
    with pytest.raises(ShapeError, match="tril"):
        ag.tril(ag.tensor([1.0, 2.0]))


# ---------------------------------------------------------------------- norms
VECTOR_ORDS = [None, 2, 1, 3, 0.5, np.inf, -np.inf, 0, -1]


@pytest.mark.parametrize("order", VECTOR_ORDS)
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), (-1, False)])
def test_vector_norms_match_numpy_and_torch(order, axis, keepdims):
    x = randn(3, 4)
    if axis is None and order is not None:
        x = x[0]
    expected = np.linalg.norm(x, order, axis, keepdims)
    got = np.linalg.norm(ag.tensor(x, requires_grad=True), order, axis, keepdims)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    torch = pytest.importorskip("torch")
    p = 2 if order is None else order
    compare(
        lambda t: ag.linalg.norm(t, order, axis, keepdims),
        lambda t: torch.linalg.vector_norm(t, p, dim=axis, keepdim=keepdims),
        x,
        second=order not in (0,),
    )


@pytest.mark.parametrize("order", [2, 1, 3, 0.5, np.inf, -np.inf, -1, 0])
def test_norm_gradient_at_zero_is_pytorchs(order):
    """A zero vector (and zero entries) get the gradient PyTorch chooses: 0 where the derivative is undefined."""
    torch = pytest.importorskip("torch")
    for x in (np.zeros(3), np.array([0.0, 1.5, -2.0]), np.zeros((2, 2))):
        compare(lambda t: ag.linalg.vector_norm(t, order), lambda t: torch.linalg.vector_norm(t, order), x)
    empty = np.zeros((2, 0))
    if order < 0 or np.isinf(order):  # no identity element: an error, as in PyTorch
        with pytest.raises(ShapeError, match="empty"):
            ag.linalg.vector_norm(ag.tensor(empty), order)
    else:
        compare(lambda t: ag.linalg.vector_norm(t, order), lambda t: torch.linalg.vector_norm(t, order), empty)


@pytest.mark.parametrize("order", [None, "fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc"])
@pytest.mark.parametrize("axis", [None, (0, 1), (1, 0), (-1, -3)])
def test_matrix_norms_match_numpy_and_torch(order, axis):
    x = randn(3, 4) if axis in (None, (0, 1), (1, 0)) else randn(2, 3, 4)
    expected = np.linalg.norm(x, order, axis)
    np.testing.assert_allclose(np.linalg.norm(ag.tensor(x), order, axis).data, expected, rtol=1e-12)
    np.testing.assert_allclose(
        ag.linalg.norm(ag.tensor(x), order, axis, keepdims=True).data, np.linalg.norm(x, order, axis, keepdims=True)
    )
    torch = pytest.importorskip("torch")
    dims = axis if axis is not None else (0, 1)
    compare(
        lambda t: ag.linalg.norm(t, order, axis),
        lambda t: torch.linalg.matrix_norm(t, "fro" if order is None else order, dim=dims),
        x,
        second=order in (2, -2, "nuc"),
    )


def test_norm_says_which_orders_it_supports():
    with pytest.raises(InvalidArgumentError, match="'fro', 'nuc', 1, -1, 2, -2, inf or -inf"):
        ag.linalg.norm(ag.tensor(randn(3, 3)), 3)
    with pytest.raises(InvalidArgumentError, match="'fro', 'nuc'"):
        ag.linalg.matrix_norm(ag.tensor(randn(3, 3)), "spectral")
    with pytest.raises(InvalidArgumentError, match="matrix norm"):
        ag.linalg.norm(ag.tensor(randn(3)), "fro", axis=0)
    with pytest.raises(ShapeError, match="1-D or 2-D"):
        ag.linalg.norm(ag.tensor(randn(2, 2, 2)), 1)


def test_norm_keeps_low_precision_and_handles_0d():
    x = ag.tensor(np.array([3.0, 4.0], dtype=np.float32), requires_grad=True)
    y = ag.linalg.norm(x)
    y.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(ag.linalg.norm(ag.tensor(-2.5)).data, 2.5)


# ------------------------------------------------------------------ ag.linalg
@pytest.mark.parametrize("batch", [(), (2,), (2, 1)])
def test_inv_det_slogdet_match_torch(batch):
    torch = pytest.importorskip("torch")
    a = randn(*batch, 3, 3) + 2 * np.eye(3)
    np.testing.assert_allclose(np.linalg.inv(ag.tensor(a)).data, np.linalg.inv(a), rtol=1e-12)
    compare(ag.linalg.inv, torch.linalg.inv, a, second=True)
    compare(ag.linalg.det, torch.linalg.det, a, second=True)
    compare(lambda t: ag.linalg.slogdet(t).logabsdet, lambda t: torch.linalg.slogdet(t).logabsdet, a, second=True)
    sign, logabsdet = np.linalg.slogdet(ag.tensor(a))
    np.testing.assert_allclose(sign.data, np.linalg.slogdet(a).sign)
    np.testing.assert_allclose(logabsdet.data, np.linalg.slogdet(a).logabsdet)


def test_det_gradient_of_singular_matrices_is_the_cofactor_matrix():
    """Finite differences are the oracle here: PyTorch returns 0 for this rank-2 matrix, though det grows as 4ε."""
    rank_two = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    rank_one = np.outer([1.0, 2.0, -1.0], [0.5, 1.0, 2.0])
    for a in (rank_two, rank_one, np.zeros((2, 2)), np.stack([rank_two, np.eye(3)])):
        assert ag.gradcheck(ag.linalg.det, [ag.tensor(a)], eps=1e-6, atol=1e-7)
        _, tangent = ag.jvp(ag.linalg.det, [ag.tensor(a)], [np.ones_like(a)])
        expected = (np.linalg.det(a + 1e-6) - np.linalg.det(a - 1e-6)) / 2e-6
        np.testing.assert_allclose(tangent.data, expected, atol=1e-6)
    a = ag.tensor(rank_two, requires_grad=True)
    ag.linalg.det(a).backward()
    cofactors = np.array([[4.0, 4.0, -4.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 0.0]])  # Cᵢⱼ = (−1)^(i+j) Mᵢⱼ
    np.testing.assert_allclose(a.grad.data, cofactors, atol=1e-12)


@pytest.mark.parametrize(
    "sa, sb",
    [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)), ((3, 3), (2, 3, 2)), ((2, 3, 3), (3, 1)), ((1, 1), (1,))],
)
def test_solve_matches_torch(sa, sb):
    torch = pytest.importorskip("torch")
    a, b = randn(*sa) + 3 * np.eye(sa[-1]), randn(*sb)
    compare(ag.linalg.solve, torch.linalg.solve, a, b, second=True)
    if len(sb) == 1 or len(sb) == len(sa):
        np.testing.assert_allclose(np.linalg.solve(ag.tensor(a), b).data, np.linalg.solve(a, b), rtol=1e-12)


@pytest.mark.parametrize("batch, upper", [((), False), ((2,), False), ((), True)])
def test_cholesky_matches_torch_with_symmetric_gradients(batch, upper):
    torch = pytest.importorskip("torch")
    a = spd(3, batch)
    np.testing.assert_allclose(np.linalg.cholesky(ag.tensor(a)).data, np.linalg.cholesky(a), rtol=1e-12)
    compare(
        lambda t: ag.linalg.cholesky(t, upper=upper), lambda t: torch.linalg.cholesky(t, upper=upper), a, second=True
    )


def test_linalg_failures_are_library_errors():
    singular = ag.tensor(np.ones((2, 2)))
    with pytest.raises(InvalidArgumentError, match="singular"):
        ag.linalg.inv(singular)
    with pytest.raises(InvalidArgumentError, match="singular"):
        ag.linalg.solve(singular, np.ones(2))
    with pytest.raises(InvalidArgumentError, match="positive definite"):
        ag.linalg.cholesky(ag.tensor(-np.eye(2)))
    with pytest.raises(ShapeError, match="square"):
        ag.linalg.det(ag.tensor(np.ones((2, 3))))
    with pytest.raises(ShapeError, match="solve"):
        ag.linalg.solve(ag.tensor(np.eye(2)), np.ones(3))


def test_linalg_lives_in_its_namespace_and_keeps_float32():
    assert not hasattr(ag, "inv") and not hasattr(ag, "cholesky")
    a32 = ag.tensor(spd(3).astype(np.float32), requires_grad=True)
    for fn in (ag.linalg.inv, ag.linalg.det, ag.linalg.cholesky, lambda t: ag.linalg.slogdet(t).logabsdet):
        y = fn(a32)
        assert y.dtype == np.float32
        y.sum().backward()
        assert a32.grad.dtype == np.float32
        a32.zero_grad()
    assert ag.linalg.inv(ag.tensor(np.eye(2), dtype=np.float16)).dtype == np.float16
    assert np.linalg.det(ag.tensor(np.eye(0))).item() == 1.0


# ------------------------------------------------- einsum against numpy, fuzzed
@st.composite
def einsum_problems(draw):
    """Random subscripts numpy accepts: 1-3 operands, repeated letters, '...', size-1 broadcasting, either output form."""
    sizes = {c: draw(st.integers(1, 3)) for c in "abcd"}
    ellipsis = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    terms, shapes = [], []
    for _ in range(draw(st.integers(1, 3))):
        letters = draw(st.lists(st.sampled_from("abcd"), max_size=3))
        dims = [sizes[c] if draw(st.integers(0, 4)) else 1 for c in letters]
        dims = [dims[letters.index(c)] for c in letters]  # a repeated letter keeps one length within an operand
        if ellipsis and draw(st.booleans()):
            cut = draw(st.integers(0, len(letters)))
            own = ellipsis[draw(st.integers(0, len(ellipsis))) :]
            own = tuple(1 if draw(st.integers(0, 3)) == 0 else n for n in own)
            terms.append("".join(letters[:cut]) + "..." + "".join(letters[cut:]))
            shapes.append(tuple(dims[:cut]) + own + tuple(dims[cut:]))
        else:
            terms.append("".join(letters))
            shapes.append(tuple(dims))
    subscripts = ",".join(terms)
    if draw(st.booleans()):
        used = sorted(set("".join(terms)) - {"."})
        out = draw(st.permutations(used))[: draw(st.integers(0, len(used)))]
        dots = "..." if "..." in subscripts else ""
        at = draw(st.integers(0, len(out)))
        subscripts += "->" + "".join(out[:at]) + dots + "".join(out[at:])
    return subscripts, shapes


@settings(max_examples=60)
@given(problem=einsum_problems(), seed=st.integers(0, 2**16))
def test_einsum_agrees_with_numpy_on_random_subscripts(problem, seed):
    subscripts, shapes = problem
    arrays = [np.random.default_rng(seed + k).standard_normal(s) for k, s in enumerate(shapes)]
    try:
        expected = np.einsum(subscripts, *arrays)
    except ValueError:
        with pytest.raises((ShapeError, InvalidArgumentError)):
            ag.einsum(subscripts, *arrays)
        return
    xs = [ag.tensor(a) for a in arrays]
    np.testing.assert_allclose(ag.einsum(subscripts, *xs).data, expected, rtol=1e-10, atol=1e-12)
    fn = lambda *ts: ag.einsum(subscripts, *ts)  # noqa: E731
    assert ag.gradcheck(fn, xs, eps=1e-6, atol=1e-6, rtol=1e-5)
    assert ag.dot_product_test(fn, xs, rng=np.random.default_rng(seed), rtol=1e-9)


# ------------------------------------- composites keep jacfwd = jacrev (batch axes)
COMPOSITES = [
    (lambda x: ag.sort(x, axis=0).values, (3, 2)),
    (lambda x: ag.topk(x, 2).values, (2, 3)),
    (lambda x: ag.quantile(x, [0.3, 0.5], axis=1), (2, 4)),
    (lambda x: ag.gather(x, 1, np.array([[0, 0], [2, 1]])), (2, 3)),
    (lambda x: ag.scatter(x, 1, np.array([[2], [0]]), x[:, :1] * 2), (2, 3)),
    (lambda x: ag.scatter_add(x, 0, np.array([[1, 1, 0]]), x[:1] ** 2), (2, 3)),
    (lambda x: ag.put_along_axis(x, np.array([[1], [0]]), x[:, 2:] + 1, 1), (2, 3)),
    (lambda x: ag.masked_select(x, np.array([True, False, True])), (2, 3)),
    (lambda x: ag.masked_fill(x, np.array([True, False, True]), 0.5), (2, 3)),
    (lambda x: ag.index_select(x, 1, [2, 2, 0]), (2, 3)),
    (lambda x: ag.diagonal(x, 1, 0, 2), (3, 2, 3)),
    (lambda x: ag.diag(x[0], -1), (2, 3)),
    (lambda x: ag.kron(x, x[:1]), (2, 2)),
    (lambda x: ag.tensordot(x, x, ([0], [0])), (2, 3)),
    (lambda x: ag.linalg.norm(x, np.inf), (2, 3)),
    (lambda x: ag.linalg.norm(x, -1, axis=(1, 0), keepdims=True), (2, 3)),
    (lambda x: ag.trace(x, -1), (3, 3)),
    (lambda x: ag.triu(x, 1), (2, 3, 3)),
    (lambda x: ag.median(x, axis=0), (4, 2)),
    (lambda x: ag.linalg.solve(x @ x.T + 3 * np.eye(3), x), (3, 2)),
]


@pytest.mark.parametrize("k", range(len(COMPOSITES)))
def test_composites_have_matching_forward_and_reverse_jacobians(k):
    fn, shape = COMPOSITES[k]
    x = ag.tensor(np.random.default_rng(k).permutation(np.prod(shape)).reshape(shape) * 0.37 + 0.1)
    np.testing.assert_allclose(ag.jacfwd(fn)(x).data, ag.jacrev(fn)(x).data, rtol=1e-10, atol=1e-12)
    assert ag.gradcheck(fn, [x], eps=1e-6, atol=1e-6, rtol=1e-5)


def test_singular_matrices_name_the_function_whose_derivative_is_missing():
    singular = ag.tensor(np.ones((2, 2)), requires_grad=True)
    sign, logabsdet = ag.linalg.slogdet(singular)
    assert sign.item() == 0 and logabsdet.item() == -np.inf
    with pytest.raises(InvalidArgumentError, match="slogdet"):
        logabsdet.backward()
    with pytest.raises(InvalidArgumentError, match="second derivatives of det"):
        ag.hessian(ag.linalg.det)(ag.tensor(np.ones((2, 2))))
    big = rng.standard_normal((60, 60))
    t = ag.tensor(big, requires_grad=True)
    ag.einsum("ii,ij->j", t, t).sum().backward()  # large enough for numpy's optimised path, with a diagonal
    np.testing.assert_allclose(t.grad.data, np.diag(big.sum(axis=1)) + np.diag(big)[:, None], rtol=1e-10)


# ----------------------------------------------------------- singular values
def _distinct_singular_values(rng, shape):
    m, n = shape[-2:]
    k = min(m, n)
    q1 = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, m)))[0][..., :k]
    q2 = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, n)))[0][..., :k]
    return (q1 * (np.arange(k, 0, -1) + 0.5)[..., None, :]) @ q2.swapaxes(-1, -2)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4), (2, 3, 2), (1, 3), (3, 1)])
@pytest.mark.parametrize("order", [2, -2, "nuc"])
def test_spectral_and_nuclear_norms_of_batches_match_torch_to_second_order(shape, order):
    """σ_max (gradient u₁v₁ᵀ), σ_min (uₖvₖᵀ) and Σσ (U·Vh) over dim=(-2, -1), Hessian-vector products included."""
    x = _distinct_singular_values(np.random.default_rng(len(shape) + shape[-1]), shape)
    torch = pytest.importorskip("torch")
    compare(
        lambda t: ag.linalg.norm(t, order, dim=(-2, -1)),
        lambda t: torch.linalg.matrix_norm(t, order),
        x,
        second=True,
    )
    compare(lambda t: ag.linalg.svdvals(t), lambda t: torch.linalg.svdvals(t), x, second=True)


def test_spectral_norm_gradient_is_the_top_singular_pair():
    x = _distinct_singular_values(np.random.default_rng(3), (4, 3))
    u, s, vh = np.linalg.svd(x)
    for order, expected in ((2, np.outer(u[:, 0], vh[0])), (-2, np.outer(u[:, 2], vh[2])), ("nuc", u[:, :3] @ vh)):
        g = ag.grad(lambda t: ag.linalg.matrix_norm(t, order))(ag.tensor(x))
        np.testing.assert_allclose(g.data, expected, atol=1e-12)


def test_svd_factors_match_numpy_and_their_sign_free_functions_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    for shape in [(3, 3), (4, 2), (2, 4), (2, 3, 2)]:
        x = _distinct_singular_values(rng, shape)
        u, s, vh = ag.linalg.svd(ag.tensor(x), full_matrices=False)
        nu, ns, nvh = np.linalg.svd(x, full_matrices=False)
        np.testing.assert_allclose(s.data, ns)
        np.testing.assert_allclose(np.abs(u.data), np.abs(nu), atol=1e-12)
        np.testing.assert_allclose(((u * s[..., None, :]) @ vh).data, x, atol=1e-12)

        def sign_free(svd, t):
            u, s, vh = svd(t)
            return (u @ vh) * 2 + (u[..., :, None, :] * u[..., None, :, :]).sum(-1)[..., :1, :1] + s.sum()

        compare(
            lambda t: sign_free(lambda a: ag.linalg.svd(a, full_matrices=False), t),
            lambda t: sign_free(lambda a: torch.linalg.svd(a, full_matrices=False), t),
            x,
            second=True,
        )


def test_svd_full_matrices_and_numpy_spellings():
    x = randn(4, 2)
    full = np.linalg.svd(ag.tensor(x))  # numpy's default: full_matrices=True
    assert full.U.shape == (4, 4) and full.S.shape == (2,) and full.Vh.shape == (2, 2)
    np.testing.assert_allclose(full.U.data.T @ full.U.data, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(ag.tensor(x), compute_uv=False).data, np.linalg.svd(x, compute_uv=False))
    if hasattr(np.linalg, "svdvals"):
        np.testing.assert_allclose(np.linalg.svdvals(ag.tensor(x)).data, np.linalg.svdvals(x))
        np.testing.assert_allclose(np.linalg.matrix_norm(ag.tensor(x), ord=2).data, np.linalg.matrix_norm(x, ord=2))
    # the extra columns carry no gradient; the first k do
    a = ag.tensor(x, requires_grad=True)
    ag.linalg.svd(a).U[:, :2].sum().backward()
    assert np.isfinite(a.grad.data).all()


def test_svd_edge_cases():
    with pytest.raises(ShapeError, match="matrices"):
        ag.linalg.svdvals(ag.tensor(randn(3)))
    with pytest.raises(ShapeError, match="empty"):
        ag.linalg.matrix_norm(ag.tensor(np.zeros((0, 3))), -2)
    assert ag.linalg.matrix_norm(ag.tensor(np.zeros((0, 3))), 2).item() == 0.0  # numpy, PyTorch
    assert ag.linalg.matrix_norm(ag.tensor(np.zeros((0, 3))), "nuc").item() == 0.0
    y = ag.linalg.svdvals(ag.tensor(randn(3, 2).astype(np.float32)))
    assert y.dtype == np.float32
    half = ag.tensor(randn(2, 2).astype(np.float16), requires_grad=True)
    ag.linalg.matrix_norm(half, 2).backward()
    assert half.grad.dtype == np.float16
    # a zero matrix: the singular values' gradient is still finite (a valid subgradient)
    z = ag.tensor(np.zeros((2, 3)), requires_grad=True)
    ag.linalg.matrix_norm(z, "nuc").backward()
    assert np.isfinite(z.grad.data).all()


def test_svd_under_vmap_equals_a_loop():
    xs = np.stack([_distinct_singular_values(np.random.default_rng(i), (3, 2)) for i in range(4)])
    out = ag.vmap(lambda a: ag.linalg.matrix_norm(a, "nuc"))(xs)
    np.testing.assert_allclose(out.data, [np.linalg.norm(x, "nuc") for x in xs])
    grads = ag.vmap(ag.grad(lambda a: ag.linalg.matrix_norm(a, 2)))(xs)
    for x, g in zip(xs, grads.data):
        u, _, vh = np.linalg.svd(x)
        np.testing.assert_allclose(g, np.outer(u[:, 0], vh[0]), atol=1e-12)


# numpy 2's answers (numpy 1.26 raised for more of them): 0 where the maximum of nothing is taken
UNDEFINED_EMPTY_NORMS = {
    (0, 3): {-2, -np.inf},
    (3, 0): {-2, -1},
    (0, 0): {-2, -1, -np.inf},
}


def test_empty_matrix_norms_are_zero_where_numpy_says_so():
    """The largest of nothing is 0 (numpy 2, PyTorch); the smallest of nothing is undefined: ShapeError."""
    for shape, undefined in UNDEFINED_EMPTY_NORMS.items():
        x = np.zeros(shape)
        for order in [2, -2, 1, -1, np.inf, -np.inf, "nuc", "fro"]:
            if order in undefined:
                with pytest.raises(ag.errors.ShapeError):
                    ag.linalg.matrix_norm(ag.tensor(x), ord=order)
                continue
            got = ag.linalg.matrix_norm(ag.tensor(x, requires_grad=True), ord=order)
            assert got.item() == 0.0
            if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
                assert np.linalg.norm(x, order) == 0.0
            got.backward()


def test_hostile_inputs_to_norms_and_svd_get_library_errors():
    ragged = [[1.0, 2.0], [3.0]]
    for call in (
        lambda: ag.linalg.matrix_norm(ragged),
        lambda: ag.linalg.norm(ragged, ord=2),
        lambda: ag.linalg.svdvals(ragged),
        lambda: ag.linalg.svd(ragged),
        lambda: ag.linalg.svd(None),
    ):
        with pytest.raises(ag.errors.AutogradError):
            call()
    with pytest.raises(ag.errors.ArgumentTypeError, match="full_matrices must be True or False"):
        ag.linalg.svd(ag.ones((2, 3)), full_matrices="no")


def test_vmap_of_full_svd_of_non_square_matrices():
    xs = np.random.default_rng(3).standard_normal((4, 3, 2))
    u, s, vh = ag.vmap(ag.linalg.svd)(ag.tensor(xs))
    assert u.shape == (4, 3, 3) and s.shape == (4, 2) and vh.shape == (4, 2, 2)
    for i in range(4):
        np.testing.assert_allclose(u.data[i].T @ u.data[i], np.eye(3), atol=1e-12)  # orthonormal, completed
        np.testing.assert_allclose((u.data[i][:, :2] * s.data[i]) @ vh.data[i], xs[i], atol=1e-12)
