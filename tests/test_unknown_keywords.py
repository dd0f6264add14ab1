"""Every public function named in the registry answers an unknown keyword with the library's
ArgumentTypeError naming the keyword (and what it accepts), never Python's bare TypeError."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError
from autograd_core.registry import API

NAMES = sorted(API)


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_keyword_gets_the_library_error(name):
    fn = API[name].function
    t = ag.tensor(np.ones((3, 3)))
    for args in ((t,), (t, t), (t, t, t), (t, t, t, t), ([t, t],), ()):
        try:
            fn(*args, zzbogus=1)
        except ArgumentTypeError as err:
            assert "zzbogus" in str(err)
            return
        except TypeError as err:
            assert "missing" in str(err) or "positional" in str(err), f"{name}: a bare TypeError: {err}"
    pytest.fail(f"{name} accepted, or never reached, the unknown keyword zzbogus=")


def test_the_error_lists_the_accepted_names():
    with pytest.raises(ArgumentTypeError, match=r"sum\(\) takes .*axis= \(or dim=\).*not dims="):
        ag.sum(ag.ones(3), dims=0)
    with pytest.raises(ArgumentTypeError, match=r"tanh\(\) takes no keyword arguments, not out="):
        ag.tanh(ag.ones(3), out=None)
    with pytest.raises(
        ArgumentTypeError, match=r"svd\(\) takes a=, full_matrices=, compute_uv=, hermitian=, not driver="
    ):
        ag.linalg.svd(ag.ones((2, 2)), driver="gesvd")


def test_tensor_methods_of_operands_only_stay_the_fast_function():
    """x.tanh() and x * y bind the function without a ** parameter (no dict per call on the hot path)."""
    assert ag.Tensor.tanh is ag.tanh.method_function
    assert ag.Tensor.__mul__ is ag.mul.method_function
    assert ag.tanh.method_function(ag.tensor([0.0])).data[0] == 0.0


# ------------------------------------------------ beyond the registry: creation, transforms, nn.functional
def _guarded_functions():
    import inspect

    import autograd_core.creation as creation
    import autograd_core.functional as functional
    import nn.functional as F

    found = [("ag.vmap", ag.vmap)]
    for prefix, module in (("ag.", creation), ("ag.", functional), ("F.", F)):
        for name, obj in sorted(vars(module).items()):
            if name.startswith("_") or not callable(obj) or inspect.isclass(obj):
                continue
            if getattr(obj, "__module__", None) == module.__name__:
                found.append((prefix + name, obj))
    return found


GUARDED = _guarded_functions()
CREATION = ["ones", "zeros", "arange", "full", "eye", "linspace", "rand", "randn", "empty"]
TRANSFORMS = ["grad", "jacfwd", "jacrev", "vjp", "jvp", "hessian", "vmap", "value_and_grad", "hvp", "jacobian"]


def test_the_walk_covers_what_users_call():
    names = {n for n, _ in GUARDED}
    wanted = {f"ag.{n}" for n in CREATION + [n + "_like" for n in ("ones", "zeros", "full", "rand", "randn")]}
    wanted |= {f"ag.{n}" for n in TRANSFORMS}
    wanted |= {"F.cross_entropy", "F.gelu", "F.pad", "F.one_hot", "F.relu", "F.softmax", "F.mse_loss"}
    assert wanted <= names, wanted - names
    for name, fn in GUARDED:  # the same objects users reach
        owner = ag if name.startswith("ag.") else pytest.importorskip("nn.functional")
        short = name.split(".", 1)[1]
        assert getattr(owner, short, fn) is fn, name  # (a helper the package does not export is checked too)


@pytest.mark.parametrize("name, fn", GUARDED, ids=[n for n, _ in GUARDED])
def test_an_unknown_keyword_beyond_the_registry_gets_the_library_error(name, fn):
    t = ag.tensor(np.ones((3, 3)))
    with pytest.raises(ArgumentTypeError, match=rf"{fn.__name__}\(\) takes .*not zzbogus="):
        fn(t, zzbogus=1)  # reported before the function runs, whatever the other arguments


def test_pytorch_keyword_names_are_accepted():
    torch = pytest.importorskip("torch")
    a = np.arange(6.0).reshape(2, 3)
    x, t = ag.tensor(a), torch.tensor(a)
    pairs = [
        (x.transpose(dim0=0, dim1=1), t.transpose(dim0=0, dim1=1)),
        (x.pow(exponent=2), t.pow(exponent=2)),
        (ag.mm(input=x, mat2=x.T), torch.mm(input=t, mat2=t.T)),
        (x.mm(mat2=x.T), t.mm(mat2=t.T)),
        (x.permute(dims=(1, 0)), t.permute(dims=(1, 0))),
        (x.reshape(shape=(3, 2)), t.reshape(shape=(3, 2))),
        (x.view(size=(3, 2)), t.view(size=(3, 2))),
        (x.view(shape=(6,)), t.view(6)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_variadic_functions_list_their_keywords_not_their_operand():
    x = ag.ones((2, 3))
    with pytest.raises(ArgumentTypeError, match=r"permute\(\) takes dims=, not dim="):
        x.permute(dim=(1, 0))
    with pytest.raises(ArgumentTypeError, match=r"reshape\(\) takes shape=, not shp="):
        x.reshape(shp=(3, 2))
    with pytest.raises(ArgumentTypeError, match="not both"):
        x.reshape((3, 2), shape=(3, 2))
    with pytest.raises(ArgumentTypeError, match=r"transpose\(\) takes dim0=, dim1=, not axes="):
        x.transpose(axes=(1, 0))
