"""All primitives, grouped by family; each module declares its own on import.

The exports are generated from the declarations (``registry.API``); the stub
beside this file lists them for type checkers and is checked against this
list by the tests (``python -m autograd_core stubs`` rewrites it).
"""

from ..registry import API
from . import (  # noqa: F401  (each registers its primitives)
    arithmetic,
    elementwise,
    index,
    linalg,
    nn_ops,
    reduce,
    reshaping,
    rounding,
    shape,
    special,
    stacking,
    tiling,
    transcendental,
)

globals().update({name: entry.function for name, entry in API.items()})
__all__ = sorted(API)
