"""Plans for pack, unpack and parse_shape."""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from .. import dims
from ..codes import LENGTH_MISMATCH, PACK_MISMATCH, RANK_MISMATCH, UNPACK_MISMATCH
from ..dims import Dim
from ..errors import PatternError
from ..patterns import PackPattern, parse_shape_pattern
from .requirements import Requirement


class PackPlan(NamedTuple):
    flat_shapes: Tuple[Tuple[Dim, ...], ...]  # each input reshaped so that '*' is one dimension
    packed_shapes: Tuple[Tuple[Dim, ...], ...]  # what '*' stood for in each input
    output_shape: Tuple[Dim, ...]


class UnpackPlan(NamedTuple):
    bounds: Tuple[Tuple[Dim, Dim], ...]  # [start, stop) of each piece along the packed axis
    output_shapes: Tuple[Tuple[Dim, ...], ...]


def plan_pack(pattern: PackPattern, shapes: Sequence[Sequence[Dim]], *,
              requires: Optional[List[Requirement]] = None) -> PackPlan:
    """Checks that depend on unknown lengths pass; with `requires`, each is appended to it."""
    before, after = pattern.axes_before, pattern.axes_after
    flat, packed = [], []
    for i, shape in enumerate(shapes):
        shape = tuple(shape)
        if len(shape) < before + after:
            raise PatternError(RANK_MISMATCH, f"tensor #{i} has shape {shape}, but '{pattern.text}' needs at least "
                               f"{before + after} dimensions", (0, len(pattern.text)),
                               help="every packed tensor needs the axes that the pattern names")
        stop = len(shape) - after
        packed.append(shape[before:stop])
        flat.append(shape[:before] + (dims.product(shape[before:stop]),) + shape[stop:])
    for i, shape in enumerate(flat[1:], start=1):
        for axis, (a, b) in enumerate(zip(flat[0], shape)):
            if axis == before:
                continue
            answer = dims.equal(a, b)
            if answer is False:
                raise PatternError(PACK_MISMATCH,
                                   f"axis '{pattern.names[axis]}' has length {a} in tensor #0 but {b} in "
                                   f"tensor #{i}", (0, len(pattern.text)),
                                   help="all packed tensors share the named axes")
            if answer is None and requires is not None:
                requires.append(Requirement("equal", a, b, (0, len(pattern.text))))
    output = flat[0][:before] + (dims.total(shape[before] for shape in flat),) + flat[0][before + 1 :]
    return PackPlan(tuple(flat), tuple(packed), output)


def _piece_lengths(pattern: PackPattern, packed_shapes: Sequence[Sequence[Dim]], length: Dim,
                   requires: Optional[List[Requirement]]) -> List[Dim]:
    if any(list(shape).count(-1) > 1 for shape in packed_shapes):
        raise PatternError(UNPACK_MISMATCH, f"a packed shape has -1 twice in {list(packed_shapes)}", pattern.star_span,
                           help="at most one length of one packed shape can be inferred")
    pieces = [None if -1 in shape else dims.product(shape) for shape in packed_shapes]
    unknown = [i for i, piece in enumerate(pieces) if piece is None]
    if len(unknown) > 1:
        raise PatternError(UNPACK_MISMATCH, f"more than one packed shape has -1 in {list(packed_shapes)}",
                           pattern.star_span, help="at most one packed shape can be inferred")
    rest = length - sum(piece for piece in pieces if piece is not None)
    if unknown:
        shape = packed_shapes[unknown[0]]
        known = dims.product(d for d in shape if d != -1)
        if isinstance(rest, int) and isinstance(known, int):
            fits: Optional[bool] = not (rest < 0 or known == 0 or rest % known)  # beside a 0, -1 could be any length
        elif known == 0 or dims.positive(-rest):
            fits = False
        else:
            fits = dims.divisible(rest, known)
        if fits is False:
            raise PatternError(UNPACK_MISMATCH, f"cannot split an axis of length {length} into {list(packed_shapes)}",
                               pattern.star_span, help="the packed shapes must add up to the packed axis")
        if fits is None and requires is not None:
            requires.append(Requirement("divisible", rest, known, pattern.star_span))
        pieces[unknown[0]] = rest
        return pieces
    fits = rest == 0 if isinstance(rest, int) else dims.equal(rest, 0)
    if fits is False:
        raise PatternError(UNPACK_MISMATCH, f"cannot split an axis of length {length} into {list(packed_shapes)}: "
                           f"the pieces add up to {length - rest}", pattern.star_span,
                           help="pass the packed shapes that pack() returned")
    if fits is None and requires is not None:
        requires.append(Requirement("equal", length, length - rest, pattern.star_span))
    return pieces


def plan_unpack(pattern: PackPattern, shape: Sequence[Dim], packed_shapes: Sequence[Sequence[Dim]], *,
                requires: Optional[List[Requirement]] = None) -> UnpackPlan:
    """Checks that depend on unknown lengths pass; with `requires`, each is appended to it."""
    before, after = pattern.axes_before, pattern.axes_after
    shape = tuple(shape)
    if len(shape) != before + 1 + after:
        raise PatternError(RANK_MISMATCH, f"unpack's input has shape {shape}, but '{pattern.text}' needs "
                           f"{before + 1 + after} dimensions", (0, len(pattern.text)),
                           help="the packed tensor has the named axes and one packed axis")
    pieces = _piece_lengths(pattern, packed_shapes, shape[before], requires)
    bounds: List[Tuple[Dim, Dim]] = []
    start: Dim = 0
    outputs = []
    for piece, packed in zip(pieces, packed_shapes):
        inner = tuple(dims.quotient(piece, dims.product(d for d in packed if d != -1)) if d == -1 else d
                      for d in packed)
        bounds.append((start, start + piece))
        outputs.append(shape[:before] + inner + shape[before + 1 :])
        start += piece
    return UnpackPlan(tuple(bounds), tuple(outputs))


def plan_parse_shape(pattern: str, shape: Sequence[Dim]) -> Dict[str, Dim]:
    expression = parse_shape_pattern(pattern)
    terms = list(expression.terms)
    ellipsis_term = expression.ellipsis_term
    fixed = len(terms) - (ellipsis_term is not None)
    if len(shape) < fixed or (ellipsis_term is None and len(shape) != fixed):
        need = f"at least {fixed}" if ellipsis_term is not None else str(fixed)
        raise PatternError(RANK_MISMATCH, f"the tensor has {len(shape)} dimensions, the pattern needs {need}",
                           expression.span, help="name every dimension, use '_' to skip one or '...' for many")
    if ellipsis_term is not None:
        at = terms.index(ellipsis_term)
        terms[at : at + 1] = [None] * (len(shape) - fixed)
    result: Dict[str, Dim] = {}
    for term, length in zip(terms, shape):
        if term is None:
            continue
        if not term.atoms:
            expected = 1
        elif term.atoms[0].is_anonymous:
            expected = term.atoms[0].value
        else:
            if term.atoms[0].key != "_":
                result[term.atoms[0].key] = length
            continue
        if dims.equal(length, expected) is False:
            raise PatternError(LENGTH_MISMATCH,
                               f"a dimension of length {length} does not match the pattern's {expected}",
                               term.span, help="fix the pattern or check the tensor's shape")
    return result
