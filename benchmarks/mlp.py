"""One SGD step of a 784-256-256-10 ReLU MLP with softmax cross-entropy.

Compared in the same run against hand-written numpy forward/backward of the
same maths (after checking both give the same gradients), at batch 64 and
1024, float32 and float64; PyTorch CPU when installed. Targets: ≤ 1.05× the
hand-written numpy at batch 1024 and ≤ 1.15× at batch 64.

    python benchmarks/mlp.py [--quick]
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
    """The same network through autograd_core: linear, relu, fused cross-entropy."""

    def __init__(self, params):
        self.params = [ag.tensor(p, requires_grad=True) for p in params]

    def loss(self, x, y):
        w1, b1, w2, b2, w3, b3 = self.params
        h = ag.linear(x, w1, b1).relu()
        h = ag.linear(h, w2, b2).relu()
        return ag.cross_entropy(ag.linear(h, w3, b3), y).mean()

    def gradients(self, x, y):
        self.loss(x, y).backward()
        grads = [p.grad.data for p in self.params]
        for p in self.params:
            p.grad = None
        return grads

    def step(self, x, y):
        self.loss(x, y).backward()
        for p in self.params:
            p.data -= LR * p.grad.data
            p.grad = None


def torch_step(params, dtype):
    torch = optional("torch")
    if torch is None:
        return None
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

    return step, torch


def check_same_gradients(dtype):
    params = init_params(dtype)
    x, y = data(64, dtype)
    tol = 1e-10 if dtype == np.float64 else 2e-4
    for a, b in zip(NumpyMLP(params).gradients(x, y), EngineMLP(params).gradients(x, y)):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)


def main(quick: bool = False) -> list[dict]:
    rows = []
    for dtype in (np.float32, np.float64):
        check_same_gradients(dtype)
        for batch in (64, 1024):
            params = init_params(dtype)
            x, y = data(batch, dtype)
            numpy_net, engine_net = NumpyMLP(params), EngineMLP(params)
            candidates = {
                "numpy by hand": lambda: numpy_net.step(x, y),
                "autograd_core": lambda: engine_net.step(x, y),
            }
            found = torch_step(params, dtype)
            if found is not None:
                step, torch = found
                torch.set_num_threads(1)
                tx, ty = torch.from_numpy(x), torch.from_numpy(y)
                candidates["PyTorch"] = lambda: step(tx, ty)
            number = (20 if batch == 64 else 4) if not quick else 2
            res = compare(candidates, number=number, repeats=7 if not quick else 2)
            floor = res["numpy by hand"]["median"]
            for name, r in res.items():
                rows.append(
                    {
                        "dtype": np.dtype(dtype).name,
                        "batch": batch,
                        "engine": name,
                        "ms/step": round(r["median"] * 1e3, 3),
                        "ratio": round(r["median"] / floor, 3),
                    }
                )
    print("One SGD step of a 784-256-256-10 ReLU MLP (softmax cross-entropy); gradients checked equal")
    print(table(rows, ["dtype", "batch", "engine", "ms/step", "ratio"]))
    targets = {64: 1.15, 1024: 1.05}
    for r in rows:
        if r["engine"] == "autograd_core":
            verdict = "ok" if r["ratio"] <= targets[r["batch"]] else "ABOVE TARGET"
            print(
                f"  {r['dtype']} batch {r['batch']}: {r['ratio']:.3f}x hand-written numpy (target <= {targets[r['batch']]}) {verdict}"
            )
    print(f"written {save('mlp', {'rows': rows})}")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats (a smoke run)")
    main(parser.parse_args().quick)
