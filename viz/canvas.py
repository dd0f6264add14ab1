"""The one way viz makes a matplotlib figure: on the non-interactive Agg canvas, with matplotlib imported late."""

from __future__ import annotations

from typing import Any

from .errors import PlotsUnavailableError

PLOTS_EXTRA = "pip install 'autograd-core[plots]'"


def figure(**kwargs: Any) -> Any:
    """A new matplotlib ``Figure`` (``kwargs`` go to it) on the Agg canvas, without pyplot.

    It is an ``InlineFigure``: in Jupyter it displays as a PNG when it is the
    last expression of a cell, without ``%matplotlib inline``. Raises
    ``PlotsUnavailableError``, naming the extra to install, when matplotlib
    is missing.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from .inline_figure import InlineFigure
    except ImportError as err:
        raise PlotsUnavailableError(
            f"plotting needs matplotlib, which is not installed; install the plots extra: {PLOTS_EXTRA}"
        ) from err
    fig = InlineFigure(**kwargs)
    FigureCanvasAgg(fig)
    return fig
