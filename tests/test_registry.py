"""Every registered primitive, checked the same way: no primitive can escape these tests.

For each: finite-difference gradcheck in float64, the dot-product test
⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ tying its JVP and VJP rules, float32 preservation
forward, backward and in tangents, the JVP against a finite-difference
directional derivative, jacfwd = jacrev (vectorised and looped), and second
derivatives through its rules (reverse-over-reverse and forward-over-reverse), and its
batching rule: vmap equals a loop over the batch, for values, per-example gradients and JVPs.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from primitive_cases import CASES, draw_case

import autograd_core as ag

NAMES = sorted(ag.REGISTRY)


def test_every_primitive_has_a_case():
    assert set(NAMES) == set(CASES), "add an input builder to tests/primitive_cases.py for each new primitive"


@pytest.mark.parametrize("name", NAMES)
def test_declaration_is_complete(name):
    prim = ag.REGISTRY[name]
    assert prim.formula.forward.startswith(name + ":") and prim.formula.vjp and prim.formula.jvp
    if not isinstance(prim.vjps, ag.registry.ArgnumRules):
        assert len(prim.vjps) == len(prim.jvps)
        assert [r is None for r in prim.vjps] == [r is None for r in prim.jvps]


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_gradcheck_float64(name, data):
    case = draw_case(data, name)
    assert ag.gradcheck(case.fn, case.tensors(), eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_dot_product_jvp_vjp(name, data):
    case = draw_case(data, name)
    assert ag.dot_product_test(case.fn, case.tensors(), rng=np.random.default_rng(7), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=6)
@given(data=st.data())
def test_low_precision_stays_low_precision(name, dtype, data):
    case = draw_case(data, name)
    xs = case.tensors(dtype=dtype)
    out = case.fn(*xs)
    assert out.dtype == (np.float64 if name == "cast" else dtype)  # the cast case converts to float64
    assert np.isfinite(out.data).all()
    seed = np.random.default_rng(0).standard_normal(out.shape).astype(dtype)
    out.backward(seed)
    assert all(x.grad is not None and x.grad.dtype == dtype and np.isfinite(x.grad.data).all() for x in xs)
    _, tangent = ag.jvp(case.fn, case.tensors(dtype=dtype, requires_grad=False), [np.ones(x.shape, dtype) for x in xs])
    assert tangent.dtype == out.dtype


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_jvp_matches_directional_derivative(name, data):
    case = draw_case(data, name)
    rng = np.random.default_rng(3)
    vs = [rng.standard_normal(x.shape) for x in case.inputs]
    out, tangent = ag.jvp(case.fn, case.tensors(requires_grad=False), vs)
    eps = 1e-6
    with ag.no_grad():
        plus = case.fn(*[ag.tensor(x + eps * v) for x, v in zip(case.inputs, vs)]).data
        minus = case.fn(*[ag.tensor(x - eps * v) for x, v in zip(case.inputs, vs)]).data
    np.testing.assert_allclose(tangent.data, (plus - minus) / (2 * eps), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.data, case.fn(*case.tensors(requires_grad=False)).data)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_jacfwd_equals_jacrev(name, data):
    case = draw_case(data, name)
    argnums = tuple(range(len(case.inputs)))
    xs = case.tensors(requires_grad=False)
    fwd = ag.jacfwd(case.fn, argnums)(*xs)
    rev = ag.jacrev(case.fn, argnums)(*xs)
    fwd_loop = ag.jacfwd(case.fn, argnums, vectorize=False)(*xs)
    rev_loop = ag.jacrev(case.fn, argnums, vectorize=False)(*xs)
    rev_chunked = ag.jacrev(case.fn, argnums, chunk_size=2)(*xs)
    for k, parts in enumerate(zip(fwd, rev, fwd_loop, rev_loop, rev_chunked)):
        expected_shape = case.fn(*xs).shape + xs[k].shape
        for other in parts:
            assert other.shape == expected_shape  # assert_allclose alone would broadcast (1,) against ()
            np.testing.assert_allclose(parts[0].data, other.data, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=6)
@given(data=st.data())
def test_second_derivatives_through_the_rules(name, data):
    case = draw_case(data, name)
    xs = case.tensors(requires_grad=False)
    weights = np.random.default_rng(5).standard_normal(case.fn(*xs).shape)

    def scalar(*args):
        return (case.fn(*args) * weights).sum()

    for k in range(len(xs)):
        grad_k = ag.grad(scalar, argnums=k)
        # reverse-over-reverse: the VJP rules, run on Tensors, are differentiated again
        assert ag.gradcheck(grad_k, xs, eps=1e-6, atol=1e-5, rtol=1e-4)
        # forward-over-reverse equals reverse-over-reverse
        for j in range(len(xs)):
            fwd = ag.jacfwd(grad_k, argnums=j)(*xs)
            rev = ag.jacrev(grad_k, argnums=j)(*xs)
            np.testing.assert_allclose(fwd.data, rev.data, rtol=1e-9, atol=1e-10)


def test_a_rule_outside_the_vocabulary_is_caught_when_run_on_tensors():
    """Rules run on Tensors for higher derivatives; a numpy call Tensors do not answer is refused, not silently constant.

    This is what makes ``test_second_derivatives_through_the_rules`` a check of
    every rule's vocabulary: Tensors that require grad refuse ``__array__``.
    """

    @ag.primitive(
        vjp=(lambda g, y, x: g * np.asarray(x),),  # np.asarray would drop the graph of x
        jvp=(lambda t, y, x: t * np.asarray(x),),
        formula="y = x²/2",
        vjp_text="x̄ = ȳ·x",
        jvp_text="ẏ = ẋ·x",
        export=False,
    )
    def outside_vocabulary(x, /):
        return x * x / 2

    try:
        x = ag.tensor([1.0, 2.0])
        assert ag.grad(lambda v: outside_vocabulary(v).sum())(x).tolist() == [1.0, 2.0]  # first order: arrays
        with pytest.raises(ag.errors.ArgumentTypeError, match="drop"):
            ag.hessian(lambda v: outside_vocabulary(v).sum())(x)
    finally:
        del ag.REGISTRY["outside_vocabulary"]


def _batched_inputs(case, data, size=3):
    """Each input batched (``size`` nearby values, stacked) or shared by the batch (in_axes None), drawn."""
    flags = [data.draw(st.booleans(), label=f"batched {i}") for i in range(len(case.inputs))]
    if not any(flags):
        flags[0] = True
    rng = np.random.default_rng(11)
    values = [
        np.stack([x + rng.uniform(-0.01, 0.01, x.shape) for _ in range(size)]) if b else x
        for x, b in zip(case.inputs, flags)
    ]
    return tuple(0 if b else None for b in flags), values


def _example(values, in_axes, i):
    return [ag.tensor(v[i] if ax is not None else v) for v, ax in zip(values, in_axes)]


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=10)
@given(data=st.data())
def test_batching_rule_equals_a_loop(name, data):
    """vmap(f)(xs) == stack([f(x) for x in xs]) by the primitive's batching rule, without falling back."""
    case = draw_case(data, name)
    in_axes, values = _batched_inputs(case, data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ag.BatchingFallbackWarning)  # a loop over the batch fails the test
        out = ag.vmap(case.fn, in_axes=in_axes)(*values)
    expected = np.stack([case.fn(*_example(values, in_axes, i)).data for i in range(3)])
    assert out.shape == expected.shape and out.dtype == expected.dtype
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14)
    assert name not in ag.batching_fallbacks()


def test_every_primitive_has_a_batching_rule():
    missing = ag.unbatched_primitives()
    assert not missing, f"declare batch= for {missing} (vmap loops over the batch for them; see autograd_core.batching)"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=6)
@given(data=st.data())
def test_batched_rules_give_per_example_derivatives(name, data):
    """vmap(grad) and vmap(jvp) through the primitive equal a loop: its VJP and JVP rules batch too."""
    case = draw_case(data, name)
    in_axes, values = _batched_inputs(case, data)
    weights = np.random.default_rng(5).standard_normal(case.fn(*case.tensors(requires_grad=False)).shape)
    argnums = tuple(range(len(values)))

    def scalar(*args):
        return (case.fn(*args) * weights).sum()

    with warnings.catch_warnings():
        warnings.simplefilter("error", ag.BatchingFallbackWarning)
        grads = ag.vmap(ag.grad(scalar, argnums=argnums), in_axes=in_axes)(*values)
        _, tangents = ag.vmap(lambda *a: ag.jvp(case.fn, a, [np.ones(np.shape(x)) for x in a]), in_axes=in_axes)(
            *values
        )
    for i in range(3):
        xs = _example(values, in_axes, i)
        for k, g in enumerate(ag.grad(scalar, argnums=argnums)(*xs)):
            np.testing.assert_allclose(grads[k].data[i], g.data, rtol=1e-10, atol=1e-12)
        _, t = ag.jvp(case.fn, xs, [np.ones(x.shape) for x in xs])
        np.testing.assert_allclose(tangents.data[i], t.data, rtol=1e-10, atol=1e-12)
