"""``Picture``: a graph picture that displays itself in Jupyter, or says how to install Graphviz when ``dot`` is missing."""

from __future__ import annotations

import html
from typing import Any

import graphviz

from .errors import INSTALL_GRAPHVIZ

MISSING_DOT = f"This picture needs the Graphviz `dot` program, which was not found; {INSTALL_GRAPHVIZ}."


class Picture(graphviz.Digraph):
    """A ``graphviz.Digraph`` (``.source`` is the DOT text) that displays inline in Jupyter as SVG.

    Where ``dot`` is not installed, a notebook shows the library's message with
    the install commands instead of graphviz's traceback.

    >>> pic = viz.draw_graph(ag.tensor(2.0, requires_grad=True) * 3)
    >>> isinstance(pic, viz.Picture)
    True
    >>> print(pic.source.splitlines()[0])  # the DOT text; Jupyter shows it rendered as SVG
    digraph autograd {
    """

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return missing_dot_bundle()

    def _repr_svg_(self) -> str | None:
        try:
            return self.pipe(format="svg", encoding="utf-8")
        except graphviz.ExecutableNotFound:
            return None


def missing_dot_bundle() -> dict[str, str]:
    """What a notebook shows instead of a picture when ``dot`` is missing."""
    return {
        "text/plain": MISSING_DOT,
        "text/html": (
            '<div style="border:1px solid #d97706;background:#fffbeb;padding:.6em .9em;font-family:sans-serif">'
            f"<b>Graphviz is not installed.</b> {html.escape(MISSING_DOT)}</div>"
        ),
    }
