"""Command line: ``python -m autograd_core docs [README.md]`` regenerates the README's primitive table."""

import sys
from pathlib import Path

from .docs import update_readme

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "docs":
        sys.exit("usage: python -m autograd_core docs [path/to/README.md]")
    readme = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent / "README.md"
    print(f"{readme}: {'updated' if update_readme(readme) else 'already current'}")
