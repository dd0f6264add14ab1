"""The Tensor API: construction, dtypes, operators, numpy interop, creation functions."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import DtypeError, ShapeError


def test_python_data_becomes_default_float():
    assert ag.tensor(3).dtype == np.float64
    assert ag.tensor([1, 2]).dtype == np.float64
    assert ag.tensor([True, False]).dtype == np.bool_
    assert ag.tensor(np.arange(3)).dtype == np.int64  # numpy arrays keep their dtype
    assert ag.tensor(np.float32(1.5)).dtype == np.float32


def test_set_default_dtype_changes_python_data_only():
    ag.set_default_dtype(np.float32)
    try:
        assert ag.tensor([1.0, 2.0]).dtype == np.float32
        assert ag.zeros(2).dtype == np.float32
        assert ag.tensor(np.ones(2)).dtype == np.float64
    finally:
        ag.set_default_dtype(np.float64)
    with pytest.raises(TypeError, match="float dtype"):
        ag.set_default_dtype(np.int32)


def test_tensor_copies_its_input():
    a = np.ones(3)
    t = ag.tensor(a)
    a[0] = 5
    assert t.data[0] == 1


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_tensors_cannot_require_grad(dtype):
    with pytest.raises(DtypeError, match="float16, float32, float64"):
        ag.tensor(np.ones(2, dtype=dtype), requires_grad=True)
    with pytest.raises(TypeError):  # DtypeError is a TypeError
        ag.zeros(2, dtype=dtype, requires_grad=True)
    t = ag.tensor(np.arange(3))
    with pytest.raises(DtypeError):
        t.requires_grad_()


def test_properties_and_conversions():
    t = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="w")
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert t.T.shape == (3, 2)
    assert isinstance(np.asarray(t), np.ndarray) and t.numpy() is t.data
    assert [row.tolist() for row in t] == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert ag.tensor(2.5).item() == 2.5 and float(ag.tensor([2.0])) == 2.0
    with pytest.raises(ValueError, match="one element"):
        t.item()
    with pytest.raises(TypeError):
        len(ag.tensor(1.0))


def test_repr_shows_values_and_origin():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=mul)"
    assert "dtype=float32" in repr(ag.tensor([1.0], dtype=np.float32))
    assert "name='w'" in repr(ag.tensor(1.0, name="w"))


def test_reflected_operators_return_tensors():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for y in (2.0 * x, 1 - x, 3 / x, 2**x, np.ones(2) * x, np.float64(2) + x, np.ones((2, 2)) @ x):
        assert isinstance(y, ag.Tensor) and y.requires_grad
    y = np.ones(2) * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 1.0])


def test_python_and_numpy_scalars_keep_float32():
    x = ag.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    for y in (x * 2.0, x + 1, 2.0 - x, x / np.float64(3.0), x**2, x * [1.0, 2.0]):
        assert y.dtype == np.float32
    (x * 0.5).sum().backward()
    assert x.grad.dtype == np.float32


def test_comparisons_and_masks_need_no_gradient():
    x = ag.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    mask = (x > 0) & (x < 1)
    assert mask.dtype == np.bool_ and not mask.requires_grad
    assert mask.tolist() == [False, True, False]
    assert (x == x).all().item() and not (x != x).any().item()
    assert ag.argmax(x).item() == 2 and x.argmin().item() == 0


def test_numpy_functions_dispatch_to_primitives():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = np.exp(x)
    z = np.sum(y, axis=0)
    assert isinstance(z, ag.Tensor) and z.grad_fn.name == "sum"
    z.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp(x.data))


def test_creation_functions():
    assert ag.zeros(2, 3).shape == (2, 3) and ag.zeros((2, 3)).shape == (2, 3)
    assert ag.ones(2).tolist() == [1.0, 1.0]
    assert ag.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert ag.arange(3).dtype == np.int64 and ag.arange(0.0, 1.0, 0.5).tolist() == [0.0, 0.5]
    assert ag.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert ag.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    w = ag.randn(3, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    like = ag.zeros_like(ag.tensor(np.ones((2, 2), np.float32)))
    assert like.dtype == np.float32 and like.shape == (2, 2)
    assert ag.ones_like(w).shape == (3,) and ag.full_like(w, 2.0).tolist() == [2.0] * 3
    assert ag.rand_like(w).shape == (3,) and ag.randn_like(w).shape == (3,)


def test_random_creation_is_seedable():
    ag.manual_seed(5)
    a = ag.randn(4).data
    ag.manual_seed(5)
    b = ag.randn(4).data
    np.testing.assert_array_equal(a, b)
    c = ag.rand(4, rng=np.random.default_rng(1)).data
    d = ag.rand(4, rng=np.random.default_rng(1)).data
    np.testing.assert_array_equal(c, d)
    assert ((c >= 0) & (c < 1)).all()


def test_detach_and_requires_grad_():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.is_leaf
    z = ag.tensor([1.0]).requires_grad_()
    assert z.requires_grad
    with pytest.raises(RuntimeError, match="detach"):
        (x * 2).requires_grad_(False)


def test_methods_mirror_functions():
    x = ag.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    assert np.allclose(x.tanh().data, np.tanh(x.data))
    assert x.reshape(3, 2).shape == (3, 2) and x.reshape((6,)).shape == (6,)
    assert x.transpose().shape == (3, 2) and x.permute(1, 0).shape == (3, 2)
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    assert x.unsqueeze(0).shape == (1, 2, 3) and x.unsqueeze(0).squeeze().shape == (2, 3)
    assert x.flatten().shape == (6,) and x.clamp(-0.5, 0.5).data.max() == 0.5
    assert ag.tensor(np.ones((2, 3, 4))).transpose(0, 1).shape == (3, 2, 4)  # PyTorch's two-axis swap


def test_shape_helpers():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    parts = ag.split(x, 3, axis=1)
    assert [p.shape for p in parts] == [(2, 1)] * 3
    s = ag.stack(parts, axis=0)
    assert s.shape == (3, 2, 1)
    e = ag.expand(ag.tensor([[1.0], [2.0]]), -1, 4)
    assert e.shape == (2, 4)
    m = ag.moveaxis(ag.tensor(np.zeros((2, 3, 4))), 0, -1)
    assert m.shape == (3, 4, 2)
    s.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.ones((2, 3)))
    with pytest.raises(ShapeError, match="reshape"):
        x.reshape(4, 2)
    with pytest.raises(ShapeError, match="squeeze"):
        ag.squeeze(x, 0)
    with pytest.raises(ShapeError, match="equal sections"):
        ag.split(x, 2, axis=1)


def test_iteration_is_differentiable():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    total = sum(xi * xi for xi in x)
    total.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0, 6.0])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_survives_a_small_network_and_its_gradients(dtype):
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((4, 3)), dtype=dtype)
    w = ag.tensor(rng.standard_normal((2, 3)), dtype=dtype, requires_grad=True)
    b = ag.tensor(np.zeros(2), dtype=dtype, requires_grad=True)
    loss = ag.cross_entropy(ag.linear(x, w, b).tanh() * 2.0 + 1, np.array([0, 1, 1, 0])).mean()
    assert loss.dtype == dtype
    loss.backward()
    assert w.grad.dtype == dtype and b.grad.dtype == dtype


def test_as_tensor_shares_memory_when_it_can():
    a = np.ones(3)
    t = ag.as_tensor(a)
    a[0] = 5.0
    assert t.data[0] == 5.0 and ag.as_tensor(t) is t
    assert ag.as_tensor(a, dtype=np.float32).dtype == np.float32 and ag.as_tensor([1, 2]).dtype == np.float64


@pytest.mark.parametrize(
    "call",
    [
        lambda x: ag.transpose(x, (1, 2)),
        lambda x: ag.expand_dims(x, 5),
        lambda x: ag.squeeze(ag.ones(1, 3), 2),
        lambda x: ag.flatten(x, 5),
        lambda x: ag.moveaxis(x, 0, 5),
        lambda x: ag.take_along_axis(x, np.zeros((2, 3), int), axis=5),
        lambda x: ag.swapaxes(x, 0, 5),
        lambda x: ag.split(x, 3, axis=4),
        lambda x: ag.softmax(x, axis=5),
        lambda x: ag.concatenate([x, x], axis=2),
    ],
)
def test_out_of_range_axes_are_refused_naming_the_op(call):
    with pytest.raises(ShapeError, match=r"axis \d is out of bounds for a tensor with \d dimension"):
        call(ag.tensor(np.zeros((2, 3))))


def test_split_needs_at_least_one_section():
    with pytest.raises(ag.errors.InvalidArgumentError, match="at least 1"):
        ag.split(ag.tensor(np.zeros(4)), 0)


def test_integer_operands_keep_float32_like_pytorch():
    x = ag.tensor([1.0, 2.0, 3.0], dtype=np.float32, requires_grad=True)
    ints = np.arange(3)
    results = [ag.arange(3) * x, x @ ag.tensor(np.ones((3, 2), int)), x + ints, ag.maximum(x, ints), x / ints.clip(1)]
    assert all(r.dtype == np.float32 for r in results)
    assert ag.binary_cross_entropy_with_logits(x, np.array([0.0, 1.0, 1.0])).dtype == np.float32
    (ag.arange(3) * x).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [0.0, 1.0, 2.0]


def test_writes_and_odd_arguments_get_library_errors():
    t = ag.tensor([1.0, 2.0, 3.0])
    with pytest.raises(ag.errors.IndexingError):
        t[5] = 1.0
    with pytest.raises(ShapeError, match="__setitem__"):
        t[:2] = [1.0, 2.0, 3.0]
    with pytest.raises(ShapeError, match="add_"):
        t.add_(np.ones(4))
    with pytest.raises(DtypeError, match="add_"):
        ag.tensor(np.arange(3)).add_(0.5)  # a float into an integer tensor
    with pytest.raises(ag.errors.IndexingError, match="too many indices"):
        t[0, 0]
    with pytest.raises(ag.errors.InvalidArgumentError, match="pow"):
        ag.tensor(np.array([2])) ** np.array([-1])  # numpy refuses integers to negative integer powers
    x = ag.tensor(np.zeros((2, 1, 3)))
    assert ag.squeeze(x, np.int64(1)).shape == (2, 3) and ag.moveaxis(x, np.int64(0), 2).shape == (1, 3, 2)
    with pytest.raises(ShapeError, match="repeated axis"):
        ag.expand_dims(x, (0, 0))
    with pytest.raises(ShapeError, match="start_dim 2 comes after end_dim 1"):
        ag.flatten(x, 2, 1)
    with pytest.raises(ag.errors.ArgumentTypeError, match="must be an integer"):
        ag.softmax(x, axis=2.0)
    with pytest.raises(ShapeError, match=r"stack: axis 4"):
        ag.stack([x, x], axis=4)


def test_where_and_concatenate_keep_float32_with_integer_operands():
    x = ag.tensor([1.0, 2.0], dtype=np.float32)
    ints = ag.tensor(np.array([3, 4]))
    assert ag.where(np.array([True, False]), x, ints).dtype == np.float32
    assert ag.concatenate([x, ints]).dtype == np.float32
