"""Toy data sets generated with numpy from a seed: XOR, moons, circles, spirals and the notes' h = ½gt².

Each returns ``(X, y)`` numpy arrays: X of shape (n, features) in the default
float dtype; integer class labels y of shape (n,) for classification, and
targets of shape (n, 1) for regression (so they match a one-output model).
"""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError

from .seeding import RngLike, get_rng


def _floats(x: np.ndarray) -> np.ndarray:
    return x.astype(ag.get_default_dtype(), copy=False)


def make_xor(n_per_corner: int = 1, noise: float = 0.0, rng: RngLike = None) -> tuple[np.ndarray, np.ndarray]:
    """XOR: the corners (0,0), (0,1), (1,0), (1,1) with labels 0, 1, 1, 0, each repeated ``n_per_corner`` times plus N(0, noise²) jitter.

    The classic problem no linear model solves: the default is the four points themselves.

    >>> X, y = nn.data.make_xor()
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    X = np.repeat(corners, n_per_corner, axis=0)
    y = np.repeat(np.array([0, 1, 1, 0]), n_per_corner)
    if noise:
        X = X + get_rng(rng).normal(0.0, noise, X.shape)
    return _floats(X), y


def _two_classes(
    points0: np.ndarray, points1: np.ndarray, noise: float, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Class 0 and class 1 points stacked, with N(0, noise²) added to every coordinate, in shuffled order."""
    X = np.concatenate([points0, points1])
    y = np.concatenate([np.zeros(len(points0), np.int64), np.ones(len(points1), np.int64)])
    X = X + gen.normal(0.0, noise, X.shape)
    perm = gen.permutation(len(X))
    return _floats(X[perm]), y[perm]


def make_moons(n_samples: int = 200, noise: float = 0.1, rng: RngLike = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 on (cos θ, sin θ), class 1 on (1 − cos θ, ½ − sin θ), θ ∈ [0, π].

    >>> X, y = nn.data.make_moons(200, noise=0.1, rng=0)
    >>> X.shape, np.bincount(y).tolist()
    ((200, 2), [100, 100])
    """
    gen = get_rng(rng)
    n0 = n_samples // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n_samples - n0)
    return _two_classes(
        np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1), noise, gen
    )


def make_circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, rng: RngLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (< 1).

    >>> X, y = nn.data.make_circles(100, noise=0.0, rng=0)
    >>> radius = np.hypot(X[:, 0], X[:, 1])
    >>> bool(np.allclose(radius[y == 0], 1.0)), bool(np.allclose(radius[y == 1], 0.5))
    (True, True)
    """
    if not 0 < factor < 1:
        raise InvalidArgumentError(f"make_circles: factor must be in (0, 1), got {factor}")
    gen = get_rng(rng)
    n0 = n_samples // 2
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n_samples - n0, endpoint=False)
    return _two_classes(
        np.stack([np.cos(t0), np.sin(t0)], 1), factor * np.stack([np.cos(t1), np.sin(t1)], 1), noise, gen
    )


def make_spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, rng: RngLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms: arm k at radius r ∈ [0, 1], angle 4(k + r) + N(0, noise²).

    >>> X, y = nn.data.make_spirals(300, n_classes=3, rng=0)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    """
    gen = get_rng(rng)
    per = n_samples // n_classes
    Xs, ys = [], []
    for k in range(n_classes):
        r = np.linspace(0.0, 1.0, per)
        theta = np.linspace(4.0 * k, 4.0 * (k + 1), per) + gen.normal(0.0, noise, per)
        Xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], 1))
        ys.append(np.full(per, k, np.int64))
    X, y = np.concatenate(Xs), np.concatenate(ys)
    perm = gen.permutation(len(y))
    return _floats(X[perm]), y[perm]


def make_regression_1d(
    n_samples: int = 200, noise: float = 0.5, t_max: float = 3.0, g: float = 9.81, rng: RngLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """The notes' quiz h = ½·g·t²: a falling body's drop h (m) after t ~ U(0, t_max) seconds, plus N(0, noise²).

    Returns X = t of shape (n, 1) and y = h of shape (n, 1): one input
    neuron, one output neuron, and a non-linear map for the hidden layer to learn.

    >>> t, h = nn.data.make_regression_1d(100, noise=0.0, rng=0)
    >>> t.shape, h.shape
    ((100, 1), (100, 1))
    >>> bool(np.allclose(h, 0.5 * 9.81 * t**2))
    True
    """
    gen = get_rng(rng)
    t = gen.uniform(0.0, t_max, (n_samples, 1))
    h = 0.5 * g * t**2 + gen.normal(0.0, noise, (n_samples, 1))
    return _floats(t), _floats(h)
