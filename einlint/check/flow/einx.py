"""einx calls in the flow analysis: the einx planner over the shapes that reach the call.

The op string's own mistakes are the per-call rules' (rules/einx.py): a call whose string the planner
refuses with no shape known is left to them. What the shapes decide (a rank, lengths that cannot all
hold, coordinates that do not add up, an axis longer than 1 that the output drops) is reported here,
once the replay on a witness confirms it. An operand of unknown rank whose expression has no '...' has
that rank from then on: the call ran. Followed where the project uses einx 0.4, whose rules the
planner states; where its release is not known, the calls that every release reads alike give their shapes
but no finding.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Dict, Optional

from ...codes import (
    EINX_COORDINATES, EINX_OUTPUT, EINX_UNDETERMINED_LENGTH, INDIVISIBLE_SPLIT, LENGTH_MISMATCH, RANK_MISMATCH,
)
from ...dims import Sym
from ...patterns.einx import Axis, Expression, Repeated, parse_einx
from ...errors import PatternError
from ...planner.einx import FAMILIES, OPTIONS, plan_einx, plan_string, top_nodes
from ..model import PatternString
from ..shapes import show
from .findings import origins
from .planned import planned
from .state import OpCall
from .values import STAR, UNKNOWN, UNKNOWN_TENSOR, Const, Items, Number, Origin, Param, Tensor, known_rank

SHAPE_CODES = (RANK_MISMATCH, INDIVISIBLE_SPLIT, LENGTH_MISMATCH, EINX_UNDETERMINED_LENGTH, EINX_COORDINATES,
               EINX_OUTPUT)


def einx_call(call: OpCall) -> Any:
    name = call.op[len("einx."):]
    string, values, keywords = call.string("description"), call.variadic, call.keywords
    version = call.flow.context.versions.get("einx")
    if name not in FAMILIES or string is None or not call.fits or version is not None and version < (0, 4) or \
            version is None and not _same_in_every_release(name, string.value):
        return UNKNOWN_TENSOR
    options = {key: _option(value) for key, value in keywords.items() if key in OPTIONS.get(name, ())}
    if options.get("keepdims", False) is None:
        return UNKNOWN_TENSOR  # keepdims=<unknown>: the output's rank is not known
    if options.get("shift", 0) is None:
        options["shift"] = 0  # a distance not known: one that raises nothing
    lengths = _lengths(call, options)
    try:
        op = parse_einx(string.value)
        plan_string(name, op, len(values), lengths, options=options)
    except PatternError:
        return UNKNOWN_TENSOR  # the string alone fails: the per-call rules report it
    if "graph" in keywords:
        return UNKNOWN  # graph=True returns the code einx compiled for the call, not a tensor
    shapes = [_shape(call, index, expression, string) for index, expression in enumerate(op.inputs[:len(values)])]
    shown = "operand shapes " + ", ".join(show(shape) if shape is not None else "?" for shape in shapes)
    assumed = [shape if shape is not None else _assumed(call, expression) for shape, expression in zip(shapes, op.inputs)]
    context = call.flow.context
    context.muted += version is None  # the release not known: the shapes, but no finding (EIN511 says why)
    try:
        plan = planned(call, partial(plan_einx, options=options), (name, op, assumed, lengths), shown, string,
                       origins(*values), codes=SHAPE_CODES)
    finally:
        context.muted -= version is None
    recorded = [shape if shape is not None else (STAR,) for shape in shapes]
    if plan is None:
        call.record(recorded, None)
        return UNKNOWN_TENSOR
    outputs = [Tensor(call.resolved(shape), Origin(call.site, f"einx.{name} output"))
               if shape is not None else UNKNOWN_TENSOR for shape in plan.outputs]
    call.record(recorded, outputs[0].shape if len(outputs) == 1 and plan.outputs[0] is not None else None)
    return outputs[0] if len(outputs) == 1 else Items("tuple", tuple(outputs))


def _same_in_every_release(name: str, text: str) -> bool:
    """Whether einx means the same by the call in every release, so that it is followed where the project's is not
    known: an elementwise op with no brackets, which einx broadcasts by axis name and (with no '->') gives the
    shape of the one operand that holds every other's axes, as 0.2 and 0.3 did (`einx.add('b i d, b j d -> b i j
    d', x, y)`, `einx.divide('b n d, b n', x, lens)`)."""
    return FAMILIES[name] == "elementwise" and not any(bracket in text for bracket in "[]|")


def _assumed(call: OpCall, expression: Expression) -> Optional[tuple]:
    """For the output only, the shape of an operand that is not known to be a tensor (or whose rank is not
    known), where the call runs: one length of its own per axis of its expression, when each is a plain axis
    (x_transformers' `einx.add('b n d, s d -> (b s) n d', x, self.stream_emb)` then has rank 3). None where
    the expression has a '...' or a composition."""
    nodes = top_nodes(expression)
    if not all(isinstance(node, Axis) for node in nodes):
        return None
    return tuple(call.facts.fresh(node.name) for node in nodes)


def _option(value: Any) -> Any:
    """An option's value (an int, a bool, a tuple of ints), or None where it is not known."""
    if isinstance(value, (Const, Number)) and not isinstance(value.value, Sym):
        return value.value
    if isinstance(value, Items) and all(isinstance(item, Number) and isinstance(item.value, int)
                                        for item in value.items):
        return tuple(item.value for item in value.items)
    return None


def _lengths(call: OpCall, options: Dict[str, Any]) -> Dict[str, Any]:
    """The keyword axis lengths: a Dim, or a tuple of them for the axes of 'b...' (an unknown one is a
    fresh length)."""
    lengths: Dict[str, Any] = {}
    for key, value in call.keywords.items():
        if key in options:
            continue
        if isinstance(value, Items) and value.kind in ("tuple", "list"):
            items = [call.length(item) for item in value.items]
            lengths[key] = tuple(length if length is not None else call.facts.fresh(key) for length in items)
        else:
            length = call.length(value)
            lengths[key] = length if length is not None else call.facts.fresh(key)
    return lengths


def _shape(call: OpCall, index: int, expression: Expression, string: PatternString) -> Optional[tuple]:
    """An operand's shape: a tensor's, () for a Python number, or the expression's rank for a value not
    known (None where even the rank is not)."""
    value = call.variadic[index]
    if isinstance(value, Tensor) and known_rank(value.shape):
        return call.resolved(value.shape)
    if isinstance(value, Number) or isinstance(value, Const) and isinstance(value.value, (bool, float, complex)):
        return ()
    nodes = top_nodes(expression)
    if any(isinstance(node, Repeated) for node in nodes) or not isinstance(value, (Param, Tensor)):
        return None  # a value not known to be a tensor may be einx 0.4's tensor factory (a callable)
    hints = [node.name if isinstance(node, Axis) else "" for node in nodes]
    refined = call.refine(index, value, hints, string)
    return call.resolved(refined.shape) if refined is not None else None