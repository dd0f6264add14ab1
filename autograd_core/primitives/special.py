"""The error function family and GELU, from ``scipy.special`` (an optional dependency).

scipy is imported on first use, never when the library loads; without it
these functions raise ``MissingDependencyError`` naming the install. The
derivatives need only exp: erf′(x) = (2/√π)·e^(−x²), and
erfinv′(x) = (√π/2)·e^(erfinv(x)²).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..backend import CUDA, backend_of
from ..errors import InvalidArgumentError, MissingDependencyError
from .elementwise import elementwise

Operand = Any  # Tensor, array or Python number

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0
INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715  # the tanh approximation's coefficient (Hendrycks & Gimpel)
SCIPY_EXTRA = "pip install scipy (or pip install 'autograd-core[scipy]')"

_special: Any = None


def scipy_special() -> Any:
    """The ``scipy.special`` module, imported on first use; ``MissingDependencyError`` when scipy is missing."""
    global _special
    if _special is None:
        try:
            from scipy import special
        except ImportError as err:
            raise MissingDependencyError(
                f"erf, erfc, erfinv and the exact gelu use scipy.special, which is not installed; {SCIPY_EXTRA}"
            ) from err
        _special = special
    return _special


def _special_fn(name: str, x: np.ndarray) -> np.ndarray:
    """scipy.special.<name>(x), in x's float dtype (scipy computes float16 in float32).

    A CuPy array is computed on its GPU by ``cupyx.scipy.special`` (CuPy's
    ufuncs do not answer for scipy's); other arrays go through scipy's ufunc,
    which dispatches on ``__array_ufunc__``.
    """
    if type(x) is not np.ndarray and backend_of(x) is CUDA:
        from cupyx.scipy import special as device_special

        out = getattr(device_special, name)(x)
    else:
        out = getattr(scipy_special(), name)(x)
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f" and out.dtype != dtype:
        out = out.astype(dtype)
    return out


@elementwise(
    lambda y, x: TWO_OVER_SQRT_PI * np.exp(-(x * x)),
    formula="y = erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt",
    vjp_text="x̄ = ȳ·(2/√π)·e^(−x²)",
    jvp_text="ẏ = ẋ·(2/√π)·e^(−x²)",
    method=True,
)
def erf(x: Operand, /) -> np.ndarray:
    """y = erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt (scipy.special.erf); dy/dx = (2/√π)·e^(−x²).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> print(np.round(ag.erf(x).detach(), 4))
    tensor([0.    , 0.8427])
    >>> ag.erf(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # (2/√π)·e^(−x²)
    tensor([1.1284, 0.4151])
    """
    return _special_fn("erf", x)


@elementwise(
    lambda y, x: -TWO_OVER_SQRT_PI * np.exp(-(x * x)),
    formula="y = erfc(x) = 1 − erf(x)",
    vjp_text="x̄ = −ȳ·(2/√π)·e^(−x²)",
    jvp_text="ẏ = −ẋ·(2/√π)·e^(−x²)",
    method=True,
)
def erfc(x: Operand, /) -> np.ndarray:
    """y = 1 − erf(x), accurate where erf(x) is near 1 (scipy.special.erfc); dy/dx = −(2/√π)·e^(−x²).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> print(np.round(ag.erfc(x).detach(), 4))
    tensor([1.    , 0.1573])
    >>> print(f"{float(ag.erfc(ag.tensor(10.0))):.4e}")  # where 1 − erf(x) would round to 0
    2.0885e-45
    >>> ag.erfc(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # −(2/√π)·e^(−x²)
    tensor([-1.1284, -0.4151])
    """
    return _special_fn("erfc", x)


@elementwise(
    lambda y, x: SQRT_PI_OVER_TWO * np.exp(y * y),
    formula="y = erf⁻¹(x)",
    vjp_text="x̄ = ȳ·(√π/2)·e^(y²)",
    jvp_text="ẏ = ẋ·(√π/2)·e^(y²)",
    method=True,
)
def erfinv(x: Operand, /) -> np.ndarray:
    """y = erf⁻¹(x) on (−1, 1) (±inf at ±1; scipy.special.erfinv); dy/dx = (√π/2)·e^(y²).

    >>> x = ag.tensor([0.0, 0.5], requires_grad=True)
    >>> print(np.round(ag.erfinv(x).detach(), 4))
    tensor([0.    , 0.4769])
    >>> print(np.round(ag.erf(ag.erfinv(x)).detach(), 4))  # the inverse
    tensor([0. , 0.5])
    >>> ag.erfinv(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # (√π/2)·e^(y²)
    tensor([0.8862, 1.1126])
    """
    return _special_fn("erfinv", x)


# ------------------------------------------------------------------------ GELU
GELU_APPROXIMATIONS = ("none", "tanh")


def _gelu_params(x: Any, approximate: str = "none") -> dict[str, Any]:
    if approximate not in GELU_APPROXIMATIONS:
        raise InvalidArgumentError(f"gelu: approximate must be 'none' (exact, erf) or 'tanh', not {approximate!r}")
    return {"approximate": approximate}


def _gelu_slope(y, x, approximate):
    """dy/dx: Φ(x) + x·φ(x) exactly, or the derivative of the tanh formula."""
    if approximate == "tanh":
        x2 = x * x
        t = np.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x2 * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x2))
    cdf = 0.5 * erfc.primitive.bind(-x * INV_SQRT2)  # Φ(x) = ½·erfc(−x/√2): no cancellation for x ≪ 0
    return cdf + x * (INV_SQRT_2PI * np.exp(-0.5 * (x * x)))


@elementwise(
    _gelu_slope,
    formula="y = x·Φ(x) (or ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))))",
    vjp_text="x̄ = ȳ·(Φ(x) + x·φ(x))",
    jvp_text="ẏ = ẋ·(Φ(x) + x·φ(x))",
    method=True,
    prepare=_gelu_params,
)
def gelu(x: Operand, /, approximate: str = "none") -> np.ndarray:
    """GELU, y = x·Φ(x) with Φ the standard normal CDF; dy/dx = Φ(x) + x·φ(x).

    ``approximate="tanh"`` gives PyTorch's approximation
    y = ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))), which needs no scipy; the
    exact form computes Φ(x) = ½·erfc(−x/√2) with scipy.special.

    >>> x = ag.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    >>> print(np.round(ag.gelu(x).detach(), 4))  # x·Φ(x)
    tensor([-0.1587,  0.    ,  0.8413])
    >>> print(np.round(ag.gelu(x, approximate="tanh").detach(), 4))
    tensor([-0.1588,  0.    ,  0.8412])
    >>> ag.gelu(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # Φ(x) + x·φ(x)
    tensor([-0.0833,  0.5   ,  1.0833])
    """
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * (x * x * x))))
    return x * (0.5 * _special_fn("erfc", -x * INV_SQRT2))
