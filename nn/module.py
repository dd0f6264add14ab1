"""Module and Parameter: the containers every layer, activation and loss is built from.

A Module owns Parameters (Tensors that require grad), buffers (numpy arrays
such as running statistics) and child Modules, each registered by plain
attribute assignment (``self.weight = Parameter(...)``). From those
registries it derives everything else: dotted names, ``parameters()``,
``state_dict()``, ``train()``/``eval()`` and the printed tree.

Two naming contracts, relied on by graph pictures:

* ``Module.__call__`` runs ``forward`` inside ``ag.graph_scope(scope_name)``,
  where ``scope_name`` is the module's dotted path from the root model plus
  its class, e.g. ``"layers.0 (Linear)"``, or the class alone for the root
  (``"MLP"``). Every node recorded inside carries the active scope names in
  ``node.scope``, outermost first: ``("MLP", "layers (Sequential)",
  "layers.0 (Linear)")``.
* Every Parameter registered on a module is named by its full dotted path,
  e.g. ``"layers.0.weight"``, and the names follow when a module is assigned
  as a child of another. Only names nn gave are rewritten: a name the user
  chose is kept.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, DeviceError, InvalidArgumentError
from autograd_core.tensor import RemovableHandle, as_dtype, to_arguments

from .errors import StateDictError
from .utils import reset_grad

ForwardHook = Callable[["Module", tuple, Any], Any]


class Parameter(ag.Tensor):
    """A Tensor that requires grad and is registered when assigned to a Module attribute.

    >>> w = nn.Parameter(np.zeros(3))
    >>> w.requires_grad, isinstance(w, ag.Tensor)
    (True, True)
    """

    __slots__ = ("_auto_name",)

    def __init__(self, data: Any, requires_grad: bool = True, name: str | None = None) -> None:
        super().__init__(data.data if isinstance(data, ag.Tensor) else data, requires_grad=requires_grad, name=name)
        self._auto_name: str | None = None  # the name nn last gave it

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped: keys the model has but the dict lacks, and the reverse."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer: y = forward(x), with registered parameters, buffers and children.

    Subclasses call ``super().__init__()`` first, assign Parameters, buffers
    (``register_buffer``) and child Modules as attributes, and define
    ``forward``. Calling the module runs ``forward`` inside a graph scope
    named ``scope_name`` (see the module docstring).

    >>> class Affine(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = nn.Parameter(np.array([2.0]))
    ...         self.shift = nn.Parameter(np.array([1.0]))
    ...     def forward(self, x):
    ...         return self.scale * x + self.shift
    >>> model = Affine()
    >>> model(ag.tensor([3.0]))
    tensor([7.], grad_fn=...)
    >>> list(model.state_dict())
    ['scale', 'shift']
    """

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = []
        d["_path"] = ""
        d["scope_name"] = type(self).__name__

    # ------------------------------------------------------------ registering
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() has run; call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        params, buffers, modules = d["_parameters"], d["_buffers"], d["_modules"]
        if isinstance(value, ag.Tensor) and not isinstance(value, Parameter) and value.requires_grad and value.is_leaf:
            raise ArgumentTypeError(
                f"{type(self).__name__}.{name}: a plain Tensor that requires grad would not be found by "
                "parameters() or saved by state_dict(); wrap it as nn.Parameter(...)"
            )
        if name in buffers and isinstance(value, ag.Tensor) and not isinstance(value, Parameter):
            value = ag.backend.copy(value.data)  # a buffer stays a buffer (an array, as register_buffer stores it)
        is_buffer = name in buffers and (isinstance(value, np.ndarray) or ag.backend.is_backend_array(value))
        home = params if isinstance(value, Parameter) else modules if isinstance(value, Module) else buffers
        for registry in (params, buffers, modules):
            if registry is not home or (home is buffers and not is_buffer):
                registry.pop(name, None)
        # Replacing a registered value keeps its place, so parameters() and state_dict() keep their order.
        if isinstance(value, Parameter):
            params[name] = value
            _name_parameter(value, _join(d["_path"], name))
        elif isinstance(value, Module):
            modules[name] = value
            value._set_path(_join(d["_path"], name))
        elif is_buffer:
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def add_module(self, name: str, module: Module) -> None:
        """Register ``module`` as the child ``name``, as ``setattr`` does, after checking the name.

        The name must be a non-empty string without "." (dotted names join
        the path from the root) that is not already an attribute other than
        a child (a method such as ``forward``, a parameter, a setting), so
        adding a child never silently replaces something else. An existing
        child of that name is replaced, as with attribute assignment.

        >>> model = nn.Sequential()
        >>> model.add_module("hidden", nn.Linear(2, 3))
        >>> [name for name, _ in model.named_parameters()], model.hidden.weight.name
        (['hidden.weight', 'hidden.bias'], 'hidden.weight')
        >>> model.add_module("forward", nn.Tanh())
        Traceback (most recent call last):
            ...
        autograd_core.errors.InvalidArgumentError: Sequential: cannot name a child module 'forward', which is already an attribute (method); choose another name
        """
        if not isinstance(module, Module):
            raise ArgumentTypeError(
                f"{type(self).__name__}.add_module({name!r}, ...) needs a Module, not {type(module).__name__}"
            )
        if not isinstance(name, str) or not name or "." in name:
            raise InvalidArgumentError(
                f"{type(self).__name__}: a child module's name must be a non-empty string without '.', got {name!r}"
            )
        if hasattr(self, name) and name not in self._modules:
            raise InvalidArgumentError(
                f"{type(self).__name__}: cannot name a child module {name!r}, which is already an attribute "
                f"({type(getattr(self, name)).__name__}); choose another name"
            )
        setattr(self, name, module)

    def register_buffer(self, name: str, array: Any) -> None:
        """Keep a numpy array (e.g. running statistics) in ``state_dict()`` without training it.

        The array is copied; it follows ``to()`` and ``load_state_dict`` but
        is not among ``parameters()``.

        >>> class Counter(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.register_buffer("calls", np.zeros(1))
        ...     def forward(self, x):
        ...         self.calls += 1
        ...         return x
        >>> m = Counter()
        >>> _ = m(ag.tensor([1.0])); _ = m(ag.tensor([2.0]))
        >>> m.state_dict()["calls"].tolist(), list(m.parameters())
        ([2.0], [])
        """
        value = ag.backend.copy(ag.backend.as_array(array.data if isinstance(array, ag.Tensor) else array))
        self.__setattr__(name, value)
        self._buffers[name] = value  # later array assignments to ``name`` stay buffers

    def _set_path(self, path: str) -> None:
        """Record this module's dotted path from the root and rename its subtree to match."""
        d = self.__dict__
        d["_path"] = path
        d["scope_name"] = f"{path} ({type(self).__name__})" if path else type(self).__name__
        for name, p in d["_parameters"].items():
            _name_parameter(p, _join(path, name))
        for name, child in d["_modules"].items():
            child._set_path(_join(path, name))

    # ---------------------------------------------------------------- calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it. Call the module (``m(x)``), not ``forward``, so hooks and graph scopes run.

        >>> class Double(nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> Double()(ag.tensor([1.0, 3.0]))
        tensor([2., 6.])
        >>> nn.Module()(ag.tensor([1.0]))
        Traceback (most recent call last):
            ...
        NotImplementedError: Module must define forward()
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with ag.graph_scope(self.scope_name):
            out = self.forward(*args, **kwargs)
        for hook in self._forward_hooks:
            replaced = hook(self, args, out)
            if replaced is not None:
                out = replaced
        return out

    def register_forward_hook(self, hook: ForwardHook) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward; a returned value replaces the output.

        Returns a handle whose ``remove()`` unregisters the hook.

        >>> layer = nn.ReLU()
        >>> shapes = []
        >>> handle = layer.register_forward_hook(lambda m, inputs, out: shapes.append(out.shape))
        >>> doubled = layer.register_forward_hook(lambda m, inputs, out: 2 * out)
        >>> layer(ag.tensor([-1.0, 3.0])), shapes
        (tensor([0., 6.]), [(2,)])
        >>> handle.remove(); doubled.remove()
        >>> layer(ag.tensor([-1.0, 3.0])), shapes
        (tensor([0., 3.]), [(2,)])
        """
        self._forward_hooks.append(hook)
        return RemovableHandle(self._forward_hooks, hook)

    # -------------------------------------------------------------- traversal
    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs: own parameters first, then each child's; shared ones once.

        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
        >>> [(name, p.shape) for name, p in model.named_parameters()]
        [('0.weight', (3, 2)), ('0.bias', (3,)), ('2.weight', (1, 3)), ('2.bias', (1,))]
        >>> [name for name, _ in model[0].named_parameters(prefix="encoder")]
        ['encoder.weight', 'encoder.bias']
        """
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, p in module._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield _join(mod_prefix, name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter, in ``named_parameters`` order (what an optimizer is given).

        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
        >>> sum(p.numel() for p in model.parameters())  # (2·3 + 3) + (3·1 + 1)
        13
        >>> len(list(model.parameters(recurse=False)))  # Sequential has none of its own
        0
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """(dotted name, array) pairs of every buffer in the tree.

        >>> model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        >>> [(name, b.tolist()) for name, b in model.named_buffers()]
        [('1.running_mean', [0.0, 0.0]), ('1.running_var', [1.0, 1.0]), ('1.num_batches_tracked', 0)]
        """
        for mod_prefix, module in self.named_modules(prefix):
            for name, b in module._buffers.items():
                yield _join(mod_prefix, name), b

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) pairs of the direct children (not their descendants; see ``named_modules``).

        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 1)))
        >>> [(name, type(m).__name__) for name, m in model.named_children()]
        [('0', 'Linear'), ('1', 'Sequential')]
        """
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """The direct child modules (``named_children`` without the names).

        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 1)))
        >>> [type(m).__name__ for m in model.children()]
        ['Linear', 'Sequential']
        """
        yield from self._modules.values()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) pairs of this module (name ``prefix``) and every descendant, depth first.

        A module reached twice (shared) is listed once.

        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 1)))
        >>> [(name, type(m).__name__) for name, m in model.named_modules()]
        [('', 'Sequential'), ('0', 'Linear'), ('1', 'Sequential'), ('1.0', 'Tanh'), ('1.1', 'Linear')]
        """
        stack = [(prefix, self)]
        seen: set[int] = set()
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            stack.extend(reversed([(_join(name, n), m) for n, m in module._modules.items()]))

    def modules(self) -> Iterator[Module]:
        """This module and every descendant, depth first (``named_modules`` without the names).

        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 1)))
        >>> sum(isinstance(m, nn.Linear) for m in model.modules()), len(list(model.modules()))
        (2, 5)
        """
        for _, m in self.named_modules():
            yield m

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Module:
        """Switch this module and its descendants to training (or, with False, evaluation) behaviour; returns the module.

        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
        >>> [m.training for m in model.train(False).modules()], [m.training for m in model.train().modules()]
        ([False, False, False], [True, True, True])
        >>> model.train("eval")
        Traceback (most recent call last):
            ...
        autograd_core.errors.ArgumentTypeError: train(mode) takes True or False, not 'eval'; for evaluation behaviour call eval()
        """
        if not isinstance(mode, (bool, np.bool_)):
            raise ArgumentTypeError(
                f"train(mode) takes True or False, not {mode!r}; for evaluation behaviour call eval()"
            )
        for m in self.modules():
            m.__dict__["training"] = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation behaviour: dropout off, batch norm uses running statistics (``train(False)``); returns the module.

        >>> drop = nn.Dropout(0.5)
        >>> x = ag.ones(1000)
        >>> _ = ag.manual_seed(0)
        >>> y = drop(x)  # training: about half the units dropped, the others scaled by 1/(1 − p)
        >>> 400 < int((y == 0).sum().item()) < 600, sorted(set(y.tolist()))
        (True, [0.0, 2.0])
        >>> drop.eval().training, drop(x).tolist() == x.tolist()  # evaluation: the identity
        (False, True)
        """
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: ``p.grad = None``, or zeros in place with ``set_to_none=False`` (as PyTorch).

        >>> layer = nn.Linear(2, 1)
        >>> layer(ag.ones((1, 2))).sum().backward()
        >>> layer.bias.grad
        tensor([1.])
        >>> layer.zero_grad(set_to_none=False)
        >>> layer.bias.grad
        tensor([0.])
        >>> layer.zero_grad()
        >>> print(layer.bias.grad)
        None
        """
        for p in self.parameters():
            reset_grad(p, set_to_none)

    # ------------------------------------------------------------------ dtype
    def to(self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False) -> Module:
        """Move every parameter and buffer to ``device`` and/or convert the floating-point ones to ``dtype``, in place.

        ``model.to("cuda")``, ``model.to(np.float32)``, ``model.to("cuda", np.float32)``
        or ``model.to(tensor)`` (its dtype and device); returns the module
        (PyTorch's). Parameters stay the same objects (optimizers holding them
        keep working): each gets new data, its gradient is moved and converted
        too, and its version counter is bumped, so a graph recorded before
        refuses to backpropagate through the old values. Integer buffers
        (counters) keep their dtype but move with the rest. Devices: "cpu"
        (numpy) and "cuda"/"cuda:N" (CuPy); an optimizer made before the move
        keeps working (its state follows the parameters on its next step).

        >>> layer = nn.Linear(2, 1)
        >>> w = layer.weight
        >>> layer.to(np.float32) is layer, str(layer.weight.dtype), layer.weight is w
        (True, 'float32', True)
        >>> str(layer(ag.ones((1, 2), dtype=ag.float32)).dtype), layer.to("cpu").device
        ('float32', 'cpu')
        >>> layer.to(np.int64)
        Traceback (most recent call last):
            ...
        autograd_core.errors.ArgumentTypeError: Linear.to(int64): parameters must stay floating point to be trained; pick float16, float32 or float64
        """
        dtype, device = to_arguments(args, dtype, device, f"{type(self).__name__}.to()", with_device=True)
        if device is not None:
            self._move(device)
        if dtype is not None:
            self._convert_floats(as_dtype(dtype, f"{type(self).__name__}.to"))
        return self

    def cuda(self, device: int | str | None = None) -> Module:
        """Every parameter and buffer on a CUDA GPU (``to("cuda")``; ``cuda(1)`` is ``to("cuda:1")``); needs CuPy.

        Without CuPy or a GPU it raises the library's error saying so and
        leaves the module where it is.

        >>> layer = nn.Linear(2, 1)
        >>> try:
        ...     _ = layer.cuda()  # the module itself
        ... except (ag.errors.MissingDependencyError, ag.errors.DeviceError):  # no CuPy or no GPU here
        ...     pass
        >>> layer.device.type == ("cuda" if ag.backend.cuda_is_available() else "cpu")
        True
        >>> layer.cpu().device
        'cpu'
        """
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)

    def cpu(self) -> Module:
        """Every parameter and buffer in host memory (``to("cpu")``); returns the module.

        >>> layer = nn.BatchNorm1d(2)
        >>> layer.cpu() is layer, layer.device, type(layer.running_mean).__name__
        (True, 'cpu', 'ndarray')
        """
        return self.to("cpu")

    @property
    def device(self) -> Any:
        """The one device holding every parameter ("cpu" for a module without parameters).

        A model split across devices has no single device: that raises
        ``DeviceError`` naming them (move it with ``model.to(device)``, or ask a submodule).

        >>> nn.Linear(2, 1).device, nn.Tanh().device
        ('cpu', 'cpu')
        """
        first = None
        for p in self.parameters():
            device = p.device
            if first is None:
                first = device
            elif device != first:
                raise DeviceError(
                    f"{type(self).__name__}.device: the parameters are on more than one device ('{first}' and "
                    f"'{device}'); move them together with model.to('{first}'), or ask each submodule's .device"
                )
        return ag.backend.Device("cpu") if first is None else first

    def _move(self, device: Any) -> None:
        for module in self.modules():
            for p in module._parameters.values():
                if not ag.backend.same_device(p.data, device):
                    p.data = ag.backend.to_device(p.data, device)
                    p._mark_written()  # graphs that saved the old values must not use the new ones
                    if p.grad is not None:
                        p.grad = ag.Tensor(ag.backend.to_device(p.grad.data, device))
            for name, b in list(module._buffers.items()):
                if not ag.backend.same_device(b, device):
                    setattr(module, name, ag.backend.to_device(b, device))

    def float(self) -> Module:
        """Every floating-point parameter and buffer as float32 (``to(np.float32)``); returns the module.

        Integer buffers (counters) keep their dtype.

        >>> bn = nn.BatchNorm1d(2).float()
        >>> sorted({name: str(b.dtype) for name, b in bn.named_buffers()}.items())
        [('num_batches_tracked', 'int64'), ('running_mean', 'float32'), ('running_var', 'float32')]
        >>> str(bn.weight.dtype)
        'float32'
        """
        return self.to(np.float32)

    def double(self) -> Module:
        """Every floating-point parameter and buffer as float64; returns the module.

        >>> layer = nn.Linear(2, 1).float().double()
        >>> str(layer.weight.dtype), str(layer.bias.dtype)
        ('float64', 'float64')
        """
        return self.to(np.float64)

    def half(self) -> Module:
        """Every floating-point parameter and buffer as float16; returns the module.

        >>> layer = nn.Linear(2, 1).half()
        >>> str(layer.weight.dtype), str(layer(ag.ones((1, 2), dtype=ag.float16)).dtype)
        ('float16', 'float16')
        """
        return self.to(np.float16)

    def _convert_floats(self, dtype: np.dtype) -> None:
        if dtype.kind != "f":
            raise ArgumentTypeError(
                f"{type(self).__name__}.to({dtype}): parameters must stay floating point to be trained; "
                "pick float16, float32 or float64"
            )
        for module in self.modules():
            for p in module._parameters.values():
                if p.data.dtype.kind == "f" and p.data.dtype != dtype:
                    p.data = p.data.astype(dtype)
                    p._mark_written()  # graphs that saved the old values must not use the new ones
                    if p.grad is not None:
                        p.grad = ag.Tensor(p.grad.data, dtype=dtype)
            for name, b in list(module._buffers.items()):
                if b.dtype.kind == "f" and b.dtype != dtype:
                    setattr(module, name, b.astype(dtype))

    # ------------------------------------------------------------ state dicts
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Dotted name → copy of the array, for every parameter and buffer (module by module).

        The arrays are copies: training afterwards does not change a saved state.

        >>> model = nn.Sequential(nn.Linear(2, 1), nn.BatchNorm1d(1))
        >>> state = model.state_dict()
        >>> [(key, value.shape) for key, value in state.items()]
        [('0.weight', (1, 2)), ('0.bias', (1,)), ('1.weight', (1,)), ('1.bias', (1,)), ('1.running_mean', (1,)), ('1.running_var', (1,)), ('1.num_batches_tracked', ())]
        >>> state["0.bias"] is model[0].bias.data
        False
        """
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        for mod_prefix, module in self.named_modules():
            for name, p in module._parameters.items():
                out[_join(mod_prefix, name)] = p.data.copy()
            for name, b in module._buffers.items():
                out[_join(mod_prefix, name)] = b.copy()
        return out

    def _state_targets(self) -> OrderedDict[str, Parameter | np.ndarray]:
        """Dotted name → what ``load_state_dict`` writes into: the parameter, or the buffer's live array."""
        out: OrderedDict[str, Parameter | np.ndarray] = OrderedDict()
        for mod_prefix, module in self.named_modules():
            for name, p in module._parameters.items():
                out[_join(mod_prefix, name)] = p
            for name, b in module._buffers.items():
                out[_join(mod_prefix, name)] = b
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays (or Tensors) into the parameters and buffers of the same dotted names, in place.

        A wrong shape always raises ``StateDictError`` naming the key and both
        shapes; with ``strict`` a missing or unexpected key does too. Nothing
        is written unless every check passes. Each parameter written counts
        as an in-place write (``ag.increment_version``): a graph recorded
        before loading refuses to backpropagate with the loaded values.

        >>> layer = nn.Linear(2, 1)
        >>> layer.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])})
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> layer(ag.tensor([[1.0, 1.0]]))
        tensor([[3.5]], grad_fn=...)
        >>> layer.load_state_dict({"weight": np.zeros((2, 1))}, strict=False)
        Traceback (most recent call last):
            ...
        nn.errors.StateDictError: load_state_dict: 'weight' has shape (1, 2) in the model but (2, 1) in the state dict
        >>> layer.load_state_dict({"bias": np.array([0.0])}, strict=False)
        IncompatibleKeys(missing_keys=['weight'], unexpected_keys=[])
        """
        targets = self._state_targets()
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append("missing key(s) " + ", ".join(repr(k) for k in missing))
            if unexpected:
                parts.append("unexpected key(s) " + ", ".join(repr(k) for k in unexpected))
            raise StateDictError(
                f"load_state_dict into {type(self).__name__}: {'; '.join(parts)} "
                "(pass strict=False to load the keys that match)"
            )
        sources = {}
        for key, target in targets.items():
            if key not in state_dict:
                continue
            dst = target.data if isinstance(target, ag.Tensor) else target
            value = state_dict[key]
            # the state may come from another device (a file is read into host memory): copied where the model is
            src = ag.backend.as_array(value.data if isinstance(value, ag.Tensor) else value)
            src = ag.backend.to_device(src, ag.backend.device_of(dst))
            if src.shape != dst.shape:
                raise StateDictError(
                    f"load_state_dict: {key!r} has shape {dst.shape} in the model but {src.shape} in the state dict"
                )
            if not np.can_cast(src.dtype, dst.dtype, casting="same_kind"):
                raise StateDictError(
                    f"load_state_dict: {key!r} holds {src.dtype} values, which cannot become {dst.dtype}"
                )
            sources[key] = src
        for key, src in sources.items():
            target = targets[key]
            if isinstance(target, ag.Tensor):
                np.copyto(target.data, src, casting="same_kind")
                ag.increment_version(target)
            else:
                np.copyto(target, src, casting="same_kind")
        return IncompatibleKeys(missing, unexpected)

    # ----------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of this module's line in ``repr``; subclasses override it.

        >>> class Scale(nn.Module):
        ...     def __init__(self, factor):
        ...         super().__init__()
        ...         self.factor = factor
        ...     def extra_repr(self):
        ...         return f"factor={self.factor}"
        >>> nn.Sequential(Scale(2.0), nn.Linear(2, 1))
        Sequential(
          (0): Scale(factor=2.0)
          (1): Linear(in_features=2, out_features=1, bias=True)
        )
        """
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"


@contextlib.contextmanager
def eval_mode(module: Module) -> Iterator[Module]:
    """Run a block with ``module`` and all its descendants in eval mode, then give each its own mode back.

    Each module gets back the mode it had, not the root's: a BatchNorm frozen
    with ``.eval()`` inside a model that is training stays frozen after
    ``evaluate`` or ``summary``. (``fit`` calls ``model.train()`` each epoch, as
    a PyTorch loop does, which unfreezes it; freeze it again in a callback.)
    """
    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        yield module
    finally:
        for m, mode in modes:
            m.__dict__["training"] = mode


def _name_parameter(p: Parameter, name: str) -> None:
    """Give ``p`` its dotted name unless the user named it (a name nn did not give)."""
    if p.name is None or p.name == p._auto_name:
        p.name = name
        p._auto_name = name
