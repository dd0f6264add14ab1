"""DLPack: sharing a Tensor's memory with other array libraries (numpy, PyTorch, JAX, CuPy, …) without copying.

DLPack is the array-exchange protocol of the Python array API: a producer
exposes ``__dlpack__()`` (a capsule describing its buffer: pointer, shape,
strides, dtype, device) and ``__dlpack_device__()``; a consumer's
``from_dlpack(x)`` wraps the same buffer. A Tensor's data is a numpy array
on the CPU, so both directions delegate to numpy's implementation:

* ``Tensor.__dlpack__`` / ``Tensor.__dlpack_device__`` export ``t.data``, so
  ``torch.from_dlpack(t)``, ``np.from_dlpack(t)`` or ``jax.dlpack.from_dlpack(t)``
  see the tensor's memory: a write on one side shows on the other.
* ``from_dlpack(x)`` wraps any CPU producer's buffer as a leaf Tensor.

As ``torch.Tensor.__dlpack__`` does, a tensor that requires grad is not
exported (a write through the other library would change a value the graph
saved, unseen); export ``t.detach()``, which shares the same memory.
JAX copies on import unless the buffer is 64-byte aligned (its own rule),
and JAX arrays are immutable, so a tensor made from one is read-only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ArgumentTypeError, GradientError, InvalidArgumentError
from .tensor import Tensor, wrap

# DLPack's device type codes (DLDeviceType) for host memory numpy can read: CPU, CUDA and ROCm
# pinned host memory, CUDA managed memory.
HOST_DEVICES = (1, 3, 11, 13)


def export_capsule(t: Tensor, **kwargs: Any) -> Any:
    """The DLPack capsule of ``t.data`` (numpy's ``ndarray.__dlpack__``), refusing a tensor that requires grad.

    Only the keywords the consumer gave (stream, max_version, dl_device,
    copy) are passed on, so an older numpy that knows only ``stream``
    answers a newer consumer with the TypeError it expects to fall back on.
    """
    if t.requires_grad:
        raise GradientError(
            "cannot export a tensor that requires grad through DLPack: writes made by the other library would "
            "bypass autograd. Export t.detach() (it shares the same memory) instead"
        )
    return t.data.__dlpack__(**{k: v for k, v in kwargs.items() if v is not None})


def from_dlpack(x: Any) -> Tensor:
    """A leaf Tensor sharing the memory of ``x``, any object with ``__dlpack__`` on the CPU (no copy).

    ``x`` may be a PyTorch tensor (without grad; pass ``x.detach()``), a JAX
    array, a numpy array, a Tensor, or anything else that implements the
    protocol. The tensor keeps ``x``'s dtype and strides; writes through
    either side show in the other (a JAX array is immutable, so its tensor
    is read-only). Memory on an accelerator raises ``InvalidArgumentError``:
    move it to the CPU first.

    >>> a = np.arange(3.0)
    >>> t = ag.from_dlpack(a)
    >>> a[0] = 10.0
    >>> t
    tensor([10.,  1.,  2.])
    """
    if not hasattr(x, "__dlpack__") or not hasattr(x, "__dlpack_device__"):
        raise ArgumentTypeError(
            f"from_dlpack needs an object implementing the DLPack protocol (__dlpack__ and __dlpack_device__), "
            f"such as a PyTorch tensor, a JAX array or a numpy array, not {type(x).__name__}"
        )
    device_type, device_id = x.__dlpack_device__()
    if int(device_type) not in HOST_DEVICES:
        raise InvalidArgumentError(
            f"from_dlpack: the {type(x).__name__} lives on device (type {int(device_type)}, id {int(device_id)}), not "
            "in host memory; tensors hold numpy arrays on the CPU, so move it there first (e.g. x.cpu())"
        )
    try:
        data = np.from_dlpack(x)
    except (BufferError, RuntimeError, TypeError) as err:
        raise InvalidArgumentError(
            f"from_dlpack: the {type(x).__name__} could not be shared with numpy: {err}"
        ) from err
    return wrap(data)
