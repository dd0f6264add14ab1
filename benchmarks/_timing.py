"""Shared timing helpers for the benchmark scripts: interleaved repeats, medians, ratios, JSON."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def time_per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of ``fn``, averaged over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(candidates: dict[str, Callable[[], object]], number: int, repeats: int = 7) -> dict[str, dict[str, float]]:
    """Time every candidate in interleaved rounds (A B C A B C …) so machine drift hits all alike.

    Returns per candidate the median and best seconds per call over ``repeats`` rounds.
    """
    for fn in candidates.values():  # warm-up
        time_per_call(fn, max(1, number // 5))
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            samples[name].append(time_per_call(fn, number))
    return {name: {"median": statistics.median(s), "best": min(s)} for name, s in samples.items()}


def table(rows: list[dict[str, object]], columns: list[str]) -> str:
    """A plain-text table of ``rows`` (dicts) with the given column order."""
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def save(name: str, payload: dict) -> Path:
    """Write ``payload`` with machine facts to ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(exist_ok=True)
    payload = {"python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(), **payload}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2))
    return path


def optional(module: str):
    """Import ``module`` if installed, else None (peers are compared only when present)."""
    try:
        return __import__(module)
    except ImportError:
        return None
