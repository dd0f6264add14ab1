"""``checkpoint``: trade compute for memory by recomputing a function's intermediates in the backward pass.

``checkpoint(f)(*args)`` returns what f returns, with the same gradients, but
keeps none of f's intermediate values: f runs without recording, and its
outputs get one graph node whose VJP runs f again (recording) and
backpropagates through that fresh graph. A deep network split into
checkpointed blocks holds one block's activations at a time instead of all of
them (JAX's ``jax.checkpoint``, PyTorch's ``torch.utils.checkpoint``).

Tensors f uses from outside its arguments (a model's parameters) are found
while it runs and get their gradients too. Under forward mode or ``vmap`` f
simply runs (there is no backward pass to save memory for).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import _state
from .apply import ApplyObserver, observing
from .backward import run_backward
from .custom import Call, CustomOp, _differentiable, _outputs, _transpose
from .modes import enable_grad, no_grad
from .pytree import tree_flatten, tree_map, tree_structure
from .registry import Formula
from .tensor import Tensor, wrap


class _Uses(ApplyObserver):
    """Every tensor that requires grad and is an operand of a primitive while f runs without recording.

    Nothing computed inside f requires grad then, so these are exactly the
    tensors from outside: differentiable arguments and captured ones.
    """

    def __init__(self) -> None:
        self.found: dict[int, Tensor] = {}

    def applied(self, prim: Any, inputs: tuple, arrays: Any, params: dict, out: Tensor) -> None:
        for x in inputs:
            if isinstance(x, Tensor) and x.requires_grad and id(x) not in self.found:
                self.found[id(x)] = x


class _Recompute(CustomOp):
    """One checkpointed call: its backward rule runs f again and backpropagates through the new graph."""

    formula = Formula("checkpoint: y = f(x), intermediates not kept", "x̄ = VJP of f recomputed", "ẏ = JVP of f")

    def __init__(self, f: Callable[..., Any], args: tuple, inputs: list[Tensor]) -> None:
        self.f = f
        self.args = args
        self.inputs = inputs
        self._ids = {id(x) for x in inputs}
        self.name = f"checkpoint({getattr(f, '__name__', 'f')})"

    def backward(self, residuals: Any, cotangent: Any, args: tuple, outs: Any) -> tuple:
        cts = tree_flatten(cotangent, is_leaf=lambda c: c is None)[0]
        create_graph = any(isinstance(c, Tensor) for c in cts)
        call_args, wanted = self.args, self.inputs
        if not create_graph:  # first order: recompute from fresh leaves, so the pass stops at them
            fresh = {
                id(x): _leaf(x) for x in tree_flatten(self.args)[0] if isinstance(x, Tensor) and id(x) in self._ids
            }
            call_args = tree_map(lambda x: fresh.get(id(x), x), self.args)
            wanted = [fresh.get(id(x), x) for x in self.inputs]
        with enable_grad():
            out_leaves = tree_flatten(self.f(*call_args))[0]
        roots, seeds = [], []
        for o, c in zip(out_leaves, cts):
            if _differentiable(o) and o.requires_grad and c is not None:
                roots.append(o)
                seeds.append(c)
        if not roots:
            return (None,) * len(self.inputs)
        # retain_graph: the pass may walk into the graph around captured tensors, which the outer pass still needs
        grads = run_backward(
            roots, seeds, inputs=wanted, accumulate=False, create_graph=create_graph, retain_graph=True, hooks=False
        )
        return tuple(grads)

    def tangent(self, args: tuple, tangents: tuple) -> Any:
        """J·ẋ as the transpose of the recomputed VJP (which is linear in ȳ)."""
        with enable_grad():
            out = self.f(*self.args)
        out_leaves, out_tree = tree_flatten(out)
        floats = [o for o in out_leaves if _differentiable(o)]
        t_leaves = tree_flatten(tangents, is_leaf=lambda t: t is None)[0]

        def vjp(u: list) -> list:
            it = iter(u)
            ct = out_tree.unflatten([next(it) if _differentiable(o) else None for o in out_leaves])
            return list(self.backward(None, ct, args, None))

        grads = iter(_transpose(vjp, floats, t_leaves, f"{self.name}: its recomputed VJP"))
        return out_tree.unflatten([next(grads) if _differentiable(o) else None for o in out_leaves])


def _leaf(x: Tensor) -> Tensor:
    v = wrap(x.data)
    v.requires_grad = True
    return v


def checkpoint(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` with its intermediates recomputed in the backward pass instead of stored.

    Values and gradients are those of f (including gradients of tensors f
    captures, such as module parameters); peak memory during training drops
    to the inputs and outputs of each checkpointed call plus one call's
    intermediates while it is recomputed. f must compute the same values when
    run again (no randomness that changes between runs).

    >>> block = ag.checkpoint(lambda x: ag.tanh(x) * 2.0)
    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> block(x).sum().backward()  # tanh recomputed during backward, not stored
    >>> print(np.round(x.grad.numpy(), 4))  # 2·(1 − tanh²x), as without the checkpoint
    [2.    0.8399]
    """

    @functools.wraps(f)
    def remat(*args: Any) -> Any:
        state = _state.current()
        if not state.grad_enabled or state.fwd_levels or state.batch_levels:
            return f(*args)
        uses = _Uses()
        with no_grad(), observing(uses):
            out = f(*args)
        inputs = list(uses.found.values())
        if not inputs:
            return out
        op = _Recompute(f, args, inputs)
        call = Call(op, None, tree_structure(tuple(inputs)), inputs, list(range(len(inputs))))
        out_leaves, out_tree = tree_flatten(out)
        call.out_tree, call.out_leaves = out_tree, out_leaves
        return out_tree.unflatten(_outputs(call, out_leaves, True, state))

    return remat
