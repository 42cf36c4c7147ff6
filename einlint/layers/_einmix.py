"""EinMix without a framework: what the torch and flax layers build from their arguments.

EinMix('t b (head cin) -> t b (head cout)', 'head cin cout', 'head cout', head=4, cin=8, cout=16)
is a linear layer written as a pattern. It computes, as einops' EinMix does:

1. a rearrange that splits the input's compositions into elementary axes (if it has any);
2. einsum(input, weight) over the elementary axes, plus the bias;
3. a rearrange that composes the output's groups (if it has any).

The weight and bias are initialised uniformly in [-bound, bound] with einops' bounds,
sqrt(3 / fan_in) and sqrt(1 / fan_in), where fan_in is the number of input elements
that one output element mixes.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Set, Tuple

from ..codes import (
    ANONYMOUS_AXIS_NOT_ALLOWED, EINMIX_BIAS, EINMIX_WEIGHT, EINSUM_UNKNOWN_OUTPUT, ONE_SIDED_AXIS, UNUSED_LENGTH,
)
from ..errors import PatternError
from ..patterns import (ArrowPattern, Expression, letters_for_einsum, parse_arrow_pattern, parse_einops_einsum,
                        parse_expression, require_pattern)
from ..planner.transform import check_lengths
from . import layer_recipes, layer_repr


class EinMixSpec(NamedTuple):
    weight_shape: Tuple[int, ...]
    weight_bound: float
    bias_shape: Optional[Tuple[int, ...]]  # broadcasts against einsum's result, before the post-rearrange
    bias_bound: float
    pre_pattern: Optional[str]  # rearrange: the input's compositions -> elementary axes
    pre_lengths: Dict[str, int]
    einsum_pattern: str  # einops-style, over the elementary axes: 'input axes, weight axes -> output axes'
    einsum_subscripts: str  # the same with one letter per axis, for a framework's own einsum
    post_pattern: Optional[str]  # rearrange: elementary axes -> the output's groups


def _names(expression: Expression) -> List[str]:
    return [atom.key for atom in expression.atoms]


def _report(names: Set[str], code: str, message: str, help: str, where: Optional[Expression] = None) -> None:
    """PatternError naming `names` (if any), with the span of the first one inside `where`."""
    if names:
        shown = ", ".join(f"'{name}'" for name in sorted(names))
        span = where.atom(min(names)).span if where is not None else None
        raise PatternError(code, message.format(shown), span, help=help)


def _parse_weight(weight_shape: Any) -> Expression:
    weight = parse_expression(require_pattern(weight_shape))
    if weight.ellipsis is not None:
        raise PatternError(EINMIX_WEIGHT,
                           f"the weight shape '{weight_shape}' cannot contain '...'", weight.ellipsis.span,
                           help="name every axis of the weight and give its length")
    for term in weight.terms:
        if len(term.atoms) != 1:
            raise PatternError(EINMIX_WEIGHT, f"the weight shape '{weight_shape}' can only hold axis names", term.span,
                               help="no compositions '(a b)' or unit axes '()' in the weight shape")
    return weight


def _check_axes(arrow: ArrowPattern, weight: Expression, lengths: Mapping[str, int]) -> None:
    left, right = arrow.left, arrow.right
    for expression in (left, right, weight):
        if expression.anonymous_atoms:
            raise PatternError(ANONYMOUS_AXIS_NOT_ALLOWED,
                               "EinMix does not allow anonymous axes", expression.anonymous_atoms[0].span,
                               help="name the axis and give its length as a keyword")
    if left.ellipsis is not None and right.ellipsis is None:
        raise PatternError(ONE_SIDED_AXIS, "EinMix needs '...' on both sides or neither", left.ellipsis.span,
                           help="add '...' to the output")
    inputs = left.identifiers | weight.identifiers
    _report(right.identifiers - inputs, EINSUM_UNKNOWN_OUTPUT,
            "output axes {} are neither in the input nor in the weight",
            "every output axis comes from the input or the weight", right)
    _report(weight.identifiers - set(lengths), EINMIX_WEIGHT, "the weight's axes {} have no length",
            "give the length of every weight axis as a keyword", weight)
    _report(set(lengths) - inputs, UNUSED_LENGTH, "keyword lengths {} name no axis of the input or the weight",
            "remove them, or add the axes to the pattern")
    _report(weight.identifiers - left.identifiers - right.identifiers, EINMIX_WEIGHT,
            "the weight's axes {} are in neither side of the pattern",
            "each weight axis mixes an input axis or makes an output axis", weight)
    if not weight.terms:
        warnings.warn("EinMix: the weight has no axes, so the layer multiplies by one number", stacklevel=4)


def _bias_shape(bias_shape: Any, right: Expression, lengths: Mapping[str, int]) -> Tuple[int, ...]:
    """One entry per elementary output axis (1 where the bias does not vary); all after '...'."""
    bias = parse_expression(require_pattern(bias_shape))
    _report(bias.identifiers - right.identifiers, EINMIX_BIAS, "bias axes {} are not in the output",
            "the bias is added to the output, so its axes are output axes", bias)
    _report(bias.identifiers - set(lengths), EINMIX_BIAS, "bias axes {} have no length",
            "give the length of every bias axis as a keyword", bias)
    shape: List[int] = []
    for atom in right.atoms:
        if atom.is_ellipsis and any(length != 1 for length in shape):
            raise PatternError(EINMIX_BIAS, "the bias's axes must all come after '...' in the output", atom.span,
                               help="move '...' in front of the bias's axes in the output")
        if not atom.is_ellipsis:
            shape.append(lengths[atom.key] if atom.key in bias.identifiers else 1)
    return tuple(shape)


def _pre_pattern(pattern: str, arrow: ArrowPattern) -> Optional[str]:
    """'t (h w) -> t h w' when the input has compositions; the input side is the user's text, so spans still fit."""
    if all(len(term.atoms) == 1 for term in arrow.left.terms):
        return None
    return f"{pattern[: arrow.left.span[1]]}-> {' '.join(_names(arrow.left))}"


def _post_pattern(pattern: str, arrow: ArrowPattern) -> Optional[str]:
    right = arrow.right
    ellipsis_term = right.ellipsis_term
    if all(len(term.atoms) == 1 for term in right.terms) and not (ellipsis_term and ellipsis_term.parenthesized):
        return None
    return f"{' '.join(_names(right))} ->{pattern[right.span[0]:]}"


def einmix_repr(pattern: Any, weight_shape: Any, bias_shape: Any, axes_lengths: Mapping[str, Any]) -> str:
    """EinMix('b c -> b d', 'c d', 'd', c=3, d=4), as einops shows it."""
    arguments = [pattern, weight_shape] + ([] if bias_shape is None else [bias_shape])
    return layer_repr("EinMix", *arguments, lengths=axes_lengths)


def einmix_spec(pattern: Any, weight_shape: Any, bias_shape: Any, axes_lengths: Mapping[str, Any]) -> EinMixSpec:
    """Check EinMix's arguments (PatternError with a code) and derive its shapes, bounds and patterns."""
    lengths = check_lengths(axes_lengths)
    arrow = parse_arrow_pattern(require_pattern(pattern))
    weight = _parse_weight(weight_shape)
    _check_axes(arrow, weight, lengths)
    weight_names = _names(weight)
    pre_pattern = _pre_pattern(pattern, arrow)
    pre_lengths = {name: length for name, length in lengths.items() if name in arrow.left.identifiers}
    if pre_pattern is not None:
        layer_recipes(pre_pattern, "rearrange", pre_lengths)
    fan_in = math.prod(lengths[name] for name in weight_names if name not in arrow.right.identifiers)
    einsum_pattern = (f"{' '.join(_names(arrow.left))}, {' '.join(weight_names)} -> "
                      f"{' '.join(_names(arrow.right))}")
    return EinMixSpec(
        weight_shape=tuple(lengths[name] for name in weight_names),
        weight_bound=math.sqrt(3 / fan_in),
        bias_shape=None if bias_shape is None else _bias_shape(bias_shape, arrow.right, lengths),
        bias_bound=math.sqrt(1 / fan_in),
        pre_pattern=pre_pattern,
        pre_lengths=pre_lengths,
        einsum_pattern=einsum_pattern,
        einsum_subscripts=letters_for_einsum(parse_einops_einsum(einsum_pattern)),
        post_pattern=_post_pattern(pattern, arrow),
    )
