"""The explorer's HTML page: one self-contained file (no network), its data embedded as JSON, all text escaped.

The page shows the graph (two SVG pictures rendered by Graphviz: the forward
pass and the backward pass), a side panel for the current step, and the
controls. Every string from Python reaches the document through JSON parsed
by the script and ``textContent``, never as markup; the JSON itself is made
inert inside its ``<script>`` element (``<``, ``>``, ``&`` written as
``\\u003c`` …), so no tensor name can end the script or open a comment.
"""

from __future__ import annotations

import html
import json
from typing import Any

_STYLE = """
:root { --hl: #d62728; --grad: #c0392b; --mono: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
* { box-sizing: border-box; }
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; background: #fff; }
header { padding: .5em 1em .3em; border-bottom: 1px solid #ddd; }
h1 { font-size: 1.15em; margin: 0 0 .4em; }
.controls { display: flex; flex-wrap: wrap; gap: .35em; align-items: center; }
.controls button { font-size: .95em; min-width: 2.4em; padding: .15em .5em; cursor: pointer; }
#slider { flex: 1 1 14em; min-width: 10em; }
#counter { font-family: var(--mono); font-size: .9em; white-space: nowrap; }
#caption { margin: .45em 0 .2em; min-height: 1.4em; font-size: .95em; }
main { display: flex; height: calc(100vh - 7.4em); min-height: 22em; }
#graph { flex: 1 1 auto; overflow: auto; border-right: 1px solid #ddd; background: #fff; }
#graph svg { display: block; margin: .5em; }
#panel { flex: 0 0 31em; max-width: 48%; overflow: auto; padding: .4em .8em 1em; background: #fcfcfd; }
#panel h2 { font-size: 1em; margin: .8em 0 .3em; }
#panel h2:first-child { margin-top: .2em; }
#panel p { margin: .3em 0; font-size: .9em; }
table.data { border-collapse: collapse; width: 100%; font-family: var(--mono); font-size: .8em; }
table.data th, table.data td { text-align: left; vertical-align: top; padding: .15em .35em; border-bottom: 1px solid #e8e8e8; }
table.data td { white-space: pre; }
table.data th { font-weight: 600; color: #555; white-space: nowrap; }
table.data tr.current td { background: #fdecea; }
.grad { color: var(--grad); }
.note { color: #555; font-style: italic; font-family: Helvetica, Arial, sans-serif; white-space: normal; }
.event { color: #7c2d12; }
.formula { font-family: var(--mono); font-size: .85em; background: #f3f4f6; padding: .1em .3em; border-radius: 3px; }
g.pending { opacity: .22; }
g.node.current polygon, g.node.current path, g.node.current ellipse { stroke: var(--hl); stroke-width: 3px; }
g.node.current text { font-weight: bold; }
details { margin: .4em 1em 1em; }
details pre { font-family: var(--mono); font-size: .78em; overflow-x: auto; background: #f7f7f7; padding: .8em; }
#errors { color: #b91c1c; margin: 0 1em; }
#errors:empty { display: none; }
"""

_SCRIPT = r"""
"use strict";
(function () {
  const errors = document.getElementById("errors");
  window.addEventListener("error", (e) => { errors.textContent += "error: " + e.message + "\n"; });
  const data = JSON.parse(document.getElementById("data").textContent);
  const steps = data.steps;
  const graph = document.getElementById("graph");
  const panel = document.getElementById("panel");
  const slider = document.getElementById("slider");
  const playButton = document.getElementById("play");
  const parser = new DOMParser();
  const pictures = {};
  for (const phase of ["forward", "backward"]) {
    const doc = parser.parseFromString(data.svg[phase], "image/svg+xml");
    const svg = document.importNode(doc.documentElement, true);
    const owned = [];  // [element, id of the tensor it belongs to]
    for (const g of svg.querySelectorAll("g[id]")) {
      const m = /^(?:t|op|c|e)(\d+)/.exec(g.id);
      if (m) owned.push([g, "t" + m[1]]);
    }
    pictures[phase] = { svg: svg, owned: owned };
  }
  document.getElementById("table").textContent = data.table;
  let current = 0;
  let timer = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function lines(v) { return Array.isArray(v) ? v.join("\n") : (v === null || v === undefined ? "" : String(v)); }
  function dataTable(header, rows, currentRow) {
    const t = el("table", null, "data");
    if (header) {
      const tr = el("tr");
      for (const h of header) tr.appendChild(el("th", h));
      t.appendChild(tr);
    }
    rows.forEach((row, i) => {
      const tr = el("tr", null, i === currentRow ? "current" : null);
      row.forEach((cell, j) => {
        const td = el(j === 0 && !header ? "th" : "td", lines(cell && cell.text !== undefined ? cell.text : cell));
        if (cell && cell.cls) td.className = cell.cls;
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    return t;
  }

  function showPicture(step) {
    const picture = pictures[step.phase];
    if (graph.firstChild !== picture.svg) graph.replaceChildren(picture.svg);
    const order = data.order[step.phase];
    let target = null;
    for (const [g, owner] of picture.owned) {
      const n = order[owner] || 0;
      g.classList.toggle("pending", n > step.k);
      const isCurrent = owner === step.node && n === step.k;
      g.classList.toggle("current", isCurrent && g.classList.contains("node"));
      if (isCurrent && g.id === step.node) target = g;
    }
    graph.dataset.current = step.node;
    if (target) {
      const r = target.getBoundingClientRect(), c = graph.getBoundingClientRect();
      graph.scrollLeft += (r.left + r.width / 2) - (c.left + c.width / 2);
      graph.scrollTop += (r.top + r.height / 2) - (c.top + c.height / 2);
      const v = target.getBoundingClientRect(), w = graph.getBoundingClientRect();
      const inside = v.left >= w.left - 1 && v.right <= w.right + 1 && v.top >= w.top - 1 && v.bottom <= w.bottom + 1;
      graph.dataset.currentVisible = inside ? "yes" : "no";
    }
  }

  function showPanel(step) {
    panel.replaceChildren();
    const head = el("h2", step.title);
    panel.appendChild(head);
    panel.appendChild(el("p", step.about, "note"));
    const facts = [["node", step.name], ["kind", step.kind], ["shape", step.shape]];
    if (step.op) {
      facts.push(["op", step.op + (step.params ? "  (" + step.params + ")" : "")]);
      facts.push(["forward", step.forward]);
      if (step.vjp) facts.push(["VJP rule", step.vjp]);
    }
    panel.appendChild(dataTable(null, facts));
    if (step.inputs && step.inputs.length) {
      panel.appendChild(el("h2", "inputs"));
      panel.appendChild(dataTable(["", "input", "value"], step.inputs.map((x) => [x.symbol, x.name, x.value])));
    }
    panel.appendChild(el("h2", "output value"));
    panel.appendChild(dataTable(null, [[step.name, step.value]]));
    if (step.phase === "backward") {
      panel.appendChild(el("h2", step.leaf ? "its gradient (final)" : "incoming gradient ȳ = ∂" + data.root + "/∂" + step.name));
      panel.appendChild(dataTable(null, [[step.leaf ? step.name + ".grad" : "ȳ", { text: step.incoming, cls: "grad" }]]));
      if (step.hooked) panel.appendChild(el("p", step.hooked, "event"));
      if (step.sends.length) {
        panel.appendChild(el("h2", "gradients sent to the inputs"));
        const rows = [];
        for (const s of step.sends) {
          rows.push([s.symbol, s.target, { text: s.grad, cls: "grad" }]);
          if (s.unbroadcast) rows.push(["", "", { text: "↳ un-broadcast: " + s.unbroadcast, cls: "event" }]);
          if (s.accumulation) rows.push(["", "", { text: "↳ accumulation: " + s.accumulation, cls: "event" }]);
        }
        panel.appendChild(dataTable(["", "to", "gradient"], rows));
      }
    }
    if (data.layers.length) {
      panel.appendChild(el("h2", "per-layer δ (fully connected layers)"));
      panel.appendChild(el("p", data.layer_note, "note"));
      const known = (layer) => step.phase === "backward" && step.k >= layer.step;
      const rows = data.layers.map((layer) => [layer.title, "δ " + layer.delta_shape, known(layer) ? "known" : "not reached yet"]);
      panel.appendChild(dataTable(["layer", "shape", "at this step"], rows, step.layer));
      if (step.layer !== null && step.layer !== undefined) {
        const layer = data.layers[step.layer];
        panel.appendChild(el("h2", "current layer: " + layer.title.replace("\n", " · ")));
        const reached = known(layer);
        panel.appendChild(dataTable(null, [
          ["input X " + layer.input_shape, layer.input],
          ["δ = ∂L/∂Y " + layer.delta_shape, reached ? { text: layer.delta, cls: "grad" } : "not reached yet"],
          ["∂L/∂W = δᵀ·X " + layer.weight_shape, reached ? { text: layer.weight_grad, cls: "grad" } : "not reached yet"],
          ["∂L/∂b = Σ δ", reached ? { text: layer.bias_grad, cls: "grad" } : "not reached yet"],
        ]));
      }
    }
  }

  function show(n) {
    n = Math.min(Math.max(Math.round(Number(n)) || 1, 1), steps.length);
    current = n;
    const step = steps[n - 1];
    slider.value = String(n);
    document.getElementById("counter").textContent =
      "step " + n + " of " + steps.length + " · " + step.phase + " " + step.k + "/" + step.of;
    document.getElementById("caption").textContent = step.caption;
    document.body.dataset.step = String(n);
    document.body.dataset.phase = step.phase;
    showPicture(step);
    showPanel(step);
    try { history.replaceState(null, "", "#step=" + n); } catch (e) { /* a page without a URL (srcdoc) */ }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "▶ play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current >= steps.length) show(1);
    playButton.textContent = "❚❚ pause";
    timer = setInterval(() => { if (current >= steps.length) stop(); else show(current + 1); }, 1200);
  }
  function fromHash() {
    const m = /step=(\d+)/.exec(location.hash || "");
    return m ? Number(m[1]) : null;
  }
  slider.addEventListener("input", () => { stop(); show(slider.value); });
  document.getElementById("first").addEventListener("click", () => { stop(); show(1); });
  document.getElementById("prev").addEventListener("click", () => { stop(); show(current - 1); });
  document.getElementById("next").addEventListener("click", () => { stop(); show(current + 1); });
  document.getElementById("last").addEventListener("click", () => { stop(); show(steps.length); });
  playButton.addEventListener("click", play);
  document.addEventListener("keydown", (e) => {
    if (e.target && e.target.tagName === "INPUT" && e.target.type !== "range") return;
    if (e.key === "ArrowLeft") { stop(); show(current - 1); e.preventDefault(); }
    else if (e.key === "ArrowRight") { stop(); show(current + 1); e.preventDefault(); }
    else if (e.key === "Home") { stop(); show(1); e.preventDefault(); }
    else if (e.key === "End") { stop(); show(steps.length); e.preventDefault(); }
    else if (e.key === " ") { play(); e.preventDefault(); }
  });
  window.addEventListener("hashchange", () => { const n = fromHash(); if (n !== null && n !== current) show(n); });
  show(fromHash() || data.start);
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="controls">
<button id="first" type="button" title="first step (Home)" aria-label="first step">|◀</button>
<button id="prev" type="button" title="previous step (←)" aria-label="previous step">◀</button>
<button id="play" type="button" title="play or pause (space)" aria-label="play or pause">▶ play</button>
<button id="next" type="button" title="next step (→)" aria-label="next step">▶</button>
<button id="last" type="button" title="last step (End)" aria-label="last step">▶|</button>
<input type="range" id="slider" min="1" max="{count}" value="1" aria-label="step">
<span id="counter"></span>
</div>
<p id="caption"></p>
</header>
<main>
<div id="graph" role="img" aria-label="the graph of the computation, the current node highlighted"></div>
<aside id="panel" aria-live="polite"></aside>
</main>
<details><summary>the backward pass as a table (the steps numbered as in the explorer)</summary><pre id="table"></pre></details>
<pre id="errors"></pre>
<script type="application/json" id="data">{data}</script>
<script>{script}</script>
</body>
</html>
"""


def inert_json(value: Any) -> str:
    """JSON that cannot end or change the ``<script>`` element it sits in (``<``, ``>``, ``&`` and line separators escaped)."""
    text = json.dumps(value, ensure_ascii=False)
    for ch, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, escaped)
    return text


def page(title: str, data: dict[str, Any]) -> str:
    """The whole page for ``data`` (see ``viz.explorer``)."""
    return _PAGE.format(
        title=html.escape(title),
        style=_STYLE,
        count=len(data["steps"]),
        data=inert_json(data),
        script=_SCRIPT,
    )
