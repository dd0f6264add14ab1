"""The examples run and reach what they promise (so they cannot rot)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

import demo  # noqa: E402
import xor  # noqa: E402


def test_xor_example_trains_and_checks_a_gradient(capsys):
    final = xor.main()
    assert final < 0.01
    text = capsys.readouterr().out
    assert "below 0.01" in text and "finite difference" in text
    params = xor.train(steps=2000, log_every=10_000)
    analytic, numeric = xor.finite_difference_check(params)
    assert abs(analytic - numeric) <= 1e-6 * max(1.0, abs(numeric))


def test_main_demo_writes_every_picture_it_lists(tmp_path, capsys):
    written = demo.main(str(tmp_path))
    names = {p.name for p in map(Path, written)}
    assert {
        "loss_curve.png",
        "decision_boundary.png",
        "training_step_forward.png",
        "training_step_backward.png",
    } <= names
    assert {"forward_vs_reverse.png", "forward_vs_reverse.svg"} <= names
    assert all(Path(p).stat().st_size > 1000 for p in written)
    text = capsys.readouterr().out
    assert "below 0.01" in text and "test accuracy" in text and "δ(1) = δ(L−2)" in text
