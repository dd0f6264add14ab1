"""PyTorch's Tensor and Module conveniences: size(), numel, dim, dtype conversion, devices, creation functions."""

from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import (
    ArgumentTypeError,
    DtypeError,
    IndexingError,
    InplaceModificationError,
    InvalidArgumentError,
)


@pytest.fixture
def t():
    return ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)


def test_size_is_numpys_count_everywhere_an_int_is_used(t):
    n = t.size
    assert n == 6 and isinstance(n, int) and n + 1 == 7 and type(n * 2) is int
    assert list(range(t.size)) == [0, 1, 2, 3, 4, 5]
    assert np.zeros(t.size).shape == (6,) and np.ones((t.size, 2)).shape == (6, 2)
    assert f"{t.size}" == "6" and str(t.size) == "6" and repr(t.size) == "6" and f"{t.size:03d}" == "006"
    assert json.dumps({"n": t.size}) == '{"n": 6}'
    assert pickle.loads(pickle.dumps(t.size)) == 6 and type(pickle.loads(pickle.dumps(t.size))) is int
    assert type(copy.deepcopy(t.size)) is int and type(copy.copy(t.size)) is int
    assert {t.size: "a"}[6] == "a" and hash(t.size) == hash(6)
    assert sum(p.size for p in nn.Linear(3, 2).parameters()) == 8
    assert np.size(t) == 6 and ag.tensor(1.0).size == 1 and ag.zeros(0, 3).size == 0


def test_size_called_is_pytorchs_shape(t):
    assert t.size() == (2, 3) and t.size(0) == 2 and t.size(-1) == 3 and t.size(dim=1) == 3
    assert ag.tensor(1.0).size() == ()
    with pytest.raises(IndexingError, match=r"size\(2\): dimension out of range for a tensor with 2 dimension"):
        t.size(2)
    with pytest.raises(ArgumentTypeError, match="integer axis"):
        t.size(1.0)


def test_numel_dim_tolist(t):
    assert t.numel() == 6 and type(t.numel()) is int
    assert t.dim() == 2 and ag.tensor(3.0).dim() == 0
    assert t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


@pytest.mark.parametrize(
    ("convert", "dtype"),
    [
        (lambda t: t.float(), np.float32),
        (lambda t: t.half(), np.float16),
        (lambda t: t.double(), np.float64),
        (lambda t: t.to(np.float32), np.float32),
        (lambda t: t.to("float32"), np.float32),
        (lambda t: t.to(ag.float16), np.float16),
        (lambda t: t.to("cpu", np.float32), np.float32),
        (lambda t: t.to(dtype=np.float32, device="cpu"), np.float32),
        (lambda t: t.to(ag.zeros(1, dtype=np.float32)), np.float32),
        (lambda t: t.type(np.float32), np.float32),
    ],
)
def test_dtype_conversions_are_differentiable(t, convert, dtype):
    y = convert(t)
    assert y.dtype == dtype
    (y * 2).sum().backward()
    assert t.grad.dtype == np.float64
    np.testing.assert_array_equal(t.grad.data, np.full((2, 3), 2.0))


def test_conversions_to_the_same_dtype_and_device_return_the_tensor(t):
    assert t.double() is t and t.to("cpu") is t and t.to(np.float64) is t and t.cpu() is t
    copied = t.to(np.float64, copy=True)
    assert copied is not t and not np.shares_memory(copied.data, t.data) and copied.grad_fn.name == "clone"
    assert t.type() == "float64" and t.float().type() == "float32"


@pytest.mark.parametrize("device", ["mps", "tpu:0"])
def test_unknown_devices_are_refused_with_the_known_ones(t, device):
    with pytest.raises(InvalidArgumentError, match=rf"unknown device '{device}': the devices are 'cpu', 'cuda'"):
        t.to(device)
    with pytest.raises(InvalidArgumentError, match="unknown device"):
        nn.Linear(2, 2).to(device)


@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_cuda_without_cupy_names_the_extra_to_install(t, device, monkeypatch):
    import sys

    from autograd_core.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "cupy", None)  # as if CuPy were not installed
    with pytest.raises(
        MissingDependencyError, match=r"CuPy, which is not installed: pip install 'autograd-core\[cuda\]'"
    ):
        t.to(device)
    with pytest.raises(MissingDependencyError, match="CuPy"):
        nn.Linear(2, 2).to(device)
    with pytest.raises(MissingDependencyError, match="CuPy"):
        ag.tensor([1.0], device=device)


def test_to_rejects_what_is_not_a_dtype(t):
    with pytest.raises(ArgumentTypeError, match="not a dtype"):
        t.to(object())
    with pytest.raises(ArgumentTypeError, match="give one dtype"):
        t.to(np.float32, np.float16)


def test_an_integer_conversion_is_a_constant(t):
    y = t.to(np.int64)
    assert y.dtype == np.int64 and not y.requires_grad


def test_clone_copies_and_contiguous_copies_only_when_needed(t):
    c = t.clone()
    assert not np.shares_memory(c.data, t.data) and c.grad_fn.name == "clone"
    assert t.contiguous() is t
    tt = t.T
    assert not tt.data.flags.c_contiguous
    ct = tt.contiguous()
    assert ct.data.flags.c_contiguous and ct.grad_fn.name == "clone"
    ct.sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.ones((2, 3)))


def test_creation_functions_take_pytorch_spellings():
    assert ag.zeros(2, 3).shape == (2, 3) and ag.ones((2, 3)).shape == (2, 3)
    assert ag.rand(2, 3).shape == (2, 3) and ag.randn(4).shape == (4,)
    e = ag.empty(2, 3, dtype=np.float32)
    assert e.shape == (2, 3) and e.dtype == np.float32 and not e.requires_grad
    assert ag.empty((1, 2), requires_grad=True).requires_grad
    assert ag.empty_like(e).shape == (2, 3) and ag.empty_like(e).dtype == np.float32
    a = np.arange(3.0)
    f = ag.from_numpy(a)
    a[0] = 7.0
    assert f.data[0] == 7.0 and f.dtype == np.float64  # shares memory, keeps the dtype
    assert ag.from_numpy(np.arange(3)).dtype == np.int64
    with pytest.raises(ArgumentTypeError, match="needs a numpy array"):
        ag.from_numpy([1.0, 2.0])
    with pytest.raises(DtypeError, match="cannot be tensors"):
        ag.from_numpy(np.array(["a"]))


def test_clamp_and_cat_exist_under_pytorchs_names(t):
    np.testing.assert_array_equal(ag.clamp(t, min=1, max=4).data, np.clip(t.data, 1, 4))
    np.testing.assert_array_equal(t.clamp(max=2).data, np.minimum(t.data, 2))
    assert ag.cat([t, t]).shape == (4, 3) and ag.cat([t, t], dim=-1).shape == (2, 6)


# ------------------------------------------------------------------ Module.to


def _model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


@pytest.mark.parametrize(("method", "dtype"), [("float", np.float32), ("half", np.float16), ("double", np.float64)])
def test_module_conversion_keeps_parameter_identity_and_converts_buffers(method, dtype):
    model = _model().double()
    before = list(model.parameters())
    assert getattr(model, method)() is model
    after = list(model.parameters())
    assert all(a is b for a, b in zip(before, after, strict=True))
    assert all(p.dtype == dtype for p in after)
    buffers = dict(model.named_buffers())
    assert buffers["1.running_mean"].dtype == dtype and buffers["1.running_var"].dtype == dtype
    assert buffers["1.num_batches_tracked"].dtype.kind in "iu"  # counters stay integers
    assert model.state_dict()["0.weight"].dtype == dtype


def test_module_to_accepts_pytorch_forms():
    model = _model()
    assert model.to("cpu") is model and model.to("cpu", np.float32) is model
    assert next(model.parameters()).dtype == np.float32
    model.to(dtype=np.float64)
    assert next(model.parameters()).dtype == np.float64
    model.to(ag.zeros(1, dtype=np.float32))
    assert next(model.parameters()).dtype == np.float32
    with pytest.raises(ArgumentTypeError, match="must stay floating point"):
        model.to(np.int32)


def test_module_conversion_bumps_versions_and_training_goes_on():
    model = _model()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    x = ag.randn(5, 3)
    loss = model(x).sum()
    model.float()
    with pytest.raises(InplaceModificationError):
        loss.backward()  # the graph saved the float64 weights, which were replaced
    loss = (model(x.float()) ** 2).sum()
    assert loss.dtype == np.float32
    loss.backward()
    w = model[0].weight
    old = w.data.copy()
    opt.step()
    assert w.dtype == np.float32 and w.grad.dtype == np.float32 and not np.array_equal(w.data, old)
    model.double()
    assert w.grad.dtype == np.float64  # gradients follow their parameters


def test_loss_buffers_follow_the_module_dtype():
    loss = nn.BCEWithLogitsLoss(pos_weight=np.array([1.0, 3.0]))
    loss.float()
    assert loss.pos_weight.dtype == np.float32
    z = ag.zeros(4, 2, dtype=np.float32, requires_grad=True)
    out = loss(z, np.ones((4, 2)))
    assert out.dtype == np.float32


def test_pytorch_names_amax_amin_mm_chunk_norm_mT_and_type_strings():
    x = ag.tensor([[3.0, 4.0], [0.0, 1.0]], requires_grad=True)
    np.testing.assert_array_equal(ag.amax(x, dim=1).data, [4.0, 1.0])
    np.testing.assert_array_equal(x.amin(dim=0).data, [0.0, 1.0])
    np.testing.assert_array_equal(x.mT.data, x.data.T)
    np.testing.assert_array_equal(ag.mm(x, x).data, x.data @ x.data)
    assert [c.shape for c in ag.chunk(ag.arange(6.0), 4)] == [(2,), (2,), (2,)]  # torch.chunk: ⌈6/4⌉ each
    np.testing.assert_allclose(x.norm().item(), np.sqrt(26.0))
    np.testing.assert_allclose(x.norm(1, dim=1).data, [7.0, 1.0])
    x.norm().backward()
    np.testing.assert_allclose(x.grad.data, x.data / np.sqrt(26.0))
    assert x.type("torch.FloatTensor").dtype == np.float32 and x.type("torch.LongTensor").dtype == np.int64


def test_functional_normalize_one_hot_pad_match_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    import nn.functional as F

    z = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(F.normalize(ag.tensor(z)).data, TF.normalize(torch.tensor(z)).numpy())
    np.testing.assert_allclose(
        F.normalize(ag.tensor(z), p=1, dim=0).data, TF.normalize(torch.tensor(z), p=1, dim=0).numpy()
    )
    labels = np.array([0, 2, 1])
    np.testing.assert_array_equal(F.one_hot(labels).data, TF.one_hot(torch.tensor(labels)).numpy())
    np.testing.assert_array_equal(F.one_hot(labels, 5).data, TF.one_hot(torch.tensor(labels), 5).numpy())
    for widths in [(1, 2), (0, 1, 2, 0)]:
        np.testing.assert_array_equal(
            F.pad(ag.tensor(z), widths, value=7.0).data, TF.pad(torch.tensor(z), widths, value=7.0).numpy()
        )
