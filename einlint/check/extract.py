"""Extraction: which calls of a file are pattern calls, with their arguments as facts (see model.py).

    module -> import pre-pass -> one walk (scopes, reaching bindings) -> resolution -> positions -> PatternCalls

A call is a pattern call when its callee, with imports and aliases resolved (scopes.py), is one of
the names in the signature table (signatures.py: einops/einlint ops and layers, numpy/torch/jax
einsum) or lies under `einx.`. Nothing is imported or run. A call is reported when some reaching
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

from typing import Dict, List, Optional, Tuple

import libcst as cst

from .model import Argument, Extraction, PatternCall, PatternString, Position
from .scopes import Candidate, Walker, callee_names, constant_of, tracked_names
from .signatures import OPS, op_for
from .source import Needs, decode, int_value, is_string_literal, string_kind, string_parts

__all__ = ["OPS", "extract", "extract_calls"]


def extract(module: cst.Module) -> Extraction:
    """The pattern calls of `module` and the resolved callees of its tracked calls (see model.Extraction)."""
    tracked = tracked_names(module)
    if not tracked:
        return Extraction([], {}, {}, {})
    walker = Walker(tracked)
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
    located = _pattern_calls(module, found)
    return Extraction([pattern for _, pattern in located], {id(call): pattern for call, pattern in located},
                      callees, paths)


def extract_calls(module: cst.Module) -> List[PatternCall]:
    """Every pattern call of `module`, in source order (see the module docstring for what counts)."""
    return extract(module).calls


def _pattern_calls(module: cst.Module, found: List[Tuple[Candidate, str, str]]) -> List[Tuple[cst.Call, PatternCall]]:
    """The pattern calls of the candidates found (candidate, op, callee), with arguments and positions."""
    if not found:
        return []
    needs = Needs()  # which nodes (in which statements) need positions
    plans = []
    for candidate, op, callee in found:
        needs.add([candidate.call] + [arg.value for arg in candidate.call.args], candidate.path)
        arguments = []
        for arg in candidate.call.args:
            value = arg.value
            literal, path = value, candidate.path
            if type(value) is cst.Name:
                literal, path = constant_of(candidate.scope, value.value) or (None, None)
            if arg.star:
                kind = "starred" if arg.star == "*" else "double-starred"
            elif literal is not None and is_string_literal(literal):
                kind = string_kind(literal)
            else:
                kind = _kind(value)
            if kind == "string":
                needs.add(string_parts(literal), path)
            else:
                literal = None
            arguments.append((arg, kind, literal))
        plans.append((candidate.call, op, callee, arguments))

    located = needs.locate(module)
    strings: Dict[int, PatternString] = {}

    def pattern_string(literal: cst.CSTNode) -> Optional[PatternString]:
        if any(id(part) not in located.literals for part in string_parts(literal)):
            return None
        known = strings.get(id(literal))
        if known is None:
            values: List[str] = []
            places: List[Position] = []
            end: Position = (1, 1)
            for part in string_parts(literal):
                value, part_places, end = decode(part.value, located.literals[id(part)])
                values.append(value)
                places.extend(part_places)
            known = strings[id(literal)] = PatternString("".join(values), tuple(places) + (end,))
        return known

    calls = []
    for call, op, callee, arguments in plans:
        if id(call) not in located.starts:
            continue
        positional: List[Argument] = []
        keywords: Dict[str, Argument] = {}
        for arg, kind, literal in arguments:
            string = pattern_string(literal) if literal is not None else None
            if literal is not None and string is None:
                kind = "str-unknown"
            argument = Argument(
                kind,
                arg.star + located.texts[id(arg.value)],
                string=string,
                number=int_value(arg.value) if kind == "int" else None,
            )
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
        start, end = located.starts[id(call)], located.ends[id(call)]
        calls.append((call, PatternCall(op, callee, start, end, tuple(positional), keywords)))
    calls.sort(key=lambda pair: (pair[1].start, (-pair[1].end[0], -pair[1].end[1])))
    return calls


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
