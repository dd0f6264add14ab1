"""What every benchmark script shares: thread settings, interleaved timing, tables, JSON results.

Import this module before numpy: it pins BLAS to one thread unless the
environment says otherwise. On a shared 2-core machine a second BLAS thread
stalls whenever another process holds a core, which makes ratios
meaningless; every engine compared runs on the same BLAS either way.
"""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
for _name in THREAD_VARIABLES:
    os.environ.setdefault(_name, "1")

import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

# The scripts run from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results"
PEERS = ("torch", "jax", "jaxlib", "autograd", "scikit-learn")


#: The clock ``time_per_call`` reads: wall time by default; ``time.process_time`` (CPU time of this
#: process, which excludes the time other processes hold the cores) for runs on a busy machine.
CLOCK = time.perf_counter


def time_per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of ``fn``, averaged over ``number`` back-to-back calls (read on ``CLOCK``)."""
    clock = CLOCK
    start = clock()
    for _ in range(number):
        fn()
    return (clock() - start) / number


def calibrate(fn: Callable[[], object], budget: float = 0.01) -> int:
    """How many back-to-back calls make one timed run last about ``budget`` seconds."""
    fn()
    number = 1
    while time_per_call(fn, number) * number < budget and number < 1 << 16:
        number *= 2
    return number


def compare(
    candidates: dict[str, Callable[[], object]], number: int | None = None, repeats: int = 7
) -> dict[str, dict[str, float]]:
    """Time every candidate in interleaved rounds (A B C A B C …) so machine drift hits all alike.

    ``number`` calls make one timed run (None: calibrated per candidate to
    about 10 ms). Returns per candidate the median and best seconds per call
    over ``repeats`` rounds.
    """
    numbers = {name: number or calibrate(fn) for name, fn in candidates.items()}
    for name, fn in candidates.items():  # warm-up
        time_per_call(fn, max(1, numbers[name] // 5))
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            samples[name].append(time_per_call(fn, numbers[name]))
    return {name: {"median": statistics.median(s), "best": min(s)} for name, s in samples.items()}


def table(rows: list[dict[str, object]], columns: list[str]) -> str:
    """A plain-text table of ``rows`` (dicts) with the given column order."""
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    """Versions, thread settings and load, so results from different runs can be compared."""
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    if hasattr(os, "getloadavg"):
        env["load_average_1min"] = round(os.getloadavg()[0], 2)  # timings from a busy machine are not comparable
    env.update({k: os.environ[k] for k in THREAD_VARIABLES if k in os.environ})
    for dist in PEERS:
        try:
            env[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    torch = sys.modules.get("torch")
    if torch is not None:
        env["torch_threads"] = torch.get_num_threads()
    return env


def save(name: str, payload: dict, path: Path | None = None) -> Path:
    """Write ``payload`` with the environment as JSON (default ``benchmarks/results/<name>.json``)."""
    path = path or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"benchmark": name, "environment": environment(), **payload}, indent=2) + "\n")
    return path


def optional(module: str) -> Any:
    """Import ``module`` if installed, else None (peers are compared only when present)."""
    try:
        return __import__(module)
    except ImportError:
        return None
