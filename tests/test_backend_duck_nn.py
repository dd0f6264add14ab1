"""nn and viz on a device: the same numbers as on numpy, no implicit copy to host (StrictArray, see duck_array.py).

Each test runs one computation on numpy tensors and on tensors of the
pseudo-device "strict" (a CPU array that refuses implicit conversion, as CuPy
does) and compares values, gradients and optimizer trajectories. The cases
follow the independent review of the GPU backend: nn functions and modules,
initialisers, metrics, callbacks, optimizer state on a device (views,
``state_dict`` copies, save/load round trips), ``Module.to`` after the
optimizer has stepped, a model split across devices, and viz pictures,
traces and monitors of device tensors.
"""

from __future__ import annotations

import numpy as np
import pytest
from duck_array import StrictArray, registered

import autograd_core as ag
import nn
from autograd_core.errors import DeviceError, InvalidArgumentError

DEVICES = ("cpu", "strict")


@pytest.fixture(autouse=True)
def strict_device():
    with registered():
        yield


def on(device: str, x, requires_grad: bool = False) -> ag.Tensor:
    return ag.tensor(np.asarray(x), requires_grad=requires_grad, device=device)


def assert_strict(t) -> None:
    data = t.data if isinstance(t, ag.Tensor) else t
    assert isinstance(data, StrictArray), f"left the device: {type(data).__name__}"


def data(n: int = 12):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 4)), rng.integers(0, 3, n)


def mlp(*, wide: bool = False) -> nn.Module:
    """A small MLP (every parameter packed into the optimizer's flat state) or one with a large layer too."""
    hidden = 80 if wide else 5  # 80·60 = 4800 > PACK_LIMIT: that weight is updated on its own
    return nn.Sequential(
        nn.Linear(4, hidden, rng=0),
        nn.Tanh(),
        nn.Linear(hidden, 60 if wide else 3, rng=1),
        nn.Linear(60 if wide else 3, 3, rng=2),
    )


def each_device(fn):
    """fn(device) on "cpu" and "strict": the two results (host arrays of Tensors are compared by the caller)."""
    return {d: fn(d) for d in DEVICES}


def close(a, b, rtol=1e-12, atol=1e-14) -> None:
    np.testing.assert_allclose(ag.backend.host_array(a), ag.backend.host_array(b), rtol=rtol, atol=atol)


# ------------------------------------------------------------------ nn functions and modules
def test_dropout_in_training_mode_draws_the_mask_and_matches_numpy_for_a_seed():  # review 3a
    X, _ = data()
    out = each_device(lambda d: nn.functional.dropout(on(d, X), p=0.3, rng=0))
    assert_strict(out["strict"])
    close(out["strict"], out["cpu"])
    layer = nn.Dropout(0.5, rng=np.random.default_rng(3))
    x = on("strict", X, requires_grad=True)
    y = layer(x)
    y.sum().backward()
    assert_strict(y) and assert_strict(x.grad)
    kept = y.numpy() != 0
    np.testing.assert_array_equal(x.grad.numpy(), np.where(kept, 2.0, 0.0))
    assert_strict(nn.functional.dropout(on("strict", X), p=0.5))  # the default generator, copied over


def test_cross_entropy_with_label_smoothing_on_the_device():  # review 3c
    X, y = data()

    def run(d):
        logits = on(d, X[:, :3], requires_grad=True)
        loss = nn.CrossEntropyLoss(label_smoothing=0.1)(logits, on(d, y))
        loss.backward()
        return loss, logits.grad

    got = each_device(run)
    assert_strict(got["strict"][0]) and assert_strict(got["strict"][1])
    for a, b in zip(got["strict"], got["cpu"]):
        close(a, b)


def test_one_hot_of_device_labels():  # review 3d
    _, y = data()
    got = nn.data.one_hot(on("strict", y), 3)
    assert_strict(got)
    np.testing.assert_array_equal(got.numpy(), nn.data.one_hot(y, 3))
    np.testing.assert_array_equal(nn.data.one_hot(on("strict", y)).numpy(), nn.data.one_hot(y))
    with pytest.raises(InvalidArgumentError, match="label 2 is outside the range"):
        nn.data.one_hot(on("strict", y), 2)


def test_functional_one_hot_of_device_labels_is_built_on_the_device():  # second review, item 1
    y = np.array([[0, 2], [1, 4]])
    labels = on("strict", y)
    got = nn.functional.one_hot(labels)  # num_classes=-1: one more than the largest label
    assert_strict(got)
    assert got.dtype == np.int64 and got.shape == (2, 2, 5)
    np.testing.assert_array_equal(got.numpy(), nn.functional.one_hot(y).numpy())
    np.testing.assert_array_equal(got.numpy(), np.eye(5, dtype=np.int64)[y])
    assert_strict(nn.functional.one_hot(labels, 7))
    assert nn.functional.one_hot(on("strict", np.zeros(0, np.int64))).shape == (0, 0)
    with pytest.raises(InvalidArgumentError, match="label 4 is out of range for 3 classes"):
        nn.functional.one_hot(labels, 3)
    with pytest.raises(InvalidArgumentError, match="non-negative, got -1"):
        nn.functional.one_hot(on("strict", np.array([0, -1])), 3)


@pytest.mark.parametrize("var", ["tensor", "with zeros", "number", "per example"])
def test_gaussian_nll_loss_on_the_device(var):  # review 3e
    X, _ = data()
    variances = {
        "tensor": np.abs(X) + 0.5,
        "with zeros": np.where(X > 0, X, 0.0),  # clamped to eps, with the gradient of var itself
        "number": 2.0,
        "per example": np.abs(X[:, 0]) + 0.1,
    }

    def run(d):
        mean = on(d, X, requires_grad=True)
        v = variances[var]
        v = on(d, v, requires_grad=True) if isinstance(v, np.ndarray) else v
        loss = nn.functional.gaussian_nll_loss(mean, on(d, X[::-1].copy()), v, full=True)
        loss.backward()
        return [loss, mean.grad] + ([v.grad] if isinstance(v, ag.Tensor) else [])

    got = each_device(run)
    for a, b in zip(got["strict"], got["cpu"]):
        assert_strict(a)
        close(a, b)
    with pytest.raises(InvalidArgumentError, match="negative entries"):
        nn.functional.gaussian_nll_loss(on("strict", X), on("strict", X), on("strict", -np.ones_like(X)))


def test_losses_take_host_literals_next_to_device_inputs():
    X, _ = data()
    a = on("strict", X)
    got = nn.functional.cosine_similarity(a, X[::-1].tolist())
    assert_strict(got)
    close(got, nn.functional.cosine_similarity(ag.tensor(X), X[::-1].tolist()))
    with pytest.raises(DeviceError, match="'strict' and 'cpu'"):  # a host array is not moved silently
        nn.functional.cosine_similarity(a, X[::-1].copy())


INITS = {
    "uniform_": lambda w: nn.init.uniform_(w, -0.2, 0.3, rng=0),
    "normal_": lambda w: nn.init.normal_(w, 1.0, 0.5, rng=0),
    "zeros_": nn.init.zeros_,
    "constant_": lambda w: nn.init.constant_(w, 0.25),
    "xavier_uniform_": lambda w: nn.init.xavier_uniform_(w, rng=0),
    "xavier_normal_": lambda w: nn.init.xavier_normal_(w, rng=0),
    "kaiming_uniform_": lambda w: nn.init.kaiming_uniform_(w, rng=0),
    "kaiming_normal_": lambda w: nn.init.kaiming_normal_(w, rng=0),
}


def test_every_initialiser_is_covered():
    public = {n for n in dir(nn.init) if n.endswith("_") and not n.startswith("_")}
    assert public == set(INITS)


@pytest.mark.parametrize("name", sorted(INITS))
def test_initialisers_fill_a_device_parameter_in_place(name):  # review 3f
    got = {}
    for d in DEVICES:
        layer = nn.Linear(6, 4, rng=5).to(d)
        w = layer.weight
        before = w._version
        assert INITS[name](w) is w
        assert w._version > before  # graphs holding the old values refuse to backpropagate
        got[d] = w
    assert_strict(got["strict"])
    close(got["strict"], got["cpu"])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, np.inf])
@pytest.mark.parametrize("max_norm", [0.05, 1e3])  # clipping, and not
def test_clip_grad_norm_on_the_device(norm_type, max_norm):  # review 3g
    X, y = data()

    def run(d):
        model = mlp().to(d)
        nn.CrossEntropyLoss()(model(on(d, X)), on(d, y)).backward()
        total = nn.utils.clip_grad_norm_(model.parameters(), max_norm, norm_type)
        return [total] + [p.grad for p in model.parameters()]

    got = each_device(run)
    for a, b in zip(got["strict"], got["cpu"]):
        assert_strict(a)
        close(a, b, rtol=1e-10)


def test_r2_and_fit_with_the_r2_metric_on_the_device():  # review 3h
    X, _ = data(32)
    target = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1
    assert nn.metrics.r2(on("strict", target * 0.9), on("strict", target)) == pytest.approx(
        nn.metrics.r2(target * 0.9, target), rel=1e-12
    )
    with pytest.raises(InvalidArgumentError, match="constant"):
        nn.metrics.r2(on("strict", target), on("strict", np.ones_like(target)))
    histories = {}
    for d in DEVICES:
        model = nn.Sequential(nn.Linear(4, 1, rng=0)).to(d)
        loader = nn.data.DataLoader(X, target[:, None], batch_size=8, rng=0)
        opt = nn.optim.SGD(model.parameters(), lr=0.05)
        histories[d] = nn.fit(model, nn.MSELoss(), opt, loader, epochs=2, metrics=["r2", "mse"], progress=False)
    for key in ("loss", "r2", "mse"):
        np.testing.assert_allclose(histories["strict"][key], histories["cpu"][key], rtol=1e-10)


def test_saturation_monitor_follows_the_model_to_its_device():  # review 3i
    X, y = data()
    fractions = {}
    for d in DEVICES:
        model = mlp().to(d)
        model[0].weight.data *= 10.0  # push the tanh units into saturation
        monitor = nn.callbacks.SaturationMonitor(X)  # host probe inputs: copied to the model's device once
        nn.fit(
            model,
            nn.CrossEntropyLoss(),
            nn.optim.SGD(model.parameters(), lr=0.1),
            nn.data.DataLoader(X, y, batch_size=4, rng=0),
            epochs=2,
            progress=False,
            callbacks=[monitor],
        )
        fractions[d] = monitor.history
    assert fractions["strict"] == fractions["cpu"] and any(v[0] > 0 for v in fractions["cpu"].values())


def test_summary_of_a_device_model_runs_its_probe_there():  # review 3j
    texts = {d: str(nn.summary(mlp().to(d), (4,), file=None)) for d in DEVICES}
    assert texts["strict"] == texts["cpu"] and "Total params" in texts["cpu"]


def test_layer_jacobians_of_a_device_model():  # review 3k
    X, _ = data(3)
    for x in (X[0], X):  # one example, and a batch
        got = each_device(lambda d, x=x: nn.layer_jacobians(mlp().to(d), on(d, x)))
        for a, b in zip(got["strict"], got["cpu"], strict=True):
            assert_strict(a)
            close(a, b)
    assert_strict(nn.layer_jacobians(mlp().to("strict"), StrictArray(X[0]))[0])  # a raw device array


def test_batch_norm_with_a_cumulative_average_on_the_device():
    X, _ = data()

    def run(d):
        layer = nn.BatchNorm1d(4, momentum=None).to(d)
        for _ in range(3):
            layer(on(d, X * 2.0 + 1.0))
        return [layer.running_mean, layer.running_var]

    got = each_device(run)
    for a, b in zip(got["strict"], got["cpu"]):
        assert_strict(a)
        close(a, b)


# ------------------------------------------------------------------ optimizer state on a device
OPTIMIZERS = {
    "SGD": lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "Adam": lambda ps: nn.optim.Adam(ps, lr=0.01, amsgrad=True),
    "AdamW": lambda ps: nn.optim.AdamW(ps, lr=0.01),
    "RMSprop": lambda ps: nn.optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda ps: nn.optim.Adagrad(ps, lr=0.05),
    "LBFGS": lambda ps: nn.optim.LBFGS(ps, max_iter=3),
    "ConjugateGradient": lambda ps: nn.optim.ConjugateGradient(ps, max_iter=3),
}


def train_steps(model: nn.Module, opt, device: str, steps: int) -> float:
    X, y = data()
    xb, yb = on(device, X), on(device, y)

    def closure():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    return closure().item()


def state_arrays(opt):
    for state in opt.state.values():
        for value in state.values():
            for v in value if isinstance(value, list) else [value]:
                if hasattr(v, "shape") and not isinstance(v, (int, float)):
                    yield v


@pytest.mark.parametrize("wide", [False, True], ids=["packed", "large layer"])
def test_each_parameter_state_is_its_own_slice_and_state_dict_copies(wide):  # review 6, case 4
    model = mlp(wide=wide).to("strict")
    opt = nn.optim.Adam(model.parameters(), lr=0.01)
    train_steps(model, opt, "strict", 1)
    for p in model.parameters():
        for key in ("exp_avg", "exp_avg_sq"):
            assert opt.state[p][key].shape == p.shape
            assert_strict(opt.state[p][key])
    saved = opt.state_dict()
    first = next(iter(model.parameters()))
    live = opt.state[first]["exp_avg"]
    copy = saved["state"][0]["exp_avg"]
    assert copy is not live
    before = live.get().copy()
    copy *= 0.0
    np.testing.assert_array_equal(opt.state[first]["exp_avg"].get(), before)  # the optimizer's state is untouched


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_dict_round_trips_then_steps_as_on_numpy(name, tmp_path):  # review 6, case 4b and p4
    losses = {}
    for d in DEVICES:
        model = mlp(wide=True).to(d)
        opt = OPTIMIZERS[name](model.parameters())
        train_steps(model, opt, d, 2)
        opt.load_state_dict(opt.state_dict())  # in memory
        train_steps(model, opt, d, 1)
        nn.save(opt.state_dict(), tmp_path / f"opt_{d}.npz")  # through a file: host arrays come back
        fresh = OPTIMIZERS[name](model.parameters())
        fresh.load_state_dict(nn.load(tmp_path / f"opt_{d}.npz"))
        losses[d] = train_steps(model, fresh, d, 2)
        if d == "strict":
            for v in state_arrays(fresh):
                assert_strict(v)
    assert losses["strict"] == pytest.approx(losses["cpu"], rel=1e-9)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("wide", [False, True], ids=["packed", "large layer"])
def test_module_to_after_the_optimizer_stepped_moves_its_state(name, wide):  # review 8, case 3l
    reference = mlp(wide=wide)
    ref_opt = OPTIMIZERS[name](reference.parameters())
    train_steps(reference, ref_opt, "cpu", 2)
    want = train_steps(reference, ref_opt, "cpu", 2)

    model = mlp(wide=wide)
    opt = OPTIMIZERS[name](model.parameters())  # made before the move, as PyTorch users often do
    train_steps(model, opt, "cpu", 2)
    model.to("strict")
    got = train_steps(model, opt, "strict", 2)
    assert got == pytest.approx(want, rel=1e-9)
    for v in state_arrays(opt):
        assert_strict(v)
    for p in model.parameters():
        assert_strict(p)
    model.to("cpu")  # and back
    train_steps(model, opt, "cpu", 1)
    assert all(type(v) is np.ndarray for v in state_arrays(opt))


def test_an_optimizer_made_before_the_first_move_works():
    model = mlp()
    opt = nn.optim.Adam(model.parameters(), lr=0.01)
    model.to("strict")
    reference = mlp()
    want = train_steps(reference, nn.optim.Adam(reference.parameters(), lr=0.01), "cpu", 3)
    assert train_steps(model, opt, "strict", 3) == pytest.approx(want, rel=1e-10)


# ------------------------------------------------------------------ a model split across devices
def test_the_device_of_a_split_model_is_an_error_naming_both():  # review 10
    model = mlp()
    assert model.device == "cpu"
    model[2].to("strict")
    with pytest.raises(DeviceError, match=r"more than one device \('cpu' and 'strict'\).*model\.to\('cpu'\)"):
        _ = model.device
    assert model[2].device == "strict" and nn.Sequential().device == "cpu"


def test_evaluate_leaves_batches_of_a_split_model_where_they_are():
    class Split(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = nn.Linear(4, 5, rng=0)
            self.second = nn.Linear(5, 3, rng=1).to("strict")

        def forward(self, x):
            return self.second(ag.tanh(self.first(x)).to("strict"))

    X, y = data()
    split = nn.evaluate(Split(), nn.CrossEntropyLoss(), [(ag.tensor(X), on("strict", y))], metrics=["loss", "accuracy"])
    whole = nn.Sequential(nn.Linear(4, 5, rng=0), nn.Tanh(), nn.Linear(5, 3, rng=1))
    want = nn.evaluate(whole, nn.CrossEntropyLoss(), [(X, y)], metrics=["loss", "accuracy"])
    assert split == pytest.approx(want, rel=1e-12)


# ------------------------------------------------------------------ viz
viz = pytest.importorskip("viz")


def small_graph(d: str):
    a = on(d, 2.0, requires_grad=True)
    b = on(d, -3.0, requires_grad=True)
    return ((a * b).tanh() + a).sum()


@pytest.mark.parametrize("after_backward", [False, True])
def test_draw_graph_in_every_mode_replays_on_the_device(after_backward):  # review 5, case 6a
    pictures = {}
    for d in DEVICES:
        loss = small_graph(d)
        if after_backward:
            loss.backward()
        pictures[d] = {mode: viz.draw_graph(loss, mode=mode).source for mode in ("forward", "backward", "both")}
    assert pictures["strict"] == pictures["cpu"]  # the same values and gradients, drawn the same way
    assert "0.9999" in pictures["cpu"]["both"]  # ∂L/∂a = 1 + b·(1 − tanh²(ab)) is shown


def test_trace_explore_and_step_graphs_of_device_tensors(tmp_path):  # review 5, cases 6b, 6c
    traces = {d: str(viz.trace_backward(small_graph(d))) for d in DEVICES}
    assert traces["strict"] == traces["cpu"]
    path = viz.explore(small_graph("strict"), tmp_path / "e.html")
    assert path is None or (tmp_path / "e.html").read_text().startswith("<!")
    paths = viz.save_step_graphs(small_graph("strict"), tmp_path, format="svg")
    assert sorted(p.name for p in paths.values()) == ["training_step_backward.svg", "training_step_forward.svg"]


def test_gradient_norm_history_and_its_plot_on_the_device(tmp_path):  # review 5, case 6d
    X, y = data()
    histories = {}
    for d in DEVICES:
        model = mlp().to(d)
        norms = viz.GradientNormHistory()
        nn.fit(
            model,
            nn.CrossEntropyLoss(),
            nn.optim.SGD(model.parameters(), lr=0.1),
            nn.data.DataLoader(X, y, batch_size=4, rng=0),
            epochs=2,
            progress=False,
            callbacks=[norms],
        )
        norms.record(model)
        histories[d] = norms.history
    assert histories["strict"].keys() == histories["cpu"].keys()
    for key, values in histories["cpu"].items():
        np.testing.assert_allclose(histories["strict"][key], values, rtol=1e-10)
    pytest.importorskip("matplotlib")
    figure = viz.plots.plot_gradient_norms(norms, tmp_path / "norms.png")
    assert figure.axes and (tmp_path / "norms.png").exists()


def test_decision_boundary_of_a_device_model(tmp_path):
    pytest.importorskip("matplotlib")
    X, y = nn.data.make_moons(40, rng=0)
    model = nn.MLP([2, 6, 2], rng=0).to("strict")
    figure = viz.plots.plot_decision_boundary(model, X, y, tmp_path / "b.png", resolution=20)
    assert figure.axes[0].get_title() == "decision boundary"


def test_perceptron_on_the_device_learns_as_on_the_host():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 0, 0, 1])
    runs = {}
    for d in DEVICES:
        p = nn.Perceptron(2).to(d)
        runs[d] = (p.fit(on(d, X), on(d, y)), p.predict(on(d, X)), p.linear.weight)
    assert_strict(runs["strict"][2])
    assert runs["strict"][0] == runs["cpu"][0]
    np.testing.assert_array_equal(runs["strict"][1], runs["cpu"][1])
    np.testing.assert_array_equal(runs["strict"][2].numpy(), runs["cpu"][2].numpy())


def test_a_device_model_goes_to_torch_through_an_explicit_host_copy():
    torch = pytest.importorskip("torch")
    model = mlp().to("strict")
    state = nn.state_dict_to_torch(model.state_dict())
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    twin = nn.to_torch(model)
    x = data()[0]
    with ag.no_grad():
        want = model(on("strict", x)).numpy()
    np.testing.assert_allclose(twin(torch.from_numpy(x)).detach().numpy(), want, rtol=1e-10)
