"""On a GPU: CuPy tensors give the numpy backend's values and gradients (skipped without CuPy and a GPU).

Marked ``cuda``; ``pytest -m cuda`` runs only these. Every registered
primitive's forward, VJP and JVP on "cuda" are compared with the same case on
"cpu" to float tolerance, and an MLP trains to the same loss on both.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from primitive_cases import draw_case

import autograd_core as ag
import nn


def _gpu() -> bool:
    try:
        import cupy
    except ImportError:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no driver: CuPy raises its own runtime error
        return False


pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not _gpu(), reason="needs CuPy and a CUDA GPU")]

NAMES = sorted(ag.REGISTRY)

#: (rtol, atol) for values, gradients and tangents. The default allows for a different summation
#: order (GPU reductions, cuBLAS) in float64; factorisations compare cuSOLVER with LAPACK, which
#: pivot and iterate differently: their inputs are well conditioned (primitive_cases.py), and their
#: results agree to about cond·eps, so they get a looser bound. det's case is an unconditioned
#: normal matrix (its gradient is the adjugate, cond·eps relative), the special functions come
#: from cupyx.scipy.special's own implementations.
DEFAULT_TOLERANCE = (1e-8, 1e-9)
LAPACK_TOLERANCE = (1e-6, 1e-8)
TOLERANCES = {
    **dict.fromkeys(("inv", "solve", "slogdet", "slogdet_sign", "cholesky", "svd"), LAPACK_TOLERANCE),
    "det": (1e-5, 1e-7),
    **dict.fromkeys(("erf", "erfc", "erfinv", "gelu"), (1e-7, 1e-10)),
}


def assert_cuda(t: ag.Tensor) -> None:
    import cupy

    assert isinstance(t.data, cupy.ndarray) and t.device.type == "cuda"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_values_and_gradients_equal_the_numpy_backend(name, data):
    rtol, atol = TOLERANCES.get(name, DEFAULT_TOLERANCE)
    case = draw_case(data, name)
    ref_inputs = [ag.tensor(x, requires_grad=True) for x in case.inputs]
    ref = case.fn(*ref_inputs)
    seed = np.random.default_rng(1).standard_normal(ref.shape)
    ref.backward(seed)

    inputs = [ag.tensor(x, requires_grad=True, device="cuda") for x in case.inputs]
    out = case.fn(*inputs)
    if name != "to_device":
        assert_cuda(out)
    np.testing.assert_allclose(out.numpy(), ref.data, rtol=rtol, atol=atol)
    out.backward(ag.tensor(seed, device=out.device))
    for x, r in zip(inputs, ref_inputs):
        assert_cuda(x.grad)
        np.testing.assert_allclose(x.grad.numpy(), r.grad.data, rtol=rtol, atol=atol)

    rng = np.random.default_rng(2)
    vs = [rng.standard_normal(np.shape(x)) for x in case.inputs]
    _, ref_tangent = ag.jvp(case.fn, [ag.tensor(x) for x in case.inputs], vs)
    _, tangent = ag.jvp(
        case.fn, [ag.tensor(x, device="cuda") for x in case.inputs], [ag.tensor(v, device="cuda") for v in vs]
    )
    np.testing.assert_allclose(tangent.numpy(), ref_tangent.data, rtol=rtol, atol=atol)


def test_an_mlp_trains_to_the_same_loss():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((256, 20)), rng.integers(0, 4, 256)
    histories = {}
    for device in ("cpu", "cuda"):
        model = nn.Sequential(nn.Linear(20, 32, rng=0), nn.ReLU(), nn.Linear(32, 4, rng=1)).to(device)
        opt = nn.optim.Adam(model.parameters(), lr=0.01)
        loader = nn.data.DataLoader(X, y, batch_size=64, rng=0)
        histories[device] = nn.fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=3)
        if device == "cuda":
            for p in model.parameters():
                assert_cuda(p)
    np.testing.assert_allclose(histories["cuda"]["loss"], histories["cpu"]["loss"], rtol=1e-6)


def test_random_numbers_are_drawn_on_the_gpu_and_repeat_after_manual_seed():
    ag.manual_seed(3)
    a = ag.randn(1000, device="cuda", dtype=np.float32)
    ag.manual_seed(3)
    b = ag.randn(1000, device="cuda", dtype=np.float32)
    assert_cuda(a)
    assert a.dtype == np.float32 and np.array_equal(a.numpy(), b.numpy())
    assert abs(float(a.numpy().mean())) < 0.15


def test_mixing_devices_names_both():
    with pytest.raises(ag.errors.DeviceError, match="cuda:0.*cpu|cpu.*cuda:0"):
        ag.ones(2, device="cuda") + ag.ones(2)
