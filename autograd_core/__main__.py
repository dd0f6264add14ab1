"""Command line for a source checkout.

``python -m autograd_core docs [README.md]`` regenerates the README's primitive table;
``python -m autograd_core stubs`` regenerates the type-checker blocks (Tensor methods, exports).
"""

import sys
from pathlib import Path

from . import stubs
from .docs import update_readme

USAGE = "usage: python -m autograd_core docs [path/to/README.md] | stubs"

if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "docs":
        readme = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent / "README.md"
        if not readme.exists():
            sys.exit(f"{readme} does not exist: `docs` rewrites the README of a source checkout; pass its path")
        print(f"{readme}: {'updated' if update_readme(readme) else 'already current'}")
    elif command == "stubs":
        changed = stubs.update()
        print("updated: " + ", ".join(str(p) for p in changed) if changed else "stubs already current")
    else:
        sys.exit(USAGE)
