"""Forward versus reverse mode: the Jacobian of f: R^D → R^M built from D JVPs or from M VJPs.

A JVP J·v pushes one tangent from the input to the output (forward mode); with
v = eⱼ it gives column j of J, so the full Jacobian takes D JVPs, one per input
dimension. A VJP uᵀ·J pulls one cotangent from the output back to the input
(reverse mode); with u = eᵢ it gives row i, so the Jacobian takes M VJPs, one
per output dimension. Forward mode is cheaper when D < M, reverse when M < D.
(The notes' slide "Computing the Jacobian" says "M JVPs (one per input
dimension) or D VJPs (one per output dimension)": the letters are swapped,
the words in brackets are right.)

Part 1 takes the notes' 4-8-6-4-2 tanh network, f = f4∘f3∘f2∘f1, and computes
its 2×4 Jacobian three ways: jacfwd, jacrev and the product J4·J3·J2·J1 of the
layer Jacobians, counting primitive applications and flops for each. Part 2
sweeps D with M fixed, then M with D fixed, timing and counting both modes,
and draws the crossover at D ≈ M (a text table when matplotlib is missing).

    python examples/forward_vs_reverse.py [--out DIR] [--max-size 1024]
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import autograd_core as ag  # noqa: E402
from viz.cost_plot import CostSweep, cost_table, plot_costs  # noqa: E402

NOTES_SIZES = (4, 8, 6, 4, 2)
PASSES_TEXT = (
    "For f: R^D → R^M, forward mode builds J column by column from D JVPs (one per input dimension,\n"
    "J·eⱼ) and reverse mode builds it row by row from M VJPs (one per output dimension, eᵢᵀ·J).\n"
    "Note: the notes' slide 'Computing the Jacobian' swaps the letters ('M JVPs (one per input\n"
    "dimension) or D VJPs (one per output dimension)'); its bracketed words are the correct part."
)


def tanh_layers(sizes: tuple[int, ...], seed: int = 0) -> list[tuple[ag.Tensor, ag.Tensor]]:
    """Weights W (out × in), scaled by 1/√in, and biases for each layer; constants, not trained."""
    rng = np.random.default_rng(seed)
    return [
        (ag.tensor(rng.standard_normal((m, n)) / np.sqrt(n)), ag.tensor(0.5 * rng.standard_normal(m)))
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]


def layer_functions(layers: list[tuple[ag.Tensor, ag.Tensor]]) -> list[Any]:
    """f_ℓ(x) = tanh(W_ℓ·x + b_ℓ) for the hidden layers and W·x + b for the output layer."""

    def hidden(w: ag.Tensor, b: ag.Tensor) -> Any:
        return lambda x: ag.tanh(ag.linear(x, w, b))

    def output(w: ag.Tensor, b: ag.Tensor) -> Any:
        return lambda x: ag.linear(x, w, b)

    return [hidden(w, b) for w, b in layers[:-1]] + [output(*layers[-1])]


def compose(fs: list[Any]) -> Any:
    """f = f_L ∘ … ∘ f_1."""

    def f(x: ag.Tensor) -> ag.Tensor:
        for f_l in fs:
            x = f_l(x)
        return x

    return f


def part1_notes_network() -> dict[str, np.ndarray]:
    """The 4-8-6-4-2 network's Jacobian by jacfwd, by jacrev and as J4·J3·J2·J1, with their costs."""
    fs = layer_functions(tanh_layers(NOTES_SIZES))
    f = compose(fs)
    x = ag.tensor(np.random.default_rng(1).standard_normal(NOTES_SIZES[0]))
    d, m = NOTES_SIZES[0], NOTES_SIZES[-1]
    print(f"Part 1. The notes' network x ∈ R^{d} → 8 → 6 → 4 → o ∈ R^{m}, tanh hidden layers, f = f4∘f3∘f2∘f1")

    xs = [x]
    for f_l in fs[:-1]:
        xs.append(f_l(xs[-1]))
    for k, (f_l, x_l) in enumerate(zip(fs, xs, strict=True), start=1):
        j = ag.jacobian(f_l)(x_l)
        print(f"  J{k} = ∂f{k}/∂x{k}: R^{x_l.size} → R^{j.shape[0]}, shape {j.shape}")

    def by_layers(x: ag.Tensor) -> ag.Tensor:
        jacobians = []
        for f_l in fs:
            jacobians.append(ag.jacobian(f_l)(x))  # each layer by the cheaper mode for its shape
            x = f_l(x)
        product = jacobians[0]
        for j in jacobians[1:]:
            product = j @ product
        return product

    ways = {
        f"jacfwd ({d} JVPs)": ag.jacfwd(f),
        f"jacrev ({m} VJPs)": ag.jacrev(f),
        "J4·J3·J2·J1 (layer Jacobians)": by_layers,
    }
    results, costs = {}, {}
    for name, way in ways.items():
        with ag.count_ops() as meter:
            results[name] = way(x).data
        costs[name] = meter
    reference = results[next(iter(results))]
    print(f"\n  the full {m}×{d} Jacobian (by jacfwd):")
    print("  " + np.array2string(reference, precision=6, suppress_small=True).replace("\n", "\n  "))
    print(f"\n  {'way':<32} {'primitive + rule applications':>30} {'flops':>8} {'max |J - J_jacfwd|':>20}")
    for name, j in results.items():
        assert np.allclose(j, reference, rtol=0, atol=1e-12), name
        print(
            f"  {name:<32} {costs[name].total_calls:>30} {costs[name].total_flops:>8,} {np.abs(j - reference).max():>20.1e}"
        )
    print(
        "  (all three agree to 1e-12; the product costs most here because it builds every layer's\n"
        "  Jacobian in full, each by the cheaper mode for its own shape, before multiplying them)\n"
    )
    print("  " + PASSES_TEXT.replace("\n", "\n  "))
    return results


def _best_seconds(fn: Any, repeat: int, budget: float = 0.002) -> float:
    """Best time per call over ``repeat`` runs, each long enough (≈ ``budget`` s) to time reliably."""
    fn()
    timer = timeit.Timer(fn)
    number = 1
    while timer.timeit(number) < budget and number < 1 << 12:
        number *= 2
    return min(timer.repeat(repeat=repeat, number=number)) / number


def sweep(varied: str, fixed: int, sizes: list[int], hidden: int, repeat: int) -> CostSweep:
    """Time and count jacfwd and jacrev on R^D → R^M tanh MLPs (two hidden layers) as one size grows."""
    result = CostSweep(varied, fixed)
    for n in sizes:
        d, m = (n, fixed) if varied == "D" else (fixed, n)
        f = compose(layer_functions(tanh_layers((d, hidden, hidden, m), seed=n)))
        x = ag.tensor(np.random.default_rng(n).standard_normal(d))
        result.sizes.append(n)
        for mode, transform in (("forward", ag.jacfwd), ("reverse", ag.jacrev)):
            jac = transform(f)
            with ag.count_ops() as meter:
                jac(x)
            result.flops[mode].append(meter.total_flops)
            result.seconds[mode].append(_best_seconds(lambda jac=jac: jac(x), repeat))
    return result


def part2_sweep(out_dir: Path, max_size: int, fixed: int, hidden: int, repeat: int) -> list[CostSweep]:
    """Sweep D (M fixed) and M (D fixed) over 1, 2, 4, …, ``max_size``; plot or tabulate."""
    sizes = [2**k for k in range(max_size.bit_length()) if 2**k <= max_size]
    print(
        f"\nPart 2. R^D → R^M tanh MLPs with two hidden layers of {hidden}: D grows with M = {fixed}, then M grows with D = {fixed}"
    )
    sweeps = [sweep("D", fixed, sizes, hidden, repeat), sweep("M", fixed, sizes, hidden, repeat)]
    print(cost_table(sweeps))
    print(
        "  Counted flops: jacfwd = (1 + D)·F and jacrev = (1 + M)·F for one forward pass F, so they cross exactly at D = M;\n"
        "  the times cross near it (per-pass overhead moves the crossing a little). Times are best-of-N\n"
        "  wall clock and get noisy while other programs keep the CPU busy; the flop counts are exact."
    )
    try:
        paths = plot_costs(sweeps, out_dir)
    except ImportError as err:
        print(f"  no plot: {err}")
    else:
        print("  plot written to: " + ", ".join(str(p) for p in paths))
    return sweeps


def main(
    out_dir: str | Path = "out/forward_vs_reverse",
    *,
    max_size: int = 1024,
    fixed: int = 32,
    hidden: int = 256,
    repeat: int = 7,
) -> dict[str, Any]:
    """Run both parts, writing the plot into ``out_dir``; a smaller ``max_size`` gives a quicker sweep."""
    out_dir = Path(out_dir)
    print(f"Output folder: {out_dir.resolve()}\n")
    jacobians = part1_notes_network()
    sweeps = part2_sweep(out_dir, max_size, fixed, hidden, repeat)
    return {"jacobians": jacobians, "sweeps": sweeps}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Forward versus reverse mode on the notes' network and a D/M sweep.")
    parser.add_argument("--out", default="out/forward_vs_reverse", help="folder for the plot (PNG and SVG)")
    parser.add_argument("--max-size", type=int, default=1024, help="largest D and M in the sweep (a power of 2)")
    parser.add_argument("--fixed", type=int, default=32, help="the size held fixed while the other grows")
    parser.add_argument("--hidden", type=int, default=256, help="width of the two hidden layers")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per point (the best is kept)")
    args = parser.parse_args()
    main(args.out, max_size=args.max_size, fixed=args.fixed, hidden=args.hidden, repeat=args.repeat)
