"""Train an MLP on the two-moons toy problem with ``nn.fit``: the course's whole training recipe in one place.

Standardised inputs, mini-batches of 32, Adam with a cosine learning-rate
schedule, a validation set watched by early stopping (the notes' patience),
a progress bar, and a final score on a held-out test set.

    python examples/train_moons.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nn  # noqa: E402
from nn.data import DataLoader, StandardScaler, make_moons, train_test_split  # noqa: E402


class MoonsRun(NamedTuple):
    """What ``train_moons`` returns: the model, its history, and the standardised held-out test set."""

    model: nn.MLP
    history: nn.History
    test_accuracy: float
    X_test: np.ndarray
    y_test: np.ndarray


def train_moons(epochs: int = 100, progress: bool = True, seed: int = 0) -> MoonsRun:
    """Fit a 2-32-32-2 ReLU MLP to 600 noisy moon points; returns the run (model, history, test accuracy, test set)."""
    nn.manual_seed(seed)
    X, y = make_moons(600, noise=0.1)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.2)
    scaler = StandardScaler().fit(X_train)  # μ and σ from the training data only
    X_train, X_val, X_test = scaler.transform(X_train), scaler.transform(X_val), scaler.transform(X_test)

    model = nn.MLP([2, 32, 32, 2], activation="relu")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    callbacks = [
        nn.EarlyStopping(patience=15),
        nn.LRSchedulerCallback(nn.optim.CosineAnnealingLR(optimizer, T_max=epochs)),
    ]
    history = nn.fit(
        model, loss_fn, optimizer, DataLoader(X_train, y_train, batch_size=32), epochs,
        val_loader=DataLoader(X_val, y_val, batch_size=None, shuffle=False),
        callbacks=callbacks, metrics=["accuracy"], progress=progress,
    )  # fmt: skip
    test = nn.evaluate(model, loss_fn, DataLoader(X_test, y_test, batch_size=None, shuffle=False), ["accuracy"])
    return MoonsRun(model, history, test["accuracy"], X_test, y_test)


def main() -> None:
    model, history, test_accuracy, _, _ = train_moons()
    print(model)
    nn.summary(model, (2,))
    stopped = "" if history.stopped_epoch is None else f" (early stopping after epoch {history.stopped_epoch + 1})"
    print(f"trained {len(history.epochs)} epochs{stopped}")
    print(f"final train loss {history['loss'][-1]:.4f}, best val loss {min(history['val_loss']):.4f}")
    print(f"test accuracy {test_accuracy:.1%}")


if __name__ == "__main__":
    main()
