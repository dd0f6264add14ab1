"""The exceptions nn raises besides those of ``autograd_core.errors``, each saying how to fix the problem."""

from __future__ import annotations

from autograd_core.errors import AutogradError


class UnsupportedModuleError(AutogradError, TypeError):
    """A model holds a module that an export or conversion (ONNX, PyTorch) has no translation for; the message names it."""


class MissingDependencyError(AutogradError, ImportError):
    """A feature needs an optional package that is not installed; the message says what to install."""
