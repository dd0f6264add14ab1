"""Record per-layer gradient norms over training, for ``plots.plot_gradient_norms``."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag


def weight_gradient_norms(model: Any) -> dict[str, float]:
    """‖∂L/∂W‖ of each weight matrix of ``model`` (after ``backward()``), in layer order.

    Reads ``named_parameters()``; parameters named ``…weight`` are used when
    there are any, otherwise every parameter with two or more axes. A
    parameter without a gradient counts as 0.

    >>> layer = nn.Linear(2, 1, rng=0)
    >>> layer(ag.tensor([[3.0, 4.0]])).sum().backward()  # ∂L/∂W = x
    >>> viz.plots.weight_gradient_norms(layer)
    {'weight': 5.0}
    """
    named = list(model.named_parameters())
    weights = [(n, p) for n, p in named if n.split(".")[-1] == "weight"] or [(n, p) for n, p in named if p.ndim >= 2]
    return {
        n: 0.0 if p.grad is None else ag.backend.host_float(np.linalg.norm(np.ravel(p.grad.data))) for n, p in weights
    }


class GradientNormHistory:
    """Per-layer weight-gradient norms, one value per epoch (as an ``nn.fit`` callback) or per ``record`` call.

    ``history`` maps each weight's name to its norms, so
    ``plots.plot_gradient_norms(recorder)`` draws one line per layer. As a
    callback it reads the gradients left by the last batch of each epoch:

    >>> X, y = nn.data.make_moons(64, rng=0)
    >>> model = nn.MLP([2, 8, 8, 2], activation="sigmoid", rng=0)
    >>> norms = viz.GradientNormHistory()
    >>> _ = nn.fit(model, nn.CrossEntropyLoss(), nn.optim.SGD(model.parameters(), lr=0.1),
    ...            nn.data.DataLoader(X, y, rng=0), epochs=3, callbacks=[norms], progress=False)
    >>> {name: len(values) for name, values in norms.history.items()}
    {'layers.0.weight': 3, 'layers.2.weight': 3, 'layers.4.weight': 3}
    >>> figure = viz.plots.plot_gradient_norms(norms, "norms.png")

    In a hand-written loop, call ``record(model)`` after ``backward()``.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.model: Any = None

    def record(self, model: Any) -> None:
        """Append the current gradient norm of each of ``model``'s weights."""
        for name, norm in weight_gradient_norms(model).items():
            self.history.setdefault(name, []).append(norm)

    def on_train_begin(self, model: Any, optimizer: Any) -> None:
        """``nn.fit`` hook: remember the model."""
        self.model = model

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        """``nn.fit`` hook: record the norms of the epoch's last batch; never stops training."""
        self.record(self.model)
        return False

    def on_train_end(self) -> None:
        """``nn.fit`` hook: nothing to finish."""
