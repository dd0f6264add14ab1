"""The training loop: ``fit`` (epochs of forward, loss, backward, step) and ``evaluate``.

One batch of training is the five lines every course shows, written as the
closure that ``optimizer.step(closure)`` calls, which is the one calling
convention every optimizer supports (LBFGS re-evaluates it in its line
search):

    optimizer.zero_grad(); out = model(xb); loss = loss_fn(out, yb); loss.backward(); optimizer.step()
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import DeviceError, InvalidArgumentError, ShapeError

from . import functional as F
from .callbacks import Callback
from .errors import TrainingError
from .losses import BCELoss, BCEWithLogitsLoss, _Loss
from .metrics import METRICS, accuracy, binary_accuracy, one_score_per_example
from .module import Module, eval_mode
from .optimizer import Optimizer
from .progress import epoch_bar, postfix

Metric = Callable[[Any, Any], float]

# What a model emits, for the accuracy of one-output models: class 1 when z > 0, or when p > ½.
OUTPUTS = {"logits": 0.0, "probabilities": 0.5}


@dataclass
class History:
    """What ``fit`` recorded, one value per epoch: ``history["loss"]``, ``["val_loss"]``, ``["accuracy"]``, ``["lr"]``, …

    >>> X, y = np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]])
    >>> model = nn.Linear(1, 1, rng=0)
    >>> history = nn.fit(model, nn.MSELoss(), nn.optim.SGD(model.parameters(), lr=0.1),
    ...                  nn.data.DataLoader(X, y, batch_size=None), epochs=3, progress=False)
    >>> history.keys()
    ['loss', 'lr']
    >>> len(history["loss"]), history.epochs
    (3, [0, 1, 2])
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    epochs: list[int] = field(default_factory=list)
    stopped_epoch: int | None = None

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Record one epoch's logs."""
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.history:
            raise KeyError(f"History has no {key!r}; it recorded {', '.join(self.history)}")
        return self.history[key]

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def keys(self) -> list[str]:
        """The recorded quantities."""
        return list(self.history)

    def __repr__(self) -> str:
        parts = [f"{k} {v[0]:.4g} → {v[-1]:.4g}" for k, v in self.history.items() if k != "lr"]
        return f"History({len(self.epochs)} epochs: {', '.join(parts)})"

    def _repr_html_(self) -> str:
        """An HTML table in Jupyter: one row per epoch (the first and last five when there are many)."""
        keys = list(self.history)
        shown = list(range(len(self.epochs)))
        if len(shown) > 12:
            shown = shown[:5] + [-1] + shown[-5:]
        cell = "padding:2px 10px;border-bottom:1px solid #e5e5e5;text-align:right"
        head = "".join(f'<th style="{cell}">{html.escape(k)}</th>' for k in ["epoch", *keys])
        body = []
        for i in shown:
            if i < 0:
                body.append(f'<tr><td style="{cell}" colspan="{len(keys) + 1}">…</td></tr>')
                continue
            values = "".join(f'<td style="{cell}">{self.history[k][i]:.4g}</td>' for k in keys)
            body.append(f'<tr><td style="{cell}">{self.epochs[i] + 1}</td>{values}</tr>')
        stopped = f"<p>stopped early after epoch {self.stopped_epoch + 1}</p>" if self.stopped_epoch is not None else ""
        return (
            f"<p>History of {len(self.epochs)} epochs</p>{stopped}"
            '<table style="border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )


def _unwrap(loss_fn: Any) -> Any:
    """The function or module under any ``functools.partial`` layers (e.g. a partial fixing the reduction)."""
    while isinstance(loss_fn, functools.partial):
        loss_fn = loss_fn.func
    return loss_fn


def _name(loss_fn: Any) -> str:
    fn = _unwrap(loss_fn)
    return getattr(fn, "__name__", type(fn).__name__)


def _implied_outputs(loss_fn: Any) -> str | None:
    """What the model must output for ``loss_fn``: "logits" or "probabilities" for the binary cross-entropies, else None."""
    fn = _unwrap(loss_fn)
    if isinstance(fn, BCEWithLogitsLoss) or fn is F.binary_cross_entropy_with_logits:
        return "logits"
    if isinstance(fn, BCELoss) or fn is F.binary_cross_entropy:
        return "probabilities"
    return None


def _is_nn_loss(loss_fn: Any) -> bool:
    """Whether ``loss_fn`` is one of nn's losses (a loss module or a function of ``nn.functional``)."""
    fn = _unwrap(loss_fn)
    return isinstance(fn, _Loss) or getattr(fn, "__module__", None) == F.__name__


def _accuracy_metric(loss_fn: Any, outputs: str | None) -> Metric:
    """The accuracy that fits ``loss_fn`` and ``outputs``, with the decision threshold made explicit.

    With a binary cross-entropy every output is its own yes/no label, scored
    by ``binary_accuracy`` at z > 0 (logits) or p > ½ (probabilities). Other
    losses take the argmax of one score per class, and a single output per
    example is thresholded as ``outputs`` says; nn's other losses (e.g. the
    notes' MSE on a sigmoid output) default to probabilities, while for any
    other function the caller must say, since guessing would give a wrong
    accuracy without a word.
    """
    implied = _implied_outputs(loss_fn)
    kind = outputs or implied or ("probabilities" if _is_nn_loss(loss_fn) else None)
    if implied is not None:
        return functools.partial(binary_accuracy, threshold=OUTPUTS[kind])
    if kind is not None:
        return functools.partial(accuracy, threshold=OUTPUTS[kind])

    def undecided_accuracy(output: Any, target: Any) -> float:
        if one_score_per_example(output):
            raise InvalidArgumentError(
                "accuracy of a model with one output per example needs its decision threshold, which the loss "
                f"function {_name(loss_fn)!r} does not tell: pass "
                "outputs='logits' (class 1 when z > 0) or outputs='probabilities' (class 1 when p > 0.5)"
            )
        return accuracy(output, target)

    return undecided_accuracy


def _resolve_metrics(metrics: Sequence[str | Metric], loss_fn: Any, outputs: str | None = None) -> dict[str, Metric]:
    """Name → function for every requested metric besides the loss (always recorded)."""
    if outputs is not None and outputs not in OUTPUTS:
        raise InvalidArgumentError(
            f"outputs must be 'logits', 'probabilities' or None (decided by the loss), not {outputs!r}"
        )
    implied = _implied_outputs(loss_fn)
    if outputs is not None and implied is not None and outputs != implied:
        raise InvalidArgumentError(
            f"outputs={outputs!r} contradicts the loss {_name(loss_fn)}, which takes {implied}; "
            "leave outputs=None or use the loss that matches what the model emits"
        )
    out: dict[str, Metric] = {}
    for m in metrics:
        if callable(m):
            out[getattr(m, "__name__", "metric")] = m
        elif m == "loss":
            continue
        elif m == "accuracy":
            out[m] = _accuracy_metric(loss_fn, outputs)
        elif m in METRICS:
            out[m] = METRICS[m]
        else:
            raise InvalidArgumentError(
                f"unknown metric {m!r}; use 'loss', {', '.join(map(repr, METRICS))} or a function (output, target) -> float"
            )
    return out


def _sums_over_examples(loss_fn: Any) -> bool:
    """Whether ``loss_fn`` adds its examples' losses up (reduction "sum") rather than averaging them."""
    fixed = loss_fn.keywords.get("reduction") if isinstance(loss_fn, functools.partial) else None
    return getattr(_unwrap(loss_fn), "reduction", fixed) == "sum"


class _EpochTotals:
    """Accumulates one pass: the loss over all examples, and outputs/targets for the metrics.

    Batch b of n_b examples has loss ℓ_b. For a mean loss the epoch's loss is
    the mean over examples, Σ n_b·ℓ_b / Σ n_b; for a summed one ("sum", e.g.
    the notes' SSE) it is the total Σ ℓ_b. Either way it is the value the loss
    gives on the whole set at once, whatever the batch size.
    """

    def __init__(self, metric_fns: dict[str, Metric], loss_fn: Any, where: str) -> None:
        self.metric_fns = metric_fns
        self.summed = _sums_over_examples(loss_fn)
        self.where = where
        self.loss_sum = 0.0
        self.count = 0
        self.outputs: list[np.ndarray] = []
        self.targets: list[np.ndarray] = []

    def add(self, loss: float, output: np.ndarray, target: np.ndarray) -> None:
        n = len(output)
        self.loss_sum += loss if self.summed else loss * n
        self.count += n
        if self.metric_fns:
            self.outputs.append(output)
            self.targets.append(target)

    def logs(self, prefix: str = "") -> dict[str, float]:
        if not self.count:
            raise InvalidArgumentError(
                f"{self.where} yielded no examples, so there is no loss to report; check the data, and that "
                "drop_last=True does not drop the only (short) batch"
            )
        logs = {prefix + "loss": self.loss_sum if self.summed else self.loss_sum / self.count}
        if self.metric_fns:
            out, target = np.concatenate(self.outputs), np.concatenate(self.targets)
            for name, fn in self.metric_fns.items():
                logs[prefix + name] = ag.backend.host_float(fn(out, target))
        return logs


def _scalar(loss: ag.Tensor, caller: str) -> float:
    """The batch loss as a float; a loss of more than one value is an error."""
    if loss.data.size != 1:
        raise ShapeError(
            f"{caller} needs a scalar loss, got shape {loss.shape}; use a loss with reduction='mean' (or 'sum')"
        )
    return ag.backend.host_float(loss.data.reshape(()))  # one number copied to host on purpose


def _model_device(model: Module) -> Any:
    """Where batches go: the model's device; None for a model split across devices (batches stay as given)."""
    try:
        return model.device
    except DeviceError:
        return None


def _on(batch: Any, device: Any) -> Any:
    """A batch on the model's device (a Tensor there already is returned as is; other data is made there)."""
    if device is None:
        return batch
    if isinstance(batch, ag.Tensor):
        return batch if batch.device == device else batch.to(device)
    return ag.tensor(batch, device=device) if device != "cpu" else batch


def _finite_value(loss: ag.Tensor, epoch: int, batch: int) -> float:
    """The batch loss as a float; a non-scalar, NaN or infinite loss is an error."""
    value = _scalar(loss, "fit")
    if not math.isfinite(value):
        raise TrainingError(
            f"the loss became {value} at epoch {epoch + 1}, batch {batch + 1}; training stopped before the update. "
            "Try a smaller learning rate, standardise the inputs (nn.data.StandardScaler), check the data for "
            "NaN/inf, or clip gradients (nn.utils.clip_grad_norm_)"
        )
    return value


def _train_epoch(
    model: Module,
    loss_fn: Any,
    optimizer: Optimizer,
    loader: Iterable,
    metric_fns: dict[str, Metric],
    epoch: int,
    batch_hooks: Sequence[Callable[[int, dict[str, float]], None]] = (),
) -> dict[str, float]:
    totals = _EpochTotals(metric_fns, loss_fn, "train_loader")
    device = _model_device(model)
    for batch, (xb, yb) in enumerate(loader):
        xb, yb = _on(xb, device), _on(yb, device)
        first: list[Any] = []

        def closure() -> ag.Tensor:
            optimizer.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            if not first:  # LBFGS calls again in its line search; the first call is this batch's loss
                first.extend((_finite_value(loss, epoch, batch), out.data))
            loss.backward()
            return loss

        optimizer.step(closure)
        totals.add(first[0], first[1], yb.data)
        for hook in batch_hooks:
            hook(batch, {"loss": first[0]})
    return totals.logs()


def evaluate(
    model: Module,
    loss_fn: Any,
    loader: Iterable,
    metrics: Sequence[str | Metric] = ("loss",),
    *,
    outputs: str | None = None,
) -> dict[str, float]:
    """Loss and metrics of ``model`` over ``loader`` in eval mode without recording graphs: {"loss": …, "accuracy": …}.

    ``outputs`` ("logits" or "probabilities") says what a one-output model
    emits, which decides accuracy's threshold (z > 0 or p > ½); None takes it
    from the loss (see ``fit``).

    >>> X, y = nn.data.make_xor()
    >>> model = nn.MLP([2, 2, 2], rng=0)
    >>> scores = nn.evaluate(model, nn.CrossEntropyLoss(), nn.data.DataLoader(X, y, batch_size=None), metrics=["loss", "accuracy"])
    >>> sorted(scores)
    ['accuracy', 'loss']
    """
    totals = _EpochTotals(
        _resolve_metrics(metrics, loss_fn, outputs), loss_fn, "the loader given to evaluate (val_loader, in fit)"
    )
    device = _model_device(model)
    with eval_mode(model), ag.no_grad():
        for xb, yb in loader:
            xb, yb = _on(xb, device), _on(yb, device)
            out = model(xb)
            totals.add(_scalar(loss_fn(out, yb), "evaluate"), out.data, yb.data)
    return totals.logs()


def fit(
    model: Module,
    loss_fn: Any,
    optimizer: Optimizer,
    train_loader: Iterable,
    epochs: int,
    val_loader: Iterable | None = None,
    callbacks: Sequence[Callback] = (),
    metrics: Sequence[str | Metric] = ("loss",),
    progress: bool = True,
    *,
    outputs: str | None = None,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``; returns the per-epoch ``History``.

    Each batch: zero the gradients, y = model(x), ℓ = loss_fn(y, target),
    backward, optimizer step. After each epoch the training loss (the mean
    over examples, or their total for an nn loss with reduction="sum", so it
    does not depend on the batch size; a loss function of your own is taken
    to return a mean over its batch) and ``metrics`` ("accuracy", "mse",
    "r2" or functions (output, target) -> float) are recorded, plus the same on ``val_loader``
    as ``val_*`` (in eval mode), and the learning rate as ``lr``; then the
    callbacks run (``EarlyStopping`` may stop training). Callbacks also see
    every batch after its update (``on_batch_end``), which is how a
    learning-rate schedule steps per update, as the notes' ρ_r = 1/r does:
    ``LRSchedulerCallback(InverseTimeLR(optimizer), every="batch")``. With
    ``progress`` on, a tqdm progress bar shows the epoch and the metrics: in a
    terminal (not when the output goes to a file or pipe), and in Jupyter as
    tqdm's widget (or as text when ipywidgets is not installed). A NaN or infinite loss raises
    ``TrainingError`` naming the epoch and batch.

    The "accuracy" metric matches the loss. After a binary cross-entropy it
    scores each output as its own label: class 1 when z > 0 for
    ``BCEWithLogitsLoss`` / ``binary_cross_entropy_with_logits`` (σ(z) > ½ ⇔
    z > 0), when p > ½ for ``BCELoss`` / ``binary_cross_entropy``. Otherwise
    it takes the argmax of one score per class, and a one-output model is
    thresholded as ``outputs`` says: "logits" (z > 0) or "probabilities"
    (p > ½). ``outputs=None`` means probabilities for nn's other losses
    (e.g. MSE on a sigmoid output, as in the notes) and, for a loss function
    of your own, an error asking for ``outputs`` instead of a guess.

    >>> X, y = nn.data.make_moons(200, noise=0.1, rng=0)
    >>> model = nn.MLP([2, 16, 2], rng=0)
    >>> history = nn.fit(model, nn.CrossEntropyLoss(), nn.optim.Adam(model.parameters(), lr=0.05),
    ...                  nn.data.DataLoader(X, y, batch_size=32, rng=0), epochs=30,
    ...                  metrics=["accuracy"], progress=False)
    >>> history["accuracy"][-1] > 0.95, len(history["loss"]), history["loss"][-1] < history["loss"][0]
    (True, 30, True)
    """
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise InvalidArgumentError(f"fit: epochs must be a non-negative integer, not {epochs!r}")
    metric_fns = _resolve_metrics(metrics, loss_fn, outputs)
    history = History()
    # Callbacks need not subclass Callback; those without a batch hook are not called per batch.
    batch_hooks = [cb.on_batch_end for cb in callbacks if callable(getattr(cb, "on_batch_end", None))]
    for cb in callbacks:
        cb.on_train_begin(model, optimizer)
    bar = epoch_bar(epochs, progress)
    try:
        for epoch in bar:
            model.train()
            logs = _train_epoch(model, loss_fn, optimizer, train_loader, metric_fns, epoch, batch_hooks)
            if val_loader is not None:
                logs.update(
                    {"val_" + k: v for k, v in evaluate(model, loss_fn, val_loader, metrics, outputs=outputs).items()}
                )
            logs["lr"] = optimizer.param_groups[0]["lr"]
            history.append(epoch, logs)
            bar.set_postfix_str(postfix(logs), refresh=False)
            stop = [cb.on_epoch_end(epoch, logs) for cb in callbacks]
            if any(stop):
                history.stopped_epoch = epoch
                break
    finally:
        bar.close()
    for cb in callbacks:
        cb.on_train_end()
    return history
