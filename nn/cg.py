"""Nonlinear conjugate gradient (Polak–Ribière+, automatic restarts) with a strong-Wolfe line search.

The first notes name conjugate gradient as the alternative to stochastic
gradient descent that "can provide faster convergence" on the (nonconvex)
cost. Each iteration moves along a direction that mixes the new steepest
descent direction with the previous direction,

    d_k = −g_k + β_k·d_{k−1},   β_k = max(0, g_kᵀ(g_k − g_{k−1}) / ‖g_{k−1}‖²)   (Polak–Ribière+),

then searches along d_k for a step t that satisfies the strong Wolfe
conditions. On a strictly convex quadratic with exact line searches the
directions are mutually conjugate and the minimiser is reached in at most n
iterations (n parameters). β is clipped at 0, and the method restarts from
steepest descent (d = −g) whenever d is not a descent direction and when
successive gradients are far from orthogonal (Powell's test
|g_kᵀg_{k−1}| ≥ 0.2·‖g_k‖², which exact line searches on a quadratic never
trigger): the automatic restarts that keep PR+ convergent on general
functions; optionally also every ``restart_every`` iterations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.backend import host_float
from autograd_core.errors import InvalidArgumentError

from .optimizer import Closure, Optimizer, Params, follow_device

# Powell's restart test: restart when successive gradients are far from orthogonal.
POWELL_RESTART = 0.2


def cubic_minimizer(t1: float, f1: float, d1: float, t2: float, f2: float, d2: float, low: float, high: float) -> float:
    """The minimiser in [low, high] of the cubic through (t1, f1) and (t2, f2) with slopes d1 and d2.

    Nocedal & Wright (3.59): with a = d1 + d2 − 3(f1 − f2)/(t1 − t2) and
    b = sign(t2 − t1)·√(a² − d1·d2), t = t2 − (t2 − t1)·(d2 + b − a)/(d2 − d1 + 2b).
    A quadratic is its own cubic interpolant, so on a quadratic this is the
    exact line minimiser. Falls back to the midpoint of [low, high] when the
    cubic has no minimiser.
    """
    if t1 == t2:
        return (low + high) / 2
    a = d1 + d2 - 3 * (f1 - f2) / (t1 - t2)
    disc = a * a - d1 * d2
    if disc >= 0:
        b = math.copysign(math.sqrt(disc), t2 - t1)
        denom = d2 - d1 + 2 * b
        if denom != 0:
            t = t2 - (t2 - t1) * (d2 + b - a) / denom
            if math.isfinite(t):
                return min(max(t, low), high)
    return (low + high) / 2


def interpolate(t1: float, f1: float, d1: float, t2: float, f2: float, d2: float, low: float, high: float) -> float:
    """The next trial step in [low, high] from two points with values f and slopes d.

    Where the slope grows between them (positive curvature), the secant on
    the slopes, t = t1 − d1·(t2 − t1)/(d2 − d1), is where it reaches 0. It
    uses no function values, so it stays accurate near a minimum, where f
    barely changes and differences of f are mostly rounding (Hager and
    Zhang's line search relies on slopes for the same reason). Otherwise the
    cubic through both points (``cubic_minimizer``). Both are exact on a
    quadratic.
    """
    if t1 != t2 and (d2 - d1) / (t2 - t1) > 0:
        t = t1 - d1 * (t2 - t1) / (d2 - d1)
        if math.isfinite(t):
            return min(max(t, low), high)
    return cubic_minimizer(t1, f1, d1, t2, f2, d2, low, high)


class ConjugateGradient(Optimizer):
    """Nonlinear conjugate gradient, Polak–Ribière+ with restarts, strong-Wolfe line search; ``step(closure)``.

    Called like ``LBFGS``: ``step(closure)``, where ``closure()`` zeroes the
    gradients, computes the loss, calls ``backward()`` and returns the loss.
    One step runs up to ``max_iter`` iterations and ``max_eval`` evaluations
    of the closure, and stops early when the largest gradient entry is at
    most ``tolerance_grad``, or a step or the change of loss is below
    ``tolerance_change``. The direction and gradient carry over from one
    ``step`` to the next, so calling it repeatedly continues the same run.
    For full-batch problems (all the data in each closure): a mini-batch
    changes the function between iterations and breaks conjugacy.

    Line search: the step t along d satisfies the strong Wolfe conditions
    f(x + t·d) ≤ f(x) + c1·t·gᵀd and |g(x + t·d)ᵀd| ≤ c2·|gᵀd|, found by
    bracketing and cubic interpolation (Nocedal & Wright, Algorithms 3.5 and
    3.6) in at most ``max_ls`` evaluations. The first trial step is
    ``lr``·min(1, 1/‖g‖₁) on the first iteration, then
    t_{k−1}·(g_{k−1}ᵀd_{k−1}) / (g_kᵀd_k) (at most 10·t_{k−1}), which keeps
    the first-order change of the previous step. Trial steps come from the
    secant on the slopes (or a cubic fit where the slopes do not rise), exact
    on a quadratic. The default c2 = 0.01 asks for nearly exact line
    searches, which conjugacy needs: on a quadratic a line search then costs
    two evaluations and the n-step termination survives, where c2 = 0.1
    (usual for CG) accepts rougher first trials and takes several times as
    many iterations (25 against 88 on a 20-variable quadratic of condition
    number 100).

    ``restart_every`` (default None: only the automatic restarts) also
    resets the direction to −g every that many iterations; restarting every n
    iterations discards what the directions learned just when, in floating
    point, the last few iterations need it. Holds one parameter group;
    writes the parameters in place and marks them written, so a graph
    recorded before a step cannot be backpropagated with the new values.

    >>> w = ag.tensor([-1.2, 1.0], requires_grad=True)
    >>> opt = nn.optim.ConjugateGradient([w], max_iter=100)
    >>> def closure():  # Rosenbrock's function, minimum at (1, 1)
    ...     opt.zero_grad()
    ...     loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
    ...     loss.backward()
    ...     return loss
    >>> _ = opt.step(closure)
    >>> print(np.round(w.data, 4), closure().item() < 1e-8)
    [1. 1.] True
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        restart_every: int | None = None,
        c1: float = 1e-4,
        c2: float = 0.01,
        max_ls: int = 25,
    ) -> None:
        if not 0 < c1 < c2 < 1:
            raise InvalidArgumentError(
                f"ConjugateGradient: the Wolfe constants need 0 < c1 < c2 < 1, got c1={c1}, c2={c2}"
            )
        for name, value in (("max_iter", max_iter), ("max_ls", max_ls)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise InvalidArgumentError(f"ConjugateGradient: {name} must be a positive integer, not {value!r}")
        if restart_every is not None and (not isinstance(restart_every, (int, np.integer)) or restart_every < 1):
            raise InvalidArgumentError(
                f"ConjugateGradient: restart_every must be a positive integer or None (no periodic restart), "
                f"not {restart_every!r}"
            )
        if max_eval is None:
            max_eval = max_iter * 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            restart_every=restart_every,
            c1=c1,
            c2=c2,
            max_ls=max_ls,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise InvalidArgumentError(
                "ConjugateGradient holds a single parameter group (it treats all parameters as one vector)"
            )
        self._params = self.param_groups[0]["params"]

    def check_hyperparameters(self, group: dict[str, Any]) -> None:
        super().check_hyperparameters(group)
        if not group["lr"] > 0:
            raise InvalidArgumentError(f"ConjugateGradient: lr (the first trial step) must be > 0, got {group['lr']}")

    # ------------------------------------------------------------ flat views
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
            p._mark_written()
            offset += p.size

    def _cg_state(self) -> dict[str, Any]:
        # Kept under the first parameter, so the base class's state_dict saves and restores it.
        return self.state.setdefault(
            self._params[0],
            {"func_evals": 0, "n_iter": 0, "since_restart": 0, "restarts": 0},
        )

    def _evaluate(self, closure: Closure, x: np.ndarray) -> tuple[float, np.ndarray]:
        """f and ∇f at x (the parameters are left at x)."""
        self._set_flat_params(x)
        self._cg_state()["func_evals"] += 1
        with ag.enable_grad():
            loss = host_float(closure())
        return loss, self._flat_grad()

    # ------------------------------------------------------------------ step
    def step(self, closure: Closure | None = None) -> ag.Tensor:
        """Run up to ``max_iter`` CG iterations on the loss ``closure()`` returns; gives the initial loss."""
        if closure is None:
            raise InvalidArgumentError(
                "ConjugateGradient.step needs a closure that re-evaluates the loss: step(lambda: ...) "
                "(zero the gradients, compute the loss, call backward(), return the loss)"
            )
        group = self.param_groups[0]
        state = self._cg_state()
        follow_device(state, self._params[0].data)  # the model moved to another device since the last step
        restart_every = group["restart_every"] or math.inf
        evals_at_start = state["func_evals"]
        state["func_evals"] += 1
        with ag.enable_grad():
            first_loss = closure()
        loss, g = host_float(first_loss), self._flat_grad()
        if not math.isfinite(loss):
            raise InvalidArgumentError(f"ConjugateGradient: the loss at the starting point is {loss}")
        if not g.size or host_float(np.max(np.abs(g))) <= group["tolerance_grad"]:  # CuPy: no initial=
            return first_loss
        g_prev, d_prev = state["previous"] if state.get("previous") else (None, None)
        for _ in range(group["max_iter"]):
            state["n_iter"] += 1
            d = self._direction(g, g_prev, d_prev, state, restart_every)
            gtd = host_float(g @ d)
            # N&W (3.60): the first-order change of the last step, at most 10 times its length.
            t = min(state["t"] * state["gtd"] / gtd, 10 * state["t"]) if state.get("t") else 0.0
            if not (math.isfinite(t) and t > 0):
                t = group["lr"] * min(1.0, 1.0 / host_float(np.sum(np.abs(g))))
            budget = group["max_eval"] - (state["func_evals"] - evals_at_start)
            if budget <= 0:
                break
            x0 = self._flat_params()
            t, new_loss, new_g = self._line_search(closure, x0, d, t, loss, g, gtd, group, min(budget, group["max_ls"]))
            state["t"], state["gtd"] = t, gtd
            g_prev, d_prev = g, d
            step_size = abs(t) * host_float(np.max(np.abs(d)))
            done = (
                state["func_evals"] - evals_at_start >= group["max_eval"]
                or host_float(np.max(np.abs(new_g))) <= group["tolerance_grad"]
                or step_size <= group["tolerance_change"]
                or abs(new_loss - loss) < group["tolerance_change"]
            )
            loss, g = new_loss, new_g
            if done:
                break
        # The next call re-evaluates the gradient here; with these it continues the same sequence of directions.
        state["previous"] = [] if g_prev is None else [g_prev, d_prev]
        return first_loss

    def _direction(
        self,
        g: np.ndarray,
        g_prev: np.ndarray | None,
        d_prev: np.ndarray | None,
        state: dict[str, Any],
        restart_every: float,
    ) -> np.ndarray:
        """d = −g + β·d_prev with β = max(0, PR), or −g on a restart."""
        restart = (
            g_prev is None
            or d_prev is None
            or state["since_restart"] >= restart_every
            or abs(host_float(g @ g_prev)) >= POWELL_RESTART * host_float(g @ g)
        )
        if not restart:
            beta = max(0.0, host_float(g @ (g - g_prev)) / host_float(g_prev @ g_prev))
            d = -g + beta * d_prev
            restart = host_float(g @ d) >= 0  # not a descent direction
        if restart:
            d = -g
            state["since_restart"] = 0
            state["restarts"] += 1
        state["since_restart"] += 1
        return d

    def _line_search(
        self,
        closure: Closure,
        x0: np.ndarray,
        d: np.ndarray,
        t: float,
        f0: float,
        g0: np.ndarray,
        gtd0: float,
        group: dict[str, Any],
        max_evals: int,
    ) -> tuple[float, float, np.ndarray]:
        """A step t satisfying the strong Wolfe conditions (or the best found within ``max_evals``); leaves x0 + t·d."""
        c1, c2 = group["c1"], group["c2"]
        d_max = host_float(np.max(np.abs(d)))
        evals = 0

        def phi(step: float) -> tuple[float, np.ndarray, float]:
            nonlocal evals
            evals += 1
            f, g = self._evaluate(closure, x0 + step * d)
            return f, g, host_float(g @ d)

        # Differences of f below this are rounding: near a minimum they must not veto a step.
        noise = 10 * np.finfo(x0.dtype).eps * abs(f0)

        def armijo(step: float, f: float) -> bool:
            return f <= f0 + c1 * step * gtd0 + noise

        def curvature(slope: float) -> bool:
            return abs(slope) <= -c2 * gtd0

        # Phase 1 (N&W Algorithm 3.5): grow t until it brackets a strong-Wolfe point. "Extrapolate" is the
        # secant on the slopes (or the cubic), between 1.1·t and 10·t.
        prev = (0.0, f0, g0, gtd0)
        while True:
            f, g, slope = phi(t)
            current = (t, f, g, slope)
            if not math.isfinite(f) or not armijo(t, f) or (evals > 1 and f > prev[1] + noise):
                lo, hi = prev, current
                break
            if curvature(slope):
                return t, f, g
            if slope >= 0:
                lo, hi = current, prev
                break
            if evals >= max_evals:
                return t, f, g  # out of evaluations: the last point decreased f
            t_next = interpolate(prev[0], prev[1], prev[3], t, f, slope, t * 1.1, t * 10)
            prev, t = current, t_next

        # Phase 2 (N&W Algorithm 3.6): shrink the bracket [lo, hi] by safeguarded interpolation. The
        # first interpolation may land anywhere inside (on a quadratic it is the exact minimiser); later ones
        # keep 10 % of the bracket from its ends, so that the bracket keeps shrinking.
        margin = 1e-3
        while evals < max_evals:
            a, b = sorted((lo[0], hi[0]))
            width = b - a
            if width <= 0 or width * d_max < group["tolerance_change"]:
                break
            if math.isfinite(hi[1]):
                t = interpolate(lo[0], lo[1], lo[3], hi[0], hi[1], hi[3], a + margin * width, b - margin * width)
            else:
                t = (a + b) / 2
            margin = 0.1
            f, g, slope = phi(t)
            current = (t, f, g, slope)
            if not math.isfinite(f) or not armijo(t, f) or f > lo[1] + noise:
                hi = current
            else:
                if curvature(slope):
                    return t, f, g
                if slope * (hi[0] - lo[0]) >= 0:
                    hi = lo
                lo = current
        if lo[0] == 0.0:  # no decrease found: stay where we were
            self._set_flat_params(x0)
            return 0.0, f0, g0
        if current[0] != lo[0]:
            self._set_flat_params(x0 + lo[0] * d)
        return lo[0], lo[1], lo[2]
