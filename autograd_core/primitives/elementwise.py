"""Elementwise primitives (numpy broadcasting semantics).

For an elementwise y = f(x₁, x₂, …) both rules are the local partial
derivative times the incoming vector: x̄ᵢ = ȳ·∂f/∂xᵢ and ẏ = Σ ẋᵢ·∂f/∂xᵢ;
``elementwise`` builds that pair from one partial so they cannot disagree.
Where a rule has a mask, it selects (``np.where(mask, g, 0)``) rather than
multiplies, so a masked-off input gets exactly 0 even when ȳ is inf.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .. import batching
from ..apply import scalar_result
from ..arguments import dtype_argument, real_argument
from ..batched import BatchedTensor
from ..errors import ArgumentTypeError, DtypeError, InvalidArgumentError
from ..registry import primitive, public
from ..tensor import Tensor, constant_array, wrap

Operand = Any  # Tensor, array or Python number


def _chain(partial, operands: int = 0):
    """The (VJP, JVP) pair of an elementwise op from its partial ∂y/∂xᵢ(y, *args).

    For an op with ``operands`` operands and no parameters the pair takes
    them by name (no ``*args``/``**params`` packing on the per-edge path).
    """
    if operands == 1:
        return (lambda g, y, x: g * partial(y, x)), (lambda t, y, x: t * partial(y, x))
    if operands == 2:
        return (lambda g, y, a, b: g * partial(y, a, b)), (lambda t, y, a, b: t * partial(y, a, b))

    def vjp(g, y, *args, **params):
        return g * partial(y, *args, **params)

    def jvp(t, y, *args, **params):
        return t * partial(y, *args, **params)

    return vjp, jvp


def _select(mask):
    """The (VJP, JVP) pair of an op whose derivative is 1 where ``mask(y, *args)`` holds and 0 elsewhere."""

    def vjp(g, y, *args, **params):
        return selected(mask(y, *args, **params), g)

    def jvp(t, y, *args, **params):
        return selected(mask(y, *args, **params), t)

    return vjp, jvp


#: Unsigned integer types as wide as each float type: a float's bits times 0 or 1.
_BITS = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def selected(mask: Any, g: Any) -> Any:
    """``g`` where ``mask`` holds and exactly 0 elsewhere: ``np.where(mask, g, 0)``, a selection, never ``g·mask``.

    For a float array of the mask's shape the selection multiplies the bits
    of ``g`` (as unsigned integers) by the 0/1 mask: each element keeps its
    exact bits or becomes +0.0, as ``np.where`` gives (inf and NaN included,
    where ``g·mask`` would make NaN), in one pass several times faster than
    ``np.where``'s per-element branch.

    >>> g = np.array([np.inf, 2.0, -3.0])
    >>> ag.primitives.elementwise.selected(np.array([False, True, True]), g)
    array([ 0.,  2., -3.])
    """
    if (
        type(g) is np.ndarray
        and type(mask) is np.ndarray
        and g.shape == mask.shape
        and g.dtype.kind == "f"
        and g.dtype.itemsize in _BITS
    ):
        return np.multiply(g.view(_BITS[g.dtype.itemsize]), mask).view(g.dtype)
    return np.where(mask, g, 0)


def _rules(pairs):
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


def elementwise(*partials, formula: str, vjp_text: str, jvp_text: str, **options: Any):
    """Declare an elementwise primitive from its partial derivatives ∂y/∂xᵢ(y, *operands) (None: no gradient)."""

    def declare(forward):
        # an op whose forward takes only its operands gets rules that take them by name
        operands = len(partials) if _operands_only(forward) else 0
        vjp, jvp = _rules([_chain(p, operands) if p is not None else (None, None) for p in partials])
        return primitive(
            vjp=vjp, jvp=jvp, formula=formula, vjp_text=vjp_text, jvp_text=jvp_text, broadcasting=True, **options
        )(forward)

    return declare


def _operands_only(forward) -> bool:
    """Whether ``forward`` takes nothing but positional-only operands (no parameters)."""
    kinds = [p.kind for p in inspect.signature(forward).parameters.values()]
    return all(kind is inspect.Parameter.POSITIONAL_ONLY for kind in kinds)


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    # exp(-|x|) never overflows; both branches are exact in their half-line.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# ------------------------------------------------------------- arithmetic
@primitive(
    vjp=(lambda g, y, a, b: g, lambda g, y, a, b: g),
    jvp=(lambda t, y, a, b: t, lambda t, y, a, b: t),
    formula="y = a + b",
    vjp_text="ā = ȳ, b̄ = ȳ",
    jvp_text="ẏ = ȧ + ḃ",
    broadcasting=True,
    promotes=True,
    method=("__add__", "__radd__"),
    numpy=np.add,
    kernel=np.add,
)
def add(a: Operand, b: Operand, /) -> np.ndarray:
    """y = a + b (broadcasting).

    >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> b = ag.tensor([10.0, 20.0], requires_grad=True)
    >>> ag.add(a, b)
    tensor([[11., 22.],
            [13., 24.]], grad_fn=add)
    >>> (a + b).sum().backward()
    >>> b.grad  # broadcast along the rows, so ȳ is summed over them
    tensor([2., 2.])
    """
    return np.add(a, b)


@primitive(
    vjp=(lambda g, y, a, b: g, lambda g, y, a, b: -g),
    jvp=(lambda t, y, a, b: t, lambda t, y, a, b: -t),
    formula="y = a − b",
    vjp_text="ā = ȳ, b̄ = −ȳ",
    jvp_text="ẏ = ȧ − ḃ",
    broadcasting=True,
    promotes=True,
    method=("__sub__", "__rsub__"),
    numpy=np.subtract,
    kernel=np.subtract,
)
def sub(a: Operand, b: Operand, /) -> np.ndarray:
    """y = a − b (broadcasting).

    >>> a = ag.tensor([5.0, 7.0], requires_grad=True)
    >>> b = ag.tensor(2.0, requires_grad=True)
    >>> ag.sub(a, b)
    tensor([3., 5.], grad_fn=sub)
    >>> (a - b).sum().backward()
    >>> a.grad, b.grad
    (tensor([1., 1.]), tensor(-2.))
    """
    return np.subtract(a, b)


@elementwise(
    lambda y, a, b: b,
    lambda y, a, b: a,
    formula="y = a·b",
    vjp_text="ā = ȳ·b, b̄ = ȳ·a",
    jvp_text="ẏ = ȧ·b + a·ḃ",
    promotes=True,
    method=("__mul__", "__rmul__"),
    numpy=np.multiply,
    kernel=np.multiply,
)
def mul(a: Operand, b: Operand, /) -> np.ndarray:
    """y = a·b (broadcasting).

    >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> b = ag.tensor([3.0, 4.0], requires_grad=True)
    >>> ag.mul(a, b)
    tensor([3., 8.], grad_fn=mul)
    >>> (a * b).sum().backward()
    >>> a.grad, b.grad  # ā = ȳ·b, b̄ = ȳ·a
    (tensor([3., 4.]), tensor([1., 2.]))
    """
    return np.multiply(a, b)


@primitive(
    vjp=(lambda g, y, a, b: g / b, lambda g, y, a, b: -g * y / b),
    jvp=(lambda t, y, a, b: t / b, lambda t, y, a, b: -t * y / b),
    formula="y = a / b",
    vjp_text="ā = ȳ / b, b̄ = −ȳ·y / b",
    jvp_text="ẏ = ȧ / b − ḃ·y / b",
    broadcasting=True,
    promotes=True,
    method=("__truediv__", "__rtruediv__"),
    numpy=np.true_divide,
    kernel=np.true_divide,
)
def div(a: Operand, b: Operand, /) -> np.ndarray:
    """y = a / b (broadcasting).

    >>> a = ag.tensor([1.0, 6.0], requires_grad=True)
    >>> b = ag.tensor([2.0, 3.0], requires_grad=True)
    >>> ag.div(a, b)
    tensor([0.5, 2. ], grad_fn=div)
    >>> (a / b).sum().backward()
    >>> a.grad, b.grad  # 1/b and −a/b²
    (tensor([0.5       , 0.33333333]), tensor([-0.25      , -0.66666667]))
    """
    return np.true_divide(a, b)


@primitive(
    vjp=(lambda g, y, x: -g,),
    jvp=(lambda t, y, x: -t,),
    formula="y = −x",
    vjp_text="x̄ = −ȳ",
    jvp_text="ẏ = −ẋ",
    broadcasting=True,
    method="__neg__",
    numpy=np.negative,
    kernel=np.negative,
)
def neg(x: Operand, /) -> np.ndarray:
    """y = −x.

    >>> x = ag.tensor([1.0, -2.0], requires_grad=True)
    >>> -x
    tensor([-1.,  2.], grad_fn=neg)
    >>> ag.neg(x).sum().backward()
    >>> x.grad
    tensor([-1., -1.])
    """
    return np.negative(x)


def _pow_base_vjp(g, y, x, p):
    """x̄ = ȳ·p·xᵖ⁻¹ (VJP and JVP alike); 0 where p = 0, at x = 0 and ±∞ too (x⁰ = 1 is constant)."""
    if isinstance(p, (int, float)):
        return g * (p * x ** (p - 1)) if p != 0 else np.zeros_like(g)
    # At p = x = 0, xᵖ⁻¹ = ∞ would give 0·∞: the base is replaced by 1 there (a where() over the
    # result would make NaN second derivatives). Only there: elsewhere the rule stays smooth in p,
    # so the mixed derivative ∂²y/∂x∂p = xᵖ⁻¹·(1 + p·log x) is right at p = 0 as well.
    return g * (p * np.where((p == 0) & (x == 0), 1, x) ** (p - 1))


def _pow_exponent_vjp(g, y, x, p):
    """p̄ = ȳ·xᵖ·log x, taken as 0 where x = 0 and p ≥ 0 (PyTorch's choice; 0⁻ᵖ gives −inf)."""
    zero_base = (x == 0) & (p >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(zero_base, 0, g * y * np.log(np.where(zero_base, 1, x)))


@primitive(
    vjp=(_pow_base_vjp, _pow_exponent_vjp),
    jvp=(_pow_base_vjp, _pow_exponent_vjp),
    formula="y = x^p",
    vjp_text="x̄ = ȳ·p·x^(p−1), p̄ = ȳ·y·log x",
    jvp_text="ẏ = ẋ·p·x^(p−1) + ṗ·y·log x",
    broadcasting=True,
    promotes=True,
    method=("pow", "__pow__", "__rpow__"),
    numpy=np.power,
    kernel=np.power,
)
def pow(x: Operand, p: Operand, /) -> np.ndarray:  # noqa: A001 - mirrors numpy/torch naming
    """y = x^p for a tensor or scalar exponent p.

    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> ag.pow(x, 2)
    tensor([1., 4., 9.], grad_fn=pow)
    >>> (x**3).sum().backward()
    >>> x.grad  # 3x²
    tensor([ 3., 12., 27.])
    """
    return np.power(x, p)


# ------------------------------------------------------------ transcendental
@elementwise(
    lambda y, x: y,
    formula="y = exp(x)",
    vjp_text="x̄ = ȳ·y",
    jvp_text="ẏ = ẋ·y",
    method=True,
    numpy=np.exp,
    kernel=np.exp,
)
def exp(x: Operand, /) -> np.ndarray:
    """y = eˣ.

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> ag.exp(x)
    tensor([1.        , 2.71828183], grad_fn=exp)
    >>> ag.exp(x).sum().backward()
    >>> x.grad  # eˣ again
    tensor([1.        , 2.71828183])
    """
    return np.exp(x)


@primitive(
    vjp=(lambda g, y, x: g / x,),
    jvp=(lambda t, y, x: t / x,),
    formula="y = log(x)",
    vjp_text="x̄ = ȳ / x",
    jvp_text="ẏ = ẋ / x",
    broadcasting=True,
    method=True,
    numpy=np.log,
    kernel=np.log,
)
def log(x: Operand, /) -> np.ndarray:
    """y = ln x.

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> ag.log(x)
    tensor([0.        , 0.69314718], grad_fn=log)
    >>> ag.log(x).sum().backward()
    >>> x.grad  # 1/x
    tensor([1. , 0.5])
    """
    return np.log(x)


@primitive(
    vjp=(lambda g, y, x: g / (1 + x),),
    jvp=(lambda t, y, x: t / (1 + x),),
    formula="y = log(1 + x)",
    vjp_text="x̄ = ȳ / (1 + x)",
    jvp_text="ẏ = ẋ / (1 + x)",
    broadcasting=True,
    method=True,
    numpy=np.log1p,
    kernel=np.log1p,
)
def log1p(x: Operand, /) -> np.ndarray:
    """y = ln(1 + x), accurate for small x.

    >>> ag.log1p(ag.tensor([0.0, 1e-10]))  # exact where log(1 + x) rounds 1 + x
    tensor([0.e+00, 1.e-10])
    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> ag.log1p(x).sum().backward()
    >>> x.grad  # 1/(1 + x)
    tensor([1. , 0.5])
    """
    return np.log1p(x)


@primitive(
    vjp=(lambda g, y, x: g / (2 * y),),
    jvp=(lambda t, y, x: t / (2 * y),),
    formula="y = √x",
    vjp_text="x̄ = ȳ / (2y)",
    jvp_text="ẏ = ẋ / (2y)",
    broadcasting=True,
    method=True,
    numpy=np.sqrt,
    kernel=np.sqrt,
)
def sqrt(x: Operand, /) -> np.ndarray:
    """y = √x.

    >>> x = ag.tensor([1.0, 4.0], requires_grad=True)
    >>> ag.sqrt(x)
    tensor([1., 2.], grad_fn=sqrt)
    >>> ag.sqrt(x).sum().backward()
    >>> x.grad  # 1/(2√x)
    tensor([0.5 , 0.25])
    """
    return np.sqrt(x)


@elementwise(
    lambda y, x: np.sign(x),
    formula="y = |x|",
    vjp_text="x̄ = ȳ·sign(x)",
    jvp_text="ẏ = ẋ·sign(x)",
    method=("abs", "__abs__"),
    numpy=np.absolute,
    kernel=np.absolute,
)
def abs(x: Operand, /) -> np.ndarray:  # noqa: A001
    """y = |x| (gradient sign(x), 0 at x = 0).

    >>> x = ag.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> ag.abs(x)
    tensor([2., 0., 3.], grad_fn=abs)
    >>> ag.abs(x).sum().backward()
    >>> x.grad  # sign(x), 0 at 0
    tensor([-1.,  0.,  1.])
    """
    return np.absolute(x)


@primitive(
    vjp=(lambda g, y, x: np.zeros_like(g),),
    jvp=(lambda t, y, x: np.zeros_like(t),),
    formula="y = sign(x)",
    vjp_text="x̄ = 0",
    jvp_text="ẏ = 0",
    broadcasting=True,
    method=True,
    numpy=np.sign,
    kernel=np.sign,
)
def sign(x: Operand, /) -> np.ndarray:
    """y = sign(x); its gradient is zero everywhere.

    >>> x = ag.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> ag.sign(x)
    tensor([-1.,  0.,  1.], grad_fn=sign)
    >>> ag.sign(x).sum().backward()
    >>> x.grad  # zero everywhere
    tensor([0., 0., 0.])
    """
    return np.sign(x)


@elementwise(
    lambda y, x: np.cos(x),
    formula="y = sin(x)",
    vjp_text="x̄ = ȳ·cos(x)",
    jvp_text="ẏ = ẋ·cos(x)",
    method=True,
    numpy=np.sin,
    kernel=np.sin,
)
def sin(x: Operand, /) -> np.ndarray:
    """y = sin x.

    >>> x = ag.tensor([0.0, np.pi / 3], requires_grad=True)
    >>> ag.sin(x)
    tensor([0.       , 0.8660254], grad_fn=sin)
    >>> ag.sin(x).sum().backward()
    >>> x.grad  # cos x
    tensor([1. , 0.5])
    """
    return np.sin(x)


@elementwise(
    lambda y, x: -np.sin(x),
    formula="y = cos(x)",
    vjp_text="x̄ = −ȳ·sin(x)",
    jvp_text="ẏ = −ẋ·sin(x)",
    method=True,
    numpy=np.cos,
    kernel=np.cos,
)
def cos(x: Operand, /) -> np.ndarray:
    """y = cos x.

    >>> x = ag.tensor([0.0, np.pi / 3], requires_grad=True)
    >>> ag.cos(x)
    tensor([1. , 0.5], grad_fn=cos)
    >>> ag.cos(x).sum().backward()
    >>> x.grad  # −sin x
    tensor([-0.       , -0.8660254])
    """
    return np.cos(x)


@elementwise(
    lambda y, x: 1 - y * y,
    formula="y = tanh(x)",
    vjp_text="x̄ = ȳ·(1 − y²)",
    jvp_text="ẏ = ẋ·(1 − y²)",
    method=True,
    numpy=np.tanh,
    kernel=np.tanh,
)
def tanh(x: Operand, /) -> np.ndarray:
    """y = tanh x; dy/dx = 1 − y².

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> ag.tanh(x)
    tensor([0.        , 0.76159416], grad_fn=tanh)
    >>> ag.tanh(x).sum().backward()
    >>> x.grad  # 1 − y²
    tensor([1.        , 0.41997434])
    """
    return np.tanh(x)


# --------------------------------------------------------------- activations
@elementwise(
    lambda y, x: y * (1 - y),
    formula="y = σ(x) = 1 / (1 + e^−x)",
    vjp_text="x̄ = ȳ·y·(1 − y)",
    jvp_text="ẏ = ẋ·y·(1 − y)",
    method=True,
)
def sigmoid(x: Operand, /) -> np.ndarray:
    """y = 1 / (1 + e^−x), computed without overflow; dy/dx = y(1 − y).

    >>> x = ag.tensor([0.0, 2.0], requires_grad=True)
    >>> ag.sigmoid(x)
    tensor([0.5       , 0.88079708], grad_fn=sigmoid)
    >>> ag.sigmoid(x).sum().backward()
    >>> x.grad  # y(1 − y)
    tensor([0.25      , 0.10499359])
    """
    return _stable_sigmoid(x)


_relu_vjp, _relu_jvp = _select(lambda y, x: x > 0)


@primitive(
    vjp=(_relu_vjp,),
    jvp=(_relu_jvp,),
    formula="y = max(x, 0)",
    vjp_text="x̄ = ȳ·[x > 0]",
    jvp_text="ẏ = ẋ·[x > 0]",
    broadcasting=True,
    method=True,
)
def relu(x: Operand, /) -> np.ndarray:
    """y = max(x, 0); dy/dx = [x > 0] (0 at x = 0, as PyTorch; the course notes take 1 there).

    >>> x = ag.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> ag.relu(x)
    tensor([0., 0., 2.], grad_fn=relu)
    >>> ag.relu(x).sum().backward()
    >>> x.grad  # [x > 0]: 0 at 0
    tensor([0., 0., 1.])
    """
    return np.maximum(x, 0)


@primitive(
    vjp=(lambda g, y, x, negative_slope: np.where(x > 0, g, g * negative_slope),),
    jvp=(lambda t, y, x, negative_slope: np.where(x > 0, t, t * negative_slope),),
    formula="y = x if x > 0 else α·x",
    vjp_text="x̄ = ȳ if x > 0 else α·ȳ",
    jvp_text="ẏ = ẋ if x > 0 else α·ẋ",
    broadcasting=True,
    method=True,
    prepare=lambda x, negative_slope=0.01: {
        "negative_slope": real_argument(negative_slope, "negative_slope", "leaky_relu")
    },
)
def leaky_relu(x: Operand, /, negative_slope: float = 0.01) -> np.ndarray:
    """y = x for x > 0, α·x otherwise (α = ``negative_slope``).

    >>> x = ag.tensor([-2.0, 3.0], requires_grad=True)
    >>> ag.leaky_relu(x, negative_slope=0.1)
    tensor([-0.2,  3. ], grad_fn=leaky_relu)
    >>> ag.leaky_relu(x, negative_slope=0.1).sum().backward()
    >>> x.grad
    tensor([0.1, 1. ])
    """
    return np.where(x > 0, x, x * negative_slope)


@primitive(
    vjp=(lambda g, y, x, alpha: np.where(x > 0, g, g * (y + alpha)),),
    jvp=(lambda t, y, x, alpha: np.where(x > 0, t, t * (y + alpha)),),
    formula="y = x if x > 0 else α·(eˣ − 1)",
    vjp_text="x̄ = ȳ if x > 0 else ȳ·(y + α)",
    jvp_text="ẏ = ẋ if x > 0 else ẋ·(y + α)",
    broadcasting=True,
    method=True,
    prepare=lambda x, alpha=1.0: {"alpha": real_argument(alpha, "alpha", "elu")},
)
def elu(x: Operand, /, alpha: float = 1.0) -> np.ndarray:
    """y = x for x > 0, α(eˣ − 1) otherwise; dy/dx = y + α for x ≤ 0.

    >>> x = ag.tensor([-1.0, 2.0], requires_grad=True)
    >>> ag.elu(x)
    tensor([-0.63212056,  2.        ], grad_fn=elu)
    >>> ag.elu(x).sum().backward()
    >>> x.grad  # y + α below 0, 1 above
    tensor([0.36787944, 1.        ])
    """
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


@elementwise(
    lambda y, x: sigmoid.primitive.bind(x),
    formula="y = log(1 + eˣ)",
    vjp_text="x̄ = ȳ·σ(x)",
    jvp_text="ẏ = ẋ·σ(x)",
    method=True,
)
def softplus(x: Operand, /) -> np.ndarray:
    """y = log(1 + eˣ), computed stably; dy/dx = σ(x).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> ag.softplus(x)
    tensor([0.69314718, 1.31326169], grad_fn=softplus)
    >>> ag.softplus(x).sum().backward()
    >>> x.grad  # σ(x)
    tensor([0.5       , 0.73105858])
    """
    return np.logaddexp(0, x)


def _silu_partial(y, x):
    s = sigmoid.primitive.bind(x)
    return s * (1 + x * (1 - s))


@elementwise(
    _silu_partial,
    formula="y = x·σ(x)",
    vjp_text="x̄ = ȳ·σ(x)·(1 + x·(1 − σ(x)))",
    jvp_text="ẏ = ẋ·σ(x)·(1 + x·(1 − σ(x)))",
    method=True,
)
def silu(x: Operand, /) -> np.ndarray:
    """y = x·σ(x) (swish); dy/dx = σ(x)(1 + x(1 − σ(x))).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> ag.silu(x)
    tensor([0.        , 0.73105858], grad_fn=silu)
    >>> ag.silu(x).sum().backward()
    >>> x.grad  # σ(x)(1 + x(1 − σ(x)))
    tensor([0.5       , 0.92767051])
    """
    return x * _stable_sigmoid(x)


# ------------------------------------------------------------------ extrema
def _tie_split(win):
    """The (VJP, JVP) pair for an operand that wins where ``win(a, b)`` holds; ties split it equally (as PyTorch)."""

    def share(v, a, b):
        return np.where(a == b, 0.5 * v, np.where(win(a, b), v, 0))

    return (lambda g, y, a, b: share(g, a, b)), (lambda t, y, a, b: share(t, a, b))


_max_vjp, _max_jvp = _rules([_tie_split(lambda a, b: a > b), _tie_split(lambda a, b: b > a)])
_min_vjp, _min_jvp = _rules([_tie_split(lambda a, b: a < b), _tie_split(lambda a, b: b < a)])


@primitive(
    vjp=_max_vjp,
    jvp=_max_jvp,
    formula="y = max(a, b)",
    vjp_text="ā = ȳ·[a > b] (½ȳ on ties), b̄ likewise",
    jvp_text="ẏ = ȧ·[a > b] + ḃ·[b > a] (halves on ties)",
    broadcasting=True,
    promotes=True,
    method=True,
    numpy=np.maximum,
    kernel=np.maximum,
)
def maximum(a: Operand, b: Operand, /) -> np.ndarray:
    """Elementwise max(a, b); on ties each operand gets half the gradient.

    >>> a = ag.tensor([1.0, 5.0, 2.0], requires_grad=True)
    >>> b = ag.tensor([3.0, 4.0, 2.0], requires_grad=True)
    >>> ag.maximum(a, b)
    tensor([3., 5., 2.], grad_fn=maximum)
    >>> ag.maximum(a, b).sum().backward()
    >>> a.grad, b.grad  # the larger operand gets ȳ; a tie splits it
    (tensor([0. , 1. , 0.5]), tensor([1. , 0. , 0.5]))
    """
    return np.maximum(a, b)


@primitive(
    vjp=_min_vjp,
    jvp=_min_jvp,
    formula="y = min(a, b)",
    vjp_text="ā = ȳ·[a < b] (½ȳ on ties), b̄ likewise",
    jvp_text="ẏ = ȧ·[a < b] + ḃ·[b < a] (halves on ties)",
    broadcasting=True,
    promotes=True,
    method=True,
    numpy=np.minimum,
    kernel=np.minimum,
)
def minimum(a: Operand, b: Operand, /) -> np.ndarray:
    """Elementwise min(a, b); on ties each operand gets half the gradient.

    >>> a = ag.tensor([1.0, 5.0, 2.0], requires_grad=True)
    >>> b = ag.tensor([3.0, 4.0, 2.0], requires_grad=True)
    >>> ag.minimum(a, b)
    tensor([1., 4., 2.], grad_fn=minimum)
    >>> ag.minimum(a, b).sum().backward()
    >>> a.grad, b.grad
    (tensor([1. , 0. , 0.5]), tensor([0. , 1. , 0.5]))
    """
    return np.minimum(a, b)


def _inside(y, x, min, max):  # noqa: A002
    inside = True
    if min is not None:
        inside = x >= min
    if max is not None:
        inside = (x <= max) if inside is True else inside & (x <= max)
    return inside


def _clip_params(x: Operand, min: Any = None, max: Any = None) -> dict[str, Any]:  # noqa: A002
    if min is None and max is None:
        raise InvalidArgumentError("clip: give at least one of min and max")
    return {"min": _bound(min, "min"), "max": _bound(max, "max")}


def _bound(value: Any, name: str) -> Any:
    """A clip bound: None, a real number, or an array of numbers (not differentiated)."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    bound = constant_array(value, f"clip: {name}")
    if bound.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"clip: {name} must be a number or an array of numbers, not {value!r}")
    return bound if bound.ndim else bound.item()


_clip_vjp, _clip_jvp = _select(_inside)


@primitive(
    vjp=(_clip_vjp,),
    jvp=(_clip_jvp,),
    formula="y = min(max(x, lo), hi)",
    vjp_text="x̄ = ȳ·[lo ≤ x ≤ hi]",
    jvp_text="ẏ = ẋ·[lo ≤ x ≤ hi]",
    broadcasting=True,
    method=("clip", "clamp"),
    prepare=_clip_params,
)
def clip(x: Operand, /, min: Any = None, max: Any = None) -> np.ndarray:  # noqa: A002
    """y = min(max(x, lo), hi); the gradient passes where lo ≤ x ≤ hi.

    >>> x = ag.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    >>> ag.clip(x, min=0.0, max=1.0)
    tensor([0. , 0.5, 1. ], grad_fn=clip)
    >>> ag.clip(x, min=0.0, max=1.0).sum().backward()
    >>> x.grad  # 1 inside [lo, hi], 0 outside
    tensor([0., 1., 0.])
    """
    return np.clip(x, min, max)


# ------------------------------------------------------------ selection, dtype
@primitive(
    vjp=(None, lambda g, y, c, a, b: np.where(c, g, 0), lambda g, y, c, a, b: np.where(c, 0, g)),
    jvp=(None, lambda t, y, c, a, b: np.where(c, t, 0), lambda t, y, c, a, b: np.where(c, 0, t)),
    formula="y = a where c else b",
    vjp_text="ā = ȳ·[c], b̄ = ȳ·[¬c]",
    jvp_text="ẏ = ȧ·[c] + ḃ·[¬c]",
    broadcasting=True,
    promotes=True,
    name="where",
    export=False,
)
def _select_where(condition: Operand, a: Operand, b: Operand, /) -> np.ndarray:
    # scalar_result: numpy 1 makes float64 of a 0-d float32 value and a Python float even when the
    # condition broadcasts the result to more axes; numpy 2 and PyTorch keep float32
    return scalar_result(np.where(condition, a, b), (a, b))


_MISSING: Any = object()


@public(numpy=np.where, rules=_select_where)
def where(condition: Operand, a: Operand = _MISSING, b: Operand = _MISSING) -> Tensor | tuple[Tensor, ...]:
    """y = a where condition else b (broadcasting); the condition gets no gradient.

    With the condition alone, the indices where it holds, one integer tensor
    per axis (``np.where(c)``, ``np.nonzero(c)``; constants).

    >>> x = ag.tensor([-1.0, 2.0, -3.0], requires_grad=True)
    >>> print(ag.where(x > 0, x, 0.0))
    tensor([0., 2., 0.], grad_fn=where)
    >>> ag.where(x > 0, x, 10 * x).sum().backward()
    >>> print(x.grad)  # 1 where the condition holds, 10 elsewhere
    tensor([10.,  1., 10.])
    >>> print([i.tolist() for i in ag.where(x > 0)])  # the condition alone: the indices
    [[1]]
    """
    if isinstance(condition, BatchedTensor):  # a mask batched by vmap stays an operand, batched like a and b
        if a is _MISSING or b is _MISSING:
            raise InvalidArgumentError("where: inside vmap, give the condition and both a and b")
        return _select_where(condition, a, b)
    condition = constant_array(condition, "where: condition")
    if condition.dtype.kind not in "biuf":
        raise DtypeError(f"where: the condition must hold bools (or numbers), not {condition.dtype}")
    if a is _MISSING and b is _MISSING:
        return tuple(wrap(i) for i in np.nonzero(np.atleast_1d(condition)))
    if a is _MISSING or b is _MISSING:
        raise InvalidArgumentError("where: give the condition alone, or the condition and both a and b")
    for name, operand in (("a", a), ("b", b)):
        if operand is None:
            raise ArgumentTypeError(f"where: {name} must be a Tensor, an array or a number, not None")
    return _select_where(condition.astype(bool, copy=False), a, b)


@primitive(
    vjp=(lambda g, y, x, dtype: g.astype(x.dtype),),
    jvp=(lambda t, y, x, dtype: t.astype(dtype),),
    formula="y = x as dtype",
    vjp_text="x̄ = ȳ as x.dtype",
    jvp_text="ẏ = ẋ as dtype",
    sets_dtype=True,
    batch=batching.leading,
    name="cast",
    export=False,
)
def _cast(x: Operand, /, dtype: Any) -> np.ndarray:
    return x.astype(dtype)


@public(method="astype", rules=_cast)
def cast(x: Operand, dtype: Any) -> Tensor:
    """y = x converted to ``dtype``; differentiable between float dtypes, a constant otherwise.

    >>> x = ag.tensor([1.5, -2.25], requires_grad=True)
    >>> y = ag.cast(x, np.float32)
    >>> print(y.dtype, y)
    float32 tensor([ 1.5 , -2.25], dtype=float32, grad_fn=cast)
    >>> (2 * y).sum().backward()
    >>> print(x.grad.dtype, x.grad)  # back in x's dtype
    float64 tensor([2., 2.])
    >>> print(ag.cast(x, np.int64).tolist())  # truncated, and a constant
    [1, -2]
    """
    dtype = dtype_argument(dtype, "cast")
    if dtype.kind != "f":
        return wrap(constant_array(x, "cast").astype(dtype))
    return _cast(x, dtype=dtype)


@primitive(
    vjp=(lambda g, y, x: g,),
    jvp=(lambda t, y, x: t,),
    formula="y = x",
    vjp_text="x̄ = ȳ",
    jvp_text="ẏ = ẋ",
    view=True,
    batch=batching.leading,
)
def identity(x: Operand, /) -> np.ndarray:
    """y = x as a new graph node (sharing data).

    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = ag.identity(x)
    >>> y is x, y.grad_fn.op.name
    (False, 'identity')
    """
    return x
