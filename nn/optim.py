"""Optimizers (``nn.optim``): SGD, Adam, AdamW, RMSprop, Adagrad with PyTorch's update rules and defaults.

Each writes ``p.data`` in place from ``p.grad.data`` with numpy (see
``optimizer.py`` for the shared machinery). Intermediate results go into the
optimizer's reused work arrays (``out=``), so a steady-state step allocates
no parameter-sized temporaries. LBFGS and ConjugateGradient, for full-batch
problems, live in ``lbfgs.py`` and ``cg.py``, and the learning-rate schedules
in ``schedules.py``; all are re-exported here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core.errors import InvalidArgumentError

from .cg import ConjugateGradient
from .lbfgs import LBFGS
from .optimizer import Optimizer, Params
from .schedules import CosineAnnealingLR, ExponentialLR, InverseTimeLR, LRScheduler, StepLR

__all__ = [
    "LBFGS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "ConjugateGradient",
    "CosineAnnealingLR",
    "ExponentialLR",
    "InverseTimeLR",
    "LRScheduler",
    "Optimizer",
    "RMSprop",
    "StepLR",
]


def _with_weight_decay(optimizer: Optimizer, p: np.ndarray, g: np.ndarray, weight_decay: float) -> np.ndarray:
    """g + λ·p (the gradient of loss + (λ/2)·‖p‖²) in work array 1; g itself when λ = 0."""
    if not weight_decay:
        return g
    out = np.multiply(p, weight_decay, out=optimizer.workspace(p, 1))
    out += g
    return out


# The fused updates below (``fused_update``, used by compiled training steps) repeat each ``update`` with every
# temporary written into a buffer kept in ``scratch``: the same numpy operations on the same operands in the
# same order, so both give the same bits (tests/test_compile_optim.py checks each optimizer).


def _scratch(scratch: dict, name: str, like: np.ndarray) -> np.ndarray:
    buf = scratch.get(name)
    if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
        buf = scratch[name] = np.empty_like(like)
    return buf


def _fused_weight_decay(p: np.ndarray, g: np.ndarray, weight_decay: float, scratch: dict) -> np.ndarray:
    """g + λ·p into a scratch buffer (g itself when λ = 0), as ``_with_weight_decay``."""
    if not weight_decay:
        return g
    out = _scratch(scratch, "decayed", p)
    np.multiply(weight_decay, p, out=out)
    np.add(g, out, out=out)
    return out


def _subtract_scaled(p: np.ndarray, scale: float, v: np.ndarray, scratch: dict) -> None:
    """p −= scale·v without a temporary array."""
    step = _scratch(scratch, "step", p)
    np.multiply(scale, v, out=step)
    np.subtract(p, step, out=p)


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    g ← ∇ + λ·p; v ← μ·v + (1 − τ)·g (v = g at the first step); p ← p − lr·v,
    or with Nesterov p ← p − lr·(g + μ·v). Without momentum: p ← p − lr·g.

    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = nn.optim.SGD([w], lr=0.1)
    >>> (w**2).sum().backward()
    >>> opt.step()  # w ← w − 0.1·2w
    >>> w
    tensor([0.8, 1.6], requires_grad=True)
    >>> opt.zero_grad()
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        if nesterov and (momentum <= 0 or dampening != 0):
            raise InvalidArgumentError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    @staticmethod
    def _plain(group: dict[str, Any]) -> bool:
        """No momentum and no weight decay: p −= lr·g."""
        return not group["momentum"] and not group["weight_decay"]

    def packs(self, group: dict[str, Any]) -> bool:
        """Plain SGD (p −= lr·g, two numpy calls per parameter) gains nothing from a flat vector."""
        return not self._plain(group)

    def update(self, p, g, state, group):
        mu = group["momentum"]
        work = self.workspace(p)
        if self._plain(group):
            p -= np.multiply(g, group["lr"], out=work)
            return
        g = _with_weight_decay(self, p, g, group["weight_decay"])
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= mu
                buf += np.multiply(g, 1 - group["dampening"], out=work)
            if group["nesterov"]:
                step = np.multiply(buf, mu, out=work)
                step += g
                g = step
            else:
                g = buf
        p -= np.multiply(g, group["lr"], out=work)

    def fused_update(self, p, g, state, group, scratch):
        """``update`` without temporary arrays (compiled training steps)."""
        mu = group["momentum"]
        if self._plain(group):  # the common case: p −= lr·g in two calls
            step = scratch.get("step")
            if step is None or step.shape != p.shape or step.dtype != p.dtype:
                step = _scratch(scratch, "step", p)
            np.multiply(group["lr"], g, out=step)
            np.subtract(p, step, out=p)
            return
        g = _fused_weight_decay(p, g, group["weight_decay"], scratch)
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= mu
                scaled = _scratch(scratch, "scaled", p)
                np.multiply(1 - group["dampening"], g, out=scaled)
                buf += scaled
            if group["nesterov"]:
                ahead = _scratch(scratch, "ahead", p)
                np.multiply(mu, buf, out=ahead)
                np.add(g, ahead, out=ahead)
                g = ahead
            else:
                g = buf
        _subtract_scaled(p, group["lr"], g, scratch)


class Adam(Optimizer):
    """Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − lr·m̂ / (√v̂ + ε), hats = bias-corrected.

    m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ); ``weight_decay`` adds λ·p to g
    (L2, coupled); ``amsgrad`` uses the running maximum of v.

    >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = nn.optim.Adam([w], lr=0.1)
    >>> (w**2).sum().backward()
    >>> opt.step()  # the first step moves each entry by lr against the sign of its gradient
    >>> w
    tensor([ 0.9, -1.9], requires_grad=True)
    """

    decoupled = False

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise InvalidArgumentError(f"{type(self).__name__}: betas must be in [0, 1), got {betas}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad))

    @staticmethod
    def _count_step(p, state, group):
        """Make the moment buffers on a parameter's first step (zeros, as PyTorch), then count the step."""
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p)
        state["step"] += 1

    def update(self, p, g, state, group):
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        if self.decoupled:
            p *= 1 - lr * wd
        else:
            g = _with_weight_decay(self, p, g, wd)
        self._count_step(p, state, group)
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        work = self.workspace(p)
        m *= beta1
        m += np.multiply(g, 1 - beta1, out=work)
        v *= beta2
        square = np.multiply(g, 1 - beta2, out=work)
        square *= g
        v += square
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        denom = np.sqrt(v, out=work)
        denom /= math.sqrt(1 - beta2**t)
        denom += eps
        np.divide(m, denom, out=denom)
        denom *= lr / (1 - beta1**t)
        p -= denom

    def fused_update(self, p, g, state, group, scratch):
        """``update`` without temporary arrays (compiled training steps)."""
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        if self.decoupled:
            p *= 1 - lr * wd
        else:
            g = _fused_weight_decay(p, g, wd, scratch)
        self._count_step(p, state, group)
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        tmp = _scratch(scratch, "tmp", p)
        m *= beta1
        np.multiply(1 - beta1, g, out=tmp)
        m += tmp
        v *= beta2
        np.multiply(1 - beta2, g, out=tmp)
        np.multiply(tmp, g, out=tmp)
        v += tmp
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        denom = _scratch(scratch, "denom", p)
        np.sqrt(v, out=denom)
        denom /= math.sqrt(1 - beta2**t)
        denom += eps
        np.divide(m, denom, out=denom)
        denom *= lr / (1 - beta1**t)
        p -= denom


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p·(1 − lr·λ), then the Adam step on the plain gradient.

    >>> w = ag.tensor([1.0], requires_grad=True)
    >>> opt = nn.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (0 * w).sum().backward()  # a zero gradient: only the decay acts
    >>> opt.step()  # w·(1 − 0.1·0.5)
    >>> w
    tensor([0.95], requires_grad=True)
    """

    decoupled = True

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)


class RMSprop(Optimizer):
    """RMSprop: s ← αs + (1 − α)g²; p ← p − lr·g / (√s + ε) (optionally centred and with momentum).

    Centred: the denominator is √(s − ḡ²) + ε with ḡ ← αḡ + (1 − α)g.
    Momentum μ: b ← μb + g / (√s + ε); p ← p − lr·b.

    >>> w = ag.tensor([1.0], requires_grad=True)
    >>> opt = nn.optim.RMSprop([w], lr=0.01, alpha=0.99)
    >>> (w**2).sum().backward()
    >>> opt.step()  # s = 0.01·g², step lr·g/√s = 0.1
    >>> w
    tensor([0.9], requires_grad=True)
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    @staticmethod
    def _count_step(p, state, group):
        """Make the running averages (and momentum buffer) on a parameter's first step, then count the step."""
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p)
        state["step"] += 1

    def update(self, p, g, state, group):
        g = _with_weight_decay(self, p, g, group["weight_decay"])
        alpha = group["alpha"]
        self._count_step(p, state, group)
        s = state["square_avg"]
        work = self.workspace(p)
        s *= alpha
        square = np.multiply(g, 1 - alpha, out=work)
        square *= g
        s += square
        if group["centered"]:
            ga = state["grad_avg"]
            ga *= alpha
            ga += np.multiply(g, 1 - alpha, out=work)
            denom = np.multiply(ga, ga, out=work)
            np.subtract(s, denom, out=denom)
            np.sqrt(denom, out=denom)
        else:
            denom = np.sqrt(s, out=work)
        denom += group["eps"]
        step = np.divide(g, denom, out=denom)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += step
            step = np.multiply(buf, group["lr"], out=work)
        else:
            step *= group["lr"]
        p -= step

    def fused_update(self, p, g, state, group, scratch):
        """``update`` without temporary arrays (compiled training steps)."""
        g = _fused_weight_decay(p, g, group["weight_decay"], scratch)
        alpha = group["alpha"]
        self._count_step(p, state, group)
        s = state["square_avg"]
        tmp = _scratch(scratch, "tmp", p)
        s *= alpha
        np.multiply(1 - alpha, g, out=tmp)
        np.multiply(tmp, g, out=tmp)
        s += tmp
        denom = _scratch(scratch, "denom", p)
        if group["centered"]:
            ga = state["grad_avg"]
            ga *= alpha
            np.multiply(1 - alpha, g, out=tmp)
            ga += tmp
            np.multiply(ga, ga, out=tmp)
            np.subtract(s, tmp, out=denom)
            np.sqrt(denom, out=denom)
        else:
            np.sqrt(s, out=denom)
        denom += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            np.divide(g, denom, out=tmp)
            buf += tmp
            _subtract_scaled(p, group["lr"], buf, scratch)
        else:
            np.divide(g, denom, out=denom)
            denom *= group["lr"]
            p -= denom


class Adagrad(Optimizer):
    """Adagrad: s ← s + g²; p ← p − lr_t·g / (√s + ε), with lr_t = lr / (1 + (t − 1)·lr_decay).

    >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = nn.optim.Adagrad([w], lr=0.5)
    >>> (w**2).sum().backward()
    >>> opt.step()  # g/√(g²) = sign(g) on the first step
    >>> w
    tensor([ 0.5, -1.5], requires_grad=True)
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        super().__init__(params, defaults)

    @staticmethod
    def _count_step(p, state, group):
        """Make the sum of squares (from ``initial_accumulator_value``) on a parameter's first step, then count it."""
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p, group["initial_accumulator_value"])
        state["step"] += 1

    def update(self, p, g, state, group):
        g = _with_weight_decay(self, p, g, group["weight_decay"])
        self._count_step(p, state, group)
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"]
        work = self.workspace(p)
        s += np.multiply(g, g, out=work)
        denom = np.sqrt(s, out=work)
        denom += group["eps"]
        np.divide(g, denom, out=denom)
        denom *= clr
        p -= denom

    def fused_update(self, p, g, state, group, scratch):
        """``update`` without temporary arrays (compiled training steps)."""
        g = _fused_weight_decay(p, g, group["weight_decay"], scratch)
        self._count_step(p, state, group)
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"]
        denom = _scratch(scratch, "denom", p)
        np.multiply(g, g, out=denom)
        s += denom
        np.sqrt(s, out=denom)
        denom += group["eps"]
        np.divide(g, denom, out=denom)
        denom *= clr
        p -= denom
