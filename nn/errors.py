"""The exceptions nn raises besides those of ``autograd_core.errors``, each saying how to fix the problem."""

from __future__ import annotations

from autograd_core.errors import AutogradError
from autograd_core.errors import (
    MissingDependencyError as MissingDependencyError,  # re-exported: one class for both packages
)

__all__ = [
    "NotFittedError",
    "StateDictError",
    "TrainingError",
    "UnsafeFileError",
    "UnsupportedModuleError",
]


class UnsupportedModuleError(AutogradError, TypeError):
    """A model holds a module that an export or conversion (ONNX, PyTorch) has no translation for; the message names it.

    >>> class Doubler(nn.Module):
    ...     def forward(self, x):
    ...         return 2 * x
    >>> nn.export_onnx(nn.Sequential(nn.Linear(2, 2), Doubler()), None, np.zeros((1, 2)))
    Traceback (most recent call last):
        ...
    nn.errors.UnsupportedModuleError: export_onnx cannot export Doubler (1 (Doubler)): it has no ONNX ...
    """


class StateDictError(AutogradError, KeyError):
    """A state dict's keys or shapes do not match the module it is loaded into.

    >>> nn.Linear(2, 3).load_state_dict({"weight": np.zeros((3, 5)), "bias": np.zeros(3)})
    Traceback (most recent call last):
        ...
    nn.errors.StateDictError: load_state_dict: 'weight' has shape (3, 2) in the ...
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnsafeFileError(AutogradError, ValueError):
    """A file would need unpickling (arbitrary code) to load; it is refused.

    >>> nn.save({"model": object()}, "state.npz")
    Traceback (most recent call last):
        ...
    nn.errors.UnsafeFileError: save: state['model'] is of type object, which would ...
    """


class NotFittedError(AutogradError, RuntimeError):
    """A transform was used before ``fit`` gave it its parameters.

    >>> nn.data.StandardScaler().transform(np.ones((2, 2)))
    Traceback (most recent call last):
        ...
    nn.errors.NotFittedError: StandardScaler is not fitted yet: call fit(X_train) ...
    """


class TrainingError(AutogradError, RuntimeError):
    """Training cannot go on (e.g. the loss became NaN or inf); the message says where and what to try.

    >>> model = nn.Linear(1, 1)
    >>> X = np.array([[1.0], [np.nan]])
    >>> nn.fit(model, nn.MSELoss(), nn.optim.SGD(model.parameters()), nn.data.DataLoader(X, X, batch_size=None), epochs=1, progress=False)
    Traceback (most recent call last):
        ...
    nn.errors.TrainingError: the loss became nan at epoch 1, batch 1; training ...
    """
