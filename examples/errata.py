"""Errata for the five lecture notes: every misprint found, each beside the value the library computes.

The notes are numbered 000–004 as in the course folder. Each entry gives
where the slip is, what the slide prints, what is correct, and the library's
number (or shape) that settles it. Entries marked "notation" are slips in
indices or symbols with no number of their own; the library's matching
object is shown instead. A last section lists numbers that were checked and
are right (the slides' parameter counts 26 and 39 among them).

Run from the repository root:  python examples/errata.py
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402

# The grounded example of notes 004 (rows: bias, x1, x2; columns: hidden units).
W0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])
W1 = np.array([-0.3, 0.5, 0.1])
X0 = np.array([[0.0, 1.0]])
SOFTMAX_LOGITS = np.array([1.3, 5.1, 2.2, 0.7, 1.1])  # exp(1.3) = 3.67 is the slide's first term


@dataclass
class Erratum:
    """One misprint: notes file, place, what is printed, what is correct, and what the library computes."""

    key: str
    notes: str
    where: str
    printed: str
    correct: str
    library: str
    kind: str = "value"  # "value", "sign", "notation" or "claim"
    values: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------- helpers


def grounded_network(w0: np.ndarray, w1: np.ndarray) -> nn.Sequential:
    """Notes 004's 2-2-1 sigmoid network from its transfer matrices (bias row first)."""
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Sigmoid(), nn.Linear(2, 1, rng=0), nn.Sigmoid())
    model.load_state_dict({"0.weight": w0[1:].T, "0.bias": w0[0], "2.weight": w1[None, 1:], "2.bias": w1[:1]})
    return model


def transfer(model: nn.Sequential) -> tuple[np.ndarray, np.ndarray]:
    """The model's weights back as the slide's transfer matrices W(0) (3×2) and W(1) (3,)."""
    w0 = np.vstack([model[0].bias.data, model[0].weight.data.T])
    w1 = np.concatenate([model[2].bias.data, model[2].weight.data[0]])
    return w0, w1


def predict(model: nn.Sequential) -> float:
    with ag.no_grad():
        return model(ag.tensor(X0)).item()


def grounded_step(sign: float) -> tuple[nn.Sequential, float]:
    """One update W ← W + sign·ρ∇ with ρ = 1 on the neg-log-loss of the grounded example; the new prediction."""
    model = grounded_network(W0, W1)
    nn.BCELoss(reduction="sum")(model(ag.tensor(X0)), np.array([[1.0]])).backward()
    with ag.no_grad():
        for p in model.parameters():
            p.data += sign * p.grad.data
    return model, predict(model)


def fmt(values: Any, digits: int = 3) -> str:
    a = np.atleast_1d(np.asarray(values, dtype=float))
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.{digits}f}" for v in a) + "]"
    return "[" + "; ".join(", ".join(f"{v:.{digits}f}" for v in row) for row in a) + "]"


# ------------------------------------------------------------------ the errata


def notes_000() -> list[Erratum]:
    D, M = 3, 4
    count = sum(p.size for p in nn.MLP([D, M, 1]).parameters())
    hidden = nn.Linear(D, M, rng=0)
    # Chain rule through a 3-layer sigmoid net, with the corrected factors, against backpropagation.
    gen = np.random.default_rng(0)
    layers = [nn.Linear(3, 4, rng=1), nn.Linear(4, 3, rng=2), nn.Linear(3, 1, rng=3)]
    x = gen.normal(size=3)
    a1 = layers[0](ag.tensor(x))
    z1 = ag.sigmoid(a1)
    a2 = layers[1](z1)
    z2 = ag.sigmoid(a2)
    o = layers[2](z2)
    (o * o).sum().backward()  # L = o², a regression loss
    dsig = lambda z: np.diag(z.data * (1 - z.data))  # ∂z/∂a = σ′(a) = z(1 − z)
    # ∂L/∂b(1) = ∂L/∂o · ∂o/∂z(2) · ∂z(2)/∂a(2) · ∂a(2)/∂z(1) · ∂z(1)/∂a(1) · ∂a(1)/∂b(1), with ∂a(1)/∂b(1) = I.
    chain = (2 * o.data) @ layers[2].weight.data @ dsig(z2) @ layers[1].weight.data @ dsig(z1)
    chain_error = float(np.max(np.abs(chain - layers[0].bias.grad.data)))
    return [
        Erratum(
            "000-parameters",
            "000",
            "2-layer regression MLP, scalar form: parameter count",
            "M(D+1) weights and (D+1) biases",
            "M(D+1) into the hidden layer (M·D weights, M biases) and M+1 into the output: M(D+1) + (M+1)",
            f"nn.MLP([{D}, {M}, 1]) has {count} parameters = {M}·({D}+1) + ({M}+1); the slide's count gives "
            f"{M * (D + 1) + (D + 1)}",
            values={"count": count, "slide": M * (D + 1) + (D + 1), "correct": M * (D + 1) + (M + 1)},
        ),
        Erratum(
            "000-scalar-indices",
            "000",
            "2-layer regression MLP, scalar form: hidden unit m",
            "z_m = φ(Σ_d w_{1,d} x_nd + b_d)",
            "z_m = φ(Σ_d w_{m,d} x_nd + b_m): one weight row and one bias per hidden unit",
            f"nn.Linear({D}, {M}): weight {hidden.weight.shape}, bias {hidden.bias.shape}",
            kind="notation",
            values={"weight": hidden.weight.shape, "bias": hidden.bias.shape},
        ),
        Erratum(
            "000-bias-vector",
            "000",
            "matrix operations, eq. (13)",
            "bias vector (b_0, b_1, …, b_M) for M neurons (M + 1 entries)",
            "(b_1, …, b_M): M entries, one per neuron",
            f"nn.Linear(D, {M}).bias has shape {hidden.bias.shape}",
            kind="notation",
            values={"bias": hidden.bias.shape},
        ),
        Erratum(
            "000-chain-factors",
            "000",
            "backward pass, eqs. (53) and (56)",
            "∂z^(L−2)/∂b^(L−2) as the second-to-last factor of ∂L/∂b^(L−2); ∂z^(L−1)/∂a^(L) in ∂L/∂w^(1)",
            "∂z^(L−2)/∂a^(L−2) and ∂z^(L−1)/∂a^(L−1) (each activation differentiated by its own pre-activation)",
            f"the corrected chain for ∂L/∂b(1) of a 3-4-3-1 sigmoid net equals backward()'s gradient "
            f"(largest difference {chain_error:.1e})",
            kind="notation",
            values={"chain_error": chain_error},
        ),
    ]


def notes_001() -> list[Erratum]:
    gen = np.random.default_rng(0)
    model = nn.MLP([4, 8, 6, 4, 2], activation="tanh", rng=0)
    x = gen.normal(size=4)
    D, M = 4, 2
    columns = [ag.jvp(model, (ag.tensor(x),), (ag.tensor(np.eye(D)[j]),))[1].data for j in range(D)]
    _, pullback = ag.vjp(model, ag.tensor(x))
    rows = [pullback(ag.tensor(np.eye(M)[i]))[0].data for i in range(M)]
    J = ag.jacrev(model)(ag.tensor(x)).data
    error = max(np.max(np.abs(np.stack(columns, axis=1) - J)), np.max(np.abs(np.stack(rows) - J)))
    return [
        Erratum(
            "001-jvp-vjp",
            "001",
            "computing the Jacobian",
            "M JVPs (one per input dimension) or D VJPs (one per output dimension)",
            "D JVPs (one per input, a column each) or M VJPs (one per output, a row each)",
            f"the 4-8-6-4-2 network's {J.shape[0]}×{J.shape[1]} Jacobian: {len(columns)} JVPs give its columns, "
            f"{len(rows)} VJPs its rows (both equal jacrev to {error:.0e})",
            values={"jvps": len(columns), "vjps": len(rows), "shape": J.shape, "error": float(error)},
        ),
        Erratum(
            "001-minibatch-index",
            "001",
            "mini-batch learning, eq. (32), and considerations",
            "Σ_{n∈B_t} ∂L_m/∂θ, and batch sizes written M = 16 or M = 32",
            "Σ_{n∈B_t} ∂L_n/∂θ over the B = |B_t| examples of the batch (M is the output size elsewhere)",
            "DataLoader(X, y, batch_size=B) yields batches of B examples; losses average over them",
            kind="notation",
        ),
    ]


def notes_002() -> list[Erratum]:
    exps = np.exp(SOFTMAX_LOGITS)
    total = float(ag.exp(ag.tensor(SOFTMAX_LOGITS)).sum().item())
    p1 = nn.Softmax()(ag.tensor(SOFTMAX_LOGITS)).data[0]

    # One sigmoid neuron, E = ½e², e = ŷ − y with ŷ the target (the slide's naming).
    x = np.array([0.5, -1.0, 2.0])
    w = ag.tensor([0.1, 0.4, -0.3], requires_grad=True)
    target = 1.0
    y = ag.sigmoid(w @ ag.tensor(x))
    E = 0.5 * (target - y) ** 2
    E.backward()
    out, e = y.item(), target - y.item()
    notes_grad = -e * (1 - out) * out * x  # the slide's result, with e = ŷ − y
    squared_e_grad = -(e**2) * (1 - out) * out * x  # what e = (ŷ − y)² would give
    delta = -e * (1 - out) * out
    eta = 0.5
    loss = lambda v: 0.5 * (target - 1 / (1 + math.exp(-float(v @ x)))) ** 2
    E_down, E_up = loss(w.data - eta * delta * x), loss(w.data + eta * delta * x)

    # Two layers without activation collapse into one: W2(W1x + b1) + b2 = (W2W1)x + (W2b1 + b2).
    first, second = nn.Linear(3, 4, rng=1), nn.Linear(4, 2, rng=2)
    W1_, b1_, W2_, b2_ = first.weight.data, first.bias.data, second.weight.data, second.bias.data
    xs = np.random.default_rng(0).normal(size=(5, 3))
    collapsed = xs @ (W2_ @ W1_).T + (W2_ @ b1_ + b2_)
    with ag.no_grad():
        stacked = second(first(ag.tensor(xs))).data
    linear_gap = float(np.max(np.abs(stacked - collapsed)))

    # A linear unit's gradient is not zero: ∂E/∂w = (w·x − y)·x.
    wl = ag.tensor([0.2, -0.1, 0.3], requires_grad=True)
    (0.5 * (wl @ ag.tensor(x) - 1.0) ** 2).backward()
    linear_grad = wl.grad.data.copy()

    step0 = nn.Step()(ag.tensor([0.0])).item()
    elu = nn.ELU(1.0)(ag.tensor([-1.0])).item()
    return [
        Erratum(
            "002-softmax-sum",
            "002",
            "softmax activation, worked example",
            'sum "around 181.73", then exp(1.3) / 181.37 = 3.67 / 181.37 = 0.02',
            "3.67 / 181.73 = 0.0202 (the sum is 181.73; 0.02 either way)",
            f"Σ exp(z) = {total:.2f} for z = {SOFTMAX_LOGITS.tolist()}; softmax(z)₁ = {p1:.4f}",
            values={"sum": total, "first": float(exps[0]), "p1": float(p1)},
        ),
        Erratum(
            "002-error-term",
            "002",
            "gradient descent (III): the composite loss",
            "e_j = (ŷ_j − y_j)², y_j = 1/φ(A_j), and a middle factor ∂A_j/∂A_j",
            "e_j = ŷ_j − y_j (E_j = ½e_j² squares it once), y_j = φ(A_j), factor ∂y_j/∂A_j",
            f"for a sigmoid neuron autograd's ∂E/∂w = {fmt(w.grad.data, 4)} equals the slide's −e(1 − y)y·x = "
            f"{fmt(notes_grad, 4)} with e = ŷ − y; e = (ŷ − y)² would give {fmt(squared_e_grad, 4)}",
            values={"autograd": w.grad.data.copy(), "notes": notes_grad, "squared": squared_e_grad},
        ),
        Erratum(
            "002-delta-sign",
            "002",
            "gradient descent (IV): the perceptron δ function",
            "Δw_ij = η δ_j x_i (with δ_j = −e_j(1 − y_j)y_j, so that ∂E/∂w = δ x)",
            "Δw_ij = −η δ_j x_i, as the slide's own Δw = −η ∂E/∂w says",
            f"on that neuron (η = {eta}): E = {E.item():.5f}; after −ηδx E = {E_down:.5f}, after +ηδx E = {E_up:.5f}",
            kind="sign",
            values={"E": E.item(), "E_descent": E_down, "E_ascent": E_up},
        ),
        Erratum(
            "002-linear-collapse",
            "002",
            "why activations: layers without φ",
            "a[1] = w[1] x b[1], a[2] = w[2] a[1] b[2], …, = w[2]w[1]x + (w[2]b[1]) + b[2]) = wxb",
            "a[1] = W[1]x + b[1], a[2] = W[2]a[1] + b[2] = (W[2]W[1])x + (W[2]b[1] + b[2]) = Wx + b",
            f"Linear(3, 4) then Linear(4, 2) equals one Linear with W = W2·W1, b = W2·b1 + b2 to {linear_gap:.0e}",
            kind="notation",
            values={"gap": linear_gap},
        ),
        Erratum(
            "002-linear-backprop",
            "002",
            "linear activation function",
            '"Backpropagation cannot be applied as the derivative is a constant"',
            "it can: a constant φ′ = 1 still passes the gradient on (what a linear layer cannot do is bend)",
            f"a linear unit's ∂E/∂w = (w·x − y)·x = {fmt(linear_grad, 4)}, not zero",
            kind="claim",
            values={"grad": linear_grad},
        ),
        Erratum(
            "002-step-at-zero",
            "002",
            "binary step function",
            "φ(z) = 0 if z < 0, 1 if z > 0 (z = 0 left out)",
            "the perceptron slide's φ = 1 if w·x + b ≥ 0: the threshold itself fires",
            f"nn.Step()(0) = {step0:g}",
            kind="notation",
            values={"step0": step0},
        ),
        Erratum(
            "002-elu-curve",
            "002",
            "ELU",
            '"ELU uses a log curve to define the negative values"',
            "an exponential curve, α(e^z − 1), approaching −α",
            f"nn.ELU(1)(−1) = {elu:.4f} = e⁻¹ − 1",
            kind="notation",
            values={"elu": elu},
        ),
    ]


def notes_003() -> list[Erratum]:
    loss = nn.BCEWithLogitsLoss(reduction="batchmean")(ag.zeros(5, 3), np.ones((5, 3)))
    return [
        Erratum(
            "003-multilabel-targets",
            "003",
            "multiple target dimensions: classification",
            "M binary output labels y = (y_1, …, y_N) with y_i ∈ {0, 1}",
            "y_i ∈ {0, 1}^M: M labels per example",
            f"BCEWithLogitsLoss takes targets of shape (N, M); with reduction='batchmean' it is the notes' "
            f"(1/N)Σ_iΣ_j: {loss.item():.4f} = 3·log 2 for 3 undecided labels",
            kind="notation",
            values={"loss": loss.item()},
        ),
        Erratum(
            "003-forward-index",
            "003",
            "forward and backward passes",
            "a_q = Σ_{j∈↑k} w_qj σ(a_j) + b_q",
            "a_q = Σ_{j∈↑q} w_qj σ(a_j) + b_q (sum over the units feeding q)",
            "nn.Linear computes a = W·z + b, row q of W feeding unit q",
            kind="notation",
        ),
    ]


def notes_004() -> list[Erratum]:
    down, down_pred = grounded_step(-1.0)
    _, up_pred = grounded_step(+1.0)
    new_w0, new_w1 = transfer(down)
    printed_w0 = np.array([[0.460, 0.610], [0.700, -0.400], [0.460, 0.610]])
    printed_w1 = np.array([0.188, 0.769, -0.447])
    misprint_pred = predict(grounded_network(printed_w0, printed_w1))

    w = ag.tensor([0.4, -0.7, 0.2], requires_grad=True)
    x = ag.tensor([1.0, 3.0, -2.0], requires_grad=True)
    (w @ x).backward()

    model = grounded_network(W0, W1)
    a1 = model[0](ag.tensor(X0))
    a1.retain_grad()
    nn.BCELoss(reduction="sum")(model[3](model[2](model[1](a1))), np.array([[1.0]])).backward()
    delta1 = np.concatenate([[0.0], a1.grad.data[0]])  # the bias unit has no pre-activation: its entry is 0

    monitor = nn.EarlyStopping(patience=2, restore_best=False)
    monitor.on_train_begin(None, None)
    val_losses = [1.0, 0.8, 0.7, 0.72, 0.75, 0.8]
    stopped = next(e for e, v in enumerate(val_losses) if monitor.on_epoch_end(e, {"val_loss": v}))
    return [
        Erratum(
            "004-update-sign",
            "004",
            "training ANNs (and generalized backpropagation II)",
            "W(i) ← W(i) + ρ∇Loss (and w ← w ρ ∂J/∂w, the minus lost)",
            "W ← W − ρ∇Loss: a gradient step subtracts",
            f"grounded example, ρ = 1: W − ∇ predicts {down_pred:.3f} (target 1, was 0.512); W + ∇ predicts "
            f"{up_pred:.3f}",
            kind="sign",
            values={"descent": down_pred, "ascent": up_pred},
        ),
        Erratum(
            "004-new-W1",
            "004",
            "grounded example III: new W(1)",
            "[0.188, 0.769, −0.447]",
            "[0.188, 0.769, 0.447] (0.1 − (−0.347) = +0.447)",
            f"{fmt(new_w1)}",
            kind="sign",
            values={"new_w1": new_w1},
        ),
        Erratum(
            "004-new-W0",
            "004",
            "grounded example III: new W(0), last row",
            "[0.460, 0.610] (a copy of the first row)",
            "[−0.140, 0.310] = [−0.2, 0.3] − [−0.060, −0.010]",
            f"{fmt(new_w0[2])}; new prediction {down_pred:.3f} as the slide says, while its printed matrices "
            f"would predict {misprint_pred:.3f}",
            values={"new_w0": new_w0, "prediction": down_pred, "misprint_prediction": misprint_pred},
        ),
        Erratum(
            "004-dot-derivative",
            "004",
            "training one neuron: the last chain-rule factor",
            "∂wᵀx/∂x_i = x_i",
            "∂wᵀx/∂w_i = x_i (while ∂wᵀx/∂x_i = w_i)",
            f"for w = {w.data.tolist()}, x = {x.data.tolist()}: ∂(w·x)/∂w = {x.data.tolist()} = x, "
            f"∂(w·x)/∂x = {w.data.tolist()} = w",
            kind="notation",
            values={"d_dw": w.grad.data.copy(), "d_dx": x.grad.data.copy()},
        ),
        Erratum(
            "004-W0-symbols",
            "004",
            "grounded example I: W(0) in symbols",
            "first row (w_{0,1}, w_{1,1}), repeating w_{1,1} of the second row",
            "first row (w_{0,1}, w_{0,2}): the bias weights into the two hidden units",
            f"the first row of W(0), [0.4, 0.6], is the hidden layer's bias: Linear.bias = "
            f"{model[0].bias.data.tolist()}",
            kind="notation",
        ),
        Erratum(
            "004-bias-row",
            "004",
            "backpropagation: a more generalized example I",
            'δ^(−2) without "the first row corresponding to the bias term o_1"',
            "the bias term is o_0 (o_1 is the first hidden unit)",
            f"the bias entry of δ is always 0: δ(1) = {fmt(delta1)} in the grounded example",
            kind="notation",
            values={"delta1": delta1},
        ),
        Erratum(
            "004-early-stop",
            "004",
            "overfitting in ANNs",
            'early stop: "stop when the loss on test set drops too much"',
            "stop when the held-out loss stops dropping (starts to rise), after some patience",
            f"EarlyStopping(patience=2) on val losses {val_losses} stops at epoch {stopped} (best epoch "
            f"{monitor.best_epoch}, loss {monitor.best})",
            kind="claim",
            values={"stopped": stopped, "best_epoch": monitor.best_epoch},
        ),
    ]


def collect() -> list[Erratum]:
    """Every erratum, in the order of the notes."""
    return notes_000() + notes_001() + notes_002() + notes_003() + notes_004()


def confirmed() -> dict[str, Any]:
    """Numbers of the notes that were checked and are right."""
    model = grounded_network(W0, W1)
    return {
        "parameters [3, 4, 2]": sum(p.size for p in nn.MLP([3, 4, 2]).parameters()),
        "parameters [3, 4, 3, 2]": sum(p.size for p in nn.MLP([3, 4, 3, 2]).parameters()),
        "grounded output": predict(model),
        "go swimming": nn.Step()(ag.tensor([4.0 * 1 + 2.0 * 0 + 4.0 * 1 - 3.0])).item(),
    }


def main() -> list[Erratum]:
    errata = collect()
    print(
        f"{len(errata)} errata in the five notes (misprints, and a few wrong claims), each with the library's value\n"
    )
    for item in errata:
        tag = "" if item.kind == "value" else f" ({item.kind})"
        print(f"[{item.notes}] {item.where}{tag}")
        print(f"    slide:   {item.printed}")
        print(f"    correct: {item.correct}")
        print(f"    library: {item.library}")
    ok = confirmed()
    print(
        "\nChecked and right: the slides' parameter counts "
        f"{ok['parameters [3, 4, 2]']} for [3, 4, 2] ((4×4) + (5×2)) and {ok['parameters [3, 4, 3, 2]']} for "
        "[3, 4, 3, 2] ((4×4) + (5×3) + (4×2));\n"
        f"the grounded example's forward pass ({ok['grounded output']:.3f}), δ's and gradients; the go-swimming "
        f"perceptron ({ok['go swimming']:g})."
    )
    return errata


if __name__ == "__main__":
    main()
