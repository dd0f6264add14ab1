"""Sphinx hooks for the API reference: the primitive table from the registry, the
registry's rule blocks laid out as formulas, and type names resolved to the public ones.

* ``source-read``: a page holding the README's primitive-table markers gets the
  table ``autograd_core.docs.primitive_table()`` renders from the registry.
* ``autodoc-process-docstring``: docstrings are plain text with maths, so the
  characters reST would take for markup in a formula (``|x|``, ``x*``,
  ``min_``) are escaped outside literals, examples and literal blocks; and
  the "Rules (from the primitive registry):" lines that the registry appends
  to a primitive's docstring become a titled block of formulas placed before
  the examples.
* ``missing-reference``: a type named by its defining module
  (``autograd_core.tensor.Tensor``) resolves to its documented public name
  (``autograd_core.Tensor``).
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

RULES_HEADER = "Rules (from the primitive registry):"


def insert_primitive_table(app: Sphinx, docname: str, source: list[str]) -> None:
    from autograd_core.docs import END, START, primitive_table

    if START in source[0]:
        table = primitive_table()
        source[0] = re.sub(f"{re.escape(START)}.*?{re.escape(END)}", lambda _: table, source[0], flags=re.S)


def process_docstring(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    rules = _take_rules(lines)
    lines[:] = escape_maths(lines)
    if rules:
        block = [".. rubric:: Rules (from the primitive registry)", ""]
        block += ["| " + _escape_all(rule) for rule in rules] + [""]
        first_example = next((i for i, line in enumerate(lines) if line.lstrip().startswith(">>>")), len(lines))
        lines[first_example:first_example] = block


def _take_rules(lines: list[str]) -> list[str]:
    """Remove the registry's rule block from ``lines`` and return its formula lines."""
    if RULES_HEADER not in lines:
        return []
    start = lines.index(RULES_HEADER)
    end = start + 1
    while end < len(lines) and lines[end].strip():
        end += 1
    rules = [line.strip() for line in lines[start + 1 : end]]
    del lines[start:end]
    return rules


def _escape_all(text: str) -> str:
    """Backslash every character reST would read as markup inside a formula line."""
    return re.sub(r"([*`|_\\])", r"\\\1", text)


LITERAL = re.compile(r"(``.+?``)")
# a | that is not a table or line-block border; a * that is not a bullet; a name ending in _ (a reST target)
MARKUP = re.compile(r"(?<!\\)(\||\*|(?<=\w)_(?=\W|$))")


def escape_maths(lines: list[str]) -> list[str]:
    """Escape |, * and trailing _ in prose lines, leaving literals, doctest blocks and literal blocks alone."""
    out: list[str] = []
    in_doctest = False
    literal_indent: int | None = None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:
            if stripped and indent <= literal_indent:
                literal_indent = None
            else:
                out.append(line)
                continue
        if stripped.startswith(">>>"):
            in_doctest = True
        if in_doctest:
            in_doctest = bool(stripped)
            out.append(line)
            continue
        if stripped.endswith("::"):
            literal_indent = indent
        out.append(_escape_prose(line))
    return out


def _escape_prose(line: str) -> str:
    head = len(line) - len(line.lstrip())
    body = line[head:]
    bullet = ""
    if body.startswith(("* ", "- ")):
        bullet, body = body[:2], body[2:]
    pieces = LITERAL.split(body)
    escaped = [p if LITERAL.fullmatch(p) else MARKUP.sub(r"\\\1", p) for p in pieces]
    return line[:head] + bullet + "".join(escaped)


def readable_signature(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, signature: str | None, annotation: str | None
) -> Any:
    """A dataclass field's ``<factory>`` default is not Python, and Sphinx would then split the
    signature at every comma (``dict[str`` ...): show the factory as ``...``."""
    if signature and "<factory>" in signature:
        return signature.replace("<factory>", "..."), annotation
    return None


PUBLIC = ("autograd_core", "nn", "viz")


def resolve_private_paths(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """``pkg.module.Name`` → the documented ``pkg.Name`` (or ``pkg.sub.Name``) when that exists."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    parts = target.split(".")
    if len(parts) < 3 or parts[0] not in PUBLIC:
        return None
    domain = env.get_domain("py")
    for public in (f"{parts[0]}.{parts[-1]}", *(f"{parts[0]}.{sub}.{parts[-1]}" for sub in ("optim", "data"))):
        if public in domain.objects:
            node["reftarget"] = public
            return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], public, node, contnode)
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", insert_primitive_table)
    app.connect("autodoc-process-docstring", process_docstring)
    app.connect("missing-reference", resolve_private_paths)
    app.connect("autodoc-process-signature", readable_signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
