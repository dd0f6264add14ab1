"""Operands that used to lose gradients or types silently (engine-core issue, item 5)."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, AutogradError, DtypeError


def test_a_list_holding_tensors_is_refused_not_made_constant():
    a = ag.tensor(1.0, requires_grad=True)
    b = ag.tensor(2.0, requires_grad=True)
    x = ag.tensor([3.0, 4.0], requires_grad=True)
    with pytest.raises(ArgumentTypeError, match="stack"):
        x * [a, b]
    with pytest.raises(ArgumentTypeError, match="stack"):
        ag.add([[a], [b]], x)
    y = x * ag.stack([a, b])  # the fix the message names keeps every gradient
    y.sum().backward()
    assert a.grad.item() == 3.0 and b.grad.item() == 4.0


def test_complex_operands_are_refused():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(DtypeError, match="complex"):
        x * 1j
    with pytest.raises(DtypeError, match="complex"):
        x + np.array([1 + 2j, 3j])


@pytest.mark.parametrize(
    "op, expected",
    [
        (lambda a, b: a & b, [0b0100, 0b0001]),
        (lambda a, b: a | b, [0b1110, 0b0111]),
        (lambda a, b: a ^ b, [0b1010, 0b0110]),
        (lambda a, b: a << 1, [0b11000, 0b00110]),
        (lambda a, b: a >> 1, [0b0110, 0b0001]),
        (lambda a, b: ~a, [~0b1100, ~0b0011]),
    ],
    ids=["and", "or", "xor", "lshift", "rshift", "invert"],
)
def test_integer_operators_are_bitwise(op, expected):
    a = ag.tensor(np.array([0b1100, 0b0011]))
    b = ag.tensor(np.array([0b0110, 0b0101]))
    out = op(a, b)
    assert out.dtype.kind == "i" and out.tolist() == expected


def test_bool_operators_stay_logical_and_float_bitwise_is_a_library_error():
    p = ag.tensor(np.array([True, False]))
    q = ag.tensor(np.array([True, True]))
    assert (p & q).tolist() == [True, False] and (p | q).tolist() == [True, True] and (~p).tolist() == [False, True]
    with pytest.raises(AutogradError):
        ag.tensor([1.5]) & ag.tensor([2.5])


def test_numpy_functions_with_their_own_signatures():
    x = ag.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    y = np.clip(x, a_min=-1.0, a_max=1.0)
    assert isinstance(y, ag.Tensor) and y.tolist() == [-1.0, 0.5, 1.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert np.clip(x, -1.0, None).tolist() == [-1.0, 0.5, 3.0]
    padded = np.pad(x, 1, "constant")
    assert isinstance(padded, ag.Tensor) and padded.tolist() == [0.0, -2.0, 0.5, 3.0, 0.0]
    padded = np.pad(x, (0, 2), mode="constant", constant_values=7.0)
    assert padded.tolist() == [-2.0, 0.5, 3.0, 7.0, 7.0]
    assert np.round(ag.tensor([1.26, -0.5]), 1).tolist() == [1.3, -0.5]
    assert np.around(ag.tensor([2.5])).tolist() == [2.0]
    with pytest.raises(AutogradError, match="constant"):
        np.pad(x, 1, "reflect")


def test_numpy_functions_without_a_tensor_version_refuse_instead_of_dropping_the_gradient():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    with pytest.raises(ArgumentTypeError, match="drop"):
        np.array([a, b])
    with pytest.raises(ArgumentTypeError, match="drop"):
        np.r_[a, b]
    with pytest.raises(ArgumentTypeError, match="numpy.histogram"):
        np.histogram(a)
    with pytest.raises(ArgumentTypeError, match="cumulative_sum|cumsum|add.accumulate"):
        np.add.accumulate(a)


def test_numpy_functions_without_a_tensor_version_run_on_values_when_no_gradient_is_at_stake():
    t = ag.tensor([1.0, 2.0, 2.0])
    counts, _ = np.histogram(t, bins=2)
    assert counts.tolist() == [1, 2]
    assert np.array([t.detach(), t.detach()]).shape == (2, 3)
    assert np.asarray(ag.tensor([1.0], requires_grad=True).detach()).tolist() == [1.0]
