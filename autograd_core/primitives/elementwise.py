"""Elementwise primitives (numpy broadcasting semantics).

For an elementwise y = f(x₁, x₂, …) both rules are the local partial
derivative times the incoming vector: x̄ᵢ = ȳ·∂f/∂xᵢ and ẏ = Σ ẋᵢ·∂f/∂xᵢ;
``_chain`` builds that pair from one partial so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..arguments import dtype_argument, real_argument
from ..docs import documented
from ..errors import ArgumentTypeError, DtypeError, InvalidArgumentError
from ..primitive import Primitive, apply1, apply2, primitive, scalar_result
from ..tensor import Tensor, constant_array


def _chain(partial):
    """The (VJP, JVP) pair of an elementwise op from its partial ∂y/∂xᵢ(y, *args)."""

    def vjp(g, y, *args, **params):
        return g * partial(y, *args, **params)

    def jvp(t, y, *args, **params):
        return t * partial(y, *args, **params)

    return vjp, jvp


def elementwise_primitive(name, forward, partials, formula, vjp_text, jvp_text, promotes=False) -> Primitive:
    """Declare an elementwise primitive from its partial derivatives ∂y/∂xᵢ(y, *inputs) (None: no gradient)."""
    rules = [_chain(p) if p is not None else (None, None) for p in partials]
    return primitive(
        name,
        forward,
        vjp=tuple(r[0] for r in rules),
        jvp=tuple(r[1] for r in rules),
        formula=formula,
        vjp_text=vjp_text,
        jvp_text=jvp_text,
        broadcasting=True,
        promotes=promotes,
    )


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    # exp(-|x|) never overflows; both branches are exact in their half-line.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_forward(x):
    return _stable_sigmoid(x)


def _pow_base_rule(v, x, p):
    """v·p·xᵖ⁻¹ (VJP and JVP alike); 0 where p = 0, at x = 0 and ±∞ too (x⁰ = 1 is constant)."""
    if isinstance(p, (int, float)):
        return v * (p * x ** (p - 1)) if p != 0 else np.zeros_like(v)
    # At p = x = 0, xᵖ⁻¹ = ∞ would give 0·∞: the base is replaced by 1 there (a where() over the
    # result would make NaN second derivatives). Only there: elsewhere the rule stays smooth in p,
    # so the mixed derivative ∂²y/∂x∂p = xᵖ⁻¹·(1 + p·log x) is right at p = 0 as well.
    return v * (p * np.where((p == 0) & (x == 0), 1, x) ** (p - 1))


def _pow_exponent_vjp(g, y, x, p):
    """ȳ·xᵖ·log x; at x = 0 the limit 0 for p ≥ 0, and −∞·ȳ for p < 0 (y = ∞), as PyTorch."""
    limit = np.logical_and(x == 0, p >= 0)
    return np.where(limit, 0, g * y * np.log(np.where(limit, 1, x)))


ADD = primitive(
    "add",
    np.add,
    vjp=(lambda g, y, a, b: g, lambda g, y, a, b: g),
    jvp=(lambda t, y, a, b: t, lambda t, y, a, b: t),
    formula="y = a + b",
    vjp_text="ā = ȳ, b̄ = ȳ",
    jvp_text="ẏ = ȧ + ḃ",
    broadcasting=True,
    promotes=True,
)
SUB = primitive(
    "sub",
    np.subtract,
    vjp=(lambda g, y, a, b: g, lambda g, y, a, b: -g),
    jvp=(lambda t, y, a, b: t, lambda t, y, a, b: -t),
    formula="y = a − b",
    vjp_text="ā = ȳ, b̄ = −ȳ",
    jvp_text="ẏ = ȧ − ḃ",
    broadcasting=True,
    promotes=True,
)
MUL = elementwise_primitive(
    "mul",
    np.multiply,
    (lambda y, a, b: b, lambda y, a, b: a),
    "y = a·b",
    "ā = ȳ·b, b̄ = ȳ·a",
    "ẏ = ȧ·b + a·ḃ",
    promotes=True,
)
DIV = primitive(
    "div",
    np.divide,
    vjp=(lambda g, y, a, b: g / b, lambda g, y, a, b: -g * y / b),
    jvp=(lambda t, y, a, b: t / b, lambda t, y, a, b: -t * y / b),
    formula="y = a / b",
    vjp_text="ā = ȳ / b, b̄ = −ȳ·y / b",
    jvp_text="ẏ = ȧ / b − ḃ·y / b",
    broadcasting=True,
    promotes=True,
)
NEG = primitive(
    "neg",
    np.negative,
    vjp=(lambda g, y, x: -g,),
    jvp=(lambda t, y, x: -t,),
    formula="y = −x",
    vjp_text="x̄ = −ȳ",
    jvp_text="ẏ = −ẋ",
    broadcasting=True,
)
POW = primitive(
    "pow",
    np.power,
    vjp=(lambda g, y, x, p: _pow_base_rule(g, x, p), _pow_exponent_vjp),
    jvp=(lambda t, y, x, p: _pow_base_rule(t, x, p), lambda t, y, x, p: _pow_exponent_vjp(t, y, x, p)),
    formula="y = x^p",
    vjp_text="x̄ = ȳ·p·x^(p−1), p̄ = ȳ·y·log x",
    jvp_text="ẏ = ẋ·p·x^(p−1) + ṗ·y·log x",
    broadcasting=True,
    promotes=True,
)
EXP = elementwise_primitive("exp", np.exp, (lambda y, x: y,), "y = exp(x)", "x̄ = ȳ·y", "ẏ = ẋ·y")
LOG = primitive(
    "log",
    np.log,
    vjp=(lambda g, y, x: g / x,),
    jvp=(lambda t, y, x: t / x,),
    formula="y = log(x)",
    vjp_text="x̄ = ȳ / x",
    jvp_text="ẏ = ẋ / x",
    broadcasting=True,
)
LOG1P = primitive(
    "log1p",
    np.log1p,
    vjp=(lambda g, y, x: g / (1 + x),),
    jvp=(lambda t, y, x: t / (1 + x),),
    formula="y = log(1 + x)",
    vjp_text="x̄ = ȳ / (1 + x)",
    jvp_text="ẏ = ẋ / (1 + x)",
    broadcasting=True,
)
SQRT = primitive(
    "sqrt",
    np.sqrt,
    vjp=(lambda g, y, x: g / (2 * y),),
    jvp=(lambda t, y, x: t / (2 * y),),
    formula="y = √x",
    vjp_text="x̄ = ȳ / (2y)",
    jvp_text="ẏ = ẋ / (2y)",
    broadcasting=True,
)
ABS = elementwise_primitive("abs", np.abs, (lambda y, x: np.sign(x),), "y = |x|", "x̄ = ȳ·sign(x)", "ẏ = ẋ·sign(x)")
SIGN = primitive(
    "sign",
    np.sign,
    vjp=(lambda g, y, x: np.zeros_like(g),),  # zero even where ȳ is infinite
    jvp=(lambda t, y, x: np.zeros_like(t),),
    formula="y = sign(x)",
    vjp_text="x̄ = 0",
    jvp_text="ẏ = 0",
    broadcasting=True,
)
SIN = elementwise_primitive("sin", np.sin, (lambda y, x: np.cos(x),), "y = sin(x)", "x̄ = ȳ·cos(x)", "ẏ = ẋ·cos(x)")
COS = elementwise_primitive("cos", np.cos, (lambda y, x: -np.sin(x),), "y = cos(x)", "x̄ = −ȳ·sin(x)", "ẏ = −ẋ·sin(x)")
TANH = elementwise_primitive(
    "tanh", np.tanh, (lambda y, x: 1 - y * y,), "y = tanh(x)", "x̄ = ȳ·(1 − y²)", "ẏ = ẋ·(1 − y²)"
)
SIGMOID = elementwise_primitive(
    "sigmoid",
    _sigmoid_forward,
    (lambda y, x: y * (1 - y),),
    "y = σ(x) = 1 / (1 + e^−x)",
    "x̄ = ȳ·y·(1 − y)",
    "ẏ = ẋ·y·(1 − y)",
)
RELU = primitive(
    "relu",
    lambda x: np.maximum(x, 0),
    vjp=(lambda g, y, x: np.where(x > 0, g, 0),),  # the mask selects: 0 where x ≤ 0 even if ȳ is infinite
    jvp=(lambda t, y, x: np.where(x > 0, t, 0),),
    formula="y = max(x, 0)",
    vjp_text="x̄ = ȳ·[x > 0]",
    jvp_text="ẏ = ẋ·[x > 0]",
    broadcasting=True,
)
LEAKY_RELU = primitive(
    "leaky_relu",
    lambda x, slope: np.where(x > 0, x, x * slope),
    vjp=(lambda g, y, x, slope: np.where(x > 0, g, g * slope),),
    jvp=(lambda t, y, x, slope: np.where(x > 0, t, t * slope),),
    formula="y = x if x > 0 else α·x",
    vjp_text="x̄ = ȳ if x > 0 else α·ȳ",
    jvp_text="ẏ = ẋ if x > 0 else α·ẋ",
    broadcasting=True,
)
ELU = primitive(
    "elu",
    lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
    vjp=(lambda g, y, x, alpha: np.where(x > 0, g, g * (y + alpha)),),
    jvp=(lambda t, y, x, alpha: np.where(x > 0, t, t * (y + alpha)),),
    formula="y = x if x > 0 else α·(eˣ − 1)",
    vjp_text="x̄ = ȳ if x > 0 else ȳ·(y + α)",
    jvp_text="ẏ = ẋ if x > 0 else ẋ·(y + α)",
    broadcasting=True,
)
SOFTPLUS = elementwise_primitive(
    "softplus",
    lambda x: np.logaddexp(0, x),
    (lambda y, x: SIGMOID.bind(x),),
    "y = log(1 + eˣ)",
    "x̄ = ȳ·σ(x)",
    "ẏ = ẋ·σ(x)",
)


def _silu_partial(y, x):
    s = SIGMOID.bind(x)
    return s * (1 + x * (1 - s))


SILU = elementwise_primitive(
    "silu",
    lambda x: x * _stable_sigmoid(x),
    (_silu_partial,),
    "y = x·σ(x)",
    "x̄ = ȳ·σ(x)·(1 + x·(1 − σ(x)))",
    "ẏ = ẋ·σ(x)·(1 + x·(1 − σ(x)))",
)


# Ties split the gradient equally between the two operands (as PyTorch does).
def _tie_split(win):
    """The (VJP, JVP) pair for an operand that wins where ``win(a, b)`` holds."""

    def share(v, a, b):
        return np.where(win(a, b), v, np.where(a == b, 0.5 * v, 0))  # select, so an infinite v stays out

    return (lambda g, y, a, b: share(g, a, b)), (lambda t, y, a, b: share(t, a, b))


def _pairwise_extremum(name, forward, a_wins, b_wins, formula, vjp_text, jvp_text) -> Primitive:
    (va, ja), (vb, jb) = _tie_split(a_wins), _tie_split(b_wins)
    return primitive(
        name,
        forward,
        vjp=(va, vb),
        jvp=(ja, jb),
        formula=formula,
        vjp_text=vjp_text,
        jvp_text=jvp_text,
        broadcasting=True,
        promotes=True,
    )


MAXIMUM = _pairwise_extremum(
    "maximum",
    np.maximum,
    lambda a, b: a > b,
    lambda a, b: b > a,
    "y = max(a, b)",
    "ā = ȳ·[a > b] (½ȳ on ties), b̄ likewise",
    "ẏ = ȧ·[a > b] + ḃ·[b > a] (halves on ties)",
)
MINIMUM = _pairwise_extremum(
    "minimum",
    np.minimum,
    lambda a, b: a < b,
    lambda a, b: b < a,
    "y = min(a, b)",
    "ā = ȳ·[a < b] (½ȳ on ties), b̄ likewise",
    "ẏ = ȧ·[a < b] + ḃ·[b < a] (halves on ties)",
)


def _inside(x, lo, hi):
    mask = True
    if lo is not None:
        mask = x >= lo
    if hi is not None:
        mask = (x <= hi) if mask is True else mask & (x <= hi)
    return mask


CLIP = primitive(
    "clip",
    lambda x, lo, hi: np.clip(x, lo, hi),
    vjp=(lambda g, y, x, lo, hi: np.where(_inside(x, lo, hi), g, 0),),
    jvp=(lambda t, y, x, lo, hi: np.where(_inside(x, lo, hi), t, 0),),
    formula="y = min(max(x, lo), hi)",
    vjp_text="x̄ = ȳ·[lo ≤ x ≤ hi]",
    jvp_text="ẏ = ẋ·[lo ≤ x ≤ hi]",
    broadcasting=True,
)
WHERE = primitive(
    "where",
    # scalar_result: numpy 1 makes float64 of a 0-d float32 value and a Python float even when the condition
    # broadcasts the result to more axes; numpy 2 and PyTorch keep float32
    lambda c, a, b: scalar_result(np.where(c, a, b), (a, b)),
    vjp=(None, lambda g, y, c, a, b: np.where(c, g, 0), lambda g, y, c, a, b: np.where(c, 0, g)),
    jvp=(None, lambda t, y, c, a, b: np.where(c, t, 0), lambda t, y, c, a, b: np.where(c, 0, t)),
    formula="y = a where c else b",
    vjp_text="ā = ȳ·[c], b̄ = ȳ·[¬c]",
    jvp_text="ẏ = ȧ·[c] + ḃ·[¬c]",
    broadcasting=True,
    promotes=True,
)
CAST = primitive(
    "cast",
    lambda x, dtype: x.astype(dtype),
    vjp=(lambda g, y, x, dtype: g.astype(x.dtype),),
    jvp=(lambda t, y, x, dtype: t.astype(dtype),),
    formula="y = x as dtype",
    vjp_text="x̄ = ȳ as x.dtype",
    jvp_text="ẏ = ẋ as dtype",
    sets_dtype=True,
)
IDENTITY = primitive(
    "identity",
    lambda x: x,
    vjp=(lambda g, y, x: g,),
    jvp=(lambda t, y, x: t,),
    formula="y = x",
    vjp_text="x̄ = ȳ",
    jvp_text="ẏ = ẋ",
    view=True,
)


# ------------------------------------------------------------ public functions
Operand = Any  # Tensor, array or Python number


@documented(ADD)
def add(a: Operand, b: Operand) -> Tensor:
    """y = a + b (broadcasting)."""
    return apply2(ADD, a, b)


@documented(SUB)
def sub(a: Operand, b: Operand) -> Tensor:
    """y = a − b (broadcasting)."""
    return apply2(SUB, a, b)


@documented(MUL)
def mul(a: Operand, b: Operand) -> Tensor:
    """y = a·b (broadcasting)."""
    return apply2(MUL, a, b)


@documented(DIV)
def div(a: Operand, b: Operand) -> Tensor:
    """y = a / b (broadcasting)."""
    return apply2(DIV, a, b)


@documented(NEG)
def neg(x: Operand) -> Tensor:
    """y = −x."""
    return apply1(NEG, x)


@documented(POW)
def pow(x: Operand, p: Operand) -> Tensor:  # noqa: A001 - mirrors numpy/torch naming
    """y = x^p for a tensor or scalar exponent p."""
    return apply2(POW, x, p)


@documented(EXP)
def exp(x: Operand) -> Tensor:
    """y = eˣ."""
    return apply1(EXP, x)


@documented(LOG)
def log(x: Operand) -> Tensor:
    """y = ln x."""
    return apply1(LOG, x)


@documented(LOG1P)
def log1p(x: Operand) -> Tensor:
    """y = ln(1 + x), accurate for small x."""
    return apply1(LOG1P, x)


@documented(SQRT)
def sqrt(x: Operand) -> Tensor:
    """y = √x."""
    return apply1(SQRT, x)


@documented(ABS)
def abs(x: Operand) -> Tensor:  # noqa: A001
    """y = |x| (gradient sign(x), 0 at x = 0)."""
    return apply1(ABS, x)


@documented(SIGN)
def sign(x: Operand) -> Tensor:
    """y = sign(x); its gradient is zero everywhere."""
    return apply1(SIGN, x)


@documented(SIN)
def sin(x: Operand) -> Tensor:
    """y = sin x."""
    return apply1(SIN, x)


@documented(COS)
def cos(x: Operand) -> Tensor:
    """y = cos x."""
    return apply1(COS, x)


@documented(TANH)
def tanh(x: Operand) -> Tensor:
    """y = tanh x; dy/dx = 1 − y²."""
    return apply1(TANH, x)


@documented(SIGMOID)
def sigmoid(x: Operand) -> Tensor:
    """y = 1 / (1 + e^−x), computed without overflow; dy/dx = y(1 − y)."""
    return apply1(SIGMOID, x)


@documented(RELU)
def relu(x: Operand) -> Tensor:
    """y = max(x, 0); dy/dx = [x > 0] (0 at x = 0, as PyTorch)."""
    return apply1(RELU, x)


@documented(LEAKY_RELU)
def leaky_relu(x: Operand, negative_slope: float = 0.01) -> Tensor:
    """y = x for x > 0, α·x otherwise (α = ``negative_slope``)."""
    return LEAKY_RELU(x, slope=real_argument(negative_slope, "negative_slope", "leaky_relu"))


@documented(ELU)
def elu(x: Operand, alpha: float = 1.0) -> Tensor:
    """y = x for x > 0, α(eˣ − 1) otherwise; dy/dx = y + α for x ≤ 0."""
    return ELU(x, alpha=real_argument(alpha, "alpha", "elu"))


@documented(SOFTPLUS)
def softplus(x: Operand) -> Tensor:
    """y = log(1 + eˣ), computed stably; dy/dx = σ(x)."""
    return apply1(SOFTPLUS, x)


@documented(SILU)
def silu(x: Operand) -> Tensor:
    """y = x·σ(x) (swish); dy/dx = σ(x)(1 + x(1 − σ(x)))."""
    return apply1(SILU, x)


@documented(MAXIMUM)
def maximum(a: Operand, b: Operand) -> Tensor:
    """Elementwise max(a, b); on ties each operand gets half the gradient."""
    return apply2(MAXIMUM, a, b)


@documented(MINIMUM)
def minimum(a: Operand, b: Operand) -> Tensor:
    """Elementwise min(a, b); on ties each operand gets half the gradient."""
    return apply2(MINIMUM, a, b)


@documented(CLIP)
def clip(x: Operand, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """y = min(max(x, lo), hi); the gradient passes where lo ≤ x ≤ hi."""
    if min is None and max is None:
        raise InvalidArgumentError("clip: give at least one of min and max")
    return CLIP(x, lo=_bound(min, "min"), hi=_bound(max, "max"))


def _bound(value: Any, name: str) -> Any:
    """A clip bound: None, a real number, or an array of numbers (not differentiated)."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    bound = constant_array(value, f"clip: {name}")
    if bound.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"clip: {name} must be a number or an array of numbers, not {value!r}")
    return bound if bound.ndim else bound.item()


@documented(WHERE)
def where(condition: Operand, a: Operand, b: Operand) -> Tensor:
    """y = a where condition else b (broadcasting); the condition gets no gradient."""
    condition = constant_array(condition, "where: condition")
    if condition.dtype.kind not in "biuf":
        raise DtypeError(f"where: the condition must hold bools (or numbers), not {condition.dtype}")
    for name, operand in (("a", a), ("b", b)):
        if operand is None:
            raise ArgumentTypeError(f"where: {name} must be a Tensor, an array or a number, not None")
    return WHERE(condition.astype(bool, copy=False), a, b)


@documented(CAST)
def cast(x: Operand, dtype: Any) -> Tensor:
    """y = x converted to ``dtype``; differentiable between float dtypes."""
    dtype = dtype_argument(dtype, "cast")
    if dtype.kind != "f":
        data = constant_array(x, "cast")
        from ..tensor import wrap

        return wrap(data.astype(dtype))
    return CAST(x, dtype=dtype)


@documented(IDENTITY)
def identity(x: Operand) -> Tensor:
    """y = x as a new graph node (sharing data)."""
    return IDENTITY(x)
