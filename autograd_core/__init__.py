"""autograd_core: reverse- and forward-mode automatic differentiation over numpy.

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4.])
"""

# dtypes under the names PyTorch code uses (``x.to(ag.float32)``); they are numpy's
from numpy import float16, float32, float64, int32, int64

from . import (
    _methods,  # noqa: F401  (binds operators and methods to Tensor)
    backend,
    errors,
    extending,  # noqa: E402  (primitives declared from now on get methods and numpy dispatch)
    linalg,
)
from ._methods import argmax, argmin
from ._numpy_protocol import nondifferentiable
from .anomaly import register_library_package
from .apply import ApplyObserver, observing
from .backward import Observer, run_backward, topological_order
from .broadcasting import sum_to
from .checkpoint import checkpoint
from .compiler import CompiledFunction, CompileWarning, compile
from .cost import OpCounter, count_ops
from .creation import (
    arange,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
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
from .custom_rules import custom_jvp, custom_vjp
from .dlpack import from_dlpack
from .forward import DualPair, dual_level, make_dual, unpack_dual
from .function import Function, FunctionCtx
from .functional import (
    grad,
    hessian,
    hvp,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    linear_transpose,
    linearize,
    value_and_grad,
    vjp,
)
from .gradcheck import RuleReport, check_rules, dot_product_test, gradcheck
from .kept_graph import KeptGraph, kept_graph
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
from .pytree import (
    TreeDef,
    register_pytree_node,
    tree_flatten,
    tree_leaves,
    tree_map,
    tree_structure,
    tree_unflatten,
)
from .registry import API, REGISTRY, Formula, Primitive, primitive, public, unregister
from .released import ReleasedArray, ReleasedTensor
from .tensor import Tensor, as_tensor, increment_version, tensor
from .vmap import BatchingFallbackWarning, batching_fallbacks, unbatched_primitives, vmap

__version__ = "0.1.0"

__all__ = [
    "API",
    "ApplyObserver",
    "CompileWarning",
    "CompiledFunction",
    "DualPair",
    "Formula",
    "KeptGraph",
    "Node",
    "Observer",
    "OpCounter",
    "Primitive",
    "REGISTRY",
    "ReleasedArray",
    "ReleasedTensor",
    "Tensor",
    "arange",
    "as_tensor",
    "argmax",
    "backend",
    "argmin",
    "compile",
    "count_ops",
    "default_generator",
    "empty",
    "empty_like",
    "detect_anomaly",
    "dot_product_test",
    "dual_level",
    "enable_grad",
    "errors",
    "eye",
    "from_dlpack",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "int32",
    "int64",
    "full",
    "full_like",
    "get_default_dtype",
    "grad",
    "gradcheck",
    "graph_scope",
    "hessian",
    "hvp",
    "increment_version",
    "is_grad_enabled",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "linalg",
    "kept_graph",
    "linspace",
    "make_dual",
    "manual_seed",
    "no_grad",
    "nondifferentiable",
    "observing",
    "register_library_package",
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
    "tensor",
    "topological_order",
    "unpack_dual",
    "value_and_grad",
    "vjp",
    "zeros",
    "zeros_like",
    "BatchingFallbackWarning",
    "Function",
    "FunctionCtx",
    "RuleReport",
    "TreeDef",
    "batching_fallbacks",
    "check_rules",
    "checkpoint",
    "custom_jvp",
    "custom_vjp",
    "linear_transpose",
    "linearize",
    "register_pytree_node",
    "tree_flatten",
    "tree_leaves",
    "tree_map",
    "tree_structure",
    "tree_unflatten",
    "unbatched_primitives",
    "unregister",
    "vmap",
    *_primitive_names,
]
