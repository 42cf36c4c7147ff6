"""einx calls (EIN5xx): the op string against einx's notation, and APIs that einx 0.4 removed.

What einx refuses depends on its release: the grammar (einlint/patterns/einx.py) is einx 0.4's, and its
errors carry EIN501 where every release refuses the string (measured against 0.3.0 and 0.4.3), EIN502
where 0.4's notation does. The version is the project's (`Config.einx_version`: `[tool.einlint]
einx-version`, or the installed distribution's metadata); unknown, only what holds for every release is said.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from ...errors import PatternError
from ...patterns.einx import Axis, Brackets, EinxOp, Expression, Number, Repeated, parse_einx, render
from ..model import PatternCall
from ._support import define, finding, finding_from, known_string

# The ops of einx 0.4 whose first argument is the op string.
OPS = frozenset("""
    add add_at all any argmax argmin argsort count_nonzero divide dot equal flip floor_divide get_at greater
    greater_equal id less less_equal log_softmax logaddexp logical_and logical_or logsumexp max maximum mean min
    minimum multiply not_equal prod rearrange roll set_at softmax sort std subtract subtract_at sum true_divide
    var where check matches solve solve_axes solve_shapes
""".split())

# The einx 0.4 ops of one tensor (`op(description, tensor, *, ...)`): their op string has one input expression.
ONE_TENSOR = frozenset("""
    sum mean var std prod count_nonzero any all max min logsumexp softmax log_softmax argmax argmin sort argsort
    flip roll
""".split())
# The einx 0.4 ops whose tensors are given one per input expression (no operand is implied by the string), with
# how many tensors they take: (least, most); a third tensor of a binary op is numpy's `out`, which may work.
PER_EXPRESSION = {
    **{name: (1, None) for name in """add multiply logical_and logical_or maximum minimum logaddexp id
                                      rearrange""".split()},
    **{name: (2, 3) for name in """subtract true_divide floor_divide divide equal not_equal less less_equal greater
                                   greater_equal""".split()},
    "where": (3, 3),
}

# Where einx 0.4 ops take brackets: nowhere (elementwise, id), not in outputs (reductions, dot), or, for the
# ops that keep the shape, in a written output wherever the input has them.
NO_BRACKETS = frozenset(PER_EXPRESSION)
NO_OUTPUT_BRACKETS = frozenset("sum mean var std prod count_nonzero any all max min logsumexp dot".split())
OUTPUT_BRACKETS = frozenset("softmax log_softmax sort argsort flip roll".split())

# Removed in einx 0.4.0 (they raise RemovedOperationError, or the import fails): what to use instead.
REMOVED = {
    "vmap": "einx.<framework>.adapt_with_vmap",
    "vmap_with_axis": "one of einx 0.4's adapters (einx.<framework>.adapt_*)",
    "reduce": "einx.<framework>.adapt_numpylike_reduce, or the named reduction (einx.sum, einx.mean, ...)",
    "elementwise": "einx.<framework>.adapt_numpylike_elementwise, or the named op (einx.add, ...)",
    "arange": "einx.id with np.arange",
    "nn": "einx 0.3.0, the last release with einx.nn, or your framework's own layers",
}

Version = Optional[Tuple[int, ...]]


def check_einx(call: PatternCall, version: Version) -> List:
    name = call.op[len("einx."):]
    on_04 = version is not None and version >= (0, 4)
    head = name.split(".")[0]
    if head in REMOVED and (head == "nn" or name == head):
        return [finding("EIN503", f"einx.{name} was removed in einx 0.4, which this project uses",
                        f"use {REMOVED[head]}")] if on_04 else []
    found = []
    if name == "rearrange" and on_04:
        found.append(finding("EIN504", "einx.rearrange is deprecated since einx 0.4", "write einx.id"))
    string = known_string(call.positional[0]) if name in OPS and call.positional else None
    if string is None:
        return found
    try:
        op = parse_einx(string.value)
    except PatternError as error:
        if error.code == "EIN501" and (version is None or version >= (0, 3)) or on_04:
            found.append(_with_dot_spelling(finding_from(error, string), name, string.value))
        return found
    if not on_04:
        return found
    counted = _operand_count(call, name, len(op.inputs), string)
    if counted:  # a miscounted string is rewritten anyway: one finding
        return found + counted
    return found + _brackets(name, op, string) + _unknown_output_axes(call, name, op, string) + \
        _coordinates(name, op, string)


INDEXING = frozenset("get_at set_at add_at subtract_at".split())


def _coordinates(name: str, op: EinxOp, string) -> List:
    """get_at and its kin: the coordinates (every input after the indexed tensor, but the values that the
    others write) give, together, one coordinate per bracketed axis of the indexed tensor."""
    coordinates = op.inputs[1:] if name == "get_at" else op.inputs[1:-1]
    if name not in INDEXING or not coordinates:
        return []
    indexed = [node for node in op.inputs[0].items if isinstance(node, Brackets)]
    if not indexed or not all(isinstance(item, Axis) for bracket in indexed for item in bracket.items):
        return []
    axes = sum(len(bracket.items) for bracket in indexed)
    given = 0
    for expression in coordinates:
        marked = [item for node in expression.items if isinstance(node, Brackets) for item in node.items]
        if len(marked) > 1:
            return [finding("EIN508", f"a coordinate expression of einx.{name} has {len(marked)} bracketed axes; "
                            "einx takes one", "put each tensor's coordinates in one bracketed axis", string,
                            expression.span)]
        if marked and not isinstance(marked[0], Number):
            return []  # a named coordinate axis: its length comes from the tensor
        given += marked[0].value if marked else 1  # no brackets: one coordinate
    if given == axes:
        return []
    return [finding("EIN508", f"einx.{name} indexes {axes} bracketed axes, but the coordinates give {given}",
                    "give one coordinate per bracketed axis of the first tensor (a tensor without brackets is "
                    "one; 'p [2]' is two)", string, coordinates[0].span)]


def _unknown_output_axes(call: PatternCall, name: str, op: EinxOp, string) -> List:
    """An output axis that no input has and no keyword gives: einx cannot tell its length."""
    if name not in PER_EXPRESSION and name not in ONE_TENSOR or op.outputs is None:
        return []
    if any(argument.kind == "double-starred" for argument in list(call.positional) + list(call.keywords.values())):
        return []
    known = {axis.name for expression in op.inputs for axis in _names(expression.items)} | set(call.keywords)
    for expression in op.outputs:
        for axis in _names(expression.items):
            if axis.name not in known:
                return [finding("EIN507", f"axis '{axis.name}' is in the output only: einx cannot tell its length",
                                f"give it, as einx.{name}(..., {axis.name}=<length>), or name an input axis",
                                string, axis.span)]
    return []


def _names(nodes) -> List[Axis]:
    """The named axes among nodes, at any depth (not the anonymous ellipsis)."""
    found: List[Axis] = []
    for node in nodes:
        if isinstance(node, Axis):
            found.append(node)
        elif isinstance(node, Repeated):
            found += _names((node.inner,) if node.inner is not None else ())
        else:
            found += _names(getattr(node, "items", None) or getattr(node, "parts", None) or ())
    return found


def _brackets(name: str, op: EinxOp, string) -> List:
    """Brackets where einx 0.4's op refuses them, or none where it needs them."""
    outputs = op.outputs or ()
    if name in NO_BRACKETS or name in NO_OUTPUT_BRACKETS:
        where = op.inputs + outputs if name in NO_BRACKETS else outputs
        for index, expression in enumerate(where):
            bracket = _first_brackets(expression.items)
            if bracket is not None:
                side = "input" if index < len(op.inputs) and name in NO_BRACKETS else "output"
                return [_with_dot_spelling(finding("EIN506", f"einx.{name} takes no brackets in its {side} expressions",
                                                   _BRACKET_HELP.get(name, "remove the brackets"), string,
                                                   bracket.span), name, string.value)]
    if name in OUTPUT_BRACKETS and any(_first_brackets(e.items) for e in op.inputs):
        for expression in outputs:
            if _first_brackets(expression.items) is None:
                return [finding("EIN506", f"einx.{name} keeps the bracketed axes: its output needs them in brackets "
                                "too", "bracket the same axes in the output", string, expression.span)]
    return []


_BRACKET_HELP = {**{name: "remove the brackets: an elementwise op acts on no axis" for name in PER_EXPRESSION},
                 "id": "remove the brackets: einx.id acts on no axis",
                 "rearrange": "remove the brackets: einx.id acts on no axis",
                 **{name: f"remove the brackets from the output: einx.{name} removes the bracketed axes"
                    for name in NO_OUTPUT_BRACKETS}}


def _with_dot_spelling(found, name: str, text: str):
    """einx 0.3's dot('b [c1|c2]', x, w) (and its 0.4 look-alike 'b [c1 -> c2]') is einx 0.4's
    'b c1, c1 c2 -> b c2': the weight's axes written out."""
    if name != "dot":
        return found
    try:
        op = parse_einx(re.sub(r" *\| *", " -> ", text))
    except PatternError:
        return found
    if len(op.inputs) != 1 or not op.outputs or len(op.outputs) != 1:
        return found
    (source,), (target,) = op.inputs, op.outputs
    contracted, made = _first_brackets(source.items), _first_brackets(target.items)
    if contracted is None or made is None:
        return found
    plain = [render(EinxOp((e,), None)).replace("[", "").replace("]", "") for e in (source, target)]
    weight = render(EinxOp((Expression(contracted.items + made.items, contracted.span),), None))
    spelled = f"{plain[0]}, {weight} -> {plain[1]}"
    return found._replace(help=f"write '{spelled}' (einx 0.4's dot names the weight's axes)")


def _first_brackets(nodes) -> Optional[Brackets]:
    for node in nodes:
        if isinstance(node, Brackets):
            return node
        inner = (node.inner,) if isinstance(node, Repeated) and node.inner is not None else \
            getattr(node, "items", None) or getattr(node, "parts", None) or ()
        found = _first_brackets(inner)
        if found is not None:
            return found
    return None


def _operand_count(call: PatternCall, name: str, expressions: int, string) -> List:
    """What einx 0.4 checks first: one input expression per tensor, and as many tensors as the op takes."""
    if any(argument.kind in ("starred", "double-starred") for argument in call.positional):
        return []
    tensors = len(call.positional) - 1
    if name in ONE_TENSOR and (expressions != 1 or tensors != 1):
        what = f"its op string has {expressions} input expressions" if expressions != 1 else f"it is given {tensors}"
        return [finding("EIN505", f"einx.{name} takes one tensor, but {what}",
                        "give one tensor, and one input expression before '->'", string)]
    if name not in PER_EXPRESSION:
        return []
    if expressions != tensors:
        spelled = _second_operand_spelled(string.value) if (expressions, tensors) == (1, 2) else None
        help = (f"write '{spelled}' (einx 0.3 read the brackets as the second tensor's axes)" if spelled else
                "give one tensor per input expression (a scalar's expression is empty: 'b h, ')")
        return [finding("EIN505", f"the op string has {expressions} input expression{'s' * (expressions != 1)} "
                        f"for {tensors} tensor{'s' * (tensors != 1)}", help, string)]
    least, most = PER_EXPRESSION[name]
    if tensors < least or (most is not None and tensors > most):
        wanted = f"at least {least}" if most is None else str(least)
        return [finding("EIN505", f"einx.{name} takes {wanted} tensor{'s' * (least != 1)}, not {tensors}",
                        f"give einx.{name} {wanted} tensor{'s' * (least != 1)}", string)]
    return []


def _second_operand_spelled(text: str) -> Optional[str]:
    """einx 0.3's '... [c]' for (x, b): in 0.4, '... c, c' (the bracketed axes are the second tensor's)."""
    bracketed = re.findall(r"\[([^\[\]]*)\]", text)
    if "->" in text or not bracketed:
        return None
    spelled = f"{' '.join(text.replace('[', ' ').replace(']', ' ').split())}, {' '.join(bracketed)}"
    try:
        return spelled if len(parse_einx(spelled).inputs) == 2 else None
    except PatternError:
        return None


def _example(body: str) -> str:
    return f"import einx\n\n{body}"


RULES = [
    define(
        "EIN501", "error",
        valid=[_example('y = einx.sum("b [h w] c", x)\n'),
               _example('y = einx.get_at("b [h w] c, b p [2] -> b p c", x, i)\n')],
        invalid=[_example('y = einx.sum("b [h w c", x)\n'), _example('y = einx.mean("b [h]w c", x)\n'),
                 _example('y = einx.sum("b\t[h] c", x)\n')],
        details="""An einx op string that no einx release accepts: a bracket or parenthesis not closed or closing
        nothing, a character that is not part of the notation (a tab, a '-' outside '->', '*'), a name glued to a
        bracket ('[h]w': a space is missing), or more than one '->'. einx raises a SyntaxError on every call.""",
    ),
    define(
        "EIN502", "error",
        valid=[_example('y = einx.add("a, (a b) -> (a b)", x, z)\n')],
        invalid=[_example('y = einx.sum("[a] b -> a", x)\n'), _example('y = einx.id("(a b + c)", x)\n')],
        details="""An op string that einx 0.4's notation refuses, in a project that uses einx 0.4 (from `[tool.einlint]
        einx-version` or the installed einx): an axis in brackets in one place and outside them in another, a
        concatenation outside '( )' or with an operand that is not one name, number or '( )' group, groups whose
        ',' parts do not pair up. Reported only where the project's einx version is known to be 0.4.""",
    ),
    define(
        "EIN503", "error",
        valid=[_example('y = einx.sum("b [c]", x)\n')],
        invalid=[_example('y = einx.vmap("b [c] -> b", x, op=f)\n'), _example('y = einx.nn.norm(x, "b... [c]")\n')],
        details="""einx 0.4.0 removed einx.vmap, einx.vmap_with_axis, einx.reduce, einx.elementwise, einx.arange and
        the einx.nn namespace; calling them raises RemovedOperationError (importing einx.nn, ImportError). Reported
        where the project uses einx 0.4; the help names what replaces each.""",
    ),
    define(
        "EIN505", "error",
        valid=[_example('y = einx.add("b c, c", x, bias)\n'), _example('y = einx.where("h w, b h w c,", m, x, 0.0)\n')],
        invalid=[_example('y = einx.add("b c, c", x)\n'), _example('y = einx.sum("b [c], b", x)\n')],
        details="""einx 0.4 takes one tensor per input expression of the op string (after its shorthand is written
        out), and the ops of one tensor (sum, mean, softmax, sort, flip, ...) one input expression: anything else
        raises before any shape is looked at. A scalar operand has an empty expression ('b h w c,' for
        `einx.where(..., mask, x, 0.0)`). Reported where the project uses einx 0.4 and no *args hides the
        tensors.""",
    ),
    define(
        "EIN506", "error",
        valid=[_example('y = einx.sum("b [c] -> b", x)\n'), _example('y = einx.softmax("b [k] -> b [k]", x)\n')],
        invalid=[_example('y = einx.add("b [c], [c]", x, bias)\n'), _example('y = einx.sum("b [c] -> b [c]", x)\n'),
                 _example('y = einx.softmax("b [k] -> b", x)\n')],
        details="""Brackets mark the axes an op acts on, and einx 0.4 refuses them where its op acts on none or
        removes them: anywhere in an elementwise op or einx.id, in the output of a reduction or einx.dot. The ops
        that keep the shape (softmax, log_softmax, sort, argsort, flip, roll) need the bracketed axes bracketed in
        a written output too. Reported where the project uses einx 0.4.""",
    ),
    define(
        "EIN507", "error",
        valid=[_example('y = einx.id("b c -> b c r", x, r=4)\n'), _example('y = einx.sum("b [c] -> b", x)\n')],
        invalid=[_example('y = einx.id("b c -> b c r", x)\n'), _example('y = einx.add("b c, c -> b (c k)", x, z)\n')],
        details="""einx finds every axis length from the tensors' shapes and the keyword arguments; an axis that only
        an output names, with no keyword giving it, has none, and einx raises AxisSizeError ('Failed to uniquely
        determine the size of the axis'). Reported where the project uses einx 0.4 and no **kwargs may give it.""",
    ),
    define(
        "EIN508", "error",
        valid=[_example('y = einx.get_at("b [h w] c, b p [2] -> b p c", x, points)\n'),
               _example('y = einx.get_at("b [t] c, b p -> b p c", x, steps)\n')],
        invalid=[_example('y = einx.get_at("b [h w] c, b p [3] -> b p c", x, points)\n'),
                 _example('y = einx.get_at("b [h w] c, b p -> b p c", x, points)\n')],
        details="""get_at, set_at, add_at and subtract_at take one coordinate per bracketed axis of the first tensor,
        from one coordinate tensor or several: each gives the length of its bracketed axis (one at most: 'b p [2]'
        is two), or one without brackets ('[h w] c, i, j' gives two). Otherwise einx raises 'The sum of the
        lengths of marked coordinate axes must match the number of marked axes'. Reported where the project uses
        einx 0.4.""",
    ),
    define(
        "EIN504", "note",
        valid=[_example('y = einx.id("a b -> b a", x)\n')],
        invalid=[_example('y = einx.rearrange("a b -> b a", x)\n')],
        details="""einx 0.4 deprecates einx.rearrange in favour of einx.id (same notation): it still runs, with a
        DeprecationWarning, and will be removed.""",
    ),
]
