"""viz.plots: every plot writes a non-empty image (Agg), derivatives come from autograd, matplotlib stays optional."""

import builtins
import importlib.util
import sys

import numpy as np
import pytest

import autograd_core as ag
import nn
import viz
from nn import functional as F
from viz import plots
from viz.cost_plot import CostSweep, plot_costs

needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="the plots extra is not installed"
)
PNG = b"\x89PNG\r\n\x1a\n"


def _written(path):
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 2000
    return data


class _Model:
    """Just enough of a module for the plots: named_parameters with gradients, called on a batch."""

    def __init__(self, depth, rng, scale=1.0):
        self.params = []
        for i in range(depth):
            w = ag.tensor(rng.normal(size=(3, 3)), requires_grad=True, name=f"layers.{2 * i}.weight")
            b = ag.tensor(np.zeros(3), requires_grad=True, name=f"layers.{2 * i}.bias")
            w.grad = ag.tensor(rng.normal(size=(3, 3)) * scale**i)
            self.params += [(w.name, w), (b.name, b)]

    def named_parameters(self):
        return iter(self.params)


@needs_matplotlib
def test_plot_history_from_a_mapping_and_from_an_object(tmp_path):
    history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.5, 0.8, 0.9]}
    fig = plots.plot_history(history, tmp_path / "h.png")
    _written(tmp_path / "h.png")
    assert len(fig.axes) == 2

    class Hist:
        def __init__(self):
            self.history = {"loss": [3.0, 2.0]}

    assert len(plots.plot_history(Hist(), tmp_path / "h2.png").axes) == 1
    _written(tmp_path / "h2.png")
    with pytest.raises(TypeError, match="cannot read a training history"):
        plots.plot_history(42)
    with pytest.raises(ValueError, match="no per-epoch series"):
        plots.plot_history({"name": "run"})


@needs_matplotlib
def test_plot_decision_boundary_for_two_and_three_classes(tmp_path, rng):
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    w = ag.tensor([[3.0], [0.0]])
    plots.plot_decision_boundary(lambda t: t @ w, X, y, tmp_path / "two.png", resolution=60)
    _written(tmp_path / "two.png")
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    W3 = ag.tensor([[-3.0, 0.0, 3.0], [0.0, 0.0, 0.0]])
    b3 = ag.tensor([0.0, 1.5, 0.0])
    plots.plot_decision_boundary(lambda t: t @ W3 + b3, X, y3, tmp_path / "three.png", resolution=60)
    _written(tmp_path / "three.png")
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plots.plot_decision_boundary(lambda t: t, rng.normal(size=(5, 3)), np.zeros(5))


@needs_matplotlib
def test_decision_boundary_evaluates_in_eval_mode_without_recording(rng):
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2), nn.Linear(2, 2))
    model[1].eval()  # frozen inside a model that is training
    seen = []
    model.register_forward_hook(lambda m, inputs, out: seen.append((m.training, ag.is_grad_enabled())))
    plots.plot_decision_boundary(model, rng.normal(size=(10, 2)), np.zeros(10), resolution=10)
    assert seen == [(False, False)]  # eval mode, no graph recorded
    assert model.training and not model[1].training  # each module gets its own mode back


@needs_matplotlib
def test_plot_activations_draws_nn_activations_with_their_autograd_derivatives(tmp_path):
    fig = plots.plot_activations(tmp_path / "act.png")
    _written(tmp_path / "act.png")
    names = list(plots.nn_activations())
    assert [ax.get_title() for ax in fig.axes if ax.lines] == names
    expected = [
        "step",
        "sign",
        "identity",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "prelu",
        "elu",
        "silu",
        "softplus",
        "gelu",
        "selu",
        "celu",
        "mish",
        "hardtanh",
        "relu6",
        "hardsigmoid",
        "hardswish",
        "softsign",
        "logsigmoid",
    ]
    if importlib.util.find_spec("scipy") is None:
        expected.remove("gelu")  # the exact GELU needs the optional scipy
    assert [n.split(" ")[0] for n in names] == expected
    x = np.linspace(-3, 3, 13)  # includes 0
    curves = plots.activation_curves(x)
    # the curves are nn's own functions, Heaviside step included: 1 at x = 0 (the notes' φ), as nn.functional.step
    for name, fn in [("step", F.step), ("relu", F.relu), ("leaky_relu (negative_slope=0.01)", F.leaky_relu)]:
        np.testing.assert_array_equal(curves[name][0], fn(ag.tensor(x)).data)
    assert curves["step"][0][6] == 1
    s, ds = curves["sigmoid"]
    np.testing.assert_allclose(ds, s * (1 - s))
    t, dt = curves["tanh"]
    np.testing.assert_allclose(dt, 1 - t**2)
    np.testing.assert_array_equal(curves["step"][1], 0)
    np.testing.assert_array_equal(curves["relu"][1], (x > 0).astype(float))
    own = plots.activation_curves(x, {"square": lambda v: v * v})
    np.testing.assert_allclose(own["square"][1], 2 * x)


@needs_matplotlib
def test_plot_gradient_norms_for_models_compared_and_over_training(tmp_path, rng):
    deep, shallow = _Model(10, rng, scale=0.25), _Model(3, rng)
    norms = plots.weight_gradient_norms(deep)
    assert list(norms) == [f"layers.{2 * i}.weight" for i in range(10)]
    assert norms["layers.18.weight"] < 1e-3 * norms["layers.0.weight"]
    plots.plot_gradient_norms(deep, tmp_path / "one.png")
    _written(tmp_path / "one.png")
    fig = plots.plot_gradient_norms({"sigmoid": deep, "relu": shallow}, tmp_path / "cmp.png")
    _written(tmp_path / "cmp.png")
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[0].lines) == 2
    plots.plot_gradient_norms({"layers.0": [1.0, 0.5, 0.1], "layers.2": [1e-3, 1e-5, 0.0]}, tmp_path / "steps.png")
    _written(tmp_path / "steps.png")


@needs_matplotlib
def test_plot_jacobian_heatmap(tmp_path, rng):
    W = ag.tensor(rng.normal(size=(3, 4)))
    J = ag.jacrev(lambda x: ag.tanh(W @ x))(ag.tensor(rng.normal(size=4)))
    fig = plots.plot_jacobian(J, tmp_path / "jac.png")
    _written(tmp_path / "jac.png")
    assert len(fig.axes[0].texts) == 12  # small: every entry written in its cell
    plots.plot_jacobian(rng.normal(size=(30, 40)), tmp_path / "big.png")
    _written(tmp_path / "big.png")


def _sweep():
    sweep = CostSweep("D", fixed=4, sizes=[1, 4, 16])
    sweep.seconds = {"forward": [1e-4, 4e-4, 1.6e-3], "reverse": [4e-4, 4e-4, 4e-4]}
    sweep.flops = {"forward": [20, 50, 170], "reverse": [50, 50, 50]}
    return sweep


@needs_matplotlib
def test_plot_mode_costs_draws_the_forward_vs_reverse_plot(tmp_path):
    assert plots.plot_mode_costs is plot_costs
    png, svg = plots.plot_mode_costs([_sweep()], tmp_path, name="costs")
    assert png == tmp_path / "costs.png" and svg == tmp_path / "costs.svg"
    _written(png)
    assert "jacfwd: D JVPs" in svg.read_text(encoding="utf-8")


def test_missing_matplotlib_raises_one_error_naming_the_extra(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    for mod in [m for m in sys.modules if m.startswith("matplotlib")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    extra = r"pip install 'autograd-core\[plots\]'"
    with pytest.raises(viz.PlotsUnavailableError, match=extra):
        plots.plot_jacobian(np.eye(2))
    with pytest.raises(viz.PlotsUnavailableError, match=extra):
        plots.plot_mode_costs([_sweep()], tmp_path)
    assert not list(tmp_path.iterdir())


@needs_matplotlib
def test_every_plot_displays_itself_in_jupyter_as_a_png_and_is_still_a_figure(tmp_path):
    from matplotlib.figure import Figure

    fig = plots.plot_history({"loss": [1.0, 0.5, 0.25]})
    assert isinstance(fig, Figure)
    assert fig._repr_png_()[:8] == PNG
    fig.savefig(tmp_path / "h.png")
    _written(tmp_path / "h.png")
