"""Products, scans, sorting, order statistics and truth tests against numpy (values) and PyTorch (gradients)."""

import numpy as np
import pytest
from torch_oracle import compare

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError, ShapeError

rng = np.random.default_rng(99)


def randn(*shape):
    return rng.standard_normal(shape)


# ----------------------------------------------------------------------- prod
PROD_INPUTS = {
    "no zeros": np.array([[1.5, -2.0, 0.5], [3.0, 1.0, -1.0]]),
    "one zero": np.array([[1.5, 0.0, 0.5], [3.0, 1.0, -1.0]]),
    "two zeros in a row": np.array([[0.0, 2.0, 0.0], [3.0, 0.0, -1.0]]),
    "all zeros": np.zeros((2, 3)),
}


@pytest.mark.parametrize("name", sorted(PROD_INPUTS))
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_prod_gradient_with_zeros_matches_torch(name, axis):
    x = PROD_INPUTS[name]
    np.testing.assert_allclose(np.prod(ag.tensor(x, requires_grad=True), axis=axis).data, np.prod(x, axis=axis))
    torch = pytest.importorskip("torch")
    if isinstance(axis, tuple):
        compare(lambda t: ag.prod(t, axis), lambda t: t.prod(), x, second=True)
    elif axis is None:
        compare(lambda t: t.prod(), lambda t: torch.prod(t), x, second=True)
    else:
        compare(lambda t: ag.prod(t, axis, keepdims=True), lambda t: t.prod(axis, keepdim=True), x, second=True)


def test_prod_of_edge_shapes():
    np.testing.assert_allclose(ag.prod(ag.tensor(np.zeros((2, 0))), axis=1).data, [1.0, 1.0])
    x = ag.tensor(0.0, requires_grad=True)
    ag.prod(x).backward()
    assert x.grad.item() == 1.0  # d x / dx, even at 0


# ---------------------------------------------------------------------- scans
def test_cumsum_matches_numpy_and_torch():
    torch = pytest.importorskip("torch")
    x = randn(3, 4)
    for axis in (0, 1, -1):
        np.testing.assert_allclose(np.cumsum(ag.tensor(x, requires_grad=True), axis=axis).data, np.cumsum(x, axis))
        compare(lambda t, a=axis: ag.cumsum(t, axis=a), lambda t, a=axis: torch.cumsum(t, a), x)
    np.testing.assert_allclose(ag.tensor(x).cumsum().data, np.cumsum(x))  # axis None: flattened
    np.testing.assert_allclose(ag.cumsum(ag.tensor(2.0)).data, [2.0])
    assert ag.cumsum(ag.tensor(np.zeros((0, 3))), axis=0).shape == (0, 3)


CUMPROD_INPUTS = [
    np.array([1.5, -2.0, 0.5, 3.0]),
    np.array([1.5, 0.0, 0.5, 3.0]),
    np.array([0.0, 2.0, 0.0, 3.0]),
    np.array([2.0, 3.0, 4.0, 0.0]),
    np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [2.0, -1.0, 0.5]]),
]


@pytest.mark.parametrize("x", CUMPROD_INPUTS, ids=range(len(CUMPROD_INPUTS)))
def test_cumprod_with_zeros_matches_torch_to_second_order(x):
    torch = pytest.importorskip("torch")
    for axis in range(x.ndim):
        np.testing.assert_allclose(np.cumprod(ag.tensor(x), axis=axis).data, np.cumprod(x, axis))
        compare(lambda t, a=axis: ag.cumprod(t, axis=a), lambda t, a=axis: torch.cumprod(t, a), x, second=True)


@pytest.mark.parametrize("x", CUMPROD_INPUTS, ids=range(len(CUMPROD_INPUTS)))
def test_cumprod_jvp_with_zeros_matches_finite_differences(x):
    v = rng.standard_normal(x.shape)
    for axis in range(x.ndim):
        _, tangent = ag.jvp(lambda t, a=axis: ag.cumprod(t, axis=a), [ag.tensor(x)], [v])
        eps = 1e-6
        fd = (np.cumprod(x + eps * v, axis) - np.cumprod(x - eps * v, axis)) / (2 * eps)
        np.testing.assert_allclose(tangent.data, fd, atol=1e-8)


def test_logcumsumexp_matches_torch_and_never_overflows():
    torch = pytest.importorskip("torch")
    x = randn(3, 5)
    for axis in (0, 1):
        compare(
            lambda t, a=axis: ag.logcumsumexp(t, axis=a), lambda t, a=axis: torch.logcumsumexp(t, a), x, second=True
        )
    big = np.array([800.0, -800.0, 1000.0, 999.0, -5.0])
    compare(lambda t: ag.logcumsumexp(t), lambda t: torch.logcumsumexp(t, 0), big)
    _, tangent = ag.jvp(ag.logcumsumexp, [ag.tensor(big)], [np.ones(5)])
    np.testing.assert_allclose(tangent.data, np.ones(5))  # shifting every x shifts every y
    with pytest.raises(ShapeError, match="logcumsumexp"):
        ag.logcumsumexp(ag.tensor(1.0))


# ------------------------------------------------------------------- var/std
def test_var_std_take_pytorchs_correction():
    pytest.importorskip("torch")
    x = randn(3, 4)
    for correction in (0, 1, 2):
        compare(
            lambda t, c=correction: ag.var(t, axis=1, correction=c), lambda t, c=correction: t.var(1, correction=c), x
        )
        compare(lambda t, c=correction: t.std(correction=c), lambda t, c=correction: t.std(correction=c), x)
    with pytest.raises(InvalidArgumentError, match="ddof= or correction="):
        ag.var(ag.tensor(x), ddof=1, correction=1)


# -------------------------------------------------------------------- sorting
def test_sort_returns_values_and_indices_like_torch():
    torch = pytest.importorskip("torch")
    x = randn(3, 4)
    values, indices = ag.sort(ag.tensor(x), axis=1)
    np.testing.assert_allclose(values.data, np.sort(x, axis=1))
    np.testing.assert_array_equal(indices.data, np.argsort(x, axis=1))
    assert not indices.requires_grad and indices.dtype.kind == "i"
    for axis in (0, 1):
        for descending in (False, True):
            compare(
                lambda t, a=axis, d=descending: ag.sort(t, a, descending=d).values,
                lambda t, a=axis, d=descending: torch.sort(t, a, descending=d).values,
                x,
            )
    t = ag.tensor(x, requires_grad=True)
    np.testing.assert_allclose(np.sort(t, axis=0).data, np.sort(x, axis=0))  # numpy: the values alone
    np.testing.assert_allclose(t.sort().values.data, np.sort(x))
    np.testing.assert_allclose(ag.sort(t, axis=None).values.data, np.sort(x, axis=None))


def test_sort_descending_is_stable_and_argsort_matches_numpy():
    x = np.array([2.0, 1.0, 2.0, 3.0, 1.0])
    values, indices = ag.sort(ag.tensor(x), descending=True)
    np.testing.assert_array_equal(indices.data, [3, 0, 2, 1, 4])
    np.testing.assert_allclose(values.data, [3, 2, 2, 1, 1])
    y = randn(4, 3)
    np.testing.assert_array_equal(np.argsort(ag.tensor(y, requires_grad=True), axis=0).data, np.argsort(y, axis=0))
    np.testing.assert_array_equal(ag.tensor(y).argsort(kind="stable").data, np.argsort(y, kind="stable"))
    np.testing.assert_array_equal(ag.argsort(ag.tensor(y), axis=None).data, np.argsort(y, axis=None))


def test_topk_matches_torch():
    torch = pytest.importorskip("torch")
    x = randn(3, 5)
    for largest in (True, False):
        values, indices = ag.topk(ag.tensor(x), 2, axis=1, largest=largest)
        tv, ti = torch.topk(torch.tensor(x), 2, dim=1, largest=largest)
        np.testing.assert_allclose(values.data, tv.numpy())
        np.testing.assert_array_equal(indices.data, ti.numpy())
        compare(
            lambda t, lg=largest: ag.topk(t, 3, axis=0, largest=lg).values,
            lambda t, lg=largest: torch.topk(t, 3, dim=0, largest=lg).values,
            x,
        )
    with pytest.raises(InvalidArgumentError, match="topk"):
        ag.topk(ag.tensor(x), 6)


QUANTILE_METHODS = ["linear", "lower", "higher", "nearest", "midpoint"]


@pytest.mark.parametrize("method", QUANTILE_METHODS)
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 2), False), (-1, True)])
def test_quantile_matches_numpy_and_torch(method, axis, keepdims):
    x = randn(4, 3, 5)
    q = [0.0, 0.1, 0.5, 0.875, 1.0]
    expected = np.quantile(x, q, axis=axis, method=method, keepdims=keepdims)
    got = np.quantile(ag.tensor(x, requires_grad=True), q, axis=axis, method=method, keepdims=keepdims)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    np.testing.assert_allclose(ag.quantile(ag.tensor(x), 0.3, axis=axis).data, np.quantile(x, 0.3, axis=axis))
    if isinstance(axis, tuple):
        return
    torch = pytest.importorskip("torch")
    tq = torch.tensor(q, dtype=torch.float64)
    compare(
        lambda t: ag.quantile(t, q, axis=axis, keepdims=keepdims, interpolation=method),
        lambda t: torch.quantile(t, tq, dim=axis, keepdim=keepdims, interpolation=method),
        x,
    )


def test_median_is_numpys_with_gradient_to_the_middle_elements():
    x = np.array([[3.0, 1.0, 2.0, 5.0], [0.5, 4.0, -1.0, 2.0]])
    t = ag.tensor(x, requires_grad=True)
    m = np.median(t, axis=1)
    np.testing.assert_allclose(m.data, np.median(x, axis=1))
    m.sum().backward()
    np.testing.assert_allclose(t.grad.data, [[0.5, 0.0, 0.5, 0.0], [0.5, 0.0, 0.0, 0.5]])
    odd = ag.tensor(np.array([3.0, 1.0, 2.0]), requires_grad=True)
    odd.median().backward()
    np.testing.assert_allclose(odd.grad.data, [0.0, 0.0, 1.0])
    torch = pytest.importorskip("torch")
    y = randn(5, 3)  # odd count: numpy's and PyTorch's medians agree
    compare(lambda t: ag.median(t, axis=0), lambda t: torch.median(t, 0).values, y)


def test_quantile_nan_and_bad_arguments():
    x = ag.tensor([1.0, np.nan, 2.0])
    assert np.isnan(ag.quantile(x, 0.5).item()) and np.isnan(np.median(x).item())
    with pytest.raises(InvalidArgumentError, match=r"\[0, 1\]"):
        ag.quantile(ag.tensor([1.0, 2.0]), 1.5)
    with pytest.raises(InvalidArgumentError, match="method"):
        ag.quantile(ag.tensor([1.0, 2.0]), 0.5, method="cubic")
    with pytest.raises(ShapeError, match="no elements"):
        ag.quantile(ag.tensor(np.zeros(0)), 0.5)


# ---------------------------------------------------------------- truth tests
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, True), (1, False), ((0, 1), False)])
def test_any_all_count_nonzero_match_numpy(axis, keepdims):
    x = np.array([[0.0, 1.0, 0.0], [0.0, 2.0, -1.0]])
    t = ag.tensor(x, requires_grad=True)
    np.testing.assert_array_equal(np.any(t, axis=axis, keepdims=keepdims).data, np.any(x, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(ag.all(t, axis, keepdims=keepdims).data, np.all(x, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(
        np.count_nonzero(t, axis=axis, keepdims=keepdims).data, np.count_nonzero(x, axis=axis, keepdims=keepdims)
    )
    assert not ag.any(t).requires_grad and t.count_nonzero().item() == 3
    assert ag.count_nonzero(ag.tensor(5.0)).item() == 1
    with pytest.raises(ShapeError, match="any"):
        ag.any(t, axis=2)


# ------------------------------------------------- max / min / median with dim=
TIES = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, -1.0, 2.0, 2.0], [0.0, 0.0, -4.0, 1.0]])


@pytest.mark.parametrize("op", ["max", "min", "median"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_dim_returns_values_and_indices_as_torch(op, dim, keepdim):
    """x.op(dim=) is PyTorch's (values, indices), the gradient going to the element at the index, ties included."""
    torch = pytest.importorskip("torch")
    for x in (TIES, randn(3, 4)):
        for call in (
            lambda t: getattr(t, op)(dim=dim, keepdim=keepdim),
            lambda t: getattr(ag, op)(t, dim=dim, keepdim=keepdim),
        ):
            got = call(ag.tensor(x))
            expected = getattr(torch, op)(torch.tensor(x), dim=dim, keepdim=keepdim)
            assert type(got).__name__ == f"{op.capitalize()}Result" and got._fields == ("values", "indices")
            values, indices = got
            np.testing.assert_allclose(values.data, expected.values.numpy())
            assert indices.dtype == np.int64 and not indices.requires_grad
            if op != "median" or x is not TIES:  # PyTorch does not promise which of tied medians it points at
                np.testing.assert_array_equal(indices.data, expected.indices.numpy())
        if op != "median" or x is not TIES:
            compare(
                lambda t: getattr(t, op)(dim=dim, keepdim=keepdim).values,
                lambda t: getattr(torch, op)(t, dim=dim, keepdim=keepdim).values,
                x,
            )


@pytest.mark.parametrize("op", ["max", "min"])
def test_numpy_style_calls_return_values_and_share_ties(op):
    """x.op(), x.op(axis=0), ag.op(t, 0) and np.op(t, 0) stay numpy's: values, tied elements sharing the gradient."""
    reference = getattr(np, op)
    t = ag.tensor(TIES, requires_grad=True)
    for got, expected in (
        (getattr(t, op)(), reference(TIES)),
        (getattr(t, op)(axis=1, keepdims=True), reference(TIES, axis=1, keepdims=True)),
        (getattr(t, op)(axis=None, keepdim=True), reference(TIES, axis=None, keepdims=True)),
        (getattr(ag, op)(t, 1), reference(TIES, 1)),  # the module function: a positional axis is numpy's
        (reference(t, 0), reference(TIES, 0)),
        (reference(t, axis=0), reference(TIES, axis=0)),
        (getattr(t, op)(axis=(0, 1)), reference(TIES, axis=(0, 1))),
    ):
        assert isinstance(got, ag.Tensor)
        np.testing.assert_allclose(got.data, expected)
    getattr(t, op)(axis=1).sum().backward()
    hit = TIES == reference(TIES, axis=1, keepdims=True)
    np.testing.assert_allclose(t.grad.data, hit / hit.sum(axis=1, keepdims=True))


@pytest.mark.parametrize("op", ["max", "min", "median"])
def test_pytorch_spellings_return_values_and_indices(op):
    """The method with a positional int (out.max(1)[1]) and keepdim= are PyTorch's: (values, indices)."""
    torch = pytest.importorskip("torch")
    x = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.9]])
    t, tt = ag.tensor(x), torch.tensor(x)
    for got, expected in (
        (getattr(t, op)(1), getattr(tt, op)(1)),
        (getattr(t, op)(1, True), getattr(tt, op)(1, True)),
        (getattr(t, op)(0, keepdim=True), getattr(tt, op)(0, keepdim=True)),
        (getattr(ag, op)(t, 1, keepdim=True), getattr(torch, op)(tt, 1, keepdim=True)),
        (getattr(t, op)(axis=-1, keepdim=False), getattr(tt, op)(dim=-1, keepdim=False)),
    ):
        np.testing.assert_array_equal(got[0].data, expected[0].numpy())
        np.testing.assert_array_equal(got[1].data, expected[1].numpy())
        assert got.indices.dtype == np.int64
    with pytest.raises(ag.errors.ArgumentTypeError, match="both"):
        getattr(t, op)(1, dim=1)


def test_median_dim_is_the_lower_median_and_numpy_style_the_mean_of_the_middle():
    x = np.array([[3.0, 1.0, 2.0, 5.0], [0.5, 4.0, -1.0, 2.0]])
    t = ag.tensor(x, requires_grad=True)
    np.testing.assert_allclose(t.median(axis=1).data, [2.5, 1.25])
    values, indices = t.median(dim=1)
    np.testing.assert_allclose(values.data, [2.0, 0.5])
    np.testing.assert_array_equal(indices.data, [2, 0])
    values.sum().backward()
    np.testing.assert_allclose(t.grad.data, [[0, 0, 1, 0], [1, 0, 0, 0]])


def test_dim_with_nan_zero_dims_and_bad_keywords():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, np.nan, 3.0], [2.0, 0.0, 1.0]])
    for op in ("max", "min", "median"):
        got = getattr(ag.tensor(x), op)(dim=1)
        expected = getattr(torch, op)(torch.tensor(x), dim=1)
        np.testing.assert_array_equal(got.values.data, expected.values.numpy())
        np.testing.assert_array_equal(got.indices.data, expected.indices.numpy())
    scalar = ag.tensor(2.5, requires_grad=True)
    values, indices = scalar.max(dim=0)
    assert values.item() == 2.5 and indices.item() == 0 and indices.shape == ()
    values.backward()
    assert scalar.grad.item() == 1.0
    t = ag.tensor(randn(2, 3))
    with pytest.raises(ag.errors.ArgumentTypeError, match="max\\(\\) takes axis= \\(or dim=\\), keepdims="):
        t.max(dims=1)
    with pytest.raises(ag.errors.ArgumentTypeError, match="not both"):
        t.min(axis=0, dim=0)
    with pytest.raises(ag.errors.ArgumentTypeError, match="not both"):
        t.max(dim=0, keepdim=True, keepdims=True)
    with pytest.raises(ShapeError, match="one dimension"):
        t.max(dim=(0, 1))
    with pytest.raises(ShapeError, match="out of bounds"):
        t.max(dim=2)
    with pytest.raises(ShapeError, match="empty"):
        ag.tensor(np.zeros((2, 0))).max(dim=1)
    with pytest.raises(ag.errors.ArgumentTypeError, match="median\\(\\) takes axis="):
        t.median(dims=0)


@pytest.mark.parametrize("op", ["max", "min", "median"])
def test_dim_on_hostile_inputs_gets_library_errors(op):
    for bad in (None, "ab", {"a": 1}, [[1.0, 2.0], [3.0]], np.array([object(), 1])):
        with pytest.raises(ag.errors.AutogradError):
            getattr(ag, op)(bad, dim=0)
