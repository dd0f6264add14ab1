"""Trigonometric, hyperbolic, logarithmic and exponential primitives beyond exp/log/sin/cos/tanh.

Each is declared from its derivative (``elementwise``): x̄ = ȳ·f′ and
ẏ = ẋ·f′. Derivatives are written with Python-float constants, so float32
and float16 stay in their precision. Where a derivative is 0/0 at one point
(``hypot`` and ``arctan2`` at the origin) it is taken as 0 there, selected
with ``np.where`` rather than left NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .elementwise import elementwise

Operand = Any  # Tensor, array or Python number

LN2 = math.log(2.0)
LN10 = math.log(10.0)


def safe_ratio(num: Any, den: Any) -> Any:
    """num / den, and 0 where den = 0 (the rules' choice at a removable 0/0)."""
    zero = den == 0
    return np.where(zero, 0, num / np.where(zero, 1, den))


# -------------------------------------------------------------- trigonometric
@elementwise(
    lambda y, x: 1 + y * y,
    formula="y = tan(x)",
    vjp_text="x̄ = ȳ·(1 + y²)",
    jvp_text="ẏ = ẋ·(1 + y²)",
    method=True,
    numpy=np.tan,
    kernel=np.tan,
)
def tan(x: Operand, /) -> np.ndarray:
    """y = tan x; dy/dx = 1 + tan² x = sec² x.

    >>> x = ag.tensor([0.0, np.pi / 4], requires_grad=True)
    >>> print(np.round(ag.tan(x).detach(), 4))
    tensor([0., 1.])
    >>> ag.tan(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1 + tan² x
    tensor([1., 2.])
    """
    return np.tan(x)


@elementwise(
    lambda y, x: 1 / np.sqrt(1 - x * x),
    formula="y = arcsin(x)",
    vjp_text="x̄ = ȳ / √(1 − x²)",
    jvp_text="ẏ = ẋ / √(1 − x²)",
    method=("arcsin", "asin"),
    numpy=np.arcsin,
    kernel=np.arcsin,
)
def arcsin(x: Operand, /) -> np.ndarray:
    """y = arcsin x on [−1, 1]; dy/dx = 1/√(1 − x²) (infinite at ±1).

    >>> x = ag.tensor([0.0, 0.5], requires_grad=True)
    >>> print(np.round(ag.arcsin(x).detach(), 4))  # π/6 at ½
    tensor([0.    , 0.5236])
    >>> ag.arcsin(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1/√(1 − x²)
    tensor([1.    , 1.1547])
    """
    return np.arcsin(x)


@elementwise(
    lambda y, x: -1 / np.sqrt(1 - x * x),
    formula="y = arccos(x)",
    vjp_text="x̄ = −ȳ / √(1 − x²)",
    jvp_text="ẏ = −ẋ / √(1 − x²)",
    method=("arccos", "acos"),
    numpy=np.arccos,
    kernel=np.arccos,
)
def arccos(x: Operand, /) -> np.ndarray:
    """y = arccos x on [−1, 1]; dy/dx = −1/√(1 − x²).

    >>> x = ag.tensor([0.0, 0.5], requires_grad=True)
    >>> print(np.round(ag.arccos(x).detach(), 4))  # π/2 and π/3
    tensor([1.5708, 1.0472])
    >>> ag.arccos(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # −1/√(1 − x²)
    tensor([-1.    , -1.1547])
    """
    return np.arccos(x)


@elementwise(
    lambda y, x: 1 / (1 + x * x),
    formula="y = arctan(x)",
    vjp_text="x̄ = ȳ / (1 + x²)",
    jvp_text="ẏ = ẋ / (1 + x²)",
    method=("arctan", "atan"),
    numpy=np.arctan,
    kernel=np.arctan,
)
def arctan(x: Operand, /) -> np.ndarray:
    """y = arctan x; dy/dx = 1/(1 + x²).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> print(np.round(ag.arctan(x).detach(), 4))  # π/4 at 1
    tensor([0.    , 0.7854])
    >>> ag.arctan(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1/(1 + x²)
    tensor([1. , 0.5])
    """
    return np.arctan(x)


@elementwise(
    lambda y, a, b: safe_ratio(b, a * a + b * b),
    lambda y, a, b: safe_ratio(-a, a * a + b * b),
    formula="y = arctan2(a, b) (the angle of the point (b, a))",
    vjp_text="ā = ȳ·b / (a² + b²), b̄ = −ȳ·a / (a² + b²)  (0 at the origin)",
    jvp_text="ẏ = (ȧ·b − ḃ·a) / (a² + b²)",
    promotes=True,
    method=("arctan2", "atan2"),
    numpy=np.arctan2,
    kernel=np.arctan2,
)
def arctan2(a: Operand, b: Operand, /) -> np.ndarray:
    """y = arctan2(a, b): the angle of (b, a) in (−π, π], quadrant-aware; ∂y/∂a = b/r², ∂y/∂b = −a/r².

    At the origin, where the angle is undefined, both derivatives are taken as 0.

    >>> a = ag.tensor([1.0, 1.0, 0.0], requires_grad=True)
    >>> b = ag.tensor([1.0, -1.0, 0.0], requires_grad=True)
    >>> print(np.round(ag.arctan2(a, b).detach(), 4))  # 45°, 135° (second quadrant), and 0 at the origin
    tensor([0.7854, 2.3562, 0.    ])
    >>> ag.arctan2(a, b).sum().backward()
    >>> print(np.round(a.grad, 4), np.round(b.grad, 4))  # b/r² and −a/r²; 0 at the origin
    tensor([ 0.5, -0.5,  0. ]) tensor([-0.5, -0.5,  0. ])
    """
    return np.arctan2(a, b)


@elementwise(
    lambda y, a, b: safe_ratio(a, y),
    lambda y, a, b: safe_ratio(b, y),
    formula="y = √(a² + b²)",
    vjp_text="ā = ȳ·a / y, b̄ = ȳ·b / y  (0 where y = 0)",
    jvp_text="ẏ = (ȧ·a + ḃ·b) / y",
    promotes=True,
    method=True,
    numpy=np.hypot,
    kernel=np.hypot,
)
def hypot(a: Operand, b: Operand, /) -> np.ndarray:
    """y = √(a² + b²) without overflow; ∂y/∂a = a/y, ∂y/∂b = b/y (taken as 0 at a = b = 0, the norm's subgradient).

    >>> a = ag.tensor([3.0, 0.0], requires_grad=True)
    >>> b = ag.tensor([4.0, 0.0], requires_grad=True)
    >>> print(ag.hypot(a, b))
    tensor([5., 0.], grad_fn=hypot)
    >>> ag.hypot(a, b).sum().backward()
    >>> print(a.grad, b.grad)  # a/y and b/y; 0 at the origin
    tensor([0.6, 0. ]) tensor([0.8, 0. ])
    >>> print(float(ag.hypot(3e200, 4e200)) / 1e200)  # no overflow in a² + b²
    5.0
    """
    return np.hypot(a, b)


# ------------------------------------------------------------------ hyperbolic
@elementwise(
    lambda y, x: np.cosh(x),
    formula="y = sinh(x)",
    vjp_text="x̄ = ȳ·cosh(x)",
    jvp_text="ẏ = ẋ·cosh(x)",
    method=True,
    numpy=np.sinh,
    kernel=np.sinh,
)
def sinh(x: Operand, /) -> np.ndarray:
    """y = sinh x = (eˣ − e⁻ˣ)/2; dy/dx = cosh x.

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> print(np.round(ag.sinh(x).detach(), 4))
    tensor([0.    , 1.1752])
    >>> ag.sinh(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # cosh x
    tensor([1.    , 1.5431])
    """
    return np.sinh(x)


@elementwise(
    lambda y, x: np.sinh(x),
    formula="y = cosh(x)",
    vjp_text="x̄ = ȳ·sinh(x)",
    jvp_text="ẏ = ẋ·sinh(x)",
    method=True,
    numpy=np.cosh,
    kernel=np.cosh,
)
def cosh(x: Operand, /) -> np.ndarray:
    """y = cosh x = (eˣ + e⁻ˣ)/2; dy/dx = sinh x.

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> print(np.round(ag.cosh(x).detach(), 4))
    tensor([1.    , 1.5431])
    >>> ag.cosh(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # sinh x
    tensor([0.    , 1.1752])
    """
    return np.cosh(x)


@elementwise(
    lambda y, x: 1 / np.sqrt(x * x + 1),
    formula="y = arsinh(x)",
    vjp_text="x̄ = ȳ / √(x² + 1)",
    jvp_text="ẏ = ẋ / √(x² + 1)",
    method=("arcsinh", "asinh"),
    numpy=np.arcsinh,
    kernel=np.arcsinh,
)
def arcsinh(x: Operand, /) -> np.ndarray:
    """y = arsinh x = log(x + √(x² + 1)); dy/dx = 1/√(x² + 1).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> print(np.round(ag.arcsinh(x).detach(), 4))
    tensor([0.    , 0.8814])
    >>> ag.arcsinh(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1/√(x² + 1)
    tensor([1.    , 0.7071])
    """
    return np.arcsinh(x)


@elementwise(
    lambda y, x: 1 / np.sqrt(x * x - 1),
    formula="y = arcosh(x)",
    vjp_text="x̄ = ȳ / √(x² − 1)",
    jvp_text="ẏ = ẋ / √(x² − 1)",
    method=("arccosh", "acosh"),
    numpy=np.arccosh,
    kernel=np.arccosh,
)
def arccosh(x: Operand, /) -> np.ndarray:
    """y = arcosh x = log(x + √(x² − 1)) for x ≥ 1; dy/dx = 1/√(x² − 1).

    >>> x = ag.tensor([2.0, 3.0], requires_grad=True)
    >>> print(np.round(ag.arccosh(x).detach(), 4))
    tensor([1.317 , 1.7627])
    >>> ag.arccosh(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1/√(x² − 1)
    tensor([0.5774, 0.3536])
    """
    return np.arccosh(x)


@elementwise(
    lambda y, x: 1 / (1 - x * x),
    formula="y = artanh(x)",
    vjp_text="x̄ = ȳ / (1 − x²)",
    jvp_text="ẏ = ẋ / (1 − x²)",
    method=("arctanh", "atanh"),
    numpy=np.arctanh,
    kernel=np.arctanh,
)
def arctanh(x: Operand, /) -> np.ndarray:
    """y = artanh x = ½·log((1 + x)/(1 − x)) on (−1, 1); dy/dx = 1/(1 − x²).

    >>> x = ag.tensor([0.0, 0.5], requires_grad=True)
    >>> print(np.round(ag.arctanh(x).detach(), 4))
    tensor([0.    , 0.5493])
    >>> ag.arctanh(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1/(1 − x²)
    tensor([1.    , 1.3333])
    """
    return np.arctanh(x)


# ------------------------------------------------------- logs and exponentials
@elementwise(
    lambda y, x: 1 / (x * LN2),
    formula="y = log₂(x)",
    vjp_text="x̄ = ȳ / (x·ln 2)",
    jvp_text="ẏ = ẋ / (x·ln 2)",
    method=True,
    numpy=np.log2,
    kernel=np.log2,
)
def log2(x: Operand, /) -> np.ndarray:
    """y = log₂ x; dy/dx = 1/(x·ln 2).

    >>> x = ag.tensor([1.0, 8.0], requires_grad=True)
    >>> print(ag.log2(x))
    tensor([0., 3.], grad_fn=log2)
    >>> ag.log2(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 1/(x·ln 2)
    tensor([1.4427, 0.1803])
    """
    return np.log2(x)


@elementwise(
    lambda y, x: 1 / (x * LN10),
    formula="y = log₁₀(x)",
    vjp_text="x̄ = ȳ / (x·ln 10)",
    jvp_text="ẏ = ẋ / (x·ln 10)",
    method=True,
    numpy=np.log10,
    kernel=np.log10,
)
def log10(x: Operand, /) -> np.ndarray:
    """y = log₁₀ x; dy/dx = 1/(x·ln 10).

    >>> x = ag.tensor([1.0, 100.0], requires_grad=True)
    >>> print(ag.log10(x))
    tensor([0., 2.], grad_fn=log10)
    >>> ag.log10(x).sum().backward()
    >>> print(np.round(x.grad, 5))  # 1/(x·ln 10)
    tensor([0.43429, 0.00434])
    """
    return np.log10(x)


@elementwise(
    lambda y, x: y * LN2,
    formula="y = 2ˣ",
    vjp_text="x̄ = ȳ·y·ln 2",
    jvp_text="ẏ = ẋ·y·ln 2",
    method=True,
    numpy=np.exp2,
    kernel=np.exp2,
)
def exp2(x: Operand, /) -> np.ndarray:
    """y = 2ˣ; dy/dx = 2ˣ·ln 2.

    >>> x = ag.tensor([0.0, 3.0], requires_grad=True)
    >>> print(ag.exp2(x))
    tensor([1., 8.], grad_fn=exp2)
    >>> ag.exp2(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # 2ˣ·ln 2
    tensor([0.6931, 5.5452])
    """
    return np.exp2(x)


@elementwise(
    lambda y, x: y + 1,
    formula="y = eˣ − 1",
    vjp_text="x̄ = ȳ·(y + 1)",
    jvp_text="ẏ = ẋ·(y + 1)",
    method=True,
    numpy=np.expm1,
    kernel=np.expm1,
)
def expm1(x: Operand, /) -> np.ndarray:
    """y = eˣ − 1, accurate for small x; dy/dx = eˣ = y + 1.

    >>> print(ag.expm1(ag.tensor([0.0, 1e-10])))  # exact where exp(x) − 1 loses the digits
    tensor([0.e+00, 1.e-10])
    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> ag.expm1(x).sum().backward()
    >>> print(np.round(x.grad, 4))  # eˣ
    tensor([1.    , 2.7183])
    """
    return np.expm1(x)


@elementwise(
    lambda y, a, b: np.exp(a - y),
    lambda y, a, b: np.exp(b - y),
    formula="y = log(eᵃ + eᵇ)",
    vjp_text="ā = ȳ·e^(a − y), b̄ = ȳ·e^(b − y)",
    jvp_text="ẏ = ȧ·e^(a − y) + ḃ·e^(b − y)",
    promotes=True,
    method=True,
    numpy=np.logaddexp,
    kernel=np.logaddexp,
)
def logaddexp(a: Operand, b: Operand, /) -> np.ndarray:
    """y = log(eᵃ + eᵇ) without overflow; ∂y/∂a = e^(a − y), the softmax weight of a.

    >>> print(round(float(ag.logaddexp(1000.0, 1000.0)), 4))  # 1000 + log 2: no overflow
    1000.6931
    >>> a = ag.tensor([0.0, 1000.0], requires_grad=True)
    >>> b = ag.tensor([0.0, 0.0], requires_grad=True)
    >>> ag.logaddexp(a, b).sum().backward()
    >>> print(np.round(a.grad, 4), np.round(b.grad, 4))  # the softmax weights of a and b
    tensor([0.5, 1. ]) tensor([0.5, 0. ])
    """
    return np.logaddexp(a, b)


@elementwise(
    lambda y, a, b: np.exp2(a - y),
    lambda y, a, b: np.exp2(b - y),
    formula="y = log₂(2ᵃ + 2ᵇ)",
    vjp_text="ā = ȳ·2^(a − y), b̄ = ȳ·2^(b − y)",
    jvp_text="ẏ = ȧ·2^(a − y) + ḃ·2^(b − y)",
    promotes=True,
    method=True,
    numpy=np.logaddexp2,
    kernel=np.logaddexp2,
)
def logaddexp2(a: Operand, b: Operand, /) -> np.ndarray:
    """y = log₂(2ᵃ + 2ᵇ) without overflow; ∂y/∂a = 2^(a − y).

    >>> a = ag.tensor([1.0, 3.0], requires_grad=True)
    >>> b = ag.tensor([1.0, 1.0], requires_grad=True)
    >>> print(np.round(ag.logaddexp2(a, b).detach(), 4))  # log₂ 4 and log₂ 10
    tensor([2.    , 3.3219])
    >>> ag.logaddexp2(a, b).sum().backward()
    >>> print(np.round(a.grad, 4))  # 2^(a − y)
    tensor([0.5, 0.8])
    """
    return np.logaddexp2(a, b)
