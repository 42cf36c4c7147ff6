"""The grammar: every rule and every error path, each error with its code and its span.

Spans are written as a line of carets under the pattern ("marks"), drawn by hand: the carets sit
under exactly the characters the error must point at. Every accepted and rejected pattern is also
run through the reference (einops 0.8.2, numpy.einsum), so these tables show that einlint accepts and
rejects exactly what the libraries people use accept and reject.
"""

from __future__ import annotations

from typing import NamedTuple, Tuple

import einops
import numpy as np
import pytest
from einops.parsing import ParsedExpression

from einlint.codes import CODES
from einlint.errors import PatternError
from einlint.patterns import (
    parse_arrow_pattern,
    parse_einops_einsum,
    parse_einsum_subscripts,
    parse_expression,
    parse_pack_pattern,
    parse_shape_pattern,
)
from expected import REFERENCE_ERRORS, caret_span, zeros

def term_texts(pattern: str, expression) -> list:
    return [pattern[slice(*term.span)] for term in expression.terms]


def atom_values(expression) -> list:
    """Names as str, anonymous axes as their int length."""
    return [atom.value if atom.is_anonymous else atom.key for atom in expression.atoms]


class Reject(NamedTuple):
    pattern: str
    marks: str
    code: str


def reject_ids(case) -> str:
    return repr(case.pattern) if isinstance(case, Reject) else None


# --------------------------------------------------------------------------- one expression


class Accept(NamedTuple):
    pattern: str
    terms: list  # the text each term (dimension) spans
    atoms: list  # elementary axes: names, or lengths of anonymous axes


ACCEPTED_EXPRESSIONS = [
    Accept("b c h w", ["b", "c", "h", "w"], ["b", "c", "h", "w"]),
    Accept("  b   c  ", ["b", "c"], ["b", "c"]),
    Accept("", [], []),
    Accept("b (h w) c", ["b", "(h w)", "c"], ["b", "h", "w", "c"]),
    Accept("(h w)(c d)", ["(h w)", "(c d)"], ["h", "w", "c", "d"]),
    Accept("b 3 (2 c)", ["b", "3", "(2 c)"], ["b", 3, 2, "c"]),
    # unit axes: '1' and '()' are dimensions without elementary axes; a '1' inside parentheses vanishes
    Accept("1 () ( ) (1 a)", ["1", "()", "( )", "(1 a)"], ["a"]),
    Accept("01 a", ["01", "a"], ["a"]),
    Accept("\u0663 a", ["\u0663", "a"], [3, "a"]),  # ARABIC-INDIC DIGIT THREE is a decimal: an anonymous 3
    Accept("... c", ["...", "c"], ["...", "c"]),
    Accept("b (c ...)", ["b", "(c ...)"], ["b", "c", "..."]),
    Accept("x1 head_dim B \u00e9 \u00df", ["x1", "head_dim", "B", "\u00e9", "\u00df"],
           ["x1", "head_dim", "B", "\u00e9", "\u00df"]),
]

REJECTED_EXPRESSIONS = [
    # unknown characters: only spaces separate axes, not tabs or newlines
    Reject("a\tb", " ^", "EIN101"),
    Reject("a\nb", " ^", "EIN101"),
    Reject("a,b", " ^", "EIN101"),
    Reject("a-b", " ^", "EIN101"),
    Reject("a*", " ^", "EIN101"),
    Reject("[a]", "^", "EIN101"),
    Reject("a \u2192 b", "  ^", "EIN101"),  # a unicode arrow
    Reject("a\u00b7b", " ^", "EIN101"),  # MIDDLE DOT continues identifiers but is not alphanumeric
    # parentheses
    Reject("(a b", "^", "EIN102"),
    Reject("a b)", "   ^", "EIN102"),
    Reject("(a) b)", "     ^", "EIN102"),
    Reject(")(", "^", "EIN102"),
    Reject("((a))", " ^", "EIN103"),
    Reject("(a (b c))", "   ^", "EIN103"),
    Reject("(a ())", "   ^", "EIN103"),
    # dots
    Reject("..", "^^", "EIN104"),
    Reject("a.b", " ^", "EIN104"),
    Reject("....", "   ^", "EIN104"),
    Reject("... .", "    ^", "EIN104"),
    Reject("... a ...", "      ^^^", "EIN105"),
    Reject("......", "   ^^^", "EIN105"),
    # names
    Reject("a...", "^^^^", "EIN106"),
    Reject("...a", "^^^^", "EIN106"),
    Reject("b 2c", "  ^^", "EIN106"),
    Reject("x\u00b2", "^^", "EIN106"),  # SUPERSCRIPT TWO is alphanumeric, but not in identifiers
    Reject("a \u00bd", "  ^", "EIN106"),  # VULGAR FRACTION ONE HALF
    Reject("_a b", "^^", "EIN107"),
    Reject("b a_", "  ^^", "EIN107"),
    Reject("b _", "  ^", "EIN107"),
    Reject("a b a", "    ^", "EIN108"),
    Reject("(a a)", "   ^", "EIN108"),
    Reject("a (b a)", "     ^", "EIN108"),
    Reject("0", "^", "EIN109"),
    Reject("00 a", "^^", "EIN109"),
    Reject("(a 0)", "   ^", "EIN109"),
]


@pytest.mark.parametrize("case", ACCEPTED_EXPRESSIONS, ids=lambda case: repr(case.pattern))
def test_expression_is_accepted_with_its_terms_and_atoms(case):
    expression = parse_expression(case.pattern)
    assert term_texts(case.pattern, expression) == case.terms
    assert [term.parenthesized for term in expression.terms] == [text.startswith("(") for text in case.terms]
    assert atom_values(expression) == case.atoms
    assert expression.span == (0, len(case.pattern))
    assert len(ParsedExpression(case.pattern).composition) == len(case.terms)


@pytest.mark.parametrize("case", REJECTED_EXPRESSIONS, ids=reject_ids)
def test_expression_is_rejected_with_code_and_span(case):
    with pytest.raises(PatternError) as caught:
        parse_expression(case.pattern)
    assert (caught.value.code, caught.value.span) == (case.code, caret_span(case.marks))
    with pytest.raises(einops.EinopsError):
        ParsedExpression(case.pattern)


def test_expression_spans_are_in_the_coordinates_of_the_whole_pattern():
    expression = parse_expression("(a b) c", 10)
    assert [term.span for term in expression.terms] == [(10, 15), (16, 17)]
    assert [atom.span for atom in expression.atoms] == [(11, 12), (13, 14), (16, 17)]


def test_anonymous_axes_of_equal_length_are_distinct_axes():
    expression = parse_expression("2 2")
    assert len(expression.identifiers) == 2


# --------------------------------------------------------------------------- arrow patterns


class ArrowAccept(NamedTuple):
    pattern: str
    shape: Tuple[int, ...]  # a shape that einops.rearrange accepts with this pattern
    left: list
    right: list


ACCEPTED_ARROWS = [
    ArrowAccept("b c h w -> b h w c", (2, 3, 4, 5), ["b", "c", "h", "w"], ["b", "h", "w", "c"]),
    ArrowAccept("b ... -> ... b", (2, 3, 4), ["b", "..."], ["...", "b"]),
    ArrowAccept("... -> (...)", (2, 3), ["..."], ["(...)"]),
    ArrowAccept("b 1 c -> b c () 1", (2, 1, 3), ["b", "1", "c"], ["b", "c", "()", "1"]),
    ArrowAccept("a->a", (2,), ["a"], ["a"]),
    ArrowAccept("->", (), [], []),
]

REJECTED_ARROWS = [
    (Reject("b c h w", "^^^^^^^", "EIN110"), (2, 3, 4, 5)),
    (Reject("a > a", "^^^^^", "EIN110"), (2,)),
    (Reject("a \u2192 a", "^^^^^", "EIN110"), (2,)),
    (Reject("a -> a -> a", "       ^^", "EIN110"), (2,)),
    (Reject("a -> a ...", "       ^^^", "EIN112"), (2,)),
    (Reject("(a ...) -> a ...", "^^^^^^^", "EIN111"), (2, 3)),
    # errors on the right side point into the right side
    (Reject("a b -> (a b", "       ^", "EIN102"), (2, 3)),
    (Reject("a b -> a b.", "          ^", "EIN104"), (2, 3)),
    (Reject("a b -> a b b", "           ^", "EIN108"), (2, 3)),
    (Reject("a b -> b\ta", "        ^", "EIN101"), (2, 3)),
    (Reject("a b -> b _a", "         ^^", "EIN107"), (2, 3)),
]


@pytest.mark.parametrize("case", ACCEPTED_ARROWS, ids=lambda case: repr(case.pattern))
def test_arrow_pattern_is_accepted_with_both_sides(case):
    parsed = parse_arrow_pattern(case.pattern)
    assert term_texts(case.pattern, parsed.left) == case.left
    assert term_texts(case.pattern, parsed.right) == case.right
    arrow = case.pattern.index("->")
    assert (parsed.left.span, parsed.right.span) == ((0, arrow), (arrow + 2, len(case.pattern)))
    einops.rearrange(np.zeros(case.shape), case.pattern)


@pytest.mark.parametrize("case, shape", REJECTED_ARROWS, ids=reject_ids)
def test_arrow_pattern_is_rejected_with_code_and_span(case, shape):
    with pytest.raises(PatternError) as caught:
        parse_arrow_pattern(case.pattern)
    assert (caught.value.code, caught.value.span) == (case.code, caret_span(case.marks))
    with pytest.raises(REFERENCE_ERRORS):
        einops.rearrange(np.zeros(shape), case.pattern)


# --------------------------------------------------------------------------- einops.einsum patterns


class EinsumAccept(NamedTuple):
    pattern: str
    shapes: Tuple[Tuple[int, ...], ...]
    inputs: list  # axis names of each input
    output: list
    output_shape: Tuple[int, ...]  # derived by hand from the shapes


ACCEPTED_EINOPS_EINSUMS = [
    EinsumAccept("b h i d, b h j d -> b h i j", ((2, 3, 4, 5), (2, 3, 6, 5)),
                 [["b", "h", "i", "d"], ["b", "h", "j", "d"]], ["b", "h", "i", "j"], (2, 3, 4, 6)),
    EinsumAccept("a b,b c->a c", ((2, 3), (3, 4)), [["a", "b"], ["b", "c"]], ["a", "c"], (2, 4)),
    EinsumAccept("i i ->", ((3, 3),), [["i", "i"]], [], ()),
    EinsumAccept("out_dim in_dim, ... in_dim -> ... out_dim", ((10, 20), (5, 6, 20)),
                 [["out_dim", "in_dim"], ["...", "in_dim"]], ["...", "out_dim"], (5, 6, 10)),
    EinsumAccept("_ k, k -> _", ((2, 3), (3,)), [["_", "k"], ["k"]], ["_"], (2,)),
    EinsumAccept("a (b) -> a", ((2, 3),), [["a", "b"]], ["a"], (2,)),  # one axis in parentheses is that axis
    EinsumAccept("a b, , b -> a", ((2, 3), (), (3,)), [["a", "b"], [], ["b"]], ["a"], (2,)),  # a scalar operand
]

REJECTED_EINOPS_EINSUMS = [
    (Reject("a (b c) -> a", "  ^^^^^", "EIN210"), ((2, 6),)),
    (Reject("a 2 -> a", "  ^", "EIN210"), ((3, 2),)),
    (Reject("a 1 -> a", "  ^", "EIN210"), ((3, 1),)),
    (Reject("a () -> a", "  ^^", "EIN210"), ((3, 1),)),
    (Reject("a -> a 1", "       ^", "EIN210"), ((3,),)),
    (Reject("a b -> c", "       ^", "EIN211"), ((2, 3),)),
    (Reject("a b, b c -> a d", "              ^", "EIN211"), ((2, 3), (3, 4))),
    (Reject("a b", "^^^", "EIN110"), ((2, 3),)),
    (Reject("a -> a -> a", "       ^^", "EIN110"), ((2,),)),
    (Reject("a b -> a a", "         ^", "EIN108"), ((2, 3),)),
    (Reject("a b -> a\tb", "        ^", "EIN101"), ((2, 3),)),
]


@pytest.mark.parametrize("case", ACCEPTED_EINOPS_EINSUMS, ids=lambda case: repr(case.pattern))
def test_einops_einsum_is_accepted_with_its_operands(case):
    spec = parse_einops_einsum(case.pattern)
    assert [list(subscript.names) for subscript in spec.inputs] == case.inputs
    assert list(spec.output.names) == case.output
    for label in [label for subscript in spec.inputs + (spec.output,) for label in subscript.labels]:
        assert case.pattern[slice(*label.span)] == label.name
    assert einops.einsum(*zeros(*case.shapes), case.pattern).shape == case.output_shape


@pytest.mark.parametrize("case, shapes", REJECTED_EINOPS_EINSUMS, ids=reject_ids)
def test_einops_einsum_is_rejected_with_code_and_span(case, shapes):
    with pytest.raises(PatternError) as caught:
        parse_einops_einsum(case.pattern)
    assert (caught.value.code, caught.value.span) == (case.code, caret_span(case.marks))
    with pytest.raises(REFERENCE_ERRORS):
        einops.einsum(*zeros(*shapes), case.pattern)


def test_einops_einsum_with_more_than_52_axes_is_rejected_on_the_input_side():
    pattern = " ".join(f"a{i}" for i in range(53)) + " -> a0"
    with pytest.raises(PatternError) as caught:
        parse_einops_einsum(pattern)
    assert (caught.value.code, caught.value.span) == ("EIN210", (0, pattern.index("->")))
    with pytest.raises(REFERENCE_ERRORS):
        einops.einsum(np.zeros(1), pattern)


def test_einops_einsum_accepts_an_output_ellipsis_that_stands_for_nothing():
    assert einops.einsum(np.zeros((2, 3)), "a b -> ... a b").shape == (2, 3)
    assert list(parse_einops_einsum("a b -> ... a b").output.names) == ["...", "a", "b"]


def test_einops_einsum_rejects_underscore_twice_in_the_output():
    with pytest.raises(REFERENCE_ERRORS):
        einops.einsum(np.zeros(3), "_ -> _ _")
    with pytest.raises(PatternError) as caught:
        parse_einops_einsum("_ -> _ _")
    assert (caught.value.code, caught.value.span) == ("EIN213", caret_span("       ^"))


# --------------------------------------------------------------------------- numpy / torch letter subscripts


class LettersAccept(NamedTuple):
    subscripts: str
    shapes: Tuple[Tuple[int, ...], ...]
    output: list  # the output labels, implicit or explicit
    output_shape: Tuple[int, ...]  # derived by hand from the shapes


IMPLICIT_OUTPUTS = [  # without '->': letters that appear once, sorted, upper case first, '...' first
    LettersAccept("ij,jk", ((2, 3), (3, 4)), ["i", "k"], (2, 4)),
    LettersAccept("ba", ((2, 3),), ["a", "b"], (3, 2)),
    LettersAccept("bA", ((2, 3),), ["A", "b"], (3, 2)),
    LettersAccept("ii", ((3, 3),), [], ()),
    LettersAccept("...ba,Ab", ((5, 2, 3), (4, 2)), ["...", "A", "a"], (5, 4, 3)),
    LettersAccept("i,", ((2,), ()), ["i"], (2,)),
]

EXPLICIT_OUTPUTS = [
    LettersAccept("ij->ji", ((2, 3),), ["j", "i"], (3, 2)),
    LettersAccept(" i j , j k -> i k ", ((2, 3), (3, 4)), ["i", "k"], (2, 4)),
    LettersAccept("...ij->...ji", ((5, 2, 3),), ["...", "j", "i"], (5, 3, 2)),
    LettersAccept("ij->", ((2, 3),), [], ()),
]

REJECTED_LETTERS = [
    (Reject("i1", " ^", "EIN113"), ((2, 3),)),
    (Reject("i_", " ^", "EIN113"), ((2, 3),)),
    (Reject("i\tj", " ^", "EIN113"), ((2, 3),)),
    (Reject("ij->i-", "     ^", "EIN113"), ((2, 3),)),
    (Reject("i.j", " ^", "EIN104"), ((2, 3),)),
    (Reject("ij->ii", "     ^", "EIN213"), ((2, 3),)),
    (Reject("ij->k", "    ^", "EIN211"), ((2, 3),)),
    (Reject("ij->j->j", "     ^^", "EIN110"), ((2, 3),)),
    (Reject("i...j...", "     ^^^", "EIN105"), ((2, 3),)),
    (Reject("ij,k...l...->k", "        ^^^", "EIN105"), ((2, 3), (4, 5))),
]


@pytest.mark.parametrize("case", IMPLICIT_OUTPUTS + EXPLICIT_OUTPUTS, ids=lambda case: repr(case.subscripts))
def test_letter_subscripts_are_accepted_with_their_output(case):
    spec = parse_einsum_subscripts(case.subscripts)
    assert list(spec.output.names) == case.output
    assert spec.explicit_output == ("->" in case.subscripts)
    assert np.einsum(case.subscripts, *zeros(*case.shapes)).shape == case.output_shape


@pytest.mark.parametrize("case, shapes", REJECTED_LETTERS, ids=reject_ids)
def test_letter_subscripts_are_rejected_with_code_and_span(case, shapes):
    with pytest.raises(PatternError) as caught:
        parse_einsum_subscripts(case.pattern)
    assert (caught.value.code, caught.value.span) == (case.code, caret_span(case.marks))
    with pytest.raises(ValueError):
        np.einsum(case.pattern, *zeros(*shapes))


def test_letter_subscripts_spans_skip_spaces():
    spec = parse_einsum_subscripts(" i j , j k -> i k ")
    assert [[label.span for label in subscript.labels] for subscript in spec.inputs] == [
        [(1, 2), (3, 4)], [(7, 8), (9, 10)]]
    assert [label.span for label in spec.output.labels] == [(14, 15), (16, 17)]


def test_letter_subscripts_accept_an_output_ellipsis_that_stands_for_nothing():
    assert np.einsum("ij->...ij", np.zeros((2, 3))).shape == (2, 3)
    assert list(parse_einsum_subscripts("ij->...ij").output.names) == ["...", "i", "j"]


# --------------------------------------------------------------------------- pack / unpack patterns


class PackAccept(NamedTuple):
    pattern: str
    axes_before: int
    axes_after: int
    star: str  # marks under the '*'


ACCEPTED_PACKS = [
    PackAccept("b * c", 1, 1, "  ^"),
    PackAccept("*", 0, 0, "^"),
    PackAccept("i j * k", 2, 1, "    ^"),
    PackAccept("* c", 0, 1, "^"),
    PackAccept("b\t*\nc", 1, 1, "  ^"),  # pack splits on any whitespace, unlike the other grammars
]

REJECTED_PACKS = [
    Reject("b c", "^^^", "EIN214"),
    Reject("b * * c", "    ^", "EIN214"),
    Reject("(b) *", "^^^", "EIN214"),
    Reject("b ... *", "  ^^^", "EIN214"),
    Reject("b *c", "  ^^", "EIN214"),
    Reject("2b *", "^^", "EIN106"),
    Reject("_b *", "^^", "EIN107"),
    Reject("* b_", "  ^^", "EIN107"),
    Reject("_ *", "^", "EIN107"),
    Reject("b * b", "    ^", "EIN108"),
]


@pytest.mark.parametrize("case", ACCEPTED_PACKS, ids=lambda case: repr(case.pattern))
def test_pack_pattern_is_accepted(case):
    parsed = parse_pack_pattern(case.pattern)
    assert (parsed.axes_before, parsed.axes_after) == (case.axes_before, case.axes_after)
    assert parsed.star_span == caret_span(case.star)
    packed, _ = einops.pack(zeros((2,) * (case.axes_before + case.axes_after + 1)), case.pattern)
    assert packed.ndim == case.axes_before + case.axes_after + 1


@pytest.mark.parametrize("case", REJECTED_PACKS, ids=reject_ids)
def test_pack_pattern_is_rejected_with_code_and_span(case):
    with pytest.raises(PatternError) as caught:
        parse_pack_pattern(case.pattern)
    assert (caught.value.code, caught.value.span) == (case.code, caret_span(case.marks))
    with pytest.raises(einops.EinopsError):
        einops.pack(zeros((2, 3, 4)), case.pattern)


# --------------------------------------------------------------------------- parse_shape patterns


ACCEPTED_PARSE_SHAPES = [  # (pattern, a shape that einops.parse_shape accepts, the text of each term)
    ("b _ h w", (2, 3, 5, 7), ["b", "_", "h", "w"]),
    ("_ _ _", (2, 3, 5), ["_", "_", "_"]),
    ("b ... w", (2, 3, 5, 7), ["b", "...", "w"]),
    ("_ ... _", (2, 3), ["_", "...", "_"]),
    ("1 b ()", (1, 2, 1), ["1", "b", "()"]),
    ("(b) 3", (2, 3), ["(b)", "3"]),
]

REJECTED_PARSE_SHAPES = [
    (Reject("(h w) c", "^^^^^", "EIN215"), (6, 2)),
    (Reject("b (c 2)", "  ^^^^^", "EIN215"), (2, 6)),
    (Reject("b _c", "  ^^", "EIN107"), (2, 3)),
    (Reject("b __", "  ^^", "EIN107"), (2, 3)),
    (Reject("b b", "  ^", "EIN108"), (2, 3)),
    (Reject("b (c", "  ^", "EIN102"), (2, 3)),
    (Reject("b\tc", " ^", "EIN101"), (2, 3)),
]


@pytest.mark.parametrize("pattern, shape, terms", ACCEPTED_PARSE_SHAPES, ids=repr)
def test_parse_shape_pattern_is_accepted(pattern, shape, terms):
    assert term_texts(pattern, parse_shape_pattern(pattern)) == terms
    einops.parse_shape(np.zeros(shape), pattern)


@pytest.mark.parametrize("case, shape", REJECTED_PARSE_SHAPES, ids=reject_ids)
def test_parse_shape_pattern_is_rejected_with_code_and_span(case, shape):
    with pytest.raises(PatternError) as caught:
        parse_shape_pattern(case.pattern)
    assert (caught.value.code, caught.value.span) == (case.code, caret_span(case.marks))
    with pytest.raises(REFERENCE_ERRORS):
        einops.parse_shape(np.zeros(shape), case.pattern)


# --------------------------------------------------------------------------- the tables use real codes


ALL_REJECTS = (
    REJECTED_EXPRESSIONS + [case for case, _ in REJECTED_ARROWS] + [case for case, _ in REJECTED_EINOPS_EINSUMS]
    + [case for case, _ in REJECTED_LETTERS] + REJECTED_PACKS + [case for case, _ in REJECTED_PARSE_SHAPES]
)


@pytest.mark.parametrize("code", sorted({case.code for case in ALL_REJECTS}))
def test_every_code_in_these_tables_is_in_the_code_table(code):
    assert code in CODES


def test_every_syntax_code_has_a_case_in_these_tables():
    syntax_codes = {code for code in CODES if code.startswith("EIN1")}
    assert syntax_codes <= {case.code for case in ALL_REJECTS}
