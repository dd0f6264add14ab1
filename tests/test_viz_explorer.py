"""viz.explore: the self-contained explorer page, its data, and the page itself in headless Chromium."""

import json
import re

import numpy as np
import pytest
from browser import file_url, load
from viz_cases import grounded, micrograd

import autograd_core as ag
import nn
import viz


def _data(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    return json.loads(raw)


def _step_of_node(dom: str) -> tuple[str, str]:
    step = re.search(r'<body[^>]*data-step="(\d+)"', dom).group(1)
    node = re.search(r'id="graph"[^>]*data-current="([^"]+)"', dom).group(1)
    return step, node


def test_the_page_is_one_file_with_forward_then_backward_steps_numbered_as_the_trace(tmp_path):
    ex = micrograd()
    explorer = viz.explore(ex.L, tmp_path / "sub" / "page.html")
    page = explorer.path.read_text(encoding="utf-8")
    assert explorer.path == tmp_path / "sub" / "page.html" and page == explorer.html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing is fetched
    data = _data(page)
    trace = viz.trace_backward(ex.L)
    forward = [s for s in data["steps"] if s["phase"] == "forward"]
    backward = [s for s in data["steps"] if s["phase"] == "backward"]
    assert [s["name"] for s in forward] == ["a", "b", "e", "c", "d", "L"]  # leaves just before their first use
    assert [(s["k"], s["name"]) for s in backward] == [(s.number, s.name) for s in trace.steps]
    mul = next(s for s in backward if s["op"] == "mul")
    assert mul["vjp"] == ag.REGISTRY["mul"].formula.vjp and mul["forward"] == ag.REGISTRY["mul"].formula.forward
    assert [(x["symbol"], x["name"]) for x in mul["inputs"]] == [("a", "a"), ("b", "b")]
    assert mul["incoming"] == ["0.5"] and [(s["target"], s["grad"]) for s in mul["sends"]] == [
        ("a", ["-1.5"]),
        ("b", ["1"]),
    ]
    assert len({s["caption"] for s in data["steps"]}) == len(data["steps"])  # one caption a step, none repeated
    assert data["table"] == str(trace)


def test_accumulation_and_unbroadcast_events_reach_the_side_panel(tmp_path):
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    b = ag.tensor(0.5, requires_grad=True, name="b")
    y = (x * x + b).sum()
    data = _data(viz.explore(y, tmp_path / "p.html").html)
    sends = [s for step in data["steps"] if step["phase"] == "backward" for s in step["sends"]]
    assert any(s["accumulation"] and "2nd contribution" in s["accumulation"] for s in sends)
    assert any(s["unbroadcast"] and "b was broadcast from () to (3,)" in s["unbroadcast"] for s in sends)


def test_an_nn_model_gets_the_per_layer_panel(tmp_path):
    nn.manual_seed(0)
    model = nn.MLP([3, 4, 2])
    x = ag.tensor(np.random.default_rng(0).normal(size=(5, 3)), name="x")
    loss = nn.CrossEntropyLoss()(model(x), np.array([0, 1, 1, 0, 1]))
    data = _data(viz.explore(loss, tmp_path / "p.html").html)
    assert [layer["title"].split("\n")[1] for layer in data["layers"]] == ["layers.2 (Linear)", "layers.0 (Linear)"]
    assert data["layers"][0]["delta_shape"] == "(5, 2)" and data["layers"][0]["weight_shape"] == "(2, 4)"
    assert "δᵀ·X" in data["layer_note"] and "sums" in data["layer_note"]
    linear = [s for s in data["steps"] if s["phase"] == "backward" and s["op"] == "linear"]
    assert [s["layer"] for s in linear] == [0, 1]


def test_after_backward_the_explorer_still_works_for_a_small_graph(tmp_path):
    before = _data(viz.explore(micrograd().L, tmp_path / "a.html").html)
    ex = micrograd()
    ex.L.backward()
    after = _data(viz.explore(ex.L, tmp_path / "b.html").html)
    assert after["steps"] == before["steps"]


def test_in_jupyter_the_explorer_displays_in_a_frame_of_its_own(tmp_path):
    explorer = viz.explore(micrograd().L)
    try:
        frame = explorer._repr_html_()
        assert frame.startswith("<iframe srcdoc=") and "&lt;script" in frame and "<script" not in frame
    finally:
        explorer.path.unlink()


# ------------------------------------------------------------------ in a browser
def _number(data: dict, phase: str, k: int) -> int:
    return next(n for n, s in enumerate(data["steps"], start=1) if s["phase"] == phase and s["k"] == k)


def test_the_page_runs_in_chromium_and_honours_step_links(tmp_path):
    ex = grounded()
    path = viz.explore(ex.J, tmp_path / "grounded.html").path
    data = _data(path.read_text(encoding="utf-8"))
    forward = sum(s["phase"] == "forward" for s in data["steps"])
    for number in (1, forward, forward + 1, len(data["steps"])):
        loaded = load(file_url(path, f"step={number}"))
        assert not loaded.console, loaded.console  # no errors, nothing logged
        assert '<pre id="errors"></pre>' in loaded.dom
        step = data["steps"][number - 1]
        assert _step_of_node(loaded.dom) == (str(number), step["node"])
        assert re.search(rf'<g id="{step["node"]}" class="node current"', loaded.dom)
        assert 'data-current-visible="yes"' in loaded.dom  # scrolled into view
        assert f"{step['phase']} {step['k']}/{step['of']}" in loaded.dom
    # a backward step inside the first layer shows that layer's δ
    linear1 = next(s for s in data["steps"] if s["phase"] == "backward" and s["name"] == "linear₁")
    dom = load(file_url(path, f"step={_number(data, 'backward', linear1['k'])}")).dom
    assert "current layer: δ(1) = δ(L−1) · layers.0 (Linear)" in dom and ag.REGISTRY["linear"].formula.vjp in dom


def test_buttons_keys_slider_and_play_move_through_the_steps(tmp_path):
    path = viz.explore(micrograd().L, tmp_path / "page.html").path
    harness = tmp_path / "harness.html"
    harness.write_text(
        f"""<!DOCTYPE html><html><body><pre id="out">pending</pre>
<iframe id="f" src="{path.name}#step=3" width="1200" height="800"></iframe>
<script>
const f = document.getElementById("f");
f.addEventListener("load", () => {{
  const d = f.contentDocument, w = f.contentWindow, out = [];
  const at = (what) => out.push(what + "=" + d.body.dataset.step);
  const key = (k) => d.dispatchEvent(new w.KeyboardEvent("keydown", {{ key: k, bubbles: true }}));
  at("start");
  d.getElementById("next").click(); at("next");
  key("ArrowRight"); at("right");
  key("ArrowLeft"); key("ArrowLeft"); at("left");
  d.getElementById("last").click(); at("last");
  d.getElementById("prev").click(); at("prev");
  d.getElementById("first").click(); at("first");
  const s = d.getElementById("slider"); s.value = "7"; s.dispatchEvent(new w.Event("input")); at("slider");
  out.push("hash=" + w.location.hash);
  d.getElementById("play").click();
  setTimeout(() => {{ at("played"); document.getElementById("out").textContent = out.join(" "); }}, 2500);
}});
</script></body></html>""",
        encoding="utf-8",
    )
    loaded = load(file_url(harness), budget_ms=6000)
    assert not loaded.console, loaded.console
    out = re.search(r'<pre id="out">(.*?)</pre>', loaded.dom).group(1)
    assert out == "start=3 next=4 right=5 left=3 last=12 prev=11 first=1 slider=7 hash=#step=7 played=9", out


@pytest.mark.parametrize(
    "name", ["<!--<script>", "</script><script>document.title='pwned'</script>", "]]> & \u2028 <b>x</b>"]
)
def test_hostile_names_are_shown_literally_and_break_nothing(tmp_path, name):
    x = ag.tensor([1.0, 2.0], requires_grad=True, name=name)
    with ag.graph_scope(name):
        y = (x * 3).sum()
    y.name = name + " out"
    page = viz.explore(y, tmp_path / "h.html")
    raw = page.html
    assert raw.count("</script>") == 2 and "<!--" not in raw.split('id="data">')[1]
    loaded = load(file_url(page.path, "step=5"))
    assert not loaded.console, loaded.console
    assert re.search(r"<title>(.*?)</title>", loaded.dom).group(1).startswith("Forward and backward pass of ")
    assert _step_of_node(loaded.dom)[0] == "5"
    assert '<pre id="table">Backward pass of' in loaded.dom  # the page after the data is all there
    visible = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\u2028", " ")
    assert visible.split(" ")[0] in loaded.dom
