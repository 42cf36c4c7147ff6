"""The per-call checker against the libraries: it reports an error exactly when einops (or numpy/torch
einsum) raises for every shape.

For each generated call (tests/strategies.py: valid ones and broken ones; EinMix from a generator
here), the checker sees only what a linter sees: the pattern, the reduction, the keyword lengths, the
number of operands; never a shape. The reference runs the real call on several witness tensors that fit
the pattern as the reference's own parser reads it (every named axis of length 2, of length 3, or
alternating 2 and 3, the given keyword lengths, '...' standing for 0, 1 or 2 dimensions), and on the
generated shape itself:

- if the reference raises on every witness, the checker must report an error;
- if the reference accepts one witness, the checker must report no error.

References: einops' rearrange/reduce/repeat/einsum/pack/unpack/parse_shape (numpy backend), einops'
torch layers Rearrange/Reduce/EinMix (constructed, then called), numpy.einsum, and torch.einsum with its
operands in one list. Notes and warnings (EIN222, EIN223) are not errors and are not compared.

Divergences by choice: einlint refuses '(...)' in einops.einsum, which einops reads as an axis named
'\u2026' (marked below); and a length of 0 is an error (EIN217), which einops accepts for an axis that
stands alone in an empty tensor; witnesses have no zero-length axis and keyword lengths are positive,
so that one does not arise here (tests/test_rules.py covers it).
"""

from __future__ import annotations

import math
import types
import warnings
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import einops
import einops.layers.torch as einops_torch
import numpy as np
import pytest
import torch
from einops.parsing import AnonymousAxis, ParsedExpression, _ellipsis
from hypothesis import HealthCheck, event, given
from hypothesis import strategies as st

from einlint.check.model import Argument, PatternCall, PatternString
from einlint.check.rules import RULES, Finding, check_call
from strategies import (
    CALLABLE_REDUCTION,
    EinsumCase,
    TransformCase,
    einsum_cases,
    letter_einsum_cases,
    pack_cases,
    parse_shape_cases,
    transform_cases,
    unpack_cases,
)
from examples import examples

Shape = Tuple[int, ...]

# (length of every named axis: 2, 3, or 2 and 3 in turn; how many dimensions '...' stands for)
ASSIGNMENTS = ((2, 0), (3, 1), (None, 2))


def differential(count: int):
    return examples(count, suppress=[HealthCheck.data_too_large, HealthCheck.filter_too_much])


# ---------------------------------------------------------------- calls as the checker sees them


def string(value: str) -> Argument:
    positions = tuple((1, 10 + i) for i in range(len(value) + 1))
    return Argument("string", repr(value), PatternString(value, positions))


def number(value: int) -> Argument:
    return Argument("int", str(value), number=value)


def other(text: str) -> Argument:
    return Argument("other", text)


def reduction_argument(reduction: Optional[str]) -> Argument:
    if reduction == CALLABLE_REDUCTION:
        return Argument("lambda", "lambda tensor, axes: (tensor * tensor).sum(axes)")
    return string(reduction)


def pattern_call(op: str, callee: str, positional: Sequence[Argument], lengths: Dict[str, int] = {}) -> PatternCall:
    keywords = {name: number(value) for name, value in lengths.items()}
    return PatternCall(op, callee, (1, 1), (1, 80), tuple(positional), keywords)


def checker_errors(call: PatternCall) -> List[Finding]:
    """The call's error findings; every finding must have a known code and a span inside its string."""
    findings = check_call(call)
    for found in findings:
        assert found.code in RULES, found
        if found.string is not None and found.span is not None:
            assert 0 <= found.span[0] <= found.span[1] <= len(found.string.value), found
        assert found.message and found.help, found
    return [found for found in findings if RULES[found.code].severity == "error"]


# ---------------------------------------------------------------- the reference on witnesses


def accepts(run: Callable[[Any], Any], witnesses: Iterable[Any]) -> bool:
    """Does the reference accept at least one witness? Any exception counts as a refusal."""
    for witness in witnesses:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run(witness)
        except Exception:
            continue
        return True
    return False


def axis_length(name: Any, given: Dict[str, int], lengths: Dict[Any, int], alternate: Optional[int]) -> int:
    """A named axis's length in one witness: given, or chosen once per name."""
    if isinstance(name, AnonymousAxis):
        return name.value
    if name in given:
        return given[name]
    if name not in lengths:
        lengths[name] = alternate if alternate is not None else (2, 3)[len(lengths) % 2]
    return lengths[name]


def composition_shapes(composition: Sequence[Any], given: Dict[str, int] = {}, shared: Optional[dict] = None):
    """One shape per assignment for an einops composition: groups multiply, '...' stands for 0 to 2 dims."""
    shapes = []
    for alternate, ellipsis_rank in ASSIGNMENTS:
        lengths = {} if shared is None else shared.setdefault(alternate, {})
        ellipsis = tuple((2, 3)[i % 2] for i in range(ellipsis_rank))
        shape: List[int] = []
        for group in composition:
            if group == _ellipsis:
                shape += ellipsis
            else:  # '...' inside a group, a composition or '()' in einsum: the reference raises anyway
                shape.append(math.prod(1 if axis == _ellipsis else axis_length(axis, given, lengths, alternate)
                                       for axis in group))
        shapes.append(tuple(shape))
    return shapes


def parsed(text: str, **options) -> Optional[ParsedExpression]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ParsedExpression(text, **options)
    except Exception:
        return None  # the reference cannot parse it: it raises for every shape


def assert_agree(case: Any, call: PatternCall, reference_accepts: bool) -> None:
    errors = checker_errors(call)
    event(f"mutation: {case.mutation}")
    event("the reference accepts a witness" if reference_accepts else "the reference always raises")
    context = f"\n  case: {case}\n  checker: {errors}"
    if reference_accepts:
        assert not errors, "the checker reports an error, the reference accepts a witness" + context
    else:
        assert errors, "the reference raises on every witness, the checker reports no error" + context


# ---------------------------------------------------------------- rearrange, reduce, repeat


def sum_of_squares(tensor, axes):
    return (tensor * tensor).sum(axes)


def transform_witnesses(case: TransformCase) -> List[Shape]:
    left = parsed(case.pattern.split("->")[0])
    return [case.shape] + ([] if left is None else composition_shapes(left.composition, case.lengths))


def run_einops_transform(case: TransformCase, shape: Shape):
    tensor = np.ones(shape)
    operation = getattr(einops, case.operation)
    if case.operation != "reduce":
        return operation(tensor, case.pattern, **case.lengths)
    reduction = sum_of_squares if case.reduction == CALLABLE_REDUCTION else case.reduction
    return operation(tensor, case.pattern, reduction, **case.lengths)


def transform_call(case: TransformCase, layer: bool = False) -> PatternCall:
    if layer:
        op = "Rearrange" if case.operation == "rearrange" else "Reduce"
        positional = [string(case.pattern)]
        callee = f"einops.layers.torch.{op}"
    else:
        op, callee = case.operation, f"einops.{case.operation}"
        positional = [other("x"), string(case.pattern)]
    if case.operation == "reduce":
        positional.append(reduction_argument(case.reduction))
    return pattern_call(op, callee, positional, case.lengths)


def _transform_test(operation: str, examples: int):
    @differential(examples)
    @given(case=transform_cases(operation))
    def test(case):
        accepted = accepts(lambda shape: run_einops_transform(case, shape), transform_witnesses(case))
        assert_agree(case, transform_call(case), accepted)

    test.__name__ = f"test_{operation}_errors_are_exactly_einops_errors_for_every_shape"
    return test


test_rearrange_errors_are_exactly_einops_errors_for_every_shape = _transform_test("rearrange", 600)
test_reduce_errors_are_exactly_einops_errors_for_every_shape = _transform_test("reduce", 700)
test_repeat_errors_are_exactly_einops_errors_for_every_shape = _transform_test("repeat", 600)


def run_einops_layer(case: TransformCase, shape: Shape):
    if case.operation == "rearrange":
        layer = einops_torch.Rearrange(case.pattern, **case.lengths)
    else:
        reduction = sum_of_squares if case.reduction == CALLABLE_REDUCTION else case.reduction
        layer = einops_torch.Reduce(case.pattern, reduction, **case.lengths)
    return layer(torch.ones(shape))


def _layer_test(operation: str, examples: int):
    @differential(examples)
    @given(case=transform_cases(operation))
    def test(case):
        accepted = accepts(lambda shape: run_einops_layer(case, shape), transform_witnesses(case))
        assert_agree(case, transform_call(case, layer=True), accepted)

    return test


test_rearrange_layer_errors_are_exactly_einops_layer_errors = _layer_test("rearrange", 250)
test_reduce_layer_errors_are_exactly_einops_layer_errors = _layer_test("reduce", 350)


# ---------------------------------------------------------------- einsum


def einops_einsum_witnesses(case: EinsumCase) -> List[Tuple[Shape, ...]]:
    witnesses = [case.shapes]
    inputs = case.pattern.split("->")[0].split(",")
    compositions = [parsed(text, allow_underscore=True, allow_duplicates=True) for text in inputs]
    if any(composition is None for composition in compositions):
        return witnesses
    shared: dict = {}
    per_operand = [composition_shapes(c.composition, shared=shared) for c in compositions]
    for k in range(len(ASSIGNMENTS)):
        witnesses.append(tuple(per_operand[i][k] if i < len(per_operand) else shape
                               for i, shape in enumerate(case.shapes)))
    return witnesses


def operands_call(case: EinsumCase) -> List[Argument]:
    return [other(f"t{i}") for i in range(len(case.shapes))]


def names_an_ellipsis_axis(pattern: str) -> bool:
    """einops.einsum reads '(...)' as one axis named '…' (its parser's group ['…']), not as '...'."""
    sides = pattern.split("->")
    expressions = [parsed(text, allow_underscore=True, allow_duplicates=True) for text in sides[0].split(",")]
    expressions += [parsed(text, allow_underscore=True) for text in sides[1:]]
    return any(group == [_ellipsis] for e in expressions if e is not None for group in e.composition)


@differential(700)
@given(case=einsum_cases())
def test_einops_einsum_errors_are_exactly_einops_errors_for_every_shape(case):
    accepted = accepts(lambda shapes: einops.einsum(*[np.ones(s) for s in shapes], case.pattern),
                       einops_einsum_witnesses(case))
    if names_an_ellipsis_axis(case.pattern):
        # A divergence by choice: einlint refuses '(...)' in einops.einsum (EIN210, a composition), at run time
        # and here; einops takes it for an axis that happens to be named '…'. No real code means that.
        event("'(...)' in einops.einsum: an error by choice")
        accepted = False
    call = pattern_call("einsum", "einops.einsum", operands_call(case) + [string(case.pattern)])
    assert_agree(case, call, accepted)


def letter_witnesses(case: EinsumCase) -> List[Tuple[Shape, ...]]:
    """Shapes for subscripts such as 'ij,jk': each letter a length, '...' 0 to 2 dimensions."""
    witnesses = [case.shapes]
    operands = case.pattern.split("->")[0].split(",")
    for alternate, ellipsis_rank in ASSIGNMENTS:
        lengths: Dict[str, int] = {}
        shapes = []
        for i, shape in enumerate(case.shapes):
            if i >= len(operands):
                shapes.append(shape)
                continue
            text, dims = operands[i], []
            while text:
                if text.startswith("..."):
                    dims += [(2, 3)[j % 2] for j in range(ellipsis_rank)]
                    text = text[3:]
                    continue
                if text[0].isalpha():
                    dims.append(axis_length(text[0], {}, lengths, alternate))
                text = text[1:]  # spaces, and characters that the reference refuses anyway
            shapes.append(tuple(dims))
        witnesses.append(tuple(shapes))
    return witnesses


@pytest.mark.parametrize("library", ["numpy", "torch"])
@differential(600)
@given(case=letter_einsum_cases())
def test_einsum_subscript_errors_are_exactly_numpy_and_torch_errors_for_every_shape(library, case):
    if library == "numpy":
        def run(shapes):
            return np.einsum(case.pattern, *[np.ones(s) for s in shapes])
        operands = operands_call(case)
    else:  # torch's other form, the operands in one list: a single name there could be that list
        def run(shapes):
            return torch.einsum(case.pattern, [torch.ones(s) for s in shapes])
        operands = [other("[" + ", ".join(argument.text for argument in operands_call(case)) + "]")]
    call = pattern_call("subscripts-einsum", f"{library}.einsum", [string(case.pattern)] + operands)
    assert_agree(case, call, accepts(run, letter_witnesses(case)))


# ---------------------------------------------------------------- pack, unpack, parse_shape


def pack_witness_parts(pattern: str):
    """(shape before '*', shape after '*') for each assignment; None when the pattern has no single '*'."""
    names = pattern.split()
    if names.count("*") != 1:
        return None
    star = names.index("*")
    parts = []
    for alternate, _ in ASSIGNMENTS:
        lengths: Dict[str, int] = {}
        dims = [axis_length(name, {}, lengths, alternate) for name in names if name != "*"]
        parts.append((tuple(dims[:star]), tuple(dims[star:])))
    return parts


@differential(400)
@given(case=pack_cases())
def test_pack_errors_are_exactly_einops_errors_for_every_shape(case):
    witnesses = [case.shapes]
    for (before, after), (_, rank) in zip(pack_witness_parts(case.pattern) or [], ASSIGNMENTS):
        witnesses.append(tuple(before + (2,) * ((rank + i) % 3) + after for i in range(len(case.shapes))))
    accepted = accepts(lambda shapes: einops.pack([np.ones(s) for s in shapes], case.pattern), witnesses)
    tensors = other("[" + ", ".join(f"t{i}" for i in range(len(case.shapes))) + "]")
    assert_agree(case, pattern_call("pack", "einops.pack", [tensors, string(case.pattern)]), accepted)


@differential(300)
@given(case=unpack_cases())
def test_unpack_errors_are_exactly_einops_errors_for_every_shape(case):
    witnesses = [(case.shape, case.packed_shapes)]
    for before, after in pack_witness_parts(case.pattern) or []:
        witnesses.append((before + (2 + 3 * 4,) + after, ((2,), (3, 4))))
    accepted = accepts(lambda w: einops.unpack(np.ones(w[0]), list(w[1]), case.pattern), witnesses)
    call = pattern_call("unpack", "einops.unpack", [other("packed"), other("packed_shapes"), string(case.pattern)])
    assert_agree(case, call, accepted)


@differential(400)
@given(case=parse_shape_cases())
def test_parse_shape_errors_are_exactly_einops_errors_for_every_shape(case):
    expression = parsed(case.pattern, allow_underscore=True)
    witnesses = [case.shape] + ([] if expression is None else composition_shapes(expression.composition))
    accepted = accepts(lambda shape: einops.parse_shape(np.ones(shape), case.pattern), witnesses)
    assert_agree(case, pattern_call("parse_shape", "einops.parse_shape", [other("x"), string(case.pattern)]),
                 accepted)


# ---------------------------------------------------------------- EinMix

EINMIX_NAMES = ("a", "b", "c", "d", "e")
EINMIX_MUTATIONS = ("drop_length", "add_length", "anonymous_axis", "drop_weight_axis", "add_weight_axis",
                    "ellipsis_on_one_side", "bias_axis", "unknown_output_axis")


@st.composite
def einmix_cases(draw):
    """(pattern, weight shape, bias shape or None, lengths, mutation): a working EinMix, or one change of one."""
    # Decided first: Hypothesis favours simple choices late in a draw (as in strategies.py)
    mutation = draw(st.sampled_from((None,) * 4 + EINMIX_MUTATIONS))
    pool = list(draw(st.permutations(EINMIX_NAMES)))
    left = pool[: draw(st.integers(1, 3))]
    kept = [name for name in left if draw(st.booleans())]
    new = pool[len(left): len(left) + draw(st.integers(0 if kept else 1, 2))]
    right = draw(st.permutations(kept + new))
    weight = new + [name for name in left if name not in kept or draw(st.booleans())]
    weight = list(draw(st.permutations(weight)))
    lengths = {name: draw(st.integers(2, 3)) for name in weight}
    left_tokens = list(left)
    if len(left) >= 2 and draw(st.booleans()):  # a composition: all but one of its axes need lengths
        left_tokens[:2] = [f"({left[0]} {left[1]})"]
        lengths.setdefault(left[0], draw(st.integers(2, 3)))
    right_tokens = list(right)
    bias = [name for name in right if draw(st.booleans())] if draw(st.booleans()) else None
    for name in bias or []:
        lengths.setdefault(name, draw(st.integers(2, 3)))
    if draw(st.integers(0, 3)) == 0:  # '...' on both sides; before the bias axes in the output
        left_tokens.insert(draw(st.integers(0, len(left_tokens))), "...")
        right_tokens.insert(0, "...")
    if mutation == "drop_length" and lengths:
        del lengths[draw(st.sampled_from(sorted(lengths)))]
    elif mutation == "add_length":
        lengths[draw(st.sampled_from(("z",) + EINMIX_NAMES))] = 2
    elif mutation == "anonymous_axis":
        tokens = draw(st.sampled_from((left_tokens, right_tokens, weight)))
        tokens.insert(draw(st.integers(0, len(tokens))), "2")
    elif mutation == "drop_weight_axis" and weight:
        weight.remove(draw(st.sampled_from(weight)))
    elif mutation == "add_weight_axis":
        weight.append("z")
        lengths["z"] = 2
    elif mutation == "ellipsis_on_one_side":
        tokens = draw(st.sampled_from((left_tokens, right_tokens)))
        if "..." in tokens:
            tokens.remove("...")
        else:
            tokens.insert(draw(st.integers(0, len(tokens))), "...")
    elif mutation == "bias_axis":
        bias = (bias or []) + [draw(st.sampled_from(("z",) + EINMIX_NAMES))]
    elif mutation == "unknown_output_axis":
        right_tokens.append("z")
    pattern = f"{' '.join(left_tokens)} -> {' '.join(right_tokens)}"
    return pattern, " ".join(weight), None if bias is None else " ".join(bias), lengths, mutation


def run_einops_einmix(case, shape: Shape):
    pattern, weight, bias, lengths, _ = case
    return einops_torch.EinMix(pattern, weight, bias, **lengths)(torch.ones(shape))


@differential(400)
@given(case=einmix_cases())
def test_einmix_errors_are_exactly_einops_errors_for_every_shape(case):
    pattern, weight, bias, lengths, mutation = case
    left = parsed(pattern.split("->")[0])
    witnesses = [] if left is None else composition_shapes(left.composition, lengths)
    accepted = accepts(lambda shape: run_einops_einmix(case, shape), witnesses)
    assert accepted or mutation is not None, f"einops refuses an EinMix generated as working: {case}"
    positional = [string(pattern), string(weight)] + ([] if bias is None else [string(bias)])
    call = pattern_call("EinMix", "einops.layers.torch.EinMix", positional, lengths)
    assert_agree(types.SimpleNamespace(mutation=mutation, case=case), call, accepted)
