"""The main demo (`make demo`): backpropagation you can check and see.

1. XOR with plain Tensor operations: the loss falls below 0.01 and one
   gradient is checked against finite differences.
2. An MLP trained on two moons with ``nn.fit`` and a progress bar; the loss
   curve and the decision boundary are saved.
3. One training step drawn: the forward pass with its values, the backward
   pass with the gradient on every edge, and the per-layer δ's of the trace.
4. Forward versus reverse mode: the notes' 4-8-6-4-2 Jacobian three ways,
   and a sweep showing where one mode overtakes the other.

    python examples/demo.py [output folder]      (default: out/demo)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import forward_vs_reverse  # noqa: E402
import train_moons  # noqa: E402
import xor  # noqa: E402

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import viz  # noqa: E402
from viz import plots  # noqa: E402
from viz.tables import layer_table  # noqa: E402


def heading(text: str) -> None:
    print("\n" + "=" * 78 + f"\n{text}\n" + "=" * 78)


def moons_section(out: Path) -> tuple[train_moons.MoonsRun, list[Path]]:
    """Train on moons with a progress bar; save the loss curve and the decision boundary."""
    run = train_moons.train_moons(epochs=100, progress=True, seed=0)
    print(f"trained {len(run.history.epochs)} epochs; test accuracy {run.test_accuracy:.1%}")
    curve, boundary = out / "loss_curve.png", out / "decision_boundary.png"
    plots.plot_history(run.history, curve)
    plots.plot_decision_boundary(run.model, run.X_test, run.y_test, boundary)  # the held-out points it was scored on
    return run, [curve, boundary]


def training_step_section(run: train_moons.MoonsRun, out: Path) -> list[Path]:
    """Draw one training step of the moons model on four test points, then print its per-layer δ's."""
    X, y = run.X_test[:4], run.y_test[:4]
    loss = nn.CrossEntropyLoss()(run.model(ag.tensor(X, name="x batch")), y)
    loss.name = "loss"
    paths = viz.save_step_graphs(loss, out)  # before backward(): the pictures replay it, changing nothing
    print(layer_table(viz.trace_backward(loss)))
    loss.backward()
    return list(paths.values())


def main(out_dir: str = "out/demo") -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    heading("1. Reverse mode, checked by hand: XOR with plain Tensor operations")
    xor.main()

    heading("2. Training an MLP on two moons (nn.fit, Adam, early stopping)")
    run, files = moons_section(out)
    written += files

    heading("3. One training step, drawn forward and backward")
    written += training_step_section(run, out)

    heading("4. Forward versus reverse mode")
    forward_vs_reverse.main(out / "forward_vs_reverse", max_size=256)
    written += sorted((out / "forward_vs_reverse").glob("*"))

    heading("Files written")
    for path in written:
        print(f"  {Path(path).resolve()}")
    return written


if __name__ == "__main__":
    main(*sys.argv[1:])
