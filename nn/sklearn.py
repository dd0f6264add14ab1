"""scikit-learn estimators trained by nn: ``MLPClassifier`` and ``MLPRegressor`` (the ``sklearn`` extra).

They take scikit-learn's constructor parameters with scikit-learn's
meaning, expose its fitted attributes, and pass its ``check_estimator``, so
they drop into a ``Pipeline`` or ``GridSearchCV``. Training is nn's: the
network is an ``nn.MLP`` (kept as ``model_``, ready for ``viz``,
``nn.export_onnx`` or ``nn.to_torch``), gradients come from autograd, the
"sgd" and "adam" solvers are ``nn.fit`` with ``nn.optim.SGD`` / ``Adam``
and "lbfgs" is ``nn.optim.LBFGS`` on the whole set.

What is minimised (n = examples in the batch, W the weight matrices only,
not the intercepts)::

    loss = data_loss + α / (2n) · Σ ‖W‖²

with data_loss the mean cross-entropy of the softmax outputs (several
classes), the binary cross-entropy of logistic outputs summed over labels
and averaged over examples (two classes: one output; multi-label: one per
label), or half the mean squared error (regression), as scikit-learn
defines them. Weights and intercepts start from Glorot's uniform
distribution, U(−b, b) with b = √(6 / (fan_in + fan_out)), or
√(2 / (fan_in + fan_out)) for the logistic activation. The stopping rule is scikit-learn's: after each epoch
the training loss (or, with ``early_stopping``, the validation score) must
improve by ``tol`` at least once every ``n_iter_no_change + 1`` epochs.

Two differences follow from using nn's optimizers, which take PyTorch's
update rules: Adam adds ε to √v̂ (scikit-learn to √v, after folding the
bias correction into the step), and SGD's momentum buffer accumulates raw
gradients, scaled by the learning rate at each step, where scikit-learn's
velocity accumulates steps already scaled, which differs only when the
learning rate changes ("invscaling", "adaptive"). For several regression
targets the squared error is averaged over targets too, in the loss and
in its gradient alike. Sparse input and ``sample_weight`` are not
supported.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError

from . import functional as F
from . import init
from .callbacks import Callback
from .data import DataLoader
from .layers import MLP, Linear
from .lbfgs import LBFGS
from .module import Module, eval_mode
from .optim import SGD, Adam
from .optimizer import Optimizer
from .train import fit as nn_fit

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - older scikit-learn

    def validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        return estimator._validate_data(*args, **kwargs)


__all__ = ["MLPClassifier", "MLPRegressor"]

# scikit-learn's activation names → nn's.
HIDDEN_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
SOLVERS = ("lbfgs", "sgd", "adam")
STOCHASTIC_SOLVERS = ("sgd", "adam")
LEARNING_RATES = ("constant", "invscaling", "adaptive")
# The smallest learning rate the "adaptive" schedule divides by 5 before giving up (scikit-learn's).
ADAPTIVE_LR_FLOOR = 1e-6
# L-BFGS stops when the loss changes by less than this (scipy's L-BFGS-B default, factr = 10⁷ times ε).
LBFGS_FTOL = 1e7 * np.finfo(float).eps
# Curvature pairs L-BFGS keeps (scipy's L-BFGS-B default).
LBFGS_HISTORY = 10
FLOAT_DTYPES = (np.float64, np.float32)


# --------------------------------------------------------------------------- checks


def _check_number(
    name: str, value: Any, low: float, high: float = math.inf, *, low_open: bool = False, high_open: bool = False
) -> None:
    """Raise InvalidArgumentError unless ``value`` is a real number in the interval (open where said)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
    if not ok:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open or high == math.inf else ']'}"
        raise InvalidArgumentError(f"{name} must be a real number in {interval}, got {value!r}")


def _check_integer(name: str, value: Any, low: int) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise InvalidArgumentError(f"{name} must be an integer >= {low}, got {value!r}")


def _check_option(name: str, value: Any, options: Sequence[str]) -> None:
    if not isinstance(value, str) or value not in options:
        raise InvalidArgumentError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"{name} must be True or False, got {value!r}")


# --------------------------------------------------------------------- training


class _StoppingRule(Callback):
    """scikit-learn's end-of-epoch bookkeeping, as an ``nn.fit`` callback.

    After each epoch: record the loss (``loss_curve_``, ``loss_``, ``n_iter_``,
    ``t_``); count an epoch without improvement when the loss is not below
    ``best_loss_ − tol`` (or, with early stopping, the validation score not
    above ``best_validation_score_ + tol``, keeping the best weights); update
    the learning rate (``invscaling``: lr = lr₀ / (t + 1)^power_t with t the
    examples seen); and when more than ``n_iter_no_change`` epochs in a row
    failed, stop, or with SGD's "adaptive" schedule divide the learning rate
    by 5 (stopping once it is at most 10⁻⁶).
    """

    def __init__(self, estimator: _BaseMLP, n_samples: int, validation: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.est = estimator
        self.n_samples = n_samples
        self.validation = validation
        self.stopped = False

    def on_train_begin(self, model: Module, optimizer: Optimizer) -> None:
        self.model = model
        self.optimizer = optimizer

    def _set_lr(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        est = self.est
        est.n_iter_ += 1
        est.t_ += self.n_samples
        est.loss_ = float(logs["loss"])
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        improved = self._score_epoch()
        est._no_improvement_count = 0 if improved else est._no_improvement_count + 1
        sgd = est.solver == "sgd"
        lr = self.optimizer.param_groups[0]["lr"]
        if sgd and est.learning_rate == "invscaling":
            self._set_lr(est.learning_rate_init / (est.t_ + 1) ** est.power_t)
        if est._no_improvement_count <= est.n_iter_no_change:
            return False
        subject = "Validation score" if est.early_stopping else "Training loss"
        msg = f"{subject} did not improve more than tol={est.tol:f} for {est.n_iter_no_change} consecutive epochs."
        if sgd and est.learning_rate == "adaptive" and lr > ADAPTIVE_LR_FLOOR:
            self._set_lr(lr / 5.0)
            est._no_improvement_count = 0
            if est.verbose:
                print(f"{msg} Setting learning rate to {lr / 5.0:f}")
            return False
        if est.verbose:
            print(msg + (" Learning rate too small." if sgd and est.learning_rate == "adaptive" else "") + " Stopping.")
        self.stopped = True
        return True

    def _score_epoch(self) -> bool:
        """Whether this epoch improved on the best by more than ``tol`` (loss, or validation score)."""
        est = self.est
        if self.validation is None:
            loss = est.loss_curve_[-1]
            improved = loss <= est.best_loss_ - est.tol
            est.best_loss_ = min(est.best_loss_, loss)
            return improved
        score = est._score_arrays(*self.validation)
        est.validation_scores_.append(score)
        if est.verbose:
            print(f"Validation score: {score:f}")
        improved = score >= est.best_validation_score_ + est.tol
        if score > est.best_validation_score_:
            est.best_validation_score_ = score
            est._best_state = self.model.state_dict()
        return improved


# ---------------------------------------------------------------------- estimators


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, training, the fitted attributes."""

    # Set by subclasses: the output activation ("softmax", "logistic" or "identity"), which fixes the data loss.
    _out_activation: str

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    # ------------------------------------------------------------ parameters
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, str):
            raise InvalidArgumentError(f"hidden_layer_sizes must be integers, e.g. (100,) or (64, 32), got {sizes!r}")
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        for s in sizes:
            if not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 1:
                raise InvalidArgumentError(
                    f"hidden_layer_sizes must hold positive integers (units per hidden layer), got {self.hidden_layer_sizes!r}"
                )
        return [int(s) for s in sizes]

    def _check_parameters(self) -> None:
        """Raise InvalidArgumentError naming the first constructor parameter scikit-learn would refuse."""
        _check_option("activation", self.activation, tuple(HIDDEN_ACTIVATIONS))
        _check_option("solver", self.solver, SOLVERS)
        _check_number("alpha", self.alpha, 0.0)
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            if not isinstance(self.batch_size, numbers.Integral) or isinstance(self.batch_size, bool):
                raise InvalidArgumentError(f"batch_size must be 'auto' or a positive integer, got {self.batch_size!r}")
            _check_integer("batch_size", self.batch_size, 1)
        _check_option("learning_rate", self.learning_rate, LEARNING_RATES)
        _check_number("learning_rate_init", self.learning_rate_init, 0.0, low_open=True)
        _check_number("power_t", self.power_t, 0.0)
        _check_integer("max_iter", self.max_iter, 1)
        _check_bool("shuffle", self.shuffle)
        _check_number("tol", self.tol, 0.0)
        _check_bool("warm_start", self.warm_start)
        _check_number("momentum", self.momentum, 0.0, 1.0)
        _check_bool("nesterovs_momentum", self.nesterovs_momentum)
        _check_bool("early_stopping", self.early_stopping)
        _check_number("validation_fraction", self.validation_fraction, 0.0, 1.0, high_open=True)
        _check_number("beta_1", self.beta_1, 0.0, 1.0, high_open=True)
        _check_number("beta_2", self.beta_2, 0.0, 1.0, high_open=True)
        _check_number("epsilon", self.epsilon, 0.0, low_open=True)
        if self.n_iter_no_change != math.inf:
            _check_integer("n_iter_no_change", self.n_iter_no_change, 1)
        _check_integer("max_fun", self.max_fun, 1)

    # ---------------------------------------------------------------- model
    def _build_model(self, layer_units: list[int], dtype: np.dtype, gen: np.random.Generator) -> MLP:
        """An nn.MLP with Glorot-uniform weights and intercepts: U(−b, b), b = √(k / (fan_in + fan_out)).

        k = 6, or 2 for the logistic activation (scikit-learn's choice).
        """
        model = MLP(layer_units, activation=HIDDEN_ACTIVATIONS[self.activation], dtype=dtype, rng=gen)
        factor = 2.0 if self.activation == "logistic" else 6.0
        for layer in _linear_layers(model):
            bound = math.sqrt(factor / (layer.in_features + layer.out_features))
            init.uniform_(layer.weight, -bound, bound, rng=gen)
            init.uniform_(layer.bias, -bound, bound, rng=gen)
        return model

    def _expose_parameters(self) -> None:
        """``coefs_[i]`` (fan_in, fan_out) and ``intercepts_[i]``: views of the layers' live arrays, as scikit-learn lays them out."""
        layers = _linear_layers(self.model_)
        self.coefs_ = [layer.weight.data.T for layer in layers]
        self.intercepts_ = [layer.bias.data for layer in layers]

    def _weights(self) -> list[ag.Tensor]:
        return [layer.weight for layer in _linear_layers(self.model_)]

    def _objective(self) -> Callable[[ag.Tensor, ag.Tensor], ag.Tensor]:
        """loss(out, target) = data_loss + α / (2n) · Σ‖W‖², n the batch's examples (see the module docstring)."""
        alpha = float(self.alpha)
        weights = self._weights()

        def loss(out: ag.Tensor, target: ag.Tensor) -> ag.Tensor:
            value = self._data_loss(out, target)
            if alpha:
                value = value + F.l2_penalty(weights) * (alpha / (2 * out.shape[0]))
            return value

        return loss

    def _data_loss(self, out: ag.Tensor, target: ag.Tensor) -> ag.Tensor:
        if self._out_activation == "softmax":
            return F.cross_entropy(out, target)
        if self._out_activation == "logistic":
            return F.binary_cross_entropy_with_logits(out, target, reduction="sum") / out.shape[0]
        return F.mse_loss(out, target) * 0.5

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """The network's output for validated ``X``, after the output activation (softmax, logistic or none)."""
        with ag.no_grad(), eval_mode(self.model_):
            z = self.model_(ag.as_tensor(np.asarray(X, dtype=self._dtype)))
            if self._out_activation == "softmax":
                z = ag.softmax(z, axis=-1)
            elif self._out_activation == "logistic":
                z = ag.sigmoid(z)
        return z.data

    # ------------------------------------------------------------- training
    def _fit(self, X: Any, y: Any, incremental: bool) -> _BaseMLP:
        self._check_parameters()
        hidden = self._hidden_sizes()
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        layer_units = [X.shape[1], *hidden, Y.shape[1] if Y.ndim == 2 else self._n_label_outputs()]
        self._random_state = check_random_state(self.random_state)
        gen = np.random.default_rng(self._random_state.randint(np.iinfo(np.int32).max))
        if first_pass:
            self._initialize(layer_units, X.dtype, gen)
        elif self.model_.sizes != layer_units:
            raise InvalidArgumentError(
                f"{type(self).__name__}: the fitted network has layer sizes {self.model_.sizes}, but this call needs "
                f"{layer_units}; refit from scratch (warm_start=False) after changing hidden_layer_sizes or the data"
            )
        X = X.astype(self._dtype, copy=False)
        if self.solver in STOCHASTIC_SOLVERS:
            self._fit_stochastic(X, Y, incremental, gen)
        else:
            self._fit_lbfgs(X, Y)
        if not all(np.isfinite(p.data).all() for p in self.model_.parameters()):
            raise InvalidArgumentError(
                "the solver produced non-finite weights; standardise the inputs (e.g. StandardScaler) or lower "
                "learning_rate_init"
            )
        self.model_.zero_grad()
        self._expose_parameters()
        return self

    def _initialize(self, layer_units: list[int], dtype: np.dtype, gen: np.random.Generator) -> None:
        """Fresh network and bookkeeping, as at the first call to fit."""
        self._dtype = np.dtype(dtype)
        self.model_ = self._build_model(layer_units, self._dtype, gen)
        self.n_layers_ = len(layer_units)
        self.n_outputs_ = layer_units[-1]
        self.out_activation_ = self._out_activation
        self.n_iter_ = 0
        self.t_ = 0
        self._optimizer = None
        self._best_state = None
        self._reset_stochastic_records()

    def _reset_stochastic_records(self) -> None:
        self._no_improvement_count = 0
        if self.solver not in STOCHASTIC_SOLVERS:
            return
        self.loss_curve_ = []
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _make_optimizer(self) -> Optimizer:
        params = list(self.model_.parameters())
        if self.solver == "sgd":
            mu = float(self.momentum)
            return SGD(
                params, lr=self.learning_rate_init, momentum=mu, nesterov=bool(self.nesterovs_momentum) and mu > 0
            )
        return Adam(params, lr=self.learning_rate_init, betas=(self.beta_1, self.beta_2), eps=self.epsilon)

    def _fit_stochastic(self, X: np.ndarray, Y: np.ndarray, incremental: bool, gen: np.random.Generator) -> None:
        if not hasattr(self, "loss_curve_"):  # a warm start after an lbfgs fit
            self._reset_stochastic_records()
        if self.early_stopping and incremental:
            raise InvalidArgumentError("partial_fit does not support early_stopping=True; use fit, or turn it off")
        if not incremental or self._optimizer is None:
            self._optimizer = self._make_optimizer()
        validation = None
        if self.early_stopping:
            X, X_val, Y, Y_val = self._validation_split(X, Y, gen)
            validation = (X_val, Y_val)
            if self.validation_scores_ is None:  # a warm start after a fit without early stopping
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = [], -np.inf, None
        n = X.shape[0]
        if self.batch_size == "auto":
            batch = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn(
                    f"batch_size={self.batch_size} is larger than the {n} training examples; it is clipped to {n}",
                    UserWarning,
                    stacklevel=4,
                )
            batch = min(int(self.batch_size), n)
        loader = DataLoader(X, Y, batch_size=batch, shuffle=bool(self.shuffle), rng=gen)
        rule = _StoppingRule(self, n, validation)
        self.n_iter_ = 0
        nn_fit(
            self.model_,
            self._objective(),
            self._optimizer,
            loader,
            epochs=1 if incremental else int(self.max_iter),
            callbacks=[rule],
            progress=False,
        )
        if self.early_stopping and self._best_state is not None:
            self.model_.load_state_dict(self._best_state)
        if not incremental and not rule.stopped and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached and the optimization hasn't "
                "converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _validation_split(self, X: np.ndarray, Y: np.ndarray, gen: np.random.Generator) -> tuple[np.ndarray, ...]:
        """Hold out ``validation_fraction`` of the examples (stratified for single-output classification)."""
        stratify = Y if self._stratify() else None
        X_train, X_val, Y_train, Y_val = train_test_split(
            X,
            Y,
            test_size=self.validation_fraction,
            random_state=int(gen.integers(np.iinfo(np.int32).max)),
            stratify=stratify,
        )
        if X_val.shape[0] < 2:
            raise InvalidArgumentError(
                f"the validation set holds {X_val.shape[0]} example(s), too few to score; increase "
                "validation_fraction or the size of the data set"
            )
        return X_train, X_val, Y_train, Y_val

    def _fit_lbfgs(self, X: np.ndarray, Y: np.ndarray) -> None:
        """Full-batch L-BFGS: at most ``max_iter`` iterations and ``max_fun`` loss evaluations, until max|∇| ≤ tol."""
        model, objective = self.model_, self._objective()
        optimizer = LBFGS(
            model.parameters(),
            max_iter=int(self.max_iter),
            max_eval=int(self.max_fun),
            tolerance_grad=float(self.tol),
            tolerance_change=LBFGS_FTOL,
            history_size=LBFGS_HISTORY,
        )
        inputs, targets = ag.tensor(X), ag.tensor(Y)
        last: list[float] = []

        def closure() -> ag.Tensor:
            optimizer.zero_grad()
            loss = objective(model(inputs), targets)
            loss.backward()
            last.append(float(loss.data))
            return loss

        model.train()
        optimizer.step(closure)
        state = optimizer.state[next(model.parameters())]
        self.n_iter_ = int(state["n_iter"])
        self.loss_ = last[-1]  # the line search ends at the point it evaluated last
        gradient = max(float(np.max(np.abs(p.grad.data))) for p in model.parameters() if p.grad is not None)
        if gradient > self.tol and (self.n_iter_ >= self.max_iter or state["func_evals"] >= self.max_fun):
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) and {state['func_evals']} loss "
                f"evaluations (largest gradient entry {gradient:.3g} > tol={self.tol}); increase max_iter or "
                "max_fun, or scale the data",
                ConvergenceWarning,
                stacklevel=4,
            )

    # ------------------------------------------------------------- sklearn API
    def fit(self, X: Any, y: Any) -> _BaseMLP:
        """Train on ``X`` (n_samples, n_features) and targets ``y``; returns self.

        Starts from fresh Glorot-uniform weights unless ``warm_start`` (then
        from the fitted ones, with a new optimizer). Stochastic solvers run
        up to ``max_iter`` epochs; "lbfgs" up to ``max_iter`` iterations.
        """
        return self._fit(X, y, incremental=False)

    def _check_solver(self) -> bool:
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(f"partial_fit is only available for stochastic optimizers; {self.solver!r} is not one")
        return True

    def _predict_outputs(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        return self._outputs(X)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the optimizer as its state dict, and the coefs_/intercepts_ views not at all (rebuilt on load)."""
        state = dict(super().__getstate__())  # a copy: the default state is the live __dict__
        state.pop("coefs_", None)
        state.pop("intercepts_", None)
        optimizer = state.get("_optimizer")
        if optimizer is not None:
            state["_optimizer"] = ("state_dict", optimizer.state_dict())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if isinstance(self.__dict__.get("_optimizer"), tuple):
            saved = self._optimizer[1]
            self._optimizer = self._make_optimizer()
            self._optimizer.load_state_dict(saved)
        if "model_" in self.__dict__:
            self._expose_parameters()


def _linear_layers(model: Module) -> list[Linear]:
    return [m for m in model.modules() if isinstance(m, Linear)]


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier with scikit-learn's API, trained by nn (``model_`` is the nn.MLP).

    Several classes: softmax outputs and cross-entropy, and
    ``predict_proba(X) = softmax(model_(X))``. Two classes: one logistic
    output p = σ(model_(X)) and ``predict_proba`` = [1 − p, p]. Multi-label
    targets (an indicator matrix): one logistic output per label. Parameters
    and fitted attributes are scikit-learn's (see ``sklearn.neural_network.
    MLPClassifier``); the module docstring gives the loss and what differs.
    """

    def _n_label_outputs(self) -> int:
        return len(self._label_binarizer.classes_) if self._label_binarizer.y_type_ == "multiclass" else 1

    @property
    def _out_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _stratify(self) -> bool:
        return self._label_binarizer.y_type_ != "multilabel-indicator"

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        """Checked X, and y as the network's targets: class indices (softmax) or 0/1 columns (logistic)."""
        X, y = validate_data(self, X, y, multi_output=True, dtype=FLOAT_DTYPES, reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental and set(classes) != set(self.classes_):
                raise InvalidArgumentError(
                    f"warm_start needs y to hold the classes of the previous fit, {list(self.classes_)}; "
                    f"this y holds {list(classes)}. Refit with warm_start=False to change the classes"
                )
            missing = np.setdiff1d(classes, self.classes_)
            if len(missing):
                raise InvalidArgumentError(
                    f"y holds classes {list(missing)} not among classes_ {list(self.classes_)}; pass every class "
                    "to the first partial_fit call (classes=...)"
                )
        onehot = self._label_binarizer.transform(y)
        dtype = X.dtype if not hasattr(self, "_dtype") or reset else self._dtype
        if self._label_binarizer.y_type_ == "multiclass":
            return X, onehot.argmax(axis=1)
        return X, onehot.astype(dtype)

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> MLPClassifier:
        """One epoch over (X, y) from the current weights; the first call needs ``classes`` (all labels there will be).

        Only for the stochastic solvers ("sgd", "adam"); for multi-label
        indicator targets ``classes`` may be omitted.
        """
        self._check_solver()
        if not hasattr(self, "classes_"):
            self._label_binarizer = LabelBinarizer()
            if classes is None:
                if not type_of_target(y).startswith("multilabel"):
                    raise InvalidArgumentError(
                        "classes must be passed on the first call to partial_fit (every label there will be, e.g. "
                        "np.unique(y_all))"
                    )
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise InvalidArgumentError(
                f"classes={list(classes)} differs from the classes of the first partial_fit call, {list(self.classes_)}"
            )
        return self._fit(X, y, incremental=True)

    partial_fit = available_if(lambda est: est._check_solver())(partial_fit)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row (for multi-label targets, each label with p > ½)."""
        p = self._column_outputs(X)
        return self._label_binarizer.inverse_transform(p)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n_samples, n_classes), columns in ``classes_`` order: softmax, or [1 − p, p] for two."""
        p = self._column_outputs(X)
        if p.ndim == 1:
            return np.column_stack([1 - p, p])
        return p

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log ``predict_proba(X)``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def _column_outputs(self, X: Any) -> np.ndarray:
        p = self._predict_outputs(X)
        return p.ravel() if self.n_outputs_ == 1 else p

    def _score_arrays(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Accuracy on already validated data with network targets (early stopping's validation score)."""
        p = self._outputs(X)
        if self._out_activation == "softmax":
            return float(np.mean(p.argmax(axis=1) == Y))
        return float(accuracy_score(Y > 0.5, p > 0.5))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # the same, for scikit-learn < 1.6
        return {"multilabel": True}


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor with scikit-learn's API, trained by nn (``model_`` is the nn.MLP).

    Identity output, half squared error (see the module docstring); one
    target or several (``y`` of shape (n_samples, n_targets)). Parameters
    and fitted attributes are scikit-learn's (see ``sklearn.neural_network.
    MLPRegressor``).
    """

    _out_activation = "identity"

    def _stratify(self) -> bool:
        return False

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=FLOAT_DTYPES, reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        dtype = X.dtype if not hasattr(self, "_dtype") or reset else self._dtype
        return X, (y.reshape(-1, 1) if y.ndim == 1 else y).astype(dtype)

    def partial_fit(self, X: Any, y: Any) -> MLPRegressor:
        """One epoch over (X, y) from the current weights (stochastic solvers only)."""
        self._check_solver()
        return self._fit(X, y, incremental=True)

    partial_fit = available_if(lambda est: est._check_solver())(partial_fit)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets: shape (n_samples,) for one target, else (n_samples, n_targets)."""
        out = self._predict_outputs(X)
        return out.ravel() if out.shape[1] == 1 else out

    def _score_arrays(self, X: np.ndarray, Y: np.ndarray) -> float:
        """R² on already validated data (early stopping's validation score); NaN when predictions are not finite."""
        pred = self._outputs(X)
        if not np.isfinite(pred).all():
            return float("nan")
        return float(r2_score(Y, pred))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # the same, for scikit-learn < 1.6
        return {"multioutput": True}
