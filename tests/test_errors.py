"""The exception hierarchy, through real error paths: each library error is caught by the builtin a user already catches.

Every case makes the library fail the way a user would, catches the error
as the builtin (ValueError, TypeError, RuntimeError, KeyError), and checks
that it is the library's class and that its message says what to do.
"""

import ast
import builtins
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import errors
from nn import errors as nn_errors
from nn.data import DataLoader


def add_mismatched_shapes():
    ag.tensor(np.ones(2)) + ag.tensor(np.ones(3))


def require_grad_of_integers():
    ag.tensor(np.array([1, 2]), requires_grad=True)


def backward_without_seed():
    ag.tensor([1.0, 2.0], requires_grad=True).exp().backward()


def backward_twice():
    y = ag.tensor(2.0, requires_grad=True).exp()
    y.backward()
    y.backward()


def write_in_place_into_a_graph():
    ag.tensor([1.0], requires_grad=True).add_(1.0)


def produce_nan_under_anomaly_detection():
    with ag.detect_anomaly(), np.errstate(invalid="ignore"):
        ag.log(ag.tensor(-1.0, requires_grad=True))


def gradcheck_a_wrong_derivative():
    ag.gradcheck(lambda x: x.detach() * x, (ag.tensor([1.0, 2.0], requires_grad=True),))


def load_a_state_dict_missing_keys():
    nn.Linear(2, 1).load_state_dict({})


def build_a_dropout_of_probability_two():
    nn.Dropout(2.0)


def put_a_function_in_a_sequential():
    nn.Sequential(lambda x: x)


def load_a_pickled_file(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, payload=np.array([{"any": "object"}], dtype=object))
    nn.load(path)


def label_outside_the_classes():
    nn.functional.cross_entropy(ag.zeros(1, 3), np.array([5]))


def train_on_nan_data():
    model = nn.Linear(1, 1)
    loader = DataLoader(np.array([[np.nan]]), np.array([[1.0]]))
    nn.fit(model, nn.MSELoss(), nn.optim.SGD(model.parameters(), lr=0.1), loader, 1, progress=False)


@pytest.mark.parametrize(
    ("cause", "cls", "builtin", "message"),
    [
        (add_mismatched_shapes, errors.ShapeError, ValueError, r"shapes \(2,\) and \(3,\) cannot be broadcast"),
        (require_grad_of_integers, errors.DtypeError, TypeError, "only floating-point tensors"),
        (backward_without_seed, errors.GradientError, RuntimeError, "needs a seed gradient"),
        (backward_twice, errors.GraphFreedError, RuntimeError, "a second time"),
        (write_in_place_into_a_graph, errors.GradientError, RuntimeError, "compute a new tensor instead"),
        (produce_nan_under_anomaly_detection, errors.AnomalyError, RuntimeError, "log produced NaN"),
        (gradcheck_a_wrong_derivative, errors.GradcheckError, RuntimeError, "analytic 1, numeric 2"),
        (load_a_state_dict_missing_keys, nn_errors.StateDictError, KeyError, "missing key.*pass strict=False"),
        (load_a_pickled_file, nn_errors.UnsafeFileError, ValueError, "refusing to unpickle"),
        (label_outside_the_classes, errors.LabelError, ValueError, r"label 5 is outside the range \[0, 3\)"),
        (train_on_nan_data, nn_errors.TrainingError, RuntimeError, "the loss became nan.*smaller learning rate"),
        (build_a_dropout_of_probability_two, errors.InvalidArgumentError, ValueError, r"in \[0, 1\]"),
        (put_a_function_in_a_sequential, errors.ArgumentTypeError, TypeError, "Sequential holds Modules"),
    ],
    ids=lambda v: v.__name__ if callable(v) and not isinstance(v, type) else None,
)
def test_real_errors_are_caught_as_the_builtin_and_say_what_to_do(cause, cls, builtin, message, tmp_path):
    with pytest.raises(builtin, match=message) as caught:
        cause(tmp_path) if cause is load_a_pickled_file else cause()
    assert isinstance(caught.value, cls) and isinstance(caught.value, errors.AutogradError)


def test_state_dict_error_messages_are_not_quoted_like_key_errors():
    with pytest.raises(KeyError) as caught:
        load_a_state_dict_missing_keys()
    assert str(caught.value).startswith("load_state_dict into Linear: missing key(s) 'weight', 'bias'")


# Builtins the library may still raise: Python's own protocols (abstract methods, attribute and mapping lookups).
ALLOWED_BUILTINS = {"NotImplementedError", "AttributeError", "KeyError"}
BUILTIN_ERRORS = {name for name in dir(builtins) if name.endswith("Error")} | {"Exception"}
PACKAGES = ("autograd_core", "nn", "viz")


def test_the_library_raises_its_own_errors_rather_than_bare_builtins():
    offenders = []
    root = Path(__file__).parent.parent
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Raise)
                    and isinstance(node.exc, ast.Call)
                    and isinstance(node.exc.func, ast.Name)
                ):
                    name = node.exc.func.id
                    if name in BUILTIN_ERRORS and name not in ALLOWED_BUILTINS:
                        offenders.append(f"{path.relative_to(root)}:{node.lineno} raises {name}")
    assert not offenders, offenders


def test_the_core_neither_imports_nor_names_nn_or_viz():
    """Layering: autograd_core stands alone; nn-only errors (state dicts, files, fitting, training) live in nn.errors."""
    root = Path(__file__).parent.parent
    offenders = []
    for path in sorted((root / "autograd_core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            offenders += [
                f"{path.relative_to(root)}:{node.lineno} imports {m}"
                for m in modules
                if m.split(".")[0] in ("nn", "viz")
            ]
    assert not offenders, offenders
    for name in ("StateDictError", "UnsafeFileError", "NotFittedError", "TrainingError"):
        assert not hasattr(errors, name) and issubclass(getattr(nn_errors, name), errors.AutogradError)
