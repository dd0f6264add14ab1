"""Command line: ``python -m autograd_core docs [README.md | --print]`` regenerates the README's primitive table;
``python -m autograd_core stubs`` regenerates the type-checker blocks (Tensor methods, exports).

It is a tool for a source checkout: without a path it rewrites the README.md
next to the package, which an installed package does not have; ``--print``
writes the table to stdout instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .docs import START, primitive_table, update_readme

USAGE = "usage: python -m autograd_core docs [path/to/README.md | --print] | stubs"
NOT_A_CHECKOUT = (
    "python -m autograd_core docs regenerates the primitive table of the README.md in a source checkout, and this "
    "installed package has none next to it; run it from a checkout, pass the README's path "
    "(python -m autograd_core docs path/to/README.md), or print the table with --print"
)


def default_readme() -> Path:
    """The README.md a source checkout has next to the package."""
    return Path(__file__).resolve().parent.parent / "README.md"


def main(argv: list[str]) -> int:
    """Run the command; returns the exit status."""
    if argv == ["stubs"]:
        from . import stubs

        changed = stubs.update()
        print("updated: " + ", ".join(str(p) for p in changed) if changed else "stubs already current")
        return 0
    if not argv or argv[0] != "docs" or len(argv) > 2:
        print(USAGE, file=sys.stderr)
        return 2
    if argv[1:] == ["--print"]:
        print(primitive_table())
        return 0
    if len(argv) == 2:
        readme = Path(argv[1])
    else:
        readme = default_readme()
        if not readme.is_file():
            print(NOT_A_CHECKOUT, file=sys.stderr)
            return 2
    if not readme.is_file():
        print(f"{readme}: no such file; {USAGE}", file=sys.stderr)
        return 2
    if START not in readme.read_text(encoding="utf-8"):
        print(f"{readme} has no {START} marker, so there is no table to regenerate in it", file=sys.stderr)
        return 2
    print(f"{readme}: {'updated' if update_readme(readme) else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
