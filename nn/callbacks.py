"""Callbacks for ``nn.fit``: early stopping (the notes' patience), stopping at a loss threshold, learning-rate
schedules (per epoch or per update) and a saturation monitor."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError

from .activations import Sigmoid, Tanh
from .module import Module, eval_mode
from .optimizer import Optimizer
from .schedules import LRScheduler


class Callback:
    """Hooks ``fit`` calls: at the start, after every epoch (return True to stop training) and at the end.

    >>> class PrintLoss(nn.Callback):
    ...     def on_epoch_end(self, epoch, logs):
    ...         print(epoch, round(logs["loss"], 3))
    ...         return False  # True would stop training
    >>> X, y = np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]])
    >>> model = nn.Linear(1, 1, rng=0)
    >>> _ = nn.fit(model, nn.MSELoss(), nn.optim.SGD(model.parameters(), lr=0.1),
    ...            nn.data.DataLoader(X, y, batch_size=None), epochs=2, callbacks=[PrintLoss()], progress=False)
    0 6.143
    1 3.383
    """

    def on_train_begin(self, model: Module, optimizer: Optimizer) -> None:
        """Training is about to start."""

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        """Batch ``batch`` (0-based, within the epoch) was trained on: the update is done; ``logs`` = {"loss": …}."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        """Epoch ``epoch`` (0-based) finished with ``logs`` (loss, val_loss, metrics, lr); True stops training."""
        return False

    def on_train_end(self) -> None:
        """Training has finished (normally or stopped by a callback)."""


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    Improvement means value < best − min_delta (``mode="min"``) or value >
    best + min_delta (``mode="max"``). With ``restore_best`` the model ends
    training holding the weights of its best epoch, whether or not it
    stopped early. ``best_epoch`` and ``stopped_epoch`` (None if it ran to
    the end) tell what happened.

    >>> X, y = nn.data.make_moons(200, rng=0)
    >>> model = nn.MLP([2, 16, 2], rng=0)
    >>> stop = nn.EarlyStopping(patience=3, monitor="loss")
    >>> history = nn.fit(model, nn.CrossEntropyLoss(), nn.optim.Adam(model.parameters(), lr=0.05),
    ...                  nn.data.DataLoader(X, y, rng=0), epochs=200, callbacks=[stop], progress=False)
    >>> stop.stopped_epoch is not None, stop.best_epoch <= len(history["loss"])
    (True, True)
    """

    def __init__(
        self,
        patience: int = 5,
        min_delta: float = 0.0,
        restore_best: bool = True,
        monitor: str = "val_loss",
        mode: str = "min",
    ) -> None:
        if patience < 0 or min_delta < 0:
            raise InvalidArgumentError(
                f"EarlyStopping: patience and min_delta must be >= 0, got {patience} and {min_delta}"
            )
        if mode not in ("min", "max"):
            raise InvalidArgumentError(f"EarlyStopping: mode must be 'min' or 'max', not {mode!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best = restore_best
        self.monitor = monitor
        self.mode = mode

    def on_train_begin(self, model: Module, optimizer: Optimizer) -> None:
        self.model = model
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.best_state: dict[str, Any] | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        if self.monitor not in logs:
            hint = " (pass val_loader= to fit)" if self.monitor.startswith("val_") else ""
            raise InvalidArgumentError(
                f"EarlyStopping monitors {self.monitor!r}, which fit did not record{hint}; recorded: {', '.join(logs)}"
            )
        value = logs[self.monitor]
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_state = self.model.state_dict()
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self) -> None:
        if self.restore_best and self.best_state is not None:
            self.model.load_state_dict(self.best_state)


class LRSchedulerCallback(Callback):
    """Advance a learning-rate schedule (``nn.optim.StepLR`` etc.) after every epoch, or after every batch.

    ``every="epoch"`` (the default) steps the schedule once per pass over the
    data, so its count t is the epoch. ``every="batch"`` steps it after each
    update, so t counts updates: with ``InverseTimeLR(optimizer, decay=1)``
    the r-th update uses ρ_r = ρ₀ / r, the notes' 1/r learning rate
    (mini-batch or stochastic gradient descent take many updates per epoch).

    >>> X, y = np.ones((8, 1)), np.ones((8, 1))
    >>> model = nn.Linear(1, 1, rng=0)
    >>> opt = nn.optim.SGD(model.parameters(), lr=1.0)
    >>> schedule = nn.LRSchedulerCallback(nn.optim.InverseTimeLR(opt), every="batch")
    >>> _ = nn.fit(model, nn.MSELoss(), opt, nn.data.DataLoader(X, y, batch_size=2), epochs=1,
    ...            callbacks=[schedule], progress=False)
    >>> opt.param_groups[0]["lr"]  # ρ₀ / r after r = 4 updates: the notes' 1/r rate
    0.2
    """

    def __init__(self, scheduler: LRScheduler, every: str = "epoch") -> None:
        if every not in ("epoch", "batch"):
            raise InvalidArgumentError(f"LRSchedulerCallback: every must be 'epoch' or 'batch', not {every!r}")
        self.scheduler = scheduler
        self.every = every

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        if self.every == "batch":
            self.scheduler.step()

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        if self.every == "epoch":
            self.scheduler.step()
        return False


class ThresholdStopping(Callback):
    """Stop once ``monitor`` reaches ``threshold``: the fourth notes' "threshold on loss to stop training".

    With ``mode="min"`` training stops after the first epoch whose value is
    ≤ threshold (a loss); with ``mode="max"`` when it is ≥ threshold (an
    accuracy). ``stopped_epoch`` is that epoch, or None if it never got there.

    >>> X, y = np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]])
    >>> model = nn.Linear(1, 1, rng=0)
    >>> stop = nn.ThresholdStopping(0.01)
    >>> history = nn.fit(model, nn.MSELoss(), nn.optim.SGD(model.parameters(), lr=0.2),
    ...                  nn.data.DataLoader(X, y, batch_size=None), epochs=1000, callbacks=[stop], progress=False)
    >>> history["loss"][-1] <= 0.01 < history["loss"][-2], stop.stopped_epoch == history.epochs[-1]
    (True, True)
    """

    def __init__(self, threshold: float, monitor: str = "loss", mode: str = "min") -> None:
        if mode not in ("min", "max"):
            raise InvalidArgumentError(f"ThresholdStopping: mode must be 'min' or 'max', not {mode!r}")
        if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or math.isnan(threshold):
            raise InvalidArgumentError(f"ThresholdStopping: threshold must be a number, not {threshold!r}")
        self.threshold = threshold
        self.monitor = monitor
        self.mode = mode
        self.stopped_epoch: int | None = None

    def on_train_begin(self, model: Module, optimizer: Optimizer) -> None:
        self.stopped_epoch = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        if self.monitor not in logs:
            hint = " (pass val_loader= to fit)" if self.monitor.startswith("val_") else ""
            raise InvalidArgumentError(
                f"ThresholdStopping monitors {self.monitor!r}, which fit did not record{hint}; recorded: {', '.join(logs)}"
            )
        value = logs[self.monitor]
        reached = value <= self.threshold if self.mode == "min" else value >= self.threshold
        if reached:
            self.stopped_epoch = epoch
        return reached


# The range (low, high) of each saturating activation module.
SATURATING = {Sigmoid: (0.0, 1.0), Tanh: (-1.0, 1.0)}


def _saturation_range(module: Module) -> tuple[float, float] | None:
    return next((limits for cls, limits in SATURATING.items() if isinstance(module, cls)), None)


class SaturationMonitor(Callback):
    """The fraction of saturated sigmoid and tanh units in each layer, before training and after every epoch.

    The fourth notes: a neuron saturates when its activation is very close to
    a limit of its range, where changes to weights or inputs barely change
    its output (its derivative is nearly 0); "monitor whether you run into
    saturation (how many neurons are close to the limits of their range)".
    Each epoch the model (in eval mode, without recording a graph) runs on
    the probe inputs ``X``, and for every ``nn.Sigmoid`` / ``nn.Tanh`` module
    the monitor records the fraction of (example, unit) activations within
    ``tolerance`` of a limit, measured as a fraction of the range: sigmoid
    y < tol or y > 1 − tol, tanh |y| > 1 − 2·tol. With the default 0.05
    either activation's derivative there is below 19 % of its maximum.

    ``history`` maps "layers.1 (Sigmoid)" to one fraction per entry of
    ``epochs`` (0 = before training, e = after epoch e); ``plot()`` draws it.
    Activations applied as functions inside a custom ``forward`` are not
    modules and are not seen.

    >>> X = np.random.default_rng(0).normal(size=(50, 2))
    >>> model = nn.MLP([2, 8, 1], activation="sigmoid", rng=0)
    >>> monitor = nn.SaturationMonitor(X)
    >>> model.layers[0].weight.data *= 100  # huge weights push every unit to 0 or 1
    >>> monitor.on_train_begin(model, None)
    >>> monitor.fractions()
    {'layers.1 (Sigmoid)': 0.96}
    """

    def __init__(self, X: Any, tolerance: float = 0.05) -> None:
        if not 0 < tolerance < 0.5:
            raise InvalidArgumentError(
                f"SaturationMonitor: tolerance must be in (0, 0.5) (a fraction of the range), not {tolerance!r}"
            )
        self.X = X.data if isinstance(X, ag.Tensor) else ag.backend.as_array(X)
        self.tolerance = tolerance
        self.epochs: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, model: Module, optimizer: Optimizer) -> None:
        self.model = model
        self.epochs, self.history = [], {}
        self._layers = [
            (f"{name} ({type(m).__name__})", m, _saturation_range(m))
            for name, m in model.named_modules()
            if _saturation_range(m) is not None
        ]
        if not self._layers:
            raise InvalidArgumentError(
                "SaturationMonitor found no nn.Sigmoid or nn.Tanh module in the model; it watches those modules "
                "(activations given by name to nn.MLP are modules too)"
            )
        self._record(0)

    def fractions(self) -> dict[str, float]:
        """Each watched layer's fraction of saturated activations on the probe inputs, now."""
        outputs: dict[str, np.ndarray] = {}
        handles = [
            m.register_forward_hook(lambda mod, args, out, name=name: outputs.__setitem__(name, out.data))
            for name, m, _ in self._layers
        ]
        if not ag.backend.same_device(self.X, self.model.device):
            self.X = ag.backend.to_device(self.X, self.model.device)  # the probe inputs follow the model, once
        try:
            with eval_mode(self.model), ag.no_grad():
                self.model(ag.tensor(self.X))
        finally:
            for handle in handles:
                handle.remove()
        result = {}
        for name, _, (low, high) in self._layers:
            position = (outputs[name] - low) / (high - low)
            saturated = (position < self.tolerance) | (position > 1 - self.tolerance)
            result[name] = ag.backend.host_float(saturated.mean()) if saturated.size else 0.0
        return result

    def _record(self, epoch: int) -> None:
        self.epochs.append(epoch)
        for name, value in self.fractions().items():
            self.history.setdefault(name, []).append(value)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        self._record(epoch + 1)
        return False

    def plot(self, path: Any = None, ax: Any = None) -> Any:
        """Saturated fraction per layer against the epoch; returns the matplotlib Figure, saved when ``path`` is given.

        Needs matplotlib (the ``plots`` extra); drawn without pyplot, so no window opens.
        """
        if not self.history:
            raise InvalidArgumentError("SaturationMonitor.plot: nothing recorded yet; pass the monitor to fit first")
        if ax is None:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(6, 3.5))
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        for name, values in self.history.items():
            ax.plot(self.epochs, values, marker="o", markersize=3, label=name)
        ax.set_xlabel("epoch (0 = before training)")
        ax.set_ylabel("fraction saturated")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"saturated units (within {self.tolerance:g} of a limit of the range)")
        ax.legend(fontsize="small")
        if path is not None:
            fig.savefig(path, dpi=100, bbox_inches="tight")
        return fig
