"""The Jacobian benchmark runs (on the small network, without peers) and writes what it announces."""

import json

import numpy as np
from conftest import load_script


def _load():
    return load_script("benchmarks/jacobian.py", "jacobian_benchmark")


def test_hand_written_baselines_agree_with_the_library():
    bench = _load()
    layers = bench.init_layers((6, 5, 4, 3), seed=3)
    x = np.random.default_rng(4).standard_normal(6)
    expected = bench.ag.jacrev(bench.ours(layers))(bench.ag.tensor(x)).data
    np.testing.assert_allclose(bench.numpy_jacfwd(layers, x), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(bench.numpy_jacrev(layers, x), expected, rtol=1e-12, atol=1e-14)


def test_quick_run_writes_json(tmp_path, capsys):
    out = tmp_path / "jacobian.json"
    results = _load().main(["--quick", "--case", "4-8-6-4-2", "--out", str(out)])
    written = json.loads(out.read_text())
    assert {k: written[k] for k in results} == json.loads(json.dumps(results))
    assert written["benchmark"] == "jacobian" and "numpy" in written["environment"]
    methods = {r["method"] for r in results["results"]}
    assert methods == {"numpy by hand (fwd)", "numpy by hand (rev)", "ag.jacfwd", "ag.jacrev"}
    assert [t["target"] for t in results["targets"]] == [
        "4-8-6-4-2: ag.jacfwd ms <= 0.2",
        "4-8-6-4-2: ag.jacrev ms <= 0.2",
    ]
    assert f"wrote {out}" in capsys.readouterr().out
