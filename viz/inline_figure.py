"""``InlineFigure``: a matplotlib figure that shows itself in Jupyter as the last expression of a cell.

Imported only when a plot is made (matplotlib is the optional ``plots`` extra).
viz draws without pyplot, so no backend registers a display for its figures;
``_repr_png_`` gives Jupyter the picture whether or not ``%matplotlib inline``
ran (when it did, matplotlib's own display of a ``Figure`` is used instead, so
the plot still shows once).
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

INLINE_DPI = 100


class InlineFigure(Figure):
    """A ``matplotlib.figure.Figure`` with a PNG for Jupyter; save it with ``savefig`` as any figure."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=INLINE_DPI, bbox_inches="tight")
        return buffer.getvalue()
