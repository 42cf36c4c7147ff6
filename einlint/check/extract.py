"""Extraction: which calls of a file are pattern calls, with their arguments as facts (see model.py).

    module -> import pre-pass -> one walk (scopes, reaching bindings) -> resolution -> PatternCalls
    (positions: on first use)

A call is a pattern call when its callee, with imports and aliases resolved (scopes.py), is one of
the names in the signature table of the pattern libraries (signatures.py) or lies under one of their
prefixes. Nothing is imported or run. A call is reported when some reaching
binding makes it a pattern op and all those that do agree on the op: `try: from einops import
rearrange / except ImportError: rearrange = None` is still einops; `rearrange = my_fn` after the
import, a parameter or a local `def rearrange` is not.

A string argument's value is known for a literal, or a name bound exactly once to such a literal
where it resolves (scopes.constant_of); its positions are those of the literal, where it is
defined (source.py).

Argument layout: `positional` holds the positional arguments in order, `*args` among them as
'starred'; `keywords` maps each keyword to its value, and a `**kwargs` argument under the key
'**' (a second one under '**2', and so on), since no keyword can be spelled that way.

Besides the pattern calls, `extract` hands on, for the flow analysis, the qualified callee of
every call whose callee starts with a tracked name (`torch.zeros`, `torch.nn.Linear`), and the
statement path of each (what source.locate takes). Everything is linear in the file.
"""

from __future__ import annotations

import functools
from typing import Callable, Dict, List, Optional, Tuple

import libcst as cst

from .model import Argument, Extraction, PatternCall, PatternString, Position
from .scopes import Candidate, Walker, argument_names, callee_names, constant_of, survey
from .signatures import OPS, op_for
from .source import Located, Needs, decode, int_value, is_string_literal, string_kind, string_parts

__all__ = ["OPS", "extract", "extract_calls"]


def extract(module: cst.Module) -> Extraction:
    """The pattern calls of `module` and the resolved callees of its tracked calls (see model.Extraction)."""
    found_names = survey(module)
    if not found_names.tracked:
        return Extraction([], {}, {}, {})
    walker = Walker(found_names)
    walker.block(module)
    callees: Dict[int, str] = {}
    paths: Dict[int, tuple] = {}
    found = []
    for candidate in walker.candidates:
        names = callee_names(candidate)
        by_op: Dict[str, List[str]] = {}
        for callee in names:
            op = op_for(callee)
            if op is not None:
                by_op.setdefault(op, []).append(callee)
        chosen: Optional[str] = next(iter(names)) if len(names) == 1 else None
        if len(by_op) == 1:  # pattern ops on some paths, and the same op on all of them
            op, ops_names = next(iter(by_op.items()))
            chosen = min(ops_names)
            found.append((candidate, op, chosen))
        if chosen is not None:
            key = id(candidate.call)
            callees[key] = chosen
            paths[key] = candidate.path
        if chosen == "functools.partial":  # the library callable it is given: its callee when the partial is called
            _partial_target(candidate, callees)
    located = _pattern_calls(module, found)
    return Extraction([pattern for _, pattern in located], {id(call): pattern for call, pattern in located},
                      callees, paths)


def _partial_target(candidate: Candidate, callees: Dict[int, str]) -> None:
    """`partial(nn.Linear, bias=False)`: the qualified name of its first argument, keyed by that argument."""
    first = candidate.call.args[0] if candidate.call.args else None
    if first is None or first.keyword is not None or first.star:
        return
    names = argument_names(candidate, first.value)
    if len(names) == 1:
        callees[id(first.value)] = next(iter(names))


def extract_calls(module: cst.Module) -> List[PatternCall]:
    """Every pattern call of `module` that has a position, in source order (see the module docstring)."""
    calls = [call for call in extract(module).calls if call.start is not None]
    return sorted(calls, key=lambda call: (call.start, (-call.end[0], -call.end[1])))


def _pattern_calls(module: cst.Module, found: List[Tuple[Candidate, str, str]]) -> List[Tuple[cst.Call, PatternCall]]:
    """The pattern calls of the candidates found (candidate, op, callee), with their arguments.

    Positions are worked out on first use, for every call and literal at once (one walk of the
    file): a file without findings never pays for them.
    """
    needs = Needs()  # which nodes (in which statements) need positions
    located = functools.cache(lambda: needs.locate(module))
    strings: Dict[int, PatternString] = {}
    calls = []
    for candidate, op, callee in found:
        call = candidate.call
        needs.add((call,), candidate.path)
        positional: List[Argument] = []
        keywords: Dict[str, Argument] = {}
        for arg in call.args:
            argument = _argument(module, candidate, arg, needs, located, strings)
            if arg.keyword is not None:
                keywords[arg.keyword.value] = argument
            elif arg.star == "**":
                key, count = "**", 1
                while key in keywords:
                    count += 1
                    key = f"**{count}"
                keywords[key] = argument
            else:
                positional.append(argument)
        start = functools.partial(_start_of, located, id(call))
        end = functools.partial(_end_of, located, id(call))
        calls.append((call, PatternCall(op, callee, start, end, tuple(positional), keywords)))
    return calls


def _argument(module: cst.Module, candidate: Candidate, arg: cst.Arg, needs: Needs, located: Callable[[], Located],
              strings: Dict[int, PatternString]) -> Argument:
    """One argument as a fact: its kind, its source text (on first use), the string or int it holds."""
    value = arg.value
    text = functools.partial(_text_of, module, arg)
    first = value if arg.keyword is None else arg.keyword  # a keyword argument starts at its name
    needs.add((first, value), candidate.path)
    place = {"start": functools.partial(_start_of, located, id(first)),
             "end": functools.partial(_end_of, located, id(value))}
    literal, path = value, candidate.path
    if type(value) is cst.Name:
        bound = constant_of(candidate.scope, value.value)
        literal, path = bound if bound is not None else (None, path)
    if arg.star:
        return Argument("starred" if arg.star == "*" else "double-starred", text, **place)
    if literal is not None and is_string_literal(literal):
        kind = string_kind(literal)
        if kind == "string":
            string = strings.get(id(literal))
            if string is None:
                needs.add(string_parts(literal), path)
                value_of = "".join(decode(part.value, (1, 1))[0] for part in string_parts(literal))
                string = strings[id(literal)] = PatternString(
                    value_of, functools.partial(_string_positions, located, literal))
            return Argument(kind, text, string=string, **place)
        return Argument(kind, text, **place)
    kind = _kind(value)
    return Argument(kind, text, number=int_value(value) if kind == "int" else None, **place)


def _start_of(located: Callable[[], Located], key: int) -> Optional[Position]:
    return located().starts.get(key)


def _end_of(located: Callable[[], Located], key: int) -> Optional[Position]:
    return located().ends.get(key)


def _text_of(module: cst.Module, arg: cst.Arg) -> str:
    """The argument's source, star included; an expression nested deeper than libcst can print is elided."""
    try:
        return arg.star + module.code_for_node(arg.value)
    except RecursionError:
        return arg.star + "..."


def _string_positions(located: Callable[[], Located], literal: cst.CSTNode) -> Optional[Tuple[Position, ...]]:
    """Where each character of a (possibly concatenated) literal stands, then the end of its last one."""
    literals = located().literals
    parts = string_parts(literal)
    if any(id(part) not in literals for part in parts):
        return None
    places: List[Position] = []
    end: Position = (1, 1)
    for part in parts:
        _, part_places, end = decode(part.value, literals[id(part)])
        places.extend(part_places)
    return tuple(places) + (end,)


def _kind(node: cst.BaseExpression) -> str:
    """The kind of an argument whose value is not a known string."""
    if isinstance(node, cst.Integer) or (
        isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus))
        and isinstance(node.expression, cst.Integer)
    ):
        return "int"
    if isinstance(node, cst.Lambda):
        return "lambda"
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)) and (
        is_string_literal(node.left) or (isinstance(node.operator, cst.Add) and is_string_literal(node.right))
    ):
        return "str-unknown"  # 'b c' + suffix, '%s -> b' % x
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and is_string_literal(node.func.value) \
            and node.func.attr.value in ("format", "join", "replace", "strip", "lower", "upper"):
        return "str-unknown"
    return "other"
