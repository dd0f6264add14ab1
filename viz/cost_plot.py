"""The forward-versus-reverse cost picture: seconds and flops of jacfwd and jacrev as D or M grows.

For f: R^D → R^M forward mode needs D JVPs and reverse mode M VJPs, so with M
held fixed the forward curve climbs with D and crosses the flat reverse curve
near D = M (and the other way round when D is held fixed). matplotlib (the
optional ``plots`` extra) is imported only when the plot is drawn, on the
non-interactive Agg canvas; ``cost_table`` gives the same numbers as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .canvas import figure

MODES = ("forward", "reverse")


@dataclass
class CostSweep:
    """Costs of both modes while one dimension (``varied``, "D" or "M") grows and the other stays ``fixed``."""

    varied: str
    fixed: int
    sizes: list[int] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in MODES})
    flops: dict[str, list[int]] = field(default_factory=lambda: {m: [] for m in MODES})

    @property
    def held(self) -> str:
        """The name of the dimension held fixed."""
        return "M" if self.varied == "D" else "D"


def plot_costs(sweeps: Sequence[CostSweep], out_dir: str | Path, name: str = "forward_vs_reverse") -> list[Path]:
    """Draw time (top) and flops (bottom) against the varied size, one column per sweep; write PNG and SVG.

    Both axes are logarithmic; a dashed line marks D = M, where the two modes cost the same number of flops.

    >>> from viz.cost_plot import CostSweep
    >>> sweep = CostSweep("D", 8)
    >>> sweep.sizes += [1, 8, 64]
    >>> sweep.flops["forward"] += [20, 90, 650]
    >>> sweep.flops["reverse"] += [90, 90, 90]
    >>> sweep.seconds["forward"] += [1e-4, 4e-4, 3e-3]
    >>> sweep.seconds["reverse"] += [4e-4, 4e-4, 5e-4]
    >>> [p.name for p in viz.plots.plot_mode_costs([sweep], "costs")]
    ['forward_vs_reverse.png', 'forward_vs_reverse.svg']
    """
    fig = figure(figsize=(5.2 * len(sweeps), 7.5))
    axes = fig.subplots(2, len(sweeps), squeeze=False)
    style = {"forward": ("tab:blue", "o", "jacfwd: D JVPs"), "reverse": ("tab:orange", "s", "jacrev: M VJPs")}
    for col, sweep in enumerate(sweeps):
        for row, (values, unit) in enumerate(
            ((sweep.seconds, "time per Jacobian [ms]"), (sweep.flops, "flops counted"))
        ):
            ax = axes[row][col]
            for mode in MODES:
                color, marker, label = style[mode]
                ys = [v * 1e3 for v in values[mode]] if row == 0 else values[mode]
                ax.plot(sweep.sizes, ys, marker=marker, color=color, label=label)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.axvline(sweep.fixed, color="grey", linestyle="--", linewidth=1)
            ax.annotate(
                f"D = M = {sweep.fixed}",
                (sweep.fixed, 0.97),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="top",
                fontsize=8,
                color="grey",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
            ax.set_xlabel(f"{sweep.varied} ({sweep.held} = {sweep.fixed} fixed)")
            ax.set_ylabel(unit)
            ax.grid(True, which="major", alpha=0.3)
            ax.legend(loc="upper left" if sweep.varied == "D" else "upper right", fontsize=8)
        axes[0][col].set_title(f"f: R^D → R^M, {sweep.held} = {sweep.fixed}, {sweep.varied} grows")
    fig.suptitle("Forward mode (one JVP per input) vs reverse mode (one VJP per output)")
    fig.tight_layout()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    for path in paths:
        fig.savefig(path, dpi=120)
    return paths


def cost_table(sweeps: Sequence[CostSweep]) -> str:
    """The sweeps as text: per size, ms and flops of both modes and which mode is cheaper."""
    lines = []
    for sweep in sweeps:
        lines.append(f"{sweep.held} = {sweep.fixed} fixed, {sweep.varied} grows")
        lines.append(
            f"  {sweep.varied:>5} {'jacfwd ms':>10} {'jacrev ms':>10} {'jacfwd flops':>14} {'jacrev flops':>14}  faster"
        )
        for i, n in enumerate(sweep.sizes):
            fwd_s, rev_s = sweep.seconds["forward"][i], sweep.seconds["reverse"][i]
            lines.append(
                f"  {n:>5} {fwd_s * 1e3:>10.3f} {rev_s * 1e3:>10.3f} "
                f"{sweep.flops['forward'][i]:>14,} {sweep.flops['reverse'][i]:>14,}  "
                f"{'jacfwd' if fwd_s < rev_s else 'jacrev'}"
            )
    return "\n".join(lines)
