"""``ag.compile`` against hand-written numpy, eager mode and PyTorch eager, each case in a fresh process.

Cases:
* one SGD step of a 784-256-256-10 ReLU MLP with softmax cross-entropy, batch
  64 and 1024, float32 and float64 (target: compiled ≤ 0.9× the hand-written
  numpy step of ``benchmarks/mlp.py``);
* forward + backward of a 1,000-op elementwise chain on a 16-element float64
  vector (target: compiled ≤ 1.6× a hand-written numpy forward + backward).

Beside the MLP's engines, a reference row times the step's eight matrix
products alone (into preallocated outputs): a floor no engine can go much
below, which shows how much of a step is left to win on a given machine.

Per case: time per step (median of interleaved rounds, ratios to the
hand-written numpy of the same process), minor page faults per steady-state
step, the tracing and build time and the first call's time. Before timing,
the compiled step is checked to give eager mode's numbers bit for bit.

    python benchmarks/compile.py [--quick] [--case NAME]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
import _timing
from _timing import compare, optional, save, table  # first: it pins BLAS threads before numpy loads

# isort: on
import numpy as np

import autograd_core as ag
import nn

CASES = ["mlp-float32-64", "mlp-float32-1024", "mlp-float64-64", "mlp-float64-1024", "chain-1000"]
TARGETS = {"mlp": 0.9, "chain": 1.6}
N_OPS = 1000


def faults_per_call(fn, calls: int, settle_seconds: float) -> float:
    """Minor page faults per call of ``fn`` in steady state.

    A process's memory settles before it stops faulting: Python's allocator
    carves new pools for a couple of thousand calls of a small step. So
    ``fn`` first runs until three runs of ``calls`` calls in a row make no
    fault (or for ``settle_seconds``), then ``calls`` more calls are measured.
    """
    deadline = time.perf_counter() + settle_seconds
    fn()
    clean = 0
    while clean < 3 and time.perf_counter() < deadline:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(calls):
            fn()
        clean = clean + 1 if resource.getrusage(resource.RUSAGE_SELF).ru_minflt == before else 0
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


def _fault_calls(quick: bool, batch: int) -> tuple[int, float]:
    """(measured calls, seconds at most to let memory settle first)."""
    if quick:
        return 3, 0.0
    return (20, 60.0) if batch > 64 else (100, 20.0)


# ------------------------------------------------------------------- the MLP
#: Not an engine: the step's eight matrix products alone, as the hand-written step writes them, into
#: preallocated outputs. No step can be much faster than this; it shows how much of the step is left to win.
GEMMS = "its 8 GEMMs alone"


def gemms_alone(params: list[np.ndarray], x: np.ndarray):
    """The eight matrix products of one step (forward 3, backward 5), as a no-argument function."""
    w1, _, w2, _, w3, _ = (p.copy() for p in params)
    batch, dtype = x.shape[0], x.dtype
    h1, h2 = np.ones((batch, w1.shape[0]), dtype), np.ones((batch, w2.shape[0]), dtype)
    z, d2, d1 = np.ones((batch, w3.shape[0]), dtype), np.ones_like(h2), np.ones_like(h1)
    g1, g2, g3 = np.empty_like(w1), np.empty_like(w2), np.empty_like(w3)

    def run():
        np.matmul(x, w1.T, out=h1)
        np.matmul(h1, w2.T, out=h2)
        np.matmul(h2, w3.T, out=z)
        np.matmul(z, w3, out=d2)
        np.matmul(z.T, h2, out=g3)
        np.matmul(d2, w2, out=d1)
        np.matmul(d2.T, h1, out=g2)
        np.matmul(d1.T, x, out=g1)

    return run


def mlp_case(dtype_name: str, batch: int, quick: bool) -> dict:
    from mlp import LR, NumpyMLP, data, init_params, torch_step

    dtype = np.dtype(dtype_name).type
    params = init_params(dtype)
    x, y = data(batch, dtype)

    def engine():
        ps = [ag.tensor(p, requires_grad=True) for p in params]
        opt = nn.optim.SGD(ps, lr=LR)

        def step(x, y):
            opt.zero_grad()
            w1, b1, w2, b2, w3, b3 = ps
            h = ag.linear(x, w1, b1).relu()
            h = ag.linear(h, w2, b2).relu()
            loss = ag.cross_entropy(ag.linear(h, w3, b3), y).mean()
            loss.backward()
            opt.step()
            return loss

        return ps, step

    # the same numbers as eager mode, bit for bit, over three steps
    eager_ps, eager_step = engine()
    compiled_ps, plain_step = engine()
    compiled = ag.compile(plain_step)
    start, start_cpu = time.perf_counter(), time.process_time()
    compiled(x, y)
    first_call, first_call_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    eager_step(x, y)
    for _ in range(2):
        a, b = eager_step(x, y), compiled(x, y)
        assert np.array_equal(a.data, b.data), "compiled loss differs from eager"
    for p, q in zip(eager_ps, compiled_ps):
        assert np.array_equal(p.data, q.data), "compiled parameters differ from eager"

    numpy_net = NumpyMLP(params)
    candidates = {
        "numpy by hand": lambda: numpy_net.step(x, y),
        "ag.compile": lambda: compiled(x, y),
        "autograd_core eager": lambda: eager_step(x, y),
        GEMMS: gemms_alone(params, x),
    }
    torch_mlp_step = torch_step(params, dtype)  # sets PyTorch to one thread
    if torch_mlp_step is not None:
        candidates["PyTorch eager"] = lambda: torch_mlp_step(x, y)
    number = (2 if quick else 10) if batch == 64 else (1 if quick else 3)
    results = compare(candidates, number=number, repeats=3 if quick else 9)
    program = compiled.program
    return {
        "results": results,
        "faults": {name: faults_per_call(fn, *_fault_calls(quick, batch)) for name, fn in candidates.items()},
        "trace_ms": program.trace_seconds * 1e3,
        "build_ms": program.build_seconds * 1e3,
        "first_call_ms": first_call * 1e3,
        "trace_cpu_ms": program.trace_cpu_seconds * 1e3,
        "build_cpu_ms": program.build_cpu_seconds * 1e3,
        "first_call_cpu_ms": first_call_cpu * 1e3,
        "numpy_calls": program.calls,
        "buffer_bytes": program.buffer_bytes,
    }


# ----------------------------------------------------------------- the chain
X0 = np.random.default_rng(0).standard_normal(16)


def chain(x):
    """Four elementwise ops per round, N_OPS in all, then a sum."""
    y = x
    for _ in range(N_OPS // 4):
        y = (y * 0.999).tanh() + 0.01
        y = y.sin()
    return y.sum()


def chain_numpy_gradient(x: np.ndarray) -> np.ndarray:
    """The chain's forward and backward written by hand: d(sum y)/dx."""
    saved = []
    y = x
    for _ in range(N_OPS // 4):
        t = np.tanh(y * 0.999)
        b = t + 0.01
        y = np.sin(b)
        saved.append((t, b))
    g = np.ones_like(y)
    for t, b in reversed(saved):
        g = g * np.cos(b)
        g = g * (1 - t * t)
        g = g * 0.999
    return g


def chain_case(quick: bool) -> dict:
    grad = ag.grad(chain)
    compiled = ag.compile(grad)
    start, start_cpu = time.perf_counter(), time.process_time()
    compiled(X0)
    first_call, first_call_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    assert np.array_equal(compiled(X0).data, grad(X0).data), "compiled gradient differs from eager"
    np.testing.assert_allclose(chain_numpy_gradient(X0), grad(X0).data, rtol=1e-12)
    candidates = {
        "numpy by hand": lambda: chain_numpy_gradient(X0),
        "ag.compile": lambda: compiled(X0),
        "autograd_core eager": lambda: grad(X0),
    }
    torch = optional("torch")
    if torch is not None:
        torch.set_num_threads(1)
        x0 = torch.tensor(X0)

        def torch_grad():
            x = x0.clone().requires_grad_(True)
            y = x
            for _ in range(N_OPS // 4):
                y = (y * 0.999).tanh() + 0.01
                y = y.sin()
            y.sum().backward()
            return x.grad

        candidates["PyTorch eager"] = torch_grad
    results = compare(candidates, number=5 if quick else 20, repeats=3 if quick else 9)
    program = compiled.program
    return {
        "results": results,
        "faults": {name: faults_per_call(fn, *_fault_calls(quick, 64)) for name, fn in candidates.items()},
        "trace_ms": program.trace_seconds * 1e3,
        "build_ms": program.build_seconds * 1e3,
        "first_call_ms": first_call * 1e3,
        "trace_cpu_ms": program.trace_cpu_seconds * 1e3,
        "build_cpu_ms": program.build_cpu_seconds * 1e3,
        "first_call_cpu_ms": first_call_cpu * 1e3,
        "numpy_calls": program.calls,
        "buffer_bytes": program.buffer_bytes,
    }


def run_case(name: str, quick: bool) -> dict:
    if name.startswith("mlp"):
        _, dtype, batch = name.split("-")
        return mlp_case(dtype, int(batch), quick)
    return chain_case(quick)


# --------------------------------------------------------------------- report
def main(quick: bool = False, only: str | None = None, cpu_time: bool = False) -> list[dict]:
    rows = []
    for name in [only] if only else CASES:
        cmd = [sys.executable, __file__, "--case", name, "--json"] + (["--quick"] if quick else [])
        cmd += ["--cpu-time"] if cpu_time else []
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        found = json.loads(out.strip().splitlines()[-1])
        floor = found["results"]["numpy by hand"]["median"]
        per = N_OPS if name.startswith("chain") else 1
        unit = "us/op" if per > 1 else "ms/step"
        scale = 1e6 / per if per > 1 else 1e3
        for engine, r in found["results"].items():
            rows.append(
                {
                    "case": name,
                    "engine": engine,
                    "time": f"{r['median'] * scale:.3f} {unit}",
                    "vs numpy": f"{r['median'] / floor:.2f}x",
                    "faults/step": f"{found['faults'][engine]:.1f}",
                }
            )
        clock = "cpu_" if cpu_time else ""
        rows[-len(found["results"])].update(
            trace=f"{found[f'trace_{clock}ms']:.1f} ms",
            build=f"{found[f'build_{clock}ms']:.1f} ms",
            first=f"{found[f'first_call_{clock}ms']:.1f} ms",
        )
        found["case"] = name
        found["ratio"] = found["results"]["ag.compile"]["median"] / floor
        rows.append({"case": "", "engine": ""})  # a blank line between cases
        main.found = getattr(main, "found", []) + [found]
    print("ag.compile: compiled steps against hand-written numpy (same process), eager mode and PyTorch eager")
    print(table(rows, ["case", "engine", "time", "vs numpy", "faults/step", "trace", "build", "first"]))
    for found in main.found:
        target = TARGETS[found["case"].split("-")[0]]
        verdict = "ok" if found["ratio"] <= target else "ABOVE TARGET"
        faults = found["faults"]["ag.compile"]
        floor = ""
        if GEMMS in found["results"]:
            gemms = found["results"][GEMMS]["median"] / found["results"]["numpy by hand"]["median"]
            floor = f" (its GEMMs alone: {gemms:.2f}x)"
        print(
            f"  {found['case']}: compiled {found['ratio']:.2f}x hand-written numpy{floor} (target <= {target}) "
            f"{verdict}; {faults:.1f} page faults per step; {found['numpy_calls']} numpy calls"
        )
    clock = "CPU time" if cpu_time else "wall time"
    print(f"written {save('compile', {'clock': clock, 'cases': main.found})}")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats (a smoke run)")
    parser.add_argument("--case", choices=CASES, help="run one case only")
    parser.add_argument(
        "--cpu-time", action="store_true", help="time with this process's CPU time (a busy, shared machine)"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a child process's output
    args = parser.parse_args()
    if args.cpu_time:
        _timing.CLOCK = time.process_time
    if args.json:
        print(json.dumps(run_case(args.case, args.quick)))
    else:
        main(args.quick, args.case, args.cpu_time)
