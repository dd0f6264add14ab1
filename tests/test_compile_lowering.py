"""The hand-lowered primitives and rules of ag.compile give the registry's results bit for bit.

``lower.py`` spells out the forward and VJP of the hot primitives as numpy
calls (to write into planned buffers); each entry is checked here against
eager mode on random data, small (allocated) and large (planned buffers,
written in place), in float32 and float64. A table entry without a case
here fails ``test_every_table_entry_has_a_case``.
"""

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.compiler import CompileWarning
from autograd_core.compiler.lower import FORWARD_SPECIAL, FORWARD_TABLE, VJP_SPECIAL, VJP_TABLE

# The compiled program reproduces eager results under numpy 2's promotion rules (NEP 50); numpy 1
# promotes 0-d float32 values with Python floats differently, which the lowering does not replicate yet.
pytestmark = pytest.mark.skipif(
    np.lib.NumpyVersion(np.__version__) < "2.0.0", reason="ag.compile is verified on numpy 2 only (NEP 50 promotion)"
)

UNARY = {
    "neg": lambda x: -x,
    "exp": ag.exp,
    "log": ag.log,
    "log1p": ag.log1p,
    "sqrt": ag.sqrt,
    "abs": ag.abs,
    "sin": ag.sin,
    "cos": ag.cos,
    "tanh": ag.tanh,
    "sigmoid": ag.sigmoid,
    "relu": ag.relu,
    "identity": ag.identity,
}
BINARY = {"add": ag.add, "sub": ag.sub, "mul": ag.mul, "div": ag.div}
POSITIVE = {"log", "log1p", "sqrt"}
SHAPES = {"small": (3, 5), "large": (64, 96)}  # large: at least BUFFER_BYTES, so planned buffers


def _inputs(name, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    if name in POSITIVE:
        x = np.abs(x) + 0.1
    x.flat[::7] = 0.0 if name not in POSITIVE and name != "div" else x.flat[::7]  # exact zeros: relu's kink, abs
    return x


def _flat(out):
    return [t for o in out for t in _flat(o)] if isinstance(out, tuple) else [out]


def _check(fn, *arrays):
    eager = fn(*arrays)
    compiled = ag.compile(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        compiled(*arrays)
        again = compiled(*arrays)
    assert compiled.program is not None
    for a, b in zip(_flat(eager), _flat(again), strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(b.data, a.data, strict=True)
    return compiled


def test_every_table_entry_has_a_case():
    covered = set(UNARY) | set(BINARY) | {"linear", "matmul", "sum", "mean", "cross_entropy"}
    assert {name for name, _ in VJP_TABLE} <= covered
    assert set(FORWARD_TABLE) | set(FORWARD_SPECIAL) <= covered
    assert {name for name, _ in VJP_SPECIAL} <= covered


@pytest.mark.parametrize("size", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_forward_and_vjp(name, dtype, size):
    shape = SHAPES[size]
    x = _inputs(name, shape, dtype, 0)
    w = np.random.default_rng(1).standard_normal(shape).astype(dtype)  # a non-uniform cotangent
    op = UNARY[name]
    program = str(_check(ag.value_and_grad(lambda x: (op(x) * w).sum()), x).program)
    assert f"{name}_vjp0(" not in program  # lowered, not the eager rule
    assert f"{name}_forward(" not in program or name == "sigmoid"  # its stable forward is a Python function


@pytest.mark.parametrize("broadcast", [False, True])
@pytest.mark.parametrize("size", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", BINARY)
def test_binary_forward_and_vjps(name, dtype, size, broadcast):
    shape = SHAPES[size]
    a = _inputs(name, shape, dtype, 2)
    b = _inputs(name, shape[-1:] if broadcast else shape, dtype, 3)
    if name == "div":
        b = np.abs(b) + 0.5
    w = np.random.default_rng(4).standard_normal(shape).astype(dtype)
    op = BINARY[name]
    program = str(_check(ag.value_and_grad(lambda a, b: (op(a, b) * w).sum(), argnums=(0, 1)), a, b).program)
    assert f"{name}_vjp" not in program and f"{name}_forward(" not in program
    _check(ag.value_and_grad(lambda a: (op(a, 0.75) * w).sum()), a)  # a Python number operand


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [4, 64])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear_and_matmul(dtype, batch, bias):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((batch, 40)).astype(dtype)
    w = rng.standard_normal((24, 40)).astype(dtype)
    b = rng.standard_normal(24).astype(dtype) if bias else None
    if bias:
        _check(ag.value_and_grad(lambda x, w, b: (ag.linear(x, w, b).tanh() ** 2).sum(), argnums=(0, 1, 2)), x, w, b)
    else:
        _check(ag.value_and_grad(lambda x, w: (ag.linear(x, w).tanh() ** 2).sum(), argnums=(0, 1)), x, w)
    _check(ag.value_and_grad(lambda x, v: ((x @ v).sin() ** 2).sum(), argnums=(0, 1)), x, w.T.copy())


@pytest.mark.parametrize("axis,keepdims", [(0, False), (1, True), (None, False), ((0, 1), True)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sum_and_mean(dtype, axis, keepdims):
    x = np.random.default_rng(6).standard_normal((48, 40)).astype(dtype)
    _check(ag.value_and_grad(lambda x: (x.sum(axis=axis, keepdims=keepdims) ** 2).sum()), x)
    _check(ag.value_and_grad(lambda x: (x.mean(axis=axis, keepdims=keepdims) ** 2).sum()), x)


@pytest.mark.parametrize("rows", [8, 512])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_with_class_labels(dtype, rows):
    rng = np.random.default_rng(7)
    z = (rng.standard_normal((rows, 10)) * 4).astype(dtype)
    labels = rng.integers(0, 10, rows)
    compiled = _check(ag.value_and_grad(lambda z, y: ag.cross_entropy(z, y).mean()), z, labels)
    assert "take(" in str(compiled.program)  # the hand-lowered path, not the rule


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_relu_gradient_keeps_zero_where_the_input_is_zero_or_nan(dtype):
    x = np.array([[-1.0, 0.0, -0.0, 2.0, np.nan, np.inf, -np.inf, -np.nan]] * 600, dtype)
    g = np.array([[1.0, 2.0, -3.0, 4.0, 5.0, np.inf, np.nan, -0.0]] * 600, dtype)
    fn = ag.vjp
    eager_out, eager_vjp = fn(ag.relu, x)
    compiled = ag.compile(lambda x, g: ag.vjp(ag.relu, x)[1](g))
    compiled(x, g)
    got = compiled(x, g)[0].data
    want = eager_vjp(g)[0].data
    assert "relu_grad(" in str(compiled.program)
    bits = f"i{got.itemsize}"
    np.testing.assert_array_equal(got.view(bits), want.view(bits))  # bits, signs of zeros included
