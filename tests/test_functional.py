"""grad, value_and_grad, vjp and gradcheck: composability and error paths."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import GradcheckError, ShapeError


def test_grad_composes_to_third_order():
    f = lambda x: x**4  # noqa: E731
    x = ag.tensor(1.5)
    assert ag.grad(f)(x).item() == pytest.approx(4 * 1.5**3)
    assert ag.grad(ag.grad(f))(x).item() == pytest.approx(12 * 1.5**2)
    assert ag.grad(ag.grad(ag.grad(f)))(x).item() == pytest.approx(24 * 1.5)


def test_grad_accepts_plain_numbers_and_arrays():
    assert ag.grad(lambda x: (x * x).sum())(np.array([1.0, 2.0])).tolist() == [2.0, 4.0]
    assert ag.grad(lambda x: x * x)(3.0).item() == 6.0


def test_grad_with_several_argnums():
    f = lambda x, y: (x * y).sum()  # noqa: E731
    gx, gy = ag.grad(f, argnums=(0, 1))(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]


def test_unused_input_gets_zero_gradient():
    g = ag.grad(lambda x, y: (x * 2).sum(), argnums=1)(ag.tensor([1.0]), ag.tensor([5.0, 6.0]))
    assert g.tolist() == [0.0, 0.0]


def test_grad_leaves_dot_grad_untouched():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    ag.grad(lambda t: (t * t).sum())(x)
    assert x.grad is None


def test_nested_grad_has_no_perturbation_confusion():
    # d/dx [ x · d/dy (x·y) ] = d/dx [x·x] = 2x; confusing the two variables would give 4x... or 1.
    def outer(x):
        inner = ag.grad(lambda y: x * y)(x)
        return x * inner

    assert ag.grad(outer)(ag.tensor(3.0)).item() == pytest.approx(6.0)
    # The classic: d/dx [ d/dy (x + y) at y = x ] = 0 (the inner derivative is the constant 1).
    assert ag.grad(lambda x: ag.grad(lambda y: x + y)(x))(ag.tensor(2.0)).item() == 0.0


def test_gradient_through_captured_parameters_stays_differentiable():
    w = ag.tensor([2.0, -1.0], requires_grad=True)
    x = ag.tensor([0.5, 1.5])
    g = ag.grad(lambda x: (w * x * x).sum())(x)  # = 2·w·x, depends on w
    (g * g).sum().backward()  # d/dw Σ (2wx)² = 8·w·x²
    np.testing.assert_allclose(w.grad.data, 8 * w.data * x.data**2)


def test_value_and_grad():
    value, g = ag.value_and_grad(lambda x: (x**2).sum())(ag.tensor([1.0, 2.0]))
    assert value.item() == 5.0 and g.tolist() == [2.0, 4.0]


def test_grad_needs_a_scalar_output():
    with pytest.raises(ShapeError, match="scalar.*jacrev"):
        ag.grad(lambda x: x * 2)(ag.tensor([1.0, 2.0]))


def test_vjp_can_be_called_repeatedly():
    out, vjp_fn = ag.vjp(lambda x, y: x * y, ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
    for u in ([1.0, 0.0], [0.0, 1.0]):
        gx, gy = vjp_fn(np.array(u))
        np.testing.assert_allclose(gx.data, np.array(u) * [3.0, 4.0])
        np.testing.assert_allclose(gy.data, np.array(u) * [1.0, 2.0])
    with pytest.raises(ShapeError, match="cotangent"):
        vjp_fn(np.ones(3))


def test_jvp_with_tuple_outputs():
    (a, b), (ta, tb) = ag.jvp(lambda x: (x * 2, x.sin()), (ag.tensor([0.0, 1.0]),), (np.array([1.0, 1.0]),))
    np.testing.assert_allclose(ta.data, [2.0, 2.0])
    np.testing.assert_allclose(tb.data, np.cos([0.0, 1.0]))


def test_gradcheck_names_input_element_and_values():
    @ag.primitive(
        vjp=(lambda g, y, x: 3 * g,),
        jvp=(lambda t, y, x: 2 * t,),
        formula="y = 2x",
        vjp_text="x̄ = 3ȳ (wrong)",
        jvp_text="ẏ = 2ẋ",
        export=False,
    )
    def test_bad_double(x, /):
        return 2 * x

    bad = test_bad_double
    try:
        x = ag.tensor([1.0, 2.0], requires_grad=True, name="x")
        with pytest.raises(GradcheckError, match=r"input 0 \(x\) at element \(0,\).*analytic 3.*numeric 2"):
            ag.gradcheck(lambda t: bad(t), [x])
        with pytest.raises(GradcheckError, match="dot-product test failed"):
            ag.dot_product_test(lambda t: bad(t), [x])
    finally:
        del ag.REGISTRY["test_bad_double"]


def test_gradcheck_passes_and_warns_on_float32():
    assert ag.gradcheck(lambda x: (x * x).tanh().sum(), [ag.tensor([0.3, -0.2])])
    with pytest.warns(UserWarning, match="float64"):
        ag.gradcheck(lambda x: x * 2, [ag.tensor([1.0], dtype=np.float32)], eps=1e-2, atol=1e-2)


def test_jacobians_of_scalars_keep_scalar_shapes():
    x = ag.tensor(0.5)
    for transform in (ag.jacfwd, ag.jacrev, ag.jacobian):
        assert transform(ag.sin)(x).shape == ()
    h = ag.hessian(lambda x: x**3)(x)
    assert h.shape == () and h.item() == pytest.approx(3.0)


def test_jacobians_of_tuple_outputs_and_several_arguments_nest_like_jax():
    f = lambda x, y: (x * y, (x * x).sum())  # noqa: E731
    x, y = ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])
    for transform in (ag.jacfwd, ag.jacrev, ag.jacobian):
        (dx0, dy0), (dx1, dy1) = transform(f, argnums=(0, 1))(x, y)
        np.testing.assert_allclose(dx0.data, np.diag([3.0, 4.0]))
        np.testing.assert_allclose(dy0.data, np.diag([1.0, 2.0]))
        np.testing.assert_allclose(dx1.data, [2.0, 4.0])
        assert dy1.tolist() == [0.0, 0.0]
        only_x = transform(f)(x, y)
        assert isinstance(only_x, tuple) and only_x[0].shape == (2, 2)


def test_hessian_with_several_arguments():
    f = lambda x, y: (x * x * y).sum()  # noqa: E731  ∂²/∂x² = 2y, ∂²/∂x∂y = 2x, ∂²/∂y² = 0
    x, y = ag.tensor([1.0, 2.0]), ag.tensor([3.0, 5.0])
    (hxx, hxy), (hyx, hyy) = ag.hessian(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(hxx.data, np.diag([6.0, 10.0]))
    np.testing.assert_allclose(hxy.data, np.diag([2.0, 4.0]))
    np.testing.assert_allclose(hyx.data, np.diag([2.0, 4.0]))
    np.testing.assert_allclose(hyy.data, np.zeros((2, 2)))


def test_jacobian_auto_records_one_forward_pass_when_reverse_wins():
    calls = []

    def f(x):
        calls.append(1)
        return (x * x).sum(keepdims=True)  # M = 1 < D = 3: reverse mode

    ag.jacobian(f)(ag.tensor([1.0, 2.0, 3.0]))
    assert calls == [1]


def test_jacobian_dtype_is_the_same_either_way():
    x = ag.tensor([1.0, 2.0], dtype=np.float32)
    f = lambda x: x.astype(np.float64) * 2  # noqa: E731
    assert ag.jacfwd(f)(x).dtype == ag.jacrev(f)(x).dtype == np.float64


def test_vjp_needs_one_cotangent_per_output():
    _, vjp_fn = ag.vjp(lambda x: (x * 2, x.sum()), ag.tensor([1.0, 2.0]))
    with pytest.raises(ag.errors.InvalidArgumentError, match="2 outputs but 1 cotangents"):
        vjp_fn((np.ones(2),))
    with pytest.raises(ag.errors.InvalidArgumentError, match="pass a tuple of cotangents"):
        vjp_fn(ag.ones(2, 2))  # one stacked tensor is not two cotangents
    (g,) = vjp_fn((np.ones(2), np.ones(())))
    assert g.tolist() == [3.0, 3.0]


def test_gradcheck_flags_nan_gradients():
    @ag.primitive(
        vjp=(lambda g, y, x: g * np.nan,), jvp=(lambda t, y, x: t,),
        formula="y = x", vjp_text="x̄ = NaN (broken)", jvp_text="ẏ = ẋ", export=False,
    )  # fmt: skip
    def test_nan_rule(x, /):
        return x

    nan_rule = test_nan_rule
    try:
        with pytest.raises(GradcheckError, match="analytic nan"):
            ag.gradcheck(lambda t: nan_rule(t), [ag.tensor([1.0])])
    finally:
        del ag.REGISTRY["test_nan_rule"]


def test_transpose_method_swaps_two_axes_like_pytorch():
    w = ag.tensor(np.arange(6.0).reshape(2, 3))
    assert w.transpose(0, 1).shape == (3, 2) and w.transpose(1, 0).shape == (3, 2)
    x = ag.tensor(np.zeros((2, 3, 4)))
    assert x.transpose(0, 2).shape == (4, 3, 2) and x.transpose(2, 0, 1).shape == (4, 2, 3)
    assert x.transpose((1, 2, 0)).shape == (3, 4, 2) and x.transpose().shape == (4, 3, 2)
