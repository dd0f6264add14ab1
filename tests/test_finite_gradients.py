"""No NaN where the maths is finite: masks select, degenerate reductions and powers have their limits.

A rule with a mask gives exactly 0 where the mask is off, even when the
incoming cotangent or tangent is infinite (``np.where(mask, g, 0)``, never
``g * mask``, since ∞·0 is NaN). Each case here failed before its fix.
"""

import warnings

import numpy as np
import pytest

import autograd_core as ag

INF = np.inf

# (name, function, input, expected derivative for an infinite incoming vector)
MASKED = [
    ("relu", ag.relu, [-2.0, 0.0, 2.0], [0.0, 0.0, INF]),
    ("clip", lambda x: ag.clip(x, -0.5, 0.5), [-2.0, 0.0, 2.0], [0.0, INF, 0.0]),
    ("clip below only", lambda x: ag.clip(x, min=-0.5), [-2.0, 0.0], [0.0, INF]),
    ("clip above only", lambda x: ag.clip(x, max=0.5), [0.0, 2.0], [INF, 0.0]),
    ("maximum", lambda x: ag.maximum(x, 0.0), [-2.0, 0.0, 2.0], [0.0, INF, INF]),
    ("minimum", lambda x: ag.minimum(x, 0.0), [-2.0, 0.0, 2.0], [INF, INF, 0.0]),
    ("maximum, second operand", lambda x: ag.maximum(0.0, x), [-2.0, 2.0], [0.0, INF]),
    ("max", lambda x: ag.broadcast_to(ag.max(x), (3,)), [1.0, 3.0, 2.0], [0.0, INF, 0.0]),
    ("min", lambda x: ag.broadcast_to(ag.min(x), (3,)), [1.0, 3.0, 2.0], [INF, 0.0, 0.0]),
    ("sign", ag.sign, [-2.0, 0.0, 2.0], [0.0, 0.0, 0.0]),
    ("x**0", lambda x: x**0, [-2.0, 0.0, 2.0], [0.0, 0.0, 0.0]),
    ("leaky_relu", lambda x: ag.leaky_relu(x, 0.1), [-2.0, 2.0], [INF, INF]),
    ("elu", ag.elu, [-2.0, 2.0], [INF, INF]),
]


@pytest.mark.parametrize("name, fn, x, expected", MASKED, ids=[m[0] for m in MASKED])
def test_masks_select_an_infinite_cotangent(name, fn, x, expected):
    t = ag.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fn(t).backward(np.full(len(x), INF))
    np.testing.assert_array_equal(t.grad.data, expected)


@pytest.mark.parametrize("name, fn, x, expected", MASKED, ids=[m[0] for m in MASKED])
def test_masks_select_an_infinite_tangent(name, fn, x, expected):
    if name in ("max", "min"):  # the tangent of a reduction sums the selected entries: ∞ everywhere
        expected = [INF] * len(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, tangent = ag.jvp(fn, [np.array(x)], [np.full(len(x), INF)])
    np.testing.assert_array_equal(tangent.data, expected)


def test_sqrt_of_relu_has_gradient_zero_where_relu_is_off():
    # sqrt'(0) = ∞ reaches relu's rule where x < 0: PyTorch gives 0, as the maths does
    x = ag.tensor([-1.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ag.sqrt(ag.relu(x)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.25])


@pytest.mark.parametrize(
    "values, axis, keepdims, ddof",
    [
        ([3.0, 3.0, 3.0], None, False, 0),  # constant values
        ([3.0, 3.0, 3.0], None, False, 1),
        ([2.5], None, False, 0),  # one element
        ([[1.0, 2.0], [1.0, 5.0]], 0, True, 0),  # one column constant, the other not
        (7.0, None, False, 0),  # 0-d
    ],
)
def test_std_with_zero_spread_has_gradient_zero(values, axis, keepdims, ddof):
    x = np.array(values)

    def f(x):
        return ag.std(x, axis=axis, keepdims=keepdims, ddof=ddof).sum()

    grad = ag.grad(f)(x).data
    assert np.isfinite(grad).all()
    flat = np.ptp(x, axis=axis, keepdims=True) == 0
    np.testing.assert_array_equal(np.where(flat, grad, 0), 0)
    # forward mode agrees, and second derivatives stay finite
    _, tangent = ag.jvp(f, [x], [np.ones_like(x)])
    assert np.isfinite(tangent.data).all()
    assert np.isfinite(ag.hessian(f)(x).data).all()


def test_std_gradient_elsewhere_is_unchanged():
    x = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    grad = ag.grad(lambda x: ag.std(x, axis=1, ddof=1).sum())(x).data
    row = x[0]
    expected = (row - row.mean()) / (2 * row.std(ddof=1))
    np.testing.assert_allclose(grad[0], expected)
    np.testing.assert_array_equal(grad[1], 0)


@pytest.mark.parametrize("exponent", [0, 0.0, np.zeros(4)])
def test_power_zero_has_gradient_zero_at_infinity(exponent):
    x = np.array([INF, -INF, 0.0, 2.0])
    grad = ag.grad(lambda x: (x**exponent).sum())(x).data
    np.testing.assert_array_equal(grad, 0)
    _, tangent = ag.jvp(lambda x: x**exponent, [x], [np.ones(4)])
    np.testing.assert_array_equal(tangent.data, 0)


def test_zero_to_a_negative_power_has_exponent_gradient_minus_infinity():
    p = np.array([-1.0, -0.5, 0.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from_number = ag.grad(lambda p: (0.0**p).sum())(p).data
        from_tensor = ag.grad(lambda p: (ag.zeros(4) ** p).sum())(p).data
    np.testing.assert_array_equal(from_number, [-INF, -INF, 0.0, 0.0])  # d(0^p)/dp = 0^p·log 0, as PyTorch
    np.testing.assert_array_equal(from_tensor, [-INF, -INF, 0.0, 0.0])


def test_mixed_second_derivative_of_a_power_at_exponent_zero():
    # ∂²(xᵖ)/∂x∂p = xᵖ⁻¹·(1 + p·log x) = 1/x at p = 0, from either side of the Hessian
    x, p = np.array([1.5, 4.0]), np.array([0.0, 0.0])
    blocks = ag.hessian(lambda x, p: (x**p).sum(), argnums=(0, 1))(x, p)
    np.testing.assert_allclose(np.diag(blocks[0][1].data), 1 / x)
    np.testing.assert_allclose(np.diag(blocks[1][0].data), 1 / x)


@pytest.mark.parametrize("ddof, n", [(1, 1), (2, 1), (3, 2)])
def test_forward_mode_through_var_with_ddof_at_least_n_is_nan(ddof, n):
    x = np.arange(1.0, n + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value, tangent = ag.jvp(lambda x: ag.var(x, ddof=ddof), [x], [np.ones(n)])
        grad = ag.grad(lambda x: ag.var(x, ddof=ddof))(x).data
    assert not np.isfinite(value.data)  # as numpy's var: nothing to divide by
    assert not np.isfinite(tangent.data).any()
    assert not np.isfinite(grad).all()


@pytest.mark.parametrize("scale, labels", [(1e4, True), (1e6, True), (1e4, False), (1e6, False)])
def test_cross_entropy_float32_accurate_for_large_logits(scale, labels):
    rng = np.random.default_rng(0)
    z = (scale + rng.standard_normal((64, 10))).astype(np.float32)
    target = rng.integers(0, 10, 64) if labels else rng.uniform(0, 1, (64, 10)).astype(np.float32)
    z64 = z.astype(np.float64)
    log_p = z64 - z64.max(-1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(-1, keepdims=True))
    expected = -log_p[np.arange(64), target] if labels else -(target * log_p).sum(-1)
    got = ag.cross_entropy(ag.tensor(z), target)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.data, expected, rtol=1e-5, atol=1e-5)  # before: 5e-4 at 1e4, 0.03 at 1e6


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_the_bitwise_selection_is_exactly_numpys_where(dtype):
    """``selected`` (relu's and clip's rule) multiplies bits by the mask: the same elements as np.where, bit for bit."""
    from autograd_core.primitives.elementwise import selected

    rng = np.random.default_rng(0)
    g = rng.standard_normal((7, 5)).astype(dtype)
    g.flat[:6] = [np.inf, -np.inf, np.nan, -0.0, 0.0, np.finfo(dtype).tiny]
    mask = rng.random((7, 5)) > 0.4
    mask.flat[:6] = [False, True, False, True, False, True]
    got, expected = selected(mask, g), np.where(mask, g, dtype(0))
    assert got.dtype == dtype and got.shape == g.shape
    assert np.array_equal(got.view(np.uint8), expected.view(np.uint8))  # the very bits, -0.0 and NaN included
    strided = g[:, ::2]  # a view with strides still selects exactly
    assert np.array_equal(selected(mask[:, ::2], strided), np.where(mask[:, ::2], strided, 0), equal_nan=True)
    assert np.array_equal(selected(mask, g[:1]), np.where(mask, g[:1], 0), equal_nan=True)  # broadcast: np.where
