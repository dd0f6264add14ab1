"""Reverse mode: accumulation, seeds, freed graphs, hooks, higher order, no_grad, anomalies, in-place writes."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import (
    AnomalyError,
    GradientError,
    GraphFreedError,
    InplaceModificationError,
    ShapeError,
)


def test_gradients_accumulate_across_backward_calls():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data + 3)
    x.zero_grad()
    assert x.grad is None


def test_tensor_used_twice_gets_both_contributions():
    x = ag.tensor(3.0, requires_grad=True)
    y = x * x + x  # x reaches y through three uses
    y.backward()
    assert x.grad.item() == 7.0


def test_broadcast_operands_get_summed_gradients():
    w = ag.tensor(np.ones((4, 3)), requires_grad=True)
    b = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = ag.tensor([[1.0], [2.0], [3.0], [4.0]], requires_grad=True)
    (w * b + c).sum().backward()
    np.testing.assert_allclose(b.grad.data, [4.0, 4.0, 4.0])
    np.testing.assert_allclose(c.grad.data, np.full((4, 1), 3.0))
    np.testing.assert_allclose(w.grad.data, np.tile(b.data, (4, 1)))


def test_leaf_gradients_never_alias_each_other():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # add hands the same cotangent to both inputs
    a.grad.data *= 10
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])
    assert a.grad.data.flags.writeable and b.grad.data.flags.writeable


def test_non_scalar_backward_needs_a_seed():
    y = ag.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(GradientError, match=r"shape \(2,\).*gradient="):
        y.backward()
    y.backward(gradient=np.array([1.0, 0.5]))
    with pytest.raises(ShapeError, match="does not match"):
        (y * 1).backward(gradient=np.ones(3))


def test_backward_on_a_constant_explains_itself():
    with pytest.raises(GradientError, match="requires_grad=True"):
        ag.tensor([1.0]).sum().backward()


def test_second_backward_through_a_freed_graph_raises():
    x = ag.tensor(2.0, requires_grad=True)
    y = (x * x).tanh()
    y.backward()
    assert y.grad_fn.freed
    with pytest.raises(GraphFreedError, match="retain_graph=True"):
        y.backward()
    assert isinstance(GraphFreedError("x"), RuntimeError)


def test_retain_graph_allows_a_second_pass():
    x = ag.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 8.0


def test_non_leaves_keep_grad_only_when_asked():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    k = h * 2
    k.sum().backward()
    np.testing.assert_allclose(h.grad.data, [2.0, 2.0])
    assert k.grad is None


def test_hooks_see_and_may_replace_gradients():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x * 2
    h.register_hook(lambda g: seen.append(g.data.copy()))
    handle = x.register_hook(lambda g: g * 0.5)
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [1.0, 1.0])
    np.testing.assert_allclose(x.grad.data, [1.0, 1.0])
    handle.remove()
    x.zero_grad()
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_third_derivative_of_tanh_matches_closed_form():
    x = ag.tensor(0.7, requires_grad=True)
    y = x.tanh()
    (g1,) = [ag.grad(ag.tanh)(x)]
    y.backward(create_graph=True)
    g = x.grad
    x.zero_grad()
    g.backward(create_graph=True)
    g2 = x.grad
    x.zero_grad()
    g2.backward()
    t = np.tanh(0.7)
    assert np.isclose(g1.item(), 1 - t**2)
    assert np.isclose(g2.item(), -2 * t * (1 - t**2))
    assert np.isclose(x.grad.item(), -2 * (1 - t**2) ** 2 + 4 * t**2 * (1 - t**2))


def test_no_grad_records_nothing_and_works_as_decorator():
    x = ag.tensor([1.0], requires_grad=True)
    with ag.no_grad():
        y = x * 2
        with ag.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad

    @ag.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad and ag.is_grad_enabled()


def test_inplace_write_to_a_saved_tensor_is_detected():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    x = ag.tensor([3.0, 4.0])
    y = (w * x).sum()
    x.fill_(0.0)
    with pytest.raises(InplaceModificationError, match="modified in place"):
        y.backward()


def test_inplace_write_through_a_view_is_detected():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    x = ag.tensor([[3.0, 4.0], [5.0, 6.0]])
    row = x[0]
    y = (w * row).sum()
    x[0, 1] = 100.0  # writes the memory `row` shares
    with pytest.raises(InplaceModificationError):
        y.backward()


def test_inplace_write_on_a_tensor_requiring_grad_is_refused_outside_no_grad():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GradientError, match="no_grad"):
        w.add_(1.0)
    with ag.no_grad():
        w.add_(1.0).mul_(2.0)
    np.testing.assert_allclose(w.data, [4.0, 6.0])


def test_optimizer_style_data_writes_are_untracked():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    w.data -= 0.1  # the escape hatch optimizers use: no version bump, no error
    y.backward()
    np.testing.assert_allclose(w.grad.data, 2 * w.data)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_names_the_op_and_the_line():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(AnomalyError, match=r"log produced inf.*test_backward\.py"):
            ag.log(x)
    with ag.detect_anomaly():
        y = ag.sqrt(x)  # finite forward, infinite derivative at 0
        with pytest.raises(AnomalyError, match=r"sqrt.*test_backward\.py"):
            y.sum().backward()
    ag.log(x)  # outside the context nothing is checked


def test_graph_scope_labels_nodes():
    x = ag.tensor([1.0], requires_grad=True)
    with ag.graph_scope("MLP"), ag.graph_scope("layers.0 (Linear)"):
        y = x * 2
    z = y + 1
    assert y.grad_fn.scope == ("MLP", "layers.0 (Linear)") and z.grad_fn.scope is None


def test_run_backward_can_replay_without_touching_grads():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    events = []

    class Recorder(ag.Observer):
        def node(self, t, g):
            events.append(t.grad_fn.name)

    ag.run_backward([y], [np.ones(())], accumulate=False, retain_graph=True, observer=Recorder())
    assert events == ["sum", "mul"] and x.grad is None and not y.grad_fn.freed


def test_create_graph_leaves_own_writable_gradients():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward(create_graph=True)  # add hands one cotangent to both leaves
    assert x.grad is not y.grad and x.grad.data.flags.writeable
    x.grad.data *= 10
    np.testing.assert_allclose(y.grad.data, [1.0, 1.0])


def test_zero_power_has_zero_gradient_even_at_zero():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    p = ag.tensor([0.0, 2.0], requires_grad=True)
    ag.pow(ag.tensor([0.0, 0.0]), p).sum().backward()
    assert np.isfinite(p.grad.data).all()


def test_indexing_errors_are_index_errors():
    t = ag.tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match=r"getitem: .*out of bounds.*shape \(3,\)"):
        t[5]
    with pytest.raises(ag.errors.IndexingError):
        t[1.5]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_points_past_nn_to_the_user_line():
    import nn

    layer = nn.Linear(2, 1)
    with ag.no_grad():
        layer.weight.data[...] = 1e308
    with (
        ag.detect_anomaly(),
        pytest.raises(ag.errors.AnomalyError, match=r"linear produced inf.*test_backward\.py:\d+"),
    ):
        layer(ag.tensor([[10.0, 10.0]]))  # finite values overflow inside nn; reported at this line


def test_every_library_error_is_also_a_builtin_error():
    import inspect

    for name, cls in inspect.getmembers(ag.errors, inspect.isclass):
        if issubclass(cls, ag.errors.AutogradError) and cls is not ag.errors.AutogradError:
            builtin = (ValueError, TypeError, RuntimeError, IndexError, KeyError, ImportError)
            assert issubclass(cls, builtin), f"{name} should also subclass the builtin error users catch"


def test_zero_power_second_derivative_is_finite_at_zero():
    f = lambda x: (x ** ag.tensor([0.0, 2.0])).sum()  # noqa: E731
    second = ag.grad(lambda x: ag.grad(f)(x).sum())(ag.tensor([0.0, 2.0]))  # reverse over reverse
    np.testing.assert_array_equal(second.data, [0.0, 2.0])


@pytest.mark.parametrize("create_graph", [False, True])
def test_gradients_from_hooks_and_seeds_are_copied_not_shared(create_graph):
    p = ag.tensor([3.0, 4.0], requires_grad=True)
    fixed = ag.tensor([0.6, 0.8])
    p.register_hook(lambda g: fixed)
    (p * 1).sum().backward(create_graph=create_graph)
    p.grad.data *= 10  # e.g. clip_grad_norm_ scaling in place
    np.testing.assert_allclose(fixed.data, [0.6, 0.8])
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seed = ag.tensor([1.0, 1.0])
    (x * 1).backward(gradient=seed, create_graph=create_graph)
    assert x.grad is not seed
    x.grad.data[0] = 5
    assert seed.data[0] == 1.0
