"""Matrix products that a compiled program writes column-major (then copies) give eager mode's bits.

The build times each small product both ways (``compiler/tune.py``); these
tests force each choice, so they do not depend on the machine's timings.
"""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.compiler import tune

pytestmark = pytest.mark.skipif(
    np.lib.NumpyVersion(np.__version__) < "2.0.0", reason="ag.compile is verified on numpy 2 only (NEP 50 promotion)"
)


@pytest.fixture
def always_column_major(monkeypatch):
    """Every product the tuner may rewrite is rewritten (the bits are still compared before it is)."""
    monkeypatch.setattr(tune, "_decisions", {})
    monkeypatch.setattr(tune, "MARGIN", float("inf"))
    yield
    tune._decisions.clear()


def _mlp_pair(dtype, sizes=(40, 32, 32, 5), seed=0):
    pair = []
    for _ in range(2):
        rng = np.random.default_rng(seed)
        params = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            params += [(rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(dtype), np.zeros(n_out, dtype)]
        ps = [ag.tensor(p, requires_grad=True) for p in params]
        opt = nn.optim.SGD(ps, lr=0.05, momentum=0.9)

        def step(x, y, ps=ps, opt=opt):
            opt.zero_grad()
            w1, b1, w2, b2, w3, b3 = ps
            h = ag.linear(x, w1, b1).relu()
            h = ag.linear(h, w2, b2).relu()
            loss = ag.cross_entropy(ag.linear(h, w3, b3), y).mean()
            loss.backward()
            opt.step()
            return loss

        pair.append((ps, step))
    return pair


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_column_major_products_give_eager_bits(dtype, always_column_major):
    (eager_ps, eager_step), (ps, step) = _mlp_pair(dtype)
    compiled = ag.compile(step)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((48, 40)).astype(dtype), rng.integers(0, 5, 48)
    for _ in range(4):
        assert np.array_equal(compiled(x, y).data, eager_step(x, y).data)
    for p, q in zip(eager_ps, ps):
        assert np.array_equal(p.data, q.data) and np.array_equal(p.grad.data, q.grad.data)
    text = str(compiled.program)
    assert "(column-major)" in text and "copy_into(" in text and "_F" in text


def test_a_parameter_made_column_major_retraces(always_column_major):
    (eager_ps, eager_step), (ps, step) = _mlp_pair("float64")
    compiled = ag.compile(step)
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((48, 40)), rng.integers(0, 5, 48)
    compiled(x, y), eager_step(x, y)
    compiled(x, y), eager_step(x, y)
    assert "c_contiguous" in compiled.program.source  # the choice relies on the parameters' layout
    traces = compiled.traces
    for p, q in zip(eager_ps, ps):  # same values, column-major memory
        p.data, q.data = np.asfortranarray(p.data), np.asfortranarray(q.data)
    for _ in range(2):
        assert np.array_equal(compiled(x, y).data, eager_step(x, y).data)
    assert compiled.traces > traces
    for p, q in zip(eager_ps, ps):
        assert np.array_equal(p.data, q.data)


def test_the_choice_is_timed_once_and_kept_only_with_equal_bits(monkeypatch):
    monkeypatch.setattr(tune, "_decisions", {})
    args = ((64, 96), "C", (96, 80), "F", np.dtype("float32"))
    first = tune.column_major_is_faster(*args)
    assert tune._decisions == {(args[0], "C", args[2], "F", "<f4"): first}
    monkeypatch.setattr(tune, "_best", lambda fn, rounds=5: pytest.fail("timed twice"))
    assert tune.column_major_is_faster(*args) is first
    # results that differ in the last bit are never swapped, however fast
    monkeypatch.setattr(tune, "_decisions", {})
    monkeypatch.setattr(tune, "MARGIN", float("inf"))
    monkeypatch.setattr(tune, "copy_into", lambda src, out: np.copyto(out, np.nextafter(src, np.inf)))
    assert tune.column_major_is_faster(*args) is False


def test_switched_off_the_program_keeps_row_major_products(monkeypatch):
    monkeypatch.setattr(tune, "ENABLED", False)
    (_, _), (_, step) = _mlp_pair("float32")
    compiled = ag.compile(step)
    rng = np.random.default_rng(3)
    compiled(rng.standard_normal((48, 40)).astype("float32"), rng.integers(0, 5, 48))
    assert "column-major" not in str(compiled.program)
