"""Training plots (matplotlib, the optional ``plots`` extra): loss curves, decision boundaries,
activations and their derivatives, per-layer gradient norms, Jacobian heatmaps, and
``plot_mode_costs``, the forward-vs-reverse Jacobian cost plot of ``viz.cost_plot``.

matplotlib is imported only when a plot is made. Figures are built without
pyplot on the non-interactive Agg canvas, so plotting never opens a window or
touches global state. Every function returns the matplotlib ``Figure`` (it
displays inline in Jupyter) and, given ``path``, also saves it there (format
from the suffix, folders created).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor, backend
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError, MissingDependencyError, ShapeError

from .canvas import figure
from .cost_plot import plot_costs as plot_mode_costs
from .monitor import GradientNormHistory, weight_gradient_norms

__all__ = [
    "activation_curves",
    "history_series",
    "nn_activations",
    "plot_activations",
    "plot_decision_boundary",
    "plot_gradient_norms",
    "plot_history",
    "plot_jacobian",
    "plot_mode_costs",
    "weight_gradient_norms",
]


def _colormap(name: str) -> Any:
    import matplotlib

    return matplotlib.colormaps[name]


def _finish(fig: Any, path: str | Path | None) -> Any:
    fig.tight_layout()
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    return fig


def _array(x: Any) -> np.ndarray:
    return backend.host_array(x.data if isinstance(x, Tensor) else x)


# ----------------------------------------------------------------- history
def history_series(history: Any) -> dict[str, list[float]]:
    """The per-epoch series of a training history: a mapping name → values, or an object holding one.

    Accepts a mapping, or an object with a ``history`` mapping or an
    ``as_dict()`` / ``to_dict()`` method.

    >>> viz.plots.history_series({"loss": [1.0, 0.5], "val_loss": [1.2, 0.7]})
    {'loss': [1.0, 0.5], 'val_loss': [1.2, 0.7]}
    """
    if isinstance(history, Mapping):
        data = history
    elif isinstance(getattr(history, "history", None), Mapping):
        data = history.history
    elif callable(getattr(history, "as_dict", None)):
        data = history.as_dict()
    elif callable(getattr(history, "to_dict", None)):
        data = history.to_dict()
    else:
        raise ArgumentTypeError(
            f"cannot read a training history from {type(history).__name__}; pass a mapping of name → per-epoch values"
        )
    series = {str(k): [float(v) for v in values] for k, values in data.items() if _is_series(values)}
    if not series:
        raise InvalidArgumentError("the history holds no per-epoch series to plot")
    return series


def _is_series(values: Any) -> bool:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        return False
    try:
        [float(v) for v in values]
    except (TypeError, ValueError):
        return False
    return True


def _is_loss(name: str) -> bool:
    return "loss" in name.lower()


def plot_history(history: Any, path: str | Path | None = None, title: str = "training history") -> Any:
    """Loss curves (train and validation) on the left, other metrics per epoch beside them.

    ``history`` is an ``nn.History``, or any mapping name → per-epoch values;
    names containing "loss" share the loss panel, and the learning rate
    (``lr``) gets its own panel when it changed during training.

    >>> fig = viz.plots.plot_history({"loss": [1.0, 0.4, 0.2], "val_loss": [1.1, 0.6, 0.5], "accuracy": [0.5, 0.8, 0.9]})
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss', 'metric']
    """
    series = history_series(history)
    losses = {k: v for k, v in series.items() if _is_loss(k)}
    metrics = {k: v for k, v in series.items() if not _is_loss(k) and k.lower() not in ("epoch", "lr")}
    # the learning rate gets a panel only when a schedule changed it
    rates = {k: v for k, v in series.items() if k.lower() == "lr" and len(set(v)) > 1}
    panels = [(p, label) for p, label in ((losses, "loss"), (metrics, "metric"), (rates, "learning rate")) if p]
    fig = figure(figsize=(5.5 * len(panels), 4))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (panel, ylabel) in zip(axes, panels, strict=True):
        for name, values in panel.items():
            epochs = np.arange(1, len(values) + 1)
            style = "--" if "val" in name.lower() else "-"
            ax.plot(epochs, values, ls=style, marker="o" if len(values) <= 30 else None, ms=3, label=name)
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel(ylabel)
        flat = [v for values in panel.values() for v in values]
        if panel is losses and min(flat) > 0 and max(flat) > 20 * min(flat):
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    return _finish(fig, path)


# ------------------------------------------------------ decision boundary
def plot_decision_boundary(
    model: Callable[[Tensor], Any],
    X: Any,
    y: Any,
    path: str | Path | None = None,
    resolution: int = 200,
    outputs: str = "logits",
    title: str = "decision boundary",
) -> Any:
    """The classes ``model`` predicts over the plane of 2-D inputs ``X``, with the points ``y`` on top.

    The model maps an (n, 2) Tensor to class scores: (n, C) for C classes
    (the largest wins) or (n,) / (n, 1) for two classes, thresholded at 0 for
    ``outputs="logits"`` or 0.5 for ``outputs="probabilities"`` (as ``nn``'s
    accuracy does). Evaluated under ``no_grad``; an ``nn.Module`` runs in eval
    mode and every submodule gets its own mode back afterwards.

    >>> X, y = nn.data.make_moons(100, rng=0)
    >>> model = nn.MLP([2, 8, 2], rng=0)
    >>> fig = viz.plots.plot_decision_boundary(model, X, y, "boundary.png", resolution=50)
    >>> fig.axes[0].get_title()
    'decision boundary'
    """
    if outputs not in ("logits", "probabilities"):
        raise InvalidArgumentError(f"outputs must be 'logits' or 'probabilities', not {outputs!r}")  # nn.train.OUTPUTS
    X = _array(X)
    y = _array(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ShapeError(f"plot_decision_boundary needs 2-D inputs of shape (n, 2), got {X.shape}")
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(X.dtype if X.dtype.kind == "f" else np.float64)
    from nn.metrics import predicted_classes
    from nn.module import Module, eval_mode
    from nn.train import OUTPUTS

    first = next(iter(model.parameters()), None) if isinstance(model, Module) else None
    device = None if first is None else first.device  # the grid goes where the model's first layer is
    with eval_mode(model) if isinstance(model, Module) else contextlib.nullcontext(), ag.no_grad():
        scores = _array(model(ag.tensor(grid, device=device)))
    pred = predicted_classes(scores, threshold=OUTPUTS[outputs])
    classes = np.unique(np.concatenate([np.unique(y), np.unique(pred)])).astype(int)
    cmap = _colormap("coolwarm" if len(classes) <= 2 else "tab10")
    levels = np.arange(classes.min(), classes.max() + 2) - 0.5
    fig = figure(figsize=(5.5, 5))
    ax = fig.subplots()
    ax.contourf(gx, gy, pred.reshape(gx.shape), levels=levels, cmap=cmap, alpha=0.3)
    ax.contour(gx, gy, pred.reshape(gx.shape), levels=levels, colors="k", linewidths=0.6)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=levels[0], vmax=levels[-1], s=14, edgecolors="k", linewidths=0.4)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(title)
    return _finish(fig, path)


# ------------------------------------------------------------- activations
# Softmax and log-softmax normalise along an axis: they have no curve of one number.
_NOT_ELEMENTWISE = ("softmax", "log_softmax")


def nn_activations() -> dict[str, Callable[[Tensor], Tensor]]:
    """nn's element-wise activations as modules with their default settings, in the order of nn's catalogue.

    Keys are the names ``nn.MLP(activation=…)`` accepts (an alias such as
    ``swish`` only once), followed by the module's settings:
    ``"leaky_relu (negative_slope=0.01)"``. One that needs a missing optional
    library (the exact GELU without scipy) is left out.

    >>> acts = viz.plots.nn_activations()
    >>> list(acts)[:6]
    ['step', 'sign', 'identity', 'sigmoid', 'tanh', 'relu']
    >>> print(acts["leaky_relu (negative_slope=0.01)"](ag.tensor([-2.0, 3.0])).numpy())
    [-0.02  3.  ]
    """
    from nn.activations import ACTIVATIONS  # imported here, so that importing viz does not import nn

    out: dict[str, Callable[[Tensor], Tensor]] = {}
    seen: set[type] = set()
    for name, cls in ACTIVATIONS.items():
        if name in _NOT_ELEMENTWISE or cls in seen:
            continue
        seen.add(cls)
        module = cls()
        try:
            module(ag.zeros(1))
        except MissingDependencyError:
            continue  # the exact GELU needs scipy, an optional extra
        settings = module.extra_repr()
        out[f"{name} ({settings})" if settings else name] = module
    return out


def activation_curves(
    x: np.ndarray, activations: Mapping[str, Callable[[Tensor], Tensor]] | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each activation's values and derivative at ``x`` (by default ``nn_activations()``).

    The derivative comes from the library's reverse mode.

    >>> x = np.array([-1.0, 0.0, 1.0])
    >>> values, derivative = viz.plots.activation_curves(x, {"tanh": nn.Tanh()})["tanh"]
    >>> derivative  # 1 − tanh², from reverse mode
    array([0.41997434, 1.        , 0.41997434])
    """
    out = {}
    for name, fn in (activations or nn_activations()).items():
        xt = ag.tensor(x, requires_grad=True)
        y = fn(xt)
        y.sum().backward()
        out[name] = (np.array(backend.host_array(y.data)), np.array(backend.host_array(xt.grad.data)))
    return out


def plot_activations(
    path: str | Path | None = None,
    activations: Mapping[str, Callable[[Tensor], Tensor]] | None = None,
    x_range: tuple[float, float] = (-4.0, 4.0),
) -> Any:
    """Every activation (solid) and its derivative (dashed), one panel each: the notes' table as a picture.

    ``activations`` maps titles to functions of a Tensor; by default nn's
    element-wise activations (``nn_activations()``).

    >>> fig = viz.plots.plot_activations("activations.png")
    >>> len(fig.axes) >= 10, [ax.get_title() for ax in fig.axes[3:6]]
    (True, ['sigmoid', 'tanh', 'relu'])
    >>> import os; os.path.getsize("activations.png") > 0
    True
    """
    x = np.linspace(x_range[0], x_range[1], 401)
    curves = activation_curves(x, activations)
    cols = 3
    rows = -(-len(curves) // cols)
    fig = figure(figsize=(4 * cols, 2.9 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, (name, (y, dy)) in zip(axes.ravel(), curves.items(), strict=False):
        ax.axhline(0, color="#999999", lw=0.6)
        ax.axvline(0, color="#999999", lw=0.6)
        ax.plot(x, y, lw=2, label="f(x)")
        ax.plot(x, dy, lw=1.6, ls="--", label="f′(x) by autograd")
        ax.set_title(name)
        ax.grid(True, alpha=0.3)
    for ax in axes.ravel()[len(curves) :]:
        ax.axis("off")
    axes[0, 0].legend(loc="upper left", fontsize=8)
    fig.suptitle("activation functions and their derivatives")
    return _finish(fig, path)


# ---------------------------------------------------------- gradient norms
def _layer_label(name: str) -> str:
    return name[: -len(".weight")] if name.endswith(".weight") else name


def plot_gradient_norms(source: Any, path: str | Path | None = None, title: str = "gradient norm per layer") -> Any:
    """Per-layer gradient norms on a log scale, so vanishing or exploding gradients stand out.

    ``source`` is one of:

    * a model after ``backward()``: the norm of each layer's weight gradient;
    * a mapping label → model: the same for several models on one axis, e.g.
      a deep sigmoid network against a ReLU one (the notes' vanishing-gradient argument);
    * a mapping layer name → norms over training (one per step or epoch), or
      a ``GradientNormHistory`` (or any object whose ``history`` is such a
      mapping): one line per layer over time.

    >>> x, target = ag.ones(8, 4), np.zeros(8, dtype=int)
    >>> models = {name: nn.MLP([4] + [16] * 6 + [2], activation=name, rng=0) for name in ("sigmoid", "relu")}
    >>> for model in models.values():
    ...     nn.CrossEntropyLoss()(model(x), target).backward()
    >>> fig = viz.plots.plot_gradient_norms(models, "norms.png")
    >>> fig.axes[0].get_yscale()
    'log'
    """
    fig = figure(figsize=(7, 4.2))
    ax = fig.subplots()
    if hasattr(source, "named_parameters"):
        source = {"": source}
    if isinstance(source, Mapping) and source and all(hasattr(m, "named_parameters") for m in source.values()):
        deepest: dict[str, float] = {}
        for label, model in source.items():
            norms = weight_gradient_norms(model)
            ax.plot(
                np.arange(1, len(norms) + 1), [max(v, 1e-300) for v in norms.values()], marker="o", label=label or None
            )
            deepest = norms if len(norms) > len(deepest) else deepest
        ticks = np.arange(1, len(deepest) + 1)
        ax.set_xticks(ticks, [_layer_label(n) for n in deepest], rotation=45, ha="right", fontsize=8)
        ax.set_xlabel("layer (input side → output side)")
        if any(source):
            ax.legend()
    else:
        series = history_series(source)
        for name, values in series.items():
            ax.plot(np.arange(1, len(values) + 1), [max(v, 1e-300) for v in values], label=_layer_label(name))
        ax.set_xlabel("epoch" if isinstance(source, GradientNormHistory) else "training step")
        ax.legend(fontsize=8, ncol=2)
    ax.set_yscale("log")
    ax.set_ylabel("‖∂L/∂W‖")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(title)
    return _finish(fig, path)


# ---------------------------------------------------------------- jacobian
def plot_jacobian(
    J: Any,
    path: str | Path | None = None,
    title: str = "Jacobian ∂y/∂x",
    annotate: bool | None = None,
    input_labels: Sequence[str] | None = None,
    output_labels: Sequence[str] | None = None,
) -> Any:
    """A heatmap of the matrix ``J`` (rows: outputs, columns: inputs), zero in white.

    Higher-rank Jacobians are flattened to (outputs, inputs) by their first
    axis. ``annotate`` writes each value in its cell (default: when J has at
    most 12 × 12 entries).

    >>> J = ag.jacrev(nn.MLP([4, 8, 6, 4, 2], activation="tanh", rng=0))(ag.ones(4))
    >>> fig = viz.plots.plot_jacobian(J, "jacobian.png")
    >>> J.shape
    (2, 4)
    """
    M = _array(J).astype(np.float64)
    if M.ndim == 0:
        M = M.reshape(1, 1)
    elif M.ndim == 1:
        M = M.reshape(1, -1)
    elif M.ndim > 2:
        M = M.reshape(M.shape[0], -1)
    if annotate is None:
        annotate = M.shape[0] <= 12 and M.shape[1] <= 12
    finite = M[np.isfinite(M)]
    vmax = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 1.0
    fig = figure(figsize=(min(2.0 + 0.55 * M.shape[1], 12), min(1.5 + 0.45 * M.shape[0], 10)))
    ax = fig.subplots()
    image = ax.imshow(M, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
    fig.colorbar(image, ax=ax, shrink=0.85)
    if annotate:
        for (i, j), v in np.ndenumerate(M):
            ax.text(
                j,
                i,
                f"{v:.3g}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if abs(v) > 0.6 * vmax else "black",
            )
    if input_labels is not None or M.shape[1] <= 20:
        ax.set_xticks(range(M.shape[1]), input_labels if input_labels is not None else range(M.shape[1]))
    if output_labels is not None or M.shape[0] <= 20:
        ax.set_yticks(range(M.shape[0]), output_labels if output_labels is not None else range(M.shape[0]))
    ax.set_xlabel("input j")
    ax.set_ylabel("output i")
    ax.set_title(title)
    return _finish(fig, path)
