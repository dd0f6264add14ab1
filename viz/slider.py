"""A self-contained HTML page that steps through pictures with a slider (no server, no extra packages)."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
 body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}
 .controls {{ display: flex; gap: .6em; align-items: center; margin: .6em 0; }}
 input[type=range] {{ width: 28em; }}
 #caption {{ font-size: 1.05em; margin: .4em 0 .8em; min-height: 2.6em; }}
 #frame {{ max-width: 100%; border: 1px solid #ddd; }}
 details pre {{ font-size: .85em; background: #f7f7f7; padding: 1em; overflow-x: auto; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="controls">
 <button id="prev" aria-label="previous step">◀</button>
 <input type="range" id="step" min="1" max="{count}" value="1" aria-label="step">
 <button id="next" aria-label="next step">▶</button>
 <span id="counter"></span>
</div>
<div id="caption"></div>
<img id="frame" alt="graph at the current step">
<details><summary>the whole trace as a table</summary><pre>{table}</pre></details>
<script>
const frames = {frames};
const captions = {captions};
const slider = document.getElementById("step");
function show(k) {{
  k = Math.min(Math.max(k, 1), frames.length);
  slider.value = k;
  document.getElementById("frame").src = "data:image/svg+xml;base64," + frames[k - 1];
  document.getElementById("caption").textContent = captions[k - 1];
  document.getElementById("counter").textContent = "step " + k + " of " + frames.length;
}}
slider.addEventListener("input", () => show(Number(slider.value)));
document.getElementById("prev").addEventListener("click", () => show(Number(slider.value) - 1));
document.getElementById("next").addEventListener("click", () => show(Number(slider.value) + 1));
document.addEventListener("keydown", e => {{
  if (e.key === "ArrowLeft") show(Number(slider.value) - 1);
  if (e.key === "ArrowRight") show(Number(slider.value) + 1);
}});
show(1);
</script>
</body>
</html>
"""


def _script_json(value: object) -> str:
    # JSON inside <script>: "</" must not appear, or the browser would end the script there.
    return json.dumps(value).replace("</", "<\\/")


def slider_page(title: str, svgs: Sequence[bytes], captions: Sequence[str], table: str) -> str:
    """The page: ``svgs`` shown one at a time with their ``captions``, and ``table`` at the bottom."""
    frames = [base64.b64encode(svg).decode("ascii") for svg in svgs]
    return _PAGE.format(
        title=html.escape(title),
        count=len(frames),
        table=html.escape(table),
        frames=_script_json(frames),
        captions=_script_json(list(captions)),
    )
