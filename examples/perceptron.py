"""The perceptron of the notes: the go-swimming decision, the learning rule on AND and OR, and XOR.

Notes 002 define the perceptron ŷ = φ(w·x + b) with φ = 1 if w·x + b ≥ 0,
else 0, and the "go swimming?" example; notes 004 say Rosenblatt's
perceptron handles linearly separable cases only ("it cannot even do XOR")
and that layers of perceptrons can. This script shows all of it with
``nn.Perceptron`` and its rule w ← w + η·(y − ŷ)·x, b ← b + η·(y − ŷ):

1. the go-swimming perceptron decides 1;
2. the rule reaches zero mistakes on AND and OR within a few epochs;
3. on XOR it never does: no line separates (0, 1) and (1, 0) from (0, 0)
   and (1, 1);
4. a hidden layer fixes that: XOR = AND(OR, NAND), a 2-2-1 network of step
   units, each trained by the rule on its own (separable) target. The rule
   needs those hidden targets handed to it; the step's zero derivative means
   backpropagation cannot find them, which is why the hidden units of an MLP
   are smooth (sigmoid, tanh): a 2-4-1 tanh network trained by gradient
   descent finds XOR by itself.

Run from the repository root:  python examples/perceptron.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {"AND": np.array([0, 0, 0, 1.0]), "OR": np.array([0, 1, 1, 1.0]), "XOR": np.array([0, 1, 1, 0.0])}
NAND = np.array([1, 1, 1, 0.0])


def go_swimming() -> float:
    """Notes 002: water warm (x1 = 1), beach not empty (x2 = 0), no recent shark attack (x3 = 1)."""
    p = nn.Perceptron(3)
    p.load_state_dict({"linear.weight": [[4.0, 2.0, 4.0]], "linear.bias": [-3.0]})
    decision = float(p.predict([[1.0, 0.0, 1.0]])[0])
    print("1. Go swimming?  w·x + b = 4·1 + 2·0 + 4·1 − 3 = 5 ≥ 0, so φ = 1:", "yes" if decision == 1 else "no")
    return decision


def train_gates(epochs: int = 30) -> dict[str, list[int]]:
    """The perceptron rule (η = 1, from w = 0) on AND, OR and XOR; the mistakes in each epoch."""
    errors = {}
    print("\n2-3. The perceptron rule w ← w + η(y − ŷ)x, b ← b + η(y − ŷ), η = 1, from w = 0:")
    for gate, y in GATES.items():
        p = nn.Perceptron(2)
        errors[gate] = p.fit(X, y, lr=1.0, epochs=epochs)
        w, b = p.linear.weight.data[0], p.linear.bias.item()
        verdict = (
            f"zero mistakes after epoch {len(errors[gate])}"
            if errors[gate][-1] == 0
            else f"still {errors[gate][-1]} mistakes per epoch after {epochs} epochs (never 0)"
        )
        print(
            f"  {gate:<3}: mistakes per epoch {errors[gate][:8]}{' …' if len(errors[gate]) > 8 else ''}; {verdict}; "
            f"w = {w.tolist()}, b = {b:g}, predictions {p.predict(X).astype(int).tolist()} (targets {y.astype(int).tolist()})"
        )
    print(
        "  XOR is not linearly separable: w·x + b ≥ 0 at (0, 1) and (1, 0) adds up to w1 + w2 + 2b ≥ 0, while\n"
        "  w·x + b < 0 at (0, 0) and (1, 1) adds up to w1 + w2 + 2b < 0: no single perceptron can do it."
    )
    return errors


def two_layer_xor() -> tuple[np.ndarray, list[int]]:
    """XOR = AND(OR(x), NAND(x)): two hidden step units and a step output, each trained by the rule."""
    h_or, h_nand, out = nn.Perceptron(2), nn.Perceptron(2), nn.Perceptron(2)
    h_or.fit(X, GATES["OR"])
    h_nand.fit(X, NAND)
    hidden = np.stack([h_or.predict(X), h_nand.predict(X)], axis=1)
    errors = out.fit(hidden, GATES["XOR"])
    network = _as_network(h_or, h_nand, out)
    predictions = network(ag.tensor(X)).data[:, 0]
    print(
        "\n4. A hidden layer: h1 = OR(x), h2 = NAND(x), then ŷ = AND(h1, h2), each unit trained by the rule on its own\n"
        f"   target: hidden outputs {hidden.astype(int).tolist()}, output unit's mistakes per epoch {errors},\n"
        f"   the 2-2-1 step network predicts {predictions.astype(int).tolist()} for XOR {GATES['XOR'].astype(int).tolist()}."
    )
    return predictions, errors


def _as_network(h_or: nn.Perceptron, h_nand: nn.Perceptron, out: nn.Perceptron) -> nn.Sequential:
    """The three trained units as one Linear(2, 2) → Step → Linear(2, 1) → Step model."""
    hidden = nn.Linear(2, 2, rng=0)
    hidden.load_state_dict(
        {
            "weight": np.vstack([h_or.linear.weight.data, h_nand.linear.weight.data]),
            "bias": np.concatenate([h_or.linear.bias.data, h_nand.linear.bias.data]),
        }
    )
    return nn.Sequential(hidden, nn.Step(), out.linear, nn.Step())


def step_network_gradient(network: nn.Sequential) -> float:
    """The largest gradient entry of the MSE of a step network with respect to its weights: exactly 0."""
    loss = nn.MSELoss()(network(ag.tensor(X)), GATES["XOR"][:, None])
    network.zero_grad()
    loss.backward()
    return max(float(np.max(np.abs(p.grad.data))) for p in network.parameters())


def backprop_xor(steps: int = 300) -> np.ndarray:
    """A 2-4-1 tanh network trained by gradient descent (Adam) finds XOR's hidden features itself."""
    model = nn.MLP([2, 4, 1], activation="tanh", rng=1)
    opt = nn.optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.BCEWithLogitsLoss()
    inputs, targets = ag.tensor(X), GATES["XOR"][:, None]
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(inputs), targets).backward()
        opt.step()
    with ag.no_grad():
        return (model(inputs).data[:, 0] > 0).astype(float)


def plot_errors(errors: dict[str, list[int]], path: Path) -> Path | None:
    """Mistakes per epoch for each gate (needs matplotlib)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    fig = Figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    for gate, counts in errors.items():
        ax.plot(range(1, len(counts) + 1), counts, marker="o", markersize=3, label=gate)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mistakes in the epoch")
    ax.set_title("the perceptron rule: AND and OR converge, XOR never does")
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def main(out: Path | None = None) -> dict[str, Any]:
    decision = go_swimming()
    errors = train_gates()
    predictions, _ = two_layer_xor()
    network = _as_network(*(nn.Perceptron(2) for _ in range(3)))
    gradient = step_network_gradient(network)
    learned = backprop_xor()
    print(
        f"   Backpropagation cannot find such hidden units for steps: the loss gradient of a step network is\n"
        f"   {gradient:g} for every weight (φ′ = 0). With tanh hidden units a 2-4-1 network trained by gradient\n"
        f"   descent predicts {learned.astype(int).tolist()}: the notes' reason for hidden layers of smooth units."
    )
    written = plot_errors(errors, (out or Path("out") / "perceptron") / "perceptron_errors.png")
    if written is not None:
        print(f"\nwrote: {written}")
    return {
        "go_swimming": decision,
        "errors": errors,
        "two_layer_xor": predictions,
        "step_gradient": gradient,
        "backprop_xor": learned,
    }


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
