"""Each layer's Jacobian, the factors of the notes' chain rule ∂o/∂x = J_L ··· J_2·J_1.

The second notes write a network as a composition f = f_L ∘ … ∘ f_1 and its
input-output Jacobian as the product of the layers' Jacobians, evaluated
along the forward pass: J = J_L(x_L) ··· J_1(x_1), with x_{ℓ+1} = f_ℓ(x_ℓ).
``layer_jacobians`` returns those factors for an ``nn.Sequential`` or
``nn.MLP`` (or any list of layer functions), each computed by the cheaper
mode for its shape: D JVPs (forward mode) when a layer has fewer inputs
than outputs, M VJPs (reverse mode) otherwise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError, ShapeError

from .layers import MLP, Sequential
from .module import Module, eval_mode

Layer = Callable[[ag.Tensor], ag.Tensor]


def _flat_modules(model: Module) -> list[Module]:
    """The modules of a Sequential (or an MLP's), nested Sequentials opened up, in the order they run."""
    out: list[Module] = []
    for m in model.layers if isinstance(model, MLP) else model:
        out.extend(_flat_modules(m) if isinstance(m, (Sequential, MLP)) else [m])
    return out


def split_layers(model: Module) -> list[Layer]:
    """The notes' layers f_ℓ of a Sequential or MLP: each module with parameters plus the parameter-free ones after it.

    ``MLP([4, 8, 6, 4, 2])`` gives four layers, Linear + activation three
    times and the output Linear (with its output activation, if any).
    Parameter-free modules before the first parametrised one (a Flatten)
    join the first layer.
    """
    if not isinstance(model, (Sequential, MLP)):
        raise ArgumentTypeError(
            f"layer_jacobians splits an nn.Sequential or nn.MLP into layers, not a {type(model).__name__}; for a "
            "model of your own, pass its layers as a list of functions: layer_jacobians([f1, f2, ...], x)"
        )
    groups: list[list[Module]] = [[]]
    seen_parameters = False  # whether the current group already holds a module with parameters
    for m in _flat_modules(model):
        if next(m.parameters(), None) is not None:
            if seen_parameters:
                groups.append([])
            seen_parameters = True
        groups[-1].append(m)
    if not groups[0]:
        raise InvalidArgumentError("layer_jacobians: the model has no layers")
    return [_compose(group) for group in groups]


def _compose(modules: list[Module]) -> Layer:
    def layer(x: ag.Tensor) -> ag.Tensor:
        for m in modules:
            x = m(x)
        return x

    return layer


def _jacobian(f: Layer, x: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
    """(f(x), ∂f/∂x) by the cheaper mode: forward when dim x < dim f(x), else reverse."""
    with ag.no_grad():
        y = f(x)
    if y.ndim != 1:
        raise ShapeError(f"layer_jacobians: each layer must map a vector to a vector, got output shape {y.shape}")
    jac = ag.jacfwd(f) if x.shape[0] < y.shape[0] else ag.jacrev(f)
    J = jac(x)
    return y, J.detach() if isinstance(J, ag.Tensor) else ag.tensor(J)


def layer_jacobians(model: Module | Sequence[Layer], x: Any) -> list[ag.Tensor]:
    """[J_1, …, J_L]: the Jacobian J_ℓ = ∂f_ℓ/∂x_ℓ of each layer at the point the forward pass reaches.

    For one example x of shape (D,), J_ℓ has shape (M_ℓ, M_{ℓ−1}), so the
    product J_L ··· J_1 is the model's (M, D) Jacobian, ``ag.jacrev(model)(x)``
    (notes 001: ∂o/∂x = J_f(x_4)·J_f(x_3)·J_f(x_2)·J_f(x_1)). For a batch of
    shape (N, D) each factor gets a leading example axis, (N, M_ℓ, M_{ℓ−1}).
    ``model`` is an ``nn.Sequential`` or ``nn.MLP`` (split by
    ``split_layers``, and evaluated in eval mode, so dropout is off), or a
    list of functions f_ℓ. The results are constants (no graph).

    >>> model = nn.MLP([4, 8, 6, 4, 2], activation="tanh", rng=0)  # the second notes' network
    >>> Js = nn.layer_jacobians(model, ag.ones(4))
    >>> [J.shape for J in Js]
    [(8, 4), (6, 8), (4, 6), (2, 4)]
    >>> product = Js[3] @ Js[2] @ Js[1] @ Js[0]  # J4·J3·J2·J1
    >>> bool(np.allclose(product.data, ag.jacrev(model)(ag.ones(4)).data))
    True
    """
    if isinstance(model, Module):
        layers, context = split_layers(model), eval_mode(model)
    elif isinstance(model, Sequence) and model and all(callable(f) for f in model):
        layers, context = list(model), contextlib.nullcontext()
    else:
        raise ArgumentTypeError(
            "layer_jacobians takes an nn.Sequential, an nn.MLP or a non-empty list of layer functions, "
            f"not {type(model).__name__}"
        )
    data = x.data if isinstance(x, ag.Tensor) else ag.backend.as_array(x)
    if data.dtype.kind not in "fc":
        data = data.astype(ag.get_default_dtype())
    if data.ndim not in (1, 2):
        raise ShapeError(
            f"layer_jacobians: x must be one example of shape (D,) or a batch of shape (N, D), got {data.shape}"
        )
    if data.ndim == 2:
        per_example = [layer_jacobians(model, row) for row in data]
        if not per_example:
            raise InvalidArgumentError("layer_jacobians: the batch is empty")
        return [ag.tensor(np.stack([js[i].data for js in per_example])) for i in range(len(per_example[0]))]
    out = []
    with context:
        current = ag.tensor(data)
        for f in layers:
            current, J = _jacobian(f, current)
            out.append(J)
    return out
