"""MinMaxScaler: the notes' scaling into [0, 1], against scikit-learn."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError, ShapeError
from nn.data import MinMaxScaler
from nn.errors import NotFittedError


def test_scales_each_feature_into_0_1_from_the_training_data(rng):
    X = rng.normal(3.0, 5.0, (50, 3))
    scaled = MinMaxScaler().fit_transform(X)
    np.testing.assert_allclose(scaled.min(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(scaled.max(axis=0), 1.0)
    np.testing.assert_allclose(scaled, (X - X.min(0)) / (X.max(0) - X.min(0)))
    scaler = MinMaxScaler().fit(X[:10])
    beyond = scaler.transform(X[10:])  # test data may fall outside [0, 1]
    assert beyond.min() < 0 or beyond.max() > 1
    np.testing.assert_allclose(scaler.inverse_transform(beyond), X[10:])


def test_feature_range_constant_features_and_tensors():
    X = np.array([[1.0, 7.0], [3.0, 7.0], [2.0, 7.0]])
    scaler = MinMaxScaler(feature_range=(-1.0, 1.0)).fit(X)
    np.testing.assert_allclose(scaler.transform(X), [[-1.0, -1.0], [1.0, -1.0], [0.0, -1.0]])
    out = scaler.transform(ag.tensor(X))
    assert isinstance(out, ag.Tensor)
    np.testing.assert_allclose(scaler.inverse_transform(out).data, X)
    f32 = X.astype(np.float32)
    assert MinMaxScaler().fit_transform(f32).dtype == np.float32


def test_matches_scikit_learn(rng):
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    X = rng.uniform(-4, 9, (40, 5))
    X[:, 2] = 1.5  # a constant column
    for feature_range in ((0.0, 1.0), (-2.0, 3.0)):
        ours = MinMaxScaler(feature_range).fit(X[:30])
        theirs = preprocessing.MinMaxScaler(feature_range=feature_range).fit(X[:30])
        np.testing.assert_allclose(ours.transform(X[30:]), theirs.transform(X[30:]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ours.scale_, theirs.scale_)
        np.testing.assert_allclose(ours.min_, theirs.min_)


def test_errors():
    with pytest.raises(NotFittedError, match="fit"):
        MinMaxScaler().transform(np.zeros((2, 2)))
    with pytest.raises(ShapeError, match=r"shape \(2,\)"):
        MinMaxScaler().fit(np.zeros((3, 2))).transform(np.zeros((3, 4)))
    with pytest.raises(InvalidArgumentError, match="low < high"):
        MinMaxScaler((1.0, 1.0))
    with pytest.raises(InvalidArgumentError, match="at least one example"):
        MinMaxScaler().fit(np.zeros((0, 2)))
