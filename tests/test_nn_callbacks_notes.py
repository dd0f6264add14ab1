"""The notes' training controls: ρ_r = 1/r per update, a loss threshold to stop, and a saturation monitor."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import InvalidArgumentError
from nn.data import DataLoader


class Recorder(nn.Callback):
    def __init__(self):
        self.batches, self.lrs = [], []

    def on_train_begin(self, model, optimizer):
        self.optimizer = optimizer

    def on_batch_end(self, batch, logs):
        self.batches.append((batch, logs["loss"]))
        self.lrs.append(self.optimizer.param_groups[0]["lr"])


def constant_gradient_problem(n_examples=8, batch_size=2):
    """A bias-free Linear(1, 1) on inputs 1 with loss mean(output): every batch's gradient is exactly 1."""
    model = nn.Linear(1, 1, bias=False)
    model.weight.data[...] = 0.0
    loader = DataLoader(np.ones((n_examples, 1)), np.zeros((n_examples, 1)), batch_size=batch_size)

    def loss_fn(out, target):
        return out.mean()

    return model, loader, loss_fn


def test_schedule_per_update_gives_the_notes_one_over_r():
    """ρ_r = 1/r over r = 1…8 updates (2 epochs of 4 batches): w = −Σ 1/r, the 8th harmonic number."""
    model, loader, loss_fn = constant_gradient_problem()
    opt = nn.optim.SGD(model.parameters(), lr=1.0)
    schedule = nn.optim.InverseTimeLR(opt, decay=1.0)
    recorder = Recorder()
    callbacks = [nn.LRSchedulerCallback(schedule, every="batch"), recorder]
    history = nn.fit(model, loss_fn, opt, loader, epochs=2, callbacks=callbacks, progress=False, outputs="logits")
    harmonic = sum(1 / r for r in range(1, 9))
    assert model.weight.item() == pytest.approx(-harmonic, rel=1e-12)
    np.testing.assert_allclose(recorder.lrs, [1 / r for r in range(2, 10)])  # after update r the next rate is 1/(r+1)
    assert [b for b, _ in recorder.batches] == [0, 1, 2, 3] * 2
    assert history["lr"] == pytest.approx([1 / 5, 1 / 9])


def test_schedule_per_epoch_is_still_the_default():
    model, loader, loss_fn = constant_gradient_problem()
    opt = nn.optim.SGD(model.parameters(), lr=1.0)
    callback = nn.LRSchedulerCallback(nn.optim.InverseTimeLR(opt, decay=1.0))
    nn.fit(model, loss_fn, opt, loader, epochs=2, callbacks=[callback], progress=False, outputs="logits")
    assert model.weight.item() == pytest.approx(-(4 * 1.0 + 4 * 0.5), rel=1e-12)  # epoch e uses 1/(e + 1)
    with pytest.raises(InvalidArgumentError, match="'epoch' or 'batch'"):
        nn.LRSchedulerCallback(nn.optim.InverseTimeLR(opt), every="update")


def test_threshold_stopping_stops_at_the_first_epoch_below_the_threshold():
    gen = np.random.default_rng(0)
    X = gen.normal(size=(64, 2))
    y = X @ np.array([[1.5], [-2.0]]) + 0.3
    model = nn.Linear(2, 1, rng=0)
    stop = nn.ThresholdStopping(0.01)
    history = nn.fit(
        model,
        nn.MSELoss(),
        nn.optim.SGD(model.parameters(), lr=0.1),
        DataLoader(X, y, batch_size=None),
        epochs=500,
        callbacks=[stop],
        progress=False,
    )
    losses = history["loss"]
    assert losses[-1] <= 0.01 < min(losses[:-1])
    assert stop.stopped_epoch == history.stopped_epoch == len(losses) - 1 < 499


def test_threshold_stopping_on_a_maximised_metric_and_errors():
    stop = nn.ThresholdStopping(0.9, monitor="val_accuracy", mode="max")
    stop.on_train_begin(None, None)
    assert not stop.on_epoch_end(0, {"val_accuracy": 0.89})
    assert stop.on_epoch_end(1, {"val_accuracy": 0.9}) and stop.stopped_epoch == 1
    with pytest.raises(InvalidArgumentError, match=r"'val_accuracy'.*val_loader="):
        stop.on_epoch_end(2, {"loss": 1.0})
    with pytest.raises(InvalidArgumentError, match="mode"):
        nn.ThresholdStopping(0.1, mode="below")
    with pytest.raises(InvalidArgumentError, match="number"):
        nn.ThresholdStopping(float("nan"))


def saturation_model(scale):
    model = nn.Sequential(
        nn.Linear(2, 8, rng=0), nn.Sigmoid(), nn.Linear(8, 8, rng=1), nn.Tanh(), nn.Linear(8, 1, rng=2)
    )
    with ag.no_grad():
        for p in model.parameters():
            p.data *= scale
    return model


def test_saturation_fractions_are_exact_on_hand_set_units():
    model = nn.Sequential(nn.Linear(1, 4), nn.Sigmoid(), nn.Linear(4, 2), nn.Tanh())
    model[0].weight.data[...] = [[10.0], [-10.0], [0.1], [0.0]]
    model[0].bias.data[...] = 0.0
    model[2].weight.data[...] = 0.0
    model[2].bias.data[...] = [3.0, 0.5]  # tanh(3) = 0.995 saturates, tanh(0.5) = 0.46 does not
    monitor = nn.SaturationMonitor(np.array([[1.0], [-1.0]]), tolerance=0.05)
    monitor.on_train_begin(model, None)
    # sigmoid(±10) saturate (2 units × 2 examples), sigmoid(±0.1) and sigmoid(0) do not: 4 of 8.
    assert monitor.fractions() == {"1 (Sigmoid)": 0.5, "3 (Tanh)": 0.5}
    assert monitor.history == {"1 (Sigmoid)": [0.5], "3 (Tanh)": [0.5]} and monitor.epochs == [0]


def test_large_initial_weights_saturate_and_small_ones_do_not(tmp_path):
    """The fourth notes: saturation comes from W·x too big; initialise small (and scale inputs) to avoid it."""
    gen = np.random.default_rng(1)
    X = gen.uniform(0, 1, (128, 2))
    y = (X.sum(axis=1, keepdims=True) > 1).astype(float)
    results = {}
    for scale in (0.5, 20.0):
        model = saturation_model(scale)
        monitor = nn.SaturationMonitor(X)
        nn.fit(
            model,
            nn.BCEWithLogitsLoss(),
            nn.optim.SGD(model.parameters(), lr=0.5),
            DataLoader(X, y, batch_size=32, rng=0),
            epochs=3,
            callbacks=[monitor],
            progress=False,
        )
        assert monitor.epochs == [0, 1, 2, 3]
        assert list(monitor.history) == ["1 (Sigmoid)", "3 (Tanh)"]
        results[scale] = monitor
    assert max(v[0] for v in results[0.5].history.values()) < 0.05
    assert min(v[0] for v in results[20.0].history.values()) > 0.6
    pytest.importorskip("matplotlib")
    fig = results[20.0].plot(tmp_path / "saturation.png")
    assert (tmp_path / "saturation.png").stat().st_size > 2000
    assert len(fig.axes[0].lines) == 2


def test_saturation_monitor_errors():
    with pytest.raises(InvalidArgumentError, match="no nn.Sigmoid or nn.Tanh"):
        nn.SaturationMonitor(np.zeros((1, 2))).on_train_begin(nn.MLP([2, 2]), None)
    with pytest.raises(InvalidArgumentError, match="tolerance"):
        nn.SaturationMonitor(np.zeros((1, 2)), tolerance=0.5)
    with pytest.raises(InvalidArgumentError, match="nothing recorded"):
        nn.SaturationMonitor(np.zeros((1, 2))).plot()
