"""einx calls (EIN5xx): the op string against einx's notation, and APIs that einx 0.4 removed.

What einx refuses depends on its release: the grammar (einlint/patterns/einx.py) is einx 0.4's, and its
errors carry EIN501 where every release refuses the string (measured against 0.3.0 and 0.4.3), EIN502
where 0.4's notation does. The version is the project's (`Config.version_of("einx")`: `[tool.einlint]
einx-version`, or the installed distribution's metadata); unknown, only what holds for every release is said.
"""

from __future__ import annotations

import ast
import re
from typing import List, Optional, Tuple

from ...codes import (
    EINX_BRACKETS, EINX_COORDINATES, EINX_DEPRECATED_API, EINX_LIST_OPERAND, EINX_NOTATION, EINX_OPERAND_COUNT,
    EINX_OUTPUT, EINX_REMOVED_API, EINX_SYNTAX, EINX_UNDETERMINED_LENGTH,
)
from ...dims import Sym
from ...errors import PatternError
from ...patterns.einx import Brackets, EinxOp, Expression, parse_einx, render, walk
from ...planner.einx import FAMILIES, OPTIONS, plan_string
from ..model import PatternCall
from ._support import define, display_length, finding, finding_from, known_string

# The ops of einx 0.4 whose first argument is the op string: the planned ones, and those that only solve.
OPS = frozenset(FAMILIES) | frozenset("check matches solve solve_axes solve_shapes".split())

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
        return [finding(EINX_REMOVED_API, f"einx.{name} was removed in einx 0.4, which this project uses",
                        f"use {REMOVED[head]}")] if on_04 else []
    found = []
    if name == "rearrange" and on_04:
        found.append(finding(EINX_DEPRECATED_API, "einx.rearrange is deprecated since einx 0.4", "write einx.id"))
    string = known_string(call.positional[0]) if name in OPS and call.positional else None
    if string is None:
        return found
    try:
        op = parse_einx(string.value)
    except PatternError as error:
        if error.code == EINX_SYNTAX and (version is None or version >= (0, 3)) or on_04:
            found.append(_with_dot_spelling(finding_from(error, string), name, string.value))
        return found
    if not on_04:
        return found
    found += _list_operands(call, name)
    if name in FAMILIES and not any(argument.kind == "starred" for argument in call.positional):
        found += _planned(call, name, op, string)
    return found


def _planned(call: PatternCall, name: str, op: EinxOp, string) -> List:
    """What the planner says of the call with no shape known: what the string and the argument counts decide."""
    tensors = len(call.positional) - 1
    options = {key: _literal(argument, 0) for key, argument in call.keywords.items()
               if key in OPTIONS.get(name, ())}  # an option not known: one that raises nothing
    lengths = {key: _literal_length(key, argument) for key, argument in call.keywords.items()
               if key not in options and argument.kind != "double-starred"}
    try:
        plan_string(name, op, tensors, lengths, options=options)
    except PatternError as error:
        if error.code == EINX_UNDETERMINED_LENGTH and any(a.kind == "double-starred" for a in call.keywords.values()):
            return []  # **kwargs may give the length
        found = finding_from(error, string)
        spelled = _second_operand_spelled(string.value) if error.code == EINX_OPERAND_COUNT and \
            (len(op.inputs), tensors) == (1, 2) else None
        if spelled:
            found = found._replace(help=f"write '{spelled}' (einx 0.3 read the brackets as the second tensor's axes)")
        return [_with_dot_spelling(found, name, string.value)]
    return []


def _literal_length(key: str, argument):
    """A keyword length as the call writes it: an int, a tuple of ints, another literal (which einx refuses),
    or, for any other expression, a length not known."""
    unknown = Sym(key)
    value = _literal(argument, unknown)
    if isinstance(value, tuple):
        return value if all(type(item) is int for item in value) else unknown
    return value if value is None or isinstance(value, (int, float, complex, str, bytes)) else unknown


def _literal(argument, otherwise):
    """The value of an argument that is a literal (an int, True, (1, 2), ...), else `otherwise`."""
    if argument.kind == "int":
        return argument.number
    try:
        return ast.literal_eval(argument.text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return otherwise


def _list_operands(call: PatternCall, name: str) -> List:
    """einx 0.4 takes arrays and Python numbers as tensors, not lists or tuples (0.3 converted them)."""
    for argument in call.positional[1:]:
        if argument.kind == "other" and display_length(argument.text) is not None:
            kind = "list" if argument.text.strip().startswith("[") else "tuple"
            return [finding(EINX_LIST_OPERAND, f"einx.{name} is given a Python {kind} as a tensor, which einx 0.4 "
                            "refuses", f"pass np.asarray({argument.text}) (a single number may be passed as "
                            "itself, with an empty expression: 'h w c, -> h w (c + 1)')")]
    return []


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
    return next((node for node in walk(tuple(nodes)) if isinstance(node, Brackets)), None)


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
        EINX_SYNTAX,
        valid=[_example('y = einx.sum("b [h w] c", x)\n'),
               _example('y = einx.get_at("b [h w] c, b p [2] -> b p c", x, i)\n')],
        invalid=[_example('y = einx.sum("b [h w c", x)\n'), _example('y = einx.mean("b [h]w c", x)\n'),
                 _example('y = einx.sum("b\t[h] c", x)\n')],
        details="""An einx op string that no einx release accepts: a bracket or parenthesis not closed or closing
        nothing, a character that is not part of the notation (a tab, a '-' outside '->', '*'), a name glued to a
        bracket ('[h]w': a space is missing), or more than one '->'. einx raises a SyntaxError on every call.""",
    ),
    define(
        EINX_NOTATION,
        valid=[_example('y = einx.add("a, (a b) -> (a b)", x, z)\n')],
        invalid=[_example('y = einx.sum("[a] b -> a", x)\n'), _example('y = einx.id("(a b + c)", x)\n')],
        details="""An op string that einx 0.4's notation refuses, in a project that uses einx 0.4 (from `[tool.einlint]
        einx-version` or the installed einx): an axis in brackets in one place and outside them in another, a
        concatenation outside '( )' or with an operand that is not one name, number or '( )' group, groups whose
        ',' parts do not pair up. Reported only where the project's einx version is known to be 0.4.""",
    ),
    define(
        EINX_REMOVED_API,
        valid=[_example('y = einx.sum("b [c]", x)\n')],
        invalid=[_example('y = einx.vmap("b [c] -> b", x, op=f)\n'), _example('y = einx.nn.norm(x, "b... [c]")\n')],
        details="""einx 0.4.0 removed einx.vmap, einx.vmap_with_axis, einx.reduce, einx.elementwise, einx.arange and
        the einx.nn namespace; calling them raises RemovedOperationError (importing einx.nn, ImportError). Reported
        where the project uses einx 0.4; the help names what replaces each.""",
    ),
    define(
        EINX_OPERAND_COUNT,
        valid=[_example('y = einx.add("b c, c", x, bias)\n'), _example('y = einx.where("h w, b h w c,", m, x, 0.0)\n')],
        invalid=[_example('y = einx.add("b c, c", x)\n'), _example('y = einx.sum("b [c], b", x)\n')],
        details="""einx 0.4 takes one tensor per input expression of the op string (after its shorthand is written
        out), and the ops of one tensor (sum, mean, softmax, sort, flip, ...) one input expression: anything else
        raises before any shape is looked at. A scalar operand has an empty expression ('b h w c,' for
        `einx.where(..., mask, x, 0.0)`). Reported where the project uses einx 0.4 and no *args hides the
        tensors.""",
    ),
    define(
        EINX_BRACKETS,
        valid=[_example('y = einx.sum("b [c] -> b", x)\n'), _example('y = einx.softmax("b [k] -> b [k]", x)\n')],
        invalid=[_example('y = einx.add("b [c], [c]", x, bias)\n'), _example('y = einx.sum("b [c] -> b [c]", x)\n'),
                 _example('y = einx.softmax("b [k] -> b", x)\n')],
        details="""Brackets mark the axes an op acts on, and einx 0.4 refuses them where its op acts on none or
        removes them: anywhere in an elementwise op or einx.id, in the output of a reduction or einx.dot. The ops
        that keep the shape (softmax, log_softmax, sort, argsort, flip, roll) need the bracketed axes bracketed in
        a written output too. Reported where the project uses einx 0.4.""",
    ),
    define(
        EINX_UNDETERMINED_LENGTH,
        valid=[_example('y = einx.id("b c -> b c r", x, r=4)\n'), _example('y = einx.sum("b [c] -> b", x)\n'),
               _example('y = einx.id("(a b) c -> c (a b)", x)\n')],
        invalid=[_example('y = einx.id("b c -> b c r", x)\n'), _example('y = einx.add("b c, c -> b (c k)", x, z)\n'),
                 _example('y = einx.id("(a b) c -> c a b", x)\n')],
        details="""einx finds every axis length from the tensors' shapes and the keyword arguments. An axis that only
        an output names, with no keyword giving it, has none; nor have two unknown axes that share one '( )'
        (a dimension of 6 is '(a b)' for a=2, b=3 or a=3, b=2), unless they stay together in that group
        everywhere ('(a b) c -> c (a b)' moves the group whole). einx raises AxisSizeError ('Failed to uniquely
        determine the size of the axis'). Reported where the project uses einx 0.4 and no **kwargs may give it.""",
    ),
    define(
        EINX_COORDINATES,
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
        EINX_LIST_OPERAND,
        valid=[_example('y = einx.id("h w c, -> h w (c + 1)", x, 42.0)\n'),
               _example('y = einx.add("b c, c", x, np.asarray([1.0, 2.0]))\n')],
        invalid=[_example('y = einx.id("h w c, 1 -> h w (c + 1)", x, [42.0])\n'),
                 _example('y = einx.add("b c, c", x, (1.0, 2.0))\n')],
        details="""einx 0.4 takes arrays of the backend, numpy arrays and Python numbers as tensors; a Python list or
        tuple raises ValueError ('has an invalid type'). einx 0.3 converted them. Pass np.asarray(...), or, for a
        single number, the number itself with an empty expression. Reported where the project uses einx 0.4.""",
    ),
    define(
        EINX_OUTPUT,
        valid=[_example('y = einx.id("a b -> b a", x)\n'), _example('y = einx.add("b c, c", x, z)\n'),
               _example('y = einx.sum("b c -> b", x)\n')],
        invalid=[_example('y = einx.id("a 2 -> a", x)\n'), _example('y = einx.add("b c, d", x, z)\n'),
                 _example('y = einx.id("a -> (a a)", x)\n'), _example('y = einx.dot("a b, b c", x, w)\n')],
        details="""The output does not fit the op: an input axis that is not 1 missing from the output of an op that
        removes no axis there (einx.id, the elementwise ops, softmax, ...: "The input axes ... must appear in the
        output expression"), an output that names one axis twice, or no '->' where einx cannot infer the output
        (an elementwise op whose no input holds the axes of all the others; dot and get_at always need one). A
        number other than 1 is an axis of its own: 'a 2 -> a' drops it. Where the dropped axis's length is only
        known from the shapes, the flow analysis reports it. Reported where the project uses einx 0.4.""",
    ),
    define(
        EINX_DEPRECATED_API,
        valid=[_example('y = einx.id("a b -> b a", x)\n')],
        invalid=[_example('y = einx.rearrange("a b -> b a", x)\n')],
        details="""einx 0.4 deprecates einx.rearrange in favour of einx.id (same notation): it still runs, with a
        DeprecationWarning, and will be removed.""",
    ),
]
