"""The singular value decomposition A = U·diag(S)·Vh of ``ag.linalg``: ``svd`` and ``svdvals``.

One primitive, ``svd``, returns one factor of the reduced SVD (``part`` = "U",
"S" or "Vh"; A is (..., m, n), k = min(m, n), U (..., m, k), S (..., k)
descending, Vh (..., k, n)). Its rules are written with the three factors,
each obtained by applying the primitive again, so derivatives of every order
go through the same formulas. With Ṗ = Uᵀ·Ȧ·V (k×k) and
Fᵢⱼ = 1/(sⱼ² − sᵢ²) off the diagonal (0 on it):

* Ṡ = diag(Ṗ);                                   Ā = U·diag(S̄)·Vh
* U̇ = U·(F∘(Ṗ·S + S·Ṗᵀ)) + (I − U·Uᵀ)·Ȧ·V·S⁻¹;    Ā = U·((F∘(M − Mᵀ))·S)·Vh + (I − U·Uᵀ)·Ū·S⁻¹·Vh, M = Uᵀ·Ū
* V̇h = −(F∘(S·Ṗ + Ṗᵀ·S))·Vh + S⁻¹·Uᵀ·Ȧ·(I − V·Vh); Ā = U·(S·(F∘(N − Nᵀ)))·Vh + U·S⁻¹·V̄ᵀ·(I − V·Vh), N = Vh·V̄

(the (I − U·Uᵀ) term only when m > k, the (I − V·Vh) one only when n > k).
The singular values are differentiable everywhere they are distinct; at
repeated ones the gradient of S is one valid choice (as PyTorch's), while the
singular vectors are not determined there and their derivatives are not
finite (F is infinite), as in PyTorch. The vectors are defined up to a sign
per pair (uᵢ, vᵢ): the derivatives are those of the pair LAPACK returns, and a
function of A that does not depend on that choice (σᵢ, uᵢ·uᵢᵀ, U·Vh, …) gets
the same derivative whichever sign it picked.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import batching
from ..arguments import bool_argument
from ..backend import arange, as_array
from ..errors import InvalidArgumentError, ShapeError
from ..registry import primitive, public
from ..tensor import Tensor, constant_array
from .along import from_values
from .decompositions import _lapack
from .shape import concatenate

_PARTS = ("U", "S", "Vh")


def _mT(a: Any) -> Any:
    return a.swapaxes(-1, -2)


def _factors(a: Any, y: Any, part: str) -> tuple[Any, Any, Any]:
    """(U, S, Vh) of A: one LAPACK call on arrays; on Tensors each factor applied as the primitive (differentiable)."""
    if isinstance(a, Tensor) or isinstance(y, Tensor):
        return tuple(y if p == part else svd_factor.primitive.bind(a, part=p) for p in _PARTS)
    return _lapack(lambda m: np.linalg.svd(m, full_matrices=False), "svd", "no convergence", a)


def _gaps(s: Any) -> Any:
    """Fᵢⱼ = 1/(sⱼ² − sᵢ²) off the diagonal, 0 on it (infinite where two singular values are equal)."""
    k = s.shape[-1]
    positions = arange(k, s)  # on s's device
    off = positions[:, None] != positions[None, :]
    squares = s * s
    gap = squares[..., None, :] - squares[..., :, None]
    with np.errstate(divide="ignore"):
        return np.where(off, 1 / np.where(off, gap, 1), 0)


def _svd_vjp(g, y, a, part):
    u, s, vh = _factors(a, y, part)
    m, n, k = a.shape[-2], a.shape[-1], s.shape[-1]
    if part == "S":
        return (u * g[..., None, :]) @ vh
    if part == "U":
        inner = _mT(u) @ g  # M = Uᵀ·Ū
        core = (_gaps(s) * (inner - _mT(inner))) * s[..., None, :]
        out = u @ core @ vh
        if m > k:
            out = out + ((g - u @ inner) / s[..., None, :]) @ vh
        return out
    inner = vh @ _mT(g)  # N = Vh·V̄ = Vᵀ·V̄
    core = s[..., :, None] * (_gaps(s) * (inner - _mT(inner)))
    out = u @ core @ vh
    if n > k:
        out = out + u @ ((g - _mT(inner) @ vh) / s[..., :, None])
    return out


def _svd_jvp(t, y, a, part):
    u, s, vh = _factors(a, y, part)
    m, n, k = a.shape[-2], a.shape[-1], s.shape[-1]
    left = _mT(u) @ t  # Uᵀ·Ȧ
    if part == "S":
        return (left * vh).sum(axis=-1)  # diag(Uᵀ·Ȧ·V)
    p = left @ _mT(vh)  # Ṗ = Uᵀ·Ȧ·V
    if part == "U":
        out = u @ (_gaps(s) * (p * s[..., None, :] + s[..., :, None] * _mT(p)))
        if m > k:
            out = out + (t @ _mT(vh) - u @ p) / s[..., None, :]
        return out
    out = -((_gaps(s) * (s[..., :, None] * p + _mT(p) * s[..., None, :])) @ vh)
    if n > k:
        out = out + (left - p @ vh) / s[..., :, None]
    return out


def _part(a: Any, part: str = "S") -> dict[str, str]:
    if part not in _PARTS:
        raise InvalidArgumentError(f"svd: part must be one of {', '.join(_PARTS)}, not {part!r}")
    ndim = a.ndim if isinstance(a, Tensor) else np.ndim(a)
    if ndim < 2:
        raise ShapeError(f"linalg.svd: needs matrices of shape (..., m, n), got {ndim} dimension(s)")
    return {"part": part}


def _svd_flops(y: Any, a: Any, **params: Any) -> int:
    m, n = a.shape[-2], a.shape[-1]
    return int(4 * np.size(a) * min(m, n))


@primitive(
    vjp=(_svd_vjp,),
    jvp=(_svd_jvp,),
    formula="A = U·diag(S)·Vh (reduced; one factor per part)",
    vjp_text="Ā = U·diag(S̄)·Vh (S); U·((F∘(M − Mᵀ))·S)·Vh + (I − UUᵀ)·Ū·S⁻¹·Vh, M = UᵀŪ (U); likewise Vh",
    jvp_text="Ṡ = diag(Uᵀ·Ȧ·V); U̇ = U·(F∘(Ṗ·S + S·Ṗᵀ)) + (I − UUᵀ)·Ȧ·V·S⁻¹, Ṗ = UᵀȦV; likewise V̇h",
    flops=_svd_flops,
    prepare=_part,
    batch=batching.leading,
    name="svd",
    export=False,
)
def svd_factor(a: Any, /, part: str = "S") -> np.ndarray:
    """One factor of the reduced SVD A = U·diag(S)·Vh: ``part`` "U" (..., m, k), "S" (..., k) or "Vh" (..., k, n)."""
    if part == "S":
        return _lapack(lambda m: np.linalg.svd(m, compute_uv=False), "svd", "no convergence", a)
    u, _, vh = _lapack(lambda m: np.linalg.svd(m, full_matrices=False), "svd", "no convergence", a)
    return u if part == "U" else vh


@public(numpy=getattr(np.linalg, "svdvals", None), rules=svd_factor, namespace="linalg")
def svdvals(a: Any) -> Tensor:
    """The singular values σ₁ ≥ σ₂ ≥ … ≥ σₖ of A (..., m, n), k = min(m, n), as ``torch.linalg.svdvals``.

    The gradient is ∂σᵢ/∂A = uᵢ·vᵢᵀ (Ā = U·diag(σ̄)·Vh).

    >>> ag.linalg.svdvals(ag.tensor([[3.0, 0.0], [0.0, -4.0]]))
    tensor([4., 3.])
    """
    return svd_factor(a if isinstance(a, Tensor) else constant_array(a, "svdvals"), part="S")


class SVDResult(NamedTuple):
    """``(U, S, Vh)`` with A = U·diag(S)·Vh, as ``np.linalg.svd`` and ``torch.linalg.svd`` return them."""

    U: Tensor
    S: Tensor
    Vh: Tensor


def _rest(values: Any, *, columns: bool) -> np.ndarray:
    """The columns of U (rows of Vh) beyond k = min(m, n) of the full SVD: orthonormal, spanning the rest."""
    u, _, vh = _lapack(lambda m: np.linalg.svd(m, full_matrices=True), "svd", "no convergence", as_array(values))
    k = min(values.shape[-2:])
    return u[..., k:].copy() if columns else vh[..., k:, :].copy()


def _completed(a: Any, reduced: Any, columns: bool) -> Any:
    """The full square factor: the reduced one followed by constant orthonormal columns (rows) spanning the rest.

    The rest is computed by ``from_values`` (a step ``ag.compile`` replays, per example under ``vmap``).
    """
    rest = from_values(_rest, a, columns=columns)
    return concatenate([reduced, rest], axis=-1 if columns else -2)


@public(numpy=np.linalg.svd, rules=svd_factor, namespace="linalg")
def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    """The singular value decomposition A = U·diag(S)·Vh, as ``np.linalg.svd`` / ``torch.linalg.svd``.

    Returns ``(U, S, Vh)`` (S descending), or S alone with ``compute_uv=False``.
    ``full_matrices=True`` (the default, as numpy and PyTorch) makes U (..., m, m) and
    Vh (..., n, n): the columns beyond k = min(m, n) span the rest of the space, are
    not unique and carry no gradient (PyTorch ignores them too). Gradients through U
    and Vh are finite where the singular values are distinct (and non-zero when
    m ≠ n); the singular values themselves are differentiable everywhere.
    ``hermitian`` is accepted for numpy's signature; the general algorithm serves both.

    >>> A = ag.tensor([[3.0, 0.0], [0.0, -4.0]], requires_grad=True)
    >>> U, S, Vh = ag.linalg.svd(A)
    >>> S
    tensor([4., 3.], grad_fn=svd)
    >>> np.allclose(((U * S) @ Vh).data, A.data)
    True
    >>> S.sum().backward()  # the nuclear norm: Ā = U·Vh
    >>> A.grad
    tensor([[ 1.,  0.],
            [ 0., -1.]])
    """
    a = a if isinstance(a, Tensor) else constant_array(a, "svd")
    full_matrices = bool_argument(full_matrices, "full_matrices", "svd")
    compute_uv = bool_argument(compute_uv, "compute_uv", "svd")
    bool_argument(hermitian, "hermitian", "svd")
    if not compute_uv:
        return svdvals(a)
    u, s, vh = (svd_factor(a, part=p) for p in _PARTS)
    m, n = u.shape[-2], vh.shape[-1]
    if full_matrices and m != n:
        if m > n:
            u = _completed(a, u, columns=True)
        else:
            vh = _completed(a, vh, columns=False)
    return SVDResult(u, s, vh)
