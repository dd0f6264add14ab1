"""Rosenblatt's perceptron: one linear unit with a step (or sign) activation, trained by the perceptron rule.

The second notes: ŷ = φ(w·x + b) with φ = 1 if w·x + b ≥ 0, else 0. The
step's derivative is 0, so gradient descent gets no signal through it; the
perceptron learning rule corrects the weights directly from each mistake,

    w ← w + η·(y − ŷ)·x,   b ← b + η·(y − ŷ),

which changes nothing when the prediction is right (y − ŷ = 0). If the
classes are linearly separable the rule stops making mistakes after finitely
many updates (at most (R/γ)² for inputs within radius R of the origin,
augmented with the bias input 1, and a separating margin γ: Novikoff's
theorem); if they are not, as for XOR, it never does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError, LabelError, ShapeError

from .activations import Sign, Step
from .layers import Linear
from .module import Module
from .seeding import RngLike, get_rng

# The two labels each activation produces: (negative class, positive class).
LABELS = {"step": (0.0, 1.0), "sign": (-1.0, 1.0)}


class Perceptron(Module):
    """ŷ = step(w·x + b) (or sign), trained by ``fit`` with the perceptron rule; starts from w = 0, b = 0.

    ``Perceptron(in_features)`` is ``Linear(in_features, 1)`` followed by
    ``Step`` (labels 0 and 1), or by ``Sign`` with ``activation="sign"``
    (labels −1 and +1; the rule is the same, with y − ŷ = ±2). Calling it
    gives the outputs of shape (N, 1) as a Tensor; ``predict`` gives labels
    of shape (N,) as an array.

    >>> swim = nn.Perceptron(3)  # the second notes' "go swimming?"
    >>> _ = swim.load_state_dict({"linear.weight": np.array([[4.0, 2.0, 4.0]]), "linear.bias": np.array([-3.0])})
    >>> swim.predict([[1, 0, 1]])  # 4 + 0 + 4 − 3 = 5 ≥ 0: go
    array([1.])
    >>> p = nn.Perceptron(2)
    >>> p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])  # AND: mistakes per epoch
    [2, 3, 3, 2, 1, 0]
    """

    def __init__(self, in_features: int, activation: str = "step", *, dtype: Any = None) -> None:
        super().__init__()
        if activation not in LABELS:
            raise InvalidArgumentError(f"Perceptron: activation must be 'step' or 'sign', not {activation!r}")
        self.in_features = in_features
        self.activation = activation
        self.linear = Linear(in_features, 1, rng=0, dtype=dtype)  # a fixed seed: the weights are zeroed anyway
        with ag.no_grad():
            self.linear.weight.data[...] = 0.0
            self.linear.bias.data[...] = 0.0
        self.phi = Step() if activation == "step" else Sign()
        self.errors_: list[int] = []

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        return self.phi(self.linear(x))

    def _inputs(self, X: Any, caller: str) -> np.ndarray:
        # the perceptron rule is a per-example loop on the host: device data is copied there on purpose
        data = ag.backend.host_array(X, dtype=self.linear.weight.dtype)
        if data.ndim != 2 or data.shape[1] != self.in_features:
            raise ShapeError(
                f"Perceptron.{caller}: X must have shape (N, {self.in_features}) (one example per row), got {data.shape}"
            )
        return data

    def predict(self, X: Any) -> np.ndarray:
        """The predicted label of each row of X: φ(w·x + b), shape (N,)."""
        data = self._inputs(X, "predict")
        with ag.no_grad():
            return ag.backend.host_array(self(ag.tensor(data, device=self.linear.weight.device)).data[:, 0])

    def fit(
        self,
        X: Any,
        y: Any,
        lr: float = 1.0,
        epochs: int = 100,
        *,
        shuffle: bool = False,
        rng: RngLike = None,
    ) -> list[int]:
        """Train by the perceptron rule, one example at a time; returns the misclassifications of each epoch.

        Each epoch visits every example (in order, or shuffled from ``rng``),
        predicts ŷ with the current weights and, on a mistake, updates
        w ← w + η·(y − ŷ)·x and b ← b + η·(y − ŷ) with η = ``lr``. An epoch
        with no mistake means the weights separate the data, and training
        stops there (later epochs would change nothing); otherwise it runs
        ``epochs`` epochs. The counts are also kept in ``errors_``. The
        weights are written in place and marked written, so a graph recorded
        before ``fit`` cannot be backpropagated with the new weights.
        """
        data = self._inputs(X, "fit")
        labels = ag.backend.host_array(y)
        if labels.shape not in ((len(data),), (len(data), 1)):
            raise ShapeError(
                f"Perceptron.fit: y must have shape ({len(data)},) or ({len(data)}, 1), one label per row of X, "
                f"got {labels.shape}"
            )
        labels = labels.reshape(-1).astype(data.dtype)
        allowed = LABELS[self.activation]
        if not np.isin(labels, allowed).all():
            raise LabelError(
                f"Perceptron.fit: with activation={self.activation!r} the labels must be {allowed[0]:g} or "
                f"{allowed[1]:g}; got {np.unique(labels)[:6]}"
            )
        if not lr > 0:
            raise InvalidArgumentError(f"Perceptron.fit: lr must be > 0, got {lr}")
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise InvalidArgumentError(f"Perceptron.fit: epochs must be a non-negative integer, not {epochs!r}")
        w = ag.backend.host_array(self.linear.weight.data[0]).copy()
        b = ag.backend.host_float(self.linear.bias.data[0])
        low, high = allowed
        gen = get_rng(rng) if shuffle else None
        self.errors_ = []
        for _ in range(int(epochs)):
            order = gen.permutation(len(data)) if gen is not None else range(len(data))
            mistakes = 0
            for i in order:
                prediction = high if data[i] @ w + b >= 0 else low
                if prediction != labels[i]:
                    step = lr * (labels[i] - prediction)
                    w += step * data[i]
                    b += step
                    mistakes += 1
            self.errors_.append(mistakes)
            if mistakes == 0:
                break
        self._write(w, b)
        return list(self.errors_)

    def _write(self, w: np.ndarray, b: float) -> None:
        weight, bias = self.linear.weight, self.linear.bias
        weight.data[0] = ag.backend.to_device(w, weight.device)
        bias.data[0] = b
        weight._mark_written()
        bias._mark_written()

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, activation={self.activation!r}"
