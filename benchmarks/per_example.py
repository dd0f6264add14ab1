"""Per-example gradients of a 784-256-10 MLP over a batch of 64: vmap(grad) against a loop and numpy by hand.

The gradient of every example's own loss with respect to every parameter
(what differential privacy and influence estimates need): a (64, 256, 784)
stack for the first weight alone. Cases:

* ``ag.vmap(ag.grad)``: ``vmap(grad(loss), in_axes=(None, 0, 0))(params, X, Y)``,
  each primitive applied once to the whole batch by its batching rule;
* ``loop of ag.grad``: ``[grad(loss)(params, x, y) for x, y in batch]``;
* ``numpy by hand``: the backward pass written out with per-example outer
  products (the floor);
* ``torch.func.vmap(grad)`` and ``jax.vmap(grad)`` (jitted) when installed (``--peers``).

Every case runs in a fresh subprocess (one BLAS thread, see ``_timing.py``),
several times in turn so machine drift hits all alike; all cases are first
checked to agree with the numpy gradients. Prints a table, writes
``benchmarks/results/per_example.json``.

    python benchmarks/per_example.py [--rounds 3] [--repeat 5] [--peers] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
from _timing import compare, save, table  # first: it pins BLAS threads before numpy loads

# isort: on
import numpy as np

SIZES = (784, 256, 10)
BATCH = 64
CASES = ("ag.vmap(ag.grad)", "loop of ag.grad", "numpy by hand")
PEERS = ("torch.func.vmap(grad)", "jax.jit(vmap(grad))")


def data(seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters (W out × in, scaled by 1/√in), a batch of inputs and integer labels, float64."""
    rng = np.random.default_rng(seed)
    (n0, n1, n2) = SIZES
    params = {
        "W1": rng.standard_normal((n1, n0)) / np.sqrt(n0),
        "b1": 0.1 * rng.standard_normal(n1),
        "W2": rng.standard_normal((n2, n1)) / np.sqrt(n1),
        "b2": 0.1 * rng.standard_normal(n2),
    }
    return params, rng.standard_normal((BATCH, n0)), rng.integers(0, n2, BATCH)


def numpy_per_example(p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """By hand: δ₂ = softmax(z₂) − onehot(y), δ₁ = (δ₂·W₂)·[z₁ > 0]; ∇W = δ ⊗ input per example, ∇b = δ."""
    z1 = x @ p["W1"].T + p["b1"]
    h = np.maximum(z1, 0)
    z2 = h @ p["W2"].T + p["b2"]
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    d2 = e / e.sum(axis=1, keepdims=True)
    d2[np.arange(len(y)), y] -= 1
    d1 = np.where(z1 > 0, d2 @ p["W2"], 0)
    return {"W1": d1[:, :, None] * x[:, None, :], "b1": d1, "W2": d2[:, :, None] * h[:, None, :], "b2": d2}


def ours(p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], Any]]:
    """The two ways with this library."""
    import autograd_core as ag

    params = {k: ag.tensor(v) for k, v in p.items()}

    def loss(p: dict, x: Any, y: Any) -> ag.Tensor:
        h = ag.relu(ag.linear(x, p["W1"], p["b1"]))
        return ag.cross_entropy(ag.linear(h, p["W2"], p["b2"]), y).sum()

    per_example = ag.vmap(ag.grad(loss), in_axes=(None, 0, 0))
    grad = ag.grad(loss)

    def looped() -> dict[str, np.ndarray]:
        grads = [grad(params, x[i], y[i]) for i in range(len(y))]
        return {k: np.stack([g[k].data for g in grads]) for k in params}

    return {
        "ag.vmap(ag.grad)": lambda: {k: v.data for k, v in per_example(params, x, y).items()},
        "loop of ag.grad": looped,
    }


def peers(p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], Any]]:
    """torch.func and JAX doing the same, when installed."""
    found: dict[str, Callable[[], Any]] = {}
    try:
        import torch
        import torch.func

        torch.set_num_threads(1)
        tp = {k: torch.from_numpy(v) for k, v in p.items()}
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def tloss(p, x, y):
            h = torch.relu(torch.nn.functional.linear(x, p["W1"], p["b1"]))
            return torch.nn.functional.cross_entropy(torch.nn.functional.linear(h, p["W2"], p["b2"])[None], y[None])

        tfn = torch.func.vmap(torch.func.grad(tloss), in_dims=(None, 0, 0))
        found["torch.func.vmap(grad)"] = lambda: {k: v.numpy() for k, v in tfn(tp, tx, ty).items()}
    except ImportError:
        pass
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        jp = {k: jnp.asarray(v) for k, v in p.items()}
        jx, jy = jnp.asarray(x), jnp.asarray(y)

        def jloss(p, x, y):
            h = jnp.maximum(p["W1"] @ x + p["b1"], 0)
            z = p["W2"] @ h + p["b2"]
            return jax.scipy.special.logsumexp(z) - z[y]

        jfn = jax.jit(jax.vmap(jax.grad(jloss), in_axes=(None, 0, 0)))
        found["jax.jit(vmap(grad))"] = lambda: {
            k: np.asarray(v) for k, v in jax.block_until_ready(jfn(jp, jx, jy)).items()
        }
    except ImportError:
        pass
    return found


def run_case(name: str, repeat: int) -> dict[str, float]:
    """Check one case against numpy by hand, then time it: best and median seconds per call."""
    p, x, y = data()
    methods = {"numpy by hand": lambda: numpy_per_example(p, x, y)}
    if name in ("ag.vmap(ag.grad)", "loop of ag.grad"):
        methods.update(ours(p, x, y))
    elif name in PEERS:
        methods.update(peers(p, x, y))
    if name not in methods:
        return {}
    reference = numpy_per_example(p, x, y)
    got = methods[name]()
    for k in reference:
        np.testing.assert_allclose(got[k], reference[k], rtol=1e-9, atol=1e-12, err_msg=f"{name}: {k}")
    return compare({name: methods[name]}, repeats=repeat)[name]


def in_subprocess(name: str, repeat: int) -> dict[str, float]:
    """``run_case`` in a fresh interpreter (its own allocator and caches), one BLAS thread."""
    env = {**os.environ, **{v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
    found = subprocess.run(
        [sys.executable, __file__, "--run-case", name, "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(found.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every case in turn, ``rounds`` times, each in a fresh process; print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per case, taken in turn")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per process")
    parser.add_argument("--peers", action="store_true", help="also torch.func and JAX, when installed")
    parser.add_argument(
        "--out", type=Path, default=None, help="JSON path (default benchmarks/results/per_example.json)"
    )
    parser.add_argument("--run-case", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_case:
        print(json.dumps(run_case(args.run_case, args.repeat)))
        return {}
    names = list(CASES) + (list(PEERS) if args.peers else [])
    samples: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for _ in range(args.rounds):
        for name in names:
            result = in_subprocess(name, args.repeat)
            if result:
                samples[name].append(result)
    floor = min(s["best"] for s in samples["numpy by hand"])
    rows = []
    for name, runs in samples.items():
        if not runs:
            continue
        best = min(r["best"] for r in runs)
        median = statistics.median(r["median"] for r in runs)
        rows.append(
            {
                "case": name,
                "best_ms": round(best * 1e3, 3),
                "median_ms": round(median * 1e3, 3),
                "vs numpy": f"{best / floor:.2f}x",
            }
        )
    print(f"per-example gradients, MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float64, 1 BLAS thread\n")
    print(table(rows, ["case", "best_ms", "median_ms", "vs numpy"]))
    results = {"sizes": SIZES, "batch": BATCH, "rounds": args.rounds, "repeat": args.repeat, "results": rows}
    print(f"\nwrote {save('per_example', results, args.out)}")
    return results


if __name__ == "__main__":
    main()
