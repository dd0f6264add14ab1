"""The digits benchmark's cases run and report what the table shows (in-process, with a few epochs)."""

import json

import pytest
from conftest import load_script

pytest.importorskip("sklearn")


def _load():
    return load_script("benchmarks/sklearn_digits.py", "sklearn_digits_benchmark")


@pytest.mark.parametrize("library", ["autograd_core", "scikit-learn"])
def test_a_case_fits_and_scores_the_pipeline(library):
    result = _load().run_case(library, "adam", seed=0, max_iter=3)
    assert result["n_iter"] == 3 and result["seconds"] > 0 and result["loss"] > 0
    assert 0.5 < result["accuracy"] <= 1.0  # three epochs already separate most digits


def test_the_worker_prints_one_json_line(capsys):
    _load().main(["--worker", "autograd_core", "lbfgs", "0"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) == {"accuracy", "seconds", "n_iter", "loss"} and result["accuracy"] > 0.9


def test_summary_statistics():
    runs = [
        {"accuracy": 0.9, "seconds": 2.0, "n_iter": 10, "loss": 0.1},
        {"accuracy": 1.0, "seconds": 4.0, "n_iter": 10, "loss": 0.1},
    ]
    summary = _load().summarise(runs)
    assert summary["accuracy_mean"] == pytest.approx(0.95) and summary["accuracy_std"] == pytest.approx(0.05)
    assert summary["median_seconds"] == 3.0 and summary["median_ms_per_epoch"] == pytest.approx(300.0)
