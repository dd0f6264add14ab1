"""The fused cross-entropy primitive's values for class-index targets with any number of leading axes."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 5), (0, 5)])
def test_index_targets_pick_the_right_logit(shape):
    rng = np.random.default_rng(0)
    z = rng.normal(size=shape) * 10
    target = rng.integers(0, shape[-1], shape[:-1])
    log_p = z - np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)) - z.max(-1, keepdims=True)
    expected = -np.take_along_axis(log_p, target[..., None], axis=-1)[..., 0]
    out = ag.cross_entropy(ag.tensor(z), target)
    assert out.shape == shape[:-1]
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


def test_non_contiguous_logits():
    z = ag.tensor(np.random.default_rng(1).normal(size=(6, 4))).T  # a transposed view reaches the primitive
    assert not z.data.flags.c_contiguous
    target = np.array([0, 5, 2, 3])
    np.testing.assert_allclose(
        ag.cross_entropy(z, target).data, ag.cross_entropy(ag.tensor(np.ascontiguousarray(z.data)), target).data
    )
