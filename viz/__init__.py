"""viz: pictures of the forward and backward passes, a step-by-step backprop trace, an explorer, and training plots.

viz only reads the recorded graph; it never changes it (gradients are
replayed without touching ``.grad`` or releasing the graph). Draw before or
after ``loss.backward()``: after it, the picture is read from what the
released graph kept (every small value, from which the gradients are
replayed; only the shape of a large array), so ``loss.backward(); viz.draw_graph(loss, mode="both")``
shows each node's value and the gradient backward computed, as micrograd's
``draw_dot`` does.

* ``draw_graph(root, mode="forward" | "backward" | "both", ..., size=)`` → a
  ``Picture`` (a ``graphviz.Digraph``, inline in Jupyter as SVG);
  ``render(graph_or_root, path)`` writes SVG, PNG or PDF;
  ``save_step_graphs(loss, folder)`` writes the forward and backward picture
  of one training step.
* ``trace_backward(loss)`` → a ``BackpropTrace``: ``print()`` it for the
  step table and the per-layer δ's (an HTML table in Jupyter),
  ``.frames(folder)`` for one picture per step, ``.to_html(path)`` for its
  explorer page.
* ``explore(loss, path)`` → one self-contained HTML page stepping through the
  forward and backward pass node by node (inline in Jupyter).
* ``viz.plots``: ``plot_history``, ``plot_decision_boundary``,
  ``plot_activations``, ``plot_gradient_norms`` (with ``GradientNormHistory``
  as an ``nn.fit`` callback), ``plot_jacobian`` (matplotlib, the ``plots``
  extra); each figure displays inline in Jupyter.

>>> import autograd_core as ag, viz
>>> a = ag.tensor(2.0, requires_grad=True, name="a")
>>> L = (a * a).tanh()
>>> g = viz.draw_graph(L, mode="both")
>>> print(viz.trace_backward(L))         # doctest: +SKIP
"""

from autograd_core import register_library_package

from . import plots
from .errors import GraphReleasedError, GraphvizNotFoundError, PlotsUnavailableError
from .explorer import Explorer, explore
from .graph import draw_graph
from .monitor import GradientNormHistory
from .picture import Picture
from .render import render, save_step_graphs
from .trace import BackpropTrace, Step, trace_backward

__all__ = [
    "BackpropTrace",
    "draw_graph",
    "Explorer",
    "explore",
    "GradientNormHistory",
    "GraphReleasedError",
    "GraphvizNotFoundError",
    "Picture",
    "plots",
    "PlotsUnavailableError",
    "render",
    "save_step_graphs",
    "Step",
    "trace_backward",
]

register_library_package(__file__)  # anomaly reports name the user's line, not viz's
