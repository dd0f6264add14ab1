"""Memory of one training step of a 784-256-256-10 ReLU MLP (batch 64), measured with tracemalloc.

Three figures per dtype: the peak of one step (forward, loss, backward, SGD
update) with nothing else alive; the peak of a step while the previous step's
loss is still referenced (a loop that rebinds ``loss`` only after the next
forward pass); and what a loss still holds after ``backward()`` — the record
of the graph that pictures are drawn from (large arrays are not kept).

    python benchmarks/memory.py
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
from _timing import save, table  # first: it pins BLAS threads before numpy loads

# isort: on
import numpy as np

import autograd_core as ag
import nn

SIZES = [784, 256, 256, 10]
BATCH = 64


def setup(dtype: type) -> tuple:
    nn.manual_seed(0)
    model = nn.MLP(SIZES)
    if dtype is not np.float64:
        for p in model.parameters():
            p.data = p.data.astype(dtype)
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((BATCH, SIZES[0])).astype(dtype))
    y = rng.integers(0, SIZES[-1], BATCH)
    return model, nn.CrossEntropyLoss(), nn.optim.SGD(model.parameters(), lr=0.01), x, y


def step(model, loss_fn, optimizer, x, y) -> ag.Tensor:
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def measure(dtype: type) -> dict[str, int]:
    tracemalloc.start()  # before anything is made, so that every free is seen too
    parts = setup(dtype)
    for _ in range(3):  # warm up: gradients and optimizer state exist from here on
        step(*parts)
    gc.collect()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    step(*parts)  # the returned loss is dropped at once
    alone = tracemalloc.get_traced_memory()[1] - base
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    previous = step(*parts)
    held = tracemalloc.get_traced_memory()[0] - base  # what the loss keeps after backward
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    previous = step(*parts)  # noqa: F841  (the earlier loss lives until this rebinding, as in a loop)
    overlapping = tracemalloc.get_traced_memory()[1] - base + held
    tracemalloc.stop()
    return {"peak_step": alone, "peak_step_previous_loss_alive": overlapping, "held_by_loss_after_backward": held}


def main() -> dict:
    results = {np.dtype(d).name: measure(d) for d in (np.float32, np.float64)}
    rows = [
        {
            "dtype": name,
            "peak of a step": f"{r['peak_step'] / 1e6:.3f} MB",
            "peak, previous loss alive": f"{r['peak_step_previous_loss_alive'] / 1e6:.3f} MB",
            "held by a loss after backward": f"{r['held_by_loss_after_backward'] / 1e3:.1f} kB",
        }
        for name, r in results.items()
    ]
    print(f"tracemalloc, one SGD step of a {'-'.join(map(str, SIZES))} ReLU MLP, batch {BATCH}")
    print(table(rows, list(rows[0])))
    print(f"written {save('memory', {'sizes': SIZES, 'batch': BATCH, 'bytes': results})}")
    return results


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    main()
