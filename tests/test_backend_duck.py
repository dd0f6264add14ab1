"""The engine never converts a backend array to host memory behind the user's back.

Every test here runs on ``StrictArray`` (tests/duck_array.py), a CPU array
that behaves as CuPy's does: numpy's functions and ufuncs work on it through
``__array_function__``/``__array_ufunc__``, while ``np.asarray``, ``float()``,
``bool()``, ``.item()`` and numpy arrays mixed into its operations raise. It is
registered as the pseudo-device "strict", so the device plumbing
(``device=``, ``.to()``, ``.cpu()``, ``Module.to``) is the one CUDA uses.
Values and gradients are compared with the same computation on numpy arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from duck_array import ImplicitConversionError, StrictArray, registered
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from primitive_cases import draw_case

import autograd_core as ag
from autograd_core.errors import DeviceError

NAMES = sorted(ag.REGISTRY)


@pytest.fixture(autouse=True)
def strict_device():
    with registered():
        yield


def on_strict(x: np.ndarray, requires_grad: bool = False) -> ag.Tensor:
    return ag.tensor(x, requires_grad=requires_grad, device="strict")


def assert_strict(t: ag.Tensor) -> None:
    assert isinstance(t.data, StrictArray), f"left the device: {type(t.data).__name__}"
    assert t.device == "strict"


# ------------------------------------------------------------------ the duck array is faithful
def test_the_duck_array_refuses_what_cupy_refuses():
    s = StrictArray(np.ones(3))
    for convert in (np.asarray, np.array, float, bool, lambda a: a.item(), lambda a: a.tolist()):
        with pytest.raises((ImplicitConversionError, TypeError)):
            convert(s)
    with pytest.raises(TypeError, match="Unsupported type"):
        s + np.ones(3)
    assert isinstance(np.tanh(s), StrictArray) and isinstance(np.concatenate([s, s]), StrictArray)


def test_a_backend_array_makes_a_tensor_on_its_device_and_copies_back_only_on_request():
    s = StrictArray(np.arange(3.0))
    t = ag.tensor(s)
    assert_strict(t)
    assert t.data is not s  # tensor() copies, on the device
    assert ag.as_tensor(s).data is s  # as_tensor shares
    assert np.array_equal(t.numpy(), [0.0, 1.0, 2.0]) and type(t.numpy()) is np.ndarray
    assert t.tolist() == [0.0, 1.0, 2.0] and ag.tensor(s)[1].item() == 1.0
    assert "device='strict'" in repr(t)
    with pytest.raises(ag.errors.ArgumentTypeError, match=r"t.numpy\(\) or t.cpu\(\)"):
        np.asarray(t)


def test_to_cpu_and_back_is_differentiable():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("strict")
    assert_strict(y)
    z = (y * y).cpu()
    assert type(z.data) is np.ndarray and z.device == "cpu"
    z.sum().backward()
    assert type(x.grad.data) is np.ndarray and np.allclose(x.grad.data, [2.0, 4.0])
    assert y.to("strict") is y and x.to("cpu") is x


def test_creation_functions_take_a_device():
    for t in (
        ag.zeros(2, 3, device="strict"),
        ag.ones(2, device="strict"),
        ag.full((2,), 7.0, device="strict"),
        ag.eye(3, device="strict"),
        ag.arange(4, device="strict"),
        ag.linspace(0, 1, 5, device="strict"),
        ag.empty(2, device="strict"),
        ag.rand(3, device="strict"),
        ag.randn(3, device="strict"),
    ):
        assert_strict(t)
    like = ag.zeros(2, device="strict")
    for t in (ag.zeros_like(like), ag.ones_like(like), ag.full_like(like, 2.0), ag.randn_like(like)):
        assert_strict(t)
    assert type(ag.zeros_like(like, device="cpu").data) is np.ndarray


def test_mixing_devices_names_both():
    a, b = ag.ones(2, device="strict"), ag.ones(2)
    for op in (lambda: a + b, lambda: b * a, lambda: a @ b, lambda: ag.concatenate([a, b]), lambda: a + np.ones(2)):
        with pytest.raises(DeviceError, match="'strict' and 'cpu'|'cpu' and 'strict'"):
            op()
    assert_strict(a + [1.0, 2.0])  # a Python literal has no device: it is made where the tensor is
    assert_strict(a * np.float32(2) + np.array(1.0))  # numbers and 0-d arrays too


def test_unknown_devices_and_a_cuda_without_cupy_are_library_errors():
    with pytest.raises(DeviceError, match="unknown device 'gpu'.*'strict'"):
        ag.ones(2).to("gpu")


# ------------------------------------------------------------------ every registered primitive
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_forward_vjp_and_jvp_stay_on_the_device(name, data):
    case = draw_case(data, name)
    ref_inputs = [ag.tensor(x, requires_grad=True) for x in case.inputs]
    ref = case.fn(*ref_inputs)
    seed = np.random.default_rng(1).standard_normal(ref.shape)
    ref.backward(seed)

    inputs = [on_strict(x, requires_grad=True) for x in case.inputs]
    out = case.fn(*inputs)
    if name != "to_device":  # its case copies to "cpu" on purpose
        assert_strict(out)
    np.testing.assert_allclose(out.numpy(), ref.data, rtol=1e-12, atol=1e-12)
    out.backward(ag.tensor(seed, device=out.device))
    for x, r in zip(inputs, ref_inputs):
        assert_strict(x.grad)
        np.testing.assert_allclose(x.grad.numpy(), r.grad.data, rtol=1e-10, atol=1e-12)

    rng = np.random.default_rng(2)
    vs = [rng.standard_normal(np.shape(x)) for x in case.inputs]
    _, ref_tangent = ag.jvp(case.fn, [ag.tensor(x) for x in case.inputs], vs)
    _, tangent = ag.jvp(case.fn, [on_strict(x) for x in case.inputs], [on_strict(v) for v in vs])
    if name != "to_device":
        assert_strict(tangent)
    np.testing.assert_allclose(tangent.numpy(), ref_tangent.data, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ transforms
def f(x):
    return (ag.tanh(x) * x).sum() + (x**3).mean()


def test_grad_jacfwd_jacrev_hessian_and_vmap_stay_on_the_device():
    x = np.random.default_rng(0).standard_normal(4)
    xs = on_strict(x)
    for transform in (ag.grad, ag.jacrev, ag.jacfwd, ag.hessian):
        got, want = transform(f)(xs), transform(f)(ag.tensor(x))
        assert_strict(got)
        np.testing.assert_allclose(got.numpy(), want.data, rtol=1e-12)
    batch = np.random.default_rng(1).standard_normal((3, 4))
    got = ag.vmap(ag.grad(f))(on_strict(batch))
    assert_strict(got)
    np.testing.assert_allclose(got.numpy(), ag.vmap(ag.grad(f))(ag.tensor(batch)).data, rtol=1e-12)


def test_second_derivatives_through_masks_made_on_the_device():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, 3.0]])

    def g(v):
        return (ag.cumprod(v, axis=1) ** 2).sum()

    got, want = ag.hessian(g)(on_strict(x)), ag.hessian(g)(ag.tensor(x))
    assert_strict(got)
    np.testing.assert_allclose(got.numpy(), want.data, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ nn
import nn  # noqa: E402

OPTIMIZERS = {
    "SGD": lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "Adam": lambda ps: nn.optim.Adam(ps, lr=0.01, weight_decay=1e-3),
    "AdamW": lambda ps: nn.optim.AdamW(ps, lr=0.01),
    "RMSprop": lambda ps: nn.optim.RMSprop(ps, lr=0.01, momentum=0.5),
    "Adagrad": lambda ps: nn.optim.Adagrad(ps, lr=0.05),
    "LBFGS": lambda ps: nn.optim.LBFGS(ps),
    "ConjugateGradient": lambda ps: nn.optim.ConjugateGradient(ps),
}


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(5, 8, rng=0), nn.Tanh(), nn.Linear(8, 3, rng=1))


def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((40, 5)), rng.integers(0, 3, 40)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_an_mlp_trains_on_the_device_as_on_numpy_with_every_optimizer(name):
    X, y = data()
    losses = {}
    for device in ("cpu", "strict"):
        model = mlp().to(device)
        opt = OPTIMIZERS[name](list(model.parameters()))
        xb, yb = ag.tensor(X, device=device), ag.tensor(y, device=device)

        def closure(model=model, opt=opt, xb=xb, yb=yb):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            return loss

        for _ in range(3):
            opt.step(closure)
        losses[device] = closure().item()
        if device == "strict":
            for p in model.parameters():
                assert_strict(p)
                assert_strict(p.grad)
    assert losses["strict"] == pytest.approx(losses["cpu"], rel=1e-10)


def test_fit_moves_host_batches_to_the_model_and_matches_numpy():
    X, y = data()
    histories = {}
    for device in ("cpu", "strict"):
        model = mlp().to(device)
        opt = nn.optim.Adam(model.parameters(), lr=0.01)
        loader = nn.data.DataLoader(X, y, batch_size=16, rng=0)  # host data: fit copies each batch to the model
        val = nn.data.DataLoader(X, y, batch_size=20, shuffle=False, device=device)
        histories[device] = nn.fit(
            model, nn.CrossEntropyLoss(), opt, loader, epochs=2, val_loader=val, metrics=["accuracy"]
        )
    for key in ("loss", "val_loss", "accuracy"):
        np.testing.assert_allclose(histories["strict"][key], histories["cpu"][key], rtol=1e-10)


def test_a_dataloader_with_a_device_yields_batches_there():
    X, y = data()
    for xb, yb in nn.data.DataLoader(X, y, batch_size=16, device="strict"):
        assert_strict(xb) and assert_strict(yb)
    for xb, _ in nn.data.DataLoader(StrictArray(X), StrictArray(y), batch_size=16):  # data already on the device
        assert_strict(xb)


def test_save_copies_to_host_and_load_places_on_a_device(tmp_path):
    model = mlp().to("strict")
    nn.save(model.state_dict(), tmp_path / "m.npz")
    on_host = nn.load(tmp_path / "m.npz")
    assert all(type(v) is np.ndarray for v in on_host.values())
    for v in nn.load(tmp_path / "m.npz", device="strict").values():
        assert isinstance(v, StrictArray)
    other = mlp().to("strict")
    for p in other.parameters():
        p.data *= 0.0
    other.load_state_dict(on_host)  # host arrays are copied to the model's device
    for p, q in zip(model.parameters(), other.parameters()):
        assert_strict(q)
        assert np.array_equal(p.numpy(), q.numpy())
    assert model.to("cpu").device == "cpu" and type(next(iter(model.parameters())).data) is np.ndarray


def test_pictures_copy_values_to_host():
    import viz

    model = mlp().to("strict")
    X, y = data()
    loss = nn.CrossEntropyLoss()(model(ag.tensor(X[:4], device="strict")), ag.tensor(y[:4], device="strict"))
    loss.backward()
    picture = viz.draw_graph(loss)
    assert "digraph" in picture.source
