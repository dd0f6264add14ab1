"""autograd_core: reverse- and forward-mode automatic differentiation over numpy.

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4.])
"""

from . import (
    _methods,  # noqa: F401  (binds operators and methods to Tensor)
    errors,
)
from ._methods import argmax, argmin
from ._numpy_protocol import nondifferentiable
from .apply import ApplyObserver, observing
from .backward import Observer, run_backward, topological_order
from .broadcasting import sum_to
from .compiler import CompiledFunction, CompileWarning, compile
from .cost import OpCounter, count_ops
from .creation import (
    arange,
    default_generator,
    eye,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    zeros,
    zeros_like,
)
from .dlpack import from_dlpack
from .forward import DualPair, dual_level, make_dual, unpack_dual
from .functional import grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp
from .gradcheck import dot_product_test, gradcheck
from .modes import (
    detect_anomaly,
    enable_grad,
    get_default_dtype,
    graph_scope,
    is_grad_enabled,
    no_grad,
    set_default_dtype,
    set_grad_enabled,
)
from .node import Node
from .primitives import *  # noqa: F403
from .primitives import __all__ as _primitive_names
from .registry import API, REGISTRY, Formula, Primitive, primitive, public
from .tensor import Tensor, as_tensor, tensor

__version__ = "0.1.0"

__all__ = [
    "API",
    "ApplyObserver",
    "CompileWarning",
    "CompiledFunction",
    "DualPair",
    "Formula",
    "Node",
    "Observer",
    "OpCounter",
    "Primitive",
    "REGISTRY",
    "Tensor",
    "arange",
    "as_tensor",
    "argmax",
    "argmin",
    "compile",
    "count_ops",
    "default_generator",
    "detect_anomaly",
    "dot_product_test",
    "dual_level",
    "enable_grad",
    "errors",
    "eye",
    "from_dlpack",
    "full",
    "full_like",
    "get_default_dtype",
    "grad",
    "gradcheck",
    "graph_scope",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "linspace",
    "make_dual",
    "manual_seed",
    "no_grad",
    "nondifferentiable",
    "observing",
    "primitive",
    "public",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "run_backward",
    "set_default_dtype",
    "set_grad_enabled",
    "sum_to",
    "tensor",
    "topological_order",
    "unpack_dual",
    "value_and_grad",
    "vjp",
    "zeros",
    "zeros_like",
    *_primitive_names,
]
