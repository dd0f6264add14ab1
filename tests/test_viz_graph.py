"""draw_graph: the DOT structure, labels, modes, module clusters, and that drawing changes nothing."""

import re

import numpy as np
import pytest
from viz_cases import cluster_blocks, edges, grounded, micrograd, node_attrs, node_label, node_of, nodes

import autograd_core as ag
import nn
import viz


def test_forward_graph_has_one_node_per_tensor_and_op_and_one_edge_per_data_flow():
    ex = micrograd()
    src = viz.draw_graph(ex.L).source
    ids = nodes(src)
    assert len([i for i in ids if i.startswith("t")]) == 6  # a, b, c, e, d, L
    assert len([i for i in ids if i.startswith("op")]) == 3  # mul, add, tanh
    assert len(edges(src)) == 8  # a→mul, b→mul, mul→e, e→add, c→add, add→d, d→tanh, tanh→L
    for tail, head in edges(src):
        assert tail in ids and head in ids
    # values flow forward: every edge leaves a tensor for an op, or an op for its output
    a, mul_out = node_of(src, "a"), node_of(src, "e")
    op = "op" + mul_out[1:]
    assert (a, op) in edges(src) and (op, mul_out) in edges(src)


def test_forward_labels_show_values_to_the_shown_precision_and_no_gradients():
    ex = micrograd()
    src = viz.draw_graph(ex.L, mode="forward").source
    assert "0.8814" in node_label(src, node_of(src, "d"))
    assert "0.7071" in node_label(src, node_of(src, "L"))
    assert ">grad<" not in node_label(src, node_of(src, "a"))


def test_backward_graph_reverses_the_edges_and_labels_them_with_the_gradients():
    ex = micrograd()
    fwd = set(edges(viz.draw_graph(ex.L).source))
    src = viz.draw_graph(ex.L, mode="backward").source
    bwd = set(edges(src))
    assert bwd == {(h, t) for t, h in fwd}
    assert "rankdir=RL" in src  # the layout mirrors, so nodes keep their places
    a, b, c = (node_of(src, n) for n in "abc")
    labels = {(t, h): line for t, h, line in _edge_lines(src)}
    mul = "op" + node_of(src, "e")[1:]
    assert "ā = -1.5" in labels[(mul, a)]  # dL/da = (1 − tanh²(d))·b = 0.5·(−3)
    assert "b̄ = 1" in labels[(mul, b)]
    assert "0.5" in labels[("op" + node_of(src, "d")[1:], c)]
    assert "grad" in node_label(src, a) and "-1.5" in node_label(src, a)
    assert "0.7071" not in node_label(src, node_of(src, "L"))  # backward shows gradients, not values


def test_both_shows_values_and_gradients_and_the_vjp_rules_come_from_the_registry():
    ex = micrograd()
    src = viz.draw_graph(ex.L, mode="both").source
    label = node_label(src, node_of(src, "e"))
    assert "-6" in label and "0.5" in label
    assert str(ag.REGISTRY["tanh"].formula) in node_attrs(src, "op" + node_of(src, "L")[1:])  # its tooltip
    bwd = viz.draw_graph(ex.L, mode="backward").source
    assert ag.REGISTRY["tanh"].formula.vjp in bwd


def test_parameters_leaves_inputs_and_the_output_are_visually_distinct():
    scale = nn.Parameter(2.0, name="scale")  # a real nn Parameter, whatever its name
    w = ag.tensor([[0.5, -1.0]], requires_grad=True, name="layers.0.weight")  # a parameter's name is not enough
    a = ag.tensor(3.0, requires_grad=True, name="a")  # a plain leaf
    x = ag.tensor([[1.0, 2.0]], name="x")
    h = ag.linear(x, w) * scale
    h.name = "h"
    J = (h * a).sum()
    J.name = "J"
    src = viz.draw_graph(J).source
    labels = {n: node_label(src, node_of(src, n)) for n in ("scale", "layers.0.weight", "a", "x", "h", "J")}
    colour = {n: _header_colour(lbl) for n, lbl in labels.items()}
    assert colour["layers.0.weight"] == colour["a"]  # a plain leaf, whatever its name
    assert len({colour[n] for n in ("scale", "a", "x", "h", "J")}) == 5
    assert "parameter" in labels["scale"] and "parameter" not in labels["layers.0.weight"]
    assert "leaf" in labels["a"] and "parameter" not in labels["a"]
    assert "input" in labels["x"] and "output" in labels["J"]
    assert 'BORDER="2"' in labels["J"]
    legend = {
        text: swatch
        for swatch, text in re.findall(
            r'BGCOLOR="(#[0-9a-f]{6})"[^>]*> </TD><TD[^>]*><FONT[^>]*>([^<]*?)  </FONT>', src
        )
    }
    assert legend["parameter"] == colour["scale"] and legend["leaf (requires grad)"] == colour["a"]
    assert legend["input (no grad)"] == colour["x"] and legend["output"] == colour["J"]


def test_large_tensors_are_summarised_and_small_ones_shown_in_full():
    x = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="big")
    small = ag.tensor([1.0, 2.0], requires_grad=True, name="small")
    y = (x * 2).sum() + small.sum()
    src = viz.draw_graph(y, max_elements=6).source
    big = node_label(src, node_of(src, "big"))
    assert "min 0" in big and "mean 5.5" in big and "max 11" in big and "[0, 1, 2, …]" in big
    assert "[1, 2]" in node_label(src, node_of(src, "small"))
    assert "(3, 4)" in big and "float64" in big
    assert "[0, 1, 2, 3]" in node_label(viz.draw_graph(y, max_elements=12).source, node_of(src, "big"))


def test_constants_get_their_own_small_nodes():
    x = ag.tensor([1.0, 2.0], requires_grad=True, name="x")
    y = (1 - x).sum()
    src = viz.draw_graph(y).source
    const = [i for i in nodes(src) if i.startswith("c")]
    assert len(const) == 1 and node_label(src, const[0]) == "1"


def test_show_selects_the_label_parts():
    ex = micrograd()
    src = viz.draw_graph(ex.L, mode="both", show=("value",)).source
    label = node_label(src, node_of_value(src, "0.8814"))
    assert "<B>d</B>" not in label and "float64" not in label and ">grad<" not in label
    assert "shape=point" in src  # ops without "op" are drawn as dots
    with pytest.raises(ValueError, match="unknown: 'colour'"):
        viz.draw_graph(ex.L, show=("name", "colour"))


def test_bad_arguments_say_what_is_accepted():
    ex = micrograd()
    with pytest.raises(ValueError, match="mode must be one of"):
        viz.draw_graph(ex.L, mode="sideways")
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(ex.L, rankdir="XY")
    with pytest.raises(TypeError, match="expected a Tensor"):
        viz.draw_graph(np.ones(3))


def test_non_scalar_outputs_need_a_seed_for_gradients_with_the_core_s_errors():
    x = ag.tensor([1.0, 2.0], requires_grad=True, name="x")
    y = x * 3
    viz.draw_graph(y)  # forward needs none
    with pytest.raises(ag.errors.GradientError, match="pass gradient="):
        viz.draw_graph(y, mode="backward")
    with pytest.raises(ag.errors.ShapeError, match=r"gradient of shape \(3,\) does not match"):
        viz.trace_backward(y, gradient=[1.0, 2.0, 3.0])
    src = viz.draw_graph(y, mode="backward", gradient=[1.0, 10.0]).source
    assert "[3, 30]" in node_label(src, node_of(src, "x"))
    assert "[3, 30]" in node_label(viz.draw_graph(y, mode="backward", gradient=ag.tensor([1.0, 10.0])).source, "t0")


def test_tensors_are_read_in_the_order_the_forward_pass_made_them():
    from viz.recording import read_graph

    c, d, a, b = (ag.tensor(v, requires_grad=True) for v in (3.0, 4.0, 1.0, 2.0))
    data = ag.tensor(5.0)
    first = c * d
    second = a * b
    y = (second + first) * data  # argument order differs from the order they were made
    graph = read_graph(y)
    assert [graph.name(t) for t in graph.tensors] == [
        "leaf₁",
        "leaf₂",
        "mul₁",
        "leaf₃",
        "leaf₄",
        "mul₂",
        "add₁",
        "input₁",
        "mul₃",
    ]
    assert graph.tensors[2] is first and graph.tensors[5] is second and graph.tensors[7] is data
    assert [graph.name(t) for t in graph.consumers[id(data)]] == ["mul₃"]
    assert read_graph(a).tensors == [a]


def test_drawing_changes_nothing_and_backward_still_works_afterwards():
    ex = micrograd()
    for mode in ("forward", "backward", "both"):
        viz.draw_graph(ex.L, mode=mode)
    assert ex.a.grad is None and ex.e.grad is None
    assert not ex.L.grad_fn.freed
    ex.L.backward()
    assert ex.a.grad.item() == pytest.approx(-1.5)


def test_a_tensor_used_twice_gets_one_edge_per_use_labelled_with_each_contribution():
    x = ag.tensor(3.0, requires_grad=True, name="x")
    y = x * x
    src = viz.draw_graph(y, mode="both").source
    x_id = node_of(src, "x")
    into_mul = [line for t, h, line in _edge_lines(src) if t == x_id]
    assert len(into_mul) == 2
    assert any("ā = 3" in line for line in into_mul) and any("b̄ = 3" in line for line in into_mul)
    assert 'grad</FONT> <FONT COLOR="#c0392b">6' in node_label(src, x_id)


def test_gradient_health_shades_whole_nodes_and_the_legend_is_in_the_picture():
    # a deep sigmoid chain: the gradient reaching the first weight vanishes
    w = ag.tensor(0.5, requires_grad=True, name="w_first")
    h = w
    for _ in range(12):
        h = ag.sigmoid(h * 0.1)
    v = ag.tensor(2.0, requires_grad=True, name="v_last")
    loss = h * v
    from viz import health

    assert health.band(0.5, 1e-20).label.startswith("vanishing")
    vanishing = next(b for b in health.BANDS if b.label.startswith("vanishing")).colour
    healthy = next(b for b in health.BANDS if b.label.startswith("healthy")).colour
    for show in (viz.graph.FIELDS, ("name", "value")):  # shaded even when the gradient row is not shown
        src = viz.draw_graph(loss, mode="both", show=show).source
        assert _node_fill(src, "w_first") == vanishing
        assert _node_fill(src, "v_last") == healthy
    src = viz.draw_graph(loss, mode="backward").source
    assert _node_fill(src, "w_first") == vanishing
    assert "gradient health vanishing" in node_attrs(src, node_of(src, "w_first"))  # its tooltip
    assert "gradient health" in src and "(node colour)" in src and "vanishing" in src and "exploding" in src
    assert _node_fill(viz.draw_graph(loss).source, "w_first") is None  # no gradients, no shading
    assert "(node colour)" not in viz.draw_graph(loss).source
    assert "(node colour)" not in viz.draw_graph(loss, mode="backward", legend=False).source
    # in a trace frame, tensors the pass has not reached yet are not shaded
    trace = viz.trace_backward(loss)
    first = trace.frame(1).source
    assert _node_fill(first, "w_first") is None and _node_fill(first, "v_last") is None
    assert _node_fill(trace.frame(len(trace)).source, "w_first") == vanishing


def test_module_scopes_become_nested_labelled_clusters_holding_their_ops_and_parameters():
    ex = grounded()
    src = viz.draw_graph(ex.J).source
    blocks = cluster_blocks(src)
    labels = {name: _cluster_label(block) for name, block in blocks.items()}
    assert sorted(labels.values()) == sorted(
        ["Net", "layers.0 (Linear)", "layers.1 (Sigmoid)", "layers.2 (Linear)", "layers.3 (Sigmoid)"]
    )
    first = next(b for n, b in blocks.items() if labels[n] == "layers.0 (Linear)")
    for name in ("layers.0.weight", "layers.0.bias", "linear₁"):
        assert node_of(src, name) + " [" in first
    assert node_of(src, "x") + " [" not in first  # data stays outside the modules
    net = next(b for n, b in blocks.items() if labels[n] == "Net")
    assert "layers.0 (Linear)" in net  # nested inside the root module
    assert "cluster_" not in viz.draw_graph(ex.J, group_modules=False).source


def test_three_linear_modules_read_as_three_boxes():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.normal(size=(5, 3)), name="x")
    h = x
    params = []
    for i, (n_in, n_out) in enumerate([(3, 4), (4, 4), (4, 2)]):
        w = ag.tensor(rng.normal(size=(n_out, n_in)), requires_grad=True, name=f"layers.{2 * i}.weight")
        b = ag.tensor(np.zeros(n_out), requires_grad=True, name=f"layers.{2 * i}.bias")
        params += [w, b]
        with ag.graph_scope("MLP"), ag.graph_scope(f"layers.{2 * i} (Linear)"):
            h = ag.linear(h, w, b)
        if i < 2:
            with ag.graph_scope("MLP"), ag.graph_scope(f"layers.{2 * i + 1} (ReLU)"):
                h = ag.relu(h)
    loss = (h * h).mean()
    src = viz.draw_graph(loss, mode="both").source
    labels = [_cluster_label(b) for b in cluster_blocks(src).values()]
    assert sum("(Linear)" in lbl for lbl in labels) == 3
    assert labels.count("MLP") == 1


def _edge_lines(src):
    import re

    return re.findall(r"^\s*(\S+) -> (\S+) (\[.*\])$", src, re.M)


def _header_colour(label):
    import re

    return re.search(r'BGCOLOR="(#[0-9a-f]{6})"', label).group(1)


def _node_fill(src, name):
    """The background colour of a tensor's whole table, or None."""
    match = re.match(r'<TABLE [^>]*BGCOLOR="(#[0-9a-f]{6})"', node_label(src, node_of(src, name)))
    return match.group(1) if match else None


def _cluster_label(block):
    import re

    return re.search(r"label=<<B>(.*?)</B>>", block).group(1)


def node_of_value(src, text):
    for node_id in nodes(src):
        if node_id.startswith("t") and text in node_label(src, node_id):
            return node_id
    raise AssertionError(text)


def test_viz_uses_only_the_public_core_api():
    from pathlib import Path

    for path in Path(viz.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for module in re.findall(r"^\s*(?:from|import) autograd_core(\.\w+)?", text, re.M):
            assert module in ("", ".errors"), f"{path.name} imports autograd_core{module}, which is not public API"
        assert not re.search(r"\bag\._", text), f"{path.name} uses a private name of autograd_core"
