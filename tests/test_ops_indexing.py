"""Index operations against PyTorch and numpy: gather, scatter, scatter_add, index_select, masked_fill,
masked_select, put_along_axis, nonzero / argwhere / where(cond), and the in-place masked_fill_ / clamp_."""

import numpy as np
import pytest
from torch_oracle import compare

import autograd_core as ag
from autograd_core.errors import DtypeError, GradientError, IndexingError, InvalidArgumentError, ShapeError

rng = np.random.default_rng(7)


def randn(*shape):
    return rng.standard_normal(shape)


def torch_index(a):
    torch = pytest.importorskip("torch")
    return torch.tensor(np.asarray(a), dtype=torch.int64)


GATHER_CASES = [
    ((3, 4), 1, np.array([[0, 3, 3], [1, 1, 0], [2, 0, 1]])),
    ((3, 4), 0, np.array([[0, 2, 2, 1], [1, 1, 0, 0]])),
    ((2, 3, 4), 2, rng.integers(0, 4, (2, 2, 5))),
    ((2, 3, 4), -2, rng.integers(0, 3, (1, 3, 4))),
    ((4,), 0, np.array([3, 3, 0])),
    ((3, 4), 1, np.zeros((3, 0), dtype=int)),
]


@pytest.mark.parametrize("shape, dim, index", GATHER_CASES)
def test_gather_matches_torch(shape, dim, index):
    torch = pytest.importorskip("torch")
    compare(lambda t: ag.gather(t, dim, index), lambda t: torch.gather(t, dim, torch_index(index)), randn(*shape))
    np.testing.assert_allclose(
        ag.tensor(randn(*shape)).gather(dim, index).shape,
        torch.gather(torch.zeros(shape), dim, torch_index(index)).shape,
    )


@pytest.mark.parametrize("shape, dim, index", GATHER_CASES)
def test_scatter_add_matches_torch(shape, dim, index):
    torch = pytest.importorskip("torch")
    src = randn(*index.shape)
    compare(
        lambda t, s: ag.scatter_add(t, dim, index, s),
        lambda t, s: torch.scatter_add(t, dim, torch_index(index), s),
        randn(*shape),
        src,
    )


@pytest.mark.parametrize(
    "shape, dim, index",
    [
        ((3, 4), 1, np.array([[0, 3], [1, 2], [2, 0]])),
        ((3, 4), 0, np.array([[0, 2, 1, 1], [1, 0, 0, 2]])),
        ((2, 3, 4), 2, np.array([[[3, 0], [1, 2], [0, 1]]] * 2)),
    ],
)
def test_scatter_without_repeats_matches_torch(shape, dim, index):
    torch = pytest.importorskip("torch")
    larger = randn(*[n + 1 for n in index.shape])  # only its leading block is used
    x = randn(*shape)
    expected = torch.scatter(torch.tensor(x), dim, torch_index(index), torch.tensor(larger)).numpy()
    np.testing.assert_allclose(ag.scatter(x, dim, index, larger).data, expected)
    src = randn(*index.shape)  # (PyTorch's backward refuses a larger src)
    compare(
        lambda t, s: ag.scatter(t, dim, index, s),
        lambda t, s: torch.scatter(t, dim, torch_index(index), s),
        randn(*shape),
        src,
    )
    compare(
        lambda t: ag.scatter(t, dim, index, value=2.5),
        lambda t: torch.scatter(t, dim, torch_index(index), 2.5),
        randn(*shape),
    )


def test_scatter_with_repeated_indices_lets_the_last_write_win_and_only_it_learn():
    x = ag.tensor(np.zeros((2, 3)), requires_grad=True)
    src = ag.tensor(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), requires_grad=True)
    index = np.array([[1, 1, 0], [2, 2, 2]])
    y = ag.scatter(x, 1, index, src)
    np.testing.assert_allclose(y.data, [[3.0, 2.0, 0.0], [0.0, 0.0, 6.0]])
    (y * np.arange(1.0, 7.0).reshape(2, 3)).sum().backward()
    np.testing.assert_allclose(src.grad.data, [[0.0, 2.0, 1.0], [0.0, 0.0, 6.0]])
    np.testing.assert_allclose(x.grad.data, [[0.0, 0.0, 3.0], [4.0, 5.0, 0.0]])


def test_gather_and_scatter_refuse_bad_indices():
    x = ag.tensor(randn(3, 4))
    with pytest.raises(IndexingError, match="out of range"):
        ag.gather(x, 1, np.array([[4]]))
    with pytest.raises(ShapeError, match="dimensions"):
        ag.gather(x, 1, np.array([1, 2]))
    with pytest.raises(ShapeError, match="longer"):
        ag.gather(x, 1, np.zeros((4, 1), dtype=int))
    with pytest.raises(DtypeError, match="integers"):
        ag.gather(x, 1, np.array([[0.5]]))
    with pytest.raises(InvalidArgumentError, match="exactly one"):
        ag.scatter(x, 1, np.array([[0]]))
    with pytest.raises(ShapeError, match="smaller"):
        ag.scatter(x, 1, np.array([[0, 1]]), randn(1, 1))
    np.testing.assert_allclose(ag.gather(x, 1, np.array([[-1]])).data, x.data[:1, -1:])  # negative counts from the end


def test_index_select_matches_torch():
    torch = pytest.importorskip("torch")
    x = randn(3, 4)
    for dim, index in [(0, [2, 0, 2]), (1, [3]), (-1, [])]:
        compare(
            lambda t, d=dim, i=index: ag.index_select(t, d, i),
            lambda t, d=dim, i=index: torch.index_select(t, d, torch_index(i)),
            x,
        )
    with pytest.raises(IndexingError, match="index_select"):
        ag.index_select(ag.tensor(x), 0, [3])


def test_masked_fill_matches_torch():
    torch = pytest.importorskip("torch")
    x = randn(3, 4)
    mask = rng.random((3, 4)) > 0.5
    row = np.array([True, False, True, False])
    compare(lambda t: ag.masked_fill(t, mask, -1.5), lambda t: t.masked_fill(torch.tensor(mask), -1.5), x)
    compare(lambda t: t.masked_fill(row, 0.0), lambda t: t.masked_fill(torch.tensor(row), 0.0), x)
    compare(
        lambda t, v: ag.masked_fill(t, mask, v[0]),
        lambda t, v: t.masked_fill(torch.tensor(mask), v[0]),
        x,
        np.array([2.0]),
    )
    x32 = ag.tensor(x.astype(np.float32), requires_grad=True)
    assert ag.masked_fill(x32, mask, 1.0).dtype == np.float32
    with pytest.raises(ShapeError, match="broadcast"):
        ag.masked_fill(ag.tensor(randn(3)), np.ones((2, 3), bool), 0.0)
    with pytest.raises(DtypeError, match="boolean"):
        ag.masked_fill(ag.tensor(x), mask.astype(int), 0.0)


def test_masked_select_is_differentiable_and_broadcasts_like_torch():
    torch = pytest.importorskip("torch")
    x = randn(3, 4)
    mask = rng.random((3, 4)) > 0.5
    row = np.array([True, False, True, True])
    compare(lambda t: ag.masked_select(t, mask), lambda t: torch.masked_select(t, torch.tensor(mask)), x)
    compare(lambda t: t.masked_select(row), lambda t: t.masked_select(torch.tensor(row)), x)
    compare(lambda t: ag.masked_select(t, mask), lambda t: torch.masked_select(t, torch.tensor(mask)), randn(4))


@pytest.mark.parametrize(
    "shape, axis, indices, values",
    [
        ((3, 4), 1, np.array([[0], [3], [1]]), 9.0),
        ((3, 4), 0, np.array([[2, 0, 1, 1]]), np.array([[1.0, 2.0, 3.0, 4.0]])),
        ((2, 3, 4), 2, np.array([[[1, 3]], [[0, 2]]]), np.array([[[5.0, 6.0]], [[7.0, 8.0]]])),
        ((3, 4), None, np.array([0, 5, 11]), np.array([1.0, 2.0, 3.0])),
        ((3, 4), 1, np.array([[0, 0], [1, 1], [2, 3]]), np.array([[1.0, 2.0]])),
    ],
)
def test_put_along_axis_matches_numpy(shape, axis, indices, values):
    x = randn(*shape)
    expected = x.copy()
    np.put_along_axis(expected, indices, values, axis)
    t = ag.tensor(x, requires_grad=True)
    src = ag.tensor(np.asarray(values, dtype=float), requires_grad=True)
    y = ag.put_along_axis(t, indices, src, axis)
    np.testing.assert_allclose(y.data, expected)
    w = randn(*shape)
    (y * w).sum().backward()
    written = np.zeros(shape, bool)
    np.put_along_axis(written, indices, True, axis)
    np.testing.assert_allclose(t.grad.data, np.where(written, 0.0, w))
    assert abs(src.grad.data.sum() - w[written].sum()) < 1e-12  # each written place's gradient reaches one value
    assert ag.gradcheck(lambda a, b: ag.put_along_axis(a, indices, b, axis), [ag.tensor(x), ag.tensor(src.data)])


def test_numpy_put_along_axis_writes_in_place_through_the_version_counter():
    t = ag.tensor(np.zeros((2, 3)))
    before = t._version
    assert np.put_along_axis(t, np.array([[1], [2]]), 5.0, axis=1) is None
    np.testing.assert_allclose(t.data, [[0.0, 5.0, 0.0], [0.0, 0.0, 5.0]])
    assert t._version != before
    leaf = ag.tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(GradientError, match="in-place"):
        np.put_along_axis(leaf, np.array([0]), 1.0, axis=0)


def test_nonzero_argwhere_and_one_argument_where():
    torch = pytest.importorskip("torch")
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    t = ag.tensor(x, requires_grad=True)
    np.testing.assert_array_equal(t.nonzero().data, torch.tensor(x).nonzero().numpy())
    np.testing.assert_array_equal(ag.argwhere(t).data, np.argwhere(x))
    for ours, theirs in zip(np.nonzero(t), np.nonzero(x)):
        np.testing.assert_array_equal(ours.data, theirs)
    for ours, theirs in zip(ag.where(t > 0), np.where(x > 0)):
        np.testing.assert_array_equal(ours.data, theirs)
    for ours, theirs in zip(np.where(t), np.where(x)):
        np.testing.assert_array_equal(ours.data, theirs)
    for ours, theirs in zip(ag.nonzero(t, as_tuple=True), torch.tensor(x).nonzero(as_tuple=True)):
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ag.nonzero(ag.tensor(np.zeros((0, 2)))).shape == (0, 2)
    with pytest.raises(InvalidArgumentError, match="both a and b"):
        ag.where(t > 0, t)


def test_in_place_masked_fill_and_clamp_follow_the_version_counter():
    x = ag.tensor(np.array([1.0, -2.0, 3.0]))
    y = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    z = y * x  # saves x for the backward pass
    assert x.masked_fill_(x.data < 0, 0.0) is x
    np.testing.assert_allclose(x.data, [1.0, 0.0, 3.0])
    with pytest.raises(ag.errors.InplaceModificationError):
        z.sum().backward()
    x.clamp_(max=2.0)
    np.testing.assert_allclose(x.data, [1.0, 0.0, 2.0])
    x.clip_(0.5, None)
    np.testing.assert_allclose(x.data, [1.0, 0.5, 2.0])
    for write in (lambda: y.masked_fill_(np.ones(3, bool), 0.0), lambda: y.clamp_(0.0, 1.0)):
        with pytest.raises(GradientError, match="in-place"):
            write()
    with ag.no_grad():
        y.clamp_(0.0, 1.5)
    np.testing.assert_allclose(y.data, [1.0, 1.5, 1.5])
    with pytest.raises(InvalidArgumentError, match="clamp_"):
        x.clamp_()


def test_an_ellipsis_of_no_axes_between_advanced_indices_puts_their_axes_first_as_numpy():
    """Found by the differential test: x[None, 0, ..., 0, mask] has the advanced axes in front in numpy."""
    x = np.arange(24.0).reshape(2, 3, 4)
    for index in [(None, 0, Ellipsis, 0, [1, 2]), (None, 0, ..., 0, np.array([True, False, True, False]))]:
        t = ag.tensor(x, requires_grad=True)
        y = t[index]
        assert y.shape == x[index].shape == (2, 1)
        np.testing.assert_array_equal(y.data, x[index])
        y.backward(np.ones(y.shape))
        expected = np.zeros_like(x)
        np.add.at(expected, index, 1.0)
        np.testing.assert_array_equal(t.grad.data, expected)
    empty = np.zeros((1, 1, 0))
    index = (None, 0, Ellipsis, 0, np.array([], dtype=bool))
    assert ag.tensor(empty)[index].shape == empty[index].shape == (0, 1)
