"""The nn example scripts run and reach what they promise."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

import train_moons  # noqa: E402


def test_train_moons_reaches_97_percent_on_its_test_set(capsys):
    model, history, accuracy, X_test, y_test = train_moons.train_moons(progress=False)
    assert accuracy >= 0.97
    assert len(history["val_loss"]) == len(history.epochs) >= 10
    train_moons.main()
    out = capsys.readouterr().out
    assert "Total params: 1,218" in out and "test accuracy" in out
