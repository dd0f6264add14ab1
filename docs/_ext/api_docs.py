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
* ``autodoc-before-process-signature``: defaults are shown as the source
  writes them (``dtype=np.float64``, not a repr), matched to the signature's
  parameters by name (see ``preserve_defaults``).
"""

from __future__ import annotations

import ast
import inspect
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


class SourceDefault:
    """A default value shown as its source text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def written_defaults(obj: Any) -> dict[str, str]:
    """The source text of each default of the function ``obj`` (after ``__wrapped__``), by parameter name."""
    try:
        source = inspect.getsource(obj)
    except (OSError, TypeError):
        return {}
    indented = source.startswith((" ", "\t"))  # a method
    if indented:
        source = "if True:\n" + source
    try:
        module = ast.parse(source)
    except SyntaxError:
        return {}
    node = module.body[0].body[0] if indented else module.body[0]  # type: ignore[attr-defined]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {}
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = [*zip(positional[len(positional) - len(args.defaults) :], args.defaults)]
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    texts = {a.arg: ast.get_source_segment(source, d) or "" for a, d in pairs}
    # a signature is one line: a default written over several lines is shown normalised
    return {a.arg: ast.unparse(d) if "\n" in texts[a.arg] or not texts[a.arg] else texts[a.arg] for a, d in pairs}


def preserve_defaults(app: Sphinx, obj: Any, bound_method: bool) -> None:
    """Show each default as its source writes it, pairing the signature's parameters with the source's by name.

    Sphinx's own ``autodoc_preserve_defaults`` pairs them by position, which
    fails ("pop from empty list") on a function whose ``__signature__`` lists
    parameters its source does not write: the registry's generated functions
    show PyTorch's keyword names (``dim=``, ``keepdim=``) next to numpy's. A
    parameter the source does not write keeps its default's repr.
    """
    written = written_defaults(obj)
    if not written:
        return
    function = obj.__func__ if bound_method and inspect.ismethod(obj) else obj
    try:
        sig = inspect.signature(function)
    except (TypeError, ValueError):
        return
    params = [
        p.replace(default=SourceDefault(written[p.name])) if p.default is not p.empty and p.name in written else p
        for p in sig.parameters.values()
    ]
    try:
        obj.__signature__ = sig.replace(parameters=params)
    except AttributeError:  # a bound method: set it on the function
        obj.__dict__["__signature__"] = sig.replace(parameters=params)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("autodoc-before-process-signature", preserve_defaults)
    app.connect("source-read", insert_primitive_table)
    app.connect("autodoc-process-docstring", process_docstring)
    app.connect("missing-reference", resolve_private_paths)
    app.connect("autodoc-process-signature", readable_signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
