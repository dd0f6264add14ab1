"""Layers (Linear, Sequential, MLP, Flatten, Dropout, BatchNorm1d), initialisation and seeding."""

import math
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core.errors import ShapeError


@given(n=st.integers(1, 5), n_in=st.integers(1, 6), n_out=st.integers(1, 6), bias=st.booleans())
def test_linear_computes_x_wt_plus_b_and_its_gradients(n, n_in, n_out, bias):
    layer = nn.Linear(n_in, n_out, bias=bias, rng=np.random.default_rng(n))
    assert layer.weight.shape == (n_out, n_in)
    x = np.random.default_rng(0).normal(size=(n, n_in))
    xt = ag.tensor(x, requires_grad=True)
    y = layer(xt)
    b = layer.bias.data if bias else 0.0
    np.testing.assert_allclose(y.data, x @ layer.weight.data.T + b, rtol=1e-12)
    seed = np.ones((n, n_out))
    y.backward(seed)
    np.testing.assert_allclose(layer.weight.grad.data, seed.T @ x, rtol=1e-12)
    np.testing.assert_allclose(xt.grad.data, seed @ layer.weight.data, rtol=1e-12)
    if bias:
        np.testing.assert_allclose(layer.bias.grad.data, seed.sum(0))
    else:
        assert layer.bias is None and len(list(layer.parameters())) == 1


def test_linear_init_is_pytorchs_uniform_bound():
    layer = nn.Linear(50, 200, rng=np.random.default_rng(0))
    bound = 1 / math.sqrt(50)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.9 * bound  # fills the interval
    assert abs(layer.weight.data.std() - bound / math.sqrt(3)) < 0.01
    assert nn.Linear(2, 3, dtype=np.float32).weight.dtype == np.float32
    assert repr(nn.Linear(2, 3, bias=False)) == "Linear(in_features=2, out_features=3, bias=False)"


def test_linear_input_shape_error_names_the_shapes():
    with pytest.raises(ShapeError, match=r"\(4, 3\).*\(2, 5\)"):
        nn.Linear(5, 2)(ag.zeros(4, 3))


def test_sequential_indexing_and_names():
    a, b, c = nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    head, tail = seq[:2], seq[1:]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b] and list(tail) == [b, c]
    assert c.weight.name == "2.weight" and c.scope_name == "2 (Linear)"  # slicing renames nothing
    x1 = ag.ones(1, 2)
    np.testing.assert_allclose(tail(head(x1)).data, c(b(b(a(x1)))).data)
    x = ag.randn(4, 2)
    np.testing.assert_allclose(seq(x).data, c(b(a(x))).data)
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert [n for n, _ in named.named_parameters()] == ["hidden.weight", "hidden.bias"]
    with pytest.raises(TypeError, match="Sequential holds Modules"):
        nn.Sequential(lambda x: x)


def test_appending_to_a_slice_never_replaces_a_module():
    a, b, c, d = nn.Linear(2, 2), nn.Tanh(), nn.Sigmoid(), nn.ReLU()
    tail = nn.Sequential(a, b, c)[1:]  # keeps the names "1" and "2"
    tail.append(d)
    assert list(tail) == [b, c, d]
    assert [name for name, _ in tail.named_children()] == ["1", "2", "3"]
    x = ag.tensor([[-1.0, 2.0]])
    np.testing.assert_allclose(tail(x).data, d(c(b(x))).data)
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 2)), ("7", nn.Tanh())])).append(d)
    assert [name for name, _ in named.named_children()] == ["hidden", "7", "8"]


def test_sequential_names_cannot_shadow_attributes_or_hold_non_modules():
    for bad in ("forward", "training", "append", ""):
        with pytest.raises(ValueError, match="name"):
            nn.Sequential(OrderedDict([(bad, nn.ReLU())]))
    with pytest.raises(ValueError, match="without '.'"):
        nn.Sequential(OrderedDict([("a.b", nn.ReLU())]))
    with pytest.raises(TypeError, match="needs a Module, not function"):
        nn.Sequential(OrderedDict([("f", lambda x: x)]))  # would have been stored but never called
    seq = nn.Sequential(nn.ReLU())
    seq.add_module("0", nn.Tanh())  # replacing a child by name stays possible, as with assignment
    assert isinstance(seq[0], nn.Tanh) and len(seq) == 1


def test_mlp_structure_activations_and_dropout():
    mlp = nn.MLP([3, 8, 8, 2], activation="tanh", output_activation="softmax", dropout=0.2)
    kinds = [type(m).__name__ for m in mlp.layers]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear", "Softmax"]
    out = mlp.eval()(ag.randn(5, 3))
    np.testing.assert_allclose(out.data.sum(1), 1.0)
    assert sum(p.size for p in nn.MLP([3, 4, 2], bias=False).parameters()) == 20
    prelu = nn.MLP([2, 3, 3, 1], activation=nn.PReLU)
    assert len([n for n, _ in prelu.named_parameters() if "weight" in n]) == 5  # 3 Linear + 2 separate PReLU
    with pytest.raises(ValueError, match="at least an input and an output size"):
        nn.MLP([3])
    with pytest.raises(ValueError, match=r"positive integers, got \[3, 2.5, 1\]"):
        nn.MLP([3, 2.5, 1])  # not silently truncated to 2 hidden units
    with pytest.raises(ValueError, match="dropout probability"):
        nn.MLP([3, 2, 1], dropout=-0.2)  # not silently ignored
    with pytest.raises(ValueError, match="unknown activation"):
        nn.MLP([3, 2, 1], activation="nope")


def test_flatten():
    x = ag.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)


def test_dropout_is_inverted_and_off_in_eval():
    nn.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = ag.ones(200, 100, requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert abs(1 - kept.mean() - 0.25) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)  # survivors scaled so E[y] = x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, kept / 0.75)
    drop.eval()
    assert drop(x) is x
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, 0.0)
    for bad in (1.5, -0.1, float("nan"), "0.5"):
        with pytest.raises(ValueError, match=r"dropout probability must be a number in \[0, 1\]"):
            nn.Dropout(bad)
        with pytest.raises(ValueError, match=r"dropout probability must be a number in \[0, 1\]"):
            nn.functional.dropout(x, bad)
    seeded = nn.Dropout(0.5, rng=3)
    a, a2 = seeded(ag.ones(20)).data, seeded(ag.ones(20)).data
    b = nn.Dropout(0.5, rng=np.random.default_rng(3))(ag.ones(20)).data
    np.testing.assert_array_equal(a, b)  # repeatable
    assert not np.array_equal(a, a2)  # but a new mask at every call


def test_batchnorm_train_normalises_and_updates_running_stats():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, (16, 4))
    bn = nn.BatchNorm1d(4)
    y = bn(ag.tensor(x)).data
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(0), x.var(0) / (x.var(0) + 1e-5), rtol=1e-10)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(0, ddof=1))
    assert bn.num_batches_tracked == 1
    bn.eval()
    y_eval = bn(ag.tensor(x)).data
    np.testing.assert_allclose(y_eval, (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5))
    cumulative = nn.BatchNorm1d(4, momentum=None)
    cumulative(ag.tensor(x))
    cumulative(ag.tensor(2 * x))
    np.testing.assert_allclose(cumulative.running_mean, 1.5 * x.mean(0))


def test_batchnorm_3d_input_and_errors():
    x = np.random.default_rng(1).normal(size=(4, 3, 5))
    y = nn.BatchNorm1d(3, affine=False)(ag.tensor(x)).data
    np.testing.assert_allclose(y.mean((0, 2)), 0, atol=1e-12)
    with pytest.raises(ShapeError, match=r"needs input \(N, 3\)"):
        nn.BatchNorm1d(3)(ag.zeros(4, 2))
    with pytest.raises(ValueError, match="more than 1 value"):
        nn.BatchNorm1d(3)(ag.zeros(1, 3))
    free = nn.BatchNorm1d(3, track_running_stats=False).eval()
    np.testing.assert_allclose(free(ag.tensor(x[:, :, 0])).data.mean(0), 0, atol=1e-12)
    assert "running_mean" not in free.state_dict()


@pytest.mark.torch
def test_batchnorm_matches_pytorch_in_train_and_eval():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    ours, theirs = nn.BatchNorm1d(3, momentum=0.2), torch.nn.BatchNorm1d(3, momentum=0.2).double()
    ours.weight.data[...] = theirs.weight.data.numpy()[...] = [1.0, 2.0, 0.5]
    for _ in range(3):
        x = rng.normal(1.0, 3.0, (8, 3))
        xt = ag.tensor(x, requires_grad=True)
        xp = torch.tensor(x, requires_grad=True)
        y, yp = ours(xt), theirs(xp)
        np.testing.assert_allclose(y.data, yp.detach().numpy(), rtol=1e-10, atol=1e-12)
        seed = rng.normal(size=x.shape)
        y.backward(seed)
        yp.backward(torch.tensor(seed))
        np.testing.assert_allclose(xt.grad.data, xp.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(
        ours.eval()(ag.tensor(x)).data, theirs.eval()(torch.tensor(x)).detach().numpy(), rtol=1e-10
    )


@pytest.mark.torch
def test_mlp_forward_and_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    ours = nn.MLP([4, 6, 3], activation="tanh")
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3)).double()
    theirs.load_state_dict({k.removeprefix("layers."): torch.tensor(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 4))
    y = np.array([0, 2, 1, 1, 0])
    loss = nn.CrossEntropyLoss()(ours(ag.tensor(x)), y)
    ref = torch.nn.CrossEntropyLoss()(theirs(torch.tensor(x)), torch.tensor(y))
    assert loss.item() == pytest.approx(ref.item(), rel=1e-12)
    loss.backward()
    ref.backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, err_msg=name)


def test_init_schemes_have_their_scales():
    rng = np.random.default_rng(0)
    w = ag.zeros(400, 300)
    fan_in, fan_out = 300, 400
    nn.init.xavier_uniform_(w, rng=rng)
    bound = math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(w.data).max() <= bound and abs(w.data.std() - bound / math.sqrt(3)) < 2e-3
    nn.init.xavier_normal_(w, gain=2.0, rng=rng)
    assert abs(w.data.std() - 2 * math.sqrt(2 / (fan_in + fan_out))) < 2e-3
    nn.init.kaiming_uniform_(w, nonlinearity="relu", rng=rng)
    assert np.abs(w.data).max() <= math.sqrt(2) * math.sqrt(3 / fan_in)
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", rng=rng)
    assert abs(w.data.std() - math.sqrt(2 / fan_out)) < 2e-3
    nn.init.normal_(w, 1.0, 0.5, rng=rng)
    assert abs(w.data.mean() - 1.0) < 0.01 and abs(w.data.std() - 0.5) < 0.01
    nn.init.uniform_(w, -2, -1, rng=rng)
    assert w.data.min() >= -2 and w.data.max() < -1
    assert nn.init.zeros_(w) is w and np.all(w.data == 0)
    nn.init.constant_(w, 0.3)
    assert np.all(w.data == 0.3)
    conv = ag.zeros(8, 4, 3, 3)
    assert nn.init.fan_in_and_fan_out(conv) == (36, 72)


def test_init_gains_and_errors():
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert nn.init.calculate_gain("sigmoid") == 1.0
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        nn.init.calculate_gain("swishy")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(ag.zeros(3))
    with pytest.raises(ValueError, match="fan_in"):
        nn.init.kaiming_normal_(ag.zeros(3, 3), mode="fan")
    with pytest.raises(TypeError, match="rng must be"):
        nn.init.uniform_(ag.zeros(2), rng="seed")


def test_manual_seed_makes_initialisation_repeatable():
    nn.manual_seed(7)
    a = nn.MLP([3, 5, 2]).state_dict()
    nn.manual_seed(7)
    b = nn.MLP([3, 5, 2]).state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    c = nn.MLP([3, 5, 2], rng=7).state_dict()
    d = nn.MLP([3, 5, 2], rng=np.random.default_rng(7)).state_dict()
    for k in c:
        np.testing.assert_array_equal(c[k], d[k])
