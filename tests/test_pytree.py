"""Pytrees: flattening and rebuilding nested containers, and every transform over them (against finite differences)."""

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.errors import InvalidArgumentError, ShapeError

Point = namedtuple("Point", "x y")


def test_flatten_orders_leaves_and_rebuilds_every_container():
    tree = {"b": (1, [2, 3]), "a": Point(4, None), "c": OrderedDict([("z", 5), ("y", 6)])}
    leaves, treedef = ag.tree_flatten(tree)
    assert leaves == [4, 1, 2, 3, 5, 6]  # dict keys sorted, OrderedDict in its order, None holds nothing
    rebuilt = ag.tree_unflatten(treedef, [x * 10 for x in leaves])
    assert rebuilt == {"a": Point(40, None), "b": (10, [20, 30]), "c": OrderedDict([("z", 50), ("y", 60)])}
    assert type(rebuilt["a"]) is Point and type(rebuilt["c"]) is OrderedDict
    assert treedef.num_leaves == 6 and "Point" in repr(treedef)
    assert ag.tree_structure(tree) == ag.tree_structure(rebuilt)


def test_tree_map_over_several_trees_and_is_leaf():
    a, b = {"w": 1.0, "b": [2.0]}, {"w": 10.0, "b": [20.0]}
    assert ag.tree_map(lambda x, y: x + y, a, b) == {"w": 11.0, "b": [22.0]}
    with pytest.raises(InvalidArgumentError, match="structure"):
        ag.tree_map(lambda x, y: x, a, {"w": 1.0})
    assert ag.tree_leaves([(1, 2), (3,)], is_leaf=lambda x: isinstance(x, tuple)) == [(1, 2), (3,)]
    assert ag.tree_leaves(ag.tensor([1.0, 2.0])) != []  # a tensor is one leaf
    with pytest.raises(InvalidArgumentError, match="holds 2 leaves"):
        ag.tree_unflatten(ag.tree_structure((1, 2)), [1])


class Affine:
    def __init__(self, w, b):
        self.w, self.b = w, b


ag.register_pytree_node(Affine, lambda a: ((a.w, a.b), None), lambda aux, children: Affine(*children))


def test_registered_node_types_are_walked_by_every_transform():
    with pytest.raises(InvalidArgumentError, match="already"):
        ag.register_pytree_node(Affine, lambda a: ((), None), lambda aux, c: None)
    p = Affine(ag.tensor([1.0, -2.0]), ag.tensor(0.5))
    x = ag.tensor([0.3, 0.7])
    g = ag.grad(lambda p: ((p.w * x).sum() + p.b).tanh())(p)
    assert isinstance(g, Affine)
    s = 1 - np.tanh(0.3 - 1.4 + 0.5) ** 2
    np.testing.assert_allclose(g.w.data, s * x.data)
    np.testing.assert_allclose(g.b.data, s)


def _numeric_grad(f, leaves, eps=1e-6):
    out = []
    for i, leaf in enumerate(leaves):
        g = np.zeros(leaf.shape)
        for j in range(leaf.size):
            plus = [np.array(v, dtype=float) for v in leaves]
            minus = [np.array(v, dtype=float) for v in leaves]
            plus[i].flat[j] += eps
            minus[i].flat[j] -= eps
            g.flat[j] = (f(plus) - f(minus)) / (2 * eps)
        out.append(g)
    return out


def test_grad_of_a_dict_of_parameters_is_a_dict_matching_finite_differences():
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(3), "w2": rng.standard_normal(3)}
    x = rng.standard_normal(4)

    def loss(p):
        h = ag.tanh(p["W1"] @ x + p["b1"])
        return (h * p["w2"]).sum() ** 2

    g = ag.grad(loss)(params)
    assert set(g) == set(params) and all(g[k].shape == params[k].shape for k in params)
    keys = sorted(params)
    numeric = _numeric_grad(lambda vals: loss(dict(zip(keys, vals))).item(), [params[k] for k in keys])
    for k, n in zip(keys, numeric):
        np.testing.assert_allclose(g[k].data, n, rtol=1e-6, atol=1e-8)


def test_value_and_grad_and_grad_with_has_aux():
    def f(p):
        loss = (p["a"] ** 2).sum()
        return loss, {"norm": loss.sqrt(), "note": "kept as is"}

    p = {"a": ag.tensor([3.0, 4.0])}
    (value, aux), g = ag.value_and_grad(f, has_aux=True)(p)
    assert value.item() == 25.0 and aux["norm"].item() == 5.0 and aux["note"] == "kept as is"
    np.testing.assert_allclose(g["a"].data, [6.0, 8.0])
    g2, aux2 = ag.grad(f, has_aux=True)(p)
    np.testing.assert_allclose(g2["a"].data, [6.0, 8.0])
    assert aux2["note"] == "kept as is"
    with pytest.raises(ag.errors.ArgumentTypeError, match="pair"):
        ag.grad(lambda x: x.sum(), has_aux=True)(ag.tensor([1.0]))


def test_vjp_and_jvp_over_pytrees_agree_through_the_dot_product():
    rng = np.random.default_rng(1)
    primal = ({"u": rng.standard_normal(3)}, [rng.standard_normal((2, 3))])

    def f(d, lst):
        y = lst[0] @ d["u"]
        return {"s": y.sin(), "t": (y * d["u"][:2]).sum()}

    out, vjp_fn = ag.vjp(f, *primal)
    assert set(out) == {"s", "t"}
    cot = {"s": rng.standard_normal(2), "t": np.array(0.7)}
    ct_d, ct_l = vjp_fn(cot)
    assert ct_d["u"].shape == (3,) and ct_l[0].shape == (2, 3)
    tangents = ({"u": rng.standard_normal(3)}, [rng.standard_normal((2, 3))])
    out2, tan = ag.jvp(f, primal, tangents)
    lhs = (cot["s"] * tan["s"].data).sum() + cot["t"] * tan["t"].item()
    rhs = (ct_d["u"].data * tangents[0]["u"]).sum() + (ct_l[0].data * tangents[1][0]).sum()
    assert lhs == pytest.approx(rhs, rel=1e-10)
    np.testing.assert_allclose(out2["s"].data, out["s"].data)
    with pytest.raises(InvalidArgumentError, match="structure"):
        vjp_fn({"s": np.ones(2)})
    with pytest.raises(InvalidArgumentError, match="structure"):
        ag.jvp(f, primal, ({"u": np.ones(3)}, []))
    with pytest.raises(ShapeError, match="tangent of shape"):
        ag.jvp(f, primal, ({"u": np.ones(2)}, [np.ones((2, 3))]))


def test_jvp_and_vjp_with_has_aux():
    f = lambda x: (x.sin(), {"x2": x * 2})  # noqa: E731
    x = ag.tensor([0.1, 0.2])
    out, tangent, aux = ag.jvp(f, (x,), (np.ones(2),), has_aux=True)
    np.testing.assert_allclose(tangent.data, np.cos(x.data))
    assert aux["x2"]._tangents is None  # aux carries no tangent
    out, vjp_fn, aux = ag.vjp(f, x, has_aux=True)
    np.testing.assert_allclose(vjp_fn(np.ones(2))[0].data, np.cos(x.data))
    np.testing.assert_allclose(aux["x2"].data, [0.2, 0.4])


def test_jacobians_over_pytrees_nest_outputs_outside_inputs_inside():
    p = {"a": ag.tensor([1.0, 2.0]), "b": ag.tensor(3.0)}

    def f(p):
        return {"y": p["a"] * p["b"], "z": (p["a"] ** 2).sum()}

    for transform in (ag.jacfwd, ag.jacrev, ag.jacobian):
        j = transform(f)(p)
        assert j["y"]["a"].shape == (2, 2) and j["y"]["b"].shape == (2,) and j["z"]["a"].shape == (2,)
        np.testing.assert_allclose(j["y"]["a"].data, 3.0 * np.eye(2))
        np.testing.assert_allclose(j["y"]["b"].data, [1.0, 2.0])
        np.testing.assert_allclose(j["z"]["a"].data, [2.0, 4.0])
        assert j["z"]["b"].shape == () and j["z"]["b"].item() == 0.0


def test_hessian_over_a_pytree_matches_finite_differences_of_the_gradient():
    p = {"a": ag.tensor([0.5, -1.0]), "b": ag.tensor([[0.3], [0.2]])}

    def f(p):
        return ((p["a"][:, None] * p["b"]).tanh() ** 2).sum() + (p["a"] ** 3).sum()

    h = ag.hessian(f)(p)
    assert h["a"]["b"].shape == (2, 2, 1) and h["b"]["a"].shape == (2, 1, 2)
    eps = 1e-6
    for outer in ("a", "b"):
        for inner in ("a", "b"):
            base = p[inner].data
            numeric = np.zeros(p[outer].shape + base.shape)
            for j in range(base.size):
                plus, minus = dict(p), dict(p)
                bp, bm = base.copy(), base.copy()
                bp.flat[j] += eps
                bm.flat[j] -= eps
                plus[inner], minus[inner] = ag.tensor(bp), ag.tensor(bm)
                diff = (ag.grad(f)(plus)[outer].data - ag.grad(f)(minus)[outer].data) / (2 * eps)
                numeric.reshape(p[outer].shape + (-1,))[..., j] = diff
            np.testing.assert_allclose(h[outer][inner].data, numeric, rtol=1e-5, atol=1e-7)


def test_jacfwd_and_jacrev_with_has_aux():
    f = lambda x: (x**2, {"mean": x.mean()})  # noqa: E731
    x = ag.tensor([1.0, 3.0])
    for transform in (ag.jacfwd, ag.jacrev):
        j, aux = transform(f, has_aux=True)(x)
        np.testing.assert_allclose(j.data, np.diag([2.0, 6.0]))
        assert aux["mean"].item() == 2.0
    h, aux = ag.hessian(lambda x: ((x**3).sum(), x.max()), has_aux=True)(x)
    np.testing.assert_allclose(h.data, np.diag([6.0, 18.0]))


def test_argnums_out_of_range_is_a_library_error():
    with pytest.raises(InvalidArgumentError, match="argument 2"):
        ag.grad(lambda a, b: a * b, argnums=2)(1.0, 2.0)
