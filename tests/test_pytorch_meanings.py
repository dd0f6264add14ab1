"""PyTorch's spellings select PyTorch's meaning, numpy's keep numpy's (review 2: split, max, squeeze,
pad, median, masked_fill and one_hot under vmap, __format__), checked against PyTorch where installed."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError, ShapeError


def _shapes(pieces):
    return [tuple(p.shape) for p in pieces]


# ------------------------------------------------------------------ split
@pytest.mark.parametrize(
    "call, want",
    [
        (lambda x: ag.split(x, 2), [(5,), (5,)]),  # numpy: 2 sections
        (lambda x: ag.split(x, 2, axis=0), [(5,), (5,)]),
        (lambda x: np.split(x, [3, 7]), [(3,), (4,), (3,)]),  # numpy: cut indices
        (lambda x: ag.split(x, 2, dim=0), [(2,)] * 5),  # PyTorch: pieces of 2
        (lambda x: ag.split(x, 4, dim=0), [(4,), (4,), (2,)]),
        (lambda x: ag.split(x, [3, 7], dim=0), [(3,), (7,)]),  # PyTorch: sizes
        (lambda x: ag.split(x, split_size_or_sections=[3, 7]), [(3,), (7,)]),
        (lambda x: x.split(3), [(3,), (3,), (3,), (1,)]),  # the method is PyTorch's
        (lambda x: x.split([1, 9]), [(1,), (9,)]),
        (lambda x: x.split(split_size=5, dim=0), [(5,), (5,)]),
    ],
)
def test_split_follows_the_spelling(call, want):
    assert _shapes(call(ag.arange(10.0))) == want


def test_split_sizes_match_torch_and_carry_gradients():
    torch = pytest.importorskip("torch")
    a = np.arange(24.0).reshape(4, 6)
    for arg, dim in ((4, 1), ([1, 2, 3], 1), (3, 0), ([4, 0], 0)):
        x = ag.tensor(a, requires_grad=True)
        t = torch.tensor(a, requires_grad=True)
        ours, theirs = x.split(arg, dim=dim), t.split(arg, dim=dim)
        assert _shapes(ours) == [tuple(p.shape) for p in theirs]
        for o, th in zip(ours, theirs):
            np.testing.assert_array_equal(o.numpy(), th.detach().numpy())
        w = [np.full(p.shape, k + 1.0) for k, p in enumerate(ours)]
        sum((o * wk).sum() for o, wk in zip(ours, w)).backward()
        sum((th * torch.tensor(wk)).sum() for th, wk in zip(theirs, w)).backward()
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_split_errors():
    x = ag.arange(10.0)
    with pytest.raises(ShapeError, match="add up to the length 10"):
        ag.split(x, [3, 8], dim=0)
    with pytest.raises(InvalidArgumentError, match="positive"):
        x.split(0)
    with pytest.raises(ArgumentTypeError, match="not both"):
        ag.split(x, 2, axis=0, dim=0)
    with pytest.raises(ArgumentTypeError, match=r"split\(\) takes .*not bogus="):
        x.split(2, bogus=1)
    with pytest.raises(ShapeError, match="divide"):
        ag.split(x, 3)


# ------------------------------------------------------------------ max / min
A = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])


@pytest.mark.parametrize("op", ["max", "min"])
def test_a_bool_in_numpys_out_position_asks_for_keepdim(op):
    x = ag.tensor(A)
    with pytest.raises(ArgumentTypeError, match="keepdim=True"):
        getattr(ag, op)(x, 1, True)
    with pytest.raises(InvalidArgumentError, match="out="):
        getattr(ag, op)(x, 1, np.empty(2))
    # numpy's full positional form still works: np.max(a, axis, out, keepdims)
    np.testing.assert_array_equal(getattr(np, op)(x, 1, None, True).numpy(), getattr(np, op)(A, 1, None, True))
    # and the Tensor method's (dim, keepdim) is PyTorch's pair
    assert getattr(x, op)(1, True).indices.shape == (2, 1)


@pytest.mark.parametrize("op, elementwise", [("max", "maximum"), ("min", "minimum")])
def test_max_of_two_tensors_is_pytorchs_elementwise_maximum(op, elementwise):
    torch = pytest.importorskip("torch")
    other = np.array([[3.0, 5.0, 3.0], [3.0, 3.0, 3.0]])  # a tie at [0, 1]
    for call in (lambda x, o: getattr(ag, op)(x, o), lambda x, o: getattr(x, op)(o)):
        x, o = ag.tensor(A, requires_grad=True), ag.tensor(other, requires_grad=True)
        t, to = torch.tensor(A, requires_grad=True), torch.tensor(other, requires_grad=True)
        y, ty = call(x, o), getattr(torch, op)(t, to)
        np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
        (y * ag.tensor(A)).sum().backward()
        (ty * torch.tensor(A)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
        np.testing.assert_allclose(o.grad.numpy(), to.grad.numpy())
    with pytest.raises(ArgumentTypeError, match=f"ag.{elementwise}"):
        getattr(ag.tensor(A), op)(3.0)
    with pytest.raises(ArgumentTypeError, match=f"ag.{elementwise}"):
        getattr(ag, op)(ag.tensor(A), np.ones((2, 3)))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: ag.max(None), "max"),
        (lambda: ag.max("ab"), "max"),
        (lambda: ag.min(None, dim=0), "min"),
        (lambda: ag.sum(None), "sum"),
        (lambda: ag.median(None), "median"),
        (lambda: ag.cumsum(None, 0), "cumsum"),
        (lambda: ag.split(None, 2), "split"),
        (lambda: ag.flip(None), "flip"),
    ],
)
def test_a_non_array_operand_error_names_the_function(call, name):
    with pytest.raises(ag.errors.DtypeError, match=rf"^{name}: need numbers"):
        call()


def test_median_without_dim_is_numpys_average_and_with_dim_pytorchs_lower():
    torch = pytest.importorskip("torch")
    a = np.array([1.0, 4.0, 2.0, 3.0])
    assert ag.tensor(a).median().item() == np.median(a) == 2.5
    assert ag.tensor(a).median(0).values.item() == torch.tensor(a).median().item() == 2.0
    assert "lower" in ag.Tensor.median.__doc__ and "np.median" in ag.Tensor.median.__doc__


# ------------------------------------------------------------------ masked_fill and one_hot under vmap
def test_masked_fill_with_a_batched_mask_under_vmap_and_grad():
    rng = np.random.default_rng(0)
    X = ag.tensor(rng.standard_normal((3, 2, 4)))
    looped = ag.stack([x.masked_fill(x > 0, 0.5) for x in X])
    np.testing.assert_array_equal(ag.vmap(lambda x: x.masked_fill(x > 0, 0.5))(X).numpy(), looped.numpy())
    np.testing.assert_array_equal(
        ag.vmap(lambda x: ag.masked_fill(x, x > 0, ag.tensor(0.5)))(X).numpy(), looped.numpy()
    )
    # the gradient of the batched computation, and per-example gradients: 1 where kept, 0 where filled
    keep = (X.numpy() <= 0).astype(float)
    g = ag.grad(lambda X: (ag.vmap(lambda x: x.masked_fill(x > 0, 0.0))(X) * 3.0).sum())(X)
    np.testing.assert_array_equal(g.numpy(), 3.0 * keep)
    per = ag.vmap(ag.grad(lambda x: (x.masked_fill(x > 0, 0.0) ** 2).sum()))(X)
    np.testing.assert_allclose(per.numpy(), 2 * X.numpy() * keep)
    with pytest.raises(ag.errors.DtypeError, match="boolean"):
        ag.vmap(lambda x: x.masked_fill(x, 0.0))(X)


def test_one_hot_under_vmap_equals_the_loop():
    F = pytest.importorskip("nn.functional")
    labels = ag.tensor(np.array([[0, 1, 3], [2, 2, 0]]))
    looped = ag.stack([F.one_hot(row, 4) for row in labels])
    np.testing.assert_array_equal(ag.vmap(lambda i: F.one_hot(i, 4))(labels).numpy(), looped.numpy())
    assert ag.vmap(ag.vmap(lambda i: F.one_hot(i, 4)))(labels).shape == (2, 3, 4)
    with pytest.raises(InvalidArgumentError, match="out of range"):  # any example's bad label is reported
        ag.vmap(lambda i: F.one_hot(i, 3))(labels)


# ------------------------------------------------------------------ squeeze, pad, format
def test_squeeze_with_dim_leaves_longer_axes_as_pytorch_and_axis_keeps_numpys_error():
    torch = pytest.importorskip("torch")
    a = np.ones((1, 3, 1))
    x, t = ag.tensor(a, requires_grad=True), torch.tensor(a)
    for dim in (0, 1, 2, -1, (0, 1), (1, 2)):
        assert x.squeeze(dim=dim).shape == tuple(t.squeeze(dim=dim).shape), dim
    x.squeeze(dim=1).sum().backward()
    assert x.grad.shape == (1, 3, 1)
    for call in (lambda: x.squeeze(axis=1), lambda: x.squeeze(1), lambda: np.squeeze(x, 1)):
        with pytest.raises(ShapeError, match="length 1"):
            call()
    with pytest.raises(ArgumentTypeError, match="not both"):
        ag.squeeze(x, axis=0, dim=0)


@pytest.mark.parametrize("widths", [(-1, 1), (-2, -1, 1, -1), (1, -3), (0, 0, 0, 0, -1, 1), (-4, 0), (-1, -1, 2, 0)])
def test_pad_with_negative_widths_crops_as_pytorch(widths):
    torch = pytest.importorskip("torch")
    F = pytest.importorskip("nn.functional")
    a = np.arange(24.0).reshape(2, 3, 4)
    x, t = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = F.pad(x, widths, value=-1.0), torch.nn.functional.pad(t, widths, value=-1.0)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    w = np.arange(float(y.size)).reshape(y.shape)
    (y * ag.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_pad_cropping_more_than_there_is_is_an_error():
    F = pytest.importorskip("nn.functional")
    with pytest.raises(ShapeError, match="crop"):
        F.pad(ag.ones((2, 4)), (-5, 2))


def test_format_spec_on_a_0d_tensor_formats_its_number():
    torch = pytest.importorskip("torch")
    for spec in (".3f", "8.2e", "", ">10"):
        if spec:
            assert format(ag.tensor(1.23456), spec) == format(torch.tensor(1.23456, dtype=torch.float64), spec)
    assert f"{ag.tensor([1.0, 2.0])}" == str(ag.tensor([1.0, 2.0]))
    assert f"{ag.tensor(7, dtype=ag.int64):03d}" == "007"
    with pytest.raises(ArgumentTypeError, match="0-d"):
        f"{ag.ones(2):.3f}"
