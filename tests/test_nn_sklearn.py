"""nn.sklearn: scikit-learn's estimator checks, its pipelines and searches, and its MLP's semantics as the oracle."""

import pickle
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn

pytest.importorskip("sklearn")
from sklearn import neural_network  # noqa: E402
from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from autograd_core.errors import InvalidArgumentError  # noqa: E402
from nn.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

# Checks that can only skip: scikit-learn's MLPClassifier has no decision_function either, pandas is an optional
# dependency of scikit-learn, and the array API check needs SCIPY_ARRAY_API=1 before scipy is first imported.
ENVIRONMENT_SKIPS = ("decision_function", "pandas is not installed", "SCIPY_ARRAY_API")


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_scikit_learn_estimator_checks(estimator, check):
    """scikit-learn's own ``check_estimator`` suite, check by check, with the estimators' default parameters."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            check(estimator)
    except pytest.skip.Exception as skip:
        assert any(reason in str(skip) for reason in ENVIRONMENT_SKIPS), str(skip)
        raise


# ------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=120, n_features=5, n_informative=3, noise=5.0, random_state=0)
    return StandardScaler().fit_transform(X), y / y.std()


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


# -------------------------------------------------------- scikit-learn as oracle


def _same_start(ours, theirs, X, y):
    """Fit both for one epoch, then give scikit-learn's estimator our weights; both continue by warm start."""
    _quiet(ours.fit, X, y)
    _quiet(theirs.fit, X, y)
    theirs.coefs_ = [c.copy() for c in ours.coefs_]
    theirs.intercepts_ = [b.copy() for b in ours.intercepts_]
    ours.set_params(warm_start=True, max_iter=6)
    theirs.set_params(warm_start=True, max_iter=6)
    _quiet(ours.fit, X, y)
    _quiet(theirs.fit, X, y)


SGD = dict(
    solver="sgd",
    hidden_layer_sizes=(7, 5),
    activation="tanh",
    alpha=0.01,
    batch_size=40,
    shuffle=False,
    learning_rate_init=0.05,
    momentum=0.9,
    nesterovs_momentum=True,
    tol=0.0,
    n_iter_no_change=1000,
    max_iter=1,
    random_state=0,
)


@pytest.mark.parametrize("problem", ["multiclass", "binary", "multilabel", "regression"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
def test_sgd_training_matches_scikit_learn(problem, activation, iris, regression):
    """Same start, same mini-batches: the loss curve and the weights after 6 epochs of Nesterov SGD agree."""
    params = {**SGD, "activation": activation}
    if problem == "regression":
        X, y = regression
        ours, theirs = MLPRegressor(**params), neural_network.MLPRegressor(**params)
    else:
        X, y = iris
        if problem == "binary":
            y = (y == 2).astype(int)
        elif problem == "multilabel":
            y = np.column_stack([y == 0, y != 1, X[:, 1] > 0]).astype(int)
        ours, theirs = MLPClassifier(**params), neural_network.MLPClassifier(**params)
    _same_start(ours, theirs, X, y)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-10)  # [0]: different starts
    for mine, reference in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(mine, reference, rtol=1e-9, atol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_ == 6 and ours.t_ == theirs.t_


def test_adam_training_matches_scikit_learn_closely(iris):
    """Adam differs only in where ε enters (√v̂ + ε against √v + ε), far below these tolerances."""
    X, y = iris
    params = {**SGD, "solver": "adam", "learning_rate_init": 0.01}
    ours, theirs = MLPClassifier(**params), neural_network.MLPClassifier(**params)
    _same_start(ours, theirs, X, y)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-6)
    for mine, reference in zip(ours.coefs_, theirs.coefs_):
        np.testing.assert_allclose(mine, reference, rtol=1e-3, atol=1e-5)


def test_multi_output_regression_reports_scikit_learns_loss(regression):
    """Several targets: the recorded loss is scikit-learn's ½·mean over examples and targets, plus the penalty."""
    X, y = regression
    Y = np.column_stack([y, -2 * y + 1, np.sin(y)])
    params = {**SGD, "batch_size": len(X)}
    ours, theirs = MLPRegressor(**params), neural_network.MLPRegressor(**params)
    _same_start(ours, theirs, X, Y)
    assert ours.loss_curve_[1] == pytest.approx(theirs.loss_curve_[1], rel=1e-12)  # the same weights at that point


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam", tol=1e3),  # every epoch after the first fails to improve
        dict(solver="adam", tol=1e3, early_stopping=True, validation_fraction=0.2),
        dict(solver="sgd", tol=1e3, learning_rate="adaptive"),  # divide the rate by 5 until it is below 1e-6
        dict(solver="sgd", tol=1e-4, n_iter_no_change=3, learning_rate_init=1e-7),
    ],
)
def test_stopping_rule_matches_scikit_learn(params, iris):
    X, y = iris
    ours = _quiet(MLPClassifier(random_state=0, **params).fit, X, y)
    theirs = _quiet(neural_network.MLPClassifier(random_state=0, **params).fit, X, y)
    assert ours.n_iter_ == theirs.n_iter_ < 200
    assert len(ours.loss_curve_) == ours.n_iter_
    if params.get("early_stopping"):
        assert ours.best_loss_ is None and len(ours.validation_scores_) == ours.n_iter_
        assert ours.best_validation_score_ == max(ours.validation_scores_)
    else:
        assert ours.best_loss_ == min(ours.loss_curve_) and ours.validation_scores_ is None


def test_invscaling_sets_the_rate_from_the_examples_seen(iris):
    X, y = iris
    clf = _quiet(
        MLPClassifier(solver="sgd", learning_rate="invscaling", power_t=0.25, max_iter=7, random_state=0).fit, X, y
    )
    assert clf.t_ == 7 * len(X)
    assert clf._optimizer.param_groups[0]["lr"] == pytest.approx(0.001 / (clf.t_ + 1) ** 0.25)


def test_lbfgs_solves_iris_like_scikit_learn(iris):
    X, y = iris
    params = dict(solver="lbfgs", hidden_layer_sizes=(10,), alpha=1e-3, max_iter=500, random_state=0)
    ours = MLPClassifier(**params).fit(X, y)
    theirs = _quiet(neural_network.MLPClassifier(**params).fit, X, y)
    assert ours.score(X, y) >= theirs.score(X, y) - 0.02 and ours.score(X, y) >= 0.97
    assert ours.loss_ < 0.1 and 0 < ours.n_iter_ <= 500
    assert not hasattr(ours, "loss_curve_") and not hasattr(ours, "partial_fit")
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        MLPClassifier(solver="lbfgs", max_iter=2, random_state=0).fit(X, y)


# --------------------------------------------------------------- the estimators


def test_predict_proba_is_the_softmax_of_the_model(iris):
    X, y = iris
    clf = _quiet(MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit, X, y)
    assert isinstance(clf.model_, nn.MLP) and clf.model_.sizes == [4, 8, 3]
    with ag.no_grad():
        logits = clf.model_(ag.tensor(X)).data
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), softmax, rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[logits.argmax(1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(softmax), rtol=1e-10)


def test_the_trained_model_can_be_drawn(iris):
    import viz

    X, y = iris
    clf = _quiet(MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit, X, y)
    source = viz.draw_graph(clf.model_(ag.tensor(X[:2]))).source
    assert "layers.0 (Linear)" in source and "layers.2 (Linear)" in source


def test_two_classes_use_one_logistic_output(iris):
    X, y = iris
    labels = np.where(y == 0, "setosa", "other")
    clf = _quiet(MLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0).fit, X, labels)
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic" and list(clf.classes_) == ["other", "setosa"]
    with ag.no_grad():
        z = clf.model_(ag.tensor(X)).data.ravel()
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(clf.predict_proba(X), np.column_stack([1 - p, p]), rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), np.where(z > 0, "setosa", "other"))


def test_coefs_are_scikit_learns_layout_of_the_live_weights(iris):
    X, y = iris
    clf = _quiet(MLPClassifier(hidden_layer_sizes=(6, 5), max_iter=5, random_state=0).fit, X, y)
    assert [c.shape for c in clf.coefs_] == [(4, 6), (6, 5), (5, 3)]
    assert [b.shape for b in clf.intercepts_] == [(6,), (5,), (3,)]
    assert clf.n_layers_ == 4 and clf.n_features_in_ == 4
    before = clf.predict_proba(X)
    clf.coefs_[-1][...] = 0.0  # as with scikit-learn, editing coefs_ edits the model
    clf.intercepts_[-1][...] = [0.0, 0.0, 5.0]
    assert not np.allclose(before, clf.predict_proba(X))
    assert (clf.predict(X) == 2).all()


def test_initialisation_is_glorot_uniform_with_scikit_learns_bounds(iris):
    X, y = iris
    for activation, factor in (("relu", 6.0), ("logistic", 2.0)):
        clf = MLPClassifier(hidden_layer_sizes=(300,), activation=activation, max_iter=1, learning_rate_init=1e-12)
        _quiet(clf.fit, X, y)
        bound = np.sqrt(factor / (4 + 300))
        w = clf.coefs_[0]
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
        assert np.abs(clf.intercepts_[0]).max() <= bound


def test_random_state_makes_fits_repeatable(iris):
    X, y = iris
    a = _quiet(MLPClassifier(max_iter=5, random_state=3).fit, X, y)
    b = _quiet(MLPClassifier(max_iter=5, random_state=3).fit, X, y)
    c = _quiet(MLPClassifier(max_iter=5, random_state=4).fit, X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.allclose(a.coefs_[0], c.coefs_[0])


def test_float32_data_trains_a_float32_network(iris):
    X, y = iris
    clf = _quiet(MLPClassifier(max_iter=5, random_state=0).fit, X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in clf.coefs_) and clf.predict_proba(X).dtype == np.float32


def test_warm_start_continues_and_refit_restarts(iris):
    X, y = iris
    clf = _quiet(MLPClassifier(max_iter=20, random_state=0).fit, X, y)
    first = list(clf.loss_curve_)
    clf.set_params(warm_start=True)
    _quiet(clf.fit, X, y)
    assert clf.n_iter_ == 20 and len(clf.loss_curve_) == 40
    assert clf.loss_curve_[20] < first[-1] + 0.01 < first[0]  # picks up where it stopped
    clf.set_params(warm_start=False)
    _quiet(clf.fit, X, y)
    assert clf.loss_curve_ == first
    clf.set_params(warm_start=True)
    with pytest.raises(InvalidArgumentError, match="warm_start"):
        clf.fit(X[y < 2], y[y < 2])


def test_early_stopping_restores_the_best_weights(monkeypatch, regression):
    """With a known split, the final model scores the best validation score, not the last one."""
    import nn.sklearn as module

    X, y = regression
    X, y = X[:40], y[:40] + np.random.default_rng(0).normal(scale=1.0, size=40)  # noisy and small: it overfits
    monkeypatch.setattr(module, "train_test_split", lambda X, Y, **kw: (X[:28], X[28:], Y[:28], Y[28:]))
    reg = MLPRegressor(
        hidden_layer_sizes=(64,), learning_rate_init=0.02, early_stopping=True, n_iter_no_change=8, random_state=0
    ).fit(X, y)
    assert reg.validation_scores_[-1] < reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.score(X[28:], y[28:]) == pytest.approx(reg.best_validation_score_, rel=1e-12)


def test_partial_fit(iris):
    X, y = iris
    clf = MLPClassifier(random_state=0)
    with pytest.raises(InvalidArgumentError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])  # a class may be missing from a batch
    losses = [clf.loss_]
    for _ in range(30):
        clf.partial_fit(X, y)
        losses.append(clf.loss_)
    assert clf.n_iter_ == 1 and clf.t_ == 100 + 30 * 150 and losses[-1] < losses[1]
    assert list(clf.classes_) == [0, 1, 2] and clf.predict_proba(X).shape == (150, 3)
    with pytest.raises(InvalidArgumentError, match="not among classes_"):
        clf.partial_fit(X, y + 1)
    with pytest.raises(InvalidArgumentError, match="early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y.astype(float))


def test_pickle_keeps_predictions_and_the_optimizer_state(iris):
    X, y = iris
    clf = _quiet(MLPClassifier(max_iter=10, random_state=0).fit, X, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    assert np.shares_memory(copy.coefs_[0], copy.model_.layers[0].weight.data)
    clf.partial_fit(X, y)
    copy.partial_fit(X, y)  # Adam's moments travelled with it: the same next step
    np.testing.assert_allclose(copy.coefs_[0], clf.coefs_[0], rtol=1e-12)


def test_regressor_shapes_and_quality(regression):
    X, y = regression
    reg = _quiet(MLPRegressor(solver="lbfgs", hidden_layer_sizes=(20,), random_state=0).fit, X, y)
    assert reg.predict(X).shape == (120,) and reg.score(X, y) > 0.95 and reg.out_activation_ == "identity"
    Y = np.column_stack([y, -y])
    multi = _quiet(MLPRegressor(solver="lbfgs", hidden_layer_sizes=(20,), random_state=0).fit, X, Y)
    assert multi.predict(X).shape == (120, 2) and multi.n_outputs_ == 2 and multi.score(X, Y) > 0.95


def test_verbose_prints_each_epoch(iris, capsys):
    X, y = iris
    clf = _quiet(MLPClassifier(max_iter=2, verbose=True, random_state=0).fit, X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Iteration {i + 1}, loss = {loss:.8f}" for i, loss in enumerate(clf.loss_curve_)]


def test_pipeline_and_grid_search(iris):
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(solver="lbfgs", random_state=0))
    search = GridSearchCV(
        pipe, {"mlpclassifier__hidden_layer_sizes": [(4,), (16,)], "mlpclassifier__alpha": [1e-4, 1.0]}, cv=3
    )
    search.fit(X, y)
    assert search.best_score_ > 0.9 and search.score(X, y) > 0.95
    assert isinstance(search.best_estimator_[-1].model_, nn.MLP)


def test_the_trained_model_exports_to_onnx(iris):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    X, y = iris
    clf = _quiet(MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit, X, y)
    model = nn.Sequential(clf.model_, nn.Softmax())
    proto = nn.export_onnx(model, None, X)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": X})[0], clf.predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (dict(activation="softmax"), "activation"),
        (dict(solver="newton"), "solver"),
        (dict(alpha=-1.0), "alpha"),
        (dict(batch_size=0), "batch_size"),
        (dict(hidden_layer_sizes=(10, 0)), "hidden_layer_sizes"),
        (dict(learning_rate_init=0.0), "learning_rate_init"),
        (dict(momentum=1.5), "momentum"),
        (dict(validation_fraction=1.0), "validation_fraction"),
        (dict(beta_1=1.0), "beta_1"),
        (dict(max_iter=0), "max_iter"),
        (dict(n_iter_no_change=0), "n_iter_no_change"),
    ],
)
def test_bad_parameters_are_refused_at_fit(params, match, iris):
    X, y = iris
    clf = MLPClassifier(**params)  # constructing never validates (scikit-learn's convention)
    with pytest.raises(InvalidArgumentError, match=match):
        clf.fit(X, y)


def test_unfitted_estimators_say_so(iris):
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(iris[0])
