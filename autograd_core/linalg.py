"""``ag.linalg``: linear algebra as in ``numpy.linalg`` and ``torch.linalg``.

``ag.linalg.inv(A)``, ``solve``, ``det``, ``slogdet``, ``cholesky``, ``norm``,
``vector_norm`` and ``matrix_norm``, each differentiable in reverse and
forward mode; ``np.linalg.inv(t)`` on a Tensor calls the same function. The
functions are declared in ``primitives.decompositions`` and
``primitives.norms`` with ``namespace="linalg"``; this module gathers them.
"""

from . import primitives  # noqa: F401  (declares the functions gathered here)
from .registry import API

globals().update({entry.function.__name__: entry.function for entry in API.values() if entry.namespace == "linalg"})
__all__ = sorted(entry.function.__name__ for entry in API.values() if entry.namespace == "linalg")
