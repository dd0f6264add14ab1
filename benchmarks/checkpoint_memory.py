"""Peak memory of one training step of a deep MLP, with and without ``ag.checkpoint``.

A 32-layer tanh MLP of width 256 on a batch of 1024 (float64; activations, not weights, dominate): one forward and
backward pass. Cases:

* ``no checkpoint``: every layer's activations are kept for the backward pass;
* ``checkpoint every layer``: only each layer's input is kept, its
  intermediates recomputed in the backward pass;
* ``checkpoint every 4 layers``: √N-style segments, fewer recomputations.

Peak memory is measured with ``tracemalloc`` (numpy reports its array
buffers to it) during the step, in a fresh subprocess per case; the time
per step is the best of a few runs (recomputation costs about one extra
forward pass). All cases are checked to give the same gradients. Prints a
table, writes ``benchmarks/results/checkpoint_memory.json``.

    python benchmarks/checkpoint_memory.py [--layers 32] [--width 256] [--batch 1024] [--out PATH]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
from _timing import save, table  # first: it pins BLAS threads before numpy loads

# isort: on
import numpy as np

CASES = {"no checkpoint": 0, "checkpoint every layer": 1, "checkpoint every 4 layers": 4}


def build(layers: int, width: int, batch: int, segment: int) -> tuple[Any, Any]:
    """(loss function, first weight): the MLP, checkpointed in segments of ``segment`` layers (0: none)."""
    import autograd_core as ag

    rng = np.random.default_rng(0)
    params = [
        (
            ag.tensor(rng.standard_normal((width, width)) / np.sqrt(width), requires_grad=True),
            ag.tensor(np.zeros(width), requires_grad=True),
        )
        for _ in range(layers)
    ]
    x = ag.tensor(rng.standard_normal((batch, width)))

    def run(h: Any, chunk: list) -> Any:
        for w, b in chunk:
            h = ag.tanh(ag.linear(h, w, b))
        return h

    def loss() -> Any:
        h = x
        size = segment or layers
        for lo in range(0, layers, size):
            chunk = params[lo : lo + size]
            h = ag.checkpoint(lambda h, chunk=chunk: run(h, chunk))(h) if segment else run(h, chunk)
        return (h * h).mean()

    return loss, params[0][0]


def run_case(name: str, layers: int, width: int, batch: int, repeat: int) -> dict[str, Any]:
    """Peak memory of one step (traced by tracemalloc) and the best time per step over ``repeat`` untraced ones."""
    segment = CASES[name]
    loss, w = build(layers, width, batch, segment)
    gc.collect()
    tracemalloc.start()
    loss().backward()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    reference_loss, reference_w = build(layers, width, batch, 0)
    reference_loss().backward()
    np.testing.assert_allclose(w.grad.data, reference_w.grad.data, rtol=1e-10, atol=1e-14, err_msg=name)
    del reference_loss, reference_w
    times = []
    for _ in range(repeat):
        w.grad = None
        gc.collect()
        start = time.perf_counter()
        loss().backward()
        times.append(time.perf_counter() - start)
    return {"peak_mib": peak, "best_s": min(times)}


def in_subprocess(name: str, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, **{v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
    command = [sys.executable, __file__, "--run-case", name]
    command += ["--layers", str(args.layers), "--width", str(args.width), "--batch", str(args.batch)]
    command += ["--repeat", str(args.repeat)]
    found = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(found.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Every case in a fresh process; print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=32)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3, help="timed steps per case (best is reported)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--run-case", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_case:
        print(json.dumps(run_case(args.run_case, args.layers, args.width, args.batch, args.repeat)))
        return {}
    measured = {name: in_subprocess(name, args) for name in CASES}
    base = measured["no checkpoint"]
    activation_mib = args.batch * args.width * 8 / 2**20
    rows = [
        {
            "case": name,
            "peak_MiB": round(m["peak_mib"], 1),
            "vs none": f"{m['peak_mib'] / base['peak_mib']:.2f}x",
            "step_s": round(m["best_s"], 3),
            "time vs none": f"{m['best_s'] / base['best_s']:.2f}x",
        }
        for name, m in measured.items()
    ]
    print(
        f"one training step, {args.layers}-layer tanh MLP, width {args.width}, batch {args.batch}, float64 "
        f"(one activation = {activation_mib:.1f} MiB)\n"
    )
    print(table(rows, ["case", "peak_MiB", "vs none", "step_s", "time vs none"]))
    results = {"layers": args.layers, "width": args.width, "batch": args.batch, "results": rows}
    print(f"\nwrote {save('checkpoint_memory', results, args.out)}")
    return results


if __name__ == "__main__":
    main()
