"""Every write the library makes to a tensor is seen by its version counter.

A graph recorded before an optimizer step, an initialiser, a state-dict load,
gradient clipping or gradient accumulation must not be backpropagated with the
new values: backward raises ``InplaceModificationError`` instead of giving
gradients computed from weights the forward pass never saw.
"""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import ArgumentTypeError, InplaceModificationError, ShapeError

OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
    ("Adagrad", dict(lr=0.1)),
]


def _model_and_data(hidden=4):
    nn.manual_seed(0)
    model = nn.MLP([3, hidden, 2])
    rng = np.random.default_rng(0)
    return model, ag.tensor(rng.normal(size=(5, 3))), ag.tensor(rng.integers(0, 2, 5))


def _loss(model, x, y):
    return nn.CrossEntropyLoss()(model(x), y)


def _gradients(model, x, y):
    model.zero_grad()
    _loss(model, x, y).backward()
    return [p.grad.data.copy() for p in model.parameters()]


# hidden=4: every parameter is small and the group is updated as one flat vector;
# hidden=2000: the first weight (2000 × 3) and bias are updated where they are.
@pytest.mark.parametrize("hidden", [4, 2000])
@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZERS)
def test_an_optimizer_step_between_forward_and_backward_is_refused(name, kwargs, hidden):
    model, x, y = _model_and_data(hidden)
    opt = getattr(nn.optim, name)(model.parameters(), **kwargs)
    recorded = _loss(model, x, y)  # a forward pass with the current weights
    _loss(model, x, y).backward()  # another pass gives the step its gradients
    opt.step()
    with pytest.raises(InplaceModificationError, match="modified in place"):
        recorded.backward()


def test_without_the_step_the_recorded_graph_gives_the_gradients_of_its_own_weights():
    model, x, y = _model_and_data()
    expected = _gradients(model, x, y)
    recorded = _loss(model, x, y)
    model.zero_grad()
    recorded.backward()
    for p, g in zip(model.parameters(), expected, strict=True):
        np.testing.assert_allclose(p.grad.data, g, rtol=1e-12)


def test_an_lbfgs_step_between_forward_and_backward_is_refused():
    model, x, y = _model_and_data()
    opt = nn.optim.LBFGS(model.parameters(), max_iter=3)
    recorded = _loss(model, x, y)

    def closure():
        opt.zero_grad()
        loss = _loss(model, x, y)
        loss.backward()
        return loss

    opt.step(closure)
    with pytest.raises(InplaceModificationError):
        recorded.backward()


INITIALISERS = [
    lambda w: nn.init.uniform_(w, -1, 1),
    lambda w: nn.init.normal_(w),
    nn.init.zeros_,
    lambda w: nn.init.constant_(w, 0.5),
    nn.init.xavier_uniform_,
    nn.init.xavier_normal_,
    nn.init.kaiming_uniform_,
    nn.init.kaiming_normal_,
]


@pytest.mark.parametrize("initialise", INITIALISERS)
def test_an_initialiser_after_the_forward_pass_is_refused(initialise):
    w = ag.tensor(np.ones((3, 2)), requires_grad=True)
    recorded = (w * w).sum()  # its gradient 2w needs the values it saw
    initialise(w)
    with pytest.raises(InplaceModificationError):
        recorded.backward()


def test_loading_parameters_after_the_forward_pass_is_refused():
    model, x, y = _model_and_data()
    other, _, _ = _model_and_data()
    for p in other.parameters():
        p.data += 1.0
    recorded = _loss(model, x, y)
    model.load_state_dict(other.state_dict())
    with pytest.raises(InplaceModificationError):
        recorded.backward()


def test_loading_buffers_after_an_eval_forward_keeps_the_recorded_statistics():
    """Buffers are plain arrays; the graph of an eval-mode batch norm keeps what it read, so backward stays exact."""
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(3).eval()
    x = ag.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    weights = ag.tensor(rng.normal(size=(4, 3)))
    expected = 1 / np.sqrt(bn.running_var + bn.eps) * bn.weight.data * weights.data
    recorded = (bn(x) * weights).sum()
    bn.load_state_dict({"running_var": np.full(3, 9.0)}, strict=False)
    recorded.backward()
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


def test_clipping_a_gradient_that_a_graph_read_is_refused():
    w = ag.tensor([3.0, 4.0], requires_grad=True)
    w.grad = ag.tensor([30.0, 40.0])
    recorded = (w * w.grad).sum()  # reads the gradient's values
    nn.utils.clip_grad_norm_([w], max_norm=1.0)
    with pytest.raises(InplaceModificationError):
        recorded.backward()


def test_accumulating_into_a_gradient_that_a_graph_read_is_refused():
    w = ag.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    recorded = (w * w.grad).sum()
    (2 * w).sum().backward()  # adds into w.grad in place
    with pytest.raises(InplaceModificationError):
        recorded.backward()


def test_zeroing_a_gradient_in_place_that_a_graph_read_is_refused():
    w = ag.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    recorded = (w * w.grad).sum()
    nn.optim.SGD([w], lr=0.1).zero_grad(set_to_none=False)
    with pytest.raises(InplaceModificationError):
        recorded.backward()


def test_a_write_to_data_skips_the_counter_unless_reported():
    """``.data`` is the documented escape hatch: untracked, unless ``increment_version`` reports the write."""
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    silent = (w * w).sum()
    w.data[...] = [10.0, 20.0]
    silent.backward()
    np.testing.assert_array_equal(w.grad.data, [20.0, 40.0])  # the new values, silently
    reported = (w * w).sum()
    w.data[...] = [1.0, 1.0]
    ag.increment_version(w)
    with pytest.raises(InplaceModificationError):
        reported.backward()


def test_a_reported_write_through_a_view_is_seen_by_its_base():
    w = ag.tensor(np.ones(4), requires_grad=True)
    recorded = (w * w).sum()
    view = w[1:]
    view.data[...] = 5.0
    ag.increment_version(view)
    with pytest.raises(InplaceModificationError):
        recorded.backward()


def test_increment_version_of_several_tensors_marks_each_with_one_tick():
    """An optimizer step reports all its writes at once: every tensor in the sequence is marked, views included."""
    a, b = ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor(np.ones(3), requires_grad=True)
    view = b[1:]
    recorded_a, recorded_b = (a * a).sum(), (b * b).sum()
    ag.increment_version(t for t in (a, view))  # any iterable of tensors
    assert a._version == b._version > 0  # one tick, shared by the view's base
    for recorded in (recorded_a, recorded_b):
        with pytest.raises(InplaceModificationError):
            recorded.backward()
    before = a._version
    ag.increment_version([])  # nothing written: the clock does not move for anyone
    assert a._version == before


def test_increment_version_of_something_else_is_a_library_error():
    for bad in ([np.ones(2)], np.ones(2), 3):
        with pytest.raises(ArgumentTypeError, match="Tensor or a sequence of Tensors"):
            ag.increment_version(bad)


def test_a_step_that_fails_half_way_still_reports_the_writes_it_made():
    class FailsOnSecond(nn.optim.SGD):
        def update(self, p, g, state, group):
            if p.shape == (2,):
                raise RuntimeError("second parameter")
            super().update(p, g, state, group)

    big = ag.tensor(np.ones(5000), requires_grad=True)  # updated where it is, before the failure
    small = ag.tensor(np.ones(2), requires_grad=True)
    opt = FailsOnSecond([big, small], lr=0.5)
    recorded = (big * 2.0).sum()
    big.grad, small.grad = ag.ones(5000), ag.ones(2)
    with pytest.raises(RuntimeError, match="second parameter"):
        opt.step()
    assert big.data[0] == 0.5  # written...
    with pytest.raises(InplaceModificationError):  # ...and reported
        recorded.backward()


def test_a_gradient_of_the_wrong_shape_is_refused_before_anything_is_written():
    a, b = ag.tensor(np.ones(5000), requires_grad=True), ag.tensor(np.ones(3), requires_grad=True)
    for opt in (nn.optim.SGD([a, b], lr=0.5), nn.optim.Adam([a, b], lr=0.5)):
        a.grad, b.grad = ag.ones(5000), ag.ones(1)  # (1,) would broadcast over (3,) silently
        with pytest.raises(ShapeError, match=r"shape \(3,\) has a gradient of shape \(1,\)"):
            opt.step()
        assert a.data[0] == 1.0 and b._version == 0
