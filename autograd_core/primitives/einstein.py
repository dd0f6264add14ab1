"""Einstein summation: one primitive for every contraction numpy's ``einsum`` writes.

Subscripts are normalised once, before the primitive runs (``parse``): the
ellipsis is spelled out as letters, an implicit output is made explicit
(numpy's rule: the ellipsis axes, then the letters used once, sorted), and
an axis of length 1 broadcast against a longer one gets a letter of its own
(summing over a length-1 axis changes nothing). The rules are einsums again:

* the cotangent of operand k contracts ȳ with the other operands into k's
  subscripts. A letter k repeats (a diagonal, ``"ii"``) is written once per
  repeat with a fresh letter tied to it by an identity matrix; a letter found
  only in k (summed there, ``"ij->i"``) is spread back by a vector of ones;
* the tangent from operand k is the same einsum with k's tangent in its place.

Leading batch axes of cotangents and tangents get letters of their own in
front, so ``jacrev``/``jacfwd`` push many vectors through one einsum.
"""

from __future__ import annotations

import math
import string
from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..backend import eye, ones
from ..errors import ArgumentTypeError, InvalidArgumentError, ShapeError
from ..registry import ArgnumRules, primitive
from ..tensor import Tensor

#: numpy's einsum labels; in the sublist form, integer ``i`` stands for ``LETTERS[i]``.
LETTERS = string.ascii_uppercase + string.ascii_lowercase


class EinsumSpec(NamedTuple):
    """Explicit subscripts: one string of letters per operand and one for the output, no ellipsis."""

    inputs: tuple[str, ...]
    output: str

    def __str__(self) -> str:
        return ",".join(self.inputs) + "->" + self.output


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


def _split_ellipsis(term: str, where: str) -> tuple[str, bool, str]:
    head, dots, tail = term.partition("...")
    if "." in head or "." in tail:
        raise InvalidArgumentError(f"einsum: {where} subscripts {term!r} may hold one '...' and letters only")
    return head, bool(dots), tail


class _Fresh:
    """Letters not used yet, handed out one at a time."""

    def __init__(self, used: set[str]) -> None:
        self.free = [c for c in LETTERS if c not in used]

    def take(self) -> str:
        if not self.free:
            raise InvalidArgumentError(
                "einsum: the subscripts use too many distinct indices (numpy's einsum has 52 letters); "
                "split the contraction into two einsums"
            )
        return self.free.pop(0)


def parse(subscripts: str, shapes: Sequence[tuple[int, ...]]) -> EinsumSpec:
    """Explicit subscripts for operands of ``shapes``, checked against them (numpy's rules)."""
    if not isinstance(subscripts, str):
        raise ArgumentTypeError(f"einsum: subscripts must be a string like 'ij,jk->ik', not {subscripts!r}")
    text = subscripts.replace(" ", "")
    bad = sorted({c for c in text if c not in LETTERS and c not in ".,->"})
    if bad or text.count("->") > 1 or text.replace("->", "").count("-") or text.replace("->", "").count(">"):
        raise InvalidArgumentError(
            f"einsum: invalid subscripts {subscripts!r}; use letters, ',' between operands, '...' and one '->'"
        )
    lhs, arrow, out = text.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ShapeError(f"einsum: subscripts {subscripts!r} name {len(terms)} operand(s), but {len(shapes)} given")
    fresh = _Fresh({c for c in text if c in LETTERS})
    pieces = []
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        head, dots, tail = _split_ellipsis(term, f"operand {k}'s")
        extra = len(shape) - len(head) - len(tail)
        if extra < 0 or (extra and not dots):
            raise ShapeError(
                f"einsum: operand {k} has {len(shape)} dimension(s) (shape {tuple(shape)}) "
                f"but its subscripts {term!r} name {len(head) + len(tail)}"
                + ("" if dots else "; add '...' to cover the others")
            )
        pieces.append((head, extra, tail))
    width = max((extra for _, extra, _ in pieces), default=0)
    ellipsis = "".join(fresh.take() for _ in range(width))
    inputs = [head + ellipsis[width - extra :] + tail for head, extra, tail in pieces]
    if arrow:
        head, dots, tail = _split_ellipsis(out, "output")
        if width and not dots:
            raise ShapeError(f"einsum: the operands have '...' axes but the output {out!r} has no '...' to put them in")
        output = head + (ellipsis if dots else "") + tail
        letters = set("".join(terms))
        missing = [c for c in head + tail if c not in letters]
        repeated = [c for c, n in Counter(head + tail).items() if n > 1]
        if missing or repeated:
            raise InvalidArgumentError(
                f"einsum: output subscripts {out!r} "
                + (f"name {missing[0]!r}, which no operand has" if missing else f"repeat {repeated[0]!r}")
            )
    else:
        counts = Counter(c for c in lhs if c in LETTERS)
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))
    return _private_broadcast_letters(EinsumSpec(tuple(inputs), output), shapes, fresh)


def _private_broadcast_letters(spec: EinsumSpec, shapes: Sequence[tuple[int, ...]], fresh: _Fresh) -> EinsumSpec:
    """Check the sizes of each letter; a length-1 axis broadcast against a longer one gets a letter of its own."""
    sizes: dict[str, int] = {}
    for k, (term, shape) in enumerate(zip(spec.inputs, shapes)):
        own: dict[str, int] = {}
        for c, n in zip(term, shape):
            if own.setdefault(c, n) != n:
                raise ShapeError(f"einsum: operand {k} repeats index {c!r} over axes of lengths {own[c]} and {n}")
            if n != 1:
                if sizes.get(c, 1) not in (1, n):
                    raise ShapeError(
                        f"einsum: index {c!r} has length {sizes[c]} in one operand and {n} in operand {k} "
                        f"(shapes {', '.join(str(tuple(s)) for s in shapes)})"
                    )
                sizes[c] = n
            else:
                sizes.setdefault(c, 1)
    inputs = []
    for term, shape in zip(spec.inputs, shapes):
        renamed: dict[str, str] = {}
        for c, n in zip(term, shape):
            if n == 1 and sizes[c] > 1 and c not in renamed:
                renamed[c] = fresh.take()
        inputs.append("".join(renamed.get(c, c) for c in term))
    return EinsumSpec(tuple(inputs), spec.output)


def _sizes(spec: EinsumSpec, shapes: Sequence[tuple[int, ...]]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for term, shape in zip(spec.inputs, shapes):
        sizes.update(zip(term, shape))
    return sizes


def _unused(spec: EinsumSpec, count: int, also: str = "") -> str:
    used = set("".join(spec.inputs) + spec.output + also)
    free = [c for c in LETTERS if c not in used]
    if len(free) < count:
        raise InvalidArgumentError(
            "einsum: no letters left for the derivative of these subscripts (52 in all); "
            "split the contraction into two einsums"
        )
    return "".join(free[:count])


def _contract(spec: EinsumSpec, *xs: Any) -> np.ndarray:
    """numpy's einsum on explicit subscripts; BLAS-backed pairwise contractions when it pays."""
    sizes = _sizes(spec, [np.shape(x) for x in xs])
    work = math.prod(sizes.values())
    return np.einsum(str(spec), *xs, optimize=len(xs) > 2 or work > 1 << 15)


def _cotangent(k: int, g: Any, y: Any, xs: Sequence[Any], spec: EinsumSpec) -> Any:
    """x̄ₖ = einsum of ȳ with the other operands into xₖ's subscripts (identities for repeats, ones for lone letters)."""
    batch = _unused(spec, g.ndim - y.ndim)
    target = spec.inputs[k]
    terms = [batch + spec.output] + [s for j, s in enumerate(spec.inputs) if j != k]
    operands = [g] + [x for j, x in enumerate(xs) if j != k]
    sizes = dict(zip(target, xs[k].shape))
    dtype = g.dtype
    out, seen, extra = [], set(), ""
    for c in target:
        if c in seen:  # a diagonal: a fresh letter, tied to c by the identity
            twin = _unused(spec, 1, batch + extra)
            extra += twin
            terms.append(c + twin)
            operands.append(eye(sizes[c], dtype, g))
            out.append(twin)
        else:
            seen.add(c)
            out.append(c)
    present = set("".join(terms))
    for c in seen - present:  # summed within operand k only: ȳ is constant along it
        terms.append(c)
        operands.append(ones((sizes[c],), dtype, g))
    rule = EinsumSpec(tuple(terms), batch + "".join(out))
    return einsum_primitive.primitive.bind(*operands, spec=rule)


def _tangent(k: int, t: Any, y: Any, xs: Sequence[Any], spec: EinsumSpec) -> Any:
    """ẏ from ẋₖ: the same einsum with ẋₖ (and its batch letters) in place of xₖ."""
    batch = _unused(spec, t.ndim - xs[k].ndim)
    terms = list(spec.inputs)
    terms[k] = batch + terms[k]
    operands = list(xs)
    operands[k] = t
    return einsum_primitive.primitive.bind(*operands, spec=EinsumSpec(tuple(terms), batch + spec.output))


def _batched(batched: Sequence[bool], *xs: Any, spec: EinsumSpec) -> Any:
    """vmap's rule: the batch axis gets a fresh letter, in front of each batched operand's subscripts and the output's."""
    letter = _unused(spec, 1)
    terms = tuple(letter + term if b else term for term, b in zip(spec.inputs, batched))
    return einsum_primitive.primitive.bind(*xs, spec=EinsumSpec(terms, letter + spec.output))


def _einsum_flops(y: Any, *xs: Any, spec: EinsumSpec) -> int:
    return max(1, len(xs) - 1) * math.prod(_sizes(spec, [np.shape(x) for x in xs]).values())


@primitive(
    vjp=ArgnumRules(_cotangent),
    jvp=ArgnumRules(_tangent),
    formula="y[out] = Σ over the other indices of Πₖ xₖ[subscriptsₖ]",
    vjp_text="x̄ₖ = einsum(ȳ, the other operands → subscriptsₖ)",
    jvp_text="ẏ = Σₖ einsum(…, ẋₖ in place of xₖ, …)",
    flops=_einsum_flops,
    promotes=True,
    variadic=True,
    batch=_batched,
    name="einsum",
    export=False,
)
def einsum_primitive(operands: Sequence[Any], /, spec: EinsumSpec) -> np.ndarray:
    """y = einsum(spec, *operands) for explicit subscripts (``EinsumSpec``)."""
    return _contract(spec, *operands)


def sublist_subscripts(args: Sequence[Any]) -> tuple[str, list[Any]]:
    """numpy's interleaved form ``einsum(x, [0, 1], y, [1, 2], [0, 2])`` as a subscripts string and operands."""

    def letters(sub: Any) -> str:
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, (int, np.integer)) and 0 <= s < len(LETTERS):
                out.append(LETTERS[s])
            else:
                raise InvalidArgumentError(f"einsum: sublist labels are integers 0..51 or Ellipsis, not {s!r}")
        return "".join(out)

    operands = list(args[0::2][: len(args) // 2])
    terms = [letters(s) for s in args[1::2]]
    text = ",".join(terms)
    if len(args) % 2:
        text += "->" + letters(args[-1])
    return text, operands
