"""Documentation generated from the primitive registry, the one source of the maths.

``documented(PRIM)`` appends a primitive's formulas to the docstring of the
public function that applies it; ``primitive_table()`` renders the reference
table in the README (``python -m autograd_core docs`` rewrites it).
"""

from __future__ import annotations

import re
from pathlib import Path

from .registry import REGISTRY

START, END = "<!-- primitives:start -->", "<!-- primitives:end -->"


def primitive_table() -> str:
    """A markdown table of every registered primitive: forward, VJP and JVP."""
    rows = ["| primitive | forward | VJP (reverse mode) | JVP (forward mode) |", "|---|---|---|---|"]
    for name in sorted(REGISTRY):
        f = REGISTRY[name].formula
        forward = f.forward.split(": ", 1)[1]
        rows.append(f"| `{name}` | {_cell(forward)} | {_cell(f.vjp)} | {_cell(f.jvp)} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def update_readme(path: Path) -> bool:
    """Rewrite the table between the README's markers; True if it changed."""
    text = path.read_text(encoding="utf-8")
    new = re.sub(f"{re.escape(START)}.*?{re.escape(END)}", f"{START}\n{primitive_table()}\n{END}", text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text
