"""``export_onnx``: write a model built from nn's layers as an ONNX graph, for ONNX Runtime and other servers.

The model is walked module by module, in the order ``Sequential`` (and
``MLP``, whose layers are a Sequential) runs them; each leaf module becomes
the ONNX operators that compute the same function, and its parameters
become initializers named by their dotted names (``layers.0.weight``).
The example input is pushed through the model alongside, which fixes the
shapes a ``Flatten`` needs and the output's shape, and gives the value the
exported graph is checked against by whoever runs it.

======================  ==================================================
nn module               ONNX (opset ≥ 17)
======================  ==================================================
Linear                  Gemm (transB = 1) on 2-D input, else MatMul + Add
ReLU, Sigmoid, Tanh     Relu, Sigmoid, Tanh
LeakyReLU, PReLU        LeakyRelu (alpha), PRelu (one slope, or one per channel)
ELU                     Elu; in float64 Where(x > 0, x, α·(Exp(Min(x, 0)) − 1))
SiLU                    Mul(x, Sigmoid(x))
Softplus                Where(βx > threshold, x, (Max(βx, 0) + Log(1 + Exp(−|βx|))) / β)
Step                    Cast(Greater(x, 0))
Softmax, LogSoftmax     Softmax, LogSoftmax (axis)
Flatten                 Flatten (start_dim = 1 to the end), else Reshape
Dropout, Identity       Identity (the model is exported in eval mode)
BatchNorm1d             BatchNormalization (eval: the running statistics)
======================  ==================================================

In a float64 graph three translations change so that the graph computes
what the model computes, not a float32 approximation of it: ONNX Runtime
has no float64 kernel for Elu (hence the elementwise form above), and
LeakyRelu's alpha and BatchNormalization's epsilon are float32 attributes,
so LeakyReLU becomes PRelu with a float64 slope and BatchNorm1d
(x − μ) / √(σ² + ε)·γ + β with float64 constants. Softplus always takes
the elementwise form: ONNX's Softplus has no β or threshold.

Any other module (or a subclass that overrides ``forward``) raises
``UnsupportedModuleError`` naming it. ``onnx`` is imported only here, when
exporting (the ``onnx`` extra).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core.errors import ArgumentTypeError, InvalidArgumentError

from .activations import ELU, Identity, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, SiLU, Softmax, Softplus, Step, Tanh
from .errors import MissingDependencyError, UnsupportedModuleError
from .layers import MLP, BatchNorm1d, Dropout, Flatten, Linear, Sequential
from .module import Module, eval_mode

MIN_OPSET = 17
# Containers whose forward applies their children in order.
CONTAINERS = (Sequential, MLP)


def export_onnx(
    model: Module,
    path: str | os.PathLike | None,
    example_input: Any,
    *,
    input_name: str = "input",
    output_name: str = "output",
    opset: int = MIN_OPSET,
    dynamic_batch: bool = True,
) -> Any:
    """Write ``model`` to ``path`` as an ONNX model and return the ``onnx.ModelProto``.

    ``example_input`` (a Tensor or array of shape (N, ...), floating point)
    fixes the graph's dtype, the input's trailing shape and the output's;
    with ``dynamic_batch`` the first axis is the symbolic dimension "batch",
    so any number of rows can be fed. Parameters are stored in the example's
    dtype. The graph computes ``model(x)`` in eval mode (dropout off, batch
    norm on running statistics); the model's own mode is left as it was.
    ``path=None`` only builds the model. Needs the ``onnx`` package
    (``pip install 'autograd-core[onnx]'``); ``opset`` must be at least 17.

    >>> proto = nn.export_onnx(nn.MLP([3, 4, 2], rng=0), "mlp.onnx", np.zeros((1, 3)))
    >>> [node.op_type for node in proto.graph.node]
    ['Gemm', 'Relu', 'Gemm']
    """
    onnx = _import_onnx()
    if not isinstance(model, Module):
        raise ArgumentTypeError(f"export_onnx exports an nn.Module, not {type(model).__name__}")
    x = ag.backend.host_array(example_input)  # the file holds host arrays: a device input is copied on purpose
    if x.dtype.kind != "f":
        raise InvalidArgumentError(
            f"export_onnx: the example input must be floating point (float32 or float64), not {x.dtype}; "
            "convert it with x.astype('float32')"
        )
    if x.ndim < 1:
        raise InvalidArgumentError("export_onnx: the example input needs a batch axis, shape (N, ...)")
    if not isinstance(opset, int) or not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise InvalidArgumentError(
            f"export_onnx: opset must be an integer from {MIN_OPSET} to {onnx.defs.onnx_opset_version()} "
            f"(what this onnx supports), got {opset!r}"
        )
    builder = _GraphBuilder(onnx, x.dtype, model, dynamic_batch)
    with eval_mode(model), ag.no_grad():
        out_name, out = builder.emit(model, input_name, ag.tensor(x))
    if not isinstance(out, ag.Tensor):
        raise UnsupportedModuleError(f"export_onnx: {type(model).__name__} does not return a single Tensor")
    builder.rename_output(out_name, output_name)
    in_shape, out_shape = list(x.shape), list(out.shape)
    if dynamic_batch:
        in_shape[0] = out_shape[0] = "batch"
    elem = onnx.helper.np_dtype_to_tensor_dtype(x.dtype)
    graph = onnx.helper.make_graph(
        builder.nodes,
        type(model).__name__,
        [onnx.helper.make_tensor_value_info(input_name, elem, in_shape)],
        [onnx.helper.make_tensor_value_info(output_name, elem, out_shape)],
        initializer=builder.initializers,
    )
    opsets = [onnx.helper.make_opsetid("", opset)]
    proto = onnx.helper.make_model(graph, opset_imports=opsets, producer_name="autograd-core")
    # The oldest IR version that carries this opset, so older runtimes can load the file too.
    proto.ir_version = onnx.helper.find_min_ir_version_for(opsets)
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        onnx.save(proto, os.fspath(path))
    return proto


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError as err:
        raise MissingDependencyError(
            "export_onnx needs the onnx package: pip install 'autograd-core[onnx]' (onnx and onnxruntime)"
        ) from err
    return onnx


class _GraphBuilder:
    """Collects ONNX nodes and initializers while the example input is pushed through the model."""

    def __init__(self, onnx: Any, dtype: np.dtype, model: Module, dynamic_batch: bool) -> None:
        self.onnx = onnx
        self.dynamic_batch = dynamic_batch
        self.dtype = np.dtype(dtype)
        self.paths = {id(m): name for name, m in model.named_modules()}  # dotted names, as in state_dict keys
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.used: set[str] = set()

    def fresh(self, hint: str) -> str:
        """A value name not used yet, based on ``hint``."""
        name, i = hint, 1
        while name in self.used:
            name, i = f"{hint}_{i}", i + 1
        self.used.add(name)
        return name

    def constant(self, hint: str, value: Any, dtype: Any = None) -> str:
        """Add an initializer holding ``value`` (in the graph's dtype unless ``dtype``); returns its name."""
        name = self.fresh(hint)
        array = ag.backend.host_array(value, dtype=self.dtype if dtype is None else dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], scope: str, **attrs: Any) -> str:
        """Add one operator of the module at dotted path ``scope``; returns the name of its (single) output."""
        out = self.fresh(f"{scope}/{op}" if scope else op)
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def rename_output(self, old: str, new: str) -> None:
        """Make the graph's last value carry the output's name (an Identity when it is the input itself)."""
        for node in self.nodes:
            if old in node.output:
                node.output[list(node.output).index(old)] = new
                return
        self.nodes.append(self.onnx.helper.make_node("Identity", [old], [new], name=new))

    # ---------------------------------------------------------------- modules
    def emit(self, module: Module, x_name: str, x: ag.Tensor) -> tuple[str, ag.Tensor]:
        """Emit ``module`` applied to the value ``x_name`` (whose example value is ``x``); returns (name, value)."""
        if module._forward_hooks:
            raise UnsupportedModuleError(
                f"export_onnx: {module.scope_name} has forward hooks, which an ONNX graph cannot run; remove them first"
            )
        kind = type(module)
        if isinstance(module, CONTAINERS) and kind.forward in (Sequential.forward, MLP.forward):
            for child in module.children():
                x_name, x = self.emit(child, x_name, x)
            return x_name, x
        handler = _handler(kind)
        if handler is None:
            supported = ", ".join(sorted(c.__name__ for c in _HANDLERS))
            raise UnsupportedModuleError(
                f"export_onnx cannot export {kind.__name__} ({module.scope_name}): it has no ONNX translation. "
                f"Supported: Sequential, MLP, {supported} (and subclasses that keep their forward)"
            )
        y = module(x)
        return handler(self, module, x_name, x, self.paths.get(id(module), "")), y

    def linear(self, m: Linear, x: str, value: ag.Tensor, scope: str) -> str:
        w = m.weight.data
        b = None if m.bias is None else self.constant(_join(scope, "bias"), m.bias.data)
        if value.ndim == 2:
            inputs = [x, self.constant(_join(scope, "weight"), w)] + ([b] if b else [])
            return self.node("Gemm", inputs, scope, transB=1)
        y = self.node("MatMul", [x, self.constant(_join(scope, "weight_transposed"), w.T)], scope)
        return y if b is None else self.node("Add", [y, b], scope)

    def elu(self, m: ELU, x: str, value: ag.Tensor, scope: str) -> str:
        if self.dtype != np.float64:
            return self.node("Elu", [x], scope, alpha=float(m.alpha))
        zero = self.constant(f"{scope}/zero", 0.0)
        negative = self.node("Exp", [self.node("Min", [x, zero], scope)], scope)
        negative = self.node("Sub", [negative, self.constant(f"{scope}/one", 1.0)], scope)
        negative = self.node("Mul", [negative, self.constant(f"{scope}/alpha", m.alpha)], scope)
        return self.node("Where", [self.node("Greater", [x, zero], scope), x, negative], scope)

    def softplus(self, m: Softplus, x: str, value: ag.Tensor, scope: str) -> str:
        beta = float(m.beta)
        bx = x if beta == 1.0 else self.node("Mul", [x, self.constant(f"{scope}/beta", beta)], scope)
        zero = self.constant(f"{scope}/zero", 0.0)
        tail = self.node("Exp", [self.node("Neg", [self.node("Abs", [bx], scope)], scope)], scope)
        tail = self.node("Log", [self.node("Add", [tail, self.constant(f"{scope}/one", 1.0)], scope)], scope)
        smooth = self.node("Add", [self.node("Max", [bx, zero], scope), tail], scope)
        if beta != 1.0:
            smooth = self.node("Div", [smooth, self.constant(f"{scope}/beta", beta)], scope)
        linear = self.node("Greater", [bx, self.constant(f"{scope}/threshold", m.threshold)], scope)
        return self.node("Where", [linear, x, smooth], scope)

    def leaky_relu(self, m: LeakyReLU, x: str, value: ag.Tensor, scope: str) -> str:
        if self.dtype != np.float64:
            return self.node("LeakyRelu", [x], scope, alpha=float(m.negative_slope))
        # The alpha attribute is a float32: in float64 the slope goes in as a tensor of the graph's dtype.
        return self.node("PRelu", [x, self.constant(_join(scope, "negative_slope"), [m.negative_slope])], scope)

    def prelu(self, m: PReLU, x: str, value: ag.Tensor, scope: str) -> str:
        slope = m.weight.data
        if slope.shape[0] > 1:  # one slope per channel (axis 1), broadcast over the axes after it
            slope = slope.reshape((-1,) + (1,) * (value.ndim - 2))
        return self.node("PRelu", [x, self.constant(_join(scope, "weight"), slope)], scope)

    def flatten(self, m: Flatten, x: str, value: ag.Tensor, scope: str) -> str:
        rank = value.ndim
        start = m.start_dim % rank if rank else 0
        end = m.end_dim % rank if rank else 0
        if start == 1 and end == rank - 1:
            return self.node("Flatten", [x], scope, axis=1)
        merged = int(np.prod(value.shape[start : end + 1]))
        shape = [*value.shape[:start], merged, *value.shape[end + 1 :]]
        if start == 0:
            if self.dynamic_batch:
                raise InvalidArgumentError(
                    f"export_onnx: {type(m).__name__}({m.start_dim}, {m.end_dim}) at {scope!r} merges the batch axis "
                    "into others, so the output has no batch axis of its own; export with dynamic_batch=False"
                )
            shape[0] = -1  # the merged axis holds the batch: inferred from the other, static, sizes
        else:
            shape[0] = 0  # copy the batch size from the input
        return self.node("Reshape", [x, self.constant(f"{scope}/shape", shape, np.int64)], scope)

    def batch_norm(self, m: BatchNorm1d, x: str, value: ag.Tensor, scope: str) -> str:
        if not m.track_running_stats:
            raise UnsupportedModuleError(
                f"export_onnx cannot export {scope}: BatchNorm1d(track_running_stats=False) normalises by each "
                "batch's own statistics even in eval mode, which ONNX's BatchNormalization does not do"
            )
        c = m.num_features
        scale = m.weight.data if m.affine else np.ones(c)
        bias = m.bias.data if m.affine else np.zeros(c)
        if self.dtype != np.float64:
            inputs = [x] + [
                self.constant(_join(scope, name), array)
                for name, array in (
                    ("weight", scale),
                    ("bias", bias),
                    ("running_mean", m.running_mean),
                    ("running_var", m.running_var),
                )
            ]
            return self.node("BatchNormalization", inputs, scope, epsilon=float(m.eps))
        # The epsilon attribute is a float32: in float64, (x − μ) / √(σ² + ε)·γ + β with constants of the graph's dtype.
        per_feature = (c,) + (1,) * (value.ndim - 2)
        std = np.sqrt(m.running_var + m.eps).reshape(per_feature)
        y = self.node(
            "Sub", [x, self.constant(_join(scope, "running_mean"), m.running_mean.reshape(per_feature))], scope
        )
        y = self.node("Div", [y, self.constant(_join(scope, "running_std"), std)], scope)
        if m.affine:
            y = self.node("Mul", [y, self.constant(_join(scope, "weight"), scale.reshape(per_feature))], scope)
            y = self.node("Add", [y, self.constant(_join(scope, "bias"), bias.reshape(per_feature))], scope)
        return y

    def step(self, m: Step, x: str, value: ag.Tensor, scope: str) -> str:
        positive = self.node("Greater", [x, self.constant(f"{scope}/zero", 0.0)], scope)
        return self.node("Cast", [positive], scope, to=self.onnx.helper.np_dtype_to_tensor_dtype(self.dtype))

    def silu(self, m: SiLU, x: str, value: ag.Tensor, scope: str) -> str:
        return self.node("Mul", [x, self.node("Sigmoid", [x], scope)], scope)


def _unary(op: str, **attrs_of: Any) -> Any:
    """A handler emitting one ONNX operator with attributes read from the module (``attr=module_attribute``)."""

    def handler(builder: _GraphBuilder, m: Module, x: str, value: ag.Tensor, scope: str) -> str:
        attrs = {k: _attribute(getattr(m, v)) for k, v in attrs_of.items()}
        return builder.node(op, [x], scope, **attrs)

    return handler


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _attribute(value: Any) -> Any:
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _handler(kind: type) -> Any:
    """The translation of a module class: its own, or its nearest base's when it keeps that base's forward."""
    for base in kind.__mro__:
        if base in _HANDLERS:
            return _HANDLERS[base] if kind.forward is base.forward else None
    return None


# module class → handler(builder, module, input name, input example, dotted path) → output name
_HANDLERS: dict[type, Any] = {
    Linear: _GraphBuilder.linear,
    ReLU: _unary("Relu"),
    Sigmoid: _unary("Sigmoid"),
    Tanh: _unary("Tanh"),
    LeakyReLU: _GraphBuilder.leaky_relu,
    PReLU: _GraphBuilder.prelu,
    ELU: _GraphBuilder.elu,
    SiLU: _GraphBuilder.silu,
    Softplus: _GraphBuilder.softplus,
    Step: _GraphBuilder.step,
    Softmax: _unary("Softmax", axis="axis"),
    LogSoftmax: _unary("LogSoftmax", axis="axis"),
    Flatten: _GraphBuilder.flatten,
    Dropout: _unary("Identity"),
    Identity: _unary("Identity"),
    BatchNorm1d: _GraphBuilder.batch_norm,
}
