"""nn: neural networks built only from autograd_core Tensor operations, with PyTorch's names.

>>> import nn
>>> model = nn.MLP([3, 4, 2])             # Linear(3, 4) → ReLU → Linear(4, 2)
>>> sum(p.size for p in model.parameters())
26

Modules and layers, activations and losses (also as functions in
``nn.functional``), initialisation (``nn.init``), optimizers and schedules
(``nn.optim``), data handling and toy data sets (``nn.data``), the training
loop ``nn.fit`` with callbacks and metrics, and ``.npz`` persistence.
"""

from autograd_core.anomaly import register_library_package

from . import data, functional, init, optim, utils
from .activations import (
    ELU,
    Identity,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    Sign,
    SiLU,
    Softmax,
    Softplus,
    Step,
    Swish,
    Tanh,
)
from .callbacks import Callback, EarlyStopping, LRSchedulerCallback, SaturationMonitor, ThresholdStopping
from .functional import LossInputWarning, l1_penalty, l2_penalty
from .jacobians import layer_jacobians
from .layers import MLP, BatchNorm1d, Dropout, Flatten, Linear, Sequential
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from .metrics import accuracy, mse, r2
from .module import Module, Parameter
from .perceptron import Perceptron
from .persistence import load, save
from .seeding import manual_seed
from .stateless import functional_call
from .summary import summary
from .train import History, evaluate, fit

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "Callback",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "EarlyStopping",
    "Flatten",
    "GaussianNLLLoss",
    "History",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LRSchedulerCallback",
    "LeakyReLU",
    "LossInputWarning",
    "Linear",
    "LogSoftmax",
    "MLP",
    "MSELoss",
    "Module",
    "NLLLoss",
    "PReLU",
    "Parameter",
    "functional_call",
    "Perceptron",
    "ReLU",
    "SaturationMonitor",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Sign",
    "Softmax",
    "Softplus",
    "Step",
    "Swish",
    "Tanh",
    "ThresholdStopping",
    "accuracy",
    "data",
    "evaluate",
    "fit",
    "functional",
    "init",
    "l1_penalty",
    "layer_jacobians",
    "l2_penalty",
    "load",
    "manual_seed",
    "mse",
    "optim",
    "r2",
    "save",
    "summary",
    "utils",
]

register_library_package(__file__)  # anomaly reports name the user's line, not nn's
