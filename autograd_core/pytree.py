"""Pytrees: nested containers of tensors, walked the same way by every transform.

A pytree is a leaf (a Tensor, an array, a number, anything not registered) or
a node: a tuple, list, dict, namedtuple or ``None`` (a node with no children),
or an instance of a type registered with ``register_pytree_node``. Flattening
lists the leaves left to right (dict keys in sorted order, as JAX does) and
returns a ``TreeDef`` that rebuilds the same structure from new leaves, so
``grad(loss)(params)`` with ``params = {"W1": …, "b1": …}`` returns a dict of
the same shape.

>>> leaves, tree = tree_flatten({"b": (1, 2), "a": [3]})
>>> leaves
[3, 1, 2]
>>> tree_unflatten(tree, [x * 10 for x in leaves])
{'a': [30], 'b': (10, 20)}
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from .errors import ArgumentTypeError, InvalidArgumentError

Flatten = Callable[[Any], tuple[Iterable[Any], Hashable]]
Unflatten = Callable[[Hashable, list[Any]], Any]


@dataclass(frozen=True)
class NodeType:
    """How to take a container apart (``flatten``) and build it again (``unflatten``)."""

    flatten: Flatten
    unflatten: Unflatten


_NODES: dict[type, NodeType] = {}


def register_pytree_node(node_type: type, flatten: Flatten, unflatten: Unflatten) -> None:
    """Make instances of ``node_type`` containers that transforms look inside.

    ``flatten(obj) -> (children, aux)``: the children (themselves pytrees) and
    any hashable data needed to rebuild; ``unflatten(aux, children) -> obj``.

    >>> class Pair:
    ...     def __init__(self, a, b):
    ...         self.a, self.b = a, b
    >>> ag.register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda aux, ch: Pair(*ch))
    >>> ag.tree_leaves(Pair(1, (2, 3)))
    [1, 2, 3]
    """
    if not isinstance(node_type, type):
        raise ArgumentTypeError(f"register_pytree_node: need a class, not {node_type!r}")
    if node_type in _NODES or node_type in (tuple, list, dict, type(None)):
        raise InvalidArgumentError(f"register_pytree_node: {node_type.__name__} is already a pytree node type")
    _NODES[node_type] = NodeType(flatten, unflatten)


def _sorted_keys(d: dict) -> list:
    try:
        return sorted(d)
    except TypeError:  # keys of mixed types: keep insertion order
        return list(d)


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _node_of(x: Any) -> tuple[Any, Hashable, list] | None:
    """(kind, aux, children) when ``x`` is a node, None for a leaf."""
    t = type(x)
    if t is tuple:
        return tuple, None, list(x)
    if t is list:
        return list, None, list(x)
    if t is dict:
        keys = _sorted_keys(x)
        return dict, tuple(keys), [x[k] for k in keys]
    if x is None:
        return None, None, []
    if t in _NODES:
        children, aux = _NODES[t].flatten(x)
        return t, aux, list(children)
    if t is OrderedDict:
        return OrderedDict, tuple(x), list(x.values())
    if t is defaultdict:
        keys = _sorted_keys(x)
        return defaultdict, (x.default_factory, tuple(keys)), [x[k] for k in keys]
    if _is_namedtuple(x):
        return t, None, list(x)
    return None


class TreeDef:
    """The structure of a pytree without its leaves; ``unflatten(leaves)`` rebuilds it.

    >>> leaves, treedef = ag.tree_flatten({"w": 1.0, "layers": [2.0, (3.0, 4.0)]})
    >>> treedef
    PyTreeDef({'layers': [*, (*, *)], 'w': *})
    >>> treedef.unflatten([10, 20, 30, 40])
    {'layers': [10, (20, 30)], 'w': 40}
    >>> treedef == ag.tree_structure({"w": "a", "layers": ["b", ("c", "d")]})  # structure only, not leaves
    True
    """

    __slots__ = ("kind", "aux", "children", "num_leaves")

    def __init__(self, kind: Any, aux: Hashable, children: tuple[TreeDef, ...]) -> None:
        self.kind = kind  # LEAF, a container type, or None for the empty node None
        self.aux = aux
        self.children = children
        self.num_leaves = 1 if kind is LEAF else sum(c.num_leaves for c in children)

    @property
    def is_leaf(self) -> bool:
        """True for the structure of a single leaf."""
        return self.kind is LEAF

    def unflatten(self, leaves: Iterable[Any]) -> Any:
        """The pytree of this structure holding ``leaves`` (in flattening order)."""
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise InvalidArgumentError(
                f"tree_unflatten: the structure {self} holds {self.num_leaves} leaves, got {len(leaves)}"
            )
        it = iter(leaves)
        return self._build(it)

    def _build(self, it: Any) -> Any:
        if self.kind is LEAF:
            return next(it)
        children = [c._build(it) for c in self.children]
        kind = self.kind
        if kind is None:
            return None
        if kind is tuple:
            return tuple(children)
        if kind is list:
            return children
        if kind is dict:
            return dict(zip(self.aux, children))
        if kind is OrderedDict:
            return OrderedDict(zip(self.aux, children))
        if kind is defaultdict:
            factory, keys = self.aux
            return defaultdict(factory, zip(keys, children))
        if kind in _NODES:
            return _NODES[kind].unflatten(self.aux, children)
        return kind(*children)  # a namedtuple

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TreeDef)
            and self.kind is other.kind
            and self.aux == other.aux
            and self.children == other.children
        )

    def __hash__(self) -> int:
        return hash((id(self.kind), self.aux, self.children))

    def __repr__(self) -> str:
        return f"PyTreeDef({self._text()})"

    def _text(self) -> str:
        kind = self.kind
        if kind is LEAF:
            return "*"
        parts = [c._text() for c in self.children]
        if kind is None:
            return "None"
        if kind is tuple:
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        if kind is list:
            return "[" + ", ".join(parts) + "]"
        if kind in (dict, OrderedDict):
            return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(self.aux, parts)) + "}"
        if kind is defaultdict:
            return "defaultdict{" + ", ".join(f"{k!r}: {p}" for k, p in zip(self.aux[1], parts)) + "}"
        return f"{kind.__name__}(" + ", ".join(parts) + ")"


class _Leaf:
    def __repr__(self) -> str:
        return "LEAF"


LEAF: Any = _Leaf()
_LEAF_DEF = TreeDef(LEAF, None, ())


def _flatten(x: Any, leaves: list, is_leaf: Callable[[Any], bool] | None) -> TreeDef:
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return _LEAF_DEF
    found = _node_of(x)
    if found is None:
        leaves.append(x)
        return _LEAF_DEF
    kind, aux, children = found
    return TreeDef(kind, aux, tuple(_flatten(c, leaves, is_leaf) for c in children))


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list[Any], TreeDef]:
    """The leaves of ``tree`` left to right, and its structure (``is_leaf(x)`` True stops the descent at x).

    >>> params = {"w": ag.tensor([1.0, 2.0]), "layers": [1, (2, 3)]}
    >>> leaves, treedef = ag.tree_flatten(params)  # dict keys in sorted order
    >>> leaves
    [1, 2, 3, tensor([1., 2.])]
    >>> ag.tree_unflatten(treedef, leaves) == params
    True
    >>> ag.tree_flatten([1, (2, 3)], is_leaf=lambda x: isinstance(x, tuple))[0]  # stop the descent at tuples
    [1, (2, 3)]
    """
    leaves: list[Any] = []
    treedef = _flatten(tree, leaves, is_leaf)
    return leaves, treedef


def tree_unflatten(treedef: TreeDef, leaves: Iterable[Any]) -> Any:
    """Rebuild a pytree of structure ``treedef`` from ``leaves`` (the inverse of ``tree_flatten``).

    >>> treedef = ag.tree_structure({"w": 0, "b": 0})
    >>> ag.tree_unflatten(treedef, [ag.zeros(1), ag.ones(2)])  # leaves in sorted key order: b, w
    {'b': tensor([0.]), 'w': tensor([1., 1.])}
    """
    if not isinstance(treedef, TreeDef):
        raise ArgumentTypeError(f"tree_unflatten: need the TreeDef tree_flatten returned, not {type(treedef).__name__}")
    return treedef.unflatten(leaves)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """The leaves of ``tree``, left to right.

    >>> ag.tree_leaves([1, {"a": 2, "b": None}])  # None is an empty subtree, as in JAX
    [1, 2]
    """
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> TreeDef:
    """The structure of ``tree`` without its leaves.

    >>> ag.tree_structure((1, [2, 3]))
    PyTreeDef((*, [*, *]))
    >>> ag.tree_structure((1, [2, 3])) == ag.tree_structure((1, [2]))
    False
    """
    return tree_flatten(tree, is_leaf)[1]


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """``f`` applied leaf by leaf: ``f(leaf, *matching leaves of rest)``, in the structure of ``tree``.

    Every tree in ``rest`` must have the structure of ``tree``.

    >>> ag.tree_map(lambda a, b: a + b, {"x": 1, "y": [2, 3]}, {"x": 10, "y": [20, 30]})
    {'x': 11, 'y': [22, 33]}
    >>> ag.tree_map(lambda a, b: a + b, {"x": 1}, {"y": 1})
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: tree_map: expected a pytree of structure PyTreeDef({'x': *}), got PyTreeDef({'y': *})
    """
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = [flatten_up_to(treedef, r, "tree_map") for r in rest]
    return treedef.unflatten(f(*xs) for xs in zip(leaves, *others))


def flatten_up_to(
    treedef: TreeDef, tree: Any, what: str, lenient: bool = False, none_leaves: bool = False
) -> list[Any]:
    """The subtrees of ``tree`` at the leaf positions of ``treedef`` (``tree`` must have that structure above them).

    ``lenient``: a list may stand where a tuple was (and the reverse).
    ``none_leaves``: None stands for a whole subtree of Nones (a rule's "no
    cotangent here"). Raises ``InvalidArgumentError`` naming both structures
    when they differ.
    """
    out: list[Any] = []
    _up_to(treedef, tree, out, what, treedef, tree, lenient, none_leaves)
    return out


def _up_to(
    node: TreeDef, x: Any, out: list, what: str, full: TreeDef, tree: Any, lenient: bool, none_leaves: bool = False
) -> None:
    if node.kind is LEAF:
        out.append(x)
        return
    if x is None and none_leaves and node.kind is not None:
        out.extend([None] * node.num_leaves)
        return
    found = _node_of(x)
    same = found is not None and found[0] is node.kind
    if found is not None and not same and lenient and {found[0], node.kind} <= {tuple, list}:
        same = True
    if not same or found[1] != node.aux or len(found[2]) != len(node.children):
        raise InvalidArgumentError(f"{what}: expected a pytree of structure {full}, got {tree_structure(tree)}")
    for child, sub in zip(node.children, found[2]):
        _up_to(child, sub, out, what, full, tree, lenient, none_leaves)


def broadcast_prefix(prefix: Any, tree: Any, what: str, is_prefix_leaf: Callable[[Any], bool]) -> list[Any]:
    """One value per leaf of ``tree``: a leaf of ``prefix`` applies to the whole subtree at its place.

    (``vmap``'s ``in_axes=(0, None)`` for two arguments, or ``{"w": None, "b": 0}`` for a dict argument.)
    """
    out: list[Any] = []

    def walk(p: Any, t: Any) -> None:
        if is_prefix_leaf(p):
            out.extend([p] * len(tree_leaves(t)))
            return
        found_p, found_t = _node_of(p), _node_of(t)
        if found_p is None or found_t is None:
            raise InvalidArgumentError(
                f"{what}: {p!r} is not a prefix of the arguments' structure {tree_structure(tree)}"
            )
        kinds = {found_p[0], found_t[0]}
        if (found_p[0] is not found_t[0] and not kinds <= {tuple, list}) or len(found_p[2]) != len(found_t[2]):
            raise InvalidArgumentError(
                f"{what}: the structure {tree_structure(p, is_prefix_leaf)} does not match the arguments' "
                f"structure {tree_structure(tree)}"
            )
        if found_p[0] is dict and found_p[1] != found_t[1]:
            raise InvalidArgumentError(
                f"{what}: keys {list(found_p[1])} do not match the argument's keys {list(found_t[1])}"
            )
        for a, b in zip(found_p[2], found_t[2]):
            walk(a, b)

    walk(prefix, tree)
    return out
