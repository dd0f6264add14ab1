"""The viz examples run and write the pictures they announce."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_micrograd_style(tmp_path, capsys):
    _load("micrograd_style").main(tmp_path)
    out = capsys.readouterr().out
    assert "∂L/∂a = -1.5000   (trace: -1.5000)" in out
    names = ("micrograd_forward.png", "micrograd_backward.png", "micrograd_both.png", "micrograd_trace.html")
    for name in (*names, "micrograd_after_backward.png", "micrograd_explorer.html"):
        assert (tmp_path / name).stat().st_size > 1000 and str(tmp_path / name) in out


def test_grounded_example_points_out_exactly_the_two_misprints(tmp_path, capsys):
    _load("grounded_example").main(tmp_path)
    out = capsys.readouterr().out
    verdicts = {line.split("slide")[0].strip(): line.split()[-1] for line in out.splitlines() if " slide [" in line}
    assert [k for k, v in verdicts.items() if v == "MISPRINT"] == ["new W(1)", "new W(0)"]
    assert sum(v == "ok" for v in verdicts.values()) == 7
    assert "the new prediction is 0.722" in out and "would give 0.597" in out
    assert (tmp_path / "grounded_both.png").stat().st_size > 1000


def test_vanishing_gradients(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    _load("vanishing_gradients").main(tmp_path)
    out = capsys.readouterr().out
    assert "sigmoid (Xavier init): last layer / first layer" in out
    ratios = [
        float(line.split("about ×")[1].split()[0])
        for line in out.splitlines()
        if "per layer" in line and "about ×" in line
    ]
    assert ratios[0] > 3 and ratios[1] < 1.5  # sigmoid shrinks the gradient ~4× per layer, ReLU keeps it
    for name in (
        "gradient_norms_at_init",
        "sigmoid_backward",
        "gradient_norms_training_sigmoid",
        "gradient_norms_training_relu",
        "training_sigmoid_vs_relu",
    ):
        assert (tmp_path / f"{name}.png").stat().st_size > 2000
