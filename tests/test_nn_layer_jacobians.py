"""nn.layer_jacobians: the notes' J4·J3·J2·J1 for the 4-8-6-4-2 network, and its edges."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import ArgumentTypeError, ShapeError


@pytest.fixture
def notes_network():
    return nn.MLP([4, 8, 6, 4, 2], activation="tanh", rng=0)


def test_shapes_and_product_of_the_notes_network(notes_network, rng):
    x = rng.normal(size=4)
    Js = nn.layer_jacobians(notes_network, x)
    assert [J.shape for J in Js] == [(8, 4), (6, 8), (4, 6), (2, 4)]
    J4, J3, J2, J1 = (J.data for J in reversed(Js))
    np.testing.assert_allclose(J4 @ J3 @ J2 @ J1, ag.jacrev(notes_network)(ag.tensor(x)).data, atol=1e-14)
    np.testing.assert_allclose(J4 @ J3 @ J2 @ J1, ag.jacfwd(notes_network)(ag.tensor(x)).data, atol=1e-14)
    assert all(not J.requires_grad for J in Js)


def test_each_factor_is_the_layers_own_jacobian(notes_network, rng):
    """J1 = diag(1 − tanh²(W₁x + b₁))·W₁, checked in closed form and by central differences."""
    x = rng.normal(size=4)
    J1 = nn.layer_jacobians(notes_network, x)[0].data
    lin = notes_network.layers[0]
    W, b = lin.weight.data, lin.bias.data
    np.testing.assert_allclose(J1, (1 - np.tanh(W @ x + b) ** 2)[:, None] * W, atol=1e-14)
    eps = 1e-6
    numeric = np.stack(
        [(np.tanh(W @ (x + eps * e) + b) - np.tanh(W @ (x - eps * e) + b)) / (2 * eps) for e in np.eye(4)], axis=1
    )
    np.testing.assert_allclose(J1, numeric, atol=1e-8)


def test_a_batch_gives_one_jacobian_per_example(notes_network, rng):
    X = rng.normal(size=(3, 4))
    Js = nn.layer_jacobians(notes_network, X)
    assert [J.shape for J in Js] == [(3, 8, 4), (3, 6, 8), (3, 4, 6), (3, 2, 4)]
    for i in range(3):
        single = nn.layer_jacobians(notes_network, X[i])
        for batched, one in zip(Js, single):
            np.testing.assert_array_equal(batched.data[i], one.data)


def test_sequential_with_flatten_dropout_and_an_output_activation(rng):
    model = nn.Sequential(
        nn.Flatten(0),
        nn.Linear(6, 5, rng=1),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Sequential(nn.Linear(5, 3, rng=2), nn.Sigmoid()),
    )
    x = rng.normal(size=(2, 3))
    Js = nn.layer_jacobians(model, x.ravel())  # Flatten(0) of a vector is the vector itself
    assert [J.shape for J in Js] == [(5, 6), (3, 5)]
    model.train()
    with nn.module.eval_mode(model):
        expected = ag.jacrev(model)(ag.tensor(x.ravel())).data
    np.testing.assert_allclose(Js[1].data @ Js[0].data, expected, atol=1e-14)
    assert model.training and model[3].training  # eval mode only while computing


def test_a_list_of_layer_functions(rng):
    W1, W2 = rng.normal(size=(3, 2)), rng.normal(size=(1, 3))
    fs = [lambda v: ag.sin(ag.tensor(W1) @ v), lambda v: ag.tensor(W2) @ v]
    x = np.array([0.3, -0.7])
    J1, J2 = (J.data for J in nn.layer_jacobians(fs, x))
    np.testing.assert_allclose(J1, np.cos(W1 @ x)[:, None] * W1, atol=1e-14)
    np.testing.assert_allclose(J2, W2)


def test_errors(notes_network):
    with pytest.raises(ArgumentTypeError, match="list of functions"):
        nn.layer_jacobians(nn.Linear(2, 2), np.zeros(2))
    with pytest.raises(ArgumentTypeError, match="non-empty list"):
        nn.layer_jacobians([], np.zeros(2))
    with pytest.raises(ShapeError, match=r"\(D,\).*\(N, D\)"):
        nn.layer_jacobians(notes_network, np.zeros((1, 1, 4)))
    with pytest.raises(ShapeError, match="vector to a vector"):
        nn.layer_jacobians([lambda v: v.sum()], np.zeros(3))
