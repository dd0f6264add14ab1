"""nn.export_onnx: ONNX Runtime computes what the model computes, in float32 and float64, for any batch size."""

import sys

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import InvalidArgumentError
from nn.errors import MissingDependencyError, UnsupportedModuleError

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

# Agreement with the library's own output: float32 kernels differ in the last bits, float64 ones agree to rounding.
TOLERANCE = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}
DTYPES = ["float32", "float64"]


def _session(proto):
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


def _expected(model, x):
    with nn.module.eval_mode(model), ag.no_grad():
        return model(ag.tensor(x)).data


def _assert_runtime_agrees(model, x, **export_kwargs):
    """Export with example ``x``, then run ONNX Runtime on x and on a batch of another size."""
    proto = nn.export_onnx(model, None, x, **export_kwargs)
    session = _session(proto)
    name = session.get_inputs()[0].name
    for batch in (x, np.concatenate([x, 2 * x[:1], -x]), x[:1]):
        (got,) = session.run(None, {name: batch})
        assert got.dtype == x.dtype
        np.testing.assert_allclose(got, _expected(model, batch), **TOLERANCE[x.dtype.name])
    return proto


def _activation(name, dtype):
    return {
        "relu": nn.ReLU(),
        "sigmoid": nn.Sigmoid(),
        "tanh": nn.Tanh(),
        "leaky_relu": nn.LeakyReLU(0.17),
        "prelu_shared": nn.PReLU(dtype=dtype, init=0.3),
        "prelu_per_channel": nn.PReLU(6, dtype=dtype),
        "elu": nn.ELU(0.7),
        "silu": nn.SiLU(),
        "softplus": nn.Softplus(),
        "softplus_beta_threshold": nn.Softplus(beta=2.0, threshold=3.0),
        "step": nn.Step(),
        "identity": nn.Identity(),
        "dropout": nn.Dropout(0.4),
    }[name]


ACTIVATIONS = [
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "prelu_shared",
    "prelu_per_channel",
    "elu",
    "silu",
    "softplus",
    "softplus_beta_threshold",
    "step",
    "identity",
    "dropout",
]


@pytest.fixture
def x(rng):
    # Wide enough to reach both sides of every kink and softplus's threshold.
    return rng.normal(size=(9, 4)) * 4


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_matches(activation, dtype, x, rng):
    act = _activation(activation, dtype)
    if isinstance(act, nn.PReLU):
        act.weight.data[...] = rng.uniform(-0.5, 0.5, act.weight.shape)
    model = nn.Sequential(nn.Linear(4, 6, dtype=dtype, rng=1), act, nn.Linear(6, 3, dtype=dtype, rng=2))
    _assert_runtime_agrees(model, x.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("head", [nn.Softmax, nn.LogSoftmax])
def test_probability_heads_match(head, dtype, x):
    model = nn.MLP([4, 8, 5], activation="tanh", output_activation=head(), dtype=dtype, rng=0)
    _assert_runtime_agrees(model, x.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_uses_its_running_statistics(affine, dtype, x, rng):
    model = nn.Sequential(nn.Linear(4, 6, dtype=dtype, rng=0), nn.BatchNorm1d(6, affine=affine, dtype=dtype), nn.ReLU())
    bn = model[1]
    bn.running_mean[...] = rng.normal(size=6)
    bn.running_var[...] = rng.uniform(0.2, 3.0, size=6)
    if affine:
        bn.weight.data[...] = rng.normal(size=6)
        bn.bias.data[...] = rng.normal(size=6)
    _assert_runtime_agrees(model, x.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_on_three_dimensional_input(dtype, rng):
    bn = nn.BatchNorm1d(3, dtype=dtype)
    bn.running_mean[...] = rng.normal(size=3)
    bn.running_var[...] = rng.uniform(0.2, 3.0, size=3)
    model = nn.Sequential(bn, nn.PReLU(3, dtype=dtype), nn.Flatten())
    _assert_runtime_agrees(model, rng.normal(size=(4, 3, 5)).astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("flatten", "features"), [(nn.Flatten(), 12), (nn.Flatten(2, 3), 6), (nn.Flatten(1, 2), 2), (nn.Flatten(0, 1), 2)]
)
def test_flatten_any_range_of_axes(flatten, features, dtype, rng):
    model = nn.Sequential(flatten, nn.Linear(features, 3, dtype=dtype, rng=0))
    x = rng.normal(size=(5, 2, 3, 2)).astype(dtype)
    if flatten.start_dim == 0:  # the batch axis is merged: the graph is for this batch size only
        with pytest.raises(InvalidArgumentError, match="dynamic_batch=False"):
            nn.export_onnx(model, None, x)
        proto = nn.export_onnx(model, None, x, dynamic_batch=False)
        (got,) = _session(proto).run(None, {"input": x})
        np.testing.assert_allclose(got, _expected(model, x), **TOLERANCE[dtype])
    else:
        _assert_runtime_agrees(model, x)


def test_linear_on_three_dimensional_input_uses_matmul(rng):
    model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Flatten(1, 2))
    proto = _assert_runtime_agrees(model, rng.normal(size=(3, 5, 2)))
    assert [n.op_type for n in proto.graph.node] == ["MatMul", "Add", "Flatten"]


def test_the_file_names_shapes_and_opset(tmp_path, x):
    model = nn.MLP([4, 16, 3], rng=0)
    path = tmp_path / "mlp.onnx"
    nn.export_onnx(model, path, x, input_name="features", output_name="logits", opset=18)
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded, full_check=True)
    assert loaded.opset_import[0].version == 18
    (inp,), (out,) = loaded.graph.input, loaded.graph.output
    assert (inp.name, out.name) == ("features", "logits")
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    assert dims(inp) == ["batch", 4] and dims(out) == ["batch", 3]
    assert {i.name for i in loaded.graph.initializer} == set(model.state_dict())
    assert [n.op_type for n in loaded.graph.node] == ["Gemm", "Relu", "Gemm"]
    (got,) = _session(loaded).run(None, {"features": x})
    np.testing.assert_allclose(got, _expected(model, x), rtol=1e-12, atol=1e-13)


def test_weights_follow_the_example_dtype(x):
    model = nn.MLP([4, 5, 2], rng=0)  # float64 parameters
    proto = nn.export_onnx(model, None, x.astype("float32"))
    assert {i.data_type for i in proto.graph.initializer} == {onnx.TensorProto.FLOAT}
    (got,) = _session(proto).run(None, {"input": x.astype("float32")})
    np.testing.assert_allclose(got, _expected(model, x), rtol=1e-4, atol=1e-5)


def test_export_is_in_eval_mode_and_leaves_the_mode_alone(x):
    model = nn.Sequential(nn.Linear(4, 6, rng=0), nn.Dropout(0.5), nn.BatchNorm1d(6), nn.Linear(6, 2, rng=1))
    model[2].eval()  # frozen inside a model that trains
    proto = nn.export_onnx(model, None, x)
    assert model.training and model[1].training and not model[2].training
    assert "Dropout" not in {n.op_type for n in proto.graph.node}
    assert model[2].num_batches_tracked == 0  # the example pass did not touch the running statistics
    (got,) = _session(proto).run(None, {"input": x})
    np.testing.assert_allclose(got, _expected(model, x), rtol=1e-12, atol=1e-13)


def test_an_empty_sequential_is_the_identity(x):
    proto = nn.export_onnx(nn.Sequential(), None, x)
    (got,) = _session(proto).run(None, {"input": x})
    np.testing.assert_array_equal(got, x)


def test_a_subclass_that_keeps_forward_is_exported(x):
    class MyReLU(nn.ReLU):
        pass

    _assert_runtime_agrees(nn.Sequential(nn.Linear(4, 3, rng=0), MyReLU()), x)


# -------------------------------------------------------------------------- errors


class Doubler(nn.Module):
    def forward(self, x):
        return x * 2


def test_an_unsupported_module_is_named(x):
    model = nn.Sequential(nn.Linear(4, 3), Doubler())
    with pytest.raises(UnsupportedModuleError, match=r"Doubler \(1 \(Doubler\)\).*Supported: Sequential, MLP"):
        nn.export_onnx(model, None, x)


def test_a_subclass_with_its_own_forward_is_unsupported(x):
    class Shifted(nn.Linear):
        def forward(self, x):
            return super().forward(x) + 1

    with pytest.raises(UnsupportedModuleError, match="Shifted"):
        nn.export_onnx(nn.Sequential(Shifted(4, 2)), None, x)


def test_forward_hooks_cannot_be_exported(x):
    model = nn.Sequential(nn.Linear(4, 3))
    model[0].register_forward_hook(lambda m, i, o: o * 2)
    with pytest.raises(UnsupportedModuleError, match="forward hooks"):
        nn.export_onnx(model, None, x)


def test_batch_norm_without_running_statistics_is_refused(x):
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3, track_running_stats=False))
    with pytest.raises(UnsupportedModuleError, match="track_running_stats=False"):
        nn.export_onnx(model, None, x)


@pytest.mark.parametrize(
    ("example", "kwargs", "match"),
    [
        (np.ones((2, 4), dtype=np.int64), {}, "floating point"),
        (np.float64(1.0), {}, "batch axis"),
        (np.ones((2, 4)), {"opset": 16}, "opset must be"),
    ],
)
def test_bad_arguments(example, kwargs, match):
    with pytest.raises(InvalidArgumentError, match=match):
        nn.export_onnx(nn.MLP([4, 2]), None, example, **kwargs)


def test_without_onnx_the_error_says_what_to_install(monkeypatch, x):
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` now fails
    with pytest.raises(MissingDependencyError, match=r"autograd-core\[onnx\]"):
        nn.export_onnx(nn.MLP([4, 2]), None, x)
