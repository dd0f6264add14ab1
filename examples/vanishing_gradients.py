"""Vanishing gradients: per-layer gradient norms of a 10-layer sigmoid MLP against a ReLU one.

Ten Linear layers (nine hidden layers of 32 units), trained on the moons data.

The notes' argument: backpropagation multiplies the gradient by the
activation's derivative once per layer, and σ′ ≤ 1/4, so in a deep sigmoid
network the gradient shrinks by about 4× per layer on its way to the input
and the first layers barely learn. ReLU's derivative is 1 wherever the unit
is active, so with He initialisation the gradient keeps its size. Each
network gets the initialisation meant for its activation (Xavier for
sigmoid, He for ReLU), so the difference comes from the activation alone.

Run from the repository root:  python examples/vanishing_gradients.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import viz  # noqa: E402
from viz import plots  # noqa: E402

HIDDEN = [32] * 9  # with the output layer: ten Linear layers
EPOCHS = 30


def make_network(activation: str, seed: int = 0) -> nn.MLP:
    """A 2-32-…-32-1 MLP of ten Linear layers with the initialisation suited to ``activation``."""
    rng = np.random.default_rng(seed)
    model = nn.MLP([2, *HIDDEN, 1], activation=activation, rng=rng)
    for name, p in model.named_parameters():
        if name.endswith("weight"):
            if activation == "relu":
                nn.init.kaiming_normal_(p, nonlinearity="relu", rng=rng)
            else:
                nn.init.xavier_normal_(p, rng=rng)
        else:
            nn.init.zeros_(p)
    return model


def main(out: Path) -> None:
    X, y = nn.data.make_moons(256, noise=0.1, rng=0)
    X = nn.data.StandardScaler().fit_transform(X)
    targets = y[:, None].astype(np.float64)
    loss_fn = nn.BCEWithLogitsLoss()
    models = {"sigmoid (Xavier init)": make_network("sigmoid"), "ReLU (He init)": make_network("relu")}

    # 1. One backward pass at initialisation: the gradient reaching each layer.
    print("‖∂L/∂W‖ per layer at initialisation (layer 1 is next to the input):")
    print(f"  {'layer':<20}" + "".join(f"{label:>24}" for label in models))
    norms = {}
    for label, model in models.items():
        loss_fn(model(ag.tensor(X)), ag.tensor(targets)).backward()
        norms[label] = plots.weight_gradient_norms(model)
    for k, name in enumerate(norms[next(iter(models))]):
        print(f"  {k + 1:<3} {name:<16}" + "".join(f"{norms[label][name]:>24.2e}" for label in models))
    for label, values in norms.items():
        v = list(values.values())
        print(
            f"  {label}: last layer / first layer = {v[-1] / v[0]:.1e}, about ×{(v[-1] / v[0]) ** (1 / (len(v) - 1)):.2f} per layer"
        )
    written = [out / "gradient_norms_at_init.png"]
    plots.plot_gradient_norms(models, written[-1], title="‖∂L/∂W‖ per layer at initialisation")

    # 2. The backward pass of the sigmoid network on a few points, coloured by gradient health:
    #    the layers near the input are the blue (vanishing) ones.
    sigmoid_net = make_network("sigmoid")
    loss = loss_fn(sigmoid_net(ag.tensor(X[:4])), ag.tensor(targets[:4]))
    loss.name = "loss"
    written.append(
        viz.render(viz.draw_graph(loss, mode="backward", rankdir="TB", max_elements=4), out / "sigmoid_backward.png")
    )

    # 3. Training both: the norms over the epochs, and what they do to the loss.
    histories = {}
    for label, model in models.items():
        recorder = viz.GradientNormHistory()
        loader = nn.data.DataLoader(X, targets, batch_size=32, rng=np.random.default_rng(1))
        opt = nn.optim.SGD(model.parameters(), lr=0.02)
        history = nn.fit(
            model,
            loss_fn,
            opt,
            loader,
            epochs=EPOCHS,
            callbacks=[recorder],
            metrics=("loss", "accuracy"),
            progress=False,
        )
        histories[label] = history
        written.append(out / f"gradient_norms_training_{label.split()[0].lower()}.png")
        plots.plot_gradient_norms(recorder, written[-1], title=f"{label}: ‖∂L/∂W‖ per layer during training")
        print(
            f"{label}: loss {history['loss'][0]:.3f} → {history['loss'][-1]:.3f}, accuracy {history['accuracy'][-1]:.2f} after {EPOCHS} epochs"
        )
    combined = {
        f"{label} {key}": values for label, h in histories.items() for key, values in h.history.items() if key != "lr"
    }
    written.append(out / "training_sigmoid_vs_relu.png")
    plots.plot_history(combined, written[-1], title="ten layers deep: sigmoid vs ReLU")

    print("\nwrote:")
    for path in written:
        print(f"  {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out") / "vanishing_gradients")
