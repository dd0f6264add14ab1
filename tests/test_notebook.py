"""A notebook run in a real Jupyter kernel: pictures after backward, fit's progress, plots, tables and the explorer inline."""

import json

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

CELLS = {
    "graph": """
import numpy as np
import autograd_core as ag
import nn
import viz
from viz import plots

a = ag.tensor(2.0, requires_grad=True, name="a")
b = ag.tensor(-3.0, requires_grad=True, name="b")
c = ag.tensor(6.8813735870195432, requires_grad=True, name="c")  # L = tanh(0.8814) = 1/√2
L = (a * b + c).tanh()
L.name = "L"
L.backward()
viz.draw_graph(L, mode="both")
""",
    "fit": """
X, y = nn.data.make_moons(100, noise=0.1, rng=0)
nn.manual_seed(0)
model = nn.MLP([2, 8, 2])
history = nn.fit(
    model,
    nn.CrossEntropyLoss(),
    nn.optim.Adam(model.parameters(), lr=0.01),
    nn.data.DataLoader(X, y, batch_size=32),
    epochs=3,
    metrics=["accuracy"],
)
history
""",
    "plot": "plots.plot_history(history)",
    "plot_inline_backend": "%matplotlib inline\nplots.plot_history(history)",
    "summary": "nn.summary(model, (2,))",
    "trace": "viz.trace_backward(L)",
    "explorer": "viz.explore(L)",
    "no_dot": "import os\nos.environ['PATH'] = ''\nviz.draw_graph(L)",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source.strip(), metadata={"name": name}) for name, source in CELLS.items()]
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": folder}})
    client.execute()
    found = {cell.metadata["name"]: cell.outputs for cell in nb.cells}
    # tqdm's notebook widget updates its state, not the cell's output: keep the widgets' final state too
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    found["widget state"] = [{"output_type": "stream", "text": json.dumps(state, ensure_ascii=False)}]
    return found


def _data(outputs, mime):
    return [
        o["data"][mime]
        for o in outputs
        if o.get("output_type") in ("display_data", "execute_result") and mime in o.get("data", {})
    ]


def _text(outputs):
    parts = [o.get("text", "") for o in outputs if o["output_type"] == "stream"]
    parts += [o["data"].get("text/plain", "") for o in outputs if "data" in o]
    return "".join(parts)


def test_no_cell_raised(outputs):
    errors = [
        (name, o.get("ename"), o.get("evalue"))
        for name, outs in outputs.items()
        for o in outs
        if o["output_type"] == "error"
    ]
    assert not errors


def test_the_graph_after_backward_displays_as_svg_with_the_gradients(outputs):
    (svg,) = _data(outputs["graph"], "image/svg+xml")
    assert "<svg" in svg and "0.7071" in svg  # the value of L
    assert "grad" in svg and "&#45;1.5" in svg and "0.5" in svg  # ∂L/∂a = b·(1 − L²) = −1.5, ∂L/∂c = 0.5


def test_fit_shows_its_progress_and_the_history_a_table(outputs):
    widget = any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs["fit"])
    text = _text(outputs["widget state"] if widget else outputs["fit"])  # the widget, or the text fallback
    assert "fit" in _text(outputs["fit"]) and "3/3" in text and "acc=" in text
    (table,) = _data(outputs["fit"], "text/html")
    assert "<table" in table and "accuracy" in table


@pytest.mark.parametrize("cell", ["plot", "plot_inline_backend"])
def test_a_plot_displays_once_as_png_without_configuration(outputs, cell):
    assert len(_data(outputs[cell], "image/png")) == 1


def test_summary_and_trace_display_as_html_tables(outputs):
    (summary,) = _data(outputs["summary"], "text/html")
    assert "<table" in summary and "layers.0 (Linear)" in summary and "Total params: 42" in summary
    assert not [o for o in outputs["summary"] if o["output_type"] == "stream"]  # shown once, not printed too
    (trace,) = _data(outputs["trace"], "text/html")
    assert "<table" in trace and "VJP rule" in trace


def test_the_explorer_displays_inline(outputs):
    (frame,) = _data(outputs["explorer"], "text/html")
    assert frame.startswith("<iframe srcdoc=") and "Forward and backward pass of L" in frame


def test_without_dot_the_notebook_shows_the_install_message(outputs):
    (message,) = _data(outputs["no_dot"], "text/html")
    assert "Graphviz is not installed" in message and "apt-get install graphviz" in message
