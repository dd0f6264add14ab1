"""Every exception the library raises on bad input.

Each subclasses the builtin a user already catches (ValueError, TypeError,
RuntimeError), and each message says what went wrong and how to fix it.
"""

from __future__ import annotations


class AutogradError(Exception):
    """Base class of all library errors (catch this to catch them all).

    >>> try:
    ...     ag.ones(2) @ ag.ones(3)
    ... except ag.errors.AutogradError as err:
    ...     print(type(err).__name__)
    ShapeError
    """


class InvalidArgumentError(AutogradError, ValueError):
    """An argument has a value the function cannot use; the message lists what it accepts.

    >>> nn.MSELoss(reduction="avg")
    Traceback (most recent call last):
        ...
    autograd_core.errors.InvalidArgumentError: reduction must be one of 'mean', 'sum', 'batchmean', ...
    """


class ArgumentTypeError(AutogradError, TypeError):
    """An argument (or a function's result) is of a type the operation cannot use.

    >>> ag.ones(4).reshape(2.0, 2)
    Traceback (most recent call last):
        ...
    autograd_core.errors.ArgumentTypeError: reshape: shape entries must be integers, got 2.0 in (2.0, 2)
    """


class UnsizedError(AutogradError, TypeError):
    """A 0-d tensor has no length and cannot be iterated.

    >>> len(ag.tensor(3.0))
    Traceback (most recent call last):
        ...
    autograd_core.errors.UnsizedError: len() of a 0-d tensor: it has no first axis (use ...
    """


class IndexingError(AutogradError, IndexError):
    """An index is out of range for the tensor, or of a kind that cannot index it.

    >>> ag.tensor([1.0, 2.0])[5]
    Traceback (most recent call last):
        ...
    autograd_core.errors.IndexingError: getitem: index 5 is out of bounds for axis 0 with size ...
    """


class NotFoundError(AutogradError, KeyError):
    """A named or numbered item (a layer, a key) does not exist; the message lists the ones that do.

    >>> trace = viz.trace_backward(nn.MLP([2, 2, 1], rng=0)(ag.ones(1, 2)).sum())
    >>> trace.delta(7)
    Traceback (most recent call last):
        ...
    autograd_core.errors.NotFoundError: no fully connected layer 7; the layers are [1, 2]
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ShapeError(AutogradError, ValueError):
    """Operand shapes do not fit the operation; the message names the op and the shapes.

    >>> ag.ones(2) @ ag.ones(3)
    Traceback (most recent call last):
        ...
    autograd_core.errors.ShapeError: matmul: shapes (2,) and (3,) are not aligned (2 != 3)
    """


class DtypeError(AutogradError, TypeError):
    """A dtype cannot do what was asked, e.g. an integer tensor requiring gradients.

    >>> ag.tensor(np.array([1, 2]), requires_grad=True)
    Traceback (most recent call last):
        ...
    autograd_core.errors.DtypeError: only floating-point tensors (float16, float32, ...
    """


class DeviceError(InvalidArgumentError):
    """A device that is unknown or unavailable, or operands on different devices in one operation.

    >>> ag.ones(2).to("tpu")
    Traceback (most recent call last):
        ...
    autograd_core.errors.DeviceError: unknown device 'tpu': the devices are 'cpu', 'cuda' (e.g. 'cuda:0')
    """


class MissingDependencyError(AutogradError, ImportError):
    """An optional library a function needs is not installed; the message names the ``pip install`` to run.

    >>> try:
    ...     raise ag.errors.MissingDependencyError("erfinv needs scipy: pip install scipy")
    ... except ImportError as err:  # also an ImportError, so code that guards imports catches it
    ...     print(type(err).__name__, "-", err)
    MissingDependencyError - erfinv needs scipy: pip install scipy
    """


class GradientError(AutogradError, RuntimeError):
    """``backward()`` was asked for something it cannot do (no seed, no graph, ...).

    >>> ag.tensor([1.0, 2.0], requires_grad=True).sum().backward()
    >>> (ag.tensor([1.0, 2.0], requires_grad=True) * 2).backward()
    Traceback (most recent call last):
        ...
    autograd_core.errors.GradientError: a backward pass from a non-scalar tensor of shape (2,) ...
    """


class BatchingError(AutogradError, RuntimeError):
    """``vmap`` was asked for something it cannot batch: reading one example's values, mismatched batch sizes.

    >>> ag.vmap(lambda x: x.item())(ag.tensor([1.0, 2.0]))  # a Python value per example cannot be batched
    Traceback (most recent call last):
        ...
    autograd_core.errors.BatchingError: using a batched tensor's data reads the values of one example inside vmap, ... select with ag.where, ...
    """


class GraphFreedError(GradientError):
    """A backward pass reached a graph whose saved values an earlier pass released.

    >>> x = ag.tensor(2.0, requires_grad=True)
    >>> y = x * x
    >>> y.backward()
    >>> y.backward()
    Traceback (most recent call last):
        ...
    autograd_core.errors.GraphFreedError: backward through a graph a second time: an earlier ...
    """


class InplaceModificationError(GradientError):
    """A tensor saved for backward was written in place after it was saved.

    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> x = ag.tensor([3.0, 4.0])
    >>> y = (w * x).sum()
    >>> x.fill_(0.0)  # x was saved for the gradient of w
    tensor([0., 0.])
    >>> y.backward()
    Traceback (most recent call last):
        ...
    autograd_core.errors.InplaceModificationError: a tensor of shape (2,) needed to backpropagate through ...
    """


class AnomalyError(GradientError):
    """``detect_anomaly()`` saw a NaN or inf appear in a forward or backward pass.

    >>> x = ag.tensor(0.0, requires_grad=True)
    >>> with np.errstate(divide="ignore"), ag.detect_anomaly():
    ...     ag.log(x)
    Traceback (most recent call last):
        ...
    autograd_core.errors.AnomalyError: log produced inf in the forward pass, ...
    """


class GradcheckError(AutogradError, RuntimeError):
    """Analytic and finite-difference derivatives disagree.

    >>> @ag.primitive(vjp=(lambda g, y, x: 2 * g,), jvp=(lambda t, y, x: 3 * t,),
    ...               formula="y = 3x", vjp_text="x̄ = 2ȳ (wrong)", jvp_text="ẏ = 3ẋ",
    ...               name="wrong_vjp_example", export=False)
    ... def triple(x, /):
    ...     "y = 3x, with a deliberately wrong VJP."
    ...     return 3 * x
    >>> try:
    ...     ag.gradcheck(triple, [ag.tensor([1.0])])
    ... except ag.errors.GradcheckError:
    ...     print("caught")
    caught
    >>> del ag.REGISTRY["wrong_vjp_example"]
    """


class LabelError(AutogradError, ValueError):
    """A class label lies outside the range of classes the logits provide.

    >>> ag.cross_entropy(ag.zeros(1, 3), np.array([3]))
    Traceback (most recent call last):
        ...
    autograd_core.errors.LabelError: cross_entropy: class label 3 is outside the range [0, ...
    """


def shapes_text(*shapes: tuple[int, ...]) -> str:
    """``(3, 4) and (5, 2)`` — shapes joined for messages.

    >>> ag.errors.shapes_text((3, 4), (5, 2))
    '(3, 4) and (5, 2)'
    """
    parts = [str(tuple(s)) for s in shapes]
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
