"""The ag.compile benchmark: its hand-written baselines agree with the library, and a quick case runs."""

import numpy as np
from conftest import load_script


def _load():
    return load_script("benchmarks/compile.py", "compile_benchmark")


def test_the_hand_written_chain_gradient_agrees_with_the_library():
    bench = _load()
    x = np.random.default_rng(0).standard_normal(16)
    np.testing.assert_allclose(bench.chain_numpy_gradient(x), bench.ag.grad(bench.chain)(x).data, rtol=1e-12)


def test_a_quick_case_reports_times_faults_and_tracing():
    found = _load().run_case("chain-1000", quick=True)
    assert {"numpy by hand", "ag.compile", "autograd_core eager"} <= set(found["results"])
    assert set(found["faults"]) == set(found["results"])
    assert found["numpy_calls"] > 2000 and found["first_call_ms"] >= found["trace_ms"] > 0


def test_a_quick_mlp_case_checks_eager_bits_and_times_every_row():
    bench = _load()
    found = bench.run_case("mlp-float32-64", quick=True)  # asserts the compiled step equals eager bit for bit
    assert {"numpy by hand", "ag.compile", "autograd_core eager", bench.GEMMS} <= set(found["results"])
    assert all(r["median"] > 0 for r in found["results"].values())
    assert found["first_call_ms"] >= found["trace_ms"] > 0 and found["buffer_bytes"] > 0
