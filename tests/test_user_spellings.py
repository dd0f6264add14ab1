"""The calls users type, with PyTorch's and numpy's habits, on Tensors that require grad.

PyTorch-style rows are evaluated twice, once with this library (``ag``, ``F``
= ``nn.functional``) and once with PyTorch (``ag`` = ``torch``, ``F`` =
``torch.nn.functional``), and must agree in value and gradient; each also
has the numpy expression of its value, checked without PyTorch. numpy-style
rows call numpy's own functions on Tensors: the value must be numpy's on the
arrays, and the gradient must pass a finite-difference check.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

RNG = np.random.default_rng(9)
ARRAYS = {
    "x": RNG.standard_normal((2, 3)),
    "y": RNG.standard_normal((2, 3)),
    "z": RNG.standard_normal((2, 4)),
}


def _sm(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# (PyTorch-style call, its value with numpy on the arrays, or None when it returns no tensor)
PYTORCH_STYLE = [
    ("x.sum(dim=1, keepdim=True)", "x.sum(axis=1, keepdims=True)"),
    ("x.sum(1)", "x.sum(1)"),
    ("x.mean(dim=(0, 1))", "x.mean(axis=(0, 1))"),
    ("ag.sum(x, dim=0)", "x.sum(0)"),
    ("ag.mean(x, dim=-1, keepdim=True)", "x.mean(-1, keepdims=True)"),
    ("x.logsumexp(dim=1)", "np.log(np.exp(x).sum(1))"),
    ("x.softmax(dim=-1)", "_sm(x, -1)"),
    ("F.softmax(x, dim=-1)", "_sm(x, -1)"),
    ("F.softmax(x, dim=0)", "_sm(x, 0)"),
    ("F.log_softmax(x, dim=1)", "np.log(_sm(x, 1))"),
    ("F.softmin(x, dim=1)", "_sm(-x, 1)"),
    ("ag.cat([x, y], dim=0)", "np.concatenate([x, y], 0)"),
    ("ag.cat((x, y), dim=1)", "np.concatenate([x, y], 1)"),
    ("ag.stack([x, y], dim=1)", "np.stack([x, y], 1)"),
    ("x.unsqueeze(dim=0)", "x[None]"),
    ("x.unsqueeze(0).squeeze(dim=0)", "x"),
    ("x.flatten()", "x.ravel()"),
    ("x.permute(1, 0)", "x.T"),
    ("x.transpose(0, 1)", "x.T"),
    ("x.view(3, 2)", "x.reshape(3, 2)"),
    ("x.view(-1)", "x.ravel()"),
    ("x.reshape(3, -1)", "x.reshape(3, 2)"),
    ("x.clamp(min=-0.5, max=0.5)", "np.clip(x, -0.5, 0.5)"),
    ("x.clamp(min=0)", "np.maximum(x, 0)"),
    ("ag.clamp(x, -0.5, 0.5)", "np.clip(x, -0.5, 0.5)"),
    ("x.float()", "x.astype(np.float32)"),
    ("x.double()", "x"),
    ("x.to(ag.float32)", "x.astype(np.float32)"),
    ("x.clone()", "x"),
    ("x.contiguous()", "x"),
    ("x.T.contiguous()", "x.T"),
    ("x.atan2(y)", "np.arctan2(x, y)"),
    ("ag.hypot(x, y)", "np.hypot(x, y)"),
    ("ag.lerp(x, y, 0.3)", "x + 0.3 * (y - x)"),
    ("x.remainder(0.7)", "np.remainder(x, 0.7)"),
    ("ag.fmod(x, 0.7)", "np.fmod(x, 0.7)"),
    ("x.square()", "x ** 2"),
    ("x.abs().rsqrt()", "1 / np.sqrt(np.abs(x))"),
    ("x.asinh()", "np.arcsinh(x)"),
    ("x.tan()", "np.tan(x)"),
    ("x.exp2()", "np.exp2(x)"),
    ("x.expm1()", "np.expm1(x)"),
    ("x.sinh()", "np.sinh(x)"),
    ("ag.where(x > 0, x, y)", "np.where(x > 0, x, y)"),
    ("ag.flip(x, dims=(0,))", "x[::-1]"),
    ("x.flip(1)", "x[:, ::-1]"),
    ("ag.roll(x, shifts=1, dims=0)", "np.roll(x, 1, 0)"),
    ("x.repeat(2, 2)", "np.tile(x, (2, 2))"),
    ("x.repeat_interleave(2, dim=0)", "np.repeat(x, 2, 0)"),
    ("x.tile((1, 2))", "np.tile(x, (1, 2))"),
    ("ag.hstack([x, y])", "np.hstack([x, y])"),
    ("ag.vstack([x, y])", "np.vstack([x, y])"),
    ("x.movedim(0, 1)", "x.T"),
    ("x.unflatten(1, (3, 1))", "x.reshape(2, 3, 1)"),
    ("F.gelu(x, approximate='tanh')", None),
    ("F.gelu(x)", None),
    ("F.silu(x)", "x / (1 + np.exp(-x))"),
    ("F.hardswish(x)", None),
    ("F.glu(z, dim=-1)", "z[:, :2] / (1 + np.exp(-z[:, 2:]))"),
    ("F.cosine_similarity(x, y, dim=1)", None),
    ("x.max(dim=1).values", "x.max(1)"),
    ("x.max(dim=0, keepdim=True)[0]", "x.max(0, keepdims=True)"),
    ("ag.min(x, dim=1).values * 2", "x.min(1) * 2"),
    ("x.median(dim=1).values", "np.sort(x, 1)[:, 1]"),
    ("x.max()", "x.max()"),
    ("ag.linalg.matrix_norm(x, ord=2)", "np.linalg.norm(x, 2)"),
    ("ag.linalg.norm(x, ord='nuc')", "np.linalg.norm(x, 'nuc')"),
    ("ag.linalg.svdvals(x)", "np.linalg.svd(x, compute_uv=False)"),
    ("F.relu6(x * 10)", "np.clip(x * 10, 0, 6)"),
    ("F.logsigmoid(x)", "-np.logaddexp(0, -x)"),
    ("F.softplus(x, beta=2.0, threshold=1.0)", None),
    # results without gradients
    ("x.size(0)", None),
    ("x.size(-1)", None),
    ("x.size()", None),
    ("x.numel()", None),
    ("x.dim()", None),
    ("x.argmax(dim=1)", "x.argmax(1)"),
    ("x.argmin(dim=0, keepdim=True)", "x.argmin(0, keepdims=True)"),
    ("x.max(dim=1).indices", "x.argmax(1)"),
    ("x.min(dim=0, keepdim=True).indices", "x.argmin(0, keepdims=True)"),
    ("x.tolist()", None),
]


def _evaluate(expr: str, namespace: dict) -> object:
    return eval(expr, {"np": np, "_sm": _sm, **namespace})


def _used(expr: str) -> list[str]:
    return [name for name in ARRAYS if re.search(rf"\b{name}\b", expr)]


@pytest.mark.parametrize(("expr", "value"), PYTORCH_STYLE, ids=[row[0] for row in PYTORCH_STYLE])
def test_pytorch_style_call(expr, value):
    if expr == "F.gelu(x)":
        pytest.importorskip("scipy")  # the exact GELU
    names = _used(expr)
    ours_in = {n: ag.tensor(ARRAYS[n], requires_grad=True) for n in names}
    out = _evaluate(expr, {"ag": ag, "F": F, **ours_in})
    if value is not None:
        expected = _evaluate(value, {n: ARRAYS[n] for n in names})
        got = out.data if isinstance(out, ag.Tensor) else out
        np.testing.assert_allclose(got, expected, rtol=1e-6 if got.dtype == np.float32 else 1e-12, atol=1e-12)
        assert got.dtype == np.asarray(expected).dtype
    torch = pytest.importorskip("torch")
    theirs_in = {n: torch.tensor(ARRAYS[n], requires_grad=True) for n in names}
    theirs = _evaluate(expr, {"ag": torch, "F": torch.nn.functional, **theirs_in})
    if not isinstance(out, ag.Tensor):
        assert out == theirs
        return
    np.testing.assert_allclose(out.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-12)
    if not out.requires_grad:
        assert not theirs.requires_grad
        return
    seed = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(seed.astype(out.dtype))
    theirs.backward(torch.tensor(seed, dtype=theirs.dtype))
    for n in names:
        np.testing.assert_allclose(ours_in[n].grad.data, theirs_in[n].grad.numpy(), rtol=1e-6, atol=1e-12)


# numpy's functions called on Tensors
NUMPY_STYLE = [
    "np.tan(x)",
    "np.hypot(x, y)",
    "np.arctan2(x, y)",
    "np.flip(x, 0)",
    "np.flip(x)",
    "np.sum(x, axis=0)",
    "np.mean(x, axis=1, keepdims=True)",
    "np.exp2(x)",
    "np.logaddexp(x, y)",
    "np.logaddexp2(x, y)",
    "np.tile(x, (2, 1))",
    "np.repeat(x, 2, axis=1)",
    "np.roll(x, 1, axis=1)",
    "np.vstack([x, y])",
    "np.hstack([x, y])",
    "np.dstack([x, y])",
    "np.column_stack([x.T, y.T])",
    "np.concatenate([x, y], axis=1)",
    "np.stack([x, y], axis=0)",
    "np.moveaxis(x, 0, 1)",
    "np.square(x)",
    "np.expm1(x)",
    "np.clip(x, -0.5, 0.5)",
    "np.where(x > 0, x, y)",
    "np.maximum(x, y)",
    "np.fmax(x, y)",
    "np.fmin(x, y)",
    "np.remainder(x, 0.7)",
    "x % 0.7",
    "2.0 % (x * x + 1)",
    "np.fmod(x, 0.7)",
    "np.copysign(x, y)",
    "np.sinh(x) + np.cosh(y)",
    "np.arcsinh(x) * np.arctan(y)",
    "np.arcsin(np.tanh(x))",
    "np.arccos(np.tanh(x))",
    "np.arctanh(np.tanh(x) * 0.5)",
    "np.arccosh(x * x + 1.5)",
    "np.log2(np.abs(x) + 1)",
    "np.log10(np.abs(x) + 1)",
    "np.reciprocal(y + 3)",
    "np.ravel(x)",
    "np.atleast_3d(x)",
    "np.array_split(z, 3, axis=1)[2]",
    "np.hsplit(z, 2)[1]",
    "np.vsplit(x, 2)[0]",
    "np.round(x, 1) + x",
    "np.floor(x) + np.ceil(y) + np.trunc(x) + x",
    "np.copy(x)",
    "np.matmul(x, y.T)",
    "np.max(x, axis=0)",
    "np.min(x, 1)",
    "np.median(x, axis=1)",
    "np.linalg.norm(x, 2)",
    "np.linalg.norm(x, 'nuc')",
    "np.linalg.svd(x, compute_uv=False)",
]


@pytest.mark.parametrize("expr", NUMPY_STYLE)
def test_numpy_style_call(expr):
    names = _used(expr)
    tensors = {n: ag.tensor(ARRAYS[n], requires_grad=True) for n in names}
    out = _evaluate(expr, tensors)
    assert isinstance(out, ag.Tensor) and out.requires_grad, "numpy's function must answer with a Tensor in the graph"
    expected = _evaluate(expr, {n: ARRAYS[n] for n in names})
    np.testing.assert_allclose(out.data, expected, rtol=1e-13, atol=1e-13)
    weights = np.random.default_rng(1).standard_normal(out.shape)

    def scalar(*xs):
        return (_evaluate(expr, dict(zip(names, xs))) * weights).sum()

    assert ag.gradcheck(scalar, [ag.tensor(ARRAYS[n], requires_grad=True) for n in names])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: x.sum(dims=1), "sum() takes axis= (or dim=), keepdims= (or keepdim=), not dims="),
        (lambda x: x.sum(axis=1, dim=1), "give axis= or its PyTorch name dim=, not both"),
        (lambda x: x.sum(1, dim=1), "give axis= or its PyTorch name dim=, not both"),
        (lambda x: x.mean(keepdims=True, keepdim=True), "give keepdims= or its PyTorch name keepdim=, not both"),
        (lambda x: ag.cat([x, x], axis=0, dim=0), "cat(): give axis= or its PyTorch name dim=, not both"),
        (lambda x: ag.stack([x, x], 0, dim=1), "stack(): give axis= or its PyTorch name dim=, not both"),
        (lambda x: ag.softmax(x, dims=1), "softmax() takes axis= (or dim=), not dims="),
        (lambda x: F.softmax(x, axis=0, dim=0), "give axis= or its PyTorch name dim=, not both"),
        (lambda x: ag.leaky_relu(x, slope=0.2), "leaky_relu() takes negative_slope=, not slope="),
        (lambda x: x.argmax(dim=0, axis=0), "give axis= or its PyTorch name dim=, not both"),
        (lambda x: ag.flip(x, dim=0, dims=0), "not both"),
        (lambda x: ag.unflatten(x, sizes=(3, 1)), "missing required argument axis= (or dim=)"),
        (lambda x: ag.roll(x, shift=1, shifts=1), "give shift= or its PyTorch name shifts=, not both"),
    ],
)
def test_wrong_or_doubled_keywords_say_what_is_accepted(call, message):
    x = ag.tensor(ARRAYS["x"], requires_grad=True)
    with pytest.raises(ag.errors.ArgumentTypeError, match=re.escape(message)):
        call(x)


def test_keywords_still_work_positionally_and_signatures_show_the_aliases():
    import inspect

    x = ag.tensor(ARRAYS["x"])
    np.testing.assert_array_equal(ag.sum(x, 1, True).data, x.sum(dim=1, keepdim=True).data)
    assert "dim" in inspect.signature(ag.sum).parameters and "keepdim" in inspect.signature(ag.sum).parameters
    assert "dim" in inspect.signature(ag.stack).parameters
    assert "dims" in inspect.signature(ag.flip).parameters
    assert ag.sum.keyword_aliases == {"axis": ("dim",), "keepdims": ("keepdim",)}
