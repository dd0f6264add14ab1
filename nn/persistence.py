"""Saving and loading state as ``.npz`` files, never pickling or unpickling.

A pickled file can run arbitrary code when loaded, so nothing here pickles:
every entry of the file is a plain array, written and read with
``allow_pickle=False``, and a file holding Python objects is refused.

Two layouts, chosen by what is saved:

* **flat**: a mapping from string names to arrays or numbers, such as
  ``model.state_dict()``, is stored one entry per name, so any numpy user
  can read it with ``np.load``; ``load`` gives back an ordered mapping from
  name to array.
* **nested**: anything else built from dicts (string or integer keys),
  lists, tuples, arrays, Tensors, numbers, strings, None and booleans, such
  as an optimizer's ``state_dict()`` or a whole checkpoint
  ``{"model": ..., "optimizer": ..., "epoch": 3}``. Each array becomes its own
  entry ("0", "1", ...) and the structure is written as JSON into one more
  entry, ``STRUCTURE``, a unicode string array. JSON's own values (null,
  true/false, numbers, strings) stand for themselves; what JSON lacks is an
  object with one tag: ``{"dict": [[key, value], ...]}`` (keys keep their
  type and order), ``{"list": [...]}``, ``{"tuple": [...]}``, ``{"array": "3"}``
  and ``{"scalar": "4"}`` (a numpy scalar, its dtype kept). ``load`` rebuilds
  the same structure, with numpy arrays for arrays and Tensors.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, NoReturn

import numpy as np

import autograd_core as ag

from .errors import UnsafeFileError

PathLike = str | os.PathLike

# The entry holding a nested file's structure, and the version of that layout.
STRUCTURE = "__nn_structure__"
FORMAT = 1
# Array dtypes stored: booleans and numbers (no objects, which would need pickling).
NUMERIC_KINDS = "biufc"


def save(state: Any, path: PathLike) -> None:
    """Write ``state`` (e.g. ``model.state_dict()`` or ``optimizer.state_dict()``) to ``path``, an uncompressed .npz.

    A mapping from string names to arrays, Tensors or numbers is stored flat,
    one entry per name; anything else made of dicts (string or integer keys),
    lists, tuples, arrays, numbers, strings, None and booleans is stored
    nested (see the module docstring). Objects of other types, or arrays of
    objects, raise ``UnsafeFileError`` naming where they are. The file is
    written to exactly ``path`` (no suffix is added). Arrays and Tensors on a
    device (a GPU) are copied to host memory for writing.

    >>> model = nn.Linear(2, 1, rng=0)
    >>> nn.save(model.state_dict(), "linear.npz")
    >>> restored = nn.Linear(2, 1)
    >>> _ = restored.load_state_dict(nn.load("linear.npz"))
    >>> bool((restored.weight.data == model.weight.data).all())
    True
    >>> sorted(nn.load("linear.npz")), nn.load("linear.npz")["weight"].shape
    (['bias', 'weight'], (1, 2))
    """
    state = _on_host(state)
    if _is_flat(state):
        entries = {}
        for key, value in state.items():
            if key == STRUCTURE:
                raise UnsafeFileError(f"save: the name {STRUCTURE!r} is reserved for nested files; rename that entry")
            entries[key] = _numeric_array(value, repr(key))
    else:
        writer = _Writer()
        root = writer.encode(state, "state")
        text = json.dumps({"format": FORMAT, "value": root}, ensure_ascii=False)
        entries = {**writer.arrays, STRUCTURE: np.array(text)}
    _write_npz(path, entries)


def _on_host(value: Any, seen: frozenset = frozenset()) -> Any:
    """``value`` with every device array (and the data of every Tensor on a device) copied to host memory.

    Containers are rebuilt only around something copied; a container holding
    itself is left as it is (the writer then says so).
    """
    if isinstance(value, ag.Tensor) and type(value.data) is not np.ndarray:
        return ag.backend.to_host(value.data)
    if ag.backend.is_backend_array(value):
        return ag.backend.to_host(value)
    if id(value) in seen or not isinstance(value, (Mapping, list, tuple)) or hasattr(value, "_fields"):
        return value
    inner = seen | {id(value)}
    if isinstance(value, Mapping):
        items = [(k, _on_host(v, inner)) for k, v in value.items()]
        if all(new is old for (_, new), old in zip(items, value.values())):
            return value
        return OrderedDict(items) if isinstance(value, OrderedDict) else dict(items)
    items = [_on_host(v, inner) for v in value]
    return value if all(new is old for new, old in zip(items, value)) else type(value)(items)


def _placed(value: Any, device: Any) -> Any:
    """``value`` as loaded, with every array copied to ``device``."""
    if isinstance(value, np.ndarray):
        return ag.backend.to_device(value, device)
    if isinstance(value, OrderedDict):
        return OrderedDict((k, _placed(v, device)) for k, v in value.items())
    if isinstance(value, dict):
        return {k: _placed(v, device) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_placed(v, device) for v in value)
    return value


def load(path: PathLike, device: Any = None) -> Any:
    """Read a file written by ``save``: what was saved, with numpy arrays for arrays and Tensors.

    ``device`` ("cuda", ...) places every array there (``load_state_dict``
    also copies host arrays to the model's device by itself).

    A flat file gives an ordered mapping name → array (in the saved order),
    ready for ``load_state_dict``; a nested one gives the saved structure.
    Files holding pickled objects are refused with ``UnsafeFileError``
    (``allow_pickle=False``: loading never runs code from the file).

    >>> nn.save({"w": np.arange(3.0)}, "state.npz")
    >>> dict(nn.load("state.npz"))
    {'w': array([0., 1., 2.])}
    """
    arrays: OrderedDict[str, np.ndarray] = OrderedDict()
    with np.load(path, allow_pickle=False) as npz:
        for key in npz.files:
            try:
                arrays[key] = npz[key]
            except ValueError as err:
                raise UnsafeFileError(
                    f"load: {os.fspath(path)!r} stores {key!r} as pickled Python objects; refusing to unpickle it "
                    "(that could run arbitrary code). Only files of numeric arrays, as nn.save writes, can be loaded"
                ) from err
    if device is not None:
        ag.backend.check_available(device)
    if STRUCTURE not in arrays:
        return arrays if device is None else _placed(arrays, device)
    value = _Reader(arrays, os.fspath(path)).value()
    return value if device is None else _placed(value, device)


def _is_flat(state: Any) -> bool:
    """A mapping from string names to arrays, Tensors or numbers: the layout of a model's state_dict."""
    return isinstance(state, Mapping) and all(
        isinstance(key, str) and isinstance(value, (np.ndarray, ag.Tensor, np.number, np.bool_, int, float, complex))
        for key, value in state.items()
    )


def _numeric_array(value: Any, where: str) -> np.ndarray:
    """``value`` as an array of booleans or numbers; anything needing pickling raises UnsafeFileError."""
    arr = np.asarray(value.data if isinstance(value, ag.Tensor) else value)
    if arr.dtype.kind not in NUMERIC_KINDS:
        raise UnsafeFileError(
            f"save: {where} holds {type(value).__name__} data of dtype {arr.dtype}, which would need pickling; "
            "save numeric arrays, numbers, strings, None, booleans, and dicts, lists and tuples of them"
        )
    return arr


def _write_npz(path: PathLike, entries: dict[str, np.ndarray]) -> None:
    """Write ``entries`` as the .npy members of a zip archive: the layout ``np.savez`` writes.

    Written directly rather than by ``np.savez``, whose own keyword
    arguments (``file``, ``allow_pickle``) would swallow entries of those names.
    """
    with open(path, "wb") as f, zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in entries.items():
            with zf.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)


class _Writer:
    """Turns a nested value into JSON-ready data, collecting its arrays as numbered entries."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._open: set[int] = set()  # containers being encoded, to catch one that contains itself

    def encode(self, value: Any, where: str) -> Any:
        if isinstance(value, np.str_):
            value = str(value)  # a numpy string is text, not an array to pickle
        if value is None or isinstance(value, (bool, str, int, float)) and not isinstance(value, np.generic):
            return value
        if isinstance(value, (np.ndarray, ag.Tensor, np.generic, complex)):
            name = str(len(self.arrays))
            self.arrays[name] = _numeric_array(value, where)
            return {"array" if isinstance(value, (np.ndarray, ag.Tensor)) else "scalar": name}
        if not isinstance(value, (Mapping, list, tuple)):
            raise UnsafeFileError(
                f"save: {where} is of type {type(value).__name__}, which would need pickling; save numeric arrays, "
                "numbers, strings, None, booleans, and dicts, lists and tuples of them"
            )
        if id(value) in self._open:
            raise UnsafeFileError(f"save: {where} contains itself; a file can only hold a finite structure")
        self._open.add(id(value))
        try:
            if isinstance(value, Mapping):
                return {"dict": [[_key(k, where), self.encode(v, f"{where}[{k!r}]")] for k, v in value.items()]}
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"list" if isinstance(value, list) else "tuple": items}
        finally:
            self._open.discard(id(value))


def _key(key: Any, where: str) -> str | int:
    """A dict key JSON keeps exactly: a string or an integer (numpy integers become ints)."""
    if isinstance(key, np.integer):
        return int(key)
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise UnsafeFileError(
            f"save: {where} has the key {key!r} of type {type(key).__name__}; only string and integer keys can be saved"
        )
    return key


class _Reader:
    """Rebuilds the value a nested file describes; anything it cannot read is refused."""

    def __init__(self, arrays: dict[str, np.ndarray], path: str) -> None:
        self.arrays = arrays
        self.path = path

    def value(self) -> Any:
        text = self.arrays[STRUCTURE]
        if text.dtype.kind != "U" or text.ndim != 0:
            self._refuse(f"its {STRUCTURE!r} entry is not a string")
        try:
            doc = json.loads(str(text[()]))
        except json.JSONDecodeError as err:
            self._refuse(f"its structure is not valid JSON ({err})")
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or "value" not in doc:
            self._refuse(f"its structure is not nn.save's format {FORMAT}")
        return self.decode(doc["value"], "state")

    def decode(self, node: Any, where: str) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not (isinstance(node, dict) and len(node) == 1):
            self._refuse(f"{where} is described by {node!r}")
        ((tag, body),) = node.items()
        if tag in ("array", "scalar") and isinstance(body, str) and body in self.arrays and body != STRUCTURE:
            arr = self.arrays[body]
            return arr if tag == "array" else arr[()]
        if tag in ("list", "tuple") and isinstance(body, list):
            items = [self.decode(v, f"{where}[{i}]") for i, v in enumerate(body)]
            return items if tag == "list" else tuple(items)
        if tag == "dict" and isinstance(body, list):
            out = {}
            for pair in body:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))):
                    self._refuse(f"{where} holds the entry {pair!r}")
                out[pair[0]] = self.decode(pair[1], f"{where}[{pair[0]!r}]")
            return out
        self._refuse(f"{where} is described by {node!r}")

    def _refuse(self, what: str) -> NoReturn:
        raise UnsafeFileError(
            f"load: {self.path!r} is not a file nn.save wrote: {what}; refusing to guess its contents"
        )
