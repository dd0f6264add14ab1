"""Text that goes into DOT: escaping for HTML-like labels and quoted attributes, and input symbols.

Every piece of user-controlled text (tensor and module names, values, op
parameters) passes through ``html`` or ``attr`` before it reaches the DOT
source, so nothing can close a label early or inject attributes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import graphviz

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_HTML_RE = re.compile("[&<>\"']")
_MACRON = "\u0304"


def html(text: Any) -> str:
    """Escape ``text`` for an HTML-like label; newlines become left-aligned line breaks."""
    s = _CONTROL.sub("\ufffd", str(text)).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
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
    s = _CONTROL.sub("\ufffd", str(text)).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
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
