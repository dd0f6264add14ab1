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
