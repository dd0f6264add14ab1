"""Every activation's value and gradient against its closed form (and PyTorch when installed)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.errors import ShapeError


def sig(x):
    return 1 / (1 + np.exp(-x))


# name → (module factory, value f(x), derivative f'(x)); kinks take PyTorch's convention (x > 0 is "positive"),
# except the perceptron's step and sign, which follow the notes (x ≥ 0 fires).
ELEMENTWISE = {
    "step": (nn.Step, lambda x: (x >= 0) * 1.0, lambda x: 0 * x),
    "sign": (nn.Sign, lambda x: np.where(x >= 0, 1.0, -1.0), lambda x: 0 * x),
    "identity": (nn.Identity, lambda x: x, lambda x: 1 + 0 * x),
    "sigmoid": (nn.Sigmoid, sig, lambda x: sig(x) * (1 - sig(x))),
    "tanh": (nn.Tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (nn.ReLU, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "leaky_relu": (lambda: nn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x), lambda x: np.where(x > 0, 1, 0.1)),
    "prelu": (nn.PReLU, lambda x: np.where(x > 0, x, 0.25 * x), lambda x: np.where(x > 0, 1, 0.25)),
    "elu": (
        lambda: nn.ELU(0.7),
        lambda x: np.where(x > 0, x, 0.7 * np.expm1(x)),
        lambda x: np.where(x > 0, 1, 0.7 * np.exp(x)),
    ),
    "silu": (nn.SiLU, lambda x: x * sig(x), lambda x: sig(x) * (1 + x * (1 - sig(x)))),
    "softplus": (
        nn.Softplus,
        lambda x: np.where(x > 20, x, np.log1p(np.exp(x))),
        lambda x: np.where(x > 20, 1, sig(x)),
    ),
    "softplus_beta": (
        lambda: nn.Softplus(beta=2.0, threshold=5.0),
        lambda x: np.where(2 * x > 5, x, np.log1p(np.exp(2 * x)) / 2),
        lambda x: np.where(2 * x > 5, 1, sig(2 * x)),
    ),
}

values = hnp.arrays(
    np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-30, 30, width=64)
)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@given(x=values)
def test_elementwise_value_and_gradient_match_closed_forms(name, x):
    make, f, df = ELEMENTWISE[name]
    xt = ag.tensor(x, requires_grad=True)
    y = make()(xt)
    np.testing.assert_allclose(y.data, f(x), rtol=1e-12, atol=1e-12)
    seed = np.linspace(-1, 2, x.size).reshape(x.shape)
    y.backward(seed)
    np.testing.assert_allclose(xt.grad.data, seed * df(x), rtol=1e-12, atol=1e-12)


@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-50, 50)))
def test_softmax_and_log_softmax_match_closed_forms(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    s = e / e.sum(axis=-1, keepdims=True)
    seed = np.cos(np.arange(x.size)).reshape(x.shape)
    xt = ag.tensor(x, requires_grad=True)
    y = nn.Softmax()(xt)
    np.testing.assert_allclose(y.data, s, rtol=1e-12, atol=1e-15)
    y.backward(seed)
    # VJP of softmax: J = diag(s) − s sᵀ, so x̄ = s·(ū − Σ ū·s).
    np.testing.assert_allclose(xt.grad.data, s * (seed - (seed * s).sum(-1, keepdims=True)), atol=1e-12)
    xt = ag.tensor(x, requires_grad=True)
    y = nn.LogSoftmax()(xt)
    np.testing.assert_allclose(y.data, np.log(s), rtol=1e-10, atol=1e-10)
    y.backward(seed)
    np.testing.assert_allclose(xt.grad.data, seed - s * seed.sum(-1, keepdims=True), atol=1e-12)


def test_softmax_along_another_axis_and_rows_sum_to_one():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    y = nn.Softmax(axis=0)(x).data
    np.testing.assert_allclose(y.sum(axis=0), 1.0)
    assert np.all((y > 0) & (y < 1))
    np.testing.assert_allclose(F.log_softmax(x, axis=0).data, np.log(y))


def test_step_has_zero_gradient_yet_stays_in_the_graph():
    x = ag.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = F.step(x)
    np.testing.assert_array_equal(y.data, [0.0, 1.0, 1.0])  # the notes: φ = 1 if w·x + b ≥ 0
    assert y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 0.0)
    assert "perceptron" in nn.Step.__doc__ and "zero" in F.step.__doc__ and "≥ 0" in F.step.__doc__


def test_sign_answers_one_class_at_zero_and_matches_the_step():
    x = ag.tensor([-2.0, -0.0, 0.0, 1e-300, 3.0], requires_grad=True)
    y = nn.Sign()(x)
    np.testing.assert_array_equal(y.data, [-1.0, 1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(y.data, 2 * nn.Step()(x).data - 1)
    assert ag.sign(x).data[2] == 0.0  # the core's sign is numpy's; nn.Sign is the classifier's
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 0.0)
    assert type(nn.activations.make_activation("sign")) is nn.Sign
    f32 = ag.tensor(np.array([-1.0, 0.0], dtype=np.float32))
    assert nn.Sign()(f32).dtype == np.float32 and nn.Step()(f32).dtype == np.float32


def test_relu_derivative_at_zero_is_pytorchs_and_the_notes_convention_is_documented():
    x = ag.tensor([0.0], requires_grad=True)
    nn.ReLU()(x).backward(np.ones(1))
    assert x.grad.data[0] == 0.0  # PyTorch's ReLU′(0); the notes write φ′(z) = 1 for z ≥ 0
    x = ag.tensor([0.0], requires_grad=True)
    nn.LeakyReLU(0.1)(x).backward(np.ones(1))
    assert x.grad.data[0] == pytest.approx(0.1)
    for doc in (F.relu.__doc__, nn.ReLU.__doc__):
        assert "ReLU′(0) = 0" in doc and "notes" in doc


def test_prelu_learns_its_slope():
    act = nn.PReLU()
    x = ag.tensor([-2.0, -1.0, 3.0])
    act(x).sum().backward()
    # dy/da = x where x ≤ 0, else 0.
    np.testing.assert_allclose(act.weight.grad.data, [-3.0])
    assert [n for n, _ in act.named_parameters()] == ["weight"]


def test_prelu_per_channel_slopes_act_on_axis_1():
    act = nn.PReLU(num_parameters=3, init=0.5)
    act.weight.data[...] = [0.1, 0.2, 0.3]
    x = -np.ones((2, 3, 4))
    np.testing.assert_allclose(act(ag.tensor(x)).data, -np.array([0.1, 0.2, 0.3])[None, :, None] * np.ones((2, 3, 4)))
    with pytest.raises(ShapeError, match="channels on axis 1"):
        act(ag.ones(2, 4))
    with pytest.raises(ShapeError, match="1-D"):
        F.prelu(ag.ones(2), ag.ones(1, 1))


def test_swish_is_silu_and_make_activation():
    assert nn.Swish is nn.SiLU and F.swish is F.silu
    from nn.activations import make_activation

    assert type(make_activation("ReLU")) is nn.ReLU
    assert type(make_activation(nn.Tanh)) is nn.Tanh
    elu = nn.ELU(0.3)
    copy = make_activation(elu)
    assert copy is not elu and copy.alpha == 0.3
    with pytest.raises(ValueError, match="unknown activation 'swiglu'.*relu"):
        make_activation("swiglu")
    with pytest.raises(TypeError, match="activation must be"):
        make_activation(3)


def test_activation_reprs():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(axis=0)) == "Softmax(axis=0)"
    assert repr(nn.PReLU()) == "PReLU(num_parameters=1)"


def test_float32_stays_float32():
    x = ag.tensor(np.linspace(-3, 3, 7, dtype=np.float32), requires_grad=True)
    for make, _, _ in ELEMENTWISE.values():
        if make is nn.PReLU:
            continue
        y = make()(x)
        assert y.dtype == np.float32
    nn.PReLU(dtype=np.float32)(x).sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.torch
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("Sigmoid()", "Sigmoid()"),
        ("Tanh()", "Tanh()"),
        ("ReLU()", "ReLU()"),
        ("LeakyReLU(0.1)", "LeakyReLU(0.1)"),
        ("PReLU()", "PReLU()"),
        ("ELU(0.7)", "ELU(0.7)"),
        ("SiLU()", "SiLU()"),
        ("Softplus()", "Softplus()"),
        ("Softplus(beta=2.0, threshold=5.0)", "Softplus(beta=2.0, threshold=5.0)"),
        ("Softmax(axis=-1)", "Softmax(dim=-1)"),
        ("LogSoftmax(axis=-1)", "LogSoftmax(dim=-1)"),
        ("Identity()", "Identity()"),
    ],
)
def test_activations_match_pytorch(ours, theirs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(0, 4, (5, 6))
    ours_mod = eval("nn." + ours)
    theirs_mod = eval("torch.nn." + theirs).double()
    xt = ag.tensor(x, requires_grad=True)
    xp = torch.tensor(x, requires_grad=True)
    seed = np.random.default_rng(1).normal(size=x.shape)
    y, yp = ours_mod(xt), theirs_mod(xp)
    np.testing.assert_allclose(y.data, yp.detach().numpy(), rtol=1e-12, atol=1e-12)
    y.backward(seed)
    yp.backward(torch.tensor(seed))
    np.testing.assert_allclose(xt.grad.data, xp.grad.numpy(), rtol=1e-12, atol=1e-12)
    for p, q in zip(ours_mod.parameters(), theirs_mod.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12)
