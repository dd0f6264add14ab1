"""The main demo (`make demo`): backpropagation you can check and see.

1. XOR with plain Tensor operations: the loss falls below 0.01, and one
   gradient is checked against finite differences.

    python examples/demo.py [output folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import xor  # noqa: E402


def main(out_dir: str = "out/demo") -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    print("=" * 78)
    print("1. Reverse mode by hand-checkable example")
    print("=" * 78)
    xor.main()


if __name__ == "__main__":
    main(*sys.argv[1:])
