"""PyTorch's names for operations that exist here under numpy's: amax, amin, mm, chunk, x.norm().

Each is a thin composite of the primitive that does the work, so its
gradient is that primitive's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, ShapeError
from ..registry import public
from ..tensor import Tensor, shape_of
from .linalg import matmul
from .norms import norm as _linalg_norm
from .norms import vector_norm
from .reduce import Axis, is_integer, one_axis
from .reduce import max as _amax
from .reduce import min as _amin
from .stacking import _cut


@public(method=True, rules=_amax)
def amax(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """y = max x over ``axis`` (all axes when None), as ``torch.amax`` / ``np.amax``: values only.

    Tied maxima share the gradient equally (``torch.amax``'s rule).

    >>> x = ag.tensor([[1.0, 5.0], [5.0, 2.0]], requires_grad=True)
    >>> ag.amax(x, dim=1)
    tensor([5., 5.], grad_fn=max)
    >>> x.amax().backward()
    >>> x.grad  # two tied maxima: ½ each
    tensor([[0. , 0.5],
            [0.5, 0. ]])
    """
    return _amax(x, axis=axis, keepdims=keepdims)


@public(method=True, rules=_amin)
def amin(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """y = min x over ``axis`` (all axes when None), as ``torch.amin`` / ``np.amin``: values only.

    >>> ag.amin(ag.tensor([[1.0, 5.0], [4.0, 2.0]]), dim=0)
    tensor([1., 2.])
    """
    return _amin(x, axis=axis, keepdims=keepdims)


@public(method=True, rules=matmul)
def mm(input: Any, mat2: Any) -> Tensor:  # noqa: A002 - PyTorch's parameter names
    """Y = A·B of two matrices, as ``torch.mm(input, mat2)`` (``matmul`` restricted to 2-D operands).

    >>> ag.mm(ag.tensor([[1.0, 2.0]]), ag.tensor([[3.0], [4.0]]))
    tensor([[11.]])
    >>> ag.tensor([[1.0, 2.0]]).mm(mat2=ag.tensor([[3.0], [4.0]]))
    tensor([[11.]])
    """
    a, b = input, mat2
    for name, operand in (("first", a), ("second", b)):
        if len(shape_of(operand)) != 2:
            raise ShapeError(
                f"mm: the {name} operand must be a matrix (2-D), not shape {shape_of(operand)}; use matmul"
            )
    return matmul(a, b)


@public(method=True)
def chunk(x: Any, chunks: int, axis: int = 0) -> list[Tensor]:
    """``chunks`` pieces along ``axis`` of length ⌈n / chunks⌉ (the last shorter, maybe fewer pieces), as ``torch.chunk``.

    ``array_split`` instead makes exactly N pieces whose lengths differ by at most one.

    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], requires_grad=True)
    >>> print([p.tolist() for p in ag.chunk(x, 4)])  # pieces of ⌈6/4⌉ = 2: three of them
    [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    >>> (ag.chunk(x, 2)[1] * 10).sum().backward()
    >>> print(x.grad)
    tensor([ 0.,  0.,  0., 10., 10., 10.])
    """
    shape = shape_of(x)
    if not shape:
        raise ShapeError("chunk: a 0-d tensor has no axis to split")
    if not is_integer(chunks) or isinstance(chunks, bool) or chunks < 1:
        raise InvalidArgumentError(f"chunk: chunks must be a positive integer, not {chunks!r}")
    axis = one_axis(axis, len(shape), "chunk")
    n = shape[axis]
    size = max(-(-n // int(chunks)), 1)
    return _cut(x, list(range(size, n, size)), axis)


@public(method=True, rules=vector_norm)
def norm(x: Any, p: Any = "fro", axis: Any = None, keepdims: bool = False) -> Tensor:
    """``x.norm(p, dim)`` / ``ag.norm(x, p, dim)`` as PyTorch's ``torch.norm``: the 2-norm of all elements by default.

    ``p`` a number is a vector norm (over ``dim``, or all elements); ``'fro'`` the
    2-norm of all elements (or the Frobenius norm over two dims); ``'nuc'`` the
    nuclear norm over two dims. ``ag.linalg.norm`` is numpy's ``np.linalg.norm``.

    >>> x = ag.tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    >>> print(x.norm(), x.norm(dim=1), x.norm(1))
    tensor(5., grad_fn=...) tensor([5., 0.], grad_fn=...) tensor(7., grad_fn=...)
    """
    if isinstance(p, str):
        if p == "fro" and (axis is None or is_integer(axis)):
            return vector_norm(x, 2, axis=axis, keepdims=keepdims)
        if axis is None:
            axis = (-2, -1)
        return _linalg_norm(x, p, axis=axis, keepdims=keepdims)
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"norm: p must be a number, 'fro' or 'nuc', not {p!r}")
    return vector_norm(x, float(p), axis=axis, keepdims=keepdims)
