"""Derivatives the course notes derive by hand, and stability where the maths is finite."""

import numpy as np
import pytest

import autograd_core as ag

X = np.linspace(-4, 4, 41)
X = X[np.abs(X) > 1e-9]  # away from the kink of the piecewise activations


def derivative(fn, x=X, **kw):
    t = ag.tensor(x, requires_grad=True)
    fn(t, **kw).sum().backward()
    return t.grad.data


def test_sigmoid_derivative_is_s_times_one_minus_s():
    s = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(derivative(ag.sigmoid), s * (1 - s), rtol=1e-12)


def test_tanh_derivative_is_one_minus_tanh_squared():
    np.testing.assert_allclose(derivative(ag.tanh), 1 - np.tanh(X) ** 2, rtol=1e-12)


def test_relu_derivative_is_a_step():
    np.testing.assert_array_equal(derivative(ag.relu), (X > 0).astype(float))
    assert derivative(ag.relu, np.array([0.0]))[0] == 0.0  # PyTorch's convention at the kink


def test_leaky_relu_derivative():
    np.testing.assert_allclose(derivative(ag.leaky_relu, negative_slope=0.1), np.where(X > 0, 1.0, 0.1))


def test_elu_derivative():
    np.testing.assert_allclose(derivative(ag.elu, alpha=0.7), np.where(X > 0, 1.0, 0.7 * np.exp(X)), rtol=1e-12)


def test_softplus_derivative_is_sigmoid():
    np.testing.assert_allclose(derivative(ag.softplus), 1 / (1 + np.exp(-X)), rtol=1e-12)


def test_silu_derivative():
    s = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(derivative(ag.silu), s * (1 + X * (1 - s)), rtol=1e-12)


@pytest.mark.filterwarnings("error")
def test_stable_functions_have_no_overflow_or_nan():
    big = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    s = ag.sigmoid(big).data
    assert np.isfinite(s).all() and s[0] == 0.0 and s[-1] == 1.0
    assert np.isfinite(ag.softplus(big).data).all() and ag.softplus(big).data[-1] == 1000.0
    assert np.isfinite(ag.logsumexp(big).data) and ag.logsumexp(big).item() == pytest.approx(1000.0)
    sm = ag.softmax(big).data
    assert np.isfinite(sm).all() and sm[-1] == pytest.approx(1.0)
    assert np.isfinite(ag.log_softmax(big).data).all()
    z = ag.tensor([[1000.0, -1000.0, 0.0]], requires_grad=True)
    loss = ag.cross_entropy(z, np.array([1])).sum()
    assert loss.item() == pytest.approx(2000.0)
    loss.backward()
    np.testing.assert_allclose(z.grad.data, [[1.0, -1.0, 0.0]], atol=1e-12)
    zb = ag.tensor(big, requires_grad=True)
    bce = ag.binary_cross_entropy_with_logits(zb, np.array([1.0, 0.0, 1.0, 0.0, 1.0]))
    assert np.isfinite(bce.data).all()
    bce.sum().backward()
    assert np.isfinite(zb.grad.data).all()


def test_softmax_worked_example_from_the_notes():
    # exponentiate, sum, divide: softmax([1, 2, 3]) = e^z / Σ e^z
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(ag.softmax(z).data, np.exp(z) / np.exp(z).sum())
    np.testing.assert_allclose(ag.softmax(z).data, [0.09003057, 0.24472847, 0.66524096], rtol=1e-7)


def test_cross_entropy_with_probability_targets_matches_definition():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 3))
    p = rng.dirichlet(np.ones(3), size=4)
    expected = -(p * (z - np.log(np.exp(z).sum(-1, keepdims=True)))).sum(-1)
    np.testing.assert_allclose(ag.cross_entropy(z, p).data, expected, rtol=1e-12)
    with pytest.raises(ag.errors.LabelError, match=r"class label 3 is outside the range \[0, 3\)"):
        ag.cross_entropy(z, np.array([0, 1, 3, 2]))
    with pytest.raises(ag.errors.ShapeError, match=r"need class labels of shape \(4,\), got \(2,\)"):
        ag.cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ag.errors.ShapeError, match="integer class labels need an integer dtype"):
        ag.cross_entropy(z, np.array([0.0, 1.0, 2.0, 1.0]))


def test_max_ties_share_the_gradient_equally():
    x = ag.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.5, 0.5, 0.0])
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([1.0, 0.0], requires_grad=True)
    ag.maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.data, [0.5, 1.0])
    np.testing.assert_allclose(b.grad.data, [0.5, 0.0])


def test_repeated_indices_accumulate():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 2, 2, 2]].sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 0.0, 3.0])
    y = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    picked = ag.take_along_axis(y, np.array([[2, 2], [0, 1]]), axis=1)
    np.testing.assert_allclose(picked.data, [[2.0, 2.0], [3.0, 4.0]])
    picked.sum().backward()
    np.testing.assert_allclose(y.grad.data, [[0.0, 0.0, 2.0], [1.0, 1.0, 0.0]])


def test_matmul_shape_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) are not aligned \(4 != 5\)"):
        ag.tensor(np.ones((3, 4))) @ ag.tensor(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"add: shapes \(3,\) and \(4,\) cannot be broadcast"):
        ag.tensor(np.ones(3)) + ag.tensor(np.ones(4))
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):
        ag.tensor(np.ones((2, 2))).sum(axis=2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_binary_cross_entropy_is_finite_at_saturated_probabilities(dtype):
    p = ag.tensor([0.0, 1.0, 0.0, 1.0, 0.3], dtype=dtype, requires_grad=True)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    loss = ag.binary_cross_entropy(p, y)
    np.testing.assert_allclose(loss.data[:4], [0.0, 0.0, 100.0, 100.0])  # logs clamped at -100, as PyTorch
    loss.sum().backward()
    assert loss.dtype == dtype and p.grad.dtype == dtype and np.isfinite(p.grad.data).all()
    assert p.grad.data[0] == 0 and p.grad.data[1] == 0 and p.grad.data[2] < 0 < p.grad.data[3]
    assert float(p.grad.data[4]) == pytest.approx((0.3 - 1) / (0.3 * 0.7), rel=1e-2)


def test_cross_entropy_of_a_certain_class_is_minus_zero_as_in_pytorch():
    """−log_p[class] with log_p[class] = +0 exactly: −0.0, the sign PyTorch gives too."""
    loss = ag.cross_entropy(ag.tensor([[100.0, 0.0], [0.0, 0.0]]), np.array([0, 1]))
    assert loss.data[0] == 0.0 and np.signbit(loss.data[0])
    np.testing.assert_allclose(loss.data[1], np.log(2.0), rtol=1e-15)
