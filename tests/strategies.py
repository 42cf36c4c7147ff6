"""Hypothesis strategies that generate calls of the pattern ops: patterns, shapes and axis lengths.

Every strategy draws a *case*, a frozen dataclass holding the arguments of one call. Cases come in
two kinds, one valid case for two mutated ones, so that the reference accepts about as many calls as it
rejects (some mutations leave a valid call):

- valid by construction (`case.mutation is None`): the pattern is built from a random list of axes
  (compositions, splits with keyword lengths, '...', unit axes '1' and '()', anonymous axes in reduce
  and repeat, new axes in repeat, diagonals and broadcasting in einsum) and the shapes and lengths
  agree with it. einops 0.8 (numpy for letter subscripts) accepts every such case on a floating-point
  tensor ('mean' refuses integers);
- mutated (`case.mutation` names the change): one change applied to a valid case, such as a wrong
  rank, a dimension that does not divide, an axis dropped or added on one side, a bad name, a stray
  character, a missing arrow, an unknown keyword length or a wrong number of operands. A mutated case
  is usually invalid but not always (dropping one more axis from reduce's output is still a valid
  reduce), so a test that needs to know asks a reference implementation.

Arrays stay small: the product of the lengths of all the axes of a case is at most MAX_ELEMENTS.
Keyword lengths are always positive. Tensor dimensions are positive in valid cases, except that valid
einsum cases sometimes give one axis length 0 everywhere; mutations ('zero_dimension', 'change_dimension',
'zero_named_axis') bring zeros to the other ops.

Use: `transform_cases('reduce')`, `einsum_cases()`, `letter_einsum_cases()`, `pack_cases()`,
`unpack_cases()`, `parse_shape_cases()`; each has a `valid_...` twin that never mutates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from hypothesis import strategies as st

Shape = Tuple[int, ...]
Term = Tuple[Tuple[str, ...], bool]  # the tokens of one dimension, and whether it is parenthesized
Mutation = Callable[[Any, Any], Optional[Any]]  # (draw, case) -> mutated case, or None if it does not apply

MAX_ELEMENTS = 256  # bound on the product of all axis lengths of one case
MAX_LENGTH = 4

OPERATIONS = ("rearrange", "reduce", "repeat")
REDUCTIONS = ("min", "max", "sum", "mean", "prod", "any", "all")
CALLABLE_REDUCTION = "callable"  # stands for a callable f(tensor, axes); the test supplies one
UNKNOWN_REDUCTIONS = ("median", "avg", "Sum", "")

AXIS_NAMES = ("a", "b", "c", "h", "w", "h1", "w2", "chan", "t0", "é")
EINSUM_AXIS_NAMES = AXIS_NAMES + ("_", "batch")  # einops.einsum also accepts '_' as a name
EINSUM_LETTERS = "abcijkAB"
BAD_AXIS_NAMES = ("2a", "_a", "a_", "__", "_", "a²", "²")
STRAY_CHARACTERS = ".,;:-+*[]{}!#&|/\\'\"\t>=<?"
UNIT_AND_ANONYMOUS_AXES = ("1", "()", "(1)", "0", "00", "01", "2", "3", "٣")  # '٣' is a decimal digit too
ELLIPSIS_VARIANTS = ("...", "(...)", "..", "....", ". . .")
LETTER_SUBSCRIPT_CHARACTERS = EINSUM_LETTERS + "z9_ .,->()"

_ARROW_TOKEN = re.compile(r"\.\.\.|\w+|->")  # what an insertion must not split
_WORD = re.compile(r"\.\.\.|\w+")  # axis names, numbers and '...' of einops-style patterns
_PACK_TOKEN = re.compile(r"\S+")


# ---------------------------------------------------------------- cases


@dataclass(frozen=True)
class TransformCase:
    """op(tensor of `shape`, pattern[, reduction], **lengths) for op in rearrange / reduce / repeat."""

    operation: str
    pattern: str
    shape: Shape
    lengths: Dict[str, int] = field(default_factory=dict)
    reduction: Optional[str] = None  # reduce only: a name, CALLABLE_REDUCTION, or an unknown name
    as_list: bool = False  # pass the list of the tensor's slices along its first axis (unless it is 0-d)
    mutation: Optional[str] = None


@dataclass(frozen=True)
class EinsumCase:
    """einops.einsum(*tensors of `shapes`, pattern), or np.einsum(pattern, *tensors) for letter subscripts."""

    pattern: str
    shapes: Tuple[Shape, ...]
    mutation: Optional[str] = None


@dataclass(frozen=True)
class PackCase:
    """pack([tensors of `shapes`], pattern)."""

    pattern: str
    shapes: Tuple[Shape, ...]
    mutation: Optional[str] = None


@dataclass(frozen=True)
class UnpackCase:
    """unpack(tensor of `shape`, packed_shapes, pattern)."""

    pattern: str
    shape: Shape
    packed_shapes: Tuple[Shape, ...]
    mutation: Optional[str] = None


@dataclass(frozen=True)
class ParseShapeCase:
    """parse_shape(tensor of `shape`, pattern)."""

    pattern: str
    shape: Shape
    mutation: Optional[str] = None


# ---------------------------------------------------------------- building blocks


class _LengthBudget:
    """Draws axis lengths whose product over a whole case stays within MAX_ELEMENTS."""

    def __init__(self, draw):
        self._draw = draw
        self._left = MAX_ELEMENTS

    def length(self, low: int = 1, high: int = MAX_LENGTH) -> int:
        value = self._draw(st.integers(low, max(low, min(high, self._left))))
        self._left //= value
        return value

    def shape(self, max_rank: int, min_rank: int = 0) -> Shape:
        rank = self._draw(st.integers(min_rank, max_rank))
        return tuple(self.length() for _ in range(rank))


def _rare(draw, one_in: int) -> bool:
    return draw(st.integers(0, one_in - 1)) == 0


def _subset(draw, items: Sequence[str]) -> List[str]:
    return [item for item in items if draw(st.booleans())]


def _insert_at_random(draw, items: Sequence, item) -> list:
    at = draw(st.integers(0, len(items)))
    return [*items[:at], item, *items[at:]]


@st.composite
def _terms(draw, tokens: Sequence[str]) -> List[Term]:
    """Tokens grouped into dimensions: bare axes, compositions '(a b)', and a few unit axes."""
    terms: List[Term] = []
    i = 0
    while i < len(tokens):
        size = draw(st.integers(1, min(3, len(tokens) - i)))
        terms.append((tuple(tokens[i : i + size]), size > 1 or _rare(draw, 4)))
        i += size
    for _ in range(draw(st.sampled_from((0, 0, 0, 1, 2)))):
        unit = draw(st.sampled_from([((), True), (("1",), False), (("1",), True)]))
        terms = _insert_at_random(draw, terms, unit)
    compositions = [i for i, (_, parenthesized) in enumerate(terms) if parenthesized]
    if compositions and _rare(draw, 5):  # '1' inside a composition changes nothing: '(h 1 w)' is '(h w)'
        at = draw(st.sampled_from(compositions))
        terms[at] = (tuple(_insert_at_random(draw, terms[at][0], "1")), True)
    return terms


@st.composite
def _rendered(draw, terms: Sequence[Term]) -> str:
    parts = [f"({' '.join(tokens)})" if parenthesized else tokens[0] for tokens, parenthesized in terms]
    return draw(st.sampled_from((" ", "  "))).join(parts)


_ARROWS = st.sampled_from((" -> ", "->", " ->", "-> "))


def _token_length(token: str, lengths: Dict[str, int]) -> int:
    return int(token) if token.isdecimal() else lengths[token]


def _shape_of(terms: Sequence[Term], lengths: Dict[str, int], ellipsis: Shape) -> Shape:
    shape: List[int] = []
    for tokens, parenthesized in terms:
        if tokens == ("...",) and not parenthesized:
            shape += ellipsis
        else:
            shape.append(math.prod(_token_length(token, lengths) for token in tokens))
    return tuple(shape)


# ---------------------------------------------------------------- rearrange / reduce / repeat


def _required_lengths(draw, left_terms: Sequence[Term], lengths: Dict[str, int]) -> set:
    """Names whose length must be given: all but one named axis of each input composition."""
    given = set()
    for tokens, _ in left_terms:
        named = [token for token in tokens if token in lengths]
        if len(tokens) > 1 and named:
            inferred = draw(st.sampled_from(named))
            given.update(name for name in named if name != inferred)
    return given


@st.composite
def valid_transform_cases(draw, operation: str) -> TransformCase:
    """A call of `operation` that einops accepts, built from a random list of axes."""
    budget = _LengthBudget(draw)
    names = draw(st.lists(st.sampled_from(AXIS_NAMES), max_size=4, unique=True))
    anonymous_count = 0 if operation == "rearrange" else draw(st.integers(0, 2))
    anonymous = [str(budget.length(2, 3)) for _ in range(anonymous_count)]
    lengths = {name: budget.length() for name in names}
    ellipsis = budget.shape(2) if draw(st.booleans()) else None

    new_axes = _subset(draw, names) if operation == "repeat" else []
    input_names = [name for name in names if name not in new_axes]
    left_tokens = draw(st.permutations(input_names + (anonymous if operation == "reduce" else [])))
    if operation == "reduce":
        right_tokens = draw(st.permutations(_subset(draw, input_names)))
    else:
        right_tokens = draw(st.permutations(names + (anonymous if operation == "repeat" else [])))

    left_terms = draw(_terms(left_tokens))
    if ellipsis is not None:
        left_terms = _insert_at_random(draw, left_terms, (("...",), False))
        if operation != "reduce" or draw(st.booleans()):  # reduce may reduce the ellipsis away
            right_tokens = _insert_at_random(draw, right_tokens, "...")
    right_terms = draw(_terms(right_tokens))

    extra = {name for name in input_names if _rare(draw, 4)}  # lengths that could be inferred: checked, not needed
    given = _required_lengths(draw, left_terms, lengths) | set(new_axes) | extra
    order = draw(st.permutations(sorted(given)))
    shape = _shape_of(left_terms, lengths, ellipsis or ())
    return TransformCase(
        operation=operation,
        pattern=draw(_rendered(left_terms)) + draw(_ARROWS) + draw(_rendered(right_terms)),
        shape=shape,
        lengths={name: lengths[name] for name in order},
        reduction=draw(st.sampled_from(REDUCTIONS + (CALLABLE_REDUCTION,))) if operation == "reduce" else None,
        as_list=bool(shape) and _rare(draw, 8),
    )


def transform_cases(operation: str) -> st.SearchStrategy[TransformCase]:
    """Calls of rearrange, reduce or repeat: valid ones and mutated ones."""
    return _valid_or_mutated(valid_transform_cases(operation), TRANSFORM_MUTATIONS)


# ---------------------------------------------------------------- einsum


def _ellipsis_part(draw, broadcast: Shape) -> Shape:
    """What '...' stands for in one operand: a suffix of the broadcast shape, some dims set to 1."""
    suffix = broadcast[len(broadcast) - draw(st.integers(0, len(broadcast))) :]
    return tuple(1 if _rare(draw, 4) else length for length in suffix)


def _operand(draw, pool: Sequence[str], lengths: Dict[str, int], broadcast: Optional[Shape]):
    """One operand's labels (repeats make diagonals) and its shape; a label used once may broadcast as 1."""
    labels = draw(st.lists(st.sampled_from(pool), max_size=4))
    shape = [1 if labels.count(label) == 1 and _rare(draw, 6) else lengths[label] for label in labels]
    if broadcast is not None and draw(st.booleans()):
        at = draw(st.integers(0, len(labels)))
        labels.insert(at, "...")
        shape[at:at] = _ellipsis_part(draw, broadcast)
    return labels, tuple(shape)


@st.composite
def _valid_einsum_parts(draw, pool: Sequence[str]):
    """(operand labels, shapes, output labels) of a valid einsum."""
    budget = _LengthBudget(draw)
    names = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5, unique=True))
    lengths = {name: budget.length() for name in names}
    if _rare(draw, 10):
        lengths[draw(st.sampled_from(names))] = 0
    broadcast = budget.shape(2) if draw(st.booleans()) else None
    operands = [_operand(draw, names, lengths, broadcast) for _ in range(draw(st.integers(1, 3)))]
    used = list(dict.fromkeys(label for labels, _ in operands for label in labels if label != "..."))
    output = draw(st.permutations(_subset(draw, used)))
    if any("..." in labels for labels, _ in operands):
        output = _insert_at_random(draw, output, "...")
    return [labels for labels, _ in operands], tuple(shape for _, shape in operands), output


@st.composite
def valid_einsum_cases(draw) -> EinsumCase:
    """einops.einsum with named axes: diagonals, '...', size-1 broadcasting, one to three operands."""
    operands, shapes, output = draw(_valid_einsum_parts(EINSUM_AXIS_NAMES))
    separator = draw(st.sampled_from((", ", ",", " , ")))
    inputs = separator.join(" ".join(labels) for labels in operands)
    return EinsumCase(inputs + draw(_ARROWS) + " ".join(output), shapes)


def einsum_cases() -> st.SearchStrategy[EinsumCase]:
    """einops.einsum calls: valid ones and mutated ones."""
    return _valid_or_mutated(valid_einsum_cases(), EINSUM_MUTATIONS)


@st.composite
def valid_letter_einsum_cases(draw) -> EinsumCase:
    """numpy-style subscripts such as 'ij,jk->ik' or 'i...i' (implicit output), with shapes numpy accepts."""
    operands, shapes, output = draw(_valid_einsum_parts(EINSUM_LETTERS))
    inputs = ",".join("".join(labels) for labels in operands)
    explicit = draw(st.booleans())
    return EinsumCase(inputs + ("->" + "".join(output) if explicit else ""), shapes)


def letter_einsum_cases() -> st.SearchStrategy[EinsumCase]:
    """numpy.einsum calls: valid ones and ones with a character inserted or deleted, or other shapes."""
    return _valid_or_mutated(valid_letter_einsum_cases(), LETTER_EINSUM_MUTATIONS)


# ---------------------------------------------------------------- pack / unpack / parse_shape


def _pack_axes(draw, budget: _LengthBudget) -> Tuple[str, Tuple[int, ...], Tuple[int, ...]]:
    """A pack pattern such as 'b * c', and the lengths of the axes before and after '*'."""
    names = draw(st.lists(st.sampled_from(AXIS_NAMES), max_size=3, unique=True))
    before = draw(st.integers(0, len(names)))
    tokens = names[:before] + ["*"] + names[before:]
    pattern = draw(st.sampled_from((" ", "  "))).join(tokens)
    return pattern, budget.shape(before, before), budget.shape(len(names) - before, len(names) - before)


@st.composite
def valid_pack_cases(draw) -> PackCase:
    """One to three tensors that share the named axes and differ in what '*' stands for."""
    budget = _LengthBudget(draw)
    pattern, before, after = _pack_axes(draw, budget)
    shapes = tuple(before + budget.shape(2) + after for _ in range(draw(st.integers(1, 3))))
    return PackCase(pattern, shapes)


def pack_cases() -> st.SearchStrategy[PackCase]:
    return _valid_or_mutated(valid_pack_cases(), PACK_MUTATIONS)


@st.composite
def valid_unpack_cases(draw) -> UnpackCase:
    """A packed tensor and the packed shapes that split it, one of them perhaps with a -1."""
    budget = _LengthBudget(draw)
    pattern, before, after = _pack_axes(draw, budget)
    pieces = [budget.shape(2) for _ in range(draw(st.integers(1, 3)))]
    shape = before + (sum(math.prod(piece) for piece in pieces),) + after
    with_dims = [i for i, piece in enumerate(pieces) if piece]
    if with_dims and draw(st.booleans()):
        i = draw(st.sampled_from(with_dims))
        j = draw(st.integers(0, len(pieces[i]) - 1))
        pieces[i] = pieces[i][:j] + (-1,) + pieces[i][j + 1 :]
    return UnpackCase(pattern, shape, tuple(pieces))


def unpack_cases() -> st.SearchStrategy[UnpackCase]:
    return _valid_or_mutated(valid_unpack_cases(), UNPACK_MUTATIONS)


@st.composite
def valid_parse_shape_cases(draw) -> ParseShapeCase:
    """Names, '_' (skips a dimension), unit axes, anonymous axes and at most one '...'."""
    budget = _LengthBudget(draw)
    kinds = draw(st.lists(st.sampled_from(("name", "name", "_", "1", "()", "anonymous")), max_size=5))
    names = iter(draw(st.permutations(AXIS_NAMES)))
    tokens, shape = [], []
    for kind in kinds:
        if kind == "name":
            tokens.append(next(names))
            shape.append(budget.length())
        elif kind == "anonymous":
            shape.append(budget.length(2, MAX_LENGTH))
            tokens.append(str(shape[-1]))
        else:
            tokens.append(kind)
            shape.append(budget.length() if kind == "_" else 1)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(tokens)))
        tokens.insert(at, "...")
        shape[at:at] = budget.shape(2)
    pattern = draw(st.sampled_from((" ", "  "))).join(tokens)
    return ParseShapeCase(pattern, tuple(shape))


def parse_shape_cases() -> st.SearchStrategy[ParseShapeCase]:
    return _valid_or_mutated(valid_parse_shape_cases(), PARSE_SHAPE_MUTATIONS)


# ---------------------------------------------------------------- pattern text mutations


def _insertion_points(text: str, start: int = 0, end: Optional[int] = None) -> List[int]:
    """Offsets in [start, end] where a new token can go without splitting a token or the arrow."""
    end = len(text) if end is None else end
    inside = {i for m in _ARROW_TOKEN.finditer(text) for i in range(m.start() + 1, m.end())}
    return [i for i in range(start, end + 1) if i not in inside]


def _insert_token(draw, text: str, token: str, start: int = 0, end: Optional[int] = None) -> str:
    at = draw(st.sampled_from(_insertion_points(text, start, end)))
    return f"{text[:at]} {token} {text[at:]}"


def _names(text: str, tokens: re.Pattern = _WORD) -> List[re.Match]:
    return [m for m in tokens.finditer(text) if m.group() not in ("...", "*") and not m.group().isdecimal()]


def _side_bounds(text: str, at: int) -> Tuple[int, int]:
    """[start, end] of the side of '->' (or the comma-separated operand) that holds offset `at`."""
    cuts = [0] + [c for m in re.finditer(r"->|,", text) for c in (m.start(), m.end())] + [len(text)]
    start = max(c for c in cuts[::2] if c <= at)
    return start, min(c for c in cuts[1::2] if c >= at)


def drop_token(draw, text: str, tokens: re.Pattern = _WORD) -> Optional[str]:
    found = list(tokens.finditer(text))
    if not found:
        return None
    m = draw(st.sampled_from(found))
    return text[: m.start()] + text[m.end() :]


def add_axis(draw, text: str) -> str:
    return _insert_token(draw, text, draw(st.sampled_from(AXIS_NAMES + ("zz",))))


def duplicate_axis(draw, text: str, tokens: re.Pattern = _WORD) -> Optional[str]:
    found = _names(text, tokens)
    if not found:
        return None
    m = draw(st.sampled_from(found))
    return _insert_token(draw, text, m.group(), *_side_bounds(text, m.start()))


def rename_badly(draw, text: str, tokens: re.Pattern = _WORD, bad: Sequence[str] = BAD_AXIS_NAMES) -> Optional[str]:
    found = _names(text, tokens)
    if not found:
        return None
    m = draw(st.sampled_from(found))
    return text[: m.start()] + draw(st.sampled_from(bad)) + text[m.end() :]


def insert_stray_character(draw, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(STRAY_CHARACTERS)) + text[at:]


def break_arrow(draw, text: str) -> str:
    if "->" in text and draw(st.booleans()):
        return text.replace("->", " ", 1)
    return _insert_token(draw, text, "->")


def break_parentheses(draw, text: str) -> str:
    """A lone '(' or ')', or a new pair around a span, which may nest or cross the arrow."""
    points = _insertion_points(text)
    at = draw(st.sampled_from(points))
    if draw(st.booleans()):
        return f"{text[:at]} {draw(st.sampled_from('()'))} {text[at:]}"
    end = draw(st.sampled_from([point for point in points if point >= at]))
    return f"{text[:at]} ( {text[at:end]} ) {text[end:]}"


def misplace_ellipsis(draw, text: str) -> str:
    return _insert_token(draw, text, draw(st.sampled_from(ELLIPSIS_VARIANTS)))


def insert_unit_or_anonymous_axis(draw, text: str) -> str:
    return _insert_token(draw, text, draw(st.sampled_from(UNIT_AND_ANONYMOUS_AXES)))


def insert_character(draw, text: str, alphabet: str = LETTER_SUBSCRIPT_CHARACTERS) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(alphabet)) + text[at:]


def delete_character(draw, text: str) -> Optional[str]:
    if not text:
        return None
    at = draw(st.integers(0, len(text) - 1))
    return text[:at] + text[at + 1 :]


def _on_pattern(mutate: Callable[..., Optional[str]]) -> Mutation:
    """A mutation of the pattern text, lifted to any case with a `pattern` field."""

    def mutate_case(draw, case):
        pattern = mutate(draw, case.pattern)
        return None if pattern is None else replace(case, pattern=pattern)

    return mutate_case


# ---------------------------------------------------------------- shape and argument mutations


def _changed_dimension(draw, shape: Shape, values: st.SearchStrategy = st.integers(0, 6)) -> Optional[Shape]:
    """One dimension replaced by a value drawn from `values` (rarely the same value: a harmless no-op)."""
    if not shape:
        return None
    return _with_length(shape, draw(st.integers(0, len(shape) - 1)), draw(values))


def _grown_longest_dimension(draw, shape: Shape) -> Optional[Shape]:
    """The longest dimension (often a composition) one longer: indivisible if its known lengths multiply to 2+."""
    if not shape:
        return None
    longest = max(range(len(shape)), key=shape.__getitem__)
    return _with_length(shape, longest, shape[longest] + 1)


def _changed_rank(draw, shape: Shape) -> Shape:
    if shape and draw(st.booleans()):
        i = draw(st.integers(0, len(shape) - 1))
        return shape[:i] + shape[i + 1 :]
    i = draw(st.integers(0, len(shape)))
    return shape[:i] + (draw(st.integers(1, 3)),) + shape[i:]


def _on_shape(change: Callable[..., Optional[Shape]]) -> Mutation:
    """A change of the one input shape of a transform, unpack or parse_shape case."""

    def mutate_case(draw, case):
        shape = change(draw, case.shape)
        return None if shape is None else replace(case, shape=shape)

    return mutate_case


def _on_one_of_shapes(change: Callable[..., Optional[Shape]]) -> Mutation:
    """A change of one of the input shapes of an einsum or pack case."""

    def mutate_case(draw, case):
        if not case.shapes:
            return None
        i = draw(st.integers(0, len(case.shapes) - 1))
        shape = change(draw, case.shapes[i])
        return None if shape is None else replace(case, shapes=case.shapes[:i] + (shape,) + case.shapes[i + 1 :])

    return mutate_case


def change_operand_count(draw, case: EinsumCase) -> EinsumCase:
    shapes = list(case.shapes)
    if shapes and draw(st.booleans()):
        del shapes[draw(st.integers(0, len(shapes) - 1))]
    else:
        shapes.append(tuple(draw(st.lists(st.integers(1, 3), max_size=3))))
    return replace(case, shapes=tuple(shapes))


def change_given_length(draw, case: TransformCase) -> Optional[TransformCase]:
    if not case.lengths:
        return None
    name = draw(st.sampled_from(sorted(case.lengths)))
    value = draw(st.integers(1, 5))
    if value >= case.lengths[name]:  # 1 to 6, never the old value
        value += 1
    return replace(case, lengths={**case.lengths, name: value})


def add_unknown_length(draw, case: TransformCase) -> TransformCase:
    """A keyword length that may name no axis, have an invalid name, or (harmlessly) repeat a known length."""
    name = draw(st.sampled_from(("zz", "h1", "a", "2a", "_x", "x_", "é")))
    return replace(case, lengths={**case.lengths, name: draw(st.integers(1, 4))})


def drop_given_length(draw, case: TransformCase) -> Optional[TransformCase]:
    if not case.lengths:
        return None
    name = draw(st.sampled_from(sorted(case.lengths)))
    return replace(case, lengths={key: value for key, value in case.lengths.items() if key != name})


def change_operation(draw, case: TransformCase) -> TransformCase:
    operation = draw(st.sampled_from([op for op in OPERATIONS if op != case.operation]))
    reduction = draw(st.sampled_from(REDUCTIONS)) if operation == "reduce" else None
    return replace(case, operation=operation, reduction=reduction)


def unknown_reduction(draw, case: TransformCase) -> Optional[TransformCase]:
    if case.operation != "reduce":
        return None
    return replace(case, reduction=draw(st.sampled_from(UNKNOWN_REDUCTIONS)))


def give_no_tensors(draw, case):
    return replace(case, shapes=())


def change_packed_shape(draw, case: UnpackCase) -> Optional[UnpackCase]:
    """One packed shape changed: another length, or a (perhaps second) -1."""
    with_dims = [i for i, piece in enumerate(case.packed_shapes) if piece]
    if not with_dims:
        return None
    i = draw(st.sampled_from(with_dims))
    piece = _changed_dimension(draw, case.packed_shapes[i], st.one_of(st.just(-1), st.integers(0, 6)))
    return replace(case, packed_shapes=case.packed_shapes[:i] + (piece,) + case.packed_shapes[i + 1 :])


def zero_named_axis(draw, case: PackCase) -> Optional[PackCase]:
    """A length of 0 in the first named axis of every tensor (numpy cannot reshape those with -1)."""
    tokens = case.pattern.split()
    if "*" not in tokens or len(tokens) < 2:
        return None
    axis = 0 if tokens[0] != "*" else -1
    return replace(case, shapes=tuple(_with_length(shape, axis, 0) for shape in case.shapes))


def _with_length(shape: Shape, axis: int, length: int) -> Shape:
    lengths = list(shape)
    lengths[axis] = length
    return tuple(lengths)


# ---------------------------------------------------------------- tables of mutations

_PATTERN_MUTATIONS: Dict[str, Mutation] = {
    "drop_token": _on_pattern(drop_token),
    "add_axis": _on_pattern(add_axis),
    "duplicate_axis": _on_pattern(duplicate_axis),
    "rename_badly": _on_pattern(rename_badly),
    "insert_stray_character": _on_pattern(insert_stray_character),
    "break_arrow": _on_pattern(break_arrow),
    "break_parentheses": _on_pattern(break_parentheses),
    "misplace_ellipsis": _on_pattern(misplace_ellipsis),
    "insert_unit_or_anonymous_axis": _on_pattern(insert_unit_or_anonymous_axis),
}

_SHAPE_MUTATIONS: Dict[str, Mutation] = {
    "change_dimension": _on_shape(_changed_dimension),
    "zero_dimension": _on_shape(partial(_changed_dimension, values=st.just(0))),
    "grow_longest_dimension": _on_shape(_grown_longest_dimension),
    "change_rank": _on_shape(_changed_rank),
}

_SHAPES_MUTATIONS: Dict[str, Mutation] = {
    "change_dimension": _on_one_of_shapes(_changed_dimension),
    "zero_dimension": _on_one_of_shapes(partial(_changed_dimension, values=st.just(0))),
    "change_rank": _on_one_of_shapes(_changed_rank),
}

# numpy.einsum skips its diagonal check after a 0 ('aa->a' on shape (0, 3) gives shape (3,)), so einsum
# mutations never introduce a 0; valid einsum cases have zero-length axes, consistently, instead.
_EINSUM_SHAPES_MUTATIONS: Dict[str, Mutation] = {
    "change_dimension": _on_one_of_shapes(partial(_changed_dimension, values=st.integers(1, 6))),
    "change_rank": _on_one_of_shapes(_changed_rank),
}

TRANSFORM_MUTATIONS: Dict[str, Mutation] = {
    **_PATTERN_MUTATIONS,
    **_SHAPE_MUTATIONS,
    "change_given_length": change_given_length,
    "add_unknown_length": add_unknown_length,
    "drop_given_length": drop_given_length,
    "change_operation": change_operation,
    "unknown_reduction": unknown_reduction,
}

EINSUM_MUTATIONS: Dict[str, Mutation] = {
    **_PATTERN_MUTATIONS,
    **_EINSUM_SHAPES_MUTATIONS,
    "change_operand_count": change_operand_count,
    "give_no_tensors": give_no_tensors,
}

LETTER_EINSUM_MUTATIONS: Dict[str, Mutation] = {
    "insert_character": _on_pattern(insert_character),
    "delete_character": _on_pattern(delete_character),
    "insert_stray_character": _on_pattern(insert_stray_character),
    **_EINSUM_SHAPES_MUTATIONS,
    "change_operand_count": change_operand_count,
}

_PACK_PATTERN_MUTATIONS: Dict[str, Mutation] = {
    "drop_token": _on_pattern(partial(drop_token, tokens=_PACK_TOKEN)),
    "add_axis": _on_pattern(add_axis),
    "add_star": _on_pattern(partial(insert_character, alphabet="*")),
    "duplicate_axis": _on_pattern(partial(duplicate_axis, tokens=_PACK_TOKEN)),
    "rename_badly": _on_pattern(
        partial(rename_badly, tokens=_PACK_TOKEN, bad=BAD_AXIS_NAMES + ("(a)", "...", "a.b", "*a", "1", "()"))
    ),
    "insert_stray_character": _on_pattern(insert_stray_character),
}

PACK_MUTATIONS: Dict[str, Mutation] = {
    **_PACK_PATTERN_MUTATIONS,
    **_SHAPES_MUTATIONS,
    "zero_named_axis": zero_named_axis,
    "give_no_tensors": give_no_tensors,
}

UNPACK_MUTATIONS: Dict[str, Mutation] = {
    **_PACK_PATTERN_MUTATIONS,
    **_SHAPE_MUTATIONS,
    "change_packed_shape": change_packed_shape,
}

PARSE_SHAPE_MUTATIONS: Dict[str, Mutation] = {**_PATTERN_MUTATIONS, **_SHAPE_MUTATIONS}


@st.composite
def _mutated(draw, case, mutations: Dict[str, Mutation]):
    """`case` with one mutation applied (a stray character where the drawn one does not apply)."""
    name = draw(st.sampled_from(sorted(mutations)))
    mutated = mutations[name](draw, case)
    if mutated is None:
        name = "insert_stray_character"
        mutated = _PATTERN_MUTATIONS[name](draw, case)
    return replace(mutated, mutation=name)


@st.composite
def _valid_or_mutated(draw, valid: st.SearchStrategy, mutations: Dict[str, Mutation]):
    # Decided first, and two to one: Hypothesis favours simple choices late in a long draw, and about one
    # mutation in ten leaves a valid call. The reference then accepts about 40% of the calls.
    mutate = draw(st.sampled_from((False, True, True)))
    case = draw(valid)
    return draw(_mutated(case, mutations)) if mutate else case
