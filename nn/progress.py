"""``fit``'s progress display: tqdm's widget in Jupyter, text in a notebook without widgets, a bar in a terminal.

The metrics come right after the epoch counter and the bar takes what width
is left, so in an 80-column terminal the bar shrinks (and the timing may be
cut) but the metrics are never truncated.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from tqdm import tqdm

BAR_FORMAT = "{desc} {n_fmt}/{total_fmt}{postfix} |{bar}| {elapsed}<{remaining}"
SHORT_NAMES = {"accuracy": "acc", "val_accuracy": "val_acc"}


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (an IPython shell with a kernel), not a terminal IPython."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def epoch_bar(epochs: int, enabled: bool = True) -> Any:
    """A tqdm over ``range(epochs)``: where and how it shows depends on where the code runs.

    In Jupyter it is tqdm's notebook widget when ipywidgets is installed, else
    a text bar on the cell's output; in a terminal, a bar on stderr; with the
    output redirected to a file or pipe (and with ``enabled`` False), nothing.
    """
    steps: Iterable[int] = range(int(epochs))
    if not enabled:
        return tqdm(steps, disable=True)
    if in_notebook():
        if importlib.util.find_spec("ipywidgets") is not None:
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm(steps, desc="fit", unit="epoch")
        return tqdm(steps, desc="fit", unit="epoch", file=sys.stdout, ncols=100, disable=False, bar_format=BAR_FORMAT)
    return tqdm(steps, desc="fit", unit="epoch", disable=None, dynamic_ncols=True, bar_format=BAR_FORMAT)


def postfix(logs: Mapping[str, float]) -> str:
    """The metrics as the bar shows them: ``loss=0.2345 val_loss=0.2567 acc=0.9375`` (no learning rate)."""
    return " ".join(f"{SHORT_NAMES.get(k, k)}={v:.4g}" for k, v in logs.items() if k != "lr")
