"""nn.Perceptron: the perceptron rule on AND, OR and XOR, Novikoff's bound, and the go-swimming example."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import InplaceModificationError, InvalidArgumentError, LabelError, ShapeError

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_the_rule_converges_on_linearly_separable_gates(gate):
    p = nn.Perceptron(2)
    errors = p.fit(X, GATES[gate], lr=1.0, epochs=100)
    assert errors[-1] == 0 and all(e > 0 for e in errors[:-1]) and len(errors) < 10
    np.testing.assert_array_equal(p.predict(X), GATES[gate])
    np.testing.assert_array_equal(p(ag.tensor(X)).data[:, 0], GATES[gate])
    assert p.errors_ == errors


def test_and_follows_the_rule_step_by_step():
    """From w = 0, b = 0 with η = 1: the first example (0, 0) → ŷ = step(0) = 1 ≠ 0, so b ← 0 + (0 − 1) = −1; …"""
    p = nn.Perceptron(2)
    assert p.fit(X, GATES["AND"], epochs=1) == [2]
    # (0,0): ŷ=1, y=0 → b=−1. (0,1): −1 < 0 → 0 ✓. (1,0): 0 ✓. (1,1): −1 → 0, y=1 → w=(1,1), b=0.
    np.testing.assert_array_equal(p.linear.weight.data, [[1.0, 1.0]])
    np.testing.assert_array_equal(p.linear.bias.data, [0.0])


def test_xor_never_reaches_zero_errors():
    p = nn.Perceptron(2)
    errors = p.fit(X, GATES["XOR"], epochs=200)
    assert len(errors) == 200 and min(errors) >= 1
    assert (p.predict(X) != GATES["XOR"]).any()


def test_mistakes_stay_within_novikoffs_bound():
    """Separable data with margin γ (augmented inputs within radius R): at most (R/γ)² updates in all."""
    gen = np.random.default_rng(0)
    w_star, b_star = np.array([2.0, -1.0, 0.5]), 0.3
    data = gen.uniform(-1, 1, (400, 3))
    scores = data @ w_star + b_star
    keep = np.abs(scores) > 0.3  # leave a margin around the separating plane
    data, labels = data[keep], (scores[keep] > 0).astype(float)
    augmented = np.hstack([data, np.ones((len(data), 1))])
    unit = np.append(w_star, b_star) / np.linalg.norm(np.append(w_star, b_star))
    gamma = np.min(np.abs(augmented @ unit))
    R = np.max(np.linalg.norm(augmented, axis=1))
    for lr in (1.0, 0.01):  # from w = 0 the rule's mistakes do not depend on η
        p = nn.Perceptron(3)
        errors = p.fit(data, labels, lr=lr, epochs=1000, shuffle=True, rng=1)
        assert errors[-1] == 0
        assert sum(errors) <= (R / gamma) ** 2
        np.testing.assert_array_equal(p.predict(data), labels)


def test_sign_activation_uses_labels_plus_minus_one():
    p = nn.Perceptron(2, activation="sign")
    errors = p.fit(X, [-1, -1, -1, 1])
    assert errors[-1] == 0
    np.testing.assert_array_equal(p.predict(X), [-1, -1, -1, 1])
    with pytest.raises(LabelError, match="-1 or 1"):
        p.fit(X, GATES["AND"])


def test_go_swimming_with_the_perceptron_module():
    """Notes 002: x = (1, 0, 1), w = (4, 2, 4), b = −3: 4 + 4 − 3 = 5 ≥ 0, so go swimming (1)."""
    p = nn.Perceptron(3)
    p.load_state_dict({"linear.weight": [[4.0, 2.0, 4.0]], "linear.bias": [-3.0]})
    assert p.predict([[1.0, 0.0, 1.0]]).tolist() == [1.0]
    p.load_state_dict({"linear.weight": [[4.0, 2.0, 4.0]], "linear.bias": [-4.0]})
    assert p.predict([[0.0, 0.0, 1.0]]).tolist() == [1.0]  # exactly on the threshold, 4 − 4 = 0: fires (≥ 0)


def test_fit_marks_the_weights_written():
    p = nn.Perceptron(2)
    out = p(ag.tensor(X)).sum() + (p.linear.weight * 1.0).sum()  # a graph recorded with the old weights
    p.fit(X, GATES["OR"])
    with pytest.raises(InplaceModificationError, match="modified in place"):
        out.backward()


def test_errors():
    p = nn.Perceptron(2)
    with pytest.raises(ShapeError, match=r"\(N, 2\)"):
        p.fit(np.zeros((4, 3)), GATES["OR"])
    with pytest.raises(ShapeError, match="one label per row"):
        p.fit(X, [0, 1])
    with pytest.raises(LabelError, match="0 or 1"):
        p.fit(X, [0, 1, 2, 1])
    with pytest.raises(InvalidArgumentError, match="lr"):
        p.fit(X, GATES["OR"], lr=0)
    with pytest.raises(InvalidArgumentError, match="epochs"):
        p.fit(X, GATES["OR"], epochs=-1)
    with pytest.raises(InvalidArgumentError, match="'step' or 'sign'"):
        nn.Perceptron(2, activation="relu")
    assert repr(nn.Perceptron(2)).startswith("Perceptron(in_features=2, activation='step'")
