"""A cost meter: how many primitive applications and flops a computation takes.

Convention: matmul costs 2·m·n·k, elementwise ops one flop per output element,
reductions one per input element, shape and indexing ops nothing. A VJP or
JVP rule application costs its primitive's forward flops times the number of
vectors it carries (so a vectorised Jacobian's D tangents cost D times).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from . import _state


class OpCounter:
    """Counts per primitive (and per ``name.vjp`` / ``name.jvp`` rule): applications and flops.

    >>> with ag.count_ops() as meter:
    ...     ag.ones(3, 4).sum()
    tensor(12.)
    >>> meter.total_calls, meter.total_flops
    (1, 12)
    >>> isinstance(meter, ag.OpCounter)
    True
    """

    def __init__(self) -> None:
        self.calls: dict[str, int] = defaultdict(int)
        self.flops: dict[str, int] = defaultdict(int)

    def add(self, name: str, flops: int) -> None:
        """Record one application of ``name`` costing ``flops``."""
        self.calls[name] += 1
        self.flops[name] += flops

    @property
    def total_calls(self) -> int:
        """All applications counted."""
        return sum(self.calls.values())

    @property
    def total_flops(self) -> int:
        """All flops counted."""
        return sum(self.flops.values())

    def table(self) -> str:
        """A text table: one row per primitive, sorted by flops."""
        rows = sorted(self.calls, key=lambda k: (-self.flops[k], k))
        width = max([len(r) for r in rows] + [9])
        lines = [f"{'primitive':<{width}}  {'calls':>7}  {'flops':>14}"]
        lines += [f"{r:<{width}}  {self.calls[r]:>7}  {self.flops[r]:>14,}" for r in rows]
        lines.append(f"{'total':<{width}}  {self.total_calls:>7}  {self.total_flops:>14,}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"OpCounter(calls={self.total_calls}, flops={self.total_flops})"


@contextmanager
def count_ops() -> Iterator[OpCounter]:
    """Count the primitives applied (and rules run) inside the block.

    >>> w = ag.ones(2, 3, requires_grad=True)
    >>> with ag.count_ops() as meter:
    ...     (w @ ag.ones(3)).sum().backward()
    >>> sorted(meter.calls)
    ['matmul', 'matmul.vjp', 'sum', 'sum.vjp']
    """
    meter = OpCounter()
    with _state.switched(counters=_state.current().counters + (meter,)):
        yield meter
