"""Compare a function's values and gradients with PyTorch's on the same inputs.

``compare(ours, theirs, *arrays)`` runs ``ours`` on Tensors and ``theirs`` on
torch tensors (both requiring grad), backpropagates the same random weights
through each, and asserts the values and every input's gradient agree.
``second=True`` also compares a Hessian-vector product (reverse over reverse).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import autograd_core as ag


def _weights(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def compare(
    ours: Callable,
    theirs: Callable,
    *arrays: np.ndarray,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    second: bool = False,
    seed: int = 0,
) -> None:
    torch = pytest.importorskip("torch")
    xs = [ag.tensor(np.asarray(a, dtype=np.float64)) for a in arrays]
    ts = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(y.data, ty.detach().numpy(force=True), rtol=rtol, atol=atol, err_msg="values differ")
    w = _weights(y.shape, seed)
    grads = ag.grad(lambda *a: (ours(*a) * w).sum(), argnums=tuple(range(len(xs))))(*xs)
    grads = grads if isinstance(grads, tuple) else (grads,)
    tgrads = torch.autograd.grad((ty * torch.tensor(w)).sum(), ts, create_graph=second, allow_unused=True)
    for k, (g, tg) in enumerate(zip(grads, tgrads)):
        expected = np.zeros(np.shape(arrays[k])) if tg is None else tg.detach().numpy(force=True)
        np.testing.assert_allclose(g.data, expected, rtol=rtol, atol=atol, err_msg=f"gradient {k} differs")
    if second:
        v = [_weights(np.shape(a), seed + 1 + k) for k, a in enumerate(arrays)]

        def gv(*a):
            gs = ag.grad(lambda *b: (ours(*b) * w).sum(), argnums=tuple(range(len(a))))(*a)
            gs = gs if isinstance(gs, tuple) else (gs,)
            return sum((g * vk).sum() for g, vk in zip(gs, v))

        hv = ag.grad(gv, argnums=tuple(range(len(xs))))(*xs)
        hv = hv if isinstance(hv, tuple) else (hv,)
        tgv = sum((tg * torch.tensor(vk)).sum() for tg, vk in zip(tgrads, v) if tg is not None)
        thv = torch.autograd.grad(tgv, ts, allow_unused=True)
        for k, (h, th) in enumerate(zip(hv, thv)):
            expected = np.zeros(np.shape(arrays[k])) if th is None else th.detach().numpy(force=True)
            np.testing.assert_allclose(h.data, expected, rtol=rtol, atol=atol, err_msg=f"second derivative {k}")
