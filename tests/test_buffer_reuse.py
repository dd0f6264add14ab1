"""A steady-state training step reuses its arrays instead of churning large temporaries.

Optimizer updates write into reused work arrays, gradients accumulate into the
array ``.grad`` already holds (as PyTorch's first-order backward does), and a
gradient with several contributions is summed in place once the backward pass
owns the sum. Memory is measured with ``tracemalloc``, which sees numpy's
array allocations; nothing here is timed.
"""

import tracemalloc

import numpy as np
import pytest

import autograd_core as ag
import nn

OPTIMIZER_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, dampening=0.3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5)),
]

BIG = 200_000  # elements of the large parameter: 1.6 MB in float64


def _peak_bytes(fn):
    """Peak memory allocated while ``fn`` runs, above what was allocated when it started."""
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


def _params_with_grads(rng):
    shapes = [(BIG,), (400, 3), (7,)]  # one updated where it is, two packed into a flat vector
    params = [ag.tensor(rng.normal(size=s), requires_grad=True) for s in shapes]
    for p in params:
        p.grad = ag.tensor(rng.normal(size=p.shape))
    return params


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZER_CASES)
def test_a_steady_state_optimizer_step_allocates_no_parameter_sized_array(name, kwargs):
    params = _params_with_grads(np.random.default_rng(0))
    opt = getattr(nn.optim, name)(params, **kwargs)
    opt.step()  # the first step makes the state and the work arrays
    opt.step()
    assert _peak_bytes(opt.step) < BIG * 8 // 4


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZER_CASES)
def test_work_arrays_never_leak_into_gradients_or_state(name, kwargs):
    """Two optimizers, one stepping a copy of each parameter alone: the same numbers, gradients untouched."""
    rng = np.random.default_rng(1)
    params = _params_with_grads(rng)
    grads = [p.grad.data.copy() for p in params]
    alone = [ag.tensor(p.data, requires_grad=True) for p in params]
    for q, g in zip(alone, grads, strict=True):
        q.grad = ag.tensor(g)
    opt = getattr(nn.optim, name)(params, **kwargs)
    ref = [getattr(nn.optim, name)([q], **kwargs) for q in alone]
    for _ in range(3):
        opt.step()
        for r in ref:
            r.step()
    for p, q, g in zip(params, alone, grads, strict=True):
        np.testing.assert_array_equal(p.grad.data, g)
        np.testing.assert_allclose(p.data, q.data, rtol=1e-13, atol=1e-15)


def _mlp_step(model, opt, x, y, set_to_none):
    opt.zero_grad(set_to_none=set_to_none)
    nn.CrossEntropyLoss()(model(x), y).backward()
    opt.step()


def test_zero_grad_keeping_the_arrays_gives_the_same_training_as_forgetting_them():
    rng = np.random.default_rng(2)
    x, y = ag.tensor(rng.normal(size=(8, 5))), ag.tensor(rng.integers(0, 3, 8))
    runs = []
    for set_to_none in (True, False):
        nn.manual_seed(3)
        model = nn.MLP([5, 6, 3])
        opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        _mlp_step(model, opt, x, y, set_to_none)
        arrays = [p.grad.data for p in model.parameters()]
        for _ in range(3):
            _mlp_step(model, opt, x, y, set_to_none)
        kept = all(p.grad.data is a for p, a in zip(model.parameters(), arrays, strict=True))
        assert kept == (not set_to_none)
        runs.append([p.data.copy() for p in model.parameters()])
    for a, b in zip(*runs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_module_zero_grad_keeps_or_forgets_the_arrays():
    model = nn.Linear(2, 3)
    model(ag.ones((1, 2))).sum().backward()
    array = model.weight.grad.data
    model.zero_grad(set_to_none=False)
    assert model.weight.grad.data is array and not array.any()
    model.zero_grad()
    assert model.weight.grad is None


def test_zero_grad_keeping_a_gradient_that_is_part_of_a_graph_replaces_it_by_plain_zeros():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w**3).sum().backward(create_graph=True)
    assert w.grad.requires_grad
    nn.optim.SGD([w]).zero_grad(set_to_none=False)
    assert not w.grad.requires_grad
    np.testing.assert_array_equal(w.grad.data, [0.0, 0.0])


def test_a_second_backward_adds_into_the_gradient_array_already_there():
    """As PyTorch: ``w.grad`` stays the same tensor, holding the sum."""
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    first = w.grad
    (3 * w).sum().backward()
    assert w.grad is first
    np.testing.assert_array_equal(w.grad.data, [5.0, 7.0])


@pytest.mark.torch
def test_accumulation_keeps_the_gradient_tensor_as_pytorch_does():
    torch = pytest.importorskip("torch")
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    first = w.grad
    (3 * w).sum().backward()
    assert w.grad is first  # the behaviour matched above


def test_a_gradient_a_hook_kept_is_not_changed_by_the_next_backward():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    kept = []
    w.register_hook(lambda g: kept.append(g) or None)
    (w * w).sum().backward()
    (3 * w).sum().backward()
    np.testing.assert_array_equal(kept[0].data, [2.0, 4.0])
    np.testing.assert_array_equal(w.grad.data, [5.0, 7.0])


def test_a_gradient_that_cannot_be_written_is_replaced_by_the_sum():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    shared = np.ones(2)
    w.grad = ag.as_tensor(np.broadcast_to(shared, (2,)))  # read-only
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [3.0, 5.0])
    np.testing.assert_array_equal(shared, [1.0, 1.0])
    w32 = ag.tensor([1.0, 2.0], requires_grad=True)
    w32.grad = ag.tensor(np.ones(2, np.float32))  # another dtype: summed with numpy's promotion
    (w32 * w32).sum().backward()
    assert w32.grad.dtype == np.float64
    np.testing.assert_array_equal(w32.grad.data, [3.0, 5.0])


def test_a_differentiable_gradient_stays_differentiable_when_accumulated():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w**3).sum().backward(create_graph=True)
    (w**3).sum().backward(create_graph=True)  # w.grad = 3w² + 3w², recorded
    first_derivative = w.grad
    np.testing.assert_allclose(first_derivative.data, [6.0, 24.0])
    w.grad = None
    first_derivative.sum().backward()
    np.testing.assert_allclose(w.grad.data, [12.0, 24.0])  # d(6w²)/dw = 12w


def test_many_contributions_to_one_gradient_are_summed_correctly():
    """A tensor used many times (through ops whose rules return the incoming gradient itself)."""
    rng = np.random.default_rng(4)
    x = ag.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    h = x * 2.0  # an intermediate with six uses
    seen = []
    h.register_hook(lambda g: seen.append(g.data.copy()) or None)
    uses = [h, h + 0.0, h.reshape(4, 3).T.T.reshape(3, 4), h * h, h.sum(axis=0, keepdims=True) + h, -h]
    total = sum(((k + 1) * u).sum() for k, u in enumerate(uses))
    total.backward()
    hv = 2.0 * x.data
    # d/dh of Σ (k+1)·sum(uses[k]): 1 + 2 + 3 + 4·2h + 5·(rows + 1) − 6, rows = 3 (the column sum broadcast back)
    expected_h = 1 + 2 + 3 + 8 * hv + 5 * (3 + 1) - 6
    np.testing.assert_allclose(seen[0], expected_h, rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, 2.0 * expected_h, rtol=1e-12)


def test_a_summed_gradient_handed_to_hooks_is_not_written_afterwards():
    x = ag.tensor(np.ones(4), requires_grad=True)
    h = x * 1.0
    kept = []
    h.register_hook(lambda g: kept.append(g) or None)  # keeps the very array
    (h + h + h + h).sum().backward()
    np.testing.assert_array_equal(kept[0].data, np.full(4, 4.0))
    np.testing.assert_array_equal(x.grad.data, np.full(4, 4.0))


def test_work_arrays_give_the_same_view_per_shape_and_new_views_after_growing():
    opt = nn.optim.SGD([ag.tensor([0.0], requires_grad=True)], lr=0.1)
    small, big = np.zeros((2, 3)), np.zeros((40, 50))
    first = opt.workspace(small)
    assert opt.workspace(small) is first  # each step asks for the same shapes: made once
    grown = opt.workspace(big)  # a larger parameter replaces the array...
    again = opt.workspace(small)
    assert again is not first and np.shares_memory(again, grown)  # ...and the views with it
    assert again.shape == (2, 3) and opt.workspace(small, slot=1) is not again
