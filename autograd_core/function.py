"""PyTorch's way of defining an operation: ``Function`` with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``.

``Cube.apply(x)`` runs forward without recording and gives the outputs one
graph node whose VJP is ``backward``; ``ctx.save_for_backward`` keeps tensors
for it, outputs among them as the graph holds them (so a backward written
with library operations can itself be differentiated). ``jvp(ctx, *tangents)``
gives forward mode; without it forward mode transposes backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .custom import CustomOp, _argument_cotangents, _as_output, _differentiable, _transpose, apply_custom
from .modes import no_grad
from .pytree import register_pytree_node, tree_flatten, tree_map
from .registry import Formula
from .tensor import Tensor, wrap


class FunctionCtx:
    """The ``ctx`` a ``Function``'s forward fills and its backward (and jvp) read.

    >>> class Square(ag.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)  # ctx is a FunctionCtx
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * g
    >>> x = ag.tensor(3.0, requires_grad=True)
    >>> Square.apply(x).backward()
    >>> x.grad
    tensor(6.)
    """

    def __init__(self) -> None:
        self._saved: tuple = ()
        self._outputs: list[int] = []  # positions in _saved holding forward outputs
        self.needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (inputs or outputs of forward) for backward; read them back as ``ctx.saved_tensors``."""
        self._saved = tensors

    save_for_forward = save_for_backward

    @property
    def saved_tensors(self) -> tuple:
        """What ``save_for_backward`` kept (outputs of forward as the graph's outputs, for double backward)."""
        return self._saved


def _flatten_ctx(ctx: FunctionCtx) -> tuple[list, Any]:
    """A ctx as a pytree: its saved tensors and tensor attributes are leaves (so vmap can batch them)."""
    attrs = {k: v for k, v in vars(ctx).items() if k != "_saved"}
    tensor_names = tuple(sorted(k for k, v in attrs.items() if isinstance(v, (Tensor, np.ndarray))))
    others = _Others({k: v for k, v in attrs.items() if k not in tensor_names})
    return [*ctx._saved, *(attrs[k] for k in tensor_names)], (len(ctx._saved), tensor_names, others)


def _unflatten_ctx(aux: Any, children: list) -> FunctionCtx:
    n, tensor_names, others = aux
    ctx = FunctionCtx()
    vars(ctx).update(others.values)
    ctx._saved = tuple(children[:n])
    vars(ctx).update(zip(tensor_names, children[n:]))
    return ctx


class _Others:
    """A ctx's other attributes, carried through flattening (compared by identity)."""

    __slots__ = ("values",)

    def __init__(self, values: dict) -> None:
        self.values = values


register_pytree_node(FunctionCtx, _flatten_ctx, _unflatten_ctx)


class _FunctionOp(CustomOp):
    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.name = cls.__name__
        self.formula = Formula(
            f"{self.name}: y = {self.name}.forward(x)",
            f"x̄ = {self.name}.backward(ȳ)",
            f"ẏ = {self.name}.jvp(ẋ)"
            if _defines(cls, "jvp")
            else f"ẏ = transpose of {self.name}.backward applied to ẋ",
        )

    def _run(self, args: tuple) -> tuple[Any, FunctionCtx]:
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            out = self.cls.forward(ctx, *args)
        out = tree_map(_as_output, out)
        out_leaves = tree_flatten(out)[0]
        ctx._outputs = [k for k, s in enumerate(ctx._saved) if any(s is o for o in out_leaves if isinstance(o, Tensor))]
        ctx._output_index = {k: next(j for j, o in enumerate(out_leaves) if o is ctx._saved[k]) for k in ctx._outputs}
        return out, ctx

    def primal(self, *args: Any) -> Any:
        return self._run(args)[0]

    def forward(self, *args: Any) -> tuple[Any, Any]:
        return self._run(args)

    def backward(self, ctx: Any, cotangent: Any, args: tuple, outs: Any) -> tuple:
        out_leaves = tree_flatten(outs)[0]
        if ctx._outputs:  # saved outputs, as the graph holds them: double backward sees them
            saved = list(ctx._saved)
            for k in ctx._outputs:
                saved[k] = out_leaves[ctx._output_index[k]]
            view = FunctionCtx()
            view.__dict__.update(ctx.__dict__)
            view._saved = tuple(saved)
            ctx = view
        grads = self.cls.backward(ctx, *tree_flatten(cotangent, is_leaf=lambda c: c is None)[0])
        return grads if isinstance(grads, tuple) else (grads,)

    def tangent(self, args: tuple, tangents: tuple) -> Any:
        out, ctx = self._run(args)
        if _defines(self.cls, "jvp"):
            t_leaves = tree_flatten(tangents, is_leaf=lambda t: t is None)[0]
            found = self.cls.jvp(ctx, *t_leaves)
            return tree_map(lambda t: wrap(t) if isinstance(t, np.ndarray) else t, found)
        out_leaves, out_tree = tree_flatten(out)
        arg_tree = tree_flatten(args)[1]
        t_leaves = tree_flatten(tangents, is_leaf=lambda t: t is None)[0]
        floats = [o for o in out_leaves if _differentiable(o)]

        def backward(u: list) -> list:
            grads = self.cls.backward(ctx, *u)
            return _argument_cotangents(grads if isinstance(grads, tuple) else (grads,), arg_tree, self.name)

        what = f"{self.name}: forward mode (no jvp defined) transposes backward, but it"
        grads = iter(_transpose(backward, floats, t_leaves, what))
        return out_tree.unflatten([next(grads) if _differentiable(o) else None for o in out_leaves])


def _defines(cls: type, name: str) -> bool:
    return getattr(cls, name, None) is not getattr(Function, name, None)


class Function:
    """An operation defined PyTorch's way: static ``forward(ctx, *args)``, ``backward(ctx, *grads)``, ``.apply``.

    >>> class Cube(ag.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x * x * g
    >>> Cube.apply(ag.tensor(2.0, requires_grad=True))
    tensor(8., grad_fn=Cube)

    forward runs without recording (it may use numpy on ``x.data``); backward
    returns one gradient per input (None for none) and, written with library
    operations, can itself be differentiated (double backward). ``jvp(ctx,
    *tangents)`` gives forward mode; without it forward mode transposes
    backward. Inside ``vmap`` a forward that reads values runs once per example.
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        """The computation (runs without recording)."""
        raise NotImplementedError("a Function subclass defines forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        """One gradient per input of forward, from one gradient per output."""
        raise NotImplementedError("a Function subclass defines backward(ctx, *grads)")

    @staticmethod
    def jvp(ctx: FunctionCtx, *tangents: Any) -> Any:
        """Optional: the output tangent from one tangent per input."""
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._op = _FunctionOp(cls)

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the function on ``args``, recording one node with its backward for the graph."""
        return apply_custom(cls._op, args)
