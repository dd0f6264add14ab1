"""The optimizer base class: parameter groups, per-parameter state, zero_grad, step(closure), state dicts.

An optimizer holds parameter groups (dicts of ``params`` plus
hyper-parameters) and per-parameter state. ``step()`` reads each
``p.grad.data`` and writes ``p.data`` in place with numpy: the update is not
part of any graph, and gradients are never modified. ``step(closure)``
first calls ``closure()`` (which must zero the gradients, compute the loss,
call ``backward()`` and return the loss); every optimizer accepts that
form, and LBFGS requires it.

The update rules are elementwise, so a group's small parameters (at most
``PACK_LIMIT`` elements each), when they all have gradients, are updated as
one flat vector: the parameters and gradients are concatenated into reused
buffers, the rule runs once, and the result is copied back. For the biases
and small layers of a teaching MLP this turns a dozen numpy calls per
parameter into a dozen per group (PyTorch's "foreach" implementation does
the same). Their state then lives in flat arrays, and ``state[p]`` holds
views of them, so per-parameter updates (when some gradients are missing)
and ``state_dict`` see the same numbers. Larger parameters are updated where
they are: for them the three extra copies would cost more than the numpy
calls they save. So would packing for plain SGD, whose rule is two calls
(an optimizer says whether it packs in ``packs``).

State lives on its parameter's device. An optimizer made before
``model.to(device)`` keeps working: on its next step the state of each moved
parameter is copied to the parameter's new device (PyTorch expects the move
first; here either order works), and ``load_state_dict`` places saved state
(host arrays from ``nn.load``) on each parameter's device.

Update rules write their intermediate results into the optimizer's reused
work arrays (``workspace``), and ``zero_grad(set_to_none=False)`` keeps the
gradient arrays, so a steady-state training step allocates no
parameter-sized array in the optimizer. Every write to a parameter is
reported to its version counter (``ag.increment_version``): a graph recorded
before ``step()`` cannot then be backpropagated with the new weights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.compiler import recording
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError, ShapeError

from .utils import reset_grad

Closure = Callable[[], ag.Tensor]

#: Parameters with at most this many elements are packed into one flat vector per group.
PACK_LIMIT = 4096
Params = Iterable[ag.Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad``, ``state_dict``.

    Subclasses define ``update(p, g, state, group)``: the new ``p`` from the
    gradient ``g`` (numpy arrays, ``p`` written in place), or override
    ``step`` entirely (LBFGS).

    >>> class SignSGD(nn.optim.Optimizer):
    ...     def __init__(self, params, lr=0.1):
    ...         super().__init__(params, {"lr": lr})
    ...     def update(self, p, g, state, group):
    ...         p -= group["lr"] * np.sign(g)
    >>> w = ag.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = SignSGD([w])
    >>> (w * ag.tensor([3.0, -0.5])).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.9, -0.9], requires_grad=True)
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[ag.Tensor, dict[str, Any]] = {}
        self._flat: dict[int, _FlatGroup] = {}  # group index → its state as flat arrays
        self._work: dict[tuple[np.dtype, int], np.ndarray] = {}  # reused scratch arrays, see workspace()
        self._shaped: dict[tuple[Any, ...], np.ndarray] = {}  # (dtype, slot, shape) → the host view workspace() made
        groups = list(params)
        if not groups:
            raise InvalidArgumentError(
                f"{type(self).__name__} got an empty parameter list; pass model.parameters() "
                "(or a list of tensors created with requires_grad=True)"
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group: ``{"params": [...], "lr": ...}``; missing hyper-parameters take the defaults.

        Use it to train a part of a model added later (an unfrozen layer),
        or with its own learning rate.

        >>> body, head = nn.Linear(2, 2), nn.Linear(2, 1)
        >>> opt = nn.optim.SGD(body.parameters(), lr=0.1, momentum=0.9)
        >>> opt.add_param_group({"params": head.parameters(), "lr": 0.01})
        >>> [(len(g["params"]), g["lr"], g["momentum"]) for g in opt.param_groups]
        [(2, 0.1, 0.9), (2, 0.01, 0.9)]
        >>> opt.add_param_group({"params": head.parameters()})
        Traceback (most recent call last):
            ...
        autograd_core.errors.InvalidArgumentError: SGD: a parameter of shape (1, 2) appears in more than one group (or twice)
        """
        if not isinstance(group, dict) or "params" not in group:
            raise ArgumentTypeError(
                'a parameter group is a dict with a "params" entry, e.g. {"params": model.parameters(), "lr": 0.1}'
            )
        params = group["params"]
        params = [params] if isinstance(params, ag.Tensor) else list(params)
        if not params:
            raise InvalidArgumentError(f"{type(self).__name__}: a parameter group has an empty parameter list")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if not isinstance(p, ag.Tensor):
                raise ArgumentTypeError(f"{type(self).__name__} optimizes Tensors, got {type(p).__name__}")
            if not p.requires_grad or not p.is_leaf:
                raise InvalidArgumentError(
                    f"{type(self).__name__} can only optimize leaf tensors that require grad; "
                    f"got {'a non-leaf tensor' if not p.is_leaf else 'a tensor with requires_grad=False'} of shape {p.shape}"
                )
            if id(p) in seen:
                raise InvalidArgumentError(
                    f"{type(self).__name__}: a parameter of shape {p.shape} appears in more than one group (or twice)"
                )
            seen.add(id(p))
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise InvalidArgumentError(
                f"{type(self).__name__}: unknown hyper-parameter(s) {sorted(unknown)} in a parameter group"
            )
        full = {**self.defaults, **group, "params": params}
        self.check_hyperparameters(full)
        self.param_groups.append(full)

    def check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Raise ``InvalidArgumentError`` (a ValueError) for values the update rule cannot use (a negative learning rate, ...).

        Called for every group added; subclasses extend it with their own rules.

        >>> w = ag.tensor([1.0], requires_grad=True)
        >>> nn.optim.SGD([w], lr=-0.1)
        Traceback (most recent call last):
            ...
        autograd_core.errors.InvalidArgumentError: SGD: lr must be >= 0, got -0.1
        >>> nn.optim.SGD([w], lr=0.1).check_hyperparameters({"lr": 0.1, "momentum": -1})
        Traceback (most recent call last):
            ...
        autograd_core.errors.InvalidArgumentError: SGD: momentum must be >= 0, got -1
        """
        for key in ("lr", "weight_decay", "momentum", "eps"):
            if key in group and group[key] < 0:
                raise InvalidArgumentError(f"{type(self).__name__}: {key} must be >= 0, got {group[key]}")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient before the next backward, as ``torch.optim.Optimizer.zero_grad``.

        ``set_to_none=True`` (the default, as in PyTorch) forgets it
        (``p.grad = None``); ``False`` sets it to zeros in place, keeping the
        array, into which the next ``backward()`` then accumulates.

        >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = nn.optim.SGD([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> g = w.grad
        >>> opt.zero_grad(set_to_none=False)
        >>> w.grad, w.grad is g  # zeros in the same array
        (tensor([0., 0.]), True)
        >>> opt.zero_grad()
        >>> print(w.grad)
        None
        """
        for group in self.param_groups:
            for p in group["params"]:
                reset_grad(p, set_to_none)

    def step(self, closure: Closure | None = None) -> ag.Tensor | None:
        """Update every parameter that has a gradient; with ``closure``, evaluate it first and return its loss.

        Parameters without a gradient (``p.grad is None``) are left alone.

        >>> w, frozen = ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor([5.0], requires_grad=True)
        >>> opt = nn.optim.SGD([w, frozen], lr=0.25)
        >>> (w * w).sum().backward()
        >>> opt.step()  # w ← w − 0.25·2w; frozen has no gradient
        >>> w, frozen
        (tensor([0.5, 1. ], requires_grad=True), tensor([5.], requires_grad=True))
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure)  # the loss before the update
        tensor(1.25, grad_fn=sum)
        >>> w
        tensor([0.25, 0.5 ], requires_grad=True)
        """
        recorder = recording()  # ag.compile tracing this thread: record the update as one fused step
        if recorder is not None:
            return recorder.optimizer_step(self, closure)
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        for index, group in enumerate(self.param_groups):
            params = group["params"]
            self._check_gradient_shapes(params)
            small = [p for p in params if p.data.size <= PACK_LIMIT] if self.packs(group) else []
            flat = None
            if len(small) > 1 and all(p.grad is not None for p in small):
                flat = self._flat_group(index, small)
            if flat is not None:
                flat.step(self, group)
            else:
                self._flat.pop(index, None)  # one-at-a-time steps can leave the parameters' states unequal
            updated = []
            try:
                for p in params:
                    if p.grad is not None and (flat is None or p.data.size > PACK_LIMIT):
                        state = self.state.get(p)
                        if state is None:
                            state = self.state[p] = {}
                        elif state:
                            follow_device(state, p.data)
                        updated.append(p)  # (before the write: a rule that fails half-way may have written)
                        self.update(p.data, p.grad.data, state, group)
            finally:
                ag.increment_version(updated)  # one tick for the group's writes, even when one of them failed
        return loss

    def _check_gradient_shapes(self, params: list[ag.Tensor]) -> None:
        for p in params:
            g = p.grad
            if g is not None and g.data.shape != p.data.shape:
                raise ShapeError(
                    f"{type(self).__name__}.step: a parameter of shape {p.shape} has a gradient of shape "
                    f"{g.shape}; a gradient assigned by hand must have its parameter's shape"
                )

    def _flat_group(self, index: int, params: list[ag.Tensor]) -> _FlatGroup | None:
        """The group's flat state, built from the per-parameter states if needed; None if they cannot merge."""
        flat = self._flat.get(index)
        # Rebuilt if the group's list was edited in any way, or its parameters moved to another device.
        if flat is None or not flat.holds(params):
            states = [self.state.setdefault(p, {}) for p in params]
            for p, state in zip(params, states, strict=True):
                follow_device(state, p.data)
            flat = _FlatGroup.merge(params, states)
            if flat is not None:
                self._flat[index] = flat
        return flat

    def fused_step(self) -> Callable[[], None]:
        """``step()`` (without a closure) as one function a compiled program calls: no allocation per call.

        Each parameter with a gradient is updated by ``fused_update`` with
        scratch buffers kept between calls (``update`` where a subclass has
        no ``fused_update``); the same arithmetic as ``step()``, bit for bit.
        ``p.grad`` and the hyper-parameters are read at every call, so
        learning-rate schedules keep working.

        >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = nn.optim.SGD([w], lr=0.5, momentum=0.5)
        >>> run = opt.fused_step()
        >>> (w * w).sum().backward()  # w̄ = 2w = [2, 4]
        >>> run()  # v = w̄ = [2, 4]; w ← w − 0.5·v = [0, 0]
        >>> run()  # the same gradient: v ← 0.5·v + w̄ = [3, 6]; w ← w − 0.5·v
        >>> w
        tensor([-1.5, -3. ], requires_grad=True)
        """
        fused = type(self).fused_update is not Optimizer.fused_update
        plan = [(group, [(p, {}) for p in group["params"]]) for group in self.param_groups]

        def run() -> None:
            self._flat.clear()  # updated one parameter at a time: the per-parameter states are the truth
            for group, params in plan:
                for p, scratch in params:
                    g = p.grad
                    if g is None:
                        continue
                    state = self.state.setdefault(p, {})
                    follow_device(state, p.data)
                    if fused:
                        self.fused_update(p.data, g.data, state, group, scratch)
                    else:
                        self.update(p.data, g.data, state, group)

        return run

    def fused_update(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any], scratch: dict[str, Any]
    ) -> None:
        """``update`` with every temporary array kept in ``scratch`` (subclasses define it; same arithmetic).

        >>> sgd = nn.optim.SGD([ag.tensor([0.0], requires_grad=True)], lr=0.1, weight_decay=0.5)
        >>> p1, p2, g = np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([1.0, -1.0])
        >>> sgd.update(p1, g, {}, sgd.param_groups[0])
        >>> scratch = {}
        >>> sgd.fused_update(p2, g, {}, sgd.param_groups[0], scratch)  # p − 0.1·(g + 0.5·p)
        >>> print(np.round(p2, 4))
        [0.85 2.  ]
        >>> p1.tobytes() == p2.tobytes(), sorted(scratch)  # bit for bit as update(), temporaries kept
        (True, ['decayed', 'step'])
        >>> nn.optim.LBFGS([ag.tensor([0.0], requires_grad=True)]).fused_update(p1, g, {}, {}, {})
        Traceback (most recent call last):
            ...
        NotImplementedError: LBFGS has no fused_update
        """
        raise NotImplementedError(f"{type(self).__name__} has no fused_update")

    def update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Write the new value of the parameter(s) ``p`` in place, given the gradient ``g``.

        ``p`` and ``g`` are one parameter's arrays or a whole group's,
        concatenated into reused buffers: keep copies, not references, in ``state``.

        >>> class Momentum(nn.optim.Optimizer):
        ...     def __init__(self, params, lr=0.1, beta=0.5):
        ...         super().__init__(params, {"lr": lr, "beta": beta})
        ...     def update(self, p, g, state, group):
        ...         v = state.setdefault("v", np.zeros_like(p))
        ...         v *= group["beta"]
        ...         v += g
        ...         p -= group["lr"] * v
        >>> w = ag.tensor([1.0, -1.0], requires_grad=True)
        >>> opt = Momentum([w])
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w * ag.tensor([1.0, 2.0])).sum().backward()  # constant gradient [1, 2]
        ...     opt.step()
        >>> w, opt.state[w]["v"]  # v = g, then 0.5·g + g
        (tensor([ 0.75, -1.5 ], requires_grad=True), array([1.5, 3. ]))
        """
        raise NotImplementedError(f"{type(self).__name__} must define update()")

    def packs(self, group: dict[str, Any]) -> bool:
        """Whether ``group``'s small parameters are updated as one flat vector (see the module's docstring).

        True unless the rule is so short that the gather and copy-back cost
        more than the numpy calls they save (plain SGD: two calls per parameter).

        >>> w = ag.tensor([1.0], requires_grad=True)
        >>> nn.optim.Adam([w]).packs({}), nn.optim.SGD([w], lr=0.1).packs({"momentum": 0.0, "weight_decay": 0.0})
        (True, False)
        """
        return True

    def workspace(self, like: np.ndarray, slot: int = 0) -> np.ndarray:
        """A scratch array of ``like``'s shape and dtype, the same memory every step (values undefined).

        Update rules write intermediate results into it (``out=``) instead of
        allocating a parameter-sized temporary for every numpy operation, so a
        steady-state step allocates nothing. ``slot`` picks one of several
        independent arrays; one array per slot and dtype serves all
        parameters, sized to the largest.

        >>> opt = nn.optim.SGD([ag.tensor([0.0], requires_grad=True)])
        >>> big, small = np.zeros((3, 4)), np.zeros(5)
        >>> a, b = opt.workspace(big), opt.workspace(small)
        >>> a.shape, b.shape, np.shares_memory(a, b), np.shares_memory(a, opt.workspace(big, slot=1))
        ((3, 4), (5,), True, False)
        """
        shaped = self._shaped.get((like.dtype, slot, like.shape))
        if shaped is not None and type(like) is np.ndarray:  # (every step asks for the same shapes)
            return shaped
        key = (like.dtype, slot)
        work = self._work.get(key)
        if work is None or work.size < like.size or not _same_place(work, like):
            work = self._work[key] = np.empty_like(like, shape=(like.size,))
            self._shaped.clear()  # views of the array it replaces
        view = work[: like.size].reshape(like.shape)
        if type(view) is np.ndarray:
            self._shaped[(like.dtype, slot, like.shape)] = view
        return view

    # ------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: array or number}}, "param_groups": [hyper-parameters, "params": indices]}.

        Parameters are numbered in group order, so the dict can be saved and
        loaded into an optimizer built the same way; the arrays are copies.

        >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = nn.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> saved = opt.state_dict()
        >>> saved["state"], saved["param_groups"][0]["params"], saved["param_groups"][0]["lr"]
        ({0: {'momentum_buffer': array([2., 4.])}}, [0], 0.1)
        """
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[p] = len(index)
                ids.append(index[p])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[p]: {k: _copy(v) for k, v in s.items()} for p, s in self.state.items() if p in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by ``state_dict`` (same parameter layout), to resume training.

        >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = nn.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> saved = opt.state_dict()
        >>> resumed = nn.optim.SGD([w], lr=0.5)  # a new optimizer, as after a restart
        >>> resumed.load_state_dict(saved)
        >>> resumed.param_groups[0]["lr"], resumed.param_groups[0]["momentum"], resumed.state[w]["momentum_buffer"]
        (0.1, 0.9, array([2., 4.]))
        >>> nn.optim.SGD([w, ag.tensor([0.0], requires_grad=True)]).load_state_dict(saved)
        Traceback (most recent call last):
            ...
        autograd_core.errors.InvalidArgumentError: SGD.load_state_dict: the saved groups hold [1] parameters, this optimizer's [2]
        """
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
            len(g["params"]) != len(mine["params"]) for g, mine in zip(groups, self.param_groups, strict=True)
        ):
            raise InvalidArgumentError(
                f"{type(self).__name__}.load_state_dict: the saved groups hold "
                f"{[len(g['params']) for g in groups]} parameters, this optimizer's "
                f"{[len(g['params']) for g in self.param_groups]}"
            )
        by_index = {}
        for saved, mine in zip(groups, self.param_groups, strict=True):
            for i, p in zip(saved["params"], mine["params"], strict=True):
                by_index[i] = p
            mine.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {}
        self._flat = {}
        for i, s in state_dict["state"].items():
            p = by_index[int(i)]
            for k, v in s.items():
                if is_array(v) and v.shape != p.shape and v.ndim:
                    raise InvalidArgumentError(
                        f"{type(self).__name__}.load_state_dict: state {k!r} of parameter {i} has shape {v.shape}, the parameter {p.shape}"
                    )
            state = {k: _copy(v) for k, v in s.items()}
            follow_device(state, p.data)  # saved on another device (or loaded to host): placed with the parameter
            self.state[p] = state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def is_array(v: Any) -> bool:
    """Whether a state entry is an array (numpy's or a device's), not a number such as a step count."""
    return isinstance(v, np.ndarray) or ag.backend.is_backend_array(v)


def _copy(v: Any) -> Any:
    if is_array(v):
        return ag.backend.copy(v)
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


def _same_place(a: Any, b: Any) -> bool:
    """Whether arrays ``a`` and ``b`` live on one device (numpy's arrays: one isinstance check each)."""
    if type(a) is np.ndarray and type(b) is np.ndarray:
        return True
    return ag.backend.device_of(a) == ag.backend.device_of(b)


def _moved(v: Any, ref: Any) -> Any:
    if is_array(v):
        return v if _same_place(v, ref) else ag.backend.to_device(v, ag.backend.device_of(ref))
    if isinstance(v, list):
        return [_moved(x, ref) for x in v]
    return v


def follow_device(state: dict[str, Any], data: Any) -> None:
    """Copy the arrays in one parameter's ``state`` (lists of arrays too) to the device of its ``data``, in place.

    A parameter moved by ``Module.to`` after the optimizer stepped keeps its
    state: the next step finds it on the old device and copies it over (an
    explicit copy between memories, once). On numpy it checks types and copies nothing.
    """
    for key, value in state.items():
        if type(value) is np.ndarray and type(data) is np.ndarray:
            continue
        if is_array(value) or isinstance(value, list):
            state[key] = _moved(value, data)


class _FlatGroup:
    """A parameter group's optimizer state as flat arrays, for updating all its parameters at once."""

    def __init__(self, params: list[ag.Tensor], states: list[dict[str, Any]], merged: dict[str, Any]) -> None:
        self.params = list(params)
        self.states = states
        self.state = merged
        ends = np.cumsum([p.size for p in params])
        self.slices = [slice(end - p.size, end) for p, end in zip(params, ends, strict=True)]
        # Reused buffers for the concatenated parameters and gradients, and each parameter's view of the first.
        self.flat_p = np.empty_like(params[0].data, shape=(int(ends[-1]),))
        self.flat_g = np.empty_like(self.flat_p)
        self.views = [self.flat_p[sl].reshape(p.shape) for p, sl in zip(params, self.slices, strict=True)]
        self.linked: set[str] = set()
        self._link()

    def holds(self, params: list[ag.Tensor]) -> bool:
        """Whether ``params`` are exactly this group's tensors, the same objects in the same order, on its device."""
        return (
            len(params) == len(self.params)
            and all(p is q for p, q in zip(params, self.params, strict=True))
            and _same_place(self.flat_p, params[0].data)
        )

    @classmethod
    def merge(cls, params: list[ag.Tensor], states: list[dict[str, Any]]) -> _FlatGroup | None:
        """Concatenate the per-parameter states; None when dtypes or non-array entries (step counts) differ."""
        if len({p.dtype for p in params}) > 1 or any(s.keys() != states[0].keys() for s in states):
            return None
        if any(not _same_place(p.data, params[0].data) for p in params):
            return None  # a group split across devices is updated one parameter at a time
        merged: dict[str, Any] = {}
        for key, value in states[0].items():
            if is_array(value):
                merged[key] = np.concatenate([s[key].ravel() for s in states])
            elif all(s[key] == value for s in states):
                merged[key] = value
            else:
                return None
        return cls(params, states, merged)

    def step(self, optimizer: Optimizer, group: dict[str, Any]) -> None:
        """Run the update rule once on the concatenated parameters and gradients, then copy the result back."""
        np.concatenate([p.data.ravel() for p in self.params], out=self.flat_p)
        np.concatenate([p.grad.data.ravel() for p in self.params], out=self.flat_g)
        optimizer.update(self.flat_p, self.flat_g, self.state, group)
        for p, view in zip(self.params, self.views, strict=True):
            np.copyto(p.data, view)
            ag.increment_version(p)
        self._link()

    def _link(self) -> None:
        """Point each parameter's state at its slice of the flat arrays (once per array) and copy the rest."""
        for key, value in self.state.items():
            if is_array(value):
                if key not in self.linked:
                    for s, p, sl in zip(self.states, self.params, self.slices, strict=True):
                        s[key] = value[sl].reshape(p.shape)
                    self.linked.add(key)
            else:
                for s in self.states:
                    s[key] = value
