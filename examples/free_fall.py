"""The fourth notes' quiz, answered by training: approximating h = ½gt² with a network.

    In order to approximate the relation h = ½gt²
    - How many neurons are needed in the input layer?
    - How many neurons are needed in the output layer?
    - If the activation function is logistic function, are hidden layers necessary? Why?
    - How many hidden neurons are needed at least?

The data: the drop h of a falling body after t seconds, t uniform in
[0, 3] s, 100 training times and 200 held-out times, no noise (the question
is about representing the law). Both t and h are scaled into [0, 1] with
``MinMaxScaler`` (a logistic output can only produce values in (0, 1)).
Every model is trained full-batch on the mean squared error by
``nn.optim.ConjugateGradient`` from a few random starts, keeping the one
with the lowest training loss, and scored by R² on the held-out times.

Compared: no hidden layer with a linear output (a straight line) or a
logistic output (one sigmoid of a line), against networks with 1, 2, 3, …
sigmoid hidden units and a linear output (the notes' regression recipe).
Then the best of them is asked about t = 3–6 s, times it never saw.

Run from the repository root:  python examples/free_fall.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
from nn.data import MinMaxScaler  # noqa: E402

G = 9.81
T_MAX = 3.0
FIT = 0.999  # "fits": held-out R² of at least this (residuals about 3 % of the spread of h) …
FIT_CLOSELY = 0.99999  # … and "fits closely" (residuals about 0.3 %)


def drop(t: np.ndarray) -> np.ndarray:
    """h = ½·g·t² in metres."""
    return 0.5 * G * t**2


class Data:
    """Training and held-out times in [0, T_MAX], times beyond it, and the [0, 1] scalings fitted on training."""

    def __init__(self, n_train: int = 100, n_test: int = 200, seed: int = 0) -> None:
        gen = np.random.default_rng(seed)
        self.t_train = gen.uniform(0, T_MAX, (n_train, 1))
        self.t_test = gen.uniform(0, T_MAX, (n_test, 1))
        self.t_beyond = np.linspace(T_MAX, 2 * T_MAX, 31)[:, None]
        self.t_scale = MinMaxScaler().fit(self.t_train)
        self.h_scale = MinMaxScaler().fit(drop(self.t_train))

    def inputs(self, t: np.ndarray) -> ag.Tensor:
        return ag.tensor(self.t_scale.transform(t))

    def targets(self, t: np.ndarray) -> np.ndarray:
        return self.h_scale.transform(drop(t))

    def metres(self, scaled: np.ndarray) -> np.ndarray:
        return self.h_scale.inverse_transform(scaled)


def train(make: Any, data: Data, starts: int = 2, iterations: int = 1000) -> tuple[nn.Module, float]:
    """The model (from ``make(seed)``) with the lowest training MSE over ``starts`` random starts."""
    X, Y = data.inputs(data.t_train), data.targets(data.t_train)
    best: tuple[float, nn.Module] | None = None
    for seed in range(starts):
        model = make(seed)
        opt = nn.optim.ConjugateGradient(
            model.parameters(), max_iter=iterations, max_eval=4 * iterations, tolerance_grad=1e-10, tolerance_change=0
        )

        def closure() -> ag.Tensor:
            opt.zero_grad()
            loss = nn.MSELoss()(model(X), Y)
            loss.backward()
            return loss

        opt.step(closure)
        with ag.no_grad():
            loss = nn.MSELoss()(model(X), Y).item()
        if best is None or loss < best[0]:
            best = (loss, model)
    return best[1], best[0]


def held_out_r2(model: nn.Module, data: Data) -> float:
    with ag.no_grad():
        return nn.r2(model(data.inputs(data.t_test)).data, data.targets(data.t_test))


def sweep(data: Data, max_hidden: int = 4) -> list[dict[str, Any]]:
    """One row per model: its name, hidden units, parameters, training MSE and held-out R²."""
    candidates: list[tuple[str, int, Any]] = [
        ("no hidden layer, linear output", 0, lambda s: nn.Linear(1, 1, rng=s)),
        ("no hidden layer, logistic output", 0, lambda s: nn.Sequential(nn.Linear(1, 1, rng=s), nn.Sigmoid())),
    ]
    for k in range(1, max_hidden + 1):
        candidates.append(
            (f"{k} sigmoid hidden unit{'s' if k > 1 else ''}, linear output", k, _mlp(k)),
        )
    rows = []
    for name, hidden, make in candidates:
        model, loss = train(make, data)
        rows.append(
            {
                "name": name,
                "hidden": hidden,
                "parameters": sum(p.size for p in model.parameters()),
                "train_mse": loss,
                "r2": held_out_r2(model, data),
                "model": model,
            }
        )
    return rows


def _mlp(k: int) -> Any:
    return lambda seed: nn.MLP([1, k, 1], activation="sigmoid", rng=seed)


def fewest_hidden(rows: list[dict[str, Any]], r2: float) -> int | None:
    """The fewest sigmoid hidden units whose held-out R² reaches ``r2`` (None if none does)."""
    return next((row["hidden"] for row in rows if row["hidden"] > 0 and row["r2"] >= r2), None)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'model':<40} {'params':>6} {'train MSE':>10} {'held-out R²':>12} {'1 − R²':>9}",
        "-" * 81,
    ]
    for row in rows:
        lines.append(
            f"{row['name']:<40} {row['parameters']:>6} {row['train_mse']:>10.2e} {row['r2']:>12.6f} "
            f"{1 - row['r2']:>9.1e}"
        )
    return "\n".join(lines)


def beyond(model: nn.Module, data: Data) -> tuple[np.ndarray, np.ndarray]:
    """The model's drop in metres for t in [3, 6] s (never seen), and the true drop."""
    with ag.no_grad():
        predicted = data.metres(model(data.inputs(data.t_beyond)).data)
    return predicted[:, 0], drop(data.t_beyond)[:, 0]


def plot(rows: list[dict[str, Any]], data: Data, path: Path) -> Path | None:
    """Left: 1 − R² against hidden units, with the two no-hidden baselines; right: fits and the law, 0–6 s."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    fig = Figure(figsize=(10, 3.8))
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    hidden = [r for r in rows if r["hidden"] > 0]
    left.semilogy([r["hidden"] for r in hidden], [1 - r["r2"] for r in hidden], "o-", label="sigmoid hidden units")
    for r, style in zip(rows[:2], ("--", ":"), strict=True):
        left.axhline(1 - r["r2"], linestyle=style, color="gray", label=r["name"])
    left.axhline(1 - FIT, color="tab:red", linewidth=0.8, label=f"fits: R² ≥ {FIT}")
    left.axhline(
        1 - FIT_CLOSELY, color="tab:red", linewidth=0.8, linestyle=":", label=f"fits closely: R² ≥ {FIT_CLOSELY}"
    )
    left.set_xticks([r["hidden"] for r in hidden])
    left.set_xlabel("hidden units")
    left.set_ylabel("1 − R² on held-out times")
    left.legend(fontsize="x-small")
    t = np.linspace(0, 2 * T_MAX, 200)[:, None]
    right.plot(t[:, 0], drop(t)[:, 0], color="black", linewidth=2, label="h = ½gt²")
    for r in rows[:4]:
        with ag.no_grad():
            right.plot(t[:, 0], data.metres(r["model"](data.inputs(t)).data)[:, 0], label=r["name"])
    right.axvspan(T_MAX, 2 * T_MAX, color="gray", alpha=0.15, label="never seen")
    right.set_xlabel("t (s)")
    right.set_ylabel("h (m)")
    right.legend(fontsize="x-small")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def main(out: Path | None = None) -> dict[str, Any]:
    data = Data()
    rows = sweep(data)
    print("h = ½gt², t in [0, 3] s: 100 training times, 200 held-out times, t and h scaled into [0, 1]\n")
    print(table(rows))
    fewest = fewest_hidden(rows, FIT)
    fewest_closely = fewest_hidden(rows, FIT_CLOSELY)
    line, logistic, one = rows[0], rows[1], rows[2]
    best = max(rows, key=lambda r: r["r2"])
    predicted, true = beyond(best["model"], data)
    print(
        "\nThe quiz, answered:\n"
        "  input layer: 1 neuron (t); output layer: 1 neuron (h).\n"
        "  logistic activation, no hidden layer: not enough. A linear output is a straight line "
        f"(R² = {line['r2']:.3f}); a logistic\n"
        "  output is one sigmoid of a line, a fixed S-shape only shifted and stretched, and no stretch of its "
        f"convex half is a\n  parabola (R² = {logistic['r2']:.4f}, {(1 - logistic['r2']) / (1 - one['r2']):.0f} "
        "times the unexplained variance of one hidden unit). Hidden layers are necessary.\n"
        f"  fewest hidden neurons: {fewest} to fit (held-out R² ≥ {FIT}), {fewest_closely} to fit closely "
        f"(R² ≥ {FIT_CLOSELY}). One sigmoid unit\n"
        "  bends like the parabola's rise over a bounded range; with two, a falling and a rising sigmoid add up "
        f"to the\n  parabola's steadily growing slope and 1 − R² drops from {1 - one['r2']:.0e} to "
        f"{1 - rows[3]['r2']:.0e}; more units add little."
    )
    print(
        "\nWhat it teaches: the network approximates the law on the times it was trained on; it does not learn "
        f"it. At t = 6 s,\ntwice the longest time it saw, the best model ({best['name']}) says "
        f"h = {predicted[-1]:.0f} m where ½gt² = {true[-1]:.0f} m\n({abs(predicted[-1] - true[-1]) / true[-1]:.0%} "
        "short): sigmoid units flatten out beyond the data, a parabola does not. How many hidden units are\n"
        '"needed" depends on the range and on the accuracy asked for, not on the formula alone.'
    )
    written = plot(rows, data, (out or Path("out") / "free_fall") / "free_fall.png")
    if written is not None:
        print(f"\nwrote: {written}")
    return {"rows": rows, "fewest_hidden": fewest, "fewest_hidden_closely": fewest_closely, "beyond": (predicted, true)}


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
