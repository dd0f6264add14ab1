"""The exceptions viz raises, each saying how to fix the problem."""

from __future__ import annotations

from autograd_core.errors import AutogradError, GraphFreedError

INSTALL_GRAPHVIZ = (
    "install Graphviz so that `dot` is on PATH: `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `conda install graphviz`, or see https://graphviz.org/download/; "
    "the graph's DOT source is still available as graph.source"
)


class GraphReleasedError(GraphFreedError):
    """The graph to draw or trace was released by an earlier ``backward()``, which did not keep what is needed."""


class GraphvizNotFoundError(AutogradError, RuntimeError):
    """Rendering needs the Graphviz ``dot`` program, which is not installed."""


class PlotsUnavailableError(AutogradError, ImportError):
    """``viz.plots`` needs matplotlib, the optional ``plots`` extra."""
