"""The engine never converts a backend array to host memory behind the user's back.

Every test here runs on ``StrictArray`` (tests/duck_array.py), a CPU array
that behaves as CuPy's does: numpy's functions and ufuncs work on it through
``__array_function__``/``__array_ufunc__``, while ``np.asarray``, ``float()``,
``bool()``, ``.item()`` and numpy arrays mixed into its operations raise. It is
registered as the pseudo-device "strict", so the device plumbing
(``device=``, ``.to()``, ``.cpu()``, ``Module.to``) is the one CUDA uses.
Values and gradients are compared with the same computation on numpy arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from duck_array import ImplicitConversionError, StrictArray, registered
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from primitive_cases import draw_case

import autograd_core as ag
from autograd_core.errors import DeviceError

NAMES = sorted(ag.REGISTRY)


@pytest.fixture(autouse=True)
def strict_device():
    with registered():
        yield


def on_strict(x: np.ndarray, requires_grad: bool = False) -> ag.Tensor:
    return ag.tensor(x, requires_grad=requires_grad, device="strict")


def assert_strict(t: ag.Tensor) -> None:
    assert isinstance(t.data, StrictArray), f"left the device: {type(t.data).__name__}"
    assert t.device == "strict"


# ------------------------------------------------------------------ the duck array is faithful
def test_the_duck_array_refuses_what_cupy_refuses():
    s = StrictArray(np.ones(3))
    for convert in (np.asarray, np.array, float, bool, lambda a: a.item(), lambda a: a.tolist()):
        with pytest.raises((ImplicitConversionError, TypeError)):
            convert(s)
    with pytest.raises(TypeError, match="Unsupported type"):
        s + np.ones(3)
    assert isinstance(np.tanh(s), StrictArray) and isinstance(np.concatenate([s, s]), StrictArray)


def test_the_duck_arrays_data_is_a_memory_pointer_not_its_values():
    """As ``cupy_array.data`` (a MemoryPointer): numpy reading it sees one opaque object, never the values."""
    s = StrictArray(np.array([1.0, np.nan]))
    seen = np.asarray(s.data)
    assert seen.dtype == object and seen.shape == ()
    with pytest.raises((ImplicitConversionError, TypeError)):
        memoryview(s.data)


def test_a_backend_array_makes_a_tensor_on_its_device_and_copies_back_only_on_request():
    s = StrictArray(np.arange(3.0))
    t = ag.tensor(s)
    assert_strict(t)
    assert t.data is not s  # tensor() copies, on the device
    assert ag.as_tensor(s).data is s  # as_tensor shares
    assert np.array_equal(t.numpy(), [0.0, 1.0, 2.0]) and type(t.numpy()) is np.ndarray
    assert t.tolist() == [0.0, 1.0, 2.0] and ag.tensor(s)[1].item() == 1.0
    assert "device='strict'" in repr(t)
    with pytest.raises(ag.errors.ArgumentTypeError, match=r"t.numpy\(\) or t.cpu\(\)"):
        np.asarray(t)


def test_to_cpu_and_back_is_differentiable():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("strict")
    assert_strict(y)
    z = (y * y).cpu()
    assert type(z.data) is np.ndarray and z.device == "cpu"
    z.sum().backward()
    assert type(x.grad.data) is np.ndarray and np.allclose(x.grad.data, [2.0, 4.0])
    assert y.to("strict") is y and x.to("cpu") is x


def test_creation_functions_take_a_device():
    for t in (
        ag.zeros(2, 3, device="strict"),
        ag.ones(2, device="strict"),
        ag.full((2,), 7.0, device="strict"),
        ag.eye(3, device="strict"),
        ag.arange(4, device="strict"),
        ag.linspace(0, 1, 5, device="strict"),
        ag.empty(2, device="strict"),
        ag.rand(3, device="strict"),
        ag.randn(3, device="strict"),
    ):
        assert_strict(t)
    like = ag.zeros(2, device="strict")
    for t in (ag.zeros_like(like), ag.ones_like(like), ag.full_like(like, 2.0), ag.randn_like(like)):
        assert_strict(t)
    assert type(ag.zeros_like(like, device="cpu").data) is np.ndarray


def test_mixing_devices_names_both():
    a, b = ag.ones(2, device="strict"), ag.ones(2)
    for op in (lambda: a + b, lambda: b * a, lambda: a @ b, lambda: ag.concatenate([a, b]), lambda: a + np.ones(2)):
        with pytest.raises(DeviceError, match="'strict' and 'cpu'|'cpu' and 'strict'"):
            op()
    assert_strict(a + [1.0, 2.0])  # a Python literal has no device: it is made where the tensor is
    assert_strict(a * np.float32(2) + np.array(1.0))  # numbers and 0-d arrays too


def test_unknown_devices_and_a_cuda_without_cupy_are_library_errors():
    with pytest.raises(DeviceError, match="unknown device 'gpu'.*'strict'"):
        ag.ones(2).to("gpu")


# ------------------------------------------------------------------ every registered primitive
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_forward_vjp_and_jvp_stay_on_the_device(name, data):
    case = draw_case(data, name)
    ref_inputs = [ag.tensor(x, requires_grad=True) for x in case.inputs]
    ref = case.fn(*ref_inputs)
    seed = np.random.default_rng(1).standard_normal(ref.shape)
    ref.backward(seed)

    inputs = [on_strict(x, requires_grad=True) for x in case.inputs]
    out = case.fn(*inputs)
    if name != "to_device":  # its case copies to "cpu" on purpose
        assert_strict(out)
    np.testing.assert_allclose(out.numpy(), ref.data, rtol=1e-12, atol=1e-12)
    out.backward(ag.tensor(seed, device=out.device))
    for x, r in zip(inputs, ref_inputs):
        assert_strict(x.grad)
        np.testing.assert_allclose(x.grad.numpy(), r.grad.data, rtol=1e-10, atol=1e-12)

    rng = np.random.default_rng(2)
    vs = [rng.standard_normal(np.shape(x)) for x in case.inputs]
    _, ref_tangent = ag.jvp(case.fn, [ag.tensor(x) for x in case.inputs], vs)
    _, tangent = ag.jvp(case.fn, [on_strict(x) for x in case.inputs], [on_strict(v) for v in vs])
    if name != "to_device":
        assert_strict(tangent)
    np.testing.assert_allclose(tangent.numpy(), ref_tangent.data, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ transforms
def f(x):
    return (ag.tanh(x) * x).sum() + (x**3).mean()


def test_grad_jacfwd_jacrev_hessian_and_vmap_stay_on_the_device():
    x = np.random.default_rng(0).standard_normal(4)
    xs = on_strict(x)
    for transform in (ag.grad, ag.jacrev, ag.jacfwd, ag.hessian):
        got, want = transform(f)(xs), transform(f)(ag.tensor(x))
        assert_strict(got)
        np.testing.assert_allclose(got.numpy(), want.data, rtol=1e-12)
    batch = np.random.default_rng(1).standard_normal((3, 4))
    got = ag.vmap(ag.grad(f))(on_strict(batch))
    assert_strict(got)
    np.testing.assert_allclose(got.numpy(), ag.vmap(ag.grad(f))(ag.tensor(batch)).data, rtol=1e-12)


def test_second_derivatives_through_masks_made_on_the_device():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, 3.0]])

    def g(v):
        return (ag.cumprod(v, axis=1) ** 2).sum()

    got, want = ag.hessian(g)(on_strict(x)), ag.hessian(g)(ag.tensor(x))
    assert_strict(got)
    np.testing.assert_allclose(got.numpy(), want.data, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ nn
import nn  # noqa: E402

OPTIMIZERS = {
    "SGD": lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "Adam": lambda ps: nn.optim.Adam(ps, lr=0.01, weight_decay=1e-3),
    "AdamW": lambda ps: nn.optim.AdamW(ps, lr=0.01),
    "RMSprop": lambda ps: nn.optim.RMSprop(ps, lr=0.01, momentum=0.5),
    "Adagrad": lambda ps: nn.optim.Adagrad(ps, lr=0.05),
    "LBFGS": lambda ps: nn.optim.LBFGS(ps),
    "ConjugateGradient": lambda ps: nn.optim.ConjugateGradient(ps),
}


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(5, 8, rng=0), nn.Tanh(), nn.Linear(8, 3, rng=1))


def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((40, 5)), rng.integers(0, 3, 40)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_an_mlp_trains_on_the_device_as_on_numpy_with_every_optimizer(name):
    X, y = data()
    losses = {}
    for device in ("cpu", "strict"):
        model = mlp().to(device)
        opt = OPTIMIZERS[name](list(model.parameters()))
        xb, yb = ag.tensor(X, device=device), ag.tensor(y, device=device)

        def closure(model=model, opt=opt, xb=xb, yb=yb):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            return loss

        for _ in range(3):
            opt.step(closure)
        losses[device] = closure().item()
        if device == "strict":
            for p in model.parameters():
                assert_strict(p)
                assert_strict(p.grad)
    assert losses["strict"] == pytest.approx(losses["cpu"], rel=1e-10)


def test_fit_moves_host_batches_to_the_model_and_matches_numpy():
    X, y = data()
    histories = {}
    for device in ("cpu", "strict"):
        model = mlp().to(device)
        opt = nn.optim.Adam(model.parameters(), lr=0.01)
        loader = nn.data.DataLoader(X, y, batch_size=16, rng=0)  # host data: fit copies each batch to the model
        val = nn.data.DataLoader(X, y, batch_size=20, shuffle=False, device=device)
        histories[device] = nn.fit(
            model, nn.CrossEntropyLoss(), opt, loader, epochs=2, val_loader=val, metrics=["accuracy"]
        )
    for key in ("loss", "val_loss", "accuracy"):
        np.testing.assert_allclose(histories["strict"][key], histories["cpu"][key], rtol=1e-10)


def test_a_dataloader_with_a_device_yields_batches_there():
    X, y = data()
    for xb, yb in nn.data.DataLoader(X, y, batch_size=16, device="strict"):
        assert_strict(xb) and assert_strict(yb)
    for xb, _ in nn.data.DataLoader(StrictArray(X), StrictArray(y), batch_size=16):  # data already on the device
        assert_strict(xb)


def test_save_copies_to_host_and_load_places_on_a_device(tmp_path):
    model = mlp().to("strict")
    nn.save(model.state_dict(), tmp_path / "m.npz")
    on_host = nn.load(tmp_path / "m.npz")
    assert all(type(v) is np.ndarray for v in on_host.values())
    for v in nn.load(tmp_path / "m.npz", device="strict").values():
        assert isinstance(v, StrictArray)
    other = mlp().to("strict")
    for p in other.parameters():
        p.data *= 0.0
    other.load_state_dict(on_host)  # host arrays are copied to the model's device
    for p, q in zip(model.parameters(), other.parameters()):
        assert_strict(q)
        assert np.array_equal(p.numpy(), q.numpy())
    assert model.to("cpu").device == "cpu" and type(next(iter(model.parameters())).data) is np.ndarray


def test_pictures_copy_values_to_host():
    import viz

    model = mlp().to("strict")
    X, y = data()
    loss = nn.CrossEntropyLoss()(model(ag.tensor(X[:4], device="strict")), ag.tensor(y[:4], device="strict"))
    loss.backward()
    picture = viz.draw_graph(loss)
    assert "digraph" in picture.source


# ------------------------------------------------------------------ CuPy's limits, modelled by the duck array
def test_the_duck_array_refuses_the_numpy_features_cupy_lacks():
    import weakref

    from duck_array import CupyUnsupportedError

    s = StrictArray(np.arange(6.0).reshape(2, 3))
    for unsupported in (
        lambda: np.maximum.reduce(s, axis=1),
        lambda: np.minimum.reduce(s),
        lambda: np.logaddexp.accumulate(s, axis=1),
        lambda: np.multiply.at(s, (0,), 2.0),
        lambda: s.max(axis=1, initial=-np.inf),
        lambda: np.max(s, initial=0.0),
        lambda: np.sum(s, where=s > 1),
        lambda: np.add.reduce(s, initial=0.0),
        lambda: np.add(s, s, where=s > 1),
        lambda: np.argsort(s, kind="quicksort"),
    ):
        with pytest.raises(CupyUnsupportedError):
            unsupported()
    # what CuPy does implement keeps working
    assert np.array_equal(np.add.reduce(s, axis=1).get(), [3.0, 12.0])
    assert np.array_equal(np.multiply.accumulate(s, axis=1).get(), np.multiply.accumulate(s.get(), axis=1))
    assert np.array_equal(np.add.outer(s[0], s[1]).get(), np.add.outer(s.get()[0], s.get()[1]))
    assert np.array_equal(s.max(axis=1).get(), [2.0, 5.0]) and np.argsort(s, kind="stable").shape == (2, 3)
    assert weakref.ref(s)() is s  # cupy.ndarray can be weakly referenced


def compare(fn, x, *, grad=True, index=None):
    """fn(x[, index]) on "strict" equals fn on numpy: every output's values, and x's gradient of Σ wᵢ·outᵢ."""
    results = {}
    for device in ("cpu", "strict"):
        t = ag.tensor(x, requires_grad=grad, device=device)
        args = (t,) if index is None else (t, ag.tensor(index, device=device))
        out = fn(*args)
        outs = [o for o in ag.tree_leaves(out) if isinstance(o, ag.Tensor)]
        if device == "strict":
            for o in outs:
                assert_strict(o)
        rng = np.random.default_rng(5)
        tracked = [o for o in outs if o.requires_grad]
        if tracked:
            total = sum((o * ag.tensor(rng.standard_normal(o.shape), device=device)).sum() for o in tracked)
            total.backward()
        results[device] = ([o.numpy() for o in outs], t.grad.numpy() if tracked else None)
    for got, want in zip(results["strict"][0], results["cpu"][0]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    if results["cpu"][1] is not None:
        np.testing.assert_allclose(results["strict"][1], results["cpu"][1], rtol=1e-12, atol=1e-12)
    return results["strict"][0]


X = np.random.default_rng(0).standard_normal((6, 4))


# review P0: each of these used a numpy feature CuPy lacks (maximum.reduce, initial=, logaddexp.accumulate)
@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.max(),
        lambda x: x.min(axis=1),
        lambda x: ag.softmax(x, axis=1),
        lambda x: ag.log_softmax(x, axis=0),
        lambda x: ag.logsumexp(x, axis=1),
        lambda x: ag.logcumsumexp(x, axis=1),
        lambda x: ag.logcumsumexp(x * 300.0, axis=0),  # wide range: the doubling scan is as stable as numpy's
        lambda x: ag.linalg.vector_norm(x, float("inf"), axis=1),
        lambda x: ag.linalg.vector_norm(x, -float("inf")),
        lambda x: ag.cross_entropy(x, ag.tensor(np.array([0, 1, 2, 3, 0, 1]), device=x.device)),
    ],
    ids=[
        "max",
        "min-axis",
        "softmax",
        "log_softmax",
        "logsumexp",
        "logcumsumexp",
        "logcumsumexp-wide",
        "inf-norm",
        "-inf-norm",
        "cross_entropy",
    ],
)
def test_review_P0_reductions_cupy_can_compute(fn):
    compare(fn, X)


@pytest.mark.filterwarnings("ignore:divide by zero")  # log 0 = −∞ over an empty axis, as on the host
def test_review_P0_softmax_over_an_empty_axis_on_the_device():
    for fn in (ag.softmax, ag.log_softmax, ag.logsumexp):
        got = fn(ag.zeros(3, 0, device="strict"), axis=1)
        assert_strict(got)
        assert got.shape == fn(ag.zeros(3, 0), axis=1).shape


def test_review_1a_any_all_count_nonzero():
    compare(lambda x: (ag.any(x > 0, axis=1), ag.all(x > -1), ag.count_nonzero(x > 0, axis=0)), X, grad=False)


def test_review_1b_sort_and_argsort():
    compare(lambda x: (*ag.sort(x, axis=1), *ag.sort(x, axis=0, descending=True), ag.argsort(x)), X)


def test_review_1c_topk():
    compare(lambda x: (*ag.topk(x, 2), *ag.topk(x, 3, axis=0, largest=False)), X)


def test_review_1d_max_and_min_with_dim():
    compare(lambda x: (*x.max(dim=1), *x.min(dim=0, keepdim=True), *ag.max(x[0], dim=0)), X)


def test_review_1e_median_and_quantile():
    compare(lambda x: (ag.median(x, axis=1), *x.median(dim=1), ag.quantile(x, [0.25, 0.5, 0.9], axis=0)), X)


def test_review_1f_take_along_axis_and_gather_with_a_device_index():
    idx = np.array([[0, 3], [1, 1], [2, 0], [3, 3], [0, 0], [1, 2]])
    compare(lambda x, i: (ag.take_along_axis(x, i, 1), ag.gather(x, 1, i)), X, index=idx)


def test_review_1g_index_select_with_a_device_index():
    compare(lambda x, i: ag.index_select(x, 1, i), X, index=np.array([0, 2, 2]))


def test_review_1h_scatter_scatter_add_and_put_along_axis():
    idx = np.array([[0, 3], [1, 1], [2, 0], [3, 2], [0, 1], [1, 2]])
    compare(
        lambda x, i: (
            ag.scatter_add(x, 1, i, x[:, :2] * 2.0),
            ag.scatter(x, 1, i, x[:, 2:]),
            ag.scatter(x, 1, i, value=-1.0),
            ag.put_along_axis(x, i, 0.5, axis=1),
        ),
        X,
        index=idx,
    )
    with pytest.raises(ag.errors.IndexingError, match="out of range"):
        ag.gather(ag.tensor(X, device="strict"), 1, ag.tensor(idx + 2, device="strict"))


def test_review_1i_masked_fill_and_masked_select():
    compare(lambda x: (ag.masked_fill(x, x > 0, 0.0), ag.masked_select(x, x < 0.5)), X)


def test_review_1j_tril_and_triu():
    compare(lambda x: (ag.tril(x), ag.triu(x, 1), ag.tril(x.reshape(2, 3, 4), -1)), X)


def test_review_1k_trace_and_diagonal_backward():
    compare(lambda x: (ag.trace(x[:4]), ag.diagonal(x, 1), ag.einsum("ii->i", x[:4]), ag.diag(x[0], 1)), X)


def test_review_1l_setitem_on_a_device_tensor():
    t = ag.tensor([1.0, 2.0, 3.0], device="strict")
    t[0] = 5.0
    t[ag.tensor(np.array([1]), device="strict")] = [7.0]
    t[np.array([2])] = np.array(9.0)  # a host index is placed; a 0-d array is a number
    assert_strict(t)
    assert t.tolist() == [5.0, 7.0, 9.0]
    with pytest.raises(DeviceError, match="__setitem__.*'strict' and 'cpu'"):
        t[:2] = np.ones(2)


def test_review_1m_copy_between_devices_and_in_place_mixing():
    t = ag.tensor([1.0, 2.0], device="strict")
    t.copy_(ag.tensor([3.0, 4.0]))  # copy_ copies between memories, as PyTorch's does
    assert_strict(t)
    assert t.tolist() == [3.0, 4.0]
    h = ag.zeros(2).copy_(t)
    assert type(h.data) is np.ndarray and h.tolist() == [3.0, 4.0]
    t.add_([1.0, 1.0])
    assert t.tolist() == [4.0, 5.0]
    t.clamp_(0.0, 4.5).mul_(2.0)
    assert_strict(t)
    assert t.tolist() == [8.0, 9.0]
    for mixed in (lambda: t.add_(np.ones(2)), lambda: h.mul_(t)):
        with pytest.raises(DeviceError, match="'strict' and 'cpu'|'cpu' and 'strict'"):
            mixed()


def test_review_2_where_with_a_raw_device_mask_and_python_numbers():
    mask = ag.tensor([1.0, -1.0], device="strict").data > 0
    got = ag.where(mask, 1.0, -1.0)
    assert_strict(got)
    assert got.tolist() == [1.0, -1.0]


# ------------------------------------------------------------------ review P1 item 4: transforms
@ag.custom_vjp
def _sin_vjp(x):
    return ag.sin(x)


_sin_vjp.defvjp(lambda x: (ag.sin(x), x), lambda res, g: (g * ag.cos(res),))


@ag.custom_jvp
def _sin_jvp(x):
    return ag.sin(x)


_sin_jvp.defjvp(lambda primals, tangents: (ag.sin(primals[0]), ag.cos(primals[0]) * tangents[0]))


class _Square(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


def test_review_5a_checkpoint_and_custom_vjp():
    compare(lambda x: ag.checkpoint(lambda v: ag.tanh(v) * v)(x), X)
    compare(_sin_vjp, X)


def test_review_5b_function_apply():
    compare(_Square.apply, X)


def test_review_5c_custom_jvp_forward_and_reverse():
    compare(_sin_jvp, X)
    x = X[0]
    got = ag.jacfwd(_sin_jvp)(on_strict(x))
    assert_strict(got)
    np.testing.assert_allclose(got.numpy(), ag.jacfwd(_sin_jvp)(ag.tensor(x)).data, rtol=1e-12)


def test_review_5d_linear_transpose():
    (got,) = ag.linear_transpose(lambda v: 2 * v, on_strict(X[0]))(on_strict(np.ones(4)))
    assert_strict(got)
    assert got.tolist() == [2.0] * 4
    with pytest.raises(ag.errors.InvalidArgumentError, match="not linear"):
        ag.linear_transpose(lambda v: v + 1.0, on_strict(X[0]))


def test_review_5e_gradcheck_dot_product_test_and_check_rules():
    x = on_strict(X[0], requires_grad=True)
    assert ag.gradcheck(lambda v: ag.tanh(v) * v, (x,))
    assert ag.dot_product_test(ag.softmax, [on_strict(X[0])])
    assert ag.check_rules(ag.REGISTRY["tanh"], on_strict(X[0])).ok


def test_review_5f_compile_refuses_device_tensors_up_front():
    step = ag.compile(lambda x, w: ag.grad(lambda w: (ag.tanh(x * w) ** 2).sum())(w))
    with pytest.raises(DeviceError, match="ag.compile.*'strict'.*without ag.compile"):
        step(on_strict([1.0, 2.0]), on_strict([3.0, 4.0]))
    assert step(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])).shape == (2,)  # on the host it compiles
    with pytest.raises(DeviceError, match="ag.compile"):  # a cached program is not replayed on device data
        step(on_strict([1.0, 2.0]), on_strict([3.0, 4.0]))
    model = mlp().to("strict")
    with pytest.raises(DeviceError, match="ag.compile"):  # parameters reached through a captured model
        ag.compile(lambda x: model(x).sum())(on_strict(np.ones((2, 5))))


# review P2 item 9: a literal (number, list, 0-d array) has no device, wherever it is given
def test_review_5g_vjp_with_a_python_list_cotangent():
    _, vjp_fn = ag.vjp(ag.tanh, on_strict(X[0]))
    (got,) = vjp_fn([1.0, 1.0, 1.0, 1.0])
    assert_strict(got)
    np.testing.assert_allclose(got.numpy(), 1 - np.tanh(X[0]) ** 2, rtol=1e-12)
    with pytest.raises(DeviceError, match="'strict' and 'cpu'"):  # a host array of values is not a literal
        vjp_fn(np.ones(4))


def test_review_5h_backward_from_a_0d_array_seed():
    x = on_strict(X[0], requires_grad=True)
    (x * 3.0).sum().backward(np.array(2.0))
    assert_strict(x.grad)
    assert x.grad.tolist() == [6.0] * 4
    y = on_strict(X[0], requires_grad=True)
    (y * 1.0).backward([1.0, 2.0, 3.0, 4.0])
    assert y.grad.tolist() == [1.0, 2.0, 3.0, 4.0]


# second review, item 2: anomaly mode checks device arrays where they are (and raises AnomalyError)
@pytest.mark.filterwarnings("ignore:invalid value", "ignore:divide by zero")
def test_detect_anomaly_finds_nan_in_a_device_forward_pass():
    x = on_strict([-1.0, 1.0], requires_grad=True)
    with ag.detect_anomaly(), pytest.raises(ag.errors.AnomalyError, match="log produced NaN in the forward pass"):
        ag.log(x)
    with ag.detect_anomaly(), pytest.raises(ag.errors.AnomalyError, match="div produced inf in the forward pass"):
        on_strict([1.0]) / on_strict([0.0], requires_grad=True)


@pytest.mark.filterwarnings("ignore:invalid value", "ignore:divide by zero")
@pytest.mark.parametrize("create_graph", [False, True])
def test_detect_anomaly_finds_nan_in_a_device_backward_pass(create_graph):
    x = on_strict([0.0, 4.0], requires_grad=True)
    y = ag.sqrt(x) * 0.0  # finite forward; d sqrt/dx = inf at 0, times 0: NaN in the gradient
    with ag.detect_anomaly():
        if create_graph:  # gradients are Tensors here
            with pytest.raises(ag.errors.AnomalyError, match="produced (NaN|inf)"):
                y.sum().backward(create_graph=True)
        else:
            with pytest.raises(ag.errors.AnomalyError, match="backward pass of sqrt produced (NaN|inf)"):
                y.sum().backward()


def test_detect_anomaly_passes_finite_device_work_through_and_keeps_it_there():
    x = on_strict(X[0], requires_grad=True)
    with ag.detect_anomaly():
        (ag.tanh(x) * x).sum().backward(create_graph=True)
        assert ag.gradcheck(lambda v: ag.tanh(v) * v, (on_strict(X[0], requires_grad=True),))
    assert_strict(x.grad)
    np.testing.assert_allclose(x.grad.numpy(), np.tanh(X[0]) + X[0] * (1 - np.tanh(X[0]) ** 2), rtol=1e-12)


# second review, item 2 (the audit): raw device arrays and device parameters never reach np.asarray
@pytest.mark.parametrize(
    "fn",
    [
        lambda a: ag.diagonal(a, 1),
        lambda a: ag.diag(a[0]),
        lambda a: ag.sum_to(a, (1, 4)),
        lambda a: ag.scatter(a, 1, np.argsort(a, axis=1), a),  # the index on a's device
    ],
    ids=["diagonal", "diag", "sum_to", "scatter"],
)
def test_primitives_take_raw_device_arrays(fn):
    got = fn(StrictArray(X[:, :4]))
    assert isinstance(ag.backend.underlying(got), StrictArray)
    np.testing.assert_allclose(ag.backend.host_array(got), ag.backend.host_array(fn(X[:, :4])), rtol=1e-12)


def test_repeats_and_quantile_levels_on_the_device_are_read_on_purpose():
    x = on_strict([1.0, 2.0, 3.0], requires_grad=True)
    got = ag.repeat(x, on_strict(np.array([0, 2, 1])))
    assert_strict(got)
    assert got.tolist() == [2.0, 2.0, 3.0]
    q = ag.quantile(x, on_strict([0.25, 0.5]))
    assert_strict(q)
    np.testing.assert_allclose(q.numpy(), [1.5, 2.0])
