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
