"""``ag.compile``: trace a step once, replay it as a flat numpy program with planned buffers.

Modules: ``function`` (the compiled function and its cache), ``trace`` (the
recorder), ``lower`` (steps to numpy calls), ``plan`` (buffers), ``program``
(the generated source), ``guards`` (cache keys), ``hooks`` (what library
code calls to be recordable).
"""

from .function import CompiledFunction, CompileWarning, compile  # noqa: A004 - ag.compile, by design
from .hooks import recordable, recording
from .program import Program

__all__ = ["CompileWarning", "CompiledFunction", "Program", "compile", "recordable", "recording"]
