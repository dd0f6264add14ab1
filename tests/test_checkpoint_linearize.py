"""checkpoint (same values and gradients, intermediates not kept), linearize and linear_transpose."""

import gc
import tracemalloc

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import InvalidArgumentError, ShapeError

rng = np.random.default_rng(0)


def _blocks(ws, h, remat):
    for w in ws:
        block = lambda h, w=w: (h @ w).tanh() * 0.5 + h  # noqa: E731
        h = ag.checkpoint(block)(h) if remat else block(h)
    return (h * h).sum()


def test_checkpoint_gives_the_same_values_and_gradients_including_captured_parameters():
    ws = [ag.tensor(rng.standard_normal((4, 4)) * 0.5, requires_grad=True) for _ in range(3)]
    h0 = ag.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    plain = _blocks(ws, h0, remat=False)
    plain.backward()
    expected = [w.grad.data.copy() for w in ws] + [h0.grad.data.copy()]
    for t in ws + [h0]:
        t.grad = None
    remat = _blocks(ws, h0, remat=True)
    assert remat.item() == pytest.approx(plain.item(), rel=1e-14)
    assert remat.grad_fn.name == "sum"
    remat.backward()
    for got, want in zip([w.grad.data for w in ws] + [h0.grad.data], expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_checkpoint_composes_with_transforms_and_keeps_no_intermediates():
    w = rng.standard_normal((3, 3))
    f = lambda x: ((x @ w).sin() @ w).tanh().sum()  # noqa: E731
    x = ag.tensor(rng.standard_normal((2, 3)))
    np.testing.assert_allclose(ag.grad(ag.checkpoint(f))(x).data, ag.grad(f)(x).data, rtol=1e-12)
    np.testing.assert_allclose(ag.hessian(ag.checkpoint(f))(x).data, ag.hessian(f)(x).data, rtol=1e-10)
    np.testing.assert_allclose(ag.jacrev(ag.grad(ag.checkpoint(f)))(x).data, ag.jacrev(ag.grad(f))(x).data, rtol=1e-10)
    np.testing.assert_allclose(ag.vmap(ag.grad(ag.checkpoint(f)))(x).data, ag.vmap(ag.grad(f))(x).data)
    y = ag.tensor(x.data, requires_grad=True)
    out = ag.checkpoint(f)(y)
    assert [n.name for n in [out.grad_fn]] == ["checkpoint(<lambda>)"]
    assert all(i is y for i in out.grad_fn.inputs)  # only the input is kept, not sin/matmul results


def test_checkpoint_of_nn_blocks_gives_the_same_gradients():
    model = nn.Sequential(*[nn.Sequential(nn.Linear(8, 8), nn.Tanh()) for _ in range(4)])
    x = ag.tensor(rng.standard_normal((5, 8)))

    def grads(remat):
        model.zero_grad()
        h = x
        for block in model:
            h = ag.checkpoint(block)(h) if remat else block(h)
        (h * h).mean().backward()
        return [p.grad.data.copy() for p in model.parameters()]

    for a, b in zip(grads(False), grads(True)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_checkpoint_lowers_peak_memory():
    ws = [ag.tensor(rng.standard_normal((128, 128)) * 0.1, requires_grad=True) for _ in range(6)]
    x = ag.tensor(rng.standard_normal((512, 128)))

    def block(h, w):  # six (512, 128) intermediates per block
        a = (h @ w).tanh()
        return ((a * a + h).sin() * 0.5 + h).tanh()

    def peak(remat):
        h = x
        gc.collect()
        tracemalloc.start()
        for w in ws:
            h = ag.checkpoint(block)(h, w) if remat else block(h, w)
        (h * h).sum().backward()
        found = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        grads = [w.grad.data.copy() for w in ws]
        for w in ws:
            w.grad = None
        return found, grads

    full, grads = peak(False)
    saved, grads_remat = peak(True)
    for a, b in zip(grads, grads_remat):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    assert saved < 0.5 * full, (saved, full)  # one block's intermediates at a time instead of all six


def test_linearize_pushes_tangents_through_the_recorded_graph():
    w = rng.standard_normal((3, 2))
    f = lambda x, p: {"y": (x @ w).sin() * p["s"], "z": (x**2).sum()}  # noqa: E731
    x, p = ag.tensor(rng.standard_normal(3)), {"s": ag.tensor(1.5)}
    calls = []

    def counted(x, p):
        calls.append(1)
        return f(x, p)

    out, f_jvp = ag.linearize(counted, x, p)
    tx, tp = rng.standard_normal(3), {"s": np.array(0.3)}
    got = f_jvp(tx, tp)
    _, want = ag.jvp(f, (x, p), (tx, tp))
    np.testing.assert_allclose(got["y"].data, want["y"].data, rtol=1e-12)
    np.testing.assert_allclose(got["z"].data, want["z"].data, rtol=1e-12)
    batch = f_jvp(np.eye(3), {"s": np.zeros(3)})  # three tangents at once (leading axis)
    np.testing.assert_allclose(batch["y"].data, ag.jacfwd(lambda x: f(x, p)["y"])(x).data.T)
    assert len(calls) == 1  # f ran once; every f_jvp call replays the graph
    np.testing.assert_allclose(out["z"].data, (x.data**2).sum())
    with pytest.raises(ShapeError, match="tangent of shape"):
        f_jvp(np.ones(2), tp)
    with pytest.raises(InvalidArgumentError, match="one tangent per primal"):
        f_jvp(tx)


def test_linearize_through_custom_rules():
    x = ag.tensor([0.2, -0.4])
    _, f_jvp = ag.linearize(lambda x: ag.checkpoint(lambda x: (x * x).sin())(x), x)
    np.testing.assert_allclose(f_jvp(np.ones(2)).data, np.cos(x.data**2) * 2 * x.data)


def test_linear_transpose_is_the_matrix_transpose():
    a = rng.standard_normal((3, 4))
    f_t = ag.linear_transpose(lambda x: ag.tensor(a) @ x, np.zeros(4))
    y = rng.standard_normal(3)
    (x_bar,) = f_t(y)
    np.testing.assert_allclose(x_bar.data, a.T @ y)
    f_t2 = ag.linear_transpose(lambda p: {"u": p["a"] * 2 + p["b"].sum()}, {"a": np.zeros(2), "b": np.zeros(3)})
    (ct,) = f_t2({"u": np.array([1.0, 2.0])})
    np.testing.assert_allclose(ct["a"].data, [2.0, 4.0])
    np.testing.assert_allclose(ct["b"].data, [3.0, 3.0, 3.0])
    with pytest.raises(InvalidArgumentError, match="not linear"):
        ag.linear_transpose(lambda x: x + 1.0, np.zeros(2))
