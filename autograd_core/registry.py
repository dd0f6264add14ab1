"""One registry of primitives, each declared once: forward, VJP, JVP and their formulas.

A primitive is declared by decorating its forward computation — a numpy
function of arrays — with the rules beside it::

    @primitive(
        vjp=(lambda g, y, x: np.where(x > 0, g, 0),),
        jvp=(lambda t, y, x: np.where(x > 0, t, 0),),
        formula="y = max(x, 0)", vjp_text="x̄ = ȳ·[x > 0]", jvp_text="ẏ = ẋ·[x > 0]",
        method=True,
    )
    def relu(x: Operand, /) -> np.ndarray:
        \"\"\"y = max(x, 0).\"\"\"
        return np.maximum(x, 0)

* parameters before ``/`` are the operands (Tensors, arrays or numbers), the
  others are parameters passed by keyword to the forward and to every rule;
* ``vjp[i](g, y, *operands, **params)`` is the cotangent of operand ``i``
  given the output cotangent ``g`` (reverse mode, x̄ = ȳ·∂y/∂x);
* ``jvp[i](t, y, *operands, **params)`` is the output tangent contributed by
  the tangent ``t`` of operand ``i`` (forward mode, ẏ = Σ ∂y/∂xᵢ·ẋᵢ).

The decorator registers the primitive and returns the public function,
generated with the declared signature, which applies it (``apply.apply``);
``method=`` binds it to Tensor, ``numpy=`` answers the named numpy functions
for Tensors, and the package exports it. An IDE following ``ag.relu`` lands
on this declaration.

The rules' vocabulary: rules run on arrays on the fast path and on Tensors
when the backward pass must itself be differentiated (``create_graph``,
forward-over-reverse), so they may only use Python operators, Tensor methods,
the numpy functions Tensors answer (``numpy_protocol.UFUNCS`` and
``FUNCTIONS``), ``prim.bind`` and the helpers in ``broadcasting``. The
registry tests run every rule on Tensors that refuse conversion to arrays,
which catches any other numpy call.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np

from .errors import InvalidArgumentError

if TYPE_CHECKING:
    from .tensor import Tensor

Rule = Callable[..., Any]
P = ParamSpec("P")
R = TypeVar("R")
EMPTY: dict = {}


@dataclass(frozen=True)
class Formula:
    """The maths of a primitive in one line each, read by docs, traces and tooltips.

    >>> f = ag.REGISTRY["tanh"].formula
    >>> f.forward
    'tanh: y = tanh(x)'
    >>> f.vjp
    'x̄ = ȳ·(1 − y²)'
    >>> f.jvp
    'ẏ = ẋ·(1 − y²)'
    """

    forward: str
    vjp: str
    jvp: str

    def __str__(self) -> str:
        return f"{self.forward}; {self.vjp}; {self.jvp}"


def elementwise_flops(y: np.ndarray, *args: Any, **params: Any) -> int:
    """One floating-point operation per output element."""
    return int(np.size(y))


def reduction_flops(y: np.ndarray, x: np.ndarray, *args: Any, **params: Any) -> int:
    """One floating-point operation per input element."""
    return int(np.size(x))


def no_flops(*args: Any, **params: Any) -> int:
    """Shape and indexing ops move data but do no arithmetic."""
    return 0


class Primitive:
    """A registered operation: forward, per-operand VJP and JVP rules, formula text.

    >>> prim = ag.tanh.primitive
    >>> isinstance(prim, ag.Primitive), prim.name
    (True, 'tanh')
    >>> prim.bind(np.array([0.0, 1.0]))
    array([0.        , 0.76159416])
    """

    __slots__ = (
        "name",
        "forward",
        "vjps",
        "jvps",
        "formula",
        "flops",
        "broadcasting",
        "view",
        "sets_dtype",
        "promotes",
        "public",
        "declared_forward",
    )

    def __init__(
        self,
        name: str,
        forward: Callable[..., np.ndarray],
        vjps: Sequence[Rule | None],
        jvps: Sequence[Rule | None],
        formula: Formula,
        flops: Callable[..., int] = elementwise_flops,
        broadcasting: bool = False,
        view: bool = False,
        sets_dtype: bool = False,
        promotes: bool = False,
    ) -> None:
        self.name = name
        self.forward = forward
        self.vjps = vjps
        self.jvps = jvps
        self.formula = formula
        self.flops = flops
        self.broadcasting = broadcasting
        self.view = view
        self.sets_dtype = sets_dtype
        self.promotes = promotes
        self.public: Callable[..., Any] | None = None
        self.declared_forward: Callable[..., Any] = forward

    def __call__(self, *inputs: Any, **params: Any) -> Tensor:
        from .apply import apply

        return apply(self, inputs, params)

    def bind(self, *inputs: Any, **params: Any) -> Any:
        """Arrays in, array out; any Tensor in, Tensor out (for use inside rules)."""
        from .apply import apply
        from .tensor import Tensor

        for x in inputs:
            if isinstance(x, Tensor):
                return apply(self, inputs, params)
        return self.forward(*inputs, **params)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


class ArgnumRules:
    """Rules for a variadic primitive: ``rules[i]`` binds ``i`` as the first argument."""

    __slots__ = ("rule",)

    def __init__(self, rule: Callable[..., Any]) -> None:
        self.rule = rule

    def __getitem__(self, i: int) -> Rule:
        rule = self.rule
        return lambda *args, **params: rule(i, *args, **params)


REGISTRY: dict[str, Primitive] = {}


@dataclass
class PublicFunction:
    """A public function of the package and where else it is reachable."""

    name: str
    function: Callable[..., Any]
    methods: tuple[str, ...] = ()
    numpy: tuple[Any, ...] = ()
    primitive: Primitive | None = None
    extra: dict[str, Any] = field(default_factory=dict)


#: Every public function declared with ``@primitive`` or ``@public``, in declaration order.
API: dict[str, PublicFunction] = {}


def _names(method: bool | str | Sequence[str], default: str) -> tuple[str, ...]:
    if method is True:
        return (default,)
    if not method:
        return ()
    if isinstance(method, str):
        return (method,)
    return tuple(method)


def _numpy_targets(numpy: Any) -> tuple[Any, ...]:
    if numpy is None:
        return ()
    if isinstance(numpy, (tuple, list)):
        return tuple(numpy)
    return (numpy,)


def public(
    method: bool | str | Sequence[str] = False, numpy: Any = None, rules: Any = ()
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Export a composite function (built from primitives): as a Tensor method and a numpy handler if asked.

    ``rules``: the primitive function(s) it applies, whose formulas join its docstring.

    >>> @ag.public(rules=ag.exp)
    ... def exp_minus_one(x):
    ...     "y = eˣ − 1, built from the exp and sub primitives."
    ...     return ag.exp(x) - 1.0
    >>> x = ag.tensor(0.0, requires_grad=True)
    >>> exp_minus_one(x).backward()
    >>> x.grad
    tensor(1.)
    >>> "exp_minus_one" in ag.API
    True
    >>> del ag.API["exp_minus_one"]  # the registry is global: remove the example again
    """

    def declare(fn: Callable[P, R]) -> Callable[P, R]:
        name = fn.__name__
        prims = [r.primitive for r in (rules if isinstance(rules, (tuple, list)) else (rules,))]
        if prims:
            fn.__doc__ = _with_rules(fn.__doc__, *prims)
        API[name] = PublicFunction(name, fn, _names(method, name), _numpy_targets(numpy))
        return fn

    return declare


def primitive(
    *,
    vjp: Sequence[Rule | None] | ArgnumRules,
    jvp: Sequence[Rule | None] | ArgnumRules,
    formula: str,
    vjp_text: str,
    jvp_text: str,
    name: str | None = None,
    flops: Callable[..., int] = elementwise_flops,
    broadcasting: bool = False,
    view: bool = False,
    sets_dtype: bool = False,
    promotes: bool = False,
    method: bool | str | Sequence[str] = False,
    numpy: Any = None,
    prepare: Callable[..., dict[str, Any]] | None = None,
    variadic: bool = False,
    export: bool = True,
    kernel: Callable[..., Any] | None = None,
) -> Callable[[Callable[P, Any]], Callable[P, Tensor]]:
    """Declare a primitive from its forward function (see the module docstring).

    ``prepare(*operands, **params)`` normalises the parameters of a call
    (axes, defaults) before they reach the forward and the rules.
    ``variadic=True``: the one operand is a sequence of operands (concatenate).
    ``export=False`` registers the primitive without a public function of its
    own (used by composite public functions). ``kernel``: the numpy function the
    forward's body calls with the same arguments; the engine calls it directly,
    saving a Python frame per op (the registry tests check the two agree).

    >>> @ag.primitive(
    ...     vjp=(lambda g, y, x: g * 3 * x**2,),
    ...     jvp=(lambda t, y, x: t * 3 * x**2,),
    ...     formula="y = x³", vjp_text="x̄ = ȳ·3x²", jvp_text="ẏ = ẋ·3x²",
    ...     name="cube_example", export=False,
    ... )
    ... def cube(x, /):
    ...     "y = x³."
    ...     return x**3
    >>> x = ag.tensor(2.0, requires_grad=True)
    >>> cube(x).backward()
    >>> x.grad
    tensor(12.)
    >>> ag.gradcheck(cube, [ag.tensor([0.5, -1.5])]), ag.dot_product_test(cube, [ag.tensor([0.5, -1.5])])
    (True, True)
    >>> del ag.REGISTRY["cube_example"]  # the registry is global: remove the example again
    """

    def declare(forward: Callable[P, Any]) -> Callable[P, Tensor]:
        prim_name = name or forward.__name__
        if prim_name in REGISTRY:
            raise InvalidArgumentError(f"primitive {prim_name!r} is already registered; choose another name")
        if not isinstance(vjp, ArgnumRules) and not isinstance(jvp, ArgnumRules) and len(vjp) != len(jvp):
            raise InvalidArgumentError(
                f"primitive {prim_name!r}: {len(vjp)} VJP rules but {len(jvp)} JVP rules (one of each per operand)"
            )
        run = (lambda *xs, **params: forward(xs, **params)) if variadic else (kernel or forward)
        prim = Primitive(
            prim_name,
            run,
            vjp,
            jvp,
            Formula(f"{prim_name}: {formula}", vjp_text, jvp_text),
            flops=flops,
            broadcasting=broadcasting,
            view=view,
            sets_dtype=sets_dtype,
            promotes=promotes,
        )
        prim.declared_forward = forward
        REGISTRY[prim_name] = prim
        fn = generate_public_function(forward, prim, prepare, variadic)
        prim.public = fn
        if export:
            API[fn.__name__] = PublicFunction(
                fn.__name__, fn, _names(method, fn.__name__), _numpy_targets(numpy), primitive=prim
            )
        return fn

    return declare


def generate_public_function(
    forward: Callable[..., Any], prim: Primitive, prepare: Callable[..., dict] | None, variadic: bool
) -> Callable[..., Tensor]:
    """The public function of ``prim``: the forward's signature, applying the primitive.

    Generated from source (as dataclasses make ``__init__``), so a call costs
    one Python frame and a tuple, not a signature binding.
    """
    from .apply import apply

    sig = inspect.signature(forward)
    params = list(sig.parameters.values())
    kinds = inspect.Parameter
    operands = [p.name for p in params if p.kind is kinds.POSITIONAL_ONLY]
    if variadic:
        operands = [params[0].name]
    if not operands:
        raise InvalidArgumentError(
            f"primitive {prim.name!r}: mark its operands as positional-only (put '/' after them) in {forward.__name__}()"
        )
    keywords = [p.name for p in params if p.name not in operands]
    namespace: dict[str, Any] = {"_apply": apply, "_prim": prim, "_prepare": prepare, "_EMPTY": EMPTY}
    text = []
    star = False
    for i, p in enumerate(params):
        piece = p.name
        if p.kind is kinds.VAR_POSITIONAL:
            piece, star = "*" + p.name, True
        elif p.kind is kinds.VAR_KEYWORD:
            piece = "**" + p.name
        elif p.kind is kinds.KEYWORD_ONLY and not star:
            text.append("*")
            star = True
        if p.default is not p.empty:
            namespace[f"_d{i}"] = p.default
            piece += f"=_d{i}"
        text.append(piece)
        if p.kind is kinds.POSITIONAL_ONLY and (
            i + 1 == len(params) or params[i + 1].kind is not kinds.POSITIONAL_ONLY
        ):
            text.append("/")
    inputs = f"tuple({operands[0]})" if variadic else "(" + "".join(f"{o}, " for o in operands) + ")"
    keyword_text = ", ".join(f"{k}={k}" for k in keywords)
    if prepare is not None:
        call_params = f"_prepare({', '.join(operands)}{', ' if keywords else ''}{keyword_text})"
    elif keywords:
        call_params = "{" + ", ".join(f"{k!r}: {k}" for k in keywords) + "}"
    else:
        call_params = "_EMPTY"
    source = f"def {forward.__name__}({', '.join(text)}):\n    return _apply(_prim, {inputs}, {call_params})\n"
    code = compile(source, inspect.getsourcefile(forward) or f"<primitive {prim.name}>", "exec")
    exec(code, namespace)
    fn = namespace[forward.__name__]
    # tracebacks and debuggers point at the declaration, where the forward is written
    fn.__code__ = fn.__code__.replace(co_firstlineno=forward.__code__.co_firstlineno)
    functools.update_wrapper(fn, forward)
    fn.__annotations__ = {**forward.__annotations__, "return": "Tensor"}
    fn.__doc__ = _with_rules(forward.__doc__, prim)
    fn.primitive = prim  # type: ignore[attr-defined]
    return fn


def _with_rules(doc: str | None, *prims: Primitive) -> str:
    lines = [f"    {p.formula.forward}\n    {p.formula.vjp}\n    {p.formula.jvp}" for p in prims]
    return (doc or "").rstrip() + "\n\n    Rules (from the primitive registry):\n" + "\n".join(lines) + "\n"
