"""Repeating, flipping, rolling, stacking, splitting and reshaping under numpy's and PyTorch's names.

Values against numpy on ordinary and edge shapes (0-d, size 0), gradients by
finite differences and against PyTorch when installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError, ShapeError

RNG = np.random.default_rng(0)
A23 = RNG.standard_normal((2, 3))
A3 = RNG.standard_normal(3)
A234 = RNG.standard_normal((2, 3, 4))
A0 = RNG.standard_normal((0, 3))
S = np.array(1.5)


def _check(ours, theirs, *arrays):
    """ours(*Tensors) equals theirs(*arrays), and its gradient passes a finite-difference check."""
    expected = theirs(*arrays)
    got = ours(*[ag.tensor(a) for a in arrays])
    if isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert g.shape == e.shape
            np.testing.assert_allclose(g.data, e, rtol=1e-14, atol=1e-14)
    else:
        assert got.shape == expected.shape
        np.testing.assert_allclose(got.data, expected, rtol=1e-14, atol=1e-14)
    if all(a.size for a in arrays):

        def scalar(*xs):
            out = ours(*xs)
            parts = out if isinstance(out, (list, tuple)) else [out]
            return sum(((p * (k + 1.0)) ** 2).sum() for k, p in enumerate(parts))

        assert ag.gradcheck(scalar, [ag.tensor(a, requires_grad=True) for a in arrays])


NUMPY_CASES = [
    ("tile int", lambda x: ag.tile(x, 2), lambda x: np.tile(x, 2), [A23]),
    ("tile longer reps", lambda x: ag.tile(x, (2, 1, 3)), lambda x: np.tile(x, (2, 1, 3)), [A23]),
    ("tile shorter reps", lambda x: ag.tile(x, (2,)), lambda x: np.tile(x, (2,)), [A234]),
    ("tile 0-d", lambda x: ag.tile(x, (2, 2)), lambda x: np.tile(x, (2, 2)), [S]),
    ("tile zero reps", lambda x: ag.tile(x, (0, 2)), lambda x: np.tile(x, (0, 2)), [A23]),
    ("tile size 0", lambda x: ag.tile(x, 3), lambda x: np.tile(x, 3), [A0]),
    ("np.tile", lambda x: np.tile(x, (1, 2)), lambda x: np.tile(x, (1, 2)), [A23]),
    ("repeat flat", lambda x: ag.repeat(x, 2), lambda x: np.repeat(x, 2), [A23]),
    ("repeat axis", lambda x: ag.repeat(x, 3, axis=1), lambda x: np.repeat(x, 3, axis=1), [A23]),
    ("repeat counts", lambda x: ag.repeat(x, [2, 0], axis=0), lambda x: np.repeat(x, [2, 0], axis=0), [A23]),
    ("repeat counts -1", lambda x: ag.repeat(x, [1, 3, 2], -1), lambda x: np.repeat(x, [1, 3, 2], -1), [A23]),
    ("repeat 0-d", lambda x: ag.repeat(x, 3), lambda x: np.repeat(x, 3), [S]),
    ("np.repeat", lambda x: np.repeat(x, 2, axis=0), lambda x: np.repeat(x, 2, axis=0), [A23]),
    ("flip all", lambda x: ag.flip(x), lambda x: np.flip(x), [A234]),
    ("flip axis", lambda x: ag.flip(x, 1), lambda x: np.flip(x, 1), [A234]),
    ("flip axes", lambda x: ag.flip(x, (0, -1)), lambda x: np.flip(x, (0, -1)), [A234]),
    ("flip 0-d", lambda x: ag.flip(x), lambda x: np.flip(x), [S]),
    ("np.flip", lambda x: np.flip(x, 0), lambda x: np.flip(x, 0), [A23]),
    ("roll flat", lambda x: ag.roll(x, 4), lambda x: np.roll(x, 4), [A23]),
    ("roll axis", lambda x: ag.roll(x, -1, axis=1), lambda x: np.roll(x, -1, axis=1), [A23]),
    ("roll pairs", lambda x: ag.roll(x, (1, 5), (0, 2)), lambda x: np.roll(x, (1, 5), (0, 2)), [A234]),
    ("roll one shift", lambda x: ag.roll(x, 1, (0, 1)), lambda x: np.roll(x, 1, (0, 1)), [A234]),
    ("roll repeated axis", lambda x: ag.roll(x, (1, 1), (1, 1)), lambda x: np.roll(x, (1, 1), (1, 1)), [A234]),
    ("roll size 0", lambda x: ag.roll(x, 2, 1), lambda x: np.roll(x, 2, 1), [A0]),
    ("np.roll", lambda x: np.roll(x, 2), lambda x: np.roll(x, 2), [A23]),
    ("vstack", lambda a, b: ag.vstack([a, b]), lambda a, b: np.vstack([a, b]), [A3, A23]),
    ("hstack 1-d", lambda a, b: ag.hstack([a, b]), lambda a, b: np.hstack([a, b]), [A3, A3]),
    ("hstack 2-d", lambda a, b: ag.hstack((a, b)), lambda a, b: np.hstack((a, b)), [A23, A23]),
    ("dstack", lambda a, b: ag.dstack([a, b]), lambda a, b: np.dstack([a, b]), [A23, A23]),
    ("dstack 1-d", lambda a, b: ag.dstack([a, b]), lambda a, b: np.dstack([a, b]), [A3, A3]),
    ("column_stack", lambda a, b: ag.column_stack([a, b]), lambda a, b: np.column_stack([a, b]), [A3, A23.T]),
    ("np.vstack", lambda a, b: np.vstack([a, b]), lambda a, b: np.vstack([a, b]), [A23, A23]),
    ("np.column_stack", lambda a: np.column_stack([a, a]), lambda a: np.column_stack([a, a]), [A3]),
    ("atleast_1d 0-d", lambda x: ag.atleast_1d(x), np.atleast_1d, [S]),
    ("atleast_2d 1-d", lambda x: ag.atleast_2d(x), np.atleast_2d, [A3]),
    ("atleast_3d 0-d", lambda x: ag.atleast_3d(x), np.atleast_3d, [S]),
    ("atleast_3d 1-d", lambda x: ag.atleast_3d(x), np.atleast_3d, [A3]),
    ("atleast_3d 2-d", lambda x: ag.atleast_3d(x), np.atleast_3d, [A23]),
    ("atleast_2d many", lambda a, b: ag.atleast_2d(a, b), lambda a, b: np.atleast_2d(a, b), [S, A3]),
    ("np.atleast_2d", lambda x: np.atleast_2d(x), np.atleast_2d, [A3]),
    ("array_split", lambda x: ag.array_split(x, 3, axis=2), lambda x: np.array_split(x, 3, axis=2), [A234]),
    ("array_split cuts", lambda x: ag.array_split(x, [1, 3]), lambda x: np.array_split(x, [1, 3]), [A3]),
    ("array_split more", lambda x: ag.array_split(x, 5), lambda x: np.array_split(x, 5), [A3]),
    ("np.array_split", lambda x: np.array_split(x, 2, 1), lambda x: np.array_split(x, 2, 1), [A23]),
    ("hsplit", lambda x: ag.hsplit(x, 3), lambda x: np.hsplit(x, 3), [A23]),
    ("hsplit 1-d", lambda x: ag.hsplit(x, [1]), lambda x: np.hsplit(x, [1]), [A3]),
    ("vsplit", lambda x: ag.vsplit(x, 2), lambda x: np.vsplit(x, 2), [A234]),
    ("np.hsplit", lambda x: np.hsplit(x, 3), lambda x: np.hsplit(x, 3), [A23]),
    ("ravel", lambda x: ag.ravel(x), np.ravel, [A234]),
    ("np.ravel", lambda x: np.ravel(x), np.ravel, [A23]),
    ("ravel 0-d", lambda x: x.ravel(), np.ravel, [S]),
    ("cat", lambda a, b: ag.cat([a, b], dim=1), lambda a, b: np.concatenate([a, b], axis=1), [A23, A23]),
    ("unflatten", lambda x: ag.unflatten(x, 2, (2, -1)), lambda x: x.reshape(2, 3, 2, 2), [A234]),
    ("movedim", lambda x: ag.movedim(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), [A234]),
    ("sum_to", lambda x: ag.sum_to(x, (3, 1)), lambda x: x.sum(axis=(0, 2))[:, None], [A234]),
    ("sum_to same", lambda x: ag.sum_to(x, (2, 3)), lambda x: x, [A23]),
    ("sum_to 0-d", lambda x: ag.sum_to(x, ()), lambda x: np.asarray(x.sum()), [A23]),
]


@pytest.mark.parametrize(("name", "ours", "theirs", "arrays"), NUMPY_CASES, ids=[c[0] for c in NUMPY_CASES])
def test_matches_numpy_with_correct_gradients(name, ours, theirs, arrays):
    _check(ours, theirs, *arrays)


TORCH_CASES = [
    ("x.repeat(2, 1, 3)", lambda x: x.repeat(2, 1, 3), A23),
    ("x.repeat((2, 2))", lambda x: x.repeat((2, 2)), A23),
    ("x.tile((2,))", lambda x: x.tile((2,)), A23),
    ("x.repeat_interleave(2)", lambda x: x.repeat_interleave(2), A23),
    ("x.repeat_interleave(3, dim=1)", lambda x: x.repeat_interleave(3, dim=1), A23),
    ("x.flip(0)", lambda x: x.flip(0), A23),
    ("x.flip(dims=(0, 1))", lambda x: x.flip(dims=(0, 1)), A23),
    ("x.roll(1, 0)", lambda x: x.roll(1, 0), A23),
    ("x.roll(shifts=(1, -2), dims=(0, 1))", lambda x: x.roll(shifts=(1, -2), dims=(0, 1)), A23),
    ("x.roll(2)", lambda x: x.roll(2), A23),
    ("x.view(3, 2)", lambda x: x.view(3, 2), A23),
    ("x.view(-1)", lambda x: x.view(-1), A23),
    ("x.unflatten(1, (2, 2))", lambda x: x.unflatten(1, (2, 2)), RNG.standard_normal((3, 4))),
    ("x.movedim(0, 2)", lambda x: x.movedim(0, 2), A234),
    ("x.ravel()", lambda x: x.ravel(), A234),
]


@pytest.mark.parametrize(("call", "fn", "x"), TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_pytorch_methods_match_pytorch(call, fn, x):
    torch = pytest.importorskip("torch")
    seed = None
    xt = ag.tensor(x, requires_grad=True)
    y = fn(xt)
    tx = torch.tensor(x, requires_grad=True)
    ty = fn(tx)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    seed = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(seed)
    ty.backward(torch.tensor(seed))
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda a, b: ag.hstack([a, b]), lambda t, a, b: t.hstack([a, b])),
        (lambda a, b: ag.vstack([a, b]), lambda t, a, b: t.vstack([a, b])),
        (lambda a, b: ag.dstack([a, b]), lambda t, a, b: t.dstack([a, b])),
        (lambda a, b: ag.column_stack([a, b]), lambda t, a, b: t.column_stack([a, b])),
        (lambda a, b: ag.tensor_split(a * b, 2, dim=1)[1], lambda t, a, b: t.tensor_split(a * b, 2, dim=1)[1]),
        (lambda a, b: ag.hsplit(a - b, 3)[2], lambda t, a, b: t.hsplit(a - b, 3)[2]),
        (lambda a, b: ag.atleast_3d(a + b), lambda t, a, b: t.atleast_3d(a + b)),
    ],
)
def test_stacking_functions_match_pytorch(ours, theirs):
    torch = pytest.importorskip("torch")
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    xs = [ag.tensor(v, requires_grad=True) for v in (a, b)]
    ts = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    y, ty = ours(*xs), theirs(torch, *ts)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-13)


def test_tile_and_repeat_gradients_are_sums_over_the_copies():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (ag.tile(x, 3) * ag.arange(6.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0 + 2 + 4, 1 + 3 + 5])
    x.zero_grad()
    (ag.repeat(x, [3, 1]) * ag.arange(4.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0 + 1 + 2, 3])


def test_tensor_repeat_is_pytorchs_and_says_where_numpys_is():
    x = ag.tensor(A23)
    with pytest.raises(ShapeError, match="one per dimension"):
        x.repeat(2)
    with pytest.raises(ArgumentTypeError, match=r"repeat_interleave\(repeats, dim=...\) or ag.repeat"):
        x.repeat(2, axis=0)
    assert "PyTorch" in ag.Tensor.repeat.__doc__ and "np.tile" in ag.tile.__doc__ and "np.repeat" in ag.repeat.__doc__


def test_view_shares_data_and_refuses_a_copy():
    x = ag.tensor(A23)
    v = x.view(3, 2)
    assert np.shares_memory(v.data, x.data)
    with ag.no_grad():
        v[0, 0] = 100.0
    assert x.data[0, 0] == 100.0  # a view in both directions, as PyTorch's
    with pytest.raises(ShapeError, match=r"reshape\(\.\.\.\), which copies, or \.contiguous\(\)\.view"):
        x.T.view(6)
    assert x.T.contiguous().view(6).shape == (6,)
    assert x.T.reshape(6).shape == (6,)
    with pytest.raises(ArgumentTypeError, match="astype"):
        x.view(np.float32)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: ag.repeat(ag.tensor(A23), [1, 2, 3], axis=0), ShapeError, "3 repeat counts for an axis of length 2"),
        (lambda: ag.repeat(ag.tensor(A23), -1), InvalidArgumentError, "non-negative"),
        (lambda: ag.repeat(ag.tensor(A23), 1.5), ArgumentTypeError, "integer"),
        (lambda: ag.tile(ag.tensor(A23), (2, -1)), InvalidArgumentError, "non-negative"),
        (lambda: ag.roll(ag.tensor(A23), (1, 2, 3), (0, 1)), ShapeError, "3 shifts for 2 axes"),
        (lambda: ag.flip(ag.tensor(A23), 2), ShapeError, "axis 2 is out of bounds"),
        (lambda: ag.unflatten(ag.tensor(A23), 1, (2, 2)), ShapeError, "do not multiply to the length 3"),
        (lambda: ag.vsplit(ag.tensor(A3), 3), ShapeError, "at least 2 dimensions"),
        (lambda: ag.hsplit(ag.tensor(A23), 2), ShapeError, "does not divide"),
        (lambda: ag.array_split(ag.tensor(A3), 0), InvalidArgumentError, "at least 1"),
        (lambda: ag.vstack(ag.tensor(A23)), InvalidArgumentError, "list or tuple"),
        (lambda: ag.hstack([]), InvalidArgumentError, "at least one"),
        (lambda: ag.sum_to(ag.tensor(A23), (4,)), ShapeError, r"\(2, 3\) cannot be summed to \(4,\)"),
        (lambda: ag.ravel(ag.tensor(A23), order="F"), InvalidArgumentError, "order='C'"),
    ],
)
def test_bad_arguments_get_library_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_sum_to_keeps_arrays_arrays_and_is_differentiable_on_tensors():
    out = ag.sum_to(np.ones((4, 2, 3)), (2, 1))
    assert type(out) is np.ndarray and out.shape == (2, 1) and (out == 12).all()
    x = ag.tensor(A234, requires_grad=True)
    y = ag.sum_to(x, (1, 4))
    assert y.grad_fn is not None
    y.backward(np.arange(4.0)[None])
    np.testing.assert_array_equal(x.grad.data, np.broadcast_to(np.arange(4.0), (2, 3, 4)))
    # the un-broadcast of a gradient, as courses teach it
    b = ag.tensor(A3, requires_grad=True)
    g = ag.grad(lambda b: (ag.tensor(A23) * b).sum())(b)
    np.testing.assert_allclose(g.data, ag.sum_to(A23, (3,)))
