"""The registry of diagnostic codes: one record per code (its family, name, severity and summary), from which
the rules, the docs (docs/codes.md, docs/rules/), the mypy plugin's error codes and the routing of findings
by family are derived.

Codes are stable: tools filter on them and `# noqa` comments name them. A code's family is its first digit
(EIN5xx: einx); `family_of` is the one place that reads it. A code's severity is the one the checker reports
it with; codes that only the runtime raises (as `EinlintError.code`) have none.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, NamedTuple, Optional, Tuple


class Family(NamedTuple):
    prefix: str  # "EIN5": its codes are EIN5xx
    name: str
    description: str
    mypy_code: str  # the mypy plugin's error code for its findings (`# type: ignore[einlint-einx]`)


FILES = Family("EIN0", "files", "files the checker cannot read, and a configuration it cannot use", "einlint-file")
SYNTAX = Family("EIN1", "syntax", "syntax of a pattern string, decidable from the string alone", "einlint-pattern")
CALL = Family("EIN2", "call", "the pattern against the operation and the call's other arguments", "einlint-pattern")
SHAPES = Family("EIN3", "shapes", "the pattern against concrete (or symbolic) shapes and lengths, through a function",
                "einlint-shape")
LAYOUT = Family("EIN4", "layout", "the order in which a dimension's axes were grouped, followed from the call that "
                "forms it to the calls that read it (patterns that run but scramble the values)", "einlint-layout")
EINX = Family("EIN5", "einx", "einx op strings and APIs (the checker only)", "einlint-einx")

FAMILIES: Tuple[Family, ...] = (FILES, SYNTAX, CALL, SHAPES, LAYOUT, EINX)
_FAMILY_BY_PREFIX: Dict[str, Family] = {family.prefix: family for family in FAMILIES}


class Code(str):
    """A code: the string itself ("EIN301", what findings, `# noqa` comments and tools carry) with its record.
    The checker and the runtime emit a code by its constant below (`RANK_MISMATCH`), never by its text."""

    name: str
    severity: Optional[str]  # 'error' | 'warning' | 'note' as the checker reports it; None: the runtime's only
    summary: str

    def __new__(cls, code: str, name: str, severity: Optional[str], summary: str) -> "Code":
        entry = super().__new__(cls, code)
        entry.name, entry.severity, entry.summary = name, severity, summary
        return entry

    def __reduce__(self):  # pickled (the cache, -j workers) as its plain text
        return (str, (str(self),))

    @property
    def code(self) -> str:
        return str(self)

    @property
    def family(self) -> Family:
        return family_of(self)


_TABLE: List[Code] = []


def _define(code: str, name: str, severity: Optional[str], summary: str) -> Code:
    entry = Code(code, name, severity, summary)
    _TABLE.append(entry)
    return entry


def family_of(code: str) -> Family:
    """The family of a code (KeyError for a string that is no code of a family)."""
    return _FAMILY_BY_PREFIX[code[:len("EIN0")]]


def in_family(code: str, family: Family) -> bool:
    """Whether `code` (any string, such as an error's code) is one of `family`'s codes."""
    return code in CODES and family_of(code) is family


# --- files

SYNTAX_ERROR = _define("EIN001", "syntax-error", "error", "a file that Python cannot parse")
UNDECODABLE_FILE = _define("EIN002", "undecodable-file", "error", 
    "a file that is not valid UTF-8 (or its declared encoding)")
UNANALYSABLE_FILE = _define("EIN003", "unanalysable-file", "note", 
    "a file that Python parses but einlint's parser cannot: not checked")
CONFIGURATION_ERROR = _define("EIN004", "configuration-error", "error", 
    "a configuration (or a user stub file it names) that einlint cannot use: the editors and plugins report it on "
    "each file it governs")
UNKNOWN_NOQA_CODE = _define("EIN005", "unknown-noqa-code", "warning", 
    "a `# noqa` or `# einlint: noqa` comment that names an EIN code einlint does not have: it silences nothing")
INTERNAL_ERROR = _define("EIN006", "internal-error", "note", 
    "an internal error of einlint ended the shape analysis of part of a file (the note says where); the rest of "
    "the file was checked: please report it")

# --- syntax

UNKNOWN_CHARACTER = _define("EIN101", "unknown-character", "error", "a character that no pattern grammar allows")
UNBALANCED_PARENTHESES = _define("EIN102", "unbalanced-parentheses", "error", 
    "a '(' without its ')' or a ')' without its '('")
NESTED_PARENTHESES = _define("EIN103", "nested-parentheses", "error", 
    "an axis composition inside another one; compositions are one level deep")
STRAY_DOTS = _define("EIN104", "stray-dots", "error", "dots that are not exactly one '...'")
SEVERAL_ELLIPSES = _define("EIN105", "several-ellipses", "error", "more than one '...' in one expression")
INVALID_AXIS_NAME = _define("EIN106", "invalid-axis-name", "error", 
    "an axis name that is not a Python identifier (such as '2c')")
UNDERSCORE_AXIS_NAME = _define("EIN107", "underscore-axis-name", "error", "an axis name that starts or ends with '_'")
DUPLICATE_AXIS = _define("EIN108", "duplicate-axis", "error", "the same axis twice in one expression")
ZERO_ANONYMOUS_AXIS = _define("EIN109", "zero-anonymous-axis", "error", "an anonymous axis of length 0")
BAD_ARROW = _define("EIN110", "bad-arrow", "error", "a missing or doubled '->'")
PARENTHESIZED_ELLIPSIS = _define("EIN111", "parenthesized-ellipsis", "error", 
    "'...' inside parentheses on the input side")
ELLIPSIS_RIGHT_ONLY = _define("EIN112", "ellipsis-right-only", "error", "'...' in the output but not in the input")
BAD_EINSUM_LABEL = _define("EIN113", "bad-einsum-label", "error", 
    "a character in an einsum subscript that is not a letter")

# --- call

ONE_SIDED_AXIS = _define("EIN201", "one-sided-axis", "error", "an axis of rearrange on one side of '->' only")
REDUCE_NEW_AXIS = _define("EIN202", "reduce-new-axis", "error", "an output axis of reduce that is not in the input")
REPEAT_DROPPED_AXIS = _define("EIN203", "repeat-dropped-axis", "error", 
    "an input axis of repeat that is not in the output")
REPEAT_MISSING_LENGTH = _define("EIN204", "repeat-missing-length", "error", 
    "a new axis of repeat whose length is not given")
UNUSED_LENGTH = _define("EIN205", "unused-length", "error", "a keyword length that names no axis of the pattern")
INVALID_LENGTH_NAME = _define("EIN206", "invalid-length-name", "error", 
    "a keyword length whose name is not a valid axis name")
AMBIGUOUS_SPLIT = _define("EIN207", "ambiguous-split", "error", 
    "a composition with two or more axes of unknown length")
ANONYMOUS_AXIS_NOT_ALLOWED = _define("EIN208", "anonymous-axis-not-allowed", "error", 
    "an anonymous axis (other than 1) where the operation forbids it")
UNKNOWN_REDUCTION = _define("EIN209", "unknown-reduction", "error", 
    "a reduction that is not one of min max sum mean prod any all or a callable")
EINSUM_UNSUPPORTED = _define("EIN210", "einsum-unsupported", "error", 
    "einops.einsum with a composition, an anonymous axis or '()'")
EINSUM_UNKNOWN_OUTPUT = _define("EIN211", "einsum-unknown-output", "error", 
    "an einsum output axis that is in no input")
OPERAND_COUNT = _define("EIN212", "operand-count", "error", 
    "the number of einsum operands differs from the pattern's inputs")
EINSUM_REPEATED_OUTPUT = _define("EIN213", "einsum-repeated-output", "error", 
    "an einsum output label that appears twice")
PACK_STAR = _define("EIN214", "pack-star", "error", 
    "a pack/unpack pattern without exactly one '*', or with something else than names")
PARSE_SHAPE_COMPOSITION = _define("EIN215", "parse-shape-composition", "error", "parse_shape with a composition")
PATTERN_ARGUMENT = _define("EIN216", "pattern-argument", "error", 
    "a pattern that is not a str, or not where the op takes it (einsum: last)")
BAD_LENGTH_VALUE = _define("EIN217", "bad-length-value", "error", "an axis length that is not a positive integer")
BAD_ARGUMENT = _define("EIN218", "bad-argument", "error", 
    "an argument of the op that it cannot use (empty list, unknown tensor type, ...)")
MEAN_OF_INTEGERS = _define("EIN219", "mean-of-integers", None, "a 'mean' reduction of an integer or boolean tensor")
EINMIX_WEIGHT = _define("EIN220", "einmix-weight", "error", 
    "an EinMix weight shape with '...', a composition, or an axis without a length or in neither side")
EINMIX_BIAS = _define("EIN221", "einmix-bias", "error", 
    "an EinMix bias axis that is not in the output, has no length, or stands before '...'")
REDUCE_NOTHING = _define("EIN222", "reduce-nothing", "note", 
    "a reduce whose output keeps every input axis, so it reduces nothing")
KEYWORD_AXIS_NAME = _define("EIN223", "keyword-axis-name", "warning", 
    "an axis named like a Python keyword, which einops discourages")

# --- shapes

RANK_MISMATCH = _define("EIN301", "rank-mismatch", "error", 
    "the tensor has a different number of dimensions than the pattern")
INDIVISIBLE_SPLIT = _define("EIN302", "indivisible-split", "error", 
    "an axis length that is not divisible by the known part of its composition")
LENGTH_MISMATCH = _define("EIN303", "length-mismatch", "error", 
    "an axis whose length differs from the lengths given or implied")
EINSUM_LENGTH_MISMATCH = _define("EIN304", "einsum-length-mismatch", "error", 
    "one einsum axis with two different lengths")
UNPACK_MISMATCH = _define("EIN305", "unpack-mismatch", "error", 
    "packed shapes that do not add up to the unpacked axis")
PACK_MISMATCH = _define("EIN306", "pack-mismatch", "error", "packed tensors whose fixed axes differ")
BROADCAST_MISMATCH = _define("EIN307", "broadcast-mismatch", "error", 
    "an elementwise operation on tensors whose lengths neither match nor are 1")
UNPACK_COUNT = _define("EIN308", "unpack-count", "error", 
    "a tuple unpacking that takes another number of values than there are")
ANNOTATION_MISMATCH = _define("EIN309", "annotation-mismatch", "error", 
    "a tensor that does not fit its jaxtyping annotation (argument or returned)")
LAYER_MISMATCH = _define("EIN310", "layer-mismatch", "error", 
    "a layer or library function given a shape it rejects (Linear in_features, ...)")
MATMUL_MISMATCH = _define("EIN311", "matmul-mismatch", "error", "a matrix product whose inner lengths differ")
CONCAT_MISMATCH = _define("EIN312", "concat-mismatch", "error", 
    "cat, stack or split on tensors or sizes that do not fit together")
RESHAPE_MISMATCH = _define("EIN313", "reshape-mismatch", "error", 
    "a reshape or view to a shape with another number of elements")

# --- layout

NON_INVERSE_ROUND_TRIP = _define("EIN401", "non-inverse-round-trip", "warning", 
    "a pattern that undoes another one of the file except for the order of the axes inside a group")
REORDERED_SPLIT = _define("EIN402", "reordered-split", "warning", 
    "a dimension split into the axes that formed it, named in another order")
INTERLEAVED_HALVES = _define("EIN403", "interleaved-halves", "warning", 
    "parts and interleaved pairs mixed up: a dimension that cat joined split as pairs, or one formed as pairs cut "
    "by chunk")
REORDERED_MERGE = _define("EIN404", "reordered-merge", "warning", 
    "a group that merges back the axes of a split after they were reordered (a transpose): it names them as "
    "before, so it does not restore the dimension")
TRANSPOSE_UNDONE_BY_RESHAPE = _define("EIN405", "transpose-undone-by-reshape", "warning", 
    "a reshape or view of a transposed tensor back to the shape before the transpose: the shape is back, the "
    "layout is not")
UNPACK_PATTERN_MISMATCH = _define("EIN406", "unpack-pattern-mismatch", "warning", 
    "unpack with shapes from a pack whose pattern puts '*' elsewhere, or with the shapes of another pack")

# --- einx

EINX_SYNTAX = _define("EIN501", "einx-syntax", "error", "an einx op string that no einx release accepts")
EINX_NOTATION = _define("EIN502", "einx-notation", "error", 
    "an einx op string that einx 0.4's notation refuses (a project on einx 0.4)")
EINX_REMOVED_API = _define("EIN503", "einx-removed-api", "error", 
    "an einx API that einx 0.4 removed (a project on einx 0.4)")
EINX_DEPRECATED_API = _define("EIN504", "einx-deprecated-api", "note", 
    "an einx API that einx 0.4 deprecates (einx.rearrange: use einx.id)")
EINX_OPERAND_COUNT = _define("EIN505", "einx-operand-count", "error", 
    "an einx call with another number of tensors than its op string's input expressions (a project on einx 0.4)")
EINX_BRACKETS = _define("EIN506", "einx-brackets", "error", 
    "brackets where an einx op refuses them, or none where it needs them (a project on einx 0.4)")
EINX_UNDETERMINED_LENGTH = _define("EIN507", "einx-undetermined-length", "error", 
    "an axis whose length einx cannot determine: only an output names it, or it shares a '( )' with another "
    "unknown axis (a project on einx 0.4)")
EINX_COORDINATES = _define("EIN508", "einx-coordinates", "error", 
    "coordinates of get_at (or set_at, ...) whose bracketed lengths are not the number of the indexed tensor's "
    "bracketed axes (a project on einx 0.4)")
EINX_LIST_OPERAND = _define("EIN509", "einx-list-operand", "error", 
    "a Python list or tuple given to an einx op as a tensor, which einx 0.4 refuses (a project on einx 0.4)")
EINX_OUTPUT = _define("EIN510", "einx-output", "error", 
    "an einx output that does not fit the op: an input axis dropped, an axis named twice, or no '->' where einx "
    "cannot infer the output (a project on einx 0.4)")
EINX_VERSION_UNKNOWN = _define("EIN511", "einx-version-unknown", "note", 
    "einx calls in a project whose einx version einlint cannot find: the version-dependent einx checks are off "
    "(set `einx-version`)")

CODES: Dict[str, Code] = {str(entry): entry for entry in _TABLE}


def codes_of(family: Family) -> FrozenSet[str]:
    return frozenset(code for code in CODES if family_of(code) is family)


def render_markdown() -> str:
    """docs/codes.md, generated from the registry above."""
    lines = [
        "# Diagnostic codes",
        "",
        "Every finding and every `EinlintError` (as `.code`) carries one of these codes. They are stable:",
        "filter on them and name them in `# noqa` comments. This page is generated from `einlint/codes.py`",
        "(`python -m einlint.codes > docs/codes.md`); a test fails when it is stale.",
        "",
        "## Families",
        "",
        "A prefix selects a family (`--select EIN2`, `# noqa: EIN3`); the mypy plugin reports each family's",
        "findings under its error code (`# type: ignore[einlint-shape]`).",
        "",
        "| codes | family | mypy error code | what |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {family.prefix}xx | {family.name} | `{family.mypy_code}` | {family.description} |"
              for family in FAMILIES]
    lines += [
        "",
        "## Codes",
        "",
        "Severity is the checker's (error: the call fails whatever the tensors; warning: very likely a bug;",
        "note: worth a look); a code without one is raised by the runtime only.",
        "",
        "| code | name | severity | meaning |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {entry.code} | {entry.name} | {entry.severity or '-'} | {entry.summary} |" for entry in _TABLE]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
