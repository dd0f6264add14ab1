"""custom_vjp, custom_jvp and Function: their rules are used by every transform; check_rules names a wrong rule."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import GradcheckError, GradientError


# ------------------------------------------------------------------ custom_vjp
@ag.custom_vjp
def log1pexp(x):
    """log(1 + eˣ), whose autodiff gradient eˣ/(1 + eˣ) is inf/inf = NaN for large x."""
    return ag.log(1 + ag.exp(x))


def _log1pexp_fwd(x):
    return log1pexp(x), x


def _log1pexp_bwd(x, g):
    return (g * ag.sigmoid(x),)


log1pexp.defvjp(_log1pexp_fwd, _log1pexp_bwd)
X = ag.tensor([-2.0, 0.5, 800.0])


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_custom_vjp_rule_replaces_autodiff_in_reverse_mode():
    with np.errstate(over="ignore", invalid="ignore"):
        naive = ag.grad(lambda x: ag.log(1 + ag.exp(x)).sum())(X)
        assert np.isnan(naive.data[2])  # why the rule exists
        np.testing.assert_allclose(ag.grad(lambda x: log1pexp(x).sum())(X).data, sigmoid(X.data))
        y = ag.tensor(X.data, requires_grad=True)
        log1pexp(y).sum().backward()
    np.testing.assert_allclose(y.grad.data, sigmoid(X.data))
    assert log1pexp.__name__ == "log1pexp" and "autodiff" in log1pexp.__doc__


def test_custom_vjp_in_forward_mode_and_higher_order():
    with np.errstate(over="ignore", invalid="ignore"):
        _, t = ag.jvp(log1pexp, (X,), (np.ones(3),))
        np.testing.assert_allclose(t.data, sigmoid(X.data))  # derived by transposing bwd
        np.testing.assert_allclose(ag.jacfwd(log1pexp)(X).data, np.diag(sigmoid(X.data)))
        s = sigmoid(X.data)
        np.testing.assert_allclose(ag.hessian(lambda x: log1pexp(x).sum())(X).data, np.diag(s * (1 - s)), atol=1e-300)
        np.testing.assert_allclose(
            ag.grad(ag.grad(lambda x: log1pexp(x).sum()))(ag.tensor(0.3)).item(),
            0.3**0 * sigmoid(0.3) * (1 - sigmoid(0.3)),
        )


def test_custom_vjp_under_vmap_both_ways():
    with np.errstate(over="ignore", invalid="ignore"):
        np.testing.assert_allclose(ag.vmap(ag.grad(log1pexp))(X).data, sigmoid(X.data))
        np.testing.assert_allclose(ag.grad(lambda x: ag.vmap(log1pexp)(x).sum())(X).data, sigmoid(X.data))


def test_custom_vjp_with_pytrees_and_several_outputs():
    @ag.custom_vjp
    def scale_and_sum(p, k):
        return {"scaled": p["w"] * k, "total": p["w"].sum()}

    def fwd(p, k):
        return scale_and_sum(p, k), k

    def bwd(k, ct):
        return ({"w": ct["scaled"] * k + ct["total"] * 10.0}, None)  # deliberately not the true total gradient

    scale_and_sum.defvjp(fwd, bwd)
    p = {"w": ag.tensor([1.0, 2.0])}
    g = ag.grad(lambda p: (scale_and_sum(p, 3.0)["scaled"] * 2).sum() + scale_and_sum(p, 3.0)["total"])(p)
    np.testing.assert_allclose(g["w"].data, [6.0 + 10.0, 6.0 + 10.0])  # the rule, not autodiff, is used
    out = scale_and_sum(p, 3.0)
    np.testing.assert_allclose(out["scaled"].data, [3.0, 6.0])


def test_custom_vjp_without_rules_and_with_a_bad_bwd():
    @ag.custom_vjp
    def f(x):
        return x * 2

    assert f(ag.tensor(1.0)).item() == 2.0  # no differentiation: runs f
    with pytest.raises(GradientError, match="defvjp"):
        ag.grad(f)(ag.tensor(1.0))
    f.defvjp(lambda x: (f(x), None), lambda r, g: g * 2)
    with pytest.raises(ag.errors.ArgumentTypeError, match="tuple"):
        ag.grad(f)(ag.tensor(1.0))


# ------------------------------------------------------------------ custom_jvp
@ag.custom_jvp
def safe_norm(x):
    return ag.sqrt((x * x).sum())


@safe_norm.defjvp
def _safe_norm_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    y = safe_norm(x)
    return y, ag.where(y > 0, (x * t).sum() / ag.where(y > 0, y, 1.0), 0.0)


def test_custom_jvp_in_forward_and_reverse_mode():
    zero = ag.zeros(3)
    with np.errstate(invalid="ignore", divide="ignore"):
        assert np.isnan(ag.grad(lambda x: ag.sqrt((x * x).sum()))(zero).data).all()  # autodiff: 0/0
    np.testing.assert_allclose(ag.grad(safe_norm)(zero).data, np.zeros(3))  # the rule, transposed
    x = ag.tensor([3.0, 4.0, 0.0])
    np.testing.assert_allclose(ag.grad(safe_norm)(x).data, x.data / 5)
    _, t = ag.jvp(safe_norm, (x,), (np.array([1.0, 0.0, 0.0]),))
    assert t.item() == pytest.approx(0.6)
    np.testing.assert_allclose(ag.jacrev(safe_norm)(x).data, ag.jacfwd(safe_norm)(x).data)


def test_custom_jvp_higher_order_and_vmap():
    @ag.custom_jvp
    def f(x):
        return ag.sin(x) * 2

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), 2 * ag.cos(x) * t

    x = ag.tensor([0.1, 0.7, -1.2])
    np.testing.assert_allclose(ag.hessian(lambda x: f(x).sum())(x).data, np.diag(-2 * np.sin(x.data)), atol=1e-15)
    np.testing.assert_allclose(ag.grad(ag.grad(lambda x: f(x)))(ag.tensor(0.4)).item(), -2 * np.sin(0.4))
    np.testing.assert_allclose(ag.vmap(ag.grad(f))(x).data, 2 * np.cos(x.data))
    np.testing.assert_allclose(ag.jacfwd(ag.vmap(f))(x).data, np.diag(2 * np.cos(x.data)))


# -------------------------------------------------------------------- Function
class Cube(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


class NumpyExp(ag.Function):
    """DeZero-style: forward on the numpy values, saving its output."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x.data)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class ScaledExp(ag.Function):
    """Two inputs, an output saved for backward, and a forward-mode rule of its own."""

    @staticmethod
    def forward(ctx, x, a):
        y = ag.exp(x * a)
        ctx.save_for_backward(x, a, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, a, y = ctx.saved_tensors
        return g * y * a, (g * y * x).sum()

    @staticmethod
    def jvp(ctx, tx, ta):
        x, a, y = ctx.saved_tensors
        return y * (tx * a + x * ta)


def test_function_backward_and_double_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 12.0])
    assert ag.grad(ag.grad(Cube.apply))(ag.tensor(2.0)).item() == pytest.approx(12.0)
    y = Cube.apply(x)
    assert y.grad_fn.name == "Cube"
    np.testing.assert_allclose(ag.grad(lambda x: NumpyExp.apply(x).sum())(ag.tensor([0.0, 1.0])).data, [1.0, np.e])


def test_function_saved_outputs_keep_their_graph_for_double_backward():
    x = ag.tensor(0.3)
    second = ag.grad(ag.grad(lambda x: ScaledExp.apply(x, ag.tensor(2.0))))(x)
    assert second.item() == pytest.approx(4 * np.exp(0.6))


def test_function_forward_mode_with_and_without_jvp():
    x, a = ag.tensor([0.1, 0.2]), ag.tensor(1.5)
    _, t = ag.jvp(ScaledExp.apply, (x, a), (np.ones(2), np.array(0.5)))
    np.testing.assert_allclose(t.data, np.exp(1.5 * x.data) * (1.5 + 0.5 * x.data))
    _, t = ag.jvp(Cube.apply, (x,), (np.ones(2),))  # derived from backward
    np.testing.assert_allclose(t.data, 3 * x.data**2)
    _, t = ag.jvp(NumpyExp.apply, (x,), (np.ones(2),))  # backward g·y is linear in g: transposed
    np.testing.assert_allclose(t.data, np.exp(x.data))

    class Opaque(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return np.sin(x.data)

        @staticmethod
        def backward(ctx, g):
            return np.asarray(g) * 2.0  # leaves the library: nothing to transpose

    with pytest.raises(GradientError, match="library operations"):
        ag.jvp(Opaque.apply, (x,), (np.ones(2),))


def test_function_under_vmap_loops_when_forward_reads_values_and_reports_it():
    x = ag.tensor([0.0, 1.0, 2.0])
    with pytest.warns(ag.BatchingFallbackWarning, match="NumpyExp"):
        out = ag.vmap(NumpyExp.apply)(x)
    np.testing.assert_allclose(out.data, np.exp(x.data))
    np.testing.assert_allclose(ag.vmap(ag.grad(NumpyExp.apply))(x).data, np.exp(x.data))
    assert "NumpyExp" in ag.batching_fallbacks()
    np.testing.assert_allclose(ag.vmap(ag.grad(Cube.apply))(x).data, 3 * x.data**2)
    assert "Cube" not in ag.batching_fallbacks()  # library operations batch


# ------------------------------------------------------------------ check_rules
class WrongBackward(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos() * 1.5

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return t * x.cos()


class WrongJvp(WrongBackward):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos()

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return -t * x.cos()


def test_check_rules_names_the_wrong_rule():
    x = ag.tensor([0.3, -0.8])
    report = ag.check_rules(Cube.apply, x)
    assert report.ok and not report.wrong and "agree" in str(report)
    bad_vjp = ag.check_rules(WrongBackward.apply, x)
    assert not bad_vjp and bad_vjp.wrong == ["vjp"] and "VJP (reverse-mode, backward) rule is wrong" in str(bad_vjp)
    bad_jvp = ag.check_rules(WrongJvp.apply, x)
    assert bad_jvp.wrong == ["jvp"] and "JVP (forward-mode) rule is wrong" in str(bad_jvp)
    with pytest.raises(GradcheckError, match="VJP"):
        bad_vjp.raise_for_errors()


def test_check_rules_on_custom_vjp_and_custom_jvp():
    @ag.custom_vjp
    def f(x, y):
        return x * y.exp()

    f.defvjp(lambda x, y: (f(x, y), (x, y)), lambda r, g: (g * r[1].exp(), g * r[0] * r[1].exp() * 2))  # ȳ wrong
    report = ag.check_rules(f, ag.tensor([0.5, 1.0]), ag.tensor([0.2, -0.1]))
    assert not report.ok and "vjp" in report.wrong  # the JVP is derived from bwd: both disagree
    assert ag.check_rules(safe_norm, ag.tensor([3.0, 4.0]))


def test_function_ctx_is_batched_when_vmap_is_inside_grad():
    class Scaled(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.k = 3.0  # any attribute travels with ctx
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return ctx.k * x * x * g

    xs = np.random.default_rng(2).standard_normal((4, 3))
    g = ag.grad(lambda xs: ag.vmap(lambda x: Scaled.apply(x).sum())(xs).sum())(xs)
    np.testing.assert_allclose(g.data, 3 * xs**2)
    j = ag.jacfwd(ag.vmap(lambda x: Scaled.apply(x).sum()))(xs)
    np.testing.assert_allclose(j.data.sum(0), 3 * xs**2)
    assert "Scaled" not in ag.batching_fallbacks()
