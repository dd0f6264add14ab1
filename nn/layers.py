"""Layers: Linear, Sequential, MLP, Flatten, Dropout, BatchNorm1d."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.compiler import recordable
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError, ShapeError

from . import functional as F
from . import init
from .activations import make_activation
from .module import Module, Parameter
from .seeding import RngLike, get_rng, keep_rng

Tensor = ag.Tensor


@recordable
def _track_batch_statistics(module: BatchNorm1d, mean: np.ndarray, var: np.ndarray, n: int) -> None:
    """The running statistics of ``module`` from a batch's mean and biased variance (arrays; unbiased by n/(n − 1)).

    Recordable: a compiled training step updates them at every replay, as eager mode does.
    """
    module._update_running(mean.reshape(-1), var.reshape(-1) * (n / (n - 1)))


class Linear(Module):
    """y = x·Wᵀ + b, with weight W of shape (out, in) and bias b of shape (out,).

    Initialised as PyTorch: W and b ~ U(−1/√in, 1/√in) (``kaiming_uniform_``
    with a = √5), drawn from ``rng`` or nn's default generator.

    >>> layer = nn.Linear(3, 2, rng=0)
    >>> layer.weight.shape, layer.bias.shape
    ((2, 3), (2,))
    >>> layer(ag.ones(5, 3)).shape
    (5, 2)
    >>> layer = nn.Linear(2, 1)
    >>> _ = layer.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])})
    >>> layer(ag.tensor([[3.0, 4.0]]))  # 1·3 + 2·4 + 0.5
    tensor([[11.5]], grad_fn=...)
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, *, rng: RngLike = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        gen = get_rng(rng)
        self.weight = Parameter(ag.zeros(out_features, in_features, dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        if bias:
            bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
            self.bias = Parameter(ag.zeros(out_features, dtype=dtype))
            init.uniform_(self.bias, -bound, bound, rng=gen)
        else:
            self.bias = None

    def forward(self, x: Tensor) -> Tensor:
        return ag.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """y = fₙ(…f₂(f₁(x))): the modules applied in order; children are named "0", "1", … (or by an OrderedDict).

    >>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    >>> model(ag.ones(4, 2)).shape
    (4, 1)
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *modules: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for m in modules:
                self.append(m)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end, named by the next unused index: one more than the largest integer name.

        A slice keeps its modules' names (``seq[1:]`` holds "1" and "2"), so the
        count of modules is not a free name; the next index is ("3" here).
        """
        if not isinstance(module, Module):
            raise ArgumentTypeError(f"Sequential holds Modules, not {type(module).__name__}")
        used = [int(name) for name in self._modules if name.isdecimal()]
        self.add_module(str(max(used, default=-1) + 1), module)
        return self

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            part = Sequential()
            for name, module in list(self._modules.items())[index]:
                # Shared, not adopted: the modules keep their names (and graph scopes) in this model.
                part._modules[name] = module
                part.__dict__[name] = module
            return part
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class MLP(Module):
    """A multilayer perceptron: Linear layers between consecutive ``sizes``, the activation after each hidden one.

    ``MLP([3, 4, 2])`` is x → Linear(3, 4) → ReLU → Linear(4, 2): 3·4 + 4 +
    4·2 + 2 = 26 parameters, as in the notes. ``activation`` and
    ``output_activation`` are names ("relu", "tanh", "sigmoid", ...), Module
    classes or modules (copied per layer); ``dropout`` > 0 adds Dropout after
    each hidden activation. The layers live in ``self.layers`` (a Sequential),
    so parameters are named ``layers.0.weight``, ``layers.0.bias``, ...

    >>> model = nn.MLP([3, 4, 2])  # the first notes' network: (4×4) + (5×2) = 26 parameters
    >>> sum(p.size for p in model.parameters())
    26
    >>> sum(p.size for p in nn.MLP([3, 4, 3, 2]).parameters())  # (4×4) + (5×3) + (4×2) = 39
    39
    >>> model
    MLP(
      (layers): Sequential(
        (0): Linear(in_features=3, out_features=4, bias=True)
        (1): ReLU()
        (2): Linear(in_features=4, out_features=2, bias=True)
      )
    )
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: Any = "relu",
        output_activation: Any = None,
        bias: bool = True,
        dropout: float = 0.0,
        *,
        rng: RngLike = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        given = list(sizes)
        if len(given) < 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in given):
            raise InvalidArgumentError(
                f"MLP needs at least an input and an output size, all positive integers, got {given}"
            )
        sizes = [int(s) for s in given]
        F.check_dropout_probability(dropout)
        gen = get_rng(rng)
        layers = Sequential()
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(Linear(n_in, n_out, bias=bias, rng=gen, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(make_activation(activation))
                if dropout > 0:  # without an rng, masks come from the default generator at call time
                    layers.append(Dropout(dropout, rng=None if rng is None else gen))
        if output_activation is not None:
            layers.append(make_activation(output_activation))
        self.sizes = sizes
        self.layers = layers

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)


class Flatten(Module):
    """Merge axes start_dim..end_dim into one: (N, 2, 3) → (N, 6) by default.

    >>> nn.Flatten()(ag.zeros(4, 2, 3)).shape
    (4, 6)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Tensor) -> Tensor:
        return ag.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout: while training y = x·m / (1 − p), m ~ Bernoulli(1 − p); in eval mode y = x.

    Scaling by 1/(1 − p) during training keeps E[y] = x, so nothing changes
    at evaluation time.

    >>> drop = nn.Dropout(0.5, rng=0)
    >>> drop(ag.ones(8))  # kept elements scaled by 1/(1 − p)
    tensor([2., 0., 0., 0., 2., 2., 2., 2.])
    >>> drop.eval()(ag.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, *, rng: RngLike = None) -> None:
        super().__init__()
        self.p = F.check_dropout_probability(p)
        self.rng = keep_rng(rng)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class BatchNorm1d(Module):
    """y = (x − μ) / √(σ² + ε)·γ + β per feature, over the batch (and length) axes, as PyTorch.

    Training uses the batch's mean and biased variance and updates the
    running statistics r ← (1 − m)·r + m·batch (the variance unbiased);
    evaluation uses the running statistics. ``momentum=None`` keeps a
    cumulative average instead. Input (N, C) or (N, C, L).

    >>> bn = nn.BatchNorm1d(2)
    >>> x = ag.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> bn(x)  # each feature to mean 0, variance 1 over the batch
    tensor([[-0.999995  , -0.99999995],
            [ 0.999995  ,  0.99999995]], grad_fn=...)
    >>> bn.running_mean  # moved 10 % towards the batch mean
    array([0.2, 2. ])
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(ag.ones(num_features, dtype=dtype))
            self.bias = Parameter(ag.zeros(num_features, dtype=dtype))
        else:
            self.weight = self.bias = None
        if track_running_stats:
            dt = ag.get_default_dtype() if dtype is None else np.dtype(dtype)
            self.register_buffer("running_mean", np.zeros(num_features, dt))
            self.register_buffer("running_var", np.ones(num_features, dt))
            self.register_buffer("num_batches_tracked", np.zeros((), np.int64))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ShapeError(
                f"BatchNorm1d({self.num_features}) needs input (N, {self.num_features}) or (N, {self.num_features}, L), got {x.shape}"
            )
        axes = (0,) if x.ndim == 2 else (0, 2)
        per_feature = (-1,) if x.ndim == 2 else (-1, 1)
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            n = x.size // self.num_features
            if n < 2 and self.training:
                raise InvalidArgumentError(
                    f"BatchNorm1d needs more than 1 value per feature when training, got input {x.shape}"
                )
            mean = x.mean(axis=axes, keepdims=True)
            var = x.var(axis=axes, keepdims=True)
            if self.training and self.track_running_stats:
                _track_batch_statistics(self, mean, var, n)
        else:  # the running statistics as Tensors, so a compiled function reads them live
            mean = ag.as_tensor(self.running_mean).reshape(per_feature)
            var = ag.as_tensor(self.running_var).reshape(per_feature)
        y = (x - mean) / ag.sqrt(var + self.eps)
        if self.affine:
            y = y * self.weight.reshape(per_feature) + self.bias.reshape(per_feature)
        return y

    def _update_running(self, mean: np.ndarray, unbiased_var: np.ndarray) -> None:
        """r ← (1 − m)·r + m·batch, in place (m = 1/batches seen when momentum is None)."""
        self.num_batches_tracked += 1
        m = 1.0 / ag.backend.host_float(self.num_batches_tracked) if self.momentum is None else self.momentum
        self.running_mean *= 1 - m
        self.running_mean += m * mean
        self.running_var *= 1 - m
        self.running_var += m * unbiased_var

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )
