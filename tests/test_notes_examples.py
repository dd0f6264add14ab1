"""The notes' second-pass examples run in the suite: the errata page, the free-fall quiz and the perceptron."""

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import load_script

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def errata():
    return load_script("examples/errata.py", "errata")


def test_errata_prints_every_misprint_with_the_librarys_value(errata, capsys):
    items = errata.main()
    out = capsys.readouterr().out
    by_key = {item.key: item for item in items}
    assert len(by_key) == len(items) >= 20
    assert {item.notes for item in items} == {"000", "001", "002", "003", "004"}
    for item in items:
        assert f"slide:   {item.printed}" in out and f"library: {item.library}" in out

    v = {key: item.values for key, item in by_key.items()}
    assert v["000-parameters"] == {"count": 21, "slide": 20, "correct": 21}
    assert v["000-scalar-indices"] == {"weight": (4, 3), "bias": (4,)}
    assert v["000-chain-factors"]["chain_error"] < 1e-15
    assert (v["001-jvp-vjp"]["jvps"], v["001-jvp-vjp"]["vjps"], v["001-jvp-vjp"]["shape"]) == (4, 2, (2, 4))
    assert v["001-jvp-vjp"]["error"] < 1e-14
    assert round(v["002-softmax-sum"]["sum"], 2) == 181.73 and round(v["002-softmax-sum"]["first"], 2) == 3.67
    assert round(v["002-softmax-sum"]["p1"], 4) == 0.0202
    np.testing.assert_allclose(v["002-error-term"]["autograd"], v["002-error-term"]["notes"], rtol=1e-12)
    assert not np.allclose(v["002-error-term"]["squared"], v["002-error-term"]["autograd"])
    assert v["002-delta-sign"]["E_descent"] < v["002-delta-sign"]["E"] < v["002-delta-sign"]["E_ascent"]
    assert v["002-linear-collapse"]["gap"] < 1e-14
    assert np.all(v["002-linear-backprop"]["grad"] != 0)
    assert v["002-step-at-zero"]["step0"] == 1.0
    assert v["002-elu-curve"]["elu"] == pytest.approx(np.exp(-1) - 1)
    assert v["003-multilabel-targets"]["loss"] == pytest.approx(3 * np.log(2))
    assert round(v["004-update-sign"]["descent"], 3) == 0.722 and v["004-update-sign"]["ascent"] < 0.512
    np.testing.assert_allclose(v["004-new-W1"]["new_w1"], [0.188, 0.769, 0.447], atol=5e-4)
    np.testing.assert_allclose(v["004-new-W0"]["new_w0"][2], [-0.140, 0.310], atol=5e-4)
    assert round(v["004-new-W0"]["misprint_prediction"], 3) == 0.597
    np.testing.assert_array_equal(v["004-dot-derivative"]["d_dw"], [1.0, 3.0, -2.0])
    np.testing.assert_array_equal(v["004-dot-derivative"]["d_dx"], [0.4, -0.7, 0.2])
    np.testing.assert_allclose(v["004-bias-row"]["delta1"], [0.0, -0.060, -0.010], atol=5e-4)
    assert v["004-early-stop"] == {"stopped": 4, "best_epoch": 2}
    assert "26 for [3, 4, 2]" in out and "39 for [3, 4, 3, 2]" in out


def test_readme_lists_every_erratum(errata):
    section = README.read_text().split("## Errata in the course notes")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if re.match(r"\| 00[0-4] \|", line)]
    assert len(rows) == len(errata.collect())
    for item in errata.collect():
        assert any(line.startswith(f"| {item.notes} | {item.where.split(':')[0]}") for line in rows), item.key


def test_free_fall_quiz_is_answered_by_training(tmp_path, capsys):
    free_fall = load_script("examples/free_fall.py", "free_fall")
    result = free_fall.main(tmp_path)
    out = capsys.readouterr().out
    rows = {row["name"]: row for row in result["rows"]}
    line = rows["no hidden layer, linear output"]["r2"]
    logistic = rows["no hidden layer, logistic output"]["r2"]
    one = rows["1 sigmoid hidden unit, linear output"]["r2"]
    assert line < 0.95 and logistic < 0.995  # no hidden layer: not enough
    assert one >= 0.999 and (1 - logistic) > 10 * (1 - one)
    assert rows["2 sigmoid hidden units, linear output"]["r2"] >= 0.99999
    assert result["fewest_hidden"] == 1 and result["fewest_hidden_closely"] == 2
    predicted, true = result["beyond"]
    assert predicted[-1] < 0.95 * true[-1]  # twice the trained range: far short of ½gt²
    assert "input layer: 1 neuron (t); output layer: 1 neuron (h)" in out and "held-out R²" in out
    if "wrote:" in out:
        assert (tmp_path / "free_fall.png").stat().st_size > 5000


def test_perceptron_example(tmp_path, capsys):
    perceptron = load_script("examples/perceptron.py", "perceptron_example")
    result = perceptron.main(tmp_path)
    out = capsys.readouterr().out
    xor = [0, 1, 1, 0]
    assert result["go_swimming"] == 1.0
    assert result["errors"]["AND"][-1] == 0 and result["errors"]["OR"][-1] == 0
    assert min(result["errors"]["XOR"]) >= 1
    np.testing.assert_array_equal(result["two_layer_xor"], xor)
    assert result["step_gradient"] == 0.0
    np.testing.assert_array_equal(result["backprop_xor"], xor)
    assert "never 0" in out and "AND(h1, h2)" in out
