"""Every loss's value and gradient against its closed form, each reduction, the error paths, and PyTorch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.errors import DtypeError, ShapeError


def sig(x):
    return 1 / (1 + np.exp(-x))


def reduce(per, reduction):
    return {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]


def grad_scale(per, reduction):
    return 1.0 / per.size if reduction == "mean" else 1.0


# name → (module factory, per-element loss ℓ(ŷ, y), ∂ℓ/∂ŷ, target maker)
def huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


ELEMENTWISE = {
    "mse": (nn.MSELoss, lambda p, y: (p - y) ** 2, lambda p, y: 2 * (p - y)),
    "l1": (nn.L1Loss, lambda p, y: np.abs(p - y), lambda p, y: np.sign(p - y)),
    "huber": (
        lambda r: nn.HuberLoss(0.8, reduction=r),
        lambda p, y: huber(p - y, 0.8),
        lambda p, y: np.clip(p - y, -0.8, 0.8),
    ),
    "bce_logits": (
        nn.BCEWithLogitsLoss,
        lambda z, y: -(y * np.log(sig(z)) + (1 - y) * np.log(1 - sig(z))),
        lambda z, y: sig(z) - y,
    ),
}

pairs = st.integers(1, 4).flatmap(
    lambda n: st.tuples(
        hnp.arrays(np.float64, (n, 3), elements=st.floats(-5, 5)),
        hnp.arrays(np.float64, (n, 3), elements=st.floats(0, 1)),
    )
)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@given(data=pairs)
def test_elementwise_losses_match_closed_forms(name, reduction, data):
    p, y = data
    make, loss, dloss = ELEMENTWISE[name]
    pt = ag.tensor(p, requires_grad=True)
    out = make(reduction)(pt, ag.tensor(y))
    np.testing.assert_allclose(out.data, reduce(loss(p, y), reduction), rtol=1e-10, atol=1e-12)
    out.backward(np.ones(out.shape))
    np.testing.assert_allclose(pt.grad.data, dloss(p, y) * grad_scale(p, reduction), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@given(
    data=st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, (n, 2), elements=st.floats(0.01, 0.99)),
            hnp.arrays(np.float64, (n, 2), elements=st.floats(0, 1)),
        )
    )
)
def test_bce_matches_closed_form(reduction, data):
    p, y = data
    pt = ag.tensor(p, requires_grad=True)
    out = nn.BCELoss(reduction)(pt, y)
    np.testing.assert_allclose(out.data, reduce(-(y * np.log(p) + (1 - y) * np.log(1 - p)), reduction), rtol=1e-10)
    out.backward(np.ones(out.shape))
    # ∂ℓ/∂p = (p − y) / (p(1 − p))
    np.testing.assert_allclose(pt.grad.data, (p - y) / (p * (1 - p)) * grad_scale(p, reduction), rtol=1e-9)


def test_bce_clamps_each_log_at_minus_100_like_pytorch():
    p = ag.tensor([0.0, 1.0, 1.0, 0.0], requires_grad=True)
    y = np.array([1.0, 0.0, 1.0, 0.0])
    out = nn.BCELoss("none")(p, y)
    np.testing.assert_allclose(out.data, [100.0, 100.0, 0.0, 0.0])
    out.sum().backward()
    assert np.all(np.isfinite(p.grad.data))


def test_bce_with_logits_is_stable_for_huge_logits_and_multilabel():
    z = ag.tensor([[800.0, -800.0, 0.0]], requires_grad=True)
    y = np.array([[0.0, 0.0, 1.0]])
    out = nn.BCEWithLogitsLoss("none")(z, y)
    np.testing.assert_allclose(out.data, [[800.0, 0.0, np.log(2)]])
    out.sum().backward()
    np.testing.assert_allclose(z.grad.data, [[1.0, 0.0, -0.5]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@given(z=hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 4)), elements=st.floats(-20, 20)))
def test_cross_entropy_with_labels_and_probabilities_matches_closed_form(reduction, z):
    n, c = z.shape
    labels = np.arange(n) % c
    lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
    soft = np.exp(z - lse[:, None])
    onehot = np.eye(c)[labels]
    for target in (labels, onehot):
        zt = ag.tensor(z, requires_grad=True)
        out = nn.CrossEntropyLoss(reduction)(zt, target)
        np.testing.assert_allclose(out.data, reduce(lse - z[np.arange(n), labels], reduction), rtol=1e-10, atol=1e-10)
        out.backward(np.ones(out.shape))
        # ∂ℓ/∂z = softmax(z) − onehot
        np.testing.assert_allclose(zt.grad.data, (soft - onehot) * grad_scale(lse, reduction), atol=1e-10)


def test_cross_entropy_with_soft_targets():
    z = np.array([[1.0, 2.0, 0.5]])
    p = np.array([[0.2, 0.5, 0.3]])
    zt = ag.tensor(z, requires_grad=True)
    out = F.cross_entropy(zt, p)
    logsm = z - np.log(np.exp(z).sum())
    np.testing.assert_allclose(out.item(), -(p * logsm).sum())
    out.backward()
    np.testing.assert_allclose(zt.grad.data, np.exp(logsm) - p)


def test_nll_of_log_softmax_is_cross_entropy():
    z = np.random.default_rng(0).normal(size=(6, 4))
    y = np.array([0, 3, 1, 2, 2, 0])
    for reduction in ("mean", "sum", "none"):
        a = ag.tensor(z, requires_grad=True)
        b = ag.tensor(z, requires_grad=True)
        la = nn.NLLLoss(reduction)(nn.LogSoftmax()(a), y)
        lb = nn.CrossEntropyLoss(reduction)(b, y)
        np.testing.assert_allclose(la.data, lb.data, rtol=1e-12)
        la.sum().backward()
        lb.sum().backward()
        np.testing.assert_allclose(a.grad.data, b.grad.data, atol=1e-12)
    logp = ag.tensor(np.log([[0.5, 0.25, 0.25]]), requires_grad=True)
    loss = F.nll_loss(logp, [1])
    assert loss.item() == pytest.approx(np.log(4))
    loss.backward()
    np.testing.assert_array_equal(logp.grad.data, [[0.0, -1.0, 0.0]])


def test_mse_sum_is_the_notes_sse():
    p, y = np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 2.0])
    assert nn.MSELoss("sum")(ag.tensor(p), y).item() == 5.0
    assert nn.MSELoss()(ag.tensor(p), y).item() == pytest.approx(5.0 / 3)


def test_penalties_and_their_gradients():
    w = nn.Parameter([[1.0, -2.0]])
    b = nn.Parameter([0.5])
    l2 = nn.l2_penalty([w, b])
    assert l2.item() == pytest.approx(5.25)
    l2.backward()
    np.testing.assert_allclose(w.grad.data, [[2.0, -4.0]])
    w.grad = b.grad = None
    nn.l1_penalty([w, b]).backward()
    np.testing.assert_allclose(w.grad.data, [[1.0, -1.0]])
    with pytest.raises(ValueError, match="empty parameter list"):
        nn.l2_penalty([])


def test_loss_error_paths():
    z = ag.randn(4, 3, requires_grad=True)
    with pytest.raises(ValueError, match=r"class label 3 is outside the range \[0, 3\)"):
        nn.CrossEntropyLoss()(z, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"class label -1 is outside the range \[0, 3\)"):
        nn.NLLLoss()(z, np.array([0, -1, 2, 1]))
    with pytest.raises(ShapeError, match=r"\(4, 3\).*\(5,\)"):  # different batch sizes: both shapes named
        nn.CrossEntropyLoss()(z, np.array([0, 1, 2, 1, 0]))
    with pytest.raises(ShapeError, match="same batch size"):
        nn.NLLLoss()(z, np.array([0, 1, 2]))
    with pytest.raises(ShapeError, match="same batch size"):
        nn.CrossEntropyLoss()(z, np.zeros((5, 3)))
    with pytest.raises(DtypeError, match=r"look like class labels.*y.astype\(int\)"):
        nn.CrossEntropyLoss()(z, np.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(DtypeError, match="must be integers"):
        nn.NLLLoss()(z, np.array([True, False, True, True]))
    one_hot = np.eye(3, dtype=np.int64)[[0, 1, 2, 1]]  # integer one-hot rows: labels or floats, not both
    with pytest.raises(
        DtypeError, match=r"look like one-hot rows; pass the class labels \(y.argmax\(-1\), shape \(4,\)\) or"
    ):
        nn.CrossEntropyLoss()(z, one_hot)
    with pytest.raises(
        DtypeError, match=r"look like one-hot rows; pass the class labels \(y.argmax\(-1\), shape \(4,\)\)$"
    ):
        nn.NLLLoss()(z, one_hot)
    assert nn.CrossEntropyLoss()(z, one_hot.astype(float)).item() == pytest.approx(
        nn.CrossEntropyLoss()(z, one_hot.argmax(-1)).item()
    )
    with pytest.raises(ShapeError, match="class axis"):
        F.cross_entropy(ag.tensor(1.0), np.array(0))
    with pytest.raises(ShapeError, match="class axis"):
        F.nll_loss(ag.tensor(1.0), np.array(0))
    with pytest.raises(ShapeError, match=r"different shapes.*target.reshape\(4, 1\)"):
        nn.MSELoss()(ag.randn(4, 1), np.zeros(4))
    with pytest.raises(ShapeError, match="different shapes"):
        nn.BCEWithLogitsLoss()(ag.randn(4, 1), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*BCEWithLogitsLoss"):
        nn.BCELoss()(ag.tensor([0.5, 1.5]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'batchmean', 'none', not 'avg'"):
        nn.MSELoss("avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.l1_loss(ag.zeros(2), np.zeros(2), reduction="max")
    with pytest.raises(ValueError, match="delta must be a positive number"):
        F.huber_loss(ag.zeros(2), np.zeros(2), delta=0)


def test_loss_reprs():
    assert repr(nn.MSELoss("sum")) == "MSELoss(reduction='sum')"
    assert repr(nn.HuberLoss(delta=2.0)) == "HuberLoss(reduction='mean', delta=2.0)"


def test_huber_loss_takes_delta_positionally_as_the_notes_write_it():
    """HuberLoss(δ) with δ = 2: d = [1, −3] gives ½·1² = 0.5 and 2·(3 − 1) = 4, mean 2.25."""
    pred, target = ag.tensor([1.0, -3.0]), np.zeros(2)
    loss = nn.HuberLoss(2.0)
    assert loss.delta == 2.0 and loss.reduction == "mean"
    assert loss(pred, target).item() == pytest.approx(2.25)
    assert nn.HuberLoss(2.0, reduction="sum")(pred, target).item() == pytest.approx(4.5)
    np.testing.assert_allclose(nn.HuberLoss(2.0, reduction="none")(pred, target).data, [0.5, 4.0])
    with pytest.raises(ValueError, match=r"takes delta first.*HuberLoss\(reduction='sum'\)"):
        nn.HuberLoss("sum")
    for bad in (0.0, -1.0, float("nan"), None):
        with pytest.raises(ValueError, match="delta must be a positive number"):
            nn.HuberLoss(bad)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    ("ours", "theirs", "target_kind"),
    [
        ("MSELoss", "MSELoss", "real"),
        ("L1Loss", "L1Loss", "real"),
        ("HuberLoss", "HuberLoss", "real"),
        ("BCELoss", "BCELoss", "prob"),
        ("BCEWithLogitsLoss", "BCEWithLogitsLoss", "prob"),
        ("CrossEntropyLoss", "CrossEntropyLoss", "label"),
        ("CrossEntropyLoss", "CrossEntropyLoss", "prob"),
        ("NLLLoss", "NLLLoss", "label"),
    ],
)
def test_losses_match_pytorch(ours, theirs, target_kind, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.normal(0, 2, (5, 4))
    if ours == "BCELoss":
        x = sig(x)
    if ours == "NLLLoss":
        x = x - np.log(np.exp(x).sum(1, keepdims=True))
    target = {
        "real": rng.normal(size=(5, 4)),
        "prob": rng.dirichlet(np.ones(4), 5) if ours == "CrossEntropyLoss" else rng.uniform(size=(5, 4)),
        "label": rng.integers(0, 4, 5),
    }[target_kind]
    xt = ag.tensor(x, requires_grad=True)
    xp = torch.tensor(x, requires_grad=True)
    out = getattr(nn, ours)(reduction=reduction)(xt, target)
    ref = getattr(torch.nn, theirs)(reduction=reduction)(xp, torch.tensor(target))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed = rng.normal(size=out.shape)
    out.backward(seed)
    ref.backward(torch.tensor(seed))
    np.testing.assert_allclose(xt.grad.data, xp.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_bce_clamping_matches_pytorch_values():
    torch = pytest.importorskip("torch")
    p = np.array([0.0, 1.0, 1e-50, 1 - 1e-17, 0.3])
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
    ours = nn.BCELoss("none")(ag.tensor(p), y).data
    theirs = torch.nn.BCELoss(reduction="none")(torch.tensor(p), torch.tensor(y)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("loss", [nn.MSELoss(), nn.L1Loss(), nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.HuberLoss()])
def test_regression_and_binary_losses_keep_float32(loss):
    p = ag.tensor([0.2, 0.7, 0.9], dtype=np.float32, requires_grad=True)
    value = loss(p, np.array([0.0, 1.0, 1.0]))
    value.backward()
    assert value.dtype == np.float32 and p.grad.dtype == np.float32
