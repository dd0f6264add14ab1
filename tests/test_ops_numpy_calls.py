"""numpy calls on Tensors that require grad: the same call on arrays gives the values, and the gradient
passes gradcheck (finite differences). Each row is code a numpy or HIPS-autograd user writes."""

import numpy as np
import pytest

import autograd_core as ag

rng = np.random.default_rng(5)
A, B = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
SQUARE = rng.standard_normal((3, 3)) + 3 * np.eye(3)
SPD = SQUARE @ SQUARE.T
DISTINCT = rng.permutation(12).reshape(3, 4) * 0.5 + rng.uniform(0, 0.1, (3, 4))

CALLS = [
    ("np.einsum('ij,jk->ik', x, B)", lambda x: np.einsum("ij,jk->ik", x, B), A),
    ("np.einsum('ii', x)", lambda x: np.einsum("ii", x), SQUARE),
    ("np.einsum('...j,...j->...', x, x)", lambda x: np.einsum("...j,...j->...", x, x), A),
    ("np.dot(x, B)", lambda x: np.dot(x, B), A),
    ("np.inner(x, x)", lambda x: np.inner(x, x), A),
    ("np.outer(x, x)", lambda x: np.outer(x, x), A[0]),
    ("np.tensordot(x, B, 1)", lambda x: np.tensordot(x, B, 1), A),
    ("np.kron(x, B)", lambda x: np.kron(x, B), A[:2, :2]),
    ("np.trace(x)", lambda x: np.trace(x), SQUARE),
    ("np.diagonal(x, 1)", lambda x: np.diagonal(x, 1), A),
    ("np.diag(x)", lambda x: np.diag(x), A[0]),
    ("np.tril(x, -1)", lambda x: np.tril(x, -1), A),
    ("np.triu(x)", lambda x: np.triu(x), A),
    ("np.linalg.norm(x)", lambda x: np.linalg.norm(x), A),
    ("np.linalg.norm(x, 1, axis=0)", lambda x: np.linalg.norm(x, 1, axis=0), A),
    ("np.linalg.norm(x, 'fro')", lambda x: np.linalg.norm(x, "fro"), A),
    ("np.linalg.norm(x, np.inf)", lambda x: np.linalg.norm(x, np.inf), DISTINCT),
    ("np.linalg.inv(x)", lambda x: np.linalg.inv(x), SQUARE),
    ("np.linalg.solve(x, B[:3])", lambda x: np.linalg.solve(x, B[:3]), SQUARE),
    ("np.linalg.det(x)", lambda x: np.linalg.det(x), SQUARE),
    ("np.linalg.slogdet(x)[1]", lambda x: np.linalg.slogdet(x)[1], SQUARE),
    ("np.linalg.cholesky(x @ x.T)", lambda x: np.linalg.cholesky(x @ x.T), SQUARE),
    ("np.prod(x, axis=1)", lambda x: np.prod(x, axis=1), A),
    ("np.cumsum(x, axis=0)", lambda x: np.cumsum(x, axis=0), A),
    ("np.cumsum(x)", lambda x: np.cumsum(x), A),
    ("np.cumprod(x, axis=1)", lambda x: np.cumprod(x, axis=1), A),
    ("np.sort(x, axis=0)", lambda x: np.sort(x, axis=0), DISTINCT),
    ("np.median(x, axis=1)", lambda x: np.median(x, axis=1), DISTINCT),
    ("np.quantile(x, [0.2, 0.7])", lambda x: np.quantile(x, [0.2, 0.7]), DISTINCT),
    ("np.take_along_axis(x, np.argsort(x), 1)", lambda x: np.take_along_axis(x, np.argsort(x, axis=1), 1), DISTINCT),
    ("np.var(x, ddof=1)", lambda x: np.var(x, ddof=1), A),
    ("np.where(x > 0, x, 0)", lambda x: np.where(x > 0, x, 0), A),
]


@pytest.mark.parametrize("code, call, value", CALLS, ids=[c[0] for c in CALLS])
def test_numpy_call_on_a_tensor_gives_numpys_value_and_a_checked_gradient(code, call, value):
    t = ag.tensor(value, requires_grad=True)
    out = call(t)
    assert isinstance(out, ag.Tensor) and out.requires_grad, code
    np.testing.assert_allclose(out.data, call(value), rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(call, [ag.tensor(value)], eps=1e-6, atol=1e-6, rtol=1e-5), code


CONSTANT_CALLS = [
    ("np.argsort(x)", lambda x: np.argsort(x)),
    ("np.any(x > 1)", lambda x: np.any(x > 1)),
    ("np.all(x > -5, axis=0)", lambda x: np.all(x > -5, axis=0)),
    ("np.count_nonzero(x > 0, axis=1)", lambda x: np.count_nonzero(x > 0, axis=1)),
    ("np.nonzero(x > 0)[1]", lambda x: np.nonzero(x > 0)[1]),
    ("np.argwhere(x > 0)", lambda x: np.argwhere(x > 0)),
    ("np.where(x > 0)[0]", lambda x: np.where(x > 0)[0]),
]


@pytest.mark.parametrize("code, call", CONSTANT_CALLS, ids=[c[0] for c in CONSTANT_CALLS])
def test_numpy_index_queries_on_a_tensor_that_requires_grad(code, call):
    t = ag.tensor(A, requires_grad=True)
    out = call(t)
    assert isinstance(out, ag.Tensor) and not out.requires_grad, code
    np.testing.assert_array_equal(out.data, call(A))
