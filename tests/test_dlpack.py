"""DLPack: Tensors share memory with numpy, PyTorch and JAX in both directions, without copying."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, GradientError, InvalidArgumentError


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _aligned(shape, dtype, alignment=64) -> np.ndarray:
    """A zeroed array whose buffer starts on an ``alignment``-byte boundary (JAX imports only those without copying)."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    raw = np.zeros(n * dtype.itemsize + alignment, np.uint8)
    offset = (-_address(raw)) % alignment
    return raw[offset : offset + n * dtype.itemsize].view(dtype).reshape(shape)


# ------------------------------------------------------------------------- numpy


# numpy exports booleans through DLPack from version 2 on.
DTYPES = ["float16", "float32", "float64", "int32", "int64"] + (
    ["bool"] if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else []
)


@pytest.mark.skipif(
    np.lib.NumpyVersion(np.__version__) < "2.0.0",
    reason="numpy < 2 imports DLPack capsules read-only and cannot export read-only arrays",
)
@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_reads_the_tensor_memory(dtype):
    t = ag.tensor(np.arange(6).reshape(2, 3).astype(dtype))
    a = np.from_dlpack(t)
    assert a.dtype == t.dtype and a.shape == t.shape
    assert np.shares_memory(a, t.data)
    if dtype != "bool":
        a[1, 2] = 5
        assert t.data[1, 2] == 5


def test_tensor_from_numpy_shares_memory_and_strides():
    a = np.arange(12.0).reshape(3, 4)
    view = a.T  # not C-contiguous: the strides travel with the capsule
    t = ag.from_dlpack(view)
    assert t.is_leaf and not t.requires_grad and t.shape == (4, 3)
    assert np.shares_memory(t.data, a)
    np.testing.assert_array_equal(t.data, view)
    a[0, 1] = -1.0
    assert t.data[1, 0] == -1.0


@pytest.mark.skipif(
    np.lib.NumpyVersion(np.__version__) < "2.0.0",
    reason="numpy < 2 imports DLPack capsules read-only and cannot export read-only arrays",
)
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
def test_edge_shapes_round_trip(shape):
    t = ag.tensor(np.ones(shape))
    back = ag.from_dlpack(np.from_dlpack(t))
    assert back.shape == shape and back.dtype == t.dtype
    np.testing.assert_array_equal(back.data, t.data)


def test_device_is_the_cpu():
    assert ag.tensor([1.0]).__dlpack_device__() == (1, 0)


def test_tensor_round_trips_through_itself():
    t = ag.tensor([1.0, 2.0])
    u = ag.from_dlpack(t)
    assert u is not t and np.shares_memory(u.data, t.data)


def test_a_tensor_that_requires_grad_is_not_exported():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GradientError, match=r"detach\(\)"):
        np.from_dlpack(w)
    assert np.shares_memory(np.from_dlpack(w.detach()), w.data)


def test_imported_memory_takes_part_in_autograd():
    a = np.array([1.0, 2.0, 3.0])
    x = ag.from_dlpack(a).requires_grad_()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2 * a)


def test_objects_without_the_protocol_are_refused():
    with pytest.raises(ArgumentTypeError, match="DLPack protocol"):
        ag.from_dlpack([1.0, 2.0])


def test_memory_on_an_accelerator_is_refused():
    class OnGPU:
        def __dlpack__(self, **kwargs):
            raise AssertionError("must not be asked for its capsule")

        def __dlpack_device__(self):
            return (2, 0)  # kDLCUDA

    with pytest.raises(InvalidArgumentError, match="CPU"):
        ag.from_dlpack(OnGPU())


# ----------------------------------------------------------------------- PyTorch


def test_torch_shares_the_tensor_memory_both_ways():
    torch = pytest.importorskip("torch")
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    tt = torch.from_dlpack(t)
    assert tt.dtype == torch.float32 and tt.data_ptr() == _address(t.data)
    tt[0, 0] = 10.0
    assert t.data[0, 0] == 10.0

    source = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    u = ag.from_dlpack(source)
    assert _address(u.data) == source.data_ptr() and u.dtype == np.float64
    source[1, 1] = -7.0
    assert u.data[1, 1] == -7.0


def test_torch_tensor_requiring_grad_is_refused_with_the_fix():
    torch = pytest.importorskip("torch")
    with pytest.raises(InvalidArgumentError, match="detach"):
        ag.from_dlpack(torch.ones(2, requires_grad=True))


# --------------------------------------------------------------------------- JAX


def test_jax_arrays_are_shared_read_only():
    pytest.importorskip("jax")
    import jax.numpy as jnp

    j = jnp.arange(8.0).reshape(2, 4)
    t = ag.from_dlpack(j)
    assert _address(t.data) == j.unsafe_buffer_pointer()
    np.testing.assert_array_equal(t.data, np.asarray(j))
    assert not t.data.flags.writeable  # JAX arrays are immutable


def test_jax_imports_an_aligned_tensor_without_copying():
    jax = pytest.importorskip("jax")

    t = ag.as_tensor(_aligned((4, 4), np.float32))
    t.data[...] = np.arange(16.0).reshape(4, 4)
    j = jax.dlpack.from_dlpack(t)
    assert j.unsafe_buffer_pointer() == _address(t.data)
    np.testing.assert_array_equal(np.asarray(j), t.data)
