"""Weight initialisation, in place and untracked, as ``torch.nn.init``.

Every function fills ``tensor.data`` from a ``np.random.Generator`` (the one
given, else nn's default generator, see ``nn.manual_seed``) and returns the
tensor. The write is recorded on the tensor's version counter, so a graph
recorded before it refuses to backpropagate with the new values. The notes' advice is behind the scaled schemes: start with *small*
weights, scaled so that activations neither vanish nor saturate layer after
layer.
"""

from __future__ import annotations

import math

import numpy as np

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError

from .seeding import RngLike, get_rng

_LINEAR_GAINS = {"linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d"}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended std multiplier for a nonlinearity: 1 (linear, sigmoid), 5/3 (tanh), √2 (relu), √(2/(1+a²)) (leaky relu).

    >>> nn.init.calculate_gain("tanh"), nn.init.calculate_gain("relu")
    (1.6666666666666667, 1.4142135623730951)
    """
    if nonlinearity in _LINEAR_GAINS:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise InvalidArgumentError(
        f"calculate_gain: unknown nonlinearity {nonlinearity!r}; use one of linear, sigmoid, tanh, relu, leaky_relu, selu"
    )


def fan_in_and_fan_out(tensor: ag.Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel): in·k and out·k with k = Π kernel.

    >>> nn.init.fan_in_and_fan_out(ag.zeros(4, 3))
    (3, 4)
    >>> nn.init.fan_in_and_fan_out(ag.zeros(8, 3, 5, 5))
    (75, 200)
    """
    if tensor.ndim < 2:
        raise InvalidArgumentError(
            f"fan in and fan out need a weight with at least 2 dimensions (out, in), got shape {tensor.shape}; "
            "initialise 1-D tensors such as biases with uniform_, normal_, zeros_ or constant_"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill(tensor: ag.Tensor, values: np.ndarray) -> ag.Tensor:
    if type(tensor.data) is not np.ndarray and ag.backend.is_backend_array(tensor.data):
        # Drawn on the host from the (seedable) numpy generator, as on "cpu", then copied over on purpose.
        values = ag.backend.to_device(np.asarray(values, dtype=tensor.dtype), tensor.device)
    tensor.data[...] = values
    ag.increment_version(tensor)
    return tensor


def uniform_(tensor: ag.Tensor, a: float = 0.0, b: float = 1.0, rng: RngLike = None) -> ag.Tensor:
    """w ~ U(a, b).

    >>> w = nn.init.uniform_(ag.zeros(1000), -0.1, 0.1, rng=0)
    >>> bool((abs(w.data) <= 0.1).all())
    True
    >>> print(np.round([w.data.min(), w.data.max(), w.data.std(), 0.2 / 12**0.5], 3))  # std (b − a)/√12
    [-0.1    0.1    0.057  0.058]
    """
    return _fill(tensor, get_rng(rng).uniform(a, b, tensor.shape))


def normal_(tensor: ag.Tensor, mean: float = 0.0, std: float = 1.0, rng: RngLike = None) -> ag.Tensor:
    """w ~ N(mean, std²).

    >>> w = nn.init.normal_(ag.zeros(10_000), std=0.01, rng=0)
    >>> round(w.data.std().item(), 3)
    0.01
    """
    return _fill(tensor, get_rng(rng).normal(mean, std, tensor.shape))


def zeros_(tensor: ag.Tensor) -> ag.Tensor:
    """w = 0.

    >>> nn.init.zeros_(ag.ones(3))
    tensor([0., 0., 0.])
    """
    return _fill(tensor, np.zeros(()))


def constant_(tensor: ag.Tensor, value: float) -> ag.Tensor:
    """w = value.

    >>> nn.init.constant_(ag.zeros(2, 2), 0.5)
    tensor([[0.5, 0.5],
            [0.5, 0.5]])
    """
    return _fill(tensor, np.asarray(value))


def xavier_uniform_(tensor: ag.Tensor, gain: float = 1.0, rng: RngLike = None) -> ag.Tensor:
    """Glorot: w ~ U(−a, a) with a = gain·√(6 / (fan_in + fan_out)).

    >>> w = nn.init.xavier_uniform_(ag.zeros(200, 100), rng=0)
    >>> bound = (6 / (100 + 200)) ** 0.5
    >>> bool(np.abs(w.data).max() <= bound), round(w.data.std().item() / (bound / 3**0.5), 2)
    (True, 1.0)
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng=rng)


def xavier_normal_(tensor: ag.Tensor, gain: float = 1.0, rng: RngLike = None) -> ag.Tensor:
    """Glorot: w ~ N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)).

    >>> w = nn.init.xavier_normal_(ag.zeros(200, 100), rng=0)
    >>> round(w.data.std().item() / (2 / 300) ** 0.5, 2)
    1.0
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng=rng)


def _kaiming_std(tensor: ag.Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise InvalidArgumentError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:  # a zero-element tensor (e.g. Linear(0, n)): nothing to draw, as PyTorch
        return 0.0
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: ag.Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng: RngLike = None
) -> ag.Tensor:
    """He: w ~ U(−b, b) with b = gain·√(3 / fan) (fan_in by default).

    >>> w = nn.init.kaiming_uniform_(ag.zeros(200, 100), nonlinearity="relu", rng=0)
    >>> bound = 2**0.5 * (3 / 100) ** 0.5
    >>> bool(np.abs(w.data).max() <= bound)
    True
    >>> print(np.round([bound, w.data.std(), (2 / 100) ** 0.5], 3))  # the std is b/√3 = √(2 / fan_in)
    [0.245 0.141 0.141]
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, rng=rng)


def kaiming_normal_(
    tensor: ag.Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng: RngLike = None
) -> ag.Tensor:
    """He: w ~ N(0, σ²) with σ = gain / √fan (fan_in by default).

    >>> w = nn.init.kaiming_normal_(ag.zeros(200, 100), nonlinearity="relu", rng=0)
    >>> round(w.data.std().item() / (2 / 100) ** 0.5, 2)
    1.0
    """
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), rng=rng)
