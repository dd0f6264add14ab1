"""Square-matrix functions of ``ag.linalg``: inv, solve, det, slogdet, cholesky.

Every function works on stacks of matrices (..., n, n), broadcast as numpy
does. The rules are matrix products and the functions themselves:

* Y = A⁻¹:         Ā = −Yᵀ·Ȳ·Yᵀ,            Ẏ = −Y·Ȧ·Y
* X = A⁻¹·B:       B̄ = A⁻ᵀ·X̄, Ā = −B̄·Xᵀ,    Ẋ = A⁻¹·(Ḃ − Ȧ·X)
* y = det A:       Ā = ȳ·cof(A),            ẏ = ⟨cof(A), Ȧ⟩  (cof(A) = det(A)·A⁻ᵀ, the cofactors)
* y = log|det A|:  Ā = ȳ·A⁻ᵀ,               ẏ = ⟨A⁻ᵀ, Ȧ⟩
* A = L·Lᵀ:        Ā = sym(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹), L̇ = L·Φ(L⁻¹·sym(Ȧ)·L⁻ᵀ)

(Φ keeps the strictly lower triangle and halves the diagonal; sym(M) = (M + Mᵀ)/2:
like PyTorch, the Cholesky gradient treats A as symmetric.) float16 matrices
are factorised in float32 (LAPACK has no half precision) and the results
rounded back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..backend import arange, as_array, zeros
from ..broadcasting import lift
from ..errors import InvalidArgumentError, ShapeError
from ..registry import primitive, public
from ..tensor import Tensor, wrap


def _mT(a: Any) -> Any:
    return a.swapaxes(-1, -2)


def _square(a: Any, op: str) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.{op}: needs square matrices of shape (..., n, n), got shape {a.shape}")


def _lapack(fn: Callable[..., Any], op: str, failure: str, *arrays: np.ndarray) -> Any:
    """``fn(*arrays)``, in float32 for float16 input (rounded back), with LAPACK's failures as library errors."""
    half = any(a.dtype == np.float16 for a in arrays)
    try:
        if half:
            out = fn(*(a.astype(np.float32) for a in arrays))
            return tuple(o.astype(np.float16) for o in out) if isinstance(out, tuple) else out.astype(np.float16)
        return fn(*arrays)
    except np.linalg.LinAlgError as err:
        raise InvalidArgumentError(f"linalg.{op}: {failure} ({err})") from err


def _cubic_flops(y: Any, a: Any, *args: Any, **params: Any) -> int:
    n = a.shape[-1] if a.ndim else 1
    return int(2 * np.size(a) * n)


# ---------------------------------------------------------------------- inv
@primitive(
    vjp=(lambda g, y, a: -(_mT(y) @ g @ _mT(y)),),
    jvp=(lambda t, y, a: -(y @ t @ y),),
    formula="Y = A⁻¹",
    vjp_text="Ā = −Yᵀ·Ȳ·Yᵀ",
    jvp_text="Ẏ = −Y·Ȧ·Y",
    flops=_cubic_flops,
    numpy=np.linalg.inv,
    namespace="linalg",
)
def inv(a: Any, /) -> np.ndarray:
    """Y = A⁻¹ for a square matrix or a stack of them (``np.linalg.inv``); a singular matrix is an error."""
    _square(a, "inv")
    return _lapack(np.linalg.inv, "inv", "the matrix is singular (not invertible); check its rank", a)


# -------------------------------------------------------------------- solve
def _is_vector(a: Any, b: Any) -> bool:
    """B is a (stack of) vector(s): 1-D, or A's shape without its last axis (PyTorch's rule)."""
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])


def _as_columns(v: Any, vector: bool) -> Any:
    return v[..., None] if vector else v


def _from_columns(v: Any, vector: bool) -> Any:
    return v[..., 0] if vector else v


def _solve_vjp_b(g, y, a, b):
    vector = _is_vector(a, b)
    return _from_columns(solve.primitive.bind(_mT(a), _as_columns(g, vector)), vector)


def _solve_vjp_a(g, y, a, b):
    vector = _is_vector(a, b)
    b_bar = _as_columns(_solve_vjp_b(g, y, a, b), vector)
    return -(b_bar @ _mT(_as_columns(y, vector)))


def _solve_jvp_a(t, y, a, b):
    vector = _is_vector(a, b)
    t = lift(t, t.ndim - a.ndim, y.ndim + (1 if vector else 0))  # Ȧ may lack B's stack axes
    return _from_columns(-solve.primitive.bind(a, t @ _as_columns(y, vector)), vector)


def _solve_jvp_b(t, y, a, b):
    vector = _is_vector(a, b)
    nb = t.ndim - b.ndim
    columns = lift(_as_columns(t, vector), nb, y.ndim + (1 if vector else 0))  # ḃ may lack A's stack axes
    return _from_columns(solve.primitive.bind(a, columns), vector)


@primitive(
    vjp=(_solve_vjp_a, _solve_vjp_b),
    jvp=(_solve_jvp_a, _solve_jvp_b),
    formula="X = A⁻¹·B",
    vjp_text="B̄ = A⁻ᵀ·X̄, Ā = −B̄·Xᵀ",
    jvp_text="Ẋ = A⁻¹·(Ḃ − Ȧ·X)",
    flops=_cubic_flops,
    promotes=True,
    numpy=np.linalg.solve,
    namespace="linalg",
)
def solve(a: Any, b: Any, /) -> np.ndarray:
    """X with A·X = B, for square A (..., n, n) and B (..., n, k) or a vector B (..., n); the stacks broadcast.

    As ``torch.linalg.solve`` (and numpy before 2.0), B is a vector (a stack
    of vectors) when it is 1-D or has A's shape without the last axis (numpy
    2 reads only a 1-D B as a vector). A singular A is an error.
    """
    _square(a, "solve")
    vector = _is_vector(a, b)
    if b.ndim == 0 or b.shape[-1 if vector else -2] != a.shape[-1]:
        raise ShapeError(f"linalg.solve: A {a.shape} and B {b.shape} do not fit (need B (..., n) or (..., n, k))")

    def run(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        columns = _as_columns(b, vector)
        if columns.ndim < a.ndim:  # spell out the broadcast stack axes: numpy < 2 would read B as vectors
            columns = columns.reshape((1,) * (a.ndim - columns.ndim) + columns.shape)
        return _from_columns(np.linalg.solve(a, columns), vector)

    return _lapack(
        run,
        "solve",
        "the matrix A is singular",
        a,
        b,
    )


# ---------------------------------------------------------------------- det
def _cofactors(y: Any, a: Any) -> Any:
    """cof(A) = det(A)·A⁻ᵀ, the gradient of det; from the SVD on arrays, so singular matrices get it too.

    With A = U·diag(s)·Vᵀ: cof(A) = det(U)·det(V)·U·diag(Πⱼ≠ᵢ sⱼ)·Vᵀ, which needs no
    inverse. On Tensors (a derivative being differentiated) it is det(A)·A⁻ᵀ.
    """
    if isinstance(a, Tensor) or isinstance(y, Tensor):
        try:
            return y[..., None, None] * _mT(inv.primitive.bind(a))
        except InvalidArgumentError as err:
            raise InvalidArgumentError(
                "linalg.det: second derivatives of det at a singular matrix are not supported "
                "(the first derivative, the cofactor matrix, is)"
            ) from err
    if a.shape[-1] == 0:
        return zeros(a.shape, y.dtype, a)
    u, s, vt = _lapack(np.linalg.svd, "det", "no convergence", a)
    ones = np.ones_like(s[..., :1])
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    sign = (_lapack(np.linalg.det, "det", "", u) * _lapack(np.linalg.det, "det", "", vt))[..., None, None]
    return (sign * (u * (before * after)[..., None, :]) @ vt).astype(y.dtype)


@primitive(
    vjp=(lambda g, y, a: g[..., None, None] * _cofactors(y, a),),
    jvp=(lambda t, y, a: (t * _cofactors(y, a)).sum(axis=(-2, -1)),),
    formula="y = det A",
    vjp_text="Ā = ȳ·cof(A) = ȳ·det(A)·A⁻ᵀ",
    jvp_text="ẏ = Σᵢⱼ cof(A)ᵢⱼ·Ȧᵢⱼ",
    flops=_cubic_flops,
    numpy=np.linalg.det,
    namespace="linalg",
)
def det(a: Any, /) -> np.ndarray:
    """y = det A for a square matrix or a stack (``np.linalg.det``); its gradient is the cofactor matrix,
    finite for singular matrices too."""
    _square(a, "det")
    return _lapack(np.linalg.det, "det", "LAPACK failed", a)


# ------------------------------------------------------------------ slogdet
def _inv_t(a: Any) -> Any:
    try:
        return _mT(inv.primitive.bind(a))
    except InvalidArgumentError as err:
        raise InvalidArgumentError(
            "linalg.slogdet: the gradient of log|det A| is A⁻ᵀ, which a singular A does not have (log|det A| = −inf)"
        ) from err


@primitive(
    vjp=(lambda g, y, a: g[..., None, None] * _inv_t(a),),
    jvp=(lambda t, y, a: (t * _inv_t(a)).sum(axis=(-2, -1)),),
    formula="y = log |det A|",
    vjp_text="Ā = ȳ·A⁻ᵀ",
    jvp_text="ẏ = Σᵢⱼ (A⁻ᵀ)ᵢⱼ·Ȧᵢⱼ",
    flops=_cubic_flops,
    name="slogdet",
    export=False,
)
def _logabsdet(a: Any, /) -> np.ndarray:
    _square(a, "slogdet")
    return _lapack(lambda a: np.linalg.slogdet(a)[1], "slogdet", "LAPACK failed", a)


class SlogdetResult(NamedTuple):
    """``(sign, logabsdet)``: det A = sign·exp(logabsdet), as numpy and PyTorch return it."""

    sign: Tensor
    logabsdet: Tensor


@public(numpy=np.linalg.slogdet, rules=_logabsdet, namespace="linalg")
def slogdet(a: Any) -> SlogdetResult:
    """``(sign, logabsdet)`` with det A = sign·exp(logabsdet), without overflow (``np.linalg.slogdet``).

    ``logabsdet`` is differentiable (gradient A⁻ᵀ); ``sign`` is a constant.
    """
    logabsdet = _logabsdet(a)
    values = a.data if isinstance(a, Tensor) else as_array(a)
    sign = _lapack(lambda m: np.linalg.slogdet(m)[0], "slogdet", "LAPACK failed", values)
    return SlogdetResult(wrap(as_array(sign).astype(logabsdet.dtype)), logabsdet)


# ----------------------------------------------------------------- cholesky
def _phi(x: Any) -> Any:
    """Φ(X): the strictly lower triangle of X and half its diagonal (selected, never multiplied by a mask)."""
    n = x.shape[-1]
    i, j = arange(n, x)[:, None], arange(n, x)[None, :]
    return np.where(j < i, x, np.where(j == i, 0.5 * x, 0))


def _sym(x: Any) -> Any:
    return 0.5 * (x + _mT(x))


def _lower(y: Any, upper: bool) -> Any:
    return _mT(y) if upper else y


def _cholesky_vjp(g, y, a, upper):
    low = _lower(y, upper)
    low_bar = _lower(g, upper)
    inv_low = inv.primitive.bind(low)
    return _sym(_mT(inv_low) @ _phi(_mT(low) @ low_bar) @ inv_low)


def _cholesky_jvp(t, y, a, upper):
    low = _lower(y, upper)
    inv_low = inv.primitive.bind(low)
    return _lower(low @ _phi(inv_low @ _sym(t) @ _mT(inv_low)), upper)


def _cholesky(a: np.ndarray, upper: bool) -> np.ndarray:
    low = np.linalg.cholesky(a)
    return _mT(low) if upper else low


@primitive(
    vjp=(_cholesky_vjp,),
    jvp=(_cholesky_jvp,),
    formula="A = L·Lᵀ, L lower triangular (Lᵀ if upper)",
    vjp_text="Ā = sym(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹)",
    jvp_text="L̇ = L·Φ(L⁻¹·sym(Ȧ)·L⁻ᵀ)",
    flops=_cubic_flops,
    numpy=np.linalg.cholesky,
    namespace="linalg",
)
def cholesky(a: Any, /, upper: bool = False) -> np.ndarray:
    """The Cholesky factor L (lower triangular, A = L·Lᵀ) of a symmetric positive-definite A, as
    ``np.linalg.cholesky``/``torch.linalg.cholesky``; ``upper=True`` returns U = Lᵀ (A = Uᵀ·U).

    Only the lower triangle of A is read; the gradient is symmetric (as PyTorch's).
    """
    _square(a, "cholesky")
    return _lapack(
        lambda m: _cholesky(m, upper),
        "cholesky",
        "the matrix is not positive definite (Cholesky needs a symmetric positive-definite matrix)",
        a,
    )
