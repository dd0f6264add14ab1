"""The transforms against JAX (an independent oracle; skipped when jax is not installed)."""

import numpy as np
import pytest

import autograd_core as ag

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
jnp = jax.numpy

rng = np.random.default_rng(0)
PARAMS = {
    "W1": rng.standard_normal((5, 4)) * 0.5,
    "b1": rng.standard_normal(5) * 0.1,
    "W2": rng.standard_normal((3, 5)) * 0.5,
    "b2": rng.standard_normal(3) * 0.1,
}
X = rng.standard_normal((6, 4))
Y = rng.integers(0, 3, 6)


def mlp_loss(p, x, y, np_=None):
    """Cross-entropy of a 4-5-3 tanh MLP, written once for both libraries (``np_`` picks the namespace)."""
    if np_ is None:
        h = ag.tanh(x @ p["W1"].T + p["b1"])
        return ag.cross_entropy(h @ p["W2"].T + p["b2"], y).mean()
    h = jnp.tanh(x @ p["W1"].T + p["b1"])
    z = h @ p["W2"].T + p["b2"]
    logp = z - jax.scipy.special.logsumexp(z, axis=-1, keepdims=True)
    return -jnp.take_along_axis(logp, y[..., None], axis=-1).mean()


def jax_loss(p, x, y):
    return mlp_loss(p, x, y, jnp)


def close(ours, theirs, **kw):
    for a, b in zip(ag.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        np.testing.assert_allclose(
            a.data if isinstance(a, ag.Tensor) else a, np.asarray(b), **{"rtol": 1e-10, "atol": 1e-12, **kw}
        )


def test_gradients_over_a_dict_of_parameters():
    theirs = jax.jit(jax.grad(jax_loss))(PARAMS, X, Y)
    close(ag.grad(mlp_loss)(PARAMS, X, Y), theirs)
    assert sorted(ag.grad(mlp_loss)(PARAMS, X, Y)) == sorted(theirs)


def test_value_and_grad_with_aux():
    def ours(p):
        loss = mlp_loss(p, X, Y)
        return loss, {"l2": (p["W1"] ** 2).sum()}

    def theirs(p):
        loss = jax_loss(p, X, Y)
        return loss, {"l2": (p["W1"] ** 2).sum()}

    (v, aux), g = ag.value_and_grad(ours, has_aux=True)(PARAMS)
    (jv, jaux), jg = jax.jit(jax.value_and_grad(theirs, has_aux=True))(PARAMS)
    assert v.item() == pytest.approx(float(jv), rel=1e-12)
    assert aux["l2"].item() == pytest.approx(float(jaux["l2"]), rel=1e-12)
    close(g, jg)


def test_per_example_gradients():
    ours = ag.vmap(ag.grad(mlp_loss), in_axes=(None, 0, 0))(PARAMS, X, Y)
    theirs = jax.jit(jax.vmap(jax.grad(jax_loss), in_axes=(None, 0, 0)))(PARAMS, X, Y)
    close(ours, theirs)


def test_vmap_in_axes_none_tuples_nesting_and_out_axes():
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))

    def f(x, y):
        return jnp.sin(x @ y).sum() if isinstance(x, jax.Array) else (x @ y).sin().sum()

    close(ag.vmap(f, in_axes=(0, None))(a, b), jax.vmap(f, in_axes=(0, None))(a, b))
    close(ag.vmap(f, in_axes=(1, None))(a.T, b), jax.vmap(f, in_axes=(1, None))(a.T, b))
    m = rng.standard_normal((2, 3, 4))
    g = lambda x: (x * x).sum() if isinstance(x, ag.Tensor) else jnp.sum(x * x)  # noqa: E731
    close(ag.vmap(ag.vmap(g))(m), jax.vmap(jax.vmap(g))(m))
    close(ag.vmap(ag.vmap(g), in_axes=1)(m), jax.vmap(jax.vmap(g), in_axes=1)(m))
    h = lambda x: x * 2  # noqa: E731
    close(ag.vmap(h, out_axes=1)(m), jax.vmap(h, out_axes=1)(m))
    tree = {"u": rng.standard_normal((3, 2)), "v": rng.standard_normal(2)}
    k = lambda t: t["u"] * t["v"]  # noqa: E731
    close(ag.vmap(k, in_axes=({"u": 0, "v": None},))(tree), jax.vmap(k, in_axes=({"u": 0, "v": None},))(tree))


def test_hessian_over_a_pytree_nests_like_jax():
    p = {"a": rng.standard_normal(2), "b": rng.standard_normal((2, 3))}

    def f(p):
        if isinstance(p["a"], jax.Array):
            return jnp.sum(jnp.tanh(p["a"] @ p["b"]) ** 2) + jnp.sum(p["a"] ** 3)
        return ((p["a"] @ p["b"]).tanh() ** 2).sum() + (p["a"] ** 3).sum()

    ours, theirs = ag.hessian(f)(p), jax.jit(jax.hessian(f))(p)
    for outer in p:
        for inner in p:
            assert ours[outer][inner].shape == theirs[outer][inner].shape
            np.testing.assert_allclose(ours[outer][inner].data, theirs[outer][inner], rtol=1e-10, atol=1e-12)


def test_jacobians_with_has_aux():
    x = rng.standard_normal(3)
    f_ours = lambda x: ((x * x).sin(), x.sum())  # noqa: E731
    f_jax = lambda x: (jnp.sin(x * x), x.sum())  # noqa: E731
    for ours_t, jax_t in ((ag.jacfwd, jax.jacfwd), (ag.jacrev, jax.jacrev)):
        j, aux = ours_t(f_ours, has_aux=True)(x)
        jj, jaux = jax.jit(jax_t(f_jax, has_aux=True))(x)
        close(j, jj)
        assert aux.item() == pytest.approx(float(jaux))


def test_custom_vjp_in_reverse_mode_and_custom_jvp_in_both_modes():
    @ag.custom_vjp
    def f(x):
        return (x * 3).sin()

    f.defvjp(lambda x: (f(x), x), lambda x, g: (g * 2.0 * (x * 3).cos(),))  # a different rule, on purpose

    @jax.custom_vjp
    def jf(x):
        return jnp.sin(x * 3)

    jf.defvjp(lambda x: (jf(x), x), lambda x, g: (g * 2.0 * jnp.cos(x * 3),))
    x = rng.standard_normal(4)
    close(ag.grad(lambda x: f(x).sum())(x), jax.jit(jax.grad(lambda x: jf(x).sum()))(x))
    close(ag.vmap(ag.grad(f))(x), jax.jit(jax.vmap(jax.grad(jf)))(x))

    @ag.custom_jvp
    def h(x):
        return x.exp() * 2

    @h.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return h(x), h(x) * t * 0.5  # a different rule, on purpose

    @jax.custom_jvp
    def jh(x):
        return jnp.exp(x) * 2

    @jh.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return jh(x), jh(x) * t * 0.5

    close(ag.jvp(h, (x,), (np.ones(4),))[1], jax.jit(lambda x: jax.jvp(jh, (x,), (jnp.ones(4),))[1])(x))
    close(ag.grad(lambda x: h(x).sum())(x), jax.jit(jax.grad(lambda x: jh(x).sum()))(x))
    close(ag.hessian(lambda x: h(x).sum())(x), jax.jit(jax.hessian(lambda x: jh(x).sum()))(x))
    close(ag.vmap(ag.grad(h))(x), jax.jit(jax.vmap(jax.grad(jh)))(x))


def test_checkpoint_gradients():
    w = rng.standard_normal((4, 4))

    def block(h):
        return jnp.tanh(h @ w) if isinstance(h, jax.Array) else (h @ w).tanh()

    def net(x, remat):
        h = x
        for _ in range(3):
            h = remat(block)(h)
        return (h * h).sum()

    close(ag.grad(lambda x: net(x, ag.checkpoint))(X), jax.jit(jax.grad(lambda x: net(x, jax.checkpoint)))(X))


def test_linearize_and_linear_transpose():
    x = rng.standard_normal(3)
    f_ours = lambda x: (x * x).sin() * x  # noqa: E731
    f_jax = lambda x: jnp.sin(x * x) * x  # noqa: E731
    _, lin = ag.linearize(f_ours, x)
    _, jlin = jax.linearize(f_jax, x)
    t = rng.standard_normal(3)
    close(lin(t), jlin(t))
    a = rng.standard_normal((2, 3))
    ours = ag.linear_transpose(lambda v: ag.tensor(a) @ v, np.zeros(3))
    theirs = jax.linear_transpose(lambda v: a @ v, jnp.zeros(3))
    close(ours(np.ones(2)), theirs(jnp.ones(2)))
