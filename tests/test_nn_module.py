"""Module and Parameter: registration, dotted names, graph scopes, modes, state dicts, repr, summary."""

import copy

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.tensor import RemovableHandle
from nn.errors import StateDictError


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(3, 4)
        self.scale = nn.Parameter(np.ones(4))
        self.register_buffer("count", np.zeros(()))

    def forward(self, x):
        return self.inner(x) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.MLP([4, 5, 2])

    def forward(self, x):
        return self.head(self.block(x))


def test_parameters_are_registered_and_named_with_dotted_paths():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "block.scale", "block.inner.weight", "block.inner.bias",
        "head.layers.0.weight", "head.layers.0.bias", "head.layers.2.weight", "head.layers.2.bias",
    ]  # fmt: skip
    for name, p in net.named_parameters():
        assert p.name == name
        assert isinstance(p, nn.Parameter) and p.requires_grad
    assert len(list(net.parameters())) == 7
    assert [n for n, _ in net.named_children()] == ["block", "head"]
    assert [type(m).__name__ for m in net.children()] == ["Block", "MLP"]


def test_names_follow_when_a_module_becomes_a_child_but_user_names_are_kept():
    lin = nn.Linear(2, 2)
    assert lin.weight.name == "weight"
    lin.bias.name = "my_bias"
    outer = nn.Sequential(nn.Identity(), lin)
    assert lin.weight.name == "1.weight"
    assert lin.bias.name == "my_bias"
    nn.Sequential(outer)  # becoming a child of a new root extends the names
    assert lin.weight.name == "0.1.weight"
    user = nn.Parameter(np.zeros(3), name="chosen")
    holder = nn.Module()
    holder.p = user
    assert user.name == "chosen"


def test_module_calls_record_graph_scopes_outermost_first():
    net = Net()
    out = net(ag.randn(2, 3))
    # out = linear(...) of the head's last layer
    assert out.grad_fn.scope == ("Net", "head (MLP)", "head.layers (Sequential)", "head.layers.2 (Linear)")
    scale_mul = net.block(ag.randn(2, 3))
    assert scale_mul.grad_fn.scope == ("block (Block)",)
    assert nn.MLP([2, 2]).scope_name == "MLP"
    loss = nn.MSELoss()(out, ag.zeros(2, 2))
    assert loss.grad_fn.scope == ("MSELoss",)


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2


def test_zero_grad_train_eval():
    net = Net()
    net(ag.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_repr_tree():
    text = repr(nn.MLP([3, 4, 2], dropout=0.5))
    assert text == (
        "MLP(\n"
        "  (layers): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=4, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Dropout(p=0.5)\n"
        "    (3): Linear(in_features=4, out_features=2, bias=True)\n"
        "  )\n"
        ")"
    )


def test_state_dict_is_an_ordered_copy_and_round_trips():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == [
        "block.scale", "block.count", "block.inner.weight", "block.inner.bias",
        "head.layers.0.weight", "head.layers.0.bias", "head.layers.2.weight", "head.layers.2.bias",
    ]  # fmt: skip
    sd["block.scale"][:] = 7.0
    assert np.all(net.block.scale.data == 1.0)  # a copy
    other = Net()
    weight_array = other.block.inner.weight.data
    result = other.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert other.block.inner.weight.data is weight_array  # loaded in place
    for key, value in other.state_dict().items():
        np.testing.assert_array_equal(value, sd[key])


def test_load_state_dict_accepts_tensors():
    lin = nn.Linear(2, 1)
    lin.load_state_dict({"weight": ag.tensor([[1.0, 2.0]]), "bias": ag.tensor([3.0])})
    np.testing.assert_array_equal(lin.weight.data, [[1.0, 2.0]])


def test_load_state_dict_errors_name_the_key_and_both_shapes():
    lin = nn.Linear(3, 2)
    with pytest.raises(
        StateDictError, match=r"'weight' has shape \(2, 3\) in the model but \(3, 2\) in the state dict"
    ):
        lin.load_state_dict({"weight": np.zeros((3, 2)), "bias": np.zeros(2)})
    with pytest.raises(KeyError, match="missing key.*'bias'"):
        lin.load_state_dict({"weight": np.zeros((2, 3))})
    with pytest.raises(KeyError, match="unexpected key.*'extra'"):
        lin.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(2), "extra": np.zeros(1)})
    before = lin.weight.data.copy()
    with pytest.raises(StateDictError):  # nothing is written when a check fails
        lin.load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(5)})
    np.testing.assert_array_equal(lin.weight.data, before)
    result = lin.load_state_dict({"weight": np.ones((2, 3)), "extra": 1.0}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(lin.weight.data, 1.0)
    with pytest.raises(StateDictError, match="shape"):  # shapes are checked even when not strict
        lin.load_state_dict({"weight": np.ones((3, 3))}, strict=False)
    with pytest.raises(StateDictError, match="cannot become"):
        lin.load_state_dict({"weight": np.full((2, 3), 1 + 2j), "bias": np.zeros(2)})


def test_assignment_before_init_and_plain_tensors_are_errors():
    class Forgot(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.zeros(2))

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgot()
    m = nn.Module()
    with pytest.raises(TypeError, match="nn.Parameter"):
        m.w = ag.zeros(2, requires_grad=True)
    m.cache = ag.zeros(2)  # a constant tensor is a plain attribute
    assert list(m.parameters()) == []
    with pytest.raises(NotImplementedError, match="forward"):
        m(ag.zeros(1))


def test_reassigning_and_deleting_attributes_updates_the_registries():
    m = nn.Module()
    m.w = nn.Parameter(np.zeros(2))
    m.w = None
    assert list(m.named_parameters()) == []
    m.sub = nn.Linear(1, 1)
    del m.sub
    assert list(m.children()) == []
    bn = nn.BatchNorm1d(3)
    bn.running_mean = np.ones(3)  # assigning an array to a buffer name keeps it a buffer
    assert "running_mean" in bn.state_dict()


def test_forward_hooks_see_and_may_replace_the_output():
    lin = nn.Linear(2, 2)
    seen = []
    handle = lin.register_forward_hook(lambda m, inputs, out: seen.append((m, out.shape)))
    lin(ag.zeros(3, 2))
    assert seen == [(lin, (3, 2))]
    handle.remove()
    handle.remove()
    lin(ag.zeros(3, 2))
    assert len(seen) == 1
    lin.register_forward_hook(lambda m, inputs, out: out * 0)
    np.testing.assert_array_equal(lin(ag.ones(1, 2)).data, 0.0)


def test_forward_hook_handles_are_the_cores_removable_handles():
    """One RemovableHandle for tensor hooks and module hooks, each removing only its own hook."""
    lin = nn.Linear(2, 2)
    calls = []
    first = lin.register_forward_hook(lambda m, inputs, out: calls.append("first"))
    lin.register_forward_hook(lambda m, inputs, out: calls.append("second"))
    assert type(first) is RemovableHandle
    first.remove()
    lin(ag.zeros(1, 2))
    assert calls == ["second"]


def test_parameter_repr_and_deepcopy():
    p = nn.Parameter([1.0, 2.0])
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.]")
    mlp = nn.MLP([2, 3, 1])
    twin = copy.deepcopy(mlp)
    twin.layers[0].weight.data[...] = 0
    assert not np.all(mlp.layers[0].weight.data == 0)
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in mlp.named_parameters()]


def test_summary_prints_layers_shapes_and_counts(capsys):
    nn.summary(nn.MLP([3, 4, 2]), (3,))
    out = capsys.readouterr().out
    assert "layers.0 (Linear)" in out and "(batch, 4)" in out and "16" in out
    assert "layers.2 (Linear)" in out and "(batch, 2)" in out and "10" in out
    assert "Total params: 26" in out


def test_summary_lists_modules_with_own_parameters_and_restores_training_mode(capsys):
    net = Net()
    nn.summary(net, (3,))
    out = capsys.readouterr().out
    assert "block (Block)" in out and "block.inner (Linear)" in out
    assert f"Total params: {sum(p.size for p in net.parameters())}" in out
    assert net.training


def test_evaluate_and_summary_give_every_submodule_its_own_mode_back(capsys):
    """A BatchNorm frozen with .eval() inside a training model must not start updating its statistics again."""
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    model[1].eval()
    loader = nn.data.DataLoader(np.ones((4, 3)), np.ones((4, 4)), batch_size=None)
    nn.evaluate(model, nn.MSELoss(), loader)
    nn.summary(model, (3,))
    capsys.readouterr()
    assert [m.training for m in model] == [True, False, True] and model.training
    before = model[1].running_mean.copy()
    model(ag.tensor(np.arange(12.0).reshape(4, 3)))
    np.testing.assert_array_equal(model[1].running_mean, before)


def test_train_takes_a_boolean_and_buffers_stay_buffers():
    model = nn.MLP([2, 3, 1], dropout=0.5)
    with pytest.raises(TypeError, match=r"train\(mode\) takes True or False, not 'False'"):
        model.train("False")  # a non-empty string is truthy: it would have meant training
    assert model.train(np.bool_(False)) is model and not model.layers[2].training
    bn = nn.BatchNorm1d(2)
    bn.running_mean = ag.tensor([1.0, 2.0])  # assigned as a Tensor: still saved and loaded
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    np.testing.assert_array_equal(bn.state_dict()["running_mean"], [1.0, 2.0])


def test_replacing_a_parameter_keeps_its_place_in_the_order():
    """Optimizer state is saved by position in parameters(): a replaced weight must not move behind the bias."""
    lin = nn.Linear(2, 3)
    lin.weight = nn.Parameter(np.zeros((3, 2)))
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    assert list(lin.state_dict()) == ["weight", "bias"]


def test_a_parameter_assigned_over_a_buffer_becomes_a_parameter():
    bn = nn.BatchNorm1d(3)
    bn.running_mean = nn.Parameter(np.zeros(3))
    assert "running_mean" in dict(bn.named_parameters())
    assert isinstance(bn.running_mean, nn.Parameter)
