"""Data handling (``nn.data``): DataLoader, train_test_split, StandardScaler, MinMaxScaler, one_hot, toy data sets.

The notes' three regimes of gradient descent are three batch sizes of one
DataLoader: the whole set (``batch_size=None``, batch gradient descent), one
example (``batch_size=1``, stochastic / online) and a few (mini-batch, e.g. 32).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError, ShapeError

from .datasets import make_circles, make_moons, make_regression_1d, make_spirals, make_xor
from .errors import NotFittedError
from .seeding import RngLike, get_rng, keep_rng

__all__ = [
    "DataLoader",
    "MinMaxScaler",
    "StandardScaler",
    "make_circles",
    "make_moons",
    "make_regression_1d",
    "make_spirals",
    "make_xor",
    "one_hot",
    "train_test_split",
]


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, ag.Tensor) else ag.backend.as_array(x)


class DataLoader:
    """Yields (X_batch, y_batch) Tensors over one pass of the data (an epoch), reshuffled every epoch.

    ``batch_size=None`` gives the whole set as one batch; ``drop_last``
    skips a final short batch. Shuffling draws from ``rng`` (default: nn's
    generator, see ``nn.manual_seed``). Batches are copies, so changing
    them never changes the data. ``device`` ("cuda", ...) copies each batch
    there as it is yielded (the data set stays where it is, e.g. in host
    memory); None keeps the batches where the data is. ``nn.fit`` moves
    batches to the model's device itself.

    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> loader = nn.data.DataLoader(X, y, batch_size=2, shuffle=False)
    >>> len(loader)
    3
    >>> [yb.data.tolist() for _, yb in loader]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        batch_size: int | None = 32,
        shuffle: bool = True,
        drop_last: bool = False,
        rng: RngLike = None,
        device: Any = None,
    ) -> None:
        if device is not None:
            ag.backend.check_available(device)
        self.device = device
        self.X, self.y = _array(X), _array(y)
        if self.X.ndim == 0 or self.y.ndim == 0:
            raise ShapeError("DataLoader: X and y need a leading example axis")
        n = len(self.X)
        if len(self.y) != n:
            raise ShapeError(
                f"DataLoader: X has {n} examples but y has {len(self.y)} (shapes {self.X.shape} and {self.y.shape})"
            )
        if n == 0:
            raise InvalidArgumentError("DataLoader: the data set is empty")
        if batch_size is None:
            batch_size = n
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise InvalidArgumentError(
                f"DataLoader: batch_size must be a positive integer or None (the whole set), not {batch_size!r}"
            )
        if drop_last and batch_size > n:
            raise InvalidArgumentError(
                f"DataLoader: drop_last=True with batch_size={batch_size} drops all {n} examples (every batch is "
                "short); use a batch size of at most the data set's size, or drop_last=False"
            )
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = keep_rng(rng)

    def __len__(self) -> int:
        """The number of batches per epoch."""
        n = len(self.X)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[ag.Tensor, ag.Tensor]]:
        X, y, b = self.X, self.y, self.batch_size
        n = len(X)
        if self.shuffle:
            # One gather per epoch; the batches are then contiguous slices of it.
            order = get_rng(self.rng).permutation(n)
            if type(X) is not np.ndarray:  # data already on a device: the permutation goes there
                order = ag.backend.to_device(order, ag.backend.device_of(X))
            X, y = (
                X[order],
                y[order if type(y) is not np.ndarray or type(order) is np.ndarray else ag.backend.to_host(order)],
            )
        stop = n - n % b if self.drop_last else n
        for start in range(0, stop, b):
            yield (
                ag.tensor(X[start : start + b], device=self.device),
                ag.tensor(y[start : start + b], device=self.device),
            )


def train_test_split(
    X: Any, y: Any, test_size: float | int = 0.25, shuffle: bool = True, rng: RngLike = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split into (X_train, X_test, y_train, y_test); ``test_size`` is a fraction or a count of examples.

    >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    >>> X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=0.3, rng=0)
    >>> X_train.shape, X_test.shape
    ((7, 2), (3, 2))
    """
    X, y = _array(X), _array(y)
    n = len(X)
    if len(y) != n:
        raise ShapeError(f"train_test_split: X has {n} examples but y has {len(y)}")
    n_test = int(test_size) if isinstance(test_size, (int, np.integer)) else math.ceil(float(test_size) * n)
    if not 0 < n_test < n:
        raise InvalidArgumentError(
            f"train_test_split: test_size={test_size} leaves {n_test} of {n} examples for testing; need between 1 and {n - 1}"
        )
    order = get_rng(rng).permutation(n) if shuffle else np.arange(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


class StandardScaler:
    """The notes' standardisation: x' = (x − μ) / σ per feature, with μ and σ from the training data.

    σ = 0 (a constant feature) is replaced by 1. Arrays in give arrays out,
    Tensors give Tensors.

    >>> X = np.array([[1.0, 10.0], [3.0, 30.0]])
    >>> scaler = nn.data.StandardScaler().fit(X)
    >>> scaler.transform(X)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> scaler.inverse_transform(scaler.transform(X))
    array([[ 1., 10.],
           [ 3., 30.]])
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: Any) -> StandardScaler:
        """Learn μ and σ (population, ddof = 0) of each feature (column)."""
        data = _array(X)
        self.mean_ = data.mean(axis=0)
        std = data.std(axis=0)
        self.scale_ = np.where(std == 0, 1.0, std).astype(std.dtype)
        return self

    def _check_fitted(self, X: Any) -> np.ndarray:
        if self.mean_ is None:
            raise NotFittedError("StandardScaler is not fitted yet: call fit(X_train) (or fit_transform) first")
        data = _array(X)
        if data.shape[1:] != self.mean_.shape:
            raise ShapeError(
                f"StandardScaler was fitted on features of shape {self.mean_.shape}, got data {data.shape}"
            )
        return data

    def transform(self, X: Any) -> Any:
        """x' = (x − μ) / σ."""
        out = (self._check_fitted(X) - self.mean_) / self.scale_
        return ag.tensor(out) if isinstance(X, ag.Tensor) else out

    def inverse_transform(self, X: Any) -> Any:
        """x = x'·σ + μ."""
        out = self._check_fitted(X) * self.scale_ + self.mean_
        return ag.tensor(out) if isinstance(X, ag.Tensor) else out

    def fit_transform(self, X: Any) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)


class MinMaxScaler:
    """The notes' other scaling: x' = (x − min) / (max − min) per feature, into [0, 1] (or ``feature_range``).

    min and max come from the training data, so test data may fall outside
    the range. A constant feature (max = min) is shifted to the lower end of
    the range, as scikit-learn does. Arrays in give arrays out, Tensors give
    Tensors. The fourth notes suggest scaling inputs into a small range such
    as [0, 1] against saturation; a logistic output unit also needs targets in [0, 1].

    >>> scaler = nn.data.MinMaxScaler().fit(np.array([[0.0, 10.0], [5.0, 20.0]]))
    >>> scaler.transform(np.array([[2.5, 15.0], [10.0, 10.0]]))
    array([[0.5, 0.5],
           [2. , 0. ]])
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)) -> None:
        low, high = feature_range
        if not low < high:
            raise InvalidArgumentError(
                f"MinMaxScaler: feature_range must be (low, high) with low < high, got {feature_range!r}"
            )
        self.feature_range = (low, high)
        self.data_min_: np.ndarray | None = None
        self.data_max_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.min_: np.ndarray | None = None

    def fit(self, X: Any) -> MinMaxScaler:
        """Learn each feature's minimum and maximum; then x' = x·scale + min_ with scale = (high − low) / (max − min)."""
        data = _array(X)
        if data.ndim == 0 or len(data) == 0:
            raise InvalidArgumentError(f"MinMaxScaler.fit needs at least one example, got data of shape {data.shape}")
        low, high = self.feature_range
        self.data_min_, self.data_max_ = data.min(axis=0), data.max(axis=0)
        span = self.data_max_ - self.data_min_
        self.scale_ = ((high - low) / np.where(span == 0, 1, span)).astype(span.dtype)
        self.min_ = (low - self.data_min_ * self.scale_).astype(span.dtype)
        return self

    def _check_fitted(self, X: Any) -> np.ndarray:
        if self.scale_ is None:
            raise NotFittedError("MinMaxScaler is not fitted yet: call fit(X_train) (or fit_transform) first")
        data = _array(X)
        if data.shape[1:] != self.scale_.shape:
            raise ShapeError(f"MinMaxScaler was fitted on features of shape {self.scale_.shape}, got data {data.shape}")
        return data

    def transform(self, X: Any) -> Any:
        """x' = low + (x − min)·(high − low) / (max − min)."""
        out = self._check_fitted(X) * self.scale_ + self.min_
        return ag.tensor(out) if isinstance(X, ag.Tensor) else out

    def inverse_transform(self, X: Any) -> Any:
        """x = (x' − min_) / scale, undoing ``transform``."""
        out = (self._check_fitted(X) - self.min_) / self.scale_
        return ag.tensor(out) if isinstance(X, ag.Tensor) else out

    def fit_transform(self, X: Any) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)


def one_hot(labels: Any, num_classes: int | None = None, dtype: Any = None) -> Any:
    """Row i is all zeros but a 1 at column labels[i]: shape labels.shape + (num_classes,), float by default.

    >>> nn.data.one_hot(np.array([0, 2, 1]), 3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    y = _array(labels)
    if y.dtype.kind not in "iu":
        raise ArgumentTypeError(f"one_hot: labels must be integers, not {y.dtype}")
    if num_classes is None:
        num_classes = int(ag.backend.host_float(y.max())) + 1 if y.size else 0
    if y.size and ag.backend.decide((y.min() < 0) | (y.max() >= num_classes)):
        bad = ag.backend.host_array(y[(y < 0) | (y >= num_classes)]).flat[0]
        raise InvalidArgumentError(f"one_hot: label {bad} is outside the range [0, {num_classes})")
    out = (y[..., None] == ag.backend.arange(num_classes, y)).astype(ag.get_default_dtype() if dtype is None else dtype)
    return ag.tensor(out) if isinstance(labels, ag.Tensor) else out
