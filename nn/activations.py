"""Activation functions as Modules (each a thin wrapper over ``nn.functional``).

``make_activation`` turns the names MLP accepts ("relu", "tanh", ...) into
fresh modules.
"""

from __future__ import annotations

import copy
from typing import Any

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError
from autograd_core.registry import keyword_aliases

from . import functional as F
from .module import Module, Parameter

Tensor = ag.Tensor


class Step(Module):
    """Heaviside step y = [x ≥ 0], the perceptron's activation; its gradient is 0 (see ``functional.step``).

    As in the notes, φ(w·x + b) = 1 if w·x + b ≥ 0, else 0: a point exactly
    on the threshold counts as firing. Because dy/dx = 0 wherever it is
    defined, backpropagation through a step delivers zero gradients to every
    weight before it: gradient descent cannot train a perceptron.
    Rosenblatt's rule w ← w + η·(y − ŷ)·x (``nn.Perceptron``) skips the
    derivative altogether; backprop became possible once the step was
    replaced by smooth activations such as the sigmoid.

    >>> nn.Step()(ag.tensor([-1.0, 0.0, 0.5]))  # fires at the threshold
    tensor([0., 1., 1.])
    >>> x = ag.tensor([-1.0, 0.0, 0.5], requires_grad=True)
    >>> nn.Step()(x).sum().backward()
    >>> bool((x.grad.data == 0).all())  # backpropagation learns nothing through a step
    True
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x)


class Sign(Module):
    """y = +1 if x ≥ 0 else −1 (= 2·Step − 1): the notes' "sign function" for labels ±1; gradient 0.

    Unlike ``ag.sign`` (and numpy's and PyTorch's sign), which give 0 at 0,
    it always names one of the two classes; see ``functional.sign``.

    >>> nn.Sign()(ag.tensor([-0.5, 0.0, 2.0]))  # the threshold counts as +1
    tensor([-1.,  1.,  1.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.sign(x)


class Identity(Module):
    """y = x (also the "linear" activation; ignores any constructor arguments, as PyTorch).

    >>> nn.Identity()(ag.tensor([1.0, -2.0]))
    tensor([ 1., -2.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class Sigmoid(Module):
    """y = σ(x) = 1 / (1 + e^−x).

    >>> x = ag.tensor([0.0, 2.0], requires_grad=True)
    >>> y = nn.Sigmoid()(x)
    >>> y
    tensor([0.5       , 0.88079708], grad_fn=...)
    >>> y.sum().backward()
    >>> x.grad  # σ(x)(1 − σ(x))
    tensor([0.25      , 0.10499359])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """y = tanh(x).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> y = nn.Tanh()(x)
    >>> y
    tensor([0.        , 0.76159416], grad_fn=...)
    >>> y.sum().backward()
    >>> x.grad  # 1 − tanh²
    tensor([1.        , 0.41997434])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class ReLU(Module):
    """y = max(x, 0), with ReLU′(0) = 0 as in PyTorch (the second notes take 1 there; see ``functional.relu``).

    ``inplace`` is accepted for PyTorch code and ignored: the result is always a new tensor.

    >>> x = ag.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> y = nn.ReLU()(x)
    >>> print(y.numpy())
    [0. 0. 2.]
    >>> y.sum().backward()
    >>> print(x.grad.numpy())  # ReLU′(0) = 0
    [0. 0. 1.]
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    """y = x if x > 0 else α·x, with a fixed slope α = negative_slope.

    >>> x = ag.tensor([-2.0, 3.0], requires_grad=True)
    >>> y = nn.LeakyReLU(0.1)(x)
    >>> y
    tensor([-0.2,  3. ], grad_fn=...)
    >>> y.sum().backward()
    >>> x.grad  # α below 0, 1 above
    tensor([0.1, 1. ])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """y = x if x > 0 else a·x with a learned slope a (one shared, or one per channel), initialised to ``init``.

    >>> prelu = nn.PReLU(init=0.25)
    >>> x = ag.tensor([-2.0, 3.0])
    >>> prelu(x)
    tensor([-0.5,  3. ], grad_fn=...)
    >>> prelu(x).sum().backward()
    >>> prelu.weight.grad  # ∂y/∂a = x where x < 0: the slope is learned
    tensor([-2.])
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(ag.full((num_parameters,), init, dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """y = x if x > 0 else α·(eˣ − 1).

    >>> x = ag.tensor([-1.0, 2.0], requires_grad=True)
    >>> y = nn.ELU(alpha=1.0)(x)
    >>> y
    tensor([-0.63212056,  2.        ], grad_fn=...)
    >>> y.sum().backward()
    >>> x.grad  # α·eˣ below 0, 1 above
    tensor([0.36787944, 1.        ])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SiLU(Module):
    """y = x·σ(x), also called swish.

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> y = nn.SiLU()(x)
    >>> y
    tensor([0.        , 0.73105858], grad_fn=...)
    >>> y.sum().backward()
    >>> x.grad  # σ(x)(1 + x(1 − σ(x)))
    tensor([0.5       , 0.92767051])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)


Swish = SiLU


class Softplus(Module):
    """y = log(1 + e^(β·x)) / β, linear where β·x > threshold (a smooth ReLU; a positive output layer).

    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> y = nn.Softplus()(x)
    >>> y
    tensor([0.69314718, 1.31326169], grad_fn=...)
    >>> y.sum().backward()
    >>> x.grad  # σ(βx)
    tensor([0.5       , 0.73105858])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along ``axis``: class probabilities (``Softmax(dim=1)`` works too).

    >>> x = ag.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    >>> p = nn.Softmax(dim=1)(x)
    >>> print(np.round(p.numpy(), 4))
    [[0.09   0.2447 0.6652]
     [0.3333 0.3333 0.3333]]
    >>> print(np.round(nn.Softmax(axis=0)(x).numpy(), 4))  # over the other axis
    [[0.7311 0.8808 0.9526]
     [0.2689 0.1192 0.0474]]
    """

    @keyword_aliases
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """yᵢ = xᵢ − log Σⱼ exp(xⱼ) along ``axis``: log-probabilities for NLLLoss (``dim=`` works too).

    >>> x = ag.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    >>> y = nn.LogSoftmax(dim=1)(x)
    >>> print(np.round(y.numpy(), 4))
    [[-2.4076 -1.4076 -0.4076]
     [-1.0986 -1.0986 -1.0986]]
    >>> print(np.round(np.exp(y.numpy()).sum(axis=1), 4))  # each row's probabilities sum to 1
    [1. 1.]
    """

    @keyword_aliases
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Softmin(Module):
    """yᵢ = exp(−xᵢ) / Σⱼ exp(−xⱼ) = softmax(−x) along ``axis`` (``dim=`` works too).

    >>> p = nn.Softmin(dim=0)(ag.tensor([1.0, 2.0, 3.0]))
    >>> print(np.round(p.numpy(), 4))  # the smallest input gets the largest weight
    [0.6652 0.2447 0.09  ]
    """

    @keyword_aliases
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.softmin(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class _Elementwise(Module):
    """An activation without settings; ``inplace`` is accepted for PyTorch code and ignored (results are new tensors)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()


class GELU(Module):
    """GELU, y = x·Φ(x); ``approximate="tanh"`` uses PyTorch's tanh formula (no scipy needed).

    >>> x = ag.tensor([-2.0, 0.0, 1.0], requires_grad=True)
    >>> y = nn.GELU()(x)
    >>> print(np.round(y.numpy(), 4))  # x·Φ(x): Φ(1) = 0.8413
    [-0.0455  0.      0.8413]
    >>> y.sum().backward()
    >>> print(np.round(x.grad.numpy(), 4))  # Φ(x) + x·φ(x)
    [-0.0852  0.5     1.0833]
    >>> print(np.round(nn.GELU(approximate="tanh")(x).numpy(), 4))
    [-0.0454  0.      0.8412]
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise InvalidArgumentError(f"GELU: approximate must be 'none' or 'tanh', not {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SELU(_Elementwise):
    """y = λ·ELU_α(x) with λ ≈ 1.0507, α ≈ 1.6733: keeps activations near zero mean and unit variance.

    >>> x = ag.tensor([-2.0, 0.0, 1.0], requires_grad=True)
    >>> y = nn.SELU()(x)
    >>> print(np.round(y.numpy(), 4))  # λ·x above 0, λα(eˣ − 1) below
    [-1.5202  0.      1.0507]
    >>> y.sum().backward()
    >>> print(np.round(x.grad.numpy(), 4))
    [0.2379 1.7581 1.0507]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.selu(x)


class CELU(Module):
    """y = max(0, x) + min(0, α·(e^(x/α) − 1)): ELU made continuously differentiable for every α.

    >>> x = ag.tensor([-2.0, 0.0, 1.0], requires_grad=True)
    >>> y = nn.CELU(alpha=0.5)(x)
    >>> print(np.round(y.numpy(), 4))  # 0.5·(e^(−2/0.5) − 1) for x = −2
    [-0.4908  0.      1.    ]
    >>> y.sum().backward()
    >>> print(np.round(x.grad.numpy(), 4))  # e^(x/α) below 0, 1 above
    [0.0183 1.     1.    ]
    >>> nn.CELU(alpha=0)
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: CELU: alpha must not be 0 (it divides x)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if not alpha:
            raise InvalidArgumentError("CELU: alpha must not be 0 (it divides x)")
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.celu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Mish(_Elementwise):
    """y = x·tanh(softplus(x)).

    >>> x = ag.tensor([-2.0, 0.0, 1.0], requires_grad=True)
    >>> y = nn.Mish()(x)
    >>> print(np.round(y.numpy(), 4))
    [-0.2525  0.      0.8651]
    >>> y.sum().backward()
    >>> print(np.round(x.grad.numpy(), 4))  # 0.6 at x = 0
    [-0.1084  0.6     1.049 ]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.mish(x)


class Hardtanh(Module):
    """y = clip(x, min_val, max_val), gradient 1 strictly between them (0 at the corners, as PyTorch).

    >>> x = ag.tensor([-2.0, -0.5, 0.5, 2.0], requires_grad=True)
    >>> y = nn.Hardtanh()(x)
    >>> print(y.numpy())
    [-1.  -0.5  0.5  1. ]
    >>> y.sum().backward()
    >>> print(x.grad.numpy())
    [0. 1. 1. 0.]
    >>> nn.Hardtanh(min_val=1.0, max_val=-1.0)
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: Hardtanh: min_val (1.0) must be below max_val (-1.0)
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if not min_val < max_val:
            raise InvalidArgumentError(f"Hardtanh: min_val ({min_val}) must be below max_val ({max_val})")
        self.min_val = min_val
        self.max_val = max_val

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(_Elementwise):
    """y = min(max(x, 0), 6).

    >>> x = ag.tensor([-1.0, 3.0, 8.0], requires_grad=True)
    >>> y = nn.ReLU6()(x)
    >>> print(y.numpy())
    [0. 3. 6.]
    >>> y.sum().backward()
    >>> print(x.grad.numpy())  # flat outside (0, 6)
    [0. 1. 0.]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.relu6(x)


class Hardsigmoid(_Elementwise):
    """y = relu6(x + 3)/6, a piecewise-linear sigmoid.

    >>> x = ag.tensor([-4.0, -1.0, 0.0, 3.0], requires_grad=True)
    >>> y = nn.Hardsigmoid()(x)
    >>> print(np.round(y.numpy(), 4))  # 0 below −3, 1 above 3, linear between
    [0.     0.3333 0.5    1.    ]
    >>> y.sum().backward()
    >>> print(np.round(x.grad.numpy(), 4))  # 1/6 strictly inside (−3, 3)
    [0.     0.1667 0.1667 0.    ]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.hardsigmoid(x)


class Hardswish(_Elementwise):
    """y = x·relu6(x + 3)/6, a piecewise SiLU (MobileNetV3).

    >>> x = ag.tensor([-4.0, -1.0, 0.0, 4.0], requires_grad=True)
    >>> y = nn.Hardswish()(x)
    >>> print(np.round(y.numpy(), 4))  # 0 below −3, x above 3, x(x + 3)/6 between
    [ 0.     -0.3333  0.      4.    ]
    >>> y.sum().backward()
    >>> print(np.round(x.grad.numpy(), 4))  # (2x + 3)/6 inside
    [0.     0.1667 0.5    1.    ]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.hardswish(x)


class Softsign(Module):
    """y = x / (1 + |x|).

    >>> x = ag.tensor([-2.0, 0.0, 1.0], requires_grad=True)
    >>> y = nn.Softsign()(x)
    >>> print(np.round(y.numpy(), 4))
    [-0.6667  0.      0.5   ]
    >>> y.sum().backward()
    >>> print(np.round(x.grad.numpy(), 4))  # 1/(1 + |x|)²
    [0.1111 1.     0.25  ]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.softsign(x)


class LogSigmoid(Module):
    """y = log σ(x) = −softplus(−x), stable.

    >>> x = ag.tensor([-100.0, 0.0, 2.0], requires_grad=True)
    >>> y = nn.LogSigmoid()(x)
    >>> print(np.round(y.numpy(), 4))  # ≈ x for very negative x, no overflow; log ½ at 0
    [-100.        -0.6931    -0.1269]
    >>> y.sum().backward()
    >>> print(np.round(x.grad.numpy(), 4))  # σ(−x)
    [1.     0.5    0.1192]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.logsigmoid(x)


class GLU(Module):
    """Gated linear unit: halves a, b of x along ``axis`` give a·σ(b) (``dim=`` works; default the last axis).

    >>> x = ag.tensor([[1.0, 2.0, 0.0, 100.0]])
    >>> print(np.round(nn.GLU()(x).numpy(), 4))  # a = (1, 2) gated by σ(b), b = (0, 100)
    [[0.5 2. ]]
    >>> nn.GLU(dim=0)(x)  # axis 0 has length 1: it cannot be halved
    Traceback (most recent call last):
        ...
    autograd_core.errors.ShapeError: glu: the gated axis must have an even length, got 1 (shape (1, 4), axis 0)
    """

    @keyword_aliases
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.glu(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


ACTIVATIONS: dict[str, type[Module]] = {
    "step": Step,
    "sign": Sign,
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "silu": SiLU,
    "swish": SiLU,
    "softplus": Softplus,
    "gelu": GELU,
    "selu": SELU,
    "celu": CELU,
    "mish": Mish,
    "hardtanh": Hardtanh,
    "relu6": ReLU6,
    "hardsigmoid": Hardsigmoid,
    "hardswish": Hardswish,
    "softsign": Softsign,
    "logsigmoid": LogSigmoid,
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
}


def make_activation(spec: str | type[Module] | Module) -> Module:
    """A new activation module from a name ("relu"), a Module class (nn.Tanh) or a module to copy (nn.ELU(0.5))."""
    if isinstance(spec, str):
        key = spec.lower()
        if key not in ACTIVATIONS:
            raise InvalidArgumentError(f"unknown activation {spec!r}; choose one of {', '.join(sorted(ACTIVATIONS))}")
        return ACTIVATIONS[key]()
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec()
    if isinstance(spec, Module):
        return copy.deepcopy(spec)  # each layer gets its own (e.g. its own PReLU slope)
    raise ArgumentTypeError(f"activation must be a name, a Module class or a Module, not {type(spec).__name__}")
