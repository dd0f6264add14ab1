"""Text that goes into DOT: escaping for HTML-like labels and quoted attributes, input symbols, op parameters.

Every piece of user-controlled text (tensor and module names, values, op
parameters) passes through ``html`` or ``attr`` before it reaches the DOT
source, so nothing can close a label early or inject attributes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import graphviz
import numpy as np

from .arrays import compact, shape_text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_HTML_RE = re.compile("[&<>\"']")
_MACRON = "\u0304"


def html(text: Any) -> str:
    """Escape ``text`` for an HTML-like label; newlines become left-aligned line breaks."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    s = _CONTROL.sub("\ufffd", s)
    s = _HTML_RE.sub(lambda m: _HTML[m.group()], s)
    return s.replace("\n", '<BR ALIGN="LEFT"/>')


def attr(text: Any) -> graphviz.quoting.NoHtml:
    """Make ``text`` inert in a quoted attribute such as a tooltip.

    Graphviz expands backslash sequences there (``\\N`` becomes the node's
    id, and the number of unescaping passes differs between versions), so a
    backslash is shown as the look-alike ``⧵`` and line breaks as spaces.
    Quotes are escaped by graphviz's own quoting; ``nohtml`` stops text that
    happens to look like ``<...>`` from being taken for an HTML label.
    """
    s = str(text).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    s = _CONTROL.sub("\ufffd", s)
    return graphviz.nohtml(s.replace("\\", "\u29f5"))


def _top_level_parts(text: str) -> list[str]:
    """``text`` split at ", " outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def input_symbols(prim: Any, n_inputs: int) -> list[str | None]:
    """The input names a primitive's VJP formula uses, by position (``"ā = ȳ·b, b̄ = ȳ·a"`` → a, b).

    When the formula names only the differentiable inputs (``where``'s a and b
    but not its condition), the names go to the inputs that have a VJP rule.
    Inputs the formula does not name are None (callers fall back to positions).
    """
    names = []
    for part in _top_level_parts(prim.formula.vjp):
        head = unicodedata.normalize("NFD", part.split(" ", 1)[0])
        if _MACRON not in head:
            return [None] * n_inputs
        names.append(unicodedata.normalize("NFC", head.replace(_MACRON, "")))
    if len(names) == n_inputs:
        return names
    try:
        rules = [prim.vjps[i] for i in range(n_inputs)]
    except (IndexError, TypeError):
        return [None] * n_inputs
    slots = [i for i, rule in enumerate(rules) if rule is not None]
    if len(slots) != len(names):
        return [None] * n_inputs
    out: list[str | None] = [None] * n_inputs
    for i, name in zip(slots, names, strict=True):
        out[i] = name
    return out


def bar(symbol: str) -> str:
    """The cotangent symbol: ``a`` → ``ā`` (a combining macron after the first letter)."""
    return unicodedata.normalize("NFC", symbol[:1] + _MACRON + symbol[1:])


def params_text(op: str, params: dict, ndim: int | None = None) -> str:
    """Short text for an op's parameters: ``axis=0``, ``[0:2, 1]`` for an index.

    With the input's ``ndim``, negative axes (the core stores reductions that
    way) are shown counted from the front, as a student would write them.
    """
    parts = []
    for key, value in params.items():
        if value is None or value is False:
            continue
        if key == "axis" and ndim:
            value = tuple(a % ndim for a in value) if isinstance(value, tuple) else value % ndim
        if isinstance(value, tuple) and len(value) == 1:
            value = value[0]
        if op == "getitem" and hasattr(value, "items"):
            parts.append("[" + ", ".join(_index_item(i) for i in value.items) + "]")
        else:
            parts.append(f"{key}={_param_value(value)}")
    return ", ".join(parts)


def _index_item(item: Any) -> str:
    if isinstance(item, slice):
        if item == slice(None):
            return ":"
        text = f"{'' if item.start is None else item.start}:{'' if item.stop is None else item.stop}"
        return text + (f":{item.step}" if item.step is not None else "")
    if item is None:
        return "None"
    return _param_value(item)


def _param_value(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return compact(value, 4) if value.size <= 4 else f"array{shape_text(value.shape)}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_param_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= 24 else text[:23] + "…"
