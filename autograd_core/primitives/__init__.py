"""All primitives, grouped by family; each module declares its own on import.

The exports are generated from the declarations (``registry.API``); the stub
beside this file lists them for type checkers and is checked against this
list by the tests (``python -m autograd_core stubs`` rewrites it). Functions
declared with a ``namespace`` (``ag.linalg.inv``) are exported by that
submodule instead of here.
"""

from ..registry import API
from . import (  # noqa: F401  (each registers its primitives)
    contractions,
    decompositions,
    elementwise,
    index,
    linalg,
    logical,
    nn_ops,
    norms,
    ordering,
    reduce,
    scans,
    selection,
    shape,
)

globals().update({name: entry.function for name, entry in API.items() if not entry.namespace})
__all__ = sorted(name for name, entry in API.items() if not entry.namespace)
