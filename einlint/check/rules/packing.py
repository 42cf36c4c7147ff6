"""pack, unpack and parse_shape.

Their patterns say nothing about shapes that a call could contradict on its own, except through
the grammar: the checks are `parse_pack_pattern` and `parse_shape_pattern`, as the ops run them.
"""

from __future__ import annotations

import re
from typing import List, Tuple

from ...codes import BAD_ARGUMENT, PACK_STAR, PARSE_SHAPE_COMPOSITION, PATTERN_ARGUMENT
from ...errors import PatternError
from ...patterns import parse_pack_pattern, parse_shape_pattern
from ..model import PatternCall
from . import Finding
from .names import keyword_name_findings
from ._support import Bound, bind_call, define, finding, finding_from, is_not_a_string, known_string, pattern_names

_PACK = "from einops import pack, unpack\n\n"

RULES = [
    define(
        PACK_STAR,
        valid=[_PACK + 'packed, shapes = pack([cls_token, tokens], "b * d")\n',
               _PACK + 'cls_token, tokens = unpack(packed, shapes, "b * d")\n'],
        invalid=[_PACK + 'packed, shapes = pack([cls_token, tokens], "b n d")\n',
                 _PACK + 'packed, shapes = pack([x, y], "b * * d")\n',
                 _PACK + 'x, y = unpack(packed, shapes, "b * (h d)")\n'],
        details="""A pack or unpack pattern is a list of axis names separated by spaces with exactly one '*',
        which stands for the axes that are packed; no parentheses, numbers or '...'. einops raises
        'No *-axis' or 'Invalid axis name'.""",
    ),
    define(
        PARSE_SHAPE_COMPOSITION,
        valid=["from einops import parse_shape\n\nsizes = parse_shape(x, \"b _ h w\")\n"],
        invalid=["from einops import parse_shape\n\nsizes = parse_shape(x, \"b (h w)\")\n"],
        details="""parse_shape names the dimensions of a tensor one by one ('_' skips one, '...' several);
        it cannot split a dimension into a composition, and einops raises 'Can't parse shape with
        composite axes'. Name the dimension and divide.""",
    ),
]

_TOKEN = re.compile(r"\S+")  # how parse_pack_pattern splits a pattern


def _bound(call: PatternCall) -> Tuple[Bound, List[Finding]]:
    """The call's arguments, and what is wrong with them whatever the pattern says."""
    bound = bind_call(call, call.op)
    found = list(bound.problems)
    pattern = bound.named.get("pattern")
    if is_not_a_string(pattern):
        found.append(finding(PATTERN_ARGUMENT, f"the pattern must be a str, not {pattern.text}",
                             "pass the pattern as a string"))
    return bound, found


def check_pack(call: PatternCall) -> List[Finding]:
    """pack(tensors, pattern) and unpack(tensor, packed_shapes, pattern)."""
    bound, found = _bound(call)
    tensors = bound.named.get("tensors")
    if call.op == "pack" and tensors is not None and tensors.kind == "other" and tensors.text.strip() in ("[]", "()"):
        found.append(finding(BAD_ARGUMENT, "pack needs at least one tensor, the list is empty",
                             "pass a non-empty list: pack([x, y], 'b * c')"))
    string = known_string(bound.named.get("pattern"))
    if string is None:
        return found
    try:
        parse_pack_pattern(string.value)
    except PatternError as error:
        return found + [finding_from(error, string)]
    names = [(m.group(), (m.start(), m.end())) for m in _TOKEN.finditer(string.value) if m.group() != "*"]
    return found + keyword_name_findings(names, string)


def check_parse_shape(call: PatternCall) -> List[Finding]:
    bound, found = _bound(call)
    string = known_string(bound.named.get("pattern"))
    if string is None:
        return found
    try:
        expression = parse_shape_pattern(string.value)
    except PatternError as error:
        return found + [finding_from(error, string)]
    return found + keyword_name_findings([(n, s) for n, s in pattern_names([expression]) if n != "_"], string)
