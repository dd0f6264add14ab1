"""fit, evaluate, History, callbacks and metrics; training quality on the toy problems with fixed seeds."""

import functools
import io
import sys

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import ShapeError
from nn.data import DataLoader, StandardScaler, train_test_split
from nn.errors import TrainingError


def accuracy_on(model, X, y):
    return nn.evaluate(model, nn.CrossEntropyLoss(), DataLoader(X, y, batch_size=None, shuffle=False), ["accuracy"])[
        "accuracy"
    ]


# ------------------------------------------------------------------ quality


def test_xor_reaches_100_percent():
    nn.manual_seed(0)
    X, y = nn.data.make_xor()
    model = nn.MLP([2, 4, 1], activation="tanh")
    history = nn.fit(
        model, nn.BCEWithLogitsLoss(), nn.optim.Adam(model.parameters(), lr=0.05),
        DataLoader(X, y[:, None].astype(float), batch_size=None), epochs=300, metrics=["accuracy"], progress=False,
    )  # fmt: skip
    assert history["accuracy"][-1] == 1.0
    assert history["loss"][-1] < 0.01
    np.testing.assert_array_equal(model(ag.tensor(X)).data[:, 0] > 0, y == 1)


def test_moons_reach_97_percent_test_accuracy():
    nn.manual_seed(0)
    X, y = nn.data.make_moons(400, noise=0.1, rng=1)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, rng=2)
    model = nn.MLP([2, 32, 32, 2])
    nn.fit(
        model,
        nn.CrossEntropyLoss(),
        nn.optim.Adam(model.parameters(), lr=0.01),
        DataLoader(Xtr, ytr, 32),
        60,
        progress=False,
    )
    assert accuracy_on(model, Xte, yte) >= 0.97


def test_three_spirals_reach_95_percent_test_accuracy():
    nn.manual_seed(0)
    X, y = nn.data.make_spirals(600, 3, noise=0.2, rng=1)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, rng=2)
    model = nn.MLP([2, 64, 64, 3])
    opt = nn.optim.Adam(model.parameters(), lr=0.02)
    nn.fit(model, nn.CrossEntropyLoss(), opt, DataLoader(Xtr, ytr, batch_size=None), epochs=250, progress=False)
    assert accuracy_on(model, Xte, yte) >= 0.95


def test_falling_body_regression_reaches_r2_099():
    nn.manual_seed(0)
    t, h = nn.data.make_regression_1d(300, noise=0.5, rng=1)
    t, h = StandardScaler().fit_transform(t), StandardScaler().fit_transform(h)
    ttr, tte, htr, hte = train_test_split(t, h, test_size=0.25, rng=2)
    model = nn.MLP([1, 32, 32, 1], activation="tanh")
    nn.fit(
        model, nn.MSELoss(), nn.optim.Adam(model.parameters(), lr=0.01), DataLoader(ttr, htr, 32), 60, progress=False
    )
    scores = nn.evaluate(model, nn.MSELoss(), DataLoader(tte, hte, None, shuffle=False), ["r2", "mse"])
    assert scores["r2"] >= 0.99
    assert scores["mse"] == pytest.approx(scores["loss"])


def test_full_batch_lbfgs_fits_the_regression_in_a_few_epochs():
    nn.manual_seed(0)
    t, h = nn.data.make_regression_1d(200, noise=0.5, rng=1)
    t, h = StandardScaler().fit_transform(t), StandardScaler().fit_transform(h)
    model = nn.MLP([1, 16, 1], activation="tanh")
    history = nn.fit(
        model, nn.MSELoss(), nn.optim.LBFGS(model.parameters()), DataLoader(t, h, batch_size=None), epochs=10,
        metrics=["r2"], progress=False,
    )  # fmt: skip
    assert history["r2"][-1] >= 0.99


def test_stochastic_regime_batch_size_1_trains():
    nn.manual_seed(0)
    X, y = nn.data.make_xor()
    model = nn.MLP([2, 8, 2], activation="tanh")
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = nn.fit(
        model, nn.CrossEntropyLoss(), opt, DataLoader(X, y, batch_size=1), 150, metrics=["accuracy"], progress=False
    )
    assert history["accuracy"][-1] == 1.0


# ---------------------------------------------------------- fit and History


def test_history_records_every_epoch_and_validation():
    nn.manual_seed(0)
    X, y = nn.data.make_moons(100, rng=0)
    model = nn.MLP([2, 8, 2])
    loader, val = DataLoader(X[:80], y[:80], 16), DataLoader(X[80:], y[80:], None)
    history = nn.fit(
        model,
        nn.CrossEntropyLoss(),
        nn.optim.SGD(model.parameters(), lr=0.1),
        loader,
        5,
        val,
        metrics=("loss", "accuracy"),
        progress=False,
    )
    assert history.keys() == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert all(len(history[k]) == 5 for k in history.keys()) and history.epochs == [0, 1, 2, 3, 4]
    assert history.stopped_epoch is None and "val_loss" in history
    assert history["lr"] == [0.1] * 5
    assert repr(history).startswith("History(5 epochs: loss")
    assert history["val_loss"][-1] == pytest.approx(nn.evaluate(model, nn.CrossEntropyLoss(), val)["loss"])
    with pytest.raises(KeyError, match="History has no 'r2'"):
        history["r2"]
    assert model.training


def test_epoch_loss_is_the_mean_over_examples():
    model = nn.Linear(1, 1)
    model.load_state_dict({"weight": [[0.0]], "bias": [0.0]})
    X, y = np.zeros((5, 1)), np.array([[1.0], [1.0], [1.0], [3.0], [3.0]])
    opt = nn.optim.SGD(model.parameters(), lr=0.0)
    history = nn.fit(model, nn.MSELoss(), opt, DataLoader(X, y, 3, shuffle=False), 1, progress=False)
    assert history["loss"][0] == pytest.approx((1 + 1 + 1 + 9 + 9) / 5)


def test_progress_bar_only_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    X, y = nn.data.make_xor()
    model = nn.MLP([2, 2, 2])
    for stream, progress, shown in ((Terminal(), True, True), (Terminal(), False, False), (io.StringIO(), True, False)):
        monkeypatch.setattr(sys, "stderr", stream)
        nn.fit(
            model,
            nn.CrossEntropyLoss(),
            nn.optim.SGD(model.parameters()),
            DataLoader(X, y, None),
            2,
            DataLoader(X, y, None),
            metrics=["accuracy"],
            progress=progress,
        )
        text = stream.getvalue()
        assert ("2/2" in text and "val_loss=" in text and "acc=" in text) == shown, text


def test_early_stopping_stops_and_restores_the_best_weights():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5)), rng.integers(0, 2, 40)  # random labels: validation only gets worse
    Xv, yv = rng.normal(size=(40, 5)), rng.integers(0, 2, 40)
    nn.manual_seed(0)
    model = nn.MLP([5, 64, 2])
    stopper = nn.EarlyStopping(patience=3)
    val = DataLoader(Xv, yv, None)
    history = nn.fit(
        model,
        nn.CrossEntropyLoss(),
        nn.optim.Adam(model.parameters(), lr=0.05),
        DataLoader(X, y, 8),
        200,
        val,
        [stopper],
        progress=False,
    )
    assert history.stopped_epoch is not None and history.stopped_epoch < 199
    assert stopper.stopped_epoch == history.stopped_epoch == stopper.best_epoch + 3
    assert len(history["loss"]) == history.stopped_epoch + 1
    best = min(history["val_loss"])
    assert history["val_loss"][stopper.best_epoch] == best
    assert history["val_loss"][-1] > best
    assert nn.evaluate(model, nn.CrossEntropyLoss(), val)["loss"] == pytest.approx(best, rel=1e-12)


def test_early_stopping_min_delta_mode_and_errors():
    stopper = nn.EarlyStopping(patience=2, min_delta=0.5, monitor="accuracy", mode="max", restore_best=False)
    stopper.on_train_begin(nn.Linear(1, 1), None)
    # 0.9 and 1.2 are within min_delta of the best so far (0.5, then 1.1): no improvement.
    stops = [stopper.on_epoch_end(e, {"accuracy": a}) for e, a in enumerate([0.5, 0.9, 1.1, 1.2, 1.3])]
    assert stops == [False, False, False, False, True]
    assert stopper.best_epoch == 2
    stopper.on_train_begin(nn.Linear(1, 1), None)
    with pytest.raises(ValueError, match=r"monitors 'accuracy', which fit did not record.*recorded: loss"):
        stopper.on_epoch_end(0, {"loss": 1.0})
    plain = nn.EarlyStopping()
    plain.on_train_begin(nn.Linear(1, 1), None)
    with pytest.raises(ValueError, match="pass val_loader= to fit"):
        plain.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(ValueError, match="patience"):
        nn.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="mode"):
        nn.EarlyStopping(mode="up")


def test_lr_schedule_callback_and_custom_callbacks():
    X, y = nn.data.make_xor()
    model = nn.MLP([2, 2, 2])
    opt = nn.optim.SGD(model.parameters(), lr=0.8)
    seen = []

    class Spy(nn.Callback):
        def on_epoch_end(self, epoch, logs):
            seen.append(epoch)
            return epoch == 3

    history = nn.fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        DataLoader(X, y, None),
        10,
        callbacks=[nn.LRSchedulerCallback(nn.optim.InverseTimeLR(opt)), Spy()],
        progress=False,
    )
    np.testing.assert_allclose(history["lr"], [0.8, 0.4, 0.8 / 3, 0.2])  # the notes' ρ₀ / r
    assert seen == [0, 1, 2, 3] and history.stopped_epoch == 3


def test_nan_loss_stops_with_a_clear_error_before_updating():
    X = np.array([[0.0, 1.0], [np.nan, 1.0]])
    model = nn.MLP([2, 3, 1])
    before = model.state_dict()
    with pytest.raises(TrainingError, match=r"the loss became nan at epoch 1, batch 1.*smaller learning rate"):
        nn.fit(
            model,
            nn.MSELoss(),
            nn.optim.SGD(model.parameters(), lr=0.1),
            DataLoader(X, np.zeros((2, 1)), None),
            3,
            progress=False,
        )
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_diverging_training_is_caught():
    nn.manual_seed(0)
    t, h = nn.data.make_regression_1d(50, rng=0)
    model = nn.MLP([1, 8, 1])
    with pytest.raises(RuntimeError, match="the loss became (inf|nan)"):
        nn.fit(
            model,
            nn.MSELoss(),
            nn.optim.SGD(model.parameters(), lr=10.0),
            DataLoader(t, h * 1e3, 10),
            50,
            progress=False,
        )


def test_fit_argument_errors():
    X, y = nn.data.make_xor()
    model = nn.MLP([2, 2, 2])
    opt = nn.optim.SGD(model.parameters())
    with pytest.raises(ValueError, match="epochs must be a non-negative integer"):
        nn.fit(model, nn.CrossEntropyLoss(), opt, DataLoader(X, y), 2.5)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        nn.fit(model, nn.CrossEntropyLoss(), opt, DataLoader(X, y), 1, metrics=["f1"])
    assert nn.fit(model, nn.CrossEntropyLoss(), opt, DataLoader(X, y), 0, progress=False).keys() == []
    with pytest.raises(ShapeError, match=r"scalar loss, got shape \(4,\); use a loss with reduction='mean'"):
        nn.fit(model, nn.CrossEntropyLoss("none"), opt, DataLoader(X, y), 1, progress=False)


def test_custom_metric_functions_and_logit_accuracy():
    X, y = nn.data.make_xor()
    model = nn.Linear(2, 1)
    model.load_state_dict({"weight": [[1.0, 1.0]], "bias": [-0.5]})  # logits −0.5, 0.5, 0.5, 1.5

    def positives(out, target):
        return float((out > 0).mean())

    opt = nn.optim.SGD(model.parameters(), lr=0.0)
    history = nn.fit(
        model,
        nn.BCEWithLogitsLoss(),
        opt,
        DataLoader(X, y[:, None] * 1.0, None),
        1,
        metrics=["accuracy", positives],
        progress=False,
    )
    assert history["positives"] == [0.75]
    assert history["accuracy"] == [0.75]  # thresholded at logit 0 because the loss takes logits


# The review's example: logits z and labels y; σ(z) > ½ ⇔ z > 0 gets all four right, while p > ½ would call
# z = 0.3 and z = 0.4 class 0 and score 0.5.
LOGITS = np.array([[0.3], [-0.2], [0.4], [2.0]])
LABELS = np.array([[1.0], [0.0], [1.0], [1.0]])


def evaluate_logits(loss_fn, **kwargs):
    loader = DataLoader(LOGITS, LABELS, batch_size=None, shuffle=False)
    return nn.evaluate(nn.Identity(), loss_fn, loader, ["accuracy"], **kwargs)["accuracy"]


@pytest.mark.parametrize(
    "loss_fn",
    [
        nn.BCEWithLogitsLoss(),
        nn.BCEWithLogitsLoss("sum"),
        nn.functional.binary_cross_entropy_with_logits,
        functools.partial(nn.functional.binary_cross_entropy_with_logits, reduction="sum"),
    ],
    ids=["module", "module-sum", "function", "partial"],
)
def test_accuracy_thresholds_logits_at_zero_for_the_logit_loss_module_or_function(loss_fn):
    assert evaluate_logits(loss_fn) == 1.0
    assert evaluate_logits(loss_fn, outputs="logits") == 1.0


def test_accuracy_threshold_of_probabilities_and_of_losses_nn_does_not_know():
    probs = nn.Sigmoid()(ag.tensor(LOGITS)).data  # the same model's outputs as probabilities: all right at p > ½
    loader = DataLoader(probs, LABELS, batch_size=None, shuffle=False)
    for loss_fn in (nn.BCELoss(), nn.functional.binary_cross_entropy, nn.MSELoss()):
        assert nn.evaluate(nn.Identity(), loss_fn, loader, ["accuracy"])["accuracy"] == 1.0

    def my_loss(out, target):
        return nn.functional.binary_cross_entropy_with_logits(out, target)

    with pytest.raises(ValueError, match=r"'my_loss' does not tell: pass outputs='logits'.*or outputs='probabilities'"):
        evaluate_logits(my_loss)
    assert evaluate_logits(my_loss, outputs="logits") == 1.0
    assert evaluate_logits(my_loss, outputs="probabilities") == 0.5  # what it was told
    with pytest.raises(ValueError, match="contradicts the loss BCEWithLogitsLoss, which takes logits"):
        evaluate_logits(nn.BCEWithLogitsLoss(), outputs="probabilities")
    with pytest.raises(ValueError, match="outputs must be 'logits', 'probabilities' or None"):
        evaluate_logits(nn.BCEWithLogitsLoss(), outputs="logit")
    # One score per class needs no threshold: the argmax, whatever the loss.
    scores = DataLoader(np.array([[0.2, 0.1], [0.0, 3.0]]), np.array([0, 1]), batch_size=None, shuffle=False)
    assert nn.evaluate(nn.Identity(), lambda z, y: nn.functional.cross_entropy(z, y), scores, ["accuracy"]) == {
        "loss": pytest.approx(nn.functional.cross_entropy(ag.tensor([[0.2, 0.1], [0.0, 3.0]]), [0, 1]).item()),
        "accuracy": 1.0,
    }


def test_fit_passes_outputs_on_and_scores_multilabel_outputs_label_by_label():
    model = nn.Identity()
    model.dummy = nn.Parameter(np.zeros(1))  # something for the optimizer to hold
    opt = nn.optim.SGD(model.parameters(), lr=0.0)
    loader = DataLoader(LOGITS, LABELS, batch_size=2, shuffle=False)

    def my_loss(out, target):
        return nn.functional.binary_cross_entropy_with_logits(out, target) + 0 * model.dummy.sum()

    history = nn.fit(
        model, my_loss, opt, loader, 1, val_loader=loader, metrics=["accuracy"], progress=False, outputs="logits"
    )
    assert history["accuracy"] == [1.0] and history["val_accuracy"] == [1.0]
    # Two independent labels per example: 3 of the 4 labels right (not argmax against argmax).
    z = np.array([[2.0, 1.0], [-1.0, -3.0]])
    y = np.array([[1.0, 1.0], [0.0, 1.0]])
    multi = DataLoader(z, y, batch_size=None, shuffle=False)
    assert nn.evaluate(nn.Identity(), nn.BCEWithLogitsLoss(), multi, ["accuracy"])["accuracy"] == 0.75
    assert nn.metrics.binary_accuracy(nn.Sigmoid()(ag.tensor(z)), y) == 0.75


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_the_epoch_loss_is_the_whole_sets_loss_whatever_the_batch_size(reduction):
    """Mean: Σ n_b·ℓ_b / N; sum (the notes' SSE): Σ ℓ_b. Both equal the loss of the whole set in one batch."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    model = nn.Linear(2, 1, rng=0)
    whole = nn.MSELoss(reduction)(model(ag.tensor(X)), y).item()
    opt = nn.optim.SGD(model.parameters(), lr=0.0)  # nothing moves, so every epoch sees the same model
    for loss_fn in (nn.MSELoss(reduction), functools.partial(nn.functional.mse_loss, reduction=reduction)):
        for batch_size in (None, 2, 1):
            loader = DataLoader(X, y, batch_size=batch_size, shuffle=False)
            history = nn.fit(model, loss_fn, opt, loader, 1, val_loader=loader, progress=False)
            assert history["loss"][0] == pytest.approx(whole, rel=1e-12), (loss_fn, batch_size)
            assert history["val_loss"][0] == pytest.approx(whole, rel=1e-12), (loss_fn, batch_size)


def test_empty_loaders_and_non_scalar_losses_are_errors_not_numbers():
    model = nn.Linear(2, 1)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="train_loader yielded no examples"):
        nn.fit(model, nn.MSELoss(), opt, [], 1, progress=False)  # used to report a loss of 0.0
    with pytest.raises(ValueError, match="loader given to evaluate .* yielded no examples"):
        nn.evaluate(model, nn.MSELoss(), [], ["mse"])
    with pytest.raises(ValueError, match="drop_last=True with batch_size=5 drops all 3 examples"):
        DataLoader(np.zeros((3, 2)), np.zeros((3, 1)), batch_size=5, drop_last=True)
    loader = DataLoader(np.zeros((3, 2)), np.zeros((3, 1)), batch_size=None)
    with pytest.raises(ShapeError, match=r"evaluate needs a scalar loss, got shape \(3, 1\)"):
        nn.evaluate(model, nn.MSELoss("none"), loader)


# ------------------------------------------------------------------ metrics


def test_metrics_closed_forms():
    assert nn.accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert nn.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([[0, 1], [0, 1]])) == 0.5  # one-hot targets
    assert nn.accuracy(np.array([[0.7], [0.2]]), np.array([[1.0], [1.0]])) == 0.5  # probabilities
    assert nn.accuracy(ag.tensor([-1.0, 2.0]), np.array([0, 1]), threshold=0.0) == 1.0
    assert nn.mse(np.array([1.0, 3.0]), np.array([0.0, 1.0])) == 2.5
    y = np.array([[1.0], [2.0], [3.0]])
    assert nn.r2(y, y) == 1.0
    assert nn.r2(np.full((3, 1), 2.0), y) == 0.0  # predicting the mean
    assert nn.r2(np.array([[1.5], [2.0], [2.5]]), y) == pytest.approx(1 - 0.5 / 2)
    with pytest.raises(ShapeError):
        nn.accuracy(np.zeros((3, 2)), np.zeros(4, int))
    with pytest.raises(ValueError, match="accuracy of no examples is undefined"):
        nn.accuracy(np.zeros((0, 2)), np.zeros(0, int))  # not a silent 0.0
    with pytest.raises(ShapeError, match=r"binary_accuracy: predictions \(2, 1\) and targets \(2,\)"):
        nn.metrics.binary_accuracy(np.zeros((2, 1)), np.zeros(2))
    for metric in (nn.mse, nn.r2, nn.metrics.binary_accuracy):
        with pytest.raises(ValueError, match="of no examples is undefined"):
            metric(np.zeros((0, 1)), np.zeros((0, 1)))  # not nan, nor "constant targets"
    with pytest.raises(ShapeError):
        nn.mse(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="constant"):
        nn.r2(np.zeros(3), np.ones(3))
