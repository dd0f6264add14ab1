"""The course notes' grounded example of feedforward and backpropagation, as pictures and a trace.

A 2-2-1 network with sigmoid activations everywhere, input x = (0, 1), target
y = 1, neg-log-loss, and the transfer matrices of the slides (rows: bias, x1,
x2). The script draws the forward and backward pass with the values and
gradients of the slides, prints the step-by-step trace with the per-layer δ's,
takes the slides' SGD step with learning rate 1, and checks every number the
slides print — pointing out the two that are misprinted.

Run from the repository root:  python examples/grounded_example.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import autograd_core as ag
import viz

# The slides' transfer matrices: W(0) is 3×2 and W(1) is 3×1, first row the bias weights.
W0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])
W1 = np.array([[-0.3], [0.5], [0.1]])
X = np.array([0.0, 1.0])
TARGET = 1.0

# What the slides print.
SLIDE = {
    "hidden x(1)[1+]": [0.550, 0.711],
    "output ŷ": [0.512],
    "δ(2) = ŷ − y": [-0.488],
    "δ(1)[1+]": [-0.060, -0.010],
    "∇(1) = x(1) δ(2)ᵀ": [-0.488, -0.269, -0.347],
    "∇(0) = x(0) δ(1)ᵀ": [[-0.060, -0.010], [-0.000, -0.000], [-0.060, -0.010]],
    "new W(1)": [0.188, 0.769, -0.447],
    "new W(0)": [[0.460, 0.610], [0.700, -0.400], [0.460, 0.610]],
    "new prediction": [0.722],
}


def layer_params(W: np.ndarray, layer: int) -> tuple[ag.Tensor, ag.Tensor]:
    """A slide transfer matrix (bias row first, one column per neuron) as a Linear layer's weight (out, in) and bias."""
    weight = ag.tensor(W[1:].T, requires_grad=True, name=f"layers.{layer}.weight")
    bias = ag.tensor(W[0], requires_grad=True, name=f"layers.{layer}.bias")
    return weight, bias


def to_transfer(weight: ag.Tensor, bias: ag.Tensor) -> np.ndarray:
    """Back to the slides' layout: the bias row on top of Wᵀ."""
    return np.vstack([bias.data[None, :], weight.data.T])


def forward(params: list[ag.Tensor], x: ag.Tensor) -> dict[str, ag.Tensor]:
    """The network, each layer recorded under the scope name an ``nn`` module would give it."""
    w0, b0, w1, b1 = params
    with ag.graph_scope("MLP"):
        with ag.graph_scope("layers.0 (Linear)"):
            z1 = ag.linear(x, w0, b0)
        with ag.graph_scope("layers.1 (Sigmoid)"):
            h = ag.sigmoid(z1)
        with ag.graph_scope("layers.2 (Linear)"):
            z2 = ag.linear(h, w1, b1)
        with ag.graph_scope("layers.3 (Sigmoid)"):
            y_hat = ag.sigmoid(z2)
    h.name, y_hat.name = "x(1) hidden", "ŷ"
    return {"hidden": h, "y_hat": y_hat}


def neg_log_loss(y_hat: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
    """J = −y·log ŷ − (1 − y)·log(1 − ŷ), as the notes write it."""
    with ag.graph_scope("neg-log-loss"):
        J = -(y * ag.log(y_hat) + (1 - y) * ag.log(1 - y_hat)).sum()
    J.name = "J"
    return J


def fmt(a: np.ndarray) -> str:
    """Numbers the way the slides print them: three decimals, rows separated by semicolons."""
    a = np.atleast_1d(np.asarray(a, dtype=float))
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.3f}" for v in a) + "]"
    return "[" + "; ".join(", ".join(f"{v:.3f}" for v in row) for row in a) + "]"


def compare(name: str, computed: np.ndarray, printed: list) -> bool:
    """Print the slide's value beside the computed one; True when they agree to the slide's precision."""
    ok = np.allclose(np.round(computed, 3), printed, atol=1.5e-3)
    print(f"  {name:<18} slide {fmt(printed):<50} computed {fmt(computed):<50} {'ok' if ok else 'MISPRINT'}")
    return ok


def main(out: Path) -> None:
    params = [*layer_params(W0, 0), *layer_params(W1, 2)]
    x = ag.tensor(X, name="x(0) input")
    y = ag.tensor([TARGET], name="y target")
    net = forward(params, x)
    J = neg_log_loss(net["y_hat"], y)

    written = [
        viz.render(viz.draw_graph(J, mode=mode, rankdir="TB"), out / f"grounded_{mode}.png")
        for mode in ("forward", "backward", "both")
    ]
    trace = viz.trace_backward(J)
    written.append(trace.to_html(out / "grounded_trace.html", rankdir="TB"))
    print(trace)

    J.backward()
    w0, b0, w1, b1 = params
    grad0 = np.vstack([b0.grad.data[None, :], w0.grad.data.T])  # ∇(0) in the slides' layout
    grad1 = np.concatenate([b1.grad.data, w1.grad.data[0]])  # ∇(1)
    with ag.no_grad():
        for p in params:  # the slides' SGD step, learning rate ρ = 1
            p.data -= 1.0 * p.grad.data
        new_pred = forward(params, x)["y_hat"].item()

    print("\nThe slides' numbers against the library's (rounded to the slides' 3 decimals):")
    checks = {
        "hidden x(1)[1+]": net["hidden"].data,
        "output ŷ": net["y_hat"].data,
        "δ(2) = ŷ − y": trace.delta(2),
        "δ(1)[1+]": trace.delta(1),
        "∇(1) = x(1) δ(2)ᵀ": grad1,
        "∇(0) = x(0) δ(1)ᵀ": grad0,
        "new W(1)": to_transfer(w1, b1).ravel(),
        "new W(0)": to_transfer(w0, b0),
        "new prediction": np.array([new_pred]),
    }
    wrong = [name for name, value in checks.items() if not compare(name, value, SLIDE[name])]

    # What the slide's printed matrices would predict, to show they are the misprints (not 0.722).
    slide_params = [
        *layer_params(np.array(SLIDE["new W(0)"]), 0),
        *layer_params(np.array(SLIDE["new W(1)"])[:, None], 2),
    ]
    with ag.no_grad():
        slide_pred = forward(slide_params, x)["y_hat"].item()
    print(f"\nThe slide's misprints ({', '.join(wrong)}):")
    print(
        "  new W(1): the last entry is printed −0.447, but 0.1 − (−0.347) = +0.447 (the sign is wrong).\n"
        "  new W(0): the last row is printed [0.460, 0.610] (a copy of the first row), but [−0.2, 0.3] − [−0.060, −0.010]\n"
        "            = [−0.140, 0.310]."
    )
    print(
        f"  With the correct weights the new prediction is {new_pred:.3f}, matching the slide; the matrices as printed\n"
        f"  would give {slide_pred:.3f}, so the printed matrices are the typos, not the prediction."
    )
    print("\nwrote:")
    for path in written:
        print(f"  {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out") / "grounded_example")
