"""Node.release: backward frees a node's inputs but keeps small values and gradients for pictures, never large arrays."""

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from primitive_cases import draw_case

import autograd_core as ag
from autograd_core.errors import GraphFreedError

ELEMENTWISE = sorted(name for name, prim in ag.REGISTRY.items() if prim.broadcasting)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(data=st.data())
def test_broadcasting_primitives_never_have_an_input_larger_than_their_output(name, data):
    # Node.release keeps the inputs of these ops after checking only the output's size
    case = draw_case(data, name)
    out = case.fn(*case.tensors())
    for t in ag.topological_order([out]):
        node = t.grad_fn
        if node is not None and node.op.broadcasting:
            for x in node.inputs:
                assert np.size(x.data if isinstance(x, ag.Tensor) else x) <= t.size


def _graph(rng):
    a = ag.tensor(rng.standard_normal(3), requires_grad=True, name="a")
    b = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True, name="b")
    h = (a * b).tanh()
    s = ag.sum(h * h, axis=1)
    loss = (s * a[:2]).sum() + (a**2).mean()
    return a, b, loss


def test_released_nodes_keep_their_small_inputs_and_the_kept_graph_reproduces_every_gradient():
    rng = np.random.default_rng(0)
    a, b, loss = _graph(rng)
    order = ag.topological_order([loss])
    for t in order:
        if t.grad_fn is not None:
            t.retain_grad()
    loss.backward(retain_graph=True)
    expected = {id(t.grad_fn): t.grad.data.copy() for t in order if t.grad_fn is not None}
    inputs = {id(t.grad_fn): t.grad_fn.inputs for t in order if t.grad_fn is not None}
    assert all(t.grad_fn.kept_inputs is None for t in order if t.grad_fn is not None)  # retained: nothing released
    for t in order:
        t.grad = None
    loss.backward()
    for t in order:
        node = t.grad_fn
        if node is None:
            continue
        assert node.freed and node.inputs is None
        for kept, original in zip(node.kept_inputs, inputs[id(node)], strict=True):
            assert kept is original  # all small, none a view: kept as they were
        if node.op.broadcasting:
            assert node.kept_grad is None  # a replay of the kept values gives it
        else:
            np.testing.assert_array_equal(node.kept_grad, expected[id(node)])
    copy = ag.kept_graph(loss)
    assert copy.complete and copy.root is not loss
    seen = {}

    class Totals(ag.Observer):
        def node(self, t, g):
            seen[id(copy.originals[id(t)].grad_fn)] = g

    ag.run_backward([copy.root], [np.ones(())], retain_graph=True, accumulate=False, observer=Totals())
    assert set(seen) == set(expected)
    for key, g in seen.items():
        np.testing.assert_allclose(g, expected[key], rtol=1e-12)
    with pytest.raises(GraphFreedError, match="retain_graph=True"):
        loss.backward()


def test_large_inputs_and_gradients_become_records_and_their_arrays_are_freed():
    gc.disable()
    try:
        w = ag.tensor(np.arange(600.0).reshape(20, 30) / 600, requires_grad=True, name="w")
        h = (w * 2).tanh()
        h.name = "h"
        loss = ag.sum(h[:, :2]) * 3 + h.mean()
        probe = weakref.ref(h.data)
        h_node = h.grad_fn
        del h
        loss.backward()
        assert probe() is None
        assert loss.grad_fn.inputs is None
        mean_node = loss.grad_fn.kept_inputs[1].grad_fn  # loss = sum(…) + mean(h)
        assert mean_node.name == "mean"
        record = mean_node.kept_inputs[0]
        assert isinstance(record, ag.ReleasedTensor) and record.grad_fn is h_node
        assert record.name == "h" and record.shape == (20, 30) and record.dtype == np.float64
        assert isinstance(record.value, ag.ReleasedArray) and record.value.size == 600
        grad = h_node.kept_grad
        assert isinstance(grad, ag.ReleasedArray) and grad.shape == (20, 30)
        leaf = h_node.kept_inputs[0].grad_fn.kept_inputs[0]  # w, through w * 2
        assert isinstance(leaf, ag.ReleasedTensor) and leaf.leaf is w and leaf.grad_fn is None
    finally:
        gc.enable()


def test_a_small_view_of_a_large_array_is_kept_as_a_copy():
    big = ag.tensor(np.ones(1000), requires_grad=True) * 2
    probe = weakref.ref(big.data)
    loss = big[:2].sum()  # sum is not element-wise: its input, a view into big, is checked
    del big
    loss.backward()
    assert probe() is None
    kept = loss.grad_fn.kept_inputs[0]
    assert isinstance(kept, ag.ReleasedTensor) and kept.value.base is None
    np.testing.assert_array_equal(kept.value, [2.0, 2.0])


def test_retain_graph_and_create_graph_release_nothing():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    g = ag.grad(lambda x: (x * x).sum())(x)
    y.backward(create_graph=True)
    assert not y.grad_fn.freed and y.grad_fn.kept_inputs is None and y.grad_fn.kept_grad is None
    np.testing.assert_allclose(g.data, [2.0, 4.0])
