"""Moving models between nn and PyTorch: ``to_torch``, ``from_torch`` and the state-dict converters.

nn follows PyTorch's names and layouts, so the translation is one to one:
a Linear's weight is (out_features, in_features) in both, BatchNorm1d keeps
``running_mean``, ``running_var`` and ``num_batches_tracked``, and children
keep their names. State-dict keys are therefore the same on both sides
(nn.MLP becomes a small torch module that also keeps its layers under
``layers``), and moving weights is only a change of array type:

    torch_model = nn.to_torch(model)                    # same structure, same weights
    torch_model.load_state_dict(nn.state_dict_to_torch(nn.load("model.npz")))
    model.load_state_dict(nn.state_dict_from_torch(torch_model.state_dict()))

Supported on both sides: Sequential, MLP, Linear, ReLU, Sigmoid, Tanh,
LeakyReLU, PReLU, ELU, SiLU, Softplus, Softmax, LogSoftmax, Identity,
Flatten, Dropout, BatchNorm1d and Step (a small torch module). Anything
else raises ``UnsupportedModuleError`` naming it. ``torch`` is imported only
inside these functions; it stays an optional dependency.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, DtypeError

from .activations import ELU, Identity, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, SiLU, Softmax, Softplus, Step, Tanh
from .errors import MissingDependencyError, UnsupportedModuleError
from .layers import MLP, BatchNorm1d, Dropout, Flatten, Linear, Sequential
from .module import Module

FLOAT_DTYPES = ("float16", "float32", "float64")


def _import_torch() -> Any:
    try:
        import torch
    except ImportError as err:
        raise MissingDependencyError("converting to or from PyTorch needs torch: pip install torch") from err
    return torch


# ----------------------------------------------------------------- state dicts


def state_dict_to_torch(state: Mapping[str, Any]) -> OrderedDict[str, Any]:
    """The same state dict with torch tensors: ``torch_model.load_state_dict(state_dict_to_torch(nn.load(path)))``.

    Keys, shapes and dtypes are kept (nn's layouts are PyTorch's); each array
    is copied into a new ``torch.Tensor``.

    >>> import torch  # doctest: +SKIP
    >>> state = nn.state_dict_to_torch(nn.Linear(3, 2).state_dict())  # doctest: +SKIP
    >>> {k: tuple(v.shape) for k, v in state.items()}  # doctest: +SKIP
    {'weight': (2, 3), 'bias': (2,)}
    """
    torch = _import_torch()
    out: OrderedDict[str, Any] = OrderedDict()
    for key, value in state.items():
        out[key] = torch.tensor(ag.backend.host_array(value))  # a device array is copied to host on purpose
    return out


def state_dict_from_torch(state: Mapping[str, Any]) -> OrderedDict[str, np.ndarray]:
    """A PyTorch state dict as numpy arrays, for ``model.load_state_dict`` or ``nn.save`` (keys and dtypes kept).

    >>> import torch  # doctest: +SKIP
    >>> state = nn.state_dict_from_torch(torch.nn.Linear(3, 2).state_dict())  # doctest: +SKIP
    >>> {k: (v.shape, v.dtype) for k, v in state.items()}  # doctest: +SKIP
    {'weight': ((2, 3), dtype('float32')), 'bias': ((2,), dtype('float32'))}
    """
    return OrderedDict((key, _numpy(value)) for key, value in state.items())


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        return value.detach().cpu().numpy().copy()
    return np.array(value)


# --------------------------------------------------------------------- to torch


def to_torch(model: Module) -> Any:
    """An equivalent ``torch.nn.Module``: same structure, child names, weights (copied), dtypes and train/eval modes.

    ``to_torch(model)(x)`` equals ``model(x)`` (to rounding; exactly the same
    operations in float64), and ``to_torch(model).state_dict()`` has the keys
    of ``model.state_dict()``. Frozen parameters (``requires_grad=False``)
    stay frozen.

    >>> import torch  # doctest: +SKIP
    >>> model = nn.MLP([3, 4, 2], rng=0)
    >>> torch_model = nn.to_torch(model)  # doctest: +SKIP
    >>> x = np.ones((1, 3))
    >>> bool(np.allclose(torch_model(torch.tensor(x)).detach().numpy(), model(ag.tensor(x)).data))  # doctest: +SKIP
    True
    """
    torch = _import_torch()
    if not isinstance(model, Module):
        raise ArgumentTypeError(f"to_torch converts an nn.Module, not {type(model).__name__}")
    return _to_torch(torch, model, "", {})


def _to_torch(torch: Any, m: Module, path: str, done: dict[int, Any]) -> Any:
    """The torch module for ``m`` (one per nn module, so a module used twice stays shared), in ``m``'s mode."""
    if id(m) not in done:
        done[id(m)] = out = _build_torch(torch, m, path, done)
        out.training = m.training  # this module only: each child carries its own mode
    return done[id(m)]


def _build_torch(torch: Any, m: Module, path: str, done: dict[int, Any]) -> Any:
    from . import _torch_modules

    tnn = torch.nn
    kind = _supported_kind(m, TO_TORCH_KINDS, "to_torch", path)
    if kind is Sequential:
        seq = tnn.Sequential()
        for name, child in m.named_children():
            seq.add_module(name, _to_torch(torch, child, _join(path, name), done))
        return seq
    if kind is MLP:
        return _torch_modules.MLP(m.sizes, _to_torch(torch, m.layers, _join(path, "layers"), done))
    if kind is Step:
        return _torch_modules.Step()
    if kind is Linear:
        out = tnn.Linear(m.in_features, m.out_features, bias=m.bias is not None, dtype=_torch_dtype(torch, m.weight))
    elif kind is BatchNorm1d:
        source = m.weight if m.affine else getattr(m, "running_mean", None)
        dtype = None if source is None else _torch_dtype(torch, source)
        out = tnn.BatchNorm1d(m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats, dtype=dtype)
    elif kind is PReLU:
        out = tnn.PReLU(m.num_parameters, dtype=_torch_dtype(torch, m.weight))
    else:
        return TO_TORCH_KINDS[kind](tnn, m)
    _copy_state_into_torch(torch, m, out)
    return out


def _copy_state_into_torch(torch: Any, m: Module, out: Any) -> None:
    """Copy ``m``'s own parameters and buffers into the torch module of the same names (and their requires_grad)."""
    with torch.no_grad():
        for name, p in m._parameters.items():
            if p is not None:
                target = getattr(out, name)
                target.copy_(torch.from_numpy(np.array(ag.backend.host_array(p.data))))
                target.requires_grad_(p.requires_grad)
        for name, b in m._buffers.items():
            getattr(out, name).copy_(torch.from_numpy(np.array(ag.backend.host_array(b))))


def _torch_dtype(torch: Any, array: Any) -> Any:
    dtype = np.dtype(array.dtype)
    if dtype.name not in FLOAT_DTYPES:
        raise DtypeError(f"to_torch converts float16, float32 and float64 parameters, not {dtype}")
    return getattr(torch, dtype.name)


# The stateless modules: nn class → how to build the torch module.
TO_TORCH_KINDS: dict[type, Callable[[Any, Any], Any] | None] = {
    Sequential: None,
    MLP: None,
    Step: None,
    Linear: None,
    BatchNorm1d: None,
    PReLU: None,
    ReLU: lambda tnn, m: tnn.ReLU(),
    Sigmoid: lambda tnn, m: tnn.Sigmoid(),
    Tanh: lambda tnn, m: tnn.Tanh(),
    SiLU: lambda tnn, m: tnn.SiLU(),
    Identity: lambda tnn, m: tnn.Identity(),
    LeakyReLU: lambda tnn, m: tnn.LeakyReLU(m.negative_slope),
    ELU: lambda tnn, m: tnn.ELU(m.alpha),
    Softplus: lambda tnn, m: tnn.Softplus(m.beta, m.threshold),
    Softmax: lambda tnn, m: tnn.Softmax(dim=m.axis),
    LogSoftmax: lambda tnn, m: tnn.LogSoftmax(dim=m.axis),
    Flatten: lambda tnn, m: tnn.Flatten(m.start_dim, m.end_dim),
    Dropout: lambda tnn, m: tnn.Dropout(m.p),
}


# ------------------------------------------------------------------- from torch


def from_torch(module: Any) -> Module:
    """nn's equivalent of a PyTorch module built from supported layers (see the module docstring).

    Weights, buffers, dtypes, child names, train/eval modes and
    ``requires_grad`` are copied, so ``from_torch(m)(x)`` equals ``m(x)``
    and the state dicts have the same keys. ``Softmax``/``LogSoftmax`` need an
    explicit ``dim``.

    >>> import torch  # doctest: +SKIP
    >>> torch_model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))  # doctest: +SKIP
    >>> model = nn.from_torch(torch_model)  # doctest: +SKIP
    >>> x = np.ones((1, 3))
    >>> bool(np.allclose(model(ag.tensor(x)).data, torch_model(torch.tensor(x, dtype=torch.float32)).detach().numpy(), atol=1e-6))  # doctest: +SKIP
    True
    """
    torch = _import_torch()
    if not isinstance(module, torch.nn.Module):
        raise ArgumentTypeError(f"from_torch converts a torch.nn.Module, not {type(module).__name__}")
    return _from_torch(torch, module, "", {})


def _from_torch(torch: Any, m: Any, path: str, done: dict[int, Module]) -> Module:
    """nn's module for the torch module ``m`` (one per torch module, so sharing is kept), in ``m``'s mode."""
    if id(m) not in done:
        done[id(m)] = out = _build_nn(torch, m, path, done)
        out.training = bool(m.training)  # this module only: each child carries its own mode
    return done[id(m)]


def _build_nn(torch: Any, m: Any, path: str, done: dict[int, Module]) -> Module:
    from . import _torch_modules

    tnn = torch.nn
    kinds = _from_torch_kinds(tnn, _torch_modules)
    kind = _supported_kind(m, kinds, "from_torch", path)
    if kind is tnn.Sequential:
        # _modules, not named_children(), which lists a module used twice only once.
        children = OrderedDict((n, _from_torch(torch, c, _join(path, n), done)) for n, c in m._modules.items())
        return Sequential(children)
    if kind is _torch_modules.MLP:
        return _mlp(m.sizes, _from_torch(torch, m.layers, _join(path, "layers"), done))
    if kind is tnn.Linear:
        out = Linear(m.in_features, m.out_features, bias=m.bias is not None, dtype=_numpy_dtype(m.weight))
    elif kind is tnn.BatchNorm1d:
        source = m.weight if m.affine else m.running_mean
        dtype = _numpy_dtype(source) if source is not None else None
        out = BatchNorm1d(m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats, dtype=dtype)
    elif kind is tnn.PReLU:
        out = PReLU(m.num_parameters, dtype=_numpy_dtype(m.weight))
    else:
        if kind in (tnn.Softmax, tnn.LogSoftmax) and m.dim is None:
            raise UnsupportedModuleError(
                f"from_torch: {_where(path)}{kind.__name__}(dim=None) picks its axis from the input's rank (a "
                f"deprecated PyTorch behaviour); build it with an explicit dim, e.g. {kind.__name__}(dim=-1)"
            )
        return kinds[kind](m)
    _copy_state_from_torch(m, out)
    return out


def _copy_state_from_torch(m: Any, out: Module) -> None:
    for name, p in out._parameters.items():
        source = getattr(m, name)
        np.copyto(p.data, _numpy(source))
        p.requires_grad = bool(source.requires_grad)
    for name, b in out._buffers.items():
        source = getattr(m, name)
        if source is not None:
            np.copyto(b, _numpy(source), casting="same_kind")


def _numpy_dtype(tensor: Any) -> np.dtype:
    name = str(tensor.dtype).removeprefix("torch.")
    if name not in FLOAT_DTYPES:
        raise DtypeError(f"from_torch converts float16, float32 and float64 parameters, not {tensor.dtype}")
    return np.dtype(name)


def _mlp(sizes: list[int], layers: Sequential) -> MLP:
    """An nn.MLP holding ``layers`` as they are (its constructor would draw new ones)."""
    mlp = MLP.__new__(MLP)
    Module.__init__(mlp)
    mlp.sizes = list(sizes)
    mlp.layers = layers
    return mlp


def _from_torch_kinds(tnn: Any, extra: Any) -> dict[type, Callable[[Any], Module] | None]:
    """torch class → how to build nn's module (None: built with its state in ``_from_torch``)."""
    return {
        tnn.Sequential: None,
        extra.MLP: None,
        tnn.Linear: None,
        tnn.BatchNorm1d: None,
        tnn.PReLU: None,
        extra.Step: lambda m: Step(),
        tnn.ReLU: lambda m: ReLU(),
        tnn.Sigmoid: lambda m: Sigmoid(),
        tnn.Tanh: lambda m: Tanh(),
        tnn.SiLU: lambda m: SiLU(),
        tnn.Identity: lambda m: Identity(),
        tnn.LeakyReLU: lambda m: LeakyReLU(m.negative_slope),
        tnn.ELU: lambda m: ELU(m.alpha),
        tnn.Softplus: lambda m: Softplus(m.beta, m.threshold),
        tnn.Softmax: lambda m: Softmax(m.dim),
        tnn.LogSoftmax: lambda m: LogSoftmax(m.dim),
        tnn.Flatten: lambda m: Flatten(m.start_dim, m.end_dim),
        tnn.Dropout: lambda m: Dropout(m.p),
    }


# ----------------------------------------------------------------------- shared


def _supported_kind(m: Any, kinds: Mapping[type, Any], caller: str, path: str) -> type:
    """The supported class ``m`` is (or derives from without overriding forward); else UnsupportedModuleError."""
    for base in type(m).__mro__:
        if base in kinds:
            if type(m).forward is base.forward:
                return base
            break
    names = ", ".join(sorted({k.__name__ for k in kinds}))
    raise UnsupportedModuleError(
        f"{caller} cannot convert {_where(path)}{type(m).__name__}: it has no counterpart. Supported: {names} "
        "(and subclasses that keep their forward)"
    )


def _where(path: str) -> str:
    return f"the module at {path!r}, a " if path else ""


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
