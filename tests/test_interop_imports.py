"""Importing the library never imports an optional interop package (each is imported only where used)."""

import json
import subprocess
import sys

OPTIONAL = ("sklearn", "onnx", "onnxruntime", "torch", "jax", "scipy")


def test_import_loads_no_optional_package():
    code = (
        "import json, sys; import autograd_core, nn, viz; "
        f"print(json.dumps([m for m in {OPTIONAL!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
