"""Selections by an index computed from values (max/min/median with dim=, sort, topk, argsort, gather, …)
under ag.compile and vmap: a compiled function picks by the values of each call, never by those of the
tracing call, and vmap gives what a loop over the examples gives."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag

FIRST = np.array([[1.0, 3.0, 2.0], [4.0, 0.0, 5.0]])
SECOND = np.array([[9.0, 0.0, 5.0], [1.0, 7.0, 3.0]])

SELECTIONS = {
    "max(dim=1)": lambda t: t.max(dim=1).values,
    "min(dim=0, keepdim=True)": lambda t: t.min(dim=0, keepdim=True).values,
    "median(dim=1)": lambda t: t.median(dim=1).values,
    "sort": lambda t: ag.sort(t, axis=1).values,
    "sort descending": lambda t: ag.sort(t, axis=0, descending=True).values,
    "topk": lambda t: ag.topk(t, 2).values,
    "take_along_axis(argsort)": lambda t: ag.take_along_axis(t, ag.argsort(t, axis=1), axis=1),
    "gather(argmax)": lambda t: ag.gather(t, 1, t.argmax(dim=1, keepdim=True)),
    "index_select(argmin)": lambda t: ag.index_select(t, 1, t[0].argmin(dim=0, keepdim=True)),
    "quantile": lambda t: ag.quantile(t, 0.3, axis=1),
    "x[argmax]": lambda t: t[ag.arange(2), t.argmax(dim=1)],
    "scatter(argmax)": lambda t: ag.scatter(t, 1, t.argmax(dim=1, keepdim=True), 0.0),
}


def _weights(shape):
    return ag.tensor(np.arange(1.0, 1.0 + int(np.prod(shape))).reshape(shape))


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_compiled_selection_uses_the_values_of_each_call(name):
    f = SELECTIONS[name]

    def loss_and_grad(x):
        y = f(x)
        loss = (y * _weights(y.shape)).sum()
        loss.backward()
        return loss

    compiled = ag.compile(loss_and_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ag.CompileWarning)  # a fallback to eager mode is allowed, a stale index is not
        for values in (FIRST, SECOND, FIRST[::-1].copy()):
            x = ag.tensor(values, requires_grad=True)
            got = compiled(x)
            expected_x = ag.tensor(values, requires_grad=True)
            expected = loss_and_grad(expected_x)
            np.testing.assert_allclose(got.data, expected.data)
            np.testing.assert_allclose(x.grad.data, expected_x.grad.data)


@pytest.mark.parametrize("name", ["max(dim=1)", "sort", "topk", "gather(argmax)", "take_along_axis(argsort)"])
def test_selections_compile_without_falling_back(name):
    f = SELECTIONS[name]
    compiled = ag.compile(lambda x: f(x) * 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ag.CompileWarning)
        compiled(ag.tensor(FIRST))
        np.testing.assert_allclose(compiled(ag.tensor(SECOND)).data, f(ag.tensor(SECOND)).data * 2.0)


def test_compiled_gradient_of_max_follows_the_maximum():
    grad_of_max = ag.compile(ag.grad(lambda t: t.max(dim=0).values))
    np.testing.assert_array_equal(grad_of_max(ag.tensor([1.0, 3.0, 2.0])).data, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(grad_of_max(ag.tensor([9.0, 3.0, 2.0])).data, [1.0, 0.0, 0.0])


BATCHABLE = {
    "argmax(dim=0)": lambda t: t.argmax(dim=0),
    "argmin(dim=0, keepdim=True)": lambda t: t.argmin(dim=0, keepdim=True),
    "ag.argmax(t, dim=1)": lambda t: ag.argmax(t, dim=1),
    "max(dim=1)": lambda t: t.max(dim=1),
    "min(dim=0)": lambda t: t.min(dim=0),
    "median(dim=1)": lambda t: t.median(dim=1),
    "median()": lambda t: ag.median(t),
    "sort": lambda t: ag.sort(t, axis=0),
    "argsort": lambda t: ag.argsort(t, axis=1, descending=True),
    "topk": lambda t: ag.topk(t, 2),
    "quantile": lambda t: ag.quantile(t, [0.2, 0.7], axis=1),
    "gather": lambda t: ag.gather(t, 1, t.argmax(dim=1, keepdim=True)),
}


@pytest.mark.parametrize("name", sorted(BATCHABLE))
def test_vmap_of_selection_equals_a_loop(name):
    f = BATCHABLE[name]
    xs = np.random.default_rng(0).standard_normal((4, 2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ag.BatchingFallbackWarning)
        batched = ag.vmap(f)(ag.tensor(xs))
    looped = [f(ag.tensor(x)) for x in xs]
    if isinstance(looped[0], tuple):
        for part, got in enumerate(batched):
            np.testing.assert_array_equal(got.data, np.stack([r[part].data for r in looped]))
    else:
        np.testing.assert_array_equal(batched.data, np.stack([r.data for r in looped]))


def test_vmap_of_gradient_through_sort_equals_a_loop():
    f = ag.grad(lambda t: (ag.sort(t).values * ag.tensor([1.0, 10.0, 100.0])).sum())
    xs = np.random.default_rng(1).standard_normal((5, 3))
    np.testing.assert_array_equal(ag.vmap(f)(ag.tensor(xs)).data, np.stack([f(ag.tensor(x)).data for x in xs]))
