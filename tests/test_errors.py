"""The exception hierarchy: every library error is caught by the builtin a user already catches."""

import pytest

from autograd_core import errors


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.ShapeError, ValueError),
        (errors.DtypeError, TypeError),
        (errors.GradientError, RuntimeError),
        (errors.StateDictError, KeyError),
        (errors.UnsafeFileError, ValueError),
        (errors.TrainingError, RuntimeError),
    ],
)
def test_errors_subclass_the_builtin_and_the_library_base(cls, builtin):
    assert issubclass(cls, builtin)
    assert issubclass(cls, errors.AutogradError)
    with pytest.raises(builtin, match="try a smaller learning rate"):
        raise cls("try a smaller learning rate")
