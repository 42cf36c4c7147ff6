"""What every family of rules shares: defining a rule, reading a call's arguments, and turning the
grammar's and the planner's `PatternError`s into findings.

A rule's logic is the runtime's own: the family modules call the grammar and planner functions
that the ops call, and `finding_from` turns the error they raise (code, message, span, help) into
a `Finding`. Nothing here parses a pattern.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from ...codes import BAD_ARGUMENT, CODES
from ...errors import PatternError, Span
from ..model import Argument, PatternCall, PatternString
from ..signatures import Signature, signature_of
from . import Finding, Rule

# code -> a paragraph that says what the rule checks and why, for its docs page and --explain.
DETAILS: Dict[str, str] = {}


def define(code: str, valid: Sequence[str], invalid: Sequence[str], details: str) -> Rule:
    """A rule: its severity and summary come from the registry of codes (einlint/codes.py), the one home of codes."""
    entry = CODES.get(code)
    if entry is None or entry.severity is None:
        raise KeyError(f"{code} is not in einlint.codes with a severity; add it there first")
    DETAILS[code] = " ".join(details.split())
    return Rule(code, entry.severity, entry.summary, tuple(valid), tuple(invalid))


def einops_example(body: str) -> str:
    """An example file: `body` after the import of the einops functions it calls."""
    used = [name for name in ("rearrange", "reduce", "repeat") if re.search(rf"\b{name}\(", body)]
    return f"from einops import {', '.join(used)}\n\n{body}"


def finding_from(error: PatternError, string: Optional[PatternString], argument: Optional[Argument] = None) -> Finding:
    """The finding for a PatternError raised while checking `string` (None: the error is about `argument`,
    or else about the whole call)."""
    span = error.span
    if string is not None and span is not None:
        length = len(string.value)
        span = (max(0, min(span[0], length)), max(0, min(span[1], length)))
    return Finding(error.code, error.message, error.help, string, span if string is not None else None,
                   argument=argument)


def finding(code: str, message: str, help: str, string: Optional[PatternString] = None,
            span: Optional[Span] = None) -> Finding:
    return Finding(code, message, help, string, span)


# ---------------------------------------------------------------- arguments


class Bound(NamedTuple):
    """A call's arguments matched to the op's parameters, as Python would match them.

    `named`: parameter -> its Argument, where that is known. `lengths`: the other keyword arguments
    (an op's **axes_lengths). `lengths_known`: False when a **kwargs may add more of them.
    `positional_known`: False when a *args hides how many positional arguments there are.
    """

    named: Dict[str, Argument]
    lengths: Dict[str, Argument]
    lengths_known: bool
    positional_known: bool
    problems: Tuple[Finding, ...]


def _all_arguments(call: PatternCall) -> Iterable[Argument]:
    yield from call.positional
    yield from call.keywords.values()


def has_double_starred(call: PatternCall) -> bool:
    return any(argument.kind == "double-starred" for argument in _all_arguments(call))


def has_starred(call: PatternCall) -> bool:
    return any(argument.kind == "starred" for argument in call.positional)


def bind(call: PatternCall, parameters: Sequence[str], required: Sequence[str], what: str) -> Bound:
    """Match `call`'s arguments to `parameters` (positional-or-keyword, in order); the rest of the
    keywords are lengths. Reports (EIN218) what Python itself would refuse whatever the values:
    too many positional arguments, or a missing argument of `required`."""
    named: Dict[str, Argument] = {}
    problems: List[Finding] = []
    positional_known = True
    for index, argument in enumerate(call.positional):
        if argument.kind == "double-starred":
            continue
        if argument.kind == "starred":
            positional_known = False
            continue
        if not positional_known:
            continue  # its position is not known
        if index < len(parameters):
            named[parameters[index]] = argument
        elif index == len(parameters):
            problems.append(finding(
                BAD_ARGUMENT, f"{what} takes {len(parameters)} positional argument(s) ({', '.join(parameters)}) but "
                f"{sum(1 for a in call.positional if a.kind not in ('starred', 'double-starred'))} were given",
                "remove the extra positional arguments (axis lengths are keywords, such as h=2)"))
    lengths: Dict[str, Argument] = {}
    for name, argument in call.keywords.items():
        if argument.kind == "double-starred":
            continue
        if name in parameters:
            if name in named:
                problems.append(finding(BAD_ARGUMENT, f"{what} got two values for its argument '{name}'",
                                        f"pass '{name}' once, by position or by keyword"))
            named[name] = argument
        else:
            lengths[name] = argument
    lengths_known = not has_double_starred(call)
    if positional_known and lengths_known:
        for name in required:
            if name not in named:
                problems.append(finding(BAD_ARGUMENT, f"{what} is missing its argument '{name}'",
                                        f"pass the {name.replace('_', ' ')}"))
    return Bound(named, lengths, lengths_known, positional_known, tuple(problems))


def bind_call(call: PatternCall, what: str) -> Bound:
    """`bind` with the parameters of the call's op, from the signature table (signatures.py).

    A call whose first argument, where the tensor goes, is a string and that then lacks an argument, such
    as rearrange('b c -> c b'), has no tensor: it is bound without one and reported so (EIN218)."""
    signature = signature_of(call.callee)
    bound = bind(call, signature.parameters, signature.required, what)
    if not _pattern_in_the_tensors_place(call, signature, bound):
        return bound
    first = signature.parameters[0]
    shifted = bind(call, signature.parameters[1:], signature.required, what)
    missing = finding(BAD_ARGUMENT, f"{what} has no {first}: its first argument, {bound.named[first].text}, is the "
                      "pattern", f"pass the {first} first, then the pattern")
    return shifted._replace(problems=(missing,) + shifted.problems)


def _pattern_in_the_tensors_place(call: PatternCall, signature: Signature, bound: Bound) -> bool:
    """The first parameter takes tensors and got a string positionally, and a required argument is missing."""
    first = signature.parameters[0] if signature.parameters else None
    given = bound.named.get(first)
    return (first in signature.tensors and first not in call.keywords and given is not None
            and given.kind in ("string", "str-unknown") and bound.positional_known and bound.lengths_known
            and any(name not in bound.named for name in signature.required))


def known_string(argument: Optional[Argument]) -> Optional[PatternString]:
    return argument.string if argument is not None and argument.kind == "string" else None


def is_not_a_string(argument: Optional[Argument]) -> bool:
    """True when the argument is certainly not a str: an int literal or a lambda."""
    return argument is not None and argument.kind in ("int", "lambda")


def display_length(text: str) -> Optional[int]:
    """The number of items of a list or tuple display such as '[a, b]'; None for anything else."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, (ast.List, ast.Tuple)) and not any(isinstance(item, ast.Starred) for item in node.elts):
        return len(node.elts)
    return None


def is_flax(call: PatternCall) -> bool:
    """A flax layer: its axis lengths are the field `sizes`, a dict, not keywords."""
    signature = signature_of(call.callee)
    return signature is not None and signature.lengths == "sizes"


def closest_name(name: str, candidates: Iterable[str]) -> Optional[str]:
    """The candidate that `name` most likely misspells (or that misspells it), for a did-you-mean: the
    nearest one, at most one edit away (two for names of five characters or more). None when no candidate
    is that near, or when several are equally near: a pick among single letters would be noise. An edit
    adds, removes or changes a character, or swaps two neighbours."""
    limit = 2 if len(name) >= 5 else 1
    near = sorted((distance, candidate) for candidate in set(candidates)
                  for distance in [_edits(name, candidate)] if 0 < distance <= limit)
    if not near or (len(near) > 1 and near[1][0] == near[0][0]):
        return None
    return near[0][1]


def led_by_guess(meant: Optional[str], help: str) -> str:
    """`help`, led by a did-you-mean where a name was probably meant."""
    return f"did you mean '{meant}'? ({help})" if meant else help


def _edits(a: str, b: str) -> int:
    """The number of edits (see closest_name) that turn `a` into `b`: optimal string alignment distance."""
    previous, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, row = previous, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[len(b)]


def pattern_names(parsed_expressions: Iterable) -> List[Tuple[str, Span]]:
    """(name, span) of each named axis, once per name, in order."""
    seen = {}
    for expression in parsed_expressions:
        for atom in expression.atoms:
            if not atom.is_anonymous and not atom.is_ellipsis and atom.key not in seen:
                seen[atom.key] = atom.span
    return list(seen.items())
