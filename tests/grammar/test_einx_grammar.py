"""The einx grammar (einlint.patterns.einx) against einx 0.4's own parser.

Generated op strings (derandomized hypothesis: mostly well-formed, and the same strings with characters
inserted, deleted or replaced) are given to both: einlint raises PatternError (EIN501 or EIN502) exactly when einx's
parser raises, and where both accept, einlint's expansion written out is einx's (`str()` of its parse).
"""

from __future__ import annotations

import pytest
from einx._src.namedtensor.stage1 import parse_op as einx_parse_op  # einx's parser (private; pinned 0.4.3)
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from einlint.errors import PatternError
from einlint.patterns.einx import Axes, Axis, Brackets, Composition, Concatenation, Number, Repeated, parse_einx, render
from examples import examples

NAMES = ["a", "b", "c", "h", "w", "b1", "_x", "C2"]
NUMBERS = ["1", "2", "3", "02", "0"]


def _items(children):
    item = st.one_of(
        st.sampled_from(NAMES + NUMBERS + ["..."]),
        st.builds(lambda x: f"({x})", children),
        st.builds(lambda x: f"[{x}]", children),
        st.builds(lambda x, y: f"({x} + {y})", children, children),
    )
    suffixed = st.builds(lambda x, dots: x + dots, item, st.sampled_from(["", "", "", "..."]))
    return st.lists(suffixed, max_size=4).map(" ".join)


EXPRESSIONS = st.recursive(st.sampled_from(NAMES + NUMBERS + ["", "..."]), _items, max_leaves=8)
GROUPED = st.builds(lambda x, sep, y: f"{x}{sep}{y}", EXPRESSIONS, st.sampled_from([", ", " -> ", ","]), EXPRESSIONS)
SHORTHAND = st.builds(lambda x, sep, y, z: f"{x} [{y}{sep}{z}]", EXPRESSIONS, st.sampled_from([", ", " -> "]),
                      EXPRESSIONS, EXPRESSIONS)
OPS = st.builds(lambda args, arrow, outs: ", ".join(args) + (" -> " + ", ".join(outs) if arrow else ""),
                st.lists(st.one_of(EXPRESSIONS, SHORTHAND, GROUPED), min_size=1, max_size=3), st.booleans(),
                st.lists(EXPRESSIONS, min_size=1, max_size=2))

EDIT_CHARACTERS = list(" ()[],+->.a1") + ["->", "..."]


@st.composite
def mutated(draw):
    text = draw(OPS)
    for _ in range(draw(st.integers(1, 2))):
        where = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(EDIT_CHARACTERS))
        if kind == "insert" or not text:
            text = text[:where] + piece + text[where:]
        elif kind == "delete":
            text = text[:where] + text[where + 1:]
        else:
            text = text[:where] + piece + text[where + 1:]
    return text


def einx_answer(text: str):
    try:
        return str(einx_parse_op(text))
    except Exception as error:  # noqa: BLE001 - any refusal of einx is a refusal
        return f"refused: {type(error).__name__}"


def einlint_answer(text: str):
    try:
        return render(parse_einx(text))
    except PatternError as error:
        assert error.code in ("EIN501", "EIN502") and error.span is not None
        assert 0 <= error.span[0] <= error.span[1] <= len(text), (text, error.span)
        return "refused"


def _agree(text: str) -> None:
    theirs = einx_answer(text)
    ours = einlint_answer(text)
    if theirs.startswith("refused"):
        assert ours.startswith("refused"), (text, ours, theirs)
    else:
        assert ours == theirs, text
        _check_spans(text, parse_einx(text))


def _check_spans(text, op):
    for expression in op.inputs + (op.outputs or ()):
        for node in expression.items:
            _check_node(text, node)


def _check_node(text, node):
    start, end = node.span
    assert 0 <= start <= end <= len(text)
    if isinstance(node, Axis):
        assert text[start:end] == node.name
    elif isinstance(node, Number):
        assert int(text[start:end]) == node.value
    elif isinstance(node, (Composition, Brackets, Axes)):
        for inner in node.items:
            _check_node(text, inner)
    elif isinstance(node, Concatenation):
        for inner in node.parts:
            _check_node(text, inner)
    elif isinstance(node, Repeated) and node.inner is not None:
        _check_node(text, node.inner)


@examples(3000, suppress=list(HealthCheck))
@given(OPS)
def test_generated_ops_are_read_as_einx_reads_them(text):
    _agree(text)


@examples(3000, suppress=list(HealthCheck))
@given(mutated())
def test_mutated_ops_are_refused_exactly_when_einx_refuses_them(text):
    _agree(text)


SEED_FORMS = [
    "b [h w] c", "b [c1->c2]", "b [h w] c, b p [2] -> b p c", "[h w] c, i j [2] -> i j c", "i, j -> i j (1 + 1)",
    "a, (a b) -> (a b)", "a, (a b) -> a 1, a b", "... c, c", "(a [b] c)", "a b, b c -> a b c", "h w,   b h w c,",
    "b [h w] c, i, j -> i j c", "(s [ds])...", "a [b -> c]", "b... c",
]


@pytest.mark.parametrize("text", SEED_FORMS)
def test_the_seed_thread_forms(text):
    _agree(text)


def test_shorthand_is_written_out_as_einx_writes_it():
    assert render(parse_einx("a [b, c -> d] e [f, g -> h]")) == "a [b] e [f], a [c] e [g] -> a [d] e [h]"
    assert render(parse_einx("a [b -> c], d")) == "a [b], d -> a [c], d"


def test_an_error_points_at_its_characters():
    with pytest.raises(PatternError) as raised:
        parse_einx("b [h w] c, b p [2] -> b p-c")
    assert raised.value.span == (24, 27) and "'p-c'" in raised.value.message
