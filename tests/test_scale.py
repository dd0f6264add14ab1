"""Scale: no recursion over the graph, graphs freed by reference counting alone, flat memory."""

import gc
import tracemalloc
import weakref

import numpy as np

import autograd_core as ag


def test_million_op_chain_backpropagates():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert x.grad.item() == 1.0  # an even number of negations


def test_deep_graph_is_released_without_recursion_or_collector():
    gc.disable()
    try:
        x = ag.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(200_000):
            y = y * 1.0
        probe = weakref.ref(y.grad_fn)
        del y  # never backpropagated: the whole chain dies by reference counting
        assert probe() is None
    finally:
        gc.enable()


def test_backward_releases_large_arrays_and_the_graph_dies_with_its_last_reference():
    gc.disable()
    try:
        w = ag.tensor(np.ones(1000), requires_grad=True)
        h = (w * 2).tanh()
        loss = (h * h).sum()
        data_probe, tensor_probe, node_probe = weakref.ref(h.data), weakref.ref(h), weakref.ref(h.grad_fn)
        del h
        loss.backward()
        assert data_probe() is None and tensor_probe() is None  # large: released by backward itself
        assert node_probe() is not None  # the node's record stays while the loss lives, for pictures
        del loss
        assert node_probe() is None
        small = (w[:3] * 2).tanh()
        loss = (small * small).sum()
        tensor_probe, node_probe = weakref.ref(small), weakref.ref(small.grad_fn)
        del small
        loss.backward()  # a small graph is kept for pictures of the pass, until its root goes
        del loss
        assert tensor_probe() is None and node_probe() is None
        graph = (w * w).sum()
        probe = weakref.ref(graph.grad_fn)
        del graph
        assert probe() is None
    finally:
        gc.enable()


def test_memory_stays_flat_over_training_steps():
    rng = np.random.default_rng(0)
    w1 = ag.tensor(rng.standard_normal((8, 16)) * 0.1, requires_grad=True)
    w2 = ag.tensor(rng.standard_normal((16, 1)) * 0.1, requires_grad=True)
    x = ag.tensor(rng.standard_normal((32, 8)))
    y = ag.tensor(rng.standard_normal((32, 1)))

    def step():
        loss = (((x @ w1).tanh() @ w2 - y) ** 2).mean()
        loss.backward()
        for p in (w1, w2):
            p.data -= 0.01 * p.grad.data
            p.grad = None

    # Measure steady state: numpy keeps bounded internal caches (about 100 kB) whose
    # entries are replaced while tracing, so compare two points after they turned over.
    tracemalloc.start()
    for _ in range(3000):
        step()
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):
        step()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after - before < 20_000, f"memory grew by {after - before} bytes over 2000 steps"
