"""Every exception the library raises on bad input.

Each subclasses the builtin a user already catches (ValueError, TypeError,
RuntimeError), and each message says what went wrong and how to fix it.
"""

from __future__ import annotations


class AutogradError(Exception):
    """Base class of all library errors (catch this to catch them all)."""


class InvalidArgumentError(AutogradError, ValueError):
    """An argument has a value the function cannot use; the message lists what it accepts."""


class ArgumentTypeError(AutogradError, TypeError):
    """An argument (or a function's result) is of a type the operation cannot use."""


class UnsizedError(AutogradError, TypeError):
    """A 0-d tensor has no length and cannot be iterated."""


class IndexingError(AutogradError, IndexError):
    """An index is out of range for the tensor, or of a kind that cannot index it."""


class NotFoundError(AutogradError, KeyError):
    """A named or numbered item (a layer, a key) does not exist; the message lists the ones that do."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ShapeError(AutogradError, ValueError):
    """Operand shapes do not fit the operation; the message names the op and the shapes."""


class DtypeError(AutogradError, TypeError):
    """A dtype cannot do what was asked, e.g. an integer tensor requiring gradients."""


class MissingDependencyError(AutogradError, ImportError):
    """An optional library a function needs is not installed; the message names the ``pip install`` to run."""


class GradientError(AutogradError, RuntimeError):
    """``backward()`` was asked for something it cannot do (no seed, no graph, ...)."""


class BatchingError(AutogradError, RuntimeError):
    """``vmap`` was asked for something it cannot batch: reading one example's values, mismatched batch sizes."""


class GraphFreedError(GradientError):
    """A backward pass reached a graph whose saved values an earlier pass released."""


class InplaceModificationError(GradientError):
    """A tensor saved for backward was written in place after it was saved."""


class AnomalyError(GradientError):
    """``detect_anomaly()`` saw a NaN or inf appear in a forward or backward pass."""


class GradcheckError(AutogradError, RuntimeError):
    """Analytic and finite-difference derivatives disagree."""


class StateDictError(AutogradError, KeyError):
    """A state dict's keys or shapes do not match the module it is loaded into."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnsafeFileError(AutogradError, ValueError):
    """A file would need unpickling (arbitrary code) to load; it is refused."""


class LabelError(AutogradError, ValueError):
    """A class label lies outside the range of classes the logits provide."""


class NotFittedError(AutogradError, RuntimeError):
    """A transform was used before ``fit`` gave it its parameters."""


class TrainingError(AutogradError, RuntimeError):
    """Training cannot go on (e.g. the loss became NaN or inf); the message says where and what to try."""


def shapes_text(*shapes: tuple[int, ...]) -> str:
    """``(3, 4) and (5, 2)`` — shapes joined for messages."""
    parts = [str(tuple(s)) for s in shapes]
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
