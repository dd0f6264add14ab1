"""The numpy/PyTorch elementwise surface against independent oracles.

Values against numpy (and scipy.special), values and gradients against
PyTorch when installed, on broadcasting shapes and edge shapes (0-d, size 0);
numpy's own functions called on Tensors dispatch to the library's primitives.
The registry walk (test_registry.py) adds gradcheck, JVPs and second
derivatives for each of them.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import MissingDependencyError
from autograd_core.primitives import special as special_module


def _uniform(lo, hi):
    return lambda rng, s: rng.uniform(lo, hi, s)


def _normal(rng, s):
    return rng.standard_normal(s)


def _nonzero(rng, s):
    return rng.choice([-1.0, 1.0], s) * rng.uniform(0.3, 2.0, s)


def _off_grid(rng, s):
    return rng.integers(-3, 3, s) + rng.choice([0.25, 0.75], s) + rng.uniform(-0.1, 0.1, s)


# name → (numpy function, PyTorch function name, sampler per operand)
UNARY = {
    "tan": (np.tan, "tan", _uniform(-1.2, 1.2)),
    "sinh": (np.sinh, "sinh", _normal),
    "cosh": (np.cosh, "cosh", _normal),
    "arcsin": (np.arcsin, "asin", _uniform(-0.9, 0.9)),
    "arccos": (np.arccos, "acos", _uniform(-0.9, 0.9)),
    "arctan": (np.arctan, "atan", _normal),
    "arcsinh": (np.arcsinh, "asinh", _normal),
    "arccosh": (np.arccosh, "acosh", _uniform(1.1, 4.0)),
    "arctanh": (np.arctanh, "atanh", _uniform(-0.9, 0.9)),
    "log2": (np.log2, "log2", _uniform(0.1, 5.0)),
    "log10": (np.log10, "log10", _uniform(0.1, 5.0)),
    "exp2": (np.exp2, "exp2", _normal),
    "expm1": (np.expm1, "expm1", _normal),
    "square": (np.square, "square", _normal),
    "reciprocal": (np.reciprocal, "reciprocal", _nonzero),
    "rsqrt": (lambda x: 1 / np.sqrt(x), "rsqrt", _uniform(0.1, 5.0)),
    "floor": (np.floor, "floor", _off_grid),
    "ceil": (np.ceil, "ceil", _off_grid),
    "trunc": (np.trunc, "trunc", _off_grid),
    "round": (np.round, "round", _off_grid),
    "clone": (np.copy, "clone", _normal),
}
BINARY = {
    "arctan2": (np.arctan2, "atan2", _nonzero, _nonzero),
    "hypot": (np.hypot, "hypot", _nonzero, _nonzero),
    "logaddexp": (np.logaddexp, "logaddexp", _normal, _normal),
    "logaddexp2": (np.logaddexp2, "logaddexp2", _normal, _normal),
    "copysign": (np.copysign, "copysign", _nonzero, _nonzero),
    "fmax": (np.fmax, "fmax", _off_grid, _off_grid),
    "fmin": (np.fmin, "fmin", _off_grid, _off_grid),
    "remainder": (np.remainder, "remainder", None, None),
    "fmod": (np.fmod, "fmod", None, None),
}
SPECIAL = {"erf": "erf", "erfc": "erfc", "erfinv": "erfinv"}

UNARY_SHAPES = [(), (0,), (4,), (2, 3), (2, 0, 3)]
BINARY_SHAPES = [((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 3)), ((0, 3), (3,)), ((), (2, 2))]


def _operands(name, shapes, rng):
    if name in ("remainder", "fmod"):  # ratios clear of the jumps of floor/trunc(a/b)
        b = rng.choice([-0.7, 0.7], shapes[1])
        a = 0.7 * (rng.integers(-3, 3, shapes[0]) + rng.uniform(0.2, 0.8, shapes[0]))
        return [a, b]
    return [sample(rng, s) for sample, s in zip(BINARY[name][2:], shapes)]


def _torch_grads(torch, fn_name, arrays, seed):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = getattr(torch, fn_name)(*ts)
    out.backward(torch.tensor(seed))
    return out.detach().numpy(), [t.grad.numpy() if t.grad is not None else np.zeros(t.shape) for t in ts]


def _our_grads(fn, arrays, seed):
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    out.backward(seed)
    return out.data, [x.grad.data for x in xs]


@pytest.mark.parametrize("shape", UNARY_SHAPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_match_numpy_and_gradients_match_pytorch(name, shape):
    np_fn, torch_name, sample = UNARY[name]
    x = sample(np.random.default_rng(0), shape)
    ours = getattr(ag, name)
    np.testing.assert_allclose(ours(x).data, np_fn(x), rtol=1e-14, atol=0)
    if isinstance(np_fn, np.ufunc) or np_fn is np.copy:  # numpy's function answers for Tensors
        out = np_fn(ag.tensor(x, requires_grad=True))
        assert isinstance(out, ag.Tensor) and out.grad_fn.name == name
    torch = pytest.importorskip("torch")
    seed = np.random.default_rng(1).standard_normal(np.shape(np_fn(x)))
    value, (grad,) = _our_grads(ours, [x], seed)
    t_value, (t_grad,) = _torch_grads(torch, torch_name, [x], seed)
    np.testing.assert_allclose(value, t_value, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shapes", BINARY_SHAPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_values_match_numpy_and_gradients_match_pytorch(name, shapes):
    np_fn, torch_name = BINARY[name][:2]
    a, b = _operands(name, shapes, np.random.default_rng(2))
    ours = getattr(ag, name)
    np.testing.assert_allclose(ours(a, b).data, np_fn(a, b), rtol=1e-14, atol=0)
    out = np_fn(ag.tensor(a, requires_grad=True), b)
    assert isinstance(out, ag.Tensor) and out.grad_fn.name == name
    torch = pytest.importorskip("torch")
    seed = np.random.default_rng(3).standard_normal(np.broadcast_shapes(*shapes))
    value, grads = _our_grads(ours, [a, b], seed)
    t_value, t_grads = _torch_grads(torch, torch_name, [a, b], seed)
    np.testing.assert_allclose(value, t_value, rtol=1e-12, atol=1e-14)
    for g, tg in zip(grads, t_grads):
        np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", UNARY_SHAPES)
@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_error_functions_match_scipy_and_pytorch(name, shape):
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(4)
    x = rng.uniform(-0.95, 0.95, shape) if name == "erfinv" else rng.normal(0, 2, shape)
    ours = getattr(ag, name)
    np.testing.assert_allclose(ours(x).data, getattr(special, name)(x), rtol=1e-15)
    x32 = ours(x.astype(np.float32))
    assert x32.dtype == np.float32
    torch = pytest.importorskip("torch")
    seed = rng.standard_normal(shape)
    value, (grad,) = _our_grads(ours, [x], seed)
    t_value, (t_grad,) = _torch_grads(torch, SPECIAL[name], [x], seed)
    np.testing.assert_allclose(value, t_value, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-10, atol=1e-15)


def test_erf_tails_and_erfinv_ends():
    pytest.importorskip("scipy")
    x = ag.tensor([-30.0, 30.0, 0.0], requires_grad=True)
    ag.erf(x).sum().backward()
    np.testing.assert_array_equal(ag.erf(x).data, [-1.0, 1.0, 0.0])
    np.testing.assert_array_equal(x.grad.data[:2], [0.0, 0.0])  # e^(−900) underflows to an exact 0, not NaN
    assert ag.erfc(ag.tensor(10.0)).item() == pytest.approx(2.088487583762545e-45, rel=1e-12)  # no cancellation
    np.testing.assert_array_equal(ag.erfinv(ag.tensor([-1.0, 1.0])).data, [-np.inf, np.inf])


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_pytorch_including_the_tails(approximate):
    if approximate == "none":
        pytest.importorskip("scipy")
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.linspace(-12, 12, 49), [-40.0, 0.0, 40.0]])
    seed = np.random.default_rng(5).standard_normal(x.shape)
    xt = ag.tensor(x, requires_grad=True)
    y = ag.gelu(xt, approximate=approximate)
    y.backward(seed)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.gelu(tx, approximate=approximate)
    ty.backward(torch.tensor(seed))
    # PyTorch's erf form loses the far negative tail (x·Φ(x) ≈ −1e−32 at x = −12) to cancellation and gives 0
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-14)
    if approximate == "none":  # ours keeps every digit there: Φ(x) = ½·erfc(−x/√2)
        from scipy.special import ndtr

        np.testing.assert_allclose(y.data, x * ndtr(x), rtol=1e-13, atol=0)


def test_gelu_refuses_an_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none'.*or 'tanh', not 'fast'"):
        ag.gelu(ag.tensor([1.0]), approximate="fast")


def test_without_scipy_the_error_functions_name_the_install(monkeypatch):
    monkeypatch.setattr(special_module, "_special", None)
    monkeypatch.setitem(sys.modules, "scipy", None)  # makes `from scipy import special` fail
    monkeypatch.delitem(sys.modules, "scipy.special", raising=False)
    x = ag.tensor([0.5], requires_grad=True)
    for fn in (ag.erf, ag.erfc, ag.erfinv, ag.gelu):
        with pytest.raises(MissingDependencyError, match=r"pip install scipy"):
            fn(x)
    with pytest.raises(ImportError):  # the builtin a user would catch
        ag.erf(x)
    assert ag.gelu(x, approximate="tanh").item() == pytest.approx(0.3457140, rel=1e-6)  # needs no scipy


def test_rounding_has_zero_gradient_but_stays_in_the_graph():
    x = ag.tensor([-1.5, -0.4, 0.5, 2.5, 2.7], requires_grad=True)
    for name in ("floor", "ceil", "trunc", "round", "sign"):
        y = getattr(ag, name)(x)
        assert y.requires_grad and y.grad_fn.name == name
        g = ag.grad(lambda t, name=name: getattr(ag, name)(t).sum())(x)
        np.testing.assert_array_equal(g.data, np.zeros(5))
    np.testing.assert_array_equal(ag.round(x).data, [-2.0, -0.0, 0.0, 2.0, 3.0])  # halves to even, as numpy/PyTorch
    np.testing.assert_array_equal(np.round(x, 1).data, np.round(x.data, 1))
    np.testing.assert_array_equal(np.rint(x).data, np.rint(x.data))
    np.testing.assert_array_equal(np.fix(x).data, np.fix(x.data))
    np.testing.assert_array_equal(x.round(decimals=0).data, np.round(x.data))


def test_remainder_follows_python_fmod_follows_c_and_gradients_are_1_and_minus_the_quotient():
    a = ag.tensor([5.5, -5.5, 5.5, -5.5], requires_grad=True)
    b = ag.tensor([2.0, 2.0, -2.0, -2.0], requires_grad=True)
    np.testing.assert_array_equal((a % b).data, [1.5, 0.5, -0.5, -1.5])
    np.testing.assert_array_equal(ag.fmod(a, b).data, [1.5, -1.5, 1.5, -1.5])
    (a % b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, -np.floor(a.data / b.data))
    np.testing.assert_array_equal((7.0 % a).data, np.remainder(7.0, a.data))  # the reflected operator
    np.testing.assert_array_equal((np.ones(4) % a).data, np.remainder(1.0, a.data))


def test_hypot_and_arctan2_take_a_zero_gradient_at_the_origin():
    a = ag.tensor([0.0, 3.0], requires_grad=True)
    b = ag.tensor([0.0, 4.0], requires_grad=True)
    ag.hypot(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.data, [0.0, 0.6])
    np.testing.assert_allclose(b.grad.data, [0.0, 0.8])
    a.zero_grad()
    b.zero_grad()
    ag.arctan2(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.data, [0.0, 4 / 25])
    np.testing.assert_allclose(b.grad.data, [0.0, -3 / 25])


def test_fmax_fmin_ignore_nan_and_send_the_gradient_to_the_number_chosen():
    a = ag.tensor([np.nan, 1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor([1.0, np.nan, 2.0, 1.0], requires_grad=True)
    np.testing.assert_array_equal(ag.fmax(a, b).data, [1.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(ag.fmin(a, b).data, [1.0, 1.0, 2.0, 1.0])
    ag.fmax(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 1.0, 1.0, 1.0])  # ties go to a, as in PyTorch
    np.testing.assert_array_equal(b.grad.data, [1.0, 0.0, 0.0, 0.0])


def test_lerp_with_tensor_and_number_weights_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    s, e, w = rng.normal(size=(2, 3)), rng.normal(size=(3,)), rng.uniform(-0.5, 1.5, (2, 1))
    value, grads = _our_grads(ag.lerp, [s, e, w], np.ones((2, 3)))
    ts = [torch.tensor(v, requires_grad=True) for v in (s, e, w)]
    out = torch.lerp(*ts)
    out.sum().backward()
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=1e-14)
    for g, t in zip(grads, ts):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12)
    x = ag.tensor(s, requires_grad=True)
    assert x.lerp(e, 1.0).data.tolist() == np.broadcast_to(e, (2, 3)).tolist()  # w = 1 gives end exactly


def test_copysign_passes_the_sign_flip_and_nothing_to_the_sign_source():
    a = ag.tensor([2.0, -3.0, 0.0, 1.0], requires_grad=True)
    b = ag.tensor([-1.0, -1.0, -1.0, -0.0], requires_grad=True)
    y = ag.copysign(a, b)
    np.testing.assert_array_equal(y.data, [-2.0, -3.0, -0.0, -1.0])
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.data, [-1.0, 1.0, 0.0, -1.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_low_precision_in_low_precision_out(dtype):
    x = ag.tensor([0.3, 0.6], dtype=dtype, requires_grad=True)
    for name in ("tan", "arcsin", "log2", "exp2", "reciprocal", "rsqrt", "square", "expm1"):
        y = getattr(ag, name)(x)
        assert y.dtype == dtype, name
        g = ag.grad(lambda t, name=name: getattr(ag, name)(t).sum())(x)
        assert g.dtype == dtype, name
    for name in ("hypot", "logaddexp2", "arctan2", "remainder", "copysign"):
        assert getattr(ag, name)(x, 0.7).dtype == dtype, name


def test_tensor_methods_use_numpy_and_pytorch_names():
    x = ag.tensor([0.25, 0.5], requires_grad=True)
    for ours, other in [("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"), ("arcsinh", "asinh")]:
        np.testing.assert_array_equal(getattr(x, ours)().data, getattr(x, other)().data)
    np.testing.assert_array_equal(x.atan2(x).data, np.arctan2(x.data, x.data))
    np.testing.assert_allclose(x.arctanh().data, np.arctanh(x.data))
    np.testing.assert_allclose((x + 1).acosh().data, np.arccosh(x.data + 1))
    y = x.clone()
    assert y.data is not x.data and y.grad_fn.name == "clone" and np.copy(x).grad_fn.name == "clone"
