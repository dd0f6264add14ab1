"""Where nn's randomness comes from: one generator, reseeded by ``manual_seed``.

Initialisation, dropout masks, DataLoader shuffling, train/test splits and the
toy datasets all draw from the generator they are given, or else from the
core's default generator, looked up at the moment of drawing so that
``manual_seed`` issued at any time takes effect.
"""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError

RngLike = np.random.Generator | int | None


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator: a whole run (init, dropout, shuffling, data) becomes repeatable.

    >>> _ = nn.manual_seed(0)
    >>> a = nn.Linear(2, 2).weight.data.copy()
    >>> _ = nn.manual_seed(0)
    >>> bool((nn.Linear(2, 2).weight.data == a).all())
    True
    """
    return ag.manual_seed(seed)


def keep_rng(rng: RngLike) -> np.random.Generator | None:
    """What an object that draws repeatedly should store: None (look up the default each time) or one generator.

    An int seed becomes its generator once, so that successive draws differ.
    """
    return None if rng is None else get_rng(rng)


def get_rng(rng: RngLike = None) -> np.random.Generator:
    """The generator to draw from: ``rng`` itself, a new one seeded with an int, or the default one."""
    if rng is None:
        return ag.default_generator()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ArgumentTypeError(f"rng must be a np.random.Generator, an int seed or None, not {type(rng).__name__}")
