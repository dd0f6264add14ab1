"""A primitive a user declares with ``ag.primitive`` is a built-in in every way: registry, transforms, vmap, pictures, docs."""

import numpy as np
import pytest

import autograd_core as ag
import viz
from autograd_core.batching import leading
from autograd_core.docs import primitive_table
from autograd_core.errors import InvalidArgumentError


@pytest.fixture
def smooth_abs():
    """y = √(x² + ε²): declared as the README shows, removed after the test."""

    @ag.primitive(
        vjp=(lambda g, y, x, eps: g * x / y,),
        jvp=(lambda t, y, x, eps: t * x / y,),
        formula="y = √(x² + ε²)",
        vjp_text="x̄ = ȳ·x / y",
        jvp_text="ẏ = ẋ·x / y",
        broadcasting=True,  # elementwise: the generic batching rule applies
        method="smooth_abs",
        numpy=None,
    )
    def smooth_abs(x, /, eps=1e-3):
        """y = √(x² + ε²), a differentiable |x|."""
        return np.sqrt(x * x + eps * eps)

    yield smooth_abs
    ag.unregister("smooth_abs")


def test_it_is_registered_documented_and_bound_as_a_method(smooth_abs):
    assert ag.REGISTRY["smooth_abs"] is smooth_abs.primitive
    assert "| `smooth_abs` | y = √(x² + ε²) | x̄ = ȳ·x / y | ẏ = ẋ·x / y |" in primitive_table()
    assert "x̄ = ȳ·x / y" in smooth_abs.__doc__
    x = ag.tensor([-2.0, 0.5])
    np.testing.assert_allclose(x.smooth_abs(eps=0.0).data, [2.0, 0.5])
    assert "smooth_abs" not in ag.unbatched_primitives()


def test_every_transform_uses_its_rules(smooth_abs):
    x = ag.tensor([-2.0, 0.5, 1e-5])
    expected = x.data / np.sqrt(x.data**2 + 1e-6)
    np.testing.assert_allclose(ag.grad(lambda x: smooth_abs(x).sum())(x).data, expected)
    np.testing.assert_allclose(ag.jvp(smooth_abs, (x,), (np.ones(3),))[1].data, expected)
    np.testing.assert_allclose(ag.vmap(ag.grad(smooth_abs))(x).data, expected)
    assert ag.check_rules(smooth_abs, ag.tensor([-2.0, 0.5]))
    assert ag.gradcheck(lambda x: smooth_abs(x), [ag.tensor([0.3, -0.7])])


def test_it_appears_in_the_trace_and_the_pictures(smooth_abs):
    a = ag.tensor([-1.5, 2.0], requires_grad=True, name="a")
    loss = smooth_abs(a).sum()
    trace = viz.trace_backward(loss)
    assert any(step.op == "smooth_abs" and step.formula == "x̄ = ȳ·x / y" for step in trace.steps)
    assert "smooth_abs" in str(trace)
    picture = viz.draw_graph(loss, mode="both").source
    assert "smooth_abs" in picture and "x̄ = ȳ·x / y" in picture


def test_a_batching_rule_declared_with_the_primitive_is_used():
    calls = []

    def batch_rule(batched, x):
        calls.append(batched)
        return row_norm.primitive.bind(x)  # the forward already treats leading axes as a batch

    @ag.primitive(
        vjp=(lambda g, y, x: g[..., None] * x / y[..., None],),
        jvp=(lambda t, y, x: (t * x).sum(axis=-1) / y,),
        formula="y = ‖x‖ (last axis)",
        vjp_text="x̄ = ȳ·x / y",
        jvp_text="ẏ = Σ ẋ·x / y",
        batch=batch_rule,
        export=False,
    )
    def row_norm(x, /):
        return np.sqrt((x * x).sum(axis=-1))

    try:
        xs = np.random.default_rng(0).standard_normal((4, 3))
        np.testing.assert_allclose(ag.vmap(row_norm)(xs).data, np.linalg.norm(xs, axis=1))
        assert calls == [(True,)]
        assert ag.REGISTRY["row_norm"].batch is batch_rule
    finally:
        ag.unregister("row_norm")
    assert "row_norm" not in ag.REGISTRY


def test_generic_batching_rules_and_registration_errors():
    @ag.primitive(
        vjp=(lambda g, y, x: g * 2,),
        jvp=(lambda t, y, x: t * 2,),
        formula="y = 2x",
        vjp_text="x̄ = 2ȳ",
        jvp_text="ẏ = 2ẋ",
        batch=leading,
        export=False,
    )
    def test_twice(x, /):
        return 2 * x

    try:
        assert test_twice.primitive.batch.generic == "leading"
        np.testing.assert_allclose(ag.vmap(test_twice)(np.ones((2, 3))).data, 2 * np.ones((2, 3)))
        with pytest.raises(InvalidArgumentError, match="already registered"):
            ag.primitive(vjp=(None,), jvp=(None,), formula="", vjp_text="", jvp_text="", name="test_twice")(_identity)
    finally:
        ag.unregister("test_twice")
    with pytest.raises(InvalidArgumentError, match="no primitive named"):
        ag.unregister("test_twice")
    with pytest.raises(InvalidArgumentError, match="already has a method 'sum'"):
        ag.primitive(vjp=(None,), jvp=(None,), formula="", vjp_text="", jvp_text="", method="sum", name="clash")(
            _identity
        )
    assert "clash" not in ag.REGISTRY and ag.tensor([1.0, 2.0]).sum().item() == 3.0


def _identity(x, /):
    return x
