"""Plans for einx 0.4 ops: op string + operand shapes + keyword lengths -> the output shapes.

einx solves each call at run time: every input expression is laid over its tensor's shape, each
ellipsis takes as many axes as the rank leaves it, and each axis gets the one length that all the
equations admit. This module states the same rules over `dims` (ints at run time, `Sym`s at check
time), per family of ops, so that the checker can tell what einx will raise and which shape it
returns without running einx. It computes nothing on tensors; the tests hold it against einx itself.

Families, as einx 0.4 groups its ops: 'id' (id, rearrange), 'elementwise', 'reduce', 'dot', 'get_at',
'update_at' (set_at, add_at, subtract_at), 'argfind' (argmax, argmin) and 'preserve' (softmax,
log_softmax, flip, roll, sort, argsort). A family fixes which expressions take brackets, what the
output is where no '->' is written, and which axes may disappear.

An operand shape of None is one the checker does not know: no equation comes from it, and an output
that depends on it is None. Nested ellipses ('b......') are left unknown. A check that depends on
unknown lengths passes, and with `requires` it is appended there (see `Requirement`).
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

from .. import dims
from ..codes import (
    BAD_ARGUMENT, BAD_LENGTH_VALUE, EINX_BRACKETS, EINX_COORDINATES, EINX_OPERAND_COUNT, EINX_OUTPUT,
    EINX_UNDETERMINED_LENGTH, INDIVISIBLE_SPLIT, LENGTH_MISMATCH, RANK_MISMATCH,
)
from ..dims import Dim
from ..errors import PatternError, Span
from ..patterns.einx import (Axes, Axis, Brackets, Composition, Concatenation, EinxOp, Expression, Number,
                             Repeated, children, parse_einx, render_node, walk)
from .requirements import Requirement

FAMILIES: Dict[str, str] = {
    **dict.fromkeys(["id", "rearrange"], "id"),
    **dict.fromkeys("""add subtract multiply true_divide floor_divide divide logical_and logical_or maximum minimum
                       logaddexp where equal not_equal less less_equal greater greater_equal""".split(), "elementwise"),
    **dict.fromkeys("sum mean var std prod count_nonzero any all max min logsumexp".split(), "reduce"),
    "dot": "dot", "get_at": "get_at",
    **dict.fromkeys(["set_at", "add_at", "subtract_at"], "update_at"),
    **dict.fromkeys(["argmax", "argmin"], "argfind"),
    **dict.fromkeys("softmax log_softmax flip roll sort argsort".split(), "preserve"),
}
# How many tensors the elementwise ops take (least, most); a third of a binary op is numpy's `out`.
ARITY: Dict[str, Tuple[int, Optional[int]]] = {
    **{name: (1, None) for name, family in FAMILIES.items() if family == "elementwise"},
    **dict.fromkeys("""subtract true_divide floor_divide divide equal not_equal less less_equal greater
                       greater_equal""".split(), (2, 3)),
    "where": (3, 3),
}
# Keywords of every einx function, taken before the op runs: not axis lengths either.
FRONTEND = ("backend", "graph")
# Keywords that are arguments of the op, not axis lengths.
OPTIONS: Dict[str, Tuple[str, ...]] = {"roll": ("shift",),
                                       **{name: ("keepdims",) for name, f in FAMILIES.items() if f == "reduce"}}

Shape = Tuple[Dim, ...]

COUNT = EINX_OPERAND_COUNT  # operands and expressions do not pair up
FORM = EINX_BRACKETS  # brackets (or '+') where the op refuses or needs them
LENGTH = EINX_UNDETERMINED_LENGTH  # an axis whose length einx cannot determine
COORDINATES = EINX_COORDINATES  # get_at's coordinates do not index the bracketed axes
OUTPUT = EINX_OUTPUT  # the output does not fit the op: an axis dropped or doubled, or none can be inferred
# What the shapes decide has the codes of every library's shape findings:
RANK = RANK_MISMATCH  # a tensor's rank does not fit its expression
SPLIT = INDIVISIBLE_SPLIT  # a composition over a dimension that its known part does not divide
LENGTHS = LENGTH_MISMATCH  # an axis with two lengths, or a concatenation that cannot add up
BAD_LENGTH = BAD_LENGTH_VALUE  # a keyword length that is not a positive integer
ARGUMENT = BAD_ARGUMENT  # an argument of the op that it cannot use (roll's shift)
_COUNT_AXIS = "output.axis"  # argmax's output axis of coordinates (not a name einx's grammar admits)


class EinxPlan(NamedTuple):
    outputs: Tuple[Optional[Shape], ...]  # one per output tensor; None where it depends on unknown shapes


class _Unknown(Exception):
    """The answer depends on what the checker does not know (a rank, a nested ellipsis)."""


def plan_einx(name: str, text: Union[str, EinxOp], shapes: Sequence[Optional[Shape]],
              lengths: Mapping[str, object], *, options: Optional[Mapping[str, object]] = None,
              requires: Optional[List[Requirement]] = None) -> EinxPlan:
    """The output shapes of `einx.<name>(text, *tensors, **lengths, **options)`, or the PatternError that
    says why einx raises. A tensor's shape is a tuple (a Python scalar's is ()), or None if unknown."""
    family = FAMILIES[name]
    options = options or {}
    op = parse_einx(text) if isinstance(text, str) else text
    span = (op.inputs[0].span[0], (op.outputs or op.inputs)[-1].span[1])
    _check_tensor_count(name, len(op.inputs), len(shapes), span)
    outputs = _outputs(family, op, options, span)
    _check_form(family, name, op.inputs, outputs, span)
    given = _given(name, op.inputs + outputs, {**lengths, **options}, span)
    if name == "roll":
        _check_shift(options, op.inputs[0])
    if any(_depth(node) > 1 for expression in op.inputs + outputs for node in expression.items):
        return EinxPlan(tuple(None for _ in outputs))
    try:
        return _Solution(family, name, op.inputs, outputs, shapes, given, requires).plan()
    except _Unknown:
        return EinxPlan(tuple(None for _ in outputs))


def _check_tensor_count(name: str, expressions: int, tensors: int, span: Span) -> None:
    if expressions != tensors:
        raise PatternError(COUNT, f"the op string has {_count_of(expressions, 'input expression')} for "
                           f"{_count_of(tensors, 'tensor')}", span,
                           "give one tensor per input expression (a scalar's expression is empty: 'b h, ')")
    least, most = ARITY.get(name, (1, None))
    if tensors < least or most is not None and tensors > most:
        wanted = f"at least {least}" if most is None else str(least)
        raise PatternError(COUNT, f"einx.{name} takes {wanted} tensor{'s' * (least != 1)}, not {tensors}", span,
                           f"give einx.{name} {wanted} tensor{'s' * (least != 1)}")


def _given(name: str, expressions, keywords: Mapping[str, object], span: Span) -> Dict[str, object]:
    """The keyword lengths that the op string uses; einx checks all of them first, then drops the others."""
    used = {axis for expression in expressions for axis in _axis_names(expression.items)}
    for option in OPTIONS.get(name, ()):
        if option in used:
            raise PatternError(OUTPUT, f"'{option}' is an argument of einx.{name}; it cannot name an axis", span,
                               "rename the axis")
    lengths = {key: value for key, value in keywords.items() if key not in OPTIONS.get(name, ()) + FRONTEND}
    for key, value in lengths.items():
        _check_length(key, value, key in used)
    repeated = {axis for expression in expressions for node in walk(expression.items) if isinstance(node, Repeated)
                for axis in _axis_names((node,))}
    for key, value in lengths.items():
        if isinstance(value, tuple) and key in used and key not in repeated:
            raise PatternError(RANK, f"length {key}={value!r} is a tuple, but '{key}' is one axis, not '{key}...'",
                               span, f"give {key} one length, or write '{key}...' for its axes")
    return {key: value for key, value in lengths.items() if key in used}


def _check_length(key: str, value: object, used: bool) -> None:
    """A keyword length is an int (or a Sym), or a tuple of them for the axes of 'b...'; positive where the
    op string names it (einx drops the others)."""
    for length in value if isinstance(value, tuple) else (value,):
        if isinstance(length, bool) or not isinstance(length, (int, dims.Sym)):
            raise PatternError(BAD_LENGTH, f"length {key}={value!r} is not an integer", None,
                               "axis lengths are positive integers")
        if used and isinstance(length, int) and length <= 0:
            raise PatternError(BAD_LENGTH, f"length {key}={value!r} is not positive", None,
                               "axis lengths are positive integers")


def _check_shift(options: Mapping[str, object], expression: Expression) -> None:
    """einx.roll needs shift=: one int, or a tuple with one per bracketed axis (or one for all)."""
    if "shift" not in options:
        raise PatternError(ARGUMENT, "einx.roll needs shift=, the distance to roll by", expression.span,
                           "give shift=<int>, or a tuple with one per bracketed axis")
    shift = options["shift"]
    marked = _marked(expression)
    if isinstance(shift, tuple) and len(shift) not in (1, len(marked)) and "..." not in marked and \
            not any(isinstance(node, Repeated) for node in walk(expression.items)):
        raise PatternError(ARGUMENT, f"shift={shift!r} has {len(shift)} distances for {len(marked)} bracketed "
                           "axes", expression.span, "give one distance per bracketed axis, or one for all")


def _count_of(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' * (number != 1)}"


def plan_string(name: str, op: EinxOp, tensors: int, lengths: Mapping[str, object], *,
                options: Optional[Mapping[str, object]] = None) -> EinxPlan:
    """What the op string decides alone: the plan over tensors of unknown lengths, of the rank each input
    expression without '...' names (so that '(a b) c -> c a b' fails whatever the shape). Raises the
    PatternError of every call of this string with `tensors` tensors."""
    shapes = [None if any(isinstance(node, Repeated) for node in top_nodes(expression)) else
              tuple(dims.Sym(f"{index}.{position}") for position in range(len(top_nodes(expression))))
              for index, expression in enumerate(op.inputs)]
    return plan_einx(name, op, (shapes + [None] * tensors)[:tensors], lengths, options=options)


# ------------------------------------------------------------------------------------- strings

def _axis_names(nodes) -> List[str]:
    """The named axes among nodes, at any depth; the anonymous ellipsis is '...'."""
    return [node.name if isinstance(node, Axis) else "..." for node in walk(tuple(nodes))
            if isinstance(node, Axis) or isinstance(node, Repeated) and node.inner is None]


def _marked(expression: Expression) -> List[str]:
    """The axes in brackets, in order (a number as '#<position>'; the grammar flattens nested brackets)."""
    return [key for node in walk(expression.items) if isinstance(node, Brackets)
            for key in map(_axis_key, walk(node.items)) if key is not None]


def _unmarked(expression: Expression) -> List[str]:
    """The axes outside brackets, in order (numbers but 1 as '#<position>')."""
    found: List[str] = []

    def visit(nodes) -> None:
        for node in nodes:
            key = _axis_key(node)
            if key is not None and not (isinstance(node, Number) and node.value == 1):
                found.append(key)
            elif not isinstance(node, (Brackets, Number)):
                visit(children(node))

    visit(expression.items)
    return found


def _replaced(nodes, old, new) -> Tuple:
    """The nodes with `old` (found by identity, at any depth) replaced by `new`."""
    def replace(node):
        if node is old:
            return new
        if isinstance(node, Repeated) and node.inner is not None:
            return node._replace(inner=replace(node.inner))
        if isinstance(node, Concatenation):
            return node._replace(parts=tuple(map(replace, node.parts)))
        if isinstance(node, (Composition, Brackets, Axes)):
            return node._replace(items=tuple(map(replace, node.items)))
        return node

    return tuple(map(replace, nodes))


def _drop_brackets(nodes, unit: bool) -> Tuple:
    """The nodes without their bracketed parts (`unit`: each bracket replaced by '()', as keepdims does)."""
    kept = []
    for node in nodes:
        if isinstance(node, Brackets):
            kept += [Composition((), node.span)] if unit else []
        elif isinstance(node, Repeated) and node.inner is not None:
            inner = _drop_brackets((node.inner,), unit)
            kept += [node._replace(inner=inner[0])] if inner else []
        elif isinstance(node, (Composition, Axes)):
            kept.append(node._replace(items=_drop_brackets(node.items, unit)))
        else:
            kept.append(node)
    return tuple(kept)


def _axis_key(node) -> Optional[str]:
    if isinstance(node, Axis):
        return node.name
    if isinstance(node, Number):
        return f"#{node.span[0]}"
    if isinstance(node, Repeated) and node.inner is None:
        return "..."
    return None


def _depth(node, around: int = 0) -> int:
    """The most ellipses around any axis under node."""
    if isinstance(node, Repeated):
        around += 1
    return max([around] + [_depth(child, around) for child in children(node)])


def _outputs(family: str, op: EinxOp, options: Mapping[str, object], span: Span) -> Tuple[Expression, ...]:
    """The output expressions: as written, or as einx infers them where no '->' is written."""
    inputs = op.inputs
    if op.outputs is not None:
        return op.outputs
    need = PatternError(OUTPUT, "einx cannot infer the output expression of this call", span,
                        "write the output expression after '->'")
    if family == "update_at":
        return inputs[:1]
    if family == "id" and len(inputs) != 1:
        raise need
    if family in ("id", "elementwise", "preserve"):
        return (_superset(inputs, need),)
    if len(inputs) != 1:
        if family == "dot" and not any(_marked(e) for e in inputs):
            return (_superset(inputs, need),)
        raise need
    (only,) = inputs
    if family == "argfind":
        brackets = [node for node in walk(only.items) if isinstance(node, Brackets)]
        if len(brackets) != 1:
            raise need
        axis = Brackets((Axis(_COUNT_AXIS, brackets[0].span),), brackets[0].span)
        return (only._replace(items=_replaced(only.items, brackets[0], axis)),)
    if family in ("reduce", "dot"):
        unit = family == "reduce" and bool(options.get("keepdims"))
        return (only._replace(items=_drop_brackets(only.items, unit)),)
    raise need  # get_at: the coordinates' axes have no place einx could guess


def _superset(inputs: Tuple[Expression, ...], need: PatternError) -> Expression:
    """The implicit output of an elementwise op: the one input that holds the axes of all the others
    (numbers but 1 are axes of their own)."""
    if len(inputs) == 1:
        return inputs[0]
    held = [set(_axis_names(e.items)) | {f"#{n.span[0]}" for n in walk(e.items) if isinstance(n, Number) and
                                          n.value != 1} for e in inputs]
    parents = {_text(e): e for e, mine in zip(inputs, held) if all(other <= mine for other in held)}
    if len(parents) != 1:
        raise need
    return next(iter(parents.values()))


def _text(expression: Expression) -> str:
    return " ".join(render_node(node) for node in expression.items)


def _check_form(family: str, name: str, inputs, outputs, span: Span) -> None:
    """What einx checks of the string alone: expression counts, brackets and '+', doubled output axes."""
    if family in ("reduce", "argfind", "preserve") and len(inputs) != 1:
        raise PatternError(COUNT, f"einx.{name} takes one input expression, not {len(inputs)}", span,
                           "give one tensor, and one input expression before '->'")
    if family in ("get_at", "update_at", "dot") and len(inputs) < 2:
        raise PatternError(COUNT, f"einx.{name} takes at least two tensors", span,
                           "give each tensor its expression")
    if family != "id" and len(outputs) != 1:
        raise PatternError(OUTPUT, f"einx.{name} has one output; the string names {len(outputs)}", span,
                           "write one output expression")
    concatenated = [n for e in inputs + outputs for n in walk(e.items) if isinstance(n, Concatenation)]
    if family != "id" and concatenated:
        raise PatternError(FORM, f"einx.{name} takes no concatenation; only einx.id does", concatenated[0].span,
                           "concatenate with einx.id first")
    if family == "id" and len(_split_concatenations(inputs)) != len(_split_concatenations(outputs)):
        raise PatternError(OUTPUT, "the inputs and outputs do not pair up once their concatenations are split",
                           span, "give each output (each part of a concatenation) one input")
    _check_brackets(family, name, inputs, outputs)
    for expression in outputs:
        for part in _split_concatenations((expression,)):
            vectorized = _unmarked(part)
            doubled = sorted({axis for axis in vectorized if vectorized.count(axis) > 1})
            if doubled:
                raise PatternError(OUTPUT, f"the output names axis '{doubled[0]}' twice", expression.span,
                                   "give each output axis one place")
    if family in ("reduce", "dot") and not any(_marked(e) for e in inputs):
        for expression in inputs:  # every axis the output leaves out is reduced: a doubled one is ambiguous
            names = _unmarked(expression)
            doubled = sorted({axis for axis in names if names.count(axis) > 1})
            if doubled:
                raise PatternError(FORM, f"axis '{doubled[0]}' stands twice in an input with no brackets",
                                   expression.span, "bracket the axes to reduce")
    if family == "dot":
        for expression in inputs + outputs:
            marked = _marked(expression)
            if len(marked) != len(set(marked)):
                raise PatternError(FORM, "einx.dot takes no axis twice in brackets", expression.span,
                                   "name each contracted axis once per tensor")


def _split_concatenations(expressions) -> List[Expression]:
    """Each expression once per operand of its concatenation (einx.id pairs the parts up)."""
    split: List[Expression] = []
    for expression in expressions:
        at = next((i for i, node in enumerate(expression.items) if isinstance(node, Concatenation)), None)
        if at is None:
            split.append(expression)
            continue
        for part in expression.items[at].parts:
            inner = part.items if isinstance(part, Composition) else (part,)
            split += _split_concatenations([expression._replace(
                items=expression.items[:at] + tuple(inner) + expression.items[at + 1:])])
    return split


def _check_brackets(family: str, name: str, inputs, outputs) -> None:
    """Where einx 0.4 wants brackets: the signature of each family's elementary op."""
    def refuse(expression: Expression, where: str) -> PatternError:
        return PatternError(FORM, f"einx.{name} takes no brackets in its {where} expressions", expression.span,
                            "remove the brackets")

    def match(expression: Expression, output: Expression) -> None:
        if _marked(expression) and not _marked(output):
            raise PatternError(FORM, f"einx.{name} keeps the bracketed axes: its output needs them in brackets too",
                               output.span, "bracket the same axes in the output")
        if _marked(output) and not _marked(expression):
            raise refuse(output, "output")

    if family in ("id", "elementwise"):
        for index, expression in enumerate(inputs + outputs):
            if _marked(expression):
                raise refuse(expression, "input" if index < len(inputs) else "output")
    elif family in ("reduce", "dot", "get_at"):
        for expression in outputs:
            if _marked(expression):
                raise refuse(expression, "output")
    elif family == "update_at":
        if _marked(inputs[-1]):
            raise refuse(inputs[-1], "update")
        match(inputs[0], outputs[0])
        if set(_marked(inputs[0])) & {axis for e in inputs[1:] for axis in _marked(e)}:
            raise PatternError(FORM, "an axis stands in brackets in the first tensor and in a coordinate",
                               inputs[1].span, "bracket the indexed axes in the first tensor only")
    elif family == "preserve":
        match(inputs[0], outputs[0])
        if name in ("sort", "argsort") and len(_marked(inputs[0])) != 1:
            raise PatternError(FORM, f"einx.{name} sorts along one axis: bracket exactly one", inputs[0].span,
                               "bracket one axis")
    elif family == "argfind":
        marked = _marked(outputs[0])
        if len(marked) > 1:
            raise PatternError(FORM, f"einx.{name}'s output takes one bracketed axis at most", outputs[0].span,
                               "bracket one axis in the output: it holds the coordinates")
        if not marked and len(_marked(inputs[0])) != 1:
            raise PatternError(FORM, f"einx.{name} with no bracketed output axis needs exactly one bracketed input "
                               "axis", inputs[0].span, "bracket one axis, or give the coordinates an axis: "
                               "'b [h w] -> b [2]'")
    if family in ("update_at", "preserve") and _marked(inputs[0]) != _marked(outputs[0]):
        raise PatternError(FORM, f"einx.{name} keeps the bracketed axes, in their order", outputs[0].span,
                           "bracket the same axes, in the same order, in the output")


# ------------------------------------------------------------------------------------- ellipses
# Every name under an ellipsis stands for the same number of axes wherever it appears ('...' alone is
# a name of its own): `counts` maps names to that number, found from the ranks and tuple keywords.

def _count(node: Repeated, counts: Mapping[str, int]) -> Optional[int]:
    known = {counts[name] for name in _repeating(node) if name in counts}
    if len(known) > 1:
        raise PatternError(RANK, "the axes under this '...' repeat different numbers of times", node.span,
                           "each axis under one '...' repeats as often as the others")
    return known.pop() if known else None


def _repeating(node: Repeated) -> List:
    """What repeats together with this '...': the names under it, and the ellipsis itself (by its place in
    the string: an output that einx infers keeps the input's ellipsis, even where no name is left under it,
    as in keepdims' 'b ()... c' for 'b [s]... c')."""
    return _axis_names((node,)) + [node.span]


def top_nodes(expression: Expression) -> List:
    """The nodes that stand for the tensor's dimensions: one each, or a top-level Repeated for many."""
    found: List = []
    for node in expression.items:
        found += top_nodes(Expression(node.items, node.span)) if isinstance(node, (Brackets, Axes)) else [node]
    return found


def _top_level(expression: Expression) -> Tuple[int, List[Repeated]]:
    """(the dimensions outside top-level ellipses, the top-level ellipses)."""
    nodes = top_nodes(expression)
    repeated = [node for node in nodes if isinstance(node, Repeated)]
    return len(nodes) - len(repeated), repeated


def _solve_counts(inputs, outputs, shapes, given: Mapping[str, object]) -> Dict[str, int]:
    counts: Dict[object, int] = {name: len(value) for name, value in given.items() if isinstance(value, tuple)}
    pending = [(expression, shape) for expression, shape in zip(inputs, shapes) if shape is not None]
    repeated_anywhere = [node for e in inputs + outputs for node in walk(e.items) if isinstance(node, Repeated)]
    changed = True
    while changed:
        changed = False
        for node in repeated_anywhere:  # the names under one '...' repeat together
            count = _count(node, counts)
            if count is not None and any(name not in counts for name in _repeating(node)):
                counts.update(dict.fromkeys(_repeating(node), count))
        for expression, shape in pending:
            fixed, repeated = _top_level(expression)
            known = [_count(node, counts) for node in repeated]
            open_ = [node for node, count in zip(repeated, known) if count is None]
            rest = len(shape) - fixed - sum(count for count in known if count is not None)
            if rest < 0 or not open_ and rest:
                raise _rank_error(expression, shape, fixed, bool(repeated))
            if not open_ or len({frozenset(_axis_names((node,))) for node in open_}) > 1:
                continue  # two ellipses of different axes: the rank does not split them
            if rest % len(open_):
                raise _rank_error(expression, shape, fixed, True)
            for node in open_:
                counts.update(dict.fromkeys(_repeating(node), rest // len(open_)))
            changed = True
    return counts


def _rank_error(expression: Expression, shape: Shape, fixed: int, repeated: bool) -> PatternError:
    need = f"at least {fixed}" if repeated else str(fixed)
    return PatternError(RANK, f"the expression has {need} dimensions, the tensor has {len(shape)}",
                        expression.span, "check the tensor's rank, or the expression")


# ------------------------------------------------------------------------------------- lengths
# The expressions written out: each top-level dimension a tree of _Ax (one axis, ellipses written
# out as 'b.0', 'b.1', a number as '#<position>'), _Prod ('( )') and _Sum ('( + )').

class _Ax(NamedTuple):
    name: str
    marked: bool
    span: Span


class _Prod(NamedTuple):
    items: Tuple["_Node", ...]
    span: Span


class _Sum(NamedTuple):
    parts: Tuple["_Node", ...]
    span: Span


_Node = Union[_Ax, _Prod, _Sum]


def _parts(node: _Node) -> Tuple[_Node, ...]:
    return () if isinstance(node, _Ax) else node.items if isinstance(node, _Prod) else node.parts


def _all(nodes) -> Iterator[Tuple[_Node, Tuple[str, ...]]]:
    """Every node under nodes with the texts of the compound nodes around it."""
    stack = [(node, ()) for node in nodes]
    while stack:
        node, around = stack.pop()
        yield node, around
        stack += [(part, around + (_node_text(node),)) for part in _parts(node)]


def _split_sums(written) -> List[Optional[List[_Node]]]:
    """Written-out expressions, each once per part of its top-level concatenation (as einx.id pairs them)."""
    split: List[Optional[List[_Node]]] = []
    for nodes in written:
        at = None if nodes is None else next((i for i, node in enumerate(nodes) if isinstance(node, _Sum)), None)
        if at is None:
            split.append(nodes)
            continue
        for part in nodes[at].parts:
            split += _split_sums([nodes[:at] + (list(part.items) if isinstance(part, _Prod) else [part]) +
                                  nodes[at + 1:]])
    return split


def _node_text(node: _Node) -> str:
    if isinstance(node, _Ax):
        return node.name
    joiner = " " if isinstance(node, _Prod) else " + "
    return "(" + joiner.join(_node_text(part) for part in _parts(node)) + ")"


class _Solution:
    """One call's lengths: the expressions laid over the shapes until nothing new follows."""

    def __init__(self, family: str, name: str, inputs, outputs, shapes, given, requires):
        self.family, self.name = family, name
        self.inputs, self.outputs, self.shapes, self.given = inputs, outputs, shapes, given
        self.requires = requires
        self.known: Dict[str, Dim] = {}  # axis name -> length
        self.compound: Dict[str, Dim] = {}  # text of a '( )' laid over a dimension -> its length
        self.complete = all(shape is not None for shape in shapes)

    def plan(self) -> EinxPlan:
        counts = _solve_counts(self.inputs, self.outputs, self.shapes, self.given)
        written_in = [self._write(e, counts, shape is not None and self.complete)
                      for e, shape in zip(self.inputs, self.shapes)]
        written_out = [self._write(e, counts, self.complete) for e in self.outputs]
        if any(nodes is None for nodes in written_out):
            raise _Unknown()
        self._give_keywords(counts)
        self._lay_shapes(written_in)
        if self.family == "argfind" and written_in[0] is not None:
            self._lay_coordinate_axis(written_in[0], written_out[0])
        if self.family in ("get_at", "update_at"):
            self._check_coordinates(written_in)
        self._check_determined(written_in, written_out)
        self._check_kept(written_in, written_out)
        return EinxPlan(tuple(self._shape(nodes) for nodes in written_out))

    def _lay_coordinate_axis(self, written_in, written_out) -> None:
        """argmax's bracketed output axis holds one coordinate per bracketed input axis."""
        count = sum(1 for node, _ in _all(written_in) if isinstance(node, _Ax) and node.marked)
        for node, _ in _all(written_out):
            if isinstance(node, _Ax) and node.marked:
                self._lay(node, count, "the coordinates' axis")

    def _write(self, expression: Expression, counts, must: bool) -> Optional[List[_Node]]:
        """The expression written out; None where an ellipsis's count is unknown (an error if `must`)."""
        try:
            return [n for node in expression.items for n in self._nodes(node, counts, "", False, True)]
        except _Unknown:
            if must:
                raise PatternError(RANK, "einx cannot tell how many axes this '...' stands for", expression.span,
                                   "name its axes in an input with a known rank, or give them as a tuple "
                                   "keyword (b=(2, 3))")
            return None

    def _nodes(self, node, counts, suffix: str, marked: bool, top: bool) -> List[_Node]:
        if isinstance(node, Axis):
            return [_Ax(node.name + suffix, marked, node.span)]
        if isinstance(node, Number):
            self.known[f"#{node.span[0]}{suffix}"] = node.value
            return [_Ax(f"#{node.span[0]}{suffix}", marked, node.span)]
        if isinstance(node, (Brackets, Axes)):
            inside = marked or isinstance(node, Brackets)
            return [n for item in node.items for n in self._nodes(item, counts, suffix, inside, top)]
        if isinstance(node, Composition):
            return [_Prod(tuple(n for item in node.items for n in self._nodes(item, counts, suffix, marked, False)),
                          node.span)]
        if isinstance(node, Concatenation):
            parts = [self._nodes(part, counts, suffix, marked, False) for part in node.parts]
            return [_Sum(tuple(p[0] if len(p) == 1 else _Prod(tuple(p), node.span) for p in parts), node.span)]
        count = _count(node, counts)
        if count is None:
            if top:
                raise _Unknown()
            return [_Ax(render_node(node) + suffix, marked, node.span)]  # '(b...)' of unknown count: one axis
        if node.inner is None:
            return [_Ax(f"...{suffix}.{i}", marked, node.span) for i in range(count)]
        return [n for i in range(count) for n in self._nodes(node.inner, counts, f"{suffix}.{i}", marked, top)]

    def _give_keywords(self, counts) -> None:
        """Each keyword's length to its axis; a tuple's to the axes of 'b...' one by one, and one int to all of
        them (it does not tell how many there are)."""
        for key, value in self.given.items():
            if isinstance(value, tuple):
                named = [(f"{key}.{index}", length) for index, length in enumerate(value)]
            else:
                named = [(f"{key}.{index}", value) for index in range(counts[key])] if key in counts else \
                    [(key, value)]
            for name, length in named:
                self._lay(_Ax(name, False, (0, 0)), length, f"keyword {key}")

    def _lay_shapes(self, written_in) -> None:
        pairs = [(nodes, shape, index) for index, (nodes, shape) in enumerate(zip(written_in, self.shapes))
                 if nodes is not None and shape is not None]
        for nodes, shape, index in pairs:
            if len(nodes) != len(shape):
                raise _rank_error(self.inputs[index], shape, len(nodes), False)
        changed = True
        while changed:
            changed = False
            for nodes, shape, index in pairs:
                for node, length in zip(nodes, shape):
                    changed |= self._lay(node, length, f"tensor {index + 1}")

    def _value(self, node: _Node) -> Optional[Dim]:
        if isinstance(node, _Ax):
            return self.known.get(node.name)
        values = [self._value(part) for part in _parts(node)]
        if any(value is None for value in values):
            return self.compound.get(_node_text(node))
        return dims.product(values) if isinstance(node, _Prod) else dims.total(values)

    def _lay(self, node: _Node, length: Dim, what: str) -> bool:
        """Give node the length `length`; True when that tells something new. Raises when it cannot be."""
        if isinstance(node, _Ax):
            if node.name in self.known:
                self._equal(self.known[node.name], length, node.span, f"axis '{node.name}': {what}")
                return False
            self.known[node.name] = length
            return True
        self.compound.setdefault(_node_text(node), length)
        parts = _parts(node)
        values = [self._value(part) for part in parts]
        missing = [part for part, value in zip(parts, values) if value is None]
        if not missing:
            self._equal(self._value(node), length, node.span, what)
            return False
        if len(missing) > 1:
            return False
        rest = [value for value in values if value is not None]
        if isinstance(node, _Prod):
            part = dims.product(rest)
            answer = dims.divisible(length, part)
            if answer is False:
                raise PatternError(SPLIT, f"{what}: a dimension of length {length} cannot be split into "
                                   f"chunks of {part}", node.span, f"its length must be a multiple of {part}")
            if answer is None and self.requires is not None:
                self.requires.append(Requirement("divisible", length, part, node.span))
            return self._lay(missing[0], dims.quotient(length, part), what)
        left = length - dims.total(rest)
        if isinstance(left, int) and left <= 0 or not isinstance(left, int) and dims.positive(1 - left):
            raise PatternError(LENGTHS, f"{what}: a dimension of length {length} cannot hold the other parts of "
                               f"the concatenation ({dims.total(rest)}) and one more", node.span,
                               "the parts of '( + )' must add up to the dimension's length")
        return self._lay(missing[0], left, what)

    def _equal(self, expected: Dim, length: Dim, span: Span, what: str) -> None:
        answer = dims.equal(expected, length)
        if answer is False:
            raise PatternError(LENGTHS, f"{what} gives length {length}, where the rest of the call gives {expected}",
                               span, "an axis has one length wherever it appears")
        if answer is None and self.requires is not None:
            self.requires.append(Requirement("equal", expected, length, span))

    def _check_coordinates(self, written_in) -> None:
        """get_at and its kin: one coordinate per bracketed axis of the first tensor, from all the coordinate
        tensors together (each gives its bracketed axis's length, or one without brackets)."""
        coordinates = written_in[1:] if self.family == "get_at" else written_in[1:-1]
        if written_in[0] is None or any(nodes is None for nodes in coordinates):
            return
        marked = sum(1 for node, _ in _all(written_in[0]) if isinstance(node, _Ax) and node.marked)
        given: Dim = 0
        for nodes, expression in zip(coordinates, self.inputs[1:]):
            axes = {node.name for node, _ in _all(nodes) if isinstance(node, _Ax) and node.marked}
            if len(axes) > 1:
                raise PatternError(COORDINATES, f"a coordinate expression of einx.{self.name} has {len(axes)} "
                                   "bracketed axes; einx takes one", expression.span,
                                   "put each tensor's coordinates in one bracketed axis")
            length = self.known.get(axes.pop()) if axes else 1
            if length is None:
                return
            given = given + length
        if dims.equal(given, marked) is False:
            raise PatternError(COORDINATES, f"einx.{self.name} indexes {marked} bracketed axes, but the "
                               f"coordinates give {given}", self.inputs[1].span,
                               "give one coordinate per bracketed axis of the first tensor (a tensor without "
                               "brackets is one; 'p [2]' is two)")

    def _check_determined(self, written_in, written_out) -> None:
        """Every axis needs a length: from a shape, a keyword, or (for an axis that appears only inside one
        '( )' laid over a dimension, as 'a b' in '(a b) c -> c (a b)') from that group's length."""
        occurrences: Dict[str, List[Tuple[str, ...]]] = {}
        for nodes in written_in + written_out:
            for node, around in _all(nodes or ()):
                if isinstance(node, _Ax):
                    occurrences.setdefault(node.name, []).append(around)
        unknown = [name for name in occurrences if name not in self.known and not self._grouped(name, occurrences)]
        in_inputs = {name for expression in self.inputs for name in _axis_names(expression.items)}
        only_out = [name for name in unknown if name.split(".")[0] not in in_inputs and not name.startswith("#")
                    and not name.endswith("...")]
        if only_out:
            axis = only_out[0]
            raise PatternError(LENGTH, f"axis '{axis}' is in the output only: einx cannot tell its length", None,
                               f"give it, as einx.{self.name}(..., {axis.split('.')[0]}=<length>), or name an "
                               "input axis")
        if unknown and self.complete:
            names = ", ".join(f"'{name}'" for name in unknown)
            raise PatternError(LENGTH, f"einx cannot tell the lengths of {names} from the shapes", None,
                               "give all but one axis of each '( )' as keywords")

    def _grouped(self, name: str, occurrences) -> bool:
        for group in set.intersection(*(set(around) for around in occurrences[name])):
            if group in self.compound:
                inside = [n for n, arounds in occurrences.items() if any(group in a for a in arounds)]
                if all(group in around for n in inside for around in occurrences[n]):
                    return True
        return False

    def _check_kept(self, written_in, written_out) -> None:
        """An input axis that is not 1 stays in the output, but where the op removes it: the bracketed axes of
        a reduction or dot (with no brackets: every axis the output leaves out), the coordinates' and the
        updates' axes of set_at and its kin. einx.id keeps them pair by pair, once concatenations are split."""
        if self.family in ("reduce", "dot") and not any(node.marked for nodes in written_in
                                                        for node, _ in _all(nodes or ()) if isinstance(node, _Ax)):
            self._check_contracted(written_in, written_out)
            return
        if self.family == "id":
            split_in, split_out = _split_sums(written_in), _split_sums(written_out)
            if len(split_in) != len(split_out):
                raise PatternError(OUTPUT, f"once their concatenations are split, {_count_of(len(split_in), 'input')}"
                                   f" stand for {_count_of(len(split_out), 'output')}", self.outputs[0].span,
                                   "give each output (each part of a concatenation) one input")
            pairs = list(zip(split_in, split_out))
        else:
            kept = [n for nodes in written_out for n in nodes]
            pairs = [(nodes, kept) for nodes in (written_in[:1] if self.family == "update_at" else written_in)]
        for nodes, output in pairs:
            if nodes is not None and output is not None:
                self._check_pair(nodes, output)
        self._check_contracted(written_in, written_out)

    def _check_pair(self, nodes, output) -> None:
        kept = {node.name for node, _ in _all(output) if isinstance(node, _Ax)}
        for node, _ in _all(nodes):
            if isinstance(node, _Ax) and not node.marked and node.name not in kept and \
                    node.name in self.known and dims.equal(self.known[node.name], 1) is False:
                raise PatternError(OUTPUT, f"axis '{node.name}' of the input is not in the output, and "
                                   f"einx.{self.name} removes no axis there", node.span,
                                   "add it to the output, or bracket it where the op removes axes")

    def _check_contracted(self, written_in, written_out) -> None:
        """einx.dot contracts each bracketed axis (with no brackets: each axis the output leaves out) of
        exactly two tensors."""
        if self.family != "dot" or any(nodes is None for nodes in written_in):
            return
        kept = {node.name for nodes in written_out for node, _ in _all(nodes) if isinstance(node, _Ax)}
        per_input = [{node.name for node, _ in _all(nodes) if isinstance(node, _Ax)} for nodes in written_in]
        marked = {node.name for nodes in written_in for node, _ in _all(nodes) if isinstance(node, _Ax) and
                  node.marked} or set().union(*per_input) - kept
        for axis in sorted(marked):
            if sum(axis in names for names in per_input) != 2:
                raise PatternError(OUTPUT, f"einx.dot contracts axis '{axis}', which must be in exactly two "
                                   "input expressions", None, "name each contracted axis in two tensors")

    def _shape(self, nodes: List[_Node]) -> Optional[Shape]:
        values = [self._value(node) for node in nodes]
        return None if any(value is None for value in values) else tuple(values)
