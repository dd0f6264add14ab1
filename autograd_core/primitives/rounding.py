"""Rounding: floor, ceil, round, trunc — piecewise constant, so their gradient is zero.

As ``sign``, they stay in the graph (a result of a tensor that requires grad
requires grad too, as in PyTorch) and pass back exact zeros: the derivative
is 0 everywhere it exists, and the jumps have none.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import primitive

Operand = Any  # Tensor, array or Python number


def _zero_gradient(name: str, numpy: Any, kernel: Any = None, method: Any = True):
    """Declare a piecewise-constant elementwise primitive: x̄ = 0, ẏ = 0."""
    return primitive(
        vjp=(lambda g, y, x, **params: np.zeros_like(g),),
        jvp=(lambda t, y, x, **params: np.zeros_like(t),),
        formula=f"y = {name}",
        vjp_text="x̄ = 0",
        jvp_text="ẏ = 0",
        broadcasting=True,
        method=method,
        numpy=numpy,
        kernel=kernel,
    )


@_zero_gradient("⌊x⌋", np.floor, np.floor)
def floor(x: Operand, /) -> np.ndarray:
    """y = ⌊x⌋, the largest integer ≤ x (as a float); its gradient is zero.

    >>> x = ag.tensor([-1.5, -0.5, 0.5, 1.7], requires_grad=True)
    >>> print(ag.floor(x))
    tensor([-2., -1.,  0.,  1.], grad_fn=floor)
    >>> ag.floor(x).sum().backward()
    >>> print(x.grad)  # zero: piecewise constant
    tensor([0., 0., 0., 0.])
    """
    return np.floor(x)


@_zero_gradient("⌈x⌉", np.ceil, np.ceil)
def ceil(x: Operand, /) -> np.ndarray:
    """y = ⌈x⌉, the smallest integer ≥ x (as a float); its gradient is zero.

    >>> x = ag.tensor([-1.5, -0.5, 0.5, 1.7], requires_grad=True)
    >>> print(ag.ceil(x))
    tensor([-1., -0.,  1.,  2.], grad_fn=ceil)
    >>> ag.ceil(x).sum().backward()
    >>> print(x.grad)  # zero: piecewise constant
    tensor([0., 0., 0., 0.])
    """
    return np.ceil(x)


@_zero_gradient("trunc(x)", (np.trunc, np.fix), np.trunc)
def trunc(x: Operand, /) -> np.ndarray:
    """y = x rounded toward zero (as a float); its gradient is zero.

    >>> x = ag.tensor([-1.5, -0.5, 0.5, 1.7], requires_grad=True)
    >>> print(ag.trunc(x))  # toward zero
    tensor([-1., -0.,  0.,  1.], grad_fn=trunc)
    >>> ag.trunc(x).sum().backward()
    >>> print(x.grad)  # zero: piecewise constant
    tensor([0., 0., 0., 0.])
    """
    return np.trunc(x)


@_zero_gradient("round(x, decimals)", (np.round, np.around, np.rint))
def round(x: Operand, /, decimals: int = 0) -> np.ndarray:
    """y = x rounded to ``decimals`` places, halves to even (numpy's and PyTorch's rule); its gradient is zero.

    >>> x = ag.tensor([0.5, 1.5, 2.5, -1.26], requires_grad=True)
    >>> print(ag.round(x))  # halves go to the even neighbour
    tensor([ 0.,  2.,  2., -1.], grad_fn=round)
    >>> print(ag.round(x, decimals=1))
    tensor([ 0.5,  1.5,  2.5, -1.3], grad_fn=round)
    >>> ag.round(x).sum().backward()
    >>> print(x.grad)  # zero: piecewise constant
    tensor([0., 0., 0., 0.])
    """
    return np.round(x, decimals)
