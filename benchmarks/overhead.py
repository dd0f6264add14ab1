"""Per-op overhead: forward + backward of a 1,000-op elementwise chain on a 16-element tensor.

Reports microseconds per op (forward and backward together) for this library,
bare numpy (forward only: the floor), and PyTorch eager / HIPS autograd when
installed. Target: ≤ 6 µs per op.

    python benchmarks/overhead.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
from _timing import compare, optional, save, table  # first: it pins BLAS threads before numpy loads

# isort: on
import numpy as np

import autograd_core as ag

N_OPS = 1000
X0 = np.random.default_rng(0).standard_normal(16)


# One round of the chain: four elementwise ops (binary with a scalar, and unary).
def chain_autograd_core() -> None:
    x = ag.tensor(X0, requires_grad=True)
    y = x
    for _ in range(N_OPS // 4):
        y = (y * 0.999).tanh() + 0.01
        y = y.sin()
    y.sum().backward()


def chain_numpy() -> None:
    y = X0
    for _ in range(N_OPS // 4):
        y = np.tanh(y * 0.999) + 0.01
        y = np.sin(y)


def peers() -> dict:
    found = {}
    torch = optional("torch")
    if torch is not None:
        torch.set_num_threads(1)
        x0 = torch.tensor(X0)

        def chain_torch() -> None:
            x = x0.clone().requires_grad_(True)
            y = x
            for _ in range(N_OPS // 4):
                y = (y * 0.999).tanh() + 0.01
                y = y.sin()
            y.sum().backward()

        found["PyTorch eager"] = chain_torch
    hips = optional("autograd")
    if hips is not None:
        import autograd.numpy as anp

        def f(x):
            y = x
            for _ in range(N_OPS // 4):
                y = anp.sin(anp.tanh(y * 0.999) + 0.01)
            return anp.sum(y)

        grad_f = hips.grad(f)
        found["HIPS autograd"] = lambda: grad_f(X0)
    return found


def main() -> dict:
    candidates = {"autograd_core": chain_autograd_core, "numpy (forward only)": chain_numpy, **peers()}
    results = compare(candidates, number=20, repeats=7)
    rows = []
    for name, r in results.items():
        us = r["median"] / N_OPS * 1e6
        rows.append(
            {
                "engine": name,
                "us/op (median)": f"{us:.2f}",
                "us/op (best)": f"{r['best'] / N_OPS * 1e6:.2f}",
                "vs numpy": f"{r['median'] / results['numpy (forward only)']['median']:.2f}x",
            }
        )
    print(f"Forward + backward of a {N_OPS}-op elementwise chain on a 16-element float64 tensor")
    print(table(rows, ["engine", "us/op (median)", "us/op (best)", "vs numpy"]))
    ours = results["autograd_core"]["median"] / N_OPS * 1e6
    print(f"\nautograd_core: {ours:.2f} us per op (target <= 6)")
    path = save("overhead", {"n_ops": N_OPS, "us_per_op": {k: v["median"] / N_OPS * 1e6 for k, v in results.items()}})
    print(f"written {path}")
    return results


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # --help, and nothing else
    main()
