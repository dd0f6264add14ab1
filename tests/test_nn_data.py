"""DataLoader (the notes' three regimes), splitting, standardisation, one-hot, toy data sets, persistence."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core.errors import ShapeError
from nn.data import DataLoader, StandardScaler, one_hot, train_test_split
from nn.errors import UnsafeFileError

X = np.arange(20.0).reshape(10, 2)
Y = np.arange(10)


@pytest.mark.parametrize(("batch_size", "sizes"), [(None, [10]), (1, [1] * 10), (4, [4, 4, 2])])
def test_the_three_regimes_full_batch_stochastic_and_mini_batch(batch_size, sizes):
    loader = DataLoader(X, Y, batch_size=batch_size, rng=0)
    batches = list(loader)
    assert [len(xb) for xb, _ in batches] == sizes and len(loader) == len(sizes)
    xs = np.concatenate([xb.data for xb, _ in batches])
    ys = np.concatenate([yb.data for _, yb in batches])
    assert sorted(ys.tolist()) == list(range(10))  # every example once per epoch
    np.testing.assert_array_equal(xs, X[ys])  # pairs stay together
    assert all(isinstance(xb, ag.Tensor) and not xb.requires_grad for xb, _ in batches)
    assert batches[0][1].dtype.kind == "i"


@given(n=st.integers(1, 30), batch=st.integers(1, 12), drop_last=st.booleans())
def test_batch_counts(n, batch, drop_last):
    if drop_last and batch > n:  # every batch would be dropped
        with pytest.raises(ValueError, match="drops all"):
            DataLoader(np.zeros((n, 1)), np.zeros(n), batch_size=batch, drop_last=drop_last)
        return
    loader = DataLoader(np.zeros((n, 1)), np.zeros(n), batch_size=batch, drop_last=drop_last, rng=1)
    sizes = [len(xb) for xb, _ in loader]
    assert len(sizes) == len(loader)
    assert sum(sizes) == (n - n % batch if drop_last else n)
    assert all(s == batch for s in sizes[:-1])


@pytest.mark.parametrize("rng", [0, np.random.default_rng(0)])
def test_each_epoch_is_shuffled_anew_and_repeatably(rng):
    loader = DataLoader(X, Y, batch_size=None, rng=rng)
    first, second = (next(iter(loader))[1].data for _ in range(2))
    assert not np.array_equal(first, second)
    again = DataLoader(X, Y, batch_size=None, rng=0)
    np.testing.assert_array_equal(next(iter(again))[1].data, first)


def test_shuffling_follows_manual_seed():
    nn.manual_seed(3)
    a = next(iter(DataLoader(X, Y, batch_size=None)))[1].data
    nn.manual_seed(3)
    b = next(iter(DataLoader(X, Y, batch_size=None)))[1].data
    np.testing.assert_array_equal(a, b)
    in_order = next(iter(DataLoader(X, Y, batch_size=None, shuffle=False)))[1].data
    np.testing.assert_array_equal(in_order, Y)


def test_batches_are_copies():
    data = X.copy()
    xb, _ = next(iter(DataLoader(data, Y, batch_size=3, shuffle=False)))
    xb.data[...] = -1
    np.testing.assert_array_equal(data, X)


def test_dataloader_errors():
    with pytest.raises(ShapeError, match="X has 10 examples but y has 9"):
        DataLoader(X, Y[:9])
    with pytest.raises(ValueError, match="batch_size must be a positive integer or None"):
        DataLoader(X, Y, batch_size=0)
    with pytest.raises(ValueError, match="empty"):
        DataLoader(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ShapeError, match="leading example axis"):
        DataLoader(np.float64(1.0), Y)


def test_train_test_split():
    Xtr, Xte, ytr, yte = train_test_split(X, Y, test_size=0.3, rng=0)
    assert len(Xte) == 3 and len(Xtr) == 7
    assert sorted(np.concatenate([ytr, yte]).tolist()) == list(range(10))
    np.testing.assert_array_equal(Xtr, X[ytr])
    again = train_test_split(X, Y, test_size=0.3, rng=0)
    np.testing.assert_array_equal(again[3], yte)
    _, Xte, _, yte = train_test_split(X, Y, test_size=2, shuffle=False)
    np.testing.assert_array_equal(yte, [0, 1])
    with pytest.raises(ValueError, match="leaves 0 of 10"):
        train_test_split(X, Y, test_size=0.0)
    with pytest.raises(ShapeError):
        train_test_split(X, Y[:3])


def test_standard_scaler():
    data = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    scaler = StandardScaler()
    z = scaler.fit_transform(data)
    np.testing.assert_allclose(z.mean(0), 0)
    np.testing.assert_allclose(z[:, 0].std(), 1)
    np.testing.assert_array_equal(z[:, 1], 0)  # a constant feature is centred, not divided by 0
    np.testing.assert_allclose(scaler.inverse_transform(z), data)
    zt = scaler.transform(ag.tensor(data))
    assert isinstance(zt, ag.Tensor)
    with pytest.raises(nn.errors.NotFittedError, match="not fitted"):  # also a RuntimeError
        StandardScaler().transform(data)
    with pytest.raises(ShapeError, match="fitted on features of shape"):
        scaler.transform(np.zeros((2, 3)))


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0])), [[0, 0, 1], [1, 0, 0]])
    assert one_hot(np.array([1]), 4).shape == (1, 4)
    assert isinstance(one_hot(ag.tensor(np.array([1, 0]))), ag.Tensor)
    assert one_hot(np.array([1]), dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match=r"label 3 is outside the range \[0, 3\)"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(TypeError, match="integers"):
        one_hot(np.array([0.5]))


@pytest.mark.parametrize(
    ("make", "n", "classes"),
    [
        (lambda rng: nn.data.make_moons(100, rng=rng), 100, 2),
        (lambda rng: nn.data.make_circles(101, rng=rng), 101, 2),
        (lambda rng: nn.data.make_spirals(150, 3, rng=rng), 150, 3),
        (lambda rng: nn.data.make_xor(5, noise=0.1, rng=rng), 20, 2),
    ],
)
def test_toy_classification_sets_are_seeded_and_balanced(make, n, classes):
    X1, y1 = make(0)
    X2, y2 = make(0)
    X3, _ = make(1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.shape == (n, 2) and y1.shape == (n,) and y1.dtype.kind == "i"
    counts = np.bincount(y1)
    assert len(counts) == classes and counts.max() - counts.min() <= 1


def test_xor_and_the_falling_body():
    X, y = nn.data.make_xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    t, h = nn.data.make_regression_1d(500, noise=0.0, rng=0)
    assert t.shape == h.shape == (500, 1)
    np.testing.assert_allclose(h, 0.5 * 9.81 * t**2)
    _, noisy = nn.data.make_regression_1d(500, noise=0.5, rng=0)
    assert 0.4 < np.std(noisy - h) < 0.6
    with pytest.raises(ValueError, match="factor"):
        nn.data.make_circles(factor=1.5)


def test_save_and_load_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    path = tmp_path / "model.npz"
    nn.save(model.state_dict(), path)
    loaded = nn.load(path)
    assert list(loaded) == list(model.state_dict())
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    fresh.load_state_dict(loaded)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[k], v)
        assert fresh.state_dict()[k].dtype == v.dtype
    nn.save({"w": ag.tensor([1.0]), "step": 3}, str(tmp_path / "no_suffix"))
    assert nn.load(str(tmp_path / "no_suffix"))["step"] == 3  # written to exactly the given path


def test_a_flat_state_dict_keeps_its_layout_one_entry_per_name(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    path = tmp_path / "model.npz"
    nn.save(model.state_dict(), path)
    with np.load(path, allow_pickle=False) as npz:  # readable by numpy alone
        assert npz.files == list(model.state_dict())
    loaded = nn.load(path)
    assert type(loaded).__name__ == "OrderedDict" and all(isinstance(v, np.ndarray) for v in loaded.values())
    # Names that np.savez takes as its own arguments are entries like any other.
    nn.save({"file": np.ones(2), "allow_pickle": np.zeros(1)}, path)
    assert {k: v.tolist() for k, v in nn.load(path).items()} == {"file": [1.0, 1.0], "allow_pickle": [0.0]}


def train_steps(model, opt, batches):
    for x, y in batches:
        opt.zero_grad()
        nn.MSELoss()(model(ag.tensor(x)), y).backward()
        opt.step()


def test_training_resumes_from_saved_model_and_optimizer_state_exactly(tmp_path):
    """A few Adam steps, a checkpoint on disk, fresh objects loaded from it: the same numbers as never stopping."""
    rng = np.random.default_rng(5)
    batches = [(rng.normal(size=(8, 3)), rng.normal(size=(8, 2))) for _ in range(6)]
    model = nn.MLP([3, 5, 2], rng=1)
    opt = nn.optim.Adam(model.parameters(), lr=0.05, betas=(0.8, 0.99), amsgrad=True)
    train_steps(model, opt, batches[:3])
    path = tmp_path / "checkpoint.npz"
    nn.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)
    train_steps(model, opt, batches[3:])  # the original carries on

    checkpoint = nn.load(path)
    assert checkpoint["epoch"] == 3
    state = checkpoint["optimizer"]
    assert sorted(state["state"]) == [0, 1, 2, 3] and state["state"][0]["step"] == 3  # integer keys stay integers
    assert state["param_groups"][0]["betas"] == (0.8, 0.99) and state["param_groups"][0]["amsgrad"] is True
    fresh = nn.MLP([3, 5, 2], rng=2)
    fresh.load_state_dict(checkpoint["model"])
    resumed = nn.optim.Adam(fresh.parameters())
    resumed.load_state_dict(state)
    train_steps(fresh, resumed, batches[3:])
    for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values(), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)
    a, b = opt.state_dict(), resumed.state_dict()
    assert a["param_groups"] == b["param_groups"]
    for i, s in a["state"].items():
        assert s.keys() == b["state"][i].keys()
        for k in s:
            np.testing.assert_array_equal(s[k], b["state"][i][k])


def test_nested_values_round_trip_with_their_types(tmp_path):
    value = {
        "ints": {0: [1, 2], 7: ()},
        "strs": {"a": None, "b": True, "c": "text ü", "d": 2.5, "e": float("inf"), "f": 2**70},
        "arrays": [np.arange(6, dtype=np.int32).reshape(2, 3), ag.tensor([1.0, 2.0]), np.zeros(0), np.bool_(True)],
        "nested": ({"x": [np.float32(0.5)]},),
    }
    path = tmp_path / "nested.npz"
    nn.save(value, path)
    back = nn.load(path)
    assert list(back) == ["ints", "strs", "arrays", "nested"]
    assert back["ints"] == {0: [1, 2], 7: ()} and list(back["ints"]) == [0, 7]
    assert back["strs"] == value["strs"]
    a32, t, empty, flag = back["arrays"]
    assert a32.dtype == np.int32 and a32.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert isinstance(t, np.ndarray) and t.tolist() == [1.0, 2.0] and empty.shape == (0,)
    assert type(flag) is np.bool_ and flag
    (inner,) = back["nested"]
    assert type(back["nested"]) is tuple and type(inner["x"][0]) is np.float32 and inner["x"][0] == 0.5
    nn.save({"activation": np.str_("relu")}, path)
    assert nn.load(path) == {"activation": "relu"}
    lbfgs_like = {"state": {0: {"old_dirs": [np.ones(2), np.zeros(2)], "n_iter": 4}}}
    nn.save(lbfgs_like, path)
    dirs = nn.load(path)["state"][0]["old_dirs"]
    assert [d.tolist() for d in dirs] == [[1.0, 1.0], [0.0, 0.0]]


def test_objects_are_never_pickled_or_unpickled(tmp_path):
    with pytest.raises(UnsafeFileError, match=r"state\['meta'\]\['a'\] is of type object, which would need pickling"):
        nn.save({"meta": {"a": object()}}, tmp_path / "x.npz")
    with pytest.raises(UnsafeFileError, match="pickling"):
        nn.save({"names": np.array(["a", None], dtype=object)}, tmp_path / "x.npz")
    with pytest.raises(UnsafeFileError, match=r"state\[1\] holds ndarray data of dtype object"):
        nn.save([1, np.array([None], dtype=object)], tmp_path / "x.npz")
    with pytest.raises(UnsafeFileError, match="the key 1.5 of type float; only string and integer keys"):
        nn.save({1.5: np.zeros(1)}, tmp_path / "x.npz")
    loop: list = []
    loop.append(loop)
    with pytest.raises(UnsafeFileError, match="contains itself"):
        nn.save({"loop": loop}, tmp_path / "x.npz")
    with pytest.raises(UnsafeFileError, match="reserved"):
        nn.save({"__nn_structure__": np.zeros(1)}, tmp_path / "x.npz")
    evil = tmp_path / "evil.npz"
    np.savez(evil, weight=np.zeros(2), payload=np.array([{"any": "object"}], dtype=object))
    with pytest.raises(UnsafeFileError, match="'payload'.*refusing to unpickle"):
        nn.load(evil)
    forged = tmp_path / "forged.npz"
    np.savez(forged, __nn_structure__=np.array('{"format": 1, "value": {"pickle": "0"}}'))
    with pytest.raises(UnsafeFileError, match="not a file nn.save wrote"):
        nn.load(forged)
