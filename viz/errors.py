"""The exceptions viz raises, each saying how to fix the problem."""

from __future__ import annotations

from autograd_core.errors import AutogradError, GraphFreedError

INSTALL_GRAPHVIZ = (
    "install Graphviz so that `dot` is on PATH: `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `conda install graphviz`, or see https://graphviz.org/download/; "
    "the graph's DOT source is still available as graph.source"
)


class GraphReleasedError(GraphFreedError):
    """The graph to draw or trace was released by an earlier ``backward()``, which did not keep what is needed.

    >>> x = ag.tensor(np.ones(1000), requires_grad=True)
    >>> loss = ag.tanh(2.0 * x).sum()
    >>> loss.backward()  # keeps only the shapes of large tensors
    >>> viz.trace_backward(loss)
    Traceback (most recent call last):
        ...
    viz.errors.GraphReleasedError: viz.trace_backward(loss) replays the backward pass, ... call viz.trace_backward(loss) before loss.backward(), or pass retain_graph=True to backward()
    >>> issubclass(viz.GraphReleasedError, ag.errors.GraphFreedError)  # caught as the core's error too
    True
    """


class GraphvizNotFoundError(AutogradError, RuntimeError):
    """Rendering needs the Graphviz ``dot`` program, which is not installed.

    >>> import os
    >>> saved_path, os.environ["PATH"] = os.environ["PATH"], ""  # as on a machine without Graphviz
    >>> try:
    ...     path = viz.render(ag.tensor(1.0, requires_grad=True) * 2, "graph.svg")
    ... except viz.GraphvizNotFoundError as err:
    ...     print(err)  # says how to install Graphviz
    ... finally:
    ...     os.environ["PATH"] = saved_path
    rendering needs the Graphviz `dot` program, which was not found; install Graphviz so that `dot` is on PATH: ...
    >>> issubclass(viz.GraphvizNotFoundError, RuntimeError)
    True
    """


class PlotsUnavailableError(AutogradError, ImportError):
    """``viz.plots`` needs matplotlib, the optional ``plots`` extra.

    >>> import sys
    >>> saved = sys.modules.get("matplotlib.backends.backend_agg")
    >>> sys.modules["matplotlib.backends.backend_agg"] = None  # as on a machine without matplotlib
    >>> try:
    ...     figure = viz.plots.plot_history({"loss": [1.0, 0.5, 0.2]})
    ... except ImportError as err:  # a PlotsUnavailableError is an ImportError
    ...     print(type(err).__name__, err)  # says how to install matplotlib
    ... finally:
    ...     del sys.modules["matplotlib.backends.backend_agg"]
    ...     if saved is not None:
    ...         sys.modules["matplotlib.backends.backend_agg"] = saved
    PlotsUnavailableError plotting needs matplotlib, which is not installed; install the plots extra: pip install 'autograd-core[plots]'
    """
