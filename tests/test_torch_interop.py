"""nn.to_torch / nn.from_torch and the state-dict converters: the same function, weights and keys on both sides."""

import sys

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import ArgumentTypeError
from nn.errors import MissingDependencyError, UnsupportedModuleError

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

F64 = "float64"


def _layers(name):
    """(nn module, equivalent torch module) for each supported layer, float64."""
    tnn = torch.nn
    return {
        "relu": (nn.ReLU(), tnn.ReLU()),
        "sigmoid": (nn.Sigmoid(), tnn.Sigmoid()),
        "tanh": (nn.Tanh(), tnn.Tanh()),
        "leaky_relu": (nn.LeakyReLU(0.17), tnn.LeakyReLU(0.17)),
        "prelu": (nn.PReLU(dtype=F64), tnn.PReLU(dtype=torch.float64)),
        "prelu_per_channel": (nn.PReLU(6, dtype=F64), tnn.PReLU(6, dtype=torch.float64)),
        "elu": (nn.ELU(0.7), tnn.ELU(0.7)),
        "silu": (nn.SiLU(), tnn.SiLU()),
        "softplus": (nn.Softplus(2.0, 3.0), tnn.Softplus(2.0, 3.0)),
        "softmax": (nn.Softmax(), tnn.Softmax(dim=-1)),
        "log_softmax": (nn.LogSoftmax(axis=1), tnn.LogSoftmax(dim=1)),
        "identity": (nn.Identity(), tnn.Identity()),
        "dropout": (nn.Dropout(0.3), tnn.Dropout(0.3)),
        "batch_norm": (nn.BatchNorm1d(6, dtype=F64), tnn.BatchNorm1d(6, dtype=torch.float64)),
        "batch_norm_plain": (
            nn.BatchNorm1d(6, affine=False, momentum=None, dtype=F64),
            tnn.BatchNorm1d(6, affine=False, momentum=None, dtype=torch.float64),
        ),
    }[name]


LAYERS = [
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "prelu",
    "prelu_per_channel",
    "elu",
    "silu",
    "softplus",
    "softmax",
    "log_softmax",
    "identity",
    "dropout",
    "batch_norm",
    "batch_norm_plain",
]


def _randomise(model, rng):
    """Give every parameter and running statistic a random value, so nothing matches by accident."""
    for p in model.parameters():
        p.data[...] = rng.normal(size=p.shape)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d) and m.track_running_stats:
            m.running_mean[...] = rng.normal(size=m.num_features)
            m.running_var[...] = rng.uniform(0.2, 3.0, m.num_features)
    return model


def _torch_out(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x)).numpy()


def _ours_out(model, x):
    with ag.no_grad():
        return model(ag.tensor(x)).data


@pytest.fixture
def x(rng):
    return rng.normal(size=(8, 4)) * 3


@pytest.mark.parametrize("name", LAYERS)
def test_to_torch_computes_the_same_function(name, x, rng):
    layer, _ = _layers(name)
    model = _randomise(nn.Sequential(nn.Linear(4, 6, dtype=F64), layer, nn.Linear(6, 3, dtype=F64)), rng).eval()
    converted = nn.to_torch(model)
    assert isinstance(converted, torch.nn.Sequential)
    assert list(converted.state_dict()) == list(model.state_dict())
    np.testing.assert_allclose(_torch_out(converted, x), _ours_out(model, x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", LAYERS)
def test_from_torch_computes_the_same_function(name, x):
    _, layer = _layers(name)
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 6, dtype=torch.float64), layer, torch.nn.Linear(6, 3).double())
    with torch.no_grad():
        for p in module.parameters():
            p.normal_()
        if isinstance(layer, torch.nn.BatchNorm1d):
            layer.running_mean.normal_()
            layer.running_var.uniform_(0.2, 3.0)
    module.eval()
    model = nn.from_torch(module)
    assert isinstance(model, nn.Sequential) and not model.training
    assert list(model.state_dict()) == list(module.state_dict())
    np.testing.assert_allclose(_ours_out(model, x), _torch_out(module, x), rtol=1e-12, atol=1e-12)


def test_mlp_keeps_its_keys_and_comes_back_as_an_mlp(x, rng):
    model = _randomise(nn.MLP([4, 8, 8, 3], activation="tanh", output_activation="log_softmax", dtype=F64), rng)
    converted = nn.to_torch(model)
    assert (
        list(converted.state_dict())
        == list(model.state_dict())
        == [
            "layers.0.weight",
            "layers.0.bias",
            "layers.2.weight",
            "layers.2.bias",
            "layers.4.weight",
            "layers.4.bias",
        ]
    )
    np.testing.assert_allclose(_torch_out(converted, x), _ours_out(model, x), rtol=1e-12, atol=1e-12)
    back = nn.from_torch(converted)
    assert isinstance(back, nn.MLP) and back.sizes == [4, 8, 8, 3]
    np.testing.assert_array_equal(_ours_out(back, x), _ours_out(model, x))


def test_training_mode_batch_norm_and_gradients_agree(x, rng):
    """In training mode both normalise by the batch and update the same running statistics; backward agrees."""
    model = _randomise(nn.Sequential(nn.Linear(4, 6, dtype=F64), nn.BatchNorm1d(6, dtype=F64), nn.Tanh()), rng)
    converted = nn.to_torch(model)
    assert converted.training and converted[1].training
    ours_in = ag.tensor(x)
    (model(ours_in) ** 2).sum().backward()
    theirs = (converted(torch.from_numpy(x)) ** 2).sum()
    theirs.backward()
    for (name, p), (tname, tp) in zip(model.named_parameters(), converted.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-10, atol=1e-12)
    for key, value in model.state_dict().items():
        np.testing.assert_allclose(value, converted.state_dict()[key].numpy(), rtol=1e-12, atol=1e-15)
    assert int(model[1].num_batches_tracked) == int(converted[1].num_batches_tracked) == 1


def test_modes_dtypes_frozen_parameters_and_sharing_are_kept():
    shared = nn.Linear(3, 3, dtype="float32")
    model = nn.Sequential(shared, nn.Dropout(0.5), shared)
    model[1].eval()
    shared.bias.requires_grad = False
    converted = nn.to_torch(model)
    assert converted.training and not converted[1].training
    assert converted[0] is converted[2] and converted[0].weight.dtype == torch.float32
    assert not converted[0].bias.requires_grad and converted[0].weight.requires_grad
    back = nn.from_torch(converted)
    assert back[0] is back[2] and back[0].weight.dtype == np.float32
    assert back.training and not back[1].training and not back[0].bias.requires_grad


def test_step_has_a_torch_counterpart(x):
    model = nn.Sequential(nn.Linear(4, 3, dtype=F64), nn.Step())
    converted = nn.to_torch(model)
    np.testing.assert_array_equal(_torch_out(converted, x), _ours_out(model, x))
    assert isinstance(nn.from_torch(converted)[1], nn.Step)


def test_converted_models_pickle_whole(tmp_path, x):
    model = nn.MLP([4, 5, 2], dtype=F64)
    path = tmp_path / "whole.pt"
    torch.save(nn.to_torch(model), path)
    loaded = torch.load(path, weights_only=False)
    np.testing.assert_allclose(_torch_out(loaded, x), _ours_out(model, x), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ state dicts


def test_torch_loads_a_file_nn_saved(tmp_path, x, rng):
    model = _randomise(nn.MLP([4, 8, 3], dtype=F64), rng)
    path = tmp_path / "model.npz"
    nn.save(model.state_dict(), path)
    fresh = nn.to_torch(nn.MLP([4, 8, 3], dtype=F64))  # other weights, same architecture
    result = fresh.load_state_dict(nn.state_dict_to_torch(nn.load(path)))
    assert not result.missing_keys and not result.unexpected_keys
    np.testing.assert_allclose(_torch_out(fresh, x), _ours_out(model, x), rtol=1e-12, atol=1e-12)


def test_a_plain_torch_model_loads_nn_weights_with_matching_keys(x, rng):
    """Keys and layouts are PyTorch's: a torch model written by hand with the same names accepts the state dict."""
    model = _randomise(nn.Sequential(nn.Linear(4, 6, dtype=F64), nn.BatchNorm1d(6, dtype=F64), nn.ReLU()), rng)
    model[1].num_batches_tracked[...] = 7
    by_hand = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU()).double()
    by_hand.load_state_dict(nn.state_dict_to_torch(model.state_dict()))
    assert int(by_hand[1].num_batches_tracked) == 7
    np.testing.assert_allclose(_torch_out(by_hand.eval(), x), _ours_out(model.eval(), x), rtol=1e-12, atol=1e-12)


def test_nn_loads_a_torch_state_dict(x):
    torch.manual_seed(3)
    module = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ELU(), torch.nn.Linear(6, 2))
    model = nn.Sequential(nn.Linear(4, 6, dtype="float32"), nn.ELU(), nn.Linear(6, 2, dtype="float32"))
    model.load_state_dict(nn.state_dict_from_torch(module.state_dict()))
    x32 = x.astype("float32")
    np.testing.assert_allclose(_ours_out(model, x32), _torch_out(module, x32), rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------- errors


def test_unsupported_modules_are_named():
    class Doubler(nn.Module):
        def forward(self, x):
            return x * 2

    with pytest.raises(UnsupportedModuleError, match=r"'1', a Doubler"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), Doubler()))
    with pytest.raises(UnsupportedModuleError, match=r"'0', a Conv1d"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Conv1d(1, 1, 1)))


def test_softmax_without_dim_is_refused():
    with pytest.raises(UnsupportedModuleError, match="dim=-1"):
        nn.from_torch(torch.nn.Softmax())


def test_non_modules_are_refused():
    with pytest.raises(ArgumentTypeError):
        nn.to_torch(torch.nn.ReLU())
    with pytest.raises(ArgumentTypeError):
        nn.from_torch(nn.ReLU())


def test_without_torch_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails
    with pytest.raises(MissingDependencyError, match="pip install torch"):
        nn.to_torch(nn.MLP([2, 2]))
