"""Callbacks for ``nn.fit``: early stopping (the notes' patience) and learning-rate schedules."""

from __future__ import annotations

import math
from typing import Any

from autograd_core.errors import InvalidArgumentError

from .module import Module
from .optimizer import Optimizer
from .schedules import LRScheduler


class Callback:
    """Hooks ``fit`` calls: at the start, after every epoch (return True to stop training) and at the end."""

    def on_train_begin(self, model: Module, optimizer: Optimizer) -> None:
        """Training is about to start."""

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
    """Advance a learning-rate schedule (``nn.optim.StepLR`` etc.) by one step after every epoch."""

    def __init__(self, scheduler: LRScheduler) -> None:
        self.scheduler = scheduler

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        self.scheduler.step()
        return False
