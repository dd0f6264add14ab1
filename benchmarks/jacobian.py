"""Jacobians both ways, against hand-written numpy and the peers that are installed.

For f: R^D → R^M the Jacobian J (M × D) takes D JVPs (forward mode, a column
each) or M VJPs (reverse mode, a row each), so the right mode should win by
about max(D, M) / min(D, M) when the network's cost dominates. Functions:

* R^1000 → R^10 and R^10 → R^1000, MLPs with two hidden tanh layers of 256;
* the 4-8-6-4-2 tanh network from the course notes (where overhead dominates).

Each is timed with ``jacfwd``/``jacrev``, the same maths written by hand in
batched numpy (the floor), ``torch.func.jacfwd/jacrev``, JAX (un-jitted and
jitted) and HIPS autograd when installed. Timings are best and median per call
over repeats; every ratio comes from the same run. A table is printed and the
results are written as JSON (default ``benchmarks/results/jacobian.json``).

    python benchmarks/jacobian.py [--repeat 15] [--quick] [--case NAME] [--out PATH]

Timings from a loaded machine are not comparable; the JSON records the load
average. BLAS runs on one thread unless OPENBLAS_NUM_THREADS says otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# isort: off
from _timing import compare, save  # first: it pins BLAS threads before numpy loads

# isort: on
import numpy as np

import autograd_core as ag

Layers = list[tuple[np.ndarray, np.ndarray]]

CASES: dict[str, tuple[int, ...]] = {
    "R^1000->R^10": (1000, 256, 256, 10),
    "R^10->R^1000": (10, 256, 256, 1000),
    "4-8-6-4-2": (4, 8, 6, 4, 2),
}
#: Targets from the issue, in milliseconds where absolute.
TARGET_SMALL_MS = 0.2
TARGET_MODE_RATIO = 5.0
TARGET_VS_NUMPY = 2.0


def init_layers(sizes: tuple[int, ...], seed: int = 0) -> Layers:
    """Weights W (out × in) scaled by 1/√in and small biases, float64."""
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((m, n)) / np.sqrt(n), 0.1 * rng.standard_normal(m))
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]


# ------------------------------------------------------------------ this library
def ours(layers: Layers) -> Callable[[Any], ag.Tensor]:
    """f(x) = W₃·tanh(W₂·tanh(W₁·x + b₁) + b₂) + b₃ built from ``ag.linear`` and ``ag.tanh``."""
    params = [(ag.tensor(w), ag.tensor(b)) for w, b in layers]
    last = len(params) - 1

    def f(x: ag.Tensor) -> ag.Tensor:
        for k, (w, b) in enumerate(params):
            x = ag.linear(x, w, b)
            if k < last:
                x = ag.tanh(x)
        return x

    return f


# ------------------------------------------------------------- numpy by hand
def numpy_jacfwd(layers: Layers, x: np.ndarray) -> np.ndarray:
    """Forward mode by hand: V ← I_D, then V ← Wₗ·V and V ← diag(1 − hₗ²)·V layer by layer (J = V)."""
    last = len(layers) - 1
    v = np.eye(x.size)
    for k, (w, b) in enumerate(layers):
        x = w @ x + b
        v = w @ v
        if k < last:
            x = np.tanh(x)
            v *= (1 - x * x)[:, None]
    return v


def numpy_jacrev(layers: Layers, x: np.ndarray) -> np.ndarray:
    """Reverse mode by hand: forward storing hₗ, then U ← I_M, U ← U·diag(1 − hₗ²), U ← U·Wₗ backwards (J = U)."""
    last = len(layers) - 1
    hidden = []
    for k, (w, b) in enumerate(layers):
        x = w @ x + b
        if k < last:
            x = np.tanh(x)
            hidden.append(x)
    u = np.eye(x.size)
    for k in range(last, -1, -1):
        if k < last:
            u *= 1 - hidden[k] * hidden[k]
        u = u @ layers[k][0]
    return u


# ---------------------------------------------------------------------- peers
def torch_jacobians(layers: Layers) -> dict[str, Callable[[np.ndarray], Callable[[], Any]]] | None:
    """``torch.func.jacfwd`` / ``jacrev`` of the same MLP (float64), or None without torch."""
    try:
        import torch
        import torch.func
    except ImportError:
        return None
    params = [(torch.from_numpy(w), torch.from_numpy(b)) for w, b in layers]
    last = len(params) - 1

    def f(x):
        for k, (w, b) in enumerate(params):
            x = torch.nn.functional.linear(x, w, b)
            if k < last:
                x = torch.tanh(x)
        return x

    def bind(transform):
        def make(x):
            xt = torch.from_numpy(x)
            return lambda: transform(xt)

        return make

    return {"torch.func.jacfwd": bind(torch.func.jacfwd(f)), "torch.func.jacrev": bind(torch.func.jacrev(f))}


def jax_jacobians(layers: Layers) -> dict[str, Callable[[np.ndarray], Callable[[], Any]]] | None:
    """JAX ``jacfwd`` / ``jacrev``, un-jitted and jitted (float64), or None without JAX."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in layers]
    last = len(params) - 1

    def f(x):
        for k, (w, b) in enumerate(params):
            x = w @ x + b
            if k < last:
                x = jnp.tanh(x)
        return x

    def bind(jac):
        def make(x):
            xj = jnp.asarray(x)
            return lambda: jac(xj).block_until_ready()

        return make

    out = {}
    for name, transform in (("jacfwd", jax.jacfwd), ("jacrev", jax.jacrev)):
        out[f"jax.{name}"] = bind(transform(f))
        out[f"jax.jit({name})"] = bind(jax.jit(transform(f)))
    return out


def hips_jacobians(layers: Layers) -> dict[str, Callable[[np.ndarray], Callable[[], Any]]] | None:
    """HIPS autograd's ``jacobian`` (reverse mode, one VJP per output in a loop), or None."""
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        return None
    last = len(layers) - 1

    def f(x):
        for k, (w, b) in enumerate(layers):
            x = anp.dot(w, x) + b
            if k < last:
                x = anp.tanh(x)
        return x

    jac = autograd.jacobian(f)
    return {"autograd.jacobian (rev, looped)": lambda x: lambda: jac(x)}


def mode_of(method: str) -> str:
    """ "forward" or "reverse", read from a method's label."""
    return "forward" if "fwd" in method or "forward" in method else "reverse"


def run_case(name: str, sizes: tuple[int, ...], repeat: int, peers: bool) -> list[dict[str, Any]]:
    """Time every method on one function, after checking all agree with the numpy Jacobian."""
    layers = init_layers(sizes)
    x = np.random.default_rng(1).standard_normal(sizes[0])
    f = ours(layers)
    xt = ag.tensor(x)
    jf, jr = ag.jacfwd(f), ag.jacrev(f)
    methods: dict[str, Callable[[], Any]] = {
        "numpy by hand (fwd)": lambda: numpy_jacfwd(layers, x),
        "numpy by hand (rev)": lambda: numpy_jacrev(layers, x),
        "ag.jacfwd": lambda: jf(xt),
        "ag.jacrev": lambda: jr(xt),
    }
    if peers:
        for loader in (torch_jacobians, jax_jacobians, hips_jacobians):
            found = loader(layers)
            if found:
                methods.update({label: make(x) for label, make in found.items()})
    reference = numpy_jacrev(layers, x)
    for method, fn in methods.items():
        result = fn()
        got = np.asarray(result.data if isinstance(result, ag.Tensor) else result)
        np.testing.assert_allclose(got, reference, rtol=1e-9, atol=1e-11, err_msg=f"{method} on {name}")
    rows = []
    for method, t in compare(methods, repeats=repeat).items():  # methods take turns; ~10 ms per timed run
        rows.append(
            {
                "case": name,
                "method": method,
                "mode": mode_of(method),
                "best_ms": t["best"] * 1e3,
                "median_ms": t["median"] * 1e3,
            }
        )
    return rows


def _best(rows: list[dict[str, Any]], case: str, method: str) -> float | None:
    for r in rows:
        if r["case"] == case and r["method"] == method:
            return r["best_ms"]
    return None


def checks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets that this run measured, each with the measured value and whether it holds."""
    out = []

    def add(text: str, num: float | None, den: float | None, ok: Callable[[float], bool]) -> None:
        if num is not None and den is not None:
            value = num / den
            out.append({"target": text, "value": round(value, 4), "met": bool(ok(value))})

    for case, right, wrong in (("R^1000->R^10", "rev", "fwd"), ("R^10->R^1000", "fwd", "rev")):
        mine = _best(rows, case, f"ag.jac{right}")
        add(
            f"{case}: jac{wrong} / jac{right} >= {TARGET_MODE_RATIO:g}",
            _best(rows, case, f"ag.jac{wrong}"),
            mine,
            lambda v: v >= TARGET_MODE_RATIO,
        )
        add(
            f"{case}: jac{right} / numpy by hand <= {TARGET_VS_NUMPY:g}",
            mine,
            _best(rows, case, f"numpy by hand ({right})"),
            lambda v: v <= TARGET_VS_NUMPY,
        )
        add(
            f"{case}: jac{right} / torch.func.jac{right} < 1",
            mine,
            _best(rows, case, f"torch.func.jac{right}"),
            lambda v: v < 1,
        )
    for method in ("ag.jacfwd", "ag.jacrev"):
        add(
            f"4-8-6-4-2: {method} ms <= {TARGET_SMALL_MS}",
            _best(rows, "4-8-6-4-2", method),
            1.0,
            lambda v: v <= TARGET_SMALL_MS,
        )
    return out


def table(rows: list[dict[str, Any]]) -> str:
    """One block per function: best and median ms, and the ratio to the hand-written numpy of the same mode."""
    lines = []
    for case in dict.fromkeys(r["case"] for r in rows):
        lines.append(f"\n{case}  (D={CASES[case][0]}, M={CASES[case][-1]})")
        lines.append(f"  {'method':<32} {'best ms':>9} {'median ms':>10} {'/ numpy same mode':>18}")
        for r in (r for r in rows if r["case"] == case):
            floor = _best(rows, case, "numpy by hand (fwd)" if r["mode"] == "forward" else "numpy by hand (rev)")
            lines.append(
                f"  {r['method']:<32} {r['best_ms']:>9.3f} {r['median_ms']:>10.3f} {r['best_ms'] / floor:>17.2f}x"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the table and the targets, write the JSON; returns the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per method (best and median over them)")
    parser.add_argument("--quick", action="store_true", help="3 repeats and no peers (a smoke test)")
    parser.add_argument("--case", action="append", choices=list(CASES), help="run only this function (repeatable)")
    parser.add_argument(
        "--out", type=Path, default=None, help="where to write the JSON (default benchmarks/results/jacobian.json)"
    )
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else args.repeat
    cases = {name: CASES[name] for name in args.case or CASES}
    rows = [row for name, sizes in cases.items() for row in run_case(name, sizes, repeat, peers=not args.quick)]
    results = {"repeat": repeat, "results": rows, "targets": checks(rows)}
    print(table(rows))
    print("\ntargets")
    for c in results["targets"]:
        print(f"  [{'met' if c['met'] else 'MISSED'}] {c['target']}: {c['value']:g}")
    print(f"\nwrote {save('jacobian', results, args.out)}")
    return results


if __name__ == "__main__":
    main()
