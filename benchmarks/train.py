"""Training benchmark: a 64-64-10 ReLU MLP on scikit-learn's bundled handwritten digits.

30 epochs of Adam (learning rate 1e-3, batch 32, no weight decay) with this
library's ``nn.fit``, with scikit-learn's ``MLPClassifier`` configured the
same way, and with PyTorch CPU (the standard eager loop) when installed. All
three see the same standardised train/test split and the same dtype, and
run with the same thread count (BLAS and PyTorch intra-op threads; default
1, since the matrices here are far too small to gain from more). Each
library trains ``--repeats`` times, interleaved so that background load
hits all of them alike; the table shows the test accuracy and the best
time, and the ratios come from the same run.

    python benchmarks/train.py [--repeats 5] [--dtype float64] [--threads 1]

Prints a table and writes ``benchmarks/results/train.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
from _timing import save  # first: it pins BLAS threads before numpy loads

# isort: on
import numpy as np

import nn

HIDDEN, EPOCHS, BATCH, LR, SEED = 64, 30, 32, 1e-3, 0


def load_data(dtype: str) -> tuple[np.ndarray, ...]:
    """The digits (8×8 images as 64 features, 10 classes), split 80/20 and standardised on the training part."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = nn.data.train_test_split(X, y, test_size=0.2, rng=SEED)
    scaler = nn.data.StandardScaler().fit(Xtr)
    return scaler.transform(Xtr).astype(dtype), scaler.transform(Xte).astype(dtype), ytr, yte


def run_ours(Xtr, ytr, Xte, yte) -> tuple[float, float]:
    nn.manual_seed(SEED)
    model = nn.MLP([Xtr.shape[1], HIDDEN, 10], dtype=Xtr.dtype)
    optimizer = nn.optim.Adam(model.parameters(), lr=LR)
    loader = nn.data.DataLoader(Xtr, ytr, batch_size=BATCH)
    start = time.perf_counter()
    nn.fit(model, nn.CrossEntropyLoss(), optimizer, loader, epochs=EPOCHS, progress=False)
    seconds = time.perf_counter() - start
    test = nn.data.DataLoader(Xte, yte, batch_size=None, shuffle=False)
    return nn.evaluate(model, nn.CrossEntropyLoss(), test, ["accuracy"])["accuracy"], seconds


def run_sklearn(Xtr, ytr, Xte, yte) -> tuple[float, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,), activation="relu", solver="adam", learning_rate_init=LR, batch_size=BATCH,
        max_iter=EPOCHS, alpha=0.0, tol=0.0, n_iter_no_change=EPOCHS + 1, shuffle=True, random_state=SEED,
    )  # fmt: skip
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it warns that 30 epochs is not convergence
        clf.fit(Xtr, ytr)
    seconds = time.perf_counter() - start
    return float(clf.score(Xte, yte)), seconds


def run_torch(Xtr, ytr, Xte, yte) -> tuple[float, float]:
    import torch

    torch.manual_seed(SEED)
    dtype = getattr(torch, Xtr.dtype.name)
    model = torch.nn.Sequential(torch.nn.Linear(Xtr.shape[1], HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10)).to(
        dtype
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(Xtr), torch.from_numpy(ytr)
    start = time.perf_counter()
    for _ in range(EPOCHS):
        order = torch.randperm(len(X))
        total = 0.0
        for i in range(0, len(X), BATCH):
            idx = order[i : i + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean()
    return float(accuracy), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="training runs per library (the best time is reported)")
    parser.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    parser.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads for all libraries")
    args = parser.parse_args()

    from threadpoolctl import threadpool_limits

    runners = {"autograd_core nn": run_ours, "scikit-learn": run_sklearn}
    try:
        import torch

        torch.set_num_threads(args.threads)
        runners["PyTorch"] = run_torch
    except ImportError:
        pass
    data = load_data(args.dtype)
    Xtr, Xte, ytr, yte = data
    results: dict[str, dict] = {name: {"seconds": [], "accuracy": None} for name in runners}
    with threadpool_limits(args.threads):
        for _ in range(args.repeats):
            for name, run in runners.items():
                accuracy, seconds = run(Xtr, ytr, Xte, yte)
                results[name]["seconds"].append(seconds)
                results[name]["accuracy"] = accuracy
    for r in results.values():
        r["best_seconds"] = min(r["seconds"])

    ours = results["autograd_core nn"]
    print(
        f"digits: {len(Xtr)} train / {len(Xte)} test, {Xtr.shape[1]}-{HIDDEN}-10 ReLU MLP, Adam lr {LR}, batch {BATCH}, "
        f"{EPOCHS} epochs, {args.dtype}, {args.threads} thread(s), best of {args.repeats}"
    )
    print(f"{'library':<18} {'test acc':>8} {'seconds':>8} {'ours / this':>11}")
    for name, r in results.items():
        print(
            f"{name:<18} {r['accuracy']:>8.4f} {r['best_seconds']:>8.3f} {ours['best_seconds'] / r['best_seconds']:>11.2f}"
        )

    sk = results["scikit-learn"]
    checks = {
        "accuracy >= 0.95": ours["accuracy"] >= 0.95,
        "accuracy within 1 point of scikit-learn": ours["accuracy"] >= sk["accuracy"] - 0.01,
        "time <= scikit-learn": ours["best_seconds"] <= sk["best_seconds"],
    }
    if "PyTorch" in results:
        checks["time <= 1.5 x PyTorch"] = ours["best_seconds"] <= 1.5 * results["PyTorch"]["best_seconds"]
    for text, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")

    report = {
        "config": {
            "hidden": HIDDEN, "epochs": EPOCHS, "batch_size": BATCH, "lr": LR, "dtype": args.dtype,
            "threads": args.threads, "repeats": args.repeats, "n_train": len(Xtr), "n_test": len(Xte),
        },
        "results": results,
        "ratios": {f"ours / {name}": ours["best_seconds"] / r["best_seconds"] for name, r in results.items() if r is not ours},
        "checks": checks,
    }  # fmt: skip
    print(f"wrote {save('train', report)}")


if __name__ == "__main__":
    main()
