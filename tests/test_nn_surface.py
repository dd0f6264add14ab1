"""nn's PyTorch-named activations and losses: values and gradients against PyTorch and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.errors import InvalidArgumentError, LabelError, ShapeError

RNG = np.random.default_rng(3)
# The kinks of the piecewise activations are included, where PyTorch's one-sided choices must be matched.
KINKS = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0])
X = np.concatenate([RNG.normal(0, 4, 40), KINKS])


ACTIVATIONS = [
    ("GELU()", "GELU()"),
    ("GELU('tanh')", "GELU(approximate='tanh')"),
    ("SELU()", "SELU()"),
    ("CELU()", "CELU()"),
    ("CELU(0.5)", "CELU(0.5)"),
    ("Mish()", "Mish()"),
    ("Hardtanh()", "Hardtanh()"),
    ("Hardtanh(-2.0, 3.0)", "Hardtanh(-2.0, 3.0)"),
    ("ReLU6()", "ReLU6()"),
    ("Hardsigmoid()", "Hardsigmoid()"),
    ("Hardswish()", "Hardswish()"),
    ("Softsign()", "Softsign()"),
    ("LogSigmoid()", "LogSigmoid()"),
    ("Softplus(beta=0.5, threshold=3.0)", "Softplus(beta=0.5, threshold=3.0)"),
    ("Softmin(dim=0)", "Softmin(dim=0)"),
    ("Softmax(dim=0)", "Softmax(dim=0)"),
    ("LogSoftmax(dim=0)", "LogSoftmax(dim=0)"),
    ("GLU(dim=0)", "GLU(dim=0)"),
    ("ReLU(inplace=True)", "ReLU()"),
]


@pytest.mark.parametrize(("ours", "theirs"), ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_modules_match_pytorch_at_and_between_kinks(ours, theirs):
    if ours == "GELU()":
        pytest.importorskip("scipy")
    torch = pytest.importorskip("torch")
    x = X[:46] if "GLU" in ours else X  # an even length to halve
    ours_mod, theirs_mod = eval("nn." + ours), eval("torch.nn." + theirs)
    xt, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours_mod(xt), theirs_mod(tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    seed = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(seed)
    ty.backward(torch.tensor(seed))
    rtol = 1e-7 if "Hardsigmoid" in ours else 1e-12  # PyTorch's kernel multiplies by 1/6 rounded to float32
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=rtol, atol=1e-14)


def test_activation_functions_are_the_modules():
    pytest.importorskip("scipy")
    x = ag.tensor(X)
    for fn, mod in [
        (F.gelu, nn.GELU()),
        (F.selu, nn.SELU()),
        (F.mish, nn.Mish()),
        (F.relu6, nn.ReLU6()),
        (F.hardsigmoid, nn.Hardsigmoid()),
        (F.hardswish, nn.Hardswish()),
        (F.softsign, nn.Softsign()),
        (F.logsigmoid, nn.LogSigmoid()),
        (F.hardtanh, nn.Hardtanh()),
    ]:
        np.testing.assert_array_equal(fn(x).data, mod(x).data)


def test_activation_closed_forms_without_pytorch():
    x = np.array([-4.0, -3.0, -1.0, 0.0, 0.5, 3.0, 4.0])
    xt = ag.tensor(x, requires_grad=True)
    F.hardswish(xt).backward(np.ones(7))
    np.testing.assert_allclose(xt.grad.data, [0, 0, 1 / 6, 0.5, 4 / 6, 1, 1])  # PyTorch's corner values
    np.testing.assert_allclose(
        F.selu(xt).data[[0, 4]], [1.0507009873554805 * 1.6732632423543772 * np.expm1(-4), 0.525350493677740]
    )
    np.testing.assert_allclose(F.softsign(xt).data, x / (1 + np.abs(x)))
    np.testing.assert_allclose(F.mish(xt).data, x * np.tanh(np.log1p(np.exp(x))))
    xt.zero_grad()
    F.relu6(xt * 2).backward(np.ones(7))
    np.testing.assert_array_equal(xt.grad.data, [0, 0, 0, 0, 2, 0, 0])  # 0 at the corners, as ReLU′(0) = 0


def test_activation_arguments_are_checked():
    with pytest.raises(InvalidArgumentError, match="min_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(InvalidArgumentError, match="alpha must not be 0"):
        nn.CELU(0.0)
    with pytest.raises(InvalidArgumentError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ShapeError, match="even length"):
        F.glu(ag.ones(2, 3))
    assert repr(nn.Softmin(dim=1)) == "Softmin(axis=1)" and repr(nn.GLU()) == "GLU(axis=-1)"
    from nn.activations import make_activation

    for name in ("selu", "celu", "mish", "hardtanh", "relu6", "hardsigmoid", "hardswish", "softsign", "logsigmoid"):
        assert make_activation(name)(ag.ones(2)).shape == (2,)
    assert type(make_activation("gelu")) is nn.GELU


# ---------------------------------------------------------------------- losses
def _compare(ours, theirs, arrays, grad_of=(0,), rtol=1e-10):
    """ours(*Tensors) against theirs(torch, *torch tensors): value and the gradients of the operands in grad_of."""
    torch = pytest.importorskip("torch")
    xs = [ag.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    ts = [torch.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    y, ty = ours(*xs), theirs(torch, *ts)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=rtol, atol=1e-12)
    seed = np.random.default_rng(2).standard_normal(y.shape)
    y.backward(seed)
    ty.backward(torch.tensor(seed))
    for i in grad_of:
        np.testing.assert_allclose(xs[i].grad.data, ts[i].grad.numpy(), rtol=rtol, atol=1e-12)


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (3, 5, 2), (2, 5, 3, 2)])
def test_cross_entropy_in_pytorch_layout_with_label_smoothing(shape, smoothing, reduction):
    z = RNG.standard_normal(shape)
    labels = RNG.integers(0, 5, shape[:1] + shape[2:] if len(shape) > 1 else ())
    probs = RNG.dirichlet(np.ones(5), shape[:1] + shape[2:] if len(shape) > 1 else ())
    probs = np.moveaxis(probs, -1, 1) if len(shape) > 1 else probs
    for target in (labels, probs):
        _compare(
            lambda z, t: F.cross_entropy(z, t, reduction, label_smoothing=smoothing),
            lambda torch, z, t: torch.nn.functional.cross_entropy(z, t, reduction=reduction, label_smoothing=smoothing),
            [z, target],
        )


def test_cross_entropy_module_and_checks():
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)
    z = ag.tensor(RNG.standard_normal((4, 3, 2)))
    assert loss(z, RNG.integers(0, 3, (4, 2))).shape == ()
    with pytest.raises(LabelError):
        loss(z, np.full((4, 2), 3))
    with pytest.raises(InvalidArgumentError, match="label_smoothing"):
        F.cross_entropy(z, np.zeros((4, 2), int), label_smoothing=1.5)
    # ε = 1 is the uniform target: the loss is the mean negative log-probability over classes
    z2 = RNG.standard_normal((3, 4))
    expected = -(z2 - np.log(np.exp(z2).sum(1, keepdims=True))).mean(1).mean()
    assert F.cross_entropy(ag.tensor(z2), [0, 1, 2], label_smoothing=1.0).item() == pytest.approx(expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_in_pytorch_layout(reduction):
    logp = np.log(RNG.dirichlet(np.ones(4), (3, 2))).transpose(0, 2, 1)  # (N, C, d)
    labels = RNG.integers(0, 4, (3, 2))
    _compare(
        lambda x, t: F.nll_loss(x, t, reduction),
        lambda torch, x, t: torch.nn.functional.nll_loss(x, t, reduction=reduction),
        [logp, labels],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_with_logits_pos_weight_and_weight(reduction, weighted):
    z, y = RNG.normal(0, 3, (6, 3)), RNG.integers(0, 2, (6, 3)).astype(float)
    pos = np.array([0.5, 2.0, 5.0])
    w = RNG.uniform(0.1, 2.0, (6, 1)) if weighted else None
    _compare(
        lambda z, y, p: F.binary_cross_entropy_with_logits(z, y, reduction, weight=w, pos_weight=p),
        lambda torch, z, y, p: torch.nn.functional.binary_cross_entropy_with_logits(
            z, y, weight=None if w is None else torch.tensor(w), pos_weight=p, reduction=reduction
        ),
        [z, y, pos],
        grad_of=(0, 1),  # PyTorch does not differentiate pos_weight
    )


def test_bce_with_logits_pos_weight_is_stable_and_checked():
    z = ag.tensor([-800.0, 800.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(z, [1.0, 0.0], "sum", pos_weight=np.array([2.0]))
    assert loss.item() == pytest.approx(2 * 800 + 800)
    loss.backward()
    assert np.isfinite(z.grad.data).all()
    # the library also differentiates pos_weight (PyTorch does not)
    zs, ys = ag.tensor(RNG.normal(size=(4, 2))), RNG.integers(0, 2, (4, 2)).astype(float)
    assert ag.gradcheck(
        lambda p: F.binary_cross_entropy_with_logits(zs, ys, pos_weight=p), [ag.tensor([0.5, 3.0], requires_grad=True)]
    )
    with pytest.raises(ShapeError, match="pos_weight of shape"):
        F.binary_cross_entropy_with_logits(ag.zeros(2, 3), np.zeros((2, 3)), pos_weight=np.ones(2))


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", ["mean", "sum", "batchmean", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    logq = np.log(RNG.dirichlet(np.ones(4), 5))
    p = RNG.dirichlet(np.ones(4), 5)
    p[0, 1] = 0.0  # 0·log 0 = 0
    target = np.log(p + 1e-3) if log_target else p
    _compare(
        lambda x, t: F.kl_div(x, t, reduction, log_target),
        lambda torch, x, t: torch.nn.functional.kl_div(x, t, reduction=reduction, log_target=log_target),
        [logq, target],
        grad_of=(0,),
    )
    if reduction == "batchmean" and not log_target:  # the KL divergence per example
        kl = np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0).sum() - (p * logq).sum()
        assert nn.KLDivLoss("batchmean")(ag.tensor(logq), p).item() == pytest.approx(kl / 5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.3, 0.0])
def test_smooth_l1(reduction, beta):
    a, b = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    _compare(
        lambda a, b: nn.SmoothL1Loss(reduction, beta)(a, b),
        lambda torch, a, b: torch.nn.functional.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
        [a, b],
        grad_of=(0, 1),
    )


@pytest.mark.parametrize(
    ("s1", "s2", "dim"), [((4, 3), (4, 3), 1), ((4, 3), (3,), -1), ((2, 3, 4), (2, 1, 4), 1), ((5,), (5,), 0)]
)
def test_cosine_similarity_with_broadcasting(s1, s2, dim):
    _compare(
        lambda a, b: F.cosine_similarity(a, b, dim=dim),
        lambda torch, a, b: torch.nn.functional.cosine_similarity(a, b, dim=dim),
        [RNG.normal(size=s1), RNG.normal(size=s2)],
        grad_of=(0, 1),
    )


def test_cosine_similarity_of_zero_and_tiny_vectors_matches_pytorch():
    a = np.array([[0.0, 0.0, 0.0], [1e-9, 0.0, 0.0], [1.0, 2.0, 3.0]])
    b = np.array([[1.0, 2.0, 3.0], [0.0, 1e-9, 1e-9], [3e-5, -1e-5, 2e-5]])
    _compare(
        lambda a, b: nn.CosineSimilarity(dim=1)(a, b),
        lambda torch, a, b: torch.nn.CosineSimilarity(dim=1)(a, b),
        [a, b],
        grad_of=(0, 1),
        rtol=1e-9,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("log_input", "full"), [(True, False), (False, False), (True, True), (False, True)])
def test_poisson_nll(reduction, log_input, full):
    x = RNG.normal(size=(4, 3)) if log_input else RNG.uniform(0.1, 3.0, (4, 3))
    y = RNG.poisson(2.0, (4, 3)).astype(float)
    _compare(
        lambda x, y: nn.PoissonNLLLoss(log_input, full, reduction=reduction)(x, y),
        lambda torch, x, y: torch.nn.functional.poisson_nll_loss(
            x, y, log_input=log_input, full=full, reduction=reduction
        ),
        [x, y],
        grad_of=(0,),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_margin_ranking(reduction, margin):
    a, b = RNG.normal(size=8), RNG.normal(size=8)
    b[0] = a[0]  # on the hinge, where PyTorch's clamp passes the gradient
    y = RNG.choice([-1.0, 1.0], 8)
    _compare(
        lambda a, b, y: nn.MarginRankingLoss(margin, reduction=reduction)(a, b, y),
        lambda torch, a, b, y: torch.nn.functional.margin_ranking_loss(a, b, y, margin=margin, reduction=reduction),
        [a, b, y],
        grad_of=(0, 1),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 2.0])
def test_hinge_embedding(reduction, margin):
    x = np.abs(RNG.normal(size=(3, 4))) * 2
    y = RNG.choice([-1.0, 1.0], (3, 4))
    _compare(
        lambda x, y: nn.HingeEmbeddingLoss(margin, reduction=reduction)(x, y),
        lambda torch, x, y: torch.nn.functional.hinge_embedding_loss(x, y, margin=margin, reduction=reduction),
        [x, y],
    )


def test_loss_arguments_are_checked():
    a = ag.zeros(3)
    with pytest.raises(InvalidArgumentError, match="beta"):
        F.smooth_l1_loss(a, np.zeros(3), beta=-1.0)
    with pytest.raises(InvalidArgumentError, match="reduction"):
        F.kl_div(a, np.zeros(3), "average")
    with pytest.raises(ShapeError, match="different shapes"):
        F.hinge_embedding_loss(a, np.ones((3, 1)))
    with pytest.raises(ShapeError, match="target"):
        F.margin_ranking_loss(a, a, np.ones(4))
    with pytest.raises(ShapeError, match="do not broadcast"):
        F.cosine_similarity(ag.zeros(2, 3), ag.zeros(2, 4))
