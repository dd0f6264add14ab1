"""Pictures and traces after loss.backward(): drawn from what the released graph kept, large arrays summarised."""

import numpy as np
import pytest
from viz_cases import micrograd, node_label, node_of

import autograd_core as ag
import nn
import viz


@pytest.mark.parametrize("mode", ["forward", "backward", "both"])
def test_after_backward_the_picture_is_the_one_drawn_before(mode):
    before = viz.draw_graph(micrograd().L, mode=mode).source
    ex = micrograd()
    ex.L.backward()
    assert ex.L.grad_fn.freed
    after = viz.draw_graph(ex.L, mode=mode).source
    assert after == before
    if mode != "forward":
        assert "grad" in node_label(after, node_of(after, "a")) and "-1.5" in node_label(after, node_of(after, "a"))


def test_after_backward_the_trace_is_the_one_recorded_before_and_backward_cannot_run_again():
    before = str(viz.trace_backward(micrograd().L))
    ex = micrograd()
    ex.L.backward()
    assert str(viz.trace_backward(ex.L)) == before
    with pytest.raises(ag.errors.GraphFreedError):
        ex.L.backward()


def test_gradients_drawn_after_backward_are_the_ones_backward_computed_even_after_an_update():
    x = ag.tensor([[1.0, -2.0]], name="x")
    w = ag.tensor([[0.5, 0.25], [-1.0, 2.0]], requires_grad=True, name="w")
    h = ag.tanh(x @ w)
    h.name = "h"
    loss = (h * h).sum()
    loss.name = "loss"
    loss.backward()
    grad_w = w.grad.data.copy()
    grad_h = 2 * h.data
    w.data -= 0.1 * w.grad.data  # an optimizer step after backward
    src = viz.draw_graph(loss, mode="both").source
    assert f"{grad_h[0, 0]:.4g}" in node_label(src, node_of(src, "h"))
    assert f"{grad_w[0, 0]:.4g}" in node_label(src, node_of(src, "w"))


def test_after_backward_a_non_scalar_root_is_drawn_with_its_seed():
    x = ag.tensor([[1.0, 2.0]], requires_grad=True, name="x")
    w = ag.tensor([[1.0, 0.0], [0.0, -1.0]], requires_grad=True, name="w")
    y = x @ w  # matmul keeps its gradient: the seed backward was given
    y.name = "y"
    y.backward(gradient=[[1.0, 10.0]])
    src = viz.draw_graph(y, mode="backward").source
    assert "[1, 10]" in node_label(src, node_of(src, "y")) and "[1, -10]" in node_label(src, node_of(src, "x"))
    z = x * 3  # an element-wise root keeps no gradient: as before backward, it needs gradient=
    z.name = "z"
    z.backward(gradient=[[1.0, 10.0]])
    with pytest.raises(ag.errors.GradientError, match="pass gradient="):
        viz.draw_graph(z, mode="backward")
    src = viz.draw_graph(z, mode="backward", gradient=[[1.0, 10.0]]).source
    assert "[3, 30]" in node_label(src, node_of(src, "x"))


def _mlp_step():
    nn.manual_seed(0)
    model = nn.MLP([20, 16, 3])
    x = ag.tensor(np.random.default_rng(0).normal(size=(32, 20)), name="x batch")
    loss = nn.CrossEntropyLoss()(model(x), np.arange(32) % 3)
    loss.name = "loss"
    return model, loss


def test_a_large_graph_after_backward_shows_shapes_and_first_values_and_the_live_parameters():
    model, loss = _mlp_step()
    before = viz.draw_graph(loss, mode="both").source
    loss.backward()
    src = viz.draw_graph(loss, mode="both").source
    assert "large tensors show their shape only" in src
    hidden = node_label(src, node_of(src, "linear₁"))  # (32, 16): 512 elements, not kept
    assert "(32, 16)" in hidden and "not kept after backward" in hidden
    first = model.layers[0]
    label = node_label(src, node_of(src, "layers.0.weight"))  # a live parameter: its value and .grad
    assert "min" in label and "grad" in label
    assert node_label(src, node_of(src, "layers.2.bias")) == node_label(before, node_of(before, "layers.2.bias"))
    assert first.weight.grad is not None


def test_tracing_a_large_graph_after_backward_says_in_one_sentence_what_to_do():
    _, loss = _mlp_step()
    loss.backward()
    with pytest.raises(viz.GraphReleasedError) as info:
        viz.trace_backward(loss)
    message = str(info.value)
    assert "call viz.trace_backward(loss) before loss.backward(), or pass retain_graph=True" in message
    assert message.count(". ") == 0 and "linear₁" in message


def test_a_graph_freed_without_records_says_what_to_do():
    ex = micrograd()
    ex.L.grad_fn.inputs = None  # what a backward pass that keeps nothing leaves
    with pytest.raises(viz.GraphReleasedError, match=r"draw it before calling backward\(\).*retain_graph=True"):
        viz.draw_graph(ex.L)


def test_in_a_large_graph_the_small_nodes_near_the_loss_still_get_their_gradients():
    model, loss = _mlp_step()
    bias = model.layers[2].bias
    penalty = (bias * bias).sum()
    penalty.name = "penalty"
    total = loss + 0.5 * penalty
    total.name = "total"
    total.backward()
    src = viz.draw_graph(total, mode="both").source
    assert 'grad</FONT> <FONT COLOR="#c0392b">1</FONT>' in node_label(src, node_of(src, "loss"))  # replayed
    assert 'grad</FONT> <FONT COLOR="#c0392b">0.5</FONT>' in node_label(src, node_of(src, "penalty"))
    square = node_label(src, node_of(src, "mul₁"))  # bias·bias: small, element-wise, replayed
    assert "grad" in square and "0.5" in square
    hidden = node_label(src, node_of(src, "relu₁"))  # large: what backward kept of it
    assert "not kept after backward" in hidden and "grad" in hidden
