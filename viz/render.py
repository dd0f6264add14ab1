"""Write a graph picture to a file with the Graphviz ``dot`` program."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz

from autograd_core import Tensor
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError

from .errors import INSTALL_GRAPHVIZ, GraphvizNotFoundError
from .graph import FORMATS, draw_graph


def pipe(graph: graphviz.Digraph, fmt: str) -> bytes:
    """The rendered bytes of ``graph`` in format ``fmt`` (``svg``, ``png`` or ``pdf``)."""
    if fmt not in FORMATS:
        raise InvalidArgumentError(f"format must be one of {', '.join(map(repr, FORMATS))}, not {fmt!r}")
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as err:
        raise GraphvizNotFoundError(
            f"rendering needs the Graphviz `dot` program, which was not found; {INSTALL_GRAPHVIZ}"
        ) from err


def render(
    graph_or_root: graphviz.Digraph | Tensor,
    path: str | Path,
    format: str | None = None,  # noqa: A002  (the public argument name, as graphviz spells it)
    **draw: Any,
) -> Path:
    """Render a graph (or ``draw_graph(root, **draw)`` of a tensor) to ``path``; returns the path written.

    ``format`` is ``"svg"``, ``"png"`` or ``"pdf"``; by default it comes from
    the path's suffix (``svg`` when there is none, and the suffix is added).
    Parent folders are created. Raises ``GraphvizNotFoundError``, saying how
    to install Graphviz, when ``dot`` is missing.

    >>> a = ag.tensor(2.0, requires_grad=True, name="a")
    >>> b = ag.tensor(-3.0, requires_grad=True, name="b")
    >>> c = ag.tensor(10.0, requires_grad=True, name="c")
    >>> L = (a * b + c).tanh()
    >>> viz.render(L, "L.svg", mode="backward").name
    'L.svg'
    >>> viz.render(viz.draw_graph(L), "L_forward.png").stat().st_size > 0
    True
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    fmt = format or (suffix if suffix in FORMATS else "svg")
    if suffix != fmt:
        path = path.with_name(path.name + "." + fmt)
    if isinstance(graph_or_root, Tensor):
        graph = draw_graph(graph_or_root, **draw)
    elif isinstance(graph_or_root, graphviz.Digraph):
        if draw:
            raise ArgumentTypeError(f"drawing options ({', '.join(draw)}) only apply when render() is given a tensor")
        graph = graph_or_root
    else:
        raise ArgumentTypeError(f"render() takes a graphviz.Digraph or a Tensor, not {type(graph_or_root).__name__}")
    data = pipe(graph, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def save_step_graphs(
    loss: Tensor,
    folder: str | Path,
    stem: str = "training_step",
    format: str = "png",  # noqa: A002  (named like render's argument)
    rankdir: str = "TB",
    **draw: Any,
) -> dict[str, Path]:
    """Save the forward and the backward picture of one training step; returns {"forward": …, "backward": …}.

    Call it on the step's loss before ``loss.backward()`` (the gradients are
    replayed, nothing is changed) or after it (from what backward kept: large
    arrays show their shape), e.g. ``viz.save_step_graphs(loss, "out")``
    writes ``out/training_step_forward.png`` and ``out/training_step_backward.png``.
    Networks read best top to bottom, hence ``rankdir="TB"``; ``draw`` goes
    to ``draw_graph`` (``max_elements``, ``group_modules``, …).

    >>> model = nn.MLP([2, 3, 1], rng=0)
    >>> loss = nn.MSELoss()(model(ag.ones(4, 2)), ag.zeros(4, 1))
    >>> paths = viz.save_step_graphs(loss, "step")
    >>> sorted(p.name for p in paths.values())
    ['training_step_backward.png', 'training_step_forward.png']
    """
    folder = Path(folder)
    return {
        mode: render(loss, folder / f"{stem}_{mode}.{format}", format=format, mode=mode, rankdir=rankdir, **draw)
        for mode in ("forward", "backward")
    }
