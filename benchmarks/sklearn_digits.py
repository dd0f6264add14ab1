"""nn.sklearn.MLPClassifier against scikit-learn's MLPClassifier on the handwritten digits.

Both estimators run with scikit-learn's default parameters (one hidden
layer of 100 ReLU units, α = 10⁻⁴, batch min(200, n), up to 200 epochs or
iterations, tol = 10⁻⁴ with 10 epochs of patience) for each solver ("adam",
"sgd", "lbfgs"), inside the same Pipeline (StandardScaler → classifier),
on the same stratified 80/20 split of the 1,797 digits. Each case — one
library, one solver, one random_state — runs in a fresh Python process, so
no run inherits another's caches or allocator state, and the cases are
interleaved so that background load hits both libraries alike. BLAS runs on
one thread in every process (``--threads`` to change it).

Reported per solver and library: the test accuracy (mean ± standard
deviation over the seeds), the median fit time, the median number of
epochs (iterations for lbfgs) and the median time per epoch.

    python benchmarks/sklearn_digits.py [--seeds 5] [--threads 1]

Prints a table and writes ``benchmarks/results/sklearn_digits.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
from _timing import THREAD_VARIABLES, save, table  # first: it pins BLAS threads before numpy loads

# isort: on

LIBRARIES = ("autograd_core", "scikit-learn")
SOLVERS = ("adam", "sgd", "lbfgs")
SPLIT_SEED = 0


def load_split():
    """The digits (8×8 images as 64 features, 10 classes), split 80/20, stratified."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=SPLIT_SEED)


def run_case(library: str, solver: str, seed: int, max_iter: int = 200) -> dict:
    """Fit one pipeline and score it on the test part: accuracy, fit seconds, epochs (iterations) and final loss."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if library == "autograd_core":
        from nn.sklearn import MLPClassifier
    else:
        from sklearn.neural_network import MLPClassifier
    X_train, X_test, y_train, y_test = load_split()
    pipe = make_pipeline(StandardScaler(), MLPClassifier(solver=solver, max_iter=max_iter, random_state=seed))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported as n_iter == max_iter instead
        pipe.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    clf = pipe[-1]
    return {
        "accuracy": float(pipe.score(X_test, y_test)),
        "seconds": seconds,
        "n_iter": int(clf.n_iter_),
        "loss": float(clf.loss_),
    }


def run_in_fresh_process(library: str, solver: str, seed: int, threads: int) -> dict:
    env = {**os.environ, **{name: str(threads) for name in THREAD_VARIABLES}}
    args = [sys.executable, __file__, "--worker", library, solver, str(seed)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> dict:
    accuracies = [r["accuracy"] for r in runs]
    per_epoch = [r["seconds"] / r["n_iter"] for r in runs]
    return {
        "accuracy_mean": statistics.fmean(accuracies),
        "accuracy_std": statistics.pstdev(accuracies),
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "median_n_iter": statistics.median(r["n_iter"] for r in runs),
        "median_ms_per_epoch": 1000 * statistics.median(per_epoch),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="random_state values 0..seeds-1 per library and solver")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads in every process")
    parser.add_argument("--solver", action="append", choices=SOLVERS, help="solvers to run (default: all)")
    parser.add_argument("--worker", nargs=3, metavar=("LIBRARY", "SOLVER", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON results")
    args = parser.parse_args(argv)
    if args.worker:
        library, solver, seed = args.worker
        print(json.dumps(run_case(library, solver, int(seed))))
        return {}

    solvers = args.solver or list(SOLVERS)
    runs: dict[tuple[str, str], list[dict]] = {(s, lib): [] for s in solvers for lib in LIBRARIES}
    for seed in range(args.seeds):
        for solver in solvers:
            for library in LIBRARIES:
                runs[solver, library].append(run_in_fresh_process(library, solver, seed, args.threads))
    results = {f"{solver} / {library}": summarise(r) for (solver, library), r in runs.items()}

    rows = []
    for solver in solvers:
        ours, theirs = results[f"{solver} / autograd_core"], results[f"{solver} / scikit-learn"]
        for library, r in (("autograd_core", ours), ("scikit-learn", theirs)):
            rows.append(
                {
                    "solver": solver,
                    "library": library,
                    "test accuracy": f"{r['accuracy_mean']:.4f} ± {r['accuracy_std']:.4f}",
                    "fit s (median)": f"{r['median_seconds']:.3f}",
                    "epochs": f"{r['median_n_iter']:g}",
                    "ms / epoch": f"{r['median_ms_per_epoch']:.2f}",
                    "ours / sklearn (fit, per epoch)": ""
                    if r is theirs
                    else f"{ours['median_seconds'] / theirs['median_seconds']:.2f}, "
                    f"{ours['median_ms_per_epoch'] / theirs['median_ms_per_epoch']:.2f}",
                }
            )
    print(
        f"digits: 1437 train / 360 test, StandardScaler → MLPClassifier (scikit-learn's defaults), "
        f"{args.seeds} seeds, {args.threads} BLAS thread(s), each fit in a fresh process"
    )
    print(table(rows, list(rows[0])))
    report = {"config": {"seeds": args.seeds, "threads": args.threads, "solvers": solvers}, "results": results}
    print(f"wrote {save('sklearn_digits', report, args.out)}")
    return report


if __name__ == "__main__":
    main()
