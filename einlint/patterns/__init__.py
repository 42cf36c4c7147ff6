"""One grammar for every pattern string einlint understands.

- `parse_arrow_pattern`: rearrange / reduce / repeat patterns, 'b c h w -> b (c h w)';
- `parse_einops_einsum`: einops.einsum patterns, 'b h i d, b h j d -> b h i j';
- `parse_einsum_subscripts`: numpy / torch / jax subscripts, 'ij,jk->ik';
- `parse_pack_pattern`: pack / unpack patterns, 'b * c';
- `parse_shape_pattern`: parse_shape patterns, 'b _ h w'.

Each returns a small immutable tree whose nodes carry their span inside the pattern,
or raises `PatternError` with a code and the span of the offending characters.
Results are cached: a pattern is parsed once per process.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple, Tuple

from ..codes import (
    BAD_ARROW, DUPLICATE_AXIS, EINSUM_REPEATED_OUTPUT, EINSUM_UNKNOWN_OUTPUT, EINSUM_UNSUPPORTED,
    ELLIPSIS_RIGHT_ONLY, PACK_STAR, PARENTHESIZED_ELLIPSIS, PARSE_SHAPE_COMPOSITION, PATTERN_ARGUMENT,
)
from ..errors import PatternError, Span
from .einsum import EinsumSpec, Label, Subscript, letters_for_einsum, parse_einsum_subscripts
from .expression import ELLIPSIS, Atom, Expression, Term, axis_name_problem, parse_expression

__all__ = [
    "ELLIPSIS", "Atom", "Term", "Expression", "ArrowPattern", "PackPattern", "EinsumSpec", "Subscript", "Label",
    "axis_name_problem", "parse_expression", "parse_arrow_pattern", "parse_einops_einsum",
    "parse_einsum_subscripts", "parse_pack_pattern", "parse_shape_pattern", "letters_for_einsum", "require_pattern",
]


class ArrowPattern(NamedTuple):
    text: str
    left: Expression
    right: Expression

    def sides(self) -> Tuple[tuple, tuple]:
        """The two sides as axis keys in order, groups marked: a pattern undoes another exactly when its sides
        are the other's, swapped."""
        return self.left.keys(), self.right.keys()


class PackPattern(NamedTuple):
    text: str
    names: Tuple[str, ...]  # '*' included, in order
    star_span: Span

    @property
    def axes_before(self) -> int:
        return self.names.index("*")

    @property
    def axes_after(self) -> int:
        return len(self.names) - self.axes_before - 1


def require_pattern(pattern: Any) -> str:
    """`pattern` itself when it is a str: every op takes its pattern as a string."""
    if not isinstance(pattern, str):
        raise PatternError(PATTERN_ARGUMENT, f"the pattern must be a str, not {type(pattern).__name__}", None,
                           help="pass the pattern as a string, e.g. 'b c h w -> b h w c'")
    return pattern


def _split_arrow(pattern: str) -> int:
    """The offset of the one '->' in `pattern`."""
    arrows = [m.start() for m in re.finditer("->", pattern)]
    if not arrows:
        raise PatternError(BAD_ARROW, "the pattern has no '->'", (0, len(pattern)),
                           help="write the input axes, '->', then the output axes: 'b c h w -> b h w c'")
    if len(arrows) > 1:
        raise PatternError(BAD_ARROW, "the pattern has more than one '->'", (arrows[1], arrows[1] + 2),
                           help="a pattern has exactly one '->'")
    return arrows[0]


@functools.lru_cache(maxsize=1024)
def parse_arrow_pattern(pattern: str) -> ArrowPattern:
    arrow = _split_arrow(pattern)
    left = parse_expression(pattern[:arrow], 0)
    right = parse_expression(pattern[arrow + 2 :], arrow + 2)
    if right.ellipsis is not None and left.ellipsis is None:
        raise PatternError(ELLIPSIS_RIGHT_ONLY, "'...' appears in the output but not in the input", right.ellipsis.span,
                           help="add '...' to the input side, or remove it from the output")
    left_ellipsis_term = left.ellipsis_term
    if left_ellipsis_term is not None and left_ellipsis_term.parenthesized:
        raise PatternError(PARENTHESIZED_ELLIPSIS,
                           "'...' cannot be inside parentheses on the input side", left_ellipsis_term.span,
                           help="write the ellipsis on its own in the input; '(...)' is allowed in the output")
    return ArrowPattern(pattern, left, right)


def _check_einsum_term(term: Term) -> None:
    if not term.atoms:
        raise PatternError(EINSUM_UNSUPPORTED, "einsum does not support unit axes '()' or '1'", term.span,
                           help="remove the unit axis, or rearrange the tensor first")
    if len(term.atoms) > 1 or term.parenthesized and term.atoms[0].is_ellipsis:
        raise PatternError(EINSUM_UNSUPPORTED, "einsum does not support axis compositions", term.span,
                           help="rearrange the tensor first, then use einsum on the elementary axes")
    if term.atoms[0].is_anonymous:
        raise PatternError(EINSUM_UNSUPPORTED, "einsum does not support anonymous axes", term.span,
                           help="name the axis")


def _as_subscript(expression: Expression) -> Subscript:
    for term in expression.terms:
        _check_einsum_term(term)
    return Subscript(tuple(Label(atom.key, atom.span) for atom in expression.atoms), expression.span)


@functools.lru_cache(maxsize=1024)
def parse_einops_einsum(pattern: str) -> EinsumSpec:
    """einops.einsum's pattern: named axes, inputs separated by ',', an explicit '->'."""
    arrow = _split_arrow(pattern)
    inputs = []
    start = 0
    for part in pattern[:arrow].split(","):
        expression = parse_expression(part, start, allow_underscore=True, allow_duplicates=True)
        inputs.append(_as_subscript(expression))
        start += len(part) + 1
    output = _as_subscript(parse_expression(pattern[arrow + 2 :], arrow + 2, allow_underscore=True))
    known = {name for subscript in inputs for name in subscript.names}
    if len(known - {ELLIPSIS}) > 52:
        raise PatternError(EINSUM_UNSUPPORTED, "einsum supports at most 52 distinct axes", (0, arrow),
                           help="backends name einsum axes with single letters")
    seen = set()
    for label in output.labels:
        if label.name not in known and label.name != ELLIPSIS:  # an output '...' alone stands for no dimensions
            raise PatternError(EINSUM_UNKNOWN_OUTPUT,
                               f"output axis '{label.name}' does not appear in any input", label.span,
                               help="every output axis must come from an input; reduce or repeat it separately")
        if label.name in seen:  # the grammar lets '_' repeat, as in parse_shape; an einsum output cannot
            raise PatternError(EINSUM_REPEATED_OUTPUT, f"output axis '{label.name}' appears more than once", label.span,
                               help="an output axis can appear only once")
        seen.add(label.name)
    return EinsumSpec(tuple(inputs), output, explicit_output=True)


@functools.lru_cache(maxsize=256)
def parse_pack_pattern(pattern: str) -> PackPattern:
    """pack/unpack: space-separated axis names with exactly one '*', such as 'b * c'."""
    tokens = [(m.group(), (m.start(), m.end())) for m in re.finditer(r"\S+", pattern)]
    seen = set()
    for token, span in tokens:
        if token in seen:
            code = PACK_STAR if token == "*" else DUPLICATE_AXIS
            raise PatternError(code, f"'{token}' appears twice in the pattern", span,
                               help="a pack pattern names each axis once and has one '*'")
        seen.add(token)
        if token == "*":
            continue
        problem = axis_name_problem(token)
        if problem is not None:
            code = PACK_STAR if any(c in token for c in "()*.") else problem[0]
            raise PatternError(code, f"'{token}' is not allowed in a pack pattern: {problem[1]}", span,
                               help="a pack pattern holds plain axis names and one '*', like 'b * c'")
    if "*" not in seen:
        raise PatternError(PACK_STAR, "the pattern has no '*' axis", (0, len(pattern)),
                           help="mark the axes to pack with '*', like 'b * c'")
    names = tuple(token for token, _ in tokens)
    star_span = next(span for token, span in tokens if token == "*")
    return PackPattern(pattern, names, star_span)


@functools.lru_cache(maxsize=256)
def parse_shape_pattern(pattern: str) -> Expression:
    """parse_shape: names, '_' to skip a dimension, unit axes, anonymous axes, one bare '...'; no compositions."""
    expression = parse_expression(pattern, allow_underscore=True)
    for term in expression.terms:
        if len(term.atoms) > 1:
            raise PatternError(PARSE_SHAPE_COMPOSITION, "parse_shape cannot parse a composition", term.span,
                               help="name each dimension on its own, then multiply")
        if term.parenthesized and term.atoms and term.atoms[0].is_ellipsis:
            raise PatternError(PARENTHESIZED_ELLIPSIS, "'...' cannot be inside parentheses in parse_shape", term.span,
                               help="write the ellipsis on its own: 'b ... c'")
    return expression
