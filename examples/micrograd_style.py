"""The classic scalar expression L = tanh(a·b + c), drawn forward and backward, with its backprop trace and explorer.

Run from the repository root:  python examples/micrograd_style.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import autograd_core as ag  # noqa: E402
import viz  # noqa: E402


def build() -> dict[str, ag.Tensor]:
    """L = tanh(a·b + c) with every tensor named, chosen so that L = tanh(0.8814) = 1/√2."""
    a = ag.tensor(2.0, requires_grad=True, name="a")
    b = ag.tensor(-3.0, requires_grad=True, name="b")
    c = ag.tensor(6.8813735870195432, requires_grad=True, name="c")
    e = a * b
    e.name = "e"
    d = e + c
    d.name = "d"
    L = d.tanh()
    L.name = "L"
    return {"a": a, "b": b, "c": c, "e": e, "d": d, "L": L}


def main(out: Path) -> None:
    t = build()
    L = t["L"]
    written = [
        viz.render(viz.draw_graph(L, mode=mode), out / f"micrograd_{mode}.png")
        for mode in ("forward", "backward", "both")
    ]
    trace = viz.trace_backward(L)
    print(trace)
    written.append(trace.to_html(out / "micrograd_trace.html"))

    # The trace replayed the pass without touching .grad; the real backward gives the same numbers,
    # and the graph it released can still be drawn (micrograd's draw_dot) and explored.
    L.backward()
    written.append(viz.render(viz.draw_graph(L, mode="both"), out / "micrograd_after_backward.png"))
    written.append(viz.explore(L, out / "micrograd_explorer.html").path)
    print()
    for name in "abc":
        print(f"∂L/∂{name} = {t[name].grad.item():+.4f}   (trace: {float(trace.grad(t[name])):+.4f})")
    print("\nwrote:")
    for path in written:
        print(f"  {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out") / "micrograd_style")
