"""JAX's ``custom_vjp`` and ``custom_jvp``: a function with a reverse-mode or forward-mode rule of its own.

* ``custom_vjp``: ``f.defvjp(fwd, bwd)`` — reverse mode runs
  ``fwd(*args) -> (out, residuals)`` and later ``bwd(residuals, ȳ) -> (x̄, …)``.
  Forward mode, which JAX refuses, transposes bwd (linear in ȳ): ẏ = J·ẋ is
  the transpose of ȳ ↦ Jᵀ·ȳ applied to ẋ, so ``jacfwd`` and ``hessian`` work.
* ``custom_jvp``: ``f.defjvp(jvp)`` with ``jvp(primals, tangents) -> (out, ẏ)``.
  Reverse mode transposes the tangent map ẋ ↦ ẏ (JAX's semantics).

Both are used by every transform (``custom.py`` applies them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .backend import zeros
from .custom import (
    CustomOp,
    _argument_cotangents,
    _differentiable,
    _transpose,
    apply_custom,
    forward_rule,
)
from .errors import ArgumentTypeError, GradientError
from .modes import no_grad
from .pytree import flatten_up_to, tree_flatten, tree_unflatten
from .registry import Formula
from .tensor import wrap


class _CustomVJP(CustomOp):
    def __init__(self, f: Callable[..., Any]) -> None:
        self.f = f
        self.name = getattr(f, "__name__", "custom_vjp")
        self.fwd: Callable[..., Any] | None = None
        self.bwd: Callable[..., Any] | None = None
        self.formula = Formula(
            f"{self.name}: y = {self.name}(x)",
            "x̄ = bwd(residuals, ȳ) (custom_vjp)",
            "ẏ = transpose of bwd applied to ẋ",
        )

    def primal(self, *args: Any) -> Any:
        return self.f(*args)

    def forward(self, *args: Any) -> tuple[Any, Any]:
        self._check()
        with forward_rule(self):
            found = self.fwd(*args)
        if not isinstance(found, tuple) or len(found) != 2:
            raise ArgumentTypeError(f"{self.name}: fwd must return a pair (output, residuals)")
        return found

    def backward(self, residuals: Any, cotangent: Any, args: tuple, outs: Any) -> tuple:
        found = self.bwd(residuals, cotangent)
        if not isinstance(found, tuple):
            raise ArgumentTypeError(
                f"{self.name}: bwd must return a tuple with one cotangent per argument, got {type(found).__name__}"
            )
        return found

    def tangent(self, args: tuple, tangents: tuple) -> Any:
        out, residuals = self.forward(*args)
        out_leaves, out_tree = tree_flatten(out)
        arg_tree = tree_flatten(args)[1]
        t_leaves = tree_flatten(tangents, is_leaf=lambda t: t is None)[0]
        floats = [o for o in out_leaves if _differentiable(o)]

        def bwd(u: list) -> list:
            it = iter(u)
            ct = out_tree.unflatten([next(it) if _differentiable(o) else None for o in out_leaves])
            return _argument_cotangents(self.bwd(residuals, ct), arg_tree, self.name)

        # ẏ = Jẋ: bwd is ū ↦ Jᵀū, so its transpose applied to ẋ
        grads = iter(_transpose(bwd, floats, t_leaves, f"{self.name}: forward mode transposes bwd, but bwd"))
        return out_tree.unflatten([next(grads) if _differentiable(o) else None for o in out_leaves])

    def _check(self) -> None:
        if self.fwd is None:
            raise GradientError(
                f"{self.name}: define its rules with {self.name}.defvjp(fwd, bwd) before differentiating"
            )


class custom_vjp:
    """Give f a reverse-mode rule of its own (JAX's ``jax.custom_vjp``).

    >>> @ag.custom_vjp
    ... def log1pexp(x):
    ...     return ag.log(1 + ag.exp(x))
    >>> def fwd(x):
    ...     return log1pexp(x), x
    >>> def bwd(x, g):
    ...     return (g * ag.sigmoid(x),)      # stable where autodiff gives inf/inf
    >>> log1pexp.defvjp(fwd, bwd)
    >>> print(np.round(log1pexp(ag.tensor([0.0, 2.0])).numpy(), 4))  # log(1 + eˣ)
    [0.6931 2.1269]
    >>> with np.errstate(over="ignore"):  # exp(1000) overflows in the value, not in the custom gradient
    ...     print(ag.grad(lambda x: log1pexp(x).sum())(ag.tensor([0.0, 1000.0])))
    tensor([0.5, 1. ])

    ``fwd(*args) -> (out, residuals)``; ``bwd(residuals, ȳ) -> tuple`` with
    one cotangent per positional argument (None for none), shaped like it.
    Without differentiation f itself runs. Forward mode (``jvp``,
    ``jacfwd``, ``hessian``) transposes bwd, which must then be written with
    library operations.
    """

    def __init__(self, f: Callable[..., Any]) -> None:
        self.op = _CustomVJP(f)
        functools.update_wrapper(self, f)

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> None:
        """Set the rules: ``fwd(*args) -> (out, residuals)`` and ``bwd(residuals, ȳ) -> (x̄, …)``."""
        self.op.fwd, self.op.bwd = fwd, bwd

    def __call__(self, *args: Any) -> Any:
        return apply_custom(self.op, args)


class _CustomJVP(CustomOp):
    def __init__(self, f: Callable[..., Any]) -> None:
        self.f = f
        self.name = getattr(f, "__name__", "custom_jvp")
        self.rule: Callable[..., Any] | None = None
        self.formula = Formula(
            f"{self.name}: y = {self.name}(x)",
            "x̄ = transpose of the jvp rule applied to ȳ",
            "ẏ = jvp(x, ẋ) (custom_jvp)",
        )

    def primal(self, *args: Any) -> Any:
        return self.f(*args)

    def forward(self, *args: Any) -> tuple[Any, Any]:
        self._check()
        with no_grad():
            out = self.f(*args)
        return out, None

    def _tangent_out(self, args: tuple, tangents: tuple) -> Any:
        found = self.rule(tuple(args), tuple(tangents))
        if not isinstance(found, tuple) or len(found) != 2:
            raise ArgumentTypeError(f"{self.name}: the jvp rule must return a pair (primal_out, tangent_out)")
        return found[1]

    def tangent(self, args: tuple, tangents: tuple) -> Any:
        self._check()
        leaves, tree = tree_flatten(args)
        t_leaves = tree_flatten(tangents, is_leaf=lambda t: t is None)[0]
        filled = [
            t if t is not None else (wrap(zeros(x.shape, x.dtype, x)) if _differentiable(x) else None)
            for x, t in zip(leaves, t_leaves)
        ]
        return self._tangent_out(args, tree_unflatten(tree, filled))

    def backward(self, residuals: Any, cotangent: Any, args: tuple, outs: Any) -> tuple:
        leaves, tree = tree_flatten(args)
        floats = [k for k, x in enumerate(leaves) if _differentiable(x)]
        out_tree = tree_flatten(outs)[1]

        def tangent_map(u: list) -> list:
            filled: list[Any] = [None] * len(leaves)
            for k, uk in zip(floats, u):
                filled[k] = uk
            found = self._tangent_out(args, tree_unflatten(tree, filled))
            return flatten_up_to(out_tree, found, f"{self.name} jvp rule", lenient=True, none_leaves=True)

        # x̄ = Jᵀȳ: the transpose of the linear map ẋ ↦ ẏ applied to ȳ
        cts = tree_flatten(cotangent, is_leaf=lambda c: c is None)[0]
        what = f"{self.name}: reverse mode transposes the jvp rule, but it"
        grads = _transpose(tangent_map, [leaves[k] for k in floats], cts, what)
        per_leaf: list[Any] = [None] * len(leaves)
        for k, g in zip(floats, grads):
            per_leaf[k] = g
        return tuple(tree_unflatten(tree, per_leaf))

    def _check(self) -> None:
        if self.rule is None:
            raise GradientError(f"{self.name}: define its rule with @{self.name}.defjvp before differentiating")


class custom_jvp:
    """Give f a forward-mode rule of its own (JAX's ``jax.custom_jvp``); reverse mode transposes it.

    >>> @ag.custom_jvp
    ... def safe_norm(x):
    ...     return ag.sqrt((x * x).sum())
    >>> @safe_norm.defjvp
    ... def safe_norm_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     y = safe_norm(x)
    ...     return y, ag.where(y > 0, (x * t).sum() / ag.where(y > 0, y, 1.0), 0.0)
    >>> x = ag.tensor([3.0, 4.0])
    >>> ag.jvp(safe_norm, (x,), (ag.tensor([1.0, 0.0]),))  # ‖x‖ and ẏ = x·ẋ / ‖x‖
    (tensor(5.), tensor(0.6))
    >>> ag.grad(safe_norm)(x), ag.grad(safe_norm)(ag.zeros(2))  # reverse mode transposes the rule: 0 at 0, not nan
    (tensor([0.6, 0.8]), tensor([0., 0.]))

    The rule ``jvp(primals, tangents) -> (out, tangent_out)`` receives tuples
    with one entry per positional argument; tangent_out must be linear in the
    tangents and written with library operations (reverse mode transposes it).
    """

    def __init__(self, f: Callable[..., Any]) -> None:
        self.op = _CustomJVP(f)
        functools.update_wrapper(self, f)

    def defjvp(self, rule: Callable[..., Any]) -> Callable[..., Any]:
        """Set the rule ``rule(primals, tangents) -> (out, tangent_out)``; usable as a decorator."""
        self.op.rule = rule
        return rule

    def __call__(self, *args: Any) -> Any:
        return apply_custom(self.op, args)
