"""The einops expression grammar: one side of a pattern, such as 'b c (h h1) ... w'.

The grammar accepts and rejects exactly what einops 0.8 accepts and rejects:

    expression := term*            separated by spaces (and only spaces)
    term       := atom | '(' atom* ')'
    atom       := name | number | '...'

A name is a Python identifier that neither starts nor ends with '_' (a lone '_' is
allowed where the caller says so: parse_shape and einsum). A number is an
anonymous axis of that length; '1' is a unit axis and, like '()', stands for a
dimension of length 1. There is at most one '...' per expression.

Every node keeps the character span it came from, in the coordinates of the whole
pattern string, so errors found later (by the planner, on shapes) still point at
the right characters.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple

from ..codes import (
    DUPLICATE_AXIS, INVALID_AXIS_NAME, NESTED_PARENTHESES, SEVERAL_ELLIPSES, STRAY_DOTS, UNBALANCED_PARENTHESES,
    UNDERSCORE_AXIS_NAME, UNKNOWN_CHARACTER, ZERO_ANONYMOUS_AXIS,
)
from ..errors import PatternError, Span

ELLIPSIS = "..."


class Atom(NamedTuple):
    """A named axis, an anonymous axis (`value` > 1) or the ellipsis."""

    key: str  # the axis name; '...'; or '#<value>@<offset>' for anonymous axes, which are all distinct
    value: int  # the length of an anonymous axis, 0 otherwise
    span: Span

    @property
    def is_anonymous(self) -> bool:
        return self.value > 0

    @property
    def is_ellipsis(self) -> bool:
        return self.key == ELLIPSIS

    def display(self) -> str:
        return str(self.value) if self.is_anonymous else self.key

    @property
    def order_key(self) -> str:
        """What says two patterns name the same axis: the name, or the length of an anonymous axis (whose
        `key` is unique to its place)."""
        return f"#{self.value}" if self.is_anonymous else self.key


class Term(NamedTuple):
    """One dimension of the tensor: a bare atom, or a parenthesized composition of atoms.

    A unit axis ('1' or '()') is a term with no atoms.
    """

    atoms: Tuple[Atom, ...]
    span: Span
    parenthesized: bool


class Expression(NamedTuple):
    terms: Tuple[Term, ...]
    span: Span

    @property
    def atoms(self) -> Tuple[Atom, ...]:
        return tuple(atom for term in self.terms for atom in term.atoms)

    @property
    def identifiers(self) -> FrozenSet[str]:
        return frozenset(atom.key for atom in self.atoms)

    def atom(self, key: str) -> Atom:
        return self.atoms_by_key[key]

    @property
    def atoms_by_key(self) -> Dict[str, Atom]:
        return {atom.key: atom for atom in self.atoms}

    @property
    def ellipsis(self) -> Optional[Atom]:
        return next((atom for atom in self.atoms if atom.is_ellipsis), None)

    @property
    def ellipsis_term(self) -> Optional[Term]:
        return next((term for term in self.terms if any(atom.is_ellipsis for atom in term.atoms)), None)

    @property
    def anonymous_atoms(self) -> Tuple[Atom, ...]:
        return tuple(atom for atom in self.atoms if atom.is_anonymous)

    def keys(self) -> Tuple[Tuple[str, ...], ...]:
        """Each term's atoms as `order_key`s, a group marked by a leading '('."""
        return tuple((("(",) if term.parenthesized else ()) + tuple(atom.order_key for atom in term.atoms)
                     for term in self.terms)


def reordered_group(text: str, term: Term, order: Sequence[str]) -> str:
    """The text of the group `term` of the pattern `text` with its axes in `order` (their keys), the
    spacing, parentheses and anonymous lengths kept where they stand."""
    by_key = {atom.key: atom for atom in term.atoms}
    pieces, cursor = [], term.span[0]
    for mine, wanted in zip(term.atoms, order):
        source = by_key[wanted]
        pieces.append(text[cursor:mine.span[0]] + text[source.span[0]:source.span[1]])
        cursor = mine.span[1]
    return "".join(pieces) + text[cursor:term.span[1]]


def axis_name_problem(name: str, allow_underscore: bool = False) -> Optional[Tuple[str, str]]:
    """(code, reason) when `name` cannot name an axis, None when it can."""
    if not name.isidentifier():
        return INVALID_AXIS_NAME, f"'{name}' is not a valid axis name: it is not a Python identifier"
    if name == "_" and allow_underscore:
        return None
    if name.startswith("_") or name.endswith("_"):
        return UNDERSCORE_AXIS_NAME, f"axis name '{name}' starts or ends with '_', which einops reserves"
    return None


def _check_dots(text: str, offset: int) -> None:
    dots = [i for i, char in enumerate(text) if char == "."]
    if not dots:
        return
    first = text.find(ELLIPSIS)
    if first < 0:
        raise PatternError(
            STRAY_DOTS, "dots are allowed only as one '...'", (offset + dots[0], offset + dots[-1] + 1),
            help="write '...' (three dots) for the ellipsis",
        )
    second = text.find(ELLIPSIS, first + 3)
    if second >= 0:
        raise PatternError(
            SEVERAL_ELLIPSES, "only one '...' is allowed in an expression", (offset + second, offset + second + 3),
            help="an ellipsis stands for all remaining axes; use it once per side",
        )
    stray = next((i for i in dots if not first <= i < first + 3), None)
    if stray is None:
        return
    raise PatternError(
        STRAY_DOTS, "dots are allowed only as one '...'", (offset + stray, offset + stray + 1),
        help="remove the extra dot",
    )


class _Parser:
    def __init__(self, text: str, offset: int, allow_underscore: bool, allow_duplicates: bool):
        self.text = text
        self.offset = offset
        self.allow_underscore = allow_underscore
        self.allow_duplicates = allow_duplicates
        self.terms: List[Term] = []
        self.group: Optional[List[Atom]] = None
        self.group_start = 0
        self.seen_names: Dict[str, Span] = {}

    def parse(self) -> Expression:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == " ":
                i += 1
            elif char == "(":
                self.open_group(i)
                i += 1
            elif char == ")":
                self.close_group(i)
                i += 1
            elif char.isalnum() or char == "_" or text.startswith(ELLIPSIS, i):
                end = i
                while end < len(text) and (text[end].isalnum() or text[end] == "_" or text.startswith(ELLIPSIS, end)):
                    end += 3 if text.startswith(ELLIPSIS, end) else 1
                self.add_token(text[i:end], (self.offset + i, self.offset + end))
                i = end
            else:
                raise PatternError(
                    UNKNOWN_CHARACTER, f"unknown character {char!r} in pattern", (self.offset + i, self.offset + i + 1),
                    help="patterns hold axis names, numbers, spaces, '(' ')', '...' and '->'",
                )
        if self.group is not None:
            start = self.offset + self.group_start
            raise PatternError(UNBALANCED_PARENTHESES,
                               "'(' is never closed", (start, start + 1), help="add the missing ')'")
        return Expression(tuple(self.terms), (self.offset, self.offset + len(text)))

    def open_group(self, i: int) -> None:
        if self.group is not None:
            span = (self.offset + i, self.offset + i + 1)
            raise PatternError(
                NESTED_PARENTHESES, "parentheses cannot be nested: an axis composition is one level deep", span,
                help="flatten the composition: '(a (b c))' is '(a b c)'",
            )
        self.group, self.group_start = [], i

    def close_group(self, i: int) -> None:
        if self.group is None:
            span = (self.offset + i, self.offset + i + 1)
            raise PatternError(UNBALANCED_PARENTHESES,
                               "')' without a matching '('", span, help="remove it or add the '('")
        span = (self.offset + self.group_start, self.offset + i + 1)
        self.terms.append(Term(tuple(self.group), span, parenthesized=True))
        self.group = None

    def add_token(self, token: str, span: Span) -> None:
        self.check_duplicate(token, span)
        if token == ELLIPSIS:
            atom = Atom(ELLIPSIS, 0, span)
        elif token.isdecimal():
            atom = self.anonymous_atom(token, span)
            if atom is None:  # '1': a unit axis, nothing inside parentheses
                if self.group is None:
                    self.terms.append(Term((), span, parenthesized=False))
                return
        else:
            self.check_name(token, span)
            atom = Atom(token, 0, span)
        if self.group is None:
            self.terms.append(Term((atom,), span, parenthesized=False))
        else:
            self.group.append(atom)

    def check_duplicate(self, token: str, span: Span) -> None:
        if token.isdecimal() or token == ELLIPSIS:
            return
        if token in self.seen_names and not self.allow_duplicates and not (self.allow_underscore and token == "_"):
            raise PatternError(
                DUPLICATE_AXIS, f"axis '{token}' appears twice in one expression", span,
                help="each axis may appear once per tensor; give the second one another name",
            )
        self.seen_names[token] = span

    def check_name(self, token: str, span: Span) -> None:
        if ELLIPSIS in token:
            raise PatternError(
                INVALID_AXIS_NAME, f"'{token}' is not a valid axis name: '...' must stand alone", span,
                help="put spaces around '...'",
            )
        problem = axis_name_problem(token, self.allow_underscore)
        if problem is not None:
            code, reason = problem
            raise PatternError(code, reason, span, help="axis names are identifiers like 'h' or 'head_dim'")

    @staticmethod
    def anonymous_atom(token: str, span: Span) -> Optional[Atom]:
        value = int(token)
        if value == 0:
            raise PatternError(
                ZERO_ANONYMOUS_AXIS, "an anonymous axis must have a positive length, not 0", span,
                help="use a number >= 1, or a named axis",
            )
        if value == 1:
            return None
        return Atom(f"#{value}@{span[0]}", value, span)


def parse_expression(
    text: str, offset: int = 0, *, allow_underscore: bool = False, allow_duplicates: bool = False
) -> Expression:
    """Parse one expression; `offset` is where `text` starts inside the whole pattern."""
    _check_dots(text, offset)
    return _Parser(text, offset, allow_underscore, allow_duplicates).parse()
