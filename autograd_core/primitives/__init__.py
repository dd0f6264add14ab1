"""All primitives, grouped by family; each module registers its own on import."""

from .elementwise import (
    abs,
    add,
    cast,
    clip,
    cos,
    div,
    elu,
    exp,
    identity,
    leaky_relu,
    log,
    log1p,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sign,
    silu,
    sin,
    softplus,
    sqrt,
    sub,
    tanh,
    where,
)
from .index import getitem, normalize_index, take_along_axis
from .linalg import linear, matmul, permute, swapaxes, transpose
from .nn_ops import binary_cross_entropy_with_logits, cross_entropy, log_sigmoid, log_softmax, softmax
from .reduce import logsumexp, max, mean, min, std, sum, var
from .shape import (
    broadcast_to,
    concatenate,
    expand,
    expand_dims,
    flatten,
    moveaxis,
    pad,
    reshape,
    split,
    squeeze,
    stack,
    unsqueeze,
)

__all__ = [
    "abs", "add", "binary_cross_entropy_with_logits", "broadcast_to", "cast", "clip", "concatenate", "cos",
    "cross_entropy", "div", "elu", "exp", "expand", "expand_dims", "flatten", "getitem", "identity",
    "leaky_relu", "linear", "log", "log1p", "log_sigmoid", "log_softmax", "logsumexp", "matmul", "max",
    "maximum", "mean", "min", "minimum", "moveaxis", "mul", "neg", "normalize_index", "pad", "permute",
    "pow", "relu", "reshape", "sigmoid", "sign", "silu", "sin", "softmax", "softplus", "split", "sqrt",
    "squeeze", "stack", "std", "sub", "sum", "swapaxes", "take_along_axis", "tanh", "transpose",
    "unsqueeze", "var", "where",
]
