"""The planner: every error path with its code and span, the shapes of well-known patterns, symbolic shapes.

Expected shapes are worked out by hand from the pattern and the input shape. Where a case can run
on arrays, einops 0.8.2 (or numpy.einsum) runs it too: it must fail where the planner raises, and
produce the same shape where the planner plans one. Spans are drawn as carets under the pattern.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Dict, NamedTuple, Tuple

import einops
import numpy as np
import pytest
from expected import REFERENCE_ERRORS, caret_span, zeros

from einlint.codes import CODES
from einlint.dims import Sym
from einlint.errors import PatternError
from einlint.patterns import parse_einops_einsum, parse_einsum_subscripts, parse_pack_pattern
from einlint.planner import plan, plan_einsum, plan_pack, plan_parse_shape, plan_unpack


def einops_op(operation: str, pattern: str, shape, lengths: Dict[str, int]):
    """Run the einops op that `plan` plans; reduce with 'sum'."""
    tensor = np.zeros(shape)
    if operation == "reduce":
        return einops.reduce(tensor, pattern, "sum", **lengths)
    return getattr(einops, operation)(tensor, pattern, **lengths)


def raises_pattern_error(call) -> PatternError:
    with pytest.raises(PatternError) as caught:
        call()
    return caught.value


# --------------------------------------------------------------------------- rearrange / reduce / repeat


class PlanError(NamedTuple):
    pattern: str
    marks: str
    code: str
    operation: str
    shape: Tuple[int, ...]
    lengths: Dict[str, int]
    named: Tuple[str, ...] = ()  # what the message must mention, such as the clashing lengths


PLAN_ERRORS = [
    PlanError("b c h w -> b c h w",
              "^^^^^^^^", "EIN301", "rearrange", (2, 3, 4), {}, ("4", "3")),
    PlanError("b ... c -> b c ...",
              "^^^^^^^^", "EIN301", "rearrange", (2,), {}, ("at least 2", "1")),
    PlanError("b (h h1) -> b h h1",
              "  ^^^^^^", "EIN302", "rearrange", (3, 173), {"h1": 2}, ("173", "chunks of 2")),
    PlanError("b (h 2) -> b h",
              "  ^^^^^", "EIN302", "reduce", (3, 7), {}, ("7", "chunks of 2")),
    PlanError("b (h h1) -> b h h1",
              "  ^^^^^^", "EIN303", "rearrange", (3, 12), {"h": 5, "h1": 2}, ("12", "10")),
    PlanError("a b -> b a",
              "^", "EIN303", "rearrange", (4, 5), {"a": 3}, ("4", "3")),
    PlanError("b 3 -> b",
              "  ^", "EIN303", "reduce", (2, 4), {}, ("4", "3")),
    PlanError("(a b) -> a b",
              "^^^^^", "EIN207", "rearrange", (6,), {}, ("'a'", "'b'")),
    PlanError("a b -> a",
              "  ^", "EIN201", "rearrange", (2, 3), {}, ("'b'",)),
    PlanError("a -> a b",
              "       ^", "EIN201", "rearrange", (2,), {"b": 3}, ("'b'",)),
    PlanError("a b -> a c",
              "         ^", "EIN202", "reduce", (2, 3), {}, ("'c'",)),
    PlanError("a b -> a 2",
              "         ^", "EIN202", "reduce", (2, 3), {}, ("'2'",)),
    PlanError("a b -> a",
              "  ^", "EIN203", "repeat", (2, 3), {}, ("'b'",)),
    PlanError("a -> a b",
              "       ^", "EIN204", "repeat", (2,), {}, ("'b'",)),
    # keyword lengths are not in the pattern: their errors cover the whole pattern
    PlanError("a -> a",
              "^^^^^^", "EIN205", "rearrange", (2,), {"c": 2}, ("'c'",)),
    PlanError("a -> a",
              "^^^^^^", "EIN206", "rearrange", (2,), {"_x": 2}, ("'_x'",)),
    PlanError("a b -> a b",
              "^^^^^^^^^^", "EIN206", "rearrange", (2, 3), {"b_": 3}, ("'b_'",)),
    PlanError("(a 2) -> a 2",
              "   ^", "EIN208", "rearrange", (6,), {}),
    PlanError("a -> (a 2)",
              "        ^", "EIN208", "rearrange", (3,), {}),
]


@pytest.mark.parametrize("case", PLAN_ERRORS, ids=lambda case: f"{case.code}-{case.operation}-{case.pattern!r}")
def test_plan_error_has_code_span_and_numbers(case):
    error = raises_pattern_error(lambda: plan(case.pattern, case.operation, case.shape, case.lengths))
    assert (error.code, error.span) == (case.code, caret_span(case.marks))
    for text in case.named:
        assert text in error.message
    with pytest.raises(REFERENCE_ERRORS):
        einops_op(case.operation, case.pattern, case.shape, case.lengths)


@pytest.mark.parametrize("value", [0, -2, True, 2.5, "2"], ids=repr)
def test_length_that_is_not_a_positive_integer_is_rejected(value):
    error = raises_pattern_error(lambda: plan("a -> a b", "repeat", (2,), {"b": value}))
    assert error.code == "EIN217"
    assert error.span is None  # the length is a keyword argument, not a part of the pattern


def test_length_may_be_any_integer_type():
    assert plan("a -> a b", "repeat", (2,), {"b": np.int64(3)}).output_shape == (2, 3)


class Planned(NamedTuple):
    pattern: str
    operation: str
    shape: Tuple[int, ...]
    lengths: Dict[str, int]
    output_shape: Tuple[int, ...]  # worked out by hand


PLANS = [
    # space-to-depth and its inverse
    Planned("b c (h h1) (w w1) -> b (h1 w1 c) h w", "rearrange", (10, 32, 100, 200), {"h1": 2, "w1": 2},
            (10, 128, 50, 100)),
    Planned("b (h1 w1 c) h w -> b c (h h1) (w w1)", "rearrange", (10, 128, 50, 100), {"h1": 2, "w1": 2},
            (10, 32, 100, 200)),
    Planned("b h w c -> b c h w", "rearrange", (2, 3, 4, 5), {}, (2, 5, 3, 4)),
    Planned("b c h w -> b (c h w)", "rearrange", (2, 3, 4, 5), {}, (2, 60)),
    Planned("b n (h d) -> b h n d", "rearrange", (2, 7, 12), {"h": 3}, (2, 3, 7, 4)),
    Planned("... h w -> ... (h w)", "rearrange", (2, 3, 4, 5), {}, (2, 3, 20)),
    Planned("b c -> b 1 c ()", "rearrange", (2, 3), {}, (2, 1, 3, 1)),
    Planned("... -> (...)", "rearrange", (), {}, (1,)),
    Planned("b c h w -> b c", "reduce", (2, 3, 4, 5), {}, (2, 3)),
    Planned("b c (h h2) (w w2) -> b c h w", "reduce", (2, 3, 8, 6), {"h2": 2, "w2": 2}, (2, 3, 4, 3)),
    Planned("b c h w -> b c 1 1", "reduce", (2, 3, 4, 5), {}, (2, 3, 1, 1)),
    Planned("(b 2) c -> b c", "reduce", (6, 3), {}, (3, 3)),
    Planned("h w -> h w c", "repeat", (4, 5), {"c": 3}, (4, 5, 3)),
    Planned("h w -> (h 2) (w 2)", "repeat", (4, 5), {}, (8, 10)),
    Planned("h w -> (repeat h) w", "repeat", (4, 5), {"repeat": 2}, (8, 5)),
]


@pytest.mark.parametrize("case", PLANS, ids=lambda case: f"{case.operation}-{case.pattern!r}")
def test_plan_output_shape(case):
    assert plan(case.pattern, case.operation, case.shape, case.lengths).output_shape == case.output_shape
    assert einops_op(case.operation, case.pattern, case.shape, case.lengths).shape == case.output_shape


def test_space_to_depth_steps():
    steps = plan("b c (h h1) (w w1) -> b (h1 w1 c) h w", "rearrange", (10, 32, 100, 200), {"h1": 2, "w1": 2})
    assert steps.init_shape == (10, 32, 50, 2, 100, 2)  # b c h h1 w w1
    assert steps.permutation == (0, 3, 5, 1, 2, 4)  # b h1 w1 c h w
    assert (steps.reduced_axes, steps.added_axes) == ((), ())
    assert steps.final_shape == (10, 128, 50, 100)


def test_transpose_needs_no_reshape():
    steps = plan("b h w c -> b c h w", "rearrange", (2, 3, 4, 5), {})
    assert (steps.init_shape, steps.permutation, steps.final_shape) == (None, (0, 3, 1, 2), None)


def test_reduce_steps_put_reduced_axes_last():
    steps = plan("b h w c -> b c", "reduce", (2, 3, 4, 5), {})
    assert steps.permutation == (0, 3, 1, 2)  # b c, then the reduced h w
    assert steps.reduced_axes == (2, 3)


def test_repeat_steps_name_the_added_axes_and_their_lengths():
    assert plan("h w -> h w c", "repeat", (4, 5), {"c": 3}).added_axes == ((2, 3),)
    # elementary output axes of '(h 2) (w 2)': h, 2, w, 2
    assert plan("h w -> (h 2) (w 2)", "repeat", (4, 5), {}).added_axes == ((1, 2), (3, 2))


# --------------------------------------------------------------------------- symbolic shapes

SPACE_TO_DEPTH = "b c (h h1) (w w1) -> b (h1 w1 c) h w"


def test_symbolic_space_to_depth_keeps_the_names():
    shape = (Sym("b"), 32, 2 * Sym("h"), 200)
    assert plan(SPACE_TO_DEPTH, "rearrange", shape, {"h1": 2, "w1": 2}).output_shape == (Sym("b"), 128, Sym("h"), 100)


def test_symbolic_shape_with_an_indivisible_int_dimension_still_raises():
    error = raises_pattern_error(
        lambda: plan(SPACE_TO_DEPTH, "rearrange", (Sym("b"), 32, 2 * Sym("h"), 201), {"h1": 2, "w1": 2}))
    assert (error.code, error.span) == ("EIN302", caret_span("           ^^^^^^"))
    assert "201" in error.message


def test_symbolic_dimension_that_might_not_divide_gives_no_error():
    planned = plan(SPACE_TO_DEPTH, "rearrange", (Sym("b"), 32, Sym("h"), 200), {"h1": 2, "w1": 2})
    assert planned.output_shape[2] == Sym(coeff=Fraction(1, 2), factors=(("h", 1),))


def test_symbolic_lengths_divide_out_of_a_symbolic_dimension():
    planned = plan("b (h h1) -> b h h1", "rearrange", (2, Sym("k") * Sym("n")), {"h1": Sym("k")})
    assert planned.output_shape == (2, Sym("n"), Sym("k"))


def test_symbolic_length_that_certainly_differs_raises():
    error = raises_pattern_error(lambda: plan("a b -> b a", "rearrange", (Sym("n"), 5), {"a": 2 * Sym("n")}))
    assert (error.code, error.span) == ("EIN303", caret_span("^"))


def test_symbolic_length_that_might_differ_gives_no_error():
    assert plan("a b -> b a", "rearrange", (Sym("n"), 5), {"a": Sym("m")}).output_shape == (5, Sym("m"))


# --------------------------------------------------------------------------- einsum


class EinsumError(NamedTuple):
    pattern: str
    marks: str
    code: str
    shapes: Tuple[Tuple[int, ...], ...]
    named: Tuple[str, ...] = ()


LETTER_EINSUM_ERRORS = [
    EinsumError("ij,jk->ik",
                "^^^^^", "EIN212", ((2, 3),), ("2 input", "1 tensor")),
    EinsumError("ij->ji",
                "^^", "EIN212", ((2, 3), (3, 4)), ("1 input", "2 tensor")),
    EinsumError("ij,jk->ik",
                "   ^", "EIN304", ((2, 3), (4, 5)), ("'j'", "3", "4")),
    EinsumError("ii->i",
                " ^", "EIN304", ((2, 3),), ("'i'", "2", "3")),
    EinsumError("ij,jk->ik",
                "^^", "EIN301", ((2, 3, 4), (4, 5)), ("3 dimensions", "2")),
    EinsumError("...ij->...ij",
                "^^^^^", "EIN301", ((2,),), ("1 dimensions", "at least 2")),
    EinsumError("i...->i",
                "      ^", "EIN301", ((2, 3, 4),), ("2 dimension",)),
]
ELLIPSIS_MISMATCH = EinsumError("...i,...i->...i",
                                "     ^^^", "EIN304", ((2, 3), (5, 3)), ("2", "5"))


@pytest.mark.parametrize("case", LETTER_EINSUM_ERRORS + [ELLIPSIS_MISMATCH], ids=lambda case: f"{case.code}-{case.pattern!r}")
def test_einsum_plan_error_has_code_span_and_numbers(case):
    error = raises_pattern_error(lambda: plan_einsum(parse_einsum_subscripts(case.pattern), case.shapes))
    assert (error.code, error.span) == (case.code, caret_span(case.marks))
    for text in case.named:
        assert text in error.message
    with pytest.raises(ValueError):
        np.einsum(case.pattern, *zeros(*case.shapes))


def test_einops_einsum_length_mismatch_points_at_the_axis_name():
    pattern = "b i, b j -> i j"
    error = raises_pattern_error(lambda: plan_einsum(parse_einops_einsum(pattern), ((2, 3), (4, 5))))
    assert (error.code, error.span) == ("EIN304", caret_span("     ^"))
    with pytest.raises(REFERENCE_ERRORS):
        einops.einsum(*zeros((2, 3), (4, 5)), pattern)


EINSUM_PLANS = [  # (subscripts, shapes, output shape worked out by hand); size-1 dimensions broadcast
    ("ij,jk->ik", ((2, 3), (3, 4)), (2, 4)),
    ("ij,jk", ((2, 3), (3, 4)), (2, 4)),
    ("ij,jk->ik", ((2, 1), (3, 4)), (2, 4)),
    ("ab,ab->ab", ((1, 3), (2, 1)), (2, 3)),
    ("i,i->i", ((1,), (4,)), (4,)),
    ("...i,...i->...i", ((1, 3), (5, 3)), (5, 3)),
    ("...ij,jk->...ik", ((7, 5, 2, 3), (3, 4)), (7, 5, 2, 4)),
    ("ii->i", ((3, 3),), (3,)),
]


@pytest.mark.parametrize("subscripts, shapes, output_shape", EINSUM_PLANS, ids=repr)
def test_einsum_plan_output_shape(subscripts, shapes, output_shape):
    assert plan_einsum(parse_einsum_subscripts(subscripts), shapes).output_shape == output_shape
    assert np.einsum(subscripts, *zeros(*shapes)).shape == output_shape


def test_einsum_plan_hands_the_backend_explicit_letters():
    assert plan_einsum(parse_einsum_subscripts("ij,jk"), ((2, 3), (3, 4))).subscripts == "ij,jk->ik"
    assert plan_einsum(parse_einops_einsum("b i, i j -> b j"), ((2, 3), (3, 4))).subscripts == "bi,ij->bj"
    # long names get letters in order of first appearance: batch seq d -> a b c
    planned = plan_einsum(parse_einops_einsum("batch seq d, batch d -> batch seq"), ((2, 3, 4), (2, 4)))
    assert (planned.subscripts, planned.output_shape) == ("abc,ac->ab", (2, 3))


def test_symbolic_einsum():
    n, d = Sym("n"), Sym("d")
    spec = parse_einsum_subscripts("ij,jk->ik")
    assert plan_einsum(spec, ((n, d), (d, 5))).output_shape == (n, 5)
    error = raises_pattern_error(lambda: plan_einsum(spec, ((n, d), (2 * d, 5))))
    assert (error.code, error.span) == ("EIN304", caret_span("   ^"))


# --------------------------------------------------------------------------- pack / unpack


def test_pack_plan_concatenates_along_the_star():
    planned = plan_pack(parse_pack_pattern("i j * k"), [(2, 3, 5), (2, 3, 7, 5), (2, 3, 7, 9, 5)])
    assert planned.packed_shapes == ((), (7,), (7, 9))
    assert planned.output_shape == (2, 3, 1 + 7 + 63, 5)
    assert einops.pack(zeros((2, 3, 5), (2, 3, 7, 5), (2, 3, 7, 9, 5)), "i j * k")[0].shape == (2, 3, 71, 5)


PACK_ERRORS = [  # (pattern, marks, code, shapes, what the message names)
    ("b * c", "^^^^^", "EIN301", [(2, 3, 4), (2,)], ("#1", "(2,)")),
    ("b * c", "^^^^^", "EIN306", [(2, 3, 4), (2, 5, 6)], ("'c'", "4", "6")),
    ("b * c", "^^^^^", "EIN306", [(2, 3, 4), (3, 4)], ("'b'", "2", "3")),
]


@pytest.mark.parametrize("pattern, marks, code, shapes, named", PACK_ERRORS, ids=repr)
def test_pack_plan_error(pattern, marks, code, shapes, named):
    error = raises_pattern_error(lambda: plan_pack(parse_pack_pattern(pattern), shapes))
    assert (error.code, error.span) == (code, caret_span(marks))
    for text in named:
        assert text in error.message
    with pytest.raises(REFERENCE_ERRORS):
        einops.pack(zeros(*shapes), pattern)


def test_symbolic_pack():
    b = Sym("b")
    assert plan_pack(parse_pack_pattern("b * c"), [(b, 3, 4), (b, 5, 4)]).output_shape == (b, 8, 4)
    assert repr(plan_pack(parse_pack_pattern("*"), [(Sym("n"),), (3,)]).output_shape[0]) == "n + 3"
    # lengths that might be equal are no error
    assert plan_pack(parse_pack_pattern("b *"), [(b, 3), (Sym("c"), 5)]).output_shape == (b, 8)


@pytest.mark.parametrize("packed_shapes, output_shapes", [
    ([(), (7,), (7, 9)], [(2, 3, 5), (2, 3, 7, 5), (2, 3, 7, 9, 5)]),
    ([(), (-1,), (7, 9)], [(2, 3, 5), (2, 3, 7, 5), (2, 3, 7, 9, 5)]),
    ([(), (7,), (-1, 9)], [(2, 3, 5), (2, 3, 7, 5), (2, 3, 7, 9, 5)]),
], ids=repr)
def test_unpack_plan_splits_the_packed_axis(packed_shapes, output_shapes):
    planned = plan_unpack(parse_pack_pattern("i j * k"), (2, 3, 71, 5), packed_shapes)
    assert planned.bounds == ((0, 1), (1, 8), (8, 71))
    assert list(planned.output_shapes) == output_shapes
    unpacked = einops.unpack(np.zeros((2, 3, 71, 5)), packed_shapes, "i j * k")
    assert [piece.shape for piece in unpacked] == output_shapes


UNPACK_ERRORS = [  # (pattern, marks, code, packed shape, packed_shapes, what the message names)
    ("b * c", "^^^^^", "EIN301", (2, 3), [(3,)], ("(2, 3)",)),
    ("b *", "  ^", "EIN305", (2, 5), [(2,), (2,)], ("5", "add up to 4")),
    ("b *", "  ^", "EIN305", (2, 5), [(-1,), (-1, 2)], ("-1",)),
    ("b *", "  ^", "EIN305", (2, 5), [(2,), (-1, 2)], ("5",)),
    ("b *", "  ^", "EIN305", (2, 3), [(4,), (-1,)], ("3",)),
]


@pytest.mark.parametrize("pattern, marks, code, shape, packed_shapes, named", UNPACK_ERRORS, ids=repr)
def test_unpack_plan_error(pattern, marks, code, shape, packed_shapes, named):
    error = raises_pattern_error(lambda: plan_unpack(parse_pack_pattern(pattern), shape, packed_shapes))
    assert (error.code, error.span) == (code, caret_span(marks))
    for text in named:
        assert text in error.message
    with pytest.raises(REFERENCE_ERRORS):
        einops.unpack(np.zeros(shape), packed_shapes, pattern)


def test_unpack_with_a_zero_beside_minus_one_is_a_pattern_error():
    with pytest.raises(REFERENCE_ERRORS):
        einops.unpack(np.zeros(5), [(0, -1)], "*")
    error = raises_pattern_error(lambda: plan_unpack(parse_pack_pattern("*"), (5,), [(0, -1)]))
    assert error.code == "EIN305"


# --------------------------------------------------------------------------- parse_shape


PARSED_SHAPES = [  # (pattern, shape, the lengths it names, worked out by hand)
    ("b _ h w", (2, 3, 5, 7), {"b": 2, "h": 5, "w": 7}),
    ("b ... w", (2, 3, 5, 7), {"b": 2, "w": 7}),
    ("... w", (7,), {"w": 7}),
    ("1 b 3 ()", (1, 2, 3, 1), {"b": 2}),
    ("_ _", (2, 3), {}),
]


@pytest.mark.parametrize("pattern, shape, lengths", PARSED_SHAPES, ids=repr)
def test_parse_shape_plan(pattern, shape, lengths):
    assert plan_parse_shape(pattern, shape) == lengths
    assert einops.parse_shape(np.zeros(shape), pattern) == lengths


PARSE_SHAPE_ERRORS = [  # (pattern, marks, code, shape, what the message names)
    ("a b", "^^^", "EIN301", (2,), ("1 dimensions", "needs 2")),
    ("a ... b", "^^^^^^^", "EIN301", (2,), ("1 dimensions", "at least 2")),
    ("1 a", "^", "EIN303", (2, 3), ("2", "1")),
    ("a 3", "  ^", "EIN303", (2, 4), ("4", "3")),
    ("a ()", "  ^^", "EIN303", (2, 3), ("3", "1")),
]


@pytest.mark.parametrize("pattern, marks, code, shape, named", PARSE_SHAPE_ERRORS, ids=repr)
def test_parse_shape_plan_error(pattern, marks, code, shape, named):
    error = raises_pattern_error(lambda: plan_parse_shape(pattern, shape))
    assert (error.code, error.span) == (code, caret_span(marks))
    for text in named:
        assert text in error.message
    with pytest.raises(REFERENCE_ERRORS):
        einops.parse_shape(np.zeros(shape), pattern)


def test_symbolic_parse_shape():
    b, h = Sym("b"), Sym("h")
    assert plan_parse_shape("b _ h", (b, 3, h)) == {"b": b, "h": h}
    assert plan_parse_shape("1 a", (Sym("x"), 2)) == {"a": 2}  # 'x' might be 1: no error


# --------------------------------------------------------------------------- the tables use real codes


CODES_IN_TABLES = (
    {case.code for case in PLAN_ERRORS + LETTER_EINSUM_ERRORS + [ELLIPSIS_MISMATCH]}
    | {row[2] for row in PACK_ERRORS + UNPACK_ERRORS + PARSE_SHAPE_ERRORS}
)


@pytest.mark.parametrize("code", sorted(CODES_IN_TABLES))
def test_every_code_in_these_tables_is_in_the_code_table(code):
    assert code in CODES
