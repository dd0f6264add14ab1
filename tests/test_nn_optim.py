"""Optimizers against hand-computed steps (always) and PyTorch (when installed); groups, state, LBFGS, schedules, clipping."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn

GRADS = [1.0, 2.0, -1.0, 0.5, -3.0]


def run_scalar(make, grads=GRADS, p0=1.0):
    """Positions of a single scalar parameter after each step with the given gradients."""
    p = ag.tensor([p0], requires_grad=True)
    opt = make([p])
    out = []
    for g in grads:
        p.grad = ag.tensor([g])
        opt.step()
        out.append(p.data[0])
    return out


def test_sgd_hand_computed_steps():
    # Plain: p ← p − lr·g.
    np.testing.assert_allclose(run_scalar(lambda ps: nn.optim.SGD(ps, lr=0.1), GRADS[:3]), [0.9, 0.7, 0.8])
    # Momentum 0.9: v = 1, 2.9, 1.61; p = 0.9, 0.61, 0.449.
    np.testing.assert_allclose(
        run_scalar(lambda ps: nn.optim.SGD(ps, lr=0.1, momentum=0.9), GRADS[:3]), [0.9, 0.61, 0.449]
    )
    # Nesterov: p ← p − lr·(g + μ·v): steps 1.9, 4.61, 0.449.
    np.testing.assert_allclose(
        run_scalar(lambda ps: nn.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), GRADS[:3]), [0.81, 0.349, 0.3041]
    )
    # Weight decay: g ← g + λ·p: 1 + 0.1·1 = 1.1 → 0.89; 2 + 0.089 → 0.89 − 0.2089 = 0.6811.
    np.testing.assert_allclose(
        run_scalar(lambda ps: nn.optim.SGD(ps, lr=0.1, weight_decay=0.1), GRADS[:2]), [0.89, 0.6811]
    )
    # Dampening τ: v ← μ·v + (1 − τ)·g after the first step: v = 1, 0.9 + 0.5·2 = 1.9.
    np.testing.assert_allclose(
        run_scalar(lambda ps: nn.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5), GRADS[:2]), [0.9, 0.71]
    )


def adam_reference(grads, lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, decoupled=False, amsgrad=False, p=1.0):
    m = v = vmax = 0.0
    out = []
    for t, g in enumerate(grads, 1):
        if decoupled:
            p *= 1 - lr * wd
        else:
            g += wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = max(vmax, v)
        vhat = (vmax if amsgrad else v) / (1 - b2**t)
        p -= lr * (m / (1 - b1**t)) / (math.sqrt(vhat) + eps)
        out.append(p)
    return out


def test_adam_and_adamw_hand_computed_steps():
    # First step: m̂ = g, v̂ = g², so p moves by lr·g / (|g| + ε) ≈ lr·sign(g).
    assert run_scalar(lambda ps: nn.optim.Adam(ps, lr=0.1), [1.0])[0] == pytest.approx(0.9, abs=1e-8)
    cases = [
        (lambda ps: nn.optim.Adam(ps, lr=0.1), dict(lr=0.1)),
        (
            lambda ps: nn.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
            dict(lr=0.05, b1=0.8, b2=0.99, wd=0.1),
        ),
        (lambda ps: nn.optim.Adam(ps, lr=0.1, amsgrad=True), dict(lr=0.1, amsgrad=True)),
        (lambda ps: nn.optim.AdamW(ps, lr=0.1), dict(lr=0.1, wd=0.01, decoupled=True)),
        (
            lambda ps: nn.optim.AdamW(ps, lr=0.1, weight_decay=0.5, amsgrad=True),
            dict(lr=0.1, wd=0.5, decoupled=True, amsgrad=True),
        ),
    ]
    for make, ref in cases:
        np.testing.assert_allclose(run_scalar(make), adam_reference(GRADS, **ref), rtol=1e-12)


def rmsprop_reference(grads, lr, alpha=0.99, eps=1e-8, wd=0.0, momentum=0.0, centered=False, p=1.0):
    s = ga = buf = 0.0
    out = []
    for g in grads:
        g += wd * p
        s = alpha * s + (1 - alpha) * g * g
        ga = alpha * ga + (1 - alpha) * g
        denom = math.sqrt(s - ga * ga if centered else s) + eps
        if momentum:
            buf = momentum * buf + g / denom
            p -= lr * buf
        else:
            p -= lr * g / denom
        out.append(p)
    return out


def adagrad_reference(grads, lr, lr_decay=0.0, wd=0.0, init=0.0, eps=1e-10, p=1.0):
    s = init
    out = []
    for t, g in enumerate(grads, 1):
        g += wd * p
        s += g * g
        p -= lr / (1 + (t - 1) * lr_decay) * g / (math.sqrt(s) + eps)
        out.append(p)
    return out


def test_rmsprop_and_adagrad_hand_computed_steps():
    # RMSprop's first step: s = (1 − α)g², so p moves by lr·g / (√(1 − α)·|g|) = 0.01 / 0.1 = 0.1.
    assert run_scalar(lambda ps: nn.optim.RMSprop(ps), [1.0])[0] == pytest.approx(0.9)
    rms = [
        (lambda ps: nn.optim.RMSprop(ps, lr=0.01), dict(lr=0.01)),
        (
            lambda ps: nn.optim.RMSprop(ps, lr=0.01, centered=True, momentum=0.5, weight_decay=0.1),
            dict(lr=0.01, centered=True, momentum=0.5, wd=0.1),
        ),
        (lambda ps: nn.optim.RMSprop(ps, lr=0.02, alpha=0.9, momentum=0.9), dict(lr=0.02, alpha=0.9, momentum=0.9)),
    ]
    for make, ref in rms:
        np.testing.assert_allclose(run_scalar(make), rmsprop_reference(GRADS, **ref), rtol=1e-12)
    # Adagrad's first step: s = g², so p moves by lr.
    assert run_scalar(lambda ps: nn.optim.Adagrad(ps, lr=0.1), [5.0])[0] == pytest.approx(0.9)
    ada = [
        (lambda ps: nn.optim.Adagrad(ps, lr=0.1), dict(lr=0.1)),
        (
            lambda ps: nn.optim.Adagrad(ps, lr=0.1, lr_decay=0.5, weight_decay=0.2, initial_accumulator_value=0.3),
            dict(lr=0.1, lr_decay=0.5, wd=0.2, init=0.3),
        ),
    ]
    for make, ref in ada:
        np.testing.assert_allclose(run_scalar(make), adagrad_reference(GRADS, **ref), rtol=1e-12)


def test_pytorch_defaults():
    p = [ag.zeros(1, requires_grad=True)]
    assert nn.optim.SGD(p).defaults == dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)
    assert nn.optim.Adam(p).defaults == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False)
    assert nn.optim.AdamW(p).defaults["weight_decay"] == 1e-2
    assert nn.optim.RMSprop(p).defaults == dict(
        lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False
    )
    assert nn.optim.Adagrad(p).defaults == dict(
        lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10
    )


OPTIMIZER_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, dampening=0.3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5)),
]


@pytest.mark.torch
@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZER_CASES)
def test_optimizers_match_pytorch_over_several_steps(name, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), (2, 3)]
    init = [rng.normal(size=s) for s in shapes]
    ours = [ag.tensor(a, requires_grad=True) for a in init]
    theirs = [torch.tensor(a, requires_grad=True) for a in init]
    opt = getattr(nn.optim, name)(ours, **kwargs)
    ref = getattr(torch.optim, name)(theirs, **kwargs)
    for _ in range(6):
        grads = [rng.normal(size=s) for s in shapes]
        for p, q, g in zip(ours, theirs, grads, strict=True):
            p.grad = ag.tensor(g)
            q.grad = torch.tensor(g)
        opt.step()
        ref.step()
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=0, atol=1e-8)


def test_gradients_are_not_modified_and_params_without_grad_are_skipped():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0], requires_grad=True)
    a.grad = ag.tensor([0.5, 0.5])
    opt = nn.optim.SGD([a, b], lr=0.1, momentum=0.9, weight_decay=0.1)
    opt.step()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.5])
    np.testing.assert_array_equal(b.data, [3.0])
    assert b not in opt.state


def test_float32_parameters_stay_float32():
    for name, kwargs in OPTIMIZER_CASES:
        p = ag.tensor(np.ones(3, np.float32), requires_grad=True)
        p.grad = ag.tensor(np.full(3, 0.5, np.float32))
        opt = getattr(nn.optim, name)([p], **kwargs)
        opt.step()
        opt.step()
        assert p.dtype == np.float32


def test_param_groups_take_defaults_and_their_own_settings():
    a = ag.tensor([1.0], requires_grad=True)
    b = ag.tensor([1.0], requires_grad=True)
    opt = nn.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    a.grad = ag.tensor([1.0])
    b.grad = ag.tensor([1.0])
    opt.step()
    np.testing.assert_allclose([a.item(), b.item()], [0.9, 0.5])
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    c = ag.tensor([1.0], requires_grad=True)
    opt.add_param_group({"params": [c], "momentum": 0.9})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.9
    assert "Parameter Group 2" in repr(opt)


def test_optimizer_error_paths():
    with pytest.raises(ValueError, match="empty parameter list.*model.parameters"):
        nn.optim.Adam([])
    with pytest.raises(ValueError, match="empty parameter list"):
        nn.optim.SGD(nn.Identity().parameters(), lr=0.1)
    with pytest.raises(ValueError, match="requires_grad=False"):
        nn.optim.SGD([ag.zeros(2)], lr=0.1)
    x = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf"):
        nn.optim.SGD([x * 2], lr=0.1)
    with pytest.raises(TypeError, match="optimizes Tensors"):
        nn.optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="more than one group"):
        nn.optim.SGD([{"params": [x]}, {"params": [x]}], lr=0.1)
    with pytest.raises(ValueError, match=r"unknown hyper-parameter\(s\) \['betas'\]"):
        nn.optim.SGD([{"params": [x], "betas": (0.9, 0.9)}])
    with pytest.raises(TypeError, match='"params" entry'):
        nn.optim.SGD([{"lr": 0.1}])
    with pytest.raises(ValueError, match="lr must be >= 0"):
        nn.optim.SGD([x], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        nn.optim.SGD([x], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        nn.optim.Adam([x], betas=(1.0, 0.9))


def test_state_dict_resumes_training_exactly():
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=3) for _ in range(6)]
    p = ag.tensor(np.ones(3), requires_grad=True)
    opt = nn.optim.Adam([p], lr=0.1, amsgrad=True)
    for g in grads[:3]:
        p.grad = ag.tensor(g)
        opt.step()
    saved_params, saved_state = p.data.copy(), opt.state_dict()
    assert saved_state["state"][0]["step"] == 3 and saved_state["param_groups"][0]["params"] == [0]
    for g in grads[3:]:
        p.grad = ag.tensor(g)
        opt.step()
    q = ag.tensor(saved_params, requires_grad=True)
    resumed = nn.optim.Adam([q], lr=0.5)
    resumed.load_state_dict(saved_state)
    assert resumed.param_groups[0]["lr"] == 0.1
    for g in grads[3:]:
        q.grad = ag.tensor(g)
        resumed.step()
    np.testing.assert_array_equal(q.data, p.data)
    with pytest.raises(ValueError, match="saved groups hold"):
        nn.optim.Adam([q, ag.zeros(1, requires_grad=True)]).load_state_dict(saved_state)


def rosenbrock(xy):
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def test_lbfgs_minimises_rosenbrock_with_its_line_search():
    xy = ag.tensor([-1.5, 2.0], requires_grad=True)
    opt = nn.optim.LBFGS([xy], max_iter=100, max_eval=200, tolerance_grad=1e-10, tolerance_change=1e-14)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(xy)
        loss.backward()
        return loss

    first = opt.step(closure)
    assert first.item() == pytest.approx(rosenbrock(ag.tensor([-1.5, 2.0])).item())
    for _ in range(5):
        opt.step(closure)
    np.testing.assert_allclose(xy.data, [1.0, 1.0], atol=1e-6)
    state = opt.state_dict()["state"][0]
    assert state["func_evals"] < 400 and len(state["old_dirs"]) > 0


def test_lbfgs_solves_least_squares_in_a_few_iterations():
    rng = np.random.default_rng(0)
    A, b = rng.normal(size=(20, 5)), rng.normal(size=20)
    w = nn.Parameter(np.zeros(5))
    opt = nn.optim.LBFGS([w], history_size=10)

    def closure():
        opt.zero_grad()
        r = ag.tensor(A) @ w - b
        loss = (r * r).sum()
        loss.backward()
        return loss

    opt.step(closure)  # one call: at most max_iter = 20 iterations, max_eval = 25 evaluations
    np.testing.assert_allclose(w.data, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-5)
    assert opt.state_dict()["state"][0]["func_evals"] <= 25


def test_lbfgs_error_paths():
    a = ag.zeros(2, requires_grad=True)
    opt = nn.optim.LBFGS([a])
    with pytest.raises(ValueError, match="needs a closure"):
        opt.step()
    with pytest.raises(ValueError, match="single parameter group"):
        nn.optim.LBFGS([{"params": [a]}, {"params": [ag.zeros(1, requires_grad=True)]}])


def lrs(scheduler, epochs=8):
    out = []
    for _ in range(epochs):
        out.append(scheduler.get_last_lr()[0])
        scheduler.step()
    return out


def make_opt(lr=1.0):
    return nn.optim.SGD([ag.zeros(1, requires_grad=True)], lr=lr)


def test_schedules_closed_forms():
    # The notes' ρ_r = ρ₀ / r, r = 1, 2, 3, ...
    np.testing.assert_allclose(lrs(nn.optim.InverseTimeLR(make_opt(0.6)), 4), [0.6, 0.3, 0.2, 0.15])
    np.testing.assert_allclose(lrs(nn.optim.InverseTimeLR(make_opt(1.0), decay=0.5), 3), [1.0, 1 / 1.5, 0.5])
    np.testing.assert_allclose(
        lrs(nn.optim.StepLR(make_opt(), step_size=3, gamma=0.5), 7), [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    )
    np.testing.assert_allclose(lrs(nn.optim.ExponentialLR(make_opt(), gamma=0.9), 3), [1, 0.9, 0.81])
    np.testing.assert_allclose(
        lrs(nn.optim.CosineAnnealingLR(make_opt(), T_max=4, eta_min=0.2), 5),
        [1, 0.8828427, 0.6, 0.3171573, 0.2],
        rtol=1e-6,
    )


def test_schedule_state_dict_and_errors():
    opt = make_opt()
    sched = nn.optim.StepLR(opt, step_size=2)
    for _ in range(3):
        sched.step()
    saved = sched.state_dict()
    other = nn.optim.StepLR(make_opt(), step_size=5)
    other.load_state_dict(saved)
    assert other.last_epoch == 3 and other.get_last_lr() == pytest.approx([0.1])
    with pytest.raises(ValueError, match="step_size"):
        nn.optim.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        nn.optim.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(ValueError, match="decay"):
        nn.optim.InverseTimeLR(opt, decay=-1)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("StepLR(opt, step_size=3, gamma=0.5)", "StepLR(opt, step_size=3, gamma=0.5)"),
        ("ExponentialLR(opt, gamma=0.8)", "ExponentialLR(opt, gamma=0.8)"),
        ("CosineAnnealingLR(opt, T_max=5, eta_min=0.1)", "CosineAnnealingLR(opt, T_max=5, eta_min=0.1)"),
    ],
)
def test_schedules_match_pytorch(ours, theirs):
    torch = pytest.importorskip("torch")
    opt = make_opt(0.7)
    mine = eval("nn.optim." + ours)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.7)
    ref = eval("torch.optim.lr_scheduler." + theirs)
    expected = []
    for _ in range(8):
        expected.append(ref.get_last_lr()[0])
        opt.step()
        ref.step()
    np.testing.assert_allclose(lrs(mine), expected, rtol=1e-12)


def test_clip_grad_norm():
    a = ag.zeros(2, requires_grad=True)
    b = ag.zeros(1, requires_grad=True)
    a.grad, b.grad = ag.tensor([3.0, 0.0]), ag.tensor([4.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(np.concatenate([a.grad.data, b.grad.data]), [0.6, 0.0, 0.8], rtol=1e-6)
    a.grad = ag.tensor([3.0, -7.0])
    assert nn.utils.clip_grad_norm_(a, 10.0, norm_type=np.inf).item() == 7.0
    np.testing.assert_array_equal(a.grad.data, [3.0, -7.0])  # already within the bound
    assert nn.utils.clip_grad_norm_([ag.zeros(1, requires_grad=True)], 1.0).item() == 0.0
    with pytest.raises(ValueError, match="max_norm"):
        nn.utils.clip_grad_norm_([a], -1.0)


@pytest.mark.torch
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, float("inf")])
def test_clip_grad_norm_matches_pytorch(norm_type):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    grads = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    ours = [ag.zeros(g.shape, requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads, strict=True):
        p.grad, q.grad = ag.tensor(g), torch.tensor(g)
    total = nn.utils.clip_grad_norm_(ours, 0.5, norm_type)
    ref = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type)
    assert total.item() == pytest.approx(ref.item(), rel=1e-12)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12)


def per_param_reference(name, kwargs, init, grad_sequence):
    """The same optimizer stepping each parameter in its own group: never fused."""
    params = [ag.tensor(a, requires_grad=True) for a in init]
    opt = getattr(nn.optim, name)([{"params": [p]} for p in params], **kwargs)
    for grads in grad_sequence:
        for p, g in zip(params, grads, strict=True):
            p.grad = None if g is None else ag.tensor(g)
        opt.step()
    return params, opt


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZER_CASES)
def test_fused_group_updates_equal_per_parameter_updates_even_when_gradients_go_missing(name, kwargs):
    rng = np.random.default_rng(4)
    shapes = [(3, 2), (2,), (4,)]
    init = [rng.normal(size=s) for s in shapes]
    grad_sequence = []
    for step in range(7):
        # steps 2 and 3 leave the middle parameter without a gradient (the group falls back to one-at-a-time)
        grad_sequence.append(
            [None if (i == 1 and step in (2, 3)) else rng.normal(size=s) for i, s in enumerate(shapes)]
        )
    expected, ref = per_param_reference(name, kwargs, init, grad_sequence)
    params = [ag.tensor(a, requires_grad=True) for a in init]
    opt = getattr(nn.optim, name)(params, **kwargs)
    for grads in grad_sequence:
        for p, g in zip(params, grads, strict=True):
            p.grad = None if g is None else ag.tensor(g)
        opt.step()
    for p, q in zip(params, expected, strict=True):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-13, atol=1e-15)
    ours, theirs = opt.state_dict()["state"], ref.state_dict()["state"]
    assert ours.keys() == theirs.keys()
    for i in ours:
        for key, value in theirs[i].items():
            np.testing.assert_allclose(ours[i][key], value, rtol=1e-13)
            assert np.shape(ours[i][key]) == np.shape(value)


def test_a_group_of_mixed_dtypes_is_updated_one_parameter_at_a_time():
    a = ag.tensor(np.ones(2, np.float32), requires_grad=True)
    b = ag.tensor(np.ones(3), requires_grad=True)
    opt = nn.optim.Adam([a, b], lr=0.1)
    for _ in range(2):
        a.grad, b.grad = ag.tensor(np.ones(2, np.float32)), ag.tensor(np.ones(3))
        opt.step()
    assert a.dtype == np.float32 and b.dtype == np.float64
    np.testing.assert_allclose(a.data, b.data[:2], rtol=1e-6)


def test_loaded_state_is_used_by_the_fused_update():
    rng = np.random.default_rng(5)
    grads = [[rng.normal(size=2), rng.normal(size=3)] for _ in range(4)]
    ps = [ag.tensor(np.zeros(2), requires_grad=True), ag.tensor(np.zeros(3), requires_grad=True)]
    opt = nn.optim.RMSprop(ps, momentum=0.9)
    for step, gs in enumerate(grads):
        if step == 2:
            saved, values = opt.state_dict(), [p.data.copy() for p in ps]
        for p, g in zip(ps, gs, strict=True):
            p.grad = ag.tensor(g)
        opt.step()
    qs = [ag.tensor(v, requires_grad=True) for v in values]
    resumed = nn.optim.RMSprop(qs, momentum=0.9)
    resumed.load_state_dict(saved)
    for gs in grads[2:]:
        for q, g in zip(qs, gs, strict=True):
            q.grad = ag.tensor(g)
        resumed.step()
    for p, q in zip(ps, qs, strict=True):
        np.testing.assert_array_equal(p.data, q.data)


def test_a_parameter_appended_to_a_group_is_picked_up():
    a, b = ag.tensor([1.0], requires_grad=True), ag.tensor([1.0, 1.0], requires_grad=True)
    opt = nn.optim.SGD([a], lr=0.5)
    a.grad = ag.tensor([1.0])
    opt.step()
    opt.param_groups[0]["params"].append(b)
    a.grad, b.grad = ag.tensor([1.0]), ag.tensor([2.0, 2.0])
    opt.step()
    np.testing.assert_allclose(a.data, [0.0])
    np.testing.assert_allclose(b.data, [0.0, 0.0])


@pytest.mark.parametrize(("name", "kwargs"), [("SGD", dict(lr=0.5, momentum=0.9)), ("Adam", dict(lr=0.1))])
def test_a_parameter_replaced_in_a_group_is_the_one_updated(name, kwargs):
    """Swapping params[1] for another tensor of the same size: the new one is stepped (from fresh state), the old one left alone."""
    a, b, c = (ag.tensor(np.full(2, 1.0), requires_grad=True) for _ in range(3))
    opt = getattr(nn.optim, name)([a, b], **kwargs)
    for t in (a, b):
        t.grad = ag.tensor([1.0, 2.0])
    opt.step()
    b_before = b.data.copy()
    opt.param_groups[0]["params"][1] = c
    for t in (a, c):
        t.grad = ag.tensor([1.0, 2.0])
    opt.step()
    np.testing.assert_array_equal(b.data, b_before)
    fresh = ag.tensor(np.full(2, 1.0), requires_grad=True)
    fresh.grad = ag.tensor([1.0, 2.0])
    getattr(nn.optim, name)([fresh], **kwargs).step()  # c's first step, as a new parameter's
    np.testing.assert_array_equal(c.data, fresh.data)


@pytest.mark.parametrize(("kwargs", "flat"), [({}, False), ({"momentum": 0.9}, True), ({"weight_decay": 0.1}, True)])
def test_plain_sgd_updates_in_place_and_sgd_with_state_packs_its_small_parameters(kwargs, flat):
    """Plain SGD (two numpy calls per parameter) skips the flat vector; with momentum or decay it packs."""
    params = [ag.tensor(np.ones(s), requires_grad=True) for s in ((3, 2), (2,))]
    opt = nn.optim.SGD(params, lr=0.5, **kwargs)
    for p in params:
        p.grad = ag.tensor(np.full(p.shape, 2.0))
    opt.step()
    assert bool(opt._flat) is flat
    expected = 1 - 0.5 * (2.0 + kwargs.get("weight_decay", 0.0))
    for p in params:
        np.testing.assert_allclose(p.data, expected)
