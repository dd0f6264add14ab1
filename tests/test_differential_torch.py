"""Differential test against PyTorch: random programs of registered primitives, run by both.

Each program is 3–8 steps drawn from ``torch_cases.BUILDERS`` (so every
registered primitive takes part) on 1–3 inputs of mutually broadcasting
shapes, 0-d, size-0 and size-1 axes included, in float32 or float64, with
values either generic or on a coarse grid (exact zeros and ties: the kinks of
relu, abs, max, clip). Every step's value is compared, then

* reverse mode: the gradient of L = Σₖ ⟨wₖ, vₖ⟩ over all step values vₖ,
* forward mode: ``ag.jvp`` against ``torch.func.jvp`` for every step value,
* second order: the Hessian-vector product ∇²L·v, forward-over-reverse and
  reverse-over-reverse, against PyTorch's double backward.

A step whose reference value is not finite or not moderate (|v| > 1e3) is
redrawn, so the comparison is never between two overflows. float32 results
are held to float32's accuracy: within a small multiple of PyTorch's own
float32 error, measured against a float64 run of the same program.

``AG_FUZZ_EXAMPLES`` sets the number of programs (default 60, derandomized in
CI); ``AG_FUZZ_EXAMPLES=5000 HYPOTHESIS_PROFILE=explore`` for a long random run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, note, reject, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch_cases import BUILDERS, EXCLUDED, Context, Op

import autograd_core as ag

EXAMPLES = int(os.environ.get("AG_FUZZ_EXAMPLES", "60"))
LIMIT = 1e3  # largest |value| a kept step may produce
MAX_SIZE = 400  # largest number of elements a kept step may produce
NAMES = sorted(BUILDERS)


def test_every_primitive_has_a_torch_builder():
    missing = sorted(set(ag.REGISTRY) - set(BUILDERS) - set(EXCLUDED))
    assert not missing, f"add a PyTorch builder to tests/torch_cases.py (or a reasoned EXCLUDED entry) for {missing}"
    assert not set(BUILDERS) & set(EXCLUDED), "a primitive is both built and excluded"
    assert set(BUILDERS) | set(EXCLUDED) <= set(ag.REGISTRY), "a builder names a primitive that is not registered"


# ------------------------------------------------------------------ programs
@dataclass
class Step:
    name: str
    op: Op


@dataclass
class Program:
    """Inputs and steps; ``layout`` orders the values: ("leaf", k) or ("step", j)."""

    dtype: np.dtype
    leaves: list[np.ndarray]
    steps: list[Step]
    layout: list[tuple[str, int]]
    skipped: frozenset = frozenset()  # checks where a step sits on a kink PyTorch treats differently

    def run(self, leaves: list, call) -> list:
        """Every step's value, given the inputs and ``call(op, *operands)``."""
        pool, outs = [], []
        for kind, k in self.layout:
            if kind == "leaf":
                pool.append(leaves[k])
            else:
                op = self.steps[k].op
                pool.append(call(op, *[pool[i] for i in op.args]))
                outs.append(pool[-1])
        return outs

    def text(self) -> str:
        lines = [f"dtype {self.dtype}"]
        for i, (kind, k) in enumerate(self.layout):
            if kind == "leaf":
                x = self.leaves[k]
                lines.append(f"v{i} = input {x.shape}: {np.array2string(x.ravel()[:12], precision=4)}")
            else:
                step = self.steps[k]
                lines.append(f"v{i} = " + step.op.text.replace("{}", step.name, 1))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    @property
    def mixes_dtypes(self) -> bool:
        return any(s.name == "cast" for s in self.steps)

    @property
    def float32_inside(self) -> bool:
        return self.dtype == np.float32 or any("float32" in s.op.text for s in self.steps)


def ours(op: Op, *xs):
    return op.ours(*xs)


def theirs(torch):
    return lambda op, *xs: op.theirs(torch, *xs)


def sample_values(rng: np.random.Generator, shape: tuple[int, ...], style: str) -> np.ndarray:
    if style == "grid":  # exact zeros and ties
        return rng.integers(-2, 3, shape) * 0.5
    return rng.standard_normal(shape)


@st.composite
def programs(draw, torch):
    dtype = np.dtype(draw(st.sampled_from(["float32", "float64"])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    style = draw(st.sampled_from(["normal", "normal", "grid"]))
    min_side = draw(st.sampled_from([0, 1, 1, 1]))
    shapes = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=draw(st.integers(1, 3)), min_dims=0, max_dims=3, min_side=min_side, max_side=3
        )
    ).input_shapes
    leaves = [np.asarray(sample_values(rng, s, style), dtype=dtype).reshape(s) for s in shapes]
    layout = [("leaf", k) for k in range(len(leaves))]
    refs = [torch.from_numpy(x) for x in leaves]
    steps: list[Step] = []
    skipped: set[str] = set()
    for _ in range(draw(st.integers(3, 8))):
        for _attempt in range(8):
            name = draw(st.sampled_from(NAMES))
            a = len(layout) - 1 if draw(st.booleans()) else draw(st.integers(0, len(layout) - 1))
            ctx = Context(draw, rng, [tuple(r.shape) for r in refs], dtype)
            op = BUILDERS[name](ctx, a)
            if op is None:
                continue
            fresh = [np.asarray(x, dtype=dtype).reshape(x.shape) for x in ctx.pending]
            if style == "grid":
                fresh = [np.asarray(np.round(x * 2) / 2, dtype=dtype).reshape(x.shape) for x in fresh]
            operands = [(refs + [torch.from_numpy(x) for x in fresh])[i] for i in op.args]
            try:
                value = op.theirs(torch, *operands)
            except Exception as err:
                raise AssertionError(
                    f"the PyTorch builder failed on {op.text.replace('{}', name)} with operands "
                    f"{[tuple(x.shape) for x in operands]}"
                ) from err
            if value.numel() > MAX_SIZE or not bool(torch.isfinite(value).all()):
                continue
            if value.numel() and float(value.abs().max()) > LIMIT:
                continue
            for x in fresh:
                layout.append(("leaf", len(leaves)))
                leaves.append(x)
                refs.append(torch.from_numpy(x))
            if op.conventions is not None:
                skipped.update(op.conventions(operands, value))
            layout.append(("step", len(steps)))
            steps.append(Step(name, op))
            event(f"uses {name}")
            refs.append(value)
            break
    if not steps:
        reject()
    return Program(dtype, leaves, steps, layout, frozenset(skipped))


# --------------------------------------------------------------- comparison
def check_close(what: str, got, same, ref, loose: bool) -> None:
    """``got`` (ours) against PyTorch: ``same`` in the program's dtypes, ``ref`` the float64 run.

    float64: |got − same| ≤ 1e-6·(|same| + max|same|) + 1e-9. float32: within
    10× PyTorch's own float32 error, or 2e-3 relative to the array's scale.
    NaN must meet NaN and inf the same inf.
    """
    got = np.asarray(got, dtype=np.float64)
    same = np.asarray(same, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == same.shape, f"{what}: shape {got.shape}, PyTorch {same.shape}"
    if not got.size:
        return
    bad_nan = np.isnan(got) != np.isnan(same)
    both_inf = np.isinf(got) & np.isinf(same)
    assert not bad_nan.any(), f"{what}: NaN mismatch\nours    {got}\nPyTorch {same}"
    assert (got[both_inf] == same[both_inf]).all() and (np.isinf(got) == np.isinf(same)).all(), (
        f"{what}: inf mismatch\nours    {got}\nPyTorch {same}"
    )
    finite = np.isfinite(same)
    g, s, r = got[finite], same[finite], ref[finite]
    if not g.size:
        return
    scale = float(np.abs(r).max())
    if loose:
        allowed = 10 * np.abs(s - r) + 2e-3 * (scale + np.abs(r)) + 1e-5
        err = np.abs(g - r)
    else:
        allowed = 1e-6 * (np.abs(s) + scale) + 1e-9
        err = np.abs(g - s)
    worst = int(np.argmax(err - allowed))
    assert (err <= allowed).all(), (
        f"{what}: ours {g[worst]!r} vs PyTorch {s[worst]!r} (float64 {r[worst]!r}), "
        f"error {err[worst]:.3g} > {allowed[worst]:.3g}\nours    {got}\nPyTorch {same}"
    )


def weights_for(outs, seed=11) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(np.shape(o)).astype(o.dtype) for o in outs]


def to_numpy(torch, t) -> np.ndarray:
    """A PyTorch result as an owned numpy array (its efficient zero tensors and lazy views included)."""
    t = t.detach()
    if t._is_zerotensor():
        return np.zeros(tuple(t.shape), dtype=torch.empty((), dtype=t.dtype).numpy().dtype)
    return t.resolve_conj().resolve_neg().clone().numpy()


def jvp_by_double_vjp(torch, outs, xs, vs):
    """J·v from reverse mode alone: with g(u) = Jᵀu (linear in u), J·v = ∂⟨g(u), v⟩/∂u."""
    us = [torch.zeros_like(o, requires_grad=True) for o in outs]
    gs = torch.autograd.grad(outs, xs, grad_outputs=us, create_graph=True, allow_unused=True)
    inner = sum((g * v).sum() for g, v in zip(gs, vs) if g is not None)
    if not isinstance(inner, torch.Tensor) or not inner.requires_grad:
        return [torch.zeros_like(o) for o in outs]
    found = torch.autograd.grad(inner, us, allow_unused=True)
    return [torch.zeros_like(o) if t is None else t for t, o in zip(found, outs)]


def torch_run(torch, program: Program, dtype):
    """Forward values, the gradient of L, JVP tangents and ∇²L·v, all by PyTorch, in ``dtype`` (None: as drawn)."""
    prog_run = theirs(torch)

    def convert(x):
        t = torch.from_numpy(x)
        return t if dtype is None else t.to(dtype)

    xs = [convert(x).requires_grad_(True) for x in program.leaves]
    outs = program.run(xs, prog_run)
    ws = [torch.from_numpy(w).to(o.dtype) for w, o in zip(weights_for([to_numpy(torch, o) for o in outs]), outs)]
    loss = sum((o * w).sum() for o, w in zip(outs, ws))
    grads = torch.autograd.grad(loss, xs, create_graph=True, allow_unused=True)
    rng = np.random.default_rng(5)
    vs = [convert(rng.standard_normal(x.shape).astype(x.dtype)) for x in program.leaves]
    pairs = [(g, v) for g, v in zip(grads, vs) if g is not None and g.requires_grad]
    hv = [None] * len(xs)
    if pairs:
        hv = torch.autograd.grad(
            [g for g, _ in pairs], xs, grad_outputs=[v for _, v in pairs], allow_unused=True, retain_graph=True
        )
    primals = [convert(x) for x in program.leaves]
    try:
        _, tangents = torch.func.jvp(lambda *a: tuple(program.run(list(a), prog_run)), tuple(primals), tuple(vs))
    except RuntimeError:  # a forward-mode gap in PyTorch (float32 binary_cross_entropy): the double-VJP trick
        tangents = jvp_by_double_vjp(torch, outs, xs, vs)

    def arr(t, like):
        return np.zeros(like.shape) if t is None else to_numpy(torch, t)

    return (
        [to_numpy(torch, o) for o in outs],
        [arr(g, x) for g, x in zip(grads, program.leaves)],
        [to_numpy(torch, t) for t in tangents],
        [arr(h, x) for h, x in zip(hv, program.leaves)],
    )


def our_run(program: Program):
    """The same four results by this library: backward(), ag.jvp, and HVPs in both second-order orders."""
    xs = [ag.tensor(x, requires_grad=True) for x in program.leaves]
    outs = program.run(xs, ours)
    ws = weights_for([o.data for o in outs])
    loss = sum((o * w).sum() for o, w in zip(outs, ws))
    loss.backward()
    grads = [np.zeros(x.shape) if x.grad is None else x.grad.data for x in xs]
    for x, g in zip(xs, grads):
        assert g.dtype == x.dtype or x.grad is None, f"gradient dtype {g.dtype} for an input of dtype {x.dtype}"

    def loss_of(*leaves):
        return sum((o * w).sum() for o, w in zip(program.run(list(leaves), ours), ws))

    rng = np.random.default_rng(5)
    vs = [rng.standard_normal(x.shape).astype(x.dtype) for x in program.leaves]
    _, tangents = ag.jvp(lambda *a: tuple(program.run(list(a), ours)), program.leaves, vs)
    everything = tuple(range(len(xs)))
    gradient = ag.grad(loss_of, argnums=everything)
    _, hv_fwd = ag.jvp(gradient, program.leaves, vs)
    hv_rev = ag.grad(lambda *a: sum((g * v).sum() for g, v in zip(gradient(*a), vs)), argnums=everything)(
        *program.leaves
    )
    return (
        [o.data for o in outs],
        grads,
        [t.data for t in tangents],
        [h.data for h in hv_fwd],
        [h.data for h in hv_rev],
        [o.dtype for o in outs],
    )


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


@pytest.mark.torch
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_programs_match_pytorch(torch, data):
    program = data.draw(programs(torch), label="program")
    note(program.text())
    same = torch_run(torch, program, None)
    ref = torch_run(torch, program, torch.float64) if program.float32_inside else same
    values, grads, tangents, hv_fwd, hv_rev, dtypes = our_run(program)
    loose = program.float32_inside
    for k, (v, s, r, d) in enumerate(zip(values, same[0], ref[0], dtypes)):
        if program.mixes_dtypes and (d, s.dtype) == (np.float64, np.float32):
            pass  # PyTorch lets a 0-d float64 tensor yield to a float32 one with axes; numpy promotes
        else:
            assert np.dtype(d) == s.dtype, f"step {k}: dtype {d}, PyTorch {s.dtype}"
        check_close(f"value of step {k}", v, s, r, loose)
    for k, (g, s, r) in enumerate(zip(grads, same[1], ref[1])):
        check_close(f"gradient of input {k}", g, s, r, loose)
    for k, (t, s, r) in enumerate(zip(tangents, same[2], ref[2])):
        if "jvp" not in program.skipped:
            check_close(f"jvp tangent of step {k}", t, s, r, loose)
    if "hessian" in program.skipped:
        return
    for k, (hf, hr, s, r) in enumerate(zip(hv_fwd, hv_rev, same[3], ref[3])):
        check_close(f"Hessian-vector product (forward-over-reverse), input {k}", hf, s, r, loose)
        check_close(f"Hessian-vector product (reverse-over-reverse), input {k}", hr, s, r, loose)
