"""Learning-rate schedules: lr as a function of a step count e (``scheduler.step()`` once per epoch, or per update).

Each schedule is a closed form lr(e) from each group's initial rate lr₀,
written into the optimizer's parameter groups at every ``step()``. The
count is whatever ``step()`` is called for: epochs (the usual use, and
``LRSchedulerCallback``'s default) or updates (``every="batch"``), which is
how the notes' ρ_r = 1/r counts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from autograd_core.errors import InvalidArgumentError

if TYPE_CHECKING:
    from .optimizer import Optimizer


class LRScheduler:
    """Base class: remembers lr₀ per group and sets lr = ``lr_at(lr₀, epoch)`` at every ``step()``.

    >>> class Halving(nn.optim.LRScheduler):
    ...     def lr_at(self, base_lr, epoch):
    ...         return base_lr / 2**epoch
    >>> opt = nn.optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> schedule = Halving(opt)
    >>> for _ in range(3):
    ...     schedule.step()
    >>> schedule.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate at ``epoch`` (0 = the start) for a group whose initial rate is ``base_lr``."""
        raise NotImplementedError(f"{type(self).__name__} must define lr_at()")

    def step(self) -> None:
        """Advance the count by one (an epoch, or an update) and update the optimizer's learning rates."""
        self.last_epoch += 1
        self._apply()

    def _apply(self) -> None:
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = self.lr_at(base, self.last_epoch)

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group as last set."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The schedule's settings and position, for resuming."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict`` saved and set the learning rates to match."""
        self.__dict__.update(state_dict)
        self._apply()


class InverseTimeLR(LRScheduler):
    """lr = lr₀ / (1 + decay·e): with decay = 1 the notes' ρ_r = ρ₀ / r, counting r = e + 1 from 1.

    The notes' r counts updates, so step it after every batch for their
    schedule (``LRSchedulerCallback(scheduler, every="batch")`` in ``fit``);
    stepped per epoch, every update of epoch e uses ρ₀ / (e + 1).

    >>> opt = nn.optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> schedule = nn.optim.InverseTimeLR(opt)  # ρ_r = ρ₀ / r
    >>> rates = []
    >>> for r in range(1, 5):
    ...     rates.append(opt.param_groups[0]["lr"])
    ...     schedule.step()
    >>> rates
    [1.0, 0.5, 0.3333333333333333, 0.25]
    """

    def __init__(self, optimizer: Optimizer, decay: float = 1.0) -> None:
        if decay < 0:
            raise InvalidArgumentError(f"InverseTimeLR: decay must be >= 0, got {decay}")
        self.decay = decay
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr / (1 + self.decay * epoch)


class StepLR(LRScheduler):
    """lr = lr₀·γ^⌊e / step_size⌋: multiply by γ every ``step_size`` epochs.

    >>> opt = nn.optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> schedule = nn.optim.StepLR(opt, step_size=2, gamma=0.1)
    >>> rates = []
    >>> for _ in range(5):
    ...     rates.append(round(opt.param_groups[0]["lr"], 6))
    ...     schedule.step()
    >>> rates
    [1.0, 1.0, 0.1, 0.1, 0.01]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if step_size < 1:
            raise InvalidArgumentError(f"StepLR: step_size must be a positive number of epochs, got {step_size}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = lr₀·γᵉ.

    >>> opt = nn.optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> schedule = nn.optim.ExponentialLR(opt, gamma=0.5)
    >>> schedule.step()
    >>> schedule.step()
    >>> schedule.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """lr = η_min + (lr₀ − η_min)·(1 + cos(π·e / T_max)) / 2: half a cosine from lr₀ down to η_min.

    >>> opt = nn.optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> schedule = nn.optim.CosineAnnealingLR(opt, T_max=4)
    >>> rates = []
    >>> for _ in range(5):
    ...     rates.append(round(opt.param_groups[0]["lr"], 4))
    ...     schedule.step()
    >>> rates
    [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if T_max < 1:
            raise InvalidArgumentError(f"CosineAnnealingLR: T_max must be a positive number of epochs, got {T_max}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
