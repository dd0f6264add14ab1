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
  the tangent ``t`` of operand ``i`` (forward mode, ẏ = Σ ∂y/∂xᵢ·ẋᵢ);
* ``batch(batched, *operands, **params)`` is the batching rule ``vmap`` uses:
  the operands with ``batched[i]`` True carry the batch axis in front, and it
  returns the output with the batch axis in front (``batching.py`` has
  generic rules; ``broadcasting=True`` primitives get the elementwise one).

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

from .errors import ArgumentTypeError, InvalidArgumentError

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
        "batch",
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
        #: The batching rule (``vmap``); None: vmap loops over the batch and reports it.
        self.batch: Rule | None = None

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
    """Rules for a variadic primitive: ``rule(i, v, y, xs, **params)`` serves every input ``i``.

    The inputs come as one sequence ``xs``: ``call`` passes the backward pass's
    list as it is, since unpacking n arguments for each of n inputs would make a
    node with n inputs cost O(n²). ``rules[i]`` is the usual per-input form.
    """

    __slots__ = ("rule",)

    def __init__(self, rule: Callable[..., Any]) -> None:
        self.rule = rule

    def __getitem__(self, i: int) -> Rule:
        rule = self.rule
        return lambda v, y, *xs, **params: rule(i, v, y, xs, **params)

    def call(self, i: int, v: Any, y: Any, xs: Sequence[Any], params: dict) -> Any:
        """``rules[i](v, y, *xs, **params)`` without unpacking ``xs``."""
        return self.rule(i, v, y, xs, **params)


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
    #: a submodule the function lives in instead of the package top level ("linalg": ``ag.linalg.inv``)
    namespace: str = ""


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


def _key(name: str, namespace: str) -> str:
    """The ``API`` key of a public function: its name, qualified by its submodule if it has one."""
    return f"{namespace}.{name}" if namespace else name


def public(
    method: bool | str | Sequence[str] = False,
    numpy: Any = None,
    rules: Any = (),
    aliases: dict[str, tuple[str, ...]] | None = None,
    namespace: str = "",
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Export a composite function (built from primitives): as a Tensor method and a numpy handler if asked.

    ``rules``: the primitive function(s) it applies, whose formulas join its docstring.
    ``namespace``: the submodule it is exported from instead of the top level (``"linalg"``).
    A function with an ``axis`` or ``keepdims`` parameter also takes PyTorch's
    ``dim``/``keepdim`` (``keyword_aliases``); ``aliases`` replaces that table.

    >>> @ag.public(method="mean_abs_example")
    ... def mean_abs_example(x):
    ...     "y = (1/n) Σ |xᵢ|, built from primitives: its gradient needs no rule of its own."
    ...     return ag.abs(x).mean()
    >>> x = ag.tensor([-1.0, 3.0], requires_grad=True)
    >>> mean_abs_example(x).backward()
    >>> x.grad  # sign(x)/n
    tensor([-0.5,  0.5])
    >>> ag.API["mean_abs_example"].methods
    ('mean_abs_example',)
    >>> del ag.API["mean_abs_example"]  # (so that this example leaves the registry as it found it)
    """

    def declare(fn: Callable[P, R]) -> Callable[P, R]:
        name = fn.__name__
        prims = [r.primitive for r in (rules if isinstance(rules, (tuple, list)) else (rules,))]
        if prims:
            fn.__doc__ = _with_rules(fn.__doc__, *prims)
        fn = keyword_aliases(fn, aliases, always=True)
        key = _key(name, namespace)
        API[key] = PublicFunction(key, fn, _names(method, name), _numpy_targets(numpy), namespace=namespace)
        return fn

    return declare


# ------------------------------------------------------------ keyword names
#: PyTorch's names for numpy's keywords: every function that takes the key also takes its aliases.
ALIASES: dict[str, tuple[str, ...]] = {"axis": ("dim",), "keepdims": ("keepdim",)}


class _Unset:
    """The default of an aliased parameter in a generated function: tells "not passed" from any value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


UNSET = _Unset()


def _accepted_text(names: Sequence[str], table: dict[str, tuple[str, ...]]) -> str:
    parts = []
    for n in names:
        alts = table.get(n, ())
        parts.append(f"{n}=" + (f" (or {', '.join(a + '=' for a in alts)})" if alts else ""))
    return ", ".join(parts)


def _unknown_keywords(fn_name: str, names: Sequence[str], table: dict, unknown: Sequence[str]) -> ArgumentTypeError:
    accepted = _accepted_text(names, table)
    given = ", ".join(f"{k}=" for k in unknown)
    if not accepted:
        return ArgumentTypeError(f"{fn_name}() takes no keyword arguments, not {given}")
    return ArgumentTypeError(f"{fn_name}() takes {accepted}, not {given}")


def _both_given(fn_name: str, name: str, alias: str) -> ArgumentTypeError:
    return ArgumentTypeError(f"{fn_name}(): give {name}= or its PyTorch name {alias}=, not both")


def _alias_resolver(
    fn_name: str, names: Sequence[str], table: dict[str, tuple[str, ...]], shown: Sequence[str] | None = None
) -> Callable[..., Any]:
    """``resolve(extra, *values)``: the aliased parameters' values after reading their aliases from ``extra``.

    ``values`` are the aliased parameters as passed (``UNSET`` when not);
    ``extra`` holds the keywords the signature did not take. An unknown
    keyword, or a name given twice, is an ``ArgumentTypeError`` that lists
    what the function accepts (``shown``: the names worth listing, by default ``names``).
    """
    listed = names if shown is None else shown
    aliased = [n for n in names if n in table]
    alias_of = {alt: n for n in aliased for alt in table[n]}

    def resolve(extra: dict[str, Any], *values: Any) -> Any:
        unknown = [k for k in extra if k not in alias_of]
        if unknown:
            raise _unknown_keywords(fn_name, listed, table, unknown)
        out = dict(zip(aliased, values))
        for alt, value in extra.items():
            target = alias_of[alt]
            if out[target] is not UNSET:
                raise _both_given(fn_name, target, alt)
            out[target] = value
        return tuple(out[n] for n in aliased)

    return resolve


def _parameter_source(
    fn_name: str, params: list[inspect.Parameter], table: dict[str, tuple[str, ...]], namespace: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """The parameter list and opening lines of a generated function with ``params``.

    Defaults go into ``namespace``; with a ``table`` of aliases, a ``**_more``
    parameter collects the aliases (``_resolve`` reads them), and each aliased
    parameter defaults to ``UNSET``, replaced by its real default in the body.
    """
    kinds = inspect.Parameter
    text: list[str] = []
    defaults: list[str] = []
    star = optional_before = False
    for i, p in enumerate(params):
        piece = p.name
        if p.kind is kinds.VAR_POSITIONAL:
            piece, star = "*" + p.name, True
        elif p.kind is kinds.VAR_KEYWORD:
            piece = "**" + p.name
        elif p.kind is kinds.KEYWORD_ONLY and not star:
            text.append("*")
            star = True
        # a required parameter after an optional one (an aliased one) becomes optional too, checked in the body
        after_optional = p.kind is kinds.POSITIONAL_OR_KEYWORD and p.default is p.empty and optional_before
        if p.name in table or after_optional:
            piece += "=_UNSET"
            optional_before = optional_before or p.kind is kinds.POSITIONAL_OR_KEYWORD
            if p.default is not p.empty:
                namespace[f"_d{i}"] = p.default
                defaults.append(f"    if {p.name} is _UNSET:\n        {p.name} = _d{i}\n")
            else:
                defaults.append(f"    if {p.name} is _UNSET:\n        raise _missing({p.name!r})\n")
        elif p.default is not p.empty:
            namespace[f"_d{i}"] = p.default
            piece += f"=_d{i}"
        text.append(piece)
        if p.kind is kinds.POSITIONAL_ONLY and (
            i + 1 == len(params) or params[i + 1].kind is not kinds.POSITIONAL_ONLY
        ):
            text.append("/")
    keywords = [p.name for p in params if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)]
    star_args = any(p.kind is kinds.VAR_POSITIONAL for p in params)
    namespace.update(
        _UNSET=UNSET,
        # a parameter before *args is positional in practice: not listed as a keyword the function takes
        _resolve=_alias_resolver(
            fn_name,
            keywords,
            table,
            [
                p.name
                for p in params
                if p.name in keywords and not (star_args and p.kind is kinds.POSITIONAL_OR_KEYWORD)
            ],
        ),
        _missing=lambda name: ArgumentTypeError(
            f"{fn_name}() missing required argument {_accepted_text([name], table)}"
        ),
    )
    text.append("**_more")
    aliased = [k for k in keywords if k in table]
    if aliased:
        targets = ", ".join(aliased) + ("," if len(aliased) == 1 else "")
        body = [f"    if _more:\n        {targets} = _resolve(_more, {', '.join(aliased)})\n", *defaults]
    else:
        body = ["    if _more:\n        _resolve(_more)\n"]
    return text, body


def _aliased_signature(sig: inspect.Signature, table: dict[str, tuple[str, ...]], **changes: Any) -> inspect.Signature:
    """``sig`` with the aliases added as keyword-only parameters (what ``help()`` and IDEs show)."""
    params = list(sig.parameters.values())
    extra = [inspect.Parameter(alt, inspect.Parameter.KEYWORD_ONLY, default=None) for k in table for alt in table[k]]
    return sig.replace(parameters=params + extra, **changes)


def keyword_aliases(
    fn: Callable[P, R], aliases: dict[str, tuple[str, ...]] | None = None, always: bool = False
) -> Callable[P, R]:
    """``fn`` also taking the PyTorch names of its keywords (``dim`` for ``axis``, ``keepdim`` for ``keepdims``).

    Passing a name and its alias together, or a keyword ``fn`` does not
    take, raises ``ArgumentTypeError`` listing the accepted names ("sum()
    takes axis= (or dim=), keepdims= (or keepdim=), not dims="). Returns
    ``fn`` itself when it has none of the aliased names (``aliases``, by
    default ``ALIASES``); otherwise a generated function of the same
    signature that calls ``fn`` with its arguments as given (one frame, no
    ``*args``/``**kwargs`` repacking). With ``always``, a function without
    aliased names is wrapped too (``public`` does), so that an unknown
    keyword gets that error rather than Python's bare TypeError; a function
    taking ``**keywords`` is returned as it is (it reads them itself).
    """
    table_in = ALIASES if aliases is None else aliases
    sig = inspect.signature(fn)
    kinds = inspect.Parameter
    params = list(sig.parameters.values())
    keywords = [p.name for p in params if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)]
    table = {n: tuple(alts) for n, alts in table_in.items() if n in keywords}
    takes_keywords = any(p.kind is kinds.VAR_KEYWORD for p in params)
    if not table and (not always or takes_keywords):
        return fn
    if takes_keywords:
        raise InvalidArgumentError(f"keyword_aliases: {fn.__name__}() takes **keywords; it must read aliases itself")
    namespace: dict[str, Any] = {"_fn": fn}
    text, body = _parameter_source(fn.__name__, params, table, namespace)
    args = []
    for p in params:
        if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD):
            args.append(p.name)
        elif p.kind is kinds.VAR_POSITIONAL:
            args.append("*" + p.name)
        else:
            args.append(f"{p.name}={p.name}")
    source = f"def {fn.__name__}({', '.join(text)}):\n" + "".join(body) + f"    return _fn({', '.join(args)})\n"
    exec(compile(source, f"<keyword aliases of {fn.__qualname__}>", "exec"), namespace)
    wrapper = namespace[fn.__name__]
    functools.update_wrapper(wrapper, fn)
    if table:
        wrapper.__signature__ = _aliased_signature(sig, table)
        wrapper.keyword_aliases = table  # type: ignore[attr-defined]
    return wrapper


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
    namespace: str = "",
    batch: Any = None,
) -> Callable[[Callable[P, Any]], Callable[P, Tensor]]:
    """Declare a primitive from its forward function (see the module docstring).

    ``prepare(*operands, **params)`` normalises the parameters of a call
    (axes, defaults) before they reach the forward and the rules.
    ``variadic=True``: the one operand is a sequence of operands (concatenate).
    ``export=False`` registers the primitive without a public function of its
    own (used by composite public functions). ``kernel``: the numpy function the
    forward's body calls with the same arguments; the engine calls it directly,
    saving a Python frame per op (the registry tests check the two agree).
    ``namespace``: the submodule that exports it instead of the top level (``"linalg"``).
    ``batch``: the batching rule for ``vmap`` (see the module docstring), or a
    generic rule from ``batching`` (``leading``, ``elementwise``); elementwise
    primitives (``broadcasting=True``) default to ``batching.elementwise``.

    >>> @ag.primitive(
    ...     vjp=(lambda g, y, x: g * 3.0 * x**2,),
    ...     jvp=(lambda t, y, x: t * 3.0 * x**2,),
    ...     formula="y = x³", vjp_text="x̄ = 3x²·ȳ", jvp_text="ẏ = 3x²·ẋ",
    ... )
    ... def cube_example(x, /):
    ...     "y = x³."
    ...     return x**3
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = cube_example(x)
    >>> y
    tensor([1., 8.], grad_fn=cube_example)
    >>> y.sum().backward()
    >>> x.grad  # the declared VJP rule: 3x²
    tensor([ 3., 12.])
    >>> print(ag.REGISTRY["cube_example"].formula.vjp)
    x̄ = 3x²·ȳ
    >>> ag.gradcheck(cube_example, ag.tensor([0.5, -1.5], requires_grad=True))
    True
    >>> ag.unregister("cube_example")  # (so that this example leaves the registry as it found it)
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
        prim.batch = _batch_rule(prim, batch)
        REGISTRY[prim_name] = prim
        fn = generate_public_function(forward, prim, prepare, variadic, public=export)
        prim.public = fn
        if export:
            key = _key(fn.__name__, namespace)
            API[key] = PublicFunction(
                key, fn, _names(method, fn.__name__), _numpy_targets(numpy), primitive=prim, namespace=namespace
            )
            for hook in ON_REGISTER:
                hook(API[fn.__name__])
        return fn

    return declare


def _batch_rule(prim: Primitive, batch: Any) -> Rule | None:
    """The declared batching rule, with generic rules bound to ``prim``."""
    if batch is None and prim.broadcasting:
        from .batching import elementwise

        batch = elementwise
    if hasattr(batch, "for_primitive"):
        return batch.for_primitive(prim)
    return batch


#: Called with each ``PublicFunction`` declared after the package has loaded
#: (a user's primitive): binds its Tensor methods and numpy functions.
ON_REGISTER: list[Callable[[PublicFunction], None]] = []
#: Called with each ``PublicFunction`` that ``unregister`` removes.
ON_UNREGISTER: list[Callable[[PublicFunction], None]] = []


def unregister(name: str) -> None:
    """Remove the primitive ``name`` (a user's, e.g. to redeclare it in a notebook) and its public function.

    Its Tensor methods and numpy handlers go with it.

    >>> @ag.primitive(vjp=(lambda g, y, x: g,), jvp=(lambda t, y, x: t,), formula="y = x", vjp_text="x̄ = ȳ", jvp_text="ẏ = ẋ")
    ... def identity_example(x, /):
    ...     "y = x."
    ...     return x.copy()
    >>> "identity_example" in ag.REGISTRY
    True
    >>> ag.unregister("identity_example")
    >>> "identity_example" in ag.REGISTRY, "identity_example" in ag.API
    (False, False)
    >>> ag.unregister("identity_example")
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: unregister: no primitive named 'identity_example' is registered
    """
    prim = REGISTRY.pop(name, None)
    if prim is None:
        raise InvalidArgumentError(f"unregister: no primitive named {name!r} is registered")
    for key, entry in list(API.items()):
        if entry.primitive is prim:
            del API[key]
            for hook in ON_UNREGISTER:
                hook(entry)


def generate_public_function(
    forward: Callable[..., Any],
    prim: Primitive,
    prepare: Callable[..., dict] | None,
    variadic: bool,
    public: bool = True,
) -> Callable[..., Tensor]:
    """The public function of ``prim``: the forward's signature, applying the primitive.

    Generated from source (as dataclasses make ``__init__``), so a call costs
    one Python frame and a tuple, not a signature binding. A ``public``
    function also collects unknown keywords (a ``**`` parameter, read only
    when not empty): PyTorch's names of its keywords (``ALIASES``: ``dim``
    for ``axis``, ``keepdim`` for ``keepdims``) are accepted there, anything
    else is an error listing the accepted names. An aliased parameter
    defaults to ``UNSET`` so that passing it together with its alias is
    caught. A primitive of operands only (``tanh``, ``mul``) also gets
    ``fn.method_function``, the same function without the ``**`` parameter
    (an empty dict per call), which Tensor methods and operators bind: the
    hot path (``x * y``, ``x.tanh()``).
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
    # every public function collects unknown keywords (``**_more``, read only when not empty) to name what it takes
    collect = public and not any(p.kind is kinds.VAR_KEYWORD for p in params)
    table = {k: ALIASES[k] for k in keywords if k in ALIASES} if collect else {}
    namespace: dict[str, Any] = {
        "_apply": apply,
        "_prim": prim,
        "_prepare": prepare,
        "_EMPTY": EMPTY,
        "_sequence": operand_sequence,
    }
    fn = _generated(forward, prim, prepare, variadic, operands, keywords, collect, table, namespace)
    if collect and not keywords:
        fn.method_function = _generated(  # type: ignore[attr-defined]
            forward, prim, prepare, variadic, operands, keywords, False, table, dict(namespace)
        )
    if table:
        fn.__signature__ = _aliased_signature(sig, table, return_annotation="Tensor")  # help() shows dim= too
        fn.keyword_aliases = table  # type: ignore[attr-defined]
    return fn


def _generated(
    forward: Callable[..., Any],
    prim: Primitive,
    prepare: Callable[..., dict] | None,
    variadic: bool,
    operands: list[str],
    keywords: list[str],
    collect: bool,
    table: dict[str, tuple[str, ...]],
    namespace: dict[str, Any],
) -> Callable[..., Tensor]:
    params = list(inspect.signature(forward).parameters.values())
    if collect:
        text, body = _parameter_source(forward.__name__, params, table, namespace)
    else:
        text, body = _parameter_source(forward.__name__, params, {}, namespace)
        text.pop()  # no **_more: nothing to read
        body = []
    inputs = operands[0] if variadic else "(" + "".join(f"{o}, " for o in operands) + ")"
    keyword_text = ", ".join(f"{k}={k}" for k in keywords)
    if prepare is not None:
        call_params = f"_prepare({', '.join(operands)}{', ' if keywords else ''}{keyword_text})"
    elif keywords:
        call_params = "{" + ", ".join(f"{k!r}: {k}" for k in keywords) + "}"
    else:
        call_params = "_EMPTY"
    if variadic:  # a library error, not a raw one, for a non-sequence; a generator is read once
        body = [f"    {operands[0]} = _sequence({operands[0]}, {prim.name!r})\n", *body]
    source = (
        f"def {forward.__name__}({', '.join(text)}):\n"
        + "".join(body)
        + f"    return _apply(_prim, {inputs}, {call_params})\n"
    )
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


def operand_sequence(operands: Any, op: str) -> tuple:
    """The operands of a variadic primitive as a tuple; a library error if they are not a sequence."""
    from .tensor import Tensor

    if isinstance(operands, (Tensor, np.ndarray)):
        return tuple(operands)  # numpy's semantics: the rows along the first axis
    if isinstance(operands, (str, bytes, dict)) or not hasattr(operands, "__iter__"):
        from .errors import ArgumentTypeError

        raise ArgumentTypeError(f"{op}: give a list or tuple of tensors, not {operands!r}")
    return tuple(operands)


def _with_rules(doc: str | None, *prims: Primitive) -> str:
    lines = [f"    {p.formula.forward}\n    {p.formula.vjp}\n    {p.formula.jvp}" for p in prims]
    return (doc or "").rstrip() + "\n\n    Rules (from the primitive registry):\n" + "\n".join(lines) + "\n"
