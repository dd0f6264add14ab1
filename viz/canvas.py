"""The one way viz makes a matplotlib figure: on the non-interactive Agg canvas, with matplotlib imported late."""

from __future__ import annotations

from typing import Any

from .errors import PlotsUnavailableError

PLOTS_EXTRA = "pip install 'autograd-core[plots]'"


def figure(**kwargs: Any) -> Any:
    """A new matplotlib ``Figure`` (``kwargs`` go to it) on the Agg canvas, without pyplot.

    Raises ``PlotsUnavailableError``, naming the extra to install, when
    matplotlib is missing.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise PlotsUnavailableError(
            f"plotting needs matplotlib, which is not installed; install the plots extra: {PLOTS_EXTRA}"
        ) from err
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig
