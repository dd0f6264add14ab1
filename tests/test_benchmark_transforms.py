"""The per-example-gradient and checkpoint-memory benchmarks compute what they claim (on small sizes)."""

import numpy as np
from conftest import load_script


def test_per_example_cases_agree_with_numpy_by_hand():
    bench = load_script("benchmarks/per_example.py", "per_example_benchmark")
    rng = np.random.default_rng(1)
    p = {
        "W1": rng.standard_normal((5, 6)),
        "b1": rng.standard_normal(5),
        "W2": rng.standard_normal((3, 5)),
        "b2": rng.standard_normal(3),
    }
    x, y = rng.standard_normal((4, 6)), np.array([0, 2, 1, 2])
    expected = bench.numpy_per_example(p, x, y)
    assert expected["W1"].shape == (4, 5, 6)
    for name, fn in bench.ours(p, x, y).items():
        got = fn()
        for k in expected:
            np.testing.assert_allclose(got[k], expected[k], rtol=1e-10, atol=1e-13, err_msg=f"{name} {k}")


def test_checkpoint_memory_cases_run_and_agree():
    bench = load_script("benchmarks/checkpoint_memory.py", "checkpoint_memory_benchmark")
    for name in bench.CASES:
        found = bench.run_case(name, layers=4, width=8, batch=16, repeat=1)  # checks the gradients itself
        assert found["peak_mib"] > 0 and found["best_s"] > 0
