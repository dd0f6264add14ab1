"""viz with real nn models: module clusters of an MLP, the per-layer δ table, plots of trained models."""

import re

import numpy as np
import pytest
from viz_cases import W0, W1, cluster_blocks, node_label, node_of

import autograd_core as ag
import nn
import viz
from viz import plots


def _cluster_labels(src):
    import re

    return {name: re.search(r"label=<<B>(.*?)</B>>", block).group(1) for name, block in cluster_blocks(src).items()}


def test_a_three_layer_mlp_draws_as_one_box_per_module():
    nn.manual_seed(0)
    model = nn.MLP([3, 4, 4, 2])
    x = ag.tensor(np.random.default_rng(0).normal(size=(5, 3)), name="x")
    loss = nn.CrossEntropyLoss()(model(x), np.array([0, 1, 1, 0, 1]))
    src = viz.draw_graph(loss, mode="both").source
    labels = _cluster_labels(src)
    assert sorted(labels.values()) == sorted(
        [
            "MLP › layers (Sequential)",
            "layers.0 (Linear)",
            "layers.1 (ReLU)",
            "layers.2 (Linear)",
            "layers.3 (ReLU)",
            "layers.4 (Linear)",
            "CrossEntropyLoss",
        ]
    )
    blocks = cluster_blocks(src)
    for k in (0, 2, 4):
        block = next(b for n, b in blocks.items() if labels[n] == f"layers.{k} (Linear)")
        for name in (f"layers.{k}.weight", f"layers.{k}.bias"):
            assert node_of(src, name) + " [" in block
            assert "parameter" in node_label(src, node_of(src, name))
    outer = next(b for n, b in blocks.items() if labels[n].startswith("MLP"))
    assert node_of(src, "x") + " [" not in outer


def _notes_mlp():
    model = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid")
    model.load_state_dict(
        {"layers.0.weight": W0[1:].T, "layers.0.bias": W0[0], "layers.2.weight": W1[None, 1:], "layers.2.bias": W1[:1]}
    )
    return model


def test_the_trace_of_the_notes_mlp_gives_the_notes_deltas_layer_by_layer():
    model = _notes_mlp()
    loss = nn.BCELoss(reduction="sum")(model(ag.tensor([[0.0, 1.0]])), ag.tensor([[1.0]]))
    trace = viz.trace_backward(loss)
    assert [(la.number, la.name) for la in trace.layers] == [(1, "layers.0 (Linear)"), (2, "layers.2 (Linear)")]
    assert np.round(trace.delta(2), 3).tolist() == [[-0.488]]
    assert np.round(trace.delta(1), 3).tolist() == [[-0.060, -0.010]]
    assert np.round(trace.layers[1].weight_grad, 3).tolist() == [[-0.269, -0.347]]
    assert np.round(trace.layers[0].input, 3).tolist() == [[0.0, 1.0]]
    assert np.round(trace.layers[1].input, 3).tolist() == [[0.550, 0.711]]
    text = str(trace)
    assert "δ(2) = δ(L)    layers.2 (Linear)" in text and "δ(1) = δ(L−1)  layers.0 (Linear)" in text
    loss.backward()  # the trace agreed with the real backward pass
    np.testing.assert_allclose(trace.layers[1].weight_grad, model.layers[2].weight.grad.data)


def test_the_trace_table_of_an_mlp_numbers_its_steps_in_order_under_module_headings():
    model = _notes_mlp()
    x = ag.tensor([[0.0, 1.0]], name="x")
    loss = nn.BCELoss(reduction="sum")(model(x), ag.tensor([[1.0]]))
    trace = viz.trace_backward(loss)
    text = str(trace)
    assert "a heading names the module of the steps below it" in text
    steps_table = text.split("Per-layer deltas")[0]
    runs, numbers = [], []
    for line in steps_table.splitlines():
        if line.startswith("── "):
            runs.append((line[3:], []))
        elif runs and line[:1].isdigit():
            runs[-1][1].append(line.split()[1])
            numbers.append(int(line.split()[0]))
    assert numbers == list(range(1, len(trace) + 1))  # in order, each step once
    titles = [title.split(" — ")[0] for title, _ in runs]
    assert titles == [
        "BCELoss",
        "layers.3 (Sigmoid)",
        "layers.2 (Linear)",
        "layers.1 (Sigmoid)",
        "layers.0 (Linear)",
        "layers.2 (Linear)",  # the parameters come back at the end, where the pass reaches the leaves
        "layers.0 (Linear)",
    ]
    assert runs[2] == ("layers.2 (Linear) — layer 2: δ(2) = δ(L) is the ȳ of linear₂", ["linear₂"])
    assert runs[4] == ("layers.0 (Linear) — layer 1: δ(1) = δ(L−1) is the ȳ of linear₁", ["linear₁"])
    assert runs[5] == ("layers.2 (Linear)", ["layers.2.weight", "layers.2.bias"])
    assert runs[6] == ("layers.0 (Linear)", ["layers.0.weight", "layers.0.bias"])
    assert "δ(2) = δ(L)    layers.2 (Linear)" in text  # the per-layer δ table is still there
    # without modules the table stays flat
    flat = str(viz.trace_backward(ag.tanh(ag.tensor(2.0, requires_grad=True, name="a") * 3)))
    assert not [line for line in flat.splitlines() if line.startswith("── ")] and "heading" not in flat


def test_the_delta_table_says_how_its_shapes_fit_and_has_no_unlabelled_column():
    nn.manual_seed(0)
    model = nn.MLP([32, 8, 2])
    loss = nn.CrossEntropyLoss()(model(ag.tensor(np.ones((4, 32)))), np.array([0, 1, 0, 1]))
    text = viz.tables.layer_table(viz.trace_backward(loss))
    header = next(line for line in text.splitlines() if line.startswith("layer "))
    assert [h.strip() for h in re.split(r"\s{2,}", header)] == [
        "layer",
        "module",
        "δ = ∂L/∂Y",
        "input X",
        "∂L/∂W = δᵀ·X",
        "∂L/∂b = Σ δ",
    ]
    assert "summed over the batch's 4 examples" in text and "δ has shape (batch, out) and X (batch, in)" in text
    row = next(line for line in text.splitlines() if line.startswith("δ(2)"))
    assert "(4, 2)" in row and "(4, 8)" in row and "(2, 8)" in row  # δ, X and ∂L/∂W = δᵀ·X: (2, 4)·(4, 8)


def test_layers_without_a_bias_are_in_the_delta_table_and_drawn_without_a_bias_input():
    nn.manual_seed(0)
    model = nn.MLP([2, 3, 1], bias=False)
    x = ag.tensor([[0.5, -1.0], [1.0, 2.0]], name="x")
    loss = nn.MSELoss()(model(x), ag.tensor([[1.0], [0.0]]))
    trace = viz.trace_backward(loss)
    assert [(la.number, la.name) for la in trace.layers] == [(1, "layers.0 (Linear)"), (2, "layers.2 (Linear)")]
    assert all(la.bias_grad is None for la in trace.layers)
    np.testing.assert_allclose(trace.layers[0].input, x.data)
    rows = [line for line in str(trace).splitlines() if line.startswith("δ(")]
    assert len(rows) == 2 and all(row.endswith("  —") for row in rows)  # no ∂L/∂b
    src = viz.draw_graph(loss).source
    assert "None" not in src
    linear_ops = [line for line in src.splitlines() if "label=<<B>linear</B>" in line]
    assert len(linear_ops) == 2
    for op in (line.split()[0] for line in linear_ops):
        assert sum(line.split()[2] == op for line in src.splitlines() if " -> " in line) == 2  # X and W only
    loss.backward()
    for layer, module in zip(trace.layers, (model.layers[0], model.layers[2])):
        np.testing.assert_allclose(layer.weight_grad, module.weight.grad.data)


@pytest.fixture(scope="module")
def trained():
    X, y = nn.data.make_moons(200, noise=0.1, rng=0)
    nn.manual_seed(0)
    model = nn.MLP([2, 16, 16, 2])
    norms = viz.GradientNormHistory()
    loader = nn.data.DataLoader(X, y, batch_size=32, rng=np.random.default_rng(0))
    history = nn.fit(
        model,
        nn.CrossEntropyLoss(),
        nn.optim.Adam(model.parameters(), lr=0.02),
        loader,
        epochs=15,
        callbacks=[norms],
        metrics=("loss", "accuracy"),
        progress=False,
    )
    return model, X, y, history, norms


def test_plots_of_a_trained_model(tmp_path, trained):
    pytest.importorskip("matplotlib")
    model, X, y, history, norms = trained
    assert history["accuracy"][-1] > 0.9
    plots.plot_history(history, tmp_path / "history.png")
    plots.plot_decision_boundary(model, X, y, tmp_path / "boundary.png", resolution=80)
    plots.plot_gradient_norms(norms, tmp_path / "norms.png")
    assert list(norms.history) == ["layers.0.weight", "layers.2.weight", "layers.4.weight"]
    assert all(len(v) == 15 for v in norms.history.values())
    for name in ("history", "boundary", "norms"):
        assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert model.training  # evaluation for the boundary restored training mode


def test_gradient_norms_of_deep_sigmoid_and_relu_networks(tmp_path):
    pytest.importorskip("matplotlib")
    X, y = nn.data.make_moons(64, noise=0.1, rng=0)
    models = {}
    for act in ("sigmoid", "relu"):
        nn.manual_seed(0)
        models[act] = nn.MLP([2] + [16] * 9 + [1], activation=act)
        loss = nn.BCEWithLogitsLoss()(models[act](ag.tensor(X)), ag.tensor(y[:, None].astype(float)))
        loss.backward()
    sig = list(plots.weight_gradient_norms(models["sigmoid"]).values())
    assert len(sig) == 10 and sig[0] < 1e-4 * sig[-1]  # vanished on the way to the input
    plots.plot_gradient_norms(models, tmp_path / "cmp.png")
    assert (tmp_path / "cmp.png").stat().st_size > 2000


def test_save_step_graphs_of_an_nn_training_step(tmp_path, trained):
    model, X, y, _, _ = trained
    loss = nn.CrossEntropyLoss()(model(ag.tensor(X[:8], name="x batch")), y[:8])
    loss.name = "loss"
    paths = viz.save_step_graphs(loss, tmp_path, format="svg")
    assert "layers.2 (Linear)" in paths["forward"].read_text()
    loss.backward()
    assert model.layers[0].weight.grad is not None
