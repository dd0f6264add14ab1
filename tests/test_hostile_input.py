"""Bad input gets the library's error: a table of hostile calls across the public API.

Each call either raises a subclass of ``autograd_core.errors.AutogradError``
(never a raw numpy or Python error, never a quietly wrong answer), or is
legitimately accepted and then its result is checked. Arity mistakes
(``tanh(x, 2)``) are Python's own TypeError, as for any function, and are
not listed.
"""

import datetime

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import AutogradError

RAGGED = [[1.0], [1.0, 2.0]]
OBJECTS = np.array([1.0, 2.0], dtype=object)
DATES = np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]")
STRINGS = np.array(["a", "b"])


def matrix(requires_grad=True):
    return ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=requires_grad)


def vector():
    return ag.tensor([1.0, 2.0, 3.0])


def f_sum(t):
    return (t * t).sum()


REFUSED = {
    # tensor creation
    "tensor(None)": lambda: ag.tensor(None),
    "tensor(str)": lambda: ag.tensor("abc"),
    "tensor(bytes)": lambda: ag.tensor(b"ab"),
    "tensor(list of str)": lambda: ag.tensor(["a", "b"]),
    "tensor(dict)": lambda: ag.tensor({"a": 1}),
    "tensor(empty dict)": lambda: ag.tensor({}),
    "tensor(set)": lambda: ag.tensor({1, 2}),
    "tensor(ragged)": lambda: ag.tensor(RAGGED),
    "tensor(ragged, deeper)": lambda: ag.tensor([[1.0, [2.0]], [3.0, 4.0]]),
    "tensor(list with None)": lambda: ag.tensor([None, 1.0]),
    "tensor(object array)": lambda: ag.tensor(OBJECTS),
    "tensor(datetime array)": lambda: ag.tensor(DATES),
    "tensor(timedelta array)": lambda: ag.tensor(np.array([1], dtype="timedelta64[s]")),
    "tensor(string array)": lambda: ag.tensor(STRINGS),
    "tensor(datetime object)": lambda: ag.tensor(datetime.datetime(2020, 1, 1)),
    "tensor(function)": lambda: ag.tensor(lambda: 1),
    "tensor(object())": lambda: ag.tensor(object()),
    "tensor(generator)": lambda: ag.tensor(i for i in range(3)),
    "tensor(dtype=str)": lambda: ag.tensor([1.0], dtype=str),
    "tensor(dtype='foo')": lambda: ag.tensor([1.0], dtype="foo"),
    "tensor(dtype=object)": lambda: ag.tensor([1.0], dtype=object),
    "tensor(strings, dtype=float)": lambda: ag.tensor(["1", "x"], dtype=float),
    "tensor(dates, dtype=float)": lambda: ag.tensor(DATES, dtype=float),
    "tensor(object array, dtype=float)": lambda: ag.tensor(np.array([None, 1.0], dtype=object), dtype=float),
    "tensor([None, 1], dtype=float)": lambda: ag.tensor([None, 1.0], dtype=float),
    "tensor(requires_grad='yes')": lambda: ag.tensor([1.0], requires_grad="yes"),
    "tensor(int, requires_grad)": lambda: ag.tensor(np.array([1, 2]), requires_grad=True),
    "as_tensor(None)": lambda: ag.as_tensor(None),
    "as_tensor(object array)": lambda: ag.as_tensor(OBJECTS),
    "Tensor(str)": lambda: ag.Tensor("a"),
    # axis arguments
    "sum(axis=True)": lambda: ag.sum(matrix(), axis=True),
    "sum(axis=False)": lambda: ag.sum(matrix(), axis=False),
    "sum(axis=1.0)": lambda: ag.sum(matrix(), axis=1.0),
    "sum(axis='0')": lambda: ag.sum(matrix(), axis="0"),
    "sum(axis=5)": lambda: ag.sum(matrix(), axis=5),
    "sum(axis=(0, 0))": lambda: ag.sum(matrix(), axis=(0, 0)),
    "sum(axis=(0, 'a'))": lambda: ag.sum(matrix(), axis=(0, "a")),
    "sum(axis=(None,))": lambda: ag.sum(matrix(), axis=(None,)),
    "sum(axis={0})": lambda: ag.sum(matrix(), axis={0}),
    "sum(axis=np.float64)": lambda: ag.sum(matrix(), axis=np.float64(0)),
    "sum(axis=np.True_)": lambda: ag.sum(matrix(), axis=np.True_),
    "sum(keepdims='yes')": lambda: ag.sum(matrix(), axis=0, keepdims="yes"),
    "mean(axis=True)": lambda: ag.mean(matrix(), axis=True),
    "max(axis=False)": lambda: ag.max(matrix(), axis=False),
    "var(ddof='a')": lambda: ag.var(matrix(), ddof="a"),
    "std(ddof=None)": lambda: ag.std(matrix(), ddof=None),
    "logsumexp(axis='x')": lambda: ag.logsumexp(matrix(), axis="x"),
    "softmax(axis=True)": lambda: ag.softmax(matrix(), axis=True),
    "softmax(axis=1.0)": lambda: ag.softmax(matrix(), axis=1.0),
    "softmax(axis=2)": lambda: ag.softmax(matrix(), axis=2),
    "log_softmax(axis=None)": lambda: ag.log_softmax(matrix(), axis=None),
    "x.sum(True)": lambda: matrix().sum(True),
    "x.mean(axis=2.0)": lambda: matrix().mean(axis=2.0),
    "np.sum(x, axis=True)": lambda: np.sum(matrix(), axis=True),
    "np.mean(x, axis='a')": lambda: np.mean(matrix(), axis="a"),
    "transpose(axes='ab')": lambda: ag.transpose(matrix(), "ab"),
    "transpose(axes=(True, False))": lambda: ag.transpose(matrix(), (True, False)),
    "transpose(axes=(0, 1.0))": lambda: ag.transpose(matrix(), (0, 1.0)),
    "swapaxes(0, 'a')": lambda: ag.swapaxes(matrix(), 0, "a"),
    "moveaxis(0, 1.0)": lambda: ag.moveaxis(matrix(), 0, 1.0),
    "squeeze(axis=True)": lambda: ag.squeeze(ag.zeros(1, 2), axis=True),
    "squeeze(axis='a')": lambda: ag.squeeze(matrix(), axis="a"),
    "expand_dims(axis=1.5)": lambda: ag.expand_dims(matrix(), 1.5),
    "expand_dims(axis=None)": lambda: ag.expand_dims(matrix(), None),
    "expand_dims(axis=True)": lambda: ag.expand_dims(matrix(), True),
    "flatten(start_dim=True)": lambda: ag.flatten(matrix(), True),
    "concatenate(axis=True)": lambda: ag.concatenate([matrix(), matrix()], axis=True),
    "concatenate(axis=None)": lambda: ag.concatenate([matrix(), matrix()], axis=None),
    "stack(axis=1.0)": lambda: ag.stack([matrix(), matrix()], axis=1.0),
    "take_along_axis(axis='a')": lambda: ag.take_along_axis(matrix(), np.zeros((2, 2), int), "a"),
    # shape arguments
    "reshape(2.0, 2)": lambda: ag.reshape(matrix(), 2.0, 2),
    "reshape(True, 4)": lambda: ag.reshape(matrix(), True, 4),
    "reshape('a')": lambda: ag.reshape(matrix(), "a"),
    "reshape(None)": lambda: ag.reshape(matrix(), None),
    "reshape((2, 2.5))": lambda: ag.reshape(matrix(), (2, 2.5)),
    "reshape([[2], [2]])": lambda: ag.reshape(matrix(), [[2], [2]]),
    "reshape(-2, -2)": lambda: ag.reshape(matrix(), -2, -2),
    "reshape(-1, -1)": lambda: ag.reshape(matrix(), -1, -1),
    "x.reshape(2.0, 2)": lambda: matrix().reshape(2.0, 2),
    "x.view('a')": lambda: matrix().view("a"),
    "np.reshape(x, (2.0, 2))": lambda: np.reshape(matrix(), (2.0, 2)),
    "broadcast_to((2.5, 2))": lambda: ag.broadcast_to(matrix(), (2.5, 2)),
    "broadcast_to('ab')": lambda: ag.broadcast_to(matrix(), "ab"),
    "broadcast_to(None)": lambda: ag.broadcast_to(matrix(), None),
    "broadcast_to((-1, 2))": lambda: ag.broadcast_to(matrix(), (-1, 2)),
    "expand(2, True)": lambda: ag.expand(vector(), 2, True),
    "x.expand('a')": lambda: matrix().expand("a"),
    "zeros('a')": lambda: ag.zeros("a"),
    "zeros(-1)": lambda: ag.zeros(-1),
    "zeros(2.5)": lambda: ag.zeros(2.5),
    "zeros(None)": lambda: ag.zeros(None),
    "ones((2, 'a'))": lambda: ag.ones((2, "a")),
    "full(2.5, 1.0)": lambda: ag.full(2.5, 1.0),
    "full('a', 1.0)": lambda: ag.full("a", 1.0),
    "rand(-1)": lambda: ag.rand(-1),
    "randn(2.5)": lambda: ag.randn(2.5),
    # other arguments of shape functions
    "concatenate(None)": lambda: ag.concatenate(None),
    "concatenate([])": lambda: ag.concatenate([]),
    "concatenate([x, 'a'])": lambda: ag.concatenate([matrix(), "a"]),
    "concatenate([x, None])": lambda: ag.concatenate([matrix(), None]),
    "np.concatenate([x, 'a'])": lambda: np.concatenate([matrix(), "a"]),
    "stack(5)": lambda: ag.stack(5),
    "split(1.5)": lambda: ag.split(matrix(), 1.5),
    "split(True)": lambda: ag.split(matrix(), True),
    "split(['a'])": lambda: ag.split(matrix(), ["a"]),
    "pad('a')": lambda: ag.pad(matrix(), "a"),
    "pad(1.5)": lambda: ag.pad(matrix(), 1.5),
    "pad(None)": lambda: ag.pad(matrix(), None),
    "pad(too many pairs)": lambda: ag.pad(matrix(), ((1, 2), (1, 2), (1, 2))),
    "pad(constant_values='a')": lambda: ag.pad(matrix(), 1, constant_values="a"),
    "pad(constant_values=None)": lambda: ag.pad(matrix(), 1, constant_values=None),
    # indexing
    "x[2.0]": lambda: matrix()[2.0],
    "x['a']": lambda: matrix()["a"],
    "x[{}]": lambda: matrix()[{}],
    "x[object()]": lambda: matrix()[object()],
    "x[[0.5]]": lambda: matrix()[[0.5]],
    "x[ragged index]": lambda: matrix()[[[0, 1], [0]]],
    "x[..., ...]": lambda: matrix()[..., ...],
    "x[slice('a')]": lambda: matrix()[slice("a", None)],
    "x[1:2:0]": lambda: matrix()[1:2:0],
    "x[5]": lambda: matrix()[5],
    "x[0, 0, 0]": lambda: matrix()[0, 0, 0],
    "x[0] = None": lambda: matrix(False).__setitem__(0, None),
    "x[0] = 'a'": lambda: matrix(False).__setitem__(0, "a"),
    "x['a'] = 1": lambda: matrix(False).__setitem__("a", 1.0),
    # operands
    "x + None": lambda: matrix() + None,
    "None + x": lambda: None + matrix(),
    "x + 'a'": lambda: matrix() + "a",
    "x * {}": lambda: matrix() * {},
    "x + ragged": lambda: matrix() + RAGGED,
    "x + object array": lambda: matrix() + np.array([1.0, None], dtype=object),
    "x + datetime array": lambda: matrix() + DATES,
    "x * string array": lambda: matrix() * STRINGS,
    "x ** 'a'": lambda: matrix() ** "a",
    "x ** None": lambda: matrix() ** None,
    "x @ None": lambda: matrix() @ None,
    "x @ 2.0": lambda: matrix() @ 2.0,
    "matmul(None, x)": lambda: ag.matmul(None, matrix()),
    "exp(None)": lambda: ag.exp(None),
    "exp('a')": lambda: ag.exp("a"),
    "exp([1, 'a'])": lambda: ag.exp([1, "a"]),
    "exp(ragged)": lambda: ag.exp(RAGGED),
    "exp({})": lambda: ag.exp({}),
    "exp(datetime array)": lambda: ag.exp(DATES),
    "exp(object array)": lambda: ag.exp(OBJECTS),
    "relu(None)": lambda: ag.relu(None),
    "maximum(x, 'a')": lambda: ag.maximum(matrix(), "a"),
    "linear(x, None)": lambda: ag.linear(matrix(), None),
    "linear(x, 'a')": lambda: ag.linear(matrix(), "a"),
    # parameters of elementwise functions
    "leaky_relu(slope='a')": lambda: ag.leaky_relu(matrix(), "a"),
    "leaky_relu(slope=None)": lambda: ag.leaky_relu(matrix(), None),
    "elu(alpha=[1, 2, 3])": lambda: ag.elu(matrix(), [1.0, 2.0, 3.0]),
    "clip()": lambda: ag.clip(matrix()),
    "clip(min='a')": lambda: ag.clip(matrix(), "a"),
    "x.clip('a', 'b')": lambda: matrix().clip("a", "b"),
    "where('a', x, x)": lambda: ag.where("a", matrix(), matrix()),
    "where(ragged, x, x)": lambda: ag.where([[True], [True, False]], matrix(), matrix()),
    "where(datetime, x, x)": lambda: ag.where(DATES, matrix(), matrix()),
    "where(c, x, None)": lambda: ag.where(np.ones(2, bool), matrix(), None),
    "cast('foo')": lambda: ag.cast(matrix(), "foo"),
    "cast(None)": lambda: ag.cast(matrix(), None),
    "cast(str)": lambda: ag.cast(matrix(), str),
    "cast(object)": lambda: ag.cast(matrix(), object),
    "x.astype('datetime64[D]')": lambda: matrix().astype("datetime64[D]"),
    # losses
    "cross_entropy(x, None)": lambda: ag.cross_entropy(matrix(), None),
    "cross_entropy(x, 'a')": lambda: ag.cross_entropy(matrix(), "a"),
    "cross_entropy(x, ragged)": lambda: ag.cross_entropy(matrix(), [[0.5], [1.0, 0.0]]),
    "cross_entropy(x, [0, 5])": lambda: ag.cross_entropy(matrix(), [0, 5]),
    "cross_entropy(None, labels)": lambda: ag.cross_entropy(None, [0, 1]),
    "binary_cross_entropy(p, 'a')": lambda: ag.binary_cross_entropy(ag.tensor([0.5]), "a"),
    "binary_cross_entropy(p, None)": lambda: ag.binary_cross_entropy(ag.tensor([0.5]), None),
    "bce_with_logits(x, None)": lambda: ag.binary_cross_entropy_with_logits(matrix(), None),
    "bce_with_logits(x, dates)": lambda: ag.binary_cross_entropy_with_logits(matrix(), DATES),
    # factories
    "zeros(dtype='foo')": lambda: ag.zeros(2, dtype="foo"),
    "zeros(dtype=str)": lambda: ag.zeros(2, dtype=str),
    "zeros(requires_grad='yes')": lambda: ag.zeros(2, requires_grad="yes"),
    "full(2, 'a')": lambda: ag.full(2, "a"),
    "full(2, None)": lambda: ag.full(2, None),
    "arange('a')": lambda: ag.arange("a"),
    "arange(None)": lambda: ag.arange(None),
    "arange(0, 10, 0)": lambda: ag.arange(0, 10, 0),
    "linspace(0, 1, -1)": lambda: ag.linspace(0, 1, -1),
    "linspace(0, 1, 2.5)": lambda: ag.linspace(0, 1, 2.5),
    "linspace('a', 1)": lambda: ag.linspace("a", 1),
    "eye(-1)": lambda: ag.eye(-1),
    "eye(2.5)": lambda: ag.eye(2.5),
    "eye('a')": lambda: ag.eye("a"),
    "randn(rng='a')": lambda: ag.randn(2, rng="a"),
    "zeros_like(None)": lambda: ag.zeros_like(None),
    "zeros_like('a')": lambda: ag.zeros_like("a"),
    "ones_like(ragged)": lambda: ag.ones_like(RAGGED),
    "full_like(x, 'a')": lambda: ag.full_like(matrix(), "a"),
    "manual_seed('a')": lambda: ag.manual_seed("a"),
    "manual_seed(-1)": lambda: ag.manual_seed(-1),
    # backward and transforms
    "backward('a')": lambda: (matrix() * 1).backward("a"),
    "backward(None entries)": lambda: (matrix() * 1).backward([[None, 1.0], [1.0, 1.0]]),
    "backward(ragged)": lambda: (matrix() * 1).backward(RAGGED),
    "backward(wrong shape)": lambda: (matrix() * 1).backward(np.ones(3)),
    "grad('not a function')": lambda: ag.grad("notfn")(matrix()),
    "grad(f)(None)": lambda: ag.grad(f_sum)(None),
    "grad(f)('a')": lambda: ag.grad(f_sum)("a"),
    "grad(f)(integers)": lambda: ag.grad(f_sum)(np.array([1, 2])),
    "grad(f)(dates)": lambda: ag.grad(f_sum)(DATES),
    "grad(argnums='a')": lambda: ag.grad(f_sum, argnums="a")(matrix()),
    "grad(argnums=3)": lambda: ag.grad(f_sum, argnums=3)(matrix()),
    "grad(argnums=1.0)": lambda: ag.grad(f_sum, argnums=1.0)(matrix()),
    "grad(argnums=True)": lambda: ag.grad(f_sum, argnums=True)(matrix()),
    "grad(f returning str)": lambda: ag.grad(lambda t: "a")(matrix()),
    "grad(f returning a vector)": lambda: ag.grad(lambda t: t)(matrix()),
    "jvp(f, array, array)": lambda: ag.jvp(lambda t: t, np.ones(2), np.ones(2)),
    "jvp(f, [x], [None])": lambda: ag.jvp(lambda t: t, [np.ones(2)], [None]),
    "jvp(f, [x], ['a'])": lambda: ag.jvp(lambda t: t, [np.ones(2)], ["a"]),
    "jvp(f, [x], [ragged])": lambda: ag.jvp(lambda t: t, [np.ones((2, 2))], [RAGGED]),
    "jvp(f, [x], [])": lambda: ag.jvp(lambda t: t, [np.ones(2)], []),
    "jvp(f, [None], [1])": lambda: ag.jvp(lambda t: t, [None], [1.0]),
    "jvp(None, ...)": lambda: ag.jvp(None, [np.ones(2)], [np.ones(2)]),
    "vjp(f, None)": lambda: ag.vjp(lambda t: t, None),
    "vjp_fn(None)": lambda: ag.vjp(lambda t: t, np.ones(2))[1](None),
    "vjp_fn('a')": lambda: ag.vjp(lambda t: t, np.ones(2))[1]("a"),
    "vjp_fn(ragged)": lambda: ag.vjp(lambda t: t, np.ones((2, 2)))[1](RAGGED),
    "jacfwd(f)(None)": lambda: ag.jacfwd(lambda t: t)(None),
    "jacfwd(argnums=2)": lambda: ag.jacfwd(lambda t: t, argnums=2)(np.ones(2)),
    "jacrev(f)('a')": lambda: ag.jacrev(lambda t: t)("a"),
    "jacrev(chunk_size='a')": lambda: ag.jacrev(lambda t: t, chunk_size="a")(np.ones(2)),
    "jacrev(chunk_size=0)": lambda: ag.jacrev(lambda t: t, chunk_size=0)(np.ones(2)),
    "jacobian(mode='x')": lambda: ag.jacobian(lambda t: t, mode="x")(np.ones(2)),
    "hessian(f)(None)": lambda: ag.hessian(f_sum)(None),
    "hvp(f, x, 'a')": lambda: ag.hvp(f_sum, np.ones(2), "a"),
    "hvp(f, x, wrong shape)": lambda: ag.hvp(f_sum, np.ones(2), np.ones(3)),
    # Tensor methods
    "requires_grad_('a')": lambda: ag.tensor([1.0]).requires_grad_("a"),
    "register_hook('a')": lambda: matrix().register_hook("a"),
    "add_('a')": lambda: ag.tensor([1.0]).add_("a"),
    "copy_(ragged)": lambda: ag.tensor([1.0, 2.0]).copy_(RAGGED),
    "copy_(None)": lambda: ag.tensor([1.0, 2.0]).copy_(None),
    "item() of a matrix": lambda: matrix().item(),
    "len() of a 0-d tensor": lambda: len(ag.tensor(1.0)),
}


@pytest.mark.parametrize("call", list(REFUSED.values()), ids=list(REFUSED))
def test_bad_input_raises_the_library_error(call):
    with pytest.raises(AutogradError) as info:
        call()
    assert str(info.value), "the error must say what was expected"


def test_the_table_is_large():
    assert len(REFUSED) + len(ACCEPTED) >= 100


def _values(t):
    return np.asarray(t.data if isinstance(t, ag.Tensor) else t)


# Calls that look odd but are legitimate (numpy's or PyTorch's own semantics), with their correct results.
ACCEPTED = {
    "tensor([t1, t2]) stacks their values": (
        lambda: ag.tensor([vector(), vector()]),
        lambda out: np.testing.assert_array_equal(_values(out), [[1.0, 2.0, 3.0]] * 2),
    ),
    "tensor(integer list, dtype=float32)": (
        lambda: ag.tensor([1, 2], dtype="float32"),
        lambda out: np.testing.assert_array_equal(_values(out), np.array([1.0, 2.0], np.float32)),
    ),
    "tensor(complex array) keeps complex": (
        lambda: ag.tensor(np.array([1 + 2j])),
        lambda out: (out.dtype == np.complex128) or pytest.fail(str(out.dtype)),
    ),
    "tensor(np.float32 scalar) keeps float32": (
        lambda: ag.tensor(np.float32(1.5)),
        lambda out: (out.dtype == np.float32 and out.shape == ()) or pytest.fail(str(out)),
    ),
    "axis as numpy integer": (
        lambda: ag.sum(matrix(), axis=np.int64(0)),
        lambda out: np.testing.assert_array_equal(_values(out), [4.0, 6.0]),
    ),
    "axis as a list": (
        lambda: ag.sum(matrix(), axis=[0, 1]),
        lambda out: np.testing.assert_array_equal(_values(out), 10.0),
    ),
    "reshape with numpy integers": (
        lambda: ag.reshape(matrix(), np.int64(4)),
        lambda out: np.testing.assert_array_equal(_values(out), [1.0, 2.0, 3.0, 4.0]),
    ),
    "broadcast_to an int shape": (
        lambda: ag.broadcast_to(ag.tensor(2.0), 3),
        lambda out: np.testing.assert_array_equal(_values(out), [2.0, 2.0, 2.0]),
    ),
    "var with a fractional ddof (numpy's)": (
        lambda: ag.var(vector(), ddof=1.5),
        lambda out: np.testing.assert_allclose(_values(out), np.var([1.0, 2.0, 3.0], ddof=1.5)),
    ),
    "concatenate(matrix) joins its rows (numpy's)": (
        lambda: ag.concatenate(matrix()),
        lambda out: np.testing.assert_array_equal(_values(out), [1.0, 2.0, 3.0, 4.0]),
    ),
    "x + integer list": (
        lambda: vector() + [1, 2, 3],
        lambda out: np.testing.assert_array_equal(_values(out), [2.0, 4.0, 6.0]),
    ),
    "x + bool array": (
        lambda: vector() + np.array([True, False, True]),
        lambda out: np.testing.assert_array_equal(_values(out), [2.0, 2.0, 4.0]),
    ),
    "where with a numeric condition": (
        lambda: ag.where([1, 0, 2], vector(), 0.0),
        lambda out: np.testing.assert_array_equal(_values(out), [1.0, 0.0, 3.0]),
    ),
    "clip with an array bound": (
        lambda: ag.clip(vector(), np.array([2.0, 0.0, 0.0])),
        lambda out: np.testing.assert_array_equal(_values(out), [2.0, 2.0, 3.0]),
    ),
    "pad with numpy integer widths": (
        lambda: ag.pad(vector(), np.int64(1)),
        lambda out: np.testing.assert_array_equal(_values(out), [0.0, 1.0, 2.0, 3.0, 0.0]),
    ),
    "x[np.int64(1)]": (
        lambda: vector()[np.int64(1)],
        lambda out: np.testing.assert_array_equal(_values(out), 2.0),
    ),
    "slice with numpy integer bounds": (
        lambda: vector()[np.int64(1) : np.int64(3)],
        lambda out: np.testing.assert_array_equal(_values(out), [2.0, 3.0]),
    ),
    "x[0] = integer list": (
        lambda: _assigned(),
        lambda out: np.testing.assert_array_equal(_values(out), [[7.0, 8.0], [3.0, 4.0]]),
    ),
    "zeros with numpy integer sizes": (
        lambda: ag.zeros(np.int64(2), np.int32(3)),
        lambda out: (out.shape == (2, 3)) or pytest.fail(str(out.shape)),
    ),
    "requires_grad=np.True_": (
        lambda: ag.tensor([1.0], requires_grad=np.True_),
        lambda out: out.requires_grad or pytest.fail("not requiring grad"),
    ),
}


def _assigned():
    t = matrix(False)
    t[0] = [7, 8]
    return t


@pytest.mark.parametrize("call, check", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_odd_but_legitimate_input_is_accepted_with_the_right_result(call, check):
    check(call())


def test_a_ragged_list_is_a_pytree_to_the_transforms_as_in_jax():
    """grad sees a nested list as a pytree of numbers (JAX's rule), so it differentiates leaf by leaf."""
    g = ag.grad(lambda tree: sum(x * x for row in tree for x in row))([[1.0, 2.0], [3.0]])
    assert [[v.item() for v in row] for row in g] == [[2.0, 4.0], [6.0]]
