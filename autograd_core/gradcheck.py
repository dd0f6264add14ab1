"""Checking derivatives against finite differences, and JVP rules against VJP rules.

gradcheck compares the reverse-mode Jacobian with central differences,
(f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε, element by element. The dot-product test
checks that forward and reverse mode compute the same linear map:
⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ for random u and v.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import GradcheckError
from .functional import jacrev, jvp, vjp
from .modes import no_grad
from .tensor import Tensor, to_array, wrap


def _inputs(inputs: Sequence[Any] | Any) -> list[Tensor]:
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    return [x if isinstance(x, Tensor) else wrap(to_array(x)) for x in items]


def _differentiable(xs: list[Tensor]) -> list[int]:
    floats = [i for i, x in enumerate(xs) if x.dtype.kind == "f"]
    chosen = [i for i in floats if xs[i].requires_grad] or floats
    for i in chosen:
        if xs[i].dtype != np.float64:
            warnings.warn(
                f"gradcheck: input {i} is {xs[i].dtype}; finite differences need float64 to be reliable", stacklevel=3
            )
    return chosen


def numerical_jacobian(f: Callable[..., Tensor], xs: list[Tensor], i: int, eps: float) -> np.ndarray:
    """Central-difference Jacobian of f w.r.t. input ``i``, shape (out.size, xs[i].size)."""
    base = xs[i].data
    columns = []
    with no_grad():
        for j in range(base.size):
            plus, minus = base.copy(), base.copy()
            plus.flat[j] += eps
            minus.flat[j] -= eps
            args_p = list(xs)
            args_m = list(xs)
            args_p[i], args_m[i] = wrap(plus), wrap(minus)
            diff = np.asarray(f(*args_p).data, dtype=np.float64) - np.asarray(f(*args_m).data, dtype=np.float64)
            columns.append(diff.ravel() / (2 * eps))
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def _label(x: Tensor, i: int) -> str:
    return f"input {i}" + (f" ({x.name})" if x.name else "")


def gradcheck(
    f: Callable[..., Tensor], inputs: Sequence[Any] | Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """True if reverse-mode derivatives of f match central differences within atol + rtol·|numeric|.

    Checks the inputs that require grad (all float inputs if none does).
    Raises ``GradcheckError`` naming the input, the element, and both values.

    >>> ag.gradcheck(lambda x: (x * ag.sin(x)).sum(), [ag.tensor([0.3, 1.2], requires_grad=True)])
    True
    """
    xs = _inputs(inputs)
    for i in _differentiable(xs):
        analytic = jacrev(lambda xi, i=i: f(*(xs[:i] + [xi] + xs[i + 1 :])))(xs[i]).data
        out_size = analytic.size // max(xs[i].size, 1)
        analytic = analytic.reshape(out_size, xs[i].size)
        numeric = numerical_jacobian(f, xs, i, eps)
        # "not within tolerance" (rather than "beyond it") also flags NaN and inf
        bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
        if bad.any():
            o, j = np.argwhere(bad)[0]
            element = np.unravel_index(j, xs[i].shape) if xs[i].ndim else ()
            raise GradcheckError(
                f"gradcheck failed for {_label(xs[i], i)} at element {tuple(int(e) for e in element)}"
                f" (output element {int(o)}): analytic {analytic[o, j]:.8g}, numeric {numeric[o, j]:.8g}"
            )
    return True


def dot_product_test(
    f: Callable[..., Tensor], inputs: Sequence[Any] | Any, rng: np.random.Generator | None = None, rtol: float = 1e-8
) -> bool:
    """True if ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ for random u, v: the JVP and VJP rules describe one Jacobian.

    Raises ``GradcheckError`` with both sides when they disagree.

    >>> ag.dot_product_test(lambda x: ag.softmax(x), [ag.tensor([0.1, 2.0, -1.0])])
    True
    """
    rng = rng or np.random.default_rng(0)
    xs = _inputs(inputs)
    diff = _differentiable(xs)
    vs = [rng.standard_normal(xs[i].shape).astype(xs[i].dtype) for i in diff]

    def g(*d: Tensor) -> Tensor:
        args = list(xs)
        for i, di in zip(diff, d):
            args[i] = di
        return f(*args)

    primals = [xs[i] for i in diff]
    out, jv = jvp(g, primals, vs)
    u = rng.standard_normal(out.shape).astype(out.dtype)
    _, vjp_fn = vjp(g, *primals)
    jtu = vjp_fn(u)
    lhs = float(np.sum(u * jv.data))
    rhs = float(sum(np.sum(a.data * v) for a, v in zip(jtu, vs)))
    if not np.isclose(lhs, rhs, rtol=rtol, atol=rtol * (1 + abs(lhs))):
        raise GradcheckError(f"dot-product test failed: <u, J v> = {lhs:.12g} but <J^T u, v> = {rhs:.12g}")
    return True
