"""Checking derivatives against finite differences, and JVP rules against VJP rules.

gradcheck compares the reverse-mode Jacobian with central differences,
(f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε, element by element. The dot-product test
checks that forward and reverse mode compute the same linear map:
⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ for random u and v. ``check_rules`` runs all of them on
a custom op and says which of its rules is wrong.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .backend import host_array, host_float, on_device
from .errors import GradcheckError
from .functional import jacfwd, jacrev, jvp, vjp
from .modes import no_grad
from .tensor import Tensor, to_array, wrap


def _inputs(inputs: Sequence[Any] | Any) -> list[Tensor]:
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    return [x if isinstance(x, Tensor) else wrap(to_array(x)) for x in items]


def _differentiable(xs: list[Tensor]) -> list[int]:
    floats = [i for i, x in enumerate(xs) if x.dtype.kind == "f"]
    chosen = [i for i in floats if xs[i].requires_grad] or floats
    for i in chosen:
        if xs[i].dtype != np.float64:
            warnings.warn(
                f"gradcheck: input {i} is {xs[i].dtype}; finite differences need float64 to be reliable", stacklevel=3
            )
    return chosen


def numerical_jacobian(f: Callable[..., Tensor], xs: list[Tensor], i: int, eps: float) -> np.ndarray:
    """Central-difference Jacobian of f w.r.t. input ``i``, shape (out.size, xs[i].size)."""
    base = xs[i].data
    columns = []
    with no_grad():
        for j in range(base.size):
            plus, minus = base.copy(), base.copy()  # on base's device; reshape(-1) of a fresh copy is a view
            plus.reshape(-1)[j] += eps
            minus.reshape(-1)[j] -= eps
            args_p = list(xs)
            args_m = list(xs)
            args_p[i], args_m[i] = wrap(plus), wrap(minus)
            # the comparison is made on the host: explicit copies of the two results
            diff = host_array(f(*args_p).data, np.float64) - host_array(f(*args_m).data, np.float64)
            columns.append(diff.ravel() / (2 * eps))
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def _label(x: Tensor, i: int) -> str:
    return f"input {i}" + (f" ({x.name})" if x.name else "")


def gradcheck(
    f: Callable[..., Tensor], inputs: Sequence[Any] | Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """True if reverse-mode derivatives of f match central differences within atol + rtol·|numeric|.

    Checks the inputs that require grad (all float inputs if none does).
    Raises ``GradcheckError`` naming the input, the element, and both values.

    >>> ag.gradcheck(lambda x: (x * ag.sin(x)).sum(), [ag.tensor([0.3, 1.2], requires_grad=True)])
    True
    >>> @ag.custom_vjp
    ... def square(x):
    ...     return x * x
    >>> square.defvjp(lambda x: (x * x, x), lambda x, g: (g * x,))  # wrong: x̄ = ȳ·x forgets the 2
    >>> ag.gradcheck(lambda x: square(x).sum(), [ag.tensor([0.5, 1.5], requires_grad=True)])
    Traceback (most recent call last):
        ...
    autograd_core.errors.GradcheckError: gradcheck failed for input 0 at element (0,) (output element 0): analytic 0.5, numeric ...
    """
    xs = _inputs(inputs)
    for i in _differentiable(xs):
        analytic = host_array(jacrev(lambda xi, i=i: f(*(xs[:i] + [xi] + xs[i + 1 :])))(xs[i]).data)
        out_size = analytic.size // max(xs[i].size, 1)
        analytic = analytic.reshape(out_size, xs[i].size)
        numeric = numerical_jacobian(f, xs, i, eps)
        # "not within tolerance" (rather than "beyond it") also flags NaN and inf
        bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
        if bad.any():
            o, j = np.argwhere(bad)[0]
            element = np.unravel_index(j, xs[i].shape) if xs[i].ndim else ()
            raise GradcheckError(
                f"gradcheck failed for {_label(xs[i], i)} at element {tuple(int(e) for e in element)}"
                f" (output element {int(o)}): analytic {analytic[o, j]:.8g}, numeric {numeric[o, j]:.8g}"
            )
    return True


def dot_product_test(
    f: Callable[..., Tensor], inputs: Sequence[Any] | Any, rng: np.random.Generator | None = None, rtol: float = 1e-8
) -> bool:
    """True if ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ for random u, v: the JVP and VJP rules describe one Jacobian.

    Raises ``GradcheckError`` with both sides when they disagree.

    >>> ag.dot_product_test(lambda x: ag.softmax(x), [ag.tensor([0.1, 2.0, -1.0])])
    True
    >>> @ag.primitive(vjp=(lambda g, y, x: 2 * g,), jvp=(lambda t, y, x: t,), formula="y = 2x", vjp_text="x̄ = 2ȳ", jvp_text="ẏ = ẋ")
    ... def double_example(x, /):
    ...     "y = 2x, with a JVP that forgets the 2."
    ...     return 2 * x
    >>> ag.dot_product_test(double_example, [ag.tensor([1.0, -2.0])])
    Traceback (most recent call last):
        ...
    autograd_core.errors.GradcheckError: dot-product test failed: <u, J v> = ... but <J^T u, v> = ...
    >>> ag.unregister("double_example")
    """
    rng = rng or np.random.default_rng(0)
    xs = _inputs(inputs)
    diff = _differentiable(xs)
    vs = [on_device(rng.standard_normal(xs[i].shape).astype(xs[i].dtype), xs[i].device) for i in diff]

    def g(*d: Tensor) -> Tensor:
        args = list(xs)
        for i, di in zip(diff, d):
            args[i] = di
        return f(*args)

    primals = [xs[i] for i in diff]
    out, jv = jvp(g, primals, vs)
    u = on_device(rng.standard_normal(out.shape).astype(out.dtype), out.device)
    _, vjp_fn = vjp(g, *primals)
    jtu = vjp_fn(u)
    lhs = host_float(np.sum(u * jv.data))
    rhs = sum(host_float(np.sum(a.data * v)) for a, v in zip(jtu, vs))
    if not np.isclose(lhs, rhs, rtol=rtol, atol=rtol * (1 + abs(lhs))):
        raise GradcheckError(f"dot-product test failed: <u, J v> = {lhs:.12g} but <J^T u, v> = {rhs:.12g}")
    return True


@dataclass
class RuleCheck:
    """One comparison ``check_rules`` made: what was compared, whether it agreed, and the numbers."""

    what: str
    passed: bool | None  # None: could not be run (the reason is in detail)
    detail: str = ""


@dataclass
class RuleReport:
    """What ``check_rules`` found: every comparison, and which derivative rule is wrong (if one is).

    >>> @ag.custom_vjp
    ... def square(x):
    ...     return x**2
    >>> square.defvjp(lambda x: (square(x), x), lambda x, g: (2.0 * x * g,))
    >>> report = ag.check_rules(square, ag.tensor([0.5, -1.5]))
    >>> bool(report), report.wrong  # every comparison agreed
    (True, [])
    >>> [check.passed for check in report.checks]  # VJP vs differences, JVP vs differences, dot-product test
    [True, True, True]
    >>> report.raise_for_errors()  # raises GradcheckError only when a rule is wrong
    """

    checks: list[RuleCheck] = field(default_factory=list)
    verdict: str = ""

    @property
    def ok(self) -> bool:
        """True when every comparison that could run agreed."""
        return all(c.passed is not False for c in self.checks)

    @property
    def wrong(self) -> list[str]:
        """The rules found wrong: "vjp" (reverse mode), "jvp" (forward mode), or both."""
        found = []
        vjp_bad = any(c.passed is False for c in self.checks if c.what.startswith("VJP"))
        jvp_bad = any(c.passed is False for c in self.checks if c.what.startswith("JVP"))
        if vjp_bad:
            found.append("vjp")
        if jvp_bad:
            found.append("jvp")
        return found

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        marks = {True: "ok  ", False: "FAIL", None: "skip"}
        lines = [f"{marks[c.passed]}  {c.what}" + (f": {c.detail}" if c.detail else "") for c in self.checks]
        return "\n".join(lines + [self.verdict])

    def raise_for_errors(self) -> None:
        """Raise ``GradcheckError`` with the report when a rule is wrong."""
        if not self.ok:
            raise GradcheckError(str(self))


def check_rules(
    f: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> RuleReport:
    """Check the derivative rules of a custom op (``custom_vjp``, ``custom_jvp``, ``Function``, a primitive).

    Compares, at ``inputs`` (use float64), the reverse-mode Jacobian (the VJP
    rule) and the forward-mode Jacobian (the JVP rule) each with central
    finite differences of f, and runs the dot-product test ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩
    between them. The report says which rule is wrong: the VJP when only the
    reverse Jacobian disagrees with f, the JVP when only the forward one does.
    Outputs may be a pytree (compared leaf by leaf, flattened).

    >>> @ag.primitive(
    ...     vjp=(lambda g, y, x: g * 2.0 * x**2,),  # wrong: x̄ = 3x²·ȳ
    ...     jvp=(lambda t, y, x: t * 3.0 * x**2,),
    ...     formula="y = x³", vjp_text="x̄ = 2x²·ȳ", jvp_text="ẏ = 3x²·ẋ",
    ... )
    ... def bad_cube_example(x, /):
    ...     "y = x³."
    ...     return x**3
    >>> report = ag.check_rules(bad_cube_example, ag.tensor([0.5, -1.5]))
    >>> report.ok, report.wrong
    (False, ['vjp'])
    >>> print(report.verdict)
    verdict: the VJP (reverse-mode, backward) rule is wrong; the forward computation and the JVP rule agree
    >>> ag.unregister("bad_cube_example")  # (so that this example leaves the registry as it found it)
    """
    from .pytree import tree_leaves

    xs = _inputs(list(inputs))
    diff = _differentiable(xs)
    report = RuleReport()

    def flat(*args: Tensor) -> Tensor:
        from .primitives.shape import concatenate

        leaves = [o for o in tree_leaves(f(*args)) if isinstance(o, Tensor) and o.dtype.kind == "f"]
        if len(leaves) == 1:
            return leaves[0]
        return concatenate([o.reshape(-1) for o in leaves], axis=0)

    def jacobian(transform: Callable[..., Any], i: int) -> np.ndarray:
        x = xs[i]
        j = transform(lambda xi: flat(*(xs[:i] + [xi] + xs[i + 1 :])))(x).data
        return host_array(j, np.float64).reshape(-1, x.size)

    for kind, transform in (("VJP", jacrev), ("JVP", jacfwd)):
        for i in diff:
            label = f"{kind} rule ({'reverse' if kind == 'VJP' else 'forward'} mode) vs finite differences, {_label(xs[i], i)}"
            try:
                analytic = jacobian(transform, i)
            except Exception as err:  # a rule that cannot run is reported, not raised
                report.checks.append(RuleCheck(label, None if kind == "JVP" else False, f"{type(err).__name__}: {err}"))
                continue
            numeric = numerical_jacobian(flat, xs, i, eps)
            bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
            if bad.any():
                o, j = np.argwhere(bad)[0]
                element = tuple(int(e) for e in np.unravel_index(j, xs[i].shape)) if xs[i].ndim else ()
                worst = float(np.nanmax(np.abs(analytic - numeric))) if np.isfinite(analytic).all() else float("nan")
                detail = (
                    f"at input element {element}, output element {int(o)}: rule {analytic[o, j]:.8g}, "
                    f"finite differences {numeric[o, j]:.8g} (largest difference {worst:.3g})"
                )
                report.checks.append(RuleCheck(label, False, detail))
            else:
                report.checks.append(RuleCheck(label, True))
    try:
        dot_product_test(flat, xs, rtol=max(rtol, 1e-8))
        report.checks.append(RuleCheck("dot product ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ (JVP and VJP rules agree)", True))
    except GradcheckError as err:
        report.checks.append(RuleCheck("dot product ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ (JVP and VJP rules agree)", False, str(err)))
    except Exception as err:  # forward mode unavailable
        report.checks.append(RuleCheck("dot product ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩", None, f"{type(err).__name__}: {err}"))
    report.verdict = _verdict(report.wrong, report.ok)
    return report


def _verdict(wrong: list[str], ok: bool) -> str:
    if ok:
        return "verdict: the rules agree with finite differences and with each other"
    if wrong == ["vjp"]:
        return "verdict: the VJP (reverse-mode, backward) rule is wrong; the forward computation and the JVP rule agree"
    if wrong == ["jvp"]:
        return "verdict: the JVP (forward-mode) rule is wrong; the forward computation and the VJP rule agree"
    if wrong:
        return (
            "verdict: both rules disagree with finite differences of the forward computation: the rules are wrong "
            "(a forward-mode rule derived from the backward one inherits its error), or the forward is not smooth here"
        )
    return "verdict: the JVP and VJP rules describe different linear maps (the dot-product test failed)"
