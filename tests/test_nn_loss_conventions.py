"""Losses as the notes write them ("batchmean"), the warning for a softmax fed to CrossEntropyLoss, GaussianNLLLoss."""

import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.errors import InvalidArgumentError, ShapeError

LABELS = np.array([0, 1, 2, 1])


@pytest.fixture
def logits(rng):
    return ag.tensor(rng.normal(size=(4, 3)), requires_grad=True)


# ------------------------------------------------------------------ reductions


def test_batchmean_is_the_notes_multi_output_mse(rng):
    """Notes 003: E = (1/N) Σᵢ Σⱼ (yᵢ⁽ʲ⁾ − ŷᵢ⁽ʲ⁾)², t times PyTorch's mean over all N·t entries."""
    N, t = 5, 3
    y_hat, y = rng.normal(size=(N, t)), rng.normal(size=(N, t))
    notes = np.sum((y - y_hat) ** 2) / N
    assert nn.MSELoss(reduction="batchmean")(ag.tensor(y_hat), y).item() == pytest.approx(notes, rel=1e-12)
    assert nn.MSELoss()(ag.tensor(y_hat), y).item() == pytest.approx(notes / t, rel=1e-12)
    # Notes 000: L = Σₖ Σₙ (yₙₖ − fₖ(xₙ))² is the plain sum.
    assert nn.MSELoss(reduction="sum")(ag.tensor(y_hat), y).item() == pytest.approx(notes * N, rel=1e-12)
    assert "batchmean" in nn.MSELoss.__doc__ and "(1/N) Σᵢ Σⱼ" in nn.MSELoss.__doc__


def test_batchmean_is_the_notes_multi_label_bce(rng):
    """Notes 003: E = (1/N) Σᵢ Σⱼ BCE(ŷᵢ⁽ʲ⁾, yᵢ⁽ʲ⁾) over M labels."""
    N, M = 6, 4
    z = rng.normal(size=(N, M))
    y = (rng.random((N, M)) > 0.5).astype(float)
    p = 1 / (1 + np.exp(-z))
    notes = np.sum(-y * np.log(p) - (1 - y) * np.log(1 - p)) / N
    assert nn.BCELoss(reduction="batchmean")(ag.tensor(p), y).item() == pytest.approx(notes, rel=1e-10)
    assert nn.BCEWithLogitsLoss(reduction="batchmean")(ag.tensor(z), y).item() == pytest.approx(notes, rel=1e-10)
    assert nn.BCEWithLogitsLoss()(ag.tensor(z), y).item() == pytest.approx(notes / M, rel=1e-10)
    for cls in (nn.BCELoss, nn.BCEWithLogitsLoss):
        assert "batchmean" in cls.__doc__


def test_batchmean_gradient_and_single_output_agreement(rng):
    x = ag.tensor(rng.normal(size=(4, 2)), requires_grad=True)
    nn.MSELoss(reduction="batchmean")(x, np.zeros((4, 2))).backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data / 4)
    one = ag.tensor(rng.normal(size=(7, 1)))
    assert nn.L1Loss(reduction="batchmean")(one, np.zeros((7, 1))).item() == pytest.approx(
        nn.L1Loss()(one, np.zeros((7, 1))).item()
    )
    # Cross-entropy's per-example loss already sums over classes: batchmean = mean.
    z = ag.tensor(rng.normal(size=(5, 3)))
    assert nn.CrossEntropyLoss(reduction="batchmean")(z, LABELS[:4].tolist() + [0]).item() == pytest.approx(
        nn.CrossEntropyLoss()(z, LABELS[:4].tolist() + [0]).item()
    )
    with pytest.raises(InvalidArgumentError, match="batchmean"):
        nn.MSELoss(reduction="avg")


def test_fit_reports_a_batchmean_loss_independent_of_the_batch_size(rng):
    X, Y = rng.normal(size=(12, 2)), rng.normal(size=(12, 3))
    losses = []
    for batch_size in (None, 5):
        model = nn.Linear(2, 3, rng=0)
        opt = nn.optim.SGD(model.parameters(), lr=0.0)  # no update: the epoch loss is the loss of the whole set
        loader = nn.data.DataLoader(X, Y, batch_size=batch_size, shuffle=False)
        losses.append(nn.fit(model, nn.MSELoss(reduction="batchmean"), opt, loader, 1, progress=False)["loss"][0])
    whole = nn.MSELoss(reduction="batchmean")(nn.Linear(2, 3, rng=0)(ag.tensor(X)), Y).item()
    np.testing.assert_allclose(losses, [whole, whole], rtol=1e-12)


# ---------------------------------------------- softmax into CrossEntropyLoss


def test_softmax_output_fed_to_cross_entropy_warns_with_the_fix(logits):
    probabilities = nn.Softmax()(logits)
    with pytest.warns(nn.LossInputWarning, match=r"expects logits.*0\.551 for C = 3.*Pass the logits.*NLLLoss"):
        nn.CrossEntropyLoss()(probabilities, LABELS)
    with pytest.warns(nn.LossInputWarning, match="expects logits"):
        F.cross_entropy(probabilities, LABELS)


def test_logits_and_log_softmax_do_not_warn(logits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.CrossEntropyLoss()(logits, LABELS)
        nn.CrossEntropyLoss()(logits * 2.0, LABELS)
        nn.NLLLoss()(nn.LogSoftmax()(logits), LABELS)
        # log_softmax is idempotent, so CE on log-probabilities is the right loss: no warning.
        nn.CrossEntropyLoss()(nn.LogSoftmax()(logits), LABELS)
        nn.BCEWithLogitsLoss()(logits, np.ones((4, 3)))
        nn.BCELoss()(nn.Sigmoid()(logits), np.ones((4, 3)))
        with ag.no_grad():  # no history to tell from
            nn.CrossEntropyLoss()(nn.Softmax()(logits), LABELS)


def test_softmax_into_nll_and_sigmoid_into_bce_with_logits_warn(logits):
    with pytest.warns(nn.LossInputWarning, match="log-probabilities.*log_softmax"):
        nn.NLLLoss()(nn.Softmax()(logits), LABELS)
    with pytest.warns(nn.LossInputWarning, match="expects logits z.*BCELoss"):
        nn.BCEWithLogitsLoss()(nn.Sigmoid()(logits), np.ones((4, 3)))


def test_the_warning_points_at_the_callers_line(logits):
    with pytest.warns(nn.LossInputWarning) as record:
        nn.CrossEntropyLoss()(nn.Softmax()(logits), LABELS)
    assert record[0].filename == __file__


def test_softmax_twice_cannot_go_below_the_floor():
    """With p = softmax(z) as logits the best case is p one-hot on the class: ℓ = log(1 + (C − 1)/e)."""
    for C in (2, 3, 10):
        floor = F.softmax_cross_entropy_floor(C)
        assert floor == pytest.approx(math.log(1 + (C - 1) / math.e))
        one_hot = ag.tensor(np.eye(C)[:1] * 1.0)
        assert F.cross_entropy(one_hot, [0]).item() == pytest.approx(floor)
        # the raw logits of a confident model reach far below it
        assert F.cross_entropy(ag.tensor(np.eye(C)[:1] * 20.0), [0]).item() < 1e-6
    assert F.softmax_cross_entropy_floor(3) == pytest.approx(0.5514, abs=1e-4)


# ---------------------------------------------------------------- Gaussian NLL


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gaussian_nll_matches_pytorch_values_and_gradients(var_shape, full, reduction, rng):
    torch = pytest.importorskip("torch")
    mu, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    var = rng.uniform(0.1, 2.0, size=var_shape)
    var.flat[0] = 1e-9  # below eps: clamped, with the gradient passed through as PyTorch does
    a, b = ag.tensor(mu, requires_grad=True), ag.tensor(var, requires_grad=True)
    at, bt = torch.tensor(mu, requires_grad=True), torch.tensor(var, requires_grad=True)
    ours = nn.GaussianNLLLoss(full=full, reduction=reduction)(a, y, b)
    theirs = torch.nn.GaussianNLLLoss(full=full, reduction=reduction)(at, torch.tensor(y), bt)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    seed = rng.normal(size=ours.shape)
    ours.backward(seed)
    theirs.backward(torch.tensor(seed))
    np.testing.assert_allclose(a.grad.data, at.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad.data, bt.grad.numpy(), rtol=1e-10)


def test_gaussian_nll_with_fixed_variance_is_the_notes_mse(rng):
    """Notes 003: −log p(y | x) = (y − f(x))² / (2σ²) + ½ log 2πσ², so its gradient is the MSE's over 2σ²."""
    sigma2 = 0.3
    mu, y = rng.normal(size=(6, 1)), rng.normal(size=(6, 1))
    a = ag.tensor(mu, requires_grad=True)
    loss = nn.GaussianNLLLoss(full=True)(a, y, sigma2)
    expected = np.mean((y - mu) ** 2 / (2 * sigma2) + 0.5 * np.log(2 * np.pi * sigma2))
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    loss.backward()
    b = ag.tensor(mu, requires_grad=True)
    nn.MSELoss()(b, y).backward()
    np.testing.assert_allclose(a.grad.data, b.grad.data / (2 * sigma2), rtol=1e-12)


def test_a_softplus_variance_head_learns_the_noise_level():
    """Two outputs, mean and softplus variance, trained on y = x + noise whose σ grows with |x|."""
    gen = np.random.default_rng(0)
    x = gen.uniform(-1, 1, (400, 1))
    sigma = 0.05 + 0.5 * np.abs(x)
    y = x + sigma * gen.normal(size=x.shape)
    model = nn.MLP([1, 16, 2], activation="tanh", rng=1)
    softplus, loss_fn = nn.Softplus(), nn.GaussianNLLLoss()
    opt = nn.optim.Adam(model.parameters(), lr=0.02)
    X = ag.tensor(x)
    for _ in range(300):
        opt.zero_grad()
        out = model(X)
        loss = loss_fn(out[:, :1], y, softplus(out[:, 1:]) + 1e-6)
        loss.backward()
        opt.step()
    with ag.no_grad():
        predicted_var = softplus(model(ag.tensor([[0.0], [0.9]]))[:, 1:]).data.ravel()
    true_var = (0.05 + 0.5 * np.array([0.0, 0.9])) ** 2
    assert predicted_var[1] > 5 * predicted_var[0]  # it learned that the noise grows with |x|
    np.testing.assert_allclose(predicted_var[1], true_var[1], rtol=0.5)


def test_gaussian_nll_rejects_bad_variances():
    mu = ag.tensor(np.zeros((4, 3)))
    with pytest.raises(InvalidArgumentError, match="negative"):
        nn.GaussianNLLLoss()(mu, np.zeros((4, 3)), -np.ones((4, 3)))
    with pytest.raises(InvalidArgumentError, match=">= 0"):
        nn.GaussianNLLLoss()(mu, np.zeros((4, 3)), -1.0)
    with pytest.raises(ShapeError, match=r"var \(2, 3\)"):
        nn.GaussianNLLLoss()(mu, np.zeros((4, 3)), np.ones((2, 3)))
    with pytest.raises(ShapeError, match="different shapes"):
        nn.GaussianNLLLoss()(mu, np.zeros((4, 1)), np.ones((4, 3)))
    with pytest.raises(InvalidArgumentError, match="eps"):
        nn.GaussianNLLLoss(eps=0.0)
    assert repr(nn.GaussianNLLLoss()) == "GaussianNLLLoss(full=False, eps=1e-06, reduction='mean')"
