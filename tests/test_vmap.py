"""vmap: batching by rules, in_axes/out_axes, nesting, composition with every transform, reporting of fallbacks."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import ArgumentTypeError, BatchingError, InvalidArgumentError

rng = np.random.default_rng(0)


def loop(f, *args, in_axes=0):
    axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    n = next(np.shape(a.data if isinstance(a, ag.Tensor) else a)[ax] for a, ax in zip(args, axes) if ax is not None)
    outs = []
    for i in range(n):
        picked = [
            a if ax is None else np.take(a.data if isinstance(a, ag.Tensor) else a, i, axis=ax)
            for a, ax in zip(args, axes)
        ]
        outs.append(f(*picked))
    return outs


def test_vmap_equals_a_loop_and_applies_each_primitive_once():
    xs, w = rng.standard_normal((5, 3)), rng.standard_normal((3, 2))
    f = lambda x: (x @ w).tanh().sum() * x.mean()  # noqa: E731
    out = ag.vmap(f)(xs)
    np.testing.assert_allclose(out.data, [f(ag.tensor(x)).item() for x in xs], rtol=1e-12)
    with ag.count_ops() as meter:
        ag.vmap(f)(xs)
    assert meter.calls["matmul"] == 1  # one (5, 3) @ (3, 2), not five vector products


def test_in_axes_int_none_negative_and_tuples():
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    f = lambda x, y: (x * y).sum()  # noqa: E731
    np.testing.assert_allclose(ag.vmap(f, in_axes=(0, None))(a, b).data, a @ b)
    np.testing.assert_allclose(ag.vmap(f, in_axes=(1, 0))(a.T, np.tile(b, (3, 1))).data, a @ b)
    np.testing.assert_allclose(ag.vmap(f, in_axes=(-1, None))(a.T, b).data, a @ b)
    np.testing.assert_allclose(ag.vmap(f, in_axes=[0, None])(a, b).data, a @ b)


def test_in_axes_as_a_pytree_and_keyword_arguments():
    p = {"w": rng.standard_normal(4), "b": rng.standard_normal(3)}
    xs = rng.standard_normal((3, 4))
    f = lambda p, x, scale: ((p["w"] * x).sum() + p["b"]) * scale  # noqa: E731
    out = ag.vmap(f, in_axes=({"w": None, "b": 0}, 0, 0))(p, xs, np.arange(3.0))
    np.testing.assert_allclose(out.data, (xs @ p["w"] + p["b"]) * np.arange(3.0))
    out = ag.vmap(lambda p, x, scale: f(p, x, scale), in_axes=({"w": None, "b": 0}, 0))(p, xs, scale=np.arange(3.0))
    np.testing.assert_allclose(out.data, (xs @ p["w"] + p["b"]) * np.arange(3.0))  # keywords are batched on axis 0
    with pytest.raises(InvalidArgumentError, match="does not match"):
        ag.vmap(f, in_axes=({"w": None}, 0, 0))(p, xs, np.arange(3.0))


def test_out_axes_and_outputs_that_do_not_depend_on_the_batch():
    xs = rng.standard_normal((3, 2))
    out, const, same = ag.vmap(lambda x: (x * 2, ag.tensor([1.0, 2.0]), 7.0), out_axes=(1, 0, 0))(xs)
    np.testing.assert_allclose(out.data, (xs * 2).T)
    np.testing.assert_allclose(const.data, np.tile([1.0, 2.0], (3, 1)))  # broadcast along the batch, as JAX
    np.testing.assert_allclose(same.data, [7.0, 7.0, 7.0])
    shared = ag.vmap(lambda x, w: (x * w, w.sum()), in_axes=(0, None), out_axes=(0, None))(xs, np.ones(2))
    assert shared[1].shape == ()
    with pytest.raises(BatchingError, match="out_axes is None"):
        ag.vmap(lambda x: x, out_axes=None)(xs)


def test_pytree_outputs_and_namedtuples():
    from collections import namedtuple

    Pair = namedtuple("Pair", "lo hi")
    xs = rng.standard_normal((4, 3))
    out = ag.vmap(lambda x: {"pair": Pair(x.min(), x.max()), "all": [x]})(xs)
    assert isinstance(out["pair"], Pair)
    np.testing.assert_allclose(out["pair"].hi.data, xs.max(1))
    np.testing.assert_allclose(out["all"][0].data, xs)


def test_nested_vmap_is_a_double_loop():
    m = rng.standard_normal((3, 4, 5))
    w = rng.standard_normal(5)
    out = ag.vmap(ag.vmap(lambda x: (x * w).sum().sin()))(m)
    np.testing.assert_allclose(out.data, np.sin(m @ w))
    outer = ag.vmap(ag.vmap(lambda a, b: (a * b).sum(), in_axes=(None, 0)), in_axes=(0, None))
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    np.testing.assert_allclose(outer(a, b).data, a @ b.T)  # all pairs


def test_vmap_of_grad_gives_per_example_gradients():
    w, xs = rng.standard_normal(3), rng.standard_normal((6, 3))
    f = lambda w, x: ((x * w).sum().tanh() - 0.3) ** 2  # noqa: E731
    per_example = ag.vmap(ag.grad(f), in_axes=(None, 0))(w, xs)
    expected = np.stack([ag.grad(f)(w, x).data for x in xs])
    np.testing.assert_allclose(per_example.data, expected, rtol=1e-12)
    assert not per_example.requires_grad


def test_per_example_gradients_of_an_nn_model_through_functional_call():
    model = nn.MLP([4, 8, 3])
    params = dict(model.named_parameters())
    X, Y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)

    def loss(p, x, y):
        return ag.cross_entropy(nn.functional_call(model, p, x), y).mean()

    per_example = ag.vmap(ag.grad(loss), in_axes=(None, 0, 0))(params, X, Y)
    for i in range(5):
        g = ag.grad(loss)(params, X[i], Y[i])
        for name in params:
            np.testing.assert_allclose(per_example[name].data[i], g[name].data, rtol=1e-10, atol=1e-14)
    batch = ag.grad(loss)(params, X, Y)
    np.testing.assert_allclose(per_example["layers.0.weight"].data.mean(0), batch["layers.0.weight"].data, atol=1e-14)
    assert model.layers[0].weight is params["layers.0.weight"]  # the model is restored


def test_composition_with_every_transform():
    xs, w = rng.standard_normal((4, 3)), rng.standard_normal(3)
    f = lambda x: ((x * w).sin() * x).sum()  # noqa: E731
    for transform in (ag.grad, ag.jacfwd, ag.jacrev, ag.hessian):
        batched = ag.vmap(transform(f))(xs)
        np.testing.assert_allclose(batched.data, np.stack([transform(f)(x).data for x in xs]), rtol=1e-10)
    _, tangents = ag.vmap(lambda x, t: ag.jvp(f, (x,), (t,)))(xs, xs * 0 + 1)
    np.testing.assert_allclose(tangents.data, [ag.jvp(f, (x,), (np.ones(3),))[1].item() for x in xs])
    (vjps,) = ag.vmap(lambda x: ag.vjp(f, x)[1](np.ones(())))(xs)
    np.testing.assert_allclose(vjps.data, np.stack([ag.grad(f)(x).data for x in xs]))
    # transforms outside vmap
    g = ag.grad(lambda xs: ag.vmap(f)(xs).sum())(xs)
    np.testing.assert_allclose(g.data, np.stack([ag.grad(f)(x).data for x in xs]))
    j = ag.jacfwd(ag.vmap(f))(xs)
    np.testing.assert_allclose(j.data, ag.jacrev(ag.vmap(f))(xs).data)
    # second order across the boundary: grad of a sum of per-example gradients
    h = ag.grad(lambda w: ag.vmap(ag.grad(lambda w, x: ((x * w).sin() * x).sum()), in_axes=(None, 0))(w, xs).sum())(w)
    expected = sum(ag.grad(lambda w: ag.grad(lambda w, x: ((x * w).sin() * x).sum())(w, x).sum())(w).data for x in xs)
    np.testing.assert_allclose(h.data, expected, rtol=1e-10)


def test_masks_comparisons_and_argmax_are_batched():
    xs = rng.standard_normal((5, 4))
    out = ag.vmap(lambda x: ag.where(x > 0, x, 0.1 * x).sum())(xs)
    np.testing.assert_allclose(out.data, np.where(xs > 0, xs, 0.1 * xs).sum(1))
    np.testing.assert_array_equal(ag.vmap(lambda x: x.argmax())(xs).data, xs.argmax(1))
    np.testing.assert_array_equal(ag.vmap(lambda x: (x > 0).all())(xs).data, (xs > 0).all(1))
    np.testing.assert_array_equal(ag.vmap(lambda x: np.isfinite(x))(xs).data, np.ones((5, 4), bool))
    np.testing.assert_array_equal(ag.vmap(lambda x: 0 < x)(xs).data, xs > 0)


def test_value_dependent_control_flow_is_refused_with_a_library_error():
    xs = rng.standard_normal((3, 2))
    with pytest.raises(BatchingError, match="ag.where"):
        ag.vmap(lambda x: x if x.sum() > 0 else -x)(xs)
    with pytest.raises(BatchingError):
        ag.vmap(lambda x: x.item())(rng.standard_normal(3))
    with pytest.raises(BatchingError):
        ag.vmap(lambda x: np.asarray(x))(xs)
    kept = []
    ag.vmap(lambda x: kept.append(x) or x)(xs)
    with pytest.raises(BatchingError, match="after its vmap returned"):
        kept[0] * 2


def test_bad_axes_and_sizes_are_library_errors():
    with pytest.raises(BatchingError, match="different batch sizes"):
        ag.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(InvalidArgumentError, match="axis_size"):
        ag.vmap(lambda a: a, in_axes=None)(np.ones(3))
    assert ag.vmap(lambda a: a * 2, in_axes=None, axis_size=2)(ag.tensor([1.0])).shape == (2, 1)
    with pytest.raises(InvalidArgumentError, match="axis 2"):
        ag.vmap(lambda a: a, in_axes=2)(np.ones((3, 2)))
    with pytest.raises(InvalidArgumentError, match="one entry per argument"):
        ag.vmap(lambda a, b: a, in_axes=(0,))(np.ones(3), np.ones(3))
    with pytest.raises(ArgumentTypeError, match="integers or None"):
        ag.vmap(lambda a: a, in_axes=0.5)


def test_a_primitive_without_a_rule_falls_back_to_a_loop_and_is_reported():
    @ag.primitive(
        vjp=(lambda g, y, x: g * 3 * x * x,),
        jvp=(lambda t, y, x: t * 3 * x * x,),
        formula="y = x³ (per row sum)",
        vjp_text="x̄ = 3x²·ȳ",
        jvp_text="ẏ = 3x²·ẋ",
        export=False,
    )
    def test_unbatched_cube(x, /):
        return x**3

    try:
        assert "test_unbatched_cube" in ag.unbatched_primitives()
        xs = rng.standard_normal((4, 3))
        with pytest.warns(ag.BatchingFallbackWarning, match="test_unbatched_cube"):
            out = ag.vmap(lambda x: test_unbatched_cube(x).sum())(xs)
        np.testing.assert_allclose(out.data, (xs**3).sum(1))
        assert "test_unbatched_cube" in ag.batching_fallbacks()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # warned once only
            g = ag.vmap(ag.grad(lambda x: test_unbatched_cube(x).sum()))(xs)
        np.testing.assert_allclose(g.data, 3 * xs**2)
    finally:
        ag.unregister("test_unbatched_cube")


def test_vmap_inside_no_grad_and_integer_arguments():
    with ag.no_grad():
        g = ag.vmap(ag.grad(lambda x: (x**2).sum()))(np.ones((2, 3)))
    np.testing.assert_allclose(g.data, 2 * np.ones((2, 3)))
    labels = np.array([0, 2, 1])
    logits = rng.standard_normal((3, 4))
    out = ag.vmap(ag.cross_entropy)(logits, labels)
    np.testing.assert_allclose(out.data, ag.cross_entropy(logits, labels).data)
    with pytest.raises(ag.errors.LabelError):
        ag.vmap(ag.cross_entropy)(logits, np.array([0, 9, 1]))


def test_more_compositions_equal_loops():
    xs, w = rng.standard_normal((4, 3)), rng.standard_normal(3)
    f = lambda x: ((x * w).sin() * x).sum()  # noqa: E731
    each = [ag.tensor(x) for x in xs]
    _, t = ag.jvp(ag.vmap(f), (xs,), (np.ones((4, 3)),))  # jvp outside
    np.testing.assert_allclose(t.data, [ag.jvp(f, (x,), (np.ones(3),))[1].item() for x in each])
    ts = rng.standard_normal((4, 3))  # batched tangents, shared primal
    _, t = ag.vmap(lambda t: ag.jvp(f, (xs[0],), (t,)))(ts)
    np.testing.assert_allclose(t.data, [ag.jvp(f, (xs[0],), (v,))[1].item() for v in ts])
    h = ag.hessian(lambda xs: ag.vmap(f)(xs).sum())(xs)
    np.testing.assert_allclose(h.data, ag.hessian(lambda xs: sum(f(xs[i]) for i in range(4)))(xs).data, atol=1e-14)
    m = rng.standard_normal((2, 4, 3))  # vmap(grad(vmap))
    got = ag.vmap(ag.grad(lambda x: ag.vmap(f)(x).sum()))(m)
    want = np.stack([ag.grad(lambda x: sum(f(x[i]) for i in range(4)))(a).data for a in m])
    np.testing.assert_allclose(got.data, want, atol=1e-14)
    got = ag.vmap(lambda x: ag.hvp(f, x, ag.ones(3)))(xs)
    np.testing.assert_allclose(got.data, np.stack([ag.hvp(f, x, ag.ones(3)).data for x in each]), atol=1e-14)
    _, f_jvp = ag.linearize(ag.vmap(f), xs)
    expected = [ag.jvp(f, (x,), (np.ones(3),))[1].item() for x in each]
    np.testing.assert_allclose(f_jvp(np.ones((4, 3))).data, expected)
