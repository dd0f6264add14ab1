"""``functional_call``: run a module with parameters given as a pytree, so function transforms apply to models.

``functional_call(model, params, x)`` runs ``model(x)`` with each named
parameter (and buffer) replaced by the tensor in ``params`` for the duration
of the call, as ``torch.func.functional_call`` does. With it a model is a
function of its parameters::

    params = dict(model.named_parameters())
    grads = ag.grad(lambda p, x, y: loss_fn(nn.functional_call(model, p, x), y))(params, x, y)
    per_example = ag.vmap(ag.grad(loss), in_axes=(None, 0, 0))(params, X, Y)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from autograd_core.errors import ArgumentTypeError, NotFoundError

from .module import Module


def _flat_names(params: Any, prefix: str = "") -> dict[str, Any]:
    """{"layers.0.weight": t, …} from a flat dict, nested dicts, or a sequence of dicts (merged)."""
    if isinstance(params, Sequence) and not isinstance(params, (str, bytes)):
        merged: dict[str, Any] = {}
        for part in params:
            for name, value in _flat_names(part, prefix).items():
                if name in merged:
                    raise ArgumentTypeError(f"functional_call: {name!r} is given twice")
                merged[name] = value
        return merged
    if not isinstance(params, Mapping):
        raise ArgumentTypeError(
            f"functional_call: parameters must be a dict of name → tensor (e.g. dict(model.named_parameters())), "
            f"not {type(params).__name__}"
        )
    flat: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(_flat_names(value, name))
        else:
            flat[name] = value
    return flat


def _slots(model: Module) -> dict[str, tuple[Module, str, Any]]:
    """Every parameter and buffer by dotted name (shared ones under each of their names): (module, attribute, value)."""
    found: dict[str, tuple[Module, str, Any]] = {}
    for prefix, module in model.named_modules():
        for registry in (module._parameters, module._buffers):
            for attr, value in registry.items():
                found[f"{prefix}.{attr}" if prefix else attr] = (module, attr, value)
    return found


def functional_call(module: Module, parameters: Any, *args: Any, **kwargs: Any) -> Any:
    """``module(*args, **kwargs)`` with its parameters and buffers replaced by ``parameters`` during the call.

    ``parameters`` maps dotted names (``"layers.0.weight"``, as
    ``named_parameters()`` gives them) to tensors or arrays; nested dicts and
    a list of dicts are accepted too. Names left out keep the module's own
    values; a parameter shared under several names is replaced everywhere
    it appears. The module is restored afterwards, even on error (it is
    modified during the call, so do not share it between threads meanwhile).

    >>> layer = nn.Linear(2, 1)
    >>> x = ag.tensor([[1.0, 2.0]])
    >>> w, b = ag.tensor([[3.0, -1.0]]), ag.tensor([0.5])
    >>> print(nn.functional_call(layer, {"weight": w, "bias": b}, x).numpy())  # 3·1 − 1·2 + 0.5
    [[1.5]]
    >>> layer.weight is w  # the module keeps its own parameters
    False
    >>> loss = lambda w: nn.functional_call(layer, {"weight": w, "bias": b}, x).sum()
    >>> print(ag.grad(loss)(w).numpy())  # ∂(w·x + b)/∂w = x
    [[1. 2.]]
    >>> nn.functional_call(layer, {"weights": w}, x)
    Traceback (most recent call last):
        ...
    autograd_core.errors.NotFoundError: functional_call: Linear has no parameter or buffer named 'weights'; it has bias, weight
    """
    if not isinstance(module, Module):
        raise ArgumentTypeError(f"functional_call: need an nn.Module, not {type(module).__name__}")
    given = _flat_names(parameters)
    slots = _slots(module)
    unknown = sorted(set(given) - set(slots))
    if unknown:
        raise NotFoundError(
            f"functional_call: {type(module).__name__} has no parameter or buffer named {unknown[0]!r}; "
            f"it has {', '.join(sorted(slots)) or 'none'}"
        )
    replacement: dict[int, Any] = {id(slots[name][2]): value for name, value in given.items()}
    saved = []
    try:
        for module_, attr, value in slots.values():
            new = replacement.get(id(value))
            if new is None:
                continue
            saved.append((module_, attr, module_.__dict__.get(attr)))
            object.__setattr__(module_, attr, new)
        return module(*args, **kwargs)
    finally:
        for module_, attr, old in reversed(saved):
            object.__setattr__(module_, attr, old)
