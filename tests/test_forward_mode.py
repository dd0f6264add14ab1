"""Forward mode on composite functions: Jacobians both ways, Hessians, dual tensors, the cost meter.

The per-primitive checks (JVP against finite differences, jacfwd = jacrev for
each registry entry) live in ``test_registry.py``; here the primitives are
composed into MLPs and the results are compared with closed forms written out
in numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import DtypeError, GradientError, ShapeError


# ---------------------------------------------------------------- MLP helpers
def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


#: name -> (library op, numpy op, local Jacobian dy/dz of one example from y)
ACTIVATIONS = {
    "tanh": (ag.tanh, np.tanh, lambda y: np.diag(1 - y * y)),
    "sigmoid": (ag.sigmoid, _sigmoid, lambda y: np.diag(y * (1 - y))),
    "softmax": (lambda z: ag.softmax(z, axis=-1), _softmax, lambda y: np.diag(y) - np.outer(y, y)),
    "none": (lambda z: z, lambda z: z, lambda y: np.eye(y.size)),
}


class MLP:
    """Layers z = h·Wᵀ + b then an activation; alternate layers use ``linear`` and ``matmul + add``.

    With ``batch`` the input is (batch, D) and the biases broadcast over the
    rows; the odd layers' biases are stored as (1, out) so their cotangents
    are summed with keepdims.
    """

    def __init__(self, sizes, activations, batch=None, seed=0):
        rng = np.random.default_rng(seed)
        self.activations = activations
        self.weights = [rng.standard_normal((m, n)) / np.sqrt(n) for n, m in zip(sizes[:-1], sizes[1:], strict=True)]
        self.biases = [
            0.3 * rng.standard_normal(m if batch is None or k % 2 == 0 else (1, m)) for k, m in enumerate(sizes[1:])
        ]
        self.batch = batch

    def __call__(self, h):
        for k, (w, b, act) in enumerate(zip(self.weights, self.biases, self.activations, strict=True)):
            if k % 2 == 0:
                h = ag.linear(h, ag.tensor(w), ag.tensor(b))
            else:
                h = h @ ag.tensor(w).T + ag.tensor(b)
            h = ACTIVATIONS[act][0](h)
        return h

    def jacobian_one(self, x):
        """J = A_L·W_L ··· A_1·W_1 for one example x ∈ R^D (A_l the activation's local Jacobian)."""
        j = np.eye(x.size)
        for w, b, act in zip(self.weights, self.biases, self.activations, strict=True):
            x = ACTIVATIONS[act][1](w @ x + b.reshape(-1))
            j = ACTIVATIONS[act][2](x) @ w @ j
        return j

    def jacobian(self, x):
        """The closed-form Jacobian, (M, D) or block-diagonal (B, M, B, D) for a batch."""
        if x.ndim == 1:
            return self.jacobian_one(x)
        blocks = [self.jacobian_one(row) for row in x]
        out = np.zeros((x.shape[0], blocks[0].shape[0]) + x.shape)
        for i, block in enumerate(blocks):
            out[i, :, i, :] = block
        return out


REGIMES = {"D<<M": (3, 40), "D~M": (12, 12), "D>>M": (40, 3)}
DEPTHS = {1: [], 2: [16], 4: [16, 9, 11]}


def _net(regime, depth, last, batch=None, seed=0):
    d, m = REGIMES[regime]
    sizes = [d, *DEPTHS[depth], m]
    hidden = ["tanh", "sigmoid", "tanh"][: depth - 1]
    return MLP(sizes, [*hidden, last], batch=batch, seed=seed)


def _input(net, batch=None, seed=1):
    d = net.weights[0].shape[1]
    return np.random.default_rng(seed).standard_normal((d,) if batch is None else (batch, d))


# ------------------------------------------------------------ jacfwd = jacrev
@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("last", ["none", "softmax", "sigmoid"])
def test_mlp_jacobians_agree_with_the_layer_product(regime, depth, last):
    net = _net(regime, depth, last)
    x = _input(net)
    expected = net.jacobian(x)
    xt = ag.tensor(x)
    ways = {
        "jacfwd": ag.jacfwd(net)(xt),
        "jacrev": ag.jacrev(net)(xt),
        "jacfwd looped": ag.jacfwd(net, vectorize=False)(xt),
        "jacrev looped": ag.jacrev(net, vectorize=False)(xt),
        "jacfwd chunk 7": ag.jacfwd(net, chunk_size=7)(xt),
        "jacrev chunk 7": ag.jacrev(net, chunk_size=7)(xt),
        "jacfwd chunk 1": ag.jacfwd(net, chunk_size=1)(xt),
        "jacrev chunk 1": ag.jacrev(net, chunk_size=1)(xt),
        "jacobian auto": ag.jacobian(net)(xt),
    }
    for name, j in ways.items():
        assert j.shape == expected.shape, name
        np.testing.assert_allclose(j.data, expected, rtol=1e-11, atol=1e-13, err_msg=name)


@pytest.mark.parametrize("regime", REGIMES)
def test_batched_inputs_with_broadcast_biases(regime):
    net = _net(regime, 4, "softmax", batch=3)
    x = _input(net, batch=3)
    expected = net.jacobian(x)
    xt = ag.tensor(x)
    for j in (
        ag.jacfwd(net)(xt),
        ag.jacrev(net)(xt),
        ag.jacfwd(net, chunk_size=5)(xt),
        ag.jacrev(net, vectorize=False)(xt),
    ):
        assert j.shape == (3, REGIMES[regime][1], 3, REGIMES[regime][0])
        np.testing.assert_allclose(j.data, expected, rtol=1e-11, atol=1e-13)


def test_jacobians_with_respect_to_several_arguments():
    rng = np.random.default_rng(2)
    w, x, b = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal(5)

    def f(w, x, b):
        return ag.tanh(ag.linear(x, w, b))

    t = np.tanh(w @ x + b)
    dt = 1 - t * t
    expected_w = np.einsum("i,ij,k->ijk", dt, np.eye(5), x)  # ∂yᵢ/∂W_jk = δᵢⱼ·(1 − yᵢ²)·x_k
    expected_x = dt[:, None] * w
    expected_b = np.diag(dt)
    args = [ag.tensor(a) for a in (w, x, b)]
    for transform in (ag.jacfwd, ag.jacrev):
        jw, jx, jb = transform(f, argnums=(0, 1, 2))(*args)
        np.testing.assert_allclose(jw.data, expected_w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(jx.data, expected_x, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(jb.data, expected_b, rtol=1e-12, atol=1e-14)


def test_jacobian_mode_choice_and_error():
    wide_in, wide_out = _net("D>>M", 2, "none"), _net("D<<M", 2, "none")
    for net, used in ((wide_in, "linear.vjp"), (wide_out, "linear.jvp")):
        with ag.count_ops() as meter:
            ag.jacobian(net)(ag.tensor(_input(net)))
        assert used in meter.calls
        assert ("linear.jvp" if used == "linear.vjp" else "linear.vjp") not in meter.calls
    with pytest.raises(ValueError, match="mode"):
        ag.jacobian(wide_in, mode="sideways")


# ----------------------------------------------------------- Hessians and HVPs
def _quadratic_tanh(seed=3, d=5):
    """f(x) = Σ tanh(A·x) + ½·xᵀQx + cᵀx and its Hessian ∇²f = Aᵀ·diag(−2t(1 − t²))·A + Q, t = tanh(A·x)."""
    rng = np.random.default_rng(seed)
    a, q, c = rng.standard_normal((4, d)), rng.standard_normal((d, d)), rng.standard_normal(d)
    q = q + q.T

    def f(x):
        return ag.tanh(ag.tensor(a) @ x).sum() + 0.5 * (x * (ag.tensor(q) @ x)).sum() + (ag.tensor(c) * x).sum()

    def hess(x):
        t = np.tanh(a @ x)
        return a.T @ np.diag(-2 * t * (1 - t * t)) @ a + q

    return f, hess, rng.standard_normal(d)


def test_hessian_matches_closed_form():
    f, hess, x = _quadratic_tanh()
    h = ag.hessian(f)(ag.tensor(x))
    np.testing.assert_allclose(h.data, hess(x), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(h.data, h.data.T, rtol=1e-12, atol=1e-13)


def test_hessian_of_logsumexp_is_diag_p_minus_ppT():
    x = np.random.default_rng(4).standard_normal(6)
    p = _softmax(x)
    h = ag.hessian(lambda v: ag.logsumexp(v, axis=0))(ag.tensor(x))
    np.testing.assert_allclose(h.data, np.diag(p) - np.outer(p, p), rtol=1e-12, atol=1e-14)


def test_hessian_of_a_matrix_argument_has_shape_in_plus_in():
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 3)), rng.uniform(0.5, 2.0, (2, 3))

    def f(m):
        return (ag.tensor(w) * m**3).sum()  # ∂²f/∂m² = 6·w·m on the diagonal

    h = ag.hessian(f)(ag.tensor(x))
    assert h.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(h.data.reshape(6, 6), np.diag((6 * w * x).ravel()), rtol=1e-12, atol=1e-14)


def test_hvp_matches_hessian_times_v():
    f, hess, x = _quadratic_tanh(seed=6, d=7)
    rng = np.random.default_rng(7)
    for _ in range(3):
        v = rng.standard_normal(7)
        hv = ag.hvp(f, ag.tensor(x), ag.tensor(v))
        np.testing.assert_allclose(hv.data, hess(x) @ v, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(hv.data, ag.hessian(f)(ag.tensor(x)).data @ v, rtol=1e-12, atol=1e-13)


def test_forward_over_forward_matches_closed_form():
    f, hess, x = _quadratic_tanh(seed=8)
    jj = ag.jacfwd(ag.jacfwd(f))(ag.tensor(x))
    np.testing.assert_allclose(jj.data, hess(x), rtol=1e-12, atol=1e-13)


def test_second_derivative_tensor_of_a_vector_function():
    # yᵢ = tanh((W·x)ᵢ):  ∂²yᵢ/∂xⱼ∂x_k = −2·yᵢ·(1 − yᵢ²)·W_ij·W_ik
    rng = np.random.default_rng(9)
    w, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    y = np.tanh(w @ x)
    expected = np.einsum("i,ij,ik->ijk", -2 * y * (1 - y * y), w, w)

    def f(v):
        return ag.tanh(ag.tensor(w) @ v)

    for name, t in {
        "fwd-over-fwd": ag.jacfwd(ag.jacfwd(f)),
        "fwd-over-rev": ag.jacfwd(ag.jacrev(f)),
        "rev-over-fwd": ag.jacrev(ag.jacfwd(f)),
        "rev-over-rev": ag.jacrev(ag.jacrev(f)),
    }.items():
        got = t(ag.tensor(x))
        assert got.shape == (3, 4, 4), name
        np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-13, err_msg=name)


# --------------------------------------------------------------- dual tensors
def _f_and_jvp():
    """f(x) = sin(x)·x + x²·Σx and ẏ = (cos(x)·x + sin(x) + 2x·Σx)·ẋ + x²·Σẋ."""

    def f(x):
        return ag.sin(x) * x + x * x * x.sum()

    def jvp(x, v):
        return (np.cos(x) * x + np.sin(x) + 2 * x * x.sum()) * v + x * x * v.sum()

    return f, jvp


def test_make_dual_unpack_dual_gives_primal_and_jvp():
    f, jvp = _f_and_jvp()
    rng = np.random.default_rng(10)
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    with ag.dual_level():
        y = f(ag.make_dual(ag.tensor(x), ag.tensor(v)))
        pair = ag.unpack_dual(y)
    assert isinstance(pair, ag.DualPair)
    primal, tangent = pair
    np.testing.assert_allclose(primal.data, f(ag.tensor(x)).data, rtol=1e-15)
    np.testing.assert_allclose(tangent.data, jvp(x, v), rtol=1e-13)
    out, tangent_by_jvp = ag.jvp(f, (ag.tensor(x),), (ag.tensor(v),))
    np.testing.assert_allclose(tangent_by_jvp.data, tangent.data, rtol=1e-15)


def test_unpack_dual_of_a_tensor_without_tangent():
    with ag.dual_level():
        primal, tangent = ag.unpack_dual(ag.tensor([1.0, 2.0]) * 3)
    assert tangent is None
    np.testing.assert_array_equal(primal.data, [3.0, 6.0])


def test_unpacked_primal_no_longer_carries_the_tangent():
    with ag.dual_level():
        x = ag.make_dual(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 0.0]))
        primal, _ = ag.unpack_dual(x)
        assert ag.unpack_dual(primal * 2).tangent is None
        np.testing.assert_array_equal(ag.unpack_dual(x * 2).tangent.data, [2.0, 0.0])


def test_tangents_are_dropped_when_the_level_closes():
    with ag.dual_level():
        x = ag.make_dual(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))
        y = x * x
    z = x * 3  # no level open: nothing is pushed
    with ag.dual_level():
        assert ag.unpack_dual(y).tangent is None
        assert ag.unpack_dual(z).tangent is None
        assert ag.unpack_dual(x * 2).tangent is None


def test_nested_levels_carry_independent_tangents():
    f, jvp = _f_and_jvp()
    rng = np.random.default_rng(11)
    x, v1, v2 = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(3)
    with ag.dual_level() as outer:
        a = ag.make_dual(ag.tensor(x), ag.tensor(v1))
        with ag.dual_level() as inner:
            y = f(ag.make_dual(a, ag.tensor(v2)))
            np.testing.assert_allclose(ag.unpack_dual(y, level=inner).tangent.data, jvp(x, v2), rtol=1e-13)
            np.testing.assert_allclose(ag.unpack_dual(y, level=outer).tangent.data, jvp(x, v1), rtol=1e-13)
        assert outer != inner


def test_dual_errors():
    with pytest.raises(GradientError, match="dual_level"):
        ag.make_dual(ag.tensor([1.0]), ag.tensor([1.0]))
    with pytest.raises(GradientError, match="dual_level"):
        ag.unpack_dual(ag.tensor([1.0]))
    with ag.dual_level():
        with pytest.raises(ShapeError, match=r"tangent of shape \(3,\)"):
            ag.make_dual(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.0, 3.0]))
        with pytest.raises(DtypeError, match="floating-point"):
            ag.make_dual(ag.tensor([1, 2], dtype="int64"), np.ones(2))


def test_jvp_errors_and_tuple_outputs():
    x, v = ag.tensor([1.0, 2.0]), ag.tensor([0.5, -1.0])
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        ag.jvp(lambda a, b: a * b, (x, x), (v,))
    with pytest.raises(ShapeError, match="does not match primal"):
        ag.jvp(ag.sin, (x,), (ag.tensor([1.0, 2.0, 3.0]),))
    (s, c), (ds, dc) = ag.jvp(lambda a: (ag.sin(a), ag.cos(a)), (x,), (v,))
    np.testing.assert_allclose(ds.data, np.cos(x.data) * v.data, rtol=1e-15)
    np.testing.assert_allclose(dc.data, -np.sin(x.data) * v.data, rtol=1e-15)
    _, constant = ag.jvp(lambda a: ag.tensor([1.0, 2.0, 3.0]) * 2, (x,), (v,))
    np.testing.assert_array_equal(constant.data, np.zeros(3))


# ------------------------------------------------------------------ cost meter
# A 5 → 4 → 3 → 2 MLP, tanh on the hidden layers, x ∈ R^5 (D = 5, M = 2).
# linear(x, W, b) costs 2·out·in (the product) + out (the bias); tanh one per element:
#   layer 1: linear 2·4·5 + 4 = 44, tanh 4
#   layer 2: linear 2·3·4 + 3 = 27, tanh 3
#   layer 3: linear 2·2·3 + 2 = 14
# one forward pass F = 44 + 4 + 27 + 3 + 14 = 92 flops (linear 85, tanh 7).
# A rule carrying k vectors costs its primitive's flops times k, so
#   jacfwd = F + D·F = 92 + 5·92 = 552  (linear.jvp 5·85 = 425, tanh.jvp 5·7 = 35)
#   jacrev = F + M·F = 92 + 2·92 = 276  (linear.vjp 2·85 = 170, tanh.vjp 2·7 = 14)
HAND_FORWARD = {"linear": 85, "tanh": 7}
HAND_JACFWD = {**HAND_FORWARD, "linear.jvp": 425, "tanh.jvp": 35}
HAND_JACREV = {**HAND_FORWARD, "linear.vjp": 170, "tanh.vjp": 14}


def _tanh_mlp(sizes, seed=12):
    rng = np.random.default_rng(seed)
    layers = [
        (ag.tensor(rng.standard_normal((m, n))), ag.tensor(rng.standard_normal(m)))
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]

    def f(x):
        for k, (w, b) in enumerate(layers):
            x = ag.linear(x, w, b)
            if k < len(layers) - 1:
                x = ag.tanh(x)
        return x

    return f, ag.tensor(rng.standard_normal(sizes[0]))


def _flops(meter):
    return {name: n for name, n in meter.flops.items() if n}


def test_flop_counts_match_the_hand_count():
    f, x = _tanh_mlp((5, 4, 3, 2))
    with ag.no_grad(), ag.count_ops() as forward:
        f(x)
    with ag.count_ops() as fwd:
        ag.jacfwd(f)(x)
    with ag.count_ops() as rev:
        ag.jacrev(f)(x)
    assert _flops(forward) == HAND_FORWARD
    assert _flops(fwd) == HAND_JACFWD and fwd.total_flops == 552
    assert _flops(rev) == HAND_JACREV and rev.total_flops == 276
    # one application per layer in each pass, whatever the number of vectors carried
    assert (fwd.calls["linear"], fwd.calls["linear.jvp"], fwd.calls["tanh.jvp"]) == (3, 3, 2)
    assert (rev.calls["linear"], rev.calls["linear.vjp"], rev.calls["tanh.vjp"]) == (3, 3, 2)


def test_flop_counts_of_the_looped_jacobians():
    f, x = _tanh_mlp((5, 4, 3, 2))
    with ag.count_ops() as fwd:
        ag.jacfwd(f, vectorize=False)(x)
    with ag.count_ops() as rev:
        ag.jacrev(f, vectorize=False)(x)
    # D = 5 passes, each a forward pass and one JVP: 5·(92 + 92); one forward pass and M = 2 VJPs: 92 + 2·92
    assert fwd.total_flops == 5 * (92 + 92) and fwd.calls["linear.jvp"] == 5 * 3
    assert rev.total_flops == 92 + 2 * 92 and rev.calls["linear.vjp"] == 2 * 3


@pytest.mark.parametrize(("d", "m", "cheaper"), [(64, 2, "jacrev"), (2, 64, "jacfwd")])
def test_the_cheaper_mode_follows_the_shape(d, m, cheaper):
    f, x = _tanh_mlp((d, 8, 6, 4, m))
    costs = {}
    for transform in (ag.jacfwd, ag.jacrev):
        with ag.count_ops() as meter:
            transform(f)(x)
        costs[transform.__name__] = meter.total_flops
    with ag.no_grad(), ag.count_ops() as forward:
        f(x)
    passes = {"jacfwd": d, "jacrev": m}
    for name, n in passes.items():
        assert costs[name] == (1 + n) * forward.total_flops
    dearer = "jacfwd" if cheaper == "jacrev" else "jacrev"
    assert costs[cheaper] * 10 < costs[dearer]
