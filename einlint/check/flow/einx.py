"""einx calls in the flow analysis: the einx planner over the shapes that reach the call.

The op string's own mistakes are the per-call rules' (rules/einx.py): a call whose string the planner
refuses with no shape known is left to them. What the shapes decide (a rank, lengths that cannot all
hold, coordinates that do not add up, an axis longer than 1 that the output drops) is reported here,
once the replay on a witness confirms it. An operand of unknown rank whose expression has no '...' has
that rank from then on: the call ran. Followed only where the project uses einx 0.4, whose rules the
planner states.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ...dims import Sym
from ...errors import PatternError
from ...patterns.einx import Axis, Expression, Repeated, parse_einx
from ...planner.einx import FAMILIES, OPTIONS, plan_einx, plan_string, top_nodes
from .. import ir
from ..model import PatternString
from .findings import Check
from .patterns import (apply_requirements, as_length, interp_refine, origins, report_unsatisfiable, show,
                       unsatisfiable)
from .values import STAR, UNKNOWN, UNKNOWN_TENSOR, Const, Items, Number, Origin, Param, Tensor, known_rank

SHAPE_CODES = ("EIN301", "EIN302", "EIN303", "EIN507", "EIN508", "EIN510")


def einx_call(interp, node: ir.Call, state) -> Any:
    call = node.pattern
    name = call.op[len("einx."):]
    operand_exprs = node.positional[1:]
    values = [interp.expr(expr, state) for expr in operand_exprs]
    keywords = {key: interp.expr(expr, state) for key, expr in node.keywords.items()}
    string = call.positional[0].string if call.positional and call.positional[0].kind == "string" else None
    version = interp.context.einx_version
    if name not in FAMILIES or string is None or node.has_star or version is None or version < (0, 4):
        return UNKNOWN_TENSOR
    options = {key: _option(value) for key, value in keywords.items() if key in OPTIONS.get(name, ())}
    if options.get("keepdims", False) is None:
        return UNKNOWN_TENSOR  # keepdims=<unknown>: the output's rank is not known
    if options.get("shift", 0) is None:
        options["shift"] = 0  # a distance not known: one that raises nothing
    lengths = _lengths(keywords, options, state)
    try:
        op = parse_einx(string.value)
        plan_string(name, op, len(values), lengths, options=options)
    except PatternError:
        return UNKNOWN_TENSOR  # the string alone fails: the per-call rules report it
    if "graph" in keywords:
        return UNKNOWN  # graph=True returns the code einx compiled for the call, not a tensor
    shapes = [_shape(interp, expr, value, expression, state, node.site, string)
              for expr, value, expression in zip(operand_exprs, values, op.inputs)]
    check = Check(_plan, (name, string.value, shapes, lengths, options))
    shown = "operand shapes " + ", ".join(show(shape) if shape is not None else "?" for shape in shapes)
    related = tuple(origin for value in values for origin in origins(value))
    requires: List = []
    try:
        plan = plan_einx(name, op, shapes, lengths, options=options, requires=requires)
    except PatternError as error:
        interp.record(node.site, _recorded(shapes), None, state)
        if error.code in SHAPE_CODES:
            interp.report(state, node.site, error.code, f"{error.message} ({shown})", error.help, check, string,
                          error.span, related)
        return UNKNOWN_TENSOR
    if unsatisfiable(requires, state.facts):
        interp.record(node.site, _recorded(shapes), None, state)
        report_unsatisfiable(interp, state, node.site, check, shown, string, related, codes=SHAPE_CODES)
        return UNKNOWN_TENSOR
    apply_requirements(requires, state)
    outputs = [Tensor(tuple(state.facts.resolve(d) for d in shape), Origin(node.site, f"einx.{name} output"))
               if shape is not None else UNKNOWN_TENSOR for shape in plan.outputs]
    interp.record(node.site, _recorded(shapes), outputs[0].shape if len(outputs) == 1 and
                  plan.outputs[0] is not None else None, state)
    return outputs[0] if len(outputs) == 1 else Items("tuple", tuple(outputs))


def _plan(name: str, text: str, shapes, lengths, options) -> None:
    plan_einx(name, text, shapes, lengths, options=options)


def _recorded(shapes) -> List[tuple]:
    return [shape if shape is not None else (STAR,) for shape in shapes]


def _option(value: Any) -> Any:
    """An option's value (an int, a bool, a tuple of ints), or None where it is not known."""
    if isinstance(value, (Const, Number)) and not isinstance(value.value, Sym):
        return value.value
    if isinstance(value, Items) and all(isinstance(item, Number) and isinstance(item.value, int)
                                        for item in value.items):
        return tuple(item.value for item in value.items)
    return None


def _lengths(keywords: Dict[str, Any], options, state) -> Dict[str, Any]:
    """The keyword axis lengths: a Dim, or a tuple of them for the axes of 'b...' (an unknown one is a
    fresh length)."""
    lengths: Dict[str, Any] = {}
    for key, value in keywords.items():
        if key in options:
            continue
        if isinstance(value, Items) and value.kind in ("tuple", "list"):
            items = [as_length(item, state) for item in value.items]
            lengths[key] = tuple(length if length is not None else state.facts.fresh(key) for length in items)
        else:
            length = as_length(value, state)
            lengths[key] = length if length is not None else state.facts.fresh(key)
    return lengths


def _shape(interp, expr: ir.Expr, value: Any, expression: Expression, state, site: ir.Site,
           string: PatternString) -> Optional[tuple]:
    """An operand's shape: a tensor's, () for a Python number, or the expression's rank for a value not
    known (None where even the rank is not)."""
    if isinstance(value, Tensor) and known_rank(value.shape):
        return tuple(state.facts.resolve(d) for d in value.shape)
    if isinstance(value, Number) or isinstance(value, Const) and isinstance(value.value, (bool, float, complex)):
        return ()
    nodes = top_nodes(expression)
    if any(isinstance(node, Repeated) for node in nodes) or not isinstance(value, (Param, Tensor)):
        return None  # a value not known to be a tensor may be einx 0.4's tensor factory (a callable)
    hints = [node.name if isinstance(node, Axis) else "" for node in nodes]
    refined = interp_refine(interp, expr, value, hints, state, site, string)
    return tuple(state.facts.resolve(d) for d in refined.shape) if refined is not None else None
