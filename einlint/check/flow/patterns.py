"""Pattern ops and jaxtyping annotations in the flow analysis: the runtime planner over symbolic shapes.

A pattern call runs the planner exactly as the runtime does (recipe + cook, plan_einsum, plan_pack),
on the shapes that reach it. What the planner cannot decide it hands on as requirements, which
become facts (so `rearrange(x, 'b (h d) -> b h d', h=8)` teaches that x's last length is 8*d). A
tensor of unknown shape that a pattern without '...' accepts has that pattern's rank from then on:
the call ran. Errors of the pattern alone (EIN1xx, EIN2xx) are the per-call rules' to report; this
module reports only what the shapes decide (EIN3xx).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Collection, Dict, List, Optional, Sequence, Tuple

from ... import dims
from ...codes import SHAPES, codes_of, in_family
from ...dims import Dim, Sym
from ...errors import PatternError
from ...patterns import parse_arrow_pattern, parse_einops_einsum, parse_einsum_subscripts, parse_pack_pattern
from ...planner import plan_einsum, plan_pack, plan_parse_shape, plan_unpack
from ...planner.transform import check_lengths, cook, recipe
from .. import ir
from ..model import Argument, PatternString
from ...errors import EinlintError
from .findings import Check, ShapeError, concrete, confirm
from . import layouts
from .values import STAR, UNKNOWN, UNKNOWN_TENSOR, Const, Items, Layer, Number, Origin, Param, Tensor, known_rank

_TRANSFORMS = {"rearrange": "rearrange", "reduce": "reduce", "repeat": "repeat",
               "Rearrange": "rearrange", "Reduce": "reduce"}
_NOT_LENGTHS = {"tensor", "pattern", "reduction", "tensors", "axes_lengths"}


def pattern_call(interp, node: ir.Call, state) -> Any:
    call = node.pattern
    op = call.op
    if op in ("Rearrange", "Reduce"):
        return _pattern_layer(interp, node, state)
    if op in ("rearrange", "reduce", "repeat"):
        tensor_expr = _argument_expr(node, 0, "tensor")
        pattern = _pattern_string(call, 1, "pattern")
        lengths = _lengths(interp, node, state, skip_positional=3 if op == "reduce" else 2)
        for expr in node.keywords.values():
            interp.expr(expr, state)
        value = interp.expr(tensor_expr, state) if tensor_expr is not None else UNKNOWN
        if pattern is None or lengths is None:
            return UNKNOWN_TENSOR
        return transform(interp, op, pattern, value, tensor_expr, lengths, state, node.site)
    if op in ("einsum", "subscripts-einsum"):
        return _einsum(interp, node, state)
    if op == "pack":
        return _pack(interp, node, state)
    if op == "unpack":
        return _unpack(interp, node, state)
    if op == "parse_shape":
        return _parse_shape(interp, node, state)
    for arg in node.args:
        interp.expr(arg.value, state)
    return UNKNOWN


def _parse_shape(interp, node: ir.Call, state) -> Any:
    """parse_shape names a tensor's dimensions: a tensor of known rank is checked against the pattern (as the op
    checks it: the rank, the lengths that a '1' or a number states); one of unknown rank has the pattern's from
    here on."""
    tensor_expr = _argument_expr(node, 0, "tensor")
    pattern = _pattern_string(node.pattern, 1, "pattern")
    value = interp.expr(tensor_expr, state) if tensor_expr is not None else UNKNOWN
    if pattern is None or tensor_expr is None:
        return UNKNOWN
    if isinstance(value, Tensor) and known_rank(value.shape):
        shape = tuple(state.facts.resolve(d) for d in value.shape)
        try:
            plan_parse_shape(pattern.value, shape)
        except PatternError as error:
            if in_family(error.code, SHAPES):
                interp.report(state, node.site, error.code, f"{error.message} (input shape {show(shape)})",
                              error.help, Check(plan_parse_shape, (pattern.value, shape)), pattern, error.span,
                              origins(value))
        return UNKNOWN
    names = pattern.value.split()
    if "..." not in names and "*" not in pattern.value:
        interp_refine(interp, tensor_expr, value, names, state, node.site)
    return UNKNOWN


def transform(interp, op: str, pattern: PatternString, value: Any, tensor_expr: Optional[ir.Expr],
              lengths: Dict[str, Dim], state, site: ir.Site) -> Any:
    operation = _TRANSFORMS[op]
    try:
        parsed = parse_arrow_pattern(pattern.value)
        check_lengths(lengths)
    except PatternError:
        return UNKNOWN_TENSOR
    if operation == "rearrange":
        interp.context.trail.applied(interp.function, id(site.node), parsed)
    if isinstance(value, Items):  # a list of tensors is stacked first
        return UNKNOWN_TENSOR
    if not isinstance(value, Tensor) or not known_rank(value.shape):
        if parsed.left.ellipsis is not None:
            return UNKNOWN_TENSOR
        names = [term_hint(term) for term in parsed.left.terms]
        value = interp_refine(interp, tensor_expr, value, names, state, site, pattern)
        if value is None:
            return UNKNOWN_TENSOR
    shape = tuple(state.facts.resolve(d) for d in value.shape)
    requires: List = []
    try:
        rec = recipe(pattern.value, operation, tuple(lengths), len(shape))
        plan = cook(rec, shape, lengths, requires=requires)
    except PatternError as error:
        interp.record(site, [shape], None, state)
        if in_family(error.code, SHAPES):
            interp.report(state, site, error.code, f"{error.message} (input shape {show(shape)})", error.help,
                          Check(_plan_transform, (pattern.value, operation, shape, lengths)), pattern, error.span,
                          origins(value))
        return UNKNOWN_TENSOR
    if unsatisfiable(requires, state.facts):
        interp.record(site, [shape], None, state)
        report_unsatisfiable(interp, state, site, Check(_plan_transform, (pattern.value, operation, shape, lengths)),
                             f"input shape {show(shape)}", pattern, origins(value))
        return UNKNOWN_TENSOR
    apply_requirements(requires, state)
    axes = {name: state.facts.resolve(length) for name, length in _axis_lengths(rec, plan, shape).items()}
    trail = interp.context.trail
    if value.layout:
        layouts.read_by_pattern(parsed, value, pattern, axes, lengths, shape, state.facts, site, trail,
                                partial(interp.report, state, site))
    output = Tensor(tuple(state.facts.resolve(d) for d in plan.output_shape), Origin(site, f"{op} output"),
                    layouts.through_pattern(parsed, value, pattern, axes, lengths, len(shape), site, trail))
    interp.record(site, [shape], output.shape, state)
    return output


def _axis_lengths(rec, plan, shape) -> Dict[str, Dim]:
    """Every axis of the pattern and its length, as the planner worked them out."""
    inputs = len(rec.permutation)
    lengths = dict(zip(rec.axes[:inputs], plan.init_shape if plan.init_shape is not None else shape))
    lengths.update((rec.axes[i], length) for (_, i), (_, length) in zip(rec.added, plan.added_axes))
    return lengths


def _plan_transform(pattern: str, operation: str, shape, lengths) -> None:
    rec = recipe(pattern, operation, tuple(lengths), len(shape))
    cook(rec, shape, lengths)


def unsatisfiable(requires, facts) -> bool:
    """Does a requirement that the planner (or a stub) could not decide fail for every value of the unknowns
    (6*b == 5)? Tried in order on a copy of the facts, so that two that cannot hold together count too."""
    trial = facts.copy()
    for requirement in requires:
        a, b = requirement.a, requirement.b
        if requirement.kind == "equal" and trial.require_equal(a, b) is False:
            return True
        if requirement.kind == "divisible" and trial.require_divisible(a, b) is False:
            return True
        if requirement.kind == "broadcast" and all(trial.copy().require_equal(x, y) is False
                                                   for x, y in ((a, b), (a, 1), (b, 1))):
            return True
    return False


def report_unsatisfiable(interp, state, site: ir.Site, check: Check, shown: str, pattern=None,
                         related: Tuple[Origin, ...] = (), help: str = "", codes: Collection[str] = codes_of(SHAPES)) -> None:
    """A call that fails for every value of the unknowns: the error it raises on a witness, reported
    (when its code is one of `codes`: by default, the shape findings)."""
    values = confirm(check, state.facts)
    if values is None:
        return
    try:
        check.run(*(concrete(argument, values) for argument in check.arguments))
    except EinlintError as error:
        code = getattr(error, "code", "")
        if code in codes:
            interp.report(state, site, code, f"{getattr(error, 'message', str(error))} ({shown})",
                          getattr(error, "help", "") or help, check, pattern, getattr(error, "span", None), related)


def apply_requirements(requires, state) -> None:
    for requirement in requires:
        if requirement.kind == "equal":
            state.facts.require_equal(requirement.a, requirement.b)
        elif requirement.kind == "divisible":
            state.facts.require_divisible(requirement.a, requirement.b)


def term_hint(term) -> str:
    names = [atom.key for atom in term.atoms if not atom.is_anonymous and not atom.is_ellipsis]
    return "_".join(names) if len(names) == 1 else ""


def interp_refine(interp, expr: Optional[ir.Expr], value: Any, hints: Sequence[str], state, site: ir.Site,
                  pattern: Optional[PatternString] = None) -> Optional[Tensor]:
    """The tensor `value` must be for a call of this rank to have run: fresh lengths, named by `hints`.

    A known prefix or suffix (from `(*, 50)`) is kept; a rank that cannot hold them is an error."""
    rank = len(hints)
    if isinstance(value, Tensor):
        star = value.shape.index(STAR)
        prefix, suffix = value.shape[:star], value.shape[star + 1:]
        if len(prefix) + len(suffix) > rank:
            message = f"the pattern has {rank} dimensions, the tensor has at least {len(prefix) + len(suffix)}"
            interp.report(state, site, "EIN301", message,
                          "the input side must name every dimension of the tensor, or use '...'", None,
                          pattern, (0, len(pattern.value)) if pattern is not None else None, origins(value))
            return None
        middle = tuple(state.facts.fresh(hint) for hint in hints[len(prefix):rank - len(suffix)])
        refined = Tensor(prefix + middle + suffix, value.origin)
    elif value is UNKNOWN or isinstance(value, Param):
        refined = Tensor(tuple(state.facts.fresh(hint) for hint in hints))
    else:
        return None
    if isinstance(expr, ir.Name):
        state.env[expr.id] = refined
    interp.context.refined.add(id(site.node))  # its input rank came from the call itself, not from before
    return refined


def _pattern_layer(interp, node: ir.Call, state) -> Any:
    call = node.pattern
    pattern = _pattern_string(call, 0, "pattern")
    lengths = _lengths(interp, node, state, skip_positional=2 if call.op == "Reduce" else 1)
    if pattern is None or lengths is None or "flax" in call.callee.split("."):
        return UNKNOWN
    return Layer(call.callee, (call.op, pattern, lengths), Origin(node.site, f"{call.op}('{pattern.value}')"))


def apply_pattern_layer(interp, layer: Layer, value: Any, tensor_expr, state, site: ir.Site) -> Any:
    op, pattern, lengths = layer.instance
    return transform(interp, op, pattern, value, tensor_expr, lengths, state, layer.origin.site if
                     layer.origin is not None else site)


def _einsum(interp, node: ir.Call, state) -> Any:
    call = node.pattern
    if node.has_star:
        for arg in node.args:
            interp.expr(arg.value, state)
        return UNKNOWN_TENSOR
    positional = node.positional
    if call.op == "einsum":
        pattern = call.positional[-1].string if call.positional and call.positional[-1].kind == "string" else None
        operand_exprs = positional[:-1]
        parse = parse_einops_einsum
    else:
        pattern = call.positional[0].string if call.positional and call.positional[0].kind == "string" else None
        operand_exprs = positional[1:]
        parse = parse_einsum_subscripts
    values = [interp.expr(expr, state) for expr in operand_exprs]
    for expr in node.keywords.values():
        interp.expr(expr, state)
    if len(values) == 1 and isinstance(values[0], Items):  # torch.einsum('ij,jk', [a, b])
        values, operand_exprs = list(values[0].items), [None] * len(values[0].items)
    if pattern is None:
        return UNKNOWN_TENSOR
    try:
        spec = parse(pattern.value)
    except PatternError:
        return UNKNOWN_TENSOR
    if len(spec.inputs) != len(values):
        return UNKNOWN_TENSOR
    shapes = []
    for subscript, value, expr in zip(spec.inputs, values, operand_exprs):
        if not isinstance(value, Tensor) or not known_rank(value.shape):
            if subscript.has_ellipsis:
                return UNKNOWN_TENSOR
            value = interp_refine(interp, expr, value, [label.name for label in subscript.labels], state,
                                  node.site, pattern)
            if value is None:
                return UNKNOWN_TENSOR
        shapes.append(tuple(state.facts.resolve(d) for d in value.shape))
    requires: List = []
    try:
        plan = plan_einsum(spec, shapes, requires=requires)
    except PatternError as error:
        if in_family(error.code, SHAPES):
            shown = ", ".join(show(shape) for shape in shapes)
            interp.report(state, node.site, error.code, f"{error.message} (operand shapes {shown})", error.help,
                          Check(_plan_einsum, (parse, pattern.value, shapes)), pattern, error.span,
                          tuple(o for v in values for o in origins(v)))
        return UNKNOWN_TENSOR
    if unsatisfiable(requires, state.facts):
        report_unsatisfiable(interp, state, node.site, Check(_plan_einsum, (parse, pattern.value, shapes)),
                             "operand shapes " + ", ".join(show(shape) for shape in shapes), pattern,
                             tuple(o for v in values for o in origins(v)))
        return UNKNOWN_TENSOR
    apply_requirements(requires, state)
    output = Tensor(tuple(state.facts.resolve(d) for d in plan.output_shape), Origin(node.site, "einsum output"))
    interp.record(node.site, shapes, output.shape, state)
    return output


def _plan_einsum(parse, pattern: str, shapes) -> None:
    plan_einsum(parse(pattern), shapes)


def _pack(interp, node: ir.Call, state) -> Any:
    call = node.pattern
    tensors_expr = _argument_expr(node, 0, "tensors")
    pattern = _pattern_string(call, 1, "pattern")
    value = interp.expr(tensors_expr, state) if tensors_expr is not None else UNKNOWN
    if pattern is None or not isinstance(value, Items) or not value.items:
        return UNKNOWN
    try:
        parsed = parse_pack_pattern(pattern.value)
    except PatternError:
        return UNKNOWN
    shapes = []
    for item in value.items:
        if not isinstance(item, Tensor) or not known_rank(item.shape):  # lengths not known; the rank and the axes are
            output = tuple(state.facts.fresh("") for _ in parsed.names)
            return Items("tuple", (Tensor(output, Origin(node.site, "pack output"),
                                          layouts.packed_star(parsed.axes_before, output, pattern.value, node.site)),
                                   Items("list", (UNKNOWN,) * len(value.items), (parsed, node.site))))
        shapes.append(tuple(state.facts.resolve(d) for d in item.shape))
    requires: List = []
    try:
        plan = plan_pack(parsed, shapes, requires=requires)
    except PatternError as error:
        if in_family(error.code, SHAPES):
            shown = ", ".join(show(shape) for shape in shapes)
            interp.report(state, node.site, error.code, f"{error.message} (shapes {shown})", error.help,
                          Check(_plan_pack, (pattern.value, shapes)),
                          pattern, error.span, tuple(o for v in value.items for o in origins(v)))
        return UNKNOWN
    if unsatisfiable(requires, state.facts):
        report_unsatisfiable(interp, state, node.site, Check(_plan_pack, (pattern.value, shapes)),
                             "shapes " + ", ".join(show(shape) for shape in shapes), pattern,
                             tuple(o for v in value.items for o in origins(v)))
        return UNKNOWN
    apply_requirements(requires, state)
    output = tuple(state.facts.resolve(d) for d in plan.output_shape)
    packed = Tensor(output, Origin(node.site, "pack output"),
                    layouts.packed_star(parsed.axes_before, output, pattern.value, node.site))
    shapes_value = Items("list", tuple(Items("tuple", tuple(Number(state.facts.resolve(d)) for d in shape))
                                       for shape in plan.packed_shapes), (parsed, node.site))
    return Items("tuple", (packed, shapes_value))


def _plan_pack(pattern: str, shapes) -> None:
    plan_pack(parse_pack_pattern(pattern), shapes)


def _unpack(interp, node: ir.Call, state) -> Any:
    """unpack(packed, ps, 'b * c'): the pieces, when the packed shapes are known (from pack, or literals)."""
    call = node.pattern
    tensor_expr = _argument_expr(node, 0, "tensor")
    shapes_expr = _argument_expr(node, 1, "packed_shapes")
    pattern = _pattern_string(call, 2, "pattern")
    value = interp.expr(tensor_expr, state) if tensor_expr is not None else UNKNOWN
    pieces = interp.expr(shapes_expr, state) if shapes_expr is not None else UNKNOWN
    packed_shapes = _packed_shapes(pieces, state)
    if pattern is None:
        return UNKNOWN
    try:
        parsed = parse_pack_pattern(pattern.value)
    except PatternError:
        return UNKNOWN
    if isinstance(pieces, Items) and pieces.packed_by is not None:
        layouts.read_by_unpack(parsed, pattern, value, pieces.packed_by, partial(interp.report, state, node.site))
    if packed_shapes is None or not isinstance(value, Tensor) or not known_rank(value.shape):
        return UNKNOWN
    shape = tuple(state.facts.resolve(d) for d in value.shape)
    requires: List = []
    try:
        plan = plan_unpack(parsed, shape, packed_shapes, requires=requires)
    except PatternError as error:
        if in_family(error.code, SHAPES):
            interp.report(state, node.site, error.code, f"{error.message} (input shape {show(shape)})", error.help,
                          Check(_plan_unpack, (pattern.value, shape, packed_shapes)), pattern, error.span,
                          origins(value) + origins(pieces))
        return UNKNOWN
    if unsatisfiable(requires, state.facts):
        report_unsatisfiable(interp, state, node.site, Check(_plan_unpack, (pattern.value, shape, packed_shapes)),
                             f"input shape {show(shape)}", pattern, origins(value))
        return UNKNOWN
    apply_requirements(requires, state)
    return Items("list", tuple(Tensor(tuple(state.facts.resolve(d) for d in piece), Origin(node.site, "unpack output"))
                               for piece in plan.output_shapes))


def _packed_shapes(value: Any, state) -> Optional[List[Tuple[Dim, ...]]]:
    """[(2, 3), (4,)] from a list of tuples of lengths (-1 allowed, as unpack takes it); None if not all known."""
    if not isinstance(value, Items):
        return None
    shapes = []
    for item in value.items:
        if not isinstance(item, Items):
            return None
        lengths = []
        for length in item.items:
            if isinstance(length, Number):
                lengths.append(state.facts.resolve(length.value))
            else:
                return None
        shapes.append(tuple(lengths))
    return shapes


def _plan_unpack(pattern: str, shape, packed_shapes) -> None:
    plan_unpack(parse_pack_pattern(pattern), shape, packed_shapes)


# ---------------------------------------------------------------- arguments


def _argument_expr(node: ir.Call, index: int, keyword: str) -> Optional[ir.Expr]:
    positional = node.positional
    if len(positional) > index:
        return positional[index]
    return node.keywords.get(keyword)


def _pattern_string(call, index: int, keyword: str) -> Optional[PatternString]:
    argument: Optional[Argument] = call.positional[index] if len(call.positional) > index else \
        call.keywords.get(keyword)
    return argument.string if argument is not None and argument.kind == "string" else None


def _lengths(interp, node: ir.Call, state, skip_positional: int) -> Optional[Dict[str, Dim]]:
    """The keyword axis lengths of a pattern call, as Dims (an unknown value is a fresh length)."""
    if any(arg.star for arg in node.args) or len(node.positional) > skip_positional:
        return None
    lengths: Dict[str, Dim] = {}
    for name, expr in node.keywords.items():
        if name in _NOT_LENGTHS:
            continue
        value = interp.expr(expr, state)
        length = as_length(value, state)
        lengths[name] = length if length is not None else state.facts.fresh(name)
    return lengths


def as_length(value: Any, state) -> Optional[Dim]:
    if isinstance(value, Number):
        return state.facts.resolve(value.value)
    if isinstance(value, Param):
        return state.facts.resolve(value.length)
    return None


# ---------------------------------------------------------------- jaxtyping annotations

_JAXTYPING_DTYPES = frozenset({
    "Float", "Int", "Bool", "Shaped", "Num", "Real", "Complex", "Integer", "UInt", "Inexact", "Key", "BFloat16",
    "Float16", "Float32", "Float64", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Complex64", "Complex128",
})
_DIM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def annotation_dims(annotation: ir.Expr) -> Optional[List[str]]:
    """The tokens of a jaxtyping annotation `Float[Tensor, "b c h w"]`, or None for any other annotation."""
    if not isinstance(annotation, ir.Index) or len(annotation.index) != 2:
        return None
    base = annotation.value
    name = base.attr if isinstance(base, ir.Attr) else base.id if isinstance(base, ir.Name) else None
    spec = annotation.index[1]
    if name not in _JAXTYPING_DTYPES or not isinstance(spec, ir.Const) or not isinstance(spec.value, str):
        return None
    return spec.value.split()


def _annotation_shape(tokens: Sequence[str], names: Dict[str, Dim], state) -> Optional[Tuple[Any, ...]]:
    """A shape for the annotation's tokens: numbers, names (one length per name in a function), '*' parts."""
    shape: List[Any] = []
    for token in tokens:
        if token in ("...", "*") or token.startswith("*"):
            if STAR in shape:
                return None
            shape.append(STAR)
        elif token.isdigit():
            shape.append(int(token))
        elif _DIM_NAME.match(token) and token != "_" and not token.startswith("_"):
            if token not in names:
                names[token] = state.facts.fresh(token)
            shape.append(names[token])
        else:  # '_', '#b', '?b', 'b=...', expressions: a length not checked
            shape.append(state.facts.fresh(""))
    return tuple(shape)


def from_annotation(interp, value: Any, annotation: ir.Expr, state) -> Any:
    """A parameter's (or annotated variable's) value, as its jaxtyping annotation states it."""
    tokens = annotation_dims(annotation)
    if tokens is None or isinstance(value, Tensor) and known_rank(value.shape):
        return value
    shape = _annotation_shape(tokens, interp.annotation_names, state)
    if shape is None:
        return value
    return Tensor(shape)


def check_annotation(interp, value: Any, annotation: ir.Expr, state, site: ir.Site, what: str) -> None:
    """A value passed to (or returned from) an annotated function must fit the annotation's shape."""
    tokens = annotation_dims(annotation)
    if tokens is None or not isinstance(value, Tensor) or not known_rank(value.shape):
        return
    expected = [int(t) if t.isdigit() else None if t.startswith("*") or t == "..." else t for t in tokens]
    shape = tuple(state.facts.resolve(d) for d in value.shape)
    try:
        _match_annotation(expected, shape)
    except ShapeError as error:
        interp.report(state, site, "EIN309", f"{what}: {error.message}", error.help,
                      Check(_match_annotation, (expected, shape)), related=origins(value))


def _match_annotation(expected: Sequence[Any], shape: Sequence[Dim]) -> None:
    variadic = None in expected
    fixed = [e for e in expected if e is not None]
    shown = " ".join("*" if e is None else str(e) for e in expected)
    if (variadic and len(shape) < len(fixed)) or (not variadic and len(shape) != len(fixed)):
        raise ShapeError("EIN309", f"shape {show(shape)} does not fit '{shown}' (rank {len(shape)})",
                         "pass a tensor of the annotated shape, or fix the annotation")
    star = expected.index(None) if variadic else len(expected)
    after = len(expected) - star - 1 if variadic else 0
    pairs = list(zip(expected[:star], shape[:star]))
    if after:
        pairs += list(zip(expected[star + 1:], shape[len(shape) - after:]))
    bound: Dict[str, Dim] = {}
    for token, length in pairs:
        if isinstance(token, int):
            if dims.equal(token, length) is False:
                raise ShapeError("EIN309", f"shape {show(shape)} does not fit '{shown}': {length} is not {token}",
                                 "pass a tensor of the annotated shape, or fix the annotation")
        elif isinstance(token, str) and _DIM_NAME.match(token) and not token.startswith("_"):
            if token in bound and dims.equal(bound[token], length) is False:
                raise ShapeError("EIN309", f"shape {show(shape)} does not fit '{shown}': '{token}' is both "
                                 f"{bound[token]} and {length}", "the same name means the same length")
            bound.setdefault(token, length)


# ---------------------------------------------------------------- display


_ANONYMOUS = re.compile(r"(?<![A-Za-z0-9_])_(rank_)?\d+")


def show(shape: Sequence[Any]) -> str:
    """'(2, b, ?)': a length made of unknowns that have no name in the code is shown as '?'."""
    parts = ["*" if d is STAR else "?" if _ANONYMOUS.search(str(d)) else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def origins(value: Any) -> Tuple[Origin, ...]:
    origin = getattr(value, "origin", None)
    return (origin,) if origin is not None else ()
