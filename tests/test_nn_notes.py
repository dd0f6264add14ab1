"""The course notes' worked examples, reproduced with nn.

The grounded example (notes 004): a 2-2-1 sigmoid network, input (0, 1),
target 1, neg-log-loss, one SGD step with learning rate 1. In the notes'
augmented notation W(0) has rows (bias, x1, x2) and W(1) rows (bias, h1, h2);
in nn's, Linear(2, 2).weight = W(0)[1:]ᵀ, .bias = W(0)[0], and likewise for
the output layer.

The slide prints two misprinted results on its update slide, and these tests
assert the mathematically correct values instead:
* new W(1) = W(1) − ∇(1) = (−0.3, 0.5, 0.1) − (−0.488, −0.269, −0.347)
  = (0.188, 0.769, 0.447); the slide prints −0.447 for the last entry
  (a sign error: 0.1 + 0.347 = 0.447);
* new W(0): its last row is (−0.2, 0.3) − (−0.060, −0.010) = (−0.140, 0.310);
  the slide prints (0.460, 0.610), a copy of the first row.
With the correct weights the new prediction is 0.722, as the slide says.
"""

import numpy as np
import pytest

import autograd_core as ag
import nn

W0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])  # rows: bias, x1, x2
W1 = np.array([-0.3, 0.5, 0.1])  # rows: bias, h1, h2


def grounded_network():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    model.load_state_dict({"0.weight": W0[1:].T, "0.bias": W0[0], "2.weight": W1[None, 1:], "2.bias": W1[:1]})
    return model


def test_grounded_example_forward_backward_and_update():
    model = grounded_network()
    x, y = ag.tensor([[0.0, 1.0]]), ag.tensor([[1.0]])

    z1 = model[0](x)
    h = model[1](z1)
    z2 = model[2](h)
    out = model[3](z2)
    for t in (z1, z2):
        t.retain_grad()
    np.testing.assert_allclose(h.data, [[0.550, 0.711]], atol=5e-4)
    np.testing.assert_allclose(out.data, [[0.512]], atol=5e-4)

    loss = nn.BCELoss(reduction="sum")(out, y)  # neg-log-loss −y log ŷ − (1 − y) log(1 − ŷ)
    loss.backward()
    # δ(2) = ŷ − y: the gradient at the output's pre-activation.
    np.testing.assert_allclose(z2.grad.data, [[-0.488]], atol=5e-4)
    # δ(1) = x(1)∘(1 − x(1))∘(W(1) δ(2)) = (0, −0.060, −0.010); the bias entry 0 has no pre-activation.
    np.testing.assert_allclose(z1.grad.data, [[-0.060, -0.010]], atol=5e-4)
    # ∇(1) = x(1) δ(2) = (−0.488, −0.269, −0.347) over (bias, h1, h2).
    np.testing.assert_allclose(model[2].bias.grad.data, [-0.488], atol=5e-4)
    np.testing.assert_allclose(model[2].weight.grad.data, [[-0.269, -0.347]], atol=5e-4)
    # ∇(0) = x(0) δ(1)ᵀ with x(0) = (1, 0, 1): rows (−0.060, −0.010), (0, 0), (−0.060, −0.010).
    np.testing.assert_allclose(model[0].bias.grad.data, [-0.060, -0.010], atol=5e-4)
    np.testing.assert_allclose(model[0].weight.grad.data.T, [[0.0, 0.0], [-0.060, -0.010]], atol=5e-4)

    nn.optim.SGD(model.parameters(), lr=1.0).step()
    new_w1 = np.concatenate([model[2].bias.data, model[2].weight.data[0]])
    np.testing.assert_allclose(new_w1, [0.188, 0.769, 0.447], atol=5e-4)  # slide: −0.447 (misprint)
    new_w0 = np.vstack([model[0].bias.data, model[0].weight.data.T])
    np.testing.assert_allclose(
        new_w0, [[0.460, 0.610], [0.700, -0.400], [-0.140, 0.310]], atol=5e-4
    )  # slide: last row 0.460, 0.610
    np.testing.assert_allclose(model(x).data, [[0.722]], atol=5e-4)


def test_the_slides_misprinted_weights_do_not_give_its_prediction():
    """The update slide's printed weights would predict 0.597, not the 0.722 it announces."""
    model = grounded_network()
    printed_w0 = np.array([[0.460, 0.610], [0.700, -0.400], [0.460, 0.610]])
    printed_w1 = np.array([0.188, 0.769, -0.447])
    model.load_state_dict(
        {
            "0.weight": printed_w0[1:].T,
            "0.bias": printed_w0[0],
            "2.weight": printed_w1[None, 1:],
            "2.bias": printed_w1[:1],
        }
    )
    pred = model(ag.tensor([[0.0, 1.0]])).item()
    assert pred == pytest.approx(0.597, abs=5e-4)


def test_go_swimming_perceptron_outputs_1():
    """Notes 002: water warm x1 = 1, beach empty x2 = 0, no shark attack x3 = 1; w = (4, 2, 4), b = −3."""
    perceptron = nn.Sequential(nn.Linear(3, 1), nn.Step())
    perceptron.load_state_dict({"0.weight": [[4.0, 2.0, 4.0]], "0.bias": [-3.0]})
    assert perceptron(ag.tensor([[1.0, 0.0, 1.0]])).item() == 1.0
    # And it says no when the water is cold and there was a shark attack: 2 − 3 < 0.
    assert perceptron(ag.tensor([[0.0, 1.0, 0.0]])).item() == 0.0


def test_the_step_gives_the_perceptron_no_gradient():
    perceptron = nn.Sequential(nn.Linear(3, 1), nn.Step())
    out = perceptron(ag.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))
    nn.MSELoss()(out, ag.tensor([[0.0], [1.0]])).backward()
    for p in perceptron.parameters():
        np.testing.assert_array_equal(p.grad.data, 0.0)


@pytest.mark.parametrize(
    ("sizes", "per_layer", "count"),
    [([3, 4, 2], [4 * 4, 5 * 2], 26), ([3, 4, 3, 2], [4 * 4, 5 * 3, 4 * 2], 39)],
)
def test_parameter_counts_of_the_notes_slides(sizes, per_layer, count):
    """Notes 000: (4×4) + (5×2) = 26 for the two-layer net and (4×4) + (5×3) + (4×2) = 39 for the three-layer one.

    Each factor is (inputs + 1 bias) × neurons of one layer.
    """
    model = nn.MLP(sizes)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [m.weight.size + m.bias.size for m in linears] == per_layer
    assert sum(p.size for p in model.parameters()) == count


@pytest.mark.parametrize(("D", "M"), [(1, 1), (3, 4), (10, 7)])
def test_one_hidden_layer_regression_mlp_has_M_times_D_plus_1_plus_M_plus_1_parameters(D, M):
    """Notes 000 print "M(D+1) weights and (D+1) biases"; the count is M(D+1) into the hidden layer and M+1 into the output."""
    model = nn.MLP([D, M, 1])
    assert sum(p.size for p in model.parameters()) == M * (D + 1) + (M + 1)


def test_softmax_worked_recipe():
    """Notes 002: exponentiate, sum (≈ 181.73), divide: exp(1.3) / 181.73 = 3.67 / 181.73 ≈ 0.02.

    The slide's second step prints the sum as 181.37, a transposition of the
    181.73 it gives in the first step; the quotient rounds to 0.02 either way.
    """
    z = ag.tensor([1.3, 5.1, 2.2, 0.7, 1.1], requires_grad=True)
    exps = ag.exp(z)
    total = exps.sum()
    assert round(total.item(), 2) == 181.73  # step 1
    assert round(exps.data[0], 2) == 3.67
    y = nn.Softmax()(z)
    assert round(y.data[0], 2) == 0.02  # step 2, for the first component
    np.testing.assert_allclose(y.data, exps.data / total.item(), rtol=1e-12)
    assert np.all((y.data > 0) & (y.data < 1)) and y.sum().item() == pytest.approx(1.0)
    assert y.data.argmax() == 1  # the largest input, 5.1, takes most of the probability (≈ 0.90)
    assert round(y.data[1], 2) == 0.90
    # Its gradient: ∂yᵢ/∂zⱼ = yᵢ(δᵢⱼ − yⱼ), so ∂y₀/∂z = y₀·(e₀ − y).
    y[0].backward()
    np.testing.assert_allclose(z.grad.data, y.data[0] * (np.eye(5)[0] - y.data), rtol=1e-12)


def test_weight_decay_penalty_of_the_notes():
    """Notes 001: C ← C + λ(Σw² + Σb²)."""
    model = nn.Linear(2, 1)
    model.load_state_dict({"weight": [[1.0, -2.0]], "bias": [3.0]})
    assert nn.l2_penalty(model.parameters()).item() == 1 + 4 + 9
    assert nn.l1_penalty(model.parameters()).item() == 1 + 2 + 3
