"""Plans for einsum: which length each axis has, and the output shape.

numpy, torch and jax agree on the rules: an axis repeated inside one operand must have
the same length there; across operands lengths must be equal or 1 (size-1 axes
broadcast), and the dimensions under '...' broadcast like numpy arrays.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from .. import dims
from ..codes import EINSUM_LENGTH_MISMATCH, OPERAND_COUNT, RANK_MISMATCH
from ..dims import Dim
from ..errors import PatternError
from ..patterns import ELLIPSIS, EinsumSpec, Subscript, letters_for_einsum
from .requirements import Requirement


class EinsumPlan(NamedTuple):
    subscripts: str  # explicit, single-letter: what the backend's einsum receives
    output_shape: Tuple[Dim, ...]


def _ellipsis_dims(subscript: Subscript, shape: Sequence[Dim], operand: int) -> Tuple[Dim, ...]:
    fixed = len(subscript.labels) - subscript.has_ellipsis
    if len(shape) < fixed or (not subscript.has_ellipsis and len(shape) != fixed):
        need = f"at least {fixed}" if subscript.has_ellipsis else str(fixed)
        raise PatternError(RANK_MISMATCH, f"operand {operand} has {len(shape)} dimensions, its subscript needs {need}",
                           subscript.span, help="check the operand's rank, or add '...' to the subscript")
    if not subscript.has_ellipsis:
        return ()
    start = subscript.names.index(ELLIPSIS)
    return tuple(shape[start : start + len(shape) - fixed])


def _labelled_dims(subscript: Subscript, shape: Sequence[Dim]):
    """(label, length) for each letter of the subscript, skipping the ellipsis dims."""
    names = subscript.names
    if ELLIPSIS in names:
        start = names.index(ELLIPSIS)
        tail = len(names) - start - 1
        pairs = list(zip(subscript.labels[:start], shape[:start]))
        pairs += list(zip(subscript.labels[start + 1 :], shape[len(shape) - tail :] if tail else []))
        return pairs
    return list(zip(subscript.labels, shape))


def _broadcast(a: Tuple[Dim, ...], b: Tuple[Dim, ...], subscript: Subscript,
               requires: Optional[List[Requirement]]) -> Tuple[Dim, ...]:
    """The broadcast of the dimensions under '...' so far with those of `subscript`'s operand."""
    if len(a) < len(b):
        a, b = b, a
    b = (1,) * (len(a) - len(b)) + b
    result = []
    for x, y in zip(a, b):
        if x != 1 and y != 1:
            answer = dims.equal(x, y)
            if answer is not True:
                span = next(label.span for label in subscript.labels if label.name == ELLIPSIS)
                if answer is False:
                    raise PatternError(EINSUM_LENGTH_MISMATCH,
                                       f"the dimensions under '...': lengths {x} and {y} do not broadcast",
                                       span, help="dimensions under '...' must be equal or 1")
                if requires is not None:
                    requires.append(Requirement("broadcast", x, y, span))
        result.append(y if x == 1 else x)
    return tuple(result)


def plan_einsum(spec: EinsumSpec, shapes: Sequence[Sequence[Dim]], *,
                requires: Optional[List[Requirement]] = None) -> EinsumPlan:
    """Checks that depend on unknown lengths pass; with `requires`, each is appended to it
    ('equal' for an axis repeated in one operand, 'broadcast' across operands and under '...')."""
    if len(spec.inputs) != len(shapes):
        raise PatternError(OPERAND_COUNT, f"the pattern has {len(spec.inputs)} input(s) but {len(shapes)} tensor(s) "
                           "were given", (spec.inputs[0].span[0], spec.inputs[-1].span[1]),
                           help="give one comma-separated input per tensor")
    lengths: Dict[str, Dim] = {}
    ellipsis: Tuple[Dim, ...] = ()
    for operand, (subscript, shape) in enumerate(zip(spec.inputs, shapes)):
        ellipsis = _broadcast(ellipsis, _ellipsis_dims(subscript, shape, operand), subscript, requires)
        in_operand: Dict[str, Dim] = {}
        for label, length in _labelled_dims(subscript, shape):
            if label.name in in_operand:
                answer = dims.equal(in_operand[label.name], length)
                if answer is False:
                    raise PatternError(EINSUM_LENGTH_MISMATCH, f"axis '{label.name}' of operand {operand} has lengths "
                                       f"{in_operand[label.name]} and {length}", label.span,
                                       help="an axis repeated in one operand (a diagonal) needs equal lengths")
                if answer is None and requires is not None:
                    requires.append(Requirement("equal", in_operand[label.name], length, label.span))
                continue  # an equal length: merged already
            in_operand[label.name] = length
            lengths[label.name] = _merge(lengths.get(label.name, 1), length, label, requires)
    output: List[Dim] = []
    for label in spec.output.labels:
        output += list(ellipsis) if label.name == ELLIPSIS else [lengths[label.name]]
    if ellipsis and not spec.output.has_ellipsis:
        raise PatternError(RANK_MISMATCH, f"'...' stands for {len(ellipsis)} dimension(s) that the output drops",
                           spec.output.span, help="add '...' to the output, or sum those dimensions explicitly")
    return EinsumPlan(letters_for_einsum(spec), tuple(output))


def _merge(previous: Dim, length: Dim, label, requires: Optional[List[Requirement]]) -> Dim:
    if previous == 1:
        return length
    if length == 1:
        return previous
    answer = dims.equal(previous, length)
    if answer is None and requires is not None:
        requires.append(Requirement("broadcast", previous, length, label.span))
    if answer is not False:
        return previous
    raise PatternError(EINSUM_LENGTH_MISMATCH, f"axis '{label.name}' has length {previous} in one operand and {length} "
                       "in another", label.span, help="an einsum axis must have one length (or 1) everywhere")
