"""viz: pictures of the forward and backward passes, a step-by-step backprop trace, and training plots.

viz only reads the recorded graph; it never changes it (gradients are
replayed without touching ``.grad`` or releasing the graph).

>>> import autograd_core as ag, viz
>>> a = ag.tensor(2.0, requires_grad=True, name="a")
>>> L = (a * a).tanh()
>>> g = viz.draw_graph(L, mode="both")   # a graphviz.Digraph; displays inline in Jupyter
>>> print(viz.trace_backward(L))         # doctest: +SKIP
"""

from . import plots
from .errors import GraphReleasedError, GraphvizNotFoundError, PlotsUnavailableError
from .graph import draw_graph
from .monitor import GradientNormHistory
from .render import render, save_step_graphs
from .trace import BackpropTrace, Step, trace_backward

__all__ = [
    "BackpropTrace",
    "draw_graph",
    "GradientNormHistory",
    "GraphReleasedError",
    "GraphvizNotFoundError",
    "plots",
    "PlotsUnavailableError",
    "render",
    "save_step_graphs",
    "Step",
    "trace_backward",
]
