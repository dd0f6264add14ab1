"""Saving and loading state dicts as ``.npz`` files, never unpickling.

A pickled file can run arbitrary code when loaded, so nothing here pickles:
values are stored as plain numeric arrays and read with
``allow_pickle=False``. A file holding Python objects is refused.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import UnsafeFileError

PathLike = str | os.PathLike


def save(state_dict: Mapping[str, Any], path: PathLike) -> None:
    """Write a flat mapping name → array (e.g. ``model.state_dict()``) to ``path`` as an uncompressed .npz.

    Values may be numpy arrays, Tensors or numbers; anything that would need
    pickling (objects, nested dicts) raises ``UnsafeFileError``.
    """
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save: keys must be strings (dotted names), got {key!r}")
        arr = np.asarray(value.data if isinstance(value, ag.Tensor) else value)
        if arr.dtype.kind not in "biufc":
            raise UnsafeFileError(
                f"save: {key!r} holds {type(value).__name__} data of dtype {arr.dtype}, which would need pickling; "
                "save only numeric arrays (a model's state_dict())"
            )
        arrays[key] = arr
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def load(path: PathLike) -> OrderedDict[str, np.ndarray]:
    """Read a file written by ``save``: name → array, in the saved order, for ``load_state_dict``.

    Files holding pickled objects are refused with ``UnsafeFileError``
    (``allow_pickle=False``: loading never runs code from the file).
    """
    out: OrderedDict[str, np.ndarray] = OrderedDict()
    with np.load(path, allow_pickle=False) as npz:
        for key in npz.files:
            try:
                out[key] = npz[key]
            except ValueError as err:
                raise UnsafeFileError(
                    f"load: {os.fspath(path)!r} stores {key!r} as pickled Python objects; refusing to unpickle it "
                    "(that could run arbitrary code). Only files of numeric arrays, as nn.save writes, can be loaded"
                ) from err
    return out
