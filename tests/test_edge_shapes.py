"""Edge shapes: zero input features, thousands of concatenated inputs, 0-d parameters in optimizers."""

import sys

import numpy as np
import pytest

import autograd_core as ag
import nn


def test_linear_layer_with_zero_input_features():
    layer = nn.Linear(0, 2)
    x = ag.zeros(5, 0)
    y = layer(x)
    np.testing.assert_array_equal(y.data, np.broadcast_to(layer.bias.data, (5, 2)))
    y.sum().backward()
    assert layer.weight.grad.shape == (2, 0)
    np.testing.assert_array_equal(layer.bias.grad.data, [5.0, 5.0])


@pytest.mark.parametrize("lead", [(), (3,), (2, 3), (0,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_with_zero_input_features_has_zero_gradients(lead, bias):
    x = ag.tensor(np.zeros(lead + (0,)), requires_grad=True)
    w = ag.tensor(np.zeros((2, 0)), requires_grad=True)
    args = [x, w] + ([ag.tensor(np.ones(2), requires_grad=True)] if bias else [])
    y = ag.linear(*args)
    assert y.shape == lead + (2,)
    (y * 3.0).sum().backward()
    assert x.grad.shape == x.shape and w.grad.shape == (2, 0)
    if bias:
        np.testing.assert_array_equal(args[2].grad.data, [3.0 * max(1, int(np.prod(lead)))] * 2 if lead != (0,) else 0)
    rev = ag.jacrev(lambda w: ag.linear(x.detach(), w))(w.detach())
    fwd = ag.jacfwd(lambda w: ag.linear(x.detach(), w))(w.detach())
    assert rev.shape == fwd.shape == lead + (2, 2, 0)


@pytest.mark.parametrize("rows", [5, 0])
def test_linear_backward_with_an_empty_batch_of_seeds(rows):
    """Batched seeds (run_backward's leading axes) of length 0 give empty gradients, not a reshape error."""
    x = ag.tensor(np.ones((rows, 3)))
    w, b = ag.tensor(np.ones((4, 3)), requires_grad=True), ag.tensor(np.ones(4), requires_grad=True)
    y = ag.linear(x, w, b)
    gw, gb = ag.run_backward([y], [np.zeros((0, rows, 4))], inputs=[w, b], accumulate=False)
    assert gw.shape == (0, 4, 3) and gb.shape == (0, 4)


def _work(fn) -> int:
    """Python lines run plus positional arguments passed through ``*args`` while ``fn()`` runs.

    A deterministic stand-in for time: a pass that visits n inputs, or passes
    n arguments, once for each of n inputs grows with n², which this count shows.
    """
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "call":
            code = frame.f_code
            if code.co_flags & 0x04:  # CO_VARARGS: count the arguments packed into *args
                count += len(frame.f_locals[code.co_varnames[code.co_argcount + code.co_kwonlyargcount]])
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("join", [ag.concatenate, ag.stack])
def test_concatenate_and_stack_backward_are_linear_in_the_number_of_inputs(join):
    def backward_work(n):
        loss = join([ag.tensor(np.ones(2), requires_grad=True) for _ in range(n)]).sum()
        return _work(loss.backward)

    small, large = backward_work(100), backward_work(400)
    assert large < 5 * small, f"backward through 400 inputs did {large / small:.1f}× the work of 100 (linear: 4×)"


def test_concatenate_gradients_reach_every_input():
    xs = [ag.tensor(np.full(i % 3 + 1, float(i)), requires_grad=True) for i in range(50)]
    y = ag.concatenate(xs)
    weights = np.arange(y.size, dtype=float)
    (y * weights).sum().backward()
    start = 0
    for x in xs:
        np.testing.assert_array_equal(x.grad.data, weights[start : start + x.size])
        start += x.size


OPTIMIZERS = [
    ("SGD", {"momentum": 0.9}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"momentum": 0.5}),
    ("Adagrad", {}),
]


@pytest.mark.parametrize("name, options", OPTIMIZERS, ids=[f"{n}{o}" for n, o in OPTIMIZERS])
def test_optimizers_step_a_0d_parameter_beside_one_without_gradient(name, options):
    def run(shape):
        a = nn.Parameter(ag.full(shape, 1.5))
        idle = nn.Parameter(ag.tensor([1.0, 2.0]))  # no gradient: the group is updated parameter by parameter
        opt = getattr(nn.optim, name)([a, idle], lr=0.1, **options)
        for _ in range(3):
            opt.zero_grad()
            (a * a * 2.0).sum().backward()
            opt.step()
        np.testing.assert_array_equal(idle.data, [1.0, 2.0])
        return a.data

    scalar, vector = run(()), run((1,))
    assert scalar.shape == ()
    np.testing.assert_allclose(scalar, vector[0], rtol=1e-12)


def test_logsumexp_over_no_elements_is_minus_infinity():
    # found by the differential test: numpy's max has no identity, so logsumexp over an empty axis raised
    x = ag.zeros(3, 0, requires_grad=True)
    with np.errstate(divide="ignore"):
        y = ag.logsumexp(x, axis=1)
        np.testing.assert_array_equal(y.data, [-np.inf] * 3)
        y.sum().backward()
        assert ag.logsumexp(ag.zeros(0, 0), axis=0).shape == (0,)
    assert x.grad.shape == (3, 0)


@pytest.mark.parametrize("fn", [ag.softmax, ag.log_softmax])
def test_softmax_along_an_empty_axis_is_empty(fn):
    x = ag.zeros(3, 0, requires_grad=True)
    y = fn(x, axis=1)
    assert y.shape == (3, 0)
    y.sum().backward()
    assert x.grad.shape == (3, 0)


@pytest.mark.parametrize("condition", [np.zeros(0, bool), np.ones(2, bool), True])
def test_where_keeps_a_0d_float32_value_float32_when_the_condition_broadcasts(condition):
    # found by the differential test on numpy 1.26, which made float64 of a 0-d float32 value and a Python float
    x = ag.tensor(np.float32(0.5), requires_grad=True)
    y = ag.where(condition, 0.25, x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
