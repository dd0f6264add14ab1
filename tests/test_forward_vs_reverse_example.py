"""The forward-vs-reverse example runs (with a small sweep) and its cost plot degrades to text without matplotlib."""

import sys

import numpy as np
import pytest
from conftest import load_script

from viz.cost_plot import CostSweep, cost_table, plot_costs


def _load():
    return load_script("examples/forward_vs_reverse.py", "forward_vs_reverse")


def _hide_matplotlib(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")] + ["matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)


def test_example_runs_with_a_small_sweep(tmp_path, capsys):
    result = _load().main(tmp_path, max_size=8, fixed=4, hidden=8, repeat=1)
    out = capsys.readouterr().out
    assert "D JVPs (one per input dimension" in out and "M VJPs (one per output dimension" in out
    assert "swaps the letters" in out
    for k, shape in enumerate([(8, 4), (6, 8), (4, 6), (2, 4)], start=1):
        assert f"J{k} = ∂f{k}/∂x{k}: R^{shape[1]} → R^{shape[0]}, shape {shape}" in out
    jacobians = list(result["jacobians"].values())
    assert len(jacobians) == 3 and jacobians[0].shape == (2, 4)
    for j in jacobians[1:]:
        np.testing.assert_allclose(j, jacobians[0], rtol=0, atol=1e-12)
    for sweep in result["sweeps"]:
        assert sweep.sizes == [1, 2, 4, 8]
        fwd, rev = sweep.flops["forward"], sweep.flops["reverse"]
        at = sweep.sizes.index(4)  # D = M: the same number of flops either way
        assert fwd[at] == rev[at]
        cheaper_below = "forward" if sweep.varied == "D" else "reverse"
        assert sweep.flops[cheaper_below][0] < sweep.flops["reverse" if cheaper_below == "forward" else "forward"][0]
    for suffix in ("png", "svg"):
        path = tmp_path / f"forward_vs_reverse.{suffix}"
        assert path.stat().st_size > 1000 and str(path) in out


def _sweep():
    s = CostSweep("D", 2)
    s.sizes = [1, 2, 4]
    s.seconds = {"forward": [1e-4, 2e-4, 4e-4], "reverse": [3e-4, 2.5e-4, 3e-4]}
    s.flops = {"forward": [10, 15, 25], "reverse": [15, 15, 15]}
    return s


def test_cost_table_names_the_faster_mode():
    table = cost_table([_sweep()])
    assert table.splitlines()[0] == "M = 2 fixed, D grows"
    assert [line.split()[-1] for line in table.splitlines()[2:]] == ["jacfwd", "jacfwd", "jacrev"]


def test_cost_plot_names_the_extra_when_matplotlib_is_missing(tmp_path, monkeypatch):
    _hide_matplotlib(monkeypatch)
    with pytest.raises(ImportError, match=r"autograd-core\[plots\]"):
        plot_costs([_sweep()], tmp_path)
    assert not list(tmp_path.iterdir())


def test_example_prints_a_table_without_matplotlib(tmp_path, capsys, monkeypatch):
    example = _load()
    _hide_matplotlib(monkeypatch)
    example.main(tmp_path, max_size=2, fixed=2, hidden=4, repeat=1)
    out = capsys.readouterr().out
    assert "no plot:" in out and "autograd-core[plots]" in out
    assert "jacfwd flops" in out
    assert not list(tmp_path.glob("*.png"))
