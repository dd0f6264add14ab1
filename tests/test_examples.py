"""The examples run and reach what they promise (so they cannot rot)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

import xor  # noqa: E402


def test_xor_example_trains_and_checks_a_gradient(capsys):
    final = xor.main()
    assert final < 0.01
    text = capsys.readouterr().out
    assert "below 0.01" in text and "finite difference" in text
    params = xor.train(steps=2000, log_every=10_000)
    analytic, numeric = xor.finite_difference_check(params)
    assert abs(analytic - numeric) <= 1e-6 * max(1.0, abs(numeric))
