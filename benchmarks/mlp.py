"""One SGD step of a 784-256-256-10 ReLU MLP with softmax cross-entropy, each case in a fresh process.

Compared against hand-written numpy forward/backward of the same maths (after
checking both give the same gradients), at batch 64 and 1024, float32 and
float64; PyTorch CPU when installed. Targets: ≤ 1.05× the numpy floor at
batch 1024 and ≤ 1.15× at batch 64, with no page faults in a steady-state
step.

Every (case, engine) runs in its own new Python process, as a user's script
does: the C allocator starts from its defaults there, so an engine that
returns large buffers to the system and takes them back every step pays the
page faults a long-running benchmark process would hide. The floor is the
hand-written numpy in a process told not to do that (``FLOOR_ALLOCATOR``):
numpy's arithmetic alone, which no ratio can flatter; the same numpy code
with the default allocator gets its own row. The processes of a case take
turns (floor, numpy, library, PyTorch, floor, …) so machine drift hits all
alike. Each reports the median step time over its timed runs and the minor
page faults per timed step (``getrusage`` before and after them, warm-up
excluded). Step times are the process's CPU time (user + system, so the
kernel's page-fault work counts), which other processes on a shared machine
cannot inflate as they do wall-clock time; with BLAS on one thread the two
agree on an idle machine, and the wall-clock times are shown beside them.
The table gives the median over rounds of the step time, of the ratio to the
floor process of the same round, and the page faults of the worst process.

    python benchmarks/mlp.py [--quick] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
from _timing import optional, save, table, time_per_call  # first: it pins BLAS threads before numpy loads

# isort: on
import numpy as np

import autograd_core as ag
import nn

SIZES = (784, 256, 256, 10)
LR = 0.01


def init_params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype))
        params.append(rng.uniform(-bound, bound, n_out).astype(dtype))
    return params


def data(batch, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, SIZES[0])).astype(dtype), rng.integers(0, SIZES[-1], batch)


class NumpyMLP:
    """The floor: forward and backward written out by hand."""

    def __init__(self, params):
        self.params = [p.copy() for p in params]

    def gradients(self, x, y):
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = x @ w1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ w2.T + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ w3.T + b3
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        self.loss = float(np.mean(np.log(total[:, 0]) - shifted[np.arange(len(y)), y]))  # reported, as ours is
        p = e / total
        dz = p
        dz[np.arange(len(y)), y] -= 1
        dz /= len(y)
        dh2 = (dz @ w3) * (h2 > 0)
        dh1 = (dh2 @ w2) * (h1 > 0)
        return [dh1.T @ x, dh1.sum(0), dh2.T @ a1, dh2.sum(0), dz.T @ a2, dz.sum(0)]

    def step(self, x, y):
        for p, g in zip(self.params, self.gradients(x, y)):
            p -= LR * g


class EngineMLP:
    """The same network through autograd_core and ``nn.optim.SGD``, as a training script writes it."""

    def __init__(self, params):
        self.params = [ag.tensor(p, requires_grad=True) for p in params]
        self.optimizer = nn.optim.SGD(self.params, lr=LR)

    def loss(self, x, y):
        w1, b1, w2, b2, w3, b3 = self.params
        h = ag.linear(x, w1, b1).relu()
        h = ag.linear(h, w2, b2).relu()
        return ag.cross_entropy(ag.linear(h, w3, b3), y).mean()

    def gradients(self, x, y):
        self.optimizer.zero_grad()
        self.loss(x, y).backward()
        return [p.grad.data.copy() for p in self.params]

    def step(self, x, y):
        self.optimizer.zero_grad()
        self.loss(x, y).backward()
        self.optimizer.step()


def torch_step(params, dtype):
    """PyTorch's standard eager step (None when PyTorch is not installed)."""
    torch = optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(1)
    tdtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    layers = []
    for i in range(0, len(params), 2):
        lin = torch.nn.Linear(params[i].shape[1], params[i].shape[0]).to(tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(params[i]))
            lin.bias.copy_(torch.from_numpy(params[i + 1]))
        layers += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    return lambda x, y: step(torch.from_numpy(x), torch.from_numpy(y))


#: The floor is the hand-written numpy in a process whose C allocator (glibc) never hands
#: memory back to the system nor maps large arrays separately: the cost of numpy's
#: arithmetic alone. In a default process the same code can page-fault every step (see its
#: own row), which would make the floor slower and every ratio to it look better. Only that
#: process gets these settings; the other engines run with the defaults a user's script has.
FLOOR = "numpy floor"
FLOOR_ALLOCATOR = {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=4294967296:glibc.malloc.mmap_threshold=33554432"}
ENGINES = (FLOOR, "numpy by hand", "autograd_core", "PyTorch")


def make_step(engine, dtype, batch):
    """A no-argument function doing one training step of ``engine`` (None if the engine is not installed)."""
    params = init_params(dtype)
    x, y = data(batch, dtype)
    if engine == "PyTorch":
        step = torch_step(params, dtype)
        return None if step is None else lambda: step(x, y)
    net = EngineMLP(params) if engine == "autograd_core" else NumpyMLP(params)
    return lambda: net.step(x, y)


def minor_faults():
    """Minor page faults of this process so far (None where ``resource`` is unavailable)."""
    try:
        import resource
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def measure(engine, dtype, batch, number, repeats):
    """In this (fresh) process: warm up, then time ``repeats`` runs of ``number`` steps and count page faults."""
    step = make_step(engine, np.dtype(dtype).type, batch)
    if step is None:
        return None
    time_per_call(step, number)  # warm-up: first-step allocations and caches
    before = minor_faults()
    cpu, wall = [], []
    for _ in range(repeats):
        start = time.process_time()
        wall.append(time_per_call(step, number))
        cpu.append((time.process_time() - start) / number)
    after = minor_faults()
    faults = None if before is None else (after - before) / (number * repeats)
    return {"median": statistics.median(cpu), "wall": statistics.median(wall), "faults_per_step": faults}


def measure_in_fresh_process(engine, dtype, batch, number, repeats):
    """Run ``measure`` in a new Python process (same interpreter, same BLAS thread settings)."""
    args = [sys.executable, __file__, "--child", json.dumps([engine, dtype, batch, number, repeats])]
    env = {**os.environ, **FLOOR_ALLOCATOR} if engine == FLOOR else None
    done = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} {dtype} batch {batch} failed in its process:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def check_same_gradients(dtype):
    params = init_params(dtype)
    x, y = data(64, dtype)
    tol = 1e-10 if dtype == np.float64 else 2e-4
    for a, b in zip(NumpyMLP(params).gradients(x, y), EngineMLP(params).gradients(x, y)):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)


def main(quick: bool = False, rounds: int = 3) -> list[dict]:
    rows = []
    for dtype in ("float32", "float64"):
        check_same_gradients(np.dtype(dtype).type)
        for batch in (64, 1024):
            number = (20 if batch == 64 else 4) if not quick else 2
            repeats = 7 if not quick else 2
            runs = {engine: [] for engine in ENGINES}
            for _ in range(rounds if not quick else 1):
                for engine in ENGINES:  # taking turns, a new process each time
                    result = measure_in_fresh_process(engine, dtype, batch, number, repeats)
                    if result is not None:
                        runs[engine].append(result)
            floors = [r["median"] for r in runs[FLOOR]]
            for engine, results in runs.items():
                if not results:
                    continue
                median = statistics.median(r["median"] for r in results)
                ratio = statistics.median(r["median"] / f for r, f in zip(results, floors))  # round by round
                faults = [r["faults_per_step"] for r in results if r["faults_per_step"] is not None]
                rows.append(
                    {
                        "dtype": dtype,
                        "batch": batch,
                        "engine": engine,
                        "ms/step": round(median * 1e3, 3),
                        "wall ms/step": round(statistics.median(r["wall"] for r in results) * 1e3, 3),
                        "ratio": round(ratio, 3),
                        "faults/step": round(max(faults), 1) if faults else "n/a",
                    }
                )
    print("One SGD step of a 784-256-256-10 ReLU MLP (softmax cross-entropy), each engine in fresh processes;")
    print("gradients checked equal; ratio to the numpy floor (hand-written numpy, its process never trimming")
    print("the heap); faults/step: minor page faults per steady-state step (worst process)")
    print(table(rows, ["dtype", "batch", "engine", "ms/step", "wall ms/step", "ratio", "faults/step"]))
    targets = {64: 1.15, 1024: 1.05}
    for r in rows:
        if r["engine"] == "autograd_core":
            ok = r["ratio"] <= targets[r["batch"]] and r["faults/step"] in (0, "n/a")
            print(
                f"  {r['dtype']} batch {r['batch']}: {r['ratio']:.3f}x the numpy floor (target <= "
                f"{targets[r['batch']]}), {r['faults/step']} page faults per step (target 0) "
                f"{'ok' if ok else 'ABOVE TARGET'}"
            )
    print(f"written {save('mlp', {'rows': rows})}")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of few repeats (a smoke run)")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per engine and case (default 3)")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: measure one case in this process
    options = parser.parse_args()
    if options.child:
        print(json.dumps(measure(*json.loads(options.child))))
    else:
        main(options.quick, options.rounds)
