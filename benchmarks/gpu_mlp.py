"""One SGD step of a 784-2048-2048-10 ReLU MLP on a GPU: this library on CuPy vs PyTorch CUDA vs numpy on the CPU.

float32, softmax cross-entropy, batch 4096 and 65,536. Each (batch, engine)
runs in its own fresh Python process, and the device is synchronised before
every clock read, so a step's time includes all the GPU work it queued.
Ratios are taken against PyTorch's GPU step from the same run. Target: the
CuPy backend within 1.5× of PyTorch at batch 65,536.

Without CuPy and a GPU (or without torch's CUDA build) the GPU rows are
skipped with a message and the script exits 0.

    python benchmarks/gpu_mlp.py [--quick] [--steps 20] [--no-numpy]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = (784, 2048, 2048, 10)
BATCHES = (4096, 65536)
LR = 0.01


def gpu_available() -> str | None:
    """None when CuPy sees a GPU, else the reason it cannot run."""
    try:
        import cupy
    except ImportError:
        return "CuPy is not installed (pip install 'autograd-core[cuda]')"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # no driver: CuPy raises its own runtime error
        return f"CuPy cannot reach a GPU ({err})"
    return None if count > 0 else "CuPy sees no GPU"


def data(batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], batch)


def library_step(device: str, batch: int) -> tuple[object, object]:
    """A training step of this library on ``device`` ("cpu" or "cuda") and its synchronisation."""
    import autograd_core as ag
    import nn

    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(nn.Linear(n_in, n_out, rng=i))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers).to(device, np.float32)
    opt = nn.optim.SGD(model.parameters(), lr=LR)
    X, y = data(batch)
    xb, yb = ag.tensor(X, device=device), ag.tensor(y, device=device)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    if device == "cpu":
        return step, lambda: None
    import cupy

    return step, cupy.cuda.Device().synchronize


def torch_step(batch: int) -> tuple[object, object]:
    import torch

    torch.manual_seed(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers).cuda()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    X, y = data(batch)
    xb, yb = torch.from_numpy(X).cuda(), torch.from_numpy(y).cuda()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    return step, torch.cuda.synchronize


def run_case(engine: str, batch: int, steps: int) -> dict:
    """Time ``steps`` steps after warm-up, synchronising before each clock read; the median step in seconds."""
    if engine == "torch":
        step, sync = torch_step(batch)
    else:
        step, sync = library_step("cuda" if engine == "cupy" else "cpu", batch)
    for _ in range(3):
        loss = step()
    sync()
    times = []
    for _ in range(steps):
        sync()
        start = time.perf_counter()
        loss = step()
        sync()
        times.append(time.perf_counter() - start)
    value = float(loss.item())
    return {"engine": engine, "batch": batch, "median_s": statistics.median(times), "loss": value}


def in_fresh_process(engine: str, batch: int, steps: int) -> dict | str:
    out = subprocess.run(
        [sys.executable, __file__, "--case", engine, str(batch), "--steps", str(steps)],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        return (
            f"{engine} at batch {batch} failed: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}"
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="batch 4096 only, few steps")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--no-numpy", action="store_true", help="skip the (slow) numpy CPU rows")
    parser.add_argument("--case", nargs=2, metavar=("ENGINE", "BATCH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case[0], int(args.case[1]), args.steps)))
        return 0
    reason = gpu_available()
    if reason is not None:
        print(f"gpu_mlp: skipped, no GPU to compare on: {reason}")
        return 0
    try:
        import torch

        has_torch = torch.cuda.is_available()
    except ImportError:
        has_torch = False
    batches = BATCHES[:1] if args.quick else BATCHES
    steps = 5 if args.quick else args.steps
    engines = ["cupy"] + (["torch"] if has_torch else []) + ([] if args.no_numpy else ["numpy"])
    print(f"784-2048-2048-10 MLP, SGD step, float32, median of {steps} synchronised steps, fresh process per case")
    print(f"{'batch':>7} {'engine':>7} {'step (ms)':>10} {'vs torch':>9} {'loss':>9}")
    results = []
    for batch in batches:
        rows = {}
        for engine in engines:
            found = in_fresh_process(engine, batch, steps if engine != "numpy" else max(2, steps // 5))
            if isinstance(found, str):
                print(f"{batch:>7} {engine:>7} {found}")
                continue
            rows[engine] = found
            results.append(found)
        base = rows.get("torch")
        for engine, row in rows.items():
            ratio = f"{row['median_s'] / base['median_s']:.2f}×" if base else "-"
            print(f"{batch:>7} {engine:>7} {row['median_s'] * 1e3:>10.2f} {ratio:>9} {row['loss']:>9.4f}")
    Path(__file__).resolve().parent.joinpath("results").mkdir(exist_ok=True)
    Path(__file__).resolve().parent.joinpath("results", "gpu_mlp.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
