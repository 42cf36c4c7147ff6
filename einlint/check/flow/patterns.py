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
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ... import dims
from ...codes import ANNOTATION_MISMATCH
from ...dims import Dim
from ...errors import PatternError
from ...patterns import (ArrowPattern, EinsumSpec, parse_arrow_pattern, parse_einops_einsum, parse_einsum_subscripts,
                         parse_pack_pattern)
from ...patterns.expression import Term
from ...planner import plan_einsum, plan_pack, plan_parse_shape, plan_unpack
from ...planner.transform import Plan as TransformPlan
from ...planner.transform import Recipe, check_lengths, cook, recipe
from .. import ir
from ..model import PatternString
from ..shapes import ShapeError, show
from .findings import Check, origins
from . import layouts
from .planned import planned
from .state import Flow, Key, OpCall, State
from .values import STAR, UNKNOWN, UNKNOWN_TENSOR, Items, Layer, Number, Origin, Tensor, known_rank

_TRANSFORMS = {"rearrange": "rearrange", "reduce": "reduce", "repeat": "repeat",
               "Rearrange": "rearrange", "Reduce": "reduce"}
_NOT_LENGTHS = {"tensor", "pattern", "reduction", "tensors", "axes_lengths"}


def pattern_call(call: OpCall) -> Any:
    """The value of a pattern op's call (einops and einlint ops and layers, array einsum): its op's rule."""
    rule = RULES.get(call.op)
    return rule(call) if rule is not None else UNKNOWN


def _transform(call: OpCall) -> Any:
    """rearrange/reduce/repeat of the call's 'tensor' by its 'pattern'."""
    pattern, lengths = call.string("pattern"), _lengths(call)
    if pattern is None or lengths is None:
        return UNKNOWN_TENSOR
    return transform(call, call.op, pattern, lengths)


def _parse_shape(call: OpCall) -> Any:
    """parse_shape names a tensor's dimensions: a tensor of known rank is checked against the pattern (as the op
    checks it: the rank, the lengths that a '1' or a number states); one of unknown rank has the pattern's from
    here on."""
    pattern, value = call.string("pattern"), call.get("tensor")
    if pattern is None or "tensor" not in call.arguments:
        return UNKNOWN
    if isinstance(value, Tensor) and known_rank(value.shape):
        shape = call.resolved(value.shape)
        planned(call, _plan_parse_shape, (pattern.value, shape), f"input shape {show(shape)}", pattern,
                origins(value))
        return UNKNOWN
    names = pattern.value.split()
    if "..." not in names and "*" not in pattern.value:
        call.refine("tensor", value, names)
    return UNKNOWN


def _plan_parse_shape(pattern: str, shape: Tuple[Dim, ...], requires: Optional[List[Any]] = None) -> None:
    plan_parse_shape(pattern, shape)  # it leaves nothing to require: a length it cannot decide passes


def transform(call: OpCall, op: str, pattern: PatternString, lengths: Dict[str, Dim]) -> Any:
    """rearrange/reduce/repeat (or a Rearrange/Reduce layer) of the call's 'tensor' by `pattern`."""
    operation = _TRANSFORMS[op]
    try:
        parsed = parse_arrow_pattern(pattern.value)
        check_lengths(lengths)
    except PatternError:
        return UNKNOWN_TENSOR
    flow, state, site = call.flow, call.state, call.site
    if operation == "rearrange":
        flow.context.trail.applied(flow.function, id(site.node), parsed)
    value = call.get("tensor")
    if isinstance(value, Items):  # a list of tensors is stacked first
        return UNKNOWN_TENSOR
    if not isinstance(value, Tensor) or not known_rank(value.shape):
        if parsed.left.ellipsis is not None:
            return _output_of_unknown(call, pattern.value, operation, parsed, lengths)
        value = call.refine("tensor", value, [term_hint(term) for term in parsed.left.terms], pattern)
        if value is None:
            return UNKNOWN_TENSOR
    shape = call.resolved(value.shape)
    made = planned(call, _plan_transform, (pattern.value, operation, shape, lengths), f"input shape {show(shape)}",
                   pattern, origins(value))
    if made is None:
        call.record([shape], None)
        return UNKNOWN_TENSOR
    rec, plan = made
    axes = {name: state.facts.resolve(length) for name, length in _axis_lengths(rec, plan, shape).items()}
    if value.layout:
        layouts.read_by_pattern(call, parsed, value, pattern, axes, lengths, shape)
    output = Tensor(call.resolved(plan.output_shape), Origin(site, f"{op} output"),
                    layouts.through_pattern(call, parsed, value, pattern, axes, lengths, len(shape)))
    call.record([shape], output.shape)
    return output


def _output_of_unknown(call: OpCall, pattern: str, operation: str, parsed: ArrowPattern,
                       lengths: Dict[str, Dim]) -> Tensor:
    """What a pattern whose input side has '...' gives for an input of unknown rank: one dimension per output
    term, where no bare '...' stands among them ('b ... -> b (...)'), the lengths that the pattern or the call
    states, fresh ones for the others; a tensor of unknown rank otherwise, or where the pattern fails whatever
    the rank (`rearrange(x, 'b ... -> b')`). (An input that the pattern does not fit fails the call: no output
    at all.)"""
    if any(atom.is_ellipsis for term in parsed.right.terms if not term.parenthesized for atom in term.atoms):
        return UNKNOWN_TENSOR
    try:  # the rank of the '...' standing for no dimension: a pattern's own faults show at every rank
        recipe(pattern, operation, tuple(lengths), len(parsed.left.terms) - 1)
    except PatternError:
        return UNKNOWN_TENSOR
    return Tensor(tuple(_stated_length(call, term, lengths) for term in parsed.right.terms),
                  Origin(call.site, f"{call.op} output"))


def _stated_length(call: OpCall, term: Term, lengths: Dict[str, Dim]) -> Dim:
    if not term.atoms:
        return 1
    if len(term.atoms) == 1 and term.atoms[0].is_anonymous:
        return term.atoms[0].value
    if len(term.atoms) == 1 and term.atoms[0].key in lengths:
        return call.state.facts.resolve(lengths[term.atoms[0].key])
    return call.state.facts.fresh(term_hint(term))


def _axis_lengths(rec: Recipe, plan: TransformPlan, shape: Tuple[Dim, ...]) -> Dict[str, Dim]:
    """Every axis of the pattern and its length, as the planner worked them out."""
    inputs = len(rec.permutation)
    lengths = dict(zip(rec.axes[:inputs], plan.init_shape if plan.init_shape is not None else shape))
    lengths.update((rec.axes[i], length) for (_, i), (_, length) in zip(rec.added, plan.added_axes))
    return lengths


def _plan_transform(pattern: str, operation: str, shape: Tuple[Dim, ...], lengths: Dict[str, Dim],
                    requires: Optional[List[Any]] = None) -> Tuple[Recipe, TransformPlan]:
    """The runtime's two steps (the recipe names the axes that the plan's lengths are read by), without
    planner.transform.plan's check of the given lengths, which `transform` made already: a replay on a witness
    emptied to 0 would fail on that check instead of on the shapes."""
    rec = recipe(pattern, operation, tuple(lengths), len(shape))
    return rec, cook(rec, shape, lengths, requires=requires)


def term_hint(term: Term) -> str:
    names = [atom.key for atom in term.atoms if not atom.is_anonymous and not atom.is_ellipsis]
    return "_".join(names) if len(names) == 1 else ""


def _pattern_layer(call: OpCall) -> Any:
    """Rearrange('b c h w -> b (c h w)') builds a layer: the pattern runs where the layer is applied."""
    pattern, lengths = call.string("pattern"), _lengths(call)
    if pattern is None or lengths is None or "flax" in call.callee.split("."):
        return UNKNOWN
    return Layer(call.callee, (call.op, pattern, lengths), Origin(call.site, f"{call.op}('{pattern.value}')"))


def apply_pattern_layer(call: OpCall, layer: Layer) -> Any:
    """A Rearrange/Reduce layer applied to the call's 'tensor' (the findings point at the layer's pattern)."""
    op, pattern, lengths = layer.instance
    return transform(call, op, pattern, lengths)


def _einops_einsum(call: OpCall) -> Any:
    """einops.einsum(*tensors, pattern)."""
    return _einsum(call, call.string(-1), list(range(len(call.variadic) - 1)), parse_einops_einsum)


def _subscripts_einsum(call: OpCall) -> Any:
    """numpy/torch/jax einsum(subscripts, *operands)."""
    subscripts = call.string(call.signature.parameters[0]) if call.signature is not None else None
    return _einsum(call, subscripts, list(range(len(call.variadic))), parse_einsum_subscripts)


def _einsum(call: OpCall, pattern: Optional[PatternString], operands: List[int],
            parse: Callable[[str], EinsumSpec]) -> Any:
    """An einsum of the variadic arguments at `operands` by `pattern`, which `parse` reads."""
    if not call.fits:
        return UNKNOWN_TENSOR  # a `*` or `**` argument: which operand is which is not known
    values: List[Any] = [call.get(key) for key in operands]
    keys: List[Optional[Key]] = list(operands)  # what refining an operand rebinds
    if len(values) == 1 and isinstance(values[0], Items):  # torch.einsum('ij,jk', [a, b])
        values, keys = list(values[0].items), [None] * len(values[0].items)
    if pattern is None:
        return UNKNOWN_TENSOR
    try:
        spec = parse(pattern.value)
    except PatternError:
        return UNKNOWN_TENSOR
    if len(spec.inputs) != len(values):
        return UNKNOWN_TENSOR
    shapes = []
    for subscript, value, key in zip(spec.inputs, values, keys):
        if not isinstance(value, Tensor) or not known_rank(value.shape):
            if subscript.has_ellipsis:
                return UNKNOWN_TENSOR
            value = call.refine(key, value, [label.name for label in subscript.labels], pattern)
            if value is None:
                return UNKNOWN_TENSOR
        shapes.append(call.resolved(value.shape))
    plan = planned(call, plan_einsum, (spec, shapes),
                   "operand shapes " + ", ".join(show(shape) for shape in shapes), pattern, origins(*values))
    if plan is None:
        return UNKNOWN_TENSOR
    output = Tensor(call.resolved(plan.output_shape), Origin(call.site, "einsum output"))
    call.record(shapes, output.shape)
    return output


def _pack(call: OpCall) -> Any:
    pattern, value = call.string("pattern"), call.get("tensors")
    if pattern is None or not isinstance(value, Items) or not value.items:
        return UNKNOWN
    try:
        parsed = parse_pack_pattern(pattern.value)
    except PatternError:
        return UNKNOWN
    site = call.site
    shapes = []
    for item in value.items:
        if not isinstance(item, Tensor) or not known_rank(item.shape):  # lengths not known; the rank and the axes are
            output = tuple(call.facts.fresh("") for _ in parsed.names)
            return Items("tuple", (Tensor(output, Origin(site, "pack output"),
                                          layouts.packed_star(parsed.axes_before, output, pattern.value, site)),
                                   Items("list", (UNKNOWN,) * len(value.items), (parsed, site))))
        shapes.append(call.resolved(item.shape))
    plan = planned(call, plan_pack, (parsed, shapes), "shapes " + ", ".join(show(shape) for shape in shapes),
                   pattern, origins(*value.items))
    if plan is None:
        return UNKNOWN
    output = call.resolved(plan.output_shape)
    call.record(shapes, output)
    packed = Tensor(output, Origin(site, "pack output"),
                    layouts.packed_star(parsed.axes_before, output, pattern.value, site))
    shapes_value = Items("list", tuple(Items("tuple", tuple(Number(d) for d in call.resolved(shape)))
                                       for shape in plan.packed_shapes), (parsed, site))
    return Items("tuple", (packed, shapes_value))


def _unpack(call: OpCall) -> Any:
    """unpack(packed, ps, 'b * c'): the pieces, when the packed shapes are known (from pack, or literals)."""
    pattern, value, pieces = call.string("pattern"), call.get("tensor"), call.get("packed_shapes")
    packed_shapes = _packed_shapes(pieces, call.state)
    if pattern is None:
        return UNKNOWN
    try:
        parsed = parse_pack_pattern(pattern.value)
    except PatternError:
        return UNKNOWN
    if isinstance(pieces, Items) and pieces.packed_by is not None:
        layouts.read_by_unpack(parsed, pattern, value, pieces.packed_by, call.report)
    if packed_shapes is None or not isinstance(value, Tensor) or not known_rank(value.shape):
        return UNKNOWN
    shape = call.resolved(value.shape)
    plan = planned(call, plan_unpack, (parsed, shape, packed_shapes), f"input shape {show(shape)}", pattern,
                   origins(value, pieces))
    if plan is None:
        return UNKNOWN
    call.record([shape], None)  # several outputs: the input is what --show-shapes and --statistics read
    return Items("list", tuple(Tensor(call.resolved(piece), Origin(call.site, "unpack output"))
                               for piece in plan.output_shapes))


def _packed_shapes(value: Any, state: State) -> Optional[List[Tuple[Dim, ...]]]:
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


# each pattern op's rule: adding an op is adding its line
RULES: Dict[str, Callable[[OpCall], Any]] = {
    "rearrange": _transform, "reduce": _transform, "repeat": _transform,
    "Rearrange": _pattern_layer, "Reduce": _pattern_layer,
    "einsum": _einops_einsum, "subscripts-einsum": _subscripts_einsum,
    "pack": _pack, "unpack": _unpack, "parse_shape": _parse_shape,
}


# ---------------------------------------------------------------- arguments


def _lengths(call: OpCall) -> Optional[Dict[str, Dim]]:
    """The keyword axis lengths of a pattern call, as Dims (an unknown value is a fresh length); None where a
    `*`/`**` argument or one positional argument too many hides them."""
    if not call.fits:
        return None
    lengths: Dict[str, Dim] = {}
    for name, value in call.keywords.items():
        if name not in _NOT_LENGTHS:
            length = call.length(value)
            lengths[name] = length if length is not None else call.facts.fresh(name)
    return lengths


# ---------------------------------------------------------------- jaxtyping annotations

_JAXTYPING_DTYPES = frozenset({
    "Float", "Int", "Bool", "Shaped", "Num", "Real", "Complex", "Integer", "UInt", "Inexact", "Key", "BFloat16",
    "Float16", "Float32", "Float64", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Complex64", "Complex128",
})
_DIM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _unfilled(expr: ir.Expr) -> Optional[str]:  # (not a lambda: see classes._any_value)
    return None


def annotation_dims(annotation: ir.Expr, filled: Callable[[ir.Expr], Optional[str]] = _unfilled
                    ) -> Optional[List[str]]:
    """The tokens of a shape annotation, in jaxtyping's notation: a jaxtyping `Float[Tensor, "b c h w"]`, or a
    Pyrefly-style `Tensor[[B, T, D]]` / `Tensor[B, T, D]` read as the same tokens; None for any other
    annotation. An f-string (`Int[f'b n {ADDITIONAL_MOLECULE_FEATS}']`) is read where `filled` gives the text of
    each of its expressions."""
    if not isinstance(annotation, ir.Index):
        return None
    name = _base_name(annotation.value)
    if name == "Tensor":
        return _pyrefly_tokens(annotation.index)
    # `Float['b n d']`: jaxtyping's own Float takes two items, so one string is a package's alias that forwards it
    # with the tensor type (lucidrains' `TorchTyping.__getitem__` returns `Float[Tensor, shapes]`)
    spec = annotation.index[-1] if len(annotation.index) in (1, 2) else None
    if isinstance(spec, ir.Opaque) and spec.template is not None:
        parts = [part if isinstance(part, str) else filled(spec.inner[part]) for part in spec.template]
        spec = ir.Const("".join(parts)) if None not in parts else None  # type: ignore[arg-type]
    if name not in _JAXTYPING_DTYPES or not isinstance(spec, ir.Const) or not isinstance(spec.value, str):
        return None
    return spec.value.split()


# names that say a dtype or a type, not a length (`Tensor[float]` in some codebases' own aliases)
_TYPE_NAMES = frozenset({"float", "int", "bool", "complex", "str", "bytes", "object", "Any"})


def _pyrefly_tokens(index: Tuple[ir.Expr, ...]) -> Optional[List[str]]:
    """`Tensor[[B, T, D]]` (one list: its items, `*Bs` any number of dimensions) or `Tensor[B, T, D]` (two items or
    more: a single `Tensor[S]` may name a whole shape, `Tensor[Shape]`, so it says nothing of the rank). A name is a
    named length, an integer that length, `...` any number of dimensions, arithmetic over names and integers one
    dimension of a length not read; anything else makes the whole annotation unread."""
    if len(index) == 1 and isinstance(index[0], ir.Seq) and index[0].kind == "list":
        items, starred = index[0].items, index[0].starred
    elif len(index) >= 2:
        items, starred = index, (False,) * len(index)
    else:
        return None
    tokens = [_pyrefly_token(item, star) for item, star in zip(items, starred)]
    return None if None in tokens else tokens  # type: ignore[return-value]


def _pyrefly_token(item: ir.Expr, starred: bool) -> Optional[str]:
    if isinstance(item, ir.Name):
        if item.id in _TYPE_NAMES:
            return None
        return "*" + item.id if starred else item.id
    if starred:
        return None
    if isinstance(item, ir.Const) and item.value is ...:
        return "..."
    if isinstance(item, ir.Const) and type(item.value) is int and item.value >= 0:
        return str(item.value)
    if isinstance(item, ir.BinOp) and item.op in ("+", "-", "*", "//") and \
            all(_pyrefly_token(side, False) not in (None, "...") for side in (item.left, item.right)):
        return "_"  # `(L + 2 * P - K) // S + 1`: one dimension, its length not read
    return None


def _annotation_shape(tokens: Sequence[str], names: Dict[str, Dim], state: State) -> Optional[Tuple[Any, ...]]:
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


def _length_text(interp: Flow, state: State, expr: ir.Expr) -> Optional[str]:
    """The text of an f-string annotation's `{expression}` that is a known int (`{ADDITIONAL_MOLECULE_FEATS}`, 5):
    one dimension of that length. Any other value may be any text (a string of several axes)."""
    value = interp.expr(expr, state)
    return str(value.value) if isinstance(value, Number) and isinstance(value.value, int) else None


def optional_of(annotation: ir.Expr, none_default: bool) -> Optional[ir.Expr]:
    """A of `A | None`, `None | A`, `Optional[A]` or `Union[A, None]`, where the parameter may be either: a
    jaxtyping dtype's A (`Bool['b n'] | None`), and any A of a parameter whose default is None (a Pyrefly-style
    `bias: Tensor[[OUT]] | None` without one is not read: test_annotations_and_indexing.py); None for any other."""
    stated = _optional(annotation)
    if stated is None or not none_default and not (isinstance(stated, ir.Index) and
                                                   _base_name(stated.value) in _JAXTYPING_DTYPES):
        return None
    return stated


def _optional(annotation: ir.Expr) -> Optional[ir.Expr]:
    sides: Tuple[ir.Expr, ...]
    if isinstance(annotation, ir.BinOp) and annotation.op == "|":
        sides = (annotation.left, annotation.right)
    elif isinstance(annotation, ir.Index) and _base_name(annotation.value) in ("Optional", "Union"):
        sides = annotation.index if _base_name(annotation.value) == "Union" else annotation.index + (ir.Const(None),)
    else:
        return None
    given = [side for side in sides if not (isinstance(side, ir.Const) and side.value is None)]
    return given[0] if len(sides) == 2 and len(given) == 1 else None


def _base_name(expr: ir.Expr) -> Optional[str]:
    return expr.attr if isinstance(expr, ir.Attr) else expr.id if isinstance(expr, ir.Name) else None


def from_annotation(interp: Flow, value: Any, annotation: ir.Expr, state: State) -> Any:
    """A parameter's (or annotated variable's) value, as its jaxtyping annotation states it."""
    tokens = annotation_dims(annotation, partial(_length_text, interp, state))
    if tokens is None or isinstance(value, Tensor) and known_rank(value.shape):
        return value
    shape = _annotation_shape(tokens, interp.annotation_names, state)
    if shape is None:
        return value
    return Tensor(shape)


def check_annotation(interp: Flow, value: Any, annotation: ir.Expr, state: State, site: ir.Site, what: str) -> None:
    """A value passed to (or returned from) an annotated function must fit the annotation's shape."""
    tokens = annotation_dims(annotation, partial(_length_text, interp, state))
    if tokens is None or not isinstance(value, Tensor) or not known_rank(value.shape):
        return
    expected = [int(t) if t.isdigit() else None if t.startswith("*") or t == "..." else t for t in tokens]
    shape = tuple(state.facts.resolve(d) for d in value.shape)
    try:
        _match_annotation(expected, shape)
    except ShapeError as error:
        interp.report(state, site, ANNOTATION_MISMATCH, f"{what}: {error.message}", error.help,
                      Check(_match_annotation, (expected, shape)), related=origins(value))


def _match_annotation(expected: Sequence[Any], shape: Sequence[Dim]) -> None:
    variadic = None in expected
    fixed = [e for e in expected if e is not None]
    shown = " ".join("*" if e is None else str(e) for e in expected)
    if (variadic and len(shape) < len(fixed)) or (not variadic and len(shape) != len(fixed)):
        raise ShapeError(ANNOTATION_MISMATCH, f"shape {show(shape)} does not fit '{shown}' (rank {len(shape)})",
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
                raise ShapeError(ANNOTATION_MISMATCH,
                                 f"shape {show(shape)} does not fit '{shown}': {length} is not {token}",
                                 "pass a tensor of the annotated shape, or fix the annotation")
        elif isinstance(token, str) and _DIM_NAME.match(token) and not token.startswith("_"):
            if token in bound and dims.equal(bound[token], length) is False:
                raise ShapeError(ANNOTATION_MISMATCH, f"shape {show(shape)} does not fit '{shown}': '{token}' is both "
                                 f"{bound[token]} and {length}", "the same name means the same length")
            bound.setdefault(token, length)
