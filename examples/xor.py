"""Train a 2-4-1 tanh network on XOR with plain Tensor operations (no nn package).

Prints the loss falling below 0.01, the four predictions, and one weight's
gradient beside its central finite-difference estimate
(L(w + ε) − L(w − ε)) / 2ε — backpropagation checked by hand.

    python examples/xor.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd_core as ag  # noqa: E402

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def init(seed: int = 0) -> list[ag.Tensor]:
    """W1 (2×4), b1 (4), W2 (4×1), b2 (1), small random weights."""
    rng = np.random.default_rng(seed)
    return [
        ag.tensor(rng.normal(0, 1.0, (2, 4)), requires_grad=True, name="W1"),
        ag.tensor(np.zeros(4), requires_grad=True, name="b1"),
        ag.tensor(rng.normal(0, 1.0, (4, 1)), requires_grad=True, name="W2"),
        ag.tensor(np.zeros(1), requires_grad=True, name="b2"),
    ]


def forward(params: list[ag.Tensor], x: np.ndarray) -> ag.Tensor:
    """ŷ = tanh(tanh(x·W1 + b1)·W2 + b2)."""
    w1, b1, w2, b2 = params
    return ((x @ w1 + b1).tanh() @ w2 + b2).tanh()


def loss_fn(params: list[ag.Tensor]) -> ag.Tensor:
    """L = mean (ŷ − y)²."""
    return ((forward(params, X) - Y) ** 2).mean()


def train(steps: int = 2000, lr: float = 0.5, seed: int = 0, log_every: int = 250) -> list[ag.Tensor]:
    """Full-batch gradient descent: w ← w − lr·∂L/∂w."""
    params = init(seed)
    for step in range(steps + 1):
        loss = loss_fn(params)
        if step % log_every == 0:
            print(f"  step {step:5d}   loss {loss.item():.6f}")
        loss.backward()
        for p in params:
            p.data -= lr * p.grad.data
            p.grad = None
    return params


def finite_difference_check(params: list[ag.Tensor], eps: float = 1e-6) -> tuple[float, float]:
    """∂L/∂W1[0, 0] by backpropagation and by (L(w + ε) − L(w − ε)) / 2ε."""
    loss_fn(params).backward()
    analytic = params[0].grad.data[0, 0]
    for p in params:
        p.grad = None
    w = params[0].data
    with ag.no_grad():
        w[0, 0] += eps
        plus = loss_fn(params).item()
        w[0, 0] -= 2 * eps
        minus = loss_fn(params).item()
        w[0, 0] += eps
    return float(analytic), (plus - minus) / (2 * eps)


def main() -> float:
    print("XOR with a 2-4-1 tanh network, plain Tensor ops, full-batch gradient descent")
    params = train()
    final = loss_fn(params).item()
    print(f"  final loss {final:.6f} ({'below' if final < 0.01 else 'NOT below'} 0.01)")
    with ag.no_grad():
        predictions = forward(params, X).data.ravel()
    for x, y, p in zip(X, Y.ravel(), predictions):
        print(f"  x = {x.astype(int).tolist()}   target {int(y)}   prediction {p:+.4f}")
    analytic, numeric = finite_difference_check(params)
    print(
        f"  dL/dW1[0,0]: backprop {analytic:+.10e}   finite difference {numeric:+.10e}   "
        f"relative difference {abs(analytic - numeric) / max(abs(numeric), 1e-300):.1e}"
    )
    return final


if __name__ == "__main__":
    main()
