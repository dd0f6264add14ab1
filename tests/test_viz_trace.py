"""trace_backward: step order, VJP formulas, accumulation and un-broadcast events, the notes' δ's, frames."""

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from viz_cases import grounded, micrograd, node_label, node_of

import autograd_core as ag
import viz


def test_steps_follow_a_reverse_topological_order_and_cover_every_tensor():
    ex = grounded()
    trace = viz.trace_backward(ex.J)
    order = ag.topological_order([ex.J])
    assert {id(s.tensor) for s in trace.steps} == {id(t) for t in order}  # every tensor, once
    assert len(trace.steps) == len(order)
    position = {id(s.tensor): s.number for s in trace.steps}
    for s in trace.steps:  # every tensor comes after every tensor it feeds
        if not s.is_leaf:
            for c in s.sends:
                assert position[id(c.target)] > s.number
    assert [s.number for s in trace.steps] == list(range(1, len(trace) + 1))


def test_each_step_records_its_incoming_gradient_rule_and_outgoing_gradients():
    ex = micrograd()
    trace = viz.trace_backward(ex.L)
    first = trace[0]
    assert first.name == "L" and first.op == "tanh" and float(first.incoming) == 1.0
    assert first.formula == ag.REGISTRY["tanh"].formula.vjp
    assert [c.target_name for c in first.sends] == ["d"] and float(first.sends[0].grad) == pytest.approx(0.5)
    mul = next(s for s in trace if s.op == "mul")
    assert {c.symbol: float(c.grad) for c in mul.sends} == pytest.approx({"a": -1.5, "b": 1.0})
    leaves = {s.name: float(s.incoming) for s in trace if s.is_leaf}
    assert leaves == pytest.approx({"a": -1.5, "b": 1.0, "c": 0.5})


def test_a_tensor_used_three_times_reports_its_second_and_third_contributions():
    x = ag.tensor(3.0, requires_grad=True, name="x")
    y = x * x + x
    trace = viz.trace_backward(y)
    events = [c.accumulation for s in trace for c in s.sends if c.accumulation]
    # the add runs first and sends x its 1st contribution (1); then the mul sends x·1 twice
    assert events == [
        "x.grad += 3, 2nd contribution (total now 4)",
        "x.grad += 3, 3rd contribution (total now 7)",
    ]
    assert float(trace.grad(x)) == 7.0
    assert "2nd contribution" in str(trace) and "3rd contribution" in str(trace)


def test_broadcasting_is_undone_and_explained():
    X = ag.tensor(np.ones((4, 3)), requires_grad=True, name="X")
    b = ag.tensor(np.arange(3.0), requires_grad=True, name="b")
    c = ag.tensor(np.ones((1, 3)), requires_grad=True, name="c")
    s = ag.tensor(2.0, requires_grad=True, name="s")
    y = ((X + b) * c * s).sum()
    text = str(viz.trace_backward(y))
    assert "summed over axis 0 because b was broadcast from (3,) to (4, 3)" in text
    assert "summed over axis 0 because c was broadcast from (1, 3) to (4, 3)" in text
    assert "summed over axes 0 and 1 because s was broadcast from () to (4, 3)" in text
    assert "because X was broadcast" not in text


def test_the_notes_grounded_example_values_and_deltas():
    ex = grounded()
    np.testing.assert_array_equal(np.round(ex.h.data, 3), [0.550, 0.711])
    assert round(float(ex.yhat.data[0]), 3) == 0.512
    trace = viz.trace_backward(ex.J)
    assert [layer.number for layer in trace.layers] == [1, 2]
    assert np.round(trace.delta(2), 3).tolist() == [-0.488]  # δ(2) = ŷ − y
    # the notes print δ(1) = [0, −0.060, −0.010]; the 0 is the bias neuron's placeholder
    assert np.round(trace.delta(1), 3).tolist() == [-0.060, -0.010]
    out, hidden = trace.layers[1], trace.layers[0]
    # ∇(1) = x(1) δ(2)ᵀ with x(1) = [1, 0.550, 0.711]: the bias row, then the weights
    assert np.round(out.bias_grad, 3).tolist() == [-0.488]
    assert np.round(out.weight_grad, 3).tolist() == [[-0.269, -0.347]]
    # ∇(0) = x(0) δ(1)ᵀ with x(0) = [1, 0, 1]; here W is (out, in), so it is the transpose without the bias row
    np.testing.assert_allclose(hidden.weight_grad, np.outer(trace.delta(1), [0.0, 1.0]))
    assert np.round(hidden.bias_grad, 3).tolist() == [-0.060, -0.010]
    assert out.name == "layers.2 (Linear)" and hidden.name == "layers.0 (Linear)"
    np.testing.assert_allclose(out.input, ex.h.data)


def test_the_table_lists_steps_rules_and_the_per_layer_deltas():
    ex = grounded()
    text = str(viz.trace_backward(ex.J))
    assert "Backward pass of J: 16 steps" in text
    for name in ("sigmoid", "linear", "log"):
        assert ag.REGISTRY[name].formula.vjp in text
    assert "δ(2) = δ(L)" in text and "δ(1) = δ(L−1)" in text
    assert "[-0.4885]" in text and "[-0.06046, -0.01004]" in text and "[[-0.2686, -0.3473]]" in text
    assert "layers.0.weight.grad = [[0, -0.06046], [0, -0.01004]]" in text
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("step"))
    assert header.split() == ["step", "node", "op", "incoming", "ȳ", "VJP", "rule", "sends"]


def test_tracing_changes_nothing():
    ex = grounded()
    viz.trace_backward(ex.J)
    assert ex.w0.grad is None and not ex.J.grad_fn.freed
    ex.J.backward()
    trace_after = grounded()
    trace = viz.trace_backward(trace_after.J)
    np.testing.assert_allclose(trace.grad(trace_after.w0), ex.w0.grad.data)


def test_without_linear_layers_there_is_no_delta_table():
    trace = viz.trace_backward(micrograd().L)
    assert trace.layers == [] and "Per-layer" not in str(trace)
    with pytest.raises(KeyError, match="no fully connected layer 1"):
        trace.delta(1)


def test_frames_highlight_the_current_node_and_show_only_the_gradients_known_so_far(tmp_path):
    ex = micrograd()
    trace = viz.trace_backward(ex.L)
    files = trace.frames(tmp_path / "frames")
    assert [f.name for f in files] == [f"step_{k}.png" for k in range(1, len(trace) + 1)]
    assert all(f.read_bytes()[:4] == b"\x89PNG" for f in files)
    first = trace.frame(1).source
    assert "step 1/6" in first and 'COLOR="#d62728"' in first
    assert "-1.5" not in first  # dL/da is not known yet at step 1
    assert "-1.5" in trace.frame(len(trace)).source
    with pytest.raises(IndexError, match="steps 1 … 6"):
        trace.frame(7)


def test_the_html_page_is_the_explorer_opened_at_the_first_backward_step(tmp_path):
    trace = viz.trace_backward(micrograd().L)
    page = trace.to_html(tmp_path / "trace.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    backward = [s for s in data["steps"] if s["phase"] == "backward"]
    assert [s["k"] for s in backward] == [s.number for s in trace.steps]
    assert data["steps"][data["start"] - 1] == backward[0]
    assert 'type="range"' in page and f'max="{len(data["steps"])}"' in page
    for svg in data["svg"].values():
        ET.fromstring(svg)


def test_frame_captions_are_short_lines(tmp_path):
    trace = viz.trace_backward(grounded().J)
    linear = next(s for s in trace if s.op == "linear")
    lines = trace.caption_lines(linear)
    assert lines[0].startswith(f"step {linear.number}/16: linear₂ = linear(…) receives ȳ")
    assert lines[1] == f"VJP rule {ag.REGISTRY['linear'].formula.vjp}:" and len(lines) == 2 + len(linear.sends)
    assert max(map(len, lines)) < 80


def test_in_a_frame_only_the_edges_already_travelled_are_gradient_edges():
    trace = viz.trace_backward(micrograd().L)
    first = trace.frame(1).source
    red = [line for line in first.splitlines() if "->" in line and "#c0392b" in line]
    assert len(red) == 2  # L → tanh (ȳ) and tanh → d (x̄); nothing further back yet
    last = trace.frame(len(trace)).source
    assert sum("->" in line and "#c0392b" in line for line in last.splitlines()) == 8


def test_replaying_a_backward_pass_runs_no_user_hooks_and_marks_the_tensors_that_have_one():
    ex = micrograd()
    calls = []
    ex.d.register_hook(lambda g: calls.append("d") or g * 2)  # backward() doubles d's gradient
    ex.a.register_hook(lambda g: calls.append("a"))
    trace = viz.trace_backward(ex.L)
    both = viz.draw_graph(ex.L, mode="both").source
    assert calls == []
    assert {s.name for s in trace if s.hooked} == {"d", "a"}
    text = str(trace)
    assert "⚠ d has a hook not applied in this replay" in text and "⚠ a has a hook not applied in this replay" in text
    assert text.count("hook not applied") == 2
    note = "⚠ hook not applied in this replay"
    for src in (both, viz.draw_graph(ex.L, mode="backward").source, trace.frame(len(trace)).source):
        assert note in node_label(src, node_of(src, "d")) and note in node_label(src, node_of(src, "a"))
        assert note not in node_label(src, node_of(src, "e")) and note not in node_label(src, node_of(src, "b"))
    assert note not in viz.draw_graph(ex.L).source  # forward pictures replay nothing
    assert float(trace.grad(ex.a)) == pytest.approx(-1.5)  # without the hook on d
    ex.L.backward()
    assert calls == ["d", "a"]
    assert ex.a.grad.item() == pytest.approx(-3.0)  # the real pass ran d's hook
