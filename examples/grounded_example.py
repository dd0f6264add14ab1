"""The course notes' grounded example of feedforward and backpropagation, as pictures and a trace.

A 2-2-1 network with sigmoid activations everywhere (``nn.MLP``), input
x = (0, 1), target y = 1, neg-log-loss (``nn.BCELoss``, summed), and the
transfer matrices of the slides (rows: bias, x1, x2). The script draws the forward and backward pass with the values and
gradients of the slides, prints the step-by-step trace with the per-layer δ's,
takes the slides' SGD step with learning rate 1, and checks every number the
slides print — pointing out the two that are misprinted.

Run from the repository root:  python examples/grounded_example.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import viz  # noqa: E402

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


def slide_state(W0: np.ndarray, W1: np.ndarray) -> dict[str, np.ndarray]:
    """The slides' transfer matrices (bias row first, one column per neuron) as the MLP's state dict."""
    return {
        "layers.0.weight": W0[1:].T,
        "layers.0.bias": W0[0],
        "layers.2.weight": W1[1:].T,
        "layers.2.bias": W1[0],
    }


def to_transfer(state: dict[str, np.ndarray], layer: int) -> np.ndarray:
    """A layer back in the slides' layout: the bias row on top of Wᵀ."""
    return np.vstack([state[f"layers.{layer}.bias"][None, :], state[f"layers.{layer}.weight"].T])


def network(W0: np.ndarray, W1: np.ndarray) -> nn.MLP:
    """The slides' network, sigmoid after both layers."""
    model = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid")
    model.load_state_dict(slide_state(W0, W1))
    return model


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
    model = network(W0, W1)
    x = ag.tensor([X], name="x(0) input")
    y = ag.tensor([[TARGET]], name="y target")
    y_hat = model(x)
    y_hat.name = "ŷ"
    J = nn.BCELoss(reduction="sum")(y_hat, y)  # the notes' neg-log-loss −y·log ŷ − (1 − y)·log(1 − ŷ)
    J.name = "J"

    written = [
        viz.render(viz.draw_graph(J, mode=mode, rankdir="TB"), out / f"grounded_{mode}.png")
        for mode in ("forward", "backward", "both")
    ]
    trace = viz.trace_backward(J)
    written.append(trace.to_html(out / "grounded_trace.html", rankdir="TB"))
    print(trace)

    J.backward()
    grads = {name: p.grad.data for name, p in model.named_parameters()}
    nn.optim.SGD(model.parameters(), lr=1.0).step()  # the slides' update, ρ = 1
    with ag.no_grad():
        new_pred = model(x).item()
    new_state = model.state_dict()

    print("\nThe slides' numbers against the library's (rounded to the slides' 3 decimals):")
    checks = {
        "hidden x(1)[1+]": trace.layers[1].input,
        "output ŷ": y_hat.data,
        "δ(2) = ŷ − y": trace.delta(2),
        "δ(1)[1+]": trace.delta(1),
        "∇(1) = x(1) δ(2)ᵀ": to_transfer(grads, 2).ravel(),
        "∇(0) = x(0) δ(1)ᵀ": to_transfer(grads, 0),
        "new W(1)": to_transfer(new_state, 2).ravel(),
        "new W(0)": to_transfer(new_state, 0),
        "new prediction": np.array([new_pred]),
    }
    wrong = [name for name, value in checks.items() if not compare(name, value, SLIDE[name])]

    # What the slide's printed matrices would predict, to show they are the misprints (not 0.722).
    with ag.no_grad():
        slide_pred = network(np.array(SLIDE["new W(0)"]), np.array(SLIDE["new W(1)"])[:, None])(x).item()
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
