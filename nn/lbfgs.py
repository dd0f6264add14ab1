"""L-BFGS with a backtracking line search, for full-batch problems.

The notes point out that on a whole (small) data set, second-order-style
methods such as conjugate gradient converge in far fewer steps than SGD.
L-BFGS is the one used in practice: it builds an approximation H of the
inverse Hessian from the last m steps s = Δp and gradient changes y = Δg,
and moves along d = −H·g.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.backend import host_float
from autograd_core.errors import InvalidArgumentError

from .optimizer import Closure, Optimizer, Params, follow_device

# Sufficient-decrease constant of the Armijo condition f(p + t·d) ≤ f(p) + c·t·gᵀd.
ARMIJO_C = 1e-4
# A curvature pair (s, y) is kept only when sᵀy is safely positive, so H stays positive definite.
CURVATURE_EPS = 1e-10


class LBFGS(Optimizer):
    """L-BFGS: d = −H·g by the two-loop recursion over the last ``history_size`` pairs (s, y); p ← p + t·d.

    The step t starts at ``lr`` (scaled down to 1/‖g‖₁ on the very first
    iteration, as PyTorch) and is halved until the Armijo condition
    f(p + t·d) ≤ f(p) + 10⁻⁴·t·gᵀd holds. One ``step(closure)`` runs up to
    ``max_iter`` iterations and ``max_eval`` evaluations of ``closure``
    (which zeroes the gradients, computes the loss, calls ``backward()`` and
    returns the loss), stopping early when the largest gradient entry is
    below ``tolerance_grad`` or the step or the change of loss is below
    ``tolerance_change``. Holds one parameter group.

    >>> w = ag.tensor([3.0, -1.0], requires_grad=True)
    >>> opt = nn.optim.LBFGS([w])
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = ((w - ag.tensor([1.0, 2.0])) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> print(np.round(opt.step(closure).item(), 4))  # the loss before the step: (3 − 1)² + (−1 − 2)²
    13.0
    >>> print(np.round(w.data, 4))
    [1. 2.]
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
    ) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise InvalidArgumentError("LBFGS holds a single parameter group (it treats all parameters as one vector)")
        self._params = self.param_groups[0]["params"]

    def _flat_params(self) -> np.ndarray:
        return np.concatenate([p.data.ravel() for p in self._params])

    def _flat_grad(self) -> np.ndarray:
        return np.concatenate(
            [np.zeros_like(p.data, shape=(p.size,)) if p.grad is None else p.grad.data.ravel() for p in self._params]
        )

    def _set_flat_params(self, x: np.ndarray) -> None:
        offset = 0
        for p in self._params:
            p.data[...] = x[offset : offset + p.size].reshape(p.shape)
            ag.increment_version(p)
            offset += p.size

    def _lbfgs_state(self) -> dict[str, Any]:
        # Kept under the first parameter, so the base class's state_dict saves it.
        return self.state.setdefault(self._params[0], {"func_evals": 0, "n_iter": 0, "old_dirs": [], "old_stps": []})

    def _evaluate(self, closure: Closure) -> float:
        self._lbfgs_state()["func_evals"] += 1
        with ag.enable_grad():
            return host_float(closure())

    def step(self, closure: Closure | None = None) -> ag.Tensor:
        """Run up to ``max_iter`` L-BFGS iterations on the loss ``closure()`` returns; gives the initial loss."""
        if closure is None:
            raise InvalidArgumentError(
                "LBFGS.step needs a closure that re-evaluates the loss: step(lambda: ...) (see the docstring)"
            )
        group = self.param_groups[0]
        state = self._lbfgs_state()
        follow_device(state, self._params[0].data)  # the model moved to another device since the last step
        evals_at_start = state["func_evals"]
        state["func_evals"] += 1
        with ag.enable_grad():
            first_loss = closure()
        loss = host_float(first_loss)
        g = self._flat_grad()
        if host_float(np.max(np.abs(g))) <= group["tolerance_grad"]:
            return first_loss
        s_hist, y_hist = state["old_dirs"], state["old_stps"]
        for _ in range(group["max_iter"]):
            state["n_iter"] += 1
            d = self._direction(g, s_hist, y_hist)
            gtd = host_float(g @ d)
            if gtd > -group["tolerance_change"]:
                break  # no descent direction left
            t = group["lr"] if state["n_iter"] > 1 else min(1.0, 1.0 / host_float(np.sum(np.abs(g)))) * group["lr"]
            x0 = self._flat_params()
            budget = group["max_eval"] - (state["func_evals"] - evals_at_start)
            t, new_loss = self._line_search(closure, x0, d, t, loss, gtd, budget)
            new_g = self._flat_grad()
            s, y = t * d, new_g - g
            if host_float(y @ s) > CURVATURE_EPS:
                if len(s_hist) == group["history_size"]:
                    s_hist.pop(0)
                    y_hist.pop(0)
                s_hist.append(s)
                y_hist.append(y)
            done = (
                state["func_evals"] - evals_at_start >= group["max_eval"]
                or host_float(np.max(np.abs(new_g))) <= group["tolerance_grad"]
                or host_float(np.max(np.abs(s))) <= group["tolerance_change"]
                or abs(new_loss - loss) < group["tolerance_change"]
            )
            loss, g = new_loss, new_g
            if done:
                break
        return first_loss

    @staticmethod
    def _direction(g: np.ndarray, s_hist: list[np.ndarray], y_hist: list[np.ndarray]) -> np.ndarray:
        """d = −H·g by the two-loop recursion, with H₀ = (sᵀy / yᵀy)·I from the newest pair."""
        q = -g
        if not s_hist:
            return q
        rho = [1.0 / host_float(y @ s) for s, y in zip(s_hist, y_hist, strict=True)]
        alpha = [0.0] * len(s_hist)
        for i in reversed(range(len(s_hist))):
            alpha[i] = rho[i] * host_float(s_hist[i] @ q)
            q = q - alpha[i] * y_hist[i]
        r = q * (host_float(s_hist[-1] @ y_hist[-1]) / host_float(y_hist[-1] @ y_hist[-1]))
        for i in range(len(s_hist)):
            beta = rho[i] * host_float(y_hist[i] @ r)
            r = r + (alpha[i] - beta) * s_hist[i]
        return r

    def _line_search(
        self, closure: Closure, x0: np.ndarray, d: np.ndarray, t: float, loss: float, gtd: float, budget: int
    ) -> tuple[float, float]:
        """Halve t until f(x0 + t·d) ≤ f(x0) + c·t·gᵀd (or the evaluation budget runs out); leaves p = x0 + t·d."""
        while True:
            self._set_flat_params(x0 + t * d)
            new_loss = self._evaluate(closure)
            budget -= 1
            if new_loss <= loss + ARMIJO_C * t * gtd or budget <= 0:
                return t, new_loss
            t *= 0.5
