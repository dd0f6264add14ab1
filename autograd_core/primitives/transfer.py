"""Copies between devices: ``t.to("cuda")``, ``t.cpu()`` as a differentiable operation.

The forward copies the array to the target device; the cotangent goes back
to the operand's device, the tangent to the target's (a copy is linear and
its Jacobian is the identity on the values).
"""

from __future__ import annotations

from typing import Any

from .. import backend, batching
from ..registry import primitive
from ..tensor import Tensor

Operand = Any  # Tensor, array or Python number


def _device(x: Any) -> str:
    """The device of a Tensor or an array, as a string (rules see both)."""
    return str(x.device if isinstance(x, Tensor) else backend.device_of(x))


@primitive(
    vjp=(lambda g, y, x, device: to_device.primitive.bind(g, device=_device(x)),),
    jvp=(lambda t, y, x, device: to_device.primitive.bind(t, device=device),),
    formula="y = x copied to device",
    vjp_text="x̄ = ȳ copied back to x's device",
    jvp_text="ẏ = ẋ copied to device",
    sets_dtype=True,
    batch=batching.leading,
    name="to_device",
    export=False,
)
def to_device(x: Operand, /, device: str) -> Any:
    """y = x, in the memory of ``device`` ("cpu", "cuda:0", ...): always a new array, an explicit copy."""
    if backend.same_device(x, device):
        return backend.copy(x)
    return backend.to_device(x, device)
