"""graph_scope labels recorded nodes with the active scope names, outermost first, and always restores them."""

import pytest

import autograd_core as ag


def test_nodes_carry_the_active_scopes():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.graph_scope("Net"):
        with ag.graph_scope("layers.0 (Linear)"):
            y = x * 2
        z = y + 1
    w = z.sum()
    assert y.grad_fn.scope == ("Net", "layers.0 (Linear)")
    assert z.grad_fn.scope == ("Net",)
    assert w.grad_fn.scope is None


def test_scopes_are_restored_after_an_exception():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError), ag.graph_scope("outer"):
        raise RuntimeError("boom")
    assert (x * 1).grad_fn.scope is None


def test_as_a_decorator_each_call_gets_its_own_scope_even_recursively():
    x = ag.tensor([1.0], requires_grad=True)
    seen = []

    @ag.graph_scope("f")
    def f(depth):
        seen.append((x * 1).grad_fn.scope)
        if depth:
            f(depth - 1)
        seen.append((x * 1).grad_fn.scope)

    f(1)
    assert seen == [("f",), ("f", "f"), ("f", "f"), ("f",)]
    assert (x * 1).grad_fn.scope is None
