"""nn.functional_call: a module run with parameters passed in, so transforms apply to models (torch.func's)."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import ArgumentTypeError, NotFoundError

rng = np.random.default_rng(0)


def test_runs_with_the_given_parameters_and_restores_the_module():
    model = nn.MLP([3, 4, 2])
    x = rng.standard_normal((5, 3))
    params = {k: ag.tensor(v.data * 2) for k, v in model.named_parameters()}
    original = model.layers[0].weight
    out = nn.functional_call(model, params, x)
    h = np.maximum(x @ params["layers.0.weight"].data.T + params["layers.0.bias"].data, 0)
    np.testing.assert_allclose(out.data, h @ params["layers.2.weight"].data.T + params["layers.2.bias"].data)
    assert model.layers[0].weight is original
    partial = nn.functional_call(model, {"layers.2.bias": ag.zeros(2)}, x)  # the rest: the module's own
    np.testing.assert_allclose(partial.data, model(ag.tensor(x)).data - model.layers[2].bias.data)
    nested = nn.functional_call(model, {"layers": {"2": {"bias": ag.zeros(2)}}}, x)
    np.testing.assert_allclose(nested.data, partial.data)


def test_gradients_and_hessians_of_a_model_as_a_function_of_its_parameters():
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 1))
    params = dict(model.named_parameters())

    def loss(p):
        return ((nn.functional_call(model, p, x) - y) ** 2).mean()

    g = ag.grad(loss)(params)
    model.zero_grad()
    loss(params).backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(g[name].data, p.grad.data, rtol=1e-12)
    h = ag.hessian(loss)(params)
    assert h["0.weight"]["2.bias"].shape == (2, 3, 1)


def test_shared_parameters_are_replaced_everywhere_and_errors_name_the_fix():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    x = rng.standard_normal((1, 2))
    out = nn.functional_call(model, {"0.weight": ag.zeros((2, 2)), "0.bias": ag.zeros(2)}, x)
    assert out.tolist() == [[0.0, 0.0]]  # both uses saw the replacement
    with pytest.raises(NotFoundError, match="no parameter or buffer named 'missing'.*0.weight"):
        nn.functional_call(model, {"missing": ag.zeros(2)}, x)
    with pytest.raises(ArgumentTypeError, match="dict"):
        nn.functional_call(model, [ag.zeros(2)], x)

    class Boom(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(np.ones(2))

        def forward(self, x):
            raise RuntimeError("boom")

    boom = Boom()
    original = boom.w
    with pytest.raises(RuntimeError, match="boom"):
        nn.functional_call(boom, {"w": ag.zeros(2)}, x)
    assert boom.w is original
