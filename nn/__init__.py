"""nn: neural networks built only from autograd_core Tensor operations, with PyTorch's names.

>>> import nn
>>> model = nn.MLP([3, 4, 2])             # Linear(3, 4) → ReLU → Linear(4, 2)
>>> sum(p.size for p in model.parameters())
26

Modules and layers, activations and losses (also as functions in
``nn.functional``), initialisation (``nn.init``), optimizers and schedules
(``nn.optim``), data handling and toy data sets (``nn.data``), the training
loop ``nn.fit`` with callbacks and metrics, and ``.npz`` persistence.

Interop (each needs its optional package, imported only when used):
``nn.export_onnx`` (ONNX), ``nn.to_torch`` / ``nn.from_torch`` and the
state-dict converters (PyTorch), and scikit-learn estimators in
``nn.sklearn`` (``from nn.sklearn import MLPClassifier``).
"""

from autograd_core import register_library_package

from . import data, errors, functional, init, optim, utils
from .activations import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    Sign,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
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
    CosineSimilarity,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
)
from .metrics import accuracy, mse, r2
from .module import Module, Parameter
from .onnx_export import export_onnx
from .perceptron import Perceptron
from .persistence import load, save
from .seeding import manual_seed
from .stateless import functional_call
from .summary import summary
from .torch_interop import from_torch, state_dict_from_torch, state_dict_to_torch, to_torch
from .train import History, evaluate, fit

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CELU",
    "Callback",
    "CosineSimilarity",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "EarlyStopping",
    "Flatten",
    "GELU",
    "GLU",
    "GaussianNLLLoss",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HingeEmbeddingLoss",
    "History",
    "HuberLoss",
    "Identity",
    "KLDivLoss",
    "L1Loss",
    "LRSchedulerCallback",
    "LeakyReLU",
    "LogSigmoid",
    "LossInputWarning",
    "Linear",
    "LogSoftmax",
    "MLP",
    "MSELoss",
    "MarginRankingLoss",
    "Mish",
    "Module",
    "NLLLoss",
    "PReLU",
    "Parameter",
    "functional_call",
    "Perceptron",
    "PoissonNLLLoss",
    "ReLU",
    "ReLU6",
    "SELU",
    "SaturationMonitor",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Sign",
    "SmoothL1Loss",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softsign",
    "Step",
    "Swish",
    "Tanh",
    "ThresholdStopping",
    "accuracy",
    "data",
    "errors",
    "evaluate",
    "export_onnx",
    "fit",
    "from_torch",
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
    "state_dict_from_torch",
    "state_dict_to_torch",
    "summary",
    "to_torch",
    "utils",
]

register_library_package(__file__)  # anomaly reports name the user's line, not nn's
